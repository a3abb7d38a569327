"""Roll-ups of a batch by city and province: status counts per target and per norm,
population-weighted coverage, one line per county; as tables, an xlsx workbook and a
choropleth of any county figure.

A roll-up reads the partitions under ``OUT/parts``; it imports the status vocabularies of
the evaluation so its words are the ones every other output uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hsplan._files import inert_workbook
from hsplan._i18n import _
from hsplan.batch.run import read_manifest, read_parts
from hsplan.errors import Problem, raise_if_errors

LEVELS = {"province": "省份", "city": "地市", "county": "县区"}


def level_words() -> dict[str, str]:
    """Return the roll-up levels in words, in the language (`LEVELS` in Chinese)."""
    return {"province": _("province"), "city": _("city"), "county": _("county or district")}

COUNTY_FIGURES = {
    "coverage_pct": "15分钟基层医疗服务覆盖率（%）",
    "targets_met_pct": "目标达标率（%，可评估目标）",
    "norms_failed": "未达标配置标准数",
}


def _group_keys(by: str) -> list[str]:
    if by not in LEVELS:
        raise_if_errors([Problem(_("option {name}").format(name="--by"),
                                 expected=_("province, city or county"), got=by)],
                        context="batch rollup")
    return {"province": ["province"], "city": ["province", "city"],
            "county": ["province", "city", "county", "county_name"]}[by]


def _status_table(parts: pd.DataFrame, by: str, item: list[str], statuses: dict[str, str]
                  ) -> pd.DataFrame:
    """Return, per group and item, the number of counties in each status (Chinese)."""
    if parts.empty:
        return pd.DataFrame()
    keys = _group_keys(by) + item
    parts = parts.assign(**{k: parts[k].astype("string").fillna("") for k in keys})
    table = (parts.assign(n=1).pivot_table(index=keys, columns="status", values="n",
                                           aggfunc="sum", fill_value=0))
    table = table.reindex(columns=list(statuses), fill_value=0).rename(columns=statuses)
    table.columns.name = None
    table.insert(0, "县区数", table.sum(axis=1))
    return table.reset_index()


def county_table(out_dir: str | Path) -> pd.DataFrame:
    """Return one row per county of the batch: its place, targets met / evaluable, norms
    failed / evaluable, 15-minute coverage (%) and the jobs that failed."""
    from hsplan.evaluation.norms import FAIL, NOT_EVALUABLE
    from hsplan.evaluation.targets import MET
    from hsplan.evaluation.targets import NOT_EVALUABLE as T_NOT_EVALUABLE

    manifest = read_manifest(out_dir)
    if manifest.empty:
        return pd.DataFrame()
    base = manifest.drop_duplicates("county")[["county", "county_code", "name", "city",
                                                "province", "synthetic"]].set_index("county")
    base = base.rename(columns={"name": "county_name"})
    evaluation = read_parts(out_dir, "evaluate")
    if not evaluation.empty:
        ev = evaluation[evaluation["status"] != T_NOT_EVALUABLE]
        base["targets_evaluable"] = ev.groupby("county").size()
        base["targets_met"] = ev[ev["status"] == MET].groupby("county").size()
        base["targets_met_pct"] = 100.0 * base["targets_met"].fillna(0) / base[
            "targets_evaluable"]
    norms = read_parts(out_dir, "check")
    if not norms.empty:
        nv = norms[norms["status"] != NOT_EVALUABLE]
        base["norms_evaluable"] = nv.groupby("county").size()
        base["norms_failed"] = nv[nv["status"] == FAIL].groupby("county").size()
    cov = read_parts(out_dir, "coverage")
    if not cov.empty:
        total = cov[cov["group"] == "total"].set_index("county")
        base["pop"] = total["pop"]
        base["pop_covered"] = total["pop_covered"]
        base["coverage_pct"] = total["covered_pct"]
        base["network"] = total["network"]
    bad = manifest[manifest["status"] != "ok"].groupby("county")["job"].agg(
        lambda s: "、".join(sorted(s)))
    base["failed_jobs"] = bad
    for col in ("targets_evaluable", "targets_met", "norms_evaluable", "norms_failed"):
        if col in base:
            base[col] = base[col].fillna(0).astype(int)
    base["failed_jobs"] = base["failed_jobs"].fillna("")
    return base.reset_index().sort_values("county").reset_index(drop=True)


def rollup(out_dir: str | Path, *, by: str = "province") -> dict[str, pd.DataFrame]:
    """Return the roll-ups of a batch grouped `by` province, city or county: ``targets``
    (counties per status, per target), ``norms`` (counties per status, per norm),
    ``coverage`` (population-weighted 15-minute coverage) and ``counties`` (one row per
    county, `county_table`)."""
    from hsplan.evaluation.norms import STATUS_ZH as NORM_ZH
    from hsplan.evaluation.targets import STATUS_ZH as TARGET_ZH

    keys = _group_keys(by)
    out: dict[str, pd.DataFrame] = {}
    evaluation = read_parts(out_dir, "evaluate")
    out["targets"] = _status_table(evaluation, by, ["target_id", "name", "nature"], TARGET_ZH) \
        if not evaluation.empty else pd.DataFrame()
    norms = read_parts(out_dir, "check")
    out["norms"] = _status_table(norms, by, ["norm_id", "name"], NORM_ZH) \
        if not norms.empty else pd.DataFrame()
    counties = county_table(out_dir)
    if not counties.empty and "pop" in counties:
        grouped = counties.groupby(keys, dropna=False)
        cov = grouped.agg(counties=("county", "size"), pop=("pop", "sum"),
                          pop_covered=("pop_covered", "sum")).reset_index()
        cov["coverage_pct"] = np.where(cov["pop"] > 0, 100.0 * cov["pop_covered"] / cov["pop"],
                                       np.nan)
        out["coverage"] = cov
    else:
        out["coverage"] = pd.DataFrame()
    out["counties"] = counties
    return out


_HEADERS = {
    "province": "省份", "city": "地市", "county": "县区键", "county_code": "县区代码",
    "county_name": "县区", "target_id": "目标编号", "name": "名称", "nature": "指标属性",
    "norm_id": "标准编号", "counties": "县区数", "pop": "常住人口（人）",
    "pop_covered": "覆盖人口（人）", "coverage_pct": "覆盖率（%）",
    "targets_evaluable": "可评估目标数", "targets_met": "已达标目标数",
    "targets_met_pct": "目标达标率（%）", "norms_evaluable": "可评估标准数",
    "norms_failed": "未达标标准数", "network": "行程时间模型", "failed_jobs": "失败的作业",
    "synthetic": "合成数据",
}
_SHEETS = {"targets": "目标达标情况", "norms": "配置标准执行", "coverage": "服务圈覆盖",
           "counties": "县区一览"}


def rollup_to_xlsx(frames: dict[str, pd.DataFrame], path: str | Path, *, by: str,
                   note: str = "") -> Path:
    """Write the roll-ups to an xlsx workbook (Chinese headers, frozen header row,
    autofilter, widths, one decimal for percentages); return the path (atomic)."""
    import os

    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        about = pd.DataFrame({"项目": ["汇总层级", "说明"],
                              "内容": [LEVELS.get(by, by), note or "hsplan 批量运行汇总"]})
        about.to_excel(writer, sheet_name="说明", index=False)
        for key, frame in frames.items():
            if frame.empty:
                continue
            sheet = _SHEETS.get(key, key)
            frame = frame.copy()
            for col in [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c])]:
                frame[col] = frame[col].map({True: "是", False: "否"})
            frame.rename(columns=_HEADERS).to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for k, col in enumerate(frame.columns, start=1):
                header = _HEADERS.get(col, str(col))
                width = max([len(header) * 2] + [len(str(v)) for v in frame[col].head(200)])
                ws.column_dimensions[get_column_letter(k)].width = min(max(width + 2, 8), 50)
                if frame[col].dtype.kind == "f":
                    for cell in ws.iter_cols(min_col=k, max_col=k, min_row=2):
                        for c in cell:
                            c.number_format = "0.0"
            for cell in ws[1]:
                cell.font = Font(bold=True)
        inert_workbook(writer.book)  # names that look like formulas stay text
    os.replace(tmp, path)
    return path


def county_map(out_dir: str | Path, path: str | Path, *, figure: str = "coverage_pct",
               title: str | None = None, dpi: int = 130) -> Path:
    """Write a choropleth of one county figure (`COUNTY_FIGURES`) over the bundled county
    boundaries of the batch's counties; return the PNG path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hsplan.region.reference import county_boundaries
    from hsplan.reports.maps import save_figure, use_cjk_font

    if figure not in COUNTY_FIGURES:
        raise_if_errors([Problem(_("option {name}").format(name="--figure"),
                                 expected=_("one of {names}").format(
                                     names=", ".join(COUNTY_FIGURES)), got=figure)],
                        context="batch map")
    counties = county_table(out_dir)
    if counties.empty or figure not in counties:
        raise_if_errors([Problem(str(out_dir), expected=_(
            "batch results with {figure} ({title})").format(
                figure=figure, title=COUNTY_FIGURES[figure]), got=_("none"),
            fix=_("run the batch with the job that makes it"))],
                        context="batch map")
    use_cjk_font()
    shapes = county_boundaries()
    shapes = shapes[shapes["code"].isin(counties["county_code"])]
    data = shapes.merge(counties[["county_code", figure]], left_on="code",
                        right_on="county_code", how="left")
    data = data.to_crs("EPSG:3857")
    fig, ax = plt.subplots(figsize=(10, 8))
    missing: Any = {"color": "#dddddd", "label": "无结果"}
    data.plot(column=figure, ax=ax, legend=True, cmap="RdYlGn" if figure != "norms_failed"
              else "OrRd", edgecolor="white", linewidth=0.2, missing_kwds=missing,
              legend_kwds={"label": COUNTY_FIGURES[figure], "shrink": 0.6})
    ax.set_axis_off()
    made = int(counties["synthetic"].sum()) if "synthetic" in counties else 0
    ax.set_title((title or f"{COUNTY_FIGURES[figure]}（{len(counties)} 个县区）")
                 + (" · 合成数据" if made else ""), fontsize=13)
    if made:
        ax.text(0.0, -0.01, synthetic_note(made, len(counties)), transform=ax.transAxes,
                va="top", fontsize=8, color="#b00000")
    return save_figure(fig, path, dpi=dpi)


def synthetic_note(made: int, total: int) -> str:
    """Return the line that says a batch's results come from generated (synthetic) data, in
    the language."""
    if made == total:
        share = _("synthetic data: all of the {total} counties are synthetic examples").format(
            total=total)
    else:
        share = _("synthetic data: {made} of the {total} counties are synthetic "
                  "examples").format(made=made, total=total)
    return share + _(" — facilities, staff, beds, services and roads are generated by a model "
                     "from the real divisions, boundaries and census population, not the "
                     "results of real facilities, for rehearsal only.")

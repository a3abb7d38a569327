"""Charts and maps of allocation results (PNG via matplotlib), and the report section data.

- `lorenz_chart` — Lorenz curves of each resource, one panel per weight basis (population,
  area), the line of equality and each Gini in the legend
  (`hsplan.allocation.equity.EquityResult`).
- `agglomeration_map` — townships coloured by HRAD/PAD, one panel per resource, each
  labelled with its HRAD and PAD.
- `efficiency_chart` — DEA scores (CRS, VRS, scale) per facility by unit group, and the
  Malmquist index means per year when given.
- `allocation_section_data` — what the evaluation report's equity and efficiency section
  needs: tables, sentences (Chinese), and 无法评估 with the reason when the data do not allow;
  `allocation_section_charts` writes its PNGs.

Each chart has a ``*_figure`` builder returning the matplotlib Figure and a writer that saves
it and returns the path; a chart of synthetic data says so in its title and footnote.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hsplan._i18n import _
from hsplan.allocation.efficiency import DEA, DEAResult, Malmquist, MalmquistResult
from hsplan.allocation.equity import INDEX_ZH, WEIGHT_ZH, Equity, EquityResult
from hsplan.errors import HsplanError
from hsplan.region.model import Region
from hsplan.reports.maps import county_in_metres, north_arrow, save_figure, scale_bar, use_cjk_font

SYNTHETIC_TITLE = "（合成数据）"
SYNTHETIC_NOTE = ("合成示例数据：机构、资源与服务量为模型生成，仅区划代码、县界、"
                  "2020年普查人口为真实数据")
RESOURCE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
# HRAD/PAD classes: below 1 = fewer resources than people would call for
RATIO_EDGES = (0.0, 0.25, 0.5, 0.8, 1.25, 2.0, 4.0, math.inf)
RATIO_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")


def _titled(title: str, synthetic: bool) -> str:
    return f"{title}{SYNTHETIC_TITLE}" if synthetic and "合成" not in title else title


def _footnote(fig: Figure, lines: list[str], synthetic: bool) -> None:
    if synthetic:
        lines = [*lines, SYNTHETIC_NOTE]
    if lines:
        fig.text(0.5, 0.005, "\n".join(lines), ha="center", va="bottom", fontsize=8,
                 color="#8b0000" if synthetic else "#555555")


# --- Lorenz curves ---------------------------------------------------------------------


def lorenz_figure(result: EquityResult, *, title: str, synthetic: bool = False) -> Figure:
    """Return the Lorenz curves of `result` as a Figure (see `lorenz_chart`)."""
    use_cjk_font()
    if result.lorenz.empty:
        raise HsplanError(_("no Lorenz curve to draw: every Gini is 无法评估. Fix: check the "
                            "population, area and resource figures of the areas."))
    bases = list(dict.fromkeys(result.lorenz["weights"]))
    fig, axes = plt.subplots(1, len(bases), figsize=(6.2 * len(bases), 6.4), squeeze=False)
    labels = dict(zip(result.indices["resource"], result.indices["resource_zh"], strict=False))
    gini = result.indices[result.indices["index"] == "gini"].set_index(["resource", "weights"])
    for ax, basis in zip(axes[0], bases, strict=True):
        ax.plot([0, 1], [0, 1], color="#777777", linestyle="--", linewidth=1, label="绝对公平线")
        curves = result.lorenz[result.lorenz["weights"] == basis]
        for k, (res, pts) in enumerate(curves.groupby("resource", sort=False)):
            g = float(gini.loc[(res, basis), "value"])
            ax.plot(pts["cum_weight"], pts["cum_resource"], marker="o", markersize=3.5,
                    color=RESOURCE_COLOURS[k % len(RESOURCE_COLOURS)], linewidth=1.6,
                    label=f"{labels.get(res, res)}（基尼系数 {g:.3f}）")
        who = "人口" if basis == "population" else "面积"
        ax.set_xlabel(f"{who}累计百分比")
        ax.set_ylabel("资源累计百分比")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.xaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f}%")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f}%")
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.set_title(f"{WEIGHT_ZH.get(basis, basis)}的洛伦兹曲线", fontsize=12)
        ax.legend(loc="upper left", fontsize=9, frameon=False)
    fig.suptitle(_titled(title, synthetic), fontsize=14)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    _footnote(fig, [f"{result.year}年，{len(result.areas)} 个地区；地区按人均（地均）资源升序累计"],
              synthetic)
    return fig


def lorenz_chart(result: EquityResult, path: str | Path, *, title: str,
                 synthetic: bool = False, dpi: int = 150) -> Path:
    """Write a PNG of the Lorenz curves of every resource (one panel per weight basis, the
    line of equality, the Gini of each curve in the legend) to `path`; return the path."""
    return save_figure(lorenz_figure(result, title=title, synthetic=synthetic), path, dpi=dpi)


# --- HRAD/PAD map ----------------------------------------------------------------------


def agglomeration_figure(region: Region, result: EquityResult, *, title: str) -> Figure:
    """Return the HRAD/PAD map of `result` as a Figure (see `agglomeration_map`)."""
    if result.agglomeration.empty:
        raise HsplanError(_("no agglomeration degree to map (无法评估): every area needs "
                            "population, area_km2 > 0 and the resource. Fix: fill in 面积."))
    county_m = county_in_metres(region, context="agglomeration_map")
    crs = county_m.crs
    areas = region.areas
    shapes = areas[areas["code"].astype(str).isin(result.areas["area_code"].astype(str))
                   & areas.geometry.notna()].to_crs(crs)
    shapes = shapes.assign(code=shapes["code"].astype(str))
    resources = list(dict.fromkeys(result.agglomeration["resource"]))
    labels = dict(zip(result.indices["resource"], result.indices["resource_zh"], strict=False))
    fig, axes = plt.subplots(1, len(resources), figsize=(6.0 * len(resources), 7.2),
                             squeeze=False)
    cmap = ListedColormap(list(RATIO_COLOURS))
    norm = BoundaryNorm([*RATIO_EDGES[:-1], 1e9], cmap.N)
    for ax, res in zip(axes[0], resources, strict=True):
        rows = result.agglomeration[result.agglomeration["resource"] == res]
        data = shapes.merge(rows.assign(code=rows["area_code"].astype(str)), on="code")
        if not data.empty:
            data.plot(ax=ax, column="hrad_pad", cmap=cmap, norm=norm, edgecolor="#6f6f6f",
                      linewidth=0.7)
            for rec, geom in zip(data.to_dict(orient="records"), data.geometry, strict=True):
                pt = geom.representative_point()
                ax.annotate(f"{rec['name']}\nHRAD {rec['hrad']:.2f}\nPAD {rec['pad']:.2f}",
                            (pt.x, pt.y), ha="center", va="center", fontsize=7.5,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                  "alpha": 0.75})
        county_m.boundary.plot(ax=ax, color="#333333", linewidth=1.4)
        ax.set_title(f"{labels.get(res, res)}", fontsize=12)
        ax.set_axis_off()
        ax.set_aspect("equal")
        north_arrow(ax)
        scale_bar(ax)
    handles = []
    for lo, hi, colour in zip(RATIO_EDGES[:-1], RATIO_EDGES[1:], RATIO_COLOURS, strict=True):
        text = f"≥ {lo:g}" if math.isinf(hi) else f"{lo:g} – {hi:g}"
        handles.append(Patch(facecolor=colour, edgecolor="#6f6f6f", label=text))
    fig.legend(handles=handles, title="HRAD/PAD（=资源占比/人口占比）", loc="lower center",
               ncol=len(handles), fontsize=9, title_fontsize=9.5, frameon=False,
               bbox_to_anchor=(0.5, 0.06))
    fig.suptitle(_titled(title, region.synthetic), fontsize=14)
    fig.tight_layout(rect=(0, 0.13, 1, 0.95))
    _footnote(fig, [f"{result.year}年；HRAD = 资源占比/面积占比，PAD = 人口占比/面积占比；"
                    "HRAD/PAD < 1：资源少于按人口应有的份额；坐标系 " + str(crs.name)],
              region.synthetic)
    return fig


def agglomeration_map(region: Region, result: EquityResult, path: str | Path, *, title: str,
                      dpi: int = 150) -> Path:
    """Write a PNG map of the townships coloured by HRAD/PAD (one panel per resource, HRAD
    and PAD in each label, county boundary, north arrow, scale bar) to `path`; return it."""
    return save_figure(agglomeration_figure(region, result, title=title), path, dpi=dpi)


# --- efficiency ------------------------------------------------------------------------


def efficiency_figure(dea: dict[str, DEAResult],
                      malmquist: dict[str, MalmquistResult] | None = None, *, title: str,
                      synthetic: bool = False) -> Figure:
    """Return the efficiency chart as a Figure (see `efficiency_chart`)."""
    use_cjk_font()
    groups = [g for g, r in dea.items() if not r.scores.empty]
    n_rows = sum(len(dea[g].scores) for g in groups)
    panels = 1 + (1 if malmquist else 0)
    fig, axes = plt.subplots(1, panels, figsize=(7.5 * panels, max(4.0, 0.42 * n_rows + 2.5)),
                             squeeze=False)
    ax = axes[0][0]
    labels: list[str] = []
    y = 0.0
    ticks: list[float] = []
    for g in groups:
        s = dea[g].scores.sort_values("te_crs")
        for rec in s.to_dict(orient="records"):
            for k, (col, colour, name) in enumerate((
                    ("te_crs", "#1f77b4", "综合技术效率(CRS)"),
                    ("te_vrs", "#ff7f0e", "纯技术效率(VRS)"),
                    ("scale", "#2ca02c", "规模效率"))):
                ax.barh(y + (k - 1) * 0.26, rec[col], height=0.25, color=colour,
                        label=name if not ticks else None)
            labels.append(f"{rec['unit']}（{g}）")
            ticks.append(y)
            y += 1.0
        y += 0.5
    ax.set_yticks(ticks, labels, fontsize=8.5)
    ax.axvline(1.0, color="#555555", linewidth=0.8, linestyle="--")
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("效率值（1 = 处于前沿）")
    model = dea[groups[0]].describe().split("；")[0].removeprefix("DEA ") if groups else ""
    ax.set_title(f"DEA 效率（{model}，各机构组分别评价）", fontsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, fontsize=8.5,
              frameon=False)
    if malmquist:
        ax2 = axes[0][1]
        for k, (g, m) in enumerate(malmquist.items()):
            means = m.period_means
            x = [f"{a}–{b}" for a, b in zip(means["period_from"], means["period_to"],
                                             strict=True)]
            style = ("-", "--", ":")[k % 3]
            for col, colour, name in (("tfpch", "#d62728", "全要素生产率变化"),
                                      ("effch", "#1f77b4", "技术效率变化"),
                                      ("techch", "#2ca02c", "技术进步")):
                ax2.plot(x, means[col], style, marker="o", color=colour, label=f"{g} {name}")
        ax2.axhline(1.0, color="#555555", linewidth=0.8)
        ax2.set_ylabel("指数（>1 改善）")
        ax2.set_title("Malmquist 指数年度几何均值", fontsize=11)
        ax2.legend(fontsize=8, frameon=False)
        ax2.grid(True, axis="y", color="#e5e5e5")
    fig.suptitle(_titled(title, synthetic), fontsize=14)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    notes = [f"{g}：{n}" for g, r in dea.items() for n in r.notes][:2]
    _footnote(fig, notes, synthetic)
    return fig


def efficiency_chart(dea: dict[str, DEAResult], path: str | Path,
                     malmquist: dict[str, MalmquistResult] | None = None, *, title: str,
                     synthetic: bool = False, dpi: int = 150) -> Path:
    """Write a PNG of DEA scores (CRS, VRS, scale) per facility by unit group, beside the
    Malmquist annual means when given, to `path`; return the path."""
    fig = efficiency_figure(dea, malmquist, title=title, synthetic=synthetic)
    return save_figure(fig, path, dpi=dpi)


# --- the report section ----------------------------------------------------------------


def allocation_section_data(region: Region, *, year: int | None = None,
                            first_year: int | None = None,
                            groups: tuple[str, ...] = ("医院", "卫生院")) -> dict[str, Any]:
    """Return what the report's 资源配置公平性与效率 section needs.

    Keys: ``year``; ``equity`` (`EquityResult` or None), ``equity_text`` (sentences),
    ``equity_table`` and ``efficiency_table`` ((headers, rows) of text, ready for a Word
    table),
    ``equity_status`` (已评估 | 无法评估: reason); ``dea`` (group → `DEAResult`),
    ``malmquist`` (group → `MalmquistResult`), ``efficiency_text``, ``efficiency_status``
    (one per group). Nothing is raised for missing data: it becomes 无法评估 with what is
    missing. Default year: the region's latest; Malmquist from `first_year` (default the
    region's first year).
    """
    years = sorted(int(y) for y in region.resources["year"].dropna().unique())
    if not years:
        return {"year": None, "equity": None, "equity_text": [],
                "equity_status": "无法评估：项目没有资源数据", "dea": {}, "malmquist": {},
                "efficiency_text": [], "efficiency_status": {g: "无法评估：项目没有资源数据"
                                                             for g in groups},
                "equity_table": _equity_table(None), "efficiency_table": ([], [])}
    year = year or max(years)
    first = first_year or min(years)
    out: dict[str, Any] = {"year": year}
    try:
        eq = Equity.from_region(region, year=year).solve()
        out["equity"] = eq
        out["equity_status"] = "已评估"
        out["equity_text"] = _equity_sentences(eq)
    except HsplanError as exc:
        out.update(equity=None, equity_text=[], equity_status=f"无法评估：{exc}")
    dea: dict[str, DEAResult] = {}
    malm: dict[str, MalmquistResult] = {}
    status: dict[str, str] = {}
    text: list[str] = []
    for g in groups:
        try:
            model = DEA.from_region(region, year=year, groups=[g])
            if len(model.data) < 2:
                status[g] = f"无法评估：{g}仅 {len(model.data)} 家，DEA 至少需要 2 家"
                continue
            dea[g] = model.solve()
            status[g] = "已评估"
            text.append(_dea_sentence(g, dea[g]))
            if first < year:
                malm[g] = Malmquist.from_region(region, years=range(first, year + 1),
                                                groups=[g]).solve()
                text.append(_malmquist_sentence(g, malm[g]))
        except HsplanError as exc:
            status[g] = f"无法评估：{str(exc).splitlines()[0]}"
    out.update(dea=dea, malmquist=malm, efficiency_text=text, efficiency_status=status)
    out["equity_table"] = _equity_table(out["equity"])
    out["efficiency_table"] = _efficiency_table(dea, malm)
    return out


def allocation_section_charts(region: Region, data: dict[str, Any], folder: str | Path
                              ) -> dict[str, Path]:
    """Write the section's PNGs into `folder` and return them by name (``lorenz``,
    ``agglomeration``, ``efficiency``); a chart whose data are 无法评估 is left out."""
    folder = Path(folder)
    year = data.get("year")
    written: dict[str, Path] = {}
    eq = data.get("equity")
    if eq is not None and not eq.lorenz.empty:
        written["lorenz"] = lorenz_chart(eq, folder / "equity_lorenz.png",
                                         title=f"{year}年卫生资源配置洛伦兹曲线",
                                         synthetic=region.synthetic)
    if eq is not None and not eq.agglomeration.empty and region.areas.geometry.notna().any():
        # without a county boundary to draw on there is no map; the table still says it
        with contextlib.suppress(HsplanError):
            written["agglomeration"] = agglomeration_map(
                region, eq, folder / "equity_hrad.png", title=f"{year}年卫生资源集聚度")
    if data.get("dea"):
        written["efficiency"] = efficiency_chart(
            data["dea"], folder / "efficiency.png", data.get("malmquist") or None,
            title=f"{year}年医疗卫生机构效率", synthetic=region.synthetic)
    return written


def _equity_table(eq: EquityResult | None) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of the equity indices: one row per resource × weights."""
    headers = ["资源", "权重", "基尼系数", "泰尔指数T", "T组间贡献率", "泰尔指数L"]
    rows: list[list[str]] = []
    if eq is None:
        return headers, rows
    for (_res, basis), part in eq.indices.groupby(["resource", "weights"], sort=False):
        got = {r["index"]: r for r in part.to_dict(orient="records")}

        def val(key: str, got: dict[Any, Any] = got) -> str:
            r = got.get(key)
            return f"{r['value']:.4f}" if r and r["status"] == "ok" else "无法评估"

        t = got.get("theil_T")
        share = (f"{t['between_share'] * 100:.1f}%" if t and t["status"] == "ok"
                 and not pd.isna(t["between_share"]) else "—")
        rows.append([str(part["resource_zh"].iloc[0]), WEIGHT_ZH.get(str(basis), str(basis)),
                     val("gini"), val("theil_T"), share, val("theil_L")])
    return headers, rows


def _efficiency_table(dea: dict[str, DEAResult], malm: dict[str, MalmquistResult]
                      ) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of the DEA summary: one row per unit group."""
    from statistics import geometric_mean

    headers = ["机构组", "机构数", "综合技术效率均值", "纯技术效率均值", "规模效率均值",
               "DEA有效数", "全要素生产率指数"]
    rows = []
    for g, r in dea.items():
        s = r.scores
        tfp = (f"{geometric_mean(malm[g].period_means['tfpch'].tolist()):.3f}" if g in malm
               else "—")
        rows.append([g, str(len(s)), f"{s['te_crs'].mean():.3f}", f"{s['te_vrs'].mean():.3f}",
                     f"{s['scale'].mean():.3f}", str(int(s["efficient"].sum())), tfp])
    return headers, rows


def _equity_sentences(eq: EquityResult) -> list[str]:
    idx = eq.indices[eq.indices["status"] == "ok"]
    lines = []
    for _res, rows in idx.groupby("resource", sort=False):
        label = rows["resource_zh"].iloc[0]
        parts = []
        for basis in ("population", "area"):
            g = rows[(rows["weights"] == basis) & (rows["index"] == "gini")]
            if not g.empty:
                parts.append(f"{WEIGHT_ZH[basis]}基尼系数 {g['value'].iloc[0]:.3f}")
        t = rows[(rows["weights"] == "population") & (rows["index"] == "theil_T")]
        if not t.empty and not pd.isna(t["between_share"].iloc[0]):
            parts.append(f"{INDEX_ZH['theil_T']} {t['value'].iloc[0]:.3f}，其中城乡组间差异占 "
                         f"{t['between_share'].iloc[0] * 100:.1f}%")
        lines.append(f"{label}：" + "，".join(parts) + "。")
    return lines


def _dea_sentence(group: str, r: DEAResult) -> str:
    s = r.scores
    eff = s[s["efficient"]]["unit"].tolist()
    return (f"{group}（{len(s)} 家）DEA：综合技术效率均值 {s['te_crs'].mean():.3f}，纯技术效率均值 "
            f"{s['te_vrs'].mean():.3f}，规模效率均值 {s['scale'].mean():.3f}；DEA 有效 "
            f"{len(eff)} 家" + (f"（{'、'.join(eff)}）" if eff else "") + "。")


def _malmquist_sentence(group: str, m: MalmquistResult) -> str:
    means = m.period_means
    from statistics import geometric_mean

    tfp = geometric_mean(means["tfpch"].tolist())
    a, b = means["period_from"].min(), means["period_to"].max()
    return (f"{group} {a}—{b} 年全要素生产率指数几何均值 {tfp:.3f}"
            f"（技术效率变化 {geometric_mean(means['effch'].tolist()):.3f}，技术进步 "
            f"{geometric_mean(means['techch'].tolist()):.3f}）。")


__all__ = [
    "agglomeration_figure", "agglomeration_map", "allocation_section_charts",
    "allocation_section_data",
    "efficiency_chart", "efficiency_figure", "lorenz_chart", "lorenz_figure",
]

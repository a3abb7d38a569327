"""Charts of results that people would rather see than read (PNG via matplotlib).

- `evaluation_chart` — one horizontal bar per evaluable target of
`hsplan.evaluation.targets.evaluate`:
  progress toward the target in %, coloured by the traffic light, a line at 100 %.
- `population_pyramid` — the projected population by age band and sex (base year outline,
  target year filled), from `hsplan.demand.needs.NeedsResult.projection`.
- `needs_chart` — the pyramid beside the needs table's bed and staff rows (current vs
  needed, the plan's target in the label).
- `violations_map` — townships coloured by their number of norm violations
  (`hsplan.evaluation.norms.check`), violating villages and facilities marked in red.

Each chart has a `*_figure` builder that returns the matplotlib `Figure` (for tests and
notebooks) and a writer that saves it and returns the path. Fonts, north arrow and scale
bar come from `hsplan.reports.maps`; a chart of synthetic data gets "（合成数据）" in its title and
a
footnote, like the maps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from hsplan.evaluation.targets import (
    AT_RISK,
    MET,
    NOT_APPLICABLE,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ZH,
)
from hsplan.region.model import Region
from hsplan.reports.maps import county_in_metres, north_arrow, save_figure, scale_bar, use_cjk_font

# the traffic lights of the CLI (cli/commands_plans.py STATUS_STYLE), as hex colours
STATUS_COLOURS = {MET: "#2e9e44", ON_TRACK: "#17a2b8", AT_RISK: "#f0a30a",
                  OFF_TRACK: "#d62728", NOT_EVALUABLE: "#bdbdbd", NOT_APPLICABLE: "#e8e8e8"}
SEVERITY = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 2, MET: 3}
PROGRESS_CAP_PCT = 150.0
SYNTHETIC_TITLE = "（合成数据）"
SYNTHETIC_NOTE = ("合成示例数据：机构、资源与服务量为模型生成，仅区划代码、县界、"
                  "2020年普查人口为真实数据")
LABEL_WIDTH = 18
VIOLATION_RED = "#c62828"
PROGRESS_COLUMNS = ["target_id", "area_name", "label", "nature", "status", "colour",
                    "progress_pct", "value_text", "target_text"]
_LESS_OPS = ("<=", "<", "down")
_NO_LINE_START = ")）、，,。：:"


# --- helpers -----------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A number for people: separators from 100 up, two significant digits below 1."""
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        text = f"{x:.1f}"
    elif a >= 1:
        text = f"{x:.2f}"
    elif a > 0:
        text = f"{x:.2g}"
        return text if "e" not in text else f"{x:.1e}"
    else:
        return "0"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _wrap(text: str, width: int = LABEL_WIDTH, lines: int = 2) -> str:
    """`text` cut into lines of `width` characters (Chinese has no spaces to break at), at
    most `lines` lines, the rest replaced by …."""
    if len(text) > width:  # balance the lines: 19 characters at width 18 → 10 + 9
        width = min(width, math.ceil(len(text) / min(lines, math.ceil(len(text) / width))))
    parts: list[str] = []
    rest = text
    while rest:
        cut = min(width, len(rest))
        while 1 < cut < len(rest) and rest[cut] in _NO_LINE_START:
            cut -= 1  # keep a closing bracket or comma with the text before it
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts = parts or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "\n".join(parts)


def _titled(title: str, synthetic: bool) -> str:
    return f"{title}{SYNTHETIC_TITLE}" if synthetic and "合成" not in title else title


def _directions(indicators: pd.Series) -> dict[str, str]:
    """The catalog direction (up/down/none) of each indicator id in `indicators`."""
    from hsplan.plans.catalog import load_catalog

    catalog = load_catalog()
    return {i: catalog.get(i).direction for i in indicators.dropna().unique() if i in catalog}


# --- evaluation ------------------------------------------------------------------------------


def progress_pct(op: str, value: float, *, target: float | None = None,
                 low: float | None = None, high: float | None = None,
                 direction: str = "none") -> float | None:
    """Return the progress of `value` toward a target in % (100 = the target is reached).

    Notes
    -----
    More-is-better ops (``>=``, ``>``, ``up``): value ÷ target × 100; less-is-better
    (``<=``, ``<``, ``down``): target ÷ value × 100, so less is better and a value of 0 is
    complete; ``range``: 100 inside the band, value ÷ low below it, high ÷ value above it;
    ``=``/``approx``: value ÷ target; ``keep`` follows the catalog `direction`. Ratios of
    the form 1:x come as x (the catalog computes them so). None when there is no numeric
    target; a target of 0 is 100 when the value satisfies it, else 0.
    """
    if op == "range":
        if low is not None and value < low:
            return 100.0 * value / low if low > 0 else 0.0
        if high is not None and value > high:
            return 100.0 * high / value if value > 0 else 0.0
        return 100.0
    if target is None:
        return None
    less = op in _LESS_OPS or (op == "keep" and direction == "down")
    if target <= 0:
        ok = value <= target if less else value >= target
        return 100.0 if ok else 0.0
    if less:
        return math.inf if value <= 0 else 100.0 * target / value
    return 100.0 * value / target


def _float(x: Any) -> float | None:
    return None if _missing(x) else float(x)


def _target_text(row: Mapping[Any, Any]) -> str:
    ratio = str(row.get("unit") or "") == "1:x"
    prefix = "1:" if ratio else ""
    unit = "" if ratio or _missing(row.get("unit")) else str(row["unit"])
    unit = unit if unit in ("", "%", "‰") else f" {unit}"
    op = str(row["op"])
    if op == "range":
        return f"{prefix}{_num(row['target_low'])}–{prefix}{_num(row['target_high'])}{unit}"
    if _missing(row.get("target")):
        return {"up": "上升", "down": "下降"}.get(op, op)
    words = {">=": "≥", "<=": "≤", "approx": "≈", "up": "高于基期", "down": "低于基期",
             "keep": "保持"}
    return f"{words.get(op, op)}{prefix}{_num(float(row['target']))}{unit}"


def target_progress(results: pd.DataFrame) -> pd.DataFrame:
    """Return one row per evaluable result, in chart order, with its progress in %.

    Columns `PROGRESS_COLUMNS`: the label (target id and Chinese name, wrapped; the area
    name at township level), status and its colour (`STATUS_COLOURS`), ``progress_pct``
    (`progress_pct`; None without a numeric target), value and target as text. Order:
    约束性 targets first, then by status severity (off track, at risk, on track, met), then
    as in `results`.
    """
    evaluable = results[(results["status"] != NOT_EVALUABLE) & results["value"].notna()]
    directions = _directions(evaluable["indicator"])
    per_target = evaluable.groupby("target_id")["area_code"].nunique()
    rows = []
    for order, row in enumerate(evaluable.to_dict(orient="records")):
        value = float(row["value"])
        pct = progress_pct(str(row["op"]), value, target=_float(row["target"]),
                           low=_float(row["target_low"]), high=_float(row["target_high"]),
                           direction=directions.get(str(row["indicator"]), "none"))
        name = f"{row['target_id']} {row['name']}"
        if per_target.get(row["target_id"], 1) > 1:
            name += f"·{row['area_name']}"
        ratio = str(row.get("unit") or "") == "1:x"
        rows.append({
            "target_id": row["target_id"], "area_name": row["area_name"], "label": _wrap(name),
            "nature": row["nature"], "status": row["status"],
            "colour": STATUS_COLOURS[str(row["status"])], "progress_pct": pct,
            "value_text": ("1:" if ratio else "") + _num(value), "target_text": _target_text(row),
            "_key": (0 if row["nature"] == "约束性" else 1, SEVERITY[str(row["status"])], order),
        })
    rows.sort(key=lambda r: r["_key"])
    return pd.DataFrame(rows, columns=[*PROGRESS_COLUMNS, "_key"]).drop(columns="_key")


def evaluation_figure(results: pd.DataFrame, *, title: str, synthetic: bool = False) -> Figure:
    """Return the evaluation chart as a matplotlib Figure (see `evaluation_chart`)."""
    use_cjk_font()
    bars = target_progress(results)
    n_not = int((results["status"] == NOT_EVALUABLE).sum() + (
        (results["status"] != NOT_EVALUABLE) & results["value"].isna()).sum())
    n = len(bars)
    fig, ax = plt.subplots(figsize=(12, 1.8 + 0.42 * max(n, 3)))
    ys = list(range(n))
    # without a numeric target (up/down judged by the trend) a met target is a full bar
    widths = [min(PROGRESS_CAP_PCT, float(p)) if not _missing(p) else
              (100.0 if s == MET else 0.0) for p, s in zip(bars["progress_pct"],
                                                            bars["status"], strict=True)]
    # a 0 % bar is drawn 0.8 % wide so that its colour shows; its text says 0 %
    ax.barh(ys, [max(w, 0.8) for w in widths], color=list(bars["colour"]), height=0.66,
            zorder=3, edgecolor="white", linewidth=0.5)
    ax.axvline(100, color="#333333", linewidth=1.2, linestyle="--", zorder=4)
    for y, width, pct, rec in zip(ys, widths, bars["progress_pct"],
                                  bars.to_dict(orient="records"), strict=True):
        pct_text = "—" if _missing(pct) else (f"≥{PROGRESS_CAP_PCT:.0f}%" if
                                              float(pct) > PROGRESS_CAP_PCT else f"{pct:.0f}%")
        ax.text(width + 1.5, y, f"{pct_text}  现状 {rec['value_text']} / 目标 {rec['target_text']}",
                va="center", ha="left", fontsize=8.5, color="#333333", zorder=5,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                      "alpha": 0.8})
    ax.set_yticks(ys, list(bars["label"]), fontsize=9)
    for tick, nature in zip(ax.get_yticklabels(), bars["nature"], strict=True):
        if nature == "约束性":
            tick.set_fontweight("bold")
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xlim(0, PROGRESS_CAP_PCT + 90)
    ax.set_xticks([0, 25, 50, 75, 100, 125, 150])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}%"))
    ax.set_xlabel("目标完成进度（现状 ÷ 目标；“≤”类目标为 目标 ÷ 现状）", fontsize=9)
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    counts = bars["status"].value_counts()
    handles: list[Any] = [
        Patch(color=STATUS_COLOURS[s], label=f"{STATUS_ZH[s]}（{int(counts.get(s, 0))}）")
        for s in (MET, ON_TRACK, AT_RISK, OFF_TRACK)]
    handles.append(Line2D([], [], color="#333333", linestyle="--", label="目标线 100%"))
    ax.legend(handles=handles, loc="lower right", fontsize=9, frameon=True, framealpha=0.9)
    ax.set_title(_titled(title, synthetic), fontsize=14, pad=12)
    notes = [f"未绘出无法评估的目标 {n_not} 项（无数据、文字目标或无量化目标）；"
             f"进度超过 {PROGRESS_CAP_PCT:.0f}% 的条形截断；区间目标在区间内为 100%；"
             "粗体为约束性指标"]
    if synthetic:
        notes.append(SYNTHETIC_NOTE)
    fig.text(0.01, 0.005, "\n".join(notes), ha="left", va="bottom", fontsize=8.5,
             color="#8b0000" if synthetic else "#555555")
    fig.tight_layout(rect=(0, 0.04 + 0.1 / max(n, 3), 1, 1))
    return fig


def evaluation_chart(results: pd.DataFrame, path: str | Path, *, title: str,
                     synthetic: bool = False, dpi: int = 150) -> Path:
    """Write a PNG bar chart of `results` (progress toward each target in %) to `path`;
    return the path.

    `results` is the frame of `hsplan.evaluation.targets.evaluate`. One bar per evaluable target,
    length = `progress_pct` (capped at `PROGRESS_CAP_PCT`), colour = status, a dashed line
    at 100 %, value and target printed at the bar end; not-evaluable targets are counted in
    the footnote. With `synthetic` the title gets "（合成数据）" and a footnote says so.
    """
    return save_figure(evaluation_figure(results, title=title, synthetic=synthetic), path, dpi=dpi)


# --- population and needs ----------------------------------------------------------------------


def _township_of(areas: pd.DataFrame) -> dict[str, str]:
    """Map each area code to the code of its township (itself for a township)."""
    level = dict(zip(areas["code"].astype(str), areas["level"].astype(str), strict=True))
    parent = dict(zip(areas["code"].astype(str), areas["parent_code"], strict=True))
    out: dict[str, str] = {}
    for code in level:
        node: Any = code
        for _ in range(6):
            if node is None or _missing(node) or str(node) not in level:
                break
            if level[str(node)] == "township":
                out[code] = str(node)
                break
            node = parent.get(str(node))
    return out


def violations_by_area(region: Region, result: Any) -> gpd.GeoDataFrame:
    """Return the townships with their number of norm violations (rows of `result`).

    Columns: code, name, n_violations (all violations whose area is the township or lies
    in it), n_villages (distinct violating villages in it), n_facilities (distinct
    violating facilities in it), geometry (WGS84). Violations of the county as a whole are
    not in any township (see `county_violations`).
    """
    areas = region.areas
    towns = areas[(areas["level"] == "township")].copy()
    township = _township_of(areas)
    viol = result.violations
    codes = [township.get(str(c)) if not _missing(c) else None for c in viol["area_code"]]
    viol = viol.assign(_town=codes)
    n_all = viol["_town"].value_counts()
    n_vil = viol[viol["area_level"] == "village"].groupby("_town")["area_code"].nunique()
    n_fac = viol[viol["facility_id"].notna()].groupby("_town")["facility_id"].nunique()
    codes_t = towns["code"].astype(str)
    towns["n_violations"] = [int(n_all.get(c, 0)) for c in codes_t]
    towns["n_villages"] = [int(n_vil.get(c, 0)) for c in codes_t]
    towns["n_facilities"] = [int(n_fac.get(c, 0)) for c in codes_t]
    return gpd.GeoDataFrame(
        towns[["code", "name", "n_violations", "n_villages", "n_facilities", "geometry"]],
        geometry="geometry", crs=areas.crs).reset_index(drop=True)


def county_violations(region: Region, result: Any) -> pd.DataFrame:
    """Return the violations that belong to no township (the county as a whole)."""
    township = _township_of(region.areas)
    inside = [not _missing(c) and str(c) in township for c in result.violations["area_code"]]
    return result.violations[[not i for i in inside]].reset_index(drop=True)


def _count_bins(top: int) -> list[int]:
    """Class edges for counts 0…top: 0 alone, then classes of a round width (1, 2, 5, 10 …)
    so that there are at most five."""
    if top <= 0:
        return [0, 1]
    step = next(m * 10 ** e for e in range(7) for m in (1, 2, 5) if m * 10 ** e * 5 >= top)
    edges = [0, 1]
    while edges[-1] <= top:
        edges.append(edges[-1] + step)
    return edges


def violations_figure(region: Region, result: Any, *, title: str) -> Figure:
    """Return the norm-violations map as a matplotlib Figure (see `violations_map`)."""
    areas = region.areas
    county_m = county_in_metres(region, context="violations_map")
    crs = county_m.crs
    towns = violations_by_area(region, result)
    towns = towns[towns.geometry.notna()
                  & towns.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(crs)
    viol = result.violations

    fig, ax = plt.subplots(figsize=(11, 9))
    edges = _count_bins(int(towns["n_violations"].max()) if len(towns) else 0)
    base = plt.get_cmap("Purples")  # not red: the violating places are marked red on it
    colours = ["#f7f4ec"] + [base(0.15 + 0.6 * i / max(len(edges) - 3, 1))
                             for i in range(len(edges) - 2)]
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(edges, cmap.N)
    if not towns.empty:
        towns.plot(ax=ax, column="n_violations", cmap=cmap, norm=norm, edgecolor="#9a8f7a",
                   linewidth=0.8, zorder=1)
        for rec, geom in zip(towns.to_dict(orient="records"), towns.geometry, strict=True):
            pt = geom.representative_point()
            ax.annotate(f"{rec['name']}\n{rec['n_violations']} 条", (pt.x, pt.y), ha="center",
                        va="center", fontsize=9.5, color="#3e3426", zorder=7,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                              "alpha": 0.85})
    county_m.boundary.plot(ax=ax, color="#333333", linewidth=1.6, zorder=3)

    handles: list[Any] = []
    villages = areas[(areas["level"] == "village") & areas.geometry.notna()]
    per_village = viol[viol["area_level"] == "village"]["area_code"].astype(str).value_counts()
    vil = villages[villages["code"].astype(str).isin(per_village.index)]
    ok = villages[~villages["code"].astype(str).isin(per_village.index)]
    if not ok.empty:
        ok_pts = ok.to_crs(crs).geometry.representative_point()
        ax.scatter(ok_pts.x, ok_pts.y, s=12, c="#8c8c8c", edgecolors="white", linewidths=0.4,
                   zorder=4)
        handles.append(Line2D([], [], linestyle="", marker="o", color="#8c8c8c",
                              markeredgecolor="white", markersize=5,
                              label=f"达标的村（{len(ok)}）"))
    if not vil.empty:
        vil_m = vil.to_crs(crs)
        pts = vil_m.geometry.representative_point()
        counts = [int(per_village[str(c)]) for c in vil_m["code"]]
        ax.scatter(pts.x, pts.y, s=[18 + 14 * c for c in counts], c=VIOLATION_RED,
                   alpha=0.8, edgecolors="white", linewidths=0.6, zorder=5)
        handles.append(Line2D([], [], linestyle="", marker="o", color=VIOLATION_RED,
                              markeredgecolor="white", markersize=7,
                              label=f"未达标的村（{len(vil)}，大小示条数）"))
    fac_ids = viol["facility_id"].dropna().astype(str).unique()
    fac = region.facilities[region.facilities["id"].astype(str).isin(fac_ids)
                            & region.facilities.geometry.notna()]
    if not fac.empty:
        fac_m = fac.to_crs(crs)
        ax.scatter(fac_m.geometry.x, fac_m.geometry.y, s=90, marker="X", c=VIOLATION_RED,
                   edgecolors="black", linewidths=0.7, zorder=6)
        handles.append(Line2D([], [], linestyle="", marker="X", color=VIOLATION_RED,
                              markeredgecolor="black", markersize=9,
                              label=f"未达标的机构（{len(fac)}）"))
    for lo, hi, colour in zip(edges[:-1], edges[1:], colours, strict=True):
        label = f"{lo} 条" if hi - lo == 1 else f"{lo}–{hi - 1} 条"
        handles.append(Patch(facecolor=colour, edgecolor="#9a8f7a", label=label))
    handles.append(Line2D([], [], color="#333333", linewidth=1.6, label="县（区）界"))
    ax.legend(handles=handles, title="乡镇（街道）违规条数", loc="upper left",
              bbox_to_anchor=(1.0, 0.8), fontsize=9, title_fontsize=10, frameon=False)

    synthetic = region.synthetic
    ax.set_title(_titled(title, synthetic), fontsize=14, pad=12)
    ax.set_axis_off()
    ax.set_aspect("equal")
    north_arrow(ax)
    scale_bar(ax)
    whole = county_violations(region, result)
    notes = [f"{result.plan_id} · {result.year}年 · 违规 {len(viol)} 条，其中全县（区）层面 "
             f"{len(whole)} 条" + (f"（{'、'.join(dict.fromkeys(whole['norm_id']))}）"
                                   if len(whole) else "")]
    if synthetic:
        notes.append("合成示例数据：乡镇边界、机构位置与规模为模型生成，仅区划代码、县界、"
                     "2020年普查人口为真实数据")
    fig.text(0.5, 0.06, "\n".join(notes), ha="center", fontsize=8.5,
             color="#8b0000" if synthetic else "#555555")
    fig.text(0.98, 0.09, f"坐标系 {crs.name}", ha="right", fontsize=7, color="#666666")
    return fig


def violations_map(region: Region, result: Any, path: str | Path, *, title: str,
                   dpi: int = 150) -> Path:
    """Write a PNG map of the norm violations of `result` to `path`; return the path.

    `result` is the `hsplan.evaluation.norms.NormResult` of `check(region, …)`. Townships are
    coloured
    by their number of violations (`violations_by_area`), violating villages (sized by
    their number of violations) and facilities are marked red; county boundary, north
    arrow, scale bar and a Chinese legend as in `hsplan.reports.maps.facility_map`. Violations of
    the county as a whole are counted in the footnote.
    """
    return save_figure(violations_figure(region, result, title=title), path, dpi=dpi)


# --- figures for print: 完成进度 vs 时间进度, trends -------------------------------------------

PRINT_WIDTH_IN = 6.3  # the report's text width (A4, GB/T 9704 margins: 15.6 cm)
PRINT_PT = 8.5
MAX_FIGURE_HEIGHT_IN = 8.2  # a figure and its caption on one page of text (22.5 cm high)
GROUP_ZH = {"resources": "卫生资源", "facilities": "机构设置与服务能力", "services": "医疗服务",
            "public_health": "公共卫生", "health_status": "健康水平", "financing": "卫生投入",
            "structure": "体系结构"}
OTHER_GROUP = "其他指标"


def indicator_group(indicator: Any) -> str:
    """Return the Chinese group of an indicator id: the catalog file it is defined in."""
    from hsplan.plans.catalog import load_catalog

    catalog = load_catalog()
    if _missing(indicator) or str(indicator) not in catalog:
        return OTHER_GROUP
    stem = Path(catalog.get(str(indicator)).file).stem
    return GROUP_ZH.get(stem, OTHER_GROUP)


def completion_figure(results: pd.DataFrame, *, year: int, title: str,
                      synthetic: bool = False) -> Figure:
    """Return a chart of each evaluable target's 完成进度 (bar, coloured by status) against
    its 时间进度 (black tick), sized for the report's text width.

    `results` is the frame of `evaluate`; 完成进度/时间进度 come from
    `hsplan.reports.progress.with_progress`. Bars are clipped to −20 %…150 %.
    """
    from hsplan.reports.progress import with_progress

    use_cjk_font()
    frame = with_progress(results, year)
    rows = frame[(frame["status"] != NOT_EVALUABLE) & frame["completion_pct"].notna()]
    if "duplicate_of" in rows.columns:  # a target the plan repeats is drawn (and counted) once
        rows = rows[rows["duplicate_of"].isna()]
    order = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 2, MET: 3}
    rows = rows.assign(_o=rows["status"].map(order)).sort_values(
        ["_o", "completion_pct"], kind="stable")
    n = max(len(rows), 1)
    # whole names on at most two lines (one line cut at 16 characters left 二级以上综合医院(含中医
    # 医院)… and 二级及以上综合医院(含中医医院… side by side)
    names = [str(r["name"]) for r in rows.to_dict(orient="records")]
    labels = [_wrap(x, 16, 2) for x in names]
    legend_in = 0.75  # the x-axis title and two legend rows under the plot
    room = (MAX_FIGURE_HEIGHT_IN - 1.0 - legend_in) / n  # inches per bar within one page
    row_in = min(0.34 if any("\n" in x for x in labels) else 0.24, room)
    if row_in < 0.245:  # no room for two-line names (8.5 pt): one line each
        labels = [_wrap(x, 16, 1) for x in names]
    height = 1.0 + legend_in + row_in * n
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, height))
    ys = list(range(len(rows)))
    done = [max(-20.0, min(PROGRESS_CAP_PCT, float(p))) for p in rows["completion_pct"]]
    ax.barh(ys, [d if abs(d) > 0.8 else 0.8 for d in done],
            color=[STATUS_COLOURS[str(s)] for s in rows["status"]], height=0.62, zorder=3)
    for y, t in zip(ys, rows["time_pct"], strict=True):
        if not _missing(t):
            ax.plot([float(t), float(t)], [y - 0.42, y + 0.42], color="black", linewidth=1.6,
                    zorder=5)
    for y, d, p in zip(ys, done, rows["completion_pct"], strict=True):
        text = (f"{round(float(p))}%" if float(p) <= PROGRESS_CAP_PCT  # never "-0%"
                else f">{PROGRESS_CAP_PCT:.0f}%")
        ax.text(max(d, 0) + 2, y, text, va="center", ha="left", fontsize=PRINT_PT, zorder=6)
    ax.set_yticks(ys, labels, fontsize=PRINT_PT, linespacing=1.0)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(-20, PROGRESS_CAP_PCT + 25)
    ax.axvline(0, color="#777777", linewidth=0.8)
    ax.axvline(100, color="#333333", linewidth=1.0, linestyle="--", zorder=4)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}%"))
    ax.tick_params(axis="x", labelsize=PRINT_PT)
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    counts = rows["status"].value_counts()
    handles: list[Any] = [
        Patch(color=STATUS_COLOURS[s], label=f"{STATUS_ZH[s]}（{int(counts.get(s, 0))}项）")
        for s in (MET, ON_TRACK, AT_RISK, OFF_TRACK)]
    handles.append(Line2D([], [], color="black", linewidth=1.6, label="时间进度"))
    handles.append(Line2D([], [], color="#333333", linestyle="--", label="目标 100%"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3,
               fontsize=PRINT_PT, frameon=False)
    ax.set_xlabel("完成进度 =（现状值 − 基期值）÷（目标值 − 基期值）", fontsize=PRINT_PT)
    ax.set_title(_titled(title, synthetic), fontsize=10.5)
    fig.tight_layout(rect=(0, (legend_in - 0.25) / height, 1, 1))
    return fig


def trend_figure(results: pd.DataFrame, series: Mapping[str, Mapping[int, float]], *,
                 year: int, title: str, synthetic: bool = False, ncols: int = 3) -> Figure:
    """Return small multiples, one per target of `results` with a numeric target: the values
    by year (`series`: target id → {year: value}), the target path from the base value to the
    target, the target, and the evaluation year (时间进度) as a vertical line.
    """
    use_cjk_font()
    rows = [r for r in results.to_dict(orient="records") if _float(r.get("target")) is not None
            and series.get(str(r["target_id"]))]
    n = max(len(rows), 1)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(PRINT_WIDTH_IN, 0.6 + 1.9 * nrows),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(rows):
            ax.set_axis_off()
            continue
        r = rows[k]
        points = dict(sorted(series[str(r["target_id"])].items()))
        colour = STATUS_COLOURS[str(r["status"])]
        ax.plot(list(points), list(points.values()), marker="o", markersize=3, color=colour,
                linewidth=1.6, zorder=4)
        target, end = float(r["target"]), int(r["target_year"])
        base, by = _float(r.get("baseline_value")), _float(r.get("baseline_year"))
        if base is not None and by is not None:
            ax.plot([by, end], [base, target], color="#555555", linestyle="--", linewidth=1.0)
        ax.plot([end], [target], marker="*", markersize=8, color="#333333", zorder=5)
        ax.axvline(year, color="#999999", linewidth=0.9, linestyle=":")
        ax.set_title(_wrap(str(r["name"]), 13, 2), fontsize=PRINT_PT)
        ax.tick_params(labelsize=PRINT_PT - 0.5)
        lo = min([*points, int(by) if by is not None else end])
        ax.set_xticks(sorted({lo, year, end}))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}"))
        unit = str(r.get("unit") or "")
        ax.set_ylabel(unit if unit != "1:x" else "", fontsize=PRINT_PT - 0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles = [Line2D([], [], color="#333333", marker="o", markersize=3, label="实际值"),
               Line2D([], [], color="#555555", linestyle="--", label="目标路径（基期→目标年）"),
               Line2D([], [], color="#333333", marker="*", linestyle="", markersize=8,
                      label="目标值"),
               Line2D([], [], color="#999999", linestyle=":", label=f"评估年 {year}（时间进度）")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=PRINT_PT, frameon=False)
    fig.suptitle(_titled(title, synthetic), fontsize=10.5)
    fig.tight_layout(rect=(0, 0.9 / (0.6 + 1.9 * nrows), 1, 1))
    return fig

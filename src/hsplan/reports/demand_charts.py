"""Demand charts: the population pyramid (base year against the target year) and the
beds, staff and vehicles needed against what exists (`hsplan needs --chart`, the report's
资源需求预测 section)."""


from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from hsplan._i18n import _
from hsplan.errors import Problem, raise_if_errors
from hsplan.reports.charts import SYNTHETIC_NOTE, VIOLATION_RED, _missing, _num, _titled, _wrap
from hsplan.reports.maps import save_figure, use_cjk_font


def _band_label(band: str) -> str:
    """``age_05_09`` → ``5–9``, ``age_85p`` → ``85+``."""
    parts = band.removeprefix("age_").split("_")
    if len(parts) == 1:
        return f"{int(parts[0].rstrip('p'))}+"
    return f"{int(parts[0])}–{int(parts[1])}"


def _pyramid_frame(projection: pd.DataFrame, year: int) -> pd.DataFrame:
    part = projection[(projection["year"] == year) & (projection["age_band"] != "total")]
    bands = list(dict.fromkeys(part["age_band"]))
    return part.groupby("age_band")[["male", "female"]].sum().reindex(bands)


def _check_years(projection: pd.DataFrame, years: tuple[int, ...]) -> None:
    have = sorted(int(y) for y in projection["year"].unique())
    problems = [Problem(_("year {year} is not in the projection").format(year=y),
                        file=_("projection"), column="year",
                        expected=_("one of {names}").format(names=", ".join(map(str, have))),
                        got=str(y), fix=_("choose a year from the base year to the target year"))
                for y in years if y not in have]
    raise_if_errors(problems, context="population_pyramid")


def draw_pyramid(ax: Axes, projection: pd.DataFrame, *, base_year: int,
                 target_year: int) -> None:
    """Draw the population pyramid on `ax`: men left (negative), women right, in persons.

    The target year is filled (bars labelled ``{year}年 男``/``女``), the base year is an
    outline on top of it.
    """
    _check_years(projection, (base_year, target_year))
    target = _pyramid_frame(projection, target_year)
    base = _pyramid_frame(projection, base_year).reindex(target.index)
    ys = list(range(len(target)))
    ax.barh(ys, -target["male"], height=0.82, color="#5b8db8", label=f"{target_year}年 男")
    ax.barh(ys, target["female"], height=0.82, color="#d9778b", label=f"{target_year}年 女")
    ax.barh(ys, -base["male"], height=0.82, fill=False, edgecolor="#1b2f45", linewidth=1.0,
            label=f"{base_year}年 男")
    ax.barh(ys, base["female"], height=0.82, fill=False, edgecolor="#4a1622", linewidth=1.0,
            label=f"{base_year}年 女")
    ax.set_yticks(ys, [_band_label(str(b)) for b in target.index], fontsize=8.5)
    ax.axvline(0, color="#333333", linewidth=0.8)
    limit = float(max(target.max().max(), base.max().max())) * 1.12
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{abs(x):,.0f}"))
    ax.set_xlabel("人口（人）", fontsize=9)
    ax.set_ylabel("年龄组（岁）", fontsize=9)
    ax.text(0.02, 0.98, "男", transform=ax.transAxes, ha="left", va="top", fontsize=12,
            color="#1b2f45")
    ax.text(0.98, 0.98, "女", transform=ax.transAxes, ha="right", va="top", fontsize=12,
            color="#4a1622")
    tot_t = float(target.to_numpy().sum())
    tot_b = float(base.to_numpy().sum())
    handles = [Patch(color="#5b8db8", label=f"{target_year}年 男"),
               Patch(color="#d9778b", label=f"{target_year}年 女"),
               Patch(fill=False, edgecolor="#333333", label=f"{base_year}年（轮廓）")]
    ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, 0.93), fontsize=8.5,
              frameon=False,
              title=f"{base_year}年 {tot_b:,.0f} 人 → {target_year}年 {tot_t:,.0f} 人",
              title_fontsize=8.5)
    ax.grid(axis="x", color="#e6e6e6", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def pyramid_figure(projection: pd.DataFrame, *, base_year: int, target_year: int, title: str,
                   synthetic: bool = False) -> Figure:
    """Return the population pyramid as a matplotlib Figure (see `population_pyramid`)."""
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(9, 7.5))
    draw_pyramid(ax, projection, base_year=base_year, target_year=target_year)
    ax.set_title(_titled(title, synthetic), fontsize=14, pad=12)
    if synthetic:
        fig.text(0.5, 0.005, SYNTHETIC_NOTE, ha="center", va="bottom", fontsize=8.5,
                 color="#8b0000")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def population_pyramid(projection: pd.DataFrame, path: str | Path, *, base_year: int,
                       target_year: int, title: str, synthetic: bool = False,
                       dpi: int = 150) -> Path:
    """Write a PNG population pyramid (persons by age band and sex) to `path`; return it.

    `projection` is `hsplan.demand.needs.NeedsResult.projection` (columns area_code, year,
    age_band, male, female, pop; the ``total`` band is left out, several areas are
    summed). Men left, women right; `target_year` filled, `base_year` as an outline.
    """
    fig = pyramid_figure(projection, base_year=base_year, target_year=target_year,
                         title=title, synthetic=synthetic)
    return save_figure(fig, path, dpi=dpi)


def needs_bars(table: pd.DataFrame) -> pd.DataFrame:
    """Return the bed (张) and staff (人) rows of a needs table, beds first, in table order.

    Columns: item, unit, label (the resource; the basis of the need — the plan target's
    indicator or the method; the plan target), value_needed,
    current_value, plan_target, gap. The population row (常住人口) is not a resource and
    is left out.
    """
    part = table[table["unit"].isin(["张", "人"]) & (table["item"] != "常住人口")
                 & table["value_needed"].notna()].copy()
    part["_order"] = [0 if u == "张" else 1 for u in part["unit"]]
    part = part.sort_values("_order", kind="stable").drop(columns="_order")
    labels = []
    for item, method, target in zip(part["item"], part["method"], part["plan_target"],
                                    strict=True):
        main, _, basis = str(item).partition("（")
        lines = [_wrap(main, width=16, lines=1), _wrap(basis.rstrip("）") or str(method),
                                                       width=20, lines=1)]
        if isinstance(target, str) and target not in ("", "—") and "规划目标" in str(method):
            lines.append("规划目标 " + target.replace(">=", "≥").replace("<=", "≤"))
        labels.append("\n".join(lines))
    part["label"] = labels
    return part[["item", "unit", "label", "value_needed", "current_value", "plan_target",
                 "gap"]].reset_index(drop=True)


def _draw_needs(ax: Axes, rows: pd.DataFrame, unit: str) -> None:
    ys = [float(i) for i in range(len(rows))]
    h = 0.38
    current = [0.0 if _missing(v) else float(v) for v in rows["current_value"]]
    needed = [float(v) for v in rows["value_needed"]]
    ax.barh([y - h / 2 for y in ys], current, height=h, color="#9e9e9e", label="现有量")
    ax.barh([y + h / 2 for y in ys], needed, height=h, color="#1f6fb4", label="需要量")
    top = max([*current, *needed, 1.0])
    for y, cur, need, gap, raw in zip(ys, current, needed, rows["gap"], rows["current_value"],
                                      strict=True):
        ax.text(cur + top * 0.01, y - h / 2, "无数据" if _missing(raw) else _num(cur),
                va="center", fontsize=7.5, color="#555555")
        gap_text = "" if _missing(gap) else (f"  缺 {_num(float(gap))}" if gap > 0.5 else
                                             f"  余 {_num(-float(gap))}" if gap < -0.5 else "")
        ax.text(need + top * 0.01, y + h / 2, _num(need), va="center", fontsize=7.5,
                color="#1f3b57")
        if gap_text:
            ax.text(max(cur, need) + top * 0.1, y, gap_text, va="center", fontsize=8,
                    color=VIOLATION_RED if gap > 0 else "#2e7d32", fontweight="bold")
    ax.set_yticks(ys, list(rows["label"]), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlabel(f"{'床位（张）' if unit == '张' else '人员（人）'}", fontsize=9)
    ax.grid(axis="x", color="#e6e6e6")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def needs_figure(result: Any, *, title: str | None = None, synthetic: bool = False) -> Figure:
    """Return the needs chart (pyramid + bed and staff bars) as a Figure (see `needs_chart`)."""
    use_cjk_font()
    rows = needs_bars(result.table)
    beds = rows[rows["unit"] == "张"]
    staff = rows[rows["unit"] == "人"]
    n = max(len(rows), 8)
    fig = plt.figure(figsize=(17, 2.5 + 0.62 * n))
    ratios = [max(len(beds), 1) + 1.5, max(len(staff), 1) + 1.5]
    grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.35], height_ratios=ratios, wspace=0.45,
                            hspace=0.25)
    pyramid_ax = fig.add_subplot(grid[:, 0])
    draw_pyramid(pyramid_ax, result.projection, base_year=result.base_year,
                 target_year=result.year)
    method = {"cohort": "队列要素法", "growth": "增长率法"}.get(result.method, result.method)
    pyramid_ax.set_title(f"人口预测 {result.base_year}→{result.year}年（{method}）",
                         fontsize=11)
    for i, (part, unit) in enumerate(((beds, "张"), (staff, "人"))):
        ax = fig.add_subplot(grid[i, 1])
        if part.empty:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "无" + ("床位" if unit == "张" else "人员") + "需要量",
                    ha="center", transform=ax.transAxes)
            continue
        _draw_needs(ax, part, unit)
        ax.set_title(f"{'床位' if unit == '张' else '卫生人员'}：现有量与{result.year}年需要量",
                     fontsize=11)
        if i == 0:
            ax.legend(loc="lower right", fontsize=8.5, frameon=False)
    heading = title or f"{result.area_name} {result.year}年需要量"
    fig.suptitle(_titled(heading, synthetic), fontsize=14)
    notes = [f"需要量按规划目标 × {result.year}年预测人口（或卫生服务需求法、配置规范）计算；"
             f"现有量为 {result.base_year} 年；缺 = 需要量 − 现有量"]
    if synthetic:
        notes.append(SYNTHETIC_NOTE)
    fig.text(0.01, 0.003, "\n".join(notes), ha="left", va="bottom", fontsize=8.5,
             color="#8b0000" if synthetic else "#555555")
    fig.subplots_adjust(left=0.05, right=0.97, top=0.93, bottom=0.06 + 0.2 / n)
    return fig


def needs_chart(result: Any, path: str | Path, *, title: str | None = None,
                synthetic: bool = False, dpi: int = 150) -> Path:
    """Write a PNG of `result` (a `hsplan.demand.needs.NeedsResult`) to `path`; return the path.

    Left panel: the population pyramid (base year outline, target year filled). Right
    panels: the needs table's bed (张) and staff (人) rows as grouped bars — current value
    (grey) and value needed by the target year (blue), the plan's target under each label
    and the gap (缺, red; 余, green) beside the bars.
    """
    return save_figure(needs_figure(result, title=title, synthetic=synthetic), path, dpi=dpi)


# --- norms map ---------------------------------------------------------------------------------

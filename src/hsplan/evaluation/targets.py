"""Evaluate a region against a plan: one row per target (per area), with a traffic light.

`evaluate(region, plan)` takes each target of the plan, finds the indicator's value in the
region (computed from the model by `hsplan.plans.indicators.compute`, or a reported figure),
its trend, and says whether the target is met.

Status logic (`assess`)
-----------------------
The *condition now* is the target's condition at the evaluation year: the milestone of
that year when the target has one, the per-year trajectory (baseline + per_year × years
since the baseline) for ``per_year`` targets, otherwise the target itself.

- **met** — the value satisfies the condition now.
- **on track** — not met, the target year is still ahead, and the observed trend carried
  forward to the target year (value + observed_per_year × years left) satisfies the target.
- **at risk** — not met, the target year is ahead, and the trend moves toward the target
  but too slowly; also when only one year of data gives no trend, and when this year's
  milestone is missed although the trend would reach the final target.
- **off track** — not met and the trend moves away from the target or not at all, or the
  target year has come and the target is not met.
- **not evaluable** — no value up to the evaluation year, no indicator id, a text target
  (``op: text``), or a target whose value cannot be known (``up``/``down``/``keep``
  without a baseline or a trend, ``relative_pct`` without a baseline value).

Operators (docs/plan-format.md): ``>=``, ``<=``, ``<``, ``>`` compare; ``=`` holds within
a relative 1e-6; ``approx`` within ±5 % of the value; ``range`` low ≤ value ≤ high;
``up``/``down`` need the value above/below the baseline (or a rising/falling trend when
there is no baseline); ``keep`` holds the stated value or, without one, the baseline —
not below it for "more is better" indicators, not above it for "less is better" ones,
within ±5 % otherwise (the catalog's ``direction``); ``relative_pct`` targets are
baseline × (1 + pct/100); ``per_year`` targets are baseline + per_year × (year − baseline
year); ``ratio_form: 1:x`` compares x (the catalog computes such ratios as x). When the
plan gives no baseline value, the region's own value in the baseline year is used.

Numbers
-------
- ``gap`` = target value at the target year − current value, in the indicator's unit
  (for ``range`` the distance to the nearest bound, 0 inside): positive means the value
  must rise. Empty for ``up``/``down`` without a baseline and for text targets.
- ``required_per_year`` = gap / (target year − evaluation year), when not met and the
  target year is ahead.
- ``observed_per_year`` = the slope of the values against the year: least squares when
  three or more years have values, else (last − first) / (years between); with one year
  of data the plan's baseline is used as the first point when it is earlier.

Rows are sorted: 约束性 (binding) targets that are off track or at risk first, then the
other off-track and at-risk targets, then the rest, each group in plan order.

JSON output (`evaluation_to_json`, stable)::

    {"plan": "jiangchuan-2021-2025", "project": "江川区", "year": 2023, "synthetic": false,
     "results": [{"target_id": "T07", "indicator": "beds_per_1k",
                  "name": "每千人口医疗卫生机构床位数", "category": …, "nature": "预期性",
                  "area_code": "530403", "area_name": …, "unit": "张/千人",
                  "baseline_year": 2020, "baseline_value": 3.44, "value": 3.6,
                  "value_year": 2023, "source": "computed", "target_year": 2025, "op": ">=",
                  "target": 3.56, "target_low": null, "target_high": null,
                  "target_text": null, "milestone_year": null, "milestone_value": null,
                  "status": "met", "reason": …, "gap": -0.04, "required_per_year": null,
                  "observed_per_year": 0.05, "aspirational": false, "quote": …}, …]}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hsplan._files import save_workbook
from hsplan._json import json_value
from hsplan.errors import HsplanError
from hsplan.plans._indicator_values import Prepared, values_of
from hsplan.plans.catalog import Catalog, load_catalog
from hsplan.plans.plan import COMPARISON_OPS, Milestone, Plan, Target, resolved_target_value
from hsplan.region.model import Region

MET = "met"
ON_TRACK = "on track"
AT_RISK = "at risk"
OFF_TRACK = "off track"
NOT_EVALUABLE = "not evaluable"
STATUSES = (MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_EVALUABLE)
FAILURES = (OFF_TRACK, AT_RISK)
STATUS_ZH = {MET: "已达标", ON_TRACK: "进度正常", AT_RISK: "进度滞后", OFF_TRACK: "偏离目标",
             NOT_EVALUABLE: "无法评估"}
APPROX_TOLERANCE = 0.05
LEVELS = ("county", "township")

COLUMNS = [
    "target_id", "indicator", "name", "category", "nature", "area_code", "area_name", "unit",
    "baseline_year", "baseline_value", "value", "value_year", "source", "target_year", "op",
    "target", "target_low", "target_high", "target_text", "milestone_year", "milestone_value",
    "status", "reason", "gap", "required_per_year", "observed_per_year", "aspirational",
    "quote",
]
COLUMNS_ZH = {
    "target_id": "指标编号", "indicator": "指标编码", "name": "指标名称", "category": "类别",
    "nature": "指标属性", "area_code": "区划代码", "area_name": "区划名称", "unit": "单位",
    "baseline_year": "基期年份", "baseline_value": "基期值", "value": "现状值",
    "value_year": "现状年份", "source": "数据来源", "target_year": "目标年份",
    "op": "目标条件", "target": "目标值", "target_low": "目标下限", "target_high": "目标上限",
    "target_text": "目标描述", "milestone_year": "节点年份", "milestone_value": "节点目标值",
    "status": "评估结论", "reason": "说明", "gap": "差距", "required_per_year": "所需年均变化",
    "observed_per_year": "实际年均变化", "aspirational": "力争", "quote": "规划原文",
}


# --- the status of one target ----------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The verdict on one target for one area: status, reason and the numbers behind it.

    `target_value` is the target's value at its target year in the indicator's unit
    (None for ``range``, text, and ``up``/``down`` without a baseline); `gap`,
    `required_per_year` and `observed_per_year` as in the module docstring.
    """

    status: str
    reason: str
    target_value: float | None = None
    gap: float | None = None
    required_per_year: float | None = None
    observed_per_year: float | None = None
    milestone: Milestone | None = None


@dataclass(frozen=True)
class _Condition:
    op: str  # one of >=, <=, <, >, =, approx, range
    value: float | None = None
    low: float | None = None
    high: float | None = None

    def holds(self, x: float) -> bool:
        v = self.value
        eps = 1e-9 * max(1.0, abs(v)) if v is not None else 1e-9
        if self.op == "range":
            return (self.low is None or x >= self.low - eps) and \
                (self.high is None or x <= self.high + eps)
        assert v is not None  # built only with a value for these ops
        if self.op == ">=":
            return x >= v - eps
        if self.op == ">":
            return x > v + eps
        if self.op == "<=":
            return x <= v + eps
        if self.op == "<":
            return x < v - eps
        if self.op == "=":
            return math.isclose(x, v, rel_tol=1e-6, abs_tol=1e-9)
        return abs(x - v) <= APPROX_TOLERANCE * abs(v) + eps  # approx

    def gap(self, x: float) -> float:
        """Target − x (range: to the nearest bound, 0 inside)."""
        if self.op == "range":
            if self.low is not None and x < self.low:
                return self.low - x
            if self.high is not None and x > self.high:
                return self.high - x
            return 0.0
        assert self.value is not None
        return self.value - x

    def text(self) -> str:
        if self.op == "range":
            return f"{_fmt(self.low)}–{_fmt(self.high)}"
        words = {"approx": "≈", ">=": "≥", "<=": "≤"}.get(self.op, self.op)
        return f"{words} {_fmt(self.value)}"


def observed_per_year(points: Mapping[int, float]) -> float | None:
    """Return the trend of `points` (year → value) in the value's unit per year.

    Least-squares slope when three or more years have values, (last − first) / years
    between with two, None with fewer. A slope within floating-point noise of zero
    (|slope| ≤ 1e-9 × the largest |value|) is 0.
    """
    clean = sorted((int(y), float(v)) for y, v in points.items() if v is not None
                   and not (isinstance(v, float) and math.isnan(v)))
    if len(clean) < 2:
        return None
    years = np.array([y for y, _ in clean], dtype=float)
    values = np.array([v for _, v in clean], dtype=float)
    if len(clean) == 2:
        slope = float((values[1] - values[0]) / (years[1] - years[0]))
    else:
        slope = float(np.polyfit(years, values, 1)[0])
    return 0.0 if abs(slope) <= 1e-9 * max(1.0, float(np.abs(values).max())) else slope


def _comparison_op(op: str, direction: str) -> str:
    """The comparison a milestone or a bare value uses for an op without its own."""
    if op in COMPARISON_OPS:
        return op
    if op == "down" or direction == "down":
        return "<="
    if op == "up" or direction == "up":
        return ">="
    return "approx"


def assess(target: Target, *, value: float | None, year: int,
           series: Mapping[int, float] | None = None, direction: str = "none",
           baseline_value: float | None = None, default_year: int | None = None) -> Assessment:
    """Return the `Assessment` of `target` for a current `value` at evaluation `year`.

    `series` maps years to the indicator's values (for the trend; years after `year` are
    ignored); `direction` is the catalog's ``up``/``down``/``none``; `baseline_value`
    replaces a baseline the plan leaves empty (the region's own baseline-year value);
    `default_year` is the target year when the target gives none (the plan's end).
    The rules are in the module docstring.
    """
    spec = target.target
    if spec.op == "text":
        return Assessment(NOT_EVALUABLE, f"text target: {spec.text}")
    if target.indicator is None:
        return Assessment(NOT_EVALUABLE, "no catalog indicator for this target")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Assessment(NOT_EVALUABLE, f"no value of {target.indicator} up to {year}")

    plan_base = target.baseline
    base_year = plan_base.year if plan_base else None
    base_value = plan_base.value if plan_base and plan_base.value is not None else baseline_value
    points = {y: v for y, v in (series or {}).items() if y <= year}
    points.setdefault(year, value)
    if len(points) < 2 and base_year is not None and base_value is not None and base_year < year:
        points[base_year] = base_value
    slope = observed_per_year(points)
    target_year = spec.year if spec.year is not None else default_year
    milestone = next((m for m in target.milestones if m.year == year), None)

    # the final condition (at the target year)
    final: _Condition | None
    if spec.op == "range":
        final = _Condition("range", low=spec.low, high=spec.high)
    elif spec.op in ("up", "down"):
        final = _Condition(">" if spec.op == "up" else "<", base_value) \
            if base_value is not None else None
        if final is None and slope is None:
            return Assessment(NOT_EVALUABLE, f"op {spec.op} needs a baseline value or two "
                                             "years of data", observed_per_year=slope)
        if final is None:
            assert slope is not None
            rising = slope > 0 if spec.op == "up" else slope < 0
            if rising:
                return Assessment(MET, f"trend {slope:+.4g}/year (no baseline value)",
                                  observed_per_year=slope)
            return Assessment(OFF_TRACK, f"trend {slope:+.4g}/year goes the wrong way "
                                         "(no baseline value)", observed_per_year=slope)
    elif spec.op == "keep":
        kept = spec.value if spec.value is not None else base_value
        if kept is None:
            return Assessment(NOT_EVALUABLE, "op keep needs a value or a baseline value",
                              observed_per_year=slope)
        final = _Condition(_comparison_op("keep", direction), kept)
    else:
        if spec.relative_pct is not None or spec.per_year is not None:
            base_target = target
            if plan_base is None or plan_base.value is None:
                if base_value is None:
                    return Assessment(NOT_EVALUABLE, "relative target needs a baseline value "
                                      "(the plan gives none and the region has no value in "
                                      "the baseline year)", observed_per_year=slope)
                base_target = _with_baseline(target, base_value)
            t_value = resolved_target_value(base_target, year=target_year)
        else:
            t_value = spec.value
        if t_value is None:
            return Assessment(NOT_EVALUABLE, "the target year is unknown",
                              observed_per_year=slope)
        final = _Condition(spec.op, t_value)

    # the condition now
    now = final
    label = f"target {final.text()} by {target_year}"
    if milestone is not None:
        now = _Condition(_comparison_op(milestone.op or spec.op, direction), milestone.value)
        label = f"{year} milestone {now.text()}"
    elif spec.per_year is not None and target_year is not None and year < target_year:
        base_t = target if plan_base and plan_base.value is not None \
            else _with_baseline(target, base_value)
        now_value = resolved_target_value(base_t, year=year)
        if now_value is not None:
            now = _Condition(spec.op, now_value)
            label = f"{year} trajectory {now.text()}"

    target_value = final.value if final.op != "range" else None
    gap = final.gap(value)
    if now.holds(value):
        return Assessment(MET, f"{_fmt(value)} meets the {label}", target_value, gap, None,
                          slope, milestone)
    if target_year is None or target_year <= year:
        return Assessment(OFF_TRACK, f"{_fmt(value)} misses the {label}; the target year has "
                          "come", target_value, gap, None, slope, milestone)
    years_left = target_year - year
    required = gap / years_left
    if slope is None:
        return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; one year of data, "
                          "no trend", target_value, gap, required, None, milestone)
    projected = value + slope * years_left
    toward = slope * gap > 0
    if final.holds(projected):
        if milestone is not None:
            return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; the trend "
                              f"({slope:+.4g}/year) would reach the target by {target_year}",
                              target_value, gap, required, slope, milestone)
        return Assessment(ON_TRACK, f"{_fmt(value)} not yet at the {label}; the trend "
                          f"({slope:+.4g}/year) reaches it", target_value, gap, required, slope,
                          milestone)
    if toward and final.gap(projected) * gap < 0:
        return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; the trend "
                          f"({slope:+.4g}/year) overshoots it", target_value, gap, required,
                          slope, milestone)
    if toward:
        return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; the trend "
                          f"({slope:+.4g}/year) is too slow, {required:+.4g}/year needed",
                          target_value, gap, required, slope, milestone)
    return Assessment(OFF_TRACK, f"{_fmt(value)} misses the {label}; the trend "
                      f"({slope:+.4g}/year) does not move toward it", target_value, gap,
                      required, slope, milestone)


def _with_baseline(target: Target, value: float | None) -> Target:
    from dataclasses import replace

    from hsplan.plans.plan import Baseline

    base = target.baseline or Baseline()
    return replace(target, baseline=replace(base, value=value))


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.4g}"


# --- the region's values ---------------------------------------------------------------------


@dataclass(frozen=True)
class _IndicatorInfo:
    direction: str = "none"
    unit: str | None = None
    kind: str = "reported"
    levels: tuple[str, ...] = ("county",)
    known: bool = False


def _indicator_info(catalog: Catalog, indicator: str) -> _IndicatorInfo:
    try:
        entry = catalog.get(indicator)
    except HsplanError:
        return _IndicatorInfo()
    return _IndicatorInfo(direction=entry.direction or "none", unit=entry.unit,
                          kind=entry.kind, levels=tuple(entry.levels or ("county",)),
                          known=True)


_Series = tuple[dict[str, dict[int, float]], dict[str, str], dict[str, str]]


class _PreparedLevels:
    """The region prepared for indicator computation once per level, on first use; an
    HsplanError (an unknown or absent level) is kept and raised again on every use."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self._by_level: dict[str, Prepared | HsplanError] = {}

    def get(self, level: str) -> Prepared:
        """Return the region prepared at `level` (raises HsplanError as `Prepared` does)."""
        if level not in self._by_level:
            try:
                self._by_level[level] = Prepared(self.region, level)
            except HsplanError as exc:
                self._by_level[level] = exc
        found = self._by_level[level]
        if isinstance(found, HsplanError):
            raise found
        return found


def _series(region: Region, indicator: str, *, level: str, years: list[int],
            catalog: Catalog, info: _IndicatorInfo, prepared: _PreparedLevels) -> _Series:
    """Values of `indicator` by area code and year, the area names, and what is missing
    (by area code, for the latest year)."""
    values: dict[str, dict[int, float]] = {}
    names: dict[str, str] = {}
    missing: dict[str, str] = {}
    if info.known:
        entry = catalog.get(indicator)
        for y in years:
            try:
                result = values_of(prepared.get(level), entry, y)
            except HsplanError as exc:
                missing = {code: str(exc) for code in names} or {"": str(exc)}
                continue
            for code, name, value, why in zip(result.codes, result.names, result.value,
                                              result.missing, strict=True):
                names.setdefault(code, name)
                if not math.isnan(value):
                    values.setdefault(code, {})[y] = value
                    missing.pop(code, None)
                elif why:
                    missing[code] = why
        return values, names, missing
    # not in the catalog: read the indicator as reported
    reported = region.reported
    rows = reported[reported["indicator"] == indicator]
    areas = region.areas
    level_codes = set(areas.loc[areas["level"] == level, "code"].astype(str))
    area_names = dict(zip(areas["code"].astype(str), areas["name"].astype(str), strict=True))
    records = rows.to_dict(orient="records")
    for row in records:
        code = str(row["area_code"])
        if level_codes and code not in level_codes:
            continue
        if not level_codes and level != "county":
            continue
        names.setdefault(code, area_names.get(code, code))
        if not pd.isna(row["value"]):
            values.setdefault(code, {})[int(row["year"])] = float(row["value"])
    return values, names, missing


def _default_area(region: Region, plan: Plan) -> tuple[str, str]:
    areas = region.areas
    county = areas[areas["level"] == "county"]
    if len(county):
        return str(county["code"].iloc[0]), str(county["name"].iloc[0])
    code = region.meta.get("county_code") or plan.region_code or ""
    return str(code), str(region.meta.get("name") or plan.region_name)


def evaluate(region: Region, plan: Plan, *, year: int | None = None,
             level: str = "county") -> pd.DataFrame:
    """Return one row per target (per area at township level) with its status, in `COLUMNS`.

    `year` defaults to the latest year with data in the region. At ``level="township"``
    indicators whose catalog ``levels`` include township get one row per township; the
    others one row for the county. Values are in the indicator's catalog unit; the status
    rules are in the module docstring.
    """
    if level not in LEVELS:
        raise HsplanError(f"level {level!r}: expected one of {', '.join(LEVELS)}. "
                          "Fix: use --level county or --level township.")
    years = region.years
    if year is None:
        year = years[-1] if years else plan.period_end
    years_upto = [y for y in years if y <= year]
    catalog = load_catalog()
    prepared = _PreparedLevels(region)
    default_area: tuple[str, str] | None = None
    rows: list[dict[str, Any]] = []
    for index, target in enumerate(plan.targets):
        info = _indicator_info(catalog, target.indicator) if target.indicator \
            else _IndicatorInfo()
        lvl = level if level in info.levels else "county"
        values: dict[str, dict[int, float]] = {}
        names: dict[str, str] = {}
        missing: dict[str, str] = {}
        if target.indicator is not None and target.target.op != "text":
            values, names, missing = _series(region, target.indicator, level=lvl,
                                             years=years_upto, catalog=catalog, info=info,
                                             prepared=prepared)
        if not names:
            default_area = default_area or _default_area(region, plan)
            names = {default_area[0]: default_area[1]}
        for code, name in names.items():
            points = values.get(code, {})
            value_year = max(points) if points else None
            value = points[value_year] if value_year is not None else None
            base_year = target.baseline.year if target.baseline else plan.baseline_year
            region_base = points.get(base_year) if base_year is not None else None
            result = assess(target, value=value, year=year, series=points,
                            direction=info.direction, baseline_value=region_base,
                            default_year=plan.period_end)
            reason = result.reason
            if value is None:
                source = "no data"
                why = missing.get(code) or missing.get("")
                if why and result.status == NOT_EVALUABLE and target.target.op != "text":
                    reason = f"{reason}: {why}"
            else:
                source = "computed" if info.kind == "computed" else "reported"
            base = target.baseline
            spec = target.target
            rows.append({
                "_index": index,
                "target_id": target.id, "indicator": target.indicator, "name": target.name,
                "category": target.category, "nature": target.nature, "area_code": code,
                "area_name": name, "unit": info.unit or target.unit,
                "baseline_year": base.year if base else None,
                "baseline_value": base.value if base and base.value is not None
                else region_base,
                "value": value, "value_year": value_year, "source": source,
                "target_year": spec.year if spec.year is not None else plan.period_end,
                "op": spec.op,
                "target": result.target_value if result.target_value is not None else spec.value,
                "target_low": spec.low,
                "target_high": spec.high, "target_text": spec.text,
                "milestone_year": result.milestone.year if result.milestone else None,
                "milestone_value": result.milestone.value if result.milestone else None,
                "status": result.status, "reason": reason, "gap": result.gap,
                "required_per_year": result.required_per_year,
                "observed_per_year": result.observed_per_year,
                "aspirational": spec.aspirational, "quote": target.quote,
            })

    def group(row: dict[str, Any]) -> int:
        if row["status"] in FAILURES:
            return 0 if row["nature"] == "约束性" else 1
        return 2

    rows.sort(key=lambda r: (group(r), r["_index"]))
    frame = pd.DataFrame(rows, columns=["_index", *COLUMNS]).drop(columns="_index")
    frame.attrs["year"] = year
    return frame.reset_index(drop=True)


# --- output ----------------------------------------------------------------------------------


def evaluation_to_json(results: pd.DataFrame, *, plan: Plan, project: str | None,
                       year: int, synthetic: bool) -> dict[str, Any]:
    """Return the evaluation as the stable JSON document of the module docstring."""
    records = [{col: json_value(row[col]) for col in COLUMNS}
               for row in results.to_dict(orient="records")]
    return {"plan": plan.id, "project": project, "year": int(year), "synthetic": synthetic,
            "results": records}


def status_counts(results: pd.DataFrame) -> dict[str, int]:
    """Return the number of rows per status, in `STATUSES` order (zeros included)."""
    counts = results["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def evaluation_to_xlsx(results: pd.DataFrame, path: str | Path, *, plan: Plan,
                       year: int) -> Path:
    """Write the evaluation to an Excel workbook with Chinese headers; return the path.

    Sheet 评估结果 holds one row per result (status in Chinese); sheet 汇总 the counts
    per status.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {MET: "C6EFCE", ON_TRACK: "DDEBF7", AT_RISK: "FFEB9C", OFF_TRACK: "FFC7CE",
             NOT_EVALUABLE: "EDEDED"}
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "评估结果"
    ws.append([COLUMNS_ZH[c] for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    status_col = COLUMNS.index("status") + 1
    for row in results.to_dict(orient="records"):
        values = [json_value(row[c]) for c in COLUMNS]
        values[status_col - 1] = STATUS_ZH.get(str(row["status"]), row["status"])
        ws.append(values)
        fill = fills.get(str(row["status"]))
        if fill:
            ws.cell(ws.max_row, status_col).fill = PatternFill("solid", fgColor=fill)
    summary = wb.create_sheet("汇总")
    summary.append(["规划", plan.title])
    summary.append(["评估年份", year])
    summary.append(["评估结论", "指标数"])
    for status, n in status_counts(results).items():
        summary.append([STATUS_ZH[status], n])
    return save_workbook(wb, path)

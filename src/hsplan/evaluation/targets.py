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
- **not evaluable** (无法评估) — no value up to the evaluation year, no indicator id, a text
  target (``op: text``), or a target whose value cannot be known (``up``/``down``/``keep``
  without a baseline or a trend, ``relative_pct`` without a baseline value).
- **not applicable** (不适用) — a township's value of a county target, shown for reference
  at ``level="township"`` and never compared with the target.

Values are compared at the target's published precision (3.5551 meets ≥ 3.56; see
`published_decimals`). ``down`` (持续稳中有降) at a baseline of 0 is met by staying at 0.

Level (`target_scope`): a target is judged where the plan puts it — the county unless the
plan scopes it per township or street ("以街道为单位…", ``level: township``), in which case
every township must meet it.

Progress (`progress`), beside the trend-based status: 完成进度 = (现状 − 基期)/(目标 − 基期),
时间进度 = elapsed share of base year → target year, and the grade 提前完成 / 快于预期 /
符合预期 / 滞后于预期 (已完成 / 未完成 at the target year). Targets repeating an earlier one
(same indicator, area, condition and year) carry ``duplicate_of`` and are counted once.

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
other off-track and at-risk targets, then the rest, each group in plan order (a target's
township rows follow its own row). `status_counts_by_nature` gives the counts with 约束性
first.

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
                  "observed_per_year": 0.05, "completion_pct": 133.3, "time_pct": 60.0,
                  "grade": "提前完成", "scope": "county", "duplicate_of": null,
                  "aspirational": false, "quote": …}, …]}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hsplan._files import save_workbook
from hsplan._i18n import _
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
NOT_APPLICABLE = "not applicable"
STATUSES = (MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_EVALUABLE, NOT_APPLICABLE)
FAILURES = (OFF_TRACK, AT_RISK)
STATUS_ZH = {MET: "已达标", ON_TRACK: "进度正常", AT_RISK: "进度滞后", OFF_TRACK: "偏离目标",
             NOT_EVALUABLE: "无法评估", NOT_APPLICABLE: "不适用"}
APPROX_TOLERANCE = 0.05
LEVELS = ("county", "township")
NATURE_ORDER = ("约束性", "预期性", "指导性", "")

# progress grades (进度评价), see `progress`
AHEAD_DONE = "提前完成"
FASTER = "快于预期"
AS_EXPECTED = "符合预期"
BEHIND = "滞后于预期"
DONE = "已完成"
NOT_DONE = "未完成"
GRADES = (AHEAD_DONE, FASTER, AS_EXPECTED, BEHIND, DONE, NOT_DONE)
FASTER_MARGIN_PP = 10.0

COLUMNS = [
    "target_id", "indicator", "name", "category", "nature", "area_code", "area_name", "unit",
    "baseline_year", "baseline_value", "value", "value_year", "source", "target_year", "op",
    "target", "target_low", "target_high", "target_text", "milestone_year", "milestone_value",
    "status", "reason", "gap", "required_per_year", "observed_per_year",
    "completion_pct", "time_pct", "grade", "scope", "duplicate_of", "baseline_source",
    "aspirational", "quote",
]
COLUMNS_ZH = {
    "target_id": "指标编号", "indicator": "指标编码", "name": "指标名称", "category": "类别",
    "nature": "指标属性", "area_code": "区划代码", "area_name": "区划名称", "unit": "单位",
    "baseline_year": "基期年份", "baseline_value": "基期值", "value": "现状值",
    "value_year": "现状年份", "source": "数据来源", "target_year": "目标年份",
    "op": "目标条件", "target": "目标值", "target_low": "目标下限", "target_high": "目标上限",
    "target_text": "目标描述", "milestone_year": "节点年份", "milestone_value": "节点目标值",
    "status": "评估结论", "reason": "说明", "gap": "差距", "required_per_year": "所需年均变化",
    "observed_per_year": "实际年均变化", "completion_pct": "完成进度(%)",
    "time_pct": "时间进度(%)", "grade": "进度评价", "scope": "评估层级",
    "duplicate_of": "同一指标(已计入)", "baseline_source": "基期值来源",
    "aspirational": "力争", "quote": "规划原文",
}


# --- the status of one target ----------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The verdict on one target for one area: status, reason and the numbers behind it.

    `target_value` is the target's value at its target year in the indicator's unit
    (None for ``range``, text, and ``up``/``down`` without a baseline); `gap`,
    `required_per_year` and `observed_per_year` as in the module docstring; `reached`
    says whether the value meets the final target (not only this year's milestone), None
    when there is no value or no final condition.
    """

    status: str
    reason: str
    target_value: float | None = None
    gap: float | None = None
    required_per_year: float | None = None
    observed_per_year: float | None = None
    milestone: Milestone | None = None
    reached: bool | None = None


def published_decimals(value: float | None) -> int | None:
    """Return the number of decimals `value` is published with (3.56 → 2, 95 → 0).

    The shortest decimal form of the float as the plan gives it; a trailing ``.0`` counts
    as none (YAML reads ``95`` and ``95.0`` alike). None for no value.
    """
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    text = repr(float(value))
    if "e" in text or "E" in text:
        exponent = Decimal(text).as_tuple().exponent
        return max(0, -int(exponent)) if isinstance(exponent, int) else None
    if text.endswith(".0"):
        return 0
    return len(text.split(".", 1)[1]) if "." in text else 0


def at_precision(x: float, decimals: int | None) -> float:
    """Return `x` rounded half up to `decimals` (as Chinese statistics round, 四舍五入);
    `x` unchanged when `decimals` is None."""
    if decimals is None or math.isnan(x) or math.isinf(x):
        return x
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))


# the decimals Chinese health statistics publish each unit with (《中国卫生健康统计年鉴》:
# per-1,000 and per-10,000 resource ratios with 2, shares and rates with 1 or 2 — 2 here so
# that 94.96 % is not read as 95.0 % —, life expectancy with 2, ‰ and 1/10万 rates with 1 or
# 2, days with 1)
UNIT_DECIMALS = {
    "张/千人": 2, "人/千人": 2, "人/万人": 2, "辆/万人": 2, "个/千人": 2, "张/10万人": 2,
    "人/10万人": 2, "台/百万人": 2, "1:x": 2, "%": 2, "％": 2, "‰": 2, "1/10万": 2, "岁": 2,
    "日": 1, "天": 1,
}


DEFAULT_DECIMALS = 2


def unit_decimals(unit: str | None) -> int:
    """Return the decimals a value in `unit` is published with (`DEFAULT_DECIMALS` for a
    unit not in `UNIT_DECIMALS`)."""
    return UNIT_DECIMALS.get(unit or "", DEFAULT_DECIMALS)


@dataclass(frozen=True)
class _Condition:
    op: str  # one of >=, <=, <, >, =, approx, range
    value: float | None = None
    low: float | None = None
    high: float | None = None
    min_decimals: int | None = None  # the unit's published precision (`UNIT_DECIMALS`)

    @property
    def decimals(self) -> int | None:
        """The precision the value is compared at: the target's published decimals, never
        fewer than its unit's (6.753 is 6.75, not 7, against a published "7"); None for
        strict < and >, and approx (the unrounded value)."""
        if self.op in (">=", "<=", "="):
            found = [published_decimals(self.value)]
        elif self.op == "range":
            found = [published_decimals(self.low), published_decimals(self.high)]
        else:
            return None
        known = [d for d in (*found, self.min_decimals) if d is not None]
        return max(known) if known else None

    def holds(self, x: float) -> bool:
        x = at_precision(x, self.decimals)
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
        """Target − x (range: to the nearest bound, 0 inside); 0 when x meets the target
        at its published precision."""
        raw = self._raw_gap(x)
        if self.op not in (">=", "<=", "=", "range") or not self.holds(x):
            return raw
        if self.op == ">=":
            return min(0.0, raw)   # a surplus stays negative; a rounding shortfall is 0
        if self.op == "<=":
            return max(0.0, raw)
        return 0.0

    def _raw_gap(self, x: float) -> float:
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
           baseline_value: float | None = None, default_year: int | None = None,
           decimals: int | None = 2) -> Assessment:
    """Return the `Assessment` of `target` for a current `value` at evaluation `year`.

    `series` maps years to the indicator's values (for the trend; years after `year` are
    ignored); `direction` is the catalog's ``up``/``down``/``none``; `baseline_value`
    replaces a baseline the plan leaves empty (the region's own baseline-year value);
    `default_year` is the target year when the target gives none (the plan's end);
    `decimals` the precision the indicator's unit is published with (`unit_decimals`,
    2 by default): values are compared at the target's published decimals, never fewer
    than these.
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
        final = _Condition("range", low=spec.low, high=spec.high, min_decimals=decimals)
    elif spec.op in ("up", "down"):
        final = _Condition(_up_down_op(spec.op, base_value, unit=target.unit), base_value,
                           min_decimals=decimals) \
            if base_value is not None else None
        if final is None and slope is None:
            return Assessment(NOT_EVALUABLE, f"op {spec.op} needs a baseline value or two "
                                             "years of data", observed_per_year=slope)
        if final is None:
            assert slope is not None
            rising = slope > 0 if spec.op == "up" else slope < 0
            if spec.op == "down" and slope == 0 and value <= 0:
                return Assessment(MET, f"{_fmt(value)} held at 0 (持续稳中有降 at the floor; "
                                  "no baseline value)", observed_per_year=slope, reached=True)
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
        final = _Condition(_comparison_op("keep", direction), kept, min_decimals=decimals)
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
        final = _Condition(spec.op, t_value, min_decimals=decimals)

    # the condition now
    now = final
    label = f"target {final.text()} by {target_year}"
    if milestone is not None:
        now = _Condition(_comparison_op(milestone.op or spec.op, direction), milestone.value,
                         min_decimals=decimals)
        label = f"{year} milestone {now.text()}"
    elif spec.per_year is not None and target_year is not None and year < target_year:
        base_t = target if plan_base and plan_base.value is not None \
            else _with_baseline(target, base_value)
        now_value = resolved_target_value(base_t, year=year)
        if now_value is not None:
            now = _Condition(spec.op, now_value, min_decimals=decimals)
            label = f"{year} trajectory {now.text()}"

    target_value = final.value if final.op != "range" else None
    gap = final.gap(value)
    reached = final.holds(value)
    if now.holds(value):
        return Assessment(MET, f"{_fmt(value)} meets the {label}", target_value, gap, None,
                          slope, milestone, reached)
    if target_year is None or target_year <= year:
        return Assessment(OFF_TRACK, f"{_fmt(value)} misses the {label}; the target year has "
                          "come", target_value, gap, None, slope, milestone, reached)
    years_left = target_year - year
    required = gap / years_left
    if slope is None:
        return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; one year of data, "
                          "no trend", target_value, gap, required, None, milestone, reached)
    projected = value + slope * years_left
    toward = slope * gap > 0
    if final.holds(projected):
        if milestone is not None:
            return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; the trend "
                              f"({slope:+.4g}/year) would reach the target by {target_year}",
                              target_value, gap, required, slope, milestone, reached)
        return Assessment(ON_TRACK, f"{_fmt(value)} not yet at the {label}; the trend "
                          f"({slope:+.4g}/year) reaches it", target_value, gap, required, slope,
                          milestone, reached)
    if toward and final.gap(projected) * gap < 0:
        return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; the trend "
                          f"({slope:+.4g}/year) overshoots it", target_value, gap, required,
                          slope, milestone, reached)
    if toward:
        return Assessment(AT_RISK, f"{_fmt(value)} misses the {label}; the trend "
                          f"({slope:+.4g}/year) is too slow, {required:+.4g}/year needed",
                          target_value, gap, required, slope, milestone, reached)
    return Assessment(OFF_TRACK, f"{_fmt(value)} misses the {label}; the trend "
                      f"({slope:+.4g}/year) does not move toward it", target_value, gap,
                      required, slope, milestone, reached)


def _up_down_op(op: str, base_value: float | None, *, unit: str | None) -> str:
    """The comparison an ``up``/``down`` target makes with its baseline.

    Strictly above (up) or below (down) the baseline — except at a floor or a ceiling,
    where holding the value is all that can be asked: 持续稳中有降 at a baseline of 0 is met
    by staying at 0, 逐步提高 of a share already at 100 % by staying at 100 %.
    """
    if op == "down":
        return "<=" if base_value is not None and base_value <= 0 else "<"
    at_ceiling = base_value is not None and unit in ("%", "％") and base_value >= 100
    return ">=" if at_ceiling else ">"


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
    department_based: bool = False


def _indicator_info(catalog: Catalog, indicator: str) -> _IndicatorInfo:
    try:
        entry = catalog.get(indicator)
    except HsplanError:
        return _IndicatorInfo()
    return _IndicatorInfo(direction=entry.direction or "none", unit=entry.unit,
                          kind=entry.kind, levels=tuple(entry.levels or ("county",)),
                          known=True, department_based=_department_based(entry))


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
        # departments and grades come from the facts table year by year; where a year has
        # no record (the facility table's 科室设置/等级 only describe the latest year) the
        # value of that year is missing (无历史数据), so it gives no baseline and no trend
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


def _department_based(entry: Any) -> bool:
    """True when an indicator counts facilities by their departments (科室)."""
    f = entry.formula
    return f is not None and any(t.kind == "count_with_department"
                                 for t in (f.numerator, f.denominator))


def _default_area(region: Region, plan: Plan) -> tuple[str, str]:
    areas = region.areas
    county = areas[areas["level"] == "county"]
    if len(county):
        return str(county["code"].iloc[0]), str(county["name"].iloc[0])
    code = region.meta.get("county_code") or plan.region_code or ""
    return str(code), str(region.meta.get("name") or plan.region_name)


_PER_TOWNSHIP = re.compile(r"以(街道|乡镇|乡\(镇\)|乡（镇）|镇|社区)为单位|每个(街道|乡镇|镇)")
SCOPE_ZH = {"county": "全县(区)", "township": "每个乡镇(街道)"}


def target_scope(target: Target) -> str:
    """Return the level a target is judged at: ``township`` when the plan scopes it per
    township or street, else ``county``.

    The plan's ``level`` field when given; otherwise the document's words: "以街道为单位",
    "以乡镇为单位", "每个街道" … in the target's name or quote mean every township (street)
    must meet the target on its own. Everything else is a target for the whole county.
    """
    given = getattr(target, "level", None)
    if given in ("county", "township"):
        return str(given)
    text = f"{target.name} {target.quote}"
    return "township" if _PER_TOWNSHIP.search(text) else "county"


@dataclass(frozen=True)
class Progress:
    """完成进度, 时间进度 (percent) and the grade of one target; None where undefined."""

    completion_pct: float | None = None
    time_pct: float | None = None
    grade: str | None = None


def progress(target: Target, assessment: Assessment, *, value: float | None,
             base_value: float | None, base_year: int | None, target_year: int | None,
             year: int) -> Progress:
    """Return the progress of a target as Chinese mid-term evaluations measure it (percent).

    Notes
    -----
    完成进度 = (现状值 − 基期值) / (目标值 − 基期值) × 100, for targets with a numeric target
    and a baseline that does not already meet it; 时间进度 (序时进度) = (评估年 − 基期年) /
    (目标年 − 基期年) × 100, clipped to 0–100 (year-end data: 2023 in a 2021–2025 plan with
    base year 2020 is 3/5 = 60 %).

    The grade (进度评价) follows the wording of the national mid-term evaluations of the
    five-year plans (《“十三五”规划纲要实施中期评估报告》, 2018; the 十四五 mid-term
    evaluation, 2023), which compare 完成进度 with 时间进度:

    - 提前完成 — the final target is already met before the target year;
    - 快于预期 — 完成进度 ≥ 时间进度 + `FASTER_MARGIN_PP` (10 percentage points);
    - 符合预期 — 时间进度 ≤ 完成进度 < 时间进度 + 10 (keeping pace, 序时进度);
    - 滞后于预期 — 完成进度 < 时间进度;
    - 已完成 / 未完成 — at or after the target year (the final evaluation's words).

    Both shares are compared at one decimal. ``up``/``down``/``keep`` targets have no
    完成进度: they are 符合预期 when met now, else 滞后于预期. No grade without a value, or for a
    numeric target without a baseline that is not yet met.
    """
    time_pct = None
    if base_year is not None and target_year is not None and target_year > base_year:
        share = (year - base_year) / (target_year - base_year) * 100
        time_pct = min(100.0, max(0.0, share))
    if value is None or assessment.status in (NOT_EVALUABLE, NOT_APPLICABLE):
        return Progress(None, time_pct, None)
    spec = target.target
    completion = None
    t_value = assessment.target_value
    numeric = spec.op in COMPARISON_OPS
    if numeric and t_value is not None and base_value is not None and t_value != base_value:
        base_meets = _Condition(spec.op, t_value, min_decimals=2).holds(base_value)
        if not base_meets:
            completion = (value - base_value) / (t_value - base_value) * 100
    if target_year is not None and year >= target_year:
        if assessment.reached is None:
            return Progress(completion, time_pct, None)
        return Progress(completion, time_pct, DONE if assessment.reached else NOT_DONE)
    if not numeric and spec.op != "range":
        grade = AS_EXPECTED if assessment.status == MET else BEHIND
        return Progress(completion, time_pct, grade)
    if assessment.reached:
        return Progress(completion, time_pct, AHEAD_DONE)
    if completion is None or time_pct is None:
        return Progress(completion, time_pct, None)
    c, t = round(completion, 1), round(time_pct, 1)
    if c >= t + FASTER_MARGIN_PP:
        grade = FASTER
    elif c >= t:
        grade = AS_EXPECTED
    else:
        grade = BEHIND
    return Progress(completion, time_pct, grade)


_SEVERITY = {OFF_TRACK: 0, NOT_EVALUABLE: 1, AT_RISK: 2, ON_TRACK: 3, MET: 4}


def evaluate(region: Region, plan: Plan, *, year: int | None = None,
             level: str = "county") -> pd.DataFrame:
    """Return one row per target (per area where the level asks), with its status, in `COLUMNS`.

    `year` defaults to the latest year with data in the region. Each target is judged at
    its own scope (`target_scope`): a county target on the county's value; a target the
    plan scopes per township or street ("以街道为单位…") on every township's value — at
    ``level="county"`` as one row for the county that is met only when every township
    meets it (the worst township's value shown), at ``level="township"`` as one row per
    township. At ``level="township"`` a county target whose indicator is meaningful per
    township (catalog ``levels``) also gets one row per township with status
    ``not applicable`` (不适用) and the township's value for reference. Values are in the
    indicator's catalog unit; the status rules are in the module docstring.

    Extra columns: ``completion_pct`` (完成进度, %), ``time_pct`` (时间进度, %), ``grade``
    (进度评价: 提前完成/快于预期/符合预期/滞后于预期/已完成/未完成, see `progress`), ``scope``
    (``county`` or ``township``: the level the target is judged at) and ``duplicate_of``
    (the id of an earlier target with the same indicator and condition — 表2 repeating 表1,
    a prose sentence repeating the table; such rows keep their own quote and are not counted
    again by `status_counts`) and ``baseline_source`` (``plan``: the document's figure,
    ``region``: derived from the region's own data for the baseline year, empty: none).
    Department-based indicators (科室: 发热诊室, 感染性疾病科, 中医馆 …) and those filtered by
    grade read the facts table (事项 科室/等级, a fact holds from its year on); the facility
    table's 科室设置 and 医院等级 describe the latest data year only, so a year without facts
    has no value (无历史数据): no baseline (— with the reason) and no trend from it.
    """
    if level not in LEVELS:
        raise HsplanError(_("level {level}: expected one of {names}. Fix: use --level county "
                            "or --level township.").format(level=repr(level),
                                                           names=", ".join(LEVELS)))
    years = region.years
    if year is None:
        year = years[-1] if years else plan.period_end
    years_upto = [y for y in years if y <= year]
    catalog = load_catalog()
    prepared = _PreparedLevels(region)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], str] = {}
    for index, target in enumerate(plan.targets):
        target_rows = _rows_of_target(region, plan, target, index, level=level, year=year,
                                      years=years_upto, catalog=catalog, prepared=prepared)
        group = min(_group(r) for r in target_rows)
        for row in target_rows:
            row["_group"] = group
            key = _duplicate_key(target, row)
            if key is not None:
                first = seen.setdefault(key, target.id)
                if first != target.id:
                    row["duplicate_of"] = first
        rows += target_rows

    rows.sort(key=lambda r: (r["_group"], r["_index"], r["_sub"]))
    frame = pd.DataFrame(rows, columns=["_index", *COLUMNS]).drop(columns="_index")
    frame.attrs["year"] = year
    return frame.reset_index(drop=True)


def _rows_of_target(region: Region, plan: Plan, target: Target, index: int, *, level: str,
                    year: int, years: list[int], catalog: Catalog,
                    prepared: _PreparedLevels) -> list[dict[str, Any]]:
    """The rows of one target at `level` (see `evaluate`)."""
    info = _indicator_info(catalog, target.indicator) if target.indicator else _IndicatorInfo()
    scope = target_scope(target)
    evaluable = target.indicator is not None and target.target.op != "text"

    def series_at(lvl: str) -> _Series:
        if not evaluable or target.indicator is None:
            return {}, {}, {}
        return _series(region, target.indicator, level=lvl, years=years, catalog=catalog,
                       info=info, prepared=prepared)

    def judged(series: _Series, lvl: str) -> list[dict[str, Any]]:
        values, names, missing = series
        if not names and lvl == "county":
            code, name = _default_area(region, plan)
            names = {code: name}
        return [_row(target, plan, info, index, code, name, values.get(code, {}),
                     missing.get(code) or missing.get(""), year=year, scope=scope)
                for code, name in names.items()]

    if scope == "township":
        towns = series_at("township")
        town_rows = judged(towns, "township") if towns[1] else []
        if level == "township" and town_rows:
            return town_rows
        return [_per_township_county_row(target, plan, info, index, town_rows, towns[2],
                                         region=region, year=year)]
    rows = judged(series_at("county"), "county")
    if level == "township" and "township" in info.levels and evaluable:
        for row in judged(series_at("township"), "township"):
            row.update(_not_applicable(row, target))
            rows.append(row)
    return rows


def _group(row: dict[str, Any]) -> int:
    if row["status"] in FAILURES:
        return 0 if row["nature"] == "约束性" else 1
    return 2


def _duplicate_key(target: Target, row: dict[str, Any]) -> tuple[Any, ...] | None:
    """What makes two targets the same target: indicator, area, condition and year."""
    if target.indicator is None or target.target.op == "text" or \
            row["status"] == NOT_APPLICABLE:
        return None
    spec = target.target
    return (target.indicator, row["area_code"], spec.op, _key_number(row["target"]),
            _key_number(spec.low), _key_number(spec.high), row["target_year"])


def _key_number(x: Any) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), 9)


def _row(target: Target, plan: Plan, info: _IndicatorInfo, index: int, code: str, name: str,
         points: dict[int, float], why: str | None, *, year: int, scope: str
         ) -> dict[str, Any]:
    """One evaluated row of `target` for area `code` (values by year in `points`)."""
    value_year = max(points) if points else None
    value = points[value_year] if value_year is not None else None
    base_year = target.baseline.year if target.baseline else plan.baseline_year
    region_base = points.get(base_year) if base_year is not None else None
    result = assess(target, value=value, year=year, series=points,
                    direction=info.direction, baseline_value=region_base,
                    default_year=plan.period_end,
                    decimals=unit_decimals(info.unit or target.unit))
    reason = result.reason
    if value is None:
        source = "no data"
        if why and result.status == NOT_EVALUABLE and target.target.op != "text":
            reason = f"{reason}: {why}"
    else:
        source = "computed" if info.kind == "computed" else "reported"
        if info.department_based and region_base is None and not (
                target.baseline and target.baseline.value is not None):
            reason += (f"；基期({base_year}年)值无法由数据得出：该年无科室设置记录（机构表的科室"
                       "设置只代表最新年份；逐年变化请在 机构建设进展 表填写 事项=科室）")
        if info.department_based and len(points) < 2:
            reason += "；无历史数据，趋势无法评估"
    base = target.baseline
    spec = target.target
    base_value = base.value if base and base.value is not None else region_base
    target_year = spec.year if spec.year is not None else plan.period_end
    start_year = base_year if base_year is not None else plan.period_start - 1
    prog = progress(target, result, value=value, base_value=base_value,
                    base_year=start_year, target_year=target_year, year=year)
    return {
        "_index": index, "_sub": 0,
        "target_id": target.id, "indicator": target.indicator, "name": target.name,
        "category": target.category, "nature": target.nature, "area_code": code,
        "area_name": name, "unit": info.unit or target.unit,
        "baseline_year": base.year if base else None,
        "baseline_value": base_value,
        "value": value, "value_year": value_year, "source": source,
        "target_year": target_year, "op": spec.op,
        "target": result.target_value if result.target_value is not None else spec.value,
        "target_low": spec.low, "target_high": spec.high, "target_text": spec.text,
        "milestone_year": result.milestone.year if result.milestone else None,
        "milestone_value": result.milestone.value if result.milestone else None,
        "status": result.status, "reason": reason, "gap": result.gap,
        "required_per_year": result.required_per_year,
        "observed_per_year": result.observed_per_year,
        "completion_pct": prog.completion_pct, "time_pct": prog.time_pct,
        "grade": prog.grade, "scope": scope, "duplicate_of": None,
        "baseline_source": "plan" if base and base.value is not None
        else "region" if region_base is not None else None,
        "aspirational": spec.aspirational, "quote": target.quote,
    }


def _not_applicable(row: dict[str, Any], target: Target) -> dict[str, Any]:
    """The changes that make an informative township row of a county target 不适用."""
    return {
        "_sub": 1, "status": NOT_APPLICABLE,
        "reason": f"不适用：{target.id} 是全县(区)目标，按全县(区)数值评估；"
                  "本乡镇(街道)数值仅供参考，不与目标比较",
        "gap": None, "required_per_year": None, "completion_pct": None, "grade": None,
    }


def _per_township_county_row(target: Target, plan: Plan, info: _IndicatorInfo, index: int,
                             town_rows: list[dict[str, Any]], missing: dict[str, str], *,
                             region: Region, year: int) -> dict[str, Any]:
    """The county row of a per-township target: met only when every township meets it."""
    code, name = _default_area(region, plan)
    base = _row(target, plan, info, index, code, name, {}, None, year=year, scope="township")
    base.update({"completion_pct": None, "grade": None, "gap": None,
                 "observed_per_year": None})
    if not town_rows:
        why = missing.get("") or "; ".join(sorted(set(missing.values())))
        base.update({"status": NOT_EVALUABLE, "source": "no data", "reason": (
            f"无法评估：目标以乡镇(街道)为单位，须逐个乡镇(街道)评估，缺少各乡镇(街道)的"
            f"{target.name}数值" + (f"（{why}）" if why else "")
            + "。请在 reported 表按乡镇(街道)区划代码录入")})
        return base
    lacking = [r for r in town_rows if r["value"] is None]
    if lacking:
        base.update({"status": NOT_EVALUABLE, "source": "no data", "reason": (
            f"无法评估：目标要求每个乡镇(街道)达到，{len(lacking)}/{len(town_rows)} 个缺少数值"
            f"（{'、'.join(str(r['area_name']) for r in lacking[:5])}"
            f"{' 等' if len(lacking) > 5 else ''}）。请在 reported 表补录")})
        return base
    worst = min(town_rows, key=lambda r: (_SEVERITY.get(str(r["status"]), 5),
                                          -(r["gap"] or 0.0) if _up(info, target)
                                          else (r["gap"] or 0.0)))
    n_met = sum(r["status"] == MET for r in town_rows)
    base.update({k: worst[k] for k in ("value", "value_year", "source", "status", "gap",
                                       "required_per_year", "observed_per_year",
                                       "completion_pct", "grade", "baseline_value")})
    base["reason"] = (f"每个乡镇(街道)须达到：{n_met}/{len(town_rows)} 个已达标；"
                      f"最差为{worst['area_name']}（{worst['reason']}）")
    return base


def _up(info: _IndicatorInfo, target: Target) -> bool:
    return target.target.op in (">=", ">", "up") or info.direction == "up"


# --- output ----------------------------------------------------------------------------------


def evaluation_to_json(results: pd.DataFrame, *, plan: Plan, project: str | None,
                       year: int, synthetic: bool) -> dict[str, Any]:
    """Return the evaluation as the stable JSON document of the module docstring."""
    records = [{col: json_value(row[col]) for col in COLUMNS}
               for row in results.to_dict(orient="records")]
    return {"plan": plan.id, "project": project, "year": int(year), "synthetic": synthetic,
            "results": records}


def status_counts(results: pd.DataFrame) -> dict[str, int]:
    """Return the number of rows per status, in `STATUSES` order (zeros included).

    A row repeating an earlier target (``duplicate_of`` set: 表2 repeating 表1, prose
    repeating the table) is not counted again.
    """
    counted = results
    if "duplicate_of" in results.columns:
        counted = results[results["duplicate_of"].isna()]
    counts = counted["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def status_counts_by_nature(results: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Return `status_counts` per target nature, 约束性 first (then 预期性, 指导性, 未标注).

    Natures with no row are left out; rows without a nature count under ``未标注``.
    """
    nature = results["nature"].fillna("").astype(str) if len(results) else \
        pd.Series([], dtype=str)
    out: dict[str, dict[str, int]] = {}
    known = [n for n in NATURE_ORDER if n]
    for label in (*known, ""):
        part = results[nature == label] if label else results[~nature.isin(known)]
        if len(part):
            out[label or "未标注"] = status_counts(part)
    return out


def evaluation_to_xlsx(results: pd.DataFrame, path: str | Path, *, plan: Plan,
                       year: int) -> Path:
    """Write the evaluation to an Excel workbook with Chinese headers; return the path.

    Sheet 评估结果 holds one row per result (status in Chinese); sheet 汇总 the counts
    per status, then per target nature (约束性 first).
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
    summary.append([])
    summary.append(["指标属性", *(STATUS_ZH[s] for s in STATUSES)])
    for nature, counts in status_counts_by_nature(results).items():
        summary.append([nature, *counts.values()])
    summary.append([])
    summary.append(["说明", "同一指标重复出现（如表2重复表1、正文重复表格）只计一次；"
                    "完成进度 =（现状值 − 基期值）/（目标值 − 基期值），"
                    "时间进度 = 已过年数/规划年数"])
    return save_workbook(wb, path)

"""The status of one target: the status and grade words, `assess` (met, on track, at risk,
off track, not evaluable, not applicable; gap and required pace) at the precision the plan
publishes, and `progress` (完成进度, 时间进度, the grade). `hsplan.evaluation.targets`
applies them to every target of a plan; the names are re-exported there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from hsplan._i18n import _
from hsplan.plans.plan import COMPARISON_OPS, Milestone, Target, resolved_target_value

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

# progress grades (进度评价), see `progress`
AHEAD_DONE = "提前完成"
FASTER = "快于预期"
AS_EXPECTED = "符合预期"
BEHIND = "滞后于预期"
DONE = "已完成"
NOT_DONE = "未完成"
GRADES = (AHEAD_DONE, FASTER, AS_EXPECTED, BEHIND, DONE, NOT_DONE)
FASTER_MARGIN_PP = 10.0


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
        return Assessment(NOT_EVALUABLE, _("text target: {text}").format(text=spec.text))
    if target.indicator is None:
        return Assessment(NOT_EVALUABLE, _("no catalog indicator for this target"))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Assessment(NOT_EVALUABLE, _("no value of {indicator} up to {year}").format(
            indicator=target.indicator, year=year))

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
            return Assessment(NOT_EVALUABLE, _("op {op} needs a baseline value or two years "
                                               "of data").format(op=spec.op),
                              observed_per_year=slope)
        if final is None:
            assert slope is not None
            rising = slope > 0 if spec.op == "up" else slope < 0
            if spec.op == "down" and slope == 0 and value <= 0:
                return Assessment(MET, _("{value} held at 0 (a steady decline at the floor; "
                                         "no baseline value)").format(value=_fmt(value)),
                                  observed_per_year=slope, reached=True)
            if rising:
                return Assessment(MET, _("trend {slope}/year (no baseline value)").format(
                    slope=f"{slope:+.4g}"), observed_per_year=slope)
            return Assessment(OFF_TRACK, _("trend {slope}/year goes the wrong way (no baseline "
                                           "value)").format(slope=f"{slope:+.4g}"),
                              observed_per_year=slope)
    elif spec.op == "keep":
        kept = spec.value if spec.value is not None else base_value
        if kept is None:
            return Assessment(NOT_EVALUABLE, _("op keep needs a value or a baseline value"),
                              observed_per_year=slope)
        final = _Condition(_comparison_op("keep", direction), kept, min_decimals=decimals)
    else:
        if spec.relative_pct is not None or spec.per_year is not None:
            base_target = target
            if plan_base is None or plan_base.value is None:
                if base_value is None:
                    return Assessment(NOT_EVALUABLE, _(
                        "relative target needs a baseline value (the plan gives none and the "
                        "region has no value in the baseline year)"), observed_per_year=slope)
                base_target = _with_baseline(target, base_value)
            t_value = resolved_target_value(base_target, year=target_year)
        else:
            t_value = spec.value
        if t_value is None:
            return Assessment(NOT_EVALUABLE, _("the target year is unknown"),
                              observed_per_year=slope)
        final = _Condition(spec.op, t_value, min_decimals=decimals)

    # the condition now
    now = final
    label = _("target {condition} by {year}").format(condition=final.text(), year=target_year)
    if milestone is not None:
        now = _Condition(_comparison_op(milestone.op or spec.op, direction), milestone.value,
                         min_decimals=decimals)
        label = _("{year} milestone {condition}").format(year=year, condition=now.text())
    elif spec.per_year is not None and target_year is not None and year < target_year:
        base_t = target if plan_base and plan_base.value is not None \
            else _with_baseline(target, base_value)
        now_value = resolved_target_value(base_t, year=year)
        if now_value is not None:
            now = _Condition(spec.op, now_value, min_decimals=decimals)
            label = _("{year} trajectory {condition}").format(year=year,
                                                              condition=now.text())

    target_value = final.value if final.op != "range" else None
    gap = final.gap(value)
    reached = final.holds(value)
    v = _fmt(value)
    if now.holds(value):
        return Assessment(MET, _("{value} meets the {label}").format(value=v, label=label),
                          target_value, gap, None, slope, milestone, reached)
    if target_year is None or target_year <= year:
        return Assessment(OFF_TRACK, _("{value} misses the {label}; the target year has "
                                       "come").format(value=v, label=label),
                          target_value, gap, None, slope, milestone, reached)
    years_left = target_year - year
    required = gap / years_left
    if slope is None:
        return Assessment(AT_RISK, _("{value} misses the {label}; one year of data, no "
                                     "trend").format(value=v, label=label),
                          target_value, gap, required, None, milestone, reached)
    projected = value + slope * years_left
    toward = slope * gap > 0
    trend = f"{slope:+.4g}"
    if final.holds(projected):
        if milestone is not None:
            return Assessment(AT_RISK, _("{value} misses the {label}; the trend ({slope}/year) "
                                         "would reach the target by {year}").format(
                value=v, label=label, slope=trend, year=target_year),
                target_value, gap, required, slope, milestone, reached)
        return Assessment(ON_TRACK, _("{value} not yet at the {label}; the trend "
                                      "({slope}/year) reaches it").format(
            value=v, label=label, slope=trend),
            target_value, gap, required, slope, milestone, reached)
    if toward and final.gap(projected) * gap < 0:
        return Assessment(AT_RISK, _("{value} misses the {label}; the trend ({slope}/year) "
                                     "overshoots it").format(value=v, label=label, slope=trend),
                          target_value, gap, required, slope, milestone, reached)
    if toward:
        return Assessment(AT_RISK, _("{value} misses the {label}; the trend ({slope}/year) is "
                                     "too slow, {required}/year needed").format(
            value=v, label=label, slope=trend, required=f"{required:+.4g}"),
            target_value, gap, required, slope, milestone, reached)
    return Assessment(OFF_TRACK, _("{value} misses the {label}; the trend ({slope}/year) does "
                                   "not move toward it").format(value=v, label=label,
                                                                slope=trend),
                      target_value, gap, required, slope, milestone, reached)


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


# --- progress (完成进度 vs 时间进度) ------------------------------------------------------------


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

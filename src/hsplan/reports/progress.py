"""Return each evaluated target's 完成进度, 时间进度 and a Chinese explanation of its verdict.

Works on the frame of `hsplan.evaluation.targets.evaluate`. When that frame already carries
完成进度/时间进度 columns (``completion_pct``/``time_pct``) they are used; otherwise they are
computed here:

- 完成进度 (%) = (现状值 − 基期值) ÷ (目标值 − 基期值) × 100 for targets with a base value
  different from the target; 现状值 ÷ 目标值 × 100 (目标值 ÷ 现状值 for “≤” targets) without
  one; 100 for a range target whose value lies in the range.
- 时间进度 (%) = (评估年 − 基期年) ÷ (目标年 − 基期年) × 100, between 0 and 100.

`explain` writes the short form (one line in a terminal, one cell in the report table),
`explain_long` the annex form; both from the numbers only (no English reason text), in the
reader's language (Chinese; English with ``--lang en``: the Word report is written in
Chinese, see `hsplan.reports.report.write_report`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from hsplan._i18n import N_, RATIO_UNIT, _, format_number, is_missing
from hsplan.evaluation.targets import AT_RISK, MET, NOT_EVALUABLE, OFF_TRACK, ON_TRACK

OP_TEXT = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "approx": "≈"}
# a target without a number: the direction the plan asks for (提高 · 降低 · 保持)
DIRECTION_WORDS = {"up": N_("increase"), "down": N_("decrease"), "keep": N_("keep")}
COMPLETION_COLUMNS = ("completion_pct", "完成进度")
TIME_COLUMNS = ("time_pct", "时间进度")
_LESS = ("<=", "<", "down")


def _f(x: Any) -> float | None:
    if is_missing(x):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def unit_of(row: Mapping[Any, Any]) -> str:
    """Return the row's unit ('' when missing)."""
    u = row.get("unit")
    return "" if is_missing(u) else str(u)


def num(x: Any, row: Mapping[Any, Any], *, with_unit: bool = False) -> str:
    """Return a value of `row`'s indicator formatted by its unit."""
    return format_number(x, unit_of(row), with_unit=with_unit)


def delta(x: Any, unit: str, *, sign: bool = False) -> str:
    """Return a difference in `unit`: percentages as 个百分点 (``20.4 个百分点``), other
    units with the unit (``0.25 人/万人``)."""
    if unit in ("%", "‰"):
        word = _("percentage points") if unit == "%" else _("per-mille points")
        return f"{format_number(x, unit, sign=sign)} {word}"
    return format_number(x, unit, with_unit=True, sign=sign)


def target_text(row: Mapping[Any, Any], *, with_unit: bool = False) -> str:
    """Return the target as people write it: ``≥ 7.00``, ``80.0—90.0``, ``提高``, its text."""
    op = str(row.get("op"))
    if op == "text":
        return str(row.get("target_text") or "—")
    if op == "range":
        ratio = with_unit and unit_of(row) == RATIO_UNIT  # 1:1.00—1:1.20, not 1.00—1:1.20
        return (f"{num(row.get('target_low'), row, with_unit=ratio)}—"
                f"{num(row.get('target_high'), row, with_unit=with_unit)}")
    target = _f(row.get("target"))
    if target is None:
        return _(DIRECTION_WORDS[op]) if op in DIRECTION_WORDS else "—"
    words = {"up": "≥", "down": "≤", "keep": "≈"}
    return f"{OP_TEXT.get(op, words.get(op, op))} {num(target, row, with_unit=with_unit)}"


def completion_pct(row: Mapping[Any, Any]) -> float | None:
    """Return the 完成进度 of a target in % (None when it cannot be computed)."""
    for col in COMPLETION_COLUMNS:
        if col in row and _f(row[col]) is not None:
            return _f(row[col])
    value, op = _f(row.get("value")), str(row.get("op"))
    if value is None or op == "text":
        return None
    if op == "range":
        low, high = _f(row.get("target_low")), _f(row.get("target_high"))
        if low is None or high is None:
            return None
        if low <= value <= high:
            return 100.0
        edge = low if value < low else high
        return 100.0 * min(value, edge) / max(value, edge) if max(value, edge) > 0 else None
    target, base = _f(row.get("target")), _f(row.get("baseline_value"))
    if target is None:
        return 100.0 if row.get("status") == MET else None
    if base is not None and abs(target - base) > 1e-12:
        return 100.0 * (value - base) / (target - base)
    if op in _LESS:
        return 100.0 * target / value if value > 0 else 100.0
    return 100.0 * value / target if target else None


def time_pct(row: Mapping[Any, Any], year: int) -> float | None:
    """Return the 时间进度 of a target in evaluation year `year`, in % (0–100)."""
    for col in TIME_COLUMNS:
        if col in row and _f(row[col]) is not None:
            return _f(row[col])
    start, end = _f(row.get("baseline_year")), _f(row.get("target_year"))
    if start is None or end is None or end <= start:
        return None
    return max(0.0, min(100.0, 100.0 * (year - start) / (end - start)))


def with_progress(results: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return `results` with ``completion_pct`` and ``time_pct`` (in %) filled in."""
    out = results.copy()
    records = out.to_dict(orient="records")
    out["completion_pct"] = [completion_pct(r) for r in records]
    out["time_pct"] = [time_pct(r, year) for r in records]
    return out


def _gap(row: Mapping[Any, Any]) -> float | None:
    value, target = _f(row.get("value")), _f(row.get("target"))
    if value is None or target is None:
        return None
    return abs(target - value)


def _not_evaluable(row: Mapping[Any, Any]) -> str:
    op = str(row.get("op"))
    if op == "text":
        return _("qualitative target, to be judged from the work done")
    if _f(row.get("value")) is None:
        return _("no current value")
    if op in ("up", "down") and _f(row.get("baseline_value")) is None:
        return _("no baseline value nor yearly data: the direction of change is unknown")
    return _("not enough data")


def explain(row: Mapping[Any, Any], *, with_value: bool = True) -> str:
    """Return a short explanation of a target's verdict in the reader's language, citing
    its numbers (``with_value=False`` leaves out the current value, for tables that show
    it)."""
    status = str(row.get("status"))
    if status == NOT_EVALUABLE:
        return _not_evaluable(row)
    unit = unit_of(row)
    value = num(row.get("value"), row, with_unit=True)
    if status == MET:
        return _("now {value}, target met").format(value=value) if with_value \
            else _("target met")
    gap = _gap(row)
    obs, req = _f(row.get("observed_per_year")), _f(row.get("required_per_year"))
    parts = [_("now {value}").format(value=value)] if with_value else []
    if gap is not None:
        parts.append(_("gap to target {gap}").format(gap=delta(gap, unit)))
    if obs is not None and req is not None:
        parts.append(_("recent change {observed} a year, {required} a year needed").format(
            observed=delta(obs, unit, sign=True), required=delta(req, unit, sign=True)))
    elif obs is not None:
        parts.append(_("recent change {observed} a year").format(
            observed=delta(obs, unit, sign=True)))
    if status == OFF_TRACK and (obs is None or abs(obs) < 1e-12):
        parts.append(_("no improvement in recent years"))
    return _(", ").join(parts)


def explain_long(row: Mapping[Any, Any], year: int) -> str:
    """Return the annex explanation of a target: values, years, 完成进度, 时间进度, trend."""
    status = str(row.get("status"))
    unit = unit_of(row)
    bits = []
    value = _f(row.get("value"))
    if value is not None:
        vy = _f(row.get("value_year"))
        bits.append(_("current value {value}").format(value=num(value, row, with_unit=True))
                    + (_(" ({year})").format(year=int(vy)) if vy is not None else ""))
    base = _f(row.get("baseline_value"))
    if base is not None:
        by = _f(row.get("baseline_year"))
        bits.append(_("baseline value {value}").format(value=num(base, row, with_unit=True))
                    + (_(" ({year})").format(year=int(by)) if by is not None else ""))
    ty = _f(row.get("target_year"))
    bits.append(_("target {target}").format(target=target_text(row, with_unit=True))
                + (_(" ({year})").format(year=int(ty)) if ty is not None else ""))
    stop = _(". ")
    text = _(", ").join(bits) + stop
    text = text[:1].upper() + text[1:]  # English: a sentence; Chinese: unchanged
    if status == NOT_EVALUABLE:
        return (text + _not_evaluable(row) + stop).rstrip()
    done, elapsed = completion_pct(row), time_pct(row, year)
    if done is not None and elapsed is not None:
        text += _("Completion {completion}, time elapsed {elapsed}").format(
            completion=format_number(done, '%', with_unit=True),
            elapsed=format_number(elapsed, '%', with_unit=True)) + stop
    obs, req = _f(row.get("observed_per_year")), _f(row.get("required_per_year"))
    target = _f(row.get("target"))
    if obs is not None and value is not None and target is not None and ty is not None \
            and status != MET:
        vy = _f(row.get("value_year")) or year
        projected = value + obs * (ty - vy)
        text += _("At the recent change of {observed} a year, about {projected} by "
                  "{year}").format(observed=delta(obs, unit, sign=True), year=int(ty),
                                   projected=num(projected, row, with_unit=True))
        if req is not None:
            text += _("; meeting the target on time needs {required} a year").format(
                required=delta(req, unit, sign=True))
        text += stop
    verdict = {MET: _("Target met."), ON_TRACK: _("On the current trend it is met on time."),
               AT_RISK: _("On the current trend it is hardly met on time: behind schedule."),
               OFF_TRACK: _("No improvement toward the target, or the target year has passed "
                            "unmet: off track.")}
    return (text + verdict.get(status, "")).rstrip()

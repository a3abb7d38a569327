"""The rules about each facility of a kind (docs/plan-format.md "Norms"): staff or equipment
per facility (`per_facility_minimum`), a ratio within each facility (`per_facility_ratio`),
and the utilisation rules (`bed_efficiency`, `max_alos`) over the year's 病床使用率 and
平均住院日. Registered in `hsplan.evaluation.norms._rules.RULES` with the other rules;
semantics: the docstring of `hsplan.evaluation.norms`.
"""

from __future__ import annotations

import math

import pandas as pd

from hsplan.evaluation.norms._base import (
    _EPS,
    NOT_EVALUABLE,
    _ceil,
    _Context,
    _fac,
    _floor,
    _fmt,
    _list,
    _no_resources,
    _Outcome,
    _resource_unit,
    _resource_zh,
    facility_zh,
)
from hsplan.plans.plan import Norm


def _per_facility_minimum(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    if _no_resources(ctx, out):
        return out
    unit = _resource_unit(p["resource"])
    minimum = float(p["min"])
    chosen = ctx.select(p["facility"])
    missing = []
    for fid in chosen["id"]:
        v = ctx.value(str(fid), p["resource"])
        if math.isnan(v):
            out.add(None)
            missing.append(str(fid))
            continue
        out.add(v >= minimum - _EPS)
        if v < minimum - _EPS:
            out.rows.append(ctx.violation(norm, facility=str(fid), expected=f"≥ {_fmt(minimum)}",
                                          actual=_fmt(v), shortfall=_ceil(minimum - v),
                                          unit=unit))
    if missing:
        out.reasons.append(f"{_list(missing)} 缺少{ctx.year}年{_resource_zh(p['resource'])}")
    if chosen.empty:
        out.reasons.append(f"本区域没有{facility_zh(p['facility'])}")
    return out


def _per_facility_ratio(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    if _no_resources(ctx, out):
        return out
    unit = _resource_unit(p["numerator"])
    chosen = ctx.select(p["facility"])
    for fid in chosen["id"]:
        num, den = ctx.value(str(fid), p["numerator"]), ctx.value(str(fid), p["denominator"])
        if math.isnan(num) or math.isnan(den) or den <= 0:
            out.add(None)
            out.reasons.append(f"缺少{ctx.year}年{_resource_zh(p['denominator'])}："
                               f"{_fac(ctx, fid)}")
            continue
        ratio = num / den
        actual = f"{ratio:.3g}（{_fmt(num)}/{_fmt(den)}）"
        ok = True
        if "min" in p and ratio < float(p["min"]) - _EPS:
            ok = False
            out.rows.append(ctx.violation(
                norm, facility=str(fid), expected=f"≥ {_fmt(p['min'])}", actual=actual,
                shortfall=_ceil(float(p["min"]) * den) - num, unit=unit))
        if "max" in p and ratio > float(p["max"]) + _EPS:
            ok = False
            out.rows.append(ctx.violation(
                norm, facility=str(fid), expected=f"≤ {_fmt(p['max'])}", actual=actual,
                shortfall=num - _floor(float(p["max"]) * den), unit=unit, excess=True))
        out.add(ok)
    if chosen.empty:
        out.reasons.append(f"本区域没有{facility_zh(p['facility'])}")
    return out


def _stay(ctx: _Context, fid: str) -> tuple[float, float]:
    """Return (occupancy %, average stay days) of a facility in the year; NaN if unknown."""
    if fid not in ctx.util.index:
        return math.nan, math.nan
    row = ctx.util.loc[fid]
    if isinstance(row, pd.DataFrame):
        row = row.iloc[0]
    occ = row["occupancy_pct"]
    if pd.isna(occ) and not pd.isna(row["bed_days_open"]) and row["bed_days_open"] > 0 \
            and not pd.isna(row["bed_days_occupied"]):
        occ = 100.0 * row["bed_days_occupied"] / row["bed_days_open"]
    alos = row["alos_days"]
    if pd.isna(alos) and not pd.isna(row["discharges"]) and row["discharges"] > 0 \
            and not pd.isna(row["discharged_bed_days"]):
        alos = row["discharged_bed_days"] / row["discharges"]
    return (math.nan if pd.isna(occ) else float(occ)), (math.nan if pd.isna(alos) else float(alos))


def _no_utilisation(ctx: _Context, out: _Outcome) -> bool:
    if ctx.util.empty:
        out.status = NOT_EVALUABLE
        out.reasons.append(f"缺少{ctx.year}年医疗服务数据（病床使用率、出院人数等）")
        return True
    return False


def _bed_efficiency(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    if _no_utilisation(ctx, out) or _no_resources(ctx, out):
        return out
    max_occ = float(p.get("max_occupancy_pct", 75))
    min_alos = float(p.get("min_alos_days", 9))
    combine = str(p.get("combine", "and"))
    out.reasons.append(
        f"读法：使用率低于{_fmt(max_occ)}%" + ("且" if combine == "and" else "或")
        + f"平均住院日高于{_fmt(min_alos)}天即不再增加床位"
        + ("（两项同时满足，原文“、”并列；combine: or 为任一项）" if combine == "and"
           else "（任一项，combine: or）"))
    chosen = ctx.select(p.get("facility"))
    if chosen.empty:
        out.reasons.append(f"本区域没有{facility_zh(p.get('facility'))}")
    for fid in chosen["id"]:
        fid = str(fid)
        occ, alos = _stay(ctx, fid)
        if math.isnan(occ) or math.isnan(alos):
            out.add(None)
            out.reasons.append(f"缺少{ctx.year}年病床使用率或平均住院日：{_fac(ctx, fid)}")
            continue
        low, long_stay = occ < max_occ, alos > min_alos
        if not ((low and long_stay) if combine == "and" else (low or long_stay)):
            out.add(True)
            continue
        beds, before = ctx.value(fid, "beds"), ctx.value(fid, "beds", previous=True)
        if math.isnan(beds) or math.isnan(before):
            out.add(None)
            out.reasons.append(f"缺少{ctx.year - 1}、{ctx.year}年床位数：{_fac(ctx, fid)}")
            continue
        grew = beds - before
        out.add(grew <= 0)
        if grew > 0:
            out.rows.append(ctx.violation(
                norm, facility=fid, expected=f"不再增加床位（使用率 {occ:.1f}% < {_fmt(max_occ)}%，"
                f"平均住院日 {alos:.2f} 天 > {_fmt(min_alos)} 天）",
                actual=f"{_fmt(before)} → {_fmt(beds)} 张（{ctx.year - 1}–{ctx.year}）",
                shortfall=grew, unit="张床位", excess=True))
    return out


def _max_alos(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    if _no_utilisation(ctx, out):
        return out
    limit = float(p["max_alos_days"])
    chosen = ctx.select(p.get("facility"))
    if chosen.empty:
        out.reasons.append(f"本区域没有{facility_zh(p.get('facility'))}")
    for fid in chosen["id"]:
        alos = _stay(ctx, str(fid))[1]
        if math.isnan(alos):
            out.add(None)
            out.reasons.append(f"缺少{ctx.year}年平均住院日：{_fac(ctx, fid)}")
            continue
        out.add(alos <= limit + _EPS)
        if alos > limit + _EPS:
            out.rows.append(ctx.violation(norm, facility=str(fid), expected=f"≤ {_fmt(limit)} 天",
                                          actual=f"{alos:.2f} 天", shortfall=round(alos - limit, 4),
                                          unit="天", excess=True))
    return out

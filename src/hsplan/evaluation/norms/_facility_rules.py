"""The rules about each facility of a kind (docs/plan-format.md "Norms"): staff or equipment
per facility (`per_facility_minimum`), a ratio within each facility (`per_facility_ratio`),
and the utilisation rules (`bed_efficiency`, `max_alos`) over the year's 病床使用率 and
平均住院日. Registered in `hsplan.evaluation.norms._rules.RULES` with the other rules;
semantics: the docstring of `hsplan.evaluation.norms`.
"""

from __future__ import annotations

import math

import pandas as pd

from hsplan._i18n import _
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
    _resource_words,
    facility_words,
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
        out.reasons.append(_("{facilities}: no {year} {resource}").format(
            facilities=_list(missing), year=ctx.year, resource=_resource_words(p["resource"])))
    if chosen.empty:
        out.reasons.append(_("the region has no {facility}").format(
            facility=facility_words(p["facility"])))
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
            out.reasons.append(_("missing {year} {resource}: {facility}").format(
                year=ctx.year, resource=_resource_words(p["denominator"]),
                facility=_fac(ctx, fid)))
            continue
        ratio = num / den
        actual = _("{ratio} ({part}/{whole})").format(ratio=f"{ratio:.3g}", part=_fmt(num),
                                                      whole=_fmt(den))
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
        out.reasons.append(_("the region has no {facility}").format(
            facility=facility_words(p["facility"])))
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
        out.reasons.append(_("missing {year} service data (bed occupancy, discharges …)")
                           .format(year=ctx.year))
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
        (_("reading: no more beds when bed occupancy is below {occupancy}% and the average "
           "stay is above {days} days (both at once, as the quote lists them side by side; "
           "combine: or for either one)") if combine == "and" else
         _("reading: no more beds when bed occupancy is below {occupancy}% or the average "
           "stay is above {days} days (either one, combine: or)"))
        .format(occupancy=_fmt(max_occ), days=_fmt(min_alos)))
    chosen = ctx.select(p.get("facility"))
    if chosen.empty:
        out.reasons.append(_("the region has no {facility}").format(
            facility=facility_words(p.get("facility"))))
    for fid in chosen["id"]:
        fid = str(fid)
        occ, alos = _stay(ctx, fid)
        if math.isnan(occ) or math.isnan(alos):
            out.add(None)
            out.reasons.append(_("missing {year} bed occupancy or average stay: {facility}")
                               .format(year=ctx.year, facility=_fac(ctx, fid)))
            continue
        low, long_stay = occ < max_occ, alos > min_alos
        if not ((low and long_stay) if combine == "and" else (low or long_stay)):
            out.add(True)
            continue
        beds, before = ctx.value(fid, "beds"), ctx.value(fid, "beds", previous=True)
        if math.isnan(beds) or math.isnan(before):
            out.add(None)
            out.reasons.append(_("missing {previous} or {year} beds: {facility}").format(
                previous=ctx.year - 1, year=ctx.year, facility=_fac(ctx, fid)))
            continue
        grew = beds - before
        out.add(grew <= 0)
        if grew > 0:
            out.rows.append(ctx.violation(
                norm, facility=fid, expected=_(
                    "no more beds (occupancy {occupancy}% < {max}%, average stay {stay} days > "
                    "{min} days)").format(occupancy=f"{occ:.1f}", max=_fmt(max_occ),
                                          stay=f"{alos:.2f}", min=_fmt(min_alos)),
                actual=_("{before} → {after} beds ({previous}–{year})").format(
                    before=_fmt(before), after=_fmt(beds), previous=ctx.year - 1, year=ctx.year),
                shortfall=grew, unit=_("added beds"), excess=True))
    return out


def _max_alos(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    if _no_utilisation(ctx, out):
        return out
    limit = float(p["max_alos_days"])
    chosen = ctx.select(p.get("facility"))
    if chosen.empty:
        out.reasons.append(_("the region has no {facility}").format(
            facility=facility_words(p.get("facility"))))
    for fid in chosen["id"]:
        alos = _stay(ctx, str(fid))[1]
        if math.isnan(alos):
            out.add(None)
            out.reasons.append(_("missing {year} average stay: {facility}").format(
                year=ctx.year, facility=_fac(ctx, fid)))
            continue
        out.add(alos <= limit + _EPS)
        if alos > limit + _EPS:
            out.rows.append(ctx.violation(
                norm, facility=str(fid), expected=_("≤ {n} days").format(n=_fmt(limit)),
                actual=_("{n} days (stay)").format(n=f"{alos:.2f}"),
                shortfall=round(alos - limit, 4), unit=_("days"), excess=True))
    return out

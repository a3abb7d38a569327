"""One function per norm rule type (docs/plan-format.md "Norms"), registered in `RULES`: the
area and region rules here, the per-facility and utilisation rules in `_facility_rules`.

Each takes the prepared region (`_Context`) and a `Norm` and returns an `_Outcome`: how
many areas or facilities were checked, passed, failed or could not be judged, the
violation rows and the reasons. Semantics: the docstring of `hsplan.evaluation.norms`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from hsplan._i18n import N_, _
from hsplan.errors import HsplanError
from hsplan.evaluation.norms._base import (
    _COMMUNITY_MARKS,
    _EPS,
    DEPARTMENT_EQUIVALENTS,
    FAIL,
    NOT_EVALUABLE,
    PASS,
    SEAT_RADIUS_M,
    STREET_SUBTYPES,
    TOWNSHIP_CENTRES,
    _as_list,
    _ceil,
    _classified,
    _Context,
    _fac,
    _floor,
    _fmt,
    _list,
    _no_resources,
    _Outcome,
    _per_pop_words,
    _resource_unit,
    _resource_words,
    _sep,
    facility_words,
)
from hsplan.evaluation.norms._facility_rules import (
    _bed_efficiency,
    _max_alos,
    _per_facility_minimum,
    _per_facility_ratio,
)
from hsplan.plans.plan import Norm
from hsplan.plans.readings import EMS_NETWORK, mode_words

# --- descriptions ---------------------------------------------------------------------------

_LEVEL_WORDS = {"county": N_("county (district)"), "township": N_("township or street"),
                "village": N_("administrative village")}
_AREA_KIND_WORDS = {"street": N_("street (subdistrict)"), "town": N_("town or township")}


def _scoped(scope: Any, text: str) -> str:
    """Return `text` of the urban or rural part (城市…, 农村…), unchanged for all."""
    if scope == "urban":
        return _("urban areas: {text}").format(text=text)
    if scope == "rural":
        return _("rural areas: {text}").format(text=text)
    return text


def _with_facility(text: str, selector: Any) -> str:
    """Return `text` followed by the facilities it is about, in brackets."""
    if not selector:
        return text
    return _("{text} ({facility})").format(text=text, facility=facility_words(selector))


def _pop_words(scope: Any) -> str:
    if scope == "urban":
        return _("urban residents")
    if scope == "rural":
        return _("rural residents")
    return _("population")


def describe(norm: Norm) -> str:
    """Return the norm in the reader's words, e.g. ``每3万城市人口1辆救护车`` (Chinese)."""
    p = norm.params
    rule = norm.rule
    if rule == "presence":
        where = p.get("where") or {}
        kind = _AREA_KIND_WORDS.get(str(where.get("area_kind")))
        area = _(kind) if kind else _(_LEVEL_WORDS[p["area_level"]])
        if where.get("urban_rural") == "urban":
            area = _("urban {area}").format(area=area)
        elif where.get("urban_rural") == "rural":
            area = _("rural {area}").format(area=area)
        fields = {"area": area, "n": p.get("min_count", 1),
                  "facility": facility_words(p["facility"])}
        if "min_pop" in where:
            return _("at least {n} {facility} in each {area} with {pop} residents or more"
                     ).format(pop=_fmt(where["min_pop"]), **fields)
        return _("at least {n} {facility} in each {area}").format(**fields)
    if rule == "count_per_population":
        lo, hi = p.get("per_pop_min"), p.get("per_pop_max")
        band = (f"{_per_pop_words(float(lo))}—{_per_pop_words(float(hi))}" if lo and hi
                else _per_pop_words(float(lo or hi or 0)))
        return _("1 {facility} per {band} residents").format(
            band=band, facility=facility_words(p["facility"]))
    if rule == "resource_per_population":
        amount = (f"{_fmt(p['min'])}—{_fmt(p['max'])}" if "min" in p and "max" in p else
                  f"{_fmt(p.get('min', p.get('min_count', p.get('max'))))}")
        at_most = "max" in p and "min" not in p
        text = (_("at most {amount} {unit} per {per} {pop}") if at_most
                else _("{amount} {unit} per {per} {pop}")).format(
            amount=amount, unit=_resource_unit(p["resource"], amount),
            per=_per_pop_words(p["per_pop"]), pop=_pop_words(p.get("scope")))
        return _with_facility(text, p.get("facility"))
    if rule == "share":
        text = _("{numerator} as a share of {denominator}: {band}").format(
            numerator=_side_words(p["numerator"]), denominator=_side_words(p["denominator"]),
            band=_pct_band(p))
        return _with_facility(text, p.get("facility"))
    if rule == "department_share":
        return _("{department} in {pct}% of {facility}").format(
            pct=_fmt(p["min_pct"]), facility=facility_words(p["facility"]),
            department=p["department"])
    if rule == "per_facility_minimum":
        return _("at least {n} {unit} in each {facility}").format(
            facility=facility_words(p["facility"]), n=_fmt(p["min"]),
            unit=_resource_unit(p["resource"], _fmt(p["min"])))
    if rule == "per_facility_ratio":
        band = (f"{_fmt(p['min'])}—{_fmt(p['max'])}" if "min" in p and "max" in p else
                f"≥{_fmt(p['min'])}" if "min" in p else f"≤{_fmt(p['max'])}")
        return _("{facility}: ratio of {numerator} to {denominator} {band}").format(
            facility=facility_words(p["facility"]),
            numerator=_resource_words(p["numerator"]),
            denominator=_resource_words(p["denominator"]), band=band)
    if rule == "bed_efficiency":
        return _("{facility}: no more beds where bed occupancy is below {occupancy}% and the "
                 "average stay above {days} days").format(
            facility=facility_words(p.get("facility")),
            occupancy=_fmt(p.get("max_occupancy_pct", 75)), days=_fmt(p.get("min_alos_days", 9)))
    if rule == "max_alos":
        return _("{facility}: average length of stay at most {days} days").format(
            facility=facility_words(p.get("facility")), days=_fmt(p["max_alos_days"]))
    if rule == "service_circle":
        reach = _joined([*([_("{n} min").format(n=_fmt(p["minutes"]))] if "minutes" in p
                           else []),
                         *([_("{n} km").format(n=_fmt(p["distance_km"]))] if "distance_km" in p
                           else [])], both=p.get("combine") == "both")
        what = _("pre-hospital emergency (EMS) stations") if p.get("network") == EMS_NETWORK \
            else facility_words(p.get("facility"))
        return _scoped(p.get("scope"), _("{share}% of the population within {reach} of {what}")
                       .format(share=_fmt(p.get("min_share_pct", 100)), reach=reach, what=what))
    if rule == "text":
        return norm.quote
    return norm.quote


def _joined(parts: list[str], *, both: bool) -> str:
    """Return one or two conditions joined by 或 (either) or 且 (both), spaced."""
    if len(parts) == 2:
        return (_("{a} and {b}") if both else _("{a} or {b}")).format(a=parts[0], b=parts[1])
    return "".join(parts)


def _side_words(side: dict[str, Any]) -> str:
    if side.get("resource"):
        if side.get("facility"):
            return _("{resource} of {facility}").format(
                facility=facility_words(side["facility"]),
                resource=_resource_words(side["resource"]))
        return _resource_words(side["resource"])
    return _("number of {facility}").format(facility=facility_words(side.get("facility")))


def _pct_band(p: dict[str, Any]) -> str:
    if "min_pct" in p and "max_pct" in p:
        return f"{_fmt(p['min_pct'])}%—{_fmt(p['max_pct'])}%"
    if "min_pct" in p:
        return _("at least {pct}%").format(pct=_fmt(p["min_pct"]))
    return _("at most {pct}%").format(pct=_fmt(p["max_pct"]))


# --- the rules ------------------------------------------------------------------------------

Rule = Callable[[_Context, Norm], _Outcome]


def _presence(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    level = str(p["area_level"])
    where = p.get("where") or {}
    need = int(p.get("min_count", 1))
    chosen = ctx.select(p["facility"])
    label = facility_words(p["facility"])
    subtypes = set(_as_list(p["facility"] if not isinstance(p["facility"], dict)
                            else p["facility"].get("subtype")))
    village_clinic = level == "village" and subtypes == {"村卫生室"}
    out = _Outcome()
    skipped_communities = 0
    exempted: list[str] = []
    exempt = _seat_villages(ctx) if village_clinic else {}
    for code in _filtered_areas(ctx, ctx.areas_of(level), where, out):
        if village_clinic and any(m in ctx.name[code] for m in _COMMUNITY_MARKS):
            skipped_communities += 1
            continue
        if code in exempt:
            out.add(True)
            exempted.append(code)
            continue
        have = len(chosen[chosen["area_code"].astype(str) == code]) if level == "village" \
            else len(ctx.in_area(chosen, code))
        out.add(have >= need)
        if have < need:
            out.rows.append(ctx.violation(
                norm, area=code, expected=_("≥ {n} {facility}").format(n=need, facility=label),
                actual=_("{n} facilities").format(n=have), shortfall=need - have,
                unit=_classified("所", label)))
    if skipped_communities:
        out.reasons.append(_("{n} residents' committees not checked: the norm is about "
                             "administrative villages").format(n=skipped_communities))
    if exempted:
        out.reasons.append(_("{n} villages are the seat of a township health centre, exempt: "
                             "{villages}").format(n=len(exempted), villages=_list(exempted)))
    return out


def _seat_villages(ctx: _Context) -> dict[str, str]:
    """Return village code → id of the township health centre that stands in it."""
    out: dict[str, str] = {}
    centres = ctx.select(list(TOWNSHIP_CENTRES))
    for row in centres.to_dict(orient="records"):
        code = None if pd.isna(row["area_code"]) else str(row["area_code"])
        if code is None or code not in ctx.name:
            continue
        if ctx.level[code] == "village":
            out[code] = str(row["id"])
            continue
        if ctx.level[code] != "township" or pd.isna(row["lon"]) or pd.isna(row["lat"]):
            continue
        best, best_m = None, SEAT_RADIUS_M
        for v in ctx.children.get(code, []):
            if ctx.level[v] != "village" or v not in ctx.point:
                continue
            d = _distance_m((float(row["lon"]), float(row["lat"])), ctx.point[v])
            if d <= best_m:
                best, best_m = v, d
        if best is not None:
            out[best] = str(row["id"])
    return out


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _filtered_areas(ctx: _Context, codes: list[str], where: dict[str, Any],
                    out: _Outcome) -> list[str]:
    kept = []
    unknown_pop = []
    for code in codes:
        kind = where.get("area_kind")
        if kind is not None:
            township = next((c for c in ctx.chain(code) if ctx.level[c] == "township"), None)
            if township is None or ctx.township_kind(township) != kind:
                continue
        if where.get("urban_rural") and ctx.area_class(code) != where["urban_rural"]:
            continue
        if "min_pop" in where:
            pop = ctx.pop(code)
            if pop is None:
                out.add(None)
                unknown_pop.append(code)
                continue
            if pop < float(where["min_pop"]):
                continue
        kept.append(code)
    if unknown_pop:
        out.reasons.append(_("missing {year} resident population: {areas}").format(
            year=ctx.year, areas=_list(unknown_pop)))
    return kept


def _count_per_population(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    where = p.get("where") or {}
    chosen = ctx.select(p["facility"])
    label = facility_words(p["facility"])
    subtypes = set(_as_list(p["facility"] if not isinstance(p["facility"], dict)
                            else p["facility"].get("subtype")))
    streets_only = bool(subtypes) and subtypes <= set(STREET_SUBTYPES) and "area_kind" not in where
    lo, hi = p.get("per_pop_min"), p.get("per_pop_max")
    out = _Outcome()
    for code in _filtered_areas(ctx, ctx.areas_of(str(p.get("area_level", "county"))), where,
                                out):
        parts = [code]
        if streets_only:
            parts = [c for c in [code, *ctx.descendants(code)]
                     if ctx.level[c] == "township" and ctx.township_kind(c) == "street"]
            if not parts:
                continue
        pops = [ctx.pop(c) for c in parts]
        if any(v is None for v in pops):
            out.add(None)
            out.reasons.append(_("missing {year} resident population: {areas}").format(
                year=ctx.year, areas=ctx.name.get(code, code)))
            continue
        served = float(sum(v for v in pops if v is not None))
        have = len(ctx.in_area(chosen, code)) if not streets_only else sum(
            len(ctx.in_area(chosen, c)) for c in parts)
        need_min = _ceil(served / hi) if hi else 0
        need_max = max(1, _floor(served / lo)) if lo else None
        expected = (_("{low}–{high} facilities").format(low=need_min, high=need_max)
                    if need_max is not None else _("≥ {n} facilities").format(n=need_min))
        actual = (_("{n} facilities ({pop} residents of streets)") if streets_only
                  else _("{n} facilities ({pop} residents)")).format(n=have, pop=_fmt(served))
        if have < need_min:
            out.add(False)
            out.rows.append(ctx.violation(norm, area=code, expected=expected, actual=actual,
                                          shortfall=need_min - have,
                                          unit=_classified("所", label)))
        elif need_max is not None and have > need_max:
            out.add(False)
            out.rows.append(ctx.violation(norm, area=code, expected=expected, actual=actual,
                                          shortfall=have - need_max,
                                          unit=_classified("所", label),
                                          excess=True))
        else:
            out.add(True)
    if out.checked == 0 and streets_only:
        out.reasons.append(_("the region has no street (subdistrict)"))
    return out


def _sum_resource(ctx: _Context, chosen: pd.DataFrame, resource: Any) -> tuple[float, list[str]]:
    """Return the sum of `resource` over `chosen` and the ids that have no value."""
    total, missing = 0.0, []
    for fid in chosen["id"]:
        v = ctx.value(str(fid), resource)
        if math.isnan(v):
            missing.append(str(fid))
        else:
            total += v
    return total, missing


_MISSING_POP: dict[str, Callable[[], str]] = {
    "all": lambda: _("missing {year} resident population: {areas}"),
    "urban": lambda: _("missing {year} urban resident population: {areas}"),
    "rural": lambda: _("missing {year} rural resident population: {areas}"),
}
_RESIDENTS: dict[str, Callable[[], str]] = {
    "all": lambda: _("{pop} residents"),
    "urban": lambda: _("{pop} urban residents"),
    "rural": lambda: _("{pop} rural residents"),
}


def _resource_per_population(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    if _no_resources(ctx, out):
        return out
    scope = p.get("scope") or "all"
    per_pop = float(p["per_pop"])
    unit = _resource_unit(p["resource"])
    chosen = ctx.select(p.get("facility"))
    for code in ctx.areas_of("county"):
        pop = ctx.pop(code) if scope == "all" else ctx.scoped_pop(code, scope)
        if pop is None:
            out.add(None)
            out.reasons.append(_MISSING_POP[scope]().format(year=ctx.year,
                                                            areas=ctx.name.get(code, code)))
            continue
        inside = ctx.in_area(chosen, code)
        if scope != "all":
            classes = [ctx.area_class(None if pd.isna(c) else str(c)) for c in inside["area_code"]]
            inside = inside.loc[[k == scope for k in classes]]
        actual, missing = _sum_resource(ctx, inside, p["resource"])
        if missing:
            out.reasons.append(_("{facilities}: no {year} {resource} (counted as 0)").format(
                facilities=_list(missing), year=ctx.year,
                resource=_resource_words(p["resource"])))
        whose = _RESIDENTS[scope]().format(pop=_fmt(pop))
        ok = True
        for bound in ("min", "min_count", "max"):
            if bound not in p:
                continue
            limit = pop * float(p[bound]) / per_pop
            if bound == "max" and actual > _floor(limit):
                ok = False
                out.rows.append(ctx.violation(
                    norm, area=code, expected=_("≤ {n} {unit} ({whose})").format(
                        n=_floor(limit), unit=unit, whose=whose),
                    actual=f"{_fmt(actual)}", shortfall=actual - _floor(limit), unit=unit,
                    excess=True))
            elif bound != "max" and actual < limit - _EPS:
                ok = False
                out.rows.append(ctx.violation(
                    norm, area=code, expected=_("≥ {n} {unit} ({whose})").format(
                        n=_ceil(limit), unit=unit, whose=whose),
                    actual=f"{_fmt(actual)}", shortfall=_ceil(limit) - actual, unit=unit))
        out.add(ok)
    return out


def _side(ctx: _Context, base: Any, side: dict[str, Any]) -> tuple[pd.DataFrame, Any]:
    """Return the facilities a share side covers and its resource (None = count)."""
    chosen = ctx.facilities[ctx.mask(base) & ctx.mask(side.get("facility"))]
    return chosen, side.get("resource")


def _share_check(ctx: _Context, norm: Norm, out: _Outcome, *, num: float, den: float,
                 unit: str, area: str | None = None, facility: str | None = None) -> None:
    p = norm.params
    if den <= 0:
        out.add(None)
        where = facility or area
        out.reasons.append(_("{where}: the denominator is 0").format(where=where))
        return
    pct = 100.0 * num / den
    actual = _("{pct}% ({part}/{whole})").format(pct=f"{pct:.2f}", part=_fmt(num),
                                                  whole=_fmt(den))
    expected = _pct_band(p)
    ok = True
    if "min_pct" in p and pct < float(p["min_pct"]) - _EPS:
        ok = False
        need = _ceil(float(p["min_pct"]) * den / 100.0)
        out.rows.append(ctx.violation(norm, area=area, facility=facility, expected=expected,
                                      actual=actual, shortfall=need - num, unit=unit))
    if "max_pct" in p and pct > float(p["max_pct"]) + _EPS:
        ok = False
        allowed = _floor(float(p["max_pct"]) * den / 100.0)
        out.rows.append(ctx.violation(norm, area=area, facility=facility, expected=expected,
                                      actual=actual, shortfall=num - allowed, unit=unit,
                                      excess=True))
    out.add(ok)


def _share(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    num_side, den_side = p["numerator"], p["denominator"]
    uses_resources = bool(num_side.get("resource") or den_side.get("resource"))
    if uses_resources and _no_resources(ctx, out):
        return out
    num_fac, num_res = _side(ctx, p.get("facility"), num_side)
    den_fac, den_res = _side(ctx, p.get("facility"), den_side)
    unit = (_resource_unit(num_res) if num_res
            else _classified("所", facility_words(num_side.get("facility"))))
    per_facility = (p.get("facility") is not None and num_res and den_res
                    and not num_side.get("facility") and not den_side.get("facility"))
    if per_facility:
        for fid in den_fac["id"]:
            num, den = ctx.value(str(fid), num_res), ctx.value(str(fid), den_res)
            if math.isnan(num) or math.isnan(den):
                out.add(None)
                out.reasons.append(_("missing {year} resources data: {facility}").format(
                    year=ctx.year, facility=_fac(ctx, fid)))
                continue
            _share_check(ctx, norm, out, num=num, den=den, unit=unit, facility=str(fid))
        if out.checked == 0:
            out.reasons.append(_("the region has no {facility}").format(
                facility=facility_words(p["facility"])))
        return out
    for code in ctx.areas_of("county"):
        nf, df = ctx.in_area(num_fac, code), ctx.in_area(den_fac, code)
        num = _sum_resource(ctx, nf, num_res)[0] if num_res else float(len(nf))
        den = _sum_resource(ctx, df, den_res)[0] if den_res else float(len(df))
        _share_check(ctx, norm, out, num=num, den=den, unit=unit, area=code)
    return out


def _department_share(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    dept = str(p["department"])
    accepted = set(DEPARTMENT_EQUIVALENTS.get(dept, (dept,)))
    chosen = ctx.select(p["facility"])
    label = facility_words(p["facility"])
    out = _Outcome()
    if chosen.empty:
        out.reasons.append(_("the region has no {facility}").format(facility=label))
        return out
    has = [bool(accepted & set(_split(d))) for d in chosen["departments"]]
    lacking = chosen.loc[[not h for h in has]]
    n, k = len(chosen), sum(has)
    min_pct = float(p["min_pct"])
    pct = 100.0 * k / n
    if min_pct >= 100:
        for fid in chosen["id"]:
            ok = str(fid) not in set(lacking["id"])
            out.add(ok)
            if not ok:
                out.rows.append(ctx.violation(
                    norm, facility=str(fid), expected=_("has {department}").format(department=dept),
                    actual=_("no {department}").format(department=dept),
                    shortfall=1, unit=_classified("个", dept)))
        return out
    out.checked, out.passed, out.failed = n, k, n - k
    if pct >= min_pct - _EPS:
        out.status = PASS
        return out
    out.status = FAIL
    need = _ceil(min_pct * n / 100.0)
    for code in ctx.areas_of("county"):
        out.rows.append(ctx.violation(
            norm, area=code, expected=_("≥ {pct}% ({k}/{n} facilities)").format(
                pct=_fmt(min_pct), k=need, n=n),
            actual=_("{pct}% ({k}/{n} facilities)").format(pct=f"{pct:.1f}", k=k, n=n),
            shortfall=need - k, unit=_classified("所", label),
            detail=_("lacking: {names}").format(
                names=_sep().join(str(x) for x in lacking["name"]))))
    return out


def _split(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    for sep in (",", ";", "，", "；"):
        value = value.replace(sep, "、")
    return [v.strip() for v in value.split("、") if v.strip()]


def _service_circle(ctx: _Context, norm: Norm) -> _Outcome:
    p = norm.params
    out = _Outcome()
    circle = ctx.readings.circle(norm)
    if ctx.access is None:
        out.status = NOT_EVALUABLE
        out.reasons.append(_("no travel times (they need the villages' locations and "
                             "populations, and a road network or a straight-line model)"))
        return out
    minutes, km = circle.minutes, circle.distance_km
    scope = p.get("scope")
    facility: Any = p.get("facility")
    if p.get("network") == EMS_NETWORK:
        facility = ctx.ems_bases()
    try:
        cov = ctx.access.coverage(facility, minutes=minutes, distance_km=km,
                                  mode=circle.mode, combine=circle.combine,
                                  scope=None if scope in (None, "all") else scope)
    except HsplanError as exc:
        out.status = NOT_EVALUABLE
        out.reasons.append(_("travel times could not be computed: {error}").format(error=exc))
        return out
    covered = _covered(cov, minutes, km, circle.combine)
    pop = pd.to_numeric(cov["pop"], errors="coerce").fillna(0.0).astype(float)
    total = float(pop.sum())
    share = 100.0 * float(pop[covered].sum()) / total if total > 0 else math.nan
    need = circle.min_share_pct
    reach = _joined([*([_("≤ {n} min").format(n=_fmt(minutes))] if minutes else []),
                     *([_("≤ {n} km").format(n=_fmt(km))] if km else [])],
                    both=circle.combine != "either")
    for i, row in enumerate(cov.to_dict(orient="records")):
        out.checked += 1
        if covered.iloc[i]:
            out.passed += 1
            continue
        out.failed += 1
        if not bool(row.get("reachable", True)):
            actual = _("unreachable")
        else:
            actual = _("{minutes} min, {km} km").format(
                minutes=f"{float(row['travel_min']):.1f}",
                km=f"{float(row['dist_m']) / 1000:.1f}")
        out.rows.append(ctx.violation(norm, area=str(row["area_code"]), expected=reach,
                                      actual=actual, shortfall=float(pop.iloc[i]),
                                      unit=_("uncovered residents")))
    how = _("travel mode: {mode} ({how})").format(mode=mode_words(circle.mode),
                                                 how=circle.mode_how)
    if math.isnan(share):
        out.status = NOT_EVALUABLE
        out.reasons.append(_("missing urban demand points' population") if scope == "urban"
                           else _("missing rural demand points' population") if scope == "rural"
                           else _("missing demand points' population"))
        return out
    out.covered_pct = share
    out.status = PASS if share >= need - _EPS else FAIL
    out.reasons.append(_scoped(scope, _("covered population {share}% (norm ≥ {need}%; {reach}; "
                                        "{how})").format(share=f"{share:.1f}", need=_fmt(need),
                                                         reach=reach, how=how)))
    if out.status == PASS:
        out.rows = []
    return out


def _covered(cov: pd.DataFrame, minutes: float | None, km: float | None,
             combine: str = "either") -> pd.Series:
    """Return which demand points are within `minutes` or (``combine`` both: and) `km`,
    and reachable; the access model's own ``covered`` column when it has no times."""
    reachable = cov["reachable"].fillna(False).astype(bool) if "reachable" in cov else \
        pd.Series(True, index=cov.index)
    if "covered" in cov and not {"travel_min", "dist_m"} & set(cov.columns):
        return (cov["covered"].fillna(False).astype(bool) & reachable).reset_index(drop=True)
    tests = []
    if minutes is not None and "travel_min" in cov:
        tests.append(pd.to_numeric(cov["travel_min"], errors="coerce")
                     .le(float(minutes)).fillna(False))
    if km is not None and "dist_m" in cov:
        tests.append(pd.to_numeric(cov["dist_m"], errors="coerce")
                     .le(float(km) * 1000).fillna(False))
    ok = pd.Series(False, index=cov.index)
    if tests:
        ok = tests[0]
        for t in tests[1:]:
            ok = (ok | t) if combine == "either" else (ok & t)
    return (ok.astype(bool) & reachable).reset_index(drop=True)


def _text(ctx: _Context, norm: Norm) -> _Outcome:
    out = _Outcome(status=NOT_EVALUABLE)
    out.reasons.append(_("qualitative requirement: the model has no data for it; check it by "
                         "hand"))
    return out


RULES: dict[str, Rule] = {
    "presence": _presence,
    "count_per_population": _count_per_population,
    "resource_per_population": _resource_per_population,
    "share": _share,
    "department_share": _department_share,
    "per_facility_minimum": _per_facility_minimum,
    "per_facility_ratio": _per_facility_ratio,
    "bed_efficiency": _bed_efficiency,
    "max_alos": _max_alos,
    "service_circle": _service_circle,
    "text": _text,
}


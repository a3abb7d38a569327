"""What a region needs by a target year: beds, staff, ambulances, facilities, childcare places.

`needs(region, plan, year=2025, assumptions=load_assumptions())` projects the county's
population to `year` (`hsplan.demand.projection`) and returns one row per figure, each with the
method, the formula in words, the inputs with their values, the assumptions used, the
value needed, the current value (latest year with resources), the plan's target, the gap
and the gap per year until `year`.

Figures
-------
- **常住人口** — the projection itself.
- **床位(需求法)** — Σ_age (admission rate_age × pop_age) × ALOS ÷ (365 × target occupancy)
  × (1 + outflow − inflow) (卫生服务需求法, NATIONAL_NORMS.md §5.1). Admission rates per
  band come from the assumptions file, or are derived from the region: the county's
  admissions of the latest utilisation year ÷ population, spread over the bands with the
  relative age profile so that Σ rate_b × pop_b reproduces that year's admissions.
- **Per-population targets of the plan** — every plan target whose catalog formula divides
  a resource by the population (beds_per_1k, doctors_per_1k, nurses_per_1k,
  public_health_staff_per_10k, childcare_places_per_1k, ambulances_per_10k …):
  needed = target × projected population ÷ factor; the beds of beds_per_1k stand beside the
  demand method. The yearly path (`NeedsResult.path`) is target × projected population of
  each year.
- **Ratio targets** — a target whose formula divides one resource by another whose need is
  already known and on the same facilities (医护比: nurses = doctors needed × x); 床人比 is
  a hospital ratio, so no staff figure comes from the beds of every facility.
- **Plan norms** — ``resource_per_population`` (staff or vehicles per N residents of a scope)
  and ``count_per_population`` (one facility per N residents).
- **Ambulances by the national norm** (1 per 30,000 residents, 国卫医发〔2020〕19号, from the
  assumptions) on the projected urban/rural population, only when the plan has no
  ambulance norm of its own (江川: its own 每3万人口1辆; no other province's norm is a
  default); **乡镇卫生院** one per 乡/镇.

Plan targets are read from the plan (never from code); a plan without a target simply has
no row for it.

``gap`` = value needed − current value (positive: more is needed; empty when the region has
no current value); ``gap_per_year`` = gap ÷ (year − current year), the yearly increase that
closes it.

The assumptions file is read in `hsplan.demand._assumptions`, the bed 需求法 computed in
`hsplan.demand._beds` (their public names are importable from here).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._files import xlsx_writer
from hsplan._i18n import _, language, unit_text
from hsplan.demand._assumptions import ASSUMPTIONS_PACKAGE_FILE as ASSUMPTIONS_PACKAGE_FILE
from hsplan.demand._assumptions import Assumptions, ServiceAssumptions
from hsplan.demand._assumptions import default_assumptions_path as default_assumptions_path
from hsplan.demand._assumptions import load_assumptions as load_assumptions
from hsplan.demand._beds import LEVELS, BedDemand, _by_level, bed_demand, level_word
from hsplan.demand._beds import bed_need as bed_need
from hsplan.demand._beds import derive_admission_rates as derive_admission_rates
from hsplan.demand._needs_words import COLUMNS_EN as COLUMNS_EN
from hsplan.demand._needs_words import COLUMNS_ZH as COLUMNS_ZH
from hsplan.demand._needs_words import bed_note as bed_note
from hsplan.demand._needs_words import column_headers as column_headers
from hsplan.demand._needs_words import (
    fmt,
    indicator_name,
    per_pop,
    resource_words,
    scope_word,
    unit_of,
    unit_word,
)
from hsplan.demand.projection import (
    TOTAL_BAND,
    Method,
    explain_projection,
    male_shares_from_census,
    project_population,
    project_urban_share,
    projection_steps,
)
from hsplan.errors import HsplanError
from hsplan.plans.catalog import FacilityFilter, load_catalog
from hsplan.plans.indicators import compute
from hsplan.plans.plan import Plan
from hsplan.plans.readings import Readings, urban_rural_population
from hsplan.region import reference
from hsplan.region.model import Region

COLUMNS = ["item", "method", "formula", "inputs", "assumptions", "unit", "value_needed",
           "current_value", "current_year", "plan_target", "gap", "gap_per_year"]
PATH_COLUMNS = ["indicator", "item", "year", "pop", "target_value", "factor", "needed"]
_COUNT_OPS = (">=", ">", "=", "approx")
_HEALTH_CENTRES = ("乡镇卫生院", "中心乡镇卫生院")


# --- result --------------------------------------------------------------------------------


@dataclass
class NeedsResult:
    """The needs of a region by `year`: `table` (one row per figure, `COLUMNS`), the
    population `projection` and its yearly `steps`, `explain` (the projection line by line),
    `path` (per-population targets × projected population per year, `PATH_COLUMNS`) and
    `notes` (what was assumed about the data)."""

    table: pd.DataFrame
    projection: pd.DataFrame
    steps: pd.DataFrame
    explain: list[str]
    path: pd.DataFrame
    notes: list[str]
    area_code: str
    area_name: str
    base_year: int
    year: int
    method: str
    urban_rural: dict[str, Any] = field(default_factory=dict)


def _county(region: Region, plan: Plan) -> tuple[str, str]:
    areas = region.areas
    county = areas[areas["level"] == "county"]
    if len(county):
        return str(county["code"].iloc[0]), str(county["name"].iloc[0])
    code = region.meta.get("county_code") or plan.region_code
    if not code:
        raise HsplanError(_("needs: expected a county in the region's areas, got none. Fix: "
                            "import the areas table with the county row."))
    return str(code), str(region.meta.get("name") or plan.region_name)


def _current_sum(region: Region, columns: tuple[str, ...], year: int,
                 flt: FacilityFilter | None = None) -> float:
    res = region.resources[region.resources["year"] == year]
    if flt is not None:
        keep = region.facilities[flt.mask(region.facilities)]["id"]
        res = res[res["facility_id"].isin(keep)]
    return float(sum(float(res[c].fillna(0).sum()) for c in columns if c in res.columns))


def _open_count(region: Region, subtypes: tuple[str, ...], year: int) -> int:
    fac = region.facilities
    chosen = fac[fac["subtype"].isin(subtypes)]
    opened = chosen["opened"].isna() | (chosen["opened"] <= year)
    closed = chosen["closed"].isna() | (chosen["closed"] > year)
    return int((opened & closed).sum())


def _filter_of(spec: Any) -> FacilityFilter | None:
    if spec is None:
        return None
    if isinstance(spec, dict):
        return FacilityFilter.from_dict(spec)
    return FacilityFilter.from_dict({"subtype": spec})


def _target_text(target: Any, unit: str) -> str:
    spec = target.target
    year = f" ({spec.year})" if spec.year else ""
    if unit == "1:x":
        return f"{spec.op}1:{spec.value:g}{year}"
    return f"{spec.op}{spec.value:g} {unit_text(unit)}{year}"


def _row(item: str, method: str, formula: str, inputs: str, assumptions: str, unit: str,
         needed: float, current: float | None, current_year: int | None, plan_target: str,
         year: int) -> dict[str, Any]:
    gap = needed - current if current is not None else None
    years_left = year - current_year if current_year is not None else 0
    per_year = gap / years_left if gap is not None and years_left > 0 else gap
    return {"item": item, "method": method, "formula": formula, "inputs": inputs,
            "assumptions": assumptions, "unit": unit, "value_needed": needed,
            "current_value": current, "current_year": current_year, "plan_target": plan_target,
            "gap": gap, "gap_per_year": per_year}


def needs(region: Region, plan: Plan, *, year: int, assumptions: Assumptions,
          method: Method = "cohort", base_year: int | None = None) -> NeedsResult:
    """Return what the region needs by `year` (beds, staff, ambulances, facilities, 托位).

    `base_year` defaults to the county's latest population year. The rows, their formulas
    and their sources are listed in the module docstring; values are in the unit of each
    row (persons, beds, vehicles, facilities, places). Inputs are not changed.
    """
    code, name = _county(region, plan)
    pop_table = region.population
    county_rows = pop_table[(pop_table["area_code"] == code) & pop_table["total"].notna()]
    if county_rows.empty:
        raise HsplanError(_("population, area {area}: expected at least one year, got none. "
                            "Fix: import the county's population (hsplan data "
                            "import).").format(area=code))
    if base_year is None:
        base_year = int(county_rows["year"].max())
    if year < base_year:
        raise HsplanError(_("needs: expected a target year ≥ the base year {base}, got {year}. "
                            "Fix: choose --year {base} or later.").format(base=base_year,
                                                                          year=year))
    shares = male_shares_from_census(code)
    demo = assumptions.demography
    projection = project_population(pop_table, base_year=base_year, target_year=year,
                                    assumptions=demo, method=method, male_shares=shares,
                                    area_codes=[code])
    steps = projection_steps(pop_table, base_year=base_year, target_year=year,
                             assumptions=demo, method=method, male_shares=shares,
                             area_codes=[code])
    notes = list(projection.attrs.get("notes", []))
    explain = explain_projection(steps, area_code=code, area_name=name)
    totals = projection[projection["age_band"] == TOTAL_BAND].set_index("year")["pop"]
    pop = float(totals[year])
    pop_base = float(totals[base_year])
    at_year = projection[(projection["year"] == year) & (projection["age_band"] != TOTAL_BAND)]
    bands_at_year = dict(zip(at_year["age_band"], at_year["pop"].astype(float), strict=True))
    share0, share1, urban_how, split = _urban_share(region, plan, code, base_year, year,
                                                    demo.urban_share_change_pp)
    urban, rural = pop * share1, pop * (1 - share1)
    res_years = sorted(int(y) for y in region.resources["year"].dropna().unique())
    cur_year = max((y for y in res_years if y <= year), default=None)
    svc = assumptions.services
    src = svc.sources
    rows: list[dict[str, Any]] = []
    path_rows: list[dict[str, Any]] = []
    need_by_columns: dict[tuple[str, ...], tuple[float, str]] = {}

    population_item = _("resident population")
    rows.append(_row(
        population_item, _("population projection ({method})").format(
            method=_("cohort-component method") if method == "cohort"
            else _("geometric growth method")),
        _("end population = start + births − deaths + net migration (year by year)")
        if method == "cohort" else _("P(t) = P(base year) × (1 + r)^(t − base year)"),
        _("{year}: {pop} persons").format(year=base_year, pop=fmt(pop_base))
        + (_(" (urban {urban} persons, rural {rural} persons, {basis})").format(
            urban=fmt(split.urban), rural=fmt(split.rural), basis=split.basis or split.basis_zh)
           if split is not None else "")
        + _("; urbanisation rate {before} → {after} ({how})").format(
            before=f"{share0:.1%}", after=f"{share1:.1%}", how=urban_how),
        _("TFR {tfr}, e0 male {male} female {female}, net migration {migration}/year").format(
            tfr=f"{demo.tfr:g}", male=f"{demo.e0_male:g}", female=f"{demo.e0_female:g}",
            migration=f"{demo.net_migration_per_year:g}") if method == "cohort"
        else _("geometric growth rate: {rate}").format(
            rate=_("observed") if demo.growth_rate_pct is None
            else _("{rate}%/year").format(rate=f"{demo.growth_rate_pct:g}")),
        "人", pop, pop_base, base_year, "—", year))

    # beds, demand method (by level of care) and the current-use method beside it
    demand = bed_demand(region, code, base_year=base_year, year=year,
                        bands_at_year=bands_at_year, pop_at_year=pop, svc=svc)
    bed_rows = _bed_rows(region, demand, year=year, cur_year=cur_year)
    rows += bed_rows
    resource_of: dict[str, tuple[str, ...]] = {}
    reconcile_notes: dict[tuple[str, ...], str] = {}
    if demand.outflow_known:
        resource_of[bed_rows[0]["item"]] = ("beds",)
    else:
        reconcile_notes[("beds",)] = _(
            "{item} {beds} beds not in the recommended value: outflow not entered (taken as "
            "0), so it includes residents admitted outside the county; counted once the "
            "in-county visit rate (in_county_visit_rate_pct) is entered").format(
                item=_("beds (demand method)"), beds=demand.total)
    use_row = _current_use_row(region, code, base_year=base_year, year=year,
                               pop_at_year=pop, svc=svc, cur_year=cur_year)
    if use_row is not None:
        rows.append(use_row)
    need_by_columns[("beds",)] = (float(demand.total), _("beds (demand method, short)"))
    notes += [bed_note(n) for n in demand.notes]

    # per-population targets of the plan, then ratio targets
    catalog = load_catalog()
    seen: set[str] = set()
    ratio_targets = []
    for target in plan.targets:
        ind_id = target.indicator
        spec = target.target
        if ind_id is None or ind_id in seen or ind_id not in catalog or spec.value is None \
                or spec.op not in _COUNT_OPS:
            continue
        ind = catalog.get(ind_id)
        f = ind.formula
        if f is None or f.numerator.kind != "sum":
            continue
        if f.denominator.kind != "population":
            ratio_targets.append((target, ind))
            continue
        seen.add(ind_id)
        den = f.denominator.names[0]
        scope_pop = {"total": pop, "urban": urban, "rural": rural}.get(den)
        if scope_pop is None:
            continue
        needed = spec.value * scope_pop / f.factor
        current = _current_value(region, ind_id, cur_year)
        item = _("{resource} (by {indicator})").format(resource=resource_words(f.numerator.names),
                                                       indicator=indicator_name(ind))
        den_zh = scope_word(den)
        rows.append(_row(
            item, _("per-population norm (plan target)"),
            _("needed = target × {population} ÷ {factor}").format(population=den_zh,
                                                                 factor=f"{f.factor:g}"),
            _("target {value} {unit}; {year} {population} {pop}").format(
                value=f"{spec.value:g}", unit=unit_text(ind.unit), year=year,
                population=den_zh, pop=fmt(scope_pop)),
            _("plan {plan} target {target}").format(plan=plan.id, target=target.id),
            unit_of(f.numerator.names), needed, current,
            cur_year, _target_text(target, ind.unit), year))
        if f.numerator_filter == FacilityFilter() and f.filter == FacilityFilter() \
                and not f.numerator_instead:
            # the plan's own per-population target wins over the demand method
            need_by_columns[f.numerator.names] = (needed, indicator_name(ind))
            resource_of[item] = f.numerator.names
        for y in sorted(int(v) for v in totals.index):
            y_pop = float(totals[y]) if den == "total" else float(totals[y]) * (
                share1 if den == "urban" else 1 - share1)
            path_rows.append({"indicator": ind_id, "item": item, "year": y, "pop": y_pop,
                              "target_value": spec.value, "factor": f.factor,
                              "needed": spec.value * y_pop / f.factor})
    for target, ind in ratio_targets:
        f = ind.formula
        assert f is not None
        unfiltered = FacilityFilter()
        if ind.id in seen or f.denominator.kind != "sum" \
                or f.denominator.names not in need_by_columns \
                or (f.filter, f.numerator_filter, f.denominator_filter) != (unfiltered,) * 3:
            continue
        seen.add(ind.id)
        base_need, base_label = need_by_columns[f.denominator.names]
        spec = target.target
        assert spec.value is not None
        needed = spec.value * base_need / f.factor
        item = _("{resource} (by {indicator})").format(resource=resource_words(f.numerator.names),
                                                       indicator=indicator_name(ind))
        resource_of[item] = f.numerator.names
        rows.append(_row(
            item, _("ratio norm (plan target)"),
            _("needed = {resource} needed × {value}").format(
                resource=resource_words(f.denominator.names), value=f"{spec.value:g}")
            + ("" if f.factor == 1 else f" ÷ {f.factor:g}"),
            _("{base}: {need}; target {indicator} {value}").format(
                base=base_label, need=fmt(base_need, 1), indicator=indicator_name(ind),
                value=f"{spec.value:g}"),
            _("plan {plan} target {target}").format(plan=plan.id, target=target.id),
            unit_of(f.numerator.names), needed,
            _current_sum(region, f.numerator.names, cur_year) if cur_year else None, cur_year,
            _target_text(target, ind.unit), year))

    # plan norms
    has_area_ambulance_norm = False
    for norm in plan.norms:
        p = norm.params
        if norm.rule == "resource_per_population" and p.get("per_pop") \
                and (p.get("min") is not None or p.get("min_count") is not None):
            scope = str(p.get("scope") or "all")
            scope_pop = {"all": pop, "urban": urban, "rural": rural}.get(scope, pop)
            cols = tuple(p["resource"]) if isinstance(p["resource"], list) else (p["resource"],)
            per_unit = float(p["min"] if p.get("min") is not None else p["min_count"])
            needed = per_unit * scope_pop / float(p["per_pop"])
            vehicles = cols == ("ambulances",)
            if vehicles:
                needed = float(math.ceil(needed - 1e-9))
                has_area_ambulance_norm = True  # the plan's own norm, whatever its scope
            flt = _filter_of(p.get("facility"))
            current = _current_sum(region, cols, cur_year, flt) if cur_year else None
            scope_zh = scope_word({"all": "total"}.get(scope, scope))
            rows.append(_row(
                norm.name or norm.id, _("per-population norm (plan norm)"),
                _("needed = {n} × {population} ÷ {per_pop}").format(
                    n=f"{per_unit:g}", population=scope_zh,
                    per_pop=f"{float(p['per_pop']):,.0f}")
                + (_(" (rounded up)") if vehicles else ""),
                _("{year} {population} {pop}").format(year=year, population=scope_zh,
                                                      pop=fmt(scope_pop))
                + (_("; facilities: {which}").format(which=flt.describe()) if flt else ""),
                _("plan {plan} norm {norm}").format(plan=plan.id, norm=norm.id),
                unit_of(cols), needed, current, cur_year,
                _("{n}/{per_pop} persons").format(n=f"{per_unit:g}",
                                                  per_pop=f"{float(p['per_pop']):,.0f}"),
                year))
        elif norm.rule == "count_per_population" and p.get("per_pop_max"):
            subtypes = tuple(p["facility"]) if isinstance(p["facility"], list) \
                else (str(p["facility"]),)
            rows.append(_facility_per_pop_row(
                region, norm.name or norm.id, subtypes, urban, float(p["per_pop_min"]),
                float(p["per_pop_max"]), _("plan {plan} norm {norm}").format(
                    plan=plan.id, norm=norm.id), cur_year, year))
    if not any(n.rule == "count_per_population" for n in plan.norms):
        rows.append(_facility_per_pop_row(
            region, "社区卫生服务中心", ("社区卫生服务中心",), urban,
            svc.community_centre_per_pop_min, svc.community_centre_per_pop_max,
            _("assumptions file community_centre_per_pop: {source}").format(
                source=src.get("community_centre_per_pop", "")),
            cur_year, year))
    ambulance_items = (_("ambulances (national norm)"), _("ambulances (urban/rural norm)"))
    if not has_area_ambulance_norm and svc.ambulance_urban_per_pop == \
            svc.ambulance_rural_per_pop:
        n_all = math.ceil((urban + rural) / svc.ambulance_urban_per_pop - 1e-9)
        rows.append(_row(
            ambulance_items[0], _("per-population norm (national)"),
            _("⌈resident population ÷ {per_pop}⌉").format(
                per_pop=f"{svc.ambulance_urban_per_pop:,.0f}"),
            _("{year} resident population {pop} → {n}").format(
                year=year, pop=fmt(urban + rural), n=n_all),
            src.get("ambulance_urban_per_pop", "assumption"), "辆", float(n_all),
            _current_sum(region, ("ambulances",), cur_year) if cur_year else None, cur_year,
            "—", year))
    elif not has_area_ambulance_norm:
        n_urban = math.ceil(urban / svc.ambulance_urban_per_pop - 1e-9)
        n_rural = math.ceil(rural / svc.ambulance_rural_per_pop - 1e-9)
        rows.append(_row(
            ambulance_items[1], _("urban and rural per-population norm"),
            _("⌈urban population ÷ {urban}⌉ + ⌈rural population ÷ {rural}⌉").format(
                urban=f"{svc.ambulance_urban_per_pop:,.0f}",
                rural=f"{svc.ambulance_rural_per_pop:,.0f}"),
            _("{year} urban population {urban}, rural population {rural} → {n_urban} + "
              "{n_rural}").format(year=year, urban=fmt(urban), rural=fmt(rural),
                                  n_urban=n_urban, n_rural=n_rural),
            src.get("ambulance_urban_per_pop", "assumption"), "辆", float(n_urban + n_rural),
            _current_sum(region, ("ambulances",), cur_year) if cur_year else None, cur_year,
            "—", year))
    townships = region.areas[region.areas["level"] == "township"]
    n_towns = sum(reference.township_kind(str(n)) in ("town", "township")
                  for n in townships["name"])
    if n_towns:
        rows.append(_row(
            "乡镇卫生院", _("setting norm"), _("one township health centre per township or town"),
            _("townships and towns: {n}").format(n=n_towns),
            _("the plan of 江川区 (seed 000) and the national setting principle: one good "
              "township health centre in every township or town"),
            "个", float(n_towns),
            float(_open_count(region, _HEALTH_CENTRES, cur_year)) if cur_year else None,
            cur_year, "—", year))
    for norm in plan.norms:
        p = norm.params
        if norm.rule == "resource_per_population" and p.get("facility") is None \
                and p.get("resource"):
            cols = tuple(p["resource"]) if isinstance(p["resource"], list) \
                else (str(p["resource"]),)
            resource_of.setdefault(norm.name or norm.id, cols)
    for r in rows:
        if str(r["item"]) in ambulance_items:
            resource_of.setdefault(str(r["item"]), ("ambulances",))
    rows = _recommended(_whole(rows, year=year, population_item=population_item),
                        resource_of, year=year, notes=reconcile_notes)
    table = pd.DataFrame(rows, columns=COLUMNS)
    facility_rows = {"乡镇卫生院", "社区卫生服务中心"} | {
        n.name or n.id for n in plan.norms if n.rule == "count_per_population"}
    table["unit"] = [unit_word(u, facility=i in facility_rows)
                     for u, i in zip(table["unit"], table["item"], strict=True)]
    for r in path_rows:
        r["needed"] = float(math.ceil(r["needed"] - 1e-9))
    path = pd.DataFrame(path_rows, columns=PATH_COLUMNS)
    if shares is None:
        notes.append(_("no 2020 census row for {code}: sexes split 50/50").format(code=code))
    urban_rural = {"base_year": base_year, "urban_share_base": share0,
                   "urban_share_target": share1, "how": urban_how,
                   "urban_base": None if split is None else split.urban,
                   "rural_base": None if split is None else split.rural,
                   "basis_zh": None if split is None else split.basis_zh,
                   "urban_target": urban, "rural_target": rural}
    return NeedsResult(table=table, projection=projection, steps=steps, explain=explain,
                       path=path, notes=notes, area_code=code, area_name=name,
                       base_year=base_year, year=year, method=method, urban_rural=urban_rural)


def _urban_share(region: Region, plan: Plan, code: str, base_year: int, year: int,
                 change_pp: float | None) -> tuple[float, float, str, Any]:
    """Return (urban share at the base year, at `year`, how, the base-year split), shares
    0–1: the base year by the plan's urban/rural reading (`hsplan.plans.readings`, the
    same population `check` and `access` use), moved by the trend of the population
    table's 城镇人口 share (`project_urban_share`) or `change_pp` per year."""
    split = urban_rural_population(region, base_year, Readings.from_plan(plan))
    try:
        t0, t1, how = project_urban_share(region.population, code, base_year=base_year,
                                          target_year=year, change_pp_per_year=change_pp)
    except HsplanError:
        if split is None or split.total <= 0:
            raise
        t0 = t1 = 0.0
        how = _("held at the base year (no 城镇人口 series)")
    if split is None or split.total <= 0:
        return t0, t1, how, None
    s0 = split.urban / split.total
    s1 = min(1.0, max(0.0, s0 + (t1 - t0)))
    return s0, s1, _("{how}; base-year urban/rural by the plan's reading").format(how=how), split


_WHOLE_UNITS = ("张", "人", "辆", "个", "台")


def _whole(rows: list[dict[str, Any]], *, year: int, population_item: str
           ) -> list[dict[str, Any]]:
    """Rows with whole units: a resource is rounded up (a bed, a person, a vehicle cannot be
    split; rounding down would leave the need unmet), the population to the nearest person;
    the gaps follow."""
    out = []
    for r in rows:
        needed = r["value_needed"]
        if r["unit"] in _WHOLE_UNITS and needed is not None and not pd.isna(needed):
            needed = float(round(needed)) if r["item"] == population_item \
                else float(math.ceil(needed - 1e-9))
        out.append(_row(r["item"], r["method"], r["formula"], r["inputs"], r["assumptions"],
                        r["unit"], needed, r["current_value"], r["current_year"],
                        r["plan_target"], year))
    return out


def _recommended(rows: list[dict[str, Any]], resource_of: Mapping[str, tuple[str, ...]], *,
                 year: int, notes: Mapping[tuple[str, ...], str] | None = None
                 ) -> list[dict[str, Any]]:
    """Rows with one 推荐值 row after each resource that several methods estimate.

    Notes
    -----
    推荐值 = the largest of the estimates: every plan target (≥) and the demand must be met at
    once, so the smallest figure that meets all of them is their maximum. The row lists each
    method's figure and how far it falls short of the recommendation; 现状利用法 (a bed figure
    from the county's own workload) is shown for comparison and not part of the maximum.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(rows):
        key = resource_of.get(str(r["item"]))
        if key is not None and r["value_needed"] is not None and not pd.isna(r["value_needed"]):
            groups.setdefault(key, []).append(i)
    after: dict[int, dict[str, Any]] = {}
    for key, idx in groups.items():
        if len(idx) < 2 and not (notes and key in notes):
            continue
        part = [rows[i] for i in idx]
        best = max(part, key=lambda r: float(r["value_needed"]))
        value = float(best["value_needed"])
        unit = str(best["unit"])
        used = _(" together with ").join(str(r["item"]) for r in part)
        shown_unit = unit if language() == "zh" else f" {unit_word(unit)}"
        others = "; ".join(
            f"{r['item']} {fmt(float(r['value_needed']))}{shown_unit}"
            + ("" if float(r["value_needed"]) == value
               else _(" ({n} fewer)").format(
                   n=f"{fmt(value - float(r['value_needed']))}{shown_unit}"))
            for r in part)
        reconcile = _("take {item}: {why}").format(
            item=best["item"], why=_("the least that meets the plan's targets and the demand "
                                     "at once") if len(part) > 1
            else _("the only method counted in the recommended value"))
        if notes and key in notes:
            reconcile += "; " + notes[key]
        if key == ("beds",):
            use = next((r for r in rows if r["item"] == _("beds (current-use method)")), None)
            if use is not None:
                diff = float(use["value_needed"]) - value
                reconcile += (_(
                    "; for comparison: current-use method {beds} beds ({diff} beds {more} than "
                    "the recommended value; the current use of the local facilities includes "
                    "non-residents and leaves out admissions outside the county, so its "
                    "difference from the demand method by the residents' admission rate is "
                    "outflow, inflow and the difference in admission rates)").format(
                        beds=fmt(float(use["value_needed"])), diff=fmt(abs(diff)),
                        more=_("more") if diff > 0 else _("fewer")))
        after[idx[-1]] = _row(
            _("{resource} (recommended)").format(resource=resource_words(key)),
            _("recommended value (the largest of the methods)"), f"max({used})", others,
            reconcile, unit, value, best["current_value"], best["current_year"],
            str(best["plan_target"]), year)
    out: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        out.append(r)
        if i in after:
            out.append(after[i])
    return out




def _current_value(region: Region, indicator_id: str, year: int | None) -> float | None:
    if year is None:
        return None
    result = compute(region, indicator_id, year=year, level="county")
    ok = result[result["status"] == "ok"]
    return float(ok["numerator"].iloc[0]) if len(ok) else None


def _facility_per_pop_row(region: Region, item: str, subtypes: tuple[str, ...], urban: float,
                          per_min: float, per_max: float, source: str, cur_year: int | None,
                          year: int) -> dict[str, Any]:
    low = math.ceil(urban / per_max - 1e-9)
    high = math.ceil(urban / per_min - 1e-9)
    return _row(
        item, _("setting norm (1 per N residents)"),
        _("at least ⌈urban population ÷ {per_max}⌉, at most ⌈urban population ÷ {per_min}⌉"
          ).format(per_max=f"{per_max:,.0f}", per_min=f"{per_min:,.0f}"),
        _("{year} urban population {pop} → {low}–{high}").format(
            year=year, pop=fmt(urban), low=low, high=high), source, "个", float(low),
        float(_open_count(region, subtypes, cur_year)) if cur_year else None, cur_year,
        _("1 per {low}–{high} residents").format(low=per_pop(per_min),
                                                 high=per_pop(per_max)), year)


def _bed_rows(region: Region, demand: BedDemand, *, year: int, cur_year: int | None
              ) -> list[dict[str, Any]]:
    """The 需求法 rows: the total and one row per level of care with its current beds."""
    current: dict[str, float] | None = None
    if cur_year is not None:
        res = region.resources[region.resources["year"] == cur_year]
        current = {lv: v["beds"] for lv, v in _by_level(region, res, ("beds",)).items()}
    h = demand.how
    level_text = "; ".join(_(
        "{level} {share}, average stay {alos} days, bed occupancy {occupancy}% → {beds} beds"
        ).format(level=level_word(lv), share=f"{demand.shares[lv]:.1%}",
                 alos=f"{demand.alos_days[lv]:.2f}", occupancy=f"{demand.occupancy_pct[lv]:g}",
                 beds=demand.beds[lv]) for lv in LEVELS)

    rows = [_row(
        _("beds (demand method)"), _("health service demand method"),
        _("residents' admissions × (1 − outflow rate) ÷ (1 − inflow rate) = local admissions; "
          "by hospitals/primary care: local admissions × share × average stay ÷ (365 × bed "
          "occupancy), each level rounded up, then added"),
        _("{year} residents' admissions {residents} ({rate}); {outflow}; {inflow} → local "
          "admissions {local}; {split}; {levels}").format(
            year=year, residents=fmt(demand.residents_admissions), rate=h["rate"],
            outflow=h["outflow"], inflow=h["inflow"], local=fmt(demand.local_admissions),
            split=h["split"], levels=level_text),
        _("bed occupancy: hospitals {hospital}% (standard occupancy), primary care "
          "{primary}% (assumed, see default.yaml)").format(
            hospital=f"{demand.occupancy_pct['hospital']:g}",
            primary=f"{demand.occupancy_pct['primary']:g}")
        + ("; " + "; ".join(demand.notes) if demand.notes else ""),
        "张", float(demand.total), sum(current.values()) if current else None, cur_year, "—",
        year)]
    for lv in LEVELS:
        rows.append(_row(
            _("beds of {level} (demand method)").format(level=level_word(lv)),
            _("health service demand method (by level)"),
            _("local admissions × share × average stay ÷ (365 × bed occupancy), rounded up"),
            f"{fmt(demand.local_admissions)} × {demand.shares[lv]:.1%} × "
            f"{demand.alos_days[lv]:.2f} ÷ (365 × {demand.occupancy_pct[lv]:g}%)",
            h["split"], "张", float(demand.beds[lv]), current[lv] if current else None,
            cur_year, "—", year))
    return rows


def _current_use_row(region: Region, code: str, *, base_year: int, year: int,
                     pop_at_year: float, svc: ServiceAssumptions, cur_year: int | None
                     ) -> dict[str, Any] | None:
    """The beds the local workload of the latest utilisation year needs at the target
    occupancy, grown with the population (现状利用法; shown beside the 需求法, not a norm)."""
    util = region.utilisation
    u_years = sorted(int(y) for y in util["year"].dropna().unique())
    if not u_years:
        return None
    u_year = max((y for y in u_years if y <= base_year), default=u_years[-1])
    pop = region.population
    p_u = pop[(pop["area_code"] == code) & (pop["year"] == u_year)]["total"]
    if p_u.empty or pd.isna(p_u.iloc[0]) or float(p_u.iloc[0]) <= 0:
        return None
    growth = pop_at_year / float(p_u.iloc[0])
    sums = _by_level(region, util[util["year"] == u_year],
                     ("bed_days_occupied", "discharged_bed_days"))
    occupancy = {"hospital": svc.target_occupancy_pct,
                 "primary": svc.target_occupancy_primary_pct}
    days = {lv: sums[lv]["bed_days_occupied"] or sums[lv]["discharged_bed_days"]
            for lv in LEVELS}
    if not any(days.values()):
        return None
    beds = {lv: math.ceil(days[lv] * growth / (365 * occupancy[lv] / 100) - 1e-9)
            for lv in LEVELS}
    current = _current_sum(region, ("beds",), cur_year) if cur_year else None
    return _row(
        _("beds (current-use method)"),
        _("current-use method (bed days occupied in local facilities, for comparison only)"),
        _("bed days occupied × population growth ÷ (365 × bed occupancy), by hospitals/"
          "primary care"),
        _("{year} bed days occupied: {hospitals} {hospital}, primary care {primary}; "
          "population × {growth} → {beds_hospital} + {beds_primary} beds").format(
            year=u_year, hospitals=level_word("hospital"), hospital=fmt(days["hospital"]),
            primary=fmt(days["primary"]), growth=f"{growth:.4f}",
            beds_hospital=beds["hospital"], beds_primary=beds["primary"]),
        _("the current use of local facilities, with non-residents and without admissions "
          "outside the county; not the residents' need"), "张",
        float(sum(beds.values())), current, cur_year, "—", year)


def needs_to_xlsx(result: NeedsResult, path: str | Path) -> Path:
    """Write the needs to an Excel workbook with headers in the reader's language; return
    the path.

    Sheets: 需要量 (the table), 人口预测 (projection, county), 预测说明 (the explain lines),
    目标路径 (per-population targets × projected population per year); in English: needs,
    population projection, projection notes, target path.
    """
    path = Path(path)
    with xlsx_writer(path) as writer:
        result.table.rename(columns=column_headers()).to_excel(
            writer, sheet_name=_("needs table"), index=False)
        result.projection.to_excel(writer, sheet_name=_("population projection"), index=False)
        pd.DataFrame({_("notes"): result.explain + result.notes}).to_excel(
            writer, sheet_name=_("projection notes"), index=False)
        result.path.to_excel(writer, sheet_name=_("target path"), index=False)
    return path

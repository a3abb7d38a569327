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
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hsplan._files import xlsx_writer
from hsplan._yaml import yaml_with_lines
from hsplan.demand.projection import (
    BANDS,
    TOTAL_BAND,
    DemographicAssumptions,
    Method,
    demography_from_dict,
    explain_projection,
    male_shares_from_census,
    project_population,
    project_urban_share,
    projection_steps,
)
from hsplan.errors import DataSourceError, HsplanError, Problem, raise_if_errors
from hsplan.plans.catalog import FacilityFilter, load_catalog
from hsplan.plans.indicators import compute
from hsplan.plans.plan import Plan
from hsplan.plans.readings import Readings, urban_rural_population
from hsplan.region import reference, schema
from hsplan.region.model import Region

ASSUMPTIONS_PACKAGE_FILE = "data/assumptions/default.yaml"
COLUMNS = ["item", "method", "formula", "inputs", "assumptions", "unit", "value_needed",
           "current_value", "current_year", "plan_target", "gap", "gap_per_year"]
COLUMNS_ZH = {
    "item": "项目", "method": "方法", "formula": "公式", "inputs": "输入", "assumptions": "假设",
    "unit": "单位", "value_needed": "需要量", "current_value": "现有量", "current_year": "现有年份",
    "plan_target": "规划目标", "gap": "缺口", "gap_per_year": "年均缺口",
}
PATH_COLUMNS = ["indicator", "item", "year", "pop", "target_value", "factor", "needed"]
_COUNT_OPS = (">=", ">", "=", "approx")
_HEALTH_CENTRES = ("乡镇卫生院", "中心乡镇卫生院")


# --- assumptions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceAssumptions:
    """Service assumptions of the bed and facility needs (see default.yaml ``services``).

    `admission_rates_per_1k` per band (None: derive from the region); `admission_age_profile`
    relative rates per band; `alos_days` (None: derive); `target_occupancy_pct`, `outflow_pct`,
    `inflow_pct` in %; ambulance and community-centre norms in residents per unit.
    """

    admission_rates_per_1k: Mapping[str, float] | None
    admission_age_profile: Mapping[str, float]
    alos_days: float | None
    target_occupancy_pct: float
    outflow_pct: float = 0.0
    inflow_pct: float = 0.0
    ambulance_urban_per_pop: float = 30000
    ambulance_rural_per_pop: float = 30000
    community_centre_per_pop_min: float = 30000
    community_centre_per_pop_max: float = 100000
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assumptions:
    """The assumptions of `needs`: demographic (`projection.DemographicAssumptions`) and
    service ones, and the file they came from."""

    demography: DemographicAssumptions
    services: ServiceAssumptions
    path: Path | None = None


def default_assumptions_path() -> Path:
    """Return the path of the bundled default assumptions file."""
    return Path(str(resources.files("hsplan").joinpath(ASSUMPTIONS_PACKAGE_FILE)))


def _services_from_dict(raw: Any, *, file: str, problems: list[Problem]
                        ) -> ServiceAssumptions | None:
    n_before = len(problems)
    sec = raw if isinstance(raw, dict) else {}
    if not isinstance(raw, dict):
        problems.append(Problem("invalid assumption", file=file, sheet="services",
                                column="services", expected="a mapping", got=str(raw),
                                fix="add a `services:` section (see default.yaml)"))

    def value_of(key: str) -> Any:
        entry = sec.get(key)
        return entry.get("value") if isinstance(entry, dict) and "value" in entry else entry

    def bad(key: str, expected: str, got: Any, fix: str) -> None:
        problems.append(Problem("invalid assumption", file=file, sheet="services",
                                column=f"services.{key}", expected=expected, got=str(got),
                                fix=fix))

    def number(key: str, lo: float, hi: float, *, derive: bool = False,
               default: float | None = None) -> float | None:
        value = value_of(key)
        if value is None and default is not None:
            return default
        if derive and value == "derive":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not lo <= value <= hi:
            what = f"a number in {lo:g}–{hi:g}" + (' or "derive"' if derive else "")
            bad(key, what, value, f"set services.{key}.value to {what}")
            return None
        return float(value)

    def bands(key: str, *, derive: bool) -> dict[str, float] | None:
        value = value_of(key)
        if derive and value == "derive":
            return None
        if not isinstance(value, dict) or set(value) != set(BANDS) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                for v in value.values()):
            bad(key, "a number ≥ 0 for each band age_00_04 … age_85p"
                + (' or "derive"' if derive else ""), value,
                f"give all 18 bands under services.{key}.value")
            return None
        return {b: float(value[b]) for b in BANDS}

    rates = bands("admission_rates_per_1k", derive=True)
    profile = bands("admission_age_profile", derive=False)
    alos = number("alos_days", 0.1, 365, derive=True)
    occupancy = number("target_occupancy_pct", 1, 200)
    outflow = number("outflow_pct", 0, 100, default=0.0)
    inflow = number("inflow_pct", 0, 100, default=0.0)
    amb_u = number("ambulance_urban_per_pop", 1, 1e7, default=30000)
    amb_r = number("ambulance_rural_per_pop", 1, 1e7, default=30000)
    community = value_of("community_centre_per_pop") or {"min": 30000, "max": 100000}
    if not (isinstance(community, dict) and all(
            isinstance(community.get(k), (int, float)) and community[k] > 0
            for k in ("min", "max"))):
        bad("community_centre_per_pop", "{min: N, max: N} residents", community,
            "give min and max residents per 社区卫生服务中心")
        community = {"min": 30000, "max": 100000}
    if len(problems) > n_before or profile is None:
        return None
    assert occupancy is not None and outflow is not None and inflow is not None
    assert amb_u is not None and amb_r is not None
    sources = {k: str(v["source"]) for k, v in sec.items()
               if isinstance(v, dict) and "source" in v}
    return ServiceAssumptions(
        admission_rates_per_1k=rates, admission_age_profile=profile, alos_days=alos,
        target_occupancy_pct=occupancy, outflow_pct=outflow, inflow_pct=inflow,
        ambulance_urban_per_pop=amb_u, ambulance_rural_per_pop=amb_r,
        community_centre_per_pop_min=float(community["min"]),
        community_centre_per_pop_max=float(community["max"]), sources=sources,
    )


def load_assumptions(path: str | Path | None = None) -> Assumptions:
    """Return the assumptions of an assumptions file (default: the bundled default.yaml).

    Raises DataSourceError when the file cannot be read, and one ValidationError listing
    every invalid value (file, section, key, expected, got, fix).
    """
    file_path = Path(path) if path is not None else default_assumptions_path()
    try:
        raw, _ = yaml_with_lines(file_path.read_text(encoding="utf-8"), file=file_path.name,
                                 context=f"assumptions {file_path.name}",
                                 fix="check the indentation against data/assumptions/default.yaml")
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"{file_path}: not UTF-8 text ({exc}). Fix: save the file as "
                              "UTF-8.") from exc
    except OSError as exc:
        raise DataSourceError(
            f"{file_path}: cannot read the assumptions file ({exc.strerror}). "
            "Fix: give the path of a YAML file like hsplan's data/assumptions/default.yaml."
        ) from exc
    except yaml.YAMLError as exc:
        raise DataSourceError(f"{file_path}: not valid YAML ({exc}).") from exc
    problems: list[Problem] = []
    name = file_path.name
    if not isinstance(raw, dict):
        problems.append(Problem("invalid assumptions file", file=name,
                                expected="a mapping with demography: and services:",
                                got=type(raw).__name__, fix="start from default.yaml"))
        raw = {}
    demo = demography_from_dict(raw.get("demography"), file=name, problems=problems)
    services = _services_from_dict(raw.get("services"), file=name, problems=problems)
    raise_if_errors(problems, context=f"assumptions {name}")
    assert demo is not None and services is not None
    return Assumptions(demography=demo, services=services, path=file_path)


# --- formulas ------------------------------------------------------------------------------


def bed_need(pop_by_band: Mapping[str, float], *, admission_rates_per_1k: Mapping[str, float],
             alos_days: float, occupancy_pct: float, outflow_pct: float = 0.0,
             inflow_pct: float = 0.0) -> float:
    """Return the beds needed by the demand method, in beds.

    Notes
    -----
    beds = Σ_b (rate_b / 1000 × pop_b) × ALOS ÷ (365 × occupancy / 100)
    × (1 + outflow / 100 − inflow / 100) — 卫生服务需求法 (NATIONAL_NORMS.md §5.1 (a), (b)).
    """
    admissions = sum(admission_rates_per_1k.get(b, 0.0) / 1000 * pop
                     for b, pop in pop_by_band.items())
    return admissions * alos_days / (365 * occupancy_pct / 100) \
        * (1 + outflow_pct / 100 - inflow_pct / 100)


def derive_admission_rates(admissions: float, pop_by_band: Mapping[str, float],
                           profile: Mapping[str, float]) -> dict[str, float]:
    """Return admissions per 1,000 residents per band such that Σ rate_b × pop_b / 1000 =
    `admissions` and the rates are proportional to `profile`.

    Notes
    -----
    rate_b = 1000 × admissions × w_b / Σ_c (w_c × pop_c).
    """
    weighted = sum(profile[b] * pop_by_band[b] for b in pop_by_band)
    if weighted <= 0:
        raise HsplanError("admission rates: expected a population with people in the bands "
                          "of the age profile, got none. Fix: enter the age bands.")
    return {b: 1000 * admissions * profile[b] / weighted for b in pop_by_band}


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


def _fmt(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}"


def _county(region: Region, plan: Plan) -> tuple[str, str]:
    areas = region.areas
    county = areas[areas["level"] == "county"]
    if len(county):
        return str(county["code"].iloc[0]), str(county["name"].iloc[0])
    code = region.meta.get("county_code") or plan.region_code
    if not code:
        raise HsplanError("needs: expected a county in the region's areas, got none. "
                          "Fix: import the areas table with the county row.")
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
    return f"{spec.op}{spec.value:g} {unit}{year}"


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
        raise HsplanError(f"population, area {code}: expected at least one year, got none. "
                          "Fix: import the county's population (hsplan data import).")
    if base_year is None:
        base_year = int(county_rows["year"].max())
    if year < base_year:
        raise HsplanError(f"needs: expected a target year ≥ the base year {base_year}, got "
                          f"{year}. Fix: choose --year {base_year} or later.")
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

    rows.append(_row(
        "常住人口", f"人口预测({'队列要素法' if method == 'cohort' else '几何增长法'})",
        "期末人口 = 期初 + 出生 − 死亡 + 净迁入 (逐年)" if method == "cohort"
        else "P(t) = P(基年) × (1 + r)^(t − 基年)",
        f"{base_year}年 {_fmt(pop_base)} 人"
        + (f"（城镇 {_fmt(split.urban)} 人、乡村 {_fmt(split.rural)} 人，{split.basis_zh}）"
           if split is not None else "")
        + f"; 城镇化率 {share0:.1%} → {share1:.1%} ({urban_how})",
        f"TFR {demo.tfr:g}, e0 男 {demo.e0_male:g} 女 {demo.e0_female:g}, "
        f"净迁入 {demo.net_migration_per_year:g}/年" if method == "cohort"
        else "几何增长率: " + ("观察值" if demo.growth_rate_pct is None
                               else f"{demo.growth_rate_pct:g}%/年"),
        "人", pop, pop_base, base_year, "—", year))

    # beds, demand method
    beds_demand = _beds_demand_row(region, code, base_year, year, bands_at_year, svc)
    if beds_demand is not None:
        row, beds_needed = beds_demand
        row["current_value"] = _current_sum(region, ("beds",), cur_year) if cur_year else None
        row["current_year"] = cur_year
        rows.append(_row(**{k: row[k] for k in ("item", "method", "formula", "inputs",
                                                 "assumptions", "unit")},
                         needed=beds_needed, current=row["current_value"],
                         current_year=cur_year, plan_target="—", year=year))
        need_by_columns[("beds",)] = (beds_needed, "床位(需求法)")

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
        item = f"{_zh(f.numerator.names)}（按{ind.name_zh}）"
        den_zh = schema.POPULATION.column(den).zh
        rows.append(_row(
            item, "按人口配置标准 (规划目标)", f"需要量 = 目标值 × {den_zh} ÷ {f.factor:g}",
            f"目标 {spec.value:g} {ind.unit}; {year}年{den_zh} {_fmt(scope_pop)}",
            f"规划 {plan.id} 目标 {target.id}", _unit_of(f.numerator.names), needed, current,
            cur_year, _target_text(target, ind.unit), year))
        if f.numerator_filter == FacilityFilter() and f.filter == FacilityFilter():
            # the plan's own per-population target wins over the demand method
            need_by_columns[f.numerator.names] = (needed, ind.name_zh)
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
        rows.append(_row(
            f"{_zh(f.numerator.names)}（按{ind.name_zh}）", "按比例配置 (规划目标)",
            f"需要量 = {_zh(f.denominator.names)}需要量 × {spec.value:g}"
            + ("" if f.factor == 1 else f" ÷ {f.factor:g}"),
            f"{base_label}: {_fmt(base_need, 1)}; 目标 {ind.name_zh} {spec.value:g}",
            f"规划 {plan.id} 目标 {target.id}", _unit_of(f.numerator.names), needed,
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
            scope_zh = {"all": "常住人口", "urban": "城镇人口",
                        "rural": "乡村人口"}.get(scope, scope)
            rows.append(_row(
                norm.name or norm.id, "按人口配置标准 (规划规范)",
                f"需要量 = {per_unit:g} × {scope_zh} ÷ {float(p['per_pop']):,.0f}"
                + (" (向上取整)" if vehicles else ""),
                f"{year}年{scope_zh} {_fmt(scope_pop)}"
                + (f"; 机构: {flt.describe()}" if flt else ""),
                f"规划 {plan.id} 规范 {norm.id}", _unit_of(cols), needed, current, cur_year,
                f"{per_unit:g}/{float(p['per_pop']):,.0f}人", year))
        elif norm.rule == "count_per_population" and p.get("per_pop_max"):
            subtypes = tuple(p["facility"]) if isinstance(p["facility"], list) \
                else (str(p["facility"]),)
            rows.append(_facility_per_pop_row(
                region, norm.name or norm.id, subtypes, urban, float(p["per_pop_min"]),
                float(p["per_pop_max"]), f"规划 {plan.id} 规范 {norm.id}", cur_year, year))
    if not any(n.rule == "count_per_population" for n in plan.norms):
        rows.append(_facility_per_pop_row(
            region, "社区卫生服务中心", ("社区卫生服务中心",), urban,
            svc.community_centre_per_pop_min, svc.community_centre_per_pop_max,
            "假设文件 community_centre_per_pop: " + src.get("community_centre_per_pop", ""),
            cur_year, year))
    if not has_area_ambulance_norm and svc.ambulance_urban_per_pop == \
            svc.ambulance_rural_per_pop:
        n_all = math.ceil((urban + rural) / svc.ambulance_urban_per_pop - 1e-9)
        rows.append(_row(
            "救护车（国家配置标准）", "按人口配置标准 (国家)",
            f"⌈常住人口 ÷ {svc.ambulance_urban_per_pop:,.0f}⌉",
            f"{year}年常住人口 {_fmt(urban + rural)} → {n_all}",
            src.get("ambulance_urban_per_pop", "assumption"), "辆", float(n_all),
            _current_sum(region, ("ambulances",), cur_year) if cur_year else None, cur_year,
            "—", year))
    elif not has_area_ambulance_norm:
        n_urban = math.ceil(urban / svc.ambulance_urban_per_pop - 1e-9)
        n_rural = math.ceil(rural / svc.ambulance_rural_per_pop - 1e-9)
        rows.append(_row(
            "救护车（城乡配置标准）", "按城乡人口配置标准",
            f"⌈城镇人口 ÷ {svc.ambulance_urban_per_pop:,.0f}⌉ + "
            f"⌈乡村人口 ÷ {svc.ambulance_rural_per_pop:,.0f}⌉",
            f"{year}年城镇人口 {_fmt(urban)}, 乡村人口 {_fmt(rural)} → {n_urban} + {n_rural}",
            src.get("ambulance_urban_per_pop", "assumption"), "辆", float(n_urban + n_rural),
            _current_sum(region, ("ambulances",), cur_year) if cur_year else None, cur_year,
            "—", year))
    townships = region.areas[region.areas["level"] == "township"]
    n_towns = sum(reference.township_kind(str(n)) in ("town", "township")
                  for n in townships["name"])
    if n_towns:
        rows.append(_row(
            "乡镇卫生院", "按设置标准", "每个乡(镇)1个乡(镇)卫生院",
            f"乡镇数 {n_towns}",
            "江川区规划 (seed 000) 与国家设置原则: 每个乡(镇)办好1个乡(镇)卫生院",
            "个", float(n_towns),
            float(_open_count(region, _HEALTH_CENTRES, cur_year)) if cur_year else None,
            cur_year, "—", year))
    table = pd.DataFrame(rows, columns=COLUMNS)
    path = pd.DataFrame(path_rows, columns=PATH_COLUMNS)
    if shares is None:
        notes.append(f"no 2020 census row for {code}: sexes split 50/50")
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
        how = "held at the base year (no 城镇人口 series)"
    if split is None or split.total <= 0:
        return t0, t1, how, None
    s0 = split.urban / split.total
    s1 = min(1.0, max(0.0, s0 + (t1 - t0)))
    return s0, s1, f"{how}; 基年城乡按规划读法", split


def _zh(columns: tuple[str, ...]) -> str:
    """Chinese headers of resource columns joined by + (执业医师+执业助理医师)."""
    table = schema.RESOURCES
    return "+".join(table.column(c).zh if c in table.column_ids else c for c in columns)


def _unit_of(columns: tuple[str, ...]) -> str:
    col = columns[0]
    for table in (schema.RESOURCES,):
        if col in table.column_ids:
            unit = table.column(col).unit
            return {"beds": "张", "persons": "人", "vehicles": "辆", "places": "个",
                    "units": "台"}.get(unit, unit)
    return ""


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
        item, "按设置标准 (每N万居民1个)", f"至少 ⌈城镇人口 ÷ {per_max:,.0f}⌉ 个, "
        f"至多 ⌈城镇人口 ÷ {per_min:,.0f}⌉ 个",
        f"{year}年城镇人口 {_fmt(urban)} → {low}–{high} 个", source, "个", float(low),
        float(_open_count(region, subtypes, cur_year)) if cur_year else None, cur_year,
        f"每{per_min / 1e4:g}万—{per_max / 1e4:g}万居民1个", year)


def _beds_demand_row(region: Region, code: str, base_year: int, year: int,
                     bands_at_year: Mapping[str, float], svc: ServiceAssumptions
                     ) -> tuple[dict[str, Any], float] | None:
    util = region.utilisation
    u_years = sorted(int(y) for y in util["year"].dropna().unique())
    how_rates: str
    if svc.admission_rates_per_1k is not None:
        rates = dict(svc.admission_rates_per_1k)
        how_rates = "年龄别住院率: 假设文件"
    else:
        if not u_years:
            return None
        u_year = max((y for y in u_years if y <= base_year), default=u_years[-1])
        admissions = float(util[util["year"] == u_year]["admissions"].fillna(0).sum())
        pop_rows = region.population[(region.population["area_code"] == code)
                                     & (region.population["year"] == u_year)]
        if pop_rows.empty or any(pd.isna(pop_rows[b].iloc[0]) for b in BANDS) \
                or admissions <= 0:
            return None
        pop_bands = {b: float(pop_rows[b].iloc[0]) for b in BANDS}
        rates = derive_admission_rates(admissions, pop_bands, svc.admission_age_profile)
        crude = 1000 * admissions / sum(pop_bands.values())
        how_rates = (f"住院率由{u_year}年入院人数 {_fmt(admissions)} ÷ 常住人口 "
                     f"{_fmt(sum(pop_bands.values()))} = {crude:.1f}‰ 按年龄构成分配 "
                     f"(65岁以上 {rates['age_65_69']:.0f}–{rates['age_85p']:.0f}‰)")
    if svc.alos_days is not None:
        alos, how_alos = svc.alos_days, f"平均住院日 {svc.alos_days:g} 天 (假设文件)"
    else:
        if not u_years:
            return None
        last = util[util["year"] == u_years[-1]]
        discharges = float(last["discharges"].fillna(0).sum())
        days = float(last["discharged_bed_days"].fillna(0).sum())
        kind = "出院者占用总床日数"
        if days <= 0:
            days, kind = float(last["bed_days_occupied"].fillna(0).sum()), "实际占用总床日数"
        if discharges <= 0 or days <= 0:
            return None
        alos = days / discharges
        how_alos = (f"平均住院日 {alos:.2f} 天 = {u_years[-1]}年{kind} {_fmt(days)} ÷ "
                    f"出院人数 {_fmt(discharges)}")
    admissions_y = sum(rates[b] / 1000 * bands_at_year[b] for b in BANDS)
    beds = bed_need(bands_at_year, admission_rates_per_1k=rates, alos_days=alos,
                    occupancy_pct=svc.target_occupancy_pct, outflow_pct=svc.outflow_pct,
                    inflow_pct=svc.inflow_pct)
    row = {
        "item": "床位（需求法）", "method": "卫生服务需求法",
        "formula": "Σ(年龄别住院率 × 年龄别人口) × 平均住院日 ÷ (365 × 目标病床使用率) "
                   "× (1 + 外流率 − 流入率)",
        "inputs": f"{year}年预计住院 {_fmt(admissions_y)} 人次; {how_rates}; {how_alos}",
        "assumptions": f"目标病床使用率 {svc.target_occupancy_pct:g}%, 外流 "
                       f"{svc.outflow_pct:g}%, 流入 {svc.inflow_pct:g}%",
        "unit": "张",
    }
    return row, beds


def needs_to_xlsx(result: NeedsResult, path: str | Path) -> Path:
    """Write the needs to an Excel workbook with Chinese headers; return the path.

    Sheets: 需要量 (the table), 人口预测 (projection, county), 预测说明 (the explain lines),
    目标路径 (per-population targets × projected population per year).
    """
    path = Path(path)
    with xlsx_writer(path) as writer:
        result.table.rename(columns=COLUMNS_ZH).to_excel(writer, sheet_name="需要量", index=False)
        result.projection.to_excel(writer, sheet_name="人口预测", index=False)
        pd.DataFrame({"说明": result.explain + result.notes}).to_excel(
            writer, sheet_name="预测说明", index=False)
        result.path.to_excel(writer, sheet_name="目标路径", index=False)
    return path

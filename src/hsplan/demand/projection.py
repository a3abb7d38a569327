"""Population projection: cohort-component by 5-year band and sex, or geometric growth.

`project_population(population, base_year=…, target_year=…, assumptions=…)` takes the
``population`` table of the model (area × year, both-sexes 5-year bands of
`schema.AGE_BAND_IDS`, male/female totals) and returns the projected population per area ×
year × age band, in persons (floats, not rounded). `projection_steps` returns the yearly
account (start, births, deaths, net migration, end) and `explain_projection` turns it into
lines a planner can check by hand.

Cohort-component method (one-year steps on 5-year bands)
--------------------------------------------------------
For each sex and band *i* (0–4 … 80–84, 85+), from the population P at the start of a year:

1. deaths        D_i = P_i × q_i, with q_i = 1 − exp(−m_i) and m_i the band's central death
                 rate from the life table (`model_life_table`, or rates stated per band);
2. survivors     S_i = P_i − D_i;
3. ageing        one fifth of each band's survivors moves up one band (a 5-year band holds
                 five single-year cohorts): P'_i = ⅘ S_i + ⅕ S_{i−1}; the open band 85+
                 keeps all its survivors: P'_85+ = S_85+ + ⅕ S_80–84;
4. births        B = Σ_{15–19…45–49} ASFR_i × F_i (women at the start of the year), with
                 ASFR_i = TFR × share_i / 5; boys B × SRB / (100 + SRB); a birth cohort loses
                 B × q0 (infant mortality) in its birth year; the survivors enter band 0–4;
5. migration     the year's net migrants, split by the age profile and the sex share, are
                 added at the end of the year.

So end = start + births − deaths + net migration, exactly, each year (deaths include the
infant deaths of the year's births).

Sex split: the model keeps bands for both sexes together. They are split by the share of
men in each band of the county's 2020 census (`male_shares_from_census`) when the region
is a real county; otherwise 50/50. The result's ``attrs["notes"]`` says which.

Life table (`model_life_table`): a Gompertz–Makeham model, μ(x) = λ + a·e^{βx} for x ≥ 1,
with the infant mortality q0 for age 0, whose level `a` is solved so that the table's life
expectancy at birth equals the stated e0 (Gompertz 1825; Makeham 1860; see Preston,
Heuveline & Guillot, *Demography*, 2001, ch. 3 for abridged life tables).

Growth method: P(t) = P(base) × (1 + r)^(t − base) for every band, with r the geometric
mean annual growth of the area's observed totals (first to last year up to the base year),
or the rate given in the assumptions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hsplan._i18n import _
from hsplan.errors import DataSourceError, HsplanError, Problem
from hsplan.region import schema

BANDS: tuple[str, ...] = schema.AGE_BAND_IDS
N_BANDS = len(BANDS)
FERTILE_BANDS: tuple[str, ...] = BANDS[3:10]  # 15–19 … 45–49
SEXES = ("male", "female")
TOTAL_BAND = "total"
Method = Literal["cohort", "growth"]
METHODS = ("cohort", "growth")
MAX_AGE = 120


@dataclass(frozen=True)
class DemographicAssumptions:
    """The demographic assumptions of a projection (see ``data/assumptions/default.yaml``).

    Rates: `tfr` children per woman; `asfr_shares` the share of the TFR born to women of each
    band 15–19 … 45–49 (sums to 1); `sex_ratio_at_birth` boys per 100 girls; `e0_male`,
    `e0_female` years; `infant_mortality_per_1k` deaths before age 1 per 1,000 births;
    `gompertz_slope` β per year; `makeham` λ per year; `mx` optional central death rates per
    band and sex (overrides the model life table); `net_migration_per_year` persons;
    `migration_age_shares` per band (sums to 1); `migration_male_share` 0–1;
    `growth_rate_pct` % per year for the growth method (None: observed);
    `urban_share_change_pp` percentage points per year (None: observed).
    """

    tfr: float
    asfr_shares: Mapping[str, float]
    sex_ratio_at_birth: float
    e0_male: float
    e0_female: float
    infant_mortality_per_1k: float
    gompertz_slope: float = 0.095
    makeham: float = 0.0003
    mx: Mapping[str, Mapping[str, float]] | None = None
    net_migration_per_year: float = 0.0
    migration_age_shares: Mapping[str, float] = field(default_factory=dict)
    migration_male_share: float = 0.5
    growth_rate_pct: float | None = None
    urban_share_change_pp: float | None = None
    sources: Mapping[str, str] = field(default_factory=dict)


def demography_from_dict(raw: Any, *, file: str, problems: list[Problem]
                         ) -> DemographicAssumptions | None:
    """Return the `DemographicAssumptions` of the ``demography`` section of an assumptions
    file, appending every problem found to `problems` (None when any is an error)."""
    n_before = len(problems)

    def bad(column: str, expected: str, got: Any, fix: str) -> None:
        problems.append(Problem(_("invalid assumption"), file=file, sheet="demography",
                                column=column, expected=expected, got=str(got), fix=fix))

    def section(name: str) -> dict[str, Any]:
        value = raw.get(name) if isinstance(raw, dict) else None
        if not isinstance(value, dict):
            bad(name, _("a mapping"), value,
                _("add a `{name}:` section (see default.yaml)").format(name=name))
            return {}
        return value

    def number(sec: dict[str, Any], sec_name: str, key: str, *, lo: float, hi: float,
               optional: bool = False, default: float | None = None) -> float | None:
        entry = sec.get(key, default)
        value = entry.get("value") if isinstance(entry, dict) else entry
        if value is None and (optional or default is not None):
            return default
        if value in ("observed",) and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not lo <= float(value) <= hi:
            what = _("a number in {low}–{high}").format(low=f"{lo:g}", high=f"{hi:g}")
            bad(f"{sec_name}.{key}", what, value,
                _("set {key}.value to {what}").format(key=f"{sec_name}.{key}", what=what))
            return None
        return float(value)

    def shares(sec: dict[str, Any], sec_name: str, key: str, bands: Sequence[str]
               ) -> dict[str, float]:
        entry = sec.get(key)
        value = entry.get("value") if isinstance(entry, dict) and "value" in entry else entry
        if not isinstance(value, dict) or set(value) != set(bands) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                for v in value.values()):
            bad(f"{sec_name}.{key}",
                _("a share ≥ 0 for each of {bands}").format(bands=", ".join(bands)),
                value, _("give one share per band under {key}").format(key=f"{sec_name}.{key}"))
            return {}
        total = sum(float(v) for v in value.values())
        if abs(total - 1) > 1e-3:
            bad(f"{sec_name}.{key}", _("shares summing to 1"), f"{total:g}",
                _("rescale the shares under {key} so they sum to 1").format(
                    key=f"{sec_name}.{key}"))
            return {}
        return {b: float(value[b]) for b in bands}

    fert, mort, mig = section("fertility"), section("mortality"), section("migration")
    growth = raw.get("growth", {}) if isinstance(raw, dict) else {}
    urban = raw.get("urbanisation", {}) if isinstance(raw, dict) else {}
    tfr = number(fert, "fertility", "tfr", lo=0, hi=10)
    asfr = shares(fert, "fertility", "asfr_shares", FERTILE_BANDS)
    srb = number(fert, "fertility", "sex_ratio_at_birth", lo=80, hi=140)
    e0m = number(mort, "mortality", "e0_male", lo=20, hi=100)
    e0f = number(mort, "mortality", "e0_female", lo=20, hi=100)
    q0 = number(mort, "mortality", "infant_mortality_per_1k", lo=0, hi=300)
    slope = number(mort, "mortality", "gompertz_slope", lo=0.01, hi=0.3, default=0.095)
    makeham = number(mort, "mortality", "makeham", lo=0, hi=0.05, default=0.0003)
    mx = mort.get("mx")
    mx_value = mx.get("value") if isinstance(mx, dict) and "value" in mx else mx
    if mx_value is not None and not (
            isinstance(mx_value, dict) and set(mx_value) == set(SEXES)
            and all(isinstance(mx_value[s], dict) and set(mx_value[s]) == set(BANDS)
                    and all(isinstance(v, (int, float)) and 0 <= v < 5
                            for v in mx_value[s].values()) for s in SEXES)):
        bad("mortality.mx", _("male: and female: rates 0–5 for every band age_00_04 … age_85p"),
            mx_value, _("give both sexes and all 18 bands, or remove mx to use the model table"))
        mx_value = None
    net = number(mig, "migration", "net_per_year", lo=-1e8, hi=1e8, default=0.0)
    mig_shares = shares(mig, "migration", "age_shares", BANDS)
    male_share = number(mig, "migration", "male_share", lo=0, hi=1, default=0.5)
    rate = number(growth if isinstance(growth, dict) else {}, "growth", "rate_pct_per_year",
                  lo=-50, hi=50, optional=True)
    upp = number(urban if isinstance(urban, dict) else {}, "urbanisation",
                 "change_pp_per_year", lo=-10, hi=10, optional=True)
    if len(problems) > n_before:
        return None
    sources = {}
    for sec_name, sec in (("fertility", fert), ("mortality", mort), ("migration", mig)):
        for key, entry in sec.items():
            if isinstance(entry, dict) and "source" in entry:
                sources[f"{sec_name}.{key}"] = str(entry["source"])
    assert tfr is not None and srb is not None and e0m is not None and e0f is not None
    assert q0 is not None and slope is not None and makeham is not None
    assert net is not None and male_share is not None
    return DemographicAssumptions(
        tfr=tfr, asfr_shares=asfr, sex_ratio_at_birth=srb, e0_male=e0m, e0_female=e0f,
        infant_mortality_per_1k=q0, gompertz_slope=slope, makeham=makeham,
        mx={s: {b: float(mx_value[s][b]) for b in BANDS} for s in SEXES} if mx_value else None,
        net_migration_per_year=net, migration_age_shares=mig_shares,
        migration_male_share=male_share, growth_rate_pct=rate, urban_share_change_pp=upp,
        sources=sources,
    )


# --- life table ----------------------------------------------------------------------------


def _single_year_table(level: float, *, q0: float, slope: float, makeham: float
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Return l(x) for x = 0…MAX_AGE and L(x) for x = 0…MAX_AGE−1 (radix 1)."""
    lx = np.empty(MAX_AGE + 1)
    lx[0] = 1.0
    lx[1] = 1.0 - q0
    ages = np.arange(1, MAX_AGE)
    cum_hazard = makeham + level / slope * (np.exp(slope * (ages + 1)) - np.exp(slope * ages))
    lx[2:] = lx[1] * np.exp(-np.cumsum(cum_hazard))
    big_l = (lx[:-1] + lx[1:]) / 2
    big_l[0] = lx[1] + 0.1 * q0  # a0 = 0.1: infant deaths fall early in the first year
    return lx, big_l


def model_life_table(e0: float, *, infant_mortality_per_1k: float, gompertz_slope: float = 0.095,
                     makeham: float = 0.0003) -> pd.DataFrame:
    """Return an abridged life table by 5-year band whose life expectancy at birth is `e0`.

    Columns: ``age_band`` (`schema.AGE_BAND_IDS`), ``lx`` (survivors at the band's start
    age, radix 1), ``Lx`` (person-years lived in the band), ``dx`` (deaths in the band),
    ``mx`` (central death rate = dx / Lx, per person-year), ``q1`` (probability of dying
    within one year at the band's rate = 1 − exp(−mx)); ``attrs["e0"]`` holds the table's
    e0 in years and ``attrs["level"]`` the solved Gompertz level `a`.

    Notes
    -----
    μ(x) = λ + a·e^{βx} for ages ≥ 1 (Gompertz–Makeham), l(1) = 1 − q0, L0 = l1 + 0.1·q0,
    L(x) = (l(x) + l(x+1)) / 2 above age 0, ages to 120; `a` is found by bisection
    (e0 falls as `a` rises). Raises HsplanError when `e0` is out of the model's reach.
    """
    q0 = infant_mortality_per_1k / 1000

    def e0_of(level: float) -> float:
        return float(_single_year_table(level, q0=q0, slope=gompertz_slope,
                                        makeham=makeham)[1].sum())

    lo, hi = 1e-12, 1.0
    if not e0_of(hi) <= e0 <= e0_of(lo):
        raise HsplanError(
            _("life table: expected a life expectancy the model can reach ({low}–{high} years "
              "with q0 {q0}‰, slope {slope}, Makeham {makeham}), got {e0}. Fix: change "
              "mortality.e0_* or mortality.makeham in the assumptions file.").format(
                low=f"{e0_of(hi):.1f}", high=f"{e0_of(lo):.1f}",
                q0=f"{infant_mortality_per_1k:g}", slope=f"{gompertz_slope:g}",
                makeham=f"{makeham:g}", e0=f"{e0:g}"))
    for _step in range(200):
        mid = math.sqrt(lo * hi)
        if e0_of(mid) > e0:
            lo = mid
        else:
            hi = mid
    level = math.sqrt(lo * hi)
    lx, big_l = _single_year_table(level, q0=q0, slope=gompertz_slope, makeham=makeham)
    rows = []
    for i, band in enumerate(BANDS):
        start = 5 * i
        end = start + 5 if i < N_BANDS - 1 else MAX_AGE
        l_start = float(lx[start])
        deaths = l_start - float(lx[end])
        person_years = float(big_l[start:end].sum())
        mx = deaths / person_years
        rows.append({"age_band": band, "lx": l_start, "Lx": person_years, "dx": deaths,
                     "mx": mx, "q1": 1 - math.exp(-mx)})
    table = pd.DataFrame(rows)
    table.attrs["e0"] = float(big_l.sum())
    table.attrs["level"] = level
    return table


def annual_death_probabilities(assumptions: DemographicAssumptions) -> dict[str, np.ndarray]:
    """Return, per sex, the probability of dying within a year in each band (18 values),
    1 − exp(−mx), from the stated ``mx`` or the model life table for e0."""
    if assumptions.mx is not None:
        return {s: 1 - np.exp(-np.array([assumptions.mx[s][b] for b in BANDS]))
                for s in SEXES}
    out = {}
    for sex, e0 in (("male", assumptions.e0_male), ("female", assumptions.e0_female)):
        table = model_life_table(e0, infant_mortality_per_1k=assumptions.infant_mortality_per_1k,
                                 gompertz_slope=assumptions.gompertz_slope,
                                 makeham=assumptions.makeham)
        out[sex] = table["q1"].to_numpy()
    return out


# --- sex split -----------------------------------------------------------------------------


def male_shares_from_census(county_code: str) -> dict[str, float] | None:
    """Return the share of men in each band (0–1) in the county's 2020 census, or None when
    the bundled census has no row for the code."""
    from hsplan.region import reference

    try:
        census = reference.census(county_code)
    except (DataSourceError, HsplanError, KeyError):
        return None
    shares = {}
    for band in BANDS:
        both = census.get(band) or 0
        male = census.get(f"male_{band}") or 0
        shares[band] = male / both if both else 0.5
    return shares


# --- projection ----------------------------------------------------------------------------


def _demography(assumptions: Any) -> DemographicAssumptions:
    demo = getattr(assumptions, "demography", assumptions)
    if not isinstance(demo, DemographicAssumptions):
        raise HsplanError(
            _("projection: expected DemographicAssumptions or an Assumptions object with "
              "`.demography`, got {type}. Fix: load them with "
              "hsplan.demand.needs.load_assumptions().").format(
                type=type(assumptions).__name__))
    return demo


def _base_rows(population: pd.DataFrame, base_year: int,
               area_codes: Sequence[str] | None) -> pd.DataFrame:
    base = population[population["year"] == base_year]
    if area_codes is not None:
        missing = sorted(set(area_codes) - set(base["area_code"].astype(str)))
        if missing:
            raise HsplanError(
                _("population, year {year}: expected a row for area {areas}, got none. Fix: "
                  "choose a base year the population table has for these areas, or enter "
                  "their population.").format(year=base_year, areas=", ".join(missing)))
        base = base[base["area_code"].isin(list(area_codes))]
    if base.empty:
        raise HsplanError(
            _("population: expected rows for the base year {year}, got none. Fix: choose a "
              "year the population table has (hsplan data show PROJECT).").format(
                year=base_year))
    return base.reset_index(drop=True)


def _has_bands(row: pd.Series) -> bool:
    return bool(all(pd.notna(row[b]) for b in BANDS))


def _cohort(population: pd.DataFrame, *, base_year: int, target_year: int,
            assumptions: DemographicAssumptions, male_shares: Mapping[str, float] | None,
            area_codes: Sequence[str] | None
            ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    base = _base_rows(population, base_year, area_codes)
    notes: list[str] = []
    if male_shares is None:
        male = np.full(N_BANDS, 0.5)
        notes.append(_("bands split 50/50 by sex (no census sex ratio for this region)"))
    else:
        male = np.array([male_shares[b] for b in BANDS])
        notes.append(_("bands split by sex with the share of men per band of the 2020 census"))
    q = annual_death_probabilities(assumptions)
    q0 = assumptions.infant_mortality_per_1k / 1000
    asfr = np.zeros(N_BANDS)
    for band, share in assumptions.asfr_shares.items():
        asfr[BANDS.index(band)] = assumptions.tfr * share / 5
    boy_share = assumptions.sex_ratio_at_birth / (100 + assumptions.sex_ratio_at_birth)
    mig_profile = np.array([assumptions.migration_age_shares.get(b, 0.0) for b in BANDS])
    with_bands = base[base.apply(_has_bands, axis=1)]
    skipped = sorted(set(base["area_code"].astype(str)) - set(with_bands["area_code"].astype(str)))
    if skipped:
        notes.append(_("{n} area(s) without age bands in {year} not projected by the cohort "
                       "method: {codes}").format(n=len(skipped), year=base_year,
                                                 codes=", ".join(skipped[:5])
                                                 + (" …" if len(skipped) > 5 else "")))
    if with_bands.empty:
        raise HsplanError(
            _("population, year {year}: expected the 5-year age bands ({first} … {last}) for "
              "the cohort method, got none. Fix: enter the bands, or use --method "
              "growth.").format(year=base_year, first=BANDS[0], last=BANDS[-1]))
    # Net migration is a figure for the top area (the county): each area gets its share of
    # the population of the top-level areas (shortest code), so townships add up to it.
    lengths = with_bands["area_code"].astype(str).str.len()
    top = with_bands[lengths == lengths.min()]
    county_total = float(top[list(BANDS)].astype(float).to_numpy().sum())
    rows: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for _i, row in with_bands.iterrows():
        code = str(row["area_code"])
        both = row[list(BANDS)].astype(float).to_numpy()
        pop = {"male": both * male, "female": both * (1 - male)}
        area_total = both.sum()
        migrants = assumptions.net_migration_per_year * area_total / county_total
        _emit(rows, code, base_year, pop)
        for year in range(base_year + 1, target_year + 1):
            start = pop["male"].sum() + pop["female"].sum()
            births = float((asfr * pop["female"]).sum())
            new: dict[str, np.ndarray] = {}
            deaths = 0.0
            for sex in SEXES:
                d = pop[sex] * q[sex]
                surv = pop[sex] - d
                moved = surv / 5
                nxt = surv - moved
                nxt[1:] += moved[:-1]
                nxt[-1] += moved[-1]  # the open band keeps its survivors
                sex_births = births * (boy_share if sex == "male" else 1 - boy_share)
                infant_deaths = sex_births * q0
                nxt[0] += sex_births - infant_deaths
                share = assumptions.migration_male_share if sex == "male" \
                    else 1 - assumptions.migration_male_share
                nxt += migrants * share * mig_profile
                new[sex] = nxt
                deaths += float(d.sum()) + infant_deaths
            pop = new
            end = pop["male"].sum() + pop["female"].sum()
            steps.append({"area_code": code, "year": year, "start": start, "births": births,
                          "deaths": deaths, "migration": migrants, "end": float(end)})
            _emit(rows, code, year, pop)
    return pd.DataFrame(rows), pd.DataFrame(steps, columns=STEP_COLUMNS), notes


STEP_COLUMNS = ["area_code", "year", "start", "births", "deaths", "migration", "end"]
RESULT_COLUMNS = ["area_code", "year", "age_band", "male", "female", "pop"]


def _emit(rows: list[dict[str, Any]], code: str, year: int, pop: Mapping[str, np.ndarray],
          ) -> None:
    for i, band in enumerate(BANDS):
        m, f = float(pop["male"][i]), float(pop["female"][i])
        rows.append({"area_code": code, "year": year, "age_band": band, "male": m,
                     "female": f, "pop": m + f})
    m, f = float(pop["male"].sum()), float(pop["female"].sum())
    rows.append({"area_code": code, "year": year, "age_band": TOTAL_BAND, "male": m,
                 "female": f, "pop": m + f})


def observed_growth_rate(population: pd.DataFrame, area_code: str, *, up_to: int
                         ) -> float | None:
    """Return the geometric mean annual growth rate (fraction per year) of an area's
    observed totals from its first year to its last year ≤ `up_to`; None with < 2 years.

    Notes
    -----
    r = (P_last / P_first)^(1 / (last − first)) − 1.
    """
    rows = population[(population["area_code"] == area_code) & (population["year"] <= up_to)
                      & population["total"].notna()].sort_values("year")
    if len(rows) < 2:
        return None
    first, last = rows.iloc[0], rows.iloc[-1]
    years = int(last["year"]) - int(first["year"])
    return float((float(last["total"]) / float(first["total"])) ** (1 / years) - 1)


def _growth(population: pd.DataFrame, *, base_year: int, target_year: int,
            assumptions: DemographicAssumptions, area_codes: Sequence[str] | None
            ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    base = _base_rows(population, base_year, area_codes)
    rows: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    notes: list[str] = []
    for _i, row in base.iterrows():
        code = str(row["area_code"])
        if assumptions.growth_rate_pct is not None:
            rate = assumptions.growth_rate_pct / 100
        else:
            observed = observed_growth_rate(population, code, up_to=base_year)
            if observed is None:
                notes.append(_("{code}: one year of data, growth rate 0").format(code=code))
            rate = observed or 0.0
        total = float(row["total"]) if pd.notna(row["total"]) else None
        bands = row[list(BANDS)].astype(float).to_numpy() if _has_bands(row) else None
        if total is None:
            total = float(bands.sum()) if bands is not None else 0.0
        male_total = float(row["male"]) if pd.notna(row["male"]) else None
        male_share = male_total / total if male_total is not None and total else None
        for year in range(base_year, target_year + 1):
            factor = (1 + rate) ** (year - base_year)
            if bands is not None:
                for band, value in zip(BANDS, bands, strict=True):
                    rows.append({"area_code": code, "year": year, "age_band": band,
                                 "male": math.nan, "female": math.nan, "pop": value * factor})
            pop = total * factor
            male = pop * male_share if male_share is not None else math.nan
            rows.append({"area_code": code, "year": year, "age_band": TOTAL_BAND, "male": male,
                         "female": pop - male if male_share is not None else math.nan,
                         "pop": pop})
            if year > base_year:
                start = total * (1 + rate) ** (year - 1 - base_year)
                steps.append({"area_code": code, "year": year, "start": start,
                              "births": math.nan, "deaths": math.nan,
                              "migration": math.nan, "end": pop, "rate": rate})
    columns = [*STEP_COLUMNS, "rate"]
    return pd.DataFrame(rows), pd.DataFrame(steps, columns=columns), notes


def _run(population: pd.DataFrame, *, base_year: int, target_year: int, assumptions: Any,
         method: str, male_shares: Mapping[str, float] | None,
         area_codes: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    demo = _demography(assumptions)
    if method not in METHODS:
        raise HsplanError(_("projection method {method}: expected one of {names}. Fix: use "
                            "--method cohort or --method growth.").format(
            method=repr(method), names=", ".join(METHODS)))
    if target_year < base_year:
        raise HsplanError(_("projection: expected a target year ≥ the base year {base}, got "
                            "{year}. Fix: choose a later year.").format(base=base_year,
                                                                        year=target_year))
    if method == "cohort":
        table, steps, notes = _cohort(population, base_year=base_year, target_year=target_year,
                                      assumptions=demo, male_shares=male_shares,
                                      area_codes=area_codes)
    else:
        table, steps, notes = _growth(population, base_year=base_year, target_year=target_year,
                                      assumptions=demo, area_codes=area_codes)
    table = table.reindex(columns=RESULT_COLUMNS)
    table.attrs["notes"] = notes
    table.attrs["method"] = method
    steps.attrs["method"] = method
    return table, steps, notes


def project_population(population: pd.DataFrame, *, base_year: int, target_year: int,
                       assumptions: Any, method: Method = "cohort",
                       male_shares: Mapping[str, float] | None = None,
                       area_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the projected population per area × year × age band (and total), in persons.

    Columns: ``area_code``, ``year`` (base_year … target_year), ``age_band`` (a band id of
    `schema.AGE_BAND_IDS`, or ``total``), ``male``, ``female``, ``pop`` (floats, unrounded;
    male/female empty in the growth method where the base row has no sex totals).
    ``attrs["notes"]`` lists what the projection assumed about the data (sex split, areas
    left out). `assumptions` is a `DemographicAssumptions` or an object with
    ``.demography`` (`hsplan.demand.needs.load_assumptions`); `male_shares` the share of men per
    band (e.g. `male_shares_from_census`; None: 50/50); `area_codes` limits the areas.

    Notes
    -----
    The methods and their formulas are in the module docstring. The input is not changed.
    """
    table, _steps, _notes = _run(population, base_year=base_year, target_year=target_year,
                       assumptions=assumptions, method=method, male_shares=male_shares,
                       area_codes=area_codes)
    return table


def projection_steps(population: pd.DataFrame, *, base_year: int, target_year: int,
                     assumptions: Any, method: Method = "cohort",
                     male_shares: Mapping[str, float] | None = None,
                     area_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the yearly account of each projected area, in persons.

    Columns: ``area_code``, ``year``, ``start`` (population at the start of the year),
    ``births``, ``deaths`` (incl. infant deaths of the year's births), ``migration`` (net),
    ``end``; end = start + births − deaths + migration. The growth method has no components
    (births, deaths, migration empty) and adds ``rate`` (fraction per year).
    """
    _table, steps, _notes = _run(population, base_year=base_year, target_year=target_year,
                       assumptions=assumptions, method=method, male_shares=male_shares,
                       area_codes=area_codes)
    return steps


def explain_projection(steps: pd.DataFrame, *, area_code: str,
                       area_name: str | None = None) -> list[str]:
    """Return the projection of one area as lines of text, one per year, each a checkable
    sum in persons (e.g. ``2024: 256,175 + 2,050 births − 1,830 deaths + 0 net migrants
    = 256,395``)."""
    rows = steps[steps["area_code"] == area_code].sort_values("year")
    label = f"{area_name} ({area_code})" if area_name else area_code
    if rows.empty:
        return [_("{area}: no projection steps (the base year is the target year)").format(
            area=label)]
    method = steps.attrs.get("method", "cohort")
    method_name = {"cohort": _("cohort-component"), "growth": _("growth")}.get(method, method)
    lines = [_("{area}: population projection, {method} method, persons at year end").format(
        area=label, method=method_name)]
    for r in rows.to_dict("records"):
        year, start, end = int(r["year"]), float(r["start"]), float(r["end"])
        if method == "growth" or pd.isna(r["births"]):
            rate = float(r.get("rate", math.nan))
            lines.append(f"{year}: {start:,.0f} × (1 + {rate * 100:.3f}%) = {end:,.0f}")
        else:
            births, deaths, mig = float(r["births"]), float(r["deaths"]), float(r["migration"])
            lines.append(
                _("{year}: {start} + {births} births − {deaths} deaths {sign} {migrants} net "
                  "migrants = {end}").format(
                    year=year, start=f"{start:,.0f}", births=f"{births:,.0f}",
                    deaths=f"{deaths:,.0f}", sign="+" if mig >= 0 else "−",
                    migrants=f"{abs(mig):,.0f}", end=f"{end:,.0f}"))
    return lines


def project_urban_share(population: pd.DataFrame, area_code: str, *, base_year: int,
                        target_year: int, change_pp_per_year: float | None = None
                        ) -> tuple[float, float, str]:
    """Return (urban share at the base year, urban share at the target year, how), shares
    0–1, for one area.

    Notes
    -----
    share(t) = share(base) + Δ × (t − base), Δ in percentage points per year: the given
    `change_pp_per_year`, else the mean observed change of urban / total over the area's
    years ≤ base_year ((last − first) / years), else 0; clipped to 0–1. Raises HsplanError
    when the base-year row has no urban and rural population.
    """
    rows = population[(population["area_code"] == area_code) & (population["year"] <= base_year)
                      & population["urban"].notna() & population["total"].notna()]
    rows = rows.sort_values("year")
    base = rows[rows["year"] == base_year]
    if base.empty:
        raise HsplanError(
            _("population, area {area}, year {year}: expected 城镇人口 (urban), got none. Fix: "
              "enter the urban and rural population of the county.").format(area=area_code,
                                                                            year=base_year))
    share0 = float(base["urban"].iloc[0]) / float(base["total"].iloc[0])
    if change_pp_per_year is not None:
        delta = change_pp_per_year / 100
        how = _("{change} pp/year (assumption)").format(change=f"{change_pp_per_year:+.2f}")
    elif len(rows) >= 2:
        first, last = rows.iloc[0], rows.iloc[-1]
        s1 = float(first["urban"]) / float(first["total"])
        s2 = float(last["urban"]) / float(last["total"])
        delta = (s2 - s1) / (int(last["year"]) - int(first["year"]))
        how = _("{change} pp/year (observed {first}–{last})").format(
            change=f"{delta * 100:+.2f}", first=int(first["year"]), last=int(last["year"]))
    else:
        delta, how = 0.0, _("held at the base year (one year of data)")
    share1 = min(1.0, max(0.0, share0 + delta * (target_year - base_year)))
    return share0, share1, how


def grown_by_township(pop: Sequence[float], township_codes: Sequence[str],
                      population: pd.DataFrame, *, base_year: int, target_year: int,
                      assumptions: Any, method: Method = "cohort",
                      male_shares: Mapping[str, float] | None = None
                      ) -> tuple[np.ndarray, list[str]]:
    """Return small areas' populations (villages) carried from `base_year` to `target_year`,
    and notes: each area's population × its township's projected growth
    P_t(target) / P_t(base), from `project_population` of the township's own rows (persons,
    floats). A township without a base-year population grows as the townships that have
    one, together; a note says how many did.

    Villages hold totals only, so the age structure that drives the cohort method is the
    township's: a village grows as its township does (a proportional split of the
    township's projection; it keeps the village's share of its township).
    """
    codes = sorted({str(c) for c in township_codes})
    rows = population[population["area_code"].astype(str).isin(codes)
                      & (population["year"] == base_year) & population["total"].notna()]
    known = sorted(set(rows["area_code"].astype(str)))
    if not known:
        raise HsplanError(_("population: expected the townships' population in {year} to "
                            "project from, got none. Fix: import the townships' 常住人口 for "
                            "{year}.").format(year=base_year))
    table = project_population(population, base_year=base_year, target_year=target_year,
                               assumptions=assumptions, method=method,
                               male_shares=male_shares, area_codes=known)
    totals = table[table["age_band"] == TOTAL_BAND]
    start = totals[totals["year"] == base_year].set_index("area_code")["pop"].astype(float)
    end = totals[totals["year"] == target_year].set_index("area_code")["pop"].astype(float)
    ratio = {str(c): float(end[c] / start[c]) for c in start.index if start[c] > 0}
    overall = float(end.sum() / start.sum()) if start.sum() > 0 else 1.0
    notes = list(table.attrs.get("notes", []))
    missing = [c for c in codes if c not in ratio]
    if missing:
        notes.append(_("{n} township(s) without population in {year} grow as the others "
                       "together (× {factor:.4f})").format(n=len(missing), year=base_year,
                                                          factor=overall))
    factors = np.array([ratio.get(str(c), overall) for c in township_codes], dtype=float)
    return np.asarray(pop, dtype=float) * factors, notes

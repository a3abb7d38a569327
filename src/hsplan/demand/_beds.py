"""The bed 需求法 (卫生服务需求法) of `hsplan.demand.needs`: the formula (`bed_need`), admission
rates from the region's admissions (`derive_admission_rates`), and `bed_demand`, the
admissions, shares, stays, occupancy and beds per level of care of one target year (the
names are re-exported from `hsplan.demand.needs`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from hsplan._i18n import N_, _
from hsplan.demand._assumptions import ServiceAssumptions
from hsplan.demand.projection import BANDS
from hsplan.errors import HsplanError
from hsplan.plans.catalog import load_catalog
from hsplan.plans.indicators import compute
from hsplan.region import schema
from hsplan.region.model import Region

# --- formulas ------------------------------------------------------------------------------


def bed_need(pop_by_band: Mapping[str, float], *, admission_rates_per_1k: Mapping[str, float],
             alos_days: float, occupancy_pct: float, outflow_pct: float = 0.0,
             inflow_pct: float = 0.0) -> float:
    """Return the beds needed by the demand method for one level of care, in beds (unrounded).

    Notes
    -----
    residents' admissions R = Σ_b rate_b / 1000 × pop_b; admissions in the county's own
    facilities A = R × (1 − 外转 / 100) ÷ (1 − 流入 / 100) (外转: share of the residents'
    admissions treated outside; 流入: share of the local admissions that are non-residents);
    beds = A × ALOS ÷ (365 × occupancy / 100) — 卫生服务需求法 (NATIONAL_NORMS.md §5.1 (a):
    [Σ 年龄别人口 × 年龄别住院率 + 外地住院患者数] × 平均住院日 / 365 × 冗余系数; (b)).
    """
    if not 0 <= inflow_pct < 100:
        raise HsplanError(_("bed need: expected 流入 (inflow) in 0–<100 %, got {inflow}. Fix: "
                            "give the share of local admissions that are non-residents.").format(
            inflow=f"{inflow_pct:g}"))
    residents = sum(admission_rates_per_1k.get(b, 0.0) / 1000 * pop
                    for b, pop in pop_by_band.items())
    local = residents * (1 - outflow_pct / 100) / (1 - inflow_pct / 100)
    return local * alos_days / (365 * occupancy_pct / 100)


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
        raise HsplanError(_("admission rates: expected a population with people in the bands "
                            "of the age profile, got none. Fix: enter the age bands."))
    return {b: 1000 * admissions * profile[b] / weighted for b in pop_by_band}


# --- the beds of a target year, per level of care ------------------------------------------
LEVELS = ("hospital", "primary")
LEVEL_ZH = {"hospital": "医院及专业公共卫生机构", "primary": "基层医疗卫生机构"}
_LEVEL_WORDS = {"hospital": N_("hospitals and specialised public health institutions"),
                "primary": N_("primary care institutions")}


def level_word(level: str) -> str:
    """Return a level of care (hospital, primary) in the reader's language (`LEVEL_ZH` in
    Chinese)."""
    return _(_LEVEL_WORDS[level])


def _level_of(facilities: pd.DataFrame) -> pd.Series:
    """Level of care of each facility: ``primary`` for 基层医疗卫生机构, else ``hospital``."""
    category = facilities["category"].fillna(facilities["subtype"].map(schema.FACILITY_SUBTYPES))
    return pd.Series(["primary" if c == "基层医疗卫生机构" else "hospital" for c in category],
                     index=facilities.index)


def _by_level(region: Region, table: pd.DataFrame, columns: tuple[str, ...]
              ) -> dict[str, dict[str, float]]:
    """Column sums of `table` (resources or utilisation rows) per level of care."""
    fac = region.facilities
    level = dict(zip(fac["id"], _level_of(fac), strict=True))
    out: dict[str, dict[str, float]] = {lv: dict.fromkeys(columns, 0.0) for lv in LEVELS}
    lv_of_row = [level.get(f, "hospital") for f in table["facility_id"]]
    for col in columns:
        if col not in table.columns:
            continue
        values = table[col].astype(float).fillna(0.0)
        for lv, v in zip(lv_of_row, values, strict=True):
            out[lv][col] += float(v)
    return out


def _reported(region: Region, code: str, indicator_id: str, base_year: int
              ) -> tuple[float, int] | None:
    """The project's reported value of `indicator_id` for the county: the latest year ≤
    `base_year` (else the latest), with the year; None when not entered."""
    rep = region.reported
    if rep.empty:
        return None
    names = set(load_catalog().get(indicator_id).names) | {indicator_id}
    years = sorted({int(y) for y, k, a in zip(rep["year"], rep["indicator"], rep["area_code"],
                                              strict=True)
                    if str(k) in names and str(a) == code and not pd.isna(y)})
    if not years:
        return None
    year = max((y for y in years if y <= base_year), default=years[-1])
    result = compute(region, indicator_id, year=year, level="county")
    hit = result[(result["area_code"] == code) & (result["status"] == "ok")]
    return (float(hit["value"].iloc[0]), year) if len(hit) else None


@dataclass(frozen=True)
class BedDemand:
    """The bed 需求法 of one target year: residents' admissions, 外转/流入, the admissions of
    the county's own facilities, and per level of care its share, ALOS, occupancy and beds
    (whole beds, rounded up per level). `how` says where each input came from; `notes`
    what was assumed for want of data."""

    residents_admissions: float
    local_admissions: float
    outflow_pct: float
    inflow_pct: float
    shares: Mapping[str, float]
    alos_days: Mapping[str, float]
    occupancy_pct: Mapping[str, float]
    beds: Mapping[str, int]
    how: Mapping[str, str]
    notes: tuple[str, ...]
    outflow_known: bool = True

    @property
    def total(self) -> int:
        """Beds needed at every level, in beds."""
        return sum(self.beds.values())


def bed_demand(region: Region, code: str, *, base_year: int, year: int,
               bands_at_year: Mapping[str, float], pop_at_year: float,
               svc: ServiceAssumptions) -> BedDemand:
    """Return the bed need of `year` by the 卫生服务需求法 (`bed_need` per level of care).

    Notes
    -----
    Residents' admissions: the residents' 年住院率 (the project's reported admission_rate_pct,
    else the national figure of the assumptions) × the county's base-year population,
    spread over the age bands by the age profile and applied to the projected bands (so
    ageing raises admissions); or explicit band rates. 外转 = 100 − the reported 县域内就诊率,
    流入 = the reported 外地患者住院人次占比 (0 when not entered, with a note). The local
    admissions are split between 医院及专业公共卫生机构 and 基层医疗卫生机构 by their shares
    of the latest utilisation year, each with its own ALOS and target occupancy.
    """
    how: dict[str, str] = {}
    notes: list[str] = []
    outflow_known = True
    if svc.admission_rates_per_1k is not None:
        rates = dict(svc.admission_rates_per_1k)
        how["rate"] = _("admission rates by age: assumptions file")
    else:
        if svc.residents_admission_rate_pct is not None:
            rate_pct = svc.residents_admission_rate_pct
            how["rate"] = _("residents' admission rate {rate}% (assumptions file)").format(
                rate=f"{rate_pct:g}")
        elif (rep := _reported(region, code, "admission_rate_pct", base_year)) is not None:
            rate_pct = rep[0]
            how["rate"] = _("residents' admission rate {rate}% (reported by the project, "
                            "{year})").format(rate=f"{rate_pct:g}", year=rep[1])
        else:
            rate_pct = svc.national_admission_rate_pct
            how["rate"] = _("residents' admission rate {rate}% (national; {source})").format(
                rate=f"{rate_pct:g}", source=svc.sources.get(
                    "national_admission_rate_pct", "assumption").split(" (")[0])
            notes.append(_("the project reported no admission rate (admission_rate_pct): the "
                           "national {rate}% is used").format(rate=f"{rate_pct:g}"))
        pop = region.population
        base = pop[(pop["area_code"] == code) & (pop["year"] == base_year)]
        bands_base = {b: float(base[b].iloc[0]) for b in BANDS} \
            if len(base) and not any(pd.isna(base[b].iloc[0]) for b in BANDS) else None
        if bands_base and sum(bands_base.values()) > 0:
            rates = derive_admission_rates(rate_pct / 100 * sum(bands_base.values()),
                                           bands_base, svc.admission_age_profile)
            how["rate"] += _(", spread by the age structure (65 and over {low}–{high}‰)"
                             ).format(low=f"{rates['age_65_69']:.0f}",
                                      high=f"{rates['age_85p']:.0f}")
        else:
            rates = dict.fromkeys(BANDS, rate_pct * 10)
    residents = sum(rates.get(b, 0.0) / 1000 * p for b, p in bands_at_year.items()) \
        if sum(bands_at_year.values()) > 0 else \
        sum(rates.values()) / len(rates) / 1000 * pop_at_year

    if svc.outflow_pct is not None:
        outflow, how["outflow"] = svc.outflow_pct, _("outflow {pct}% (assumptions file)"
                                                     ).format(pct=f"{svc.outflow_pct:g}")
    elif (rep := _reported(region, code, "in_county_visit_rate_pct", base_year)) is not None:
        outflow = max(0.0, 100 - rep[0])
        how["outflow"] = _("outflow {pct}% (= 100 − in-county visit rate {rate}%, reported "
                           "by the project, {year})").format(pct=f"{outflow:g}",
                                                             rate=f"{rep[0]:g}", year=rep[1])
    else:
        outflow, how["outflow"] = 0.0, _("outflow 0% (no in-county visit rate entered, "
                                         "assumed 0)")
        outflow_known = False
        notes.append(_("outflow (admissions outside the county) not entered "
                       "(in_county_visit_rate_pct): assumed 0, the demand method gives too "
                       "many beds"))
    if svc.inflow_pct is not None:
        inflow, how["inflow"] = svc.inflow_pct, _("inflow {pct}% (assumptions file)").format(
            pct=f"{svc.inflow_pct:g}")
    elif (rep := _reported(region, code, "nonresident_admissions_pct", base_year)) is not None:
        inflow = min(rep[0], 99.0)
        how["inflow"] = _("inflow {pct}% (share of admissions of non-residents, reported "
                          "by the project, {year})").format(pct=f"{inflow:g}", year=rep[1])
    else:
        inflow, how["inflow"] = 0.0, _("inflow 0% (no share of admissions of non-residents "
                                       "entered, assumed 0)")
        notes.append(_("inflow (non-resident patients) not entered "
                       "(nonresident_admissions_pct): assumed 0, the demand method gives too "
                       "few beds"))
    local = residents * (1 - outflow / 100) / (1 - inflow / 100)

    util = region.utilisation
    u_years = sorted(int(y) for y in util["year"].dropna().unique())
    shares: dict[str, float] = {"hospital": 1.0, "primary": 0.0}
    alos: dict[str, float] = {}
    if u_years:
        u_year = max((y for y in u_years if y <= base_year), default=u_years[-1])
        sums = _by_level(region, util[util["year"] == u_year],
                         ("admissions", "discharges", "discharged_bed_days",
                          "bed_days_occupied"))
        total_adm = sum(sums[lv]["admissions"] for lv in LEVELS)
        if total_adm > 0:
            shares = {lv: sums[lv]["admissions"] / total_adm for lv in LEVELS}
            how["split"] = _("split by the local admissions of {year}: {hospitals} "
                             "{hospital}, primary care {primary}").format(
                year=u_year, hospitals=level_word("hospital"),
                hospital=f"{shares['hospital']:.1%}", primary=f"{shares['primary']:.1%}")
        for lv in LEVELS:
            days = sums[lv]["discharged_bed_days"] or sums[lv]["bed_days_occupied"]
            if sums[lv]["discharges"] > 0 and days > 0:
                alos[lv] = days / sums[lv]["discharges"]
    if "split" not in how:
        how["split"] = _("no local admissions: all counted as hospitals")
        notes.append(_("no utilisation (admissions): the demand method counts every bed as "
                       "a hospital bed"))
    for lv in LEVELS:
        if svc.alos_days is not None:
            alos[lv] = svc.alos_days
        elif lv not in alos:
            alos[lv] = svc.national_alos_days
            if shares[lv] > 0:
                notes.append(_("{level} have no bed days of discharged patients: the "
                               "national average stay of {days} days is used").format(
                    level=level_word(lv), days=f"{svc.national_alos_days:g}"))
    occupancy = {"hospital": svc.target_occupancy_pct,
                 "primary": svc.target_occupancy_primary_pct}
    beds = {lv: math.ceil(local * shares[lv] * alos[lv] / (365 * occupancy[lv] / 100) - 1e-9)
            for lv in LEVELS}
    return BedDemand(residents_admissions=residents, local_admissions=local,
                     outflow_pct=outflow, inflow_pct=inflow, shares=shares, alos_days=alos,
                     occupancy_pct=occupancy, beds=beds, how=how, notes=tuple(notes),
                     outflow_known=outflow_known)

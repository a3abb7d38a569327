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

from hsplan._i18n import _
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
    if svc.admission_rates_per_1k is not None:
        rates = dict(svc.admission_rates_per_1k)
        how["rate"] = "年龄别住院率: 假设文件"
    else:
        if svc.residents_admission_rate_pct is not None:
            rate_pct = svc.residents_admission_rate_pct
            how["rate"] = f"常住居民年住院率 {rate_pct:g}% (假设文件)"
        elif (rep := _reported(region, code, "admission_rate_pct", base_year)) is not None:
            rate_pct = rep[0]
            how["rate"] = f"常住居民年住院率 {rate_pct:g}% (项目上报 {rep[1]}年)"
        else:
            rate_pct = svc.national_admission_rate_pct
            how["rate"] = (f"常住居民年住院率 {rate_pct:g}% (全国; "
                           + svc.sources.get("national_admission_rate_pct", "assumption")
                           .split(" (")[0] + ")")
            notes.append(f"项目未上报年住院率 (admission_rate_pct): 按全国 {rate_pct:g}% 计")
        pop = region.population
        base = pop[(pop["area_code"] == code) & (pop["year"] == base_year)]
        bands_base = {b: float(base[b].iloc[0]) for b in BANDS} \
            if len(base) and not any(pd.isna(base[b].iloc[0]) for b in BANDS) else None
        if bands_base and sum(bands_base.values()) > 0:
            rates = derive_admission_rates(rate_pct / 100 * sum(bands_base.values()),
                                           bands_base, svc.admission_age_profile)
            how["rate"] += f", 按年龄构成分配 (65岁以上 {rates['age_65_69']:.0f}–" \
                           f"{rates['age_85p']:.0f}‰)"
        else:
            rates = dict.fromkeys(BANDS, rate_pct * 10)
    residents = sum(rates.get(b, 0.0) / 1000 * p for b, p in bands_at_year.items()) \
        if sum(bands_at_year.values()) > 0 else \
        sum(rates.values()) / len(rates) / 1000 * pop_at_year

    if svc.outflow_pct is not None:
        outflow, how["outflow"] = svc.outflow_pct, f"外转 {svc.outflow_pct:g}% (假设文件)"
    elif (rep := _reported(region, code, "in_county_visit_rate_pct", base_year)) is not None:
        outflow = max(0.0, 100 - rep[0])
        how["outflow"] = (f"外转 {outflow:g}% (= 100 − 县域内就诊率 {rep[0]:g}%, "
                          f"项目上报 {rep[1]}年)")
    else:
        outflow, how["outflow"] = 0.0, "外转 0% (未录入县域内就诊率, 假定为0)"
        notes.append("外转 (县外住院) 未录入 (in_county_visit_rate_pct): 假定为0, 需求法床位偏多")
    if svc.inflow_pct is not None:
        inflow, how["inflow"] = svc.inflow_pct, f"流入 {svc.inflow_pct:g}% (假设文件)"
    elif (rep := _reported(region, code, "nonresident_admissions_pct", base_year)) is not None:
        inflow = min(rep[0], 99.0)
        how["inflow"] = f"流入 {inflow:g}% (外地患者住院人次占比, 项目上报 {rep[1]}年)"
    else:
        inflow, how["inflow"] = 0.0, "流入 0% (未录入外地患者住院人次占比, 假定为0)"
        notes.append("流入 (外地患者) 未录入 (nonresident_admissions_pct): 假定为0, 需求法床位偏少")
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
            how["split"] = (f"按{u_year}年本地入院人数分级: 医院及专业公共卫生机构 "
                            f"{shares['hospital']:.1%}, 基层 {shares['primary']:.1%}")
        for lv in LEVELS:
            days = sums[lv]["discharged_bed_days"] or sums[lv]["bed_days_occupied"]
            if sums[lv]["discharges"] > 0 and days > 0:
                alos[lv] = days / sums[lv]["discharges"]
    if "split" not in how:
        how["split"] = "无本地入院人数: 全部按医院计"
        notes.append("无服务量 (入院人数): 需求法床位全部按医院计")
    for lv in LEVELS:
        if svc.alos_days is not None:
            alos[lv] = svc.alos_days
        elif lv not in alos:
            alos[lv] = svc.national_alos_days
            if shares[lv] > 0:
                notes.append(f"{LEVEL_ZH[lv]}无出院者占用总床日数: 平均住院日按全国 "
                             f"{svc.national_alos_days:g} 天计")
    occupancy = {"hospital": svc.target_occupancy_pct,
                 "primary": svc.target_occupancy_primary_pct}
    beds = {lv: math.ceil(local * shares[lv] * alos[lv] / (365 * occupancy[lv] / 100) - 1e-9)
            for lv in LEVELS}
    return BedDemand(residents_admissions=residents, local_admissions=local,
                     outflow_pct=outflow, inflow_pct=inflow, shares=shares, alos_days=alos,
                     occupancy_pct=occupancy, beds=beds, how=how, notes=tuple(notes),
                     outflow_known=not how["outflow"].endswith("假定为0)"))

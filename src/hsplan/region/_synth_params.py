"""The synthetic generator's assumptions: the years it makes, the 2020 baselines it
calibrates to (seed 000's 表1) and `SynthParams`, the shares, growth rates and sizes a user
may tune. `hsplan.region.synth` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_YEARS = (2019, 2020, 2021, 2022, 2023)
BASE_YEAR = 2020


# Seed 000 (玉溪市江川区“十四五”医疗卫生服务体系规划), 表1, 2020 column: value, decimals stated,
# population divisor. 医护比 1.39 is not calibrated: it contradicts the table's own
# 3.02 / 2.28 = 1.32. 床人比 1:1.74 is calibrated on its statistical scope, hospitals
# (医院卫生人员 / 医院实有床位, the 床位与工作人员之比 of 《综合医院组织编制原则》; the catalog's
# staff_to_bed_ratio): over every facility it could not be, 1.74 staff per bed being below
# doctors + nurses + pharmacists alone (1,432 / 871 = 1.64) once village doctors count.
HOSPITAL_STAFF_PER_BED_2020 = 1.74  # 表1 第15项 床人(卫生人员)比 1:1.74
BASELINES_2020: dict[str, tuple[float, int, int]] = {
    "beds_per_1k": (3.44, 2, 1000),
    "county_public_and_primary_beds_per_1k": (2.38, 2, 1000),
    "doctors_per_1k": (2.28, 2, 1000),
    "nurses_per_1k": (3.02, 2, 1000),
    "pharmacists_per_1k": (0.35, 2, 1000),
    "gps_per_10k": (1.58, 2, 10000),
    "tcm_doctors_per_1k": (0.53, 2, 1000),
    "icu_beds_per_1k": (0.01, 2, 1000),
    "rehab_beds_per_1k": (0.09, 2, 1000),
    "psych_beds_per_1k": (0.0, 0, 1000),
    "public_tcm_hospital_beds_per_1k": (0.67, 2, 1000),
    "public_health_staff_per_10k": (6.5, 1, 10000),
}


@dataclass(frozen=True)
class SynthParams:
    """Tunable assumptions of the generator (shares, growth rates per year, sizes)."""

    street_zone_share: float = 0.07  # share of the county area taken by the streets
    street_pop_weight: float = 2.6  # population weight of a street relative to a town
    ethnic_township_pop_weight: float = 0.55  # 乡 (code 2xx) relative to a town (1xx)
    village_pop_sigma: float = 0.55  # log-normal spread of village populations
    pop_growth: dict[str, float] = field(default_factory=lambda: {
        "street": 0.012, "town": -0.002, "township": -0.006})
    ageing_per_year: float = 0.015  # growth of the oldest band relative to the youngest
    urbanisation_pts_per_year: float = 0.6  # urban share, percentage points per year
    primary_bed_share: float = 0.30  # of county-run general hospital + primary beds
    mch_bed_share: float = 0.20  # of beds outside county-run hospitals and primary care
    growth: dict[str, float] = field(default_factory=lambda: {
        "beds": 0.012, "beds_tcm_hospital": 0.0, "beds_other": 0.03, "doctors": 0.025,
        "nurses": 0.03, "pharmacists": 0.04, "gps": 0.15, "tcm_doctors": 0.03,
        "public_health_staff": 0.02, "visits": 0.03})
    private_clinics: int = 9
    baselines: dict[str, tuple[float, int, int]] = field(
        default_factory=lambda: dict(BASELINES_2020))

"""A seeded generator of the data no open source gives, constrained by the real data.

`synthesize` takes a region that holds the real parts — the county boundary, the township
and village codes and names, the county's 2020 census row — and fills in the rest:

- **township polygons**: a partition of the real county boundary. Towns and townships are
  the clipped Voronoi cells of seed points spread over the county (farthest-point
  sampling plus Lloyd relaxation); streets (街道) share a small zone around the county
  seat, cut out of the town cells.
- **village points** inside their township polygon; 居委会 (code suffix 001–199) are urban
  communities near the township seat, 村委会 (200–399) rural villages.
- **population**: township totals sum exactly to the census county total, village totals
  to their township, age bands per township to the census bands (IPF then controlled
  rounding: a transportation LP whose vertices are integral). 2020 equals the census;
  the other years follow a small per-township trend with slow ageing.
- **facilities** following seed 000's setting rules (二、(一)机构设置): one county general
  hospital and one TCM hospital, a maternal and child health centre, a CDC, an emergency
  station, a health inspection unit, a 卫生院 per town/township (one 中心卫生院), a
  社区卫生服务中心 per street and 站 in its communities, a 村卫生室 in every village of 800+
  people that is not a township seat, and private hospitals, 门诊部 and 诊所.
- **resources** per facility and year, calibrated so that the 2020 county figures per
  1,000 (10,000) residents equal seed 000's 表1 baselines (`BASELINES_2020`) to the
  decimals stated there, with staff categories consistent; **utilisation** plausible for
  each grade, all public general hospitals healthy (occupancy ≥ 75 %, stay ≤ 9 days: the
  seed states the "no more beds" rule but does not say any hospital breaks it).
- **roads**: `roads_from_region` builds a synthetic road graph (minimum spanning tree of
  township seats and villages plus extra edges), a separate layer, not part of the model.

Everything random comes from one ``numpy.random.Generator(PCG64(seed))``: the same region,
seed and parameters give identical tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from hsplan._i18n import format_number
from hsplan.errors import Problem, ValidationError, raise_if_errors
from hsplan.region import schema
from hsplan.region._rounding import allocate, controlled_round, ipf
from hsplan.region._synth_geo import (
    COUNTY_SEATS_GCJ02,
    is_community,
    largest_part,
    seat_point,
    seat_village,
    township_kind_of_code,
    township_polygons,
    village_points,
)
from hsplan.region._synth_roads import ROAD_CLASSES, roads_from_region, save_roads
from hsplan.region.coords import utm_crs
from hsplan.region.model import WGS84, Region
from hsplan.region.project import ROADS_NAME, Project

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

__all__ = [
    "BASELINES_2020", "COUNTY_SEATS_GCJ02", "ROADS_NAME", "ROAD_CLASSES", "SynthParams",
    "allocate", "controlled_round", "ipf", "rate_count", "roads_from_region", "save_roads",
    "synthesize", "synthesize_project",
]

GENERATOR = "hsplan.region.synth.synthesize"
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


def synthesize(
    region: Region,
    *,
    seed: int = 0,
    years: tuple[int, ...] = DEFAULT_YEARS,
    params: SynthParams | dict[str, Any] | None = None,
) -> Region:
    """Return a new Region with synthetic geometry, population, facilities, resources and
    utilisation filled in around the real areas and census of `region`.

    Notes
    -----
    `region` needs one county area with its boundary polygon, its townships (9-digit
    codes) and villages (12-digit codes), and the county's 2020 population row with the
    5-year age bands. Everything the input gives is kept; 2020 county figures equal the
    census exactly. The result's ``meta`` has ``synthetic = True`` and names the
    generator and seed.
    """
    p = _params(params)
    county, towns, villages, census = _inputs(region, years)
    rng = np.random.default_rng(seed)
    metric_crs = utm_crs(gpd.GeoSeries([county.geometry], crs=WGS84))
    boundary = gpd.GeoSeries([county.geometry], crs=WGS84).to_crs(metric_crs).iloc[0]
    seat = seat_point(county, boundary, metric_crs)

    town_polys = township_polygons(boundary, seat, towns, rng,
                                   street_zone_share=p.street_zone_share)
    village_pts = village_points(town_polys, towns, villages, seat, rng)
    areas = _areas_table(county, towns, villages, town_polys, village_pts, metric_crs)

    pop = _population(census, towns, villages, years, rng, p)
    facilities = _facilities(county, towns, villages, town_polys, village_pts, pop, seat,
                             metric_crs, rng, p)
    resources = _resources(facilities, pop, census, years, rng, p)
    utilisation = _utilisation(facilities, resources, pop, years, rng, p)
    facts = _facts(facilities, str(county["name"]), years)

    meta = {
        **region.meta,
        "synthetic": True,
        "synthetic_note": (
            f"Synthetic example data made by {GENERATOR} (seed {seed}): township polygons, "
            "village points, township/village population, facilities, resources and "
            "utilisation are generated; division codes, the county boundary and the 2020 "
            "census county total and age structure are real."),
        "synth_generator": GENERATOR,
        "synth_seed": seed,
        "synth_years": list(years),
    }
    out = region.replace(areas=areas, population=pop, facilities=facilities,
                         resources=resources, utilisation=utilisation, facts=facts)
    out.meta = meta
    return out


# --- inputs -------------------------------------------------------------------------------


def _params(params: SynthParams | dict[str, Any] | None) -> SynthParams:
    if params is None:
        return SynthParams()
    if isinstance(params, SynthParams):
        return params
    known = set(SynthParams.__dataclass_fields__)
    problems = [
        Problem(f"synth parameters, key {key}", expected=f"one of {', '.join(sorted(known))}",
                got=str(key), fix="remove or correct the key")
        for key in params if key not in known
    ]
    raise_if_errors(problems, context="synth parameters")
    return replace(SynthParams(), **params)


#: the smallest county the generator makes (2020 residents): below it the county-level
#: institutions' minimum staff alone exceed the county's share of doctors and nurses
#: (西沙群岛 1,549 and 南沙群岛 639 are the only counties below it; the next, 札达县, has 8,454)
MIN_POPULATION = 5_000


def _inputs(
    region: Region, years: tuple[int, ...]
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return the county row, townships, villages and the county's 2020 census row."""
    problems: list[Problem] = []
    areas = region.areas
    counties = areas[areas["level"] == "county"]
    fix = "build the region with hsplan.region.reference.region_from_county(CODE)"
    if len(counties) != 1:
        problems.append(Problem("region, table areas, column level",
                                expected="exactly one county area", got=str(len(counties)),
                                fix=fix))
    elif counties.geometry.iloc[0] is None or counties.geometry.iloc[0].geom_type not in (
            "Polygon", "MultiPolygon"):
        problems.append(Problem("region, table areas, column geometry",
                                expected="the county boundary polygon",
                                got=str(counties.geometry.iloc[0]), fix=fix))
    towns = areas[areas["level"] == "township"].sort_values("code").reset_index(drop=True)
    villages = areas[areas["level"] == "village"].sort_values("code").reset_index(drop=True)
    if towns.empty:
        problems.append(Problem("region, table areas, column level",
                                expected="at least one township", got="0", fix=fix))
    orphans = sorted(set(villages["parent_code"].astype(str)) - set(towns["code"].astype(str)))
    if orphans:
        problems.append(Problem("region, table areas, column parent_code",
                                expected="the code of a township of the region",
                                got=", ".join(orphans), fix=fix))
    if BASE_YEAR not in years:
        problems.append(Problem("synth years", expected=f"a list including {BASE_YEAR}",
                                got=str(list(years)), fix="add 2020 (the census year)"))
    census = pd.Series(dtype=object)
    if len(counties) == 1:
        code = counties["code"].iloc[0]
        rows = region.population[(region.population["area_code"] == code)
                                 & (region.population["year"] == BASE_YEAR)]
        bands = list(schema.AGE_BAND_IDS)
        if len(rows) == 1 and rows[bands].isna().any(axis=None):
            problems.append(Problem(
                f"2020 年普查表没有 {code} 的分年龄人口（常住人口 "
                f"{format_number(rows['total'].iloc[0], '人')} 人）：合成县需要 18 个年龄组",
                fix="这类县（如三沙市南沙群岛）不生成合成数据"))
        elif len(rows) != 1 or rows[["total", *bands]].isna().any(axis=None):
            problems.append(Problem(f"region, table population, area {code}, year {BASE_YEAR}",
                                    expected="one row with total and all 18 age bands",
                                    got=f"{len(rows)} rows", fix=fix))
        elif int(rows["total"].iloc[0]) != int(rows[bands].iloc[0].sum()):
            problems.append(Problem(f"region, table population, area {code}, year {BASE_YEAR}",
                                    expected="age bands that sum to the total",
                                    got=f"{int(rows[bands].iloc[0].sum())} vs "
                                        f"{int(rows['total'].iloc[0])}",
                                    fix="correct the census row"))
        elif int(rows["total"].iloc[0]) < MIN_POPULATION:
            problems.append(Problem(
                f"2020 年普查常住人口 {int(rows['total'].iloc[0]):,} 人，少于合成县所需的 "
                f"{MIN_POPULATION:,} 人：按种子 000 的配置规则，县级医院、专业公共卫生机构和"
                "每个乡镇卫生院的最低人员配备已超过按人口计算的人员总数",
                fix="这类县（如三沙市西沙群岛）不生成合成数据"))
        else:
            census = rows.iloc[0]
    raise_if_errors(problems, context="synthesize")
    return counties.iloc[0], towns, villages, census


def _short(name: str) -> str:
    for suffix in ("社区居民委员会", "居民委员会", "村民委员会", "委员会", "社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _areas_table(county: pd.Series, towns: pd.DataFrame, villages: pd.DataFrame,
                 town_polys: list[BaseGeometry], village_pts: dict[str, Point],
                 crs: Any) -> gpd.GeoDataFrame:
    county_row: dict[str, Any] = {str(k): v for k, v in county.items()}
    metric_county = gpd.GeoSeries([county.geometry], crs=WGS84).to_crs(crs).iloc[0]
    county_row["area_km2"] = round(metric_county.area / 1e6, 2)
    rows: list[dict[str, Any]] = [county_row]
    geoms: list[BaseGeometry] = [metric_county]
    for (_, t), poly in zip(towns.iterrows(), town_polys, strict=True):
        row = {str(k): v for k, v in t.items()}
        row["urban_rural"] = "urban" if township_kind_of_code(t["code"]) == "street" else "rural"
        row["area_km2"] = round(poly.area / 1e6, 2)
        row["lon"] = row["lat"] = None
        row["crs"] = None
        rows.append(row)
        geoms.append(poly)
    for _, v in villages.iterrows():
        row = {str(k): val for k, val in v.items()}
        row["urban_rural"] = "urban" if is_community(v["code"]) else "rural"
        row["area_km2"] = None
        row["crs"] = "WGS84"
        rows.append(row)
        geoms.append(village_pts[v["code"]])
    frame = pd.DataFrame(rows).drop(columns="geometry", errors="ignore")
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs)).to_crs(WGS84)
    gdf.loc[0, "geometry"] = county.geometry  # keep the real boundary untouched
    is_village = gdf["level"] == "village"
    gdf.loc[is_village, "lon"] = gdf.loc[is_village].geometry.x.round(6)
    gdf.loc[is_village, "lat"] = gdf.loc[is_village].geometry.y.round(6)
    return gdf


# --- population ---------------------------------------------------------------------------


_BAND_MID = np.array([lo + 2.5 for lo, _ in schema.AGE_BANDS])
_BAND_Z = (_BAND_MID - 42.5) / 42.5  # −1 youngest … +1 oldest


def _population(census: pd.Series, towns: pd.DataFrame, villages: pd.DataFrame,
                years: tuple[int, ...], rng: np.random.Generator,
                p: SynthParams) -> pd.DataFrame:
    """Return the population table: county, township (with age bands) and village rows."""
    bands = list(schema.AGE_BAND_IDS)
    county_code = str(census["area_code"])
    total = int(census["total"])
    band_totals = census[bands].to_numpy(dtype=np.int64)
    kinds = np.array([township_kind_of_code(c) for c in towns["code"]])
    weight = np.where(kinds == "street", p.street_pop_weight,
                      np.where(kinds == "town", 1.0, p.ethnic_township_pop_weight))
    weight = weight * rng.lognormal(0, 0.2, len(towns))
    town_tot = allocate(total, weight)

    # village shares within each township; the seat is the largest
    vshare: dict[str, float] = {}
    for code in towns["code"]:
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        if not vs:
            continue
        w = rng.lognormal(0, p.village_pop_sigma, len(vs))
        seat_code = seat_village(vs)
        w[vs.index(seat_code)] = w.max() * 1.6
        for v, wi in zip(vs, w / w.sum(), strict=True):
            vshare[v] = float(wi)

    # age structure: streets younger, 乡 older (tilt), fitted to both margins
    tilt = np.where(kinds == "street", -1.0, np.where(kinds == "town", 0.1, 0.6))
    tilt = tilt + rng.normal(0, 0.2, len(towns))
    seed_m = np.exp(0.35 * tilt[:, None] * _BAND_Z[None, :]) * (band_totals / total)[None, :]
    seed_m *= town_tot[:, None]
    town_bands = controlled_round(ipf(seed_m, town_tot.astype(float), band_totals.astype(float)),
                                  town_tot, band_totals)

    # urban residents: streets first, then the towns' communities
    comm_pop = np.array([
        sum(vshare.get(v, 0.0) for v in villages[villages["parent_code"] == c]["code"]
            if is_community(v)) for c in towns["code"]]) * town_tot
    urban_w = np.where(kinds == "street", town_tot * 10.0, comm_pop + 1e-9)
    urban_total = int(census["urban"]) if not pd.isna(census.get("urban")) else int(
        town_tot[kinds == "street"].sum())
    town_urban = allocate(min(urban_total, total), urban_w, town_tot)
    male_share = (float(census["male"]) / total) if not pd.isna(census.get("male")) else 0.51

    rows: list[dict[str, Any]] = []
    growth = np.array([p.pop_growth[k] for k in kinds]) + rng.normal(0, 0.002, len(towns))
    for year in sorted(years):
        dy = year - BASE_YEAR
        if dy == 0:
            tot_y, bands_y = town_tot, town_bands
        else:
            tot_y = np.rint(town_tot * (1 + growth) ** dy).astype(np.int64)
            age_f = np.exp(p.ageing_per_year * dy * _BAND_Z)
            bands_y = np.vstack([allocate(int(t), b * age_f) for t, b in
                                 zip(tot_y, town_bands, strict=True)])
        urban_share = np.clip(town_urban / town_tot + p.urbanisation_pts_per_year / 100 * dy,
                              0, 1)
        urb_y = town_urban if dy == 0 else np.minimum(np.rint(tot_y * urban_share), tot_y)
        male_y = allocate(round(tot_y.sum() * male_share), tot_y, tot_y)
        if dy == 0 and not pd.isna(census.get("male")):
            male_y = allocate(int(census["male"]), tot_y, tot_y)
        for i, code in enumerate(towns["code"]):
            row = {"area_code": code, "year": year, "total": int(tot_y[i]),
                   "male": int(male_y[i]), "female": int(tot_y[i] - male_y[i]),
                   "urban": int(urb_y[i]), "rural": int(tot_y[i] - urb_y[i])}
            row.update({b: int(x) for b, x in zip(bands, bands_y[i], strict=True)})
            rows.append(row)
            vs = villages[villages["parent_code"] == code]["code"].tolist()
            if vs:
                vt = allocate(int(tot_y[i]), [vshare[v] for v in vs])
                rows.extend({"area_code": v, "year": year, "total": int(n)}
                            for v, n in zip(vs, vt, strict=True))
        county_row: dict[str, Any] = {"area_code": county_code, "year": year}
        if dy == 0:
            county_row.update({c: census.get(c) for c in
                               ("total", "male", "female", "urban", "rural", "hukou", *bands)})
        else:
            town_rows = pd.DataFrame([r for r in rows if r["year"] == year
                                      and len(str(r["area_code"])) == 9])
            for c in ("total", "male", "female", "urban", "rural", *bands):
                county_row[c] = int(town_rows[c].sum())
        rows.append(county_row)
    frame = pd.DataFrame(rows)
    frame["_lvl"] = frame["area_code"].astype(str).str.len()
    return frame.sort_values(["year", "_lvl", "area_code"]).drop(columns="_lvl").reset_index(
        drop=True)


# --- facilities ---------------------------------------------------------------------------

_SUBTYPE = {
    "county_hospital": "综合医院", "tcm_hospital": "中医医院", "private_hospital": "综合医院",
    "private_specialty": "专科医院", "mch": "妇幼保健院", "cdc": "疾病预防控制中心",
    "emergency": "急救站", "inspection": "卫生监督所", "central_thc": "中心乡镇卫生院",
    "thc": "乡镇卫生院", "chc": "社区卫生服务中心", "station": "社区卫生服务站",
    "village_clinic": "村卫生室", "outpatient": "门诊部", "clinic": "诊所",
}
_HOSPITAL_ROLES = ("county_hospital", "tcm_hospital", "private_hospital", "private_specialty")
_PUBLIC_HEALTH_ROLES = ("mch", "cdc", "emergency", "inspection")
_PRIMARY_CENTRES = ("central_thc", "thc", "chc")
_CLINIC_SURNAMES = ("李", "王", "张", "刘", "杨", "赵", "陈", "周", "普", "钱", "孙", "黄")


def _facilities(county: pd.Series, towns: pd.DataFrame, villages: pd.DataFrame,
                town_polys: list[BaseGeometry], village_pts: dict[str, Point],
                pop: pd.DataFrame, seat: Point, crs: Any, rng: np.random.Generator,
                p: SynthParams) -> gpd.GeoDataFrame:
    """Return the facilities (with a private ``_role`` column) following seed 000's rules."""
    county_name = str(county["name"])
    poly_of = dict(zip(towns["code"], town_polys, strict=True))
    pop20 = pop[pop["year"] == BASE_YEAR].set_index("area_code")["total"].astype(int)
    seat_town = next((c for c, poly in poly_of.items() if poly.contains(seat)),
                     str(towns["code"].iloc[0]))
    rows: list[dict[str, Any]] = []
    counters: dict[str, int] = {}

    def add(role: str, name: str, area: str, anchor: Point, town: str, *,
            spread_m: float = 250.0, **extra: Any) -> None:
        prefix = {"village_clinic": "V", "station": "S", "clinic": "K", "outpatient": "K"}.get(
            role, "H" if role in _HOSPITAL_ROLES else "P" if role in _PUBLIC_HEALTH_ROLES
            else "T")
        counters[prefix] = counters.get(prefix, 0) + 1
        rows.append({"id": f"{prefix}{counters[prefix]:03d}", "name": name,
                     "subtype": _SUBTYPE[role], "category": schema.FACILITY_SUBTYPES[
                         _SUBTYPE[role]], "area_code": area, "crs": "WGS84", "_role": role,
                     "geometry": _near(anchor, poly_of[town], spread_m, rng), **extra})

    county_run = {"ownership": "公立", "government_run": True, "admin_level": "县属"}
    add("county_hospital", f"{county_name}人民医院", seat_town, seat, seat_town,
        spread_m=600, grade="二级甲等", opened=1951, **county_run,
        departments=["急诊科", "重症医学科", "感染性疾病科", "发热门诊", "老年医学科",
                     "康复医学科", "儿科", "妇产科", "全科医学科", "公共卫生科", "口腔科",
                     "眼科", "麻醉科", "病理科", "医学检验科", "医学影像科"])
    add("tcm_hospital", f"{county_name}中医医院", seat_town, seat, seat_town, spread_m=1500,
        grade="二级甲等", opened=1984, **county_run,
        departments=["治未病科", "急诊科", "康复医学科", "发热诊室", "儿科", "医学检验科",
                     "医学影像科"])
    add("mch", f"{county_name}妇幼保健院", seat_town, seat, seat_town, spread_m=1500,
        grade="二级乙等", opened=1978, **county_run,
        departments=["儿科", "妇产科", "预防保健科", "心理门诊"])
    add("cdc", f"{county_name}疾病预防控制中心", seat_town, seat, seat_town, spread_m=1500,
        opened=1972, **county_run)
    add("emergency", f"{county_name}急救站", seat_town, seat, seat_town, spread_m=1200,
        opened=2009, **county_run)
    add("inspection", f"{county_name}卫生健康综合监督执法大队", seat_town, seat, seat_town,
        spread_m=1500, opened=2002, **county_run)

    town_codes = [str(c) for c in towns["code"]]
    rural = [c for c in town_codes if township_kind_of_code(c) != "street"]
    central = set()
    if rural:
        biggest = max(rural, key=lambda c: int(pop20.get(c, 0)))
        central.add(biggest)
    fever = _uneven(len(town_codes), 0.55, rng)
    tcm_hall = _uneven(len(town_codes), 0.8, rng)
    for i, (code, name) in enumerate(zip(towns["code"], towns["name"], strict=True)):
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        anchor = village_pts[seat_village(vs)] if vs else poly_of[code].representative_point()
        depts = ["全科医学科", "预防保健科"]
        if township_kind_of_code(code) == "street":
            depts += ["中医馆"] * bool(tcm_hall[i]) + ["发热诊室"] * bool(fever[i])
            add("chc", f"{name}社区卫生服务中心", code, anchor, code, spread_m=300,
                grade="未定级", opened=2008, **county_run, departments=depts)
        else:
            role = "central_thc" if code in central else "thc"
            clinic = "发热门诊" if role == "central_thc" else "发热诊室"
            depts += ["公共卫生科"] + ["中医馆"] * bool(tcm_hall[i]) + [clinic] * bool(
                fever[i] or role == "central_thc") + ["康复医学科"] * (role == "central_thc")
            label = "中心卫生院" if role == "central_thc" else "卫生院"
            add(role, f"{county_name}{name}{label}", code, anchor, code, spread_m=200,
                grade="一级甲等", ownership="公立", government_run=True, admin_level="乡镇",
                opened=1958, departments=depts)

    for code in town_codes:
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        seat_v = seat_village(vs) if vs else None
        for v in vs:
            if v == seat_v:
                continue
            vname = _short(str(villages.loc[villages["code"] == v, "name"].iloc[0]))
            if township_kind_of_code(code) == "street" and is_community(v):
                add("station", f"{vname}社区卫生服务站", v, village_pts[v], code, spread_m=150,
                    grade="未定级", **county_run, opened=2012)
            elif int(pop20.get(v, 0)) >= 800 or rng.random() < 0.5:
                add("village_clinic", f"{vname}村卫生室", v, village_pts[v], code,
                    spread_m=150, ownership="公立", government_run=False, admin_level="村",
                    opened=1975)

    private = {"ownership": "非公立", "government_run": False, "admin_level": "其他"}
    short = county_name[:-1] if len(county_name) > 2 else county_name
    add("private_hospital", f"{short}康华医院", seat_town, seat, seat_town, spread_m=2000,
        grade="一级甲等", opened=2011, **private,
        departments=["急诊科", "口腔科", "医学检验科", "医学影像科"])
    add("private_specialty", f"{short}仁和骨科医院", seat_town, seat, seat_town,
        spread_m=2000, grade="未定级", opened=2015, **private, departments=["康复医学科"])
    add("outpatient", f"{short}博仁门诊部", seat_town, seat, seat_town, spread_m=1500,
        opened=2016, **private, departments=["口腔科", "医学检验科"])
    seats = [(c, seat_village(villages[villages["parent_code"] == c]["code"].tolist()))
             for c in town_codes if (villages["parent_code"] == c).any()]
    for k in range(p.private_clinics):
        code, v = seats[int(rng.integers(len(seats)))] if k % 3 == 2 and seats else (
            seat_town, seat_village(villages[villages["parent_code"] == seat_town][
                "code"].tolist()) if (villages["parent_code"] == seat_town).any() else None)
        anchor = village_pts[v] if v else seat
        kind = "中医诊所" if k % 4 == 0 else "口腔诊所" if k % 4 == 1 else "诊所"
        surname = _CLINIC_SURNAMES[k % len(_CLINIC_SURNAMES)]
        add("clinic", f"{short}{surname}氏{kind}", code, anchor, code, spread_m=900,
            opened=2005 + int(rng.integers(0, 14)), **private)

    frame = pd.DataFrame(rows)
    frame["departments"] = frame["departments"].map(
        lambda d: "、".join(d) if isinstance(d, list) and d else None)
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs).to_crs(WGS84)
    gdf["lon"] = gdf.geometry.x.round(6)
    gdf["lat"] = gdf.geometry.y.round(6)
    gdf["geometry"] = gpd.points_from_xy(gdf["lon"], gdf["lat"], crs=WGS84)
    return gdf


def _uneven(n: int, share: float, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Return n booleans, about `share` True, never all True or all False (n ≥ 2)."""
    flags = rng.random(n) < share
    if n >= 2 and flags.all():
        flags[int(rng.integers(n))] = False
    if n >= 2 and not flags.any():
        flags[int(rng.integers(n))] = True
    return flags


def _near(anchor: Point, poly: BaseGeometry, spread_m: float,
          rng: np.random.Generator) -> Point:
    """Return a point within `spread_m` of `anchor` and well inside `poly` (metric CRS)."""
    inner = poly.buffer(-30.0)
    inner = inner if not inner.is_empty else poly
    for _ in range(200):
        pt = Point(anchor.x + rng.normal(0, spread_m / 2), anchor.y + rng.normal(0, spread_m / 2))
        if inner.contains(pt):
            return pt
    return largest_part(inner).representative_point()


# --- facts: the service network and institution building ---------------------------------


def _facts(facilities: gpd.GeoDataFrame, county_name: str, years: tuple[int, ...]
           ) -> pd.DataFrame:
    """Return the facts table of the synthetic county, by rule (no random draws, so the
    other tables do not change): a 紧密型县域医共体 led by the county's general hospital with
    every government-run 卫生院, 社区卫生服务中心 and 村卫生室 as members from the plan's
    first year; the largest 中心乡镇卫生院 designated 县域医疗卫生次中心; the hospitals'
    grades as passed in the first year; and the lead hospital's 五大中心 at different stages
    (as seed 000 plans them)."""
    first, start = min(years), max(min(years), 2021)
    alliance = f"{county_name}紧密型县域医共体"
    rows: list[dict[str, Any]] = []
    gov = facilities[facilities["government_run"].fillna(False).astype(bool)]
    general = gov[(gov["subtype"] == "综合医院") & gov["name"].str.endswith("人民医院")]
    lead = str(general.iloc[0]["id"]) if len(general) else None
    if lead is not None:
        rows.append({"facility_id": lead, "year": start, "fact": "医共体", "value": alliance,
                     "role": "牵头"})
        public = facilities[facilities["ownership"] == "公立"]
        members = public[public["subtype"].isin(["乡镇卫生院", "中心乡镇卫生院", "街道卫生院",
                                                 "社区卫生服务中心", "村卫生室"])]
        rows += [{"facility_id": str(f), "year": start, "fact": "医共体", "value": alliance,
                  "role": "成员"} for f in members["id"]]
        for centre, year, status in (("胸痛中心", start + 1, "通过"),
                                     ("卒中中心", start + 2, "评审中"),
                                     ("危重孕产妇救治中心", start, "建成"),
                                     ("危重儿童和新生儿救治中心", start + 1, "建成")):
            if year <= max(years):
                rows.append({"facility_id": lead, "year": year, "fact": "中心", "value": centre,
                             "status": status})
    centres = gov[gov["subtype"] == "中心乡镇卫生院"]
    if len(centres) and max(years) >= start + 1:
        rows.append({"facility_id": str(centres.iloc[0]["id"]), "year": start + 1,
                     "fact": "定位", "value": "县域医疗卫生次中心", "status": "通过"})
    graded = facilities[facilities["grade"].notna() & (facilities["grade"] != "未定级")]
    rows += [{"facility_id": str(f), "year": first, "fact": "等级", "value": str(g),
              "status": "通过"} for f, g in zip(graded["id"], graded["grade"], strict=True)]
    return pd.DataFrame(rows, columns=["facility_id", "year", "fact", "value", "status",
                                       "role", "beds", "note"])


# --- resources ----------------------------------------------------------------------------


def rate_count(rate: float, decimals: int, per: int, pop: int) -> int:
    """Return the whole count closest to `rate` per `per` residents whose rate, rounded to
    `decimals`, equals `rate` (e.g. 3.44 beds per 1,000 of 253,295 → 871)."""
    best = round(rate * pop / per)
    for cand in (best, best - 1, best + 1):
        if cand >= 0 and abs(cand / pop * per - rate) < 0.5 * 10 ** -decimals:
            return cand
    # a small population has no whole count with exactly that rounded rate (1.58 per
    # 10,000 of 118,796): the closest count is the calibration's best answer
    return max(best, 0)


_COMPONENTS = ("doctors_licensed", "doctors_assistant", "nurses", "pharmacists", "technicians",
               "_other_tech", "village_doctors", "managers", "other_staff", "health_inspectors")


def _resources(facilities: gpd.GeoDataFrame, pop: pd.DataFrame, census: pd.Series,
               years: tuple[int, ...], rng: np.random.Generator,
               p: SynthParams) -> pd.DataFrame:
    """Return beds, staff and equipment per facility and year, 2020 calibrated to the
    baselines of `p` (seed 000 表1)."""
    total = int(census["total"])
    b = p.baselines

    def target(key: str) -> int:
        rate, dec, per = b[key]
        return rate_count(rate, dec, per, total)

    role = facilities["_role"].to_numpy()
    n = len(facilities)
    pop20 = pop[pop["year"] == BASE_YEAR].set_index("area_code")["total"].astype(int)
    area_pop = np.array([float(pop20.get(a, 0)) for a in facilities["area_code"]])
    noise = rng.lognormal(0, 0.12, n)

    def idx(*roles: str) -> npt.NDArray[np.bool_]:
        return np.isin(role, roles)

    # beds 2020
    beds = np.zeros(n, dtype=np.int64)
    b_all, b_cp, b_tcm = (target("beds_per_1k"), target("county_public_and_primary_beds_per_1k"),
                          target("public_tcm_hospital_beds_per_1k"))
    beds[idx("tcm_hospital")] = b_tcm
    prim = idx("central_thc", "thc", "chc")
    primary_total = round(p.primary_bed_share * (b_cp - b_tcm))
    w_prim = np.where(idx("central_thc"), 2.5, np.where(idx("thc"), 1.0, 0.25)) * noise
    beds[prim] = allocate(primary_total, w_prim[prim])
    beds[idx("county_hospital")] = b_cp - b_tcm - primary_total
    other = b_all - b_cp
    mch = round(p.mch_bed_share * other)
    beds[idx("mch")] = mch
    beds[idx("private_hospital", "private_specialty")] = allocate(
        other - mch, [0.6, 0.4][: int(idx("private_hospital", "private_specialty").sum())])

    special = {c: np.zeros(n, dtype=np.int64) for c in schema.BED_COLUMNS}
    ch = idx("county_hospital")
    special["beds_icu"][ch] = target("icu_beds_per_1k")
    rehab_w = np.where(ch, 0.5, np.where(idx("tcm_hospital"), 0.35,
                                         np.where(idx("central_thc"), 0.15, 0.0)))
    special["beds_rehab"] = allocate(target("rehab_beds_per_1k"), rehab_w, beds)
    special["beds_psych"][ch] = target("psych_beds_per_1k")
    special["beds_infectious"][ch] = round(0.06 * beds[ch].sum())
    special["beds_tcm"] = np.where(ch, np.rint(0.03 * beds), np.where(
        idx("central_thc"), 4, 0)).astype(np.int64)
    special["beds_nursing"] = np.where(prim, np.rint(0.1 * beds), 0).astype(np.int64)
    special["beds_emergency_obs"] = np.where(ch, 8, np.where(
        idx("tcm_hospital"), 4, np.where(idx("private_hospital"), 2, 0))).astype(np.int64)
    approved = np.where(idx(*_HOSPITAL_ROLES, "mch"),
                        np.rint(beds * rng.uniform(1.0, 1.15, n)), beds).astype(np.int64)

    # staff 2020: public-health institutions first (their total is a baseline)
    comp = {c: np.zeros(n, dtype=np.int64) for c in _COMPONENTS}
    ph = idx(*_PUBLIC_HEALTH_ROLES)
    ph_w = np.select([idx("cdc"), idx("mch"), idx("emergency"), idx("inspection")],
                     [1.75e-4 * total, 1.0e-4 * total + 1.2 * beds, 14.0, 0.8e-4 * total], 0.0)
    ph_staff = allocate(target("public_health_staff_per_10k"), ph_w)
    mix = {  # doctors_l, doctors_a, nurses, pharm, tech, other_tech, vdoc, mgr, other, insp
        "cdc": (16, 3, 2, 0, 12, 2, 0, 6, 6, 0),
        "mch": (26, 5, 35, 4, 8, 2, 0, 8, 10, 0),
        "emergency": (5, 1, 5, 0, 0, 0, 0, 1, 6, 0),
        "inspection": (0, 0, 0, 0, 0, 0, 0, 3, 2, 15),
    }
    for k in np.flatnonzero(ph):
        parts = allocate(int(ph_staff[k]), mix[role[k]])
        for c, v in zip(_COMPONENTS, parts, strict=True):
            comp[c][k] = v
    med = ~ph
    doctors_target = target("doctors_per_1k") - int((comp["doctors_licensed"] +
                                                      comp["doctors_assistant"])[ph].sum())
    w_doc = np.select(
        [idx("county_hospital"), idx("tcm_hospital"), idx("private_hospital", "private_specialty"),
         idx("central_thc"), idx("thc"), idx("chc"), idx("station"), idx("village_clinic"),
         idx("outpatient"), idx("clinic")],
        [beds * 0.40, beds * 0.38, beds * 0.26, 4 + area_pop / 2200, 3 + area_pop / 2500,
         2 + area_pop / 3500, 1.3, 0.22, 4.0, 1.3], 0.0) * noise
    minimum = np.where(idx("central_thc", "thc", "chc", "station", "outpatient", "clinic"), 1, 0)
    doctors = np.where(med, 0, comp["doctors_licensed"] + comp["doctors_assistant"])
    doctors[med] = minimum[med] + allocate(doctors_target - int(minimum[med].sum()), w_doc[med])
    lic_share = np.select([idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc"),
                           idx("village_clinic")], [0.9, 0.68, 0.0], 0.8)
    lic = np.where(med, np.rint(doctors * lic_share), comp["doctors_licensed"]).astype(np.int64)
    comp["doctors_licensed"] = lic
    comp["doctors_assistant"] = doctors - lic

    nurse_target = target("nurses_per_1k") - int(comp["nurses"][ph].sum())
    w_nurse = np.select(
        [idx("county_hospital"), idx("tcm_hospital"), idx("private_hospital", "private_specialty"),
         idx("central_thc", "thc", "chc"), idx("station"), idx("outpatient"), idx("clinic")],
        [beds * 0.62, beds * 0.50, beds * 0.33, doctors * 0.95, 1.0, 3.0, 0.4], 0.0) * noise
    comp["nurses"][med] = allocate(nurse_target, w_nurse[med])
    pharm_target = target("pharmacists_per_1k") - int(comp["pharmacists"][ph].sum())
    w_pharm = np.select([idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc"),
                         idx("outpatient"), idx("clinic")], [beds * 0.055, 1.8, 0.5, 0.1], 0.0)
    comp["pharmacists"][med] = allocate(pharm_target, w_pharm[med] * noise[med])
    comp["technicians"][med] = np.select(
        [idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc"), idx("outpatient")],
        [np.rint(beds * 0.09), np.full(n, 2), np.full(n, 1)], 0)[med]
    comp["village_doctors"] = np.where(idx("village_clinic"),
                                       np.clip(np.rint(area_pop / 1300), 1, 3), 0).astype(np.int64)
    core = comp["doctors_licensed"] + comp["doctors_assistant"] + comp["nurses"]
    comp["_other_tech"][med] = np.rint(core * 0.04)[med]
    comp["managers"][med] = np.select([idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc")],
                                      [np.rint(core * 0.07), np.full(n, 2)], 0)[med]
    comp["other_staff"][med] = np.select(
        [idx(*_HOSPITAL_ROLES), idx("central_thc", "thc"), idx("chc")],
        [np.rint(core * 0.10), np.full(n, 2), np.full(n, 1)], 0)[med]

    # sub-categories of doctors (each ≤ doctors, together ≤ doctors)
    tcm = allocate(target("tcm_doctors_per_1k"), np.select(
        [idx("tcm_hospital"), idx("county_hospital"), idx("central_thc", "thc", "chc"),
         idx("clinic"), idx("station", "village_clinic"), idx("mch")],
        [doctors * 0.62, doctors * 0.05, doctors * 0.22, doctors * 0.5, doctors * 0.12,
         doctors * 0.03], 0.0), doctors)
    gps = allocate(rate_count(*b["gps_per_10k"], pop=total), np.select(
        [idx("central_thc", "thc"), idx("chc"), idx("station"), idx("county_hospital"),
         idx("village_clinic")], [doctors * 0.25, doctors * 0.35, 0.5, 2.0, 0.02], 0.0),
        doctors - tcm)
    room = doctors - tcm - gps
    ph_doc = np.where(idx("cdc"), room, np.where(idx("central_thc", "thc", "chc"), 1, np.where(
        idx("county_hospital"), 2, np.where(idx("mch"), 3, 0))))
    thcs = np.flatnonzero(idx("thc"))
    if len(thcs) >= 2:  # seed 000 asks ≥1 per 卫生院; one has none yet (filled in 2022)
        ph_doc[thcs[int(rng.integers(len(thcs)))]] = 0
    ph_doc = np.minimum(ph_doc, room)
    psych = np.minimum(np.where(ch, 1, 0), room - ph_doc)
    lacking_ph = np.flatnonzero(idx("thc") & (ph_doc == 0))
    equipment = _equipment(role)
    _calibrate_hospital_staff(comp, beds, idx(*_HOSPITAL_ROLES))

    growth = p.growth
    comp_growth = {"doctors_licensed": growth["doctors"], "doctors_assistant": growth["doctors"],
                   "nurses": growth["nurses"], "pharmacists": growth["pharmacists"]}
    rows: list[dict[str, Any]] = []
    for year in sorted(years):
        dy = year - BASE_YEAR
        g_beds = np.where(idx("tcm_hospital"), growth["beds_tcm_hospital"], np.where(
            idx("mch", "private_hospital", "private_specialty"), growth["beds_other"],
            growth["beds"]))
        beds_y = np.rint(beds * (1 + g_beds) ** dy).astype(np.int64)
        comp_y = {}
        for c, v in comp.items():
            g = np.where(ph, growth["public_health_staff"], comp_growth.get(c, growth["doctors"]))
            comp_y[c] = np.rint(v * (1 + g) ** dy).astype(np.int64)
        doctors_y = comp_y["doctors_licensed"] + comp_y["doctors_assistant"]
        tcm_y = np.minimum(np.rint(tcm * (1 + growth["tcm_doctors"]) ** dy), doctors_y)
        gps_y = np.minimum(np.rint(gps * (1 + growth["gps"]) ** dy), doctors_y - tcm_y)
        ph_y = ph_doc.copy()
        if year >= 2022:
            ph_y[lacking_ph] = 1
        ph_y = np.minimum(np.where(idx("cdc"), doctors_y, ph_y), doctors_y - tcm_y - gps_y)
        psych_y = np.minimum(psych, doctors_y - tcm_y - gps_y - ph_y)
        health_tech = sum(comp_y[c] for c in ("doctors_licensed", "doctors_assistant", "nurses",
                                              "pharmacists", "technicians", "_other_tech"))
        staff_total = health_tech + sum(comp_y[c] for c in ("village_doctors", "managers",
                                                            "other_staff", "health_inspectors"))
        icu_y = special["beds_icu"] + np.where(ch, 3 * max(dy, 0), 0)
        rehab_y = np.rint(special["beds_rehab"] * 1.08 ** dy).astype(np.int64)
        for i, fid in enumerate(facilities["id"]):
            row: dict[str, Any] = {"facility_id": fid, "year": year}
            if beds[i] > 0 or role[i] in _HOSPITAL_ROLES:
                row.update({
                    "beds_approved": int(max(approved[i], beds_y[i])), "beds": int(beds_y[i]),
                    "beds_icu": int(min(icu_y[i], beds_y[i])),
                    "beds_rehab": int(min(rehab_y[i], beds_y[i])),
                    **{c: int(min(special[c][i], beds_y[i])) for c in (
                        "beds_psych", "beds_infectious", "beds_nursing", "beds_emergency_obs",
                        "beds_tcm")}})
            else:
                row.update({"beds_approved": 0, "beds": 0})
            row.update({c: int(comp_y[c][i]) for c in _COMPONENTS if not c.startswith("_")})
            row.update({"staff_total": int(staff_total[i]),
                        "staff_health_tech": int(health_tech[i]),
                        "tcm_doctors": int(tcm_y[i]), "gps": int(gps_y[i]),
                        "public_health_physicians": int(ph_y[i]),
                        "psychiatrists": int(psych_y[i])})
            row.update({c: int(v(year)[i]) for c, v in equipment.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _calibrate_hospital_staff(comp: dict[str, IntArray], beds: IntArray,
                              hospitals: npt.NDArray[np.bool_]) -> None:
    """Set the hospitals' 2020 other staff (其他人员, neither health technicians nor a
    baseline of its own) so that 医院卫生人员 / 医院实有床位 is seed 000's 1:1.74 at the
    decimals stated; changes `comp` in place."""
    rate = HOSPITAL_STAFF_PER_BED_2020
    hosp_beds = int(beds[hospitals].sum())
    if hosp_beds == 0:
        return
    staff = sum(comp[c][hospitals] for c in _COMPONENTS)
    delta = round(rate * hosp_beds) - int(np.sum(staff))  # the nearest whole staff: 1:1.74
    other = comp["other_staff"]
    if delta > 0:
        other[hospitals] += allocate(delta, beds[hospitals])
    elif delta < 0:
        other[hospitals] -= allocate(min(-delta, int(other[hospitals].sum())),
                                     other[hospitals], other[hospitals])


def _equipment(role: npt.NDArray[Any]) -> dict[str, Any]:
    """Return, per equipment column, a function year → counts per facility."""
    def per(values: dict[str, int], since: dict[str, tuple[int, int]] | None = None) -> Any:
        def at(year: int) -> IntArray:
            out = np.array([values.get(r, 0) for r in role], dtype=np.int64)
            for r, (y0, extra) in (since or {}).items():
                out[role == r] += extra if year >= y0 else 0
            return out
        return at

    return {
        "ct": per({"county_hospital": 2, "tcm_hospital": 1}, {"private_hospital": (2021, 1),
                                                              "county_hospital": (2022, 1)}),
        "mri": per({"county_hospital": 1}, {"tcm_hospital": (2023, 1)}),
        "dr": per({"county_hospital": 3, "tcm_hospital": 2, "private_hospital": 1,
                   "private_specialty": 1, "mch": 1, "central_thc": 1, "thc": 1, "chc": 1,
                   "outpatient": 1}),
        "ambulances": per({"county_hospital": 2, "tcm_hospital": 1, "emergency": 2,
                           "central_thc": 1},
                          {"thc": (2021, 0), "emergency": (2022, 1),
                           "county_hospital": (2023, 1)}),
        "ambulances_negative_pressure": per({}, {"county_hospital": (2020, 1),
                                                 "emergency": (2022, 1)}),
        "ecmo": per({}, {"county_hospital": (2023, 1)}),
        "ventilators": per({"county_hospital": 12, "tcm_hospital": 4, "central_thc": 1,
                            "mch": 2}, {"county_hospital": (2022, 8)}),
    }


# --- utilisation --------------------------------------------------------------------------

_YEAR_EFFECT = {2019: 1.03, 2020: 0.94, 2021: 1.0, 2022: 0.96, 2023: 1.05}
_OCC_ALOS = {  # occupancy range, stay range (days)
    "county_hospital": ((0.84, 0.90), (7.6, 8.4)), "tcm_hospital": ((0.80, 0.86), (8.2, 8.9)),
    "private_hospital": ((0.62, 0.72), (9.0, 10.5)),
    "private_specialty": ((0.55, 0.70), (10.0, 13.0)), "mch": ((0.60, 0.70), (4.5, 5.5)),
    "central_thc": ((0.65, 0.78), (5.5, 7.0)), "thc": ((0.45, 0.72), (5.5, 7.0)),
    "chc": ((0.30, 0.50), (6.0, 8.0)),
}
_VISITS = {  # visits per bed, or per resident of the area, or per facility
    "county_hospital": ("bed", 1300), "tcm_hospital": ("bed", 1100),
    "private_hospital": ("bed", 520), "private_specialty": ("bed", 380), "mch": ("bed", 1500),
    "central_thc": ("pop", 1.7), "thc": ("pop", 1.5), "chc": ("pop", 1.2),
    "station": ("unit", 9000), "village_clinic": ("pop", 2.2), "outpatient": ("unit", 15000),
    "clinic": ("unit", 6000),
}


def _utilisation(facilities: gpd.GeoDataFrame, resources: pd.DataFrame, pop: pd.DataFrame,
                 years: tuple[int, ...], rng: np.random.Generator,
                 p: SynthParams) -> pd.DataFrame:
    """Return visits, admissions, bed-days, stay and occupancy per facility and year."""
    res = resources.set_index(["facility_id", "year"])
    pops = {(str(a), int(y)): float(t) for a, y, t in
            zip(pop["area_code"], pop["year"], pop["total"], strict=True)}
    rows: list[dict[str, Any]] = []
    for _, f in facilities.iterrows():
        r = str(f["_role"])
        if r not in _VISITS:
            continue
        occ_rng, alos_rng = _OCC_ALOS.get(r, ((0.0, 0.0), (0.0, 0.0)))
        occ0, alos0 = rng.uniform(*occ_rng), rng.uniform(*alos_rng)
        scale = rng.lognormal(0, 0.1)
        how, per = _VISITS[r]
        for year in sorted(years):
            dy = year - BASE_YEAR
            effect = _YEAR_EFFECT.get(year, 1.0)
            beds = int(res.loc[(f["id"], year), "beds"])
            base = {"bed": beds, "pop": pops.get((str(f["area_code"]), year), 0.0), "unit": 1}[how]
            visits = round(base * per * scale * effect * (1 + p.growth["visits"]) ** dy)
            hosp = r in _HOSPITAL_ROLES or r == "mch"
            oe = round(visits * (0.95 if hosp else 1.0))
            row: dict[str, Any] = {
                "facility_id": f["id"], "year": year, "visits": visits,
                "outpatient_emergency_visits": oe,
                "emergency_visits": round(oe * (0.08 if hosp else 0.02 if r in _PRIMARY_CENTRES
                                                else 0.0))}
            if beds > 0 and r in _OCC_ALOS:
                days = 366 if year % 4 == 0 else 365
                occ = float(np.clip(occ0 * effect + rng.normal(0, 0.01), 0.05, 0.98))
                if r == "county_hospital":
                    occ = max(occ, 0.78)
                alos = alos0 + rng.normal(0, 0.15)
                open_days = beds * days
                occupied = round(open_days * occ)
                discharged_days = round(occupied * rng.uniform(0.96, 0.99))
                discharges = max(1, round(discharged_days / alos))
                row.update({
                    "admissions": discharges + round(discharges * rng.uniform(-0.004, 0.01)),
                    "discharges": discharges, "bed_days_open": open_days,
                    "bed_days_occupied": occupied, "discharged_bed_days": discharged_days,
                    "alos_days": round(discharged_days / discharges, 2),
                    "occupancy_pct": round(occupied / open_days * 100, 2)})
            rows.append(row)
    return pd.DataFrame(rows)




def synthesize_project(root: str | Path, *, county: str = "530403", seed: int = 0) -> Project:
    """Return a new project in folder `root`: `hsplan.region.project.init_project` for `county`,
    then its region filled in by `synthesize` (seed `seed`) and the synthetic road layer
    written to ``roads.gpkg``. Refuses a folder that already holds a project.

    One transaction (`hsplan.region.project.create_project`): the census region, the
    synthetic tables, the roads and ``hsplan.toml`` are built in a hidden folder and moved
    into place together, so a failure or a kill leaves no half-made project.
    """
    from hsplan.region.project import build_project
    from hsplan.region.reference import region_from_county

    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValidationError([Problem(
            "seed out of range", column="--seed", expected="a whole number from 0 to "
            "4294967295", got=str(seed), fix="give --seed 0, 1, 2 …")], context="synth")
    census = region_from_county(county)

    def build(staging: Path) -> Project:
        project = Project(root=staging, name=f"{census.meta['name']}（合成示例）",
                          county_code=str(census.meta["county_code"]), synthetic=True)
        project.save(census)  # read back as `init` stores it, then filled in
        region = synthesize(project.load(), seed=seed)
        villages = region.areas[region.areas["level"] == "village"]
        if len(villages) and villages.geometry.notna().all():
            # roads join the villages; a county without bundled villages keeps the
            # straight-line model (stated in every access result)
            save_roads(roads_from_region(region, seed=seed), staging / ROADS_NAME)
        project.save(region)
        project.write_config()
        return project

    return build_project(root, build)



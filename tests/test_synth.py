"""Tests of hsplan.region.synth on the real 江川区 (530403) reference region."""

from __future__ import annotations

import re
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hsplan import _i18n
from hsplan.errors import ValidationError
from hsplan.region import schema
from hsplan.region.io.checks import check_region
from hsplan.region.model import Region
from hsplan.region.reference import census, region_from_county
from hsplan.region.synth import (
    BASELINES_2020,
    allocate,
    controlled_round,
    ipf,
    rate_count,
    roads_from_region,
    synthesize,
)

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

BANDS = list(schema.AGE_BAND_IDS)
SEED_000 = (resources.files("hsplan") / "data" / "seeds" / "000_a2a2a54b8113ffa6.txt"
            ).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def real() -> Region:
    return region_from_county("530403")


@pytest.fixture(scope="module")
def synth(real: Region) -> Region:
    return synthesize(real, seed=0)


def _table1_2020(name: str, unit: str) -> str:
    """Return the 2020 cell of seed 000's 表1 row `name` (as written, e.g. '3.44')."""
    match = re.search(re.escape(name) + r" \| " + re.escape(unit) + r" \| ([\d.]+) \|",
                      SEED_000)
    assert match, name
    return match.group(1)


# --- helpers -------------------------------------------------------------------------------

def test_allocate_is_largest_remainder_within_caps() -> None:
    assert allocate(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert allocate(7, [0.5, 0.3, 0.2]).tolist() == [4, 2, 1]  # 3.5, 2.1, 1.4
    assert allocate(10, [10, 1, 1], caps=[2, 10, 10]).tolist() == [2, 4, 4]
    assert allocate(0, [1, 2]).tolist() == [0, 0]
    with pytest.raises(ValueError, match="cannot allocate 5 within caps summing to 4"):
        allocate(5, [1, 1], caps=[2, 2])


def test_controlled_round_keeps_both_margins() -> None:
    rng = np.random.default_rng(3)
    rows = np.array([101, 57, 342])
    cols = np.array([200, 150, 100, 50])
    m = ipf(rng.uniform(0.5, 2, (3, 4)), rows.astype(float), cols.astype(float))
    x = controlled_round(m, rows, cols)
    assert x.sum(1).tolist() == rows.tolist()
    assert x.sum(0).tolist() == cols.tolist()
    assert np.all(np.abs(x - m) < 1)


def test_rate_count_reproduces_the_stated_rate() -> None:
    assert rate_count(3.44, 2, 1000, 253295) == 871
    assert rate_count(1.58, 2, 10000, 253295) == 40
    assert rate_count(0.0, 0, 1000, 253295) == 0


# --- population ----------------------------------------------------------------------------

def test_2020_county_row_is_the_census(synth: Region) -> None:
    c = census("530403")
    row = synth.population[(synth.population["area_code"] == "530403")
                           & (synth.population["year"] == 2020)].iloc[0]
    assert int(row["total"]) == 253295 == c["total"]
    assert int(row["male"]) == 129586 and int(row["female"]) == 123709
    assert int(row["urban"]) == 122617 and int(row["rural"]) == 130678
    # 65–69 = 男 6705 + 女 6581 in the census table
    assert int(row["age_65_69"]) == 6705 + 6581


def test_townships_sum_exactly_to_the_census(real: Region, synth: Region) -> None:
    pop = synth.population
    census_row = real.population[real.population["year"] == 2020].iloc[0]
    towns = pop[(pop["area_code"].str.len() == 9) & (pop["year"] == 2020)]
    assert len(towns) == 8
    for col in ["total", "male", "female", "urban", "rural", *BANDS]:
        assert int(towns[col].sum()) == int(census_row[col]), col
    # every township's bands add up to its total
    assert (towns[BANDS].sum(axis=1) == towns["total"]).all()
    # the age structure differs between townships (streets younger)
    share_65 = towns[BANDS[13:]].sum(axis=1) / towns["total"]
    assert share_65.max() - share_65.min() > 0.03


def test_villages_sum_to_townships_every_year(synth: Region) -> None:
    pop = synth.population.copy()
    pop["township"] = pop["area_code"].str[:9]
    for year in (2019, 2020, 2021, 2022, 2023):
        p = pop[pop["year"] == year]
        villages = p[p["area_code"].str.len() == 12].groupby("township")["total"].sum()
        towns = p[p["area_code"].str.len() == 9].set_index("area_code")["total"]
        assert villages.sort_index().tolist() == towns.sort_index().tolist()
        assert int(towns.sum()) == int(p[p["area_code"] == "530403"]["total"].iloc[0])
    assert (pop[pop["area_code"].str.len() == 12]["year"].value_counts() == 76).all()


def test_population_trend_is_small(synth: Region) -> None:
    county = synth.population[synth.population["area_code"] == "530403"].set_index("year")
    change = county["total"].astype(float).pct_change().dropna()
    assert (change.abs() < 0.01).all()


# --- geography -----------------------------------------------------------------------------

def test_township_polygons_partition_the_real_boundary(real: Region, synth: Region) -> None:
    crs = synth.areas.estimate_utm_crs()
    areas = synth.areas.to_crs(crs)
    boundary = areas[areas["level"] == "county"].geometry.iloc[0]
    assert boundary.equals_exact(real.areas.to_crs(crs).geometry.iloc[0], 1e-6)
    towns = areas[areas["level"] == "township"]
    assert towns.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert towns.geometry.area.sum() == pytest.approx(boundary.area, rel=1e-6)
    assert towns.geometry.union_all().symmetric_difference(boundary).area < 1e-6 * boundary.area
    geoms = list(towns.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert geoms[i].intersection(geoms[j]).area < 1.0  # m²
    streets = towns[towns["code"].str[6] == "0"]
    assert streets.geometry.area.sum() < 0.12 * boundary.area
    assert set(towns["urban_rural"]) == {"urban", "rural"}


def test_a_district_of_streets_only_is_partitioned_among_them() -> None:
    # 成都市武侯区 (510107) has 15 街道 and no 乡镇: the generator used to give the streets a
    # zone of 6 % of the district (the rest belonged to no township) and one street no land
    # at all, so that building the county failed on an empty point.
    real = region_from_county("510107")
    synth = synthesize(real, seed=0)
    areas = synth.areas.to_crs(synth.areas.estimate_utm_crs())
    boundary = areas[areas["level"] == "county"].geometry.iloc[0]
    towns = areas[areas["level"] == "township"]
    assert len(towns) == 15 and (towns["code"].str[6] == "0").all()
    assert (towns.geometry.area > 0.01 * boundary.area / 15).all()
    assert towns.geometry.area.sum() == pytest.approx(boundary.area, rel=1e-6)
    assert check_region(synth) == []


def test_villages_lie_in_their_township(synth: Region) -> None:
    areas = synth.areas
    polys = areas[areas["level"] == "township"].set_index("code").geometry
    villages = areas[areas["level"] == "village"]
    assert len(villages) == 76
    for code, parent, pt in zip(villages["code"], villages["parent_code"], villages.geometry,
                                strict=True):
        assert polys[parent].contains(pt), code


def test_every_facility_lies_in_its_area(synth: Region) -> None:
    polys = synth.areas[synth.areas["level"] == "township"].set_index("code").geometry
    fac = synth.facilities
    assert fac.geometry.notna().all()
    for fid, area, pt in zip(fac["id"], fac["area_code"], fac.geometry, strict=True):
        assert polys[area[:9]].contains(pt), fid
    assert np.allclose(fac.geometry.x, fac["lon"].astype(float))


# --- facilities: seed 000's setting rules ------------------------------------------------

def test_county_level_institutions(synth: Region) -> None:
    fac = synth.facilities
    public = fac[fac["ownership"] == "公立"]
    general = public[(public["subtype"] == "综合医院") & (public["admin_level"] == "县属")]
    assert general["name"].tolist() == ["江川区人民医院"]
    assert public[public["subtype"] == "中医医院"]["name"].tolist() == ["江川区中医医院"]
    for subtype in ("妇幼保健院", "疾病预防控制中心", "急救站"):
        assert (fac["subtype"] == subtype).sum() == 1, subtype
    assert (fac["ownership"] == "非公立").sum() >= 5
    assert fac["category"].tolist() == [schema.FACILITY_SUBTYPES[s] for s in fac["subtype"]]


def test_a_health_centre_per_township_and_street(synth: Region) -> None:
    fac = synth.facilities
    towns = synth.areas[synth.areas["level"] == "township"]
    for code, name in zip(towns["code"], towns["name"], strict=True):
        here = fac[fac["area_code"] == code]
        if name.endswith("街道"):
            assert (here["subtype"] == "社区卫生服务中心").sum() == 1, name
        else:
            assert here["subtype"].isin(["乡镇卫生院", "中心乡镇卫生院"]).sum() == 1, name
    assert (fac["subtype"] == "中心乡镇卫生院").sum() == 1


def test_a_clinic_in_every_village_of_800_or_more(synth: Region) -> None:
    pop = synth.population[synth.population["year"] == 2020].set_index("area_code")["total"]
    villages = synth.areas[synth.areas["level"] == "village"]
    fac = synth.facilities
    covered = set(fac[fac["subtype"].isin(["村卫生室", "社区卫生服务站"])]["area_code"])
    seats = set()
    for t in villages["parent_code"].unique():
        codes = sorted(villages[villages["parent_code"] == t]["code"])
        seats.add(next((c for c in codes if int(c[9:]) < 200), codes[0]))
    big = [c for c in villages["code"] if int(pop[c]) >= 800 and c not in seats]
    assert len(big) > 50
    assert [c for c in big if c not in covered] == []
    assert not covered & seats  # township seats have the 卫生院 instead


def test_departments_are_a_realistic_mix(synth: Region) -> None:
    fac = synth.facilities
    centres = fac[fac["subtype"].isin(["乡镇卫生院", "中心乡镇卫生院", "社区卫生服务中心"])]
    depts = centres["departments"].fillna("")
    fever = depts.str.contains("发热").mean()
    tcm = depts.str.contains("中医馆").mean()
    assert 0 < fever < 1 and 0 < tcm < 1
    hospital = fac[fac["name"] == "江川区人民医院"]["departments"].iloc[0]
    assert "感染性疾病科" in hospital and "老年医学科" in hospital


# --- resources: calibrated to seed 000 表1 --------------------------------------------------

def test_2020_per_population_figures_equal_seed_000_baselines(synth: Region) -> None:
    pop = 253295
    res = synth.resources[synth.resources["year"] == 2020].merge(
        synth.facilities[["id", "subtype", "ownership", "admin_level", "category"]],
        left_on="facility_id", right_on="id")
    doctors = int((res["doctors_licensed"] + res["doctors_assistant"]).sum())
    public_tcm = res[(res["subtype"] == "中医医院") & (res["ownership"] == "公立")]
    county_run = res[((res["category"] == "医院") & (res["admin_level"] == "县属"))
                     | (res["category"] == "基层医疗卫生机构")]
    county_run = county_run[county_run["ownership"] == "公立"]
    public_health = res[res["category"] == "专业公共卫生机构"]
    cases = [  # (表1 name, unit, computed value, decimals)
        ("每千人口医疗卫生机构床位数", "张", res["beds"].sum() / pop * 1000, 2),
        ("县办公立医院及基层医疗卫生机构床位数", "张",
         county_run["beds"].sum() / pop * 1000, 2),
        ("每千人口执业(助理)医师数", "人", doctors / pop * 1000, 2),
        ("每千人口注册护士数", "人", res["nurses"].sum() / pop * 1000, 2),
        ("每千人口药师 (士) 数", "人", res["pharmacists"].sum() / pop * 1000, 2),
        ("每万人口全科医师数", "人", res["gps"].sum() / pop * 10000, 2),
        ("每千人口中医类别执业(助理)医师数", "人", res["tcm_doctors"].sum() / pop * 1000, 2),
        ("每千人口重症医学科床位数", "张", res["beds_icu"].sum() / pop * 1000, 2),
        ("每千人口康复病床", "张", res["beds_rehab"].sum() / pop * 1000, 2),
        ("每千人口精神科床位数", "张", res["beds_psych"].sum() / pop * 1000, 0),
        ("每千人口公立中医类医院床位数", "张", public_tcm["beds"].sum() / pop * 1000, 2),
        ("每万人口公共卫生人员数", "人", public_health["staff_total"].sum() / pop * 10000, 1),
    ]
    for name, unit, value, decimals in cases:
        stated = _table1_2020(name, unit)
        assert f"{float(value):.{decimals}f}" == f"{float(stated):.{decimals}f}", name
    assert len(cases) == len(BASELINES_2020)


def test_staff_categories_are_consistent(synth: Region) -> None:
    r = synth.resources.astype({c: "int64" for c in schema.STAFF_COLUMNS})
    doctors = r["doctors_licensed"] + r["doctors_assistant"]
    core = doctors + r["nurses"] + r["pharmacists"] + r["technicians"]
    assert (core <= r["staff_health_tech"]).all()
    assert (r["staff_health_tech"] <= r["staff_total"]).all()
    assert (r["gps"] + r["tcm_doctors"] + r["public_health_physicians"] + r["psychiatrists"]
            <= doctors).all()
    beds = synth.resources.fillna(0)
    for col in ("beds_icu", "beds_rehab", "beds_infectious", "beds_tcm"):
        assert (beds[col] <= beds["beds"]).all(), col
    assert (r["ambulances_negative_pressure"] <= r["ambulances"]).all()
    by_year = synth.resources.groupby("year")[["ambulances", "ambulances_negative_pressure"]].sum()
    assert list(by_year.loc[2020]) == [6, 1] and list(by_year.loc[2023]) == [8, 2]
    # seed 000: every 卫生院 at least one public-health physician — one lacks it until 2022
    fac = synth.facilities.set_index("id")
    thc = r[r["facility_id"].map(fac["subtype"]).isin(["乡镇卫生院", "中心乡镇卫生院"])]
    lacking = thc[thc["public_health_physicians"] == 0].groupby("year").size()
    assert lacking.to_dict() == {2019: 1, 2020: 1, 2021: 1}


def test_utilisation_is_plausible_and_hospitals_healthy(synth: Region) -> None:
    u = synth.utilisation.merge(synth.facilities[["id", "subtype", "ownership"]],
                                left_on="facility_id", right_on="id")
    beds = u.dropna(subset=["discharges"])
    assert np.allclose(beds["alos_days"].astype(float),
                       (beds["discharged_bed_days"] / beds["discharges"]).astype(float),
                       atol=0.005)
    assert np.allclose(beds["occupancy_pct"].astype(float),
                       (beds["bed_days_occupied"] / beds["bed_days_open"] * 100).astype(float),
                       atol=0.005)
    general = u[(u["subtype"] == "综合医院") & (u["ownership"] == "公立")]
    assert len(general) == 5
    assert (general["occupancy_pct"] >= 75).all() and (general["alos_days"] <= 9).all()
    assert (general["alos_days"] > 7).all()
    assert (u["outpatient_emergency_visits"] <= u["visits"]).all()
    per_capita = u[u["year"] == 2020]["visits"].sum() / 253295
    assert 4 < per_capita < 10


# --- the whole region ----------------------------------------------------------------------

def test_synthetic_region_passes_the_validator(synth: Region) -> None:
    assert check_region(synth) == []
    assert synth.meta["synthetic"] is True
    assert synth.meta["synth_seed"] == 0
    assert "hsplan.region.synth.synthesize (seed 0)" in synth.meta["synthetic_note"]


def test_same_seed_same_tables_other_seed_other_tables(real: Region, synth: Region) -> None:
    again = synthesize(real, seed=0)
    for name, df in synth.tables().items():
        pd.testing.assert_frame_equal(pd.DataFrame(df), pd.DataFrame(again.tables()[name]),
                                      obj=name)
    other = synthesize(real, seed=1)
    assert not other.facilities["lon"].equals(synth.facilities["lon"])


def test_bad_input_is_reported_at_once(real: Region) -> None:
    no_census = real.replace(population=real.population.iloc[0:0])
    no_county = no_census.replace(areas=real.areas[real.areas["level"] != "county"])
    with pytest.raises(ValidationError) as info:
        synthesize(no_county, years=(2021,))
    assert str(info.value) == (
        "synthesize: 2 problems found\n"
        "  - region, table areas, column level: expected exactly one county area, got '0'. "
        "Fix: build the region with hsplan.region.reference.region_from_county(CODE)\n"
        "  - synth years: expected a list including 2020, got '[2021]'. "
        "Fix: add 2020 (the census year)")
    with pytest.raises(ValidationError, match="expected one row with total and all 18 age"):
        synthesize(no_census)
    with pytest.raises(ValidationError, match="key colour: expected one of"):
        synthesize(real, params={"colour": 1})


# --- roads ---------------------------------------------------------------------------------

def test_roads_connect_every_village(synth: Region) -> None:
    roads = roads_from_region(synth, seed=0)
    assert isinstance(roads, gpd.GeoDataFrame) and roads.crs == "EPSG:4326"
    assert set(roads["road_class"]) == {"primary", "secondary", "tertiary", "unclassified"}
    assert not roads["oneway"].any()
    codes = sorted(set(roads["from_code"]) | set(roads["to_code"]))
    assert len(codes) == 76
    index = {c: i for i, c in enumerate(codes)}
    graph = coo_matrix((np.ones(len(roads)), ([index[c] for c in roads["from_code"]],
                                              [index[c] for c in roads["to_code"]])),
                       shape=(76, 76))
    assert connected_components(graph, directed=False)[0] == 1
    assert len(roads) > 75  # a spanning tree has 75 edges; extra edges make cycles
    assert (roads["length_m"] > 0).all()
    crs = synth.areas.estimate_utm_crs()
    assert roads.to_crs(crs).length.round(1).tolist() == roads["length_m"].tolist()


@pytest.mark.parametrize(("code", "words", "words_zh"), [
    ("460321", "the 2020 census counts 1,549 residents, fewer than the 5,000 a synthetic",
     "2020 年普查常住人口 1,549 人，少于合成县所需的 5,000 人"),  # 西沙群岛
    ("460322", "the 2020 census has no population by age for 460322 (639 residents)",
     "2020 年普查表没有 460322 的分年龄人口（常住人口 639 人）"),  # 南沙群岛
])
def test_counties_the_generator_cannot_model_are_refused_with_the_reason(
        code: str, words: str, words_zh: str) -> None:
    # the national build met these two as a Python error (a negative allocation; int(NaN))
    region = region_from_county(code)
    with pytest.raises(ValidationError) as err:
        synthesize(region, seed=0)
    assert words in str(err.value)
    _i18n.set_language("zh")  # the module runs in English; the reason in Chinese by default
    try:
        with pytest.raises(ValidationError) as err:
            synthesize(region, seed=0)
    finally:
        _i18n.set_language("en")
    assert words_zh in str(err.value)

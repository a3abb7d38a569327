"""Tests of hsplan.plans.indicators: the catalog (data) and computing indicators at any level.

The region below is built by hand so that every expected value can be recomputed on paper;
the arithmetic is written next to each assertion.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from hsplan.errors import HsplanError, ValidationError
from hsplan.plans.indicators import Catalog, compute, compute_all, load_catalog
from hsplan.region import schema
from hsplan.region.model import Region, typed

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

COUNTY = "530403"
TOWN_A = "530403101"  # 江城镇: population 60,000
TOWN_B = "530403102"  # 前卫镇: population 40,000
TOWN_C = "530403103"  # 路居镇: no population, no facilities
VILLAGE_A1 = "530403101201"


def _region() -> Region:
    areas = pd.DataFrame([
        {"code": COUNTY, "name": "江川区", "level": "county", "parent_code": "5304"},
        {"code": TOWN_A, "name": "江城镇", "level": "township", "parent_code": COUNTY},
        {"code": TOWN_B, "name": "前卫镇", "level": "township", "parent_code": COUNTY},
        {"code": TOWN_C, "name": "路居镇", "level": "township", "parent_code": COUNTY},
        {"code": VILLAGE_A1, "name": "东门社区", "level": "village", "parent_code": TOWN_A},
    ])
    population = pd.DataFrame([
        {"area_code": COUNTY, "year": 2021, "total": 100_000},
        {"area_code": TOWN_A, "year": 2021, "total": 60_000},
        {"area_code": TOWN_B, "year": 2021, "total": 40_000},
        {"area_code": COUNTY, "year": 2020, "total": 99_000},
    ])
    fac = [
        ("F1", "江川区人民医院", "综合医院", "公立", "县属", "二级甲等", TOWN_A,
         "感染性疾病科、老年医学科", None),
        ("F2", "江川区中医医院", "中医医院", "公立", "县属", "二级甲等", TOWN_B, "治未病科", None),
        ("F3", "江城镇卫生院", "乡镇卫生院", "公立", "乡镇", None, TOWN_A, "发热门诊、中医馆",
         None),
        ("F4", "前卫镇卫生院", "乡镇卫生院", "公立", "乡镇", None, TOWN_B, "中医馆", None),
        ("F5", "东门村卫生室", "村卫生室", "公立", "村", None, VILLAGE_A1, None, None),
        ("F6", "江川仁和医院", "综合医院", "非公立", "其他", "一级", TOWN_B, "感染性疾病科", None),
        ("F7", "江川区疾病预防控制中心", "疾病预防控制中心", "公立", "县属", None, TOWN_A,
         None, None),
        ("F8", "前卫镇分院", "乡镇卫生院", "公立", "乡镇", None, TOWN_B, "发热门诊", 2020),
    ]
    facilities = pd.DataFrame(fac, columns=["id", "name", "subtype", "ownership", "admin_level",
                                            "grade", "area_code", "departments", "closed"])
    res = [
        # id, beds, licensed, assistant, nurses, village_doctors, staff_total
        ("F1", 300, 100, 10, 150, 0, 420),
        ("F2", 150, 50, 5, 60, 0, 200),
        ("F3", 40, 8, 4, 10, 0, 30),
        ("F4", 30, 6, 3, 6, 0, 20),
        ("F5", 0, 0, 1, 0, 2, 3),
        ("F6", 50, 10, 0, 12, 0, 40),
        ("F7", 0, 0, 0, 0, 0, 40),
    ]
    resources = pd.DataFrame(res, columns=["facility_id", "beds", "doctors_licensed",
                                           "doctors_assistant", "nurses", "village_doctors",
                                           "staff_total"]).assign(year=2021)
    reported = pd.DataFrame([
        {"area_code": COUNTY, "year": 2021, "indicator": "人均预期寿命", "value": 80.31},
        {"area_code": COUNTY, "year": 2021, "indicator": "infant_mortality_per_1k", "value": 4.2},
    ])
    return Region(
        areas=typed(areas, schema.AREAS),
        population=typed(population, schema.POPULATION),
        facilities=typed(facilities, schema.FACILITIES),
        resources=typed(resources, schema.RESOURCES),
        reported=typed(reported, schema.REPORTED),
    )


@pytest.fixture(scope="module")
def region() -> Region:
    return _region()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _by_area(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {row.area_code: row for row in frame.itertuples()}  # type: ignore[misc]


# --- catalog -----------------------------------------------------------------------------


def test_catalog_loads_with_unique_ids_and_known_columns(catalog: Catalog) -> None:
    ids = [ind.id for ind in catalog]
    assert len(ids) == len(set(ids)) >= 90
    measure_cols = (set(schema.RESOURCES.column_ids) | set(schema.UTILISATION.column_ids)) - {
        "facility_id", "year"}
    pop_cols = set(schema.POPULATION.column_ids) - {"area_code", "year"}
    assert len(catalog.computable) >= 55
    for ind in catalog.computable:
        assert ind.formula is not None
        for term in (ind.formula.numerator, ind.formula.denominator):
            for name in term.names:
                if term.kind == "sum":
                    assert name in measure_cols, (ind.id, name)
                elif term.kind == "population":
                    assert name in pop_cols, (ind.id, name)
                elif term.kind == "count_with_department":
                    assert name in schema.DEPARTMENTS, (ind.id, name)
        for flt in (ind.formula.filter, ind.formula.numerator_filter):
            assert set(flt.subtype) <= set(schema.FACILITY_SUBTYPES), ind.id


def test_catalog_entry_fields(catalog: Catalog) -> None:
    beds = catalog.get("beds_per_1k")
    assert beds.name_zh == "每千人口医疗卫生机构床位数"
    assert beds.unit == "张/千人"
    assert beds.direction == "up"
    assert beds.file == "resources.yaml"
    ratio = catalog.get("nurse_to_doctor_ratio")
    assert ratio.ratio_form == "1:x"
    assert catalog.get("alos_days").direction == "down"
    assert catalog.get("life_expectancy_years").kind == "reported"


def test_unknown_id_names_close_ids(catalog: Catalog) -> None:
    with pytest.raises(HsplanError) as info:
        catalog.get("beds_per_1000")
    assert str(info.value).startswith("unknown indicator 'beds_per_1000': expected an id of "
                                      "the indicator catalog. Did you mean beds_per_1k")


# Names exactly as 表1 of seed 000 (玉溪市江川区“十四五”医疗卫生服务体系规划) writes them.
SEED_000_TABLE_1 = {
    "每万人口公共卫生人员数": "public_health_staff_per_10k",
    "各级疾病预防控制机构基础设施达标率": "cdc_infrastructure_compliance_pct",
    "每万人口急救车辆数": "ambulances_per_10k",
    "二级以上综合医院(含中医医院)设置感染性疾病科的比例": "infectious_dept_share_pct",
    "乡(镇)卫生院和社区卫生服务中心设置发热诊室(门诊、哨点)的比例": "fever_clinic_share_pct",
    "每千人口重症医学科床位数": "icu_beds_per_1k",
    "每千人口医疗卫生机构床位数": "beds_per_1k",
    "其中:县办公立医院及基层医疗卫生机构床位数": "county_public_primary_beds_per_1k",
    "每千人口康复病床": "rehab_beds_per_1k",
    "每千人口精神科床位数": "psych_beds_per_1k",
    "每千人口执业(助理)医师数": "doctors_per_1k",
    "每千人口注册护士数": "nurses_per_1k",
    "每千人口药师 (士) 数": "pharmacists_per_1k",
    "每万人口全科医师数": "gps_per_10k",
    "医护比": "nurse_to_doctor_ratio",
    "床人(卫生人员)比": "staff_to_bed_ratio",
    "每千人口中医类别执业(助理)医师数": "tcm_doctors_per_1k",
    "设置治未病科的二级及以上中医类医院的比例": "preventive_tcm_dept_share_pct",
    "设置中医馆的社区卫生服务中心和乡(镇)卫生院的比例": "tcm_hall_share_pct",
    "每千人口公立中医类医院床位数": "public_tcm_hospital_beds_per_1k",
    "每千人口拥有 3 岁以下婴幼儿托位数": "childcare_places_per_1k",
    "二级及以上综合医院(含中医医院)设置老年医学科的比例": "geriatrics_dept_share_pct",
    "人均预期寿命": "life_expectancy_years",
    "健康预期寿命": "healthy_life_expectancy_years",
}


@pytest.mark.parametrize(("name", "expected"), SEED_000_TABLE_1.items())
def test_seed_000_table_1_names_resolve(catalog: Catalog, name: str, expected: str) -> None:
    matches = catalog.match(name)
    assert matches[0][0] == expected
    assert matches[0][1] >= 0.9


def test_match_normalises_width_spacing_and_unit_suffix(catalog: Catalog) -> None:
    # seed 002 表1 and seed 001 write the names with line-break spaces and units in brackets
    assert catalog.match("每千人口医疗卫生机构床 位数(张)")[0] == ("beds_per_1k", 0.95)
    # 公立中医医院 is its own indicator, not 公立中医类医院 (issue 10)
    assert catalog.match("每千人口公立中医医院床位 数(张)")[0] == (
        "public_tcm_only_hospital_beds_per_1k", 0.95)
    # dropping 口 and 数 only (seed 001): core form equal
    assert catalog.match("每千人执业(助理)医师")[0] == ("doctors_per_1k", 0.9)
    # assistant doctors are not the same indicator as licensed doctors
    assert catalog.match("每千人口执业医师数")[0][0] == "licensed_doctors_per_1k"
    assert catalog.match("与卫生无关的名称") == []


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


ENTRY = """- id: {id}
  name_zh: {zh}
  name_en: x
  unit: 张/千人
  kind: computed
  direction: up
  formula:
    numerator: {{sum: {col}}}
    denominator: {{population: total}}
    factor: 1000
  definition: d
  source: s
"""


def test_duplicate_id_across_files_names_both_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", ENTRY.format(id="beds_x", zh="甲", col="beds"))
    _write(tmp_path, "extra_b.yaml", "# comment\n" + ENTRY.format(id="beds_x", zh="乙",
                                                                   col="beds"))
    with pytest.raises(ValidationError) as info:
        load_catalog(tmp_path)
    assert [str(p) for p in info.value.errors] == [
        "extra_b.yaml, row 2, column id: duplicate indicator id 'beds_x': also in a.yaml, "
        "row 1. Fix: give each indicator one entry; rename or delete one of the two"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", ENTRY.format(id="beds_x", zh="甲", col="bedz"))
    _write(tmp_path, "b.yaml", ENTRY.format(id="Beds", zh="乙", col="beds"))
    _write(tmp_path, "c.yaml", "- id: [unclosed\n")
    with pytest.raises(ValidationError) as info:
        load_catalog(tmp_path)
    messages = [str(p) for p in info.value.errors]
    assert messages[0] == (
        "a.yaml, row 1, column formula.numerator.sum: entry beds_x: expected a column of the "
        "resources or utilisation table, got 'bedz'. Fix: use a column id of hsplan.region.schema "
        "(docs/schema.md), e.g. beds"
    )
    assert messages[1].startswith("b.yaml, row 1, column id: entry Beds: 'Beds' does not match")
    assert messages[2].startswith("c.yaml, row 2: the file is not valid YAML (got ")
    assert len(messages) == 3


# --- computation ------------------------------------------------------------------------


def test_beds_per_1k_county(region: Region) -> None:
    out = compute(region, "beds_per_1k", year=2021)
    assert list(out.columns) == ["area_code", "area_name", "value", "numerator", "denominator",
                                 "unit", "status", "missing"]
    row = out.iloc[0]
    # beds 300 + 150 + 40 + 30 + 0 + 50 + 0 = 570; 570 / 100,000 × 1000 = 5.7
    assert (row.area_code, row.area_name, row.numerator, row.denominator) == (
        COUNTY, "江川区", 570.0, 100_000.0)
    assert row.value == pytest.approx(5.7)
    assert (row.unit, row.status, row.missing) == ("张/千人", "ok", "")


def test_doctors_per_1k_counts_licensed_and_assistant(region: Region) -> None:
    row = compute(region, "doctors_per_1k", year=2021).iloc[0]
    # licensed 100+50+8+6+0+10 = 174, assistant 10+5+4+3+1 = 23 → 197 / 100,000 × 1000
    assert row.numerator == 197
    assert row.value == pytest.approx(1.97)


def test_nurse_to_doctor_ratio(region: Region) -> None:
    row = compute(region, "nurse_to_doctor_ratio", year=2021).iloc[0]
    # nurses 150+60+10+6+12 = 238; 医护比 1 : 238/197
    assert (row.numerator, row.denominator) == (238, 197)
    assert row.value == pytest.approx(238 / 197)
    assert row.unit == "1:x"


def test_county_public_and_primary_beds_use_the_or_filter(region: Region) -> None:
    row = compute(region, "county_public_primary_beds_per_1k", year=2021).iloc[0]
    # 县属 public hospitals F1 300 + F2 150, 基层 F3 40 + F4 30 + F5 0; not F6 (非公立)
    assert row.numerator == 520
    assert row.value == pytest.approx(5.2)


def test_department_shares(region: Region) -> None:
    fever = compute(region, "fever_clinic_share_pct", year=2021).iloc[0]
    # 乡镇卫生院 open in 2021: F3 (发热门诊), F4 (none); F8 closed in 2020 is not counted
    assert (fever.numerator, fever.denominator, fever.value) == (1, 2, 50.0)
    infect = compute(region, "infectious_dept_share_pct", year=2021).iloc[0]
    # 二级+ 综合/中医医院: F1 (感染性疾病科), F2 (none); F6 is 一级
    assert (infect.numerator, infect.denominator, infect.value) == (1, 2, 50.0)
    # issue 10: the 科室设置 column is the departments of the latest data year (2021); it says
    # nothing about 2019 (before: today's departments were counted for 2019 too)
    fever_2019 = compute(region, "fever_clinic_share_pct", year=2019).iloc[0]
    assert fever_2019.status == "no data" and math.isnan(fever_2019.value)
    assert fever_2019.missing.startswith("no historical data: no record of the departments of "
                                         "F3, F4, F8 in 2019")


def _facts(*rows: tuple[str, int, str, str, str | None]) -> pd.DataFrame:
    return typed(pd.DataFrame(rows, columns=["facility_id", "year", "fact", "value", "status"]),
                 schema.FACTS)


def test_department_and_grade_history_from_the_facts_table(region: Region) -> None:
    # issue 10: departments and grades recorded per year (a fact holds from its year on)
    facts = _facts(
        ("F3", 2018, "科室", "发热门诊", None), ("F4", 2015, "科室", "中医馆", None),
        ("F8", 2015, "科室", "全科医学科", None), ("F8", 2019, "科室", "发热门诊", None),
        ("F1", 2019, "科室", "感染性疾病科", None), ("F2", 2015, "科室", "治未病科", None),
        ("F1", 2018, "等级", "二级甲等", "通过"), ("F2", 2018, "等级", "一级甲等", "通过"),
        ("F2", 2021, "等级", "二级甲等", "通过"), ("F2", 2019, "等级", "二级甲等", "申报"))
    with_facts = region.replace(facts=facts)
    fever = {y: compute(with_facts, "fever_clinic_share_pct", year=y).iloc[0]
             for y in (2018, 2019, 2021)}
    # 2018: F3 (发热门诊 since 2018), F4 (none), F8 (from 2019 only) → 1 of 3
    assert (fever[2018].numerator, fever[2018].denominator) == (1, 3)
    # 2019: F3 and F8 of 3 (F8 closed in 2020); 2021: F3 of F3, F4 (F8 closed)
    assert (fever[2019].numerator, fever[2019].denominator) == (2, 3)
    assert (fever[2021].numerator, fever[2021].denominator) == (1, 2)
    infect = {y: compute(with_facts, "infectious_dept_share_pct", year=y).iloc[0]
              for y in (2018, 2020, 2021)}
    # 二级+ 综合/中医医院: F1 二级 since 2018 (感染性疾病科 from 2019); F2 一级 until its
    # 二级甲等 passed in 2021 (the 2019 申报 does not count); F6 一级 (static, below 二级)
    assert (infect[2018].numerator, infect[2018].denominator) == (0, 1)
    assert (infect[2020].numerator, infect[2020].denominator, infect[2020].value) == (
        1, 1, 100.0)
    assert (infect[2021].numerator, infect[2021].denominator, infect[2021].value) == (
        1, 2, 50.0)
    # without 等级 facts, a 二级 hospital's grade before the latest year is unknown
    no_grades = region.replace(facts=facts[facts["fact"] == "科室"])
    row = compute(no_grades, "infectious_dept_share_pct", year=2020).iloc[0]
    assert row.status == "no data"
    assert "no record of the departments or hospital grade of F1, F2" in row.missing


def test_township_level(region: Region) -> None:
    out = _by_area(compute(region, "beds_per_1k", year=2021, level="township"))
    assert list(out) == [TOWN_A, TOWN_B, TOWN_C]
    # 江城镇: F1 300 + F3 40 + F5 0 (village 东门社区 → 江城镇) + F7 0 = 340 / 60,000 × 1000
    assert out[TOWN_A].numerator == 340
    assert out[TOWN_A].value == pytest.approx(340 / 60)
    # 前卫镇: F2 150 + F4 30 + F6 50 = 230 / 40,000 × 1000 = 5.75
    assert out[TOWN_B].value == pytest.approx(5.75)
    assert out[TOWN_C].status == "no data"
    assert out[TOWN_C].missing == "population of 530403103 missing for 2021"
    assert math.isnan(out[TOWN_C].value)
    assert out[TOWN_C].numerator == 0


def test_township_share_with_no_facilities_of_the_kind(region: Region) -> None:
    out = _by_area(compute(region, "fever_clinic_share_pct", year=2021, level="township"))
    assert out[TOWN_A].value == 100.0
    assert out[TOWN_B].value == 0.0
    assert out[TOWN_C].status == "no data"
    assert out[TOWN_C].missing == "number of facilities is 0 in 530403103"


def test_reported_value_by_chinese_name_and_by_id(region: Region) -> None:
    row = compute(region, "life_expectancy_years", year=2021).iloc[0]
    assert (row.value, row.unit, row.status, row.missing) == (80.31, "岁", "ok", "")
    assert compute(region, "infant_mortality_per_1k", year=2021).iloc[0].value == 4.2
    missing = compute(region, "life_expectancy_years", year=2020).iloc[0]
    assert missing.status == "no data"
    assert missing.missing == (
        "no reported value of Life expectancy at birth (life_expectancy_years) for 530403 in "
        "2020")


def test_no_resources_for_the_year(region: Region) -> None:
    row = compute(region, "beds_per_1k", year=2020).iloc[0]
    assert row.status == "no data"
    assert row.missing == "no resources for 2020"
    assert row.denominator == 99_000


def test_no_utilisation(region: Region) -> None:
    row = compute(region, "bed_occupancy_pct", year=2021).iloc[0]
    assert (row.status, row.missing) == ("no data", "no utilisation for 2021")


def test_population_summed_from_children_when_the_area_has_none(region: Region) -> None:
    pop = region.population
    no_county = region.replace(population=pop[pop["area_code"] != COUNTY])
    row = compute(no_county, "beds_per_1k", year=2021).iloc[0]
    # 路居镇 has no population, so the county total cannot be summed
    assert row.missing == "population of 530403 missing for 2021"
    town_c = pd.DataFrame([{"area_code": TOWN_C, "year": 2021, "total": 5_000}])
    filled = region.replace(population=pd.concat([pop[pop["area_code"] != COUNTY], town_c]))
    row = compute(filled, "beds_per_1k", year=2021).iloc[0]
    assert row.denominator == 105_000
    assert row.value == pytest.approx(570 / 105)


def test_inputs_not_mutated(region: Region) -> None:
    before = {name: df.copy() for name, df in region.tables().items()}
    compute(region, "beds_per_1k", year=2021, level="township")
    for name, df in region.tables().items():
        pd.testing.assert_frame_equal(df, before[name])


def test_compute_all_covers_every_computable_indicator(region: Region,
                                                       catalog: Catalog) -> None:
    out = compute_all(region, year=2021)
    assert list(out["indicator"]) == [i.id for i in catalog.computable]
    values = out.set_index("indicator")
    # 床人比 on its scope, hospitals (F1, F2, F6): (420 + 200 + 40) / (300 + 150 + 50); the
    # CDC's and the clinics' staff have no beds (issue 10: before, 753 / 570 over everything)
    assert values.loc["staff_to_bed_ratio", "value"] == pytest.approx(660 / 500)
    assert values.loc["bed_occupancy_pct", "status"] == "no data"


def test_unknown_level_and_absent_level(region: Region) -> None:
    with pytest.raises(HsplanError, match="level 'town': expected one of province, city"):
        compute(region, "beds_per_1k", year=2021, level="town")
    with pytest.raises(HsplanError, match=r"no areas of level 'city' \(levels present: "
                                          r"county, township, village\)"):
        compute(region, "beds_per_1k", year=2021, level="city")


# --- documentation -----------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"


def test_docs_example_runs_and_reference_lists_every_builtin_id(catalog: Catalog) -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, str(DOCS), "exec"), {})
    for ind in catalog:
        if not ind.file.startswith("extra_"):
            assert f"| `{ind.id}` |" in text, ind.id


def test_facility_without_a_resources_row_is_named(region: Region) -> None:
    res = region.resources
    row = compute(region.replace(resources=res[res["facility_id"] != "F4"]), "beds_per_1k",
                  year=2021, level="township").set_index("area_code").loc[TOWN_B]
    # 前卫镇 without F4: 150 + 50 = 200 beds; the value stands, the gap is named
    assert (row.status, row.numerator) == ("ok", 200)
    assert row.missing == "no resources row with 实有床位 (beds) for F4 in 2021"


def test_duplicate_rows_unknown_ids_and_unplaced_facilities(region: Region) -> None:
    # F1 has a second 2021 row (20 beds), F99 is not a facility of the region, and F9 sits
    # in the county itself, so no township holds it
    extra_res = pd.DataFrame([{"facility_id": "F1", "year": 2021, "beds": 20},
                              {"facility_id": "F99", "year": 2021, "beds": 1000},
                              {"facility_id": "F9", "year": 2021, "beds": 70}])
    f9 = pd.DataFrame([{"id": "F9", "name": "江川区第二人民医院", "subtype": "综合医院",
                        "area_code": COUNTY}])
    changed = region.replace(resources=pd.concat([region.resources, extra_res]),
                             facilities=pd.concat([region.facilities, f9]))
    county = compute(changed, "beds_per_1k", year=2021).iloc[0]
    assert county.numerator == 570 + 20 + 70  # F99 counts nowhere
    assert county.missing == ""
    town = _by_area(compute(changed, "beds_per_1k", year=2021, level="township"))
    assert town[TOWN_A].numerator == 340 + 20
    assert town[TOWN_A].missing == "facilities not placed in any area of this level: F9"
    assert town[TOWN_C].missing == ("population of 530403103 missing for 2021; facilities "
                                    "not placed in any area of this level: F9")


def test_reported_id_wins_over_the_chinese_name(region: Region) -> None:
    by_id = pd.DataFrame([{"area_code": COUNTY, "year": 2021,
                           "indicator": "life_expectancy_years", "value": 81.0}])
    changed = region.replace(reported=pd.concat([region.reported, by_id]))
    assert compute(changed, "life_expectancy_years", year=2021).iloc[0].value == 81.0


def test_compute_all_rows_equal_compute_one_by_one(region: Region, catalog: Catalog) -> None:
    # compute_all shares one prepared region across indicators; compute prepares afresh
    out = compute_all(region, year=2021, level="township", include_reported=True)
    assert len(out) == 3 * len(catalog)
    for ind in catalog:
        rows = out[out["indicator"] == ind.id].drop(columns=["indicator", "name_zh"])
        single = compute(region, ind.id, year=2021, level="township")
        pd.testing.assert_frame_equal(rows.reset_index(drop=True), single)


# --- golden output: compute_all on the bundled example ----------------------------------------
# tests/data/golden/ holds the frames compute_all() gave before it was made fast (see its
# SOURCE.md); rewrite them with `python tests/test_indicators.py --write-golden`.

GOLDEN = Path(__file__).parent / "data" / "golden"
GOLDEN_YEARS = (2019, 2020, 2021, 2022, 2023)


def _example_region() -> Region:
    from hsplan.region.example import example_project_path
    from hsplan.region.project import Project

    return Project.open(example_project_path()).load()


def _compute_all_years(region: Region, level: str) -> pd.DataFrame:
    """compute_all for every golden year, one frame; reported indicators too except at village
    level (where the example reports nothing: every row would say so)."""
    frames = [compute_all(region, year=y, level=level, include_reported=level != "village")
              .assign(year=y) for y in GOLDEN_YEARS]
    return pd.concat(frames, ignore_index=True)


def _via_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the golden CSV holds it (written and read back the same way)."""
    import io

    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), keep_default_na=False,
                       na_values=[""])


@pytest.fixture(scope="module")
def example_region() -> Region:
    return _example_region()


@pytest.mark.parametrize("level", ["county", "township", "village"])
def test_compute_all_matches_the_golden_output(example_region: Region, level: str) -> None:
    import json

    name = f"compute_all_{level}"
    frame = _compute_all_years(example_region, level)
    dtypes = json.loads((GOLDEN / "dtypes.json").read_text(encoding="utf-8"))[name]
    assert {c: str(t) for c, t in frame.dtypes.items()} == dtypes
    expected = pd.read_csv(GOLDEN / f"{name}.csv.gz", keep_default_na=False, na_values=[""])
    # issue 10: 5 more entries (hospital_alos_days, local_admissions_per_100,
    # public_tcm_only_hospital_beds_per_1k computed; smi_management_rate_pct,
    # village_doctors_and_aides_per_1k_rural reported); 1 more (nonresident_admissions_pct,
    # reported: the 流入 of the bed 需求法); department shares before the latest year (2023)
    # are no data (无历史数据: the example records no 科室 facts)
    assert len(expected) == {"county": 810, "township": 6480, "village": 23940}[level]
    pd.testing.assert_frame_equal(_via_csv(frame), expected, check_exact=False, rtol=1e-12,
                                  atol=0.0)


def _write_golden() -> None:
    import json

    region = _example_region()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / "dtypes.json"
    dtypes = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for level in ("county", "township", "village"):
        name = f"compute_all_{level}"
        frame = _compute_all_years(region, level)
        frame.to_csv(GOLDEN / f"{name}.csv.gz", index=False,
                     compression={"method": "gzip", "mtime": 0})
        dtypes[name] = {c: str(t) for c, t in frame.dtypes.items()}
    path.write_text(json.dumps(dtypes, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


def _write_docs() -> None:
    from hsplan.plans.catalog import catalog_markdown

    text = DOCS.read_text(encoding="utf-8")
    head = text.split("## Reference", 1)[0]
    DOCS.write_text(head + "## Reference\n\n" + catalog_markdown(load_catalog()),
                    encoding="utf-8")


# --- issue 10: compute honours the catalog's levels ------------------------------------------


def test_compute_honours_the_catalog_levels(region: Region, catalog: Catalog) -> None:
    # ambulances per 10,000 serve the whole county: no township value (before: a value per
    # township, 6 of 8 townships "off track" against the county target)
    assert catalog.get("ambulances_per_10k").levels == ("county",)
    town = compute(region, "ambulances_per_10k", year=2021, level="township")
    assert set(town["status"]) == {"not applicable"}
    assert town["value"].isna().all()
    assert town["missing"].iloc[0].startswith(
        "not applicable: Ambulances per 10,000 population (ambulances_per_10k)")
    # a township indicator is still computed per township
    beds = compute(region, "beds_per_1k", year=2021, level="township")
    assert "not applicable" not in set(beds["status"])


# --- issue 10: definitions as data -----------------------------------------------------------


def test_docs_reference_is_the_catalog_with_definitions_and_sources(catalog: Catalog) -> None:
    from hsplan.plans.catalog import catalog_markdown

    text = DOCS.read_text(encoding="utf-8")
    assert text.split("## Reference\n\n", 1)[1] == catalog_markdown(catalog), \
        "docs/indicators.md is stale: run python tests/test_indicators.py --write-docs"


def test_every_entry_states_its_definition_fields(catalog: Catalog) -> None:
    from hsplan.plans.catalog import DEFINITION_FIELDS

    for ind in catalog:
        fields = ind.definition_fields()
        assert list(fields) == list(DEFINITION_FIELDS)
        assert fields["source"] == ind.source
    beds = catalog.get("beds_per_1k").definition_fields()
    assert (beds["population"], beds["beds"]) == ("常住人口", "实有床位")
    icu = catalog.get("icu_beds_share_pct")
    assert icu.definition_fields()["beds"] == "编制床位"      # the norm cites 编制床位
    assert icu.formula is not None and icu.formula.denominator.names == ("beds_approved",)


@pytest.mark.parametrize(("name", "indicator"), [
    ("医院平均住院日", "hospital_alos_days"),
    ("出院者平均住院日", "alos_days"),
    ("严重精神障碍管理率", "smi_management_rate_pct"),
    ("严重精神障碍患者规范管理率", "smi_managed_pct"),
    ("每千人口公立中医医院床位数", "public_tcm_only_hospital_beds_per_1k"),
    ("每千人口公立中医类医院床位数", "public_tcm_hospital_beds_per_1k"),
    ("每千农村人口乡村医生和卫生员数", "village_doctors_and_aides_per_1k_rural"),
    ("每千农村人口乡村医生数", "village_doctors_per_1k_rural"),
    ("年住院率", "admission_rate_pct"),
])
def test_two_official_indicators_never_bind_to_one_entry(catalog: Catalog, name: str,
                                                         indicator: str) -> None:
    best = catalog.match(name)
    assert best[0] == (indicator, 1.0)
    assert all(score < 1.0 for _, score in best[1:])


def test_hospital_alos_counts_hospitals_only(region: Region) -> None:
    util = pd.DataFrame([
        {"facility_id": "F1", "year": 2021, "discharges": 100, "discharged_bed_days": 900},
        {"facility_id": "F3", "year": 2021, "discharges": 100, "discharged_bed_days": 500},
    ])
    changed = region.replace(utilisation=typed(util, schema.UTILISATION))
    assert compute(changed, "hospital_alos_days", year=2021).iloc[0].value == pytest.approx(9.0)
    assert compute(changed, "alos_days", year=2021).iloc[0].value == pytest.approx(7.0)


def test_bed_turnover_uses_366_days_in_a_leap_year(region: Region) -> None:
    rows = [{"facility_id": "F1", "year": y, "discharges": 3660, "bed_days_open": 36600}
            for y in (2020, 2021)]
    changed = region.replace(utilisation=typed(pd.DataFrame(rows), schema.UTILISATION))
    # 平均开放病床 = 36,600 / 366 = 100 in 2020 → 36.6 turnovers; / 365 in 2021 → 36.5
    assert compute(changed, "bed_turnover_times", year=2020).iloc[0].value == \
        pytest.approx(36.6)
    assert compute(changed, "bed_turnover_times", year=2021).iloc[0].value == \
        pytest.approx(36.5)


def test_childcare_centres_are_not_health_facilities(region: Region) -> None:
    nursery = pd.DataFrame([{"id": "C1", "name": "江城镇托育园", "subtype": "托育机构",
                             "area_code": TOWN_A}])
    res = pd.DataFrame([{"facility_id": "C1", "year": 2021, "staff_total": 30,
                         "childcare_places": 120}])
    changed = region.replace(facilities=pd.concat([region.facilities, nursery]),
                             resources=pd.concat([region.resources, res]))
    before = compute(region, "health_workers_per_1k", year=2021).iloc[0].value
    assert compute(changed, "health_workers_per_1k", year=2021).iloc[0].value == \
        pytest.approx(before)
    assert compute(changed, "childcare_places_per_1k", year=2021).iloc[0].value == \
        pytest.approx(120 / 100_000 * 1000)


def test_fever_sentinel_counts_as_a_fever_clinic(region: Region) -> None:
    fac = region.facilities.copy()
    fac.loc[fac["id"] == "F4", "departments"] = "发热哨点、中医馆"
    value = compute(region.replace(facilities=fac), "fever_clinic_share_pct",
                    year=2021).iloc[0].value
    assert value == pytest.approx(100.0)   # F3 发热门诊, F4 发热哨点 (F8 closed in 2020)


def test_rehab_and_psych_beds_count_rehab_and_psychiatric_hospitals() -> None:
    # issue 10: 康复/精神 beds counted departments only. 康复病床 = a 康复医院's beds (all 100,
    # of which 40 are entered as its 康复医学科) + the 综合医院's 康复医学科 20 = 120;
    # 精神科床位 = the 精神病医院's 80 (no department column entered) + the 综合医院's 10 = 90.
    # Per 1,000 of 100,000: 1.2 and 0.9 (before: (40 + 20) / 100 = 0.6 and 10 / 100 = 0.1).
    areas = pd.DataFrame([{"code": COUNTY, "name": "江川区", "level": "county"}])
    population = pd.DataFrame([{"area_code": COUNTY, "year": 2021, "total": 100_000}])
    facilities = pd.DataFrame([
        {"id": "R", "name": "康复医院", "subtype": "康复医院", "area_code": COUNTY},
        {"id": "P", "name": "精神病医院", "subtype": "精神病医院", "area_code": COUNTY},
        {"id": "G", "name": "人民医院", "subtype": "综合医院", "area_code": COUNTY},
    ])
    resources = pd.DataFrame([
        {"facility_id": "R", "year": 2021, "beds": 100, "beds_rehab": 40},
        {"facility_id": "P", "year": 2021, "beds": 80},
        {"facility_id": "G", "year": 2021, "beds": 300, "beds_rehab": 20, "beds_psych": 10},
    ])
    region = Region().replace(areas=areas, population=population, facilities=facilities,
                              resources=resources)
    rehab = compute(region, "rehab_beds_per_1k", year=2021).iloc[0]
    psych = compute(region, "psych_beds_per_1k", year=2021).iloc[0]
    assert (rehab["numerator"], rehab["value"]) == (120, pytest.approx(1.2))
    assert (psych["numerator"], psych["value"]) == (90, pytest.approx(0.9))
    assert rehab["status"] == psych["status"] == "ok"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write-golden"]:
        _write_golden()
    if sys.argv[1:] == ["--write-docs"]:
        _write_docs()

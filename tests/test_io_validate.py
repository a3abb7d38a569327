"""Reading with per-cell validation (hsplan.region.io.tables) and cross-table checks (io.checks)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import DataSourceError, ValidationError
from hsplan.region import coords, schema
from hsplan.region.io import check_region, read_csv_dir, read_tables
from hsplan.region.io.tables import frame_from_rows

# these tests check the English text of messages (tests/test_i18n_problems.py checks the
# Chinese): run them in English
pytestmark = pytest.mark.usefixtures("english")

_spec = importlib.util.spec_from_file_location(
    "jiangchuan", Path(__file__).parent / "data" / "io" / "jiangchuan.py")
assert _spec is not None and _spec.loader is not None
jc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jc)

DATA = Path(__file__).parent / "data" / "io"
runner = CliRunner()


def _read(table: schema.Table, header: list[str], *rows: list[Any],
          coordinate_system: str = "WGS84") -> tuple[pd.DataFrame | None, list[str]]:
    numbered = [(1, header)] + [(i, r) for i, r in enumerate(rows, start=2)]
    frame, _, problems = frame_from_rows(table, numbered, file="f.xlsx", sheet=table.zh,
                                         coordinate_system=coordinate_system)
    return frame, [str(p) for p in problems]


def test_real_census_row_reads_and_checks_clean() -> None:
    result = read_csv_dir(DATA / "census2020_530403")
    assert result.problems == []
    pop = result.tables["population"].iloc[0]
    assert (pop["area_code"], pop["year"], pop["total"]) == ("530403", 2020, 253_295)
    assert (pop["male"], pop["female"], pop["urban"], pop["rural"]) == (
        129_586, 123_709, 122_617, 130_678)
    assert pop["age_00_04"] == 15_901 and pop["age_85p"] == 2_940
    region = jc.make_region().replace(population=result.tables["population"])
    assert check_region(region, incoming=result.sources) == []


@pytest.mark.parametrize(("column", "value", "message"), [
    ("实有床位", "约200", "not a whole number: expected a whole number ≥ 0, got '约200'. "
     "Fix: enter digits only (no 约, units, ranges or decimals)"),
    ("实有床位", -3, "negative count: expected a whole number ≥ 0, got '-3'. "
     "Fix: enter a count of 0 or more"),
    ("实有床位", 12.5, "not a whole number: expected a whole number ≥ 0, got '12.5'. "
     "Fix: enter digits only (no 约, units, ranges or decimals)"),
    ("年份", "二〇二三", "not a valid year: expected a year from 1949 to 2100, got '二〇二三'. "
     "Fix: enter the year as four digits, e.g. 2023"),
    ("年份", 1900, "not a valid year: expected a year from 1949 to 2100, got '1900'. "
     "Fix: enter the year as four digits, e.g. 2023"),
])
def test_cell_errors_name_row_and_column(column: str, value: Any, message: str) -> None:
    cells = {"机构编码": "F001", "年份": 2023, column: value}
    header = list(cells)
    _, problems = _read(schema.RESOURCES, header, list(cells.values()))
    assert problems == [f"f.xlsx, sheet 资源, row 2, column {column}: {message}"]


def test_out_of_range_and_choice_suggestions() -> None:
    header = ["机构编码", "机构名称", "机构类型", "所在区划代码", "经度", "纬度", "医院等级",
              "坐标系"]
    _, problems = _read(
        schema.FACILITIES, header,
        ["F1", "甲", "综合医院", "530403002", 24.29, 102.75, "三甲", "WGS84"],
        ["F2", "乙", "综合医院", "530403002", 102.75, 24.29, "二级丙等", "百度"],
    )
    assert problems == [
        "f.xlsx, sheet 机构, row 2, column 经度: out of range: expected a number from 73 to 136 "
        "(degree), got '24.29'. Fix: check the value and its unit; longitude and latitude are "
        "decimal degrees in China",
        "f.xlsx, sheet 机构, row 2, column 纬度: out of range: expected a number from 3 to 54 "
        "(degree), got '102.75'. Fix: check the value and its unit; longitude and latitude are "
        "decimal degrees in China",
        "f.xlsx, sheet 机构, row 3, column 医院等级: not an allowed value: expected one of "
        "三级甲等, 三级乙等, 三级, 二级甲等, 二级乙等, 二级, 一级甲等, 一级乙等, 一级, 未定级, "
        "got '二级丙等'. Fix: did you mean 二级甲等?",
    ]


def test_headers_english_ids_aliases_and_unknown() -> None:
    frame, problems = _read(
        schema.FACILITIES, ["facility_id", "名称", "subtype", "所在区划代码", "机构类别", "级别"],
        ["F1", "江川区妇幼保健院", "妇幼保健院", 530403002, None, "x"])
    assert problems == [
        "f.xlsx, sheet 机构, row 1, column 级别: unknown column (its values are ignored). "
        "Fix: 级别 is a column of sheet 区划; move it there, or delete it"]
    assert frame is not None
    row = frame.iloc[0]
    assert (row["id"], row["name"], row["area_code"]) == ("F1", "江川区妇幼保健院", "530403002")
    assert row["category"] == "专业公共卫生机构"
    _, problems = _read(schema.FACILITIES, ["机构编码", "机构名", "机构类型", "所在区划代码"],
                        ["F1", "甲", "村卫生室", "530403101001"])
    assert problems == [
        "f.xlsx, sheet 机构, row 1, column 机构名: unknown column (its values are ignored). "
        "Fix: did you mean 机构名称? Rename the header, or delete the column",
        "f.xlsx, sheet 机构, row 1, column 机构名称: missing required column: expected a column "
        "headed 机构名称 (or name). Fix: add the column 机构名称 and fill it in every row",
    ]


def test_missing_key_column_drops_the_table() -> None:
    frame, problems = _read(schema.RESOURCES, ["年份", "实有床位"], [2023, 10])
    assert frame is None
    assert problems == [
        "f.xlsx, sheet 资源, row 1, column 机构编码: missing required column: expected a column "
        "headed 机构编码 (or facility_id). Fix: add the column 机构编码 and fill it in every row"]


def test_coordinates_follow_row_crs_then_default() -> None:
    header = ["机构编码", "机构名称", "机构类型", "所在区划代码", "经度", "纬度", "坐标系"]
    frame, problems = _read(
        schema.FACILITIES, header,
        ["F1", "甲", "乡镇卫生院", "530403101", 102.76, 24.33, "百度"],
        ["F2", "乙", "乡镇卫生院", "530403102", 102.80, 24.26, None],
        ["F3", "丙", "乡镇卫生院", "530403103", 102.70, None, None],
        coordinate_system="GCJ-02")
    assert problems == [
        "f.xlsx, sheet 机构, row 4, column 纬度: incomplete coordinates: expected both 经度 and "
        "纬度, or neither, got ''. Fix: fill in the missing coordinate, or clear both"]
    assert frame is not None
    bd = coords.bd09_to_wgs84(102.76, 24.33)
    gcj = coords.gcj02_to_wgs84(102.80, 24.26)
    assert (frame.loc[0, "lon"], frame.loc[0, "lat"]) == pytest.approx(bd, abs=1e-12)
    assert (frame.loc[1, "lon"], frame.loc[1, "lat"]) == pytest.approx(gcj, abs=1e-12)
    assert frame["crs"].tolist()[:2] == ["WGS84", "WGS84"]
    assert frame.geometry.iloc[2] is None


def test_gb18030_csv_and_unknown_file(tmp_path: Path) -> None:
    (tmp_path / "人口.csv").write_bytes("区划代码,年份,常住人口\n530403,2022,252000\n".encode(
        "gb18030"))
    (tmp_path / "populaton.csv").write_text("区划代码,年份\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not data", encoding="utf-8")
    result = read_csv_dir(tmp_path)
    assert result.tables["population"]["total"].tolist() == [252_000]
    assert [str(p) for p in result.problems] == [
        "populaton.csv: unknown file: expected one of 区划, 人口, 机构, 资源, 服务量, 上报指标, "
        "任务进展, 机构建设进展, got 'populaton'. Fix: rename the file to population, or delete "
        "it if it holds no data for hsplan"]
    with pytest.raises(ValidationError, match=r"^csv: 1 problem found"):
        result.raise_if_errors(context="csv")


def test_unreadable_sources(tmp_path: Path) -> None:
    fake = tmp_path / "data.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"data\.xlsx: not a readable Excel workbook"):
        read_tables(fake)
    with pytest.raises(DataSourceError, match=r"data\.pdf: not a workbook or CSV file"):
        (tmp_path / "data.pdf").write_text("x", encoding="utf-8")
        read_tables(tmp_path / "data.pdf")


def _messages(region: Any) -> list[str]:
    return [str(p) for p in check_region(region)]


def test_stored_region_is_consistent() -> None:
    assert check_region(jc.make_region()) == []


def test_population_levels_bands_and_sexes() -> None:
    region = jc.make_region()
    pop = region.population.copy()
    pop.loc[pop.area_code == "530403002", "total"] = 61_300  # +10,000 in one township
    county = pop.area_code == "530403"
    pop.loc[county, "male"] = 129_000
    pop.loc[county, "female"] = 123_000  # 252,000 exactly: no problem
    pop.loc[county, "urban"] = 100_000
    pop.loc[county, "rural"] = 140_000  # 240,000: 4.8 % short
    assert _messages(region.replace(population=pop)) == [
        "table 人口 (区划代码 530403, 年份 2022), column 城镇人口: 城镇人口 + 乡村人口 do not add "
        "up to the total: expected 252000 ± 0.5 % (the 常住人口), got '240000'. "
        "Fix: correct 城镇人口, 乡村人口 or 常住人口",
        "table 人口 (区划代码 530403, 年份 2022), column 常住人口: population of the sub-areas "
        "does not add up: expected 252000 ± 0.5 % (this area's 常住人口), got '262000 (sum of 8 "
        "sub-areas)'. Fix: correct this total or the sub-areas' 常住人口",
    ]
    # within 0.5 % is accepted; a missing child skips the level check
    pop.loc[pop.area_code == "530403002", "total"] = 51_300 + 1_200
    pop.loc[county, ["urban", "rural"]] = [None, None]
    assert _messages(region.replace(population=pop)) == []
    assert _messages(region.replace(population=pop[pop.area_code != "530403202"])) == []


def test_resource_and_utilisation_consistency() -> None:
    region = jc.make_region()
    res = pd.DataFrame([{
        "facility_id": "F001", "year": 2022, "beds": 500, "beds_icu": 501,
        "staff_total": 600, "staff_health_tech": 610, "doctors_licensed": 200,
        "doctors_assistant": 20, "nurses": 300, "pharmacists": 40, "technicians": 60,
        "gps": 221, "tcm_doctors": 30}])
    util = pd.DataFrame([{"facility_id": "F001", "year": 2022, "admissions": 1000,
                          "discharges": 1600, "bed_days_open": 1000, "bed_days_occupied": 1200}])
    assert _messages(region.replace(resources=res, utilisation=util)) == [
        "table 资源 (机构编码 F001, 年份 2022), column 卫生技术人员: health technicians fewer than "
        "their parts: expected at least 620 (执业医师 + 执业助理医师 + 注册护士 + 药师(士) + "
        "技师(士)), got '610'. Fix: 卫生技术人员 includes doctors, nurses, pharmacists and "
        "technicians",
        "table 资源 (机构编码 F001, 年份 2022), column 卫生人员: total staff fewer than health "
        "technicians: expected at least 610 (卫生技术人员), got '600'. Fix: 卫生人员 includes "
        "卫生技术人员, 乡村医生, 管理 and 其他人员",
        "table 资源 (机构编码 F001, 年份 2022), column 重症医学科床位: more 重症医学科床位 than "
        "实有床位: expected at most 500 (实有床位), got '501'. Fix: 重症医学科床位 are part of "
        "实有床位; correct one of them",
        "table 资源 (机构编码 F001, 年份 2022), column 全科医生: more 全科医生 than "
        "执业(助理)医师: expected at most 220 (执业医师 + 执业助理医师), got '221'. "
        "Fix: 全科医生 are part of 执业(助理)医师; correct one of them",
        "table 服务量 (机构编码 F001, 年份 2022), column 出院人数: discharges exceed 1.5 × "
        "admissions: expected at most 1500 (1.5 × 入院人数), got '1600'. Fix: check 入院人数 and "
        "出院人数",
    ]


def test_facility_outside_nearest_ancestor_polygon_and_unknown_parent() -> None:
    region = jc.make_region()
    fac = region.facilities.copy()
    fac.loc[fac.id == "F004", "geometry"] = fac.loc[fac.id == "F001", "geometry"].iloc[0]
    assert _messages(region.replace(facilities=fac)) == []  # both inside 江川区
    import shapely
    fac.loc[fac.id == "F004", "geometry"] = shapely.Point(102.5, 24.26)
    areas = region.areas.copy()
    areas.loc[areas.code == "530403202", "parent_code"] = "530499"
    assert _messages(region.replace(facilities=fac, areas=areas)) == [
        "table 区划 (区划代码 530403202), column 上级区划代码: unknown parent area: expected a "
        "区划代码 of the 区划 table, got '530499'. Fix: add the parent area to the 区划 table, or "
        "correct the code",
        "table 机构 (机构编码 F004), column 经度: facility outside its area: expected a point "
        "inside 江川区 (530403), got '102.500000, 24.260000'. Fix: check 经度/纬度 (not swapped?) "
        "and 坐标系 (GCJ-02/BD-09 from map services), or the 所在区划代码",
        # 雄关乡 no longer counts as a child of the county, so the county total is short
        "table 人口 (区划代码 530403, 年份 2022), column 常住人口: population of the sub-areas "
        "does not add up: expected 252000 ± 0.5 % (this area's 常住人口), got '240300 (sum of 7 "
        "sub-areas)'. Fix: correct this total or the sub-areas' 常住人口",
    ]


def test_cli_validate_stored_project(tmp_path: Path) -> None:
    project = jc.make_project(tmp_path / "p")
    region = project.load()
    res = region.resources.copy()
    res.loc[0, "staff_health_tech"] = 10_000
    project.save(region.replace(resources=res))
    result = runner.invoke(app, ["validate", str(project.root), "--format", "json"])
    assert result.exit_code == 1
    assert '"message": "table 资源 (机构编码 F001, 年份 2021), column 卫生人员: total staff ' \
        'fewer than health technicians"' in result.stdout

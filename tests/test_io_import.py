"""Importing workbooks and CSV folders into a project (hsplan.region.io.importer, `hsplan
import`)."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

import eviltransform
import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.region import coords
from hsplan.region.io import import_tables, validate_tables, write_template
from hsplan.region.project import Project

# these tests check the English text of messages (tests/test_i18n_problems.py checks the
# Chinese): run them in English
pytestmark = pytest.mark.usefixtures("english")

_spec = importlib.util.spec_from_file_location(
    "jiangchuan", Path(__file__).parent / "data" / "io" / "jiangchuan.py")
assert _spec is not None and _spec.loader is not None
jc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jc)

runner = CliRunner()

# GCJ-02 coordinates as 高德 gives them for the new 九溪镇卫生院 (illustrative point).
F005_GCJ = (102.70, 24.39)

CLEAN: dict[str, list[dict[str, Any]]] = {
    "机构": [
        {"机构编码": "F005", "机构名称": "九溪镇卫生院", "机构类型": "乡镇卫生院",
         "所有制": "公立", "主办级别": "乡镇", "所在区划代码": "530403103",
         "经度": F005_GCJ[0], "纬度": F005_GCJ[1], "坐标系": "GCJ-02",
         "科室设置": "中医馆,发热诊室"},
        {"机构编码": "F003", "机构名称": "江城镇中心卫生院", "机构类型": "中心乡镇卫生院",
         "所有制": "公立", "主办级别": "乡镇", "所在区划代码": "530403101",
         "经度": 102.76, "纬度": 24.33},
    ],
    "人口": [{"区划代码": "530403", "年份": 2023, "常住人口": 251_600}],
    "资源": [
        {"机构编码": "F001", "年份": 2023, "实有床位": 520, "重症医学科床位": 16, "卫生人员": 640,
         "卫生技术人员": 530, "执业医师": 170, "注册护士": 260, "救护车": 6, "负压救护车": 2},
        {"机构编码": "F003", "年份": 2023, "实有床位": 60, "卫生人员": 52},
        {"机构编码": "F005", "年份": 2023, "实有床位": 25, "卫生人员": 30},
    ],
    "服务量": [{"机构编码": "F001", "年份": 2023, "入院人数": 25_100, "出院人数": 25_000,
                "实际开放总床日数": 189_800, "实际占用总床日数": 170_000}],
    "上报指标": [{"区划代码": "530403", "年份": 2023, "指标编码": "life_expectancy_years",
                  "数值": 78.6, "单位": "岁"}],
}


def _workbook(tmp_path: Path, name: str, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    template = write_template(tmp_path / f"template-{name}")
    wb = openpyxl.load_workbook(template)
    for sheet, rows in sheets.items():
        jc.add_rows(wb, sheet, rows)
    path = tmp_path / name
    wb.save(path)
    return path


def _csv_dir(tmp_path: Path, name: str, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    folder = write_template(tmp_path / name, fmt="csv")
    from hsplan.region import schema
    for sheet, rows in sheets.items():
        table = schema.table(sheet)
        path = folder / f"{table.name}.csv"
        with path.open(encoding="utf-8-sig", newline="") as fh:
            headers = next(csv.reader(fh))
        with path.open("a", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            for row in rows:
                writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return folder


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    return jc.make_project(tmp_path / "jiangchuan")


def test_clean_workbook_imports(project: Project, tmp_path: Path) -> None:
    report = import_tables(project, _workbook(tmp_path, "clean.xlsx", CLEAN))
    assert report.warnings == []
    assert report.changes["facilities"].rows_added == 1
    assert report.changes["facilities"].rows_replaced == 1
    assert report.changes["resources"].rows_added == 3
    assert report.changes["resources"].years_replaced == ()
    region = project.load()
    fac = region.facilities.set_index("id")
    assert list(fac.index) == ["F001", "F002", "F003", "F004", "F005"]
    assert fac.loc["F003", "name"] == "江城镇中心卫生院"  # replaced by key
    assert fac.loc["F005", "category"] == "基层医疗卫生机构"  # filled from the sub-type
    assert fac.loc["F005", "departments"] == "中医馆、发热诊室"
    res = region.resources
    assert sorted(res["year"].unique()) == [2021, 2022, 2023]
    assert res[res.year == 2023].set_index("facility_id")["beds"].to_dict() == {
        "F001": 520, "F003": 60, "F005": 25}
    assert len(res[res.year == 2022]) == 4  # other years untouched
    assert region.reported["value"].tolist() == [78.6]
    # polygons of stored areas survive the import; population 2022 untouched
    county = region.areas.set_index("code").loc["530403", "geometry"]
    assert county.geom_type == "Polygon"
    assert region.population[region.population.year == 2022]["total"].sum() == \
        2 * jc.COUNTY_POP_2022


def test_gcj02_coordinates_are_stored_as_wgs84(project: Project, tmp_path: Path) -> None:
    import_tables(project, _workbook(tmp_path, "clean.xlsx", CLEAN))
    fac = project.load().facilities.set_index("id")
    expected = coords.gcj02_to_wgs84(*F005_GCJ)
    assert fac.loc["F005", "crs"] == "WGS84"
    assert fac.loc["F005", "lon"] == pytest.approx(expected[0], abs=1e-9)
    assert fac.loc["F005", "lat"] == pytest.approx(expected[1], abs=1e-9)
    point = fac.loc["F005", "geometry"]
    assert (point.x, point.y) == pytest.approx(expected, abs=1e-9)
    # independent oracle (eviltransform's exact inverse, lat/lon order), and the shift is real
    lat, lon = eviltransform.gcj2wgs_exact(F005_GCJ[1], F005_GCJ[0])
    assert (point.x, point.y) == pytest.approx((lon, lat), abs=1e-6)
    assert np.hypot(point.x - F005_GCJ[0], point.y - F005_GCJ[1]) > 0.001


def test_reimport_replaces_only_the_years_in_the_file(project: Project, tmp_path: Path) -> None:
    import_tables(project, _workbook(tmp_path, "clean.xlsx", CLEAN))
    again = {"资源": [{"机构编码": "F001", "年份": 2022, "实有床位": 510}]}
    report = import_tables(project, _workbook(tmp_path, "fix2022.xlsx", again))
    change = report.changes["resources"]
    assert (change.rows_read, change.rows_replaced, change.rows_removed) == (1, 1, 3)
    assert change.years_replaced == (2022,)
    res = project.load().resources
    by_year = {year: res[res.year == year].set_index("facility_id")["beds"].to_dict()
               for year in (2021, 2022, 2023)}
    assert by_year[2022] == {"F001": 510}
    assert by_year[2021] == {"F001": 500, "F002": 200, "F003": 40, "F004": 30}
    assert by_year[2023] == {"F001": 520, "F003": 60, "F005": 25}


def test_csv_folder_imports_like_the_workbook(tmp_path: Path) -> None:
    p_xlsx = jc.make_project(tmp_path / "a")
    p_csv = jc.make_project(tmp_path / "b")
    import_tables(p_xlsx, _workbook(tmp_path, "clean.xlsx", CLEAN))
    import_tables(p_csv, _csv_dir(tmp_path, "clean_csv", CLEAN))
    a, b = p_xlsx.load(), p_csv.load()
    for name in ("facilities", "resources", "utilisation", "population", "reported"):
        pd.testing.assert_frame_equal(pd.DataFrame(a.tables()[name]),
                                      pd.DataFrame(b.tables()[name]), check_like=False)


def test_english_headers_and_aliases_are_accepted(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "english"
    folder.mkdir()
    (folder / "facilities.csv").write_text(
        "id,name,subtype,area_code,lon,lat,crs\n"
        "F005,Jiuxi township health centre,乡镇卫生院,530403103,102.70,24.39,gcj02\n",
        encoding="utf-8")
    (folder / "资源.csv").write_text(
        "机构代码,year,床位数,staff_total\nF005,2023,25,30\n", encoding="utf-8")
    report = import_tables(project, folder)
    assert report.warnings == []
    region = project.load()
    fac = region.facilities.set_index("id")
    assert fac.loc["F005", "lon"] == pytest.approx(coords.gcj02_to_wgs84(102.70, 24.39)[0])
    res = region.resources.set_index(["facility_id", "year"])
    assert res.loc[("F005", 2023), "beds"] == 25
    assert res.loc[("F005", 2023), "staff_total"] == 30


MISTAKES: dict[str, list[dict[str, Any]]] = {
    "区划": [
        {"区划代码": "530403001001", "名称": "上营社区居民委员会", "级别": "社区",
         "上级区划代码": "530403001"},
        {"区划代码": "530403001002", "名称": "下营社区居民委员会", "级别": "乡乡",
         "上级区划代码": "530403001"},
        {"区划代码": "53040300100", "名称": "三街社区居民委员会", "级别": "村级",
         "上级区划代码": "530403001"},
    ],
    "人口": [
        {"区划代码": "530403", "年份": 2023, "常住人口": "约25万"},
        {"区划代码": "530403001", "年份": 23, "常住人口": 42000},
        {"区划代码": "530403002", "年份": 2023, "常住人口": 51000, "男": 26000, "女": 20000},
    ],
    "机构": [
        {"机构编码": "F005", "机构名称": "九溪镇卫生院", "机构类型": "乡镇卫生所",
         "所在区划代码": "530403103"},
        {"机构编码": "F006", "机构名称": "路居镇卫生院", "机构类型": "乡镇卫生院",
         "机构类别": "医院", "所在区划代码": "530403104"},
        {"机构编码": "F007", "机构名称": None, "机构类型": "村卫生室", "所在区划代码": "530403101"},
        {"机构编码": "F008", "机构名称": "雄关乡卫生院", "机构类型": "乡镇卫生院",
         "所在区划代码": "530403999"},
        {"机构编码": "F006", "机构名称": "路居镇卫生院", "机构类型": "乡镇卫生院",
         "所在区划代码": "530403104"},
        {"机构编码": "F009", "机构名称": "安化乡卫生院", "机构类型": "乡镇卫生院",
         "所在区划代码": "530403201", "经度": 103.2, "纬度": 24.3},
        {"机构编码": "F010", "机构名称": "江川区急救站", "机构类型": "急救站",
         "所在区划代码": "530403002", "床位数": 10},
    ],
    "资源": [
        {"机构编码": "F001", "年份": 2023, "实有床位": "约200"},
        {"机构编码": "F002", "年份": 2023, "救护车": 2, "负压救护车": 3},
        {"机构编码": "F999", "年份": 2023, "实有床位": 10},
    ],
    "服务量": [{"机构编码": "F001", "年份": 2023, "实际开放总床日数": 182_500,
                "实际占用总床日数": 240_000}],
    "上报指标": [{"区划代码": "530403", "年份": 2023, "指标编码": "life_expectancy_years",
                  "数值": None}],
}

EXPECTED_ERRORS = [
    "bad.xlsx, sheet 区划, row 3, column 级别: not an allowed value: expected one of 省级 "
    "(province), 地级 (city), 县级 (county), 乡级 (township), 村级 (village), got '乡乡'. "
    "Fix: did you mean 乡 (township)?",
    "bad.xlsx, sheet 区划, row 4, column 区划代码: not a valid code: expected a 6, 9 or "
    "12-digit code, got '53040300100'. Fix: enter the 统计用区划代码 as digits (6 for a county, "
    "9 for a township, 12 for a village)",
    "bad.xlsx, sheet 人口, row 2, column 常住人口: not a whole number: expected a whole number "
    "≥ 0, got '约25万'. Fix: enter digits only (no 约, units, ranges or decimals)",
    "bad.xlsx, sheet 人口, row 3, column 年份: not a valid year: expected a year from 1949 to "
    "2100, got '23'. Fix: enter the year as four digits, e.g. 2023",
    "bad.xlsx, sheet 机构, row 2, column 机构类型: not an allowed value: expected one of 综合医院, "
    "中医医院, 中西医结合医院, 民族医医院, 专科医院, 精神病医院, 康复医院, 护理院, 传染病医院, "
    "社区卫生服务中心, 社区卫生服务站, 乡镇卫生院 …, got '乡镇卫生所'. "
    "Fix: did you mean 乡镇卫生院?",
    "bad.xlsx, sheet 机构, row 3, column 机构类别: category contradicts the sub-type: expected "
    "基层医疗卫生机构 (the category of 乡镇卫生院), got '医院'. Fix: leave 机构类别 empty to fill "
    "it from 机构类型, or correct 机构类型",
    "bad.xlsx, sheet 机构, row 4, column 机构名称: required value missing: expected text, got ''."
    " Fix: fill in the cell, or delete the row if it is not needed",
    "bad.xlsx, sheet 机构, row 6, column 机构编码: duplicate key: expected one row per 机构编码, "
    "got 'F006'. Fix: row 3 has the same key; keep one of the two rows",
    "bad.xlsx, sheet 资源, row 2, column 实有床位: not a whole number: expected a whole number "
    "≥ 0, got '约200'. Fix: enter digits only (no 约, units, ranges or decimals)",
    "bad.xlsx, sheet 上报指标, row 2, column 数值: required value missing: expected a number, "
    "got ''. Fix: fill in the cell, or delete the row if it is not needed",
    "bad.xlsx, sheet 机构2: unknown sheet: expected one of 区划, 人口, 机构, 资源, 服务量, "
    "上报指标, 任务进展, 机构建设进展, got '机构2'. Fix: rename the sheet to 机构, or delete it if "
    "it holds no data for hsplan",
    "bad.xlsx, sheet 机构, row 5, column 所在区划代码: unknown area code: expected a 区划代码 of "
    "the 区划 table, got '530403999'. Fix: add the area to the 区划 table, or correct the code",
    "bad.xlsx, sheet 资源, row 4, column 机构编码: unknown facility: expected a 机构编码 of the "
    "机构 table, got 'F999'. Fix: add the facility to the 机构 table, or correct the 机构编码",
    "bad.xlsx, sheet 机构, row 7, column 经度: facility outside its area: expected a point "
    "inside 江川区 (530403), got '103.200000, 24.300000'. Fix: check 经度/纬度 (not swapped?) "
    "and 坐标系 (GCJ-02/BD-09 from map services), or the 所在区划代码",
    "bad.xlsx, sheet 人口, row 4, column 男: 男 + 女 do not add up to the total: expected 51000 "
    "± 0.5 % (the 常住人口), got '46000'. Fix: correct 男, 女 or 常住人口",
    "bad.xlsx, sheet 资源, row 3, column 负压救护车: more 负压救护车 than 救护车: expected at most "
    "2 (救护车), got '3'. Fix: 救护车 counts all ambulances including negative-pressure ones",
    "bad.xlsx, sheet 服务量, row 2, column 实际占用总床日数: occupied bed-days exceed 120 % of "
    "open ones: expected at most 219000 (1.2 × 实际开放总床日数), got '240000'. Fix: check both "
    "bed-day counts (same year, same unit)",
]
EXPECTED_WARNING = (
    "bad.xlsx, sheet 机构, row 1, column 床位数: unknown column (its values are ignored). "
    "Fix: 床位数 is a column of sheet 资源; move it there, or delete it")


def _bad_workbook(tmp_path: Path) -> Path:
    path = _workbook(tmp_path, "bad.xlsx", MISTAKES)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("机构2").append(["机构编码"])
    wb.save(path)
    return path


def test_mistakes_are_all_reported_at_once_and_nothing_is_written(
        project: Project, tmp_path: Path) -> None:
    bad = _bad_workbook(tmp_path)
    before = project.store_path.read_bytes()
    mtime = project.store_path.stat().st_mtime_ns
    with pytest.raises(ValidationError) as info:
        import_tables(project, bad)
    assert [str(p) for p in info.value.errors] == EXPECTED_ERRORS
    assert [str(p) for p in info.value.warnings] == [EXPECTED_WARNING]
    assert str(info.value).startswith("import bad.xlsx: 17 problems found\n")
    assert project.store_path.read_bytes() == before
    assert project.store_path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in project.root.iterdir()
                  if p.name != ".hsplan.lock") == ["hsplan.toml", "region.gpkg"]


def test_validate_file_reports_without_importing(project: Project, tmp_path: Path) -> None:
    bad = _bad_workbook(tmp_path)
    problems = validate_tables(project, bad)
    assert [str(p) for p in problems if p.severity == "error"] == EXPECTED_ERRORS
    assert 2023 not in set(project.load().resources["year"])


def test_cli_import_exits_non_zero_and_prints_json(project: Project, tmp_path: Path) -> None:
    bad = _bad_workbook(tmp_path)
    before = project.store_path.read_bytes()
    result = runner.invoke(app, ["import", str(project.root), str(bad), "--format", "json"])
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)
    assert [p["text"] for p in problems if p["severity"] == "error"] == EXPECTED_ERRORS
    assert problems[0]["sheet"] == "区划" and problems[0]["row"] == 3
    assert problems[0]["column"] == "级别"
    assert project.store_path.read_bytes() == before

    text = runner.invoke(app, ["import", str(project.root), str(bad)])
    assert text.exit_code == 1
    assert "17 error(s), 1 warning(s)" in text.stdout


def test_cli_import_and_validate_succeed(project: Project, tmp_path: Path) -> None:
    clean = _workbook(tmp_path, "clean.xlsx", CLEAN)
    checked = runner.invoke(app, ["validate", str(project.root), str(clean)])
    assert checked.exit_code == 0, checked.output
    assert "no problems found" in checked.stdout
    result = runner.invoke(app, ["import", str(project.root), str(clean), "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = {c["table"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes["resources"]["rows_added"] == 3
    stored = runner.invoke(app, ["validate", str(project.root)])
    assert stored.exit_code == 0, stored.output
    assert len(project.load().facilities) == 5


def test_project_default_coordinate_system_applies(tmp_path: Path) -> None:
    jc.make_project(tmp_path / "p")
    config = tmp_path / "p" / "hsplan.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'coordinate_system = "WGS84"', 'coordinate_system = "BD-09"'), encoding="utf-8")
    project = Project.open(tmp_path / "p")
    assert project.coordinate_system == "BD-09"
    rows = {"机构": [{"机构编码": "F005", "机构名称": "九溪镇卫生院", "机构类型": "乡镇卫生院",
                      "所在区划代码": "530403103", "经度": 102.71, "纬度": 24.40}]}
    import_tables(project, _workbook(tmp_path, "bd.xlsx", rows))
    point = project.load().facilities.set_index("id").loc["F005", "geometry"]
    assert (point.x, point.y) == pytest.approx(coords.bd09_to_wgs84(102.71, 24.40), abs=1e-9)


def test_first_import_creates_the_store(tmp_path: Path) -> None:
    project = Project(root=tmp_path / "new", name="江川区", county_code="530403")
    project.write_config()
    template = write_template(tmp_path / "t", region=jc.make_region())  # 区划 prefilled
    wb = openpyxl.load_workbook(template)
    jc.add_rows(wb, "机构", [dict(CLEAN["机构"][0])])
    wb.save(template)
    assert not project.store_path.exists()
    report = import_tables(project, template)
    assert report.changes["areas"].rows_added == 1 + len(jc.TOWNSHIPS)
    region = project.load()
    assert region.meta["county_code"] == "530403"
    assert region.facilities["id"].tolist() == ["F005"]
    assert region.areas.set_index("code").loc["530403103", "name"] == "九溪镇"

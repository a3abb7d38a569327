"""The Excel/CSV data-entry template (hsplan.region.io.templates, `hsplan template`)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import HsplanError
from hsplan.region import schema
from hsplan.region.io import read_csv_dir, read_workbook, write_template
from hsplan.region.io.templates import REQUIRED_FILL, header_comment

_spec = importlib.util.spec_from_file_location(
    "jiangchuan", Path(__file__).parent / "data" / "io" / "jiangchuan.py")
assert _spec is not None and _spec.loader is not None
jc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jc)

runner = CliRunner()
TABLE_SHEETS = [t.zh for t in schema.TABLES.values()]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_template(tmp_path_factory.mktemp("template"))
    assert path.name == "hsplan_template.xlsx"
    return openpyxl.load_workbook(path)


def test_sheets_and_headers_follow_the_schema(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["说明", "选项", *TABLE_SHEETS]
    assert workbook["选项"].sheet_state == "hidden"
    for table in schema.TABLES.values():
        ws = workbook[table.zh]
        assert [c.value for c in ws[1]] == [c.zh for c in table.columns]
        assert ws.max_row == 1  # no example rows that would be imported as data
        assert ws.freeze_panes == "A2"


@pytest.mark.usefixtures("chinese")
def test_header_comments_and_required_highlight(workbook: openpyxl.Workbook) -> None:
    ws = workbook["资源"]
    beds = ws.cell(row=1, column=schema.RESOURCES.column_ids.index("beds") + 1)
    assert beds.comment.text.splitlines()[:4] == [
        "id: beds", "选填 optional", "值 value (int): ≥ 0 的整数", "单位 unit: beds"]
    assert "也可用表头 also: 床位数, beds_actual" in beds.comment.text
    facility = ws["A1"]
    assert facility.value == "机构编码"
    assert facility.fill.fgColor.rgb == "00" + REQUIRED_FILL
    assert facility.font.bold
    assert not beds.font.bold
    level = schema.AREAS.column("level")
    assert header_comment(level).splitlines()[2] == (
        "值 value (choice): 省级 (province), 地级 (city), 县级 (county), 乡级 (township), "
        "村级 (village) 之一")


def test_choice_columns_have_drop_downs(workbook: openpyxl.Workbook) -> None:
    lists = workbook["选项"]
    columns = {lists.cell(row=1, column=i).value: i for i in range(1, lists.max_column + 1)}
    ws = workbook["机构"]
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    subtype_col = "C"  # 机构类型 is the third column
    dv = validations[f"{subtype_col}2:{subtype_col}5000"]
    assert dv.type == "list" and dv.errorStyle == "warning"
    i = columns["机构.机构类型"]
    letter = openpyxl.utils.get_column_letter(i)
    n = len(schema.FACILITY_SUBTYPES)
    assert dv.formula1 == f"'选项'!${letter}$2:${letter}${n + 1}"
    assert [lists.cell(row=r, column=i).value for r in range(2, n + 2)] == \
        list(schema.FACILITY_SUBTYPES)
    level_values = [lists.cell(row=r, column=columns["区划.级别"]).value for r in range(2, 7)]
    assert level_values == ["省级", "地级", "县级", "乡级", "村级"]
    assert lists.cell(row=2, column=columns["机构.政府办"]).value == "是"


def test_instructions_sheet_explains_codes_years_coordinates(
        workbook: openpyxl.Workbook) -> None:
    text = "\n".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row
                     if c.value is not None)
    for needle in ("WGS84", "GCJ-02", "BD-09", "转换为 WGS84", "统计用区划代码", "年份",
                   "hsplan import", "hsplan validate"):
        assert needle in text
    rows = [[c.value for c in row] for row in workbook["说明"].iter_rows()]
    assert ["机构", "facilities", "每个卫生机构一行，含类别、等级和位置。", "机构编码",
            "机构编码、机构名称、机构类型、所在区划代码"] in rows


def test_empty_template_reads_without_problems(tmp_path: Path) -> None:
    result = read_workbook(write_template(tmp_path))
    assert result.tables == {} and result.problems == []
    csv_result = read_csv_dir(write_template(tmp_path / "csv", fmt="csv"))
    assert csv_result.tables == {} and csv_result.problems == []


def test_csv_template_has_bom_and_chinese_headers(tmp_path: Path) -> None:
    folder = write_template(tmp_path, fmt="csv")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.csv" for name in schema.TABLES)
    raw = (folder / "facilities.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == [c.zh for c in schema.FACILITIES.columns]


def test_prefilled_areas_round_trip(tmp_path: Path) -> None:
    region = jc.make_region()
    path = write_template(tmp_path, region=region)
    ws = openpyxl.load_workbook(path)["区划"]
    assert [c.value for c in ws[2]][:4] == ["530403", "江川区", "县级", "5304"]
    assert [c.value for c in ws[3]][:5] == ["530403001", "星云街道", "乡级", "530403", "urban"]
    read = read_workbook(path)
    assert read.problems == []
    areas = read.tables["areas"]
    stored = region.areas
    for col in ("code", "name", "level", "parent_code", "urban_rural", "area_km2"):
        assert areas[col].tolist() == stored[col].tolist()


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HsplanError, match="template format 'pdf': expected xlsx or csv"):
        write_template(tmp_path, fmt="pdf")  # type: ignore[arg-type]


def test_cli_template(tmp_path: Path) -> None:
    project = jc.make_project(tmp_path / "p")
    result = runner.invoke(app, ["template", str(tmp_path / "out"), "--project",
                                 str(project.root)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "out" / "hsplan_template.xlsx")["区划"]
    assert ws.max_row == 1 + 1 + len(jc.TOWNSHIPS)
    # by default the same template is written as CSV too, one file per table
    assert sorted(p.name for p in (tmp_path / "out" / "csv").glob("*.csv")) == sorted(
        f"{name}.csv" for name in schema.TABLES)
    result = runner.invoke(app, ["template", str(tmp_path / "csv"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "csv" / "areas.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == [c.zh for c in schema.AREAS.columns]


def test_template_of_an_initialised_project_round_trips(tmp_path: Path) -> None:
    from hsplan.region.io import import_tables
    from hsplan.region.project import init_project

    project = init_project(tmp_path / "jiangchuan", county="530403")
    before = project.load()
    result = runner.invoke(app, ["template", str(tmp_path / "t"), "--project",
                                 str(project.root)])
    assert result.exit_code == 0, result.output
    report = import_tables(project, tmp_path / "t" / "hsplan_template.xlsx")
    assert report.warnings == []
    change = report.changes["areas"]
    assert (change.rows_read, change.rows_replaced, change.rows_added) == (85, 85, 0)
    after = project.load().areas.set_index("code").sort_index()
    expected = before.areas.set_index("code").sort_index()
    pd.testing.assert_frame_equal(pd.DataFrame(after), pd.DataFrame(expected))
    assert after.loc["530403", "geometry"].geom_type in ("Polygon", "MultiPolygon")

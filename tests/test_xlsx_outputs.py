"""Every workbook the CLI tour exports opens in Excel as a finished table: bold Chinese
headers, frozen header row, autofilter, widths, number formats by unit, traffic-light
fills, Chinese values, a 说明 sheet, formula-like text kept as text, permissions 0644."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.region.example import EXAMPLE_PLAN
from hsplan.reports.workbook import NOTES_SHEET, finish_workbook, number_format

ENGLISH_VALUES = {"county", "township", ">=", "<=", "computed", "reported", "off track",
                  "at risk", "met", "on track", "not evaluable", "pass", "fail",
                  "up", "down", "keep", "range", "text"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xlsx")
    project = root / "jiangchuan"
    runner = CliRunner()
    commands = [
        ["example", "--out", str(project)],
        ["evaluate", str(project), "--plan", EXAMPLE_PLAN, "--level", "township", "--format",
         "xlsx", "--out", str(project / "outputs" / "evaluation-township.xlsx")],
        ["check", str(project), "--plan", "national-norms", "--format", "xlsx", "--out",
         str(project / "outputs" / "norms.xlsx"), "--no-travel"],
        ["needs", str(project), "--plan", EXAMPLE_PLAN, "--year", "2025", "--format", "xlsx"],
        ["tasks", str(project), "--plan", EXAMPLE_PLAN, "--as-of", "2024-06-30", "--format",
         "xlsx"],
        ["efficiency", str(project), "--year", "2023", "--malmquist", "2019-2023", "--format",
         "xlsx", "--out", str(project / "outputs" / "efficiency.xlsx")],
    ]
    for command in commands:
        result = runner.invoke(app, command)
        assert result.exit_code == 0, f"{command}\n{result.output}\n{result.exception!r}"
    return project / "outputs"


def test_every_exported_workbook_is_finished(outputs: Path) -> None:
    books = sorted(outputs.glob("*.xlsx"))
    names = {p.name for p in books}
    assert {"summary.xlsx", "evaluation.xlsx", "evaluation-township.xlsx",
            "norms.xlsx", "efficiency.xlsx"} <= names and len(books) >= 6, names
    for path in books:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
        wb = load_workbook(path)
        assert NOTES_SHEET in wb.sheetnames, path
        for ws in wb.worksheets:
            where = f"{path.name}!{ws.title}"
            assert ws.freeze_panes == "A2", where
            assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), where
            headers = [c.value for c in ws[1]]
            assert all(c.font.bold for c in ws[1]), where
            for k, _header in enumerate(headers, start=1):
                letter = ws.cell(1, k).column_letter
                assert ws.column_dimensions[letter].width >= 6, where
            if ws.title == NOTES_SHEET:
                continue
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    v = cell.value
                    if isinstance(v, float):
                        assert cell.number_format != "General", (where, cell.coordinate)
                    if isinstance(v, str):
                        assert v not in ENGLISH_VALUES, (where, cell.coordinate, v)
                        assert cell.data_type != "f", (where, cell.coordinate)


def test_status_cells_are_traffic_lights(outputs: Path) -> None:
    ws = load_workbook(outputs / "evaluation-township.xlsx").worksheets[0]
    headers = [c.value for c in ws[1]]
    col = headers.index("评估结论") + 1
    fills = {ws.cell(r, col).value: ws.cell(r, col).fill.fgColor.rgb
             for r in range(2, ws.max_row + 1)}
    assert fills["偏离目标"].endswith("FFC7CE") and fills["已达标"].endswith("C6EFCE")


def test_number_formats_by_unit() -> None:
    assert number_format("常住人口", [256175]) == "#,##0"
    assert number_format("覆盖率(%)", [76.4]) == "0.0"
    assert number_format("每千人口床位数", [3.56]) == "#,##0.00"
    assert number_format("年份", [2023]) == "0"
    assert number_format("区划代码", [530403]) is None


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["机构", "备注", "数值"])
    ws.append(["=HYPERLINK(\"http://x\")", "+86 877", 12.3456])
    ws.append(["甲", "-", 2.0])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    finish_workbook(path, plan="测试规划", year=2023, definitions={"数值": "测试"},
                    sources=["测试来源"])
    back = load_workbook(path)
    cell = back.active.cell(2, 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    notes = {r[0].value: r[1].value for r in back[NOTES_SHEET].iter_rows(min_row=2)}
    assert notes["规划"] == "测试规划" and notes["评估年度"] == "2023年"
    assert notes["数值"] == "测试" and notes["数据来源"] == "测试来源"
    assert re.fullmatch(r"#,##0\.00", back.active.cell(2, 3).number_format)

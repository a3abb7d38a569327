"""The findings of issue 11, one test each: every one failed on the code before the fix.

Inputs are built here from the small 江川区 fixture (tests/data/io/jiangchuan.py); the
expected messages are the ones a planner reads.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from hsplan.cli import _app as cli_app
from hsplan.cli import app
from hsplan.errors import DataSourceError, HsplanError, Problem, ValidationError
from hsplan.plans.plan import load_plan
from hsplan.region.io import import_tables
from hsplan.region.io.tables import read_tables
from hsplan.region.project import Project, init_project

# these tests check the English text of messages (tests/test_i18n_problems.py checks the
# Chinese): run them in English
pytestmark = pytest.mark.usefixtures("english")

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("jiangchuan", HERE / "data" / "io" / "jiangchuan.py")
assert _spec is not None and _spec.loader is not None
jc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jc)
PLAN = HERE.parent / "src" / "hsplan" / "data" / "plans" / "jiangchuan-2021-2025.yaml"
runner = CliRunner()


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    return jc.make_project(tmp_path / "p")


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


RESOURCES = [["机构编码", "年份", "实有床位", "卫生人员", "注册护士"],
             ["F001", 2023, 520, 640, 260], ["F002", 2023, 210, 270, 90]]


def _rewrite(path: Path, member: str, fn: object) -> Path:
    with zipfile.ZipFile(path) as zf:
        items = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, fn(data) if name == member else data)  # type: ignore[operator]
    return path


def test_a_workbook_of_another_county_is_refused_with_the_reason(project: Project,
                                                                  tmp_path: Path) -> None:
    before = project.store_path.read_bytes()
    book = _book(tmp_path / "kangbashi.xlsx", {
        "区划": [["区划代码", "区划名称", "级别"], ["150603", "康巴什区", "县级"]],
        "人口": [["区划代码", "年份", "常住人口"], ["150603", 2022, 120_000]]})
    with pytest.raises(ValidationError) as info:
        import_tables(project, book)
    text = str(info.value)
    assert "kangbashi.xlsx, sheet 区划, row 2, column 区划代码: area outside the project's county" \
        in text and "expected a code of county 530403" in text
    assert project.store_path.read_bytes() == before


def test_a_stale_dimension_loses_no_row_or_column(project: Project, tmp_path: Path) -> None:
    book = _book(tmp_path / "stale.xlsx", {"资源": RESOURCES})
    _rewrite(book, "xl/worksheets/sheet1.xml", lambda d: re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', d))
    import_tables(project, book)
    res = project.load().resources.set_index(["facility_id", "year"])
    assert res.loc[("F002", 2023), "beds"] == 210
    assert res.loc[("F001", 2023), "nurses"] == 260


def test_a_formula_never_calculated_is_an_error_naming_the_cell(project: Project,
                                                               tmp_path: Path) -> None:
    rows = [list(r) for r in RESOURCES]
    rows[1][2] = "=500+20"
    with pytest.raises(ValidationError) as info:
        import_tables(project, _book(tmp_path / "f.xlsx", {"资源": rows}))
    assert ("f.xlsx, sheet 资源, row 2, column C: formula without a calculated value"
            in str(info.value))


def test_an_excel_error_value_is_refused(project: Project, tmp_path: Path) -> None:
    book = _book(tmp_path / "e.xlsx", {"资源": RESOURCES})
    _rewrite(book, "xl/worksheets/sheet1.xml", lambda d: d.replace(
        b'<c r="C2" t="n"><v>520</v>', b'<c r="C2" t="e"><v>#DIV/0!</v>'))
    with pytest.raises(ValidationError, match=r"row 2, column 实有床位: Excel error value "
                                              r"#DIV/0!"):
        import_tables(project, book)


@pytest.mark.parametrize(("value", "message"), [
    (float("nan"), "n.xlsx: a sheet cannot be read"), ("inf", "not a plausible number"),
    (1e20, "not a plausible number"), (1e15, "impossible value"),
    ("#N/A", "Excel error value #N/A")])
def test_non_finite_and_impossible_numbers_are_refused(project: Project, tmp_path: Path,
                                                       value: object, message: str) -> None:
    rows = [list(r) for r in RESOURCES]
    rows[1][2] = value
    book = _book(tmp_path / "n.xlsx", {"资源": rows})
    if isinstance(value, float) and value != value:  # openpyxl writes NaN as an empty cell
        _rewrite(book, "xl/worksheets/sheet1.xml", lambda d: d.replace(
            b'<c r="C2" t="n"><v></v>', b'<c r="C2" t="n"><v>NaN</v>'))
    before = project.store_path.read_bytes()
    with pytest.raises(HsplanError, match=message):
        import_tables(project, book)
    assert project.store_path.read_bytes() == before


def test_an_implausible_but_possible_value_is_a_warning(project: Project,
                                                        tmp_path: Path) -> None:
    rows = [list(r) for r in RESOURCES]
    rows[1][2] = 9_000
    report = import_tables(project, _book(tmp_path / "w.xlsx", {"资源": rows}))
    assert [p.message for p in report.warnings] == [
        "implausibly large value (imported; please check)"]


def test_csv_encodings_separators_and_twice_given_tables(project: Project,
                                                         tmp_path: Path) -> None:
    text = "机构编码;年份;实有床位\nF001;2023;520\n"
    for encoding in ("utf-16", "gb18030", "utf-8-sig"):
        folder = tmp_path / encoding
        folder.mkdir()
        (folder / "resources.csv").write_bytes(text.encode(encoding))
        result = read_tables(folder)
        assert result.errors == [] and int(result.tables["resources"]["beds"].iloc[0]) == 520
    twice = tmp_path / "twice"
    twice.mkdir()
    (twice / "resources.csv").write_text(text, encoding="utf-8")
    (twice / "资源.csv").write_text(text, encoding="utf-8")
    (twice / "utilisation.csv").write_bytes(b"")
    messages = [str(p) for p in read_tables(twice).errors]
    assert any("table given twice" in m and "资源.csv" in m for m in messages)
    assert any(m.startswith("utilisation.csv: empty file") for m in messages)


def test_files_that_are_not_xlsx_are_named_for_what_they_are(tmp_path: Path) -> None:
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(DataSourceError, match=r"Excel 97-2003 workbook \(\.xls\)"):
        read_tables(xls)
    broken = _book(tmp_path / "cut.xlsx", {"资源": RESOURCES})
    _rewrite(broken, "xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2])
    with pytest.raises(DataSourceError, match=r"cut\.xlsx: a sheet cannot be read"):
        read_tables(broken)


def test_plan_nan_inf_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8")
    target = "target: {year: 2025, op: '>=', value: 7}"
    cases = {"nan": text.replace(target, target.replace("7}", ".nan}"), 1),
             "inf": text.replace(target, target.replace("7}", ".inf}"), 1),
             "dup": text.replace("kind: 规划\n", "kind: 规划\nkind: 规划\n", 1)}
    expected = {"nan": "not a finite number", "inf": "not a finite number",
                "dup": "key given twice"}
    for name, body in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ValidationError, match=expected[name]):
            load_plan(path)


def test_an_alias_bomb_is_refused_before_it_is_built(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size < 1_200
    with pytest.raises(ValidationError, match="aliases"):
        load_plan(path)


def test_a_hand_edited_store_is_reported(project: Project) -> None:
    con = sqlite3.connect(project.store_path)
    con.execute("UPDATE resources SET beds = -500 WHERE facility_id = 'F001' AND year = 2022")
    con.execute("UPDATE resources SET staff_total = 'many' WHERE facility_id = 'F002' "
                "AND year = 2022")
    con.commit()
    con.close()
    result = runner.invoke(app, ["validate", str(project.root)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationError)
    text = str(result.exception)
    assert "project store region.gpkg: 2 problems found" in text
    assert "column 实有床位: stored value not valid" in text and "got '-500'" in text
    assert "got 'many'" in text


def test_store_path_must_stay_inside_and_every_setting_problem_is_named(tmp_path: Path,
                                                                       project: Project,
                                                                       ) -> None:
    config = project.config_path
    config.write_text(config.read_text(encoding="utf-8")
                      .replace('store = "region.gpkg"', 'store = "../x.gpkg"')
                      .replace('coordinate_system = "WGS84"', 'coordinate_system = "火星"'),
                      encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Project.open(project.root)
    text = str(info.value)
    assert text.startswith(f"{config}: 2 problems found")
    assert "column data.store: store outside the project" in text
    assert "column data.coordinate_system: unknown coordinate system" in text
    assert not (tmp_path / "x.gpkg").exists()


def test_temporary_files_of_killed_writers_are_swept_on_open(project: Project) -> None:
    dead = project.root / ".region.gpkg.hsplan-tmp-999999999-abcd1234.gpkg"
    legacy = project.root / ".region-k2j3h4.gpkg"
    dead.write_bytes(b"half")
    legacy.write_bytes(b"half")
    Project.open(project.root)
    assert not dead.exists() and not legacy.exists()


def test_force_replaces_only_an_example_copy_hsplan_made(tmp_path: Path) -> None:
    from hsplan.cli.example import copy_example

    mine = jc.make_project(tmp_path / "real")
    (mine.root / "notes.docx").write_bytes(b"a planner's year of notes")
    with pytest.raises(DataSourceError, match="--force replaces only a folder hsplan made for "
                                              "the example"):
        copy_example(mine.root, force=True)
    assert (mine.root / "notes.docx").exists()
    copy = copy_example(tmp_path / "ex")
    (copy.root / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"files the example did not write \(notes.txt\)"):
        copy_example(copy.root, force=True)
    (copy.root / "notes.txt").unlink()
    again = copy_example(copy.root, force=True)
    assert len(again.load().facilities) == 92


def test_a_failed_init_or_synth_leaves_no_folder(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError):
        init_project(tmp_path / "x", county="999999")
    result = runner.invoke(app, ["synth", str(tmp_path / "y"), "--seed", "-1"])
    assert result.exit_code == 2 and "--seed" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_names_with_markup_are_printed_literally(tmp_path: Path) -> None:
    buffer = io.StringIO()
    original = cli_app.err_console
    cli_app.err_console = Console(file=buffer, width=200)
    try:
        cli_app.report_error(DataSourceError("we[/]ird [bold]x: not found"))
        cli_app.report_error(ValidationError([Problem("bad", file="a[/]b.xlsx")],
                                             context="import a[/]b.xlsx"))
    finally:
        cli_app.err_console = original
    printed = buffer.getvalue()
    assert "we[/]ird [bold]x: not found" in printed
    assert "import a[/]b.xlsx: 1 problem found" in printed and "a[/]b.xlsx: bad." in printed


def test_many_problems_are_capped_and_counted() -> None:
    problems = [Problem("not a whole number", file="f.xlsx", row=i) for i in range(2, 5_002)]
    text = str(ValidationError(problems, context="import f.xlsx"))
    assert text.count("not a whole number.") == 50
    assert "… and 4,950 more of the kind: not a whole number (error)" in text


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    import pandas as pd

    from hsplan.cli.example import write_summary_xlsx

    path = write_summary_xlsx({"facilities": pd.DataFrame(
        {"name": ['=HYPERLINK("http://x.invalid","点我")', "+1", "@SUM(A1)", "普通"]})},
        tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path).worksheets[0]  # 机构 (Facilities in English)
    cells = [ws.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.data_type for c in cells] == ["s", "s", "s", "s"]
    assert cells[0].value == '=HYPERLINK("http://x.invalid","点我")'
    with zipfile.ZipFile(path) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("args", [
    ["needs", "P", "--plan", "national-norms", "--year", "3000"],
    ["evaluate", "P", "--plan", "national-norms", "--year", "-5"],
    ["summary", "P", "--year", "0"]])
def test_nonsense_options_are_refused(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Invalid value for '--year'" in result.output
    assert "1949" in result.output or "2100" in result.output


def test_an_unknown_reported_indicator_is_a_located_warning(project: Project,
                                                            tmp_path: Path) -> None:
    book = _book(tmp_path / "r.xlsx", {"上报指标": [
        ["区划代码", "年份", "指标编码", "数值"], ["530403", 2023, "life_expectancy_years", 78.6],
        ["530403", 2023, "life_expectancy_yrs", 78.6]]})
    report = import_tables(project, book)
    assert [str(p) for p in report.warnings] == [
        "r.xlsx, sheet 上报指标, row 3, column 指标编码: unknown indicator (stored as given, but "
        "no evaluation will find it): expected an indicator id or Chinese name of the catalog "
        "(hsplan indicators list), got 'life_expectancy_yrs'. Fix: did you mean "
        "life_expectancy_years?"]
    result = runner.invoke(app, ["import", str(project.root), str(book)])
    assert result.exit_code == 0 and "life_expectancy_yrs" in result.output


def test_a_pipe_or_a_device_is_refused_not_read(project: Project, tmp_path: Path) -> None:
    import os

    from hsplan.access.network import network_from_osm
    from hsplan.scenarios.scenario import load_scenario

    before = project.store_path.read_bytes()
    folder = tmp_path / "csv"
    folder.mkdir()
    os.mkfifo(folder / "resources.csv")  # reading it would wait for a writer for ever
    zero = tmp_path / "zero"
    zero.mkdir()
    (zero / "resources.csv").symlink_to("/dev/zero")  # reading it would never end
    for source in (folder, folder / "resources.csv", zero):
        with pytest.raises(DataSourceError, match=r"resources\.csv: not a regular file"):
            import_tables(project, source)
    os.mkfifo(tmp_path / "plan.yaml")
    with pytest.raises(DataSourceError, match="not a regular file"):
        load_scenario(tmp_path / "plan.yaml")
    (tmp_path / "roads.osm").symlink_to("/dev/zero")
    with pytest.raises(DataSourceError, match=r"roads\.osm: not a regular file"):
        network_from_osm(tmp_path / "roads.osm")
    assert project.store_path.read_bytes() == before


def test_hsplan_toml_as_notepad_saves_it_and_a_misspelt_key(project: Project) -> None:
    config = project.config_path
    text = config.read_text(encoding="utf-8")
    config.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # UTF-8 with a BOM
    assert Project.open(project.root).county_code == "530403"
    config.write_text(text.replace("coordinate_system", "coordinate_sytem"), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Project.open(project.root)
    assert ("hsplan.toml, column data.coordinate_sytem: unknown setting: expected one of "
            "data.store, data.coordinate_system, got 'coordinate_sytem'. Fix: did you mean "
            "data.coordinate_system?") in str(info.value)
    config.write_text(text + "\n[server]\nport = 1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="column server: unknown setting"):
        Project.open(project.root)
    config.write_bytes(text.encode("gb18030"))
    with pytest.raises(DataSourceError, match=r"hsplan.toml: not UTF-8 text \(byte \d+ cannot "
                                              r"be read\). Fix: save hsplan.toml as UTF-8"):
        Project.open(project.root)


def test_a_store_of_another_kind_is_reported_without_gdal_warnings(project: Project) -> None:
    import warnings

    project.store_path.unlink()
    con = sqlite3.connect(project.store_path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with warnings.catch_warnings(record=True) as caught:  # printed in English on stderr
        warnings.simplefilter("always")
        with pytest.raises(DataSourceError, match=r"region\.gpkg: not a readable GeoPackage"):
            project.load()
    assert [str(w.message) for w in caught] == []


def test_a_csv_file_of_only_a_byte_order_mark_is_an_empty_file(project: Project,
                                                               tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "resources.csv").write_text("机构编码,年份,实有床位\nF001,2023,520\n",
                                          encoding="utf-8")
    (folder / "utilisation.csv").write_bytes(b"\xef\xbb\xbf\r\n")  # Excel, nothing typed
    messages = [str(p) for p in read_tables(folder).errors]
    assert messages == ["utilisation.csv: empty file: expected a header line and data lines, "
                        "got '5 bytes'. Fix: export the table again, or delete the file"]


def test_a_file_of_too_many_cells_is_refused_before_memory_runs_out(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within the byte limits a file can hold tens of millions of small cells (a 48 MB
    workbook of 18 million cells took 8 minutes and then more than 1 GB): the reader counts
    the filled cells and stops at `MAX_CELLS` (tests/fuzz_corpus.py has a 100 MB CSV)."""
    from hsplan.region.io import _raw_rows

    monkeypatch.setattr(_raw_rows, "MAX_CELLS", 10)
    book = _book(tmp_path / "many.xlsx", {"资源": RESOURCES})  # 15 cells
    with pytest.raises(DataSourceError, match=r"many\.xlsx: more than 10 filled cells"):
        import_tables(project, book)
    (tmp_path / "resources.csv").write_text(
        "\n".join(",".join(str(c) for c in row) for row in RESOURCES), encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"resources\.csv: more than 10 filled cells"):
        import_tables(project, tmp_path / "resources.csv")
    monkeypatch.setattr(_raw_rows, "MAX_CELLS", 15)
    assert import_tables(project, book).changes["resources"].rows_read == 2

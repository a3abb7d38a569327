"""Problems and errors in the planner's language: a corpus of bad inputs (cells, files,
workbooks, hsplan.toml, plan YAML, a missing project) run through the command line. In
Chinese (the default) no English sentence is left and the frame says 应为 / 实际为 /
处理办法; with ``--lang en`` the text is the English it always was."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from hsplan.errors import Problem, ValidationError
from hsplan.region.project import Project
from language_helpers import english_runs

_spec = importlib.util.spec_from_file_location(
    "jiangchuan", Path(__file__).parent / "data" / "io" / "jiangchuan.py")
assert _spec is not None and _spec.loader is not None
jc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jc)

@dataclass(frozen=True)
class Case:
    """One bad input: the arguments after ``hsplan``, the exit code, and the English the
    problem text says (each a substring of today's text)."""

    name: str
    args: Callable[[Path, Path], list[str]]  # (project root, case folder) -> argv
    code: int
    english: tuple[str, ...]
    json: bool = True  # the command takes --format json


def _csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(folder: Path, name: str, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    path = folder / name
    wb.save(path)
    return path


def _import(name: str, text: str) -> Callable[[Path, Path], list[str]]:
    return lambda root, d: ["import", str(root), str(_csv(d, name, text))]


def _plan(text: str) -> Callable[[Path, Path], list[str]]:
    return lambda root, d: ["plans", "show", str(_csv(d, "plan.yaml", text))]


def _bad_toml(root: Path, d: Path) -> list[str]:
    proj = d / "proj"
    proj.mkdir()
    (proj / "hsplan.toml").write_text(
        '[project]\nname = "x"\ncounty_code = "53040"\n\n[data]\nstore = "../region.gpkg"\n'
        'coordinate_system = "XYZ"\n', encoding="utf-8")
    return ["validate", str(proj)]


def _fifo(root: Path, d: Path) -> list[str]:
    import os

    os.mkfifo(d / "资源.csv")
    return ["import", str(root), str(d / "资源.csv")]


def _toml_project(d: Path, text: str | bytes) -> Path:
    proj = d / "proj"
    proj.mkdir()
    data = text.encode("utf-8") if isinstance(text, str) else text
    (proj / "hsplan.toml").write_bytes(data)
    return proj


GOOD_TOML = '[project]\nname = "江川区"\ncounty_code = "530403"\n\n[data]\nstore = "region.gpkg"\n'


def _typo_toml(root: Path, d: Path) -> list[str]:
    return ["validate", str(_toml_project(d, GOOD_TOML + 'coordinate_sytem = "GCJ-02"\n'))]


def _gbk_toml(root: Path, d: Path) -> list[str]:
    return ["validate", str(_toml_project(d, GOOD_TOML.encode("gb18030")))]


def _fake_xlsx(root: Path, d: Path) -> list[str]:
    return ["import", str(root), str(_csv(d, "机构.xlsx", "机构编码,机构名称\nF1,A\n"))]


CASES = [
    Case("unknown file", _import("bad.csv", "id,name\nX1,\n"), 1,
         ("unknown file: expected one of 区划, 人口", "Fix: rename the file to one of the table "
          "names, or delete it if it holds no data for hsplan")),
    Case("not a whole number", _import("资源.csv", "机构编码,年份,实有床位\nF001,2023,约200\n"), 1,
         ("not a whole number: expected a whole number ≥ 0, got '约200'. Fix: enter digits only "
          "(no 约, units, ranges or decimals)",)),
    Case("negative count", _import("资源.csv", "机构编码,年份,实有床位\nF001,2023,-3\n"), 1,
         ("negative count: expected a whole number ≥ 0, got '-3'. Fix: enter a count of 0 or "
          "more",)),
    Case("bad year", _import("资源.csv", "机构编码,年份,实有床位\nF001,二〇二三,10\n"), 1,
         ("not a valid year: expected a year from 1949 to 2100, got '二〇二三'. Fix: enter the "
          "year as four digits, e.g. 2023",)),
    Case("missing required column", _import("机构.csv", "机构编码,机构名称\nF9,某卫生院\n"), 1,
         ("missing required column: expected a column headed 机构类型 (or subtype). Fix: add "
          "the column 机构类型 and fill it in every row",)),
    Case("unknown facility", _import("资源.csv", "机构编码,年份,实有床位\nF999,2023,10\n"), 1,
         ("unknown facility: expected a 机构编码 of the 机构 table, got 'F999'. Fix: add the "
          "facility to the 机构 table, or correct the 机构编码",)),
    Case("duplicate key", _import("资源.csv",
                                  "机构编码,年份,实有床位\nF001,2023,10\nF001,2023,12\n"), 1,
         ("duplicate key: expected one row per 机构编码 + 年份, got 'F001, 2023'. Fix: row 2 has "
          "the same key; keep one of the two rows",)),
    Case("empty file", _import("资源.csv", ""), 1,
         ("empty file: expected a header line and data lines, got '0 bytes'. Fix: export the "
          "table again, or delete the file",)),
    Case("area outside the county",
         _import("人口.csv", "区划代码,年份,常住人口\n110101,2023,100\n"), 1,
         ("area outside the project's county: expected a code of county 530403 (starting "
          "530403), got '110101'. Fix: import this workbook into the project of its own "
          "county",)),
    Case("unknown sheet",
         lambda root, d: ["import", str(root), str(_xlsx(d, "w.xlsx", {
             "Sheet1": [["a", "b"], [1, 2]]}))], 1,
         ("unknown sheet: expected one of 区划, 人口", "Fix: rename the sheet to one of the table "
          "names")),
    Case("Excel error value",
         lambda root, d: ["import", str(root), str(_xlsx(d, "e.xlsx", {
             "资源": [["机构编码", "年份", "实有床位"], ["F001", 2023, "#N/A"]]}))], 1,
         ("Excel error value #N/A: expected a whole number ≥ 0, got '#N/A'. Fix: correct the "
          "formula in Excel, or type the value itself",)),
    Case("text saved as xlsx", _fake_xlsx, 2,
         ("机构.xlsx: not a readable Excel workbook: a text (CSV) file saved with an Excel name. "
          "Fix: rename it to 机构.csv, or open it in Excel and save it as .xlsx.",)),
    Case("file not found", lambda root, d: ["import", str(root), str(d / "missing.csv")], 2,
         ("missing.csv: file not found. Fix: check the path.",)),
    Case("missing project", lambda root, d: ["import", str(d), str(_csv(d, "x.csv", "a\n1\n"))],
         2, ("not an hsplan project (no hsplan.toml). Fix: create one with `hsplan init",)),
    Case("bad hsplan.toml", _bad_toml, 1,
         ("hsplan.toml, column project.county_code: not a county code: expected 6 digits, got "
          "'53040'.",
          "hsplan.toml, column data.store: store outside the project: expected a .gpkg file "
          "name inside the project folder, e.g. region.gpkg, got '../region.gpkg'. Fix: write "
          "store = \"region.gpkg\"",
          "unknown coordinate system: expected one of WGS84", "got 'XYZ'"), json=False),
    Case("pipe as input", _fifo, 2,
         ("资源.csv: not a regular file (a named pipe, device or socket, which would never end "
          "or never answer). Fix: give the path of a saved file.",), json=False),
    Case("misspelt setting", _typo_toml, 1,
         ("hsplan.toml, column data.coordinate_sytem: unknown setting: expected one of "
          "data.store, data.coordinate_system, got 'coordinate_sytem'. Fix: did you mean "
          "data.coordinate_system?",), json=False),
    Case("hsplan.toml not UTF-8", _gbk_toml, 2,
         ("not UTF-8 text (byte", "cannot be read). Fix: save hsplan.toml as UTF-8"),
         json=False),
    Case("plan YAML syntax", _plan("id: x\n  title: y\n"), 1,
         ("plan.yaml, row 2: not valid YAML (mapping values are not allowed", "). Fix: check "
          "indentation and quote values that start with > < : or contain ': '",), json=False),
    Case("not a plan", _plan("- a\n- b\n"), 1,
         ("plan.yaml, row 1: the file is not a plan: expected a YAML mapping with id, title, "
          "kind …, got 'list'. Fix: start from `hsplan plans show national-norms`",), json=False),
    Case("plan fields", _plan("id: x\ntitle: t\nfoo: 1\nperiod: {start: 2030, end: 2025}\n"), 1,
         ("missing field 'kind'", "unknown field 'foo'", "Fix: remove it or correct the "
          "spelling; known fields: ", "period starts after it ends: expected start ≤ end, got "
          "'2030–2025'. Fix: swap start and end"), json=False),
    Case("bad date option",
         lambda root, d: ["tasks", str(root), "--plan", "national-norms", "--as-of", "2024-13-01"],
         2, ("--as-of '2024-13-01': expected a date YYYY-MM-DD. Fix: e.g. --as-of 2024-12-31.",),
         json=False),
    Case("bad scenario",
         lambda root, d: ["compare", str(root), "--scenario",
                          str(Path(__file__).parent / "data" / "scenarios" / "bad.yaml"),
                          "--plan", "national-norms"], 1,
         ("bad.yaml, row 1, column id: value not in the expected form: expected lower-case "
          "letters, digits and hyphens, e.g. new-chc-2024, got 'Bad_Scenario'. Fix: correct "
          "the value", "missing field 'lat' (op open needs it). Fix: add `lat: …` "
          "(docs/scenarios.md)", "wrong type: expected a number, got '1.3'. Fix: write numbers "
          "without units, codes in quotes"), json=False),
    Case("unknown county", lambda root, d: ["init", str(d / "new"), "--county", "530499"], 2,
         ("county '530499': expected a 6-digit county code or a county name from the NBS 2023 "
          "division codes or the 2020 census, got '530499'. Fix: codes starting with 5304: ",
          "search with `hsplan counties --search NAME`."), json=False),
    Case("unknown plan id", lambda root, d: ["plans", "show", "no-such-plan"], 2,
         ("no-such-plan: no such plan file or plan id (built-in and project plans: ",
          "Fix: give the path of a plan YAML file or one of these ids"), json=False),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return jc.make_project(tmp_path_factory.mktemp("zh") / "jiangchuan")  # type: ignore[no-any-return]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``hsplan ARGS`` as the command line does; return exit code, stdout, stderr."""
    from hsplan.cli import main

    argv = sys.argv
    sys.argv = ["hsplan", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return code, out.out, out.err


def _problem_text(case: Case, project: Project, folder: Path, lang: str,
                  capsys: pytest.CaptureFixture[str]) -> str:
    """Return the problem text `case` prints in `lang`: the "text" of every problem of the
    JSON output, else the printed error with its lines joined."""
    folder.mkdir()
    args = case.args(project.root, folder)
    json_out = case.json and case.code == 1
    from hsplan.cli import _app

    # one line per message: a path is not broken where it wraps. The private `_width` is
    # restored, not the public `width`: reading `width` fixes the terminal's width of the
    # moment, and later tests' COLUMNS would be ignored
    width = _app.err_console._width
    _app.err_console.width = 400
    try:
        code, out, err = _run(["--lang", lang, *args,
                               *(["--format", "json"] if json_out else [])], capsys)
    finally:
        _app.err_console._width = width
    assert code == case.code, (out, err)
    if json_out:
        return "\n".join(p["text"] for p in json.loads(out))
    return " ".join(err.split()).replace(str(folder) + "/", "").replace(str(folder), "")


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_problems_are_chinese(case: Case, project: Project, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    text = _problem_text(case, project, tmp_path / "case", "zh", capsys)
    assert text and english_runs(text) == [], text
    english = " ".join(case.english)
    if "expected" in english:
        assert "应为" in text, text
    if "got '" in english:
        assert "实际为" in text, text
    if "Fix:" in english:
        assert "处理办法" in text, text
    for word in ("expected", "Fix:", " got ", "sheet ", "row ", "column "):
        assert word not in text, (word, text)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_problems_are_english_on_request(case: Case, project: Project, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = _problem_text(case, project, tmp_path / "case", "en", capsys)
    for part in case.english:
        assert part in text, (part, text)
    assert not re.search(r"[应实处]为|处理办法|文件 |工作表 |第 \d+ 行", text), text


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 15


def test_english_runs_finds_sentences_only() -> None:
    assert english_runs("无法识别的文件：应为 区划 之一，实际为 'bad file name'。") == []
    assert english_runs("可用字段：id, title, kind, level") == []
    assert english_runs("处理办法：用 `hsplan plans show national-norms` 的输出") == []
    assert english_runs("处理办法：rename the file to 区划") == ["rename the file to"]
    assert english_runs("无法识别的文件：应为 one of 区划") == []  # two words: not caught
    assert english_runs("unknown file: expected one of 区划") == ["expected one of"]


@pytest.mark.usefixtures("chinese")
def test_problem_table_and_frame_in_chinese(project: Project, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = _csv(tmp_path, "资源.csv", "机构编码,年份,实有床位,床位\nF001,2023,约200,3\n")
    code, out, _err = _run(["import", str(project.root), str(bad)], capsys)
    assert code == 1
    assert "1 个错误，1 个警告" in out
    for header in ("文件", "工作表", "行", "列", "问题"):
        assert header in out
    assert "error(s)" not in out and "file" not in out.replace("资源.csv", "")
    p = Problem("x", file="f.xlsx", sheet="机构", row=17, column="床位数", expected="e", got="g",
                fix="h")
    assert str(p) == ("f.xlsx，工作表 机构，第 17 行，列 床位数：x：应为 e，实际为 'g'。"
                      "处理办法：h")
    assert str(ValidationError([p], context="导入 f.xlsx")).splitlines()[0] == \
        "导入 f.xlsx：发现 1 个问题"


@pytest.mark.usefixtures("chinese")
def test_problem_table_keeps_the_whole_fix_on_a_narrow_terminal(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Chinese text has no spaces to wrap at: the problem column folds it rather than cut
    the end of the message (the fix) with an ellipsis."""
    from hsplan.cli import _app as _output

    bad = _csv(tmp_path, "资源.csv", "机构编码,年份,实有床位\nF001,2023,约200\n")
    width = _output.console._width  # restored as it was (see _message)
    _output.console.width = 80
    try:
        code, out, _err = _run(["import", str(project.root), str(bad)], capsys)
    finally:
        _output.console._width = width
    assert code == 1
    rows = [line.split("│") for line in out.splitlines() if line.count("│") == 7]
    problem = "".join(cells[-2].strip() for cells in rows)
    assert "…" not in problem
    assert "处理办法：只填写数字（不要“约”、单位、范围或小数）" in problem, problem


@pytest.mark.usefixtures("english")
def test_problem_table_in_english_on_request(project: Project, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = _csv(tmp_path, "资源.csv", "机构编码,年份,实有床位,床位\nF001,2023,约200,3\n")
    code, out, _err = _run(["--lang", "en", "import", str(project.root), str(bad)], capsys)
    assert code == 1
    assert "1 error(s), 1 warning(s)" in out
    for header in ("file", "sheet", "row", "column", "problem"):
        assert header in out
    assert not re.search(r"错误|警告|问题", out)


def test_library_callers_get_one_language() -> None:
    """A problem made without the command line is in the default language (Chinese), its
    frame too: one language per line."""
    from hsplan import _i18n

    before = _i18n.language()
    try:
        _i18n.set_language("zh")
        from hsplan.region.io._cells import expected_text
        from hsplan.region.schema import RESOURCES

        p = Problem("不是整数", file="f.csv", row=2, column="实有床位",
                    expected=expected_text(RESOURCES.column("beds")), got="x")
        assert english_runs(str(p)) == [] and "应为 ≥ 0 的整数" in str(p)
    finally:
        _i18n.set_language(before)

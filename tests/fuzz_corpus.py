"""A seeded corpus of malformed, hostile and misused inputs over every input kind of hsplan,
and the runner that feeds each one to hsplan and records what happened.

Loaded by tests/test_fuzz_inputs.py with importlib (tests/ is not a package), and run as a
script in a subprocess whose memory is limited with `resource.setrlimit`::

    python tests/fuzz_corpus.py WORK_DIR RESULTS_JSON [MEMORY_BYTES [--shard=I/N] [CASE_ID …]]

Every case builds its input (small, generated from the case's own seeded generator) in its
own folder, runs the command or reader a planner would run, and records one outcome:

- ``refused``: an `HsplanError` or a non-zero exit with a message (the message is kept);
- ``accepted``: the command succeeded;
- ``traceback``: anything else (a Python exception escaping hsplan, or MemoryError).

`expect` says which outcome the input deserves: ``refuse`` (bad input must not be accepted),
``accept`` (valid input, however odd, must be taken, and `check` verifies what was stored)
or ``either`` (e.g. an odd but harmless file). For cases run against a project, the project's
files are hashed before and after: a refusal must leave them byte for byte as they were.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import random
import re
import shutil
import sqlite3
import sys
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SEED = 20261203
PLAN_FILE = "src/hsplan/data/plans/jiangchuan-2021-2025.yaml"

# --- the valid base input ------------------------------------------------------------------

F005 = {"机构编码": "F005", "机构名称": "九溪镇卫生院", "机构类型": "乡镇卫生院", "所有制": "公立",
        "主办级别": "乡镇", "所在区划代码": "530403103", "经度": 102.70, "纬度": 24.39}
BASE: dict[str, list[dict[str, Any]]] = {
    "机构": [F005],
    "人口": [{"区划代码": "530403", "年份": 2023, "常住人口": 251_600}],
    "资源": [
        {"机构编码": "F001", "年份": 2023, "实有床位": 520, "卫生人员": 640, "卫生技术人员": 530,
         "执业医师": 170, "注册护士": 260},
        {"机构编码": "F003", "年份": 2023, "实有床位": 60, "卫生人员": 52},
        {"机构编码": "F005", "年份": 2023, "实有床位": 25, "卫生人员": 30},
    ],
}
TABLE_FILE = {"机构": "facilities", "人口": "population", "资源": "resources"}


def _jc() -> Any:
    spec = importlib.util.spec_from_file_location("jiangchuan", HERE / "data" / "io" /
                                                  "jiangchuan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Outcome:
    status: str  # refused | accepted | traceback
    message: str = ""
    changed: bool | None = None  # project bytes changed (cases with a project)
    leftovers: list[str] = field(default_factory=list)
    check: str | None = None  # a failed check of what an accepted input stored


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    expect: str  # refuse | accept | either
    run: Callable[[Path, random.Random], tuple[Outcome, Path | None]]
    located: str | None = None  # text a refusal's message must contain (file or option)


# --- building inputs -----------------------------------------------------------------------


def workbook(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """Write `sheets` (sheet → rows of header → value) as a plain .xlsx with openpyxl."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets.items():
        ws = wb.create_sheet(sheet)
        headers: list[str] = []
        for row in rows:
            headers += [h for h in row if h not in headers]
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, as Excel stores a typed '=… (not a formula)
    wb.save(path)
    return path


def csv_folder(folder: Path, sheets: dict[str, list[dict[str, Any]]], *,
               encoding: str = "utf-8", sep: str = ",", names: dict[str, str] | None = None,
               ) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in sheets.items():
        headers: list[str] = []
        for row in rows:
            headers += [h for h in row if h not in headers]
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=sep)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
        name = (names or {}).get(sheet, TABLE_FILE[sheet])
        (folder / f"{name}.csv").write_bytes(buf.getvalue().encode(encoding))
    return folder


def mutated(sheet: str, row: int, header: str, value: Any) -> dict[str, list[dict[str, Any]]]:
    sheets = {k: [dict(r) for r in v] for k, v in BASE.items()}
    sheets[sheet][row][header] = value
    return sheets


def rewrite_zip(path: Path, member_re: str, fn: Callable[[bytes], bytes]) -> Path:
    """Rewrite the members of zip `path` whose name matches `member_re` with `fn`."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if re.search(member_re, info.filename):
                data = fn(data)
            zf.writestr(info.filename, data)
    return path


def sheet_member(path: Path, title: str) -> str:
    """Return the zip member of sheet `title` of a workbook openpyxl wrote."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(title) + 1
    return rf"xl/worksheets/sheet{index}\.xml$"


def project_files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".hsplan.lock"}


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if "hsplan-tmp" in p.name or
            re.match(r"\.region-.*\.gpkg$", p.name)]


# --- running -------------------------------------------------------------------------------


def run_cli(args: list[str]) -> Outcome:
    """Run `hsplan ARGS` in-process as `hsplan.cli.main` would; classify the outcome."""
    from typer.testing import CliRunner

    from hsplan.cli import app
    from hsplan.cli._app import report_error
    from hsplan.errors import HsplanError

    result = CliRunner().invoke(app, args)
    text = result.output
    exc = result.exception
    if exc is None:
        return Outcome("accepted", text)
    if isinstance(exc, HsplanError):
        report_error(exc)  # the printer itself must not fail on the message
        return Outcome("refused", f"{text}\n{exc}")
    if isinstance(exc, SystemExit):
        return Outcome("refused" if exc.code else "accepted", text)
    return Outcome("traceback", "".join(traceback.format_exception(exc)))


def run_call(fn: Callable[[], Any]) -> Outcome:
    from hsplan.errors import HsplanError

    try:
        fn()
    except HsplanError as exc:
        return Outcome("refused", str(exc))
    except BaseException as exc:
        return Outcome("traceback", "".join(traceback.format_exception(exc)))
    return Outcome("accepted")


def with_project(work: Path, act: Callable[[Path], Outcome],
                 check: Callable[[Path], str | None] | None = None,
                 ) -> tuple[Outcome, Path]:
    """Copy the pristine project into `work`, run `act` on it, and record whether its bytes
    changed, what temporary files were left, and (when accepted) `check`'s verdict."""
    root = work / "project"
    shutil.copytree(work.parent.parent / "pristine", root)
    before = project_files(root)
    outcome = act(root)
    outcome.changed = project_files(root) != before
    outcome.leftovers = leftovers(root)
    if outcome.status == "accepted" and check is not None:
        try:
            outcome.check = check(root)
        except Exception as exc:
            outcome.check = f"check failed: {exc!r}"
    return outcome, root


def import_case(make: Callable[[Path], Path],
                check: Callable[[Path], str | None] | None = None,
                ) -> Callable[[Path, random.Random], tuple[Outcome, Path | None]]:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        source = make(work)
        return with_project(work, lambda root: run_cli(["import", str(root), str(source)]),
                            check)
    return run


def stored(root: Path, table: str, key: tuple[str, ...], col: str) -> Any:
    from hsplan.region.project import Project

    df = Project.open(root).load().tables()[table]
    schema_key = {"resources": ["facility_id", "year"], "facilities": ["id"],
                  "population": ["area_code", "year"]}[table]
    mask = True
    for k, v in zip(schema_key, key, strict=True):
        mask = mask & (df[k].astype("string") == str(v))
    rows = df[mask]
    return None if rows.empty else rows[col].iloc[0]


def expect_value(table: str, key: tuple[str, ...], col: str, value: Any,
                 ) -> Callable[[Path], str | None]:
    def check(root: Path) -> str | None:
        got = stored(root, table, key, col)
        same = (str(got) == str(value)) if not isinstance(value, float) else (
            got is not None and abs(float(got) - value) < 1e-9)
        return None if same else f"{table} {key} {col}: stored {got!r}, expected {value!r}"
    return check


def all_of(*checks: Callable[[Path], str | None]) -> Callable[[Path], str | None]:
    def check(root: Path) -> str | None:
        for c in checks:
            problem = c(root)
            if problem:
                return problem
        return None
    return check


BEDS_OK = expect_value("resources", ("F001", "2023"), "beds", 520)
NURSES_OK = expect_value("resources", ("F001", "2023"), "nurses", 260)
NAME_OK = expect_value("facilities", ("F005",), "name", "九溪镇卫生院")


# --- the corpus ----------------------------------------------------------------------------

BAD_NUMBERS: list[tuple[str, Any]] = [
    ("nan", float("nan")), ("inf", float("inf")), ("neg_inf", float("-inf")),
    ("1e20", 1e20), ("1e15_text", "1e15"), ("neg500", -500), ("approx", "约200"),
    ("nul", "2_x0000_00"), ("div0_text", "#DIV/0!"), ("NaN_text", "NaN"),
    ("Infinity_text", "Infinity"), ("1e400_text", "1e400"), ("bool", True),
    ("range_text", "12-34"), ("units", "12张"), ("big_int", 10**30), ("decimal", 12.5),
    ("date", datetime(2023, 5, 1)), ("huge_text", "9" * 5000), ("na_text", "#N/A"),
]
GOOD_NUMBERS: list[tuple[str, Any, int]] = [
    ("int", 12, 12), ("text", "12", 12), ("thousands", "1,200", 1200), ("float_whole", 12.0, 12),
    ("spaces", " 12 ", 12),
]
BAD_TEXT: list[tuple[str, Any]] = [
    ("na", "#N/A"), ("long", "院" * 3000), ("ref", "#REF!"),
]
# an .xlsx cannot hold a NUL: Excel writes it escaped as _x0000_, which is read as that text
ODD_TEXT: list[tuple[str, Any]] = [("nul", "卫生院_x0000_"), ("control", "卫生_x0007_院")]
GOOD_TEXT: list[tuple[str, str]] = [
    ("formula", '=HYPERLINK("http://example.invalid","点我")'), ("markup", "[/]"),
    ("rich", "[bold red]九溪[/]"), ("plus", "+86 卫生院"), ("at", "@卫生院"), ("emoji", "卫生院🏥"),
    ("minus", "-卫生院"),
]
BAD_CODES: list[tuple[str, Any]] = [
    ("other_county", "150603101"), ("unknown_area", "530403999"), ("letters", "abc"),
    ("long", "5304031011"), ("float", 530403101.5),
]
BAD_YEARS: list[tuple[str, Any]] = [
    ("3000", 3000), ("neg", -5), ("chinese", "二〇二三"), ("fraction", 2023.5),
    ("nan", float("nan")),
]


def _xlsx_cell_cases() -> list[Case]:
    cases: list[Case] = []

    def make(sheets: dict[str, list[dict[str, Any]]]) -> Callable[[Path], Path]:
        return lambda work: workbook(work / "input.xlsx", sheets)

    def make_raw(sheet: str, row: int, header: str, text: bytes) -> Callable[[Path], Path]:
        # openpyxl writes NaN and infinity as empty cells: put them in the XML itself
        def build(work: Path) -> Path:
            path = workbook(work / "input.xlsx", mutated(sheet, row, header, 987654))
            return rewrite_zip(path, sheet_member(path, sheet), lambda d: d.replace(
                b"<v>987654</v>", b"<v>" + text + b"</v>"))
        return build

    for label, value in BAD_NUMBERS:
        for sheet, row, header in (("资源", 0, "实有床位"), ("人口", 0, "常住人口")):
            if (isinstance(value, float) and value != value) or value in (float("inf"),
                                                                         float("-inf")):
                maker = make_raw(sheet, row, header, str(value).encode())
            else:
                maker = make(mutated(sheet, row, header, value))
            cases.append(Case(f"xlsx-{TABLE_FILE[sheet]}-{header}-{label}", "xlsx", "refuse",
                              import_case(maker), located="input.xlsx"))
    for label, value, expected in GOOD_NUMBERS:
        cases.append(Case(f"xlsx-beds-ok-{label}", "xlsx", "accept",
                          import_case(make(mutated("资源", 0, "实有床位", value)),
                                      expect_value("resources", ("F001", "2023"), "beds",
                                                   expected))))
    for label, value in BAD_TEXT:
        cases.append(Case(f"xlsx-name-{label}", "xlsx", "refuse",
                          import_case(make(mutated("机构", 0, "机构名称", value))),
                          located="input.xlsx"))
    for label, value in ODD_TEXT:
        cases.append(Case(f"xlsx-name-{label}", "xlsx", "either",
                          import_case(make(mutated("机构", 0, "机构名称", value))),
                          located="input.xlsx"))
    for label, text in GOOD_TEXT:
        cases.append(Case(f"xlsx-name-ok-{label}", "xlsx", "accept",
                          import_case(make(mutated("机构", 0, "机构名称", text)),
                                      expect_value("facilities", ("F005",), "name", text))))
    for label, value in BAD_CODES:
        cases.append(Case(f"xlsx-area-code-{label}", "xlsx", "refuse",
                          import_case(make(mutated("机构", 0, "所在区划代码", value))),
                          located="input.xlsx"))
    for label, value in BAD_YEARS:
        cases.append(Case(f"xlsx-year-{label}", "xlsx", "refuse",
                          import_case(make(mutated("资源", 1, "年份", value))),
                          located="input.xlsx"))
    for label, lon, lat in (("lon_nan", float("nan"), 24.3), ("outside_china", 10.0, 24.3),
                            ("swapped", 24.39, 102.70), ("far_from_county", 116.4, 39.9)):
        sheets = mutated("机构", 0, "经度", lon)
        sheets["机构"][0]["纬度"] = lat
        cases.append(Case(f"xlsx-coords-{label}", "xlsx", "refuse", import_case(make(sheets)),
                          located="input.xlsx"))
    return cases


def _xml_edit(title: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    def make(work: Path) -> Path:
        path = workbook(work / "input.xlsx", BASE)
        return rewrite_zip(path, sheet_member(path, title), fn)
    return make


def _raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(work: Path) -> Path:
        path = work / name
        path.write_bytes(data)
        return path
    return make


def _big_sheet(work: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("资源")
    ws.append(["机构编码", "年份", "实有床位", "卫生人员"])
    for i in range(50_000):
        ws.append(["F001", 1950 + i % 70, "约200", "x"])
    path = work / "big.xlsx"
    wb.save(path)
    return path


def _merged(work: Path) -> Path:
    import openpyxl

    path = workbook(work / "input.xlsx", BASE)
    wb = openpyxl.load_workbook(path)
    ws = wb["资源"]
    ws.merge_cells("B2:B4")  # 年份 2023 merged down the three rows, as people do
    wb.save(path)
    return path


def _formula_no_cache(work: Path) -> Path:
    import openpyxl

    path = workbook(work / "input.xlsx", BASE)
    wb = openpyxl.load_workbook(path)
    wb["资源"]["C2"] = "=500+20"  # openpyxl writes formulas without a cached value
    wb.save(path)
    return path


def _wide(work: Path) -> Path:
    sheets = {k: [dict(r) for r in v] for k, v in BASE.items()}
    sheets["资源"][0].update({f"列{i}": i for i in range(600)})
    return workbook(work / "input.xlsx", sheets)


def _foreign_county(work: Path) -> Path:
    sheets = {
        "区划": [{"区划代码": "150603", "区划名称": "康巴什区", "级别": "县级"},
               {"区划代码": "150603001", "区划名称": "哈巴格希街道", "级别": "乡级",
                "上级区划代码": "150603"}],
        "人口": [{"区划代码": "150603", "年份": 2023, "常住人口": 120_000}],
        "资源": [{"机构编码": "F001", "年份": 2023, "实有床位": 300, "卫生人员": 400}],
    }
    return workbook(work / "kangbashi.xlsx", sheets)


def _xml_text(text: str) -> bytes:
    """Return `text` as openpyxl writes it in sheet XML (character references)."""
    return "".join(f"&#{ord(c)};" for c in text).encode()


def _dimension(data: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', data)


def _xlsx_structure_cases() -> list[Case]:
    zip_garbage = b"PK\x03\x04" + bytes(random.Random(1).getrandbits(8) for _ in range(400))
    cases = [
        Case("xlsx-stale-dimension", "xlsx", "accept",
             import_case(_xml_edit("资源", _dimension), all_of(BEDS_OK, NURSES_OK))),
        Case("xlsx-formula-cached", "xlsx", "accept", import_case(_xml_edit(
            "资源", lambda d: d.replace(b"<v>520</v>", b"<f>500+20</f><v>520</v>", 1)),
            BEDS_OK)),
        Case("xlsx-formula-uncached", "xlsx", "refuse", import_case(_formula_no_cache),
             located="input.xlsx"),
        Case("xlsx-error-cell", "xlsx", "refuse", import_case(_xml_edit(
            "资源", lambda d: re.sub(rb'<c r="C2"([^>]*?) t="n"><v>520</v>',
                                   rb'<c r="C2"\1 t="e"><v>#DIV/0!</v>', d))),
             located="input.xlsx"),
        Case("xlsx-merged-year", "xlsx", "accept", import_case(
            _merged, expect_value("resources", ("F005", "2023"), "beds", 25))),
        Case("xlsx-truncated-sheet-xml", "xlsx", "refuse", import_case(_xml_edit(
            "资源", lambda d: d[: len(d) // 2])), located="input.xlsx"),
        Case("xlsx-truncated-file", "xlsx", "refuse", import_case(
            lambda w: _raw("input.xlsx", workbook(w / "full.xlsx", BASE).read_bytes()[:900])(w)),
            located="input.xlsx"),
        Case("xlsx-zero-bytes", "xlsx", "refuse", import_case(_raw("input.xlsx", b"")),
             located="input.xlsx"),
        Case("xlsx-csv-renamed", "xlsx", "refuse", import_case(
            _raw("input.xlsx", "机构编码,年份,实有床位\nF001,2023,520\n".encode())),
             located="input.xlsx"),
        Case("xlsx-ole-xls-renamed", "xlsx", "refuse", import_case(
            _raw("input.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)),
             located="input.xlsx"),
        Case("xlsx-html-renamed", "xlsx", "refuse", import_case(
            _raw("input.xlsx", b"<html><table><tr><td>1</td></tr></table></html>")),
             located="input.xlsx"),
        Case("xlsx-zip-garbage", "xlsx", "refuse", import_case(_raw("input.xlsx", zip_garbage)),
             located="input.xlsx"),
        Case("xlsx-zip-without-workbook", "xlsx", "refuse", import_case(
            lambda w: _zip(w / "input.xlsx", {"hello.txt": b"hi"})), located="input.xlsx"),
        Case("xls-suffix", "xlsx", "refuse", import_case(
            lambda w: workbook(w / "input.xls", BASE)), located="input.xls"),
        Case("xlsx-empty-workbook", "xlsx", "refuse", import_case(
            lambda w: workbook(w / "input.xlsx", {"机构": []})), located="input.xlsx"),
        Case("xlsx-unknown-sheet", "xlsx", "refuse", import_case(
            lambda w: workbook(w / "input.xlsx", {"Sheet1": BASE["资源"]})),
             located="input.xlsx"),
        Case("xlsx-table-twice", "xlsx", "refuse", import_case(
            lambda w: workbook(w / "input.xlsx", {"资源": BASE["资源"],
                                                  "resources": BASE["资源"]})),
             located="input.xlsx"),
        Case("xlsx-column-twice", "xlsx", "refuse", import_case(
            _xml_edit("资源", lambda d: d.replace(_xml_text("卫生人员"), _xml_text("实有床位"),
                                                1))), located="input.xlsx"),
        Case("xlsx-another-county", "xlsx", "refuse", import_case(_foreign_county),
             located="kangbashi.xlsx"),
        Case("xlsx-600-columns", "xlsx", "either", import_case(_wide), located="input.xlsx"),
        Case("xlsx-50000-bad-rows", "xlsx", "refuse", import_case(_big_sheet),
             located="big.xlsx"),
        Case("xlsm-suffix", "xlsx", "either", import_case(
            lambda w: _raw("input.xlsm", workbook(w / "x.xlsx", BASE).read_bytes())(w)),
             located="input.xlsm"),
        Case("missing-file", "xlsx", "refuse", import_case(lambda w: w / "nothing.xlsx"),
             located="nothing.xlsx"),
        Case("txt-suffix", "xlsx", "refuse", import_case(_raw("input.pdf", b"%PDF-1.4")),
             located="input.pdf"),
    ]
    return cases


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _csv_cases() -> list[Case]:
    cases: list[Case] = []

    def folder(sheets: dict[str, list[dict[str, Any]]], **kw: Any) -> Callable[[Path], Path]:
        return lambda work: csv_folder(work / "csv", sheets, **kw)

    for label, value in BAD_NUMBERS:
        if isinstance(value, datetime | bool):
            continue
        cases.append(Case(f"csv-beds-{label}", "csv", "refuse",
                          import_case(folder(mutated("资源", 0, "实有床位", value))),
                          located="resources.csv"))
    for enc, label in (("utf-8", "utf8"), ("utf-8-sig", "utf8-bom"), ("gb18030", "gb18030"),
                       ("utf-16", "utf16-bom"), ("utf-16-le", "utf16le-no-bom")):
        cases.append(Case(f"csv-encoding-{label}", "csv", "accept",
                          import_case(folder(BASE, encoding=enc), all_of(NAME_OK, BEDS_OK))))
    for sep, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        cases.append(Case(f"csv-separator-{label}", "csv", "accept",
                          import_case(folder(BASE, sep=sep), all_of(NAME_OK, BEDS_OK))))

    def extra(name: str, data: bytes) -> Callable[[Path], Path]:
        def make(work: Path) -> Path:
            out = csv_folder(work / "csv", BASE)
            (out / name).write_bytes(data)
            return out
        return make

    cases += [
        Case("csv-zero-bytes", "csv", "refuse", import_case(extra("utilisation.csv", b"")),
             located="utilisation.csv"),
        Case("csv-same-table-twice", "csv", "refuse", import_case(
            extra("机构.csv", (HERE / "fuzz_corpus.py").read_bytes()[:0] +
                  "机构编码,机构名称\nF009,某院\n".encode())), located="机构.csv"),
        Case("csv-field-over-limit", "csv", "refuse", import_case(
            extra("utilisation.csv", b'\xe6\x9c\xba\xe6\x9e\x84\xe7\xbc\x96\xe7\xa0\x81,x\n"'
                  + b"a" * 200_000 + b'",1\n')), located="utilisation.csv"),
        Case("csv-nul-byte", "csv", "refuse", import_case(
            extra("utilisation.csv", "机构编码,年份,入院人数\nF001,2023,1\x002\n".encode())),
             located="utilisation.csv"),
        Case("csv-garbage-bytes", "csv", "refuse", import_case(
            extra("utilisation.csv", bytes([0xFF, 0xFE, 0xFF, 0xFF, 0x80] * 40))),
             located="utilisation.csv"),
        Case("csv-unclosed-quote", "csv", "either", import_case(
            extra("utilisation.csv", '机构编码,年份,入院人数\n"F001,2023,1\n'.encode())),
             located="utilisation.csv"),
        Case("csv-unknown-file", "csv", "refuse", import_case(
            extra("notes.csv", b"a,b\n1,2\n")), located="notes.csv"),
        Case("csv-headers-only-dir", "csv", "refuse", import_case(
            lambda w: csv_folder(w / "csv", {"资源": [{"机构编码": None, "年份": None}]})),
             located="csv"),
        Case("csv-empty-dir", "csv", "refuse", import_case(
            lambda w: (w / "csv").mkdir() or (w / "csv")), located="csv"),
        Case("csv-single-file", "csv", "accept", import_case(
            lambda w: csv_folder(w / "csv", {"资源": BASE["资源"][:2]}) / "resources.csv",
            BEDS_OK)),
    ]
    return cases


# --- plans, scenarios, toml, store, OSM, documents, options -----------------------------------


def _plan_text() -> str:
    return (HERE.parent / PLAN_FILE).read_text(encoding="utf-8")


def _plan_case(cid: str, expect: str, make: Callable[[str], str | bytes]) -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        from hsplan.plans.plan import load_plan

        data = make(_plan_text())
        path = work / "plan.yaml"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return run_call(lambda: load_plan(path)), None
    return Case(cid, "plan", expect, run, located="plan.yaml")


BOMB = ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
        'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'
        'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n'
        'i: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n')


def _plan_cases() -> list[Case]:
    first_target = "target: {year: 2025, op: '>=', value: 7}"
    return [
        _plan_case("plan-valid", "accept", lambda t: t),
        _plan_case("plan-target-nan", "refuse", lambda t: t.replace(
            first_target, "target: {year: 2025, op: '>=', value: .nan}", 1)),
        _plan_case("plan-target-inf", "refuse", lambda t: t.replace(
            first_target, "target: {year: 2025, op: '>=', value: .inf}", 1)),
        _plan_case("plan-target-overflow", "refuse", lambda t: t.replace(
            first_target, "target: {year: 2025, op: '>=', value: 1.0e+999}", 1)),
        _plan_case("plan-duplicate-key", "refuse", lambda t: t.replace(
            "kind: 规划\n", "kind: 规划\nkind: 规划\n", 1)),
        _plan_case("plan-alias-bomb", "refuse", lambda t: t + BOMB.replace("i: [", "zz: [")),
        _plan_case("plan-alias-bomb-alone", "refuse", lambda t: BOMB),
        _plan_case("plan-recursive-alias", "refuse", lambda t: "a: &a [*a]\n"),
        _plan_case("plan-deep-nesting", "refuse", lambda t: "x: " + "[" * 3000 + "]" * 3000),
        _plan_case("plan-deep-mapping", "refuse", lambda t: "".join(
            " " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v: 1\n"),
        _plan_case("plan-empty", "refuse", lambda t: ""),
        _plan_case("plan-list", "refuse", lambda t: "- 1\n- 2\n"),
        _plan_case("plan-scalar", "refuse", lambda t: "hello\n"),
        _plan_case("plan-binary", "refuse", lambda t: bytes(range(256)) * 4),
        _plan_case("plan-gbk", "refuse", lambda t: t.encode("gb18030")),
        _plan_case("plan-nul", "refuse", lambda t: t.replace("kind: 规划", "kind: 规\x00划", 1)),
        _plan_case("plan-targets-string", "refuse", lambda t: re.sub(
            r"\ntargets:\n", "\ntargets: none\nold_targets:\n", t, count=1)),
        _plan_case("plan-target-value-text", "refuse", lambda t: t.replace(
            first_target, "target: {year: 2025, op: '>=', value: 七}", 1)),
        _plan_case("plan-target-value-map", "refuse", lambda t: t.replace(
            first_target, "target: {year: 2025, op: '>=', value: {a: 1}}", 1)),
        _plan_case("plan-target-year-huge", "refuse", lambda t: t.replace(
            first_target, "target: {year: 99999999999999999999, op: '>=', value: 7}", 1)),
        _plan_case("plan-bad-op", "refuse", lambda t: t.replace(
            first_target, "target: {year: 2025, op: '=>', value: 7}", 1)),
        _plan_case("plan-tab-indent", "refuse", lambda t: t.replace("\n  indicator:",
                                                                    "\n\tindicator:", 1)),
        _plan_case("plan-period-reversed", "refuse", lambda t: t.replace(
            "period: {start: 2021, end: 2025}", "period: {start: 2025, end: 2021}", 1)),
        _plan_case("plan-huge-file", "refuse", lambda t: t + "#" + "x" * 3_000_000 + "\n"),
        _plan_case("plan-python-tag", "refuse", lambda t: "!!python/object/apply:os.system "
                                                         "['echo hi']\n"),
    ]


SCENARIO = (HERE.parent / "src/hsplan/data/example/jiangchuan/scenarios/"
            "new-chc-200-beds.yaml")


def _scenario_case(cid: str, expect: str, make: Callable[[str], str | bytes]) -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        from hsplan.scenarios.scenario import load_scenario

        data = make(SCENARIO.read_text(encoding="utf-8"))
        path = work / "scenario.yaml"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return run_call(lambda: load_scenario(path)), None
    return Case(cid, "scenario", expect, run, located="scenario.yaml")


def _scenario_cases() -> list[Case]:
    beds = "resources: {beds: 150, staff_total: 60, staff_health_tech: 55, nurses: 40}"
    return [
        _scenario_case("scenario-valid", "accept", lambda t: t),
        _scenario_case("scenario-beds-nan", "refuse", lambda t: t.replace(
            beds, "resources: {beds: .nan}")),
        _scenario_case("scenario-beds-inf", "refuse", lambda t: t.replace(
            beds, "resources: {beds: .inf}")),
        _scenario_case("scenario-beds-text", "refuse", lambda t: t.replace(
            beds, "resources: {beds: 很多}")),
        _scenario_case("scenario-beds-float", "refuse", lambda t: t.replace(
            beds, "resources: {beds: 1.5}")),
        _scenario_case("scenario-beds-huge", "refuse", lambda t: t.replace(
            beds, "resources: {beds: 1.0e+300}")),
        _scenario_case("scenario-beds-list", "refuse", lambda t: t.replace(
            beds, "resources: {beds: [1, 2]}")),
        _scenario_case("scenario-resources-list", "refuse", lambda t: t.replace(
            beds, "resources: [1, 2]")),
        _scenario_case("scenario-unknown-resource", "refuse", lambda t: t.replace(
            beds, "resources: {golden_beds: 3}")),
        _scenario_case("scenario-changes-map", "refuse", lambda t: t.split("changes:")[0]
                       + "changes: {op: add}\n"),
        _scenario_case("scenario-change-scalar", "refuse", lambda t: t.split("changes:")[0]
                       + "changes: [add]\n"),
        _scenario_case("scenario-bad-op", "refuse", lambda t: t.replace("op: add",
                                                                        "op: explode")),
        _scenario_case("scenario-duplicate-key", "refuse", lambda t: t.replace(
            "year: 2025\n", "year: 2025\nyear: 2030\n")),
        _scenario_case("scenario-year-text", "refuse", lambda t: t.replace(
            "year: 2025\n", "year: 明年\n")),
        _scenario_case("scenario-lon-nan", "refuse", lambda t: t.replace("lon: 102.775",
                                                                         "lon: .nan")),
        _scenario_case("scenario-alias-bomb", "refuse", lambda t: t + BOMB.replace(
            "i: [", "zz: [")),
        _scenario_case("scenario-empty", "refuse", lambda t: ""),
        _scenario_case("scenario-binary", "refuse", lambda t: bytes(range(256))),
        _scenario_case("scenario-from-text", "refuse", lambda t: t.replace(
            "from: 2024\n    resources: {beds: 150", "from: soon\n    resources: {beds: 150")),
        _scenario_case("scenario-id-map", "refuse", lambda t: t.replace(
            "id: new-chc-200-beds", "id: {a: 1}")),
    ]


def _toml_case(cid: str, expect: str, text: str | bytes, *, args: list[str] | None = None,
               check: Callable[[Path], str | None] | None = None) -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        root = work / "project"
        shutil.copytree(work.parent.parent / "pristine", root)
        (root / "hsplan.toml").write_bytes(text if isinstance(text, bytes) else
                                           text.encode("utf-8"))
        before = project_files(root)
        outcome = run_cli([a.replace("PROJECT", str(root)) for a in
                           (args or ["validate", "PROJECT"])])
        outcome.changed = project_files(root) != before
        outcome.leftovers = leftovers(root)
        if check is not None:
            outcome.check = check(root)
        return outcome, root
    return Case(cid, "toml", expect, run, located="hsplan.toml")


GOOD_TOML = ('[project]\nname = "江川区"\ncounty_code = "530403"\n[data]\nstore = "region.gpkg"\n'
             'coordinate_system = "WGS84"\n')


def _toml_cases() -> list[Case]:
    def nothing_outside(root: Path) -> str | None:
        outside = [p.name for p in root.parent.iterdir() if p.suffix == ".gpkg"]
        return f"written outside the project: {outside}" if outside else None

    return [
        _toml_case("toml-valid", "accept", GOOD_TOML),
        _toml_case("toml-syntax", "refuse", "[project\nname = \n"),
        _toml_case("toml-project-string", "refuse", 'project = "x"\n'),
        _toml_case("toml-data-list", "refuse", "data = [1]\n" + GOOD_TOML.split("[data]")[0]),
        _toml_case("toml-store-parent", "refuse", GOOD_TOML.replace('"region.gpkg"',
                                                                    '"../x.gpkg"'),
                   args=["import", "PROJECT", str(HERE / "data" / "io" / "census2020_530403")],
                   check=nothing_outside),
        _toml_case("toml-store-absolute", "refuse", GOOD_TOML.replace('"region.gpkg"',
                                                                      '"/tmp/hsplan-x.gpkg"')),
        _toml_case("toml-store-number", "refuse", GOOD_TOML.replace('"region.gpkg"', "5")),
        _toml_case("toml-crs-bogus", "refuse", GOOD_TOML.replace('"WGS84"', '"火星"')),
        _toml_case("toml-crs-and-store-bad", "refuse", GOOD_TOML.replace('"WGS84"', '"x"')
                   .replace('"region.gpkg"', '"../y.gpkg"')),
        _toml_case("toml-county-int", "refuse", GOOD_TOML.replace('"530403"', "530403")),
        _toml_case("toml-county-letters", "refuse", GOOD_TOML.replace('"530403"', '"abc"')),
        _toml_case("toml-synthetic-text", "refuse",
                   GOOD_TOML.replace("[data]", 'synthetic = "yes"\n[data]')),
        _toml_case("toml-binary", "refuse", bytes(range(256))),
        _toml_case("toml-empty", "either", ""),
        _toml_case("toml-nul", "refuse", GOOD_TOML.replace("江川区", "江\x00川")),
        _toml_case("toml-deep", "refuse", "a = " + "[" * 5000 + "]" * 5000 + "\n"),
    ]


def _store_case(cid: str, expect: str, edit: Callable[[Path], None],
                args: list[str] | None = None) -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        root = work / "project"
        shutil.copytree(work.parent.parent / "pristine", root)
        edit(root / "region.gpkg")
        before = project_files(root)
        outcome = run_cli([a.replace("PROJECT", str(root)) for a in
                           (args or ["validate", "PROJECT"])])
        outcome.changed = project_files(root) != before
        outcome.leftovers = leftovers(root)
        return outcome, root
    return Case(cid, "gpkg", expect, run, located="region.gpkg")


def _sql(statement: str) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        con = sqlite3.connect(path)
        for fn in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            con.create_function(fn, 1, lambda g: 0)  # the GeoPackage triggers call them
        con.execute(statement)
        con.commit()
        con.close()
    return edit


def _bytes_edit(fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(fn(path.read_bytes()))


def _store_cases() -> list[Case]:
    return [
        _store_case("gpkg-valid", "accept", lambda p: None),
        _store_case("gpkg-negative-beds", "refuse",
                    _sql("UPDATE resources SET beds = -500 WHERE rowid = 1")),
        _store_case("gpkg-text-beds", "refuse",
                    _sql("UPDATE resources SET beds = '很多' WHERE rowid = 1")),
        _store_case("gpkg-huge-population", "refuse",
                    _sql("UPDATE population SET total = 1e300 WHERE rowid = 1")),
        _store_case("gpkg-fraction-staff", "refuse",
                    _sql("UPDATE resources SET staff_total = 10.5 WHERE rowid = 1")),
        _store_case("gpkg-bad-level", "refuse",
                    _sql("UPDATE areas SET level = 'planet' WHERE rowid = 1")),
        _store_case("gpkg-null-key", "refuse",
                    _sql("UPDATE facilities SET id = NULL WHERE rowid = 1")),
        _store_case("gpkg-year-text", "refuse",
                    _sql("UPDATE resources SET year = 'last' WHERE rowid = 1")),
        _store_case("gpkg-zero-bytes", "refuse", lambda p: p.write_bytes(b"")),
        _store_case("gpkg-truncated", "refuse", _bytes_edit(lambda d: d[: len(d) // 3])),
        _store_case("gpkg-garbage", "refuse", _bytes_edit(lambda d: bytes(range(256)) * 8)),
        _store_case("gpkg-summary-after-edit", "refuse",
                    _sql("UPDATE resources SET beds = -500 WHERE rowid = 1"),
                    args=["summary", "PROJECT"]),
        _store_case("gpkg-markup-name", "accept",
                    _sql("UPDATE facilities SET name = '[/][bold]x' WHERE rowid = 1"),
                    args=["summary", "PROJECT"]),
    ]


def _osm_case(cid: str, name: str, data: bytes, expect: str = "refuse") -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        from hsplan.access.network import network_from_osm

        path = work / name
        path.write_bytes(data)
        return run_call(lambda: network_from_osm(path)), None
    return Case(cid, "osm", expect, run, located=name)


OSM_OK = (b"<?xml version='1.0'?><osm version='0.6'>"
          b"<node id='1' lat='24.30' lon='102.70'/><node id='2' lat='24.31' lon='102.71'/>"
          b"<way id='9'><nd ref='1'/><nd ref='2'/><tag k='highway' v='primary'/></way></osm>")
XML_BOMB = (b"<?xml version='1.0'?><!DOCTYPE osm [<!ENTITY a 'aaaaaaaaaa'>"
            + b"".join(f"<!ENTITY {chr(98 + i)} '{('&' + chr(97 + i) + ';') * 10}'>".encode()
                       for i in range(9))
            + b"]><osm><node id='1' lat='1' lon='1'><tag k='x' v='&j;'/></node></osm>")


def _osm_cases() -> list[Case]:
    import bz2

    return [
        _osm_case("osm-valid", "roads.osm", OSM_OK, "accept"),
        _osm_case("osm-truncated", "roads.osm", OSM_OK[: len(OSM_OK) // 2]),
        _osm_case("osm-empty", "roads.osm", b""),
        _osm_case("osm-no-ways", "roads.osm", b"<osm version='0.6'></osm>"),
        _osm_case("osm-billion-laughs", "roads.osm", XML_BOMB),
        _osm_case("osm-garbage-pbf", "roads.osm.pbf", bytes(range(256)) * 4),
        _osm_case("osm-truncated-bz2", "roads.osm.bz2", bz2.compress(OSM_OK)[:40]),
        _osm_case("osm-bad-coordinates", "roads.osm", OSM_OK.replace(b"lat='24.30'",
                                                                     b"lat='north'")),
        _osm_case("osm-nan-coordinates", "roads.osm", OSM_OK.replace(b"lat='24.30'",
                                                                     b"lat='nan'")),
        _osm_case("osm-missing-ref", "roads.osm", OSM_OK.replace(b"<nd ref='2'/>",
                                                                 b"<nd ref='77'/>")),
    ]


def _doc_case(cid: str, name: str, make: Callable[[], bytes], expect: str = "refuse") -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        from hsplan.plans.extract import extract_plan

        path = work / name
        path.write_bytes(make())
        return run_call(lambda: extract_plan(path)), None
    return Case(cid, "extract", expect, run, located=name)


def _html_span_bomb() -> bytes:
    cell = "<td colspan=1000000 rowspan=1000000>卫生</td>"
    rows = "".join(f"<tr>{cell * 4}</tr>" for _ in range(40))
    return f"<html><body><p>{'规划' * 60}</p><table>{rows}</table></body></html>".encode()


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("到2025年，每千常住人口医疗卫生机构床位数达到6.5张。" * 3)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _doc_cases() -> list[Case]:
    return [
        _doc_case("html-span-bomb", "plan.html", _html_span_bomb, "either"),
        _doc_case("html-deep-nesting", "plan.html",
                  lambda: ("<div>" * 20000 + "规划" * 50 + "</div>" * 20000).encode(), "either"),
        _doc_case("html-nested-tables", "plan.html",
                  lambda: ("<table><tr><td>" * 3000 + "规划" * 50).encode(), "either"),
        _doc_case("html-empty", "plan.html", lambda: b""),
        _doc_case("html-binary", "plan.html", lambda: bytes(range(256)) * 8),
        _doc_case("pdf-garbage", "plan.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8),
        _doc_case("pdf-empty", "plan.pdf", lambda: b""),
        _doc_case("pdf-truncated", "plan.pdf", lambda: b"%PDF-1.4\n1 0 obj <</Type /Catalog"),
        _doc_case("docx-garbage", "plan.docx", lambda: bytes(range(256)) * 8),
        _doc_case("docx-zip-not-word", "plan.docx",
                  lambda: _zip_bytes({"word/document.xml": b"<w:document"})),
        _doc_case("docx-truncated", "plan.docx", lambda: _docx_bytes()[:2000]),
        _doc_case("docx-valid-short", "plan.docx", _docx_bytes, "either"),
        _doc_case("txt-binary", "plan.txt", lambda: bytes(range(256)) * 8),
        _doc_case("txt-empty", "plan.txt", lambda: b""),
        _doc_case("txt-nul", "plan.txt", lambda: ("规划" * 100 + "\x00").encode()),
    ]


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _cli_case(cid: str, expect: str, args: list[str], located: str | None) -> Case:
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        root = work / "project"
        shutil.copytree(work.parent.parent / "pristine", root)
        odd = work / "we[/]ird [bold]name"
        odd.mkdir(parents=True)
        before = project_files(root)
        outcome = run_cli([a.replace("PROJECT", str(root)).replace("WORK", str(work))
                           .replace("ODD", str(odd)) for a in args])
        outcome.changed = project_files(root) != before
        outcome.leftovers = leftovers(root)
        return outcome, root
    return Case(cid, "cli", expect, run, located=located)


def _cli_cases() -> list[Case]:
    return [
        _cli_case("cli-needs-year-3000", "refuse",
                  ["needs", "PROJECT", "--plan", "national-norms", "--year", "3000"], "--year"),
        _cli_case("cli-evaluate-year-negative", "refuse",
                  ["evaluate", "PROJECT", "--plan", "national-norms", "--year", "-5"], "--year"),
        _cli_case("cli-summary-year-0", "refuse", ["summary", "PROJECT", "--year", "0"], "--year"),
        _cli_case("cli-synth-seed-negative", "refuse",
                  ["synth", "WORK/new", "--seed", "-1"], "--seed"),
        _cli_case("cli-import-into-non-project", "refuse",
                  ["import", "WORK", str(HERE / "data" / "io" / "census2020_530403")],
                  "hsplan.toml"),  # "no hsplan.toml" in every language
        _cli_case("cli-validate-markup-path", "refuse", ["validate", "ODD"], "[/]"),
        _cli_case("cli-import-markup-file", "refuse", ["import", "PROJECT", "ODD/x[/].xlsx"],
                  "[/]"),
        _cli_case("cli-init-bad-county", "refuse", ["init", "WORK/new", "--county", "abc"],
                  "abc"),
        _cli_case("cli-init-into-project", "refuse",
                  ["init", "PROJECT", "--county", "530403"], "project"),
        _cli_case("cli-init-into-file", "refuse",
                  ["init", "PROJECT/hsplan.toml", "--county", "530403"], "hsplan.toml"),
        _cli_case("cli-template-bad-format", "refuse",
                  ["template", "WORK/t.xlsx", "--format", "pdf"], "--format"),
        _cli_case("cli-validate-missing", "refuse", ["validate", "WORK/nothing"], "nothing"),
        _cli_case("cli-summary-format", "refuse", ["summary", "PROJECT", "--format", "x"],
                  "--format"),
        _cli_case("cli-import-project-as-file", "refuse", ["import", "PROJECT", "PROJECT"],
                  "project"),
        _cli_case("cli-counties-search-markup", "accept", ["counties", "--search", "[/]"], None),
    ]


# --- a second round (issue 11 audit): inputs as real tools and careless hands make them -----


def _inline(cell: str, replacement: bytes) -> Callable[[bytes], bytes]:
    """Replace the inline-string cell `cell` of row 2 as openpyxl writes it."""
    return lambda d: re.sub(rb'<c r="' + cell.encode() + rb'" t="inlineStr"><is><t>[^<]*</t></is>'
                            rb"</c>", replacement, d, count=1)


def _entity_bomb_sheet(d: bytes) -> bytes:
    entities = b"<!DOCTYPE worksheet [<!ENTITY a 'aaaaaaaaaa'>" + b"".join(
        f"<!ENTITY {chr(98 + i)} '{('&' + chr(97 + i) + ';') * 10}'>".encode()
        for i in range(8)) + b"]>"
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", d)
    return (b"<?xml version='1.0' encoding='UTF-8'?>" + entities
            + _inline("A2", b'<c r="A2" t="inlineStr"><is><t>&i;</t></is></c>')(body))


def _fifo(name: str) -> Callable[[Path], Path]:
    import os

    def make(work: Path) -> Path:
        os.mkfifo(work / name)  # reading a named pipe waits for a writer for ever
        return work / name
    return make


def _in_csv_folder(name: str, make: Callable[[Path], None]) -> Callable[[Path], Path]:
    def build(work: Path) -> Path:
        folder = csv_folder(work / "csv", {"机构": BASE["机构"]})
        make(folder / name)
        return folder
    return build


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _symlink(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _mkfifo(path: Path) -> None:
    import os

    os.mkfifo(path)


def _second_round_cases() -> list[Case]:
    import datetime as dt

    res_header = ["机构编码", "年份", "实有床位", "卫生人员"]
    res_rows = [[r.get(h) for h in res_header] for r in BASE["资源"][:2]]  # facilities known

    def sheet(rows: list[list[Any]], title: str = "资源") -> Callable[[Path], Path]:
        def make(work: Path) -> Path:
            import openpyxl

            wb = openpyxl.Workbook()
            ws = wb.active
            assert ws is not None
            ws.title = title
            for row in rows:
                ws.append(row)
            wb.save(work / "input.xlsx")
            return work / "input.xlsx"
        return make

    def refuse(cid: str, kind: str, make: Callable[[Path], Path], located: str) -> Case:
        return Case(cid, kind, "refuse", import_case(make), located=located)

    def store_edit(fn: Callable[[Path], None]) -> Callable[[Path], None]:
        def edit(path: Path) -> None:
            path.unlink()
            fn(path)
        return edit

    sqlite_not_gpkg = store_edit(lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)")
                                 .connection.commit())
    cases = [
        refuse("xlsx-title-rows-above-header", "xlsx",
               sheet([["2023年江川区卫生资源统计表"], ["单位：张、人"], res_header, *res_rows]),
               "input.xlsx"),
        Case("xlsx-header-padded", "xlsx", "accept", import_case(
            sheet([[f" {h}\n" for h in res_header], *res_rows]), BEDS_OK)),
        refuse("xlsx-traditional-sheet-name", "xlsx", sheet([res_header, *res_rows], "資源"),
               "input.xlsx"),
        Case("xlsx-fullwidth-digits", "xlsx", "accept", import_case(
            sheet([res_header, ["F001", "２０２３", "５２０", 640], *res_rows[1:]]), BEDS_OK)),
        Case("xlsx-year-with-unit", "xlsx", "accept", import_case(
            sheet([res_header, ["F001", "2023年", 520, 640], *res_rows[1:]]), BEDS_OK)),
        Case("xlsx-number-exponent", "xlsx", "accept", import_case(_xml_edit(
            "资源", lambda d: d.replace(b"<v>520</v>", b"<v>5.2E2</v>", 1)), BEDS_OK)),
        Case("xlsx-no-cell-references", "xlsx", "accept", import_case(_xml_edit(
            "资源", lambda d: re.sub(rb' r="[A-Z]+\d+"', b"", d)), all_of(BEDS_OK, NURSES_OK))),
        refuse("xlsx-shared-string-out-of-range", "xlsx", _xml_edit(
            "资源", _inline("A2", b'<c r="A2" t="s"><v>99999</v></c>')), "input.xlsx"),
        refuse("xlsx-shared-string-not-a-number", "xlsx", _xml_edit(
            "资源", _inline("A2", b'<c r="A2" t="s"><v>abc</v></c>')), "input.xlsx"),
        refuse("xlsx-entity-bomb-in-sheet", "xlsx", _xml_edit("资源", _entity_bomb_sheet),
               "input.xlsx"),
        refuse("xlsx-date-as-year", "xlsx", sheet(
            [res_header, ["F001", dt.datetime(2023, 1, 1), 520, 640]]), "input.xlsx"),
        refuse("xlsx-header-repeated-below", "xlsx", sheet(
            [res_header, res_rows[0], res_header, res_rows[1]]), "input.xlsx"),
        refuse("xlsx-named-pipe", "xlsx", _fifo("input.xlsx"), "input.xlsx"),
        refuse("csv-dev-zero", "csv", _in_csv_folder("resources.csv", _symlink("/dev/zero")),
               "resources.csv"),
        refuse("csv-named-pipe", "csv", _in_csv_folder("resources.csv", _mkfifo),
               "resources.csv"),
        refuse("csv-column-twice", "csv", _in_csv_folder("resources.csv", _text(
            "机构编码,年份,实有床位,实有床位\nF001,2023,520,521\n")), "resources.csv"),
        refuse("csv-code-as-excel-scientific", "csv", _in_csv_folder("population.csv", _text(
            "区划代码,年份,常住人口\n5.30403E+05,2023,251600\n")), "population.csv"),
        refuse("csv-degrees-minutes", "csv", _in_csv_folder("facilities.csv", _text(
            "机构编码,机构名称,机构类型,所在区划代码,经度,纬度\n"
            "F009,某院,乡镇卫生院,530403103,102°42′,24°23′\n")), "facilities.csv"),
        refuse("csv-blank-name", "csv", _in_csv_folder("facilities.csv", _text(
            "机构编码,机构名称,机构类型,所在区划代码\nF009,   ,乡镇卫生院,530403103\n")),
               "facilities.csv"),
        refuse("csv-only-bom", "csv", _in_csv_folder("resources.csv",
                                                     lambda p: p.write_bytes(b"\xef\xbb\xbf")),
               "resources.csv"),
        refuse("csv-key-with-trailing-space", "csv", _in_csv_folder("resources.csv", _text(
            "机构编码,年份,实有床位\nF001 ,2023,520\nF001,2023,530\n")), "resources.csv"),
        refuse("csv-100mb-of-small-cells", "csv", _in_csv_folder("resources.csv", lambda p: (
            p.write_bytes(("机构编码,年份," + ",".join(f"c{i}" for i in range(158)) + "\n")
                          .encode() + ("F001,2023," + ",".join(["1"] * 158) + "\n").encode()
                          * 320_000))), "resources.csv"),
        Case("csv-newline-in-name", "csv", "either", import_case(_in_csv_folder(
            "facilities.csv", _text('机构编码,机构名称,机构类型,所在区划代码\n'
                                    'F009,"某\n院",乡镇卫生院,530403103\n')))),
        _toml_case("toml-utf8-bom", "accept", b"\xef\xbb\xbf" + GOOD_TOML.encode("utf-8")),
        _toml_case("toml-misspelt-key", "refuse",
                   GOOD_TOML.replace("coordinate_system", "coordinate_sytem")),
        _toml_case("toml-unknown-section", "refuse", GOOD_TOML + "[server]\nport = 8000\n"),
        _toml_case("toml-gb18030", "refuse", GOOD_TOML.encode("gb18030")),
        _store_case("gpkg-sqlite-not-geopackage", "refuse", sqlite_not_gpkg),
        _store_case("gpkg-is-a-folder", "refuse", store_edit(lambda p: p.mkdir())),
        _store_case("gpkg-named-pipe", "refuse", store_edit(_mkfifo)),
        _store_case("gpkg-markup-area-name", "accept",
                    _sql("UPDATE areas SET name = '江川[/]区[bold]' WHERE code = '530403'"),
                    args=["summary", "PROJECT"]),
        _scenario_case("scenario-utf8-bom", "accept", lambda t: b"\xef\xbb\xbf" + t.encode()),
        _plan_case("plan-utf8-bom", "accept", lambda t: b"\xef\xbb\xbf" + t.encode()),
    ]
    return [*cases, _special_file_case("osm-dev-zero", "osm", "roads.osm", "/dev/zero"),
            _special_file_case("scenario-named-pipe", "scenario", "scenario.yaml", None)]


def _special_file_case(cid: str, kind: str, name: str, target: str | None) -> Case:
    """A device (`target`) or, with None, a named pipe given as an OSM or scenario file."""
    def run(work: Path, rng: random.Random) -> tuple[Outcome, Path | None]:
        from hsplan.access.network import network_from_osm
        from hsplan.scenarios.scenario import load_scenario

        path = work / name
        if target is None:
            _mkfifo(path)
        else:
            path.symlink_to(target)
        reader = network_from_osm if kind == "osm" else load_scenario
        return run_call(lambda: reader(path)), None
    return Case(cid, kind, "refuse", run, located=name)


def corpus() -> list[Case]:
    """Return every case of the corpus (ids unique, order fixed)."""
    cases = [*_xlsx_cell_cases(), *_xlsx_structure_cases(), *_csv_cases(), *_plan_cases(),
             *_scenario_cases(), *_toml_cases(), *_store_cases(), *_osm_cases(),
             *_doc_cases(), *_cli_cases(), *_second_round_cases()]
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def main(work: Path, results_path: Path, only: list[str] | None = None, *,
         shard: tuple[int, int] = (0, 1)) -> None:
    """Run the corpus (or the cases `only`, or shard i of n) under `work`; write one JSON
    record per case."""
    pristine = work / "pristine"
    if not pristine.exists():
        _jc().make_project(pristine)
    results: dict[str, dict[str, Any]] = {}
    for i, case in enumerate(corpus()):
        if (only and case.id not in only) or i % shard[1] != shard[0]:
            continue
        folder = work / "cases" / case.id
        folder.mkdir(parents=True, exist_ok=True)
        rng = random.Random(SEED + i)
        try:
            outcome, _ = case.run(folder, rng)
        except BaseException as exc:
            outcome = Outcome("traceback", "".join(traceback.format_exception(exc)))
        record = outcome.__dict__.copy()
        record["message"] = record["message"][-20_000:]
        record["message_chars"] = len(outcome.message)
        results[case.id] = record
        shutil.rmtree(folder, ignore_errors=True)
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1),
                            encoding="utf-8")


if __name__ == "__main__":
    import resource

    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1024 ** 3
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    rest = sys.argv[4:]
    part = (0, 1)
    if rest and rest[0].startswith("--shard="):
        i, n = rest.pop(0).removeprefix("--shard=").split("/")
        part = (int(i), int(n))
    main(Path(sys.argv[1]), Path(sys.argv[2]), rest or None, shard=part)

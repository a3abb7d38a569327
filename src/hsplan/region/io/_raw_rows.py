"""The raw rows of a workbook or CSV file, before any cell is parsed: size and container
checks (a workbook that is not one, a zip bomb, too many rows or columns), merged cells
filled, formulas Excel never calculated, and CSV text decoding and separator sniffing.
`hsplan.region.io.tables` reads the rows into typed tables.
"""

from __future__ import annotations

import csv
import io as _io
import re
import zipfile
from pathlib import Path
from typing import Any

from hsplan._files import check_input_file
from hsplan._i18n import _
from hsplan.errors import InputFileError, Problem
from hsplan.region.io._cells import is_blank

MAX_INPUT_BYTES = 100 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_ROWS = 300_000
MAX_COLUMNS = 500
# filled cells of one workbook or CSV file: about 60 bytes each once read, so that reading
# stays well under 1 GB of memory (a county's yearly tables hold some 100,000 cells)
MAX_CELLS = 5_000_000
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputFileError(_(
            "{file}: file too large ({size} MB; at most {limit} MB). Fix: split it into "
            "several files, one per table or year, and import them one after another.").format(
                file=path.name, size=f"{size / 2**20:,.0f}",
                limit=f"{MAX_INPUT_BYTES / 2**20:,.0f}"))


def _sniff_excel(path: Path) -> None:
    """Raise `InputFileError` naming what the file really is when it is not an .xlsx zip."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        what = _("an old Excel 97-2003 workbook (.xls) or an encrypted workbook")
        fix = _("open it in Excel or WPS and save it as Excel 工作簿 (.xlsx), without a "
                "password")
    elif not head:
        what = _("an empty file (0 bytes)")
        fix = _("export the workbook again")
    elif head.lstrip(b"\xef\xbb\xbf\xff\xfe").startswith((b"<", b"<\x00")):
        what = _("an HTML or XML file saved with an Excel name")
        fix = _("open it in Excel and save it as Excel 工作簿 (.xlsx)")
    else:
        what = _("a text (CSV) file saved with an Excel name")
        fix = _("rename it to {name}.csv, or open it in Excel and save it as .xlsx").format(
            name=path.stem)
    raise InputFileError(_("{file}: not a readable Excel workbook: {what}. Fix: {fix}.").format(
        file=path.name, what=what, fix=fix))


def _zip_facts(path: Path) -> dict[str, tuple[list[tuple[str, int, str, int]], bool]]:
    """Return, per worksheet XML path of the workbook, its merged ranges and whether it holds
    formulas; raise `InputFileError` for a zip bomb or a damaged archive."""
    facts: dict[str, tuple[list[tuple[str, int, str, int]], bool]] = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputFileError(_(
                "{file}: the workbook unpacks to {size} MB (at most {limit} MB). Fix: split "
                "it into smaller workbooks.").format(
                    file=path.name, size=f"{unpacked / 2**20:,.0f}",
                    limit=f"{MAX_UNPACKED_BYTES / 2**20:,.0f}"))
        for info in infos:
            if not (info.filename.startswith("xl/worksheets/") and
                    info.filename.endswith(".xml")):
                continue
            merges: list[tuple[str, int, str, int]] = []
            has_formula = False
            tail = b""
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    data = tail + chunk
                    has_formula = has_formula or _FORMULA_RE.search(data) is not None
                    tail = data[-200:]
                    for m in _MERGE_RE.finditer(data):
                        c1, r1, c2, r2 = m.groups()
                        ref = (c1.decode(), int(r1), (c2 or c1).decode(), int(r2 or r1))
                        if ref not in merges:
                            merges.append(ref)
            facts[info.filename] = (merges, has_formula)
    return facts


def _too_many_cells(file: str) -> InputFileError:
    return InputFileError(_(
        "{file}: more than {limit} filled cells. Fix: delete the columns and sheets hsplan "
        "does not read, or split the table into several files (e.g. one per year).").format(
            file=file, limit=f"{MAX_CELLS:,}"))


def _sheet_rows(ws: Any, file: str, cells_read: list[int]) -> list[tuple[int, list[Any]]]:
    rows: list[tuple[int, list[Any]]] = []
    for i, r in enumerate(ws.iter_rows(values_only=True), start=1):
        if i > MAX_ROWS + 1:
            raise InputFileError(_(
                "{file}, sheet {sheet}: more than {limit} rows. Fix: split the table into "
                "several workbooks (e.g. one per year).").format(
                    file=file, sheet=ws.title, limit=f"{MAX_ROWS:,}"))
        cells = list(r)
        if len(cells) > MAX_COLUMNS:
            extra = [c for c in cells[MAX_COLUMNS:] if not is_blank(c)]
            if extra:
                raise InputFileError(_(
                    "{file}, sheet {sheet}, row {row}: more than {limit} columns. Fix: "
                    "delete the columns that do not belong to the table.").format(
                        file=file, sheet=ws.title, row=i, limit=MAX_COLUMNS))
            cells = cells[:MAX_COLUMNS]
        while cells and cells[-1] is None:
            cells.pop()
        cells_read[0] += len(cells)
        if cells_read[0] > MAX_CELLS:
            raise _too_many_cells(file)
        rows.append((i, cells))
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


def _uncalculated(path: Path, title: str, ws_path: str,
                  rows: list[tuple[int, list[Any]]]) -> list[Problem]:
    """Return an error for every formula cell without a cached value (never calculated)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    by_row = dict(rows)
    problems: list[Problem] = []
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = next((w for w in wb.worksheets
                   if str(getattr(w, "_worksheet_path", "")).lstrip("/") == ws_path), None)
        if ws is None:
            return problems
        ws.reset_dimensions()
        for i, r in enumerate(ws.iter_rows(values_only=True), start=1):
            cached = by_row.get(i, [])
            for j, value in enumerate(r):
                if isinstance(value, str) and value.startswith("=") and (
                        j >= len(cached) or is_blank(cached[j])):
                    problems.append(Problem(
                        _("formula without a calculated value"), file=path.name, sheet=title,
                        row=i, column=get_column_letter(j + 1),
                        expected=_("a value (or a formula Excel has calculated)"),
                        got=value[:100],
                        fix=_("open the workbook in Excel or WPS, let it calculate, and save "
                              "it; or paste the values only")))
    finally:
        wb.close()
    return problems


def _fill_merge(rows: list[tuple[int, list[Any]]], c1: int, r1: int, c2: int, r2: int) -> None:
    by_row = {n: cells for n, cells in rows}
    top = by_row.get(r1)
    if top is None or c1 - 1 >= len(top):
        return
    value = top[c1 - 1]
    for n in range(r1, min(r2, r1 + MAX_ROWS) + 1):
        cells = by_row.get(n)
        if cells is None:
            continue
        for c in range(c1, min(c2, MAX_COLUMNS) + 1):
            while len(cells) < c:
                cells.append(None)
            if cells[c - 1] is None:
                cells[c - 1] = value


CSV_SEPARATORS = (",", "\t", ";", "|", "，")


def decode_text(raw: bytes, *, file: str) -> tuple[str, str]:
    """Return the text of a CSV file and the encoding it was read with: UTF-8 with or
    without BOM, UTF-16 with BOM, else GB18030 (as Excel saves CSV in China); raise
    `InputFileError` naming the encodings tried when none fits."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    elif raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8-sig"), "UTF-8 (BOM)"
        except UnicodeDecodeError:
            pass
    else:
        head = raw[:4000]
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if max(odd, even) > 0.1 * (len(head) // 2) and min(odd, even) == 0:
            encoding = "utf-16-le" if odd > even else "utf-16-be"  # UTF-16 without its BOM
            try:
                return raw.decode(encoding), "UTF-16"
            except UnicodeDecodeError:
                pass
        for encoding, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
            try:
                return raw.decode(encoding), label
            except UnicodeDecodeError:
                continue
    raise InputFileError(_(
        "{file}: text in an unknown encoding (tried UTF-8, UTF-8 with BOM, UTF-16, "
        "GB18030). Fix: save the file as CSV UTF-8 (逗号分隔) from Excel or WPS.").format(
            file=file))


def _separator(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in CSV_SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _csv_rows(file: Path, problems: list[Problem]) -> list[tuple[int, list[Any]]] | None:
    check_input_file(file)
    _check_size(file)
    raw = file.read_bytes()
    n_bytes = len(raw)
    text, _encoding = ("", "") if not raw or raw.isspace() else decode_text(raw, file=file.name)
    del raw  # a large file is held once, not twice
    if not text or text.isspace():  # no bytes, or only a byte order mark and blanks
        problems.append(Problem(
            _("empty file"), file=file.name, expected=_("a header line and data lines"),
            got=_("{n} bytes").format(n=n_bytes),
            fix=_("export the table again, or delete the file")))
        return None
    sep = _separator(text)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    del text
    rows: list[tuple[int, list[Any]]] = []
    line = 1
    cells_read = 0
    try:
        for r in reader:
            cells_read += len(r)
            if cells_read > MAX_CELLS:
                raise _too_many_cells(file.name)
            if len(rows) > MAX_ROWS:
                raise InputFileError(_(
                    "{file}: more than {limit} lines. Fix: split the table into several "
                    "files (e.g. one per year).").format(file=file.name, limit=f"{MAX_ROWS:,}"))
            rows.append((line, r[:MAX_COLUMNS]))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(
            _("not readable as CSV ({error})").format(error=exc), file=file.name,
            row=reader.line_num or line,
            expected=_("lines of values separated by {sep}, quotes closed, each value under "
                       "{limit} characters").format(sep=repr(sep),
                                                    limit=f"{csv.field_size_limit():,}"),
            fix=_("check the quotes on that line, or save the file again as CSV from Excel")))
        return None
    return rows

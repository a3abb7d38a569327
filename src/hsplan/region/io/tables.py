"""Reading the model tables from an Excel workbook or a folder of CSV files, cell by cell.

Every sheet (or CSV file) is one table of `hsplan.region.schema`; headers may be the Chinese
header, the English column id or an alias. Each cell is parsed by its column kind and every
problem is collected as a `Problem` naming the file, sheet, row (as the user sees it:
header = row 1) and column (the header as written). Nothing is raised while reading: the
caller decides (`ReadResult.raise_if_errors`).

The raw rows of a file (size and container checks, merged cells, uncalculated formulas, CSV
encodings and separators) come from `hsplan.region.io._raw_rows`.

Coordinates are converted to WGS84 with `hsplan.region.coords.to_wgs84`, each row by its own
``crs`` cell or the project's default coordinate system, and ``areas``/``facilities`` get
point geometry. A facility's ``category`` is filled from its sub-type
(`schema.FACILITY_SUBTYPES`); a category that contradicts the sub-type is an error.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from hsplan._files import check_input_file
from hsplan._i18n import _
from hsplan.errors import DataSourceError, InputFileError, Problem, raise_if_errors
from hsplan.region import schema
from hsplan.region.coords import to_wgs84
from hsplan.region.io._cells import CellError, as_text, closest, expected_text, is_blank, parse_cell
from hsplan.region.io._raw_rows import CSV_SEPARATORS as CSV_SEPARATORS
from hsplan.region.io._raw_rows import MAX_COLUMNS as MAX_COLUMNS
from hsplan.region.io._raw_rows import MAX_INPUT_BYTES as MAX_INPUT_BYTES
from hsplan.region.io._raw_rows import MAX_ROWS as MAX_ROWS
from hsplan.region.io._raw_rows import MAX_UNPACKED_BYTES as MAX_UNPACKED_BYTES
from hsplan.region.io._raw_rows import (
    _check_size,
    _csv_rows,
    _fill_merge,
    _sheet_rows,
    _sniff_excel,
    _uncalculated,
    _zip_facts,
)
from hsplan.region.io._raw_rows import decode_text as decode_text
from hsplan.region.model import WGS84, typed
from hsplan.region.schema import Column, Table

INSTRUCTIONS_SHEET = "说明"
CHOICES_SHEET = "选项"
IGNORED_SHEETS = (INSTRUCTIONS_SHEET, CHOICES_SHEET)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

Key = tuple[str, ...]


@dataclass(frozen=True)
class SheetSource:
    """Where a table's rows came from: file, sheet, headers as written, row of each key."""

    file: str
    sheet: str
    table: str
    headers: dict[str, str]
    rows: dict[Key, int] = field(default_factory=dict)

    def header(self, col_id: str) -> str:
        """Return the header of column `col_id` as written, else its Chinese header."""
        return self.headers.get(col_id) or schema.table(self.table).column(col_id).zh


@dataclass
class ReadResult:
    """Tables read from a file: typed frames by table name, every problem, row sources."""

    tables: dict[str, pd.DataFrame]
    problems: list[Problem]
    sources: dict[str, SheetSource]

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that block an import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Return the problems that are only reported."""
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self, *, context: str | None = None) -> None:
        """Raise one `ValidationError` with every problem if any is an error."""
        raise_if_errors(self.problems, context=context)


def row_key(values: Mapping[str, Any], table: Table) -> Key:
    """Return the key of a row as strings (years as digits), as `SheetSource.rows` uses."""
    out = []
    for col_id in table.key:
        value = values[col_id]
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        out.append(str(value))
    return tuple(out)


def read_tables(path: str | Path, *, coordinate_system: str = "WGS84") -> ReadResult:
    """Return the tables of an .xlsx workbook, a folder of CSV files or one CSV file."""
    path = Path(path)
    if path.is_dir():
        return read_csv_dir(path, coordinate_system=coordinate_system)
    if not path.exists():
        raise DataSourceError(_("{path}: file not found. Fix: check the path.").format(
            path=path))
    check_input_file(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _read_csv_files([path], coordinate_system=coordinate_system)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_workbook(path, coordinate_system=coordinate_system)
    if path.suffix.lower() in (".xls", ".et", ".ods", ".numbers"):
        raise InputFileError(_(
            "{path}: a {suffix} workbook, which hsplan does not read. Fix: open it in "
            "Excel or WPS and save it as Excel 工作簿 (.xlsx).").format(
                path=path, suffix=path.suffix))
    raise InputFileError(_(
        "{path}: not a workbook or CSV file (suffix {suffix}). "
        "Fix: save it as .xlsx, or give a folder of <table>.csv files.").format(
            path=path, suffix=path.suffix or _("none")))


def read_workbook(path: str | Path, *, coordinate_system: str = "WGS84") -> ReadResult:
    """Return the typed tables of an .xlsx workbook (one sheet per table) and every problem.

    Sheets are matched by Chinese table name (区划, 人口, 机构 …) or English name; the
    sheets 说明 and 选项 of the template are skipped. Row 1 holds the headers.

    The workbook is read as Excel shows it: every row and column that holds a value, whatever
    the file's declared dimension says; a formula by its cached value (a formula never
    calculated, as scripts write them, is an error naming the cell); a merged cell's value in
    every cell of the range; Excel error values (#DIV/0! …) as errors.
    """
    import openpyxl
    from openpyxl.utils import column_index_from_string

    path = Path(path)
    check_input_file(path)
    _check_size(path)
    _sniff_excel(path)
    try:
        facts = _zip_facts(path)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except DataSourceError:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors of a damaged file
        raise InputFileError(_(
            "{file}: not a readable Excel workbook ({error}). Fix: open it in Excel or WPS "
            "and save it again as .xlsx.").format(
                file=path.name, error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    sheets: list[tuple[str, list[tuple[int, list[Any]]]]] = []
    problems: list[Problem] = []
    cells_read = [0]  # filled cells of the workbook so far (`_raw_rows.MAX_CELLS`)
    try:
        for ws in wb.worksheets:
            if ws.title.strip() in IGNORED_SHEETS:
                continue
            ws_path = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
            merges, has_formula = facts.get(ws_path, ([], False))
            ws.reset_dimensions()  # the declared <dimension> may be stale: read every row
            rows = _sheet_rows(ws, path.name, cells_read)
            if has_formula:
                problems += _uncalculated(path, ws.title, ws_path, rows)
            for c1, r1, c2, r2 in merges:
                _fill_merge(rows, column_index_from_string(c1), r1,
                            column_index_from_string(c2), r2)
            sheets.append((ws.title, rows))
    except DataSourceError:
        raise
    except Exception as exc:  # a truncated or malformed sheet XML
        raise InputFileError(_(
            "{file}: a sheet cannot be read ({error}). Fix: open it in Excel or WPS and save "
            "it again as .xlsx.").format(
                file=path.name, error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    finally:
        wb.close()
    result = _read_sheets(path.name, sheets, coordinate_system=coordinate_system)
    result.problems[:0] = problems
    return result


def read_csv_dir(path: str | Path, *, coordinate_system: str = "WGS84") -> ReadResult:
    """Return the typed tables of a folder of CSV files and every problem.

    Files are named ``<table>.csv`` or ``<table zh>.csv`` (``facilities.csv``, ``机构.csv``),
    UTF-8 (with or without BOM) or GB18030 as Excel saves them in China; other files
    (README, SOURCE.md …) are skipped. Line 1 holds the headers.
    """
    path = Path(path)
    if not path.is_dir():
        raise DataSourceError(_("{path}: folder not found. Fix: check the path.").format(
            path=path))
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    return _read_csv_files(files, coordinate_system=coordinate_system)


def _read_csv_files(files: Iterable[Path], *, coordinate_system: str) -> ReadResult:
    result = ReadResult({}, [], {})
    seen: dict[str, str] = {}
    for file in files:
        rows = _csv_rows(file, result.problems)
        if rows is None:
            continue
        table = _find_table(file.stem)
        if table is not None and table.name in seen:
            result.problems.append(Problem(
                _("table given twice"), file=file.name,
                expected=_("one file for table {table}").format(table=table.zh),
                got=_("{first} and {second}").format(first=seen[table.name], second=file.name),
                fix=_("merge the rows into {first} and delete {second}").format(
                    first=seen[table.name], second=file.name)))
            continue
        if table is not None:
            seen[table.name] = file.name
        part = _read_sheets(file.name, [(file.stem, rows)], coordinate_system=coordinate_system,
                            csv_file=True)
        result.tables.update(part.tables)
        result.problems.extend(part.problems)
        result.sources.update(part.sources)
    return result


def _find_table(name: str) -> Table | None:
    clean = name.strip()
    for t in schema.TABLES.values():
        if clean in (t.zh, t.name) or clean.lower() == t.name:
            return t
    return None


def _read_sheets(file: str, sheets: list[tuple[str, list[tuple[int, list[Any]]]]], *,
                 coordinate_system: str, csv_file: bool = False) -> ReadResult:
    result = ReadResult({}, [], {})
    seen: dict[str, str] = {}
    for sheet_name, rows in sheets:
        if sheet_name.strip() in IGNORED_SHEETS:
            continue
        table = _find_table(sheet_name)
        if table is None:
            names = [t.zh for t in schema.TABLES.values()]
            guess = closest(sheet_name, names + list(schema.TABLES))
            if csv_file:
                fix = (_("rename the file to {name}, or delete it if it holds no data for "
                         "hsplan").format(name=guess) if guess else
                       _("rename the file to one of the table names, or delete it if it holds "
                         "no data for hsplan"))
            else:
                fix = (_("rename the sheet to {name}, or delete it if it holds no data for "
                         "hsplan").format(name=guess) if guess else
                       _("rename the sheet to one of the table names, or delete it if it "
                         "holds no data for hsplan"))
            result.problems.append(Problem(
                _("unknown file") if csv_file else _("unknown sheet"), file=file,
                sheet=None if csv_file else sheet_name,
                expected=_("one of {names}").format(names=", ".join(names)), got=sheet_name,
                fix=fix))
            continue
        sheet_label = table.zh if csv_file else sheet_name
        if table.name in seen:
            result.problems.append(Problem(
                _("table given twice"), file=file, sheet=sheet_label,
                expected=_("one sheet for table {table}").format(table=table.zh),
                got=sheet_name,
                fix=_("merge the rows into the sheet {sheet}").format(sheet=seen[table.name])))
            continue
        seen[table.name] = sheet_name
        frame, source, problems = frame_from_rows(
            table, rows, file=file, sheet=sheet_label, coordinate_system=coordinate_system)
        result.problems.extend(problems)
        result.sources[table.name] = source
        if frame is not None:
            result.tables[table.name] = frame
    return result


def _unknown_header_fix(text: str, table: Table) -> str:
    for other in schema.TABLES.values():
        if other is not table and _norm_header(text) in _header_index(other):
            return _("{header} is a column of sheet {sheet}; move it there, or delete it"
                     ).format(header=text, sheet=other.zh)
    known = [h for c in table.columns for h in (c.zh, c.id)]
    guess = closest(text, known)
    if guess is not None:
        return _("did you mean {guess}? Rename the header, or delete the column").format(
            guess=guess)
    return _("use a header of the template, or delete the column")


def _header_index(table: Table) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for col in table.columns:
        for h in col.headers:
            index.setdefault(_norm_header(h), col)
    return index


def _norm_header(text: str) -> str:
    return (text.strip().replace("（", "(").replace("）", ")").replace(" ", "")
            .replace("\u3000", "").lower())


def frame_from_rows(table: Table, rows: Sequence[tuple[int, Sequence[Any]]], *, file: str,
                    sheet: str, coordinate_system: str = "WGS84",
                    ) -> tuple[pd.DataFrame | None, SheetSource, list[Problem]]:
    """Return the typed frame of one sheet's rows (header first), its source and problems.

    `rows` are ``(row number, cells)`` pairs as the user numbers them. The frame is None
    when the sheet has no data rows. Rows whose key cells are invalid are left out of the
    frame (and reported); other invalid cells are left empty (and reported).
    """
    problems: list[Problem] = []
    rows = [(n, cells) for n, cells in rows if not all(is_blank(c) for c in cells)]
    index = _header_index(table)
    if rows and not any(not is_blank(c) and _norm_header(as_text(c)) in index
                        for c in rows[0][1]):
        problems.append(Problem(
            _("no column of the table in the header row"), file=file, sheet=sheet,
            row=rows[0][0],
            expected=_("headers of table {table} such as {headers}").format(
                table=table.zh, headers=", ".join(c.zh for c in table.columns[:4])),
            got=", ".join(as_text(c)[:20] for c in rows[0][1][:5] if not is_blank(c)),
            fix=_("put the template's header row first (row 1), or delete the file or "
                  "sheet")))
        return None, SheetSource(file, sheet, table.name, {}), problems
    if len(rows) < 2:  # empty, or headers only: the table is not in this file
        return None, SheetSource(file, sheet, table.name, {}), problems
    header_row, header_cells = rows[0]
    columns: dict[int, Column] = {}
    headers: dict[str, str] = {}
    for pos, cell in enumerate(header_cells):
        if is_blank(cell):
            if any(pos < len(c) and not is_blank(c[pos]) for _, c in rows[1:]):
                problems.append(Problem(
                    _("column without a header (its values are ignored)"), file=file,
                    sheet=sheet, row=header_row, column=f"#{pos + 1}",
                    fix=_("give the column one of the template's headers, or delete it"),
                    severity="warning"))
            continue
        text = as_text(cell)
        col = index.get(_norm_header(text))
        if col is None:
            problems.append(Problem(_("unknown column (its values are ignored)"), file=file,
                                    sheet=sheet, row=header_row, column=text,
                                    fix=_unknown_header_fix(text, table), severity="warning"))
            continue
        if col.id in headers:
            problems.append(Problem(
                _("column given twice"), file=file, sheet=sheet, row=header_row, column=text,
                expected=_("one column for {column}").format(column=col.zh), got=text,
                fix=_("keep one of the columns {first} and {second}").format(
                    first=headers[col.id], second=text)))
            continue
        columns[pos] = col
        headers[col.id] = text
    source = SheetSource(file, sheet, table.name, headers)
    for col in table.columns:
        if col.required and col.id not in headers:
            problems.append(Problem(
                _("missing required column"), file=file, sheet=sheet, row=header_row,
                column=col.zh,
                expected=_("a column headed {header} (or {id})").format(header=col.zh,
                                                                        id=col.id),
                fix=_("add the column {column} and fill it in every row").format(
                    column=col.zh)))
    if any(col.id in table.key and col.id not in headers for col in table.columns):
        return None, source, problems

    records: list[dict[str, Any]] = []
    for row_number, cells in rows[1:]:
        record: dict[str, Any] = {"_row": row_number, "_bad": set()}
        key_ok = True
        for pos, col in columns.items():
            value = cells[pos] if pos < len(cells) else None
            where: dict[str, Any] = {"file": file, "sheet": sheet, "row": row_number,
                                     "column": headers[col.id]}
            if is_blank(value):
                if col.required:
                    problems.append(Problem(
                        _("required value missing"), **where, expected=expected_text(col),
                        got="", fix=_("fill in the cell, or delete the row if it is not "
                                      "needed")))
                    key_ok = key_ok and col.id not in table.key
                record[col.id] = None
                continue
            parsed = parse_cell(value, col)
            if isinstance(parsed, CellError):
                problems.append(Problem(parsed.message, **where, expected=parsed.expected,
                                        got=as_text(value), fix=parsed.fix))
                key_ok = key_ok and col.id not in table.key
                record["_bad"].add(col.id)
                parsed = None
            elif col.kind in ("int", "float"):
                plausible, hard = schema.limits(table.name, col)
                if hard is not None and parsed > hard:
                    problems.append(Problem(
                        _("impossible value"), **where,
                        expected=_("at most {limit}").format(limit=f"{hard:,g}"),
                        got=as_text(value),
                        fix=_("check the value and its unit (a typing error?)")))
                    record["_bad"].add(col.id)
                    parsed = None
                elif plausible is not None and parsed > plausible:
                    problems.append(Problem(
                        _("implausibly large value (imported; please check)"), **where,
                        expected=_("usually at most {limit}").format(limit=f"{plausible:,g}"),
                        got=as_text(value), fix=_("check the value and its unit"),
                        severity="warning"))
            record[col.id] = parsed
        if key_ok:
            records.append(record)
    records = _drop_duplicates(records, table, source, problems)
    if table.name == "reported":
        _check_indicators(records, source, problems)
    if table.name == "facilities":
        _fill_category(records, source, problems)
    if table.has_geometry:
        _convert_coordinates(records, source, problems, coordinate_system)
    for rec in records:
        source.rows[row_key(rec, table)] = rec["_row"]
    frame = _to_frame(records, table)
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return frame, source, problems


def _drop_duplicates(records: list[dict[str, Any]], table: Table, source: SheetSource,
                     problems: list[Problem]) -> list[dict[str, Any]]:
    first: dict[Key, int] = {}
    kept = []
    for rec in records:
        key = row_key(rec, table)
        if key in first:
            problems.append(Problem(
                _("duplicate key"), file=source.file, sheet=source.sheet, row=rec["_row"],
                column=source.header(table.key[0]),
                expected=_("one row per {key}").format(
                    key=" + ".join(source.header(k) for k in table.key)),
                got=", ".join(key),
                fix=_("row {row} has the same key; keep one of the two rows").format(
                    row=first[key])))
            continue
        first[key] = rec["_row"]
        kept.append(rec)
    return kept


@functools.cache
def indicator_names() -> frozenset[str]:
    """Return every id, Chinese name and alias of the bundled indicator catalog (read as
    data from ``hsplan/data/indicators``; the catalog's code lives in a higher layer)."""
    import yaml

    names: set[str] = set()
    folder = resources.files("hsplan") / "data" / "indicators"
    for entry in folder.iterdir():
        if not entry.name.endswith(".yaml"):
            continue
        for item in yaml.safe_load(entry.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict):
                names |= {str(item.get("id")), str(item.get("name_zh"))}
                names |= {str(a) for a in item.get("aliases") or []}
    return frozenset(names - {"None"})


def _check_indicators(records: list[dict[str, Any]], source: SheetSource,
                      problems: list[Problem]) -> None:
    known = indicator_names()
    for rec in records:
        name = rec.get("indicator")
        if name is None or name in known:
            continue
        guess = closest(str(name), sorted(known))
        problems.append(Problem(
            _("unknown indicator (stored as given, but no evaluation will find it)"),
            file=source.file, sheet=source.sheet, row=rec["_row"],
            column=source.header("indicator"),
            expected=_("an indicator id or Chinese name of the catalog (hsplan indicators "
                       "list)"),
            got=str(name), fix=_("did you mean {guess}?").format(guess=guess) if guess else
            _("look the indicator up with `hsplan indicators match TEXT`"), severity="warning"))


def _fill_category(records: list[dict[str, Any]], source: SheetSource,
                   problems: list[Problem]) -> None:
    for rec in records:
        subtype = rec.get("subtype")
        if subtype is None:
            continue
        implied = schema.FACILITY_SUBTYPES[subtype]
        given = rec.get("category")
        if given is None:
            rec["category"] = implied
        elif given != implied:
            problems.append(Problem(
                _("category contradicts the sub-type"), file=source.file, sheet=source.sheet,
                row=rec["_row"], column=source.header("category"),
                expected=_("{category} (the category of {subtype})").format(
                    category=implied, subtype=subtype), got=given,
                fix=_("leave {category} empty to fill it from {subtype}, or correct "
                      "{subtype}").format(category=source.header("category"),
                                          subtype=source.header("subtype"))))
            rec["category"] = None


def _convert_coordinates(records: list[dict[str, Any]], source: SheetSource,
                         problems: list[Problem], coordinate_system: str) -> None:
    for rec in records:
        lon, lat = rec.get("lon"), rec.get("lat")
        rec["geometry"] = None
        if lon is None and lat is None:
            rec["crs"] = None
            continue
        if lon is None or lat is None:
            if {"lon", "lat"} & rec["_bad"]:  # already reported as invalid
                rec["lon"] = rec["lat"] = rec["crs"] = None
                continue
            missing = "lon" if lon is None else "lat"
            problems.append(Problem(
                _("incomplete coordinates"), file=source.file, sheet=source.sheet,
                row=rec["_row"], column=source.header(missing),
                expected=_("both {lon} and {lat}, or neither").format(
                    lon=source.header("lon"), lat=source.header("lat")),
                got="", fix=_("fill in the missing coordinate, or clear both")))
            rec["lon"] = rec["lat"] = rec["crs"] = None
            continue
        crs = rec.get("crs") or coordinate_system
        x, y = to_wgs84(float(lon), float(lat), crs)
        rec["lon"], rec["lat"], rec["crs"] = float(x), float(y), "WGS84"
        rec["geometry"] = Point(float(x), float(y))


def _to_frame(records: list[dict[str, Any]], table: Table) -> pd.DataFrame:
    data = {c.id: [rec.get(c.id) for rec in records] for c in table.columns}
    df = pd.DataFrame(data, columns=table.column_ids)
    for col in table.columns:
        if col.kind in ("int", "year", "float", "bool"):
            df[col.id] = df[col.id].astype(object).where(df[col.id].notna(), pd.NA)
    if table.has_geometry:
        geometry = gpd.GeoSeries([rec.get("geometry") for rec in records], crs=WGS84)
        df = gpd.GeoDataFrame(df, geometry=geometry.values, crs=WGS84)
    return typed(df, table)

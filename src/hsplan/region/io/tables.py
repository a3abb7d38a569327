"""Reading the model tables from an Excel workbook or a folder of CSV files, cell by cell.

Every sheet (or CSV file) is one table of `hsplan.region.schema`; headers may be the Chinese
header, the English column id or an alias. Each cell is parsed by its column kind and every
problem is collected as a `Problem` naming the file, sheet, row (as the user sees it:
header = row 1) and column (the header as written). Nothing is raised while reading: the
caller decides (`ReadResult.raise_if_errors`).

Coordinates are converted to WGS84 with `hsplan.region.coords.to_wgs84`, each row by its own
``crs`` cell or the project's default coordinate system, and ``areas``/``facilities`` get
point geometry. A facility's ``category`` is filled from its sub-type
(`schema.FACILITY_SUBTYPES`); a category that contradicts the sub-type is an error.
"""

from __future__ import annotations

import csv
import io as _io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from hsplan.errors import DataSourceError, Problem, raise_if_errors
from hsplan.region import schema
from hsplan.region.coords import to_wgs84
from hsplan.region.io._cells import CellError, as_text, closest, expected_text, is_blank, parse_cell
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

    def raise_if_errors(self, *, context: str = "input") -> None:
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
        raise DataSourceError(f"{path}: file not found. Fix: check the path.")
    if path.suffix.lower() == ".csv":
        return _read_csv_files([path], coordinate_system=coordinate_system)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_workbook(path, coordinate_system=coordinate_system)
    raise DataSourceError(
        f"{path}: not a workbook or CSV file (suffix {path.suffix or 'none'}). "
        "Fix: save it as .xlsx, or give a folder of <table>.csv files."
    )


def read_workbook(path: str | Path, *, coordinate_system: str = "WGS84") -> ReadResult:
    """Return the typed tables of an .xlsx workbook (one sheet per table) and every problem.

    Sheets are matched by Chinese table name (区划, 人口, 机构 …) or English name; the
    sheets 说明 and 选项 of the template are skipped. Row 1 holds the headers.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DataSourceError(
            f"{path.name}: not a readable Excel workbook ({exc}). Fix: save it as .xlsx."
        ) from exc
    sheets: list[tuple[str, list[tuple[int, list[Any]]]]] = []
    try:
        for ws in wb.worksheets:
            rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
            sheets.append((ws.title, rows))
    finally:
        wb.close()
    return _read_sheets(path.name, sheets, coordinate_system=coordinate_system)


def read_csv_dir(path: str | Path, *, coordinate_system: str = "WGS84") -> ReadResult:
    """Return the typed tables of a folder of CSV files and every problem.

    Files are named ``<table>.csv`` or ``<table zh>.csv`` (``facilities.csv``, ``机构.csv``),
    UTF-8 (with or without BOM) or GB18030 as Excel saves them in China; other files
    (README, SOURCE.md …) are skipped. Line 1 holds the headers.
    """
    path = Path(path)
    if not path.is_dir():
        raise DataSourceError(f"{path}: folder not found. Fix: check the path.")
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    return _read_csv_files(files, coordinate_system=coordinate_system)


def _read_csv_files(files: Iterable[Path], *, coordinate_system: str) -> ReadResult:
    sheets: list[tuple[str, list[tuple[int, list[Any]]]]] = []
    for file in files:
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        reader = csv.reader(_io.StringIO(text, newline=""))
        rows = [(reader.line_num, list(r)) for r in reader]
        sheets.append((file.stem, rows))
    result = ReadResult({}, [], {})
    for stem, rows in sheets:
        part = _read_sheets(f"{stem}.csv", [(stem, rows)], coordinate_system=coordinate_system,
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
            what = "file" if csv_file else "sheet"
            fix = (f"rename the {what} to {guess}" if guess else
                   f"rename the {what} to one of the table names") + \
                ", or delete it if it holds no data for hsplan"
            result.problems.append(Problem(
                f"unknown {what}", file=file, sheet=None if csv_file else sheet_name,
                expected="one of " + ", ".join(names), got=sheet_name, fix=fix))
            continue
        sheet_label = table.zh if csv_file else sheet_name
        if table.name in seen:
            result.problems.append(Problem(
                "table given twice", file=file, sheet=sheet_label,
                expected=f"one sheet for table {table.zh}", got=sheet_name,
                fix=f"merge the rows into the sheet {seen[table.name]}"))
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
            return f"{text} is a column of sheet {other.zh}; move it there, or delete it"
    known = [h for c in table.columns for h in (c.zh, c.id)]
    guess = closest(text, known)
    if guess is not None:
        return f"did you mean {guess}? Rename the header, or delete the column"
    return "use a header of the template, or delete the column"


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
    if len(rows) < 2:  # empty, or headers only: the table is not in this file
        return None, SheetSource(file, sheet, table.name, {}), problems
    header_row, header_cells = rows[0]
    index = _header_index(table)
    columns: dict[int, Column] = {}
    headers: dict[str, str] = {}
    for pos, cell in enumerate(header_cells):
        if is_blank(cell):
            if any(pos < len(c) and not is_blank(c[pos]) for _, c in rows[1:]):
                problems.append(Problem(
                    "column without a header (its values are ignored)", file=file, sheet=sheet,
                    row=header_row, column=f"#{pos + 1}",
                    fix="give the column one of the template's headers, or delete it",
                    severity="warning"))
            continue
        text = as_text(cell)
        col = index.get(_norm_header(text))
        if col is None:
            problems.append(Problem("unknown column (its values are ignored)", file=file,
                                    sheet=sheet, row=header_row, column=text,
                                    fix=_unknown_header_fix(text, table), severity="warning"))
            continue
        if col.id in headers:
            problems.append(Problem(
                "column given twice", file=file, sheet=sheet, row=header_row, column=text,
                expected=f"one column for {col.zh}", got=text,
                fix=f"keep one of the columns {headers[col.id]} and {text}"))
            continue
        columns[pos] = col
        headers[col.id] = text
    source = SheetSource(file, sheet, table.name, headers)
    for col in table.columns:
        if col.required and col.id not in headers:
            problems.append(Problem(
                "missing required column", file=file, sheet=sheet, row=header_row,
                column=col.zh, expected=f"a column headed {col.zh} (or {col.id})",
                fix=f"add the column {col.zh} and fill it in every row"))
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
                        "required value missing", **where, expected=expected_text(col), got="",
                        fix="fill in the cell, or delete the row if it is not needed"))
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
            record[col.id] = parsed
        if key_ok:
            records.append(record)
    records = _drop_duplicates(records, table, source, problems)
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
                "duplicate key", file=source.file, sheet=source.sheet, row=rec["_row"],
                column=source.header(table.key[0]),
                expected="one row per " + " + ".join(source.header(k) for k in table.key),
                got=", ".join(key),
                fix=f"row {first[key]} has the same key; keep one of the two rows"))
            continue
        first[key] = rec["_row"]
        kept.append(rec)
    return kept


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
                "category contradicts the sub-type", file=source.file, sheet=source.sheet,
                row=rec["_row"], column=source.header("category"),
                expected=f"{implied} (the category of {subtype})", got=given,
                fix=f"leave {source.header('category')} empty to fill it from "
                    f"{source.header('subtype')}, or correct {source.header('subtype')}"))
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
                "incomplete coordinates", file=source.file, sheet=source.sheet,
                row=rec["_row"], column=source.header(missing),
                expected=f"both {source.header('lon')} and {source.header('lat')}, or neither",
                got="", fix="fill in the missing coordinate, or clear both"))
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

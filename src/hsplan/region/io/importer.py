"""Importing a workbook or CSV folder into a project: read, validate, merge, check, save.

The import is all or nothing, and one at a time. It holds the project's writer lock
(`hsplan.region._lock.project_lock`) from reading the store to writing it, so two imports
at once are serialised (or the second is told who holds the lock) and neither loses the
other's rows. The file is read and every cell checked
(`hsplan.region.io.tables`), the tables are merged into the project's region, the merged region
is checked across tables (`hsplan.region.io.checks`), and only when no problem is an error is it
written with `Project.save` (atomic). Otherwise one `ValidationError` carries every
problem and the project store is left byte for byte as it was.

Merge rules:

- yearly tables (人口, 资源, 服务量, 上报指标): the years present in the file replace those
  years entirely; other years are kept.
- keyed tables (区划, 机构, 任务进展): a row replaces the stored row with the same key; new
  keys are added; other stored rows are kept. An area's stored polygon is kept when the
  file gives no polygon (the template only carries a representative point).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hsplan._i18n import _
from hsplan.errors import Problem, raise_if_errors
from hsplan.region import schema
from hsplan.region._lock import project_lock
from hsplan.region.io.checks import check_region
from hsplan.region.io.tables import ReadResult, read_tables, row_key
from hsplan.region.model import Region, typed
from hsplan.region.project import Project
from hsplan.region.schema import Table


@dataclass(frozen=True)
class TableChange:
    """What an import did to one table: rows read, added, replaced, removed; years replaced."""

    table: str
    rows_read: int
    rows_added: int
    rows_replaced: int
    rows_removed: int
    years_replaced: tuple[int, ...] = ()


@dataclass
class ImportReport:
    """The outcome of a successful import: the file, the store written, changes, warnings."""

    file: str
    store: Path
    changes: dict[str, TableChange]
    warnings: list[Problem] = field(default_factory=list)


def load_or_empty(project: Project) -> Region:
    """Return the project's stored region, or an empty one when nothing is stored yet."""
    if project.store_path.exists():
        return project.load()
    meta: dict[str, object] = {"name": project.name}
    if project.county_code:
        meta["county_code"] = project.county_code
    return Region(meta=meta)


def merge_tables(region: Region, tables: dict[str, pd.DataFrame],
                 ) -> tuple[Region, dict[str, TableChange]]:
    """Return a new region with `tables` merged in (see the module's merge rules) and the
    change made to each table."""
    merged: dict[str, pd.DataFrame] = {}
    changes: dict[str, TableChange] = {}
    current = region.tables()
    for name, new in tables.items():
        table = schema.table(name)
        old = current[name]
        if name in schema.YEARLY_TABLES:
            merged[name], changes[name] = _merge_years(old, new, table)
        else:
            merged[name], changes[name] = _merge_keys(old, new, table)
    return region.replace(**merged), changes


def _keys(df: pd.DataFrame, table: Table) -> list[tuple[str, ...]]:
    cols = list(table.key)
    return [row_key(dict(zip(cols, values, strict=True)), table)
            for values in df[cols].itertuples(index=False, name=None)]


def _concat(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return typed(pd.DataFrame(columns=table.column_ids), table)
    out = pd.concat(frames, ignore_index=True)
    if table.has_geometry:
        out = gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs)
    return out.sort_values(list(table.key), na_position="last", kind="stable")


def _merge_years(old: pd.DataFrame, new: pd.DataFrame, table: Table,
                 ) -> tuple[pd.DataFrame, TableChange]:
    years = set(int(y) for y in new["year"].dropna())
    replaced = old["year"].isin(list(years)).fillna(False).astype(bool)
    old_keys = set(_keys(old[replaced], table))
    new_keys = _keys(new, table)
    n_same = sum(1 for k in new_keys if k in old_keys)
    change = TableChange(
        table.name, rows_read=len(new), rows_added=len(new) - n_same, rows_replaced=n_same,
        rows_removed=int(replaced.sum()) - n_same,
        years_replaced=tuple(sorted(years & {int(y) for y in old["year"].dropna()})))
    return _concat([old[~replaced.to_numpy()], new], table), change


def _merge_keys(old: pd.DataFrame, new: pd.DataFrame, table: Table,
                ) -> tuple[pd.DataFrame, TableChange]:
    new_keys = _keys(new, table)
    old_keys = _keys(old, table)
    incoming = set(new_keys)
    replaced = [k in incoming for k in old_keys]
    new = new.copy()
    if table.name == "areas":
        polygons = {k: g for k, g in zip(old_keys, old.geometry, strict=True)
                    if g is not None and g.geom_type in ("Polygon", "MultiPolygon")}
        new["geometry"] = [polygons.get(k, g) for k, g in zip(new_keys, new.geometry,
                                                               strict=True)]
    n_same = sum(replaced)
    change = TableChange(table.name, rows_read=len(new), rows_added=len(new) - n_same,
                         rows_replaced=n_same, rows_removed=0)
    kept = old[[not r for r in replaced]]
    return _concat([kept, new], table), change


def _read_and_merge(project: Project, path: str | Path, *, base: Region | None = None,
                    ) -> tuple[ReadResult, Region, dict[str, TableChange], list[Problem]]:
    read = read_tables(path, coordinate_system=project.coordinate_system)
    merged, changes = merge_tables(load_or_empty(project) if base is None else base,
                                   read.tables)
    problems = [*read.problems, *check_county(read, project.county_code)]
    if not read.tables and not any(p.severity == "error" for p in problems):
        problems.append(Problem(
            _("no table to import"), file=Path(path).name,
            expected=_("a sheet or CSV file named after a table (区划, 人口, 机构, 资源 …) with "
                       "a header row and data rows"),
            got=_("no data rows"),
            fix=_("fill in the template (`hsplan template`) and import it")))
    problems += check_region(merged, incoming=read.sources)
    return read, merged, changes, problems


def _area_in_county(code: str, county: str) -> bool:
    """Return True for an area code inside the county, or of one of its parents."""
    if code.startswith(county):
        return True
    trimmed = code.rstrip("0")
    return len(code) in (2, 4, 6) and county.startswith(trimmed) and bool(trimmed)


def check_county(read: ReadResult, county: str | None) -> list[Problem]:
    """Return an error for every area code read that lies outside the project's county
    (a workbook of another county would otherwise replace this county's years)."""
    if not county:
        return []
    problems: list[Problem] = []
    foreign: dict[str, int] = {}
    for name, col_id in (("areas", "code"), ("population", "area_code"),
                         ("facilities", "area_code"), ("reported", "area_code")):
        frame = read.tables.get(name)
        source = read.sources.get(name)
        if frame is None or col_id not in frame.columns:
            continue
        table = schema.table(name)
        for rec in frame.drop(columns="geometry", errors="ignore").to_dict("records"):
            code = rec.get(col_id)
            if code is None or pd.isna(code) or _area_in_county(str(code), county):
                continue
            foreign[str(code)[:6]] = foreign.get(str(code)[:6], 0) + 1
            row = source.rows.get(row_key({str(k): v for k, v in rec.items()}, table)
                                  ) if source is not None else None
            problems.append(Problem(
                _("area outside the project's county"), file=source.file if source else None,
                sheet=source.sheet if source else None, row=row,
                column=source.header(col_id) if source else col_id,
                expected=_("a code of county {county} (starting {county})").format(
                    county=county), got=str(code),
                fix=_("import this workbook into the project of its own county "
                      "(`hsplan init DIR --county {county}`), or correct the code").format(
                          county=min(foreign))))
    return problems


def validate_tables(project: Project, path: str | Path, *,
                    base: Region | None = None) -> list[Problem]:
    """Return every problem of the file at `path` read into `project` (nothing is saved):
    cell problems, then cross-table problems of the region as it would be after import.
    `base` is the region to merge into instead of the project's store (the server's region
    read from the database)."""
    return _read_and_merge(project, path, base=base)[3]


def validate_project(project: Project) -> list[Problem]:
    """Return every cross-table problem of the project's stored region."""
    return check_region(project.load())


def import_tables(project: Project, path: str | Path) -> ImportReport:
    """Return the report of importing the workbook/CSV folder at `path` into `project`.

    Raises `ValidationError` with every problem (and writes nothing) if any is an error.
    """
    with project_lock(project.root, command=f"hsplan import {Path(path).name}"):
        _read, merged, changes, problems = _read_and_merge(project, path)
        raise_if_errors(problems, context=_("import {file}").format(file=Path(path).name))
        store = project.save(merged)
    return ImportReport(Path(path).name, store, changes,
                        [p for p in problems if p.severity == "warning"])

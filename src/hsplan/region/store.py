"""The project store: the validated region model in one GeoPackage file.

A GeoPackage is an SQLite file that QGIS opens directly: ``areas`` and ``facilities`` are
spatial layers (WGS84), the other tables are attribute tables, and ``hsplan_meta`` holds
the region's metadata as key/JSON-value rows.

Every write is all or nothing: the whole model is written to a temporary file beside the
store and moved over it with `os.replace`, which is atomic on POSIX and Windows. A write
that fails (bad data, full disk, Ctrl-C, kill -9) leaves the previous store byte for byte as
it was. Counties are small (thousands of rows), so rewriting the file is cheaper than keeping
SQLite transactions consistent across pyogrio's separate connections.

Every read is checked (`check_stored`): the store is a file anyone can edit in QGIS or
SQLite, so a value no import would accept (−500 beds, text in a number column, an unknown
choice, NaN) is reported as a `ValidationError` naming the table, row and column instead of
being believed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from hsplan._files import atomic_path, check_input_file
from hsplan._i18n import _
from hsplan.errors import DataSourceError, Problem, ValidationError
from hsplan.region import schema
from hsplan.region.model import Region, typed

META_LAYER = "hsplan_meta"
FORMAT_VERSION = 1


def write_gpkg(path: str | Path, layers: Mapping[str, pd.DataFrame], *,
               meta: Mapping[str, Any] | None = None) -> Path:
    """Write `layers` (name → frame; GeoDataFrames become spatial layers) and optional
    `meta` (a ``hsplan_meta`` table of key/JSON rows) to the GeoPackage at `path`, all or
    nothing; return the path.

    The file is written beside `path` under a temporary name and moved over it with
    `os.replace`, so a failed write leaves any earlier file exactly as it was.
    """
    path = Path(path)
    with atomic_path(path) as tmp, _sqlite_unsynced():
        for name, frame in layers.items():
            out = _for_gpkg(frame)
            kinds = set(frame.geom_type.dropna()) if isinstance(frame, gpd.GeoDataFrame) else set()
            if len(kinds) > 1 or (isinstance(frame, gpd.GeoDataFrame) and not kinds):
                # mixed (e.g. county polygons and village points) or empty: a generic layer
                pyogrio.write_dataframe(out, tmp, layer=name, driver="GPKG",
                                        geometry_type="Unknown", promote_to_multi=False)
            else:
                pyogrio.write_dataframe(out, tmp, layer=name, driver="GPKG")
        if meta is not None:
            meta_df = pd.DataFrame({"key": list(meta), "value": [
                json.dumps(v, ensure_ascii=False) for v in meta.values()]})
            pyogrio.write_dataframe(meta_df, tmp, layer=META_LAYER, driver="GPKG")
    return path


@contextmanager
def _sqlite_unsynced() -> Iterator[None]:
    """Let SQLite skip its own fsync per layer while a temporary file is written: the file
    is fsynced once before it replaces the store (`atomic_path`), so nothing is less safe,
    and a county's store is written in a third of the time on a busy disk."""
    key = "OGR_SQLITE_SYNCHRONOUS"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})


def read_gpkg_meta(path: str | Path) -> dict[str, Any]:
    """Return the ``hsplan_meta`` table of a GeoPackage written by `write_gpkg` ({} if none)."""
    if META_LAYER not in {str(row[0]) for row in pyogrio.list_layers(path)}:
        return {}
    meta_df = pyogrio.read_dataframe(path, layer=META_LAYER)
    return {str(k): json.loads(str(v)) for k, v in zip(meta_df["key"], meta_df["value"],
                                                       strict=True)}


def save_region(region: Region, path: str | Path) -> Path:
    """Write `region` to the GeoPackage at `path` atomically; return the path."""
    layers = {name: typed(df, schema.table(name)) for name, df in region.tables().items()}
    return write_gpkg(path, layers, meta={**region.meta, "format_version": FORMAT_VERSION})


def load_region(path: str | Path) -> Region:
    """Read the region model from the GeoPackage at `path` (from its Arrow copy when it
    has one that matches it byte for byte: `write_arrow_copy`)."""
    path = Path(path)
    if not path.exists():
        raise DataSourceError(_(
            "{path}: project store not found. Fix: run `hsplan init` or `hsplan import` "
            "first.").format(path=path))
    check_input_file(path)
    copied = _read_arrow_copy(path)
    if copied is not None:
        return copied
    return _read_gpkg(path)


def _read_gpkg(path: Path) -> Region:
    """Read, check and type the tables of the GeoPackage at `path`."""
    try:
        with warnings.catch_warnings():  # GDAL's English warnings of a foreign file: the
            warnings.simplefilter("ignore", RuntimeWarning)  # error below says it in full
            layers = {str(row[0]) for row in pyogrio.list_layers(path)}
            raw = {name: pyogrio.read_dataframe(path, layer=name)
                   for name in schema.TABLES if name in layers}
        meta = read_gpkg_meta(path)
    except Exception as exc:  # pyogrio/GDAL errors of a damaged or foreign file
        raise DataSourceError(_(
            "{path}: not a readable GeoPackage ({error}). Fix: restore the store from a "
            "backup, or import the data again into a new project.").format(
                path=path, error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    problems = _stored_types(path, list(raw))
    problems += [p for name, df in raw.items() for p in check_stored(df, schema.TABLES[name],
                                                                    file=path.name)]
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems,
                              context=_("project store {file}").format(file=path.name))
    tables = {name: typed(df, schema.TABLES[name]) for name, df in raw.items()}
    return Region(**tables, meta=meta)  # type: ignore[arg-type]


# --- the Arrow copy: the typed tables for fast repeated reads ----------------------------
#
# A national batch reads thousands of machine-made stores again and again; a quarter of a
# county's work was reading its GeoPackage (GDAL, then `check_stored` and `typed`). The
# Arrow copy (Arrow IPC files of the tables exactly as `load_region` returns them, geometry
# as WKB) is read ~4x faster. It is a cache, never a second source of truth: it is keyed by
# the SHA-256 of the GeoPackage's bytes (plus the format, package and schema versions), so
# any change to the store — an import, an edit in QGIS, a restored backup — makes it stale
# and the GeoPackage is read instead; a copy that cannot be read is ignored likewise. It is
# made from the store as read back and checked by `load_region`, so both paths give equal
# frames (tests/test_store.py compares them).

ARROW_COPY_KEY = "key.json"


def arrow_copy_path(path: str | Path) -> Path:
    """Return the folder of the Arrow copy of the store at `path` (hidden, beside it)."""
    path = Path(path)
    return path.with_name(f".{path.name}.arrow")


def _arrow_key(path: Path) -> dict[str, Any]:
    import hashlib

    from hsplan import __version__

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    shape = json.dumps([[t.name, [(c.id, c.kind) for c in t.columns]]
                        for t in schema.TABLES.values()], ensure_ascii=False)
    return {"store_sha256": digest, "format_version": FORMAT_VERSION, "hsplan": __version__,
            "schema": hashlib.sha256(shape.encode()).hexdigest()[:16]}


def write_arrow_copy(path: str | Path) -> Path:
    """Write the Arrow copy of the store at `path` (read and checked as `load_region`
    does) all or nothing; return its folder. Raises what `load_region` raises."""
    import shapely
    from pyarrow import feather

    from hsplan._files import remove, temp_name

    path = Path(path)
    key = _arrow_key(path)
    region = _read_gpkg(path)
    target = arrow_copy_path(path)
    tmp = temp_name(target)
    tmp.mkdir(parents=True)
    try:
        geo: dict[str, list[str | None]] = {}  # table → [geometry column, CRS]
        for name, frame in region.tables().items():
            out = pd.DataFrame(frame)
            if isinstance(frame, gpd.GeoDataFrame):
                column = str(frame.geometry.name)
                geo[name] = [column, frame.crs.to_string() if frame.crs is not None else None]
                out[column] = shapely.to_wkb(frame.geometry.to_numpy())
            feather.write_feather(out, tmp / f"{name}.arrow", compression="uncompressed")
        (tmp / ARROW_COPY_KEY).write_text(json.dumps(
            {**key, "geometry": geo, "meta": region.meta}, ensure_ascii=False), encoding="utf-8")
        remove(target)
        os.replace(tmp, target)
    finally:
        remove(tmp)
    return target


def _read_arrow_copy(path: Path) -> Region | None:
    """Return the region from the Arrow copy of the store at `path`, or None when there is
    none, it is stale (the store changed since) or it cannot be read."""
    folder = arrow_copy_path(path)
    key_file = folder / ARROW_COPY_KEY
    if not key_file.is_file():
        return None
    try:
        import shapely
        from pyarrow import feather

        stored = json.loads(key_file.read_text(encoding="utf-8"))
        if any(stored.get(k) != v for k, v in _arrow_key(path).items()):
            return None
        tables: dict[str, pd.DataFrame] = {}
        for name in schema.TABLES:
            file = folder / f"{name}.arrow"
            if not file.is_file():
                continue
            frame = feather.read_feather(file)
            if name in stored["geometry"]:
                column, crs = stored["geometry"][name]
                frame[column] = shapely.from_wkb(frame[column].to_numpy())
                frame = gpd.GeoDataFrame(frame, geometry=column, crs=crs)
            tables[name] = frame
        return Region(**tables, meta=dict(stored["meta"]))  # type: ignore[arg-type]
    except Exception:  # a damaged or foreign copy is only a cache: read the store
        return None


MAX_STORED_PROBLEMS = 200


def _stored_types(path: Path, names: list[str]) -> list[Problem]:
    """Return a problem for every text stored in a number column (SQLite keeps what it is
    given, and GDAL reads such a cell as empty: it would vanish without a word)."""
    problems: list[Problem] = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return problems
    try:
        for name in names:
            table = schema.TABLES[name]
            for col in table.columns:
                if col.kind not in ("int", "float", "year"):
                    continue
                q = f'"{col.id}"'
                where = (f"typeof({q}) NOT IN ('integer', 'real', 'null')" if col.kind == "float"
                         else f"typeof({q}) NOT IN ('integer', 'null') AND NOT "
                              f"(typeof({q}) = 'real' AND {q} = CAST({q} AS INTEGER))")
                try:
                    rows = con.execute(f'SELECT {q} FROM "{name}" WHERE {where} '
                                       f"LIMIT {MAX_STORED_PROBLEMS}").fetchall()
                except sqlite3.Error:
                    continue  # a column the store does not have
                for (value,) in rows:
                    problems.append(Problem(
                        (_("stored value not valid (text or a fraction in a number column, "
                           "table {table})") if col.kind == "float" else
                         _("stored value not valid (text or a fraction in a whole number "
                           "column, table {table})")).format(table=name),
                        file=path.name, sheet=table.zh, column=col.zh,
                        expected=_("a number") if col.kind == "float" else _("a whole number"),
                        got=str(value)[:100], fix=_stored_fix()))
    finally:
        con.close()
    return problems


def _stored_fix() -> str:
    """Return the fix of a stored value not valid, in the current language."""
    return _("correct the row in the source workbook and import it again, or restore the "
             "store from a backup; do not edit region.gpkg by hand")


def check_stored(df: pd.DataFrame, table: schema.Table, *, file: str) -> list[Problem]:
    """Return a problem for every stored value an import would refuse (vectorised, cheap):
    text in a number column, NaN or infinity, a value below the column's minimum or above
    its impossible limit, a choice outside the list, a missing key."""
    problems: list[Problem] = []

    def add(i: int, col: schema.Column, got: object, expected: str, message: str) -> None:
        key = _(", ").join(f"{table.column(k).zh} {df[k].iloc[i]}" for k in table.key
                           if k in df.columns)
        problems.append(Problem(
            _("stored value not valid ({message}; row {key})").format(
                message=message, key=key or i + 1), file=file,
            sheet=table.zh, row=i + 1, column=col.zh, expected=expected, got=str(got)[:100],
            fix=_stored_fix()))

    for col in table.columns:
        if col.id not in df.columns:
            continue
        values = df[col.id]
        if col.kind in ("int", "float", "year"):
            kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
            if kind in "iu" and kind:  # integers as stored: only the range to check
                numbers = values.to_numpy(dtype="float64")
                given = np.ones(len(values), dtype=bool)
            elif kind == "f":  # plain floats (what GDAL gives): NaN is absent
                numbers = values.to_numpy(dtype="float64")
                given = ~np.isnan(numbers)
            else:
                raw = values.to_numpy(dtype=object)
                given = np.array([v is not None and not (isinstance(v, float) and v != v)
                                  and str(v).strip() != "" for v in raw], dtype=bool) \
                    if values.dtype == object else values.notna().to_numpy()
                numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64",
                                                                           na_value=np.nan)
            hard = schema.limits(table.name, col)[1]
            low = col.min if col.kind != "year" else 1949
            high = hard if col.kind != "year" else 2100
            with np.errstate(invalid="ignore"):
                ok = np.isfinite(numbers) & (np.abs(numbers) <= schema.ABSOLUTE_MAX)
                if low is not None:
                    ok &= numbers >= low
                if high is not None:
                    ok &= numbers <= high
                if col.kind in ("int", "year"):
                    ok &= np.round(numbers) == numbers
            bad_flags = given & ~ok
            if bad_flags.any():
                if low is not None and high is not None:
                    expected = _("a number ≥ {low} and ≤ {high}").format(
                        low=f"{low:g}", high=f"{high:,g}")
                elif low is not None:
                    expected = _("a number ≥ {low}").format(low=f"{low:g}")
                elif high is not None:
                    expected = _("a number ≤ {high}").format(high=f"{high:,g}")
                else:
                    expected = _("a number")
                for i in _positions(bad_flags):
                    add(i, col, values.iloc[i], expected, _("not a valid number"))
        elif col.kind == "choice":
            allowed = set(col.choices)
            raw = values.astype(object).to_numpy()
            flags = np.array([not _absent(v) and str(v) not in allowed and str(v).strip() != ""
                              for v in raw], dtype=bool)
            if flags.any():
                for i in _positions(flags):
                    add(i, col, values.iloc[i], _("one of {names}").format(
                        names=", ".join(col.choices[:12])), _("not an allowed value"))
        if col.id in table.key:
            missing = values.isna().to_numpy(dtype=bool)
            if missing.any():
                for i in _positions(missing):
                    add(i, col, "", _("a value (key column)"), _("missing key"))
    return problems[:MAX_STORED_PROBLEMS]


def _absent(value: object) -> bool:
    """Return whether a cell is empty (None, NaN or pandas' NA)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _positions(mask: pd.Series | np.ndarray) -> list[int]:
    flags = mask if isinstance(mask, np.ndarray) else \
        mask.astype("boolean").fillna(False).to_numpy(dtype=bool)
    return [int(i) for i in flags.nonzero()[0][:MAX_STORED_PROBLEMS]]


def _for_gpkg(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with pandas extension dtypes turned into ones GDAL writes faithfully."""
    columns: dict[str, Any] = {}
    for col in df.columns:
        values = df[col]
        dtype = str(values.dtype)
        if dtype in ("Int64", "Float64", "boolean"):
            mask = values.isna().to_numpy(dtype=bool)
            if dtype == "Int64" and not mask.any():
                columns[col] = pd.Series(values.to_numpy(dtype="int64"), index=df.index)
                continue
            data = values.to_numpy(dtype="float64", na_value=np.nan)  # boolean: 1.0 / 0.0
            columns[col] = pd.Series(data, index=df.index, copy=False)
        elif dtype.startswith("string") or dtype in ("str", "object"):
            text = values.astype("string")  # lists, dicts, mixed values: their text
            columns[col] = text.astype(object).where(text.notna(), None)  # stays object
        else:
            columns[col] = values
    out = pd.DataFrame(columns, index=df.index, copy=False)  # same index: no alignment
    if isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns:
        return gpd.GeoDataFrame(out, geometry=df._geometry_column_name, crs=df.crs)
    return out

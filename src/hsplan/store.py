"""The project store: the validated region model in one GeoPackage file.

A GeoPackage is an SQLite file that QGIS opens directly: ``areas`` and ``facilities`` are
spatial layers (WGS84), the other tables are attribute tables, and ``hsplan_meta`` holds
the region's metadata as key/JSON-value rows.

Every write is all or nothing: the whole model is written to a temporary file beside the
store and moved over it with `os.replace`, which is atomic on POSIX and Windows. A write
that fails (bad data, full disk, Ctrl-C) leaves the previous store byte for byte as it was.
Counties are small (thousands of rows), so rewriting the file is cheaper than keeping
SQLite transactions consistent across pyogrio's separate connections.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyogrio

from hsplan import schema
from hsplan.errors import DataSourceError
from hsplan.model import Region, typed

META_LAYER = "hsplan_meta"
FORMAT_VERSION = 1


def save_region(region: Region, path: str | Path) -> Path:
    """Write `region` to the GeoPackage at `path` atomically; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # pyogrio creates the file itself
    try:
        for name, df in region.tables().items():
            table = schema.table(name)
            frame = typed(df, table)
            frame = _for_gpkg(frame)
            if table.has_geometry:
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG",
                                        geometry_type="Unknown", promote_to_multi=False)
            else:
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
        meta = {**region.meta, "format_version": FORMAT_VERSION}
        meta_df = pd.DataFrame(
            {"key": list(meta), "value": [json.dumps(v, ensure_ascii=False) for v in meta.values()]}
        )
        pyogrio.write_dataframe(meta_df, tmp, layer=META_LAYER, driver="GPKG")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_region(path: str | Path) -> Region:
    """Read the region model from the GeoPackage at `path`."""
    path = Path(path)
    if not path.exists():
        raise DataSourceError(
            f"{path}: project store not found. Fix: run `hsplan init` or `hsplan import` first."
        )
    try:
        layers = {str(row[0]) for row in pyogrio.list_layers(path)}
    except Exception as exc:  # pyogrio raises DataSourceError subclasses of its own
        raise DataSourceError(f"{path}: not a readable GeoPackage ({exc})") from exc
    tables: dict[str, pd.DataFrame] = {}
    for name, table in schema.TABLES.items():
        if name not in layers:
            continue
        df = pyogrio.read_dataframe(path, layer=name)
        tables[name] = typed(df, table)
    meta: dict[str, object] = {}
    if META_LAYER in layers:
        meta_df = pyogrio.read_dataframe(path, layer=META_LAYER)
        meta = {str(k): json.loads(str(v)) for k, v in zip(meta_df["key"], meta_df["value"],
                                                            strict=True)}
    return Region(**tables, meta=meta)  # type: ignore[arg-type]


def _for_gpkg(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with pandas extension dtypes turned into ones GDAL writes faithfully."""
    out = df.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        dtype = str(out[col].dtype)
        if dtype == "Int64":
            out[col] = out[col].astype("float64") if out[col].isna().any() else out[col].astype(
                "int64")
        elif dtype == "Float64":
            out[col] = out[col].astype("float64")
        elif dtype == "boolean":
            out[col] = out[col].map({True: 1, False: 0}).astype("float64")
        elif dtype.startswith("string") or dtype == "str":
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from hsplan.errors import DataSourceError
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # pyogrio creates the file itself
    try:
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
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


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
    return Region(**tables, meta=read_gpkg_meta(path))  # type: ignore[arg-type]


def _for_gpkg(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with pandas extension dtypes turned into ones GDAL writes faithfully."""
    out = df.copy()
    for col in out.columns:
        dtype = str(out[col].dtype)
        if dtype == "geometry":
            continue
        if dtype == "Int64":
            out[col] = out[col].astype("float64") if out[col].isna().any() else out[col].astype(
                "int64")
        elif dtype == "Float64":
            out[col] = out[col].astype("float64")
        elif dtype == "boolean":
            out[col] = out[col].map({True: 1, False: 0}).astype("float64")
        elif dtype.startswith("string") or dtype in ("str", "object"):
            text = out[col].astype("string")  # lists, dicts, mixed values: their text
            out[col] = text.astype(object).where(text.notna(), None)
    return out

"""The region model: the tables a project holds, typed by `hsplan.region.schema`.

A `Region` is a plain container of tidy frames, one per table of `schema.TABLES`.
``areas`` and ``facilities`` are GeoDataFrames in WGS84 (EPSG:4326); the other tables are
DataFrames. Every frame has exactly the schema's columns, in the schema's order, with
pandas dtypes that follow the column kind (see `typed`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hsplan.region import schema
from hsplan.region.schema import Table

WGS84 = "EPSG:4326"

_DTYPES: dict[str, str] = {
    "str": "string",
    "code": "string",
    "choice": "string",
    "list": "string",  # values joined by 、
    "date": "string",  # ISO 8601 yyyy-mm-dd
    "int": "Int64",
    "year": "Int64",
    "float": "Float64",
    "bool": "boolean",
}


def typed(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Return a copy of `df` with exactly `table`'s columns, in order, with their dtypes.

    Missing columns are added empty; extra columns (other than ``geometry``) are dropped.
    Values must already be valid (the importer checks them); this only sets dtypes.
    """
    columns: dict[str, Any] = {}
    for col in table.columns:
        dtype = _DTYPES[col.kind]
        if col.id not in df.columns:  # an absent column: all missing, of the column's dtype
            columns[col.id] = pd.Series([pd.NA] * len(df), dtype=dtype).array
            continue
        values = df[col.id]
        fast = _numeric_fast(values, dtype)
        if fast is not None:
            columns[col.id] = fast
            continue
        if dtype == "Int64":
            values = pd.to_numeric(values, errors="raise").round().astype("Int64")
        elif dtype == "Float64":
            values = pd.to_numeric(values, errors="raise").astype("Float64")
        elif dtype == "boolean":
            values = values.astype("boolean")
        else:
            if str(values.dtype) != "string":
                values = values.astype("string")
            blank = (values == "").to_numpy(dtype=bool, na_value=False)
            if blank.any():
                values = values.where(~blank, pd.NA)
        columns[col.id] = values.array
    # one construction: inserting column by column costs more than the conversions
    out = pd.DataFrame(columns, index=df.index, copy=True)
    if table.has_geometry:
        geometry = df.geometry if isinstance(df, gpd.GeoDataFrame) and "geometry" in df else None
        crs = df.crs if isinstance(df, gpd.GeoDataFrame) else None
        if geometry is None:
            geometry = gpd.GeoSeries([None] * len(df), index=df.index, crs=WGS84)
        gdf = gpd.GeoDataFrame(out, geometry=geometry.values, crs=crs or WGS84)
        if gdf.crs is not None and gdf.crs != WGS84:
            gdf = gdf.to_crs(WGS84)
        return gdf.reset_index(drop=True)
    return out.reset_index(drop=True)


def _numeric_fast(values: pd.Series, dtype: str) -> Any:
    """Return `values` as a nullable ``Int64``/``Float64`` array straight from numpy when
    they are plain numbers (what a GeoPackage read gives) or already of that dtype; None
    when the general conversion is needed. Same result as ``to_numeric`` → ``round`` →
    ``astype``, without pandas' per-call overhead (it counts in a national batch)."""
    if dtype not in ("Int64", "Float64"):
        return None
    if str(values.dtype) == dtype:
        return values.array.copy()
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
    if kind in "iu" and kind:
        data = values.to_numpy()
        if dtype == "Int64":
            return pd.arrays.IntegerArray(data.astype("int64"), np.zeros(len(data), bool))
        return pd.arrays.FloatingArray(data.astype("float64"), np.zeros(len(data), bool))
    if kind != "f":
        return None
    data = values.to_numpy(dtype="float64")
    mask = np.isnan(data)
    if dtype == "Float64":
        return pd.arrays.FloatingArray(np.where(mask, 0.0, data), mask)
    if not np.isfinite(data[~mask]).all():
        return None  # the general path raises the usual error on an infinity
    return pd.arrays.IntegerArray(np.round(np.where(mask, 0.0, data)).astype("int64"), mask)


def empty(name: str) -> pd.DataFrame:
    """Return an empty, typed frame for model table `name` (a new copy each call)."""
    return _empty(name).copy()


@functools.cache
def _empty(name: str) -> pd.DataFrame:
    table = schema.table(name)
    return typed(pd.DataFrame(columns=table.column_ids), table)


@dataclass
class Region:
    """A region's data: one frame per model table, plus free-form metadata.

    ``meta`` carries project facts that travel with the data, e.g. ``county_code``,
    ``name``, ``synthetic`` (True when the data came from `hsplan synth`).
    """

    areas: gpd.GeoDataFrame = field(default_factory=lambda: empty("areas"))
    population: pd.DataFrame = field(default_factory=lambda: empty("population"))
    facilities: gpd.GeoDataFrame = field(default_factory=lambda: empty("facilities"))
    resources: pd.DataFrame = field(default_factory=lambda: empty("resources"))
    utilisation: pd.DataFrame = field(default_factory=lambda: empty("utilisation"))
    reported: pd.DataFrame = field(default_factory=lambda: empty("reported"))
    progress: pd.DataFrame = field(default_factory=lambda: empty("progress"))
    facts: pd.DataFrame = field(default_factory=lambda: empty("facts"))
    meta: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the model tables by name (not ``meta``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meta"}

    def replace(self, **tables: pd.DataFrame) -> Region:
        """Return a new Region with the given tables replaced (typed by their schema)."""
        new = {name: typed(df, schema.table(name)) for name, df in tables.items()}
        current = {**self.tables(), **new}
        return Region(**current, meta=dict(self.meta))

    @property
    def years(self) -> list[int]:
        """Years that have population or resource data, ascending."""
        years: set[int] = set()
        for name in schema.YEARLY_TABLES:
            years |= {int(y) for y in self.tables()[name]["year"].dropna().unique()}
        return sorted(years)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

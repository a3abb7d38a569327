"""Return GeoPackage layers that open well in QGIS: one geometry type per layer, polygons
clipped to the region, Chinese field aliases and layer descriptions.

`single_type` promotes a layer's polygons to MultiPolygon (and lines to MultiLineString) so
that a reader never has to choose a geometry type; `clip_to_region` cuts isochrones and other
polygons to the county boundary and records the area inside in km²; `describe_gpkg` writes
Chinese aliases into the GeoPackage schema extension (``gpkg_data_columns``, OGC 12-128r18
§ F.9) and a Chinese description of each layer into ``gpkg_contents``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon
from shapely.geometry.base import BaseGeometry

FIELD_ALIASES: dict[str, str] = {
    "code": "区划代码", "name": "名称", "township_code": "乡镇代码",
    "township_name": "乡镇（街道）",
    "pop": "常住人口（人）", "pop_covered": "覆盖人口（人）", "covered": "是否覆盖",
    "reachable": "是否可达", "travel_min": "行程时间（分钟）", "dist_km": "距离（公里）",
    "facility_id": "最近机构编号", "facility_name": "最近机构", "urban_rural": "城乡分类",
    "minutes": "等时圈（分钟）", "area_km2": "区域内面积（平方公里）", "id": "编号",
    "subtype": "机构类型", "category": "机构类别", "beds": "床位（张）", "level": "级别",
    "covered_pct": "覆盖率（%）", "access": "可及性（每千人）", "points": "村（社区）数",
    "area_code": "所在区划代码", "dist_m": "距离（米）", "threshold_min": "标准时间（分钟）",
    "within_min": "时间达标", "threshold_km": "标准距离（公里）", "within_km": "距离达标",
    "ownership": "所有制", "government_run": "政府办", "admin_level": "主办单位级别",
    "grade": "等级", "lon": "经度", "lat": "纬度", "crs": "坐标系", "departments": "科室",
    "ambulances": "救护车（辆）", "pop_uncovered": "未覆盖人口（人）",
    "pop_unreachable": "不可达人口（人）", "points_uncovered": "未覆盖村（社区）数",
    "points_unreachable": "不可达村（社区）数", "supply_per_1k": "每千人口可及量",
    "supply_per_person": "每人可及量", "supply_points": "服务村（社区）数",
    "pop_out_of_catchment": "集水区外人口（人）", "in_catchment": "在集水区内",
    "site_id": "站点编号", "status": "状态", "new_site": "新增站点", "opened": "新建",
    "closed": "关闭", "upgrades": "升级", "covered_before": "原覆盖", "covered_after": "新覆盖",
}
LAYER_DESCRIPTIONS: dict[str, str] = {
    "demand_points": "需求点：村（社区），常住人口及到最近机构的行程时间、是否覆盖",
    "facilities": "参与计算的医疗卫生机构",
    "isochrones": "等时圈：机构在给定分钟内可到达的范围（已按行政区域裁剪）",
    "townships": "乡镇（街道）边界及汇总结果",
}
_MULTI = {"Polygon": MultiPolygon, "LineString": MultiLineString}


def single_type(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `frame` with one geometry type: Polygon → MultiPolygon, LineString →
    MultiLineString (points stay points; a mix of points and multipoints → MultiPoint)."""
    types = set(frame.geometry.geom_type.dropna())
    out = frame.copy()

    def promote(g: BaseGeometry | None) -> BaseGeometry | None:
        if g is None or g.is_empty:
            return g
        kind = g.geom_type
        if kind in _MULTI:
            return _MULTI[kind]([g])
        if kind == "Point" and "MultiPoint" in types:
            return MultiPoint([g])
        return g

    out[out.geometry.name] = [promote(g) for g in out.geometry]
    return out


def clip_to_region(frame: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `frame`'s polygons clipped to the county polygon of `areas` (the union of the
    townships when there is none), with ``area_km2`` the area inside, as MultiPolygons."""
    county = areas[(areas["level"] == "county") & areas.geometry.notna()]
    if county.empty:
        county = areas[(areas["level"] == "township") & areas.geometry.notna()]
    if county.empty or frame.empty:
        return single_type(frame)
    boundary = county.to_crs(frame.crs).geometry.union_all()
    clipped = frame.copy()
    clipped[clipped.geometry.name] = clipped.geometry.intersection(boundary)
    clipped = clipped[~clipped.geometry.is_empty].copy()
    metric = clipped.to_crs(clipped.estimate_utm_crs())
    clipped["area_km2"] = (metric.geometry.area / 1e6).round(3)
    polygons = clipped.geometry.apply(
        lambda g: g if g.geom_type in ("Polygon", "MultiPolygon")
        else MultiPolygon([p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"]))
    clipped[clipped.geometry.name] = polygons
    return single_type(clipped)


def describe_gpkg(path: str | Path, *, aliases: Mapping[str, str] | None = None,
                  descriptions: Mapping[str, str] | None = None) -> Path:
    """Write Chinese field aliases (``gpkg_data_columns``) and layer descriptions
    (``gpkg_contents``) into the GeoPackage at `path`; return the path."""
    names = {**FIELD_ALIASES, **(aliases or {})}
    texts = {**LAYER_DESCRIPTIONS, **(descriptions or {})}
    with sqlite3.connect(str(path)) as con:
        con.execute("""CREATE TABLE IF NOT EXISTS gpkg_data_columns (
            table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
            description TEXT, mime_type TEXT, constraint_name TEXT,
            CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
            CONSTRAINT gdc_tn UNIQUE (table_name, name))""")
        con.execute("""CREATE TABLE IF NOT EXISTS gpkg_extensions (
            table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
            definition TEXT NOT NULL, scope TEXT NOT NULL,
            CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""")
        con.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES ('gpkg_data_columns', NULL, "
                    "'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', "
                    "'read-write')")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
        for table in tables:
            if table in texts:
                con.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                            (texts[table], table))
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                if column in names:
                    con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, "
                                "column_name, name, title) VALUES (?, ?, ?, ?)",
                                (table, column, names[column], names[column]))
    return Path(path)


def township_layer(areas: gpd.GeoDataFrame, values: pd.DataFrame, *,
                   on: str = "code") -> gpd.GeoDataFrame:
    """Return the township polygons of `areas` joined with `values` (one row per township
    code in column `on`), as MultiPolygons."""
    towns = areas[(areas["level"] == "township") & areas.geometry.notna()][
        ["code", "name", "geometry"]].copy()
    towns["code"] = towns["code"].astype(str)
    right = values.copy()
    right[on] = right[on].astype(str)
    joined = towns.merge(right.drop(columns=[c for c in ("name",) if c in right]),
                         left_on="code", right_on=on, how="left")
    return single_type(gpd.GeoDataFrame(joined, geometry="geometry", crs=areas.crs))

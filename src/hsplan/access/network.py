"""Road networks for travel times: nodes, directed edges and travel minutes for one mode.

A `Network` is built for one travel mode (``drive`` or ``walk``) from

- OpenStreetMap: `network_from_osm` reads ``.osm.pbf`` (with pyosmium) and ``.osm`` /
  ``.osm.bz2`` XML (with the standard library's ``iterparse``), keeps the ways the mode
  may use, honours ``maxspeed`` and one-way tags, and keeps the largest strongly connected
  component (``kind = "osm"``);
- a project's road layer (the example's synthetic ``roads.gpkg``): `network_from_roads`
  (``kind = "roads"``);
- no roads at all: `straight_line_network` is the straight-line model, distance × detour
  factor at one speed (``kind = "straight-line"``), labelled as such in every result.

Travel speeds per road class come from an editable table, ``data/road_speeds.csv``
(`load_speeds`): OSM ``highway`` class, Chinese name, design speed, driving and walking
speed in km/h; a blank speed means the mode may not use that class.

Nodes carry WGS84 ``lon``/``lat`` and ``x``/``y`` in metres in the UTM zone of the network's
centre; edges carry ``u``/``v`` (node positions), ``length_m``, ``speed_kmh``,
``travel_min`` and ``road_class`` as numpy arrays, and `Network.graph` is the
``scipy.sparse`` CSR matrix of travel minutes (parallel edges reduced to the fastest).
`save_network` / `load_network` keep a network in a GeoPackage (layers ``nodes``,
``edges``, ``hsplan_meta``) that QGIS opens.

The speed table, the road segments of a source and the OSM readers are in
`hsplan.access._road_sources` (their public names are importable from here).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import scipy.sparse as sp
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hsplan._files import check_input_file
from hsplan._i18n import N_, _
from hsplan.access._road_sources import (
    MAX_SPEED_KMH,
    _class_speeds,
    _read_pbf,
    _read_xml,
    _Ways,
    load_speeds,
)
from hsplan.access._road_sources import SPEEDS_NAME as SPEEDS_NAME
from hsplan.access._road_sources import parse_maxspeed_kmh as parse_maxspeed_kmh
from hsplan.access._road_sources import speeds_path as speeds_path
from hsplan.access._road_sources import way_allowed as way_allowed
from hsplan.access._road_sources import way_direction as way_direction
from hsplan.errors import DataSourceError, Problem, raise_if_errors
from hsplan.region.store import META_LAYER, read_gpkg_meta, write_gpkg

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

WGS84 = "EPSG:4326"
MODES = ("drive", "walk")
KINDS = ("osm", "roads", "straight-line")
EARTH_RADIUS_M = 6_371_009.0  # mean Earth radius (IUGG), as OSMnx's great-circle lengths
DEFAULT_DETOUR_FACTOR = 1.3
STRAIGHT_LINE_SPEED_KMH: dict[str, float] = {"drive": 30.0, "walk": 5.0}
M_PER_MIN_AT_1_KMH = 1000.0 / 60.0
#: the travel modes in words (translated where shown)
MODE_NAMES: dict[str, str] = {"drive": N_("driving"), "walk": N_("walking")}


# ---------------------------------------------------------------------------- the network


@dataclass(frozen=True, eq=False)
class Network:
    """A directed road network for one travel mode, or the straight-line model.

    Nodes: ``node_id`` (OSM node id, or a running number), ``lon``/``lat`` (WGS84 degrees),
    ``x``/``y`` (metres in `crs`). Edges: ``u``/``v`` (positions in the node arrays),
    ``length_m``, ``speed_kmh``, ``travel_min`` (= length_m / speed), ``road_class``.
    For ``kind == "straight-line"`` there are no nodes or edges: travel is the straight
    distance × `detour_factor` at `line_speed_kmh`.
    """

    kind: str
    mode: str
    crs: str
    node_id: IntArray
    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray
    u: IntArray
    v: IntArray
    length_m: FloatArray
    speed_kmh: FloatArray
    travel_min: FloatArray
    road_class: ObjArray
    source: str = ""
    detour_factor: float = 1.0
    line_speed_kmh: float = math.nan
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Return the number of nodes."""
        return len(self.node_id)

    @property
    def n_edges(self) -> int:
        """Return the number of directed edges (a two-way road gives two)."""
        return len(self.u)

    @property
    def label(self) -> str:
        """Return a one-line description for people in the current language (kind, mode,
        size)."""
        mode = _(MODE_NAMES[self.mode]) if self.mode in MODE_NAMES else self.mode
        if self.kind == "straight-line":
            return _("straight-line model (straight distance × {factor} detour factor, "
                     "{speed} km/h, {mode})").format(factor=f"{self.detour_factor:g}",
                                                     speed=f"{self.line_speed_kmh:g}", mode=mode)
        text = (_("OpenStreetMap road network ({mode}, {nodes} nodes, {edges} road segments)")
                if self.kind == "osm" else
                _("road network ({mode}, {nodes} nodes, {edges} road segments)"))
        return text.format(mode=mode, nodes=f"{self.n_nodes:,}", edges=f"{self.n_edges:,}")

    @cached_property
    def _arcs(self) -> tuple[IntArray | None, IntArray]:
        """Edge positions kept in the CSR (the fastest of parallel edges; the first listed
        among equally fast ones) in (u, v) order — None when that is every edge in the
        order given — and the CSR's indptr.

        The standard CSR construction: edges ordered by row and column (no sort when they
        already are, as `_build` leaves them; else one stable integer sort on u·n + v),
        rows counted with a bincount; parallel edges keep their minimum (not their sum).
        """
        n = self.n_nodes
        key = self.u.astype(np.int64, copy=False) * max(n, 1) + self.v
        order: IntArray | None = None
        if len(key) >= 2 and not bool(np.all(key[1:] >= key[:-1])):
            order = np.argsort(key, kind="stable").astype(np.int64, copy=False)
            key = key[order]
        dup = key[1:] == key[:-1]
        if dup.any():
            start = np.ones(len(key), dtype=bool)
            start[1:] = ~dup
            run = np.cumsum(start) - 1
            t = self.travel_min if order is None else self.travel_min[order]
            fastest = np.fmin.reduceat(t, np.flatnonzero(start))
            cand = np.flatnonzero((t == fastest[run]) | np.isnan(fastest[run]))
            first = np.ones(len(cand), dtype=bool)
            first[1:] = run[cand[1:]] != run[cand[:-1]]
            order = cand[first] if order is None else order[cand[first]]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.u if order is None else self.u[order], minlength=n),
                  out=indptr[1:])
        return order, indptr

    def _kept(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Return a copy of the edge array `values` in the order of the CSR (`_arcs`)."""
        keep, _indptr = self._arcs
        return values.copy() if keep is None else values[keep]

    @cached_property
    def graph(self) -> sp.csr_matrix:
        """Return the CSR matrix of travel minutes, ``graph[u, v]`` (fastest parallel edge;
        explicit zeros are edges of zero length)."""
        return sp.csr_matrix((self._kept(self.travel_min), self._kept(self.v), self._arcs[1]),
                             shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def graph_length_m(self) -> sp.csr_matrix:
        """Return the CSR matrix of the lengths in metres of the edges in `graph`."""
        return sp.csr_matrix((self._kept(self.length_m), self._kept(self.v), self._arcs[1]),
                             shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def _reverse(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The reversed CSR of travel minutes (v → u) and, on the same structure, the edge
        lengths in metres: one CSR of edge positions, turned column-major in C (a counting
        sort, O(edges)), then two gathers.

        Positions and index arrays are int32 when they fit, the index type scipy would
        choose: csr_matrix then takes them as given (int64 ones are scanned and copied
        down), and the counting sort moves half the bytes.
        """
        keep, indptr = self._arcs
        n = self.n_nodes
        m = len(self.v) if keep is None else len(keep)
        itype = np.int32 if max(n, m) < np.iinfo(np.int32).max else np.int64
        position = sp.csr_matrix((np.arange(m, dtype=itype),
                                  (self.v if keep is None else self.v[keep]).astype(itype),
                                  indptr.astype(itype)), shape=(n, n)).tocsc()
        edge = position.data if keep is None else keep[position.data]
        minutes = sp.csr_matrix((self.travel_min[edge], position.indices, position.indptr),
                                shape=(n, n))
        metres = sp.csr_matrix((self.length_m[edge], position.indices, position.indptr),
                               shape=(n, n))
        return minutes, metres

    @property
    def reverse_graph(self) -> sp.csr_matrix:
        """Return the CSR matrix of travel minutes with every edge reversed (v → u), built
        once per network."""
        return self._reverse[0]

    @property
    def reverse_length_m(self) -> sp.csr_matrix:
        """Return the lengths in metres of the edges of `reverse_graph` (same structure)."""
        return self._reverse[1]

    @cached_property
    def kdtree(self) -> cKDTree:
        """Return the k-d tree of the node coordinates (x, y in metres), built once per
        network and shared by every snap (exact answers do not need median splits: the
        sliding-midpoint build is about twice as fast and queries as fast)."""
        return cKDTree(np.column_stack([self.x, self.y]), balanced_tree=False,
                       compact_nodes=False)

    def nodes_frame(self) -> gpd.GeoDataFrame:
        """Return the nodes as a WGS84 point layer: node_id, lon, lat, x, y."""
        frame = pd.DataFrame({"node_id": self.node_id, "lon": self.lon, "lat": self.lat,
                              "x": self.x, "y": self.y})
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(self.lon, self.lat),
                                crs=WGS84)

    def edges_frame(self) -> gpd.GeoDataFrame:
        """Return the edges as a WGS84 line layer: u, v (node positions), u_id, v_id (node
        ids), length_m, speed_kmh, travel_min, road_class."""
        frame = pd.DataFrame({
            "u": self.u, "v": self.v, "u_id": self.node_id[self.u], "v_id": self.node_id[self.v],
            "length_m": self.length_m, "speed_kmh": self.speed_kmh,
            "travel_min": self.travel_min, "road_class": self.road_class.astype(str)})
        coords = np.stack([np.column_stack([self.lon[self.u], self.lat[self.u]]),
                           np.column_stack([self.lon[self.v], self.lat[self.v]])], axis=1)
        lines = shapely.linestrings(coords) if len(coords) else np.array([], dtype=object)
        return gpd.GeoDataFrame(frame, geometry=lines, crs=WGS84)


def _check_mode(mode: str, where: str) -> None:
    if mode not in MODES:
        raise_if_errors([Problem(_("{where}, argument mode").format(where=where),
                                 expected=_("'drive' or 'walk'"), got=str(mode),
                                 fix=_("choose mode='drive' or mode='walk'"))],
                        context=where)


def utm_crs(lon: float, lat: float) -> str:
    """Return the EPSG code (``"EPSG:326zz"`` north, ``"EPSG:327zz"`` south) of the UTM
    zone holding the point (lon, lat), in degrees WGS84."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def haversine_m(lon1: FloatArray, lat1: FloatArray, lon2: FloatArray,
                lat2: FloatArray) -> FloatArray:
    """Return great-circle distances in metres between WGS84 points (degrees).

    Notes
    -----
    Haversine formula on a sphere of radius 6,371,009 m (the IUGG mean radius, as OSMnx).
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))),
                      dtype=np.float64)
def _build(ways: _Ways, *, kind: str, mode: str, class_speed: dict[str, float],
           largest_component: bool, source: str) -> Network:
    """Return the Network of the collected segments (speeds, one-way arcs, component)."""
    seg_u = np.asarray(ways.seg_u, dtype=np.int64)
    seg_v = np.asarray(ways.seg_v, dtype=np.int64)
    seg_way = np.asarray(ways.seg_way, dtype=np.int64)
    if len(seg_u) == 0:
        raise DataSourceError(_("{source}: no road usable for mode {mode}. Fix: check that "
                                "the file covers the area and holds highway ways.").format(
                                    source=source, mode=repr(mode)))
    node_id = np.unique(np.concatenate([seg_u, seg_v]))
    coords = np.array([ways.coords[int(n)] for n in node_id], dtype=np.float64)
    lon, lat = coords[:, 0], coords[:, 1]
    iu = np.searchsorted(node_id, seg_u)
    iv = np.searchsorted(node_id, seg_v)
    if ways.seg_length_m:
        length = np.asarray(ways.seg_length_m, dtype=np.float64)
    else:
        length = haversine_m(lon[iu], lat[iu], lon[iv], lat[iv])
    highway = np.asarray(ways.highway, dtype=object)[seg_way]
    speed = np.array([class_speed[h] for h in highway], dtype=np.float64)
    if mode == "drive":
        tagged = np.asarray(ways.maxspeed_kmh, dtype=np.float64)[seg_way]
        speed = np.where(np.isfinite(tagged), tagged, speed)
    direction = np.asarray(ways.direction, dtype=np.int64)[seg_way]
    fwd = (direction >= 0) & (iu != iv)
    bwd = (direction <= 0) & (iu != iv)
    u = np.concatenate([iu[fwd], iv[bwd]])
    v = np.concatenate([iv[fwd], iu[bwd]])
    idx = np.concatenate([np.nonzero(fwd)[0], np.nonzero(bwd)[0]])
    order = np.lexsort((v, u))  # a stable, reproducible edge order
    u, v, idx = u[order], v[order], idx[order]
    length_e, speed_e = length[idx], speed[idx]
    travel = length_e / (speed_e * M_PER_MIN_AT_1_KMH)
    road_class = highway[idx]
    keep_nodes = np.ones(len(node_id), dtype=bool)
    if largest_component:
        graph = sp.csr_matrix((np.ones(len(u)), (u, v)), shape=(len(node_id), len(node_id)))
        _n, labels = connected_components(graph, directed=True, connection="strong")
        keep_nodes = labels == np.bincount(labels).argmax()
    else:
        used = np.zeros(len(node_id), dtype=bool)
        used[u] = used[v] = True
        keep_nodes = used
    new_pos = np.cumsum(keep_nodes) - 1
    keep_edges = keep_nodes[u] & keep_nodes[v]
    lon_k, lat_k = lon[keep_nodes], lat[keep_nodes]
    crs = utm_crs(float((lon_k.min() + lon_k.max()) / 2), float((lat_k.min() + lat_k.max()) / 2))
    x, y = Transformer.from_crs(WGS84, crs, always_xy=True).transform(lon_k, lat_k)
    return Network(
        kind=kind, mode=mode, crs=crs, node_id=node_id[keep_nodes], lon=lon_k, lat=lat_k,
        x=np.asarray(x, dtype=np.float64), y=np.asarray(y, dtype=np.float64),
        u=new_pos[u[keep_edges]].astype(np.int64), v=new_pos[v[keep_edges]].astype(np.int64),
        length_m=length_e[keep_edges], speed_kmh=speed_e[keep_edges],
        travel_min=travel[keep_edges], road_class=road_class[keep_edges], source=source,
        meta={"largest_component": largest_component})


# ---------------------------------------------------------------------------- OSM


def network_from_osm(path: str | Path, *, mode: str = "drive",
                     speeds: str | Path | pd.DataFrame | None = None,
                     largest_component: bool = True) -> Network:
    """Return the road network (``kind="osm"``) of an OpenStreetMap file for `mode`, with
    travel minutes per edge.

    `path` is ``.osm.pbf`` (read with pyosmium), ``.osm`` or ``.osm.bz2`` (XML). `speeds`
    is the road speed table (see `load_speeds`; None = bundled defaults).

    Notes
    -----
    A way is used when its ``highway`` class has a speed for `mode` in the table and its
    tags allow the mode (`way_allowed`). Each pair of consecutive nodes is an edge of
    great-circle length (`haversine_m`); a node missing from the file (an extract's edge)
    drops its two segments. Driving speed is the way's ``maxspeed`` when it gives a number
    (`parse_maxspeed_kmh`), else the class speed; walking uses the class walking speed.
    One-way ways give one directed edge (`way_direction`), others two. With
    `largest_component`, only the largest strongly connected component is kept, so every
    node can reach every other; otherwise every node on a kept edge stays.
    travel_min = length_m / (speed_kmh × 1000 / 60).
    """
    _check_mode(mode, "network_from_osm")
    path = Path(path)
    if not path.exists():
        raise DataSourceError(_("{path}: OSM file not found. Fix: give the path of an "
                                ".osm.pbf, .osm or .osm.bz2 file.").format(path=path))
    check_input_file(path)
    class_speed = _class_speeds(load_speeds(speeds), mode)
    name = path.name.lower()
    try:
        if name.endswith(".pbf"):
            ways = _read_pbf(path, mode, class_speed)
        elif name.endswith((".osm", ".osm.bz2", ".xml", ".xml.bz2")):
            ways = _read_xml(path, mode, class_speed)
        else:
            raise DataSourceError(_(
                "{path}: expected an .osm.pbf, .osm or .osm.bz2 file, got {suffix}. "
                "Fix: download an extract in PBF or OSM XML format.").format(
                    path=path, suffix=repr(path.suffix)))
    except DataSourceError:
        raise
    except (ET.ParseError, OSError, RuntimeError, ValueError, EOFError, KeyError,
            TypeError, MemoryError) as exc:  # damaged, truncated or hostile files
        raise DataSourceError(_("{path}: not a readable OSM file ({error}). Fix: download "
                                "the extract again.").format(
                                    path=path, error=f"{type(exc).__name__}: {str(exc)[:200]}")
                              ) from exc
    return _build(ways, kind="osm", mode=mode, class_speed=class_speed,
                  largest_component=largest_component, source=str(path))


# ---------------------------------------------------------------------------- roads layer


def network_from_roads(roads: gpd.GeoDataFrame, *, mode: str = "drive",
                       speeds: str | Path | pd.DataFrame | None = None,
                       largest_component: bool = True, source: str = "roads") -> Network:
    """Return the road network (``kind="roads"``) of a line layer with ``road_class``
    (OSM highway class) and optionally ``oneway`` (bool), ``length_m`` and
    ``maxspeed_kmh``, e.g. the example project's synthetic ``roads.gpkg``.

    Notes
    -----
    Every vertex of every line is a node; lines meet where they share a vertex
    (coordinates equal to 1e-7°). Segment lengths are great-circle lengths, scaled so a
    line's segments add up to its ``length_m`` where that is given. Speeds and one-way
    rules are those of `network_from_osm`. Problems (not a line, unknown class, bad
    length) are collected and raised once, naming `source` and the row (first = 1).
    """
    _check_mode(mode, "network_from_roads")
    table = load_speeds(speeds)
    class_speed = _class_speeds(table, mode)
    known = set(table["highway"])
    problems: list[Problem] = []
    if "road_class" not in roads.columns:
        problems.append(Problem(_("missing column"), file=source, column="road_class",
                                expected=_("an OSM highway class per road"),
                                got=_("no such column"),
                                fix=_("add road_class (primary, secondary, tertiary, …)")))
        raise_if_errors(problems, context=_("roads layer {source}").format(source=source))
    frame = roads.to_crs(WGS84) if roads.crs is not None else roads
    ways = _Ways()
    keys: dict[tuple[int, int], int] = {}
    for row, rec in enumerate(frame.itertuples(index=False), start=1):
        geom = rec.geometry  # type: ignore[attr-defined]
        cls = str(getattr(rec, "road_class", ""))
        if geom is None or geom.geom_type != "LineString" or len(geom.coords) < 2:
            problems.append(Problem(_("not a road line"), file=source, row=row,
                                    column="geometry", expected=_("a LineString"),
                                    got=str(getattr(geom, "geom_type", geom)),
                                    fix=_("store each road as one LineString")))
            continue
        if cls not in known:
            problems.append(Problem(
                _("unknown road class"), file=source, row=row, column="road_class",
                expected=_("an OSM highway class listed in road_speeds.csv"), got=cls,
                fix=_("use primary, secondary, tertiary, unclassified, residential, …")))
            continue
        length = getattr(rec, "length_m", None)
        if length is not None and not pd.isna(length) and not float(length) > 0:
            problems.append(Problem(_("invalid length"), file=source, row=row,
                                    column="length_m", expected=_("a length in metres > 0"),
                                    got=str(length),
                                    fix=_("recompute length_m or leave it blank")))
            continue
        if cls not in class_speed:
            continue
        xy = np.asarray(geom.coords, dtype=np.float64)[:, :2]
        refs = []
        for lon, lat in xy:
            key = (round(lon * 1e7), round(lat * 1e7))
            ref = keys.setdefault(key, len(keys))
            ways.coords[ref] = (float(lon), float(lat))
            refs.append(ref)
        seg = haversine_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        if length is not None and not pd.isna(length) and seg.sum() > 0:
            seg = seg * (float(length) / seg.sum())
        oneway = bool(getattr(rec, "oneway", False)) if not pd.isna(
            getattr(rec, "oneway", False)) else False
        maxspeed = getattr(rec, "maxspeed_kmh", math.nan)
        n_before = len(ways.seg_u)
        ways.add_way(refs, cls, float(maxspeed) if not pd.isna(maxspeed) else math.nan,
                     1 if oneway and mode == "drive" else 0)
        ways.seg_length_m.extend(seg.tolist()[: len(ways.seg_u) - n_before])
    raise_if_errors(problems, context=_("roads layer {source}").format(source=source))
    return _build(ways, kind="roads", mode=mode, class_speed=class_speed,
                  largest_component=largest_component, source=source)


# ---------------------------------------------------------------------------- straight line


def straight_line_network(*, mode: str = "drive", speed_kmh: float | None = None,
                          detour_factor: float = DEFAULT_DETOUR_FACTOR,
                          crs: str = "") -> Network:
    """Return the straight-line model (``kind="straight-line"``): travel distance =
    straight distance × `detour_factor`, at `speed_kmh` (default 30 km/h driving, 5 km/h
    walking), in metres of `crs` (empty: the UTM zone of the points of each query).

    Notes
    -----
    For regions without road data. A detour factor (路网绕行系数) of 1.3 is the usual
    ratio of road to straight distance in rural road networks (e.g. Boscoe, Henry &
    Zdeb 2012, Prof Geogr 64(2): 188–196, median ≈ 1.4 in the US; 1.2–1.4 commonly used).
    Every result carries ``network_kind = "straight-line"``.
    """
    _check_mode(mode, "straight_line_network")
    speed = STRAIGHT_LINE_SPEED_KMH[mode] if speed_kmh is None else float(speed_kmh)
    problems = []
    if not 0 < speed <= MAX_SPEED_KMH:
        problems.append(Problem(_("{where}, argument {name}").format(
                                    where="straight_line_network", name="speed_kmh"),
                                expected=_("a speed > 0 and ≤ {max} km/h").format(
                                    max=f"{MAX_SPEED_KMH:g}"),
                                got=str(speed_kmh)))
    if not detour_factor >= 1:
        problems.append(Problem(_("{where}, argument {name}").format(
                                    where="straight_line_network", name="detour_factor"),
                                expected=_("a factor ≥ 1"), got=str(detour_factor)))
    raise_if_errors(problems, context="straight_line_network")
    empty_f = np.zeros(0, dtype=np.float64)
    empty_i = np.zeros(0, dtype=np.int64)
    return Network(kind="straight-line", mode=mode, crs=crs, node_id=empty_i, lon=empty_f,
                   lat=empty_f, x=empty_f, y=empty_f, u=empty_i, v=empty_i, length_m=empty_f,
                   speed_kmh=empty_f, travel_min=empty_f, road_class=np.zeros(0, dtype=object),
                   source="straight line", detour_factor=float(detour_factor),
                   line_speed_kmh=speed)


# ---------------------------------------------------------------------------- GeoPackage


def save_network(network: Network, path: str | Path) -> Path:
    """Write `network` to a GeoPackage (layers ``nodes``, ``edges``, ``hsplan_meta``)
    atomically; return the path."""
    path = Path(path)
    meta = {"kind": network.kind, "mode": network.mode, "crs": network.crs,
            "source": network.source, "detour_factor": network.detour_factor,
            "line_speed_kmh": None if math.isnan(network.line_speed_kmh)
            else network.line_speed_kmh, **network.meta}
    layers = ({"nodes": network.nodes_frame(), "edges": network.edges_frame()}
              if network.n_nodes else {})
    return write_gpkg(path, layers, meta=meta)


def load_network(path: str | Path) -> Network:
    """Return the network saved by `save_network` at `path`."""
    path = Path(path)
    if not path.exists():
        raise DataSourceError(_("{path}: network file not found. "
                                "Fix: build one with `hsplan network build`.").format(path=path))
    try:
        layers = {str(row[0]) for row in pyogrio.list_layers(path)}
    except Exception as exc:
        raise DataSourceError(_("{path}: not a readable GeoPackage ({error}).").format(
            path=path, error=exc)) from exc
    if META_LAYER not in layers:
        raise DataSourceError(_("{path}: expected a layer {layer}, got none: not an hsplan "
                                "network. Fix: build one with `hsplan network build`.").format(
                                    path=path, layer=META_LAYER))
    meta = read_gpkg_meta(path)
    base = {k: meta.pop(k) for k in ("kind", "mode", "crs", "source", "detour_factor",
                                     "line_speed_kmh")}
    line_speed = math.nan if base["line_speed_kmh"] is None else float(base["line_speed_kmh"])
    if base["kind"] == "straight-line":
        return straight_line_network(mode=base["mode"], speed_kmh=line_speed,
                                     detour_factor=float(base["detour_factor"]),
                                     crs=str(base["crs"]))
    nodes = pyogrio.read_dataframe(path, layer="nodes", read_geometry=False)
    edges = pyogrio.read_dataframe(path, layer="edges", read_geometry=False)
    return Network(
        kind=str(base["kind"]), mode=str(base["mode"]), crs=str(base["crs"]),
        node_id=nodes["node_id"].to_numpy(np.int64), lon=nodes["lon"].to_numpy(np.float64),
        lat=nodes["lat"].to_numpy(np.float64), x=nodes["x"].to_numpy(np.float64),
        y=nodes["y"].to_numpy(np.float64), u=edges["u"].to_numpy(np.int64),
        v=edges["v"].to_numpy(np.int64), length_m=edges["length_m"].to_numpy(np.float64),
        speed_kmh=edges["speed_kmh"].to_numpy(np.float64),
        travel_min=edges["travel_min"].to_numpy(np.float64),
        road_class=edges["road_class"].astype(str).to_numpy(dtype=object),
        source=str(base["source"]), detour_factor=float(base["detour_factor"]),
        line_speed_kmh=line_speed, meta=meta)

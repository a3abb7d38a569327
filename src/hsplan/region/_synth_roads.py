"""The synthetic road network of the example generator (a layer beside the model).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyogrio
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import distance_matrix
from shapely.geometry import LineString

from hsplan._files import atomic_path
from hsplan._i18n import _
from hsplan.errors import Problem, raise_if_errors
from hsplan.region._synth_geo import seat_point, seat_village
from hsplan.region.coords import utm_crs
from hsplan.region.model import WGS84, Region

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

ROAD_CLASSES = ("primary", "secondary", "tertiary", "unclassified")


def roads_from_region(region: Region, *, seed: int = 0,
                      extra_edge_share: float = 0.25) -> gpd.GeoDataFrame:
    """Return a synthetic road network (WGS84 LineStrings) joining the county seat,
    township seats and villages: ``from_code``, ``to_code``, ``road_class``, ``oneway``,
    ``length_m``.

    Notes
    -----
    Township seats (each township's seat village) are joined by a minimum spanning tree
    (Euclidean); its edges at the county seat are ``primary``, the others ``secondary``.
    Inside each township the villages and the seat are joined by their own spanning tree
    (``tertiary`` at the seat, ``unclassified`` otherwise), and a share
    `extra_edge_share` of villages gets one extra ``unclassified`` edge to its nearest
    village not yet linked to it, so the graph has cycles. Each edge bends at two points
    offset sideways by up to ~8 % of its length. All roads are two-way.
    """
    rng = np.random.default_rng(seed)
    areas = region.areas
    villages = areas[areas["level"] == "village"].sort_values("code")
    towns = areas[areas["level"] == "township"].sort_values("code")
    counties = areas[areas["level"] == "county"]
    problems = []
    if villages.empty or villages.geometry.isna().any():
        problems.append(Problem(_("region, table areas, level village, column geometry"),
                                expected=_("a point for every village"),
                                got=_("missing points"),
                                fix=_("run hsplan.region.synth.synthesize first")))
    raise_if_errors(problems, context="roads_from_region")
    crs = utm_crs(villages.to_crs(WGS84))
    pts = villages.to_crs(crs)
    xy = {str(c): (g.x, g.y) for c, g in zip(pts["code"], pts.geometry, strict=True)}
    seat_of = {str(t): seat_village(villages[villages["parent_code"] == t]["code"].tolist())
               for t in towns["code"] if (villages["parent_code"] == t).any()}
    county_seat_town = str(towns["code"].iloc[0])
    if not counties.empty:
        county_seat = seat_point(counties.iloc[0], counties.to_crs(crs).geometry.iloc[0], crs)
        polys = towns.to_crs(crs)
        hit = polys[polys.geometry.contains(county_seat)]
        if not hit.empty:
            county_seat_town = str(hit["code"].iloc[0])
    edges: list[tuple[str, str, str]] = []
    seats = list(seat_of.values())
    top = seat_of.get(county_seat_town, seats[0])
    for i, j in _mst_pairs(np.array([xy[s] for s in seats])):
        a, b = seats[i], seats[j]
        edges.append((a, b, "primary" if top in (a, b) else "secondary"))
    for t, s in seat_of.items():
        members = villages[villages["parent_code"] == t]["code"].astype(str).tolist()
        for i, j in _mst_pairs(np.array([xy[m] for m in members])):
            a, b = members[i], members[j]
            edges.append((a, b, "tertiary" if s in (a, b) else "unclassified"))
    linked = {frozenset((a, b)) for a, b, _ in edges}
    codes = list(xy)
    coords = np.array([xy[c] for c in codes])
    dist = distance_matrix(coords, coords)
    for i, c in enumerate(codes):
        if rng.random() >= extra_edge_share:
            continue
        for j in np.argsort(dist[i])[1:]:
            if frozenset((c, codes[j])) not in linked:
                edges.append((c, codes[j], "unclassified"))
                linked.add(frozenset((c, codes[j])))
                break
    rows = []
    for a, b, cls in edges:
        line = _bent_line(xy[a], xy[b], rng)
        rows.append({"from_code": a, "to_code": b, "road_class": cls, "oneway": False,
                     "length_m": round(line.length, 1), "geometry": line})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs).to_crs(WGS84)
    return gdf


def _mst_pairs(xy: FloatArray) -> list[tuple[int, int]]:
    if len(xy) < 2:
        return []
    tree = minimum_spanning_tree(distance_matrix(xy, xy)).tocoo()
    return sorted((int(min(i, j)), int(max(i, j))) for i, j in zip(tree.row, tree.col,
                                                                    strict=True))


def _bent_line(a: tuple[float, float], b: tuple[float, float],
               rng: np.random.Generator) -> LineString:
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    nx, ny = -dy, dx  # normal, same length as the edge
    bends = [(x0 + dx * t + nx * o, y0 + dy * t + ny * o)
             for t, o in zip((1 / 3, 2 / 3), rng.normal(0, 0.04, 2), strict=True)]
    return LineString([a, *bends, b])


def save_roads(roads: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write the road layer to a GeoPackage (layer ``roads``) atomically; return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(roads, tmp, layer="roads", driver="GPKG")
    return path

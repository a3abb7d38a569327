"""Geography of the synthetic example generator: county seat, township polygons, village
points (see `hsplan.region.synth`)."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import distance_matrix
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from hsplan.region.coords import gcj02_to_wgs84
from hsplan.region.model import WGS84

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# County seats (县政府驻地) where the reference region gives only a representative point:
# GCJ-02 lon/lat from PyPI cpca 0.5.5 ``resources/adcodes.csv`` (MIT), converted to WGS84.
COUNTY_SEATS_GCJ02: dict[str, tuple[float, float]] = {"530403": (102.75344, 24.287485)}


def seat_point(county: pd.Series, boundary: BaseGeometry, crs: Any) -> Point:
    """Return the county seat (metric CRS): a known seat (`COUNTY_SEATS_GCJ02`), else the
    boundary's pole of inaccessibility."""
    lon, lat = None, None
    if str(county["code"]) in COUNTY_SEATS_GCJ02:
        lon, lat = gcj02_to_wgs84(*COUNTY_SEATS_GCJ02[str(county["code"])])
    if lon is not None and lat is not None and not pd.isna(lon) and not pd.isna(lat):
        pt = gpd.GeoSeries([Point(float(lon), float(lat))], crs=WGS84).to_crs(crs).iloc[0]
        if boundary.contains(pt):
            return pt
    return polylabel(largest_part(boundary), tolerance=10.0)


def largest_part(geom: BaseGeometry) -> Any:
    if geom.geom_type == "MultiPolygon":
        return max(geom.geoms, key=lambda g: g.area)
    return geom


def _random_points(poly: BaseGeometry, n: int, rng: np.random.Generator) -> FloatArray:
    """Return n points (x, y) drawn uniformly inside `poly`."""
    minx, miny, maxx, maxy = poly.bounds
    out: list[FloatArray] = []
    count = 0
    prepared = shapely.prepared.prep(poly)
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * n, 64), 2))
        inside = xy[[prepared.contains(Point(x, y)) for x, y in xy]]
        out.append(inside)
        count += len(inside)
    return np.vstack(out)[:n]


def _spread_points(poly: BaseGeometry, n: int, rng: np.random.Generator,
                   fixed: FloatArray | None = None) -> FloatArray:
    """Return n well-spread points inside `poly` (greedy farthest-point sampling)."""
    cand = _random_points(poly, max(40 * n, 200), rng)
    chosen: list[FloatArray] = [] if fixed is None else [f for f in fixed]
    if not chosen:
        chosen.append(cand[0])
    picked: list[FloatArray] = []
    for _ in range(n):
        d = distance_matrix(cand, np.array(chosen)).min(axis=1)
        i = int(np.argmax(d))
        chosen.append(cand[i])
        picked.append(cand[i])
    return np.array(picked)


def _voronoi_cells(points: FloatArray, zone: BaseGeometry) -> list[BaseGeometry]:
    """Return the Voronoi cell of each point clipped to `zone`, in the points' order."""
    if len(points) == 1:
        return [zone]
    cells = shapely.voronoi_polygons(MultiPoint([tuple(p) for p in points]),
                                     extend_to=zone).geoms
    out: list[BaseGeometry] = []
    for x, y in points:
        pt = Point(x, y)
        cell = next(c for c in cells if c.covers(pt))
        out.append(cell.intersection(zone))
    return out


def township_polygons(boundary: BaseGeometry, seat: Point, towns: pd.DataFrame,
                       rng: np.random.Generator, *, street_zone_share: float
                       ) -> list[BaseGeometry]:
    """Return one polygon per township (metric CRS), a partition of `boundary`; the streets
    (街道) share a zone round the seat of `street_zone_share` of the county's area, or the
    whole county when it has no 乡镇."""
    kinds = [township_kind_of_code(c) for c in towns["code"]]
    n_street = kinds.count("street")
    n_rural = len(kinds) - n_street
    zone = shapely.Polygon()
    if n_street and not n_rural:  # a district of streets only: they share the whole county
        zone = boundary
    elif n_street:
        radius = math.sqrt(street_zone_share * boundary.area / math.pi)
        angles = np.sort(rng.uniform(0, 2 * math.pi, 9))
        ring = [(seat.x + radius * r * math.cos(a), seat.y + radius * r * math.sin(a))
                for a, r in zip(angles, rng.uniform(0.7, 1.25, 9), strict=True)]
        zone = shapely.Polygon(ring).convex_hull.buffer(radius * 0.15).intersection(boundary)
    rest = boundary.difference(zone) if n_street else boundary
    cells_rural: list[BaseGeometry] = []
    if n_rural:
        pts = _spread_points(largest_part(rest), n_rural, rng,
                             fixed=np.array([[seat.x, seat.y]]) if n_street else None)
        for _ in range(4):  # Lloyd relaxation: move each seed to its cell's centroid
            cells = _voronoi_cells(pts, boundary)
            pts = np.array([[c.centroid.x, c.centroid.y] if not c.is_empty else pt
                            for c, pt in zip(cells, pts, strict=True)])
        # order cells clockwise from north so that codes run round the county
        ang = np.arctan2(pts[:, 0] - seat.x, pts[:, 1] - seat.y) % (2 * math.pi)
        pts = pts[np.argsort(ang)]
        cells_rural = [c.difference(zone) for c in _voronoi_cells(pts, boundary)]
        if any(c.is_empty for c in cells_rural):  # a cell wholly inside the streets' zone
            cells_rural = _voronoi_cells(_spread_points(largest_part(rest), n_rural, rng), rest)
    cells_street: list[BaseGeometry] = []
    if n_street:
        offsets = rng.normal(0, 0.25 * math.sqrt(zone.area), size=(n_street, 2))
        spts = np.array([[seat.x, seat.y]]) + offsets
        cells_street = _voronoi_cells(spts, zone)
        if any(c.is_empty for c in cells_street):
            # a seed drawn outside the zone left its street without land (seen in all-street
            # districts such as 510107): seeds spread inside the zone instead. Only then, so
            # that every county that had land for each street keeps its seeded layout.
            cells_street = _voronoi_cells(_spread_points(zone, n_street, rng), zone)
    it_street, it_rural = iter(cells_street), iter(cells_rural)
    return [next(it_street) if k == "street" else next(it_rural) for k in kinds]


def village_points(town_polys: list[BaseGeometry], towns: pd.DataFrame,
                    villages: pd.DataFrame, seat: Point,
                    rng: np.random.Generator) -> dict[str, Point]:
    """Return a point (metric CRS) per village code, inside its township polygon.

    The township's first 居委会 (or its first village) is its seat: at the county seat for
    the street holding it, else near the township polygon's pole of inaccessibility.
    """
    out: dict[str, Point] = {}
    for code, poly in zip(towns["code"], town_polys, strict=True):
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        if not vs:
            continue
        body = largest_part(poly)
        centre = seat if poly.contains(seat) else polylabel(body, tolerance=10.0)
        centre = centre if poly.contains(centre) else body.representative_point()
        inner = body.buffer(-min(400.0, math.sqrt(body.area) * 0.03))
        inner = inner if not inner.is_empty else body
        pts: FloatArray = (_spread_points(largest_part(inner), len(vs) - 1, rng,
                                          fixed=np.array([[centre.x, centre.y]]))
                           if len(vs) > 1 else np.zeros((0, 2)))
        seat_code = seat_village(vs)
        others = [v for v in vs if v != seat_code]
        out[seat_code] = centre
        for v, xy in zip(others, pts, strict=True):
            out[v] = Point(xy)
    return out


def seat_village(codes: list[str]) -> str:
    communities = [c for c in codes if is_community(c)]
    return (communities or codes)[0]


def township_kind_of_code(code: str) -> str:
    """Return 'street' (街道, 0xx), 'town' (镇, 1xx) or 'township' (乡, 2xx+) from a code."""
    digit = str(code)[6]
    return "street" if digit == "0" else "town" if digit == "1" else "township"


def is_community(code: str) -> bool:
    """True for a 居委会 (village code suffix 001–199), False for a 村委会."""
    return int(str(code)[9:12]) < 200

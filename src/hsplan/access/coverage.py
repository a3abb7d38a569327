"""Coverage within T minutes / D km, service circles and isochrones, on plain frames.

Pure functions on a per-demand-point travel-time frame, independent of any project:
`coverage`, `coverage_summary`, `coverage_status` and `uncovered_points`; `isochrones` on a
network. `hsplan.access.service.ServiceAccess` ties them to a region and its road network;
the floating catchments live in `hsplan.access.catchments`.

Conventions: demand points are villages (村/社区, points with 常住人口); times are minutes,
distances metres, population persons. Travel time in an OD frame is measured from the
demand point to the supply point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from hsplan._i18n import _
from hsplan.access.network import Network
from hsplan.access.traveltimes import Points, nearest_facility_times
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.model import WGS84

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
WeightFn = Callable[[FloatArray], FloatArray]



# --- coverage ------------------------------------------------------------------------------

Combine = Literal["either", "both"]
TIMES_COLUMNS = ("travel_min", "dist_m", "reachable")
POINT_COLUMNS = ("area_code", "name", "level", "township_code", "pop", "travel_min", "dist_m",
                 "covered", "reachable")
STATUS_ZH = {"covered": "覆盖", "uncovered": "可达但超出", "unreachable": "不可达",
             "total": "合计"}
URBAN_RURAL_ZH = {"urban": "城镇", "rural": "农村", "unknown": "未分类"}


def coverage(times: pd.DataFrame, *, minutes: float | npt.ArrayLike | None = None,
             distance_km: float | npt.ArrayLike | None = None,
             combine: Combine = "either") -> pd.DataFrame:
    """Return each demand point's coverage: the rows of `times` with ``threshold_min``,
    ``threshold_km``, ``within_min``, ``within_km``, ``covered`` (bool) and ``reachable``
    (bool) added; times in minutes, distances in metres (thresholds in km).

    Parameters
    ----------
    times
        One row per demand point with ``travel_min`` and ``dist_m`` to its nearest facility
        (by travel time) and ``reachable`` — the frame of
        `hsplan.access.traveltimes.nearest_facility_times`.
    minutes, distance_km
        The service circle: a point is within it when its nearest facility is at most
        `minutes` away, or at most `distance_km` km. Each is a number or one value per row
        (e.g. 15 for urban and 30 for rural points); at least one must be given.
    combine
        With both thresholds: ``either`` (the norm is met when one of them is, as in
        "服务半径不超过5千米或平均到达时间15分钟以内") or ``both``.

    Notes
    -----
    An unreachable point (no route to any facility) is never covered, whatever its
    straight-line distance. A threshold that is not given leaves its ``within_*`` column
    empty and does not take part in ``covered``.
    """
    problems: list[Problem] = []
    missing = [c for c in TIMES_COLUMNS if c not in times.columns]
    if missing:
        problems.append(Problem("times", column=", ".join(missing),
                                expected=_("columns {names}").format(
                                    names=", ".join(TIMES_COLUMNS)),
                                got=_("columns {names}").format(names=list(times.columns)),
                                fix=_("pass the frame of traveltimes.nearest_facility_times")))
    if minutes is None and distance_km is None:
        problems.append(Problem(_("service circle"), expected=_("minutes or distance_km"),
                                got=_("neither"),
                                fix=_("pass minutes=15 or distance_km=5, say")))
    if combine not in ("either", "both"):
        problems.append(Problem("combine", expected=_("either or both"), got=str(combine)))
    thresholds: dict[str, FloatArray | None] = {}
    for name, value in (("minutes", minutes), ("distance_km", distance_km)):
        if value is None:
            thresholds[name] = None
            continue
        arr = np.broadcast_to(np.asarray(value, dtype=float), (len(times),)) \
            if np.ndim(value) == 0 or len(np.asarray(value)) == len(times) else None
        if arr is None or not np.all(np.isfinite(arr) & (arr > 0)):
            problems.append(Problem(name, expected=_(
                "a number > 0 or one per row of times ({n})").format(n=f"{len(times):,}"),
                got=_short_repr(value),
                fix=_("pass {name} as a positive number").format(name=name)))
        thresholds[name] = arr
    raise_if_errors(problems, context=_("service-circle coverage"))
    out = times.copy()
    reachable = out["reachable"].fillna(False).astype(bool).to_numpy()
    t = pd.to_numeric(out["travel_min"], errors="coerce").astype(float).to_numpy()
    d = pd.to_numeric(out["dist_m"], errors="coerce").astype(float).to_numpy()
    tests = []
    for name, col, values, scale in (("minutes", "within_min", t, 1.0),
                                     ("distance_km", "within_km", d, 1000.0)):
        arr = thresholds[name]
        label = "threshold_min" if name == "minutes" else "threshold_km"
        if arr is None:
            out[label] = np.nan
            out[col] = pd.array([pd.NA] * len(out), dtype="boolean")
            continue
        within = reachable & np.isfinite(values) & (values <= arr * scale)
        out[label] = arr
        out[col] = within
        tests.append(within)
    covered = np.logical_or.reduce(tests) if combine == "either" else np.logical_and.reduce(tests)
    out["covered"] = covered & reachable
    out["reachable"] = reachable
    return out


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _status(points: pd.DataFrame) -> pd.Series:
    reachable = points["reachable"].astype(bool)
    covered = points["covered"].astype(bool)
    return pd.Series(np.where(covered, "covered", np.where(reachable, "uncovered",
                                                           "unreachable")), index=points.index)


def coverage_status(points: pd.DataFrame) -> pd.DataFrame:
    """Return population (persons) and share (%) by coverage status — covered, uncovered
    (reachable but beyond the circle), unreachable — and a total row equal to the whole
    population of the demand points: ``status``, ``status_zh``, ``points``, ``pop``,
    ``share_pct``.

    `points` is a per-demand-point frame with ``pop``, ``covered`` and ``reachable``
    (`ServiceAccess.coverage`). No status is ever left out, even when it is empty.
    """
    _require(points, ("pop", "covered", "reachable"), "coverage_status")
    status = _status(points)
    pop = points["pop"].astype(float)
    total = float(pop.sum())
    rows = []
    for key in ("covered", "uncovered", "unreachable"):
        mask = status == key
        rows.append({"status": key, "status_zh": STATUS_ZH[key], "points": int(mask.sum()),
                     "pop": float(pop[mask].sum())})
    rows.append({"status": "total", "status_zh": STATUS_ZH["total"], "points": len(points),
                 "pop": total})
    out = _whole_persons(pd.DataFrame(rows), points, ("pop",))
    out["share_pct"] = out["pop"] / total * 100.0 if total > 0 else np.nan
    return out


def _whole_persons(out: pd.DataFrame, points: pd.DataFrame,
                   columns: Iterable[str]) -> pd.DataFrame:
    """Return `out` with population columns as whole numbers when the input's are."""
    if pd.api.types.is_integer_dtype(points["pop"]):
        for col in columns:
            out[col] = out[col].round().astype("int64")
    return out


def coverage_summary(points: pd.DataFrame) -> pd.DataFrame:
    """Return population (persons) and share (%) covered per township, per urban/rural
    class and in total: ``group`` (township / urban_rural / total), ``code``, ``name``,
    ``points``, ``pop``, ``pop_covered``, ``pop_uncovered``, ``pop_unreachable``,
    ``covered_pct``, ``points_uncovered``, ``points_unreachable``.

    `points` is the frame of `ServiceAccess.coverage` (``township_code``,
    ``township_name``, ``urban_rural``, ``pop``, ``covered``, ``reachable``). In every row
    pop = pop_covered + pop_uncovered + pop_unreachable; the township rows, and the
    urban/rural rows, each add up to the total row, which is the whole population of the
    demand points (a point of unknown township or urban/rural class gets its own row).
    """
    _require(points, ("township_code", "pop", "covered", "reachable"), "coverage_summary")
    df = points.copy()
    df["status"] = _status(df)
    df["pop"] = df["pop"].astype(float)
    df["township_code"] = df["township_code"].astype("string").fillna("unknown")
    if "township_name" not in df:
        df["township_name"] = df["township_code"]
    df["township_name"] = df["township_name"].astype("string").fillna("未知乡镇")
    ur = df["urban_rural"] if "urban_rural" in df else pd.Series(pd.NA, index=df.index)
    df["urban_rural"] = ur.astype("string").fillna("unknown")

    pop = df["pop"].to_numpy(dtype=float)
    status = df["status"].to_numpy(dtype=object)
    # one weight vector per status: a group's sums are bincounts over its positions (the
    # same sums as a groupby, in one pass for all townships instead of a slice per row)
    weights = {k: np.where(status == k, pop, 0.0) for k in ("covered", "uncovered",
                                                               "unreachable")}

    def rows(group: str, keys: pd.Series, names: pd.Series) -> list[dict[str, Any]]:
        codes, uniques = pd.factorize(keys.to_numpy(dtype=object))
        n = len(uniques)
        first = np.full(n, len(codes))
        np.minimum.at(first, codes, np.arange(len(codes)))
        sums = {k: np.bincount(codes, weights=w, minlength=n) for k, w in weights.items()}
        total = np.bincount(codes, weights=pop, minlength=n)
        count = {k: np.bincount(codes[status == k], minlength=n)
                 for k in ("uncovered", "unreachable")}
        points_n = np.bincount(codes, minlength=n)
        order = sorted(range(n), key=lambda i: (uniques[i] == "unknown", str(uniques[i])))
        return [_summary_row(group, str(uniques[i]), str(names.iloc[first[i]]),
                             int(points_n[i]), float(total[i]),
                             {k: float(v[i]) for k, v in sums.items()},
                             {k: int(v[i]) for k, v in count.items()}) for i in order]

    ur_names = df["urban_rural"].map(URBAN_RURAL_ZH).fillna(df["urban_rural"])
    ur_order = {"urban": 0, "rural": 1, "unknown": 2}
    table = rows("township", df["township_code"], df["township_name"])
    ur_rows = rows("urban_rural", df["urban_rural"], ur_names)
    table += sorted(ur_rows, key=lambda r: ur_order.get(r["code"], 3))
    table += rows("total", pd.Series(["total"] * len(df), dtype=object),
                  pd.Series(["合计"] * len(df), dtype=object)) if len(df) else [
        _summary_row("total", "total", "合计", 0, 0.0, {}, {})]
    return _whole_persons(pd.DataFrame(table), points,
                          ("pop", "pop_covered", "pop_uncovered", "pop_unreachable"))


def _summary_row(group: str, code: str, name: str, points: int, pop: float,
                 sums: dict[str, float], counts: dict[str, int]) -> dict[str, Any]:
    covered = sums.get("covered", 0.0)
    return {"group": group, "code": code, "name": name, "points": points, "pop": pop,
            "pop_covered": covered, "pop_uncovered": sums.get("uncovered", 0.0),
            "pop_unreachable": sums.get("unreachable", 0.0),
            "covered_pct": covered / pop * 100.0 if pop > 0 else np.nan,
            "points_uncovered": counts.get("uncovered", 0),
            "points_unreachable": counts.get("unreachable", 0)}


def uncovered_points(points: pd.DataFrame) -> pd.DataFrame:
    """Return the demand points outside the service circle (uncovered or unreachable),
    largest population first, with ``reason`` (超出服务圈 beyond the circle / 不可达
    unreachable); times in minutes, distances in metres."""
    _require(points, ("pop", "covered", "reachable"), "uncovered_points")
    out = points[~points["covered"].astype(bool)].copy()
    out["reason"] = np.where(out["reachable"].astype(bool), "超出服务圈", "不可达")
    sort = [c for c in ("pop", "area_code") if c in out]
    return out.sort_values(sort, ascending=[False, True][:len(sort)]).reset_index(drop=True)


def _require(df: pd.DataFrame, columns: Iterable[str], context: str) -> None:
    columns = tuple(columns)
    missing = [c for c in columns if c not in df.columns]
    raise_if_errors([Problem("points", column=", ".join(missing),
                             expected=_("columns {names}").format(names=", ".join(columns)),
                             got=_("columns {names}").format(names=list(df.columns)),
                             fix=_("pass the frame of ServiceAccess.coverage"))]
                    if missing else [],
                    context=context)


# --- isochrones ----------------------------------------------------------------------------

ISOCHRONE_MINUTES = (5.0, 10.0, 15.0, 30.0)
ISOCHRONE_BUFFER_M = 300.0


def isochrones(network: Network, facility_xy: Points,
               minutes: Sequence[float] = ISOCHRONE_MINUTES, *, crs: str = WGS84,
               buffer_m: float = ISOCHRONE_BUFFER_M) -> gpd.GeoDataFrame:
    """Return the isochrone polygons of a set of facilities (WGS84): one row per band with
    ``minutes``, ``area_km2`` and the area from which some facility is reachable within
    that many minutes.

    Notes
    -----
    Road network: every node gets its travel time to the nearest facility (one
    multi-source Dijkstra via `hsplan.access.traveltimes.nearest_facility_times`, demand →
    facility direction, facility access legs included). A band of T minutes is the union of
    the reachable road pieces — an edge u–v is covered from its u end over the fraction
    (T − t_u) / t_uv of its length (clipped to 0…1), and likewise from v — buffered by
    `buffer_m` metres (the strip along a road that a resident reaches on foot; an
    isochrone is a picture of the covered roads, not a claim about land far off them).
    Straight-line model: circles of radius T × speed / detour factor round each facility.
    Bands are cumulative (the 15-minute polygon contains the 10-minute one).
    """
    from hsplan.access.traveltimes import lonlat_or_xy, project_xy

    problems: list[Problem] = []
    bands = [float(m) for m in minutes]
    if not bands or any(not (np.isfinite(m) and m > 0) for m in bands):
        problems.append(Problem(_("isochrones, argument {name}").format(name="minutes"),
                                expected=_("minutes > 0"), got=_short_repr(list(minutes)),
                                fix=_("pass {value}").format(value="[5, 10, 15, 30]")))
    if not (np.isfinite(buffer_m) and buffer_m > 0):
        problems.append(Problem(_("isochrones, argument {name}").format(name="buffer_m"),
                                expected=_("metres > 0"), got=str(buffer_m)))
    raise_if_errors(problems, context=_("isochrones"))
    xy, _crs = lonlat_or_xy(facility_xy, _("facilities"))
    bands = sorted(set(bands))
    empty = gpd.GeoDataFrame({"minutes": bands, "area_km2": [0.0] * len(bands)},
                             geometry=[shapely.Polygon()] * len(bands), crs=WGS84)
    if len(xy) == 0:
        return empty
    if network.kind == "straight-line":
        (fac,), target = project_xy([(facility_xy, _("facilities"))], network, crs)
        per_min = network.line_speed_kmh * 1000.0 / 60.0 / network.detour_factor
        points = shapely.points(fac)
        geoms = [shapely.union_all(shapely.buffer(points, m * per_min, quad_segs=32))
                 for m in bands]
    else:
        target = network.crs
        nodes = pd.DataFrame({"lon": network.x, "lat": network.y})
        fac_crs = crs
        if isinstance(facility_xy, gpd.GeoDataFrame | gpd.GeoSeries):
            fac_crs = str(facility_xy.crs)
        times = nearest_facility_times(network, nodes, gpd.GeoSeries(
            shapely.points(xy), crs=fac_crs), crs=network.crs)
        t_node = times["travel_min"].to_numpy()
        u, v = network.u, network.v
        t_edge = np.maximum(network.travel_min, 1e-9)
        p_u = np.column_stack([network.x[u], network.y[u]])
        p_v = np.column_stack([network.x[v], network.y[v]])
        geoms = []
        for m in bands:
            pieces = []
            for a, b, t_a in ((p_u, p_v, t_node[u]), (p_v, p_u, t_node[v])):
                frac = np.clip((m - t_a) / t_edge, 0.0, 1.0)
                keep = frac > 0
                if not keep.any():
                    continue
                end = a[keep] + (b[keep] - a[keep]) * frac[keep, None]
                pieces.append(shapely.linestrings(np.stack([a[keep], end], axis=1)))
            if pieces:
                lines = shapely.union_all(np.concatenate(pieces))
                geoms.append(shapely.buffer(lines, buffer_m, quad_segs=4))
            else:
                geoms.append(shapely.Polygon())
    projected = gpd.GeoSeries(geoms, crs=target)
    out = gpd.GeoDataFrame({"minutes": bands,
                            "area_km2": (projected.area / 1e6).round(3).to_numpy()},
                           geometry=projected.to_crs(WGS84).values, crs=WGS84)
    return out

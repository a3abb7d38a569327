"""Spatial access to care: coverage within T minutes / D km, service circles, ambulance
radii, isochrones and floating-catchment access (2SFCA, E2SFCA, Gaussian 2SFCA).

Two layers:

- **Pure functions** on plain frames, independent of any road network: `coverage`,
  `coverage_summary`, `coverage_status` and `uncovered_points` on a per-demand-point
  travel-time frame (the floating-catchment functions live in `hsplan.access.catchments`).
- **`ServiceAccess`**, which ties a `Region` to a travel-time model (a road network from
  the project's ``roads.gpkg`` or an OSM extract, else the straight-line model) and
  answers the planner's questions: who lives within 15 minutes of a primary-care facility,
  which villages meet the ambulance radius norms, how many beds per 1,000 each village can
  reach. `hsplan.evaluation.norms` calls `ServiceAccess.coverage` for the ``service_circle`` rule.

Conventions: demand points are villages (村/社区, points with 常住人口); times are minutes,
distances metres, population persons. Travel time in an OD frame is measured from the
demand point to the supply point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from hsplan._files import atomic_path
from hsplan.access.catchments import (
    E2SFCA_STEPS,
    access_by_area,
    enhanced_two_step_fca,
    gaussian_two_step_fca,
    two_step_fca,
)
from hsplan.access.network import Network
from hsplan.access.traveltimes import Points, nearest_facility_times, od_matrix
from hsplan.errors import DataSourceError, Problem, raise_if_errors
from hsplan.plans.indicators import GRADE_RANK, FacilityFilter
from hsplan.region import schema
from hsplan.region.model import WGS84, Region
from hsplan.region.project import Project
from hsplan.region.store import write_gpkg

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
                                expected="columns travel_min, dist_m, reachable",
                                got=f"columns {list(times.columns)}",
                                fix="pass the frame of traveltimes.nearest_facility_times"))
    if minutes is None and distance_km is None:
        problems.append(Problem("service circle", expected="minutes or distance_km",
                                got="neither", fix="pass minutes=15 or distance_km=5, say"))
    if combine not in ("either", "both"):
        problems.append(Problem("combine", expected="either or both", got=str(combine)))
    thresholds: dict[str, FloatArray | None] = {}
    for name, value in (("minutes", minutes), ("distance_km", distance_km)):
        if value is None:
            thresholds[name] = None
            continue
        arr = np.broadcast_to(np.asarray(value, dtype=float), (len(times),)) \
            if np.ndim(value) == 0 or len(np.asarray(value)) == len(times) else None
        if arr is None or not np.all(np.isfinite(arr) & (arr > 0)):
            problems.append(Problem(name, expected=f"a number > 0 or one per row of times "
                                    f"({len(times)})", got=_short_repr(value),
                                    fix=f"pass {name} as a positive number"))
        thresholds[name] = arr
    raise_if_errors(problems, context="coverage")
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

    def rows(group: str, keys: pd.Series, names: pd.Series) -> list[dict[str, Any]]:
        out = []
        for key in sorted(keys.unique(), key=lambda k: (k == "unknown", str(k))):
            part = df[keys == key]
            out.append(_summary_row(group, str(key), str(names[keys == key].iloc[0]), part))
        return out

    ur_names = df["urban_rural"].map(URBAN_RURAL_ZH).fillna(df["urban_rural"])
    ur_order = {"urban": 0, "rural": 1, "unknown": 2}
    table = rows("township", df["township_code"], df["township_name"])
    ur_rows = rows("urban_rural", df["urban_rural"], ur_names)
    table += sorted(ur_rows, key=lambda r: ur_order.get(r["code"], 3))
    table.append(_summary_row("total", "total", "合计", df))
    return _whole_persons(pd.DataFrame(table), points,
                          ("pop", "pop_covered", "pop_uncovered", "pop_unreachable"))


def _summary_row(group: str, code: str, name: str, part: pd.DataFrame) -> dict[str, Any]:
    pop = float(part["pop"].sum())
    by = part.groupby("status")["pop"].sum()
    covered = float(by.get("covered", 0.0))
    return {"group": group, "code": code, "name": name, "points": len(part), "pop": pop,
            "pop_covered": covered, "pop_uncovered": float(by.get("uncovered", 0.0)),
            "pop_unreachable": float(by.get("unreachable", 0.0)),
            "covered_pct": covered / pop * 100.0 if pop > 0 else np.nan,
            "points_uncovered": int((part["status"] == "uncovered").sum()),
            "points_unreachable": int((part["status"] == "unreachable").sum())}


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
                             expected=f"columns {', '.join(columns)}",
                             got=f"columns {list(df.columns)}",
                             fix="pass the frame of ServiceAccess.coverage")] if missing else [],
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
        problems.append(Problem("isochrones, argument minutes", expected="minutes > 0",
                                got=_short_repr(list(minutes)), fix="pass [5, 10, 15, 30]"))
    if not (np.isfinite(buffer_m) and buffer_m > 0):
        problems.append(Problem("isochrones, argument buffer_m", expected="metres > 0",
                                got=str(buffer_m)))
    raise_if_errors(problems, context="isochrones")
    xy, _ = lonlat_or_xy(facility_xy, "facilities")
    bands = sorted(set(bands))
    empty = gpd.GeoDataFrame({"minutes": bands, "area_km2": [0.0] * len(bands)},
                             geometry=[shapely.Polygon()] * len(bands), crs=WGS84)
    if len(xy) == 0:
        return empty
    if network.kind == "straight-line":
        (fac,), target = project_xy([(facility_xy, "facilities")], network, crs)
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


# --- the project path: ServiceAccess -------------------------------------------------------

Scope = Literal["urban", "rural"]
FacilitySelector = str | Sequence[str] | Mapping[str, Any]
SUPPLY_COLUMNS: dict[str, tuple[str, ...]] = {
    "beds": ("beds",),
    "doctors": ("doctors_licensed", "doctors_assistant"),
    "nurses": ("nurses",),
    "gps": ("gps",),
}
FCA_METHODS = ("2sfca", "e2sfca", "g2sfca")
#: Ambulance radius norms (《关于进一步完善院前医疗急救服务的指导意见》 2020):
#: urban 5 km / 15 min, rural 20 km / 30 min; the plan documents accept either condition.
AMBULANCE_NORMS: dict[str, tuple[float, float]] = {"urban": (15.0, 5.0), "rural": (30.0, 20.0)}
_SELECTOR_KEYS = ("subtype", "category", "ownership", "government_run", "admin_level",
                  "grade_min")


def facility_filter(facility: FacilitySelector) -> FacilityFilter:
    """Return the `FacilityFilter` of a plan-style facility selector: a sub-type
    (``乡镇卫生院``), a list of sub-types, or a mapping with ``subtype``, ``category``,
    ``ownership``, ``government_run``, ``admin_level``, ``grade_min`` (docs/plan-format.md);
    every value is checked against `hsplan.region.schema` and all problems are raised at once."""
    raw: dict[str, Any]
    if isinstance(facility, str):
        raw = {"subtype": [facility]}
    elif isinstance(facility, Mapping):
        raw = dict(facility)
    else:
        raw = {"subtype": list(facility)}
    problems: list[Problem] = []
    for key in raw:
        if key not in _SELECTOR_KEYS:
            problems.append(Problem(f"facility selector, field {key!r}",
                                    expected="one of " + ", ".join(_SELECTOR_KEYS), got=key,
                                    fix="see docs/plan-format.md, facility selectors"))
    checks = (("subtype", schema.FACILITY_SUBTYPES), ("category", schema.FACILITY_CATEGORIES),
              ("ownership", schema.OWNERSHIP), ("admin_level", schema.ADMIN_LEVELS))
    for key, allowed in checks:
        values = raw.get(key)
        values = [values] if isinstance(values, str) else list(values or [])
        raw[key] = values or None
        for value in values:
            if value not in allowed:
                problems.append(Problem(f"facility selector, {key}",
                                        expected="one of " + "、".join(allowed), got=str(value),
                                        fix=f"use a {key} of docs/schema.md"))
    grade = raw.get("grade_min")
    if grade is not None and grade not in GRADE_RANK:
        problems.append(Problem("facility selector, grade_min",
                                expected="一级, 二级 or 三级", got=str(grade)))
    if not raw.get("subtype") and not raw.get("category"):
        problems.append(Problem("facility selector", expected="a subtype or a category",
                                got=_short_repr(facility),
                                fix="e.g. 乡镇卫生院, or {category: 基层医疗卫生机构}"))
    raise_if_errors(problems, context="facility selector")
    return FacilityFilter.from_dict({k: v for k, v in raw.items() if v is not None})


class ServiceAccess:
    """Access to care in a region over a travel-time model: service-circle coverage,
    ambulance radii, isochrones and floating-catchment supply per 1,000 persons.

    `network` is a `hsplan.access.network.Network` for `mode` (a road network or the
    straight-line model). Demand points are the region's villages with a point and a
    population in `year` (default: the latest year with village population); when the
    villages lack either, the townships (their representative point) are used, and
    ``demand_level`` says which. Facilities count when they are open in the year
    (opened ≤ year < closed) and have a location.
    """

    def __init__(self, region: Region, network: Network, *, mode: str = "drive",
                 year: int | None = None, progress: bool = False,
                 network_factory: Callable[[str], Network] | None = None) -> None:
        self.region = region
        self.mode = mode
        self.progress = progress
        self._networks: dict[str, Network] = {network.mode: network}
        self._factory = network_factory
        if network.mode != mode:
            raise_if_errors([Problem("ServiceAccess, argument mode",
                                     expected=f"{network.mode!r}, the network's mode",
                                     got=mode, fix="build the network for that mode")],
                            context="ServiceAccess")
        self.points, self.demand_level, self.year = _demand_points(region, year)

    @classmethod
    def from_project(cls, project: Project, *, mode: str = "drive", year: int | None = None,
                     progress: bool = False) -> ServiceAccess:
        """Return the access model of a project: its ``roads.gpkg`` when present, else an
        OSM extract in the project folder (``*.osm.pbf``, ``*.osm``, ``*.osm.bz2``), else
        the straight-line model (labelled as such in every result)."""
        from hsplan.access.network import (
            network_from_osm,
            network_from_roads,
            straight_line_network,
        )
        from hsplan.region.synth import ROADS_NAME

        roads_path = project.root / ROADS_NAME
        osm = sorted(p for pattern in ("*.osm.pbf", "*.osm", "*.osm.bz2")
                     for p in project.root.glob(pattern))

        def build(for_mode: str) -> Network:
            if roads_path.exists():
                try:
                    roads = gpd.read_file(roads_path, layer="roads")
                except Exception as exc:
                    raise DataSourceError(f"{roads_path}: not a readable roads layer ({exc}). "
                                          "Fix: re-export the layer as GeoPackage layer "
                                          "'roads'.") from exc
                return network_from_roads(roads, mode=for_mode, source=ROADS_NAME)
            if osm:
                return network_from_osm(osm[0], mode=for_mode)
            return straight_line_network(mode=for_mode)

        return cls(project.load(), build(mode), mode=mode, year=year, progress=progress,
                   network_factory=build)

    def for_region(self, region: Region, *, year: int | None = None) -> ServiceAccess:
        """Return the same travel-time model applied to another region of the same place —
        e.g. a scenario that opens, closes or moves facilities — in `year` (default: that
        region's latest year with data). Networks are shared."""
        other = ServiceAccess(region, self.network(), mode=self.mode, year=year,
                              progress=self.progress, network_factory=self._factory)
        other._networks = self._networks
        return other

    def network(self, mode: str | None = None) -> Network:
        """Return the travel-time model for `mode` (default: this model's mode)."""
        mode = mode or self.mode
        if mode not in self._networks:
            if self._factory is None:
                raise_if_errors([Problem("argument mode", expected=f"{self.mode!r} (the only "
                                         "network given)", got=mode,
                                         fix="use ServiceAccess.from_project, or pass a "
                                         "network for that mode")], context="ServiceAccess")
                raise AssertionError  # unreachable: raise_if_errors raised
            self._networks[mode] = self._factory(mode)
        return self._networks[mode]

    def facilities(self, facility: FacilitySelector | None = None, *,
                   year: int | None = None) -> gpd.GeoDataFrame:
        """Return the facilities that match `facility` (all when None), are open in the year
        and have a location (WGS84)."""
        year = year or self.year
        facs = self.region.facilities
        keep = facility_filter(facility).mask(facs) if facility is not None else \
            pd.Series(True, index=facs.index)
        keep &= (facs["opened"].isna() | (facs["opened"] <= year)).fillna(True).astype(bool)
        keep &= (facs["closed"].isna() | (facs["closed"] > year)).fillna(True).astype(bool)
        keep &= facs.geometry.notna() & ~facs.geometry.is_empty
        return facs[keep.astype(bool)].reset_index(drop=True)

    def ambulance_bases(self, *, year: int | None = None) -> gpd.GeoDataFrame:
        """Return the ambulance bases: facilities whose resources have ambulances > 0 in the
        year, with their ``ambulances`` count."""
        year = year or self.year
        res = self.region.resources
        res = res[(res["year"] == year) & (res["ambulances"].fillna(0) > 0)]
        counts = res.groupby("facility_id")["ambulances"].sum()
        facs = self.facilities(None, year=year)
        facs = facs[facs["id"].isin(counts.index)].reset_index(drop=True)
        facs["ambulances"] = facs["id"].map(counts).astype(int).to_numpy()
        return facs

    def coverage(self, facility: FacilitySelector | gpd.GeoDataFrame, *,
                 minutes: float | npt.ArrayLike | None = None,
                 distance_km: float | npt.ArrayLike | None = None, mode: str = "drive",
                 scope: Scope | None = None, combine: Combine = "either",
                 year: int | None = None) -> pd.DataFrame:
        """Return, per demand point, whether its nearest facility of the kind is within
        `minutes` / `distance_km`: ``area_code``, ``name``, ``level``, ``township_code``,
        ``township_name``, ``urban_rural``, ``pop`` (persons), ``travel_min``, ``dist_m``
        (metres along the route), ``facility_id``, ``facility_name``, the thresholds,
        ``within_min``, ``within_km``, ``covered``, ``reachable``.

        `facility` is a plan-style selector (`facility_filter`) or a frame of facilities
        (e.g. `ambulance_bases`). `scope` keeps only urban or rural points (by the
        village's 城乡分类). `combine` as in `coverage`. ``attrs`` carry the year, the
        network label, the facility count and the selector in words.

        Notes
        -----
        This is the ``service_circle`` norm of a plan (docs/plan-format.md): the share of
        the population whose nearest facility of the kind is reachable within the circle.
        With no facility of the kind, every point is unreachable (share 0), not an error.
        """
        year = year or self.year
        if isinstance(facility, gpd.GeoDataFrame):
            facs, described = facility.reset_index(drop=True), "given facilities"
        else:
            facs = self.facilities(facility, year=year)
            described = facility_filter(facility).describe()
        network = self.network(mode)
        points = self.points
        if scope is not None:
            if scope not in ("urban", "rural"):
                raise_if_errors([Problem("argument scope", expected="urban, rural or None",
                                         got=str(scope))], context="coverage")
            points = points[points["urban_rural"] == scope].reset_index(drop=True)
        times = self._times(network, points, facs)
        out = coverage(times, minutes=minutes, distance_km=distance_km, combine=combine)
        out.attrs.update({"year": year, "network": network.label,
                          "network_kind": network.kind, "facilities": len(facs),
                          "facility": described, "demand_level": self.demand_level,
                          "scope": scope or "all"})
        return out

    def ambulance_coverage(self, *, year: int | None = None,
                           norms: Mapping[str, tuple[float, float]] | None = None
                           ) -> pd.DataFrame:
        """Return, per demand point, coverage by the nearest ambulance base under the
        ambulance radius norms: urban points 15 min or 5 km, rural points 30 min or 20 km
        (`AMBULANCE_NORMS`, either condition); columns as `coverage`.

        Notes
        -----
        Bases are facilities with ambulances > 0 in the year (`ambulance_bases`). A point
        of unknown 城乡分类 is held to the stricter urban norm. Driving times.
        """
        year = year or self.year
        norms = dict(norms or AMBULANCE_NORMS)
        ur = self.points["urban_rural"].fillna("urban").to_numpy()
        minutes = np.where(ur == "rural", norms["rural"][0], norms["urban"][0])
        km = np.where(ur == "rural", norms["rural"][1], norms["urban"][1])
        bases = self.ambulance_bases(year=year)
        out = self.coverage(bases, minutes=minutes, distance_km=km, mode="drive", year=year)
        out.attrs["facility"] = f"ambulance bases ({len(bases)}: ambulances > 0 in {year})"
        return out

    def isochrones(self, facility: FacilitySelector | gpd.GeoDataFrame,
                   minutes: Sequence[float] = ISOCHRONE_MINUTES, *, mode: str = "drive",
                   year: int | None = None) -> gpd.GeoDataFrame:
        """Return the isochrone polygons (WGS84, cumulative bands) of the facilities of a
        kind; see the module function `isochrones` for the method."""
        facs = facility.reset_index(drop=True) if isinstance(facility, gpd.GeoDataFrame) \
            else self.facilities(facility, year=year)
        return isochrones(self.network(mode), facs.geometry, minutes)

    def fca(self, supply: str = "beds", *, method: str = "2sfca", max_min: float = 30.0,
            facility: FacilitySelector | None = None, year: int | None = None,
            mode: str = "drive") -> pd.DataFrame:
        """Return floating-catchment access per demand point, in supply units per 1,000
        persons (``supply_per_1k``) and per person, with the point's township and
        urban/rural class; ``attrs["by_township"]`` holds the population-weighted values
        per township (`access_by_area`) and ``attrs["total"]`` the county value.

        `supply` is ``beds``, ``doctors`` (执业医师 + 执业助理医师), ``nurses`` or ``gps``,
        summed from the year's resources of the selected facilities. `method` is
        ``2sfca`` (Luo & Wang 2003, catchment `max_min`), ``e2sfca`` (Luo & Qi 2009 steps,
        catchment 30 min) or ``g2sfca`` (Dai 2010, catchment `max_min`).
        """
        year = year or self.year
        problems: list[Problem] = []
        if supply not in SUPPLY_COLUMNS:
            problems.append(Problem("argument supply", expected=" or ".join(SUPPLY_COLUMNS),
                                    got=supply))
        if method not in FCA_METHODS:
            problems.append(Problem("argument method", expected=" or ".join(FCA_METHODS),
                                    got=method))
        if not (np.isfinite(max_min) and max_min > 0):
            problems.append(Problem("argument max_min", expected="minutes > 0",
                                    got=str(max_min)))
        raise_if_errors(problems, context="fca")
        facs = self.facilities(facility, year=year)
        res = self.region.resources
        res = res[res["year"] == year].set_index("facility_id")
        cols = list(SUPPLY_COLUMNS[supply])
        amount = res[cols].astype(float).fillna(0.0).sum(axis=1)
        facs = facs.assign(supply=facs["id"].map(amount).fillna(0.0).to_numpy())
        facs = facs[facs["supply"] > 0].reset_index(drop=True)
        cutoff = max(b for b, _ in E2SFCA_STEPS) if method == "e2sfca" else max_min
        network = self.network(mode)
        points = self.points
        pop = pd.Series(points["pop"].astype(float).to_numpy())
        sup = pd.Series(facs["supply"].to_numpy(dtype=float))
        if len(facs):
            od = od_matrix(network, points.geometry, facs.geometry, cutoff_min=cutoff,
                           progress=self.progress)
            od = od.rename(columns={"origin": "demand", "destination": "supply"})
        else:
            od = pd.DataFrame({"demand": pd.Series([], dtype=int),
                               "supply": pd.Series([], dtype=int), "travel_min": []})
        if method == "2sfca":
            result = two_step_fca(od, pop, sup, max_min=max_min)
        elif method == "e2sfca":
            result = enhanced_two_step_fca(od, pop, sup)
        else:
            result = gaussian_two_step_fca(od, pop, sup, max_min=max_min)
        info = points[["area_code", "name", "level", "township_code", "township_name",
                       "urban_rural"]].reset_index(drop=True)
        out = pd.concat([info, result.drop(columns=["demand"])], axis=1)
        by_town = access_by_area(result, pd.Series(points["township_code"].to_numpy()))
        names = points.drop_duplicates("township_code").set_index("township_code")
        by_town.insert(1, "name", by_town["area"].map(names["township_name"]).to_numpy())
        total = access_by_area(result, pd.Series(["total"] * len(points)))
        out.attrs.update({"year": year, "network": network.label, "supply": supply,
                          "method": method, "max_min": cutoff, "facilities": len(facs),
                          "supply_total": float(sup.sum()),
                          "by_township": by_town.rename(columns={"area": "township_code"}),
                          "total": total})
        return out

    def _times(self, network: Network, points: gpd.GeoDataFrame,
               facs: gpd.GeoDataFrame) -> pd.DataFrame:
        base = points[["area_code", "name", "level", "township_code", "township_name",
                       "urban_rural", "pop"]].reset_index(drop=True)
        if facs.empty or points.empty:
            times = pd.DataFrame({"travel_min": np.full(len(points), np.inf),
                                  "dist_m": np.full(len(points), np.nan),
                                  "facility_index": np.full(len(points), -1),
                                  "reachable": np.zeros(len(points), dtype=bool)})
        else:
            times = nearest_facility_times(network, points.geometry, facs.geometry,
                                           progress=self.progress)
        idx = times["facility_index"].to_numpy()
        hit = pd.Series(idx >= 0)

        def pick(col: str) -> pd.Series:
            if facs.empty:
                return pd.Series(pd.NA, index=base.index, dtype="string")
            values = facs[col].astype("string").to_numpy()
            return pd.Series(values[np.clip(idx, 0, None)], dtype="string").where(hit)

        base["travel_min"] = times["travel_min"].to_numpy(dtype=float)
        base["dist_m"] = times["dist_m"].to_numpy(dtype=float)
        base["facility_id"] = pick("id")
        base["facility_name"] = pick("name")
        base["reachable"] = times["reachable"].to_numpy(dtype=bool)
        return base


def _demand_points(region: Region, year: int | None
                   ) -> tuple[gpd.GeoDataFrame, str, int]:
    """Return (demand points, their level, the year): villages with a point and a
    population in the year, else townships; problems raised at once."""
    areas = region.areas
    pop = region.population
    towns = areas[areas["level"] == "township"]
    town_names = dict(zip(towns["code"].astype(str), towns["name"].astype(str), strict=True))
    tried = []
    for level in ("village", "township"):
        cand = areas[(areas["level"] == level) & areas.geometry.notna()]
        if cand.empty:
            tried.append(f"no {level} with a location")
            continue
        p = pop[pop["area_code"].isin(cand["code"]) & pop["total"].notna()]
        years = sorted(int(y) for y in p["year"].unique())
        use = year if year is not None else (years[-1] if years else None)
        if use is None:
            tried.append(f"no {level} population")
            continue
        by_code = p[p["year"] == use].set_index("area_code")["total"]
        missing = cand[~cand["code"].isin(by_code.index)]
        if len(missing):
            tried.append(f"{len(missing)} of {len(cand)} {level}s without population in {use}")
            continue
        cand = cand.sort_values("code").reset_index(drop=True)
        geom = cand.geometry.where(cand.geometry.geom_type == "Point",
                                   cand.geometry.representative_point())
        town_code = cand["parent_code"] if level == "village" else cand["code"]
        ur = cand["urban_rural"].astype("string")
        points = gpd.GeoDataFrame({
            "area_code": cand["code"].astype("string").to_numpy(),
            "name": cand["name"].astype("string").to_numpy(),
            "level": level,
            "township_code": town_code.astype("string").to_numpy(),
            "township_name": [town_names.get(str(c), str(c)) for c in town_code],
            "urban_rural": ur.to_numpy(),
            "pop": cand["code"].map(by_code).astype(int).to_numpy(),
        }, geometry=geom.values, crs=cand.crs)
        return points.to_crs(WGS84), level, int(use)
    raise_if_errors([Problem("region, table areas/population: no demand points",
                             expected="villages (or townships) with a location and a "
                             f"population{f' in {year}' if year else ''}",
                             got="; ".join(tried),
                             fix="import village points and their 常住人口, or township "
                             "polygons and population")], context="access")
    raise AssertionError  # unreachable: raise_if_errors raised


# --- outputs: GeoPackage, CSV, map ---------------------------------------------------------


def points_layer(sa: ServiceAccess, result: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the per-point `result` of `sa` (coverage or fca) as a WGS84 point layer."""
    geom = sa.points.set_index("area_code").geometry
    return gpd.GeoDataFrame(result.reset_index(drop=True),
                            geometry=geom.reindex(result["area_code"]).values, crs=WGS84)


def save_access_gpkg(path: str | Path, layers: Mapping[str, gpd.GeoDataFrame]) -> Path:
    """Write the layers (e.g. demand_points, facilities, isochrones) to one GeoPackage
    atomically (all or nothing); return the path."""
    return write_gpkg(path, layers)


_BAND_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43")


def coverage_map(sa: ServiceAccess, points: pd.DataFrame, facilities: gpd.GeoDataFrame,
                 path: str | Path, *, title: str, bands: gpd.GeoDataFrame | None = None,
                 circles_km: float | npt.ArrayLike | None = None,
                 roads: gpd.GeoDataFrame | None = None, dpi: int = 150) -> Path:
    """Write a PNG map of a coverage result to `path`; return the path: township
    polygons, roads, isochrone bands or distance circles round the facilities, the
    facilities, covered villages in green and uncovered ones in red with their names.

    Drawn in the region's UTM zone with the style of `hsplan.reports.maps` (CJK font, north arrow,
    scale bar); a synthetic region gets "（合成数据）" in the title and a footnote.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from hsplan.reports.maps import north_arrow, save_figure, scale_bar, use_cjk_font

    use_cjk_font()
    areas = sa.region.areas
    crs = sa.points.estimate_utm_crs()
    fig, ax = plt.subplots(figsize=(11, 9))
    towns = areas[(areas["level"] == "township") & areas.geometry.notna()]
    towns = towns[towns.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(crs)
    if not towns.empty:
        towns.plot(ax=ax, facecolor="#f4f1e8", edgecolor="#9a8f7a", linewidth=0.8)
        for name, geom in zip(towns["name"], towns.geometry, strict=True):
            pt = geom.representative_point()
            ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=9,
                        color="#5b5142", alpha=0.8, zorder=3)
    handles: list[Any] = []
    if bands is not None and not bands.empty:
        for k, row in enumerate(bands.sort_values("minutes", ascending=False).itertuples()):
            colour = _BAND_COLOURS[(len(bands) - 1 - k) % len(_BAND_COLOURS)]
            gpd.GeoSeries([row.geometry], crs=bands.crs).to_crs(crs).plot(
                ax=ax, color=colour, alpha=0.45, zorder=2, linewidth=0)
            handles.append(Patch(color=colour, alpha=0.6, label=f"{row.minutes:g} 分钟等时圈"))
        handles.reverse()
    if circles_km is not None and not facilities.empty:
        radius = np.broadcast_to(np.asarray(circles_km, dtype=float), (len(facilities),))
        rings = facilities.to_crs(crs).geometry.buffer(radius * 1000.0)
        rings.boundary.plot(ax=ax, color="#2c7fb8", linewidth=0.8, linestyle="--", zorder=3)
        handles.append(Line2D([], [], color="#2c7fb8", linestyle="--",
                              label="服务半径 " + "/".join(f"{r:g}" for r in
                                                          sorted(set(radius))) + " km"))
    if roads is not None and not roads.empty:
        roads.to_crs(crs).plot(ax=ax, color="#b8a27a", linewidth=0.6, zorder=2.5)
        handles.append(Line2D([], [], color="#b8a27a", label="道路"))
    county = areas[areas["level"] == "county"]
    if not county.empty and county.geometry.notna().any():
        county.to_crs(crs).boundary.plot(ax=ax, color="#333333", linewidth=1.5, zorder=4)
    if not facilities.empty:
        fac = facilities.to_crs(crs)
        ax.scatter(fac.geometry.x, fac.geometry.y, s=70, marker="P", c="#08519c",
                   edgecolors="white", linewidths=0.8, zorder=10)
        handles.append(Line2D([], [], linestyle="", marker="P", color="#08519c",
                              label=f"机构（{len(facilities)}）"))
    layer = points_layer(sa, points).to_crs(crs)
    ok = layer["covered"].astype(bool).to_numpy()
    reach = layer["reachable"].astype(bool).to_numpy()
    pop = layer["pop"].astype(float).to_numpy()
    size = 12 + 60 * np.sqrt(pop / max(pop.max(), 1.0))
    ax.scatter(layer.geometry.x[ok], layer.geometry.y[ok], s=size[ok], c="#31a354",
               edgecolors="white", linewidths=0.5, zorder=7)
    bad = ~ok
    ax.scatter(layer.geometry.x[bad], layer.geometry.y[bad], s=size[bad],
               c=np.where(reach[bad], "#de2d26", "#54278f"), edgecolors="black",
               linewidths=0.8, zorder=8)
    for x, y, name in zip(layer.geometry.x[bad], layer.geometry.y[bad], layer["name"][bad],
                          strict=True):
        ax.annotate(_short_name(str(name)), (x, y), xytext=(4, 4), textcoords="offset points",
                    fontsize=7.5, color="#a50f15", zorder=9)
    handles += [Line2D([], [], linestyle="", marker="o", color="#31a354",
                       label=f"覆盖村居（{int(ok.sum())}）"),
                Line2D([], [], linestyle="", marker="o", color="#de2d26",
                       markeredgecolor="black",
                       label=f"未覆盖村居（{int((bad & reach).sum())}）")]
    if (bad & ~reach).any():
        handles.append(Line2D([], [], linestyle="", marker="o", color="#54278f",
                              markeredgecolor="black",
                              label=f"不可达村居（{int((bad & ~reach).sum())}）"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.85), fontsize=9,
              frameon=False)
    synthetic = sa.region.synthetic
    ax.set_title(f"{title}（合成数据）" if synthetic and "合成" not in title else title,
                 fontsize=14, pad=12)
    ax.set_axis_off()
    ax.set_aspect("equal")
    north_arrow(ax)
    scale_bar(ax)
    network = points.attrs.get("network", "")
    fig.text(0.5, 0.07, f"行程时间模型：{network}", ha="center", fontsize=8, color="#555555")
    if synthetic:
        fig.text(0.5, 0.05, "合成示例数据：乡镇边界、村居位置与人口、机构与道路为模型生成",
                 ha="center", fontsize=8.5, color="#8b0000")
    return save_figure(fig, path, dpi=dpi)


def _short_name(name: str) -> str:
    for suffix in ("居民委员会", "村民委员会", "委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# --- reports: what `hsplan access` writes --------------------------------------------------


@dataclass
class CoverageReport:
    """A coverage run and its files: per-point result, summary tables, the outside list."""

    points: pd.DataFrame
    summary: pd.DataFrame
    status: pd.DataFrame
    uncovered: pd.DataFrame
    facilities: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame | None
    files: dict[str, Path]


def coverage_report(sa: ServiceAccess, facility: FacilitySelector | None = None, *,
                    minutes: float | None = None, distance_km: float | None = None,
                    mode: str = "drive", scope: Scope | None = None,
                    out_dir: str | Path | None = None, ambulance: bool = False,
                    stem: str = "coverage", roads: gpd.GeoDataFrame | None = None,
                    ) -> CoverageReport:
    """Return a coverage run (`ServiceAccess.coverage`, or `ambulance_coverage` when
    `ambulance`) with its summaries, and write into `out_dir` (when given): a per-point CSV,
    the summary CSV, a GeoPackage with layers ``demand_points``, ``facilities`` and
    ``isochrones``, and a PNG map (`coverage_map`). Population in persons, times in
    minutes, distances in metres."""
    if ambulance:
        points = sa.ambulance_coverage()
        facs = sa.ambulance_bases()
        minutes_bands: list[float] = sorted({*AMBULANCE_NORMS_MIN, 5.0, 10.0})
        circles: Any = None
        title_kind = "急救服务半径覆盖"
    else:
        facility = facility if facility is not None else {"category": ["基层医疗卫生机构"]}
        if minutes is None and distance_km is None:
            minutes = 15.0
        points = sa.coverage(facility, minutes=minutes, distance_km=distance_km, mode=mode,
                             scope=scope)
        facs = sa.facilities(facility)
        minutes_bands = sorted({5.0, 10.0, 15.0, 30.0} | ({float(minutes)} if minutes else set()))
        circles = distance_km
        title_kind = (f"{minutes:g}分钟" if minutes else "") + \
            ("/" if minutes and distance_km else "") + \
            (f"{distance_km:g}公里" if distance_km else "") + "服务圈覆盖"
    bands = sa.isochrones(facs, minutes_bands, mode="drive" if ambulance else mode) \
        if len(facs) else None
    summary = coverage_summary(points)
    status = coverage_status(points)
    outside = uncovered_points(points)
    files: dict[str, Path] = {}
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        layer = points_layer(sa, points)
        files["points_csv"] = out / f"{stem}_points.csv"
        with atomic_path(files["points_csv"]) as tmp:
            points.to_csv(tmp, index=False, encoding="utf-8-sig")
        files["summary_csv"] = out / f"{stem}_summary.csv"
        with atomic_path(files["summary_csv"]) as tmp:
            summary.to_csv(tmp, index=False, encoding="utf-8-sig")
        layers: dict[str, gpd.GeoDataFrame] = {"demand_points": layer}
        if len(facs):
            layers["facilities"] = facs
        if bands is not None:
            layers["isochrones"] = bands
        files["gpkg"] = save_access_gpkg(out / f"{stem}.gpkg", layers)
        name = str(sa.region.meta.get("name", ""))
        files["map_png"] = coverage_map(
            sa, points, facs, out / f"{stem}_map.png",
            title=f"{name} {title_kind}（{sa.year}年）".strip(), bands=bands,
            circles_km=circles, roads=roads)
    return CoverageReport(points, summary, status, outside, facs, bands, files)


AMBULANCE_NORMS_MIN = tuple(m for m, _ in AMBULANCE_NORMS.values())

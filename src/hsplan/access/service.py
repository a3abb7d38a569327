"""`ServiceAccess`: a region tied to its travel-time model, answering the planner's access
questions — who lives within 15 minutes of a primary-care facility, which villages meet the
ambulance radius norms, how many beds per 1,000 each village can reach.

The travel-time model is the project's road network (``roads.gpkg`` or an OSM extract, see
`hsplan.region.project.Project.road_source`), else the straight-line model; demand points are
`hsplan.region.points.demand_points`. `hsplan.evaluation.norms` calls
`ServiceAccess.coverage` for the ``service_circle`` rule.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from hsplan._i18n import _
from hsplan.access.catchments import (
    E2SFCA_STEPS,
    access_by_area,
    enhanced_two_step_fca,
    gaussian_two_step_fca,
    two_step_fca,
)
from hsplan.access.choices import FCA_METHODS, SUPPLY_COLUMNS
from hsplan.access.coverage import (
    ISOCHRONE_MINUTES,
    Combine,
    _short_repr,
    coverage,
    coverage_summary,
    isochrones,
)
from hsplan.access.network import Network
from hsplan.access.traveltimes import nearest_facility_times, od_matrix
from hsplan.errors import Problem, raise_if_errors
from hsplan.plans.catalog import GRADE_RANK, FacilityFilter
from hsplan.plans.readings import Readings, area_classes, ems_bases
from hsplan.region import schema
from hsplan.region.model import WGS84, Region
from hsplan.region.points import demand_points
from hsplan.region.project import Project
from hsplan.region.store import write_gpkg

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
WeightFn = Callable[[FloatArray], FloatArray]

# --- the project path: ServiceAccess -------------------------------------------------------

Scope = Literal["urban", "rural"]
FacilitySelector = str | Sequence[str] | Mapping[str, Any]
#: Ambulance radius norms (《关于进一步完善院前医疗急救服务的指导意见》 2020):
#: urban 5 km / 15 min, rural 20 km / 30 min; the plan documents accept either condition.
AMBULANCE_NORMS: dict[str, tuple[float, float]] = {"urban": (15.0, 5.0), "rural": (30.0, 20.0)}
_SELECTOR_KEYS = ("subtype", "category", "ownership", "government_run", "admin_level",
                  "grade_min")
#: the 机构 table's Chinese column names of the checked selector fields (docs/schema.md)
_SELECTOR_NAMES = {"subtype": "机构类型", "category": "机构类别", "ownership": "所有制",
                   "admin_level": "主办级别"}


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
            problems.append(Problem(_("facility selector, field {key}").format(key=repr(key)),
                                    expected=_("one of {names}").format(
                                        names=", ".join(_SELECTOR_KEYS)), got=key,
                                    fix=_("see docs/plan-format.md, facility selectors")))
    checks = (("subtype", schema.FACILITY_SUBTYPES), ("category", schema.FACILITY_CATEGORIES),
              ("ownership", schema.OWNERSHIP), ("admin_level", schema.ADMIN_LEVELS))
    for key, allowed in checks:
        values = raw.get(key)
        values = [values] if isinstance(values, str) else list(values or [])
        raw[key] = values or None
        for value in values:
            if value not in allowed:
                problems.append(Problem(_("facility selector, {key}").format(key=key),
                                        expected=_("one of {names}").format(
                                            names="、".join(allowed)), got=str(value),
                                        fix=_("use a {key} ({name}) of docs/schema.md").format(
                                            key=key, name=_SELECTOR_NAMES[key])))
    grade = raw.get("grade_min")
    if grade is not None and grade not in GRADE_RANK:
        problems.append(Problem(_("facility selector, {key}").format(key="grade_min"),
                                expected=_("一级, 二级 or 三级"), got=str(grade)))
    if not raw.get("subtype") and not raw.get("category"):
        problems.append(Problem(_("facility selector"), expected=_("a subtype or a category"),
                                got=_short_repr(facility),
                                fix=_("e.g. 乡镇卫生院, or {example}").format(
                                    example="{category: 基层医疗卫生机构}")))
    raise_if_errors(problems, context=_("facility selector"))
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

    `readings` (`hsplan.plans.readings.Readings`, default: the national defaults) decide
    the 城镇/农村 class of each demand point and the ambulance bases and radii; a plan's
    own are laid on with `with_readings`, so every command reads them from one place.
    """

    def __init__(self, region: Region, network: Network, *, mode: str = "drive",
                 year: int | None = None, progress: bool = False,
                 network_factory: Callable[[str], Network] | None = None,
                 readings: Readings | None = None) -> None:
        self.region = region
        self.readings = readings if readings is not None else Readings.from_plan(None)
        self.mode = mode
        self.progress = progress
        self._networks: dict[str, Network] = {network.mode: network}
        self._factory = network_factory
        if network.mode != mode:
            raise_if_errors([Problem(_("{where}, argument mode").format(where="ServiceAccess"),
                                     expected=_("{mode}, the network's mode").format(
                                         mode=repr(network.mode)),
                                     got=mode, fix=_("build the network for that mode"))],
                            context="ServiceAccess")
        self.points, self.demand_level, self.year = demand_points(region, year)
        #: the year of the points' populations and, when not the recorded ones, their source
        self.population_year, self.population_note = self.year, ""
        self.points = self._classed(self.points)
        # nearest-facility times of every demand point, per (mode, selector, year): the
        # norms ask the same kinds at several radii and scopes (see `coverage`)
        self._times_cache: dict[tuple[Any, ...], tuple[pd.DataFrame, pd.DataFrame, int]] = {}

    def _classed(self, points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return `points` with their 城镇/农村 class under this model's readings."""
        classes = area_classes(self.region, self.readings)
        return points.assign(urban_rural=pd.array(
            [classes.get(str(c)) or "urban" for c in points["area_code"]], dtype="string"))

    def with_readings(self, readings: Readings) -> ServiceAccess:
        """Return the same model under a plan's readings (城乡划分, 急救站点, 急救半径).
        The networks, the demand points and their nearest-facility times are shared (the
        readings change only each point's class and which facilities are 急救站点, and the
        times are cached per facility selection), so a check after a coverage on the same
        model computes no route twice."""
        if readings == self.readings:
            return self
        other = copy.copy(self)
        other.readings = readings
        other.points = other._classed(self.points)
        return other

    def catchment(self, facility_ids: Sequence[str], *, minutes: float,
                  year: int | None = None) -> pd.DataFrame:
        """Return one row per township (and a ``total`` row) with the population (persons)
        whose nearest facility among `facility_ids` is reached within `minutes`: ``group``,
        ``code``, ``name``, ``pop``, ``pop_covered``, ``covered_pct`` (%); ``attrs`` carry
        the ids, the minutes and the travel model. With none of the facilities open in
        `year` the frame is empty (nothing to measure, not 0 %).

        Notes
        -----
        `coverage` of those facilities alone (the nearest of them by travel time, covered
        within `minutes`), added up by township with `coverage_summary`; e.g. the
        catchment of the 县域医疗卫生次中心 (`hsplan.evaluation.institutions.sub_centres`).
        """
        ids = [str(i) for i in facility_ids]
        cols = ["group", "code", "name", "pop", "pop_covered", "covered_pct"]
        facs = self.facilities(None, year=year)
        facs = facs[facs["id"].astype(str).isin(ids)]
        if facs.empty:
            out = pd.DataFrame(columns=cols)
        else:
            points = self.coverage(facs, minutes=minutes, year=year)
            summary = coverage_summary(points)
            out = summary[summary["group"].isin(["township", "total"])][cols].reset_index(
                drop=True)
            out.attrs["network"] = points.attrs.get("network")
        out.attrs["facilities"] = ids
        out.attrs["minutes"] = minutes
        return out

    def with_population(self, pop: npt.ArrayLike, *, year: int, note: str) -> ServiceAccess:
        """Return the same model with other populations at its demand points (persons, in
        the order of ``points``), e.g. carried to a plan's target year by a projection;
        `year` and `note` say where they come from (``population_year``,
        ``population_note``). Facilities stay those open in the model's year."""
        values = np.asarray(pop, dtype=float)
        if values.shape != (len(self.points),) or not np.isfinite(values).all() \
                or (values < 0).any():
            raise_if_errors([Problem(_("{where}, argument {name}").format(
                                         where="ServiceAccess.with_population", name="pop"),
                                     expected=_("{n} finite values ≥ 0, one per demand "
                                                "point").format(n=f"{len(self.points):,}"),
                                     got=_("shape {shape}").format(shape=values.shape))],
                            context="ServiceAccess")
        other = copy.copy(self)
        other.points = self.points.assign(pop=values)
        other.population_year, other.population_note = int(year), note
        return other

    @classmethod
    def from_project(cls, project: Project, *, mode: str = "drive", year: int | None = None,
                     progress: bool = False, region: Region | None = None) -> ServiceAccess:
        """Return the access model of a project: its ``roads.gpkg`` when present, else an
        OSM extract in the project folder (``*.osm.pbf``, ``*.osm``, ``*.osm.bz2``), else
        the straight-line model (labelled as such in every result). `region` is the
        project's region when the caller has already loaded it (not read again)."""
        from hsplan.access.network import (
            network_from_osm,
            network_from_roads,
            straight_line_network,
        )

        kind, path = project.road_source()

        def build(for_mode: str) -> Network:
            if kind == "roads" and path is not None:
                return network_from_roads(project.roads_layer(), mode=for_mode,
                                          source=path.name)
            if kind == "osm" and path is not None:
                return network_from_osm(path, mode=for_mode)
            return straight_line_network(mode=for_mode)

        return cls(project.load() if region is None else region, build(mode), mode=mode,
                   year=year, progress=progress,
                   network_factory=build)

    def for_region(self, region: Region, *, year: int | None = None) -> ServiceAccess:
        """Return the same travel-time model applied to another region of the same place —
        e.g. a scenario that opens, closes or moves facilities — in `year` (default: that
        region's latest year with data). Networks are shared."""
        other = ServiceAccess(region, self.network(), mode=self.mode, year=year,
                              progress=self.progress, network_factory=self._factory,
                              readings=self.readings)
        other._networks = self._networks
        return other

    def network(self, mode: str | None = None) -> Network:
        """Return the travel-time model for `mode` (default: this model's mode)."""
        mode = mode or self.mode
        if mode not in self._networks:
            if self._factory is None:
                raise_if_errors([Problem(_("argument {name}").format(name="mode"),
                                         expected=_("{mode} (the only network given)").format(
                                             mode=repr(self.mode)), got=mode,
                                         fix=_("use ServiceAccess.from_project, or pass a "
                                               "network for that mode"))],
                                context="ServiceAccess")
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
        """Return the 院前急救 bases of the readings (`hsplan.plans.readings.ems_bases`):
        open facilities of the network's kinds with a location, with their ``ambulances``."""
        return ems_bases(self.region, year or self.year, self.readings)

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
        if scope is not None and scope not in ("urban", "rural"):
            raise_if_errors([Problem(_("argument {name}").format(name="scope"),
                                     expected=_("urban, rural or None"), got=str(scope))],
                            context=_("service-circle coverage"))
        network = self.network(mode)
        if isinstance(facility, gpd.GeoDataFrame):
            described = _("given facilities")
            n_facs, times = self._frame_times(network, facility.reset_index(drop=True))
        else:
            described = facility_filter(facility).describe()
            n_facs, times = self._selector_times(network, facility, year)
        if scope is not None:
            keep = (self.points["urban_rural"] == scope).to_numpy(dtype=bool, na_value=False)
            times = times[keep]
        times = times.reset_index(drop=True)
        out = coverage(times, minutes=minutes, distance_km=distance_km, combine=combine)
        out.attrs.update({"year": year, "network": network.label,
                          "network_kind": network.kind, "facilities": n_facs,
                          "facility": described, "demand_level": self.demand_level,
                          "scope": scope or "all"})
        return out

    def ambulance_coverage(self, *, year: int | None = None) -> pd.DataFrame:
        """Return, per demand point, coverage by the nearest 院前急救 base under the
        ambulance radius of its class (城镇/农村); columns as `coverage`.

        Notes
        -----
        Bases, radii (minutes, km, 或/且, mode) and the urban/rural class all come from
        `readings` (`Readings.ambulance_circles`, `ems_bases`, `area_classes`) — the same
        reading `hsplan check` uses for the plan's ambulance-radius norms, so the urban and
        rural shares here are the shares of those norms.
        """
        year = year or self.year
        bases = self.ambulance_bases(year=year)
        parts = []
        for scope, circle in self.readings.ambulance_circles().items():
            part = self.coverage(bases, minutes=circle.minutes, distance_km=circle.distance_km,
                                 mode=circle.mode, scope=scope,  # type: ignore[arg-type]
                                 combine=circle.combine, year=year)
            parts.append(part)
        out = pd.concat(parts, ignore_index=True).sort_values("area_code", kind="stable")
        out = out.reset_index(drop=True)
        out.attrs.update(parts[0].attrs)
        out.attrs["scope"] = "all"
        out.attrs["facility"] = _("{n} ambulance bases ({how})").format(
            n=len(bases), how=self.readings.ems.describe())
        out.attrs["readings"] = self.readings.line()
        return out

    def ambulance_shares(self, *, year: int | None = None) -> dict[str, Any]:
        """Return the ambulance-radius coverage in % of the urban, rural and whole
        population (``urban_pct``, ``rural_pct``, ``total_pct``) with the populations
        (``urban_pop``, ``rural_pop``, persons) and the ``year``."""
        from hsplan.access.coverage import coverage_summary

        cov = self.ambulance_coverage(year=year)
        rows = {str(r["code"]): r for r in coverage_summary(cov).to_dict(orient="records")}
        out: dict[str, Any] = {"year": int(cov.attrs.get("year", self.year))}
        for key in ("urban", "rural", "total"):
            row = rows.get(key)
            out[f"{key}_pct"] = float(row["covered_pct"]) if row is not None else None
            out[f"{key}_pop"] = float(row["pop"]) if row is not None else 0.0
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
            problems.append(Problem(_("argument {name}").format(name="supply"),
                                    expected=_("one of {names}").format(
                                        names=", ".join(SUPPLY_COLUMNS)), got=supply))
        if method not in FCA_METHODS:
            problems.append(Problem(_("argument {name}").format(name="method"),
                                    expected=_("one of {names}").format(
                                        names=", ".join(FCA_METHODS)), got=method))
        if not (np.isfinite(max_min) and max_min > 0):
            problems.append(Problem(_("argument {name}").format(name="max_min"),
                                    expected=_("minutes > 0"), got=str(max_min)))
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

    def _selector_times(self, network: Network, facility: FacilitySelector, year: int
                        ) -> tuple[int, pd.DataFrame]:
        """Return the number of facilities a selector picks in `year` and every demand
        point's nearest of them (`_times`), computed once per network, selector and year
        (a point's nearest facility does not depend on the other points, so a scope is a
        subset of these rows). The region's facilities table is part of the key."""
        key = (network.mode, id(network), json.dumps(facility, sort_keys=True,
                                                     ensure_ascii=False, default=str), year)
        facilities = self.region.facilities
        hit = self._times_cache.get(key)
        if hit is None or hit[0] is not facilities:  # held, so its id cannot be reused
            facs = self.facilities(facility, year=year)
            hit = (facilities, self._times(network, self.points, facs), len(facs))
            self._times_cache[key] = hit
        out = hit[1].copy()
        out["urban_rural"] = self.points["urban_rural"].array  # this model's readings
        return hit[2], out

    def _frame_times(self, network: Network, facs: gpd.GeoDataFrame
                     ) -> tuple[int, pd.DataFrame]:
        """Return the number of `facs` (a frame of facilities, e.g. the 院前急救 bases) and
        every demand point's nearest of them, computed once per network and set of
        facilities (their ids and coordinates are the key): the urban and the rural
        ambulance norms ask for the same bases."""
        xy = shapely.get_coordinates(facs.geometry.to_numpy()) if len(facs) else np.zeros(0)
        labels = tuple(tuple(facs[c].astype(str)) for c in ("id", "name") if c in facs)
        key = ("frame", network.mode, id(network), labels, xy.tobytes())
        hit = self._times_cache.get(key)
        if hit is None or hit[0] is not self.region.facilities:
            frames = [k for k in self._times_cache if k[0] == "frame"]
            for old in frames[:max(0, len(frames) - 7)]:  # a siting loop asks many sets
                del self._times_cache[old]
            hit = (self.region.facilities, self._times(network, self.points, facs), len(facs))
            self._times_cache[key] = hit
        out = hit[1].copy()
        out["urban_rural"] = self.points["urban_rural"].array  # this model's readings
        return hit[2], out

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


AMBULANCE_NORMS_MIN = tuple(m for m, _ in AMBULANCE_NORMS.values())

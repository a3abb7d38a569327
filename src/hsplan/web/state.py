"""The project a web app serves, and its results cached per project state.

`ProjectState` opens one project folder and answers the questions the pages and the API
ask — the region, a plan, the evaluation, the norm check, needs, access, tasks, a scenario
comparison, the map layers — by calling the library. Each answer is computed once per
*project state* and reused: the state key is the store file's modification time and size
(plus the project's plan and scenario files), so an import, or any other writer of the
store, makes the next request compute afresh. `invalidate()` drops everything at once
(the import route calls it).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Literal, TypeVar

import geopandas as gpd
import pandas as pd

from hsplan._i18n import _
from hsplan.errors import HsplanError, Problem, ValidationError
from hsplan.plans.plan import Plan, list_plans, load_plan
from hsplan.region.model import Region
from hsplan.region.project import Project

T = TypeVar("T")

ROADS_NAME = "roads.gpkg"
SCENARIO_SUFFIXES = (".yaml", ".yml")


def _file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (path.name, st.st_mtime_ns, st.st_size)


class ProjectState:
    """One served project: its folder, default plan and the cache of computed results.

    `plan` is the plan id or YAML file the pages use when a request names none (default:
    `default_plan_id`).
    """

    #: True for the server's state over a database region (`hsplan.server.pages.DbState`):
    #: no scenario folder, and uploads are only checked (the database is written through
    #: the server's forms and review)
    from_database = False

    def __init__(self, root: str | Path, *, plan: str | None = None) -> None:
        self.project = Project.open(root)
        self._lock = threading.RLock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._cache: dict[Hashable, Any] = {}
        self._cache_state: tuple[Any, ...] | None = None
        self.plan_id = plan if plan is not None else self.default_plan_id()
        self.computed = 0  # how many results were computed (not served from the cache)
        self.import_lock = threading.Lock()  # one import at a time

    # --- state and cache -------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.project.root

    def state_key(self) -> tuple[Any, ...]:
        """Return the key of the project's current state: store, roads, plans, scenarios."""
        root = self.project.root
        extra = sorted(p for folder in (self.project.plans_dir, self.scenarios_dir)
                       if folder.is_dir() for p in folder.iterdir() if p.is_file())
        return (_file_key(self.project.store_path), _file_key(root / ROADS_NAME),
                _file_key(self.project.config_path), *(_file_key(p) for p in extra))

    def invalidate(self) -> None:
        """Forget every cached result (the next request computes from the files)."""
        with self._lock:
            self._cache.clear()
            self._key_locks.clear()
            self._cache_state = None

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the result stored under `key` for the current project state, computing it
        (once, even under concurrent requests) when absent."""
        state = self.state_key()
        with self._lock:
            if state != self._cache_state:
                self._cache.clear()
                self._key_locks.clear()
                self._cache_state = state
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache and self._cache_state == state:
                    return self._cache[key]  # type: ignore[no-any-return]
            value = compute()
            self.computed += 1
            with self._lock:
                if self._cache_state == state:
                    self._cache[key] = value
            return value

    # --- the project's data ------------------------------------------------------------------

    def region(self) -> Region:
        """Return the project's region (loaded once per state)."""
        return self.cached("region", self.project.load)

    def facilities_outside(self) -> pd.DataFrame | None:
        """Return the facilities of the project that this state's region leaves out (the
        server's user sees a part of the county), or None when the region is the whole
        project: a plan institution bound to one of them is outside the user's scope, not
        unmatched."""
        return None

    def years(self) -> list[int]:
        return list(self.region().years)

    def latest_year(self) -> int | None:
        years = self.years()
        return years[-1] if years else None

    def synthetic(self) -> bool:
        return bool(self.region().synthetic or self.project.synthetic)

    def default_plan_id(self) -> str:
        """Return the plan the pages show by default: a project plan for the project's
        county, else a built-in plan for it, else the first project plan, else
        ``national-norms``."""
        infos = list_plans(self.project)
        code = self.project.county_code
        valid = [i for i in infos if not i.problems]
        for origin in ("project", "built-in"):
            for info in valid:
                if info.origin == origin and code and _plan_region_code(info) == code:
                    return info.id if origin == "built-in" else info.path
        project_plans = [i for i in valid if i.origin == "project"]
        return project_plans[0].path if project_plans else "national-norms"

    def plan(self, plan: str | None = None) -> Plan:
        """Return the plan `plan` (id or file; default the served plan), loaded once."""
        name = plan or self.plan_id
        return self.cached(("plan", name), lambda: load_plan(name, project=self.project))

    def plans(self) -> list[dict[str, Any]]:
        return self.cached("plans", lambda: [i.to_dict() for i in list_plans(self.project)])

    # --- results -----------------------------------------------------------------------------

    def evaluation(self, plan: str | None = None, *, year: int | None = None,
                   level: str = "county") -> pd.DataFrame:
        """Return `hsplan.evaluation.targets.evaluate` of the region against the plan."""
        from hsplan.evaluation.targets import evaluate

        loaded = self.plan(plan)
        return self.cached(("evaluate", loaded.id, year, level),
                           lambda: evaluate(self.region(), loaded, year=year, level=level))

    def access(self) -> Any:
        """Return the project's `ServiceAccess` (its roads, else the straight-line model)."""
        from hsplan.access.service import ServiceAccess

        return self.cached("access", lambda: ServiceAccess.from_project(self.project))

    def norms(self, plan: str | None = None, *, year: int | None = None) -> Any:
        """Return `hsplan.evaluation.norms.check` of the region (travel times included)."""
        from hsplan.evaluation.norms import check

        loaded = self.plan(plan)
        return self.cached(("norms", loaded.id, year),
                           lambda: check(self.region(), loaded, year=year,
                                         access=self.access()))

    def needs(self, plan: str | None = None, *, year: int | None = None,
              method: Literal["cohort", "growth"] = "cohort") -> Any:
        """Return `hsplan.demand.needs.needs` by `year` (default the plan's end year)."""
        from hsplan.demand.needs import load_assumptions, needs

        loaded = self.plan(plan)
        when = year if year is not None else loaded.period_end
        return self.cached(("needs", loaded.id, when, method),
                           lambda: needs(self.region(), loaded, year=when,
                                         assumptions=load_assumptions(None), method=method))

    def coverage(self, *, subtype: str | None = None, category: str | None = None,
                 minutes: float = 15.0) -> pd.DataFrame:
        """Return `ServiceAccess.coverage` per demand point for a kind of facility within
        `minutes` (default 基层医疗卫生机构 within 15 minutes)."""
        selector = _selector(subtype, category)
        key = ("coverage", subtype, category, float(minutes))
        return self.cached(key, lambda: self.access().coverage(selector, minutes=minutes))

    def service_area(self, *, subtype: str | None = None, category: str | None = None,
                     minutes: float = 15.0) -> dict[str, Any]:
        """Return the service circle — the `ServiceAccess.isochrones` polygon of the same
        facilities within `minutes` on the roads — as GeoJSON (WGS84)."""
        selector = _selector(subtype, category)
        key = ("service_area", subtype, category, float(minutes))
        return self.cached(key, lambda: _geojson(self.access().isochrones(
            selector, [minutes])))

    def tasks(self, plan: str | None = None, *, as_of: dt.date) -> tuple[pd.DataFrame,
                                                                         pd.DataFrame]:
        """Return (task status, by department) as of a date, from the store's progress."""
        from hsplan.evaluation.tasks import by_department, task_status

        loaded = self.plan(plan)

        def compute() -> tuple[pd.DataFrame, pd.DataFrame]:
            status = task_status(loaded, self.region().progress, as_of=as_of)
            return status, by_department(loaded, status)

        return self.cached(("tasks", loaded.id, as_of.isoformat()), compute)

    # --- scenarios ---------------------------------------------------------------------------

    @property
    def scenarios_dir(self) -> Path:
        return self.project.root / "scenarios"

    def scenario_files(self) -> list[str]:
        """Return the scenario file names in PROJECT/scenarios (sorted)."""
        folder = self.scenarios_dir
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir()
                      if p.is_file() and p.suffix in SCENARIO_SUFFIXES)

    def scenario_path(self, name: str) -> Path:
        """Return the path of scenario file `name`; raise a located error when it is not
        one of the project's scenario files."""
        files = self.scenario_files()
        if name not in files:
            raise ValidationError([Problem(
                _("scenario"), file=name, expected=_("a file in PROJECT/scenarios: {files}")
                .format(files=", ".join(files) or _("(none)")), got=name,
                fix=_("pick one of the listed files, or add the YAML file to the project's "
                      "scenarios folder"))], context=_("scenario"))
        return self.scenarios_dir / name

    def comparison(self, name: str, plan: str | None = None, *,
                   year: int | None = None) -> Any:
        """Return `hsplan.scenarios.scenario.compare` of scenario file `name`."""
        from hsplan.scenarios.scenario import compare, load_scenario

        path = self.scenario_path(name)
        loaded = self.plan(plan)
        return self.cached(("compare", name, loaded.id, year),
                           lambda: compare(self.region(), load_scenario(path), loaded,
                                           year=year, access=self.access()))

    # --- map layers --------------------------------------------------------------------------

    def layer(self, name: str, *, year: int | None = None) -> dict[str, Any]:
        """Return a map layer as a GeoJSON FeatureCollection in WGS84: ``townships``,
        ``villages``, ``county``, ``facilities`` (open in the year) or ``roads``."""
        return self.cached(("layer", name, year), lambda: self._layer(name, year))

    def _layer(self, name: str, year: int | None) -> dict[str, Any]:
        region = self.region()
        if name in ("county", "townships", "villages"):
            level = {"county": "county", "townships": "township", "villages": "village"}[name]
            areas = region.areas
            frame = areas[areas["level"] == level][
                ["code", "name", "parent_code", "urban_rural", "area_km2", "geometry"]]
            return _geojson(frame)
        if name == "facilities":
            when = year if year is not None else self.latest_year()
            facs = region.facilities
            if when is not None:
                opened = facs["opened"].isna() | (facs["opened"] <= when)
                closed = facs["closed"].isna() | (facs["closed"] > when)
                facs = facs[(opened & closed).fillna(True).astype(bool)]
            facs = facs[facs.geometry.notna()]
            res = region.resources
            if when is not None and not res.empty:
                beds = res[res["year"] == when].groupby("facility_id")["beds"].sum()
                facs = facs.assign(beds=facs["id"].map(beds))
            cols = [c for c in ("id", "name", "subtype", "category", "ownership", "grade",
                                "area_code", "beds", "geometry") if c in facs.columns]
            return _geojson(facs[cols])
        if name == "roads":
            path = self.project.root / ROADS_NAME
            if not path.exists():
                return {"type": "FeatureCollection", "features": []}
            roads = gpd.read_file(path, layer="roads")
            keep = [c for c in ("highway", "name", "geometry") if c in roads.columns]
            return _geojson(roads[keep].to_crs(4326))
        raise HsplanError(_("map layer {name}: expected one of {layers}. Fix: ask for "
                            "{example}.").format(name=repr(name), layers=", ".join(LAYERS),
                                                 example="/api/v1/geo/townships"))


def _selector(subtype: str | None, category: str | None) -> dict[str, Any]:
    selector: dict[str, Any] = {}
    if subtype:
        selector["subtype"] = [subtype]
    if category:
        selector["category"] = [category]
    return selector or {"category": ["基层医疗卫生机构"]}


LAYERS = ("county", "townships", "villages", "facilities", "roads")


def _plan_region_code(info: Any) -> str | None:
    try:
        return load_plan(info.path).region_code if info.origin == "project" else \
            load_plan(info.id).region_code
    except HsplanError:
        return None


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    frame = frame[frame.geometry.notna()]
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return json.loads(frame.to_json(na="null", drop_id=True))  # type: ignore[no-any-return]

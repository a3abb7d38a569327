"""Siting on a project: demand points, existing and candidate sites, the travel-time cost
matrix, and what a result means for the planner — the sites table, the villages still
outside, GeoPackage layers, and the scenario a result implies (``docs/scenarios.md``).

Demand points are `ServiceAccess.points` (villages with their 常住人口 in the year).
Existing sites are the facilities a plan-style selector picks (`facility_filter`).
Candidates come from a planner's list (xlsx/csv with lon/lat in WGS84, GCJ-02 or BD-09) or
are generated: village seats (``villages``), township seats (``townships``), a grid inside
the region (``grid``) or existing facilities of other kinds to upgrade (``upgrade``).
Costs are travel minutes over the project's travel-time model (`od_matrix`, with a cut-off
for covering models), named in every output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from hsplan._i18n import _, language
from hsplan.access.service import (
    FacilitySelector,
    ServiceAccess,
    facility_filter,
)
from hsplan.access.siting._base import PerSite, SitingData, SitingResult, _few, siting_data
from hsplan.access.traveltimes import od_matrix
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.coords import crs_name, to_wgs84
from hsplan.region.model import WGS84

CANDIDATE_KINDS = ("villages", "townships", "grid", "upgrade")
#: columns of a planner's candidate list: id → accepted headers
CANDIDATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "候选点编号"), "name": ("name", "名称", "候选点名称"),
    "lon": ("lon", "经度"), "lat": ("lat", "纬度"), "crs": ("crs", "坐标系"),
    "area_code": ("area_code", "区划代码"), "cost": ("cost", "建设成本"),
    "capacity": ("capacity", "服务能力", "服务人口"),
}


@dataclass
class SitingProblem:
    """A project's siting instance: the access model, the demand points, the sites
    (existing and candidate, WGS84 points with ``id``, ``name``, ``kind`` (existing /
    candidate), ``area_code``, ``township_name``, ``upgrades``), the checked data
    (minutes), the standard per point and the words for outputs."""

    access: ServiceAccess
    sites: gpd.GeoDataFrame
    data: SitingData
    minutes: npt.NDArray[np.float64] | None
    facility: str
    candidates: str
    network: str
    notes: list[str] = field(default_factory=list)
    #: the 0/1 coverage (demand × sites) when it is not "cost ≤ minutes": the ambulance
    #: circles of the plan's readings (minutes 或/且 kilometres along the route)
    covers: sp.csr_matrix | None = None
    #: the readings line (``Readings.line``) when the plan's readings decided the problem
    readings: str = ""


def _site_frame(rows: dict[str, Any], geometry: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=WGS84)


def generated_candidates(sa: ServiceAccess, kind: str, *, grid_km: float = 3.0,
                         upgrade: FacilitySelector | None = None,
                         skip: FacilitySelector | None = None) -> gpd.GeoDataFrame:
    """Return generated candidate sites (WGS84 points): ``villages`` (each demand point's
    seat), ``townships`` (a representative point of each township polygon, or its first
    village), ``grid`` (a `grid_km` grid inside the townships) or ``upgrade`` (existing
    facilities picked by `upgrade`, default every facility not picked by `skip`)."""
    if kind not in CANDIDATE_KINDS:
        raise_if_errors([Problem(_("candidates"), expected=_(" or ").join(CANDIDATE_KINDS),
                                 got=str(kind), fix=_("or give a file of candidate sites"))],
                        context=_("siting"))
    pts = sa.points
    areas = sa.region.areas
    towns = areas[(areas["level"] == "township") & areas.geometry.notna()]
    if kind == "villages":
        return _site_frame({"id": ["C" + str(c) for c in pts["area_code"]],
                            "name": pts["name"].astype(str).to_numpy(),
                            "area_code": pts["area_code"].astype(str).to_numpy(),
                            "township_name": pts["township_name"].astype(str).to_numpy(),
                            "upgrades": None}, pts.geometry.to_numpy())
    if kind == "townships":
        geom = towns.to_crs(WGS84).geometry.representative_point()
        return _site_frame({"id": ["T" + str(c) for c in towns["code"]],
                            "name": [_("{township} seat").format(township=n)
                                     for n in towns["name"].astype(str)],
                            "area_code": towns["code"].astype(str).to_numpy(),
                            "township_name": towns["name"].astype(str).to_numpy(),
                            "upgrades": None}, geom.to_numpy())
    if kind == "grid":
        crs = pts.estimate_utm_crs()
        polys = towns.to_crs(crs)
        minx, miny, maxx, maxy = polys.total_bounds
        step = float(grid_km) * 1000.0
        xs, ys = np.meshgrid(np.arange(minx + step / 2, maxx, step),
                             np.arange(miny + step / 2, maxy, step))
        grid = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=crs)
        hit = gpd.sjoin(grid, polys[["code", "name", "geometry"]], predicate="within")
        hit = hit[~hit.index.duplicated()]
        return _site_frame({"id": [f"G{i:05d}" for i in range(len(hit))],
                            "name": [_("{township} grid point {n}").format(township=t, n=i + 1)
                                     for i, t in enumerate(hit["name"])],
                            "area_code": hit["code"].astype(str).to_numpy(),
                            "township_name": hit["name"].astype(str).to_numpy(),
                            "upgrades": None}, hit.to_crs(WGS84).geometry.to_numpy())
    facs = sa.facilities(upgrade) if upgrade is not None else sa.facilities(None)
    if upgrade is None and skip is not None:
        facs = facs[~facility_filter(skip).mask(facs).to_numpy()]
    town_of = _township_names(sa, facs["area_code"].astype(str))
    return _site_frame({"id": ["U" + str(i) for i in facs["id"]],
                        "name": facs["name"].astype(str).to_numpy(),
                        "area_code": facs["area_code"].astype(str).to_numpy(),
                        "township_name": town_of, "upgrades": facs["id"].astype(str).to_numpy()},
                       facs.geometry.to_numpy())


def _township_names(sa: ServiceAccess, codes: pd.Series) -> list[str]:
    areas = sa.region.areas
    name = dict(zip(areas["code"].astype(str), areas["name"].astype(str), strict=True))
    parent = dict(zip(areas["code"].astype(str), areas["parent_code"].astype(str),
                      strict=True))
    level = dict(zip(areas["code"].astype(str), areas["level"].astype(str), strict=True))
    out = []
    for c in codes:
        town = c if level.get(c) == "township" else parent.get(c, c)
        out.append(name.get(town, ""))
    return out


def candidates_from_file(path: str | Path, sa: ServiceAccess, *,
                         crs: str = "WGS84") -> gpd.GeoDataFrame:
    """Return the candidate sites of a planner's list (.xlsx or .csv) with columns
    编号/id, 名称/name, 经度/lon, 纬度/lat and optional 坐标系/crs (WGS84, GCJ-02, BD-09;
    default `crs`), 区划代码/area_code (default: the township the point lies in),
    建设成本/cost and 服务能力/capacity (persons). Every bad row is reported at once."""
    path = Path(path)
    file = path.name
    try:
        raw = pd.read_excel(path, dtype=object) if path.suffix.lower() in (".xlsx", ".xlsm") \
            else pd.read_csv(path, dtype=object, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise_if_errors([Problem(_("candidate sites: the file cannot be read"), file=file,
                                 expected=_("an .xlsx or .csv table"), got=str(exc))],
                        context=_("candidate sites"))
        raise AssertionError from exc  # unreachable
    header = {str(h).strip(): h for h in raw.columns}
    cols: dict[str, Any] = {}
    for key, names in CANDIDATE_COLUMNS.items():
        for n in names:
            if n in header:
                cols[key] = header[n]
                break
    problems = [Problem(_("candidate sites: missing column"), file=file, column=key,
                        expected=_(" or ").join(CANDIDATE_COLUMNS[key]),
                        got=_("no such column"))
                for key in ("id", "name", "lon", "lat") if key not in cols]
    raise_if_errors(problems, context=_("candidate sites"))
    default = crs_name(crs)
    ids: list[str] = []
    labels: list[str] = []
    lons: list[float] = []
    lats: list[float] = []
    codes: list[str] = []
    costs: list[float] = []
    caps: list[float] = []
    area_codes = set(sa.region.areas["code"].astype(str))
    for i, row in raw.iterrows():
        line = int(str(i)) + 2
        ident = str(row[cols["id"]]).strip()
        if not ident or ident == "nan":
            problems.append(Problem(_("candidate sites: empty id"), file=file, row=line,
                                    column=str(cols["id"]), expected=_("an id")))
        if ident in ids:
            problems.append(Problem(_("candidate sites: duplicate id"), file=file, row=line,
                                    column=str(cols["id"]), expected=_("unique ids"),
                                    got=ident))
        try:
            lon, lat = float(row[cols["lon"]]), float(row[cols["lat"]])
            if not (70 <= lon <= 140 and 0 <= lat <= 60):
                raise ValueError
            row_crs = str(row[cols["crs"]]).strip() if "crs" in cols and \
                pd.notna(row[cols["crs"]]) else default
            lon, lat = (float(v) for v in to_wgs84(lon, lat, crs_name(row_crs)))
        except (TypeError, ValueError):
            problems.append(Problem(_("candidate sites: bad coordinates"), file=file, row=line,
                                    column=f"{cols['lon']}/{cols['lat']}",
                                    expected=_("lon 70–140 and lat 0–60 degrees (China)"),
                                    got=f"{row[cols['lon']]}, {row[cols['lat']]}"))
            lon = lat = float("nan")
        code = str(row[cols["area_code"]]).strip() if "area_code" in cols and \
            pd.notna(row[cols["area_code"]]) else ""
        if code and code not in area_codes:
            problems.append(Problem(_("candidate sites: unknown area"), file=file, row=line,
                                    column=str(cols["area_code"]),
                                    expected=_("an area code of the project"), got=code))
        for key, store in (("cost", costs), ("capacity", caps)):
            num = float("nan")
            value = row[cols[key]] if key in cols else None
            try:
                if value is not None and pd.notna(value):
                    num = float(str(value))
                if num < 0:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(Problem(_("candidate sites: bad {column}").format(
                                            column=key), file=file, row=line, column=str(cols[key]),
                                        expected=_("a number ≥ 0"),
                                        got=str(value)))
                num = float("nan")
            store.append(num)
        ids.append(ident)
        labels.append(str(row[cols["name"]]))
        lons.append(lon)
        lats.append(lat)
        codes.append(code)
    raise_if_errors(problems, context=f"candidate sites {file}")
    geom = gpd.points_from_xy(lons, lats, crs=WGS84)
    frame = gpd.GeoDataFrame({"id": ids, "name": labels, "area_code": codes, "cost": costs,
                              "capacity": caps, "upgrades": None}, geometry=geom, crs=WGS84)
    towns = sa.region.areas[sa.region.areas["level"] == "township"].to_crs(WGS84)
    hit = gpd.sjoin(frame[["geometry"]], towns[["code", "geometry"]], predicate="within")
    hit = hit[~hit.index.duplicated()]["code"].astype(str)
    county = str(sa.region.meta.get("county_code", ""))
    frame["area_code"] = [c or hit.get(i, county) for i, c in zip(frame.index, codes,
                                                                  strict=True)]
    frame["township_name"] = _township_names(sa, frame["area_code"])
    return frame


def siting_problem(sa: ServiceAccess, facility: FacilitySelector | None, *,
                   minutes: float | npt.ArrayLike | None = 15.0, ambulance: bool = False,
                   candidates: str | Path | gpd.GeoDataFrame = "villages",
                   mode: str = "drive", exclude: Sequence[str] = (),
                   capacity: PerSite = None, existing_capacity: float | None = None,
                   grid_km: float = 3.0, cutoff_min: float | None = None,
                   crs: str = "WGS84") -> SitingProblem:
    """Return the siting instance of a project: demand points with population, the
    existing facilities of the kind (fixed open), the candidate sites and the travel
    minutes between them (pairs within the cut-off: the largest standard for covering
    models, `cutoff_min` or none for median/centre models).

    `ambulance` reads the problem from the plan's readings laid on `sa`
    (`ServiceAccess.with_readings`; the national defaults when none): the existing sites
    are its 院前急救 bases (`ServiceAccess.ambulance_bases`) unless `facility` is given,
    and a site covers a village when the village's ambulance circle (`Readings.
    ambulance_circles` by its 城镇/农村 class: minutes and/or kilometres along the route,
    或/且, mode) holds for that site alone — the test `hsplan check` applies to the
    plan's ambulance-radius norms. A candidate file's ``capacity`` and ``cost`` columns
    become the per-site capacity and opening cost; `existing_capacity` is the capacity of
    every existing facility (persons)."""
    if ambulance and facility is None:
        existing = sa.ambulance_bases()
        described = _("ambulance bases ({bases})").format(
            bases=sa.readings.ems.describe())
    else:
        if facility is None:
            raise_if_errors([Problem(_("siting: facility"), expected=_(
                "a facility selector, e.g. 乡镇卫生院 (or ambulance=True for the 院前急救 "
                "bases)"), got=_("none"))], context=_("siting"))
            raise AssertionError  # unreachable: raise_if_errors raised
        existing = sa.facilities(facility)
        sep = ", " if language() == "en" else "、"
        described = (sep.join(facility) if isinstance(facility, list | tuple)
                     and all(isinstance(f, str) for f in facility)
                     else facility if isinstance(facility, str)
                     else facility_filter(facility).describe())
    if isinstance(candidates, gpd.GeoDataFrame):
        cand, label = candidates.copy(), "given sites"
    elif isinstance(candidates, Path) or (isinstance(candidates, str)
                                          and candidates not in CANDIDATE_KINDS):
        cand, label = candidates_from_file(candidates, sa, crs=crs), Path(candidates).name
    else:
        skip: FacilitySelector | None = facility
        if skip is None:  # the 院前急救 bases: upgrade candidates are the other facilities
            skip = {"id": existing["id"].astype(str).tolist()}
        cand = generated_candidates(sa, str(candidates), grid_km=grid_km, skip=skip)
        label = str(candidates)
    ex = _site_frame({"id": existing["id"].astype(str).to_numpy(),
                      "name": existing["name"].astype(str).to_numpy(),
                      "area_code": existing["area_code"].astype(str).to_numpy(),
                      "township_name": _township_names(sa, existing["area_code"].astype(str)),
                      "upgrades": None}, existing.geometry.to_numpy())
    ex["kind"] = "existing"
    cand["kind"] = "candidate"
    clash = sorted(set(cand["id"].astype(str)) & set(ex["id"]))
    problems = [Problem(_("candidate sites: ids already used by existing facilities"),
                        expected=_("new ids"), got=_few(clash))] if clash else []
    raise_if_errors(problems, context=_("siting"))
    sites = gpd.GeoDataFrame(pd.concat([ex, cand], ignore_index=True), geometry="geometry",
                             crs=WGS84)
    points = sa.points
    per_point: npt.NDArray[np.float64] | None
    covers: sp.csr_matrix | None = None
    network = sa.network(mode)
    if ambulance:
        per_point, cost, covers, label_net = _ambulance_pairs(sa, sites)
        network_label = label_net
    else:
        if minutes is not None:
            per_point = np.broadcast_to(np.asarray(minutes, dtype=float),
                                        (len(points),)).astype(float)
        else:
            per_point = None
        cutoff = float(per_point.max()) if per_point is not None and len(per_point) \
            else cutoff_min
        cost = od_matrix(network, points.geometry, sites.geometry, cutoff_min=cutoff,
                         output="sparse", progress=sa.progress)
        network_label = network.label
    cap: Any = capacity
    if cap is None and (("capacity" in cand and cand["capacity"].notna().any())
                        or existing_capacity is not None):
        caps = np.r_[np.full(len(ex), np.nan if existing_capacity is None
                             else float(existing_capacity)),
                     cand["capacity"].to_numpy(dtype=float) if "capacity" in cand
                     else np.full(len(cand), np.nan)]
        cap = caps
    site_cost = None
    if "cost" in cand and cand["cost"].notna().any():
        site_cost = np.r_[np.zeros(len(ex)), cand["cost"].fillna(1.0).to_numpy(dtype=float)]
    data = siting_data(cost, points["pop"].to_numpy(dtype=float),
                       demand_ids=points["area_code"].astype(str).tolist(),
                       site_ids=sites["id"].astype(str).tolist(),
                       existing=ex["id"].tolist(), exclude=[str(e) for e in exclude],
                       site_cost=site_cost, capacity=cap, unit="min", context=_("siting"))
    return SitingProblem(access=sa, sites=sites, data=data, minutes=per_point,
                         facility=described, candidates=label, network=network_label,
                         covers=covers, readings=sa.readings.line() if ambulance else "")


def _ambulance_pairs(sa: ServiceAccess, sites: gpd.GeoDataFrame
                     ) -> tuple[npt.NDArray[np.float64], sp.csr_matrix, sp.csr_matrix, str]:
    """Return, for the ambulance circles of `sa`'s readings, the standard minutes per
    village (NaN when its circle has none), the travel minutes of the pairs kept (within
    the largest standard, or covered) and the 0/1 coverage: site j covers village i when
    the circle of i's class holds with j as the only base (`ServiceAccess.coverage` on
    that one site — the computation of the plan's norms)."""
    points = sa.points
    n, m = len(points), len(sites)
    circles = sa.readings.ambulance_circles()
    ur = points["urban_rural"].fillna("urban").astype(str).to_numpy()
    per_point = np.full(n, np.nan)
    for scope, circle in circles.items():
        if circle.minutes is not None:
            per_point[ur == scope] = circle.minutes
    cutoff = float(np.nanmax(per_point)) if np.isfinite(per_point).any() else np.inf
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    vals: list[npt.NDArray[np.float64]] = []
    hit: list[npt.NDArray[np.bool_]] = []
    labels: set[str] = set()
    for j in range(m):
        one = sites.iloc[[j]]
        for scope, circle in circles.items():
            mask = ur == scope
            if not mask.any():
                continue
            cov = sa.coverage(one, minutes=circle.minutes, distance_km=circle.distance_km,
                              mode=circle.mode, scope=scope,  # type: ignore[arg-type]
                              combine=circle.combine)
            labels.add(str(cov.attrs.get("network", "")))
            idx = np.flatnonzero(mask)
            t = cov["travel_min"].to_numpy(dtype=float)
            covered = cov["covered"].to_numpy(dtype=bool)
            keep = np.isfinite(t) & (covered | (t <= cutoff))
            rows.append(idx[keep])
            cols.append(np.full(int(keep.sum()), j, dtype=np.int64))
            vals.append(t[keep])
            hit.append(covered[keep])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    v = np.concatenate(vals) if vals else np.zeros(0)
    h = np.concatenate(hit) if hit else np.zeros(0, dtype=bool)
    cost = sp.csr_matrix((v, (r, c)), shape=(n, m))
    covers = sp.csr_matrix((np.ones(int(h.sum())), (r[h], c[h])), shape=(n, m))
    return per_point, cost, covers, "；".join(sorted(labels))


# --- what a result means ------------------------------------------------------------------


def sites_table(result: SitingResult, problem: SitingProblem) -> pd.DataFrame:
    """Return one row per new site: ``site_id``, ``name``, ``township_name``,
    ``area_code``, ``lon``, ``lat`` (WGS84), ``upgrades`` (the facility it replaces),
    ``points_new`` and ``pop_new`` (villages and persons it newly brings within the
    standard), ``points_assigned`` and ``pop_assigned`` (demand it serves)."""
    frame = result.sites_frame()
    info = problem.sites.set_index("id")
    frame = frame.rename(columns={"weight_new": "pop_new", "weight_assigned": "pop_assigned"})
    sel = info.loc[frame["site_id"]]
    frame.insert(1, "name", sel["name"].to_numpy())
    frame.insert(2, "township_name", sel["township_name"].to_numpy())
    frame.insert(3, "area_code", sel["area_code"].to_numpy())
    frame.insert(4, "lon", sel.geometry.x.round(6).to_numpy())
    frame.insert(5, "lat", sel.geometry.y.round(6).to_numpy())
    frame.insert(6, "upgrades", sel["upgrades"].to_numpy())
    return frame


def outside_table(result: SitingResult, problem: SitingProblem) -> pd.DataFrame:
    """Return the demand points still outside the standard after the new sites:
    ``area_code``, ``name``, ``township_name``, ``urban_rural``, ``pop``, ``travel_min``
    (to the nearest open site; inf when none within the cut-off), ``standard_min``."""
    a = result.assignments
    if "covered_after" not in a:
        return a.iloc[0:0]
    pts = problem.access.points.reset_index(drop=True)
    out = pts.loc[~a["covered_after"].to_numpy(), ["area_code", "name", "township_name",
                                                  "urban_rural", "pop"]].copy()
    out["travel_min"] = a.loc[out.index, "cost"].to_numpy()
    out["standard_min"] = problem.minutes[out.index] if problem.minutes is not None \
        else np.nan
    return pd.DataFrame(out).sort_values("pop", ascending=False).reset_index(drop=True)


def ambulance_norm_check(result: SitingResult, problem: SitingProblem) -> pd.DataFrame:
    """Return, for an ambulance problem (``ambulance=True``), the villages the model counts
    as covered after the new sites that the plan's norm does not: the norm judges each
    village by its *nearest* open base by travel time (`ServiceAccess.ambulance_coverage`),
    the model by any open base that meets the circle. They differ only where a circle has
    a distance limit and the nearest base by time is farther along its route than another
    base. Columns ``area_code``, ``name``, ``township_name``, ``urban_rural``, ``pop``,
    ``travel_min``, ``dist_m``; empty when they agree (or the problem has no circles)."""
    sa = problem.access
    pts = sa.points.reset_index(drop=True)
    columns = ["area_code", "name", "township_name", "urban_rural", "pop", "travel_min",
               "dist_m"]
    if problem.covers is None or "covered_after" not in result.assignments:
        return pd.DataFrame(columns=columns)
    opened = problem.sites[problem.sites["id"].isin(set(result.open_sites))]
    parts = [sa.coverage(opened, minutes=c.minutes, distance_km=c.distance_km, mode=c.mode,
                         scope=scope, combine=c.combine)  # type: ignore[arg-type]
             for scope, c in sa.readings.ambulance_circles().items()
             if (pts["urban_rural"] == scope).any()]
    norm = pd.concat(parts, ignore_index=True)
    ok = dict(zip(norm["area_code"].astype(str), norm["covered"].astype(bool), strict=True))
    model = result.assignments["covered_after"].to_numpy(dtype=bool)
    differ = np.array([m and not ok.get(str(c), False)
                       for m, c in zip(model, pts["area_code"], strict=True)], dtype=bool)
    out = norm.set_index(norm["area_code"].astype(str))
    codes = pts.loc[differ, "area_code"].astype(str)
    return out.loc[codes, [c for c in columns if c in out]].reset_index(drop=True)


def siting_layers(result: SitingResult, problem: SitingProblem) -> dict[str, gpd.GeoDataFrame]:
    """Return the GeoPackage layers of a result: ``demand_points`` (per village: pop,
    travel_min, covered_before, covered_after, site_id, new_site) and ``sites`` (existing
    and new sites with ``status`` existing / new, and the unchosen candidates)."""
    pts = problem.access.points.reset_index(drop=True)
    a = result.assignments
    layer = gpd.GeoDataFrame(pts[["area_code", "name", "township_name", "urban_rural",
                                  "pop"]].copy(), geometry=pts.geometry.to_numpy(), crs=WGS84)
    layer["travel_min"] = a["cost"].where(np.isfinite(a["cost"])).to_numpy()
    for col in ("covered_before", "covered_after", "site_id", "new_site"):
        if col in a:
            layer[col] = a[col].to_numpy()
    sites = problem.sites.copy()
    chosen = set(result.sites)
    sites["status"] = np.where(sites["kind"] == "existing", "existing",
                               np.where(sites["id"].isin(chosen), "new", "candidate"))
    sites = sites.drop(columns=["kind"])
    sites["upgrades"] = sites["upgrades"].astype("string")
    return {"demand_points": layer, "sites": gpd.GeoDataFrame(sites, geometry="geometry",
                                                              crs=WGS84)}


def _short(name: str) -> str:
    for suffix in ("居民委员会", "村民委员会", "委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def scenario_from_result(result: SitingResult, problem: SitingProblem, *, subtype: str,
                         scenario_id: str, title: str | None = None,
                         resources: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Return the scenario (``docs/scenarios.md``) that opens the new sites as facilities
    of `subtype` from the access year: one ``open`` per site (WGS84), preceded by a
    ``close`` of the facility an upgrade replaces. `hsplan compare` and `hsplan report`
    read it as YAML."""
    year = problem.access.year
    table = sites_table(result, problem)
    changes: list[dict[str, Any]] = []
    for row in table.itertuples(index=False):
        if isinstance(row.upgrades, str) and row.upgrades:
            changes.append({"op": "close", "facility": row.upgrades, "from": year,
                            "note": f"升级为{subtype} upgraded to {subtype}"})
        entry: dict[str, Any] = {
            "op": "open", "name": f"{_short(str(row.name))}{subtype}（选址）", "subtype": subtype,
            "area_code": str(row.area_code), "lon": float(str(row.lon)),
            "lat": float(str(row.lat)),
            "crs": "WGS84", "from": year,
            "note": f"{result.model} 选址 site {row.site_id}: newly covers "
                    f"{row.pop_new:,.0f} persons in {row.points_new} villages"}
        if resources:
            entry["resources"] = dict(resources)
        changes.append(entry)
    words = {"mclp": "最大覆盖", "lscp": "全覆盖最少站点", "lscp-b": "备份覆盖",
             "p-median": "总行程最小", "p-center": "最远行程最小",
             "facility-location": "设施选址"}
    title = title or (f"{words.get(result.model, result.model)}选址：新增{len(result.sites)}个"
                      f"{subtype}")
    description = (f"hsplan site, model {result.model}, {problem.facility}, candidates "
                   f"{problem.candidates}, travel-time model {problem.network}; status "
                   f"{result.status}, objective {result.objective:,.4f}, gap {result.gap:.4%}")
    region_code = problem.access.region.meta.get("county_code")
    doc: dict[str, Any] = {"id": scenario_id, "title": title, "description": description}
    if region_code:
        doc["region"] = str(region_code)
    doc.update({"year": year, "changes": changes})
    return doc

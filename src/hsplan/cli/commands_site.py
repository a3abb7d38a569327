"""`hsplan site`: where new facilities should go — a thin command over
`hsplan.access.siting` that prints the chosen sites and the villages still outside and
writes a CSV, a GeoPackage, a map and the scenario `hsplan compare` reads."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hsplan._i18n import _, language
from hsplan.cli._app import PANEL_ACCESS, app, console
from hsplan.cli._output import FrameFormat, print_frame, synthetic_banner
from hsplan.errors import Problem, raise_if_errors

if TYPE_CHECKING:
    import pandas as pd

    from hsplan.access.service import ServiceAccess
    from hsplan.access.siting import SitingResult
    from hsplan.access.siting._base import SitingData
    from hsplan.access.siting.project import SitingProblem
    from hsplan.region.project import Project


class Model(StrEnum):
    mclp = "mclp"
    lscp = "lscp"
    lscp_b = "lscp-b"
    p_median = "p-median"
    p_center = "p-center"


class Method(StrEnum):
    auto = "auto"
    exact = "exact"
    greedy = "greedy"


def _sites_headers() -> dict[str, str]:
    """Return the headers of the new-sites table, in the language."""
    return {"site_id": _("no."), "name": _("name"), "township_name": _("township"),
            "upgrades": _("facility upgraded"), "points_new": _("villages newly covered"),
            "pop_new": _("population newly covered"), "points_assigned": _("villages served"),
            "pop_assigned": _("population served")}


def _outside_headers() -> dict[str, str]:
    """Return the headers of the villages-still-outside table, in the language."""
    return {"name": _("village"), "township_name": _("township"),
            "urban_rural": _("urban or rural"), "pop": _("population"),
            "travel_min": _("nearest travel (min)"), "standard_min": _("standard (min)")}


AMBULANCE_SUBTYPES = ("急救中心", "急救站")


def _problem(model: Any) -> SitingProblem:

    problem: SitingProblem = model.meta["problem"]
    return problem


def _solve(model_kind: Model, sa: ServiceAccess, facility: list[str] | None, *,
           add: int | None,
           minutes: float | None, ambulance: bool, candidates: str | Path, mode: str,
           exclude: list[str], capacity: float | None, method: Method,
           time_limit: float | None, grid_km: float, crs: str
           ) -> tuple[SitingResult, SitingProblem]:
    from hsplan.access.siting import LSCP, LSCPB, MCLP, PCenter, PMedian
    from hsplan.access.siting._base import nearest_open

    common: dict[str, Any] = {"candidates": candidates, "mode": mode, "exclude": exclude,
                              "grid_km": grid_km, "crs": crs}
    if model_kind in (Model.mclp, Model.lscp, Model.lscp_b):
        cls = {Model.mclp: MCLP, Model.lscp: LSCP, Model.lscp_b: LSCPB}[model_kind]
        cover = cls.from_access(sa, facility, k=add, minutes=minutes, ambulance=ambulance,
                                **common)
        problem = _problem(cover)
        if capacity is not None:
            cover = cls(_with_capacity(problem, capacity), radius=cover.radius, k=add,
                        covers=problem.covers)
            cover.meta["problem"] = problem
        if isinstance(cover, LSCPB):
            return cover.solve(time_limit_s=time_limit), problem
        assert isinstance(cover, MCLP | LSCP)  # the classes of the mapping above
        return cover.solve(method=method.value, time_limit_s=time_limit), problem
    model: PMedian | PCenter
    facility = facility or (list(AMBULANCE_SUBTYPES) if ambulance else [])
    if model_kind is Model.p_median:
        model = PMedian.from_access(sa, facility, k=add, minutes=minutes, **common)
    else:
        model = PCenter.from_access(sa, facility, k=add, minutes=minutes, **common)
    problem = _problem(model)
    if capacity is not None and isinstance(model, PMedian):
        model = PMedian(_with_capacity(problem, capacity), k=add)
        model.meta["problem"] = problem
    result = model.solve(method=method.value, time_limit_s=time_limit) \
        if isinstance(model, PMedian) else model.solve(time_limit_s=time_limit)
    if problem.minutes is not None:
        a = result.assignments
        _, to_existing = nearest_open(problem.data, problem.data.existing)
        before = to_existing <= problem.minutes
        after = a["cost"].to_numpy() <= problem.minutes
        new = a["site_id"].isin(result.sites).to_numpy() & after & ~before
        a["covered_before"], a["covered_after"] = before, after
        a["new_site"] = a["site_id"].where(new, None)
    return result, problem


def _with_capacity(problem: SitingProblem, capacity: float) -> SitingData:
    import numpy as np

    from hsplan.access.siting._base import SitingData

    d = problem.data
    problem.data = SitingData(d.cost, d.weights, d.demand_ids, d.site_ids, d.existing,
                              d.excluded, d.site_cost, np.full(d.n_sites, float(capacity)),
                              d.unit)
    return problem.data


@app.command("site", rich_help_panel=PANEL_ACCESS,
    help=_("Where new facilities should go: covering models (mclp, lscp, lscp-b), median and "
           "centre models, existing facilities fixed; lists the chosen sites, the people newly "
           "covered and the villages still outside, and writes a GeoPackage, a map and a "
           "scenario for `hsplan compare`."))
def site_command(
    project_dir: Annotated[Path, typer.Argument(help=_("project folder (with hsplan.toml)"))],
    model: Annotated[Model, typer.Option(
        "--model", help=_("model: mclp (k new sites covering the most people), lscp (fewest "
                          "sites covering everyone), lscp-b (lscp with the most double "
                          "coverage), p-median (shortest mean travel), p-center (shortest "
                          "longest travel)"))
    ] = Model.mclp,
    facility: Annotated[list[str] | None, typer.Option(
        "--facility", help=_("facility kind of the existing network, e.g. 乡镇卫生院 (repeatable)"))
    ] = None,
    add: Annotated[int | None, typer.Option(
        "--add", help=_("number of new sites (mclp, p-median, p-center)"))] = None,
    minutes: Annotated[float | None, typer.Option(
        "--minutes", help=_("service standard in minutes (default 15)"))] = None,
    ambulance: Annotated[bool, typer.Option(
        "--ambulance", help=_("use the ambulance radius of the plan's readings (--plan): its "
                              "院前急救 bases are the existing sites and each village's urban or "
                              "rural circle the standard; default: the national norms"))
    ] = False,
    plan: Annotated[str | None, typer.Option(
        "--plan", help=_("plan whose readings apply (急救站点, 城乡划分, 急救半径; default: the "
                         "national defaults)"))] = None,
    candidates: Annotated[str, typer.Option(
        "--candidates", help=_("candidate sites: villages, townships (township seats), grid, "
                               "upgrade (existing facilities upgraded), or an .xlsx/.csv list "
                               "(id, name, lon, lat[, coordinate system, cost, capacity])"))
    ] = "villages",
    crs: Annotated[str, typer.Option(
        "--crs", help=_("coordinate system of the candidate list: WGS84, GCJ-02 or "
                        "BD-09"))] = "WGS84",
    grid_km: Annotated[float, typer.Option(
        "--grid-km", help=_("grid spacing of --candidates grid (km)"))] = 3.0,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", help=_("candidate ids that may not be chosen (repeatable)"))] = None,
    capacity: Annotated[float | None, typer.Option(
        "--capacity", help=_("persons each site can serve (capacitated mclp / p-median)"))
    ] = None,
    subtype: Annotated[str | None, typer.Option(
        "--subtype", help=_("facility kind of the new sites in the scenario (default: the first "
                            "--facility; 急救站 with --ambulance)"))] = None,
    method: Annotated[Method, typer.Option(
        "--method", help=_("solution method: auto, exact or greedy (with its gap to the lower "
                           "bound)"))
    ] = Method.auto,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help=_("time limit of the solver (seconds); on expiry the best solution "
                               "so far and its proven gap"))] = None,
    mode: Annotated[str, typer.Option("--mode", help=_("drive or walk"))] = "drive",
    year: Annotated[int | None, typer.Option(
        "--year", help=_("population year; a year after the last recorded one (e.g. the "
                         "plan's target year) is projected"), min=1949, max=2100)] = None,
    projection: Annotated[str, typer.Option(
        "--projection", help=_("projection method for a future --year: cohort or growth"))
    ] = "cohort",
    out: Annotated[Path | None, typer.Option(
        "--out", help=_("output folder of the CSV, GeoPackage, map and scenario (default "
                        "PROJECT/outputs/site)"))
    ] = None,
    fmt: Annotated[FrameFormat, typer.Option("--format", help=_("table, json or csv"))
                   ] = FrameFormat.table,
) -> None:
    """Where new facilities should go (covering, median and centre models)."""
    from hsplan.access.service import ServiceAccess
    from hsplan.access.siting.project import CANDIDATE_KINDS, outside_table, sites_table
    from hsplan.region import schema
    from hsplan.region.project import Project

    problems: list[Problem] = []
    if not facility and not ambulance:
        problems.append(Problem("--facility", expected=_("at least one 机构类型, e.g. 乡镇卫生院"),
                                got=_("none"), fix=_("add --facility 乡镇卫生院")))
    if model in (Model.mclp, Model.p_median, Model.p_center) and add is None:
        problems.append(Problem("--add", expected=_("the number of new sites for {model}").format(
                                    model=model.value), got=_("none"), fix=_("add --add 2")))
    new_subtype = subtype or ("急救站" if ambulance else (facility[0] if facility else ""))
    if new_subtype and new_subtype not in schema.FACILITY_SUBTYPES:
        problems.append(Problem("--subtype", expected=_("a 机构类型 of docs/schema.md"),
                                got=new_subtype))
    raise_if_errors(problems, context="hsplan site")
    if minutes is None and not ambulance and model in (Model.mclp, Model.lscp, Model.lscp_b,
                                                       Model.p_median, Model.p_center):
        minutes = 15.0
    if projection not in ("cohort", "growth"):
        raise_if_errors([Problem("--projection", expected="cohort, growth", got=projection)],
                        context="hsplan site")
    project = Project.open(project_dir)
    sa = ServiceAccess.from_project(project, mode=mode, progress=fmt is FrameFormat.table)
    if year is not None and year > sa.year:
        sa = _projected(sa, year, projection)
    elif year is not None and year != sa.year:
        sa = ServiceAccess.from_project(project, mode=mode, year=year, region=sa.region,
                                        progress=fmt is FrameFormat.table)
    if plan is not None:
        from hsplan.plans.plan import load_plan
        from hsplan.plans.readings import Readings

        sa = sa.with_readings(Readings.from_plan(load_plan(plan, project=project)))
    cand: str | Path = candidates if candidates in CANDIDATE_KINDS else Path(candidates)
    result, problem = _solve(model, sa, facility, add=add, minutes=minutes,
                             ambulance=ambulance, candidates=cand, mode=mode,
                             exclude=exclude or [], capacity=capacity, method=method,
                             time_limit=time_limit, grid_km=grid_km, crs=crs)
    table = sites_table(result, problem)
    outside = outside_table(result, problem)
    folder = out if out is not None else project.outputs_dir / "site"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"site_{model.value}"
    files = _write(result, problem, table, folder, stem, project, new_subtype, ambulance)
    if fmt is not FrameFormat.table:
        print_frame(table, title="sites", fmt=fmt)
        return
    _print(result, problem, table, outside, files, sa)


def _model_words() -> dict[str, str]:
    """Return the siting models in words, in the language (reports.siting_map.MODEL_ZH in
    Chinese)."""
    return {"mclp": _("maximal covering model"),
            "lscp": _("set covering model (fewest sites covering all)"),
            "lscp-b": _("backup covering model"),
            "p-median": _("p-median model (least total travel)"),
            "p-center": _("p-center model (least farthest travel)"),
            "facility-location": _("facility location model")}


def _solver_status_words() -> dict[str, str]:
    """Return a solver's status in words, in the language (siting._base.STATUS_ZH in
    Chinese)."""
    return {"optimal": _("optimal"), "time_limit": _("best approximation within the time limit"),
            "heuristic": _("heuristic")}


def _candidates_zh(label: str) -> str:
    """Return the candidate kind in words (a planner's file keeps its name)."""
    words = {"villages": _("village seats"), "townships": _("township seats"),
             "grid": _("grid points"), "upgrade": _("existing facilities to upgrade")}
    return words.get(label, label)


def _projected(sa: ServiceAccess, year: int, method: str) -> ServiceAccess:
    """Return `sa` with its villages' populations projected to `year`: each village grows
    as its township's projection (`hsplan.demand.projection.grown_by_township`)."""
    from hsplan.demand.needs import load_assumptions
    from hsplan.demand.projection import grown_by_township, male_shares_from_census

    county = str(sa.region.meta.get("county_code", "") or "")
    pop, notes = grown_by_township(
        sa.points["pop"].to_numpy(dtype=float), sa.points["township_code"].astype(str),
        sa.region.population, base_year=sa.year, target_year=year,
        assumptions=load_assumptions().demography, method="growth" if method == "growth"
        else "cohort", male_shares=male_shares_from_census(county) if county else None)
    how = _("projected from {base} ({method}); each village grows as its township").format(
        base=sa.year, method=_("cohort-component") if method == "cohort" else _("growth"))
    return sa.with_population(pop, year=year, note="；".join([how, *notes]))


def _write(result: SitingResult, problem: SitingProblem, table: pd.DataFrame, folder: Path,
           stem: str, project: Project, subtype: str, ambulance: bool) -> dict[str, Path]:
    import yaml

    from hsplan.access.siting.project import scenario_from_result, siting_layers
    from hsplan.region.project import ROADS_NAME
    from hsplan.region.store import write_gpkg
    from hsplan.reports.layers import describe_gpkg
    from hsplan.reports.siting_map import MODEL_ZH, siting_map

    files: dict[str, Path] = {"sites_csv": folder / f"{stem}_sites.csv"}
    table.to_csv(files["sites_csv"], index=False, encoding="utf-8-sig")
    files["gpkg"] = describe_gpkg(  # Chinese aliases and layer descriptions for QGIS
        write_gpkg(folder / f"{stem}.gpkg", siting_layers(result, problem)),
        descriptions={"sites": "候选与选中站点（现有、新增、升级）",
                      "demand_points": "需求点：村（社区），常住人口及到选址方案站点的行程时间"})
    roads = None
    if (project.root / ROADS_NAME).exists():
        import geopandas as gpd

        roads = gpd.read_file(project.root / ROADS_NAME, layer="roads")
    name = str(problem.access.region.meta.get("name", ""))
    standard = "急救服务半径" if ambulance else (
        f"{problem.minutes.max():g}分钟" if problem.minutes is not None else "")
    title = (f"{name} {subtype}选址：{MODEL_ZH.get(result.model, result.model)}，"
             f"新增{len(result.sites)}处 {standard}").strip()
    files["map_png"] = siting_map(result, problem, folder / f"{stem}_map.png", title=title,
                                  roads=roads)
    resources = {"ambulances": 1} if subtype in AMBULANCE_SUBTYPES else None
    doc = scenario_from_result(result, problem, subtype=subtype,
                               scenario_id=f"site-{result.model}", resources=resources)
    files["scenario"] = folder / f"{stem}_scenario.yaml"
    files["scenario"].write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                 encoding="utf-8")
    return files


def _print(result: SitingResult, problem: SitingProblem, table: pd.DataFrame,
           outside: pd.DataFrame, files: dict[str, Path], sa: ServiceAccess) -> None:
    if sa.region.synthetic:
        console.print(synthetic_banner())
    gap = (_(", gap {gap} (proven bound {bound})").format(
        gap=f"{result.gap:.2%}", bound=f"{result.bound:,.4g}") if result.gap > 0 else "")
    console.print(_("[bold]{model}[/] — {facility}; candidate sites {candidates} ({n}); "
                    "{status}{gap}; solved in {seconds} s").format(
                        model=_model_words().get(result.model, result.model),
                        facility=problem.facility,
                        candidates=_candidates_zh(problem.candidates),
                        n=int(problem.data.candidates.sum()),
                        status=_solver_status_words().get(result.status, result.status),
                        gap=gap, seconds=f"{result.solve_s:.2f}"), highlight=False)
    source = (_(" ({note})").format(note=sa.population_note) if sa.population_note else "")
    console.print("[dim]" + _("travel-time model {network}; population of {year}{source}")
                  .format(network=problem.network, year=sa.population_year, source=source)
                  + "[/]", highlight=False)
    if problem.readings:
        console.print(f"[dim]{problem.readings}[/]", highlight=False)
    before, after = result.before, result.after
    if "covered" in after:
        console.print(_("population covered {before} → {after} ({share_before} → "
                        "{share_after}), villages covered {points_before} → {points_after} / "
                        "{points}").format(
                            before=f"{before['covered']:,.0f}", after=f"{after['covered']:,.0f}",
                            share_before=f"{before['share']:.1%}",
                            share_after=f"{after['share']:.1%}",
                            points_before=f"{before['points_covered']:.0f}",
                            points_after=f"{after['points_covered']:.0f}",
                            points=f"{after['points']:.0f}"), highlight=False)
    if "mean_cost" in after:
        console.print(_("mean travel {mean_before} → {mean_after} min, farthest {max_before} → "
                        "{max_after} min").format(
                            mean_before=f"{before.get('mean_cost', float('nan')):.1f}",
                            mean_after=f"{after['mean_cost']:.1f}",
                            max_before=f"{before.get('max_cost', float('nan')):.1f}",
                            max_after=f"{after.get('max_cost', float('nan')):.1f}"),
                      highlight=False)
    if result.model == "lscp-b":
        console.print(_("villages covered twice {n} / {points}").format(
            n=result.extra["backup_points"], points=f"{after['points']:.0f}"), highlight=False)
    headers = _sites_headers()
    shown = table[[c for c in headers if c in table]].copy()
    if shown["upgrades"].isna().all():
        shown = shown.drop(columns=["upgrades"])
    print_frame(shown.rename(columns=headers),
                title=_("new sites ({n})").format(n=len(table)))
    if "covered_after" in result.assignments:
        if outside.empty:
            console.print("[green]✓[/] " + _("every village is within the standard"))
        else:
            outside_headers = _outside_headers()
            view = outside[list(outside_headers)].copy()
            view["travel_min"] = view["travel_min"].where(view["travel_min"] < float("inf"))
            view["urban_rural"] = view["urban_rural"].map(
                {"urban": _("urban"), "rural": _("rural")}).fillna("—")
            print_frame(view.round({"travel_min": 1}).rename(columns=outside_headers),
                        title=_("villages still outside ({n})").format(n=len(outside)),
                        caption=_("— travel beyond the cut-off (the service standard) or "
                                  "unreachable"))
    if problem.covers is not None:
        from hsplan.access.siting.project import ambulance_norm_check

        differ = ambulance_norm_check(result, problem)
        if not differ.empty:
            names = (", " if language() == "en" else "、").join(differ["name"].astype(str).head(8))
            console.print("[yellow]![/] " + _(
                "by the norm's reading (each village's nearest ambulance base) {n} villages "
                "({pop} people) still fail: {names} — their nearest base is beyond the radius "
                "while another base is within it; check with hsplan compare").format(
                    n=len(differ), pop=f"{differ['pop'].sum():,.0f}", names=names),
                highlight=False)
    for label, path in files.items():
        console.print(f"[green]✓[/] {label:<10} {path}", highlight=False)

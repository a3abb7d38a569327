"""`hsplan access coverage|ambulance|fca`: thin commands over `hsplan.access.coverage`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hsplan._files import atomic_path
from hsplan._i18n import N_, _, format_number
from hsplan.access.choices import FCA_METHODS, SUPPLY_COLUMNS
from hsplan.cli._app import PANEL_ACCESS, YEAR_MAX, YEAR_MIN, app, console
from hsplan.cli._output import FrameFormat, print_frame, synthetic_banner

if TYPE_CHECKING:
    import geopandas as gpd

    from hsplan.access.service import ServiceAccess
    from hsplan.region.project import Project
    from hsplan.reports.coverage import CoverageReport


access_app = typer.Typer(help=_("Access to care: service circles, ambulance radii, "
                              "floating catchments (可及性)."), no_args_is_help=True)
app.add_typer(access_app, name="access", rich_help_panel=PANEL_ACCESS)


class Mode(StrEnum):
    drive = "drive"
    walk = "walk"


class ScopeOpt(StrEnum):
    urban = "urban"
    rural = "rural"


Supply = StrEnum("Supply", {k: k for k in SUPPLY_COLUMNS})  # type: ignore[misc]
Method = StrEnum("Method", {k: k for k in FCA_METHODS})  # type: ignore[misc]

# table headers (column id → words, translated where printed)
SUMMARY_HEADERS = {"name": N_("name"), "points": N_("villages"), "pop": N_("population"),
                   "pop_covered": N_("population covered"),
                   "pop_uncovered": N_("reachable but beyond"),
                   "pop_unreachable": N_("population unreachable"),
                   "covered_pct": N_("covered (%)")}
STATUS_HEADERS = {"status_zh": N_("status"), "points": N_("villages"), "pop": N_("population"),
                  "share_pct": N_("share (%)")}
OUTSIDE_HEADERS = {"name": N_("village"), "township_name": N_("township"),
                   "urban_rural": N_("urban/rural"), "pop": N_("population"),
                   "travel_min": N_("travel (minutes)"), "dist_m": N_("distance (m)"),
                   "facility_name": N_("nearest facility"), "reason": N_("reason")}
SUPPLY_WORDS = {"beds": N_("hospital beds"), "doctors": N_("licensed (assistant) doctors"),
                "nurses": N_("registered nurses"), "gps": N_("general practitioners")}
# the words of the coverage tables' values (ids of hsplan.access.coverage → words)
COVERAGE_WORDS = {"covered": N_("covered"), "uncovered": N_("reachable but beyond"),
                  "unreachable": N_("unreachable"), "total": N_("total"),
                  "urban": N_("urban"), "rural": N_("rural"), "unknown": N_("not classified"),
                  "beyond": N_("beyond the service circle")}
FCA_HEADERS = {"name": N_("township"), "pop": N_("population"),
               "supply_per_1k": N_("reachable supply per 1,000"), "points": N_("villages"),
               "pop_out_of_catchment": N_("population outside the catchment")}


def _headers(headers: dict[str, str]) -> dict[str, str]:
    """Return `headers` with the words in the reader's language."""
    return {k: _(v) for k, v in headers.items()}

ProjectArg = Annotated[Path, typer.Argument(help=_("project folder (with hsplan.toml)"))]
YearOpt = Annotated[int | None, typer.Option("--year", min=YEAR_MIN, max=YEAR_MAX,
    help=_("year (default: latest)"))]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help=_("folder for CSV, GeoPackage and map (default PROJECT/outputs/access)"))]
FormatOpt = Annotated[FrameFormat, typer.Option("--format", help=_("table, json or csv"))]
PlanOpt = Annotated[str | None, typer.Option(
    "--plan", help=_("plan whose readings apply (急救站点, 城乡划分, 急救半径; default: the "
                     "national defaults)"))]


def _with_plan(sa: ServiceAccess, project: Project, plan: str | None) -> ServiceAccess:
    """Return `sa` under the readings of `plan` (national defaults when None)."""
    from hsplan.plans.plan import load_plan
    from hsplan.plans.readings import Readings

    loaded = load_plan(plan, project=project) if plan else None
    return sa.with_readings(Readings.from_plan(loaded))


def _out_dir(project: Project, out: Path | None) -> Path:
    return out if out is not None else project.outputs_dir / "access"


def _roads(project: Project) -> gpd.GeoDataFrame | None:
    import geopandas as gpd

    from hsplan.region.project import ROADS_NAME

    path = project.root / ROADS_NAME
    return gpd.read_file(path, layer="roads") if path.exists() else None


def _synthetic_banner(sa: ServiceAccess) -> None:
    if sa.region.synthetic:
        console.print(synthetic_banner())


def _print_report(report: CoverageReport, fmt: FrameFormat, title: str,
                  sa: ServiceAccess, *, mode_how: str | None = None) -> None:
    import json

    from hsplan._json import json_records

    attrs = report.points.attrs
    cols = ["group", "code", *SUMMARY_HEADERS]
    summary = report.summary[cols]
    if fmt is FrameFormat.json:
        print(json.dumps({"readings": sa.readings.to_dict(), "travel_mode": mode_how,
                          "summary": json_records(summary)}, ensure_ascii=False, indent=2))
        return
    if fmt is not FrameFormat.table:
        print_frame(summary, title=title, fmt=fmt)
        return
    _synthetic_banner(sa)
    console.print(_("[bold]{title}[/] — {facility}, {year}").format(
        title=title, facility=attrs.get("facility"), year=attrs.get("year")), highlight=False)
    console.print(_("[dim]travel-time model {network}[/]").format(network=attrs.get("network")),
                  highlight=False)
    console.print(sa.readings.line(), highlight=False)
    if mode_how:
        console.print(_("travel mode: {how}").format(how=mode_how), highlight=False)
    shown = summary.copy()
    words = shown["group"] != "township"
    shown.loc[words, "name"] = [_(COVERAGE_WORDS[str(c)]) if str(c) in COVERAGE_WORDS else n
                                for c, n in zip(shown.loc[words, "code"],
                                                shown.loc[words, "name"], strict=True)]
    print_frame(shown.drop(columns=["group", "code"]).rename(columns=_headers(SUMMARY_HEADERS)),
                title=_("by township and urban/rural"))
    status = report.status.assign(status_zh=[_(COVERAGE_WORDS[str(k)])
                                             for k in report.status["status"]])
    print_frame(status[list(STATUS_HEADERS)].rename(columns=_headers(STATUS_HEADERS)),
                title=_("population in total (by coverage status)"))
    outside = report.uncovered[[c for c in OUTSIDE_HEADERS if c in report.uncovered]].round(
        {"travel_min": 1, "dist_m": 0})
    if "urban_rural" in outside:
        outside["urban_rural"] = [_(COVERAGE_WORDS.get(str(k), COVERAGE_WORDS["unknown"]))
                                  for k in outside["urban_rural"].fillna("unknown")]
    if "reason" in outside:
        outside["reason"] = [_(COVERAGE_WORDS["beyond"]) if r else
                             _(COVERAGE_WORDS["unreachable"])
                             for r in report.uncovered.loc[outside.index, "reachable"]
                             .astype(bool)]
    if outside.empty:
        console.print(_("[green]✓[/] every village is inside the service circle"))
    else:
        print_frame(outside.rename(columns=_headers(OUTSIDE_HEADERS)),
                    title=_("villages outside the service circle ({n})").format(
                        n=f"{len(outside):,}"))
    for label, path in report.files.items():
        console.print(f"[green]✓[/] {label:<12} {path}", highlight=False)


@access_app.command("coverage",
    help=_('Population within T minutes / D km of a kind of facility, per township and '
        'urban/rural, with the villages outside (default: 基层医疗卫生机构 within 15 minutes).'))
def coverage_cmd(
    project_dir: ProjectArg,
    category: Annotated[list[str] | None, typer.Option(
        "--category", help=_("facility category, e.g. 基层医疗卫生机构 (repeatable)"))] = None,
    subtype: Annotated[list[str] | None, typer.Option(
        "--subtype", help=_("facility kind, e.g. 乡镇卫生院 (repeatable)"))] = None,
    minutes: Annotated[float | None, typer.Option("--minutes", help=_("service circle in "
                                                  "minutes (default 15)"))] = None,
    km: Annotated[float | None, typer.Option("--km", help=_("service radius in km"))] = None,
    mode: Annotated[Mode | None, typer.Option("--mode", help=_(
        "drive or walk (default: drive, stated with the result)"))] = None,
    scope: Annotated[ScopeOpt | None, typer.Option("--scope", help=_("urban or rural "
                                                   "villages only"))] = None,
    year: YearOpt = None, out: OutOpt = None, fmt: FormatOpt = FrameFormat.table,
    plan: PlanOpt = None,
) -> None:
    """Population within T minutes / D km of a kind of facility, per township and
    urban/rural, with the villages outside (default: 基层医疗卫生机构 within 15 minutes)."""
    from hsplan.access.service import ServiceAccess
    from hsplan.region.project import Project
    from hsplan.reports.coverage import coverage_report

    project = Project.open(project_dir)
    selector: dict[str, Any] = {}
    if category:
        selector["category"] = category
    if subtype:
        selector["subtype"] = subtype
    use = mode.value if mode is not None else "drive"
    how = (_("driving (--mode drive)") if use == "drive" else _("walking (--mode walk)")) \
        if mode is not None else _("driving (no --mode given, driving by default)")
    sa = ServiceAccess.from_project(project, mode=use, year=year,
                                    progress=fmt is FrameFormat.table)
    sa = _with_plan(sa, project, plan)
    report = coverage_report(sa, selector or None, minutes=minutes, distance_km=km,
                             mode=use, scope=scope.value if scope else None,
                             out_dir=_out_dir(project, out), stem="coverage",
                             roads=_roads(project))
    _print_report(report, fmt, _("service-circle coverage"), sa, mode_how=how)


@access_app.command("ambulance",
    help=_('Population within the ambulance radius of the plan (its 院前急救 bases, '
        'urban/rural reading and radii; default: the national norms), per township and '
        'urban/rural.'))
def ambulance_cmd(project_dir: ProjectArg, year: YearOpt = None, out: OutOpt = None,
                  fmt: FormatOpt = FrameFormat.table, plan: PlanOpt = None) -> None:
    """Population within the ambulance radius of the plan (its 院前急救 bases, urban/rural
    reading and radii; default: the national norms), per township and urban/rural."""
    from hsplan.access.service import ServiceAccess
    from hsplan.region.project import Project
    from hsplan.reports.coverage import coverage_report

    project = Project.open(project_dir)
    sa = ServiceAccess.from_project(project, year=year, progress=fmt is FrameFormat.table)
    sa = _with_plan(sa, project, plan)
    report = coverage_report(sa, ambulance=True, out_dir=_out_dir(project, out),
                             stem="ambulance", roads=_roads(project))
    _print_report(report, fmt, _("ambulance radius coverage"), sa)


@access_app.command("fca",
    help=_('Floating-catchment access (supply per 1,000 persons) per village and township.'))
def fca_cmd(
    project_dir: ProjectArg,
    supply: Annotated[Supply, typer.Option("--supply", help=_("beds, doctors, nurses or gps"))
                      ] = Supply["beds"],  # type: ignore[valid-type]
    method: Annotated[Method, typer.Option("--method", help=_("2sfca, e2sfca or g2sfca"))
                      ] = Method["2sfca"],  # type: ignore[valid-type]
    max_min: Annotated[float, typer.Option("--max-min", help=_("catchment in minutes "
                                           "(2sfca, g2sfca)"))] = 30.0,
    mode: Annotated[Mode, typer.Option("--mode", help=_("drive or walk"))] = Mode.drive,
    year: YearOpt = None, out: OutOpt = None, fmt: FormatOpt = FrameFormat.table,
) -> None:
    """Floating-catchment access (supply per 1,000 persons) per village and township."""
    import pandas as pd

    from hsplan.access.service import ServiceAccess, points_layer, save_access_gpkg
    from hsplan.region.project import Project
    from hsplan.reports.layers import describe_gpkg, township_layer

    project = Project.open(project_dir)
    sa = ServiceAccess.from_project(project, mode=mode.value, year=year,
                                    progress=fmt is FrameFormat.table)
    result = sa.fca(str(supply.value), method=str(method.value), max_min=max_min,
                    mode=mode.value)
    by_town = result.attrs["by_township"]
    total = result.attrs["total"].assign(name=_("total"), township_code="total")
    table = pd.concat([by_town, total[by_town.columns]], ignore_index=True)
    table = table.astype({"pop": "int64", "pop_out_of_catchment": "int64"})
    if fmt is not FrameFormat.table:
        print_frame(table, title="fca", fmt=fmt)
        return
    attrs = result.attrs
    _synthetic_banner(sa)
    key = str(attrs["supply"])
    what = _(SUPPLY_WORDS[key]) if key in SUPPLY_WORDS else key
    console.print(_("[bold]{method} {what}[/] — catchment {minutes} minutes, {n} facilities, "
                    "{total} in total, {year}").format(
                        method=attrs["method"].upper(), what=what,
                        minutes=f"{attrs['max_min']:g}", n=f"{attrs['facilities']:,}",
                        total=format_number(attrs["supply_total"], decimals=0),
                        year=attrs["year"]), highlight=False)
    console.print(_("[dim]travel-time model {network}[/]").format(network=attrs["network"]),
                  highlight=False)
    shown = table[list(FCA_HEADERS)].astype(object)
    shown["supply_per_1k"] = [format_number(x, decimals=2) for x in shown["supply_per_1k"]]
    for col in ("pop", "points", "pop_out_of_catchment"):
        shown[col] = [format_number(x, decimals=0) for x in shown[col]]
    print_frame(shown.rename(columns=_headers(FCA_HEADERS)),
                title=_("{what} within reach per 1,000 persons (by township)").format(what=what))
    folder = _out_dir(project, out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"fca_{attrs['supply']}_{attrs['method']}"
    csv = folder / f"{stem}_points.csv"
    with atomic_path(csv) as tmp:
        result.to_csv(tmp, index=False, encoding="utf-8-sig")
    with atomic_path(folder / f"{stem}_townships.csv") as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    towns = township_layer(sa.region.areas, by_town.rename(columns={"township_code": "code"}))
    gpkg = describe_gpkg(save_access_gpkg(
        folder / f"{stem}.gpkg", {"demand_points": points_layer(sa, result), "townships": towns}),
        descriptions={"demand_points": _(
                          "demand points: villages (communities), resident population and "
                          "floating-catchment access ({what} within reach per 1,000 persons)"
                      ).format(what=what),
                      "townships": _(
                          "township (street) boundaries and {what} within reach per 1,000 "
                          "persons (floating catchment)").format(what=what)})
    console.print(f"[green]✓[/] points_csv   {csv}", highlight=False)
    console.print(f"[green]✓[/] gpkg         {gpkg}", highlight=False)

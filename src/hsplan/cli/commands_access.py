"""`hsplan access coverage|ambulance|fca`: thin commands over `hsplan.access.coverage`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hsplan._files import atomic_path
from hsplan._i18n import _, format_number
from hsplan.access.choices import FCA_METHODS, SUPPLY_COLUMNS
from hsplan.cli._app import PANEL_ACCESS, YEAR_MAX, YEAR_MIN, app, console
from hsplan.cli._output import SYNTHETIC_BANNER, FrameFormat, print_frame

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

SUMMARY_HEADERS = {"name": "名称", "points": "村居数", "pop": "人口", "pop_covered": "覆盖人口",
                   "pop_uncovered": "可达但超出", "pop_unreachable": "不可达人口",
                   "covered_pct": "覆盖率(%)"}
STATUS_HEADERS = {"status_zh": "状态", "points": "村居数", "pop": "人口", "share_pct": "占比(%)"}
OUTSIDE_HEADERS = {"name": "村居", "township_name": "乡镇", "urban_rural": "城乡", "pop": "人口",
                   "travel_min": "行程(分钟)", "dist_m": "距离(米)",
                   "facility_name": "最近机构", "reason": "原因"}
SUPPLY_ZH = {"beds": "床位", "doctors": "执业(助理)医师", "nurses": "注册护士", "gps": "全科医生"}
FCA_HEADERS = {"name": "乡镇", "pop": "人口", "supply_per_1k": "每千人口可及量",
               "points": "村居数", "pop_out_of_catchment": "集水区外人口"}

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
        console.print(SYNTHETIC_BANNER)


def _print_report(report: CoverageReport, fmt: FrameFormat, title: str,
                  sa: ServiceAccess, *, mode_how: str | None = None) -> None:
    import json

    from hsplan._json import json_records
    from hsplan.access.coverage import URBAN_RURAL_ZH

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
    console.print(f"[bold]{title}[/] — {attrs.get('facility')}，{attrs.get('year')}年",
                  highlight=False)
    console.print(f"[dim]行程时间模型 {attrs.get('network')}[/]", highlight=False)
    console.print(sa.readings.line_zh(), highlight=False)
    if mode_how:
        console.print(f"出行方式：{mode_how}", highlight=False)
    print_frame(summary.drop(columns=["group", "code"]).rename(columns=SUMMARY_HEADERS),
                title="按乡镇、城乡")
    print_frame(report.status[list(STATUS_HEADERS)].rename(columns=STATUS_HEADERS),
                title="人口合计（按覆盖状态）")
    outside = report.uncovered[[c for c in OUTSIDE_HEADERS if c in report.uncovered]].round(
        {"travel_min": 1, "dist_m": 0})
    if "urban_rural" in outside:
        outside["urban_rural"] = outside["urban_rural"].map(URBAN_RURAL_ZH).fillna("未分类")
    if outside.empty:
        console.print("[green]✓[/] 所有村居均在服务圈内")
    else:
        print_frame(outside.rename(columns=OUTSIDE_HEADERS),
                    title=f"服务圈外村居（{len(outside)} 个）")
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
    how = ("驾车（--mode drive）" if use == "drive" else "步行（--mode walk）") \
        if mode is not None else "驾车（未指定 --mode，默认驾车）"
    sa = ServiceAccess.from_project(project, mode=use, year=year,
                                    progress=fmt is FrameFormat.table)
    sa = _with_plan(sa, project, plan)
    report = coverage_report(sa, selector or None, minutes=minutes, distance_km=km,
                             mode=use, scope=scope.value if scope else None,
                             out_dir=_out_dir(project, out), stem="coverage",
                             roads=_roads(project))
    _print_report(report, fmt, "服务圈覆盖", sa, mode_how=how)


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
    _print_report(report, fmt, "急救服务半径覆盖", sa)


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
    total = result.attrs["total"].assign(name="合计", township_code="total")
    table = pd.concat([by_town, total[by_town.columns]], ignore_index=True)
    table = table.astype({"pop": "int64", "pop_out_of_catchment": "int64"})
    if fmt is not FrameFormat.table:
        print_frame(table, title="fca", fmt=fmt)
        return
    attrs = result.attrs
    _synthetic_banner(sa)
    what = SUPPLY_ZH.get(str(attrs["supply"]), str(attrs["supply"]))
    console.print(f"[bold]{attrs['method'].upper()} {what}[/] — 集水区 {attrs['max_min']:g} "
                  f"分钟，{attrs['facilities']} 家机构，合计 "
                  f"{format_number(attrs['supply_total'], decimals=0)}，{attrs['year']}年",
                  highlight=False)
    console.print(f"[dim]行程时间模型 {attrs['network']}[/]", highlight=False)
    shown = table[list(FCA_HEADERS)].astype(object)
    shown["supply_per_1k"] = [format_number(x, decimals=2) for x in shown["supply_per_1k"]]
    for col in ("pop", "points", "pop_out_of_catchment"):
        shown[col] = [format_number(x, decimals=0) for x in shown[col]]
    print_frame(shown.rename(columns=FCA_HEADERS), title=f"每千人口可及{what}（按乡镇）")
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
        descriptions={"demand_points": f"需求点：村（社区），常住人口及两步移动搜索法可及性"
                                       f"（每千人口可及{what}）",
                      "townships": f"乡镇（街道）边界及每千人口可及{what}（两步移动搜索法）"})
    console.print(f"[green]✓[/] points_csv   {csv}", highlight=False)
    console.print(f"[green]✓[/] gpkg         {gpkg}", highlight=False)

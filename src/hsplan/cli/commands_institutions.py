"""`hsplan institutions`: the plan's key institutions (重点机构) — beds, grade, centres and
designation against their targets — and the service network (医共体, 次中心)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hsplan._i18n import N_, _
from hsplan.cli._app import PANEL_PLAN, app, console
from hsplan.errors import HsplanError

STYLE = {"met": "green", "on track": "cyan", "at risk": "yellow", "off track": "red",
         "not evaluable": "dim"}


class InstitutionsFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


def _confirmed(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise HsplanError(_("--match {pair}: expected plan institution id=facility id, "
                                "e.g. --match I01=H001.").format(pair=repr(pair)))
        key, value = pair.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _shown(value: object) -> str:
    """Return a cell: — for none, whole numbers with separators, text as it is."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".removesuffix(".0")
    return str(value)


@app.command("institutions", rich_help_panel=PANEL_PLAN,
    help=_("Key institutions: the beds, grade, centre and role targets of the institutions a "
           "plan names, and the 医共体 / 次中心 service network."))
def institutions_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))],
    year: Annotated[int | None, typer.Option(help=_("evaluation year (default: the latest year "
                                                    "with resource data)"))]
    = None,
    match: Annotated[list[str] | None, typer.Option(
        "--match", help=_("a confirmed match: plan institution id=facility id "
                          "(repeatable)"))] = None,
    fmt: Annotated[InstitutionsFormat, typer.Option("--format", help=_("table, json or xlsx"))]
    = InstitutionsFormat.table,
    out: Annotated[Path | None, typer.Option(help=_("write json/xlsx to this file"))] = None,
    map_png: Annotated[Path | None, typer.Option("--map", help=_("also write the service "
                                                                 "network map (PNG)"))] = None,
) -> None:
    """Key institutions of a plan and the 医共体 / 次中心 service network."""
    from hsplan._json import json_records
    from hsplan.evaluation.institutions import (
        alliances,
        aspect_text,
        evaluate_institutions,
        institutions_to_xlsx,
        network_indicators,
        network_text,
    )
    from hsplan.evaluation.targets import NOT_EVALUABLE
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    proj = Project.open(project)
    loaded = load_plan(plan, project=proj)
    region = proj.load()
    results = evaluate_institutions(region, loaded, year=year, confirmed=_confirmed(match or []))
    used = int(results.attrs["year"])
    network = network_indicators(region, year=used)
    members = alliances(region, year=used)
    from hsplan.access.service import ServiceAccess
    from hsplan.evaluation.institutions import SUB_CENTRE_MINUTES, sub_centres

    catchment = ServiceAccess.from_project(proj, region=region).catchment(
        sub_centres(region, year=used), minutes=SUB_CENTRE_MINUTES, year=used)
    if map_png is not None:
        from hsplan.reports.network_map import network_map

        console.print(_("written: {path}").format(path=network_map(region, map_png, year=used)))
    if fmt is InstitutionsFormat.xlsx:
        target = out or proj.outputs_dir / f"institutions-{loaded.id}-{used}.xlsx"
        written = institutions_to_xlsx(results, network, members, target, plan=loaded)
        console.print(_("written: {path}").format(path=written))
        return
    if fmt is InstitutionsFormat.json:
        doc = {"plan": loaded.id, "project": proj.name, "year": used,
               "institutions": json_records(results), "network": json_records(network),
               "members": json_records(members), "catchment": json_records(catchment),
               "catchment_minutes": catchment.attrs["minutes"]}
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if out is None:
            print(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
            console.print(_("written: {path}").format(path=out))
        return
    title = _("development of key institutions ({plan}, {year})").format(plan=loaded.title,
                                                                     year=used)
    title += _(" (synthetic data)") if region.synthetic else ""
    table = Table(title=title, show_lines=False)
    for header in (N_("no."), N_("matched facility"), N_("aspect"), N_("target"),
                   N_("current state"), N_("status"), N_("explanation")):
        table.add_column(_(header), overflow="fold")
    for row in results.itertuples():
        status = str(row.status)
        value = _shown(row.value)
        table.add_row(str(row.institution_id), _shown(row.facility_name), aspect_text(row.aspect),
                      str(row.item or ""), value,
                      f"[{STYLE.get(status, '')}]{_(status) if status in STYLE else status}[/]",
                      str(row.reason))
    console.print(table)
    unmatched = results[results["aspect"] == "匹配"]
    matched = results.drop_duplicates("institution_id")
    console.print(_("{n} plan institutions: {bound} bound to a facility (check those bound by "
                    "name, confirm with --match), {unmatched} not matched.").format(
        n=len(matched), bound=len(matched) - len(unmatched), unmatched=len(unmatched)))
    net = Table(title=_("service network"))
    for header in (N_("indicator"), N_("value"), N_("explanation")):
        net.add_column(_(header), overflow="fold")
    for row in network.itertuples():
        shown = _(NOT_EVALUABLE) if _shown(row.value) == "—" else _shown(row.value)
        net.add_row(network_text(row.indicator), shown, str(row.reason or ""))
    minutes = f"{catchment.attrs['minutes']:g}"
    circle = _("population share within the {minutes}-minute circle of the county sub-centres "
               "(%)").format(minutes=minutes)
    total = catchment[catchment["group"] == "total"]
    if total.empty:
        net.add_row(circle, _(NOT_EVALUABLE), _("no sub-centre yet"))
    else:
        t = total.iloc[0]
        net.add_row(circle, f"{t['covered_pct']:.1f}", _("{covered} / {pop} persons").format(
            covered=f"{int(t['pop_covered']):,}", pop=f"{int(t['pop']):,}"))
    console.print(net)

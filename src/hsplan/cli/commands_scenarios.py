"""`hsplan compare`: a scenario beside the baseline — targets, norms and needs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from hsplan._i18n import N_, _, format_number, unit_text
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console
from hsplan.cli._output import (
    cell,
    emit_json,
    finish_xlsx,
    refuse_out_for_table,
    status_text,
    synthetic_tag,
)

if TYPE_CHECKING:
    import pandas as pd


class CompareFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


OP_WORDS = {"open": N_("open (new facility)"), "close": N_("close (facility)"),
            "move": N_("move (facility)"), "add": N_("add (resources)"),
            "remove": N_("remove (resources)"), "fact": N_("set (fact)")}
BY_UNIT = ("value_baseline", "value_scenario", "change")  # printed with the row's unit's decimals


def _value(row: dict[Any, Any], column: str) -> str:
    if column.startswith("status"):
        return status_text(row[column])
    if column == "op":
        op = str(row[column])
        return _(OP_WORDS[op]) if op in OP_WORDS else op
    if column == "unit" and row[column] == "1:x":
        return _("ratio")
    if column == "unit":
        return unit_text(row[column])
    if column in BY_UNIT and "unit" in row:
        return format_number(row[column], row["unit"], sign=column == "change")
    return cell(row[column])


def _table(frame: pd.DataFrame, title: str, columns: dict[str, str]) -> Table:
    table = Table(title=title)
    for header in columns.values():
        table.add_column(header, overflow="fold")
    for row in frame.to_dict(orient="records"):
        table.add_row(*(_value(row, c) for c in columns))
    return table


def _shown(title: str, shown: int, total: int) -> str:
    return _("{title} ({shown} of {total} shown)").format(title=title, shown=shown, total=total)


@app.command("compare", rich_help_panel=PANEL_PLAN,
    help=_('Compare a scenario with the baseline: targets, norms and needs side by side.'))
def compare_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    scenario: Annotated[Path, typer.Option("--scenario", help=_("a scenario YAML file"))],
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))],
    year: Annotated[int | None, typer.Option(
        min=YEAR_MIN, max=YEAR_MAX,
        help=_("scenario year (default: the file's year, else the latest year with data)"))]
    = None,
    fmt: Annotated[CompareFormat, typer.Option("--format", help=_("table, json or xlsx"))]
    = CompareFormat.table,
    out: Annotated[Path | None, typer.Option(help=_("write json/xlsx to this file"))] = None,
    show_all: Annotated[bool, typer.Option("--all", help=_("show unchanged rows too"))] = False,
    travel: Annotated[bool, typer.Option(
        "--travel/--no-travel",
        help=_("check service-circle norms with travel times on the project's roads"))] = True,
) -> None:
    """Compare a scenario with the baseline: targets, norms and needs side by side."""
    from hsplan.access.service import ServiceAccess
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project
    from hsplan.scenarios.scenario import compare, load_scenario

    proj = Project.open(project)
    region = proj.load()
    loaded_plan = load_plan(plan, project=proj)
    loaded = load_scenario(scenario)
    access = ServiceAccess.from_project(proj) if travel else None
    result = compare(region, loaded, loaded_plan, year=year, access=access)
    if fmt is CompareFormat.xlsx:
        target = out or proj.outputs_dir / f"compare-{loaded.id}-{loaded_plan.id}-" \
            f"{result.year}.xlsx"
        result.to_xlsx(target)
        finish_xlsx(target, plan=loaded_plan, year=result.year, title=f"情景比较：{loaded.title}")
        console.print(_("wrote {path}").format(path=target))
        return
    if fmt is CompareFormat.json:
        emit_json(result.to_json(), out)
        return
    refuse_out_for_table(out)
    synthetic = f" · {synthetic_tag()}" if region.synthetic or proj.synthetic else ""
    console.print("[bold]" + _("scenario {id}").format(id=loaded.id) + "[/] "
                  + _("{title} · plan {plan} · {year}").format(
                      title=loaded.title, plan=loaded_plan.id, year=result.year)
                  + synthetic, highlight=False)
    readings = result.readings.get("line") or result.readings.get("line_zh", "")
    console.print(str(readings), highlight=False)
    notes = list(result.notes)  # in the reader's language, as `apply_scenario` made them
    console.print(_table(result.changes, _("scenario changes"),
                         {"index": "#", "op": _("change"), "facility": _("facility"),
                          "from_year": _("from year"), "description": _("contents")}))
    for note in notes:
        console.print("[dim]" + _("note: {note}").format(note=note) + "[/]", highlight=False)
    ind = result.indicators
    shown = ind if show_all else ind[ind["status_changed"]
                                     | (ind["change"].abs().fillna(0) > 1e-12)]
    console.print(_table(shown, _shown(_("targets"), len(shown), len(ind)), {
        "target_id": _("no."), "name": _("indicator"), "unit": _("unit"),
        "value_baseline": _("now"), "value_scenario": _("scenario"), "change": _("change"),
        "status_baseline": _("status now"), "status_scenario": _("status in the scenario")}))
    inst = result.institutions
    if len(inst):
        moved_inst = inst if show_all else inst[inst["changed"]]
        console.print(_table(moved_inst, _shown(_("key institutions"), len(moved_inst),
                                                len(inst)), {
            "institution_id": _("no."), "facility_name": _("facility"), "aspect": _("aspect"),
            "item": _("target"), "value_baseline": _("now"), "value_scenario": _("scenario"),
            "status_baseline": _("status now"),
            "status_scenario": _("status in the scenario")}))
    norms = result.norms if show_all else result.norms[result.norms["changed"]]
    console.print(_table(norms, _shown(_("norms"), len(norms), len(result.norms)), {
        "norm_id": _("no."), "description": _("norm"), "failed_baseline": _("failing now"),
        "failed_scenario": _("failing in the scenario"),
        "covered_pct_baseline": _("covered now (%)"),
        "covered_pct_scenario": _("covered in the scenario (%)"), "status_baseline": _("now"),
        "status_scenario": _("scenario")}))
    vio = result.violations
    moved = vio if show_all else vio[vio["change"] != "same"]
    console.print(_table(moved, _("violations ({n} changed)").format(n=len(moved)), {
        "norm_id": _("no."), "area_name": _("area"), "facility_name": _("facility"),
        "unit": _("unit"), "shortfall_baseline": _("shortfall now"),
        "shortfall_scenario": _("shortfall in the scenario"), "change": _("change")}))
    console.print(_table(result.needs, _("needs"), {
        "item": _("item"), "unit": _("unit"), "value_needed_baseline": _("needed"),
        "value_needed_scenario": _("needed in the scenario"),
        "current_value_baseline": _("existing"),
        "current_value_scenario": _("existing in the scenario"),
        "gap_baseline": _("shortfall now"), "gap_scenario": _("shortfall in the scenario")}))

"""`hsplan needs`: what the region needs by a target year, with the population projection."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from hsplan._i18n import _, language
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console, err_console
from hsplan.cli._output import FrameFormat, emit_json, finish_xlsx, print_frame


class NeedsFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class ProjectionMethod(StrEnum):
    cohort = "cohort"
    growth = "growth"


_TABLE_COLUMNS = ["item", "value_needed", "current_value", "plan_target", "gap", "gap_per_year",
                  "unit"]
_NUMBERS = ("value_needed", "current_value", "gap", "gap_per_year")


@app.command("needs", rich_help_panel=PANEL_PLAN,
    help=_('Beds, staff, ambulances, facilities and 托位 needed by YEAR, with formulas and '
        'gaps.'))
def needs_command(
    project: Annotated[Path, typer.Argument(help=_("Project folder."))],
    plan: Annotated[str, typer.Option("--plan", help=_("Plan id or YAML file."))],
    year: Annotated[int | None, typer.Option("--year", min=YEAR_MIN, max=YEAR_MAX,
        help=_("Target year (default: the plan's end year)."))] = None,
    assumptions: Annotated[Path | None, typer.Option(
        "--assumptions", help=_("Assumptions YAML (default: the bundled default.yaml)."))] = None,
    method: Annotated[ProjectionMethod, typer.Option(
        "--method", help=_("Population projection: cohort or growth."))] = ProjectionMethod.cohort,
    fmt: Annotated[NeedsFormat, typer.Option("--format")] = NeedsFormat.table,
    explain: Annotated[bool, typer.Option(
        "--explain", help=_("Print the population projection line by line."))] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help=_("Workbook path for --format xlsx "
        "(default PROJECT/outputs/needs-PLAN-YEAR.xlsx)."))] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("Also write a PNG: population pyramid and bed/staff needs."))] = None,
) -> None:
    """Beds, staff, ambulances, facilities and 托位 needed by YEAR, with formulas and gaps."""
    from hsplan._json import json_records
    from hsplan.demand.needs import (
        bed_note,
        column_headers,
        load_assumptions,
        needs,
        needs_to_xlsx,
    )
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    proj = Project.open(project)
    the_plan = load_plan(plan, project=proj)
    region = proj.load()
    year_note = None
    if year is None:
        year = int(the_plan.period_end)
        year_note = _("target year: {year} (the plan's end year; choose another with "
                      "--year)").format(year=year)
    result = needs(region, the_plan, year=year, assumptions=load_assumptions(assumptions),
                   method=method.value)
    ambulance = ambulance_status(proj, the_plan)
    synthetic = region.synthetic or proj.synthetic
    title = _("{area} needs by {year} — {plan}").format(area=result.area_name, year=result.year,
                                                        plan=the_plan.title)
    if chart is not None:
        from hsplan.reports.demand_charts import needs_chart

        written = needs_chart(result, chart, synthetic=synthetic, title=title)
        (err_console if fmt is NeedsFormat.json else console).print(
            _("wrote {path}").format(path=written), highlight=False)
    if fmt is NeedsFormat.json:
        payload = {
            "plan": the_plan.id, "area_code": result.area_code, "area_name": result.area_name,
            "base_year": result.base_year, "year": result.year, "method": result.method,
            "synthetic": synthetic, "notes": result.notes, "explain": result.explain,
            "year_note": year_note, "urban_rural": result.urban_rural,
            "ambulance_coverage": ambulance, "needs": json_records(result.table),
        }
        emit_json(payload, None)
        return
    if fmt is NeedsFormat.xlsx:
        path = output or proj.outputs_dir / f"needs-{the_plan.id}-{year}.xlsx"
        written = finish_xlsx(needs_to_xlsx(result, path), plan=the_plan, year=year,
                              title=_("resource needs"))
        console.print(_("wrote {path}").format(path=written), highlight=False)
        return
    if explain:
        for line in result.explain:
            console.print(line, highlight=False)
        for note in result.notes:
            console.print(_("[dim]Data note: {note}[/]").format(note=note), highlight=False)
    frame = result.table[_TABLE_COLUMNS].copy()
    for col in _NUMBERS:  # whole units; the yearly gap with one decimal
        digits = 1 if col == "gap_per_year" else 0
        frame[col] = [cell if cell is None or cell != cell else f"{cell:,.{digits}f}"
                      for cell in frame[col]]
    frame = frame.rename(columns=column_headers())
    if year_note:
        console.print(year_note, highlight=False)
    sep = "；" if language() == "zh" else "; "
    print_frame(frame, title=title, fmt=FrameFormat.table,
                caption=_("base year {year}; formulas and inputs: --format json or xlsx").format(
                    year=result.base_year) + (sep + _("synthetic data") if synthetic else ""))
    bed_notes = bed_note("")
    for note in result.notes:
        if note.startswith(bed_notes) and not explain:
            console.print(_("[dim]Data note: {note}[/]").format(note=note), highlight=False)
    console.print(ambulance["line_zh"], highlight=False)
    console.print(ambulance["readings"], highlight=False)


def ambulance_status(project: Any, plan: Any) -> dict[str, Any]:
    """Return the current ambulance-radius coverage under the plan's readings (the figure
    `hsplan check` gives for the plan's ambulance norms) or why it cannot be assessed."""
    from hsplan.access.service import ServiceAccess
    from hsplan.errors import HsplanError
    from hsplan.plans.readings import Readings

    readings = Readings.from_plan(plan)
    out: dict[str, Any] = {"readings": readings.line(), "status": "ok"}
    try:
        sa = ServiceAccess.from_project(project).with_readings(readings)
    except HsplanError:
        out.update(status="not evaluable", reason_zh=_(
            "no demand points: enter the villages' (communities') coordinates and resident "
            "population in the areas table"), line_zh=_(
            "ambulance radius coverage: not evaluable (village (community) locations or "
            "resident population missing)"))
        return out
    shares = sa.ambulance_shares()
    out.update(shares)
    out["line_zh"] = _("ambulance radius coverage ({year} as it is, read as hsplan check "
                       "reads it): urban {urban}%, rural {rural}% (rural resident population "
                       "{rural_pop})").format(
        year=sa.year, urban=f"{shares['urban_pct']:.1f}", rural=f"{shares['rural_pct']:.1f}",
        rural_pop=f"{shares['rural_pop']:,.0f}")
    return out

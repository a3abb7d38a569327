"""`hsplan template`, `hsplan validate`, `hsplan import`: the Excel/CSV data commands."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from rich.text import Text

from hsplan._i18n import _
from hsplan.cli._app import PANEL_DATA, app, console
from hsplan.errors import HsplanError, Problem, ValidationError, omitted_lines, summarise


class TemplateFormat(StrEnum):
    both = "both"
    xlsx = "xlsx"
    csv = "csv"


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("template", rich_help_panel=PANEL_DATA,
    help=_('Write the Excel and CSV data-entry template (数据填报模板).'))
def template_command(
    directory: Annotated[Path, typer.Argument(help=_("Folder to write the template into."))],
    fmt: Annotated[TemplateFormat, typer.Option(
        "--format", "-f", help=_("both (the workbook in DIR and one CSV per table in DIR/csv), "
        "xlsx or csv (into DIR)."))] = TemplateFormat.both,
    project: Annotated[Path | None, typer.Option(
        "--project", "-p", help=_("Prefill the 区划 sheet with this project's areas."))] = None,
) -> None:
    """Write the Excel and CSV data-entry template (数据填报模板)."""
    from hsplan.region.io import write_template
    from hsplan.region.project import Project

    region = Project.open(project).load() if project is not None else None
    targets: list[tuple[Path, Literal["xlsx", "csv"]]] = (
        [(directory, "xlsx"), (directory / "csv", "csv")] if fmt is TemplateFormat.both
        else [(directory, "xlsx" if fmt is TemplateFormat.xlsx else "csv")])
    for folder, kind in targets:
        path = write_template(folder, fmt=kind, region=region)
        console.print(Text(_("template written: ")) + Text(str(path), style="bold"),
                      highlight=False)


@app.command("validate", rich_help_panel=PANEL_DATA,
    help=_("Check the project's data, or a file against the project (nothing is imported)."))
def validate_command(
    project: Annotated[Path, typer.Argument(help=_("Project folder (with hsplan.toml)."))],
    file: Annotated[Path | None, typer.Argument(
        help=_("Workbook or CSV folder to check against the project, without importing."))] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.text,
) -> None:
    """Check the project's data, or a file against the project (nothing is imported)."""
    from hsplan.region.io import validate_project, validate_tables
    from hsplan.region.project import Project

    proj = Project.open(project)
    problems = validate_tables(proj, file) if file is not None else validate_project(proj)
    _print_problems(problems, fmt)
    if file is None and fmt is OutputFormat.text:
        _print_supported(proj)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


def _print_supported(proj: Any) -> None:
    """Print which analyses the project's data supports and what the others lack."""
    from hsplan.plans.requirements import supported_analyses

    try:
        support = supported_analyses(proj.load())
    except HsplanError:
        return
    table = Table(title=_("analyses the data supports"))
    for header in (_("analysis"), _("can run"), _("missing (please enter)")):
        table.add_column(header)
    for row in support.to_dict(orient="records"):
        table.add_row(str(row["name_zh"]), "✓" if row["supported"] else "✗",
                      str(row["missing"]) or "—")
    console.print(table)


@app.command("import", rich_help_panel=PANEL_DATA,
    help=_('Import a workbook or CSV folder into the project (all or nothing).'))
def import_command(
    project: Annotated[Path, typer.Argument(help=_("Project folder (with hsplan.toml)."))],
    file: Annotated[Path, typer.Argument(
        help=_("Workbook (.xlsx) or folder of <table>.csv files."))],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.text,
) -> None:
    """Import a workbook or CSV folder into the project (all or nothing)."""
    from hsplan.region.io import import_tables
    from hsplan.region.project import Project

    try:
        report = import_tables(Project.open(project), file)
    except ValidationError as exc:
        _print_problems(exc.problems, fmt)
        raise typer.Exit(1) from None
    if fmt is OutputFormat.json:
        data = {"file": report.file, "store": str(report.store),
                "changes": [dataclasses.asdict(c) for c in report.changes.values()],
                "problems": [_problem_dict(p) for p in report.warnings]}
        console.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)
        return
    table = Table(title=Text(_("imported {file} → {store}").format(file=report.file,
                                                                   store=report.store)))
    for header in (_("table"), _("read"), _("added"), _("replaced"), _("removed"),
                   _("years replaced")):
        table.add_column(header)
    for c in report.changes.values():
        table.add_row(c.table, str(c.rows_read), str(c.rows_added), str(c.rows_replaced),
                      str(c.rows_removed), ", ".join(str(y) for y in c.years_replaced))
    console.print(table)
    if report.warnings:
        _print_problems(report.warnings, fmt)


def _problem_dict(p: Problem) -> dict[str, object]:
    return {**p.to_dict(), "text": str(p)}


def _print_problems(problems: list[Problem], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        console.out(json.dumps([_problem_dict(p) for p in problems], ensure_ascii=False,
                               indent=2), highlight=False)
        return
    if not problems:
        console.print(Text(_("no problems found"), style="green"))
        return
    n_errors = sum(p.severity == "error" for p in problems)
    table = Table(title=_("{errors} error(s), {warnings} warning(s)").format(
        errors=f"{n_errors:,}", warnings=f"{len(problems) - n_errors:,}"))
    for header in ("", _("file"), _("sheet"), _("row"), _("column"), _("problem")):
        # fold, not crop: Chinese text has no spaces to wrap at, and the fix is at the end
        table.add_column(header, overflow="fold")
    shown, omitted = summarise(problems)
    for p in shown:
        bare = dataclasses.replace(p, file=None, sheet=None, row=None, column=None)
        mark = "[red]✗[/]" if p.severity == "error" else "[yellow]![/]"
        table.add_row(mark, Text(p.file or ""), Text(p.sheet or ""),
                      "" if p.row is None else str(p.row), Text(p.column or ""), Text(str(bare)))
    console.print(table)
    for line in omitted_lines(omitted):
        console.print(Text(line), highlight=False)

"""`hsplan report`: the evaluation report (评估报告) as a Word document, over
`hsplan.reports.report`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hsplan._i18n import _
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console


class Kind(StrEnum):
    mid = "中期评估"
    final = "终期评估"


class ReportFormat(StrEnum):
    docx = "docx"
    pdf = "pdf"
    html = "html"


@app.command("report", rich_help_panel=PANEL_PLAN,
    help=_("Write the mid-term or final evaluation report (中期/终期评估报告) as Word, PDF "
           "or HTML."))
def report_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))],
    year: Annotated[int | None, typer.Option(min=YEAR_MIN, max=YEAR_MAX,
        help=_("evaluation year (default: latest)"))] = None,
    kind: Annotated[Kind, typer.Option(
        "--kind", help=_("mid-term (中期评估) or final (终期评估)"))] = Kind.mid,
    fmt: Annotated[ReportFormat | None, typer.Option(
        "--format", help=_("docx, pdf (needs LibreOffice) or html (default: from the --out "
                           "suffix, else docx)"))] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help=_("the file to write (default PROJECT/outputs/report-PLAN-YEAR.docx)"))]
    = None,
    travel: Annotated[bool, typer.Option(
        "--travel/--no-travel", help=_("compute travel times (norms, 服务可及性)"))] = True,
    issuer: Annotated[str | None, typer.Option(
        "--issuer", help=_("the issuing body signed under the report (default: the "
                           "area's health bureau)"))] = None,
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", help=_("a scenario YAML file (e.g. from hsplan site): an annex sets it "
                             "beside the baseline"))] = None,
) -> None:
    """Write the mid-term or final evaluation report (中期/终期评估报告)."""
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project
    from hsplan.reports.report import write_report

    proj = Project.open(project)
    loaded = load_plan(plan, project=proj)
    if scenario is not None:
        from hsplan.scenarios.scenario import load_scenario

        scenario_doc = load_scenario(scenario)
    if out is None:
        when = year if year is not None else (proj.load().years or [loaded.period_end])[-1]
        out = proj.outputs_dir / f"report-{loaded.id}-{when}.{fmt.value if fmt else 'docx'}"
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(_("evaluation report"), total=None)

        def step(label: str) -> None:
            bar.update(task, description=f"{_('evaluation report')} · {label}")

        written = write_report(proj, loaded, out, year=year, kind=kind.value, travel=travel,
                               fmt=fmt.value if fmt else None, issuer=issuer, progress=step,
                               scenario=scenario_doc if scenario is not None else None)
    console.print(_("wrote {path}").format(path=written), highlight=False, soft_wrap=True)

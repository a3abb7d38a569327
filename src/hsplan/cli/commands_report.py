"""`hsplan report`: the evaluation report (评估报告) as a Word document, over
`hsplan.reports.report`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console


class Kind(StrEnum):
    mid = "中期评估"
    final = "终期评估"


@app.command("report", rich_help_panel=PANEL_PLAN)
def report_command(
    project: Annotated[Path, typer.Argument(help="the project folder")],
    plan: Annotated[str, typer.Option("--plan", help="a plan id or a YAML file")],
    year: Annotated[int | None, typer.Option(min=YEAR_MIN, max=YEAR_MAX,
        help="evaluation year (default: latest)")] = None,
    kind: Annotated[Kind, typer.Option("--kind", help="中期评估 or 终期评估")] = Kind.mid,
    out: Annotated[Path | None, typer.Option(
        "--out", help="the .docx to write (default PROJECT/outputs/report-PLAN-YEAR.docx)")]
    = None,
    travel: Annotated[bool, typer.Option(
        "--travel/--no-travel", help="compute travel times (norms, 服务可及性)")] = True,
) -> None:
    """Write the mid-term or final evaluation report (中期/终期评估报告) as a .docx."""
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project
    from hsplan.reports.report import write_report

    proj = Project.open(project)
    loaded = load_plan(plan, project=proj)
    if out is None:
        when = year if year is not None else (proj.load().years or [loaded.period_end])[-1]
        out = proj.outputs_dir / f"report-{loaded.id}-{when}.docx"
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("评估报告", total=None)

        def step(label: str) -> None:
            bar.update(task, description=f"评估报告 · {label}")

        written = write_report(proj, loaded, out, year=year, kind=kind.value, travel=travel,
                               progress=step)
    console.print(f"wrote {written}", highlight=False, soft_wrap=True)

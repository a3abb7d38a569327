"""`hsplan tasks`: the plan's tasks against the progress reports, as of a date."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hsplan._i18n import _
from hsplan.cli._app import PANEL_PLAN, app, console
from hsplan.cli._output import cell, emit_json, finish_xlsx, refuse_out_for_table
from hsplan.errors import HsplanError


class TasksFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise HsplanError(_("--as-of {text}: expected a date YYYY-MM-DD. Fix: e.g. --as-of "
                            "2024-12-31.").format(text=repr(text))) from exc


@app.command("tasks", rich_help_panel=PANEL_PLAN,
    help=_("Track the plan's tasks: late, due soon, on track, done — per task and "
        'department.'))
def tasks_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))],
    as_of: Annotated[str, typer.Option("--as-of", help=_("the date of the review, YYYY-MM-DD"))],
    progress: Annotated[Path | None, typer.Option(
        help=_("progress sheet (任务进展) as .xlsx or .csv; default: the project's store"))] = None,
    fmt: Annotated[TasksFormat, typer.Option("--format", help=_("table, json or xlsx"))]
    = TasksFormat.table,
    out: Annotated[Path | None, typer.Option(help=_("write json/xlsx to this file"))] = None,
    milestones: Annotated[bool, typer.Option(help=_("show a row per milestone"))] = True,
) -> None:
    """Track the plan's tasks: late, due soon, on track, done — per task and department."""
    from hsplan._json import json_records
    from hsplan.evaluation.tasks import (
        DONE,
        DUE_SOON,
        LATE,
        NO_REPORT,
        STATUS_ZH,
        by_department,
        progress_from_file,
        status_counts,
        task_status,
        tasks_to_xlsx,
    )
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    STYLE = {LATE: "red", DUE_SOON: "yellow", NO_REPORT: "dim", DONE: "green"}
    proj = Project.open(project)
    loaded = load_plan(plan, project=proj)
    date = _as_of(as_of)
    source: Any = None
    if progress is not None:
        frame, source = progress_from_file(progress)
    else:
        frame = proj.load().progress
    status = task_status(loaded, frame, as_of=date, milestones=milestones, source=source)
    departments = by_department(loaded, status)
    if fmt is TasksFormat.xlsx:
        target = out or proj.outputs_dir / f"tasks-{loaded.id}-{date.isoformat()}.xlsx"
        tasks_to_xlsx(status, departments, target, plan=loaded, as_of=date.isoformat())
        finish_xlsx(target, plan=loaded, year=date.year, title="重点任务进展")
        console.print(_("wrote {path}").format(path=target))
        return
    if fmt is TasksFormat.json:
        doc = {"plan": loaded.id, "project": proj.name, "as_of": date.isoformat(),
               "counts": status_counts(status),
               "tasks": json_records(status),
               "departments": json_records(departments)}
        emit_json(doc, out)
        return
    refuse_out_for_table(out)
    table = Table(title=f"{loaded.title} · 任务进度 as of {date.isoformat()}")
    for col in ("编号", "任务/节点", "牵头单位", "时限", "应完成", "已报告", "进度", "滞后天数",
                "下一节点", "说明"):
        table.add_column(col, overflow="fold")
    for row in status.to_dict(orient="records"):
        style = STYLE.get(str(row["status"]), "")
        is_task = row["kind"] == "task"
        label = f"[{style}]{STATUS_ZH[row['status']]}[/]" if style else STATUS_ZH[row["status"]]
        table.add_row(str(row["task_id"]) if is_task else "",
                      str(row["title"]) if is_task else f"  └ {row['title']}",
                      str(row["lead"]) if is_task else "", str(row["deadline"]),
                      _pct(row["expected_pct"]), _pct(row["reported_pct"]) if is_task else "",
                      label, cell(row["days_late"]),
                      cell(row["next_milestone"]) if is_task else "",
                      cell(row["reason"]) if is_task else "")
    console.print(table)
    counts = status_counts(status)
    console.print("  ".join(f"{STATUS_ZH[s]} {s}: {n}" for s, n in counts.items()),
                  highlight=False)
    dept = Table(title="部门汇总 by department")
    for col in departments.columns:
        dept.add_column(str(col))
    for values in departments.itertuples(index=False):
        dept.add_row(*(cell(v) for v in values))
    console.print(dept)


def _pct(value: Any) -> str:
    text = cell(value)
    return text if text == "—" else f"{text} %"

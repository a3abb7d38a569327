"""`hsplan tasks`: the plan's tasks against the progress reports, as of a date."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hsplan._i18n import _, is_missing
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
        STATUS_ORDER,
        by_department,
        progress_from_file,
        status_counts,
        task_status,
        tasks_to_xlsx,
    )
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    STYLE = {LATE: "red", DUE_SOON: "yellow", NO_REPORT: "dim", DONE: "green"}
    words = {s: _(s) for s in STATUS_ORDER}  # late → 滞后 …, as STATUS_ZH in Chinese
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
    title = _("{plan} · tasks as of {date}").format(plan=loaded.title, date=date.isoformat())
    if console.width >= WIDE_TABLE:
        _print_table(status, title, STYLE, words)
    else:  # one entry per task, stacked: nothing cut at 80 columns
        _print_stacked(status, title, STYLE, words)
    counts = status_counts(status)
    console.print("  ".join(f"{words[s]} {n}" for s, n in counts.items()), highlight=False)
    shown = [s for s in counts if counts[s]]
    dept = Table(title=_("by department"))
    dept.add_column(_("department"), overflow="fold", ratio=3)
    dept.add_column(_("role"), no_wrap=True)
    dept.add_column(_("tasks"), justify="right", no_wrap=True)
    for s in shown:
        dept.add_column(words[s], justify="right", no_wrap=True)
    for row in departments.to_dict(orient="records"):
        dept.add_row(str(row["department"]), _role(str(row["role"])), cell(row["tasks"]),
                     *(cell(row[s.replace(" ", "_")]) for s in shown))
    console.print(dept)


WIDE_TABLE = 140


def _role(role: str) -> str:
    """Return a department's role in a task (by_department's 牵头 / 配合) in the language."""
    return {"牵头": _("leads"), "配合": _("supports")}.get(role, role)


def _label(row: dict[str, Any], style_of: dict[str, str], words: dict[str, str]) -> str:
    style = style_of.get(str(row["status"]), "")
    word = words[str(row["status"])]
    return f"[{style}]{word}[/]" if style else word


def _print_table(status: Any, title: str, style_of: dict[str, str],
                 words: dict[str, str]) -> None:
    table = Table(title=title)
    for col in (_("task no."), _("task / milestone"), _("lead unit"), _("due by"),
                _("expected done"), _("reported done"), _("progress"), _("days late"),
                _("next milestone"), _("note")):
        table.add_column(col, overflow="fold")
    for row in status.to_dict(orient="records"):
        is_task = row["kind"] == "task"
        table.add_row(str(row["task_id"]) if is_task else "",
                      str(row["title"]) if is_task else f"  └ {_checkpoint(row['title'])}",
                      str(row["lead"]) if is_task else "", str(row["deadline"]),
                      _pct(row["expected_pct"]), _pct(row["reported_pct"]) if is_task else "",
                      _label(row, style_of, words), cell(row["days_late"]),
                      _checkpoint(cell(row["next_milestone"])) if is_task else "",
                      cell(row["reason"]) if is_task else "")
    console.print(table)


def _print_stacked(status: Any, title: str, style_of: dict[str, str],
                   words: dict[str, str]) -> None:
    from rich.padding import Padding
    from rich.text import Text

    console.print(Text(title, style="bold"))
    for row in status.to_dict(orient="records"):
        label = _label(row, style_of, words)
        late = (" · " + _("{days} days late").format(days=cell(row["days_late"]))
                if not is_missing(row["days_late"]) and row["days_late"] else "")
        expected = _("expected {pct}").format(pct=_pct(row["expected_pct"]))
        if row["kind"] != "task":
            console.print(Padding(Text.from_markup(
                f"└ {label} {row['deadline']} {expected}{late}: ")
                + Text(_checkpoint(str(row["title"]))), (0, 0, 0, 4)), highlight=False)
            continue
        console.print(Text.from_markup(f"● {label} {row['task_id']} ") + Text(str(row["title"])),
                      highlight=False)
        facts = [_("lead: {lead}").format(lead=row["lead"] or "—"),
                 _("deadline {date}").format(date=row["deadline"]), expected,
                 _("reported {pct}").format(pct=_pct(row["reported_pct"]))]
        if not is_missing(row["next_milestone"]):
            facts.append(_("next milestone {milestone}").format(
                milestone=_checkpoint(str(row["next_milestone"]))))
        console.print(Padding(Text(" · ".join(facts) + late), (0, 0, 0, 4)), highlight=False)
        if not is_missing(row["reason"]):
            console.print(Padding(Text(str(row["reason"])), (0, 0, 0, 4)), highlight=False)


def _checkpoint(text: str) -> str:
    """Return a checkpoint's title in the language: the one hsplan names itself (完成时限,
    the task's deadline, hsplan.evaluation.tasks.checkpoints) is translated, "100 %: 完成时限"
    too; a milestone's title is the plan's own words and is kept."""
    own = "完成时限"
    if text == own:
        return _("the deadline")
    if text.endswith(": " + own):
        return text[: -len(own)] + _("the deadline")
    return text


def _pct(value: Any) -> str:
    text = cell(value)
    return text if text == "—" else f"{text} %"

"""Task tracking: the plan's tasks against the planner's progress reports, as of a date.

A plan's tasks (`hsplan.plans.plan.Task`: lead and supporting departments, deadline, dated
milestones) are checked against the ``progress`` table (schema table 任务进展: task_id,
date, percent, status, note) — from the project store or a workbook/CSV read with
`hsplan.region.io` (`progress_from_file`).

Expected progress
-----------------
Each task has checkpoints: its milestones, and its deadline (100 %) when no milestone falls
on or after it (a task without a deadline ends with the plan period, 31 December of the
end year). The percent a checkpoint expects:

- a checkpoint on or after the deadline expects 100 % (the task is done by its deadline);
- an earlier milestone stated in percent (``unit: "%"``) expects that percent — the
  yearly 60/80/100 % of 赣州经开区 task P26 expect 60 % by 2023-12-31 and 80 % by
  2024-12-31;
- an earlier milestone without a percentage expects the share of the task's checkpoint
  dates reached by then (the first of two dates: 50 %).

The *expected percent* at ``as_of`` is that of the latest checkpoint due on or before it
(0 before the first). The *reported percent* is that of the latest progress row on or
before ``as_of``: its ``percent``, or 100 for 已完成 and 0 for 未开始 when no percent is
given (a report without either counts as 0 %).

Status (first rule that holds)
------------------------------
- **done** — reported 100 % or status 已完成;
- **cancelled** — status 已取消;
- **late** — a checkpoint has passed (its date is before ``as_of``) and the reported
  percent is below what it expects (a task without any report counts as 0 %), or the
  latest report says 已延期; ``days_late`` counts from the earliest missed checkpoint;
- **due soon** — the next checkpoint (on or after ``as_of``) is within 90 days and the
  reported percent is below what it expects;
- **no report** — no progress row on or before ``as_of``;
- **not started** — reported 0 % or 未开始;
- **on track** — otherwise.

Milestone rows use the same words: done (its percent reached), late (passed, not
reached), due soon (within 90 days), no report, on track (later). Rows are sorted late
first (most days late first), then due soon, no report, not started, on track, done,
cancelled; each task's milestone rows follow it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._files import xlsx_writer
from hsplan._i18n import _
from hsplan.errors import DataSourceError, Problem, ValidationError
from hsplan.plans.extract.departments import canonical_departments
from hsplan.plans.plan import Plan, Task
from hsplan.region import schema
from hsplan.region.model import typed

DONE = "done"
CANCELLED = "cancelled"
LATE = "late"
DUE_SOON = "due soon"
NO_REPORT = "no report"
NOT_STARTED = "not started"
ON_TRACK = "on track"
STATUS_ORDER = (LATE, DUE_SOON, NO_REPORT, NOT_STARTED, ON_TRACK, DONE, CANCELLED)
STATUS_ZH = {LATE: "滞后", DUE_SOON: "即将到期", NO_REPORT: "未报告", NOT_STARTED: "未开始",
             ON_TRACK: "进度正常", DONE: "已完成", CANCELLED: "已取消"}
DUE_SOON_DAYS = 90

COLUMNS = [
    "task_id", "kind", "milestone", "title", "section", "lead", "support", "deadline",
    "next_milestone_date", "next_milestone", "expected_pct", "reported_pct", "report_date",
    "report_status", "status", "status_zh", "days_late", "reason",
]
COLUMNS_ZH = {
    "task_id": "任务编号", "kind": "类型", "milestone": "节点序号", "title": "任务/节点",
    "section": "章节", "lead": "牵头单位", "support": "配合单位", "deadline": "完成时限",
    "next_milestone_date": "下一节点日期", "next_milestone": "下一节点",
    "expected_pct": "应完成比例(%)", "reported_pct": "报告完成比例(%)",
    "report_date": "报告日期", "report_status": "报告状态", "status": "status",
    "status_zh": "进度判断", "days_late": "滞后天数", "reason": "说明",
}


@dataclass(frozen=True)
class Checkpoint:
    """A date by which a task should have reached `expected_pct` percent."""

    date: dt.date
    expected_pct: float
    text: str
    milestone: int | None  # 1-based milestone number; None for the deadline itself


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def task_deadline(task: Task, plan: Plan) -> dt.date:
    """Return the task's deadline; 31 December of the plan's end year when it has none."""
    return _date(task.deadline) if task.deadline else dt.date(plan.period_end, 12, 31)


def checkpoints(task: Task, plan: Plan) -> list[Checkpoint]:
    """Return the task's checkpoints, earliest first, each with its expected percent (%).

    Rules in the module docstring: on/after the deadline 100 %, an earlier milestone in %
    its value, another earlier milestone the share of checkpoint dates reached.
    """
    deadline = task_deadline(task, plan)
    dates = sorted({_date(m["date"]) for m in task.milestones} | {deadline})
    dates = [d for d in dates if d <= deadline] + [d for d in dates if d > deadline]
    n = len([d for d in dates if d <= deadline])
    out: list[Checkpoint] = []
    for i, m in enumerate(task.milestones, start=1):
        when = _date(m["date"])
        value, unit = m.get("value"), m.get("unit")
        if when >= deadline:
            pct = 100.0
        elif unit == "%" and isinstance(value, int | float):
            pct = float(value)
        else:
            pct = round(100.0 * (dates.index(when) + 1) / n, 1)
        out.append(Checkpoint(when, pct, _milestone_text(m), i))
    if not any(c.date >= deadline for c in out):
        out.append(Checkpoint(deadline, 100.0, "完成时限", None))
    return sorted(out, key=lambda c: (c.date, c.expected_pct))


def _milestone_text(m: dict[str, Any]) -> str:
    text = m.get("text") or ""
    value, unit = m.get("value"), m.get("unit")
    if not text and value is not None:
        text = f"{value:g}{unit or ''}"
    return str(text)


# --- progress --------------------------------------------------------------------------------


def progress_from_file(path: str | Path) -> tuple[pd.DataFrame, Any]:
    """Return the progress table (typed, schema ``progress``) of a workbook or CSV file read
    with `hsplan.region.io`, and the `SheetSource` that knows each row's spreadsheet row.

    Raises `ValidationError` with every problem of the 任务进展 sheet, `DataSourceError`
    when the file holds no progress table.
    """
    from hsplan.region.io import read_tables

    path = Path(path)
    result = read_tables(path)
    progress_sheets = {schema.PROGRESS.zh, schema.PROGRESS.name}
    source = result.sources.get("progress")
    if source is not None:
        progress_sheets.add(source.sheet)
    problems = [p for p in result.problems if p.sheet is None or p.sheet in progress_sheets]
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems, context=_("progress {file}").format(file=path.name))
    if "progress" not in result.tables:
        raise DataSourceError(_(
            "{file}: no progress table (expected a sheet {sheet} or a file progress.csv / "
            "{sheet}.csv). Fix: fill in the sheet {sheet} of the template (`hsplan template`)."
        ).format(file=path.name, sheet=schema.PROGRESS.zh))
    return result.tables["progress"], source


def check_progress(plan: Plan, progress: pd.DataFrame, *, source: Any = None,
                   file: str | None = None) -> list[Problem]:
    """Return a problem for every progress row whose task id is not a task of `plan`, and
    for every date that is not an ISO date (rows as the spreadsheet shows them when
    `source` — an `hsplan.region.io.SheetSource` — is given)."""
    ids = [t.id for t in plan.tasks]
    known = set(ids)
    problems: list[Problem] = []
    sheet = getattr(source, "sheet", None) or schema.PROGRESS.zh
    file = file or getattr(source, "file", None)
    rows: dict[tuple[str, ...], int] = getattr(source, "rows", {}) or {}
    for i, rec in enumerate(progress.to_dict(orient="records")):
        task_id, date = rec.get("task_id"), rec.get("date")
        row = rows.get((str(task_id), str(date)), i + 2)
        if task_id is None or pd.isna(task_id) or str(task_id) not in known:
            folded = {i.strip().upper(): i for i in ids}
            guess = [folded[k] for k in [str(task_id).strip().upper()] if k in folded]
            show = _("list the ids with `hsplan plans show {plan} --format json`").format(
                plan=plan.id)
            problems.append(Problem(
                _("unknown task"), file=file, sheet=sheet, row=row, column="任务编号",
                expected=_("a task id of plan {plan} ({first} … {last})").format(
                    plan=plan.id, first=ids[0], last=ids[-1]) if ids
                else _("a task id (plan {plan} has no tasks)").format(plan=plan.id),
                got=str(task_id),
                fix=_("did you mean {guess}? {show}").format(guess=guess[0], show=show)
                if guess else show))
        try:
            _date(date)
        except (TypeError, ValueError):
            problems.append(Problem(_("not a date"), file=file, sheet=sheet, row=row,
                                    column="日期", expected=_("a date YYYY-MM-DD"),
                                    got=str(date), fix=_("enter the report date as YYYY-MM-DD")))
    return problems


@dataclass(frozen=True)
class _Report:
    date: dt.date
    pct: float
    status: str | None
    note: str | None
    has_percent: bool


def _latest_reports(progress: pd.DataFrame, as_of: dt.date) -> dict[str, _Report]:
    latest: dict[str, _Report] = {}
    for rec in progress.to_dict(orient="records"):
        when = _date(rec["date"])
        if when > as_of:
            continue
        task_id = str(rec["task_id"])
        if task_id in latest and latest[task_id].date > when:
            continue
        status = None if rec.get("status") is None or pd.isna(rec["status"]) \
            else str(rec["status"])
        percent = rec.get("percent")
        has_percent = percent is not None and not pd.isna(percent)
        pct = float(str(percent)) if has_percent else (100.0 if status == "已完成" else 0.0)
        note = None if rec.get("note") is None or pd.isna(rec["note"]) else str(rec["note"])
        latest[task_id] = _Report(when, pct, status, note, has_percent)
    return latest


# --- status ----------------------------------------------------------------------------------


def task_status(plan: Plan, progress: pd.DataFrame, *, as_of: dt.date | str,
                milestones: bool = True, source: Any = None) -> pd.DataFrame:
    """Return one row per task (and, with `milestones`, per milestone) with its status as
    of `as_of`, in `COLUMNS`; percentages in %, ``days_late`` in days.

    `progress` is the schema ``progress`` table (one row per task and report date); rows
    dated after `as_of` are not used. Raises `ValidationError` when a progress row names a
    task the plan does not have (row numbers from `source`, see `check_progress`). Status
    rules and the expected percent are in the module docstring; rows are sorted late first.
    """
    as_of = _date(as_of)
    progress = typed(progress, schema.PROGRESS)
    problems = check_progress(plan, progress, source=source)
    if problems:
        raise ValidationError(problems,
                              context=_("progress for plan {plan}").format(plan=plan.id))
    reports = _latest_reports(progress, as_of)
    blocks: list[tuple[tuple[int, int, dt.date, int], list[dict[str, Any]]]] = []
    for order, task in enumerate(plan.tasks):
        rows = _task_rows(task, plan, reports.get(task.id), as_of, milestones=milestones)
        head = rows[0]
        key = (STATUS_ORDER.index(head["status"]), -int(head["days_late"] or 0),
               task_deadline(task, plan), order)
        blocks.append((key, rows))
    blocks.sort(key=lambda b: b[0])
    records = [row for _, rows in blocks for row in rows]
    frame = pd.DataFrame(records, columns=COLUMNS)
    for col in ("expected_pct", "reported_pct"):
        frame[col] = frame[col].astype("Float64")
    for col in ("milestone", "days_late"):
        frame[col] = frame[col].astype("Int64")
    frame.attrs["as_of"] = as_of.isoformat()
    frame.attrs["plan"] = plan.id
    return frame


def _task_rows(task: Task, plan: Plan, report: _Report | None, as_of: dt.date, *,
               milestones: bool) -> list[dict[str, Any]]:
    points = checkpoints(task, plan)
    pct = report.pct if report is not None else 0.0
    due = [c for c in points if c.date <= as_of]
    expected = max((c.expected_pct for c in due), default=0.0)
    missed = [c for c in points if c.date < as_of and pct < c.expected_pct]
    upcoming = [c for c in points if c.date >= as_of and pct < c.expected_pct]
    nxt = upcoming[0] if upcoming else None
    status_text = report.status if report is not None else None
    days_late: int | None = None
    if report is not None and (pct >= 100 or status_text == "已完成"):
        status, reason = DONE, _reported(pct, report.date)
    elif status_text == "已取消":
        status, reason = CANCELLED, _("reported 已取消 on {date}").format(
            date=report.date if report else "")
    elif missed or status_text == "已延期":
        status = LATE
        days_late = (as_of - missed[0].date).days if missed else 0
        if missed:
            first = missed[0]
            reason = _("{pct} due {date}, {report}").format(
                pct=_pct(first.expected_pct), date=first.date,
                report=_reported(pct, report.date) if report is not None else _("no report"))
        else:
            reason = _("reported 已延期 on {date}").format(date=report.date if report else "")
    elif nxt is not None and (nxt.date - as_of).days <= DUE_SOON_DAYS:
        status = DUE_SOON
        reason = _("{pct} due {date} (in {days} days), {report}").format(
            pct=_pct(nxt.expected_pct), date=nxt.date, days=(nxt.date - as_of).days,
            report=(_("reported {pct}").format(pct=_pct(pct)) if report is not None
                    else _("no report")))
    elif report is None:
        status, reason = NO_REPORT, _("no progress report on or before {date}").format(
            date=as_of)
    elif pct == 0 or status_text == "未开始":
        status, reason = NOT_STARTED, _reported(pct, report.date)
    else:
        status = ON_TRACK
        reason = _("{report}, {pct} expected by now").format(
            report=_reported(pct, report.date), pct=_pct(expected))
    if report is not None and not report.has_percent and status not in (DONE, CANCELLED):
        reason += _(" (no percent reported: counted as 0 %)")
    head = {
        "task_id": task.id, "kind": "task", "milestone": 0, "title": task.title,
        "section": task.section, "lead": "、".join(task.lead),
        "support": "、".join(task.support),
        "deadline": task_deadline(task, plan).isoformat(),
        "next_milestone_date": nxt.date.isoformat() if nxt else None,
        "next_milestone": f"{_pct(nxt.expected_pct)}: {nxt.text}" if nxt else None,
        "expected_pct": expected,
        "reported_pct": report.pct if report is not None else None,
        "report_date": report.date.isoformat() if report is not None else None,
        "report_status": status_text, "status": status, "status_zh": STATUS_ZH[status],
        "days_late": days_late, "reason": reason,
    }
    rows = [head]
    if not milestones:
        return rows
    finished = status == DONE
    for c in points:
        if c.milestone is None:
            continue
        m_late: int | None = None
        if finished or (report is not None and pct >= c.expected_pct):
            m_status = DONE
        elif status == CANCELLED:
            m_status = CANCELLED
        elif c.date < as_of:
            m_status, m_late = LATE, (as_of - c.date).days
        elif (c.date - as_of).days <= DUE_SOON_DAYS:
            m_status = DUE_SOON
        elif report is None:
            m_status = NO_REPORT
        else:
            m_status = ON_TRACK
        rows.append({
            **{k: head[k] for k in ("task_id", "section", "lead", "support")},
            "kind": "milestone", "milestone": c.milestone, "title": c.text,
            "deadline": c.date.isoformat(), "next_milestone_date": None,
            "next_milestone": None, "expected_pct": c.expected_pct,
            "reported_pct": head["reported_pct"], "report_date": head["report_date"],
            "report_status": status_text, "status": m_status,
            "status_zh": STATUS_ZH[m_status], "days_late": m_late, "reason": None,
        })
    return rows


def _pct(value: float) -> str:
    return f"{value:g} %"


def _reported(pct: float, date: Any) -> str:
    return _("reported {pct} on {date}").format(pct=_pct(pct), date=date)


def by_department(plan: Plan, status: pd.DataFrame) -> pd.DataFrame:
    """Return task counts per department and role (牵头 lead · 配合 support), per status.

    Columns: department, role, tasks, then one column per status in `STATUS_ORDER` (spaces
    as underscores: late, due_soon, no_report, not_started, on_track, done, cancelled).
    Department names are normalised across the plan (`hsplan.plans.extract.departments`:
    区发改局 and 区发展和改革局 are one row, under the fuller name).
    `status` is a `task_status` frame (its task rows are used). Sorted lead before support,
    most late tasks first, then most tasks, then name.
    """
    tasks = status[status["kind"] == "task"].set_index("task_id")["status"].to_dict()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    # one row per department however the plan writes it (区发改局 = 区发展和改革局)
    canonical = canonical_departments(u for t in plan.tasks for u in [*t.lead, *t.support])
    for task in plan.tasks:
        if task.id not in tasks:
            continue
        for role, units in (("牵头", task.lead), ("配合", task.support)):
            for unit in dict.fromkeys(canonical.get(u, u) for u in units):
                entry = counts.setdefault((unit, role), dict.fromkeys(STATUS_ORDER, 0))
                entry[tasks[task.id]] += 1
    rows = [{"department": unit, "role": role, "tasks": sum(c.values()),
             **{s.replace(" ", "_"): c[s] for s in STATUS_ORDER}}
            for (unit, role), c in counts.items()]
    cols = ["department", "role", "tasks", *[s.replace(" ", "_") for s in STATUS_ORDER]]
    frame = pd.DataFrame(rows, columns=cols)
    if frame.empty:
        return frame
    frame["_role"] = (frame["role"] == "配合").astype(int)
    frame = frame.sort_values(["_role", "late", "tasks", "department"],
                              ascending=[True, False, False, True], kind="stable")
    return frame.drop(columns="_role").reset_index(drop=True)


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """Return the number of tasks per status (task rows only), in `STATUS_ORDER`."""
    counts = status.loc[status["kind"] == "task", "status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def tasks_to_xlsx(status: pd.DataFrame, departments: pd.DataFrame, path: str | Path, *,
                  plan: Plan, as_of: str) -> Path:
    """Write the task status (sheet 任务进度, Chinese headers) and the department counts
    (sheet 部门汇总) to a workbook; return the path."""
    path = Path(path)
    with xlsx_writer(path) as writer:
        pd.DataFrame({"项目": ["规划", "截至日期"], "内容": [plan.title, as_of]}).to_excel(
            writer, sheet_name="说明", index=False)
        out = status.drop(columns="status").rename(columns=COLUMNS_ZH)
        _plain(out).to_excel(writer, sheet_name="任务进度", index=False)
        _plain(departments).to_excel(writer, sheet_name="部门汇总", index=False)
    return path


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out

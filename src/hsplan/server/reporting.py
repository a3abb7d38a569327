"""Departments' task progress with review, reporting periods and who has not reported.

Task progress is reported the way facilities report their figures: a 部门 user submits a
report (status, % done or the milestone reached, a note, the date it speaks of) for a task
of the served plan whose lead (牵头) or supporting (配合) departments include one of its own
departments; a planner accepts it — the report becomes a row of the region's ``progress``
table (任务进展), which `hsplan tasks` and the dashboard's 任务 page read — or returns it with
a comment. Every write adds its audit rows in the same transaction.

A reporting period is a deadline a planner sets: ``facility`` (the yearly form of data year
`year`, due `due`) or ``task`` (task progress dated `starts` … `due`, e.g. a quarter). The
reporting status of a period lists, within the planner's scope, each facility or each lead
department with 按时报送 / 逾期报送 / 未报送 / 逾期未报.

Routes under ``/api/v1/server``: ``GET /my-tasks``, ``GET|POST /task-reports``,
``POST /task-reports/{id}/accept|return``, ``GET|POST /periods``, ``GET /reporting/{id}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Connection, Engine

from hsplan._i18n import _
from hsplan.errors import Problem
from hsplan.plans.plan import Plan, Task
from hsplan.region import schema
from hsplan.region.io.tables import frame_from_rows
from hsplan.server import db
from hsplan.server.records import (
    PREFIX,
    Ctx,
    _changed_since_read,
    _plain,
    _problem,
    _upsert,
    open_ctx,
)
from hsplan.server.scope import DEPARTMENT, Scope
from hsplan.web.errors import ApiError

ON_TIME, LATE_SENT, NOT_YET, LATE_MISSING = "按时报送", "逾期报送", "未报送", "逾期未报"
REPORTED = ("已提交", "已接受")


@dataclass(frozen=True)
class DepartmentTask:
    """A task of the plan one of the user's departments leads or supports."""

    task: Task
    department: str   # the user's department, as its scope names it
    role: str         # 牵头 or 配合


def _canonical(plan: Plan, extra: tuple[str, ...]) -> Callable[[str], str]:
    from hsplan.plans.extract.departments import canonical_departments

    names = {n for t in plan.tasks for n in (*t.lead, *t.support)} | set(extra)
    mapping = canonical_departments(sorted(names))
    return lambda name: mapping.get(name, name)


def department_tasks(plan: Plan, departments: tuple[str, ...]) -> dict[str, DepartmentTask]:
    """Return {task id: `DepartmentTask`} of the tasks `departments` lead or support
    (names compared after `canonical_departments`: 区发改局 = 区发展和改革局)."""
    if not departments:
        return {}
    canon = _canonical(plan, departments)
    mine = {canon(d): d for d in departments}
    out: dict[str, DepartmentTask] = {}
    for task in plan.tasks:
        for role, names in (("牵头", task.lead), ("配合", task.support)):
            hit = next((mine[canon(n)] for n in names if canon(n) in mine), None)
            if hit is not None and task.id not in out:
                out[task.id] = DepartmentTask(task, hit, role)
    return out


def lead_departments(plan: Plan) -> dict[str, list[str]]:
    """Return {lead department (canonical name): its task ids} of the plan."""
    canon = _canonical(plan, ())
    out: dict[str, list[str]] = {}
    for task in plan.tasks:
        for name in dict.fromkeys(canon(n) for n in task.lead):
            out.setdefault(name, []).append(task.id)
    return out


def _iso_date(value: Any, where: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(_("not a date"), file=where, expected="YYYY-MM-DD",
                            got=str(value), fix=_("e.g. {example}").format(example="2025-03-31")))
    return None


def validate_task_report(plan: Plan, item: DepartmentTask, payload: dict[str, Any], *,
                         today: dt.date) -> dict[str, Any]:
    """Return the report's values (date, progress_status, percent, milestone, note);
    raise 422 listing every problem: the progress table's cell checks (the importer's),
    the milestone's number, a date after today, 已完成 below 100 %."""
    from hsplan.evaluation.tasks import checkpoints

    problems: list[Problem] = []
    here = _("task report")  # the place every problem of the report names
    known = {"task_id", "date", "status", "percent", "milestone", "note"}
    for extra in sorted(set(payload) - known):
        problems.append(Problem(_("unknown field"), file=here, column=extra,
                                expected=", ".join(sorted(known))))
    when = payload.get("date") or today.isoformat()
    sch = schema.TABLES["progress"]
    cells = [item.task.id, when, payload.get("percent"), payload.get("status"),
             payload.get("note")]
    frame, _source, found = frame_from_rows(
        sch, [(1, ["task_id", "date", "percent", "status", "note"]), (2, cells)],
        file=here, sheet=sch.zh)
    problems += [p for p in found if p.severity == "error"]
    if payload.get("status") in (None, ""):
        problems.append(Problem(_("status missing"), file=here, column="status",
                                expected=" / ".join(db.TASK_STATUSES),
                                fix=_("say how far the task has come")))
    date = _iso_date(when, here, []) if isinstance(when, str) else None
    if date is not None and date > today:
        problems.append(Problem(_("date in the future"), file=here, column="date",
                                expected=_("on or before {date}").format(
                                    date=today.isoformat()),
                                got=date.isoformat(), fix=_("report what is done by today")))
    milestone = payload.get("milestone")
    points = [c for c in checkpoints(item.task, plan) if c.milestone is not None]
    if milestone not in (None, ""):
        if isinstance(milestone, str) and milestone.isdigit():
            milestone = int(milestone)
        if not isinstance(milestone, int) or isinstance(milestone, bool) \
                or not 1 <= milestone <= len(points):
            problems.append(Problem(
                _("no such milestone"), file=here, column="milestone",
                expected=f"1–{len(points)}" if points
                else _("none: the task has no milestones"),
                got=str(milestone), fix=_("leave it empty, or give the milestone's number")))
            milestone = None
    else:
        milestone = None
    row: dict[str, Any] = {}
    if frame is not None and len(frame):
        row = db.region_rows(frame, sch)[0]
    percent = row.get("percent")
    if percent is None and milestone is not None:
        percent = next(c.expected_pct for c in points if c.milestone == milestone)
    if row.get("status") == "已完成" and percent is not None and percent < 100:
        problems.append(Problem(_("{status} below 100 %").format(status="已完成"), file=here,
                                column="percent",
                                expected=_("100, or leave it empty"), got=f"{percent:g}",
                                fix=_("give the status {status}, or the percent 100").format(
                                    status="进行中")))
    if problems:
        raise ApiError(422, problems)
    return {"date": row["date"], "progress_status": row["status"], "percent": percent,
            "milestone": milestone, "note": row.get("note")}


def _period_row(conn: Connection, period_id: int) -> Any:
    row = conn.execute(sa.select(db.reporting_periods)
                       .where(db.reporting_periods.c.id == period_id)).first()
    if row is None:
        raise _problem(404, _("no such reporting period"), got=str(period_id),
                       fix=_("{address} lists them").format(address=f"GET {PREFIX}/periods"))
    return row


def _word(reported_on: dt.date | None, due: dt.date, today: dt.date) -> str:
    if reported_on is not None:
        return ON_TIME if reported_on <= due else LATE_SENT
    return LATE_MISSING if today > due else NOT_YET


def reporting_status(conn: Connection, scope: Scope, plan: Plan, period_id: int, *,
                     today: dt.date) -> dict[str, Any]:
    """Return who has reported for a period: per facility in `scope` (kind facility) or
    per lead department (kind task), with counts by 按时报送 / 逾期报送 / 未报送 / 逾期未报."""
    period = _period_row(conn, period_id)
    due = dt.date.fromisoformat(period.due)
    rows: list[dict[str, Any]] = []
    if period.kind == "facility":
        fac = db.REGION_TABLES["facilities"]
        sub = db.submissions
        first = (sa.select(sub.c.facility_id, sa.func.min(sub.c.created_at).label("at"))
                 .where(sub.c.year == period.year, sub.c.status.in_(REPORTED))
                 .group_by(sub.c.facility_id).subquery())
        stmt = (sa.select(fac.c.id, fac.c.name, fac.c.area_code, first.c.at)
                .outerjoin(first, first.c.facility_id == fac.c.id)
                .where(scope.facility_clause(fac.c.id, fac.c.area_code))
                .order_by(fac.c.id))
        for r in conn.execute(stmt):
            on = r.at.date() if r.at is not None else None
            rows.append({"facility_id": r.id, "name": r.name, "area_code": r.area_code,
                         "reported_at": on.isoformat() if on else None,
                         "status": _word(on, due, today)})
    else:
        tr = db.task_reports
        starts = dt.date.fromisoformat(period.starts)
        reports = conn.execute(sa.select(tr.c.task_id, tr.c.department, tr.c.created_at)
                               .where(tr.c.status.in_(REPORTED),
                                      tr.c.date >= starts.isoformat(),
                                      tr.c.date <= period.due)).all()
        if scope.areas:  # task progress is county-wide: planners holding an area
            canon = _canonical(plan, tuple({r.department for r in reports}))
            for dept, task_ids in sorted(lead_departments(plan).items()):
                got = [r for r in reports if r.task_id in task_ids
                       and canon(r.department) == dept]
                done = sorted({r.task_id for r in got})
                # reported when every task it leads has a report; on the last one's date
                on = max(r.created_at for r in got).date() \
                    if got and len(done) == len(task_ids) else None
                rows.append({"department": dept, "tasks": len(task_ids),
                             "reported": len(done),
                             "missing": [t for t in task_ids if t not in done],
                             "reported_at": on.isoformat() if on else None,
                             "status": _word(on, due, today)})
    counts = {w: sum(r["status"] == w for r in rows)
              for w in (ON_TIME, LATE_SENT, NOT_YET, LATE_MISSING)}
    return {"period": _plain(period._mapping), "as_of": today.isoformat(), "counts": counts,
            "rows": rows, "not_reported": [r for r in rows
                                           if r["status"] in (NOT_YET, LATE_MISSING)]}


def add_period(c: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """Add a reporting period (planners); return it. 422 with every problem at once."""
    if not c.scope.can_write:
        raise _problem(403, _("only planners and administrators set reporting deadlines"),
                       got=c.scope.role)
    problems: list[Problem] = []
    kind, label = body.get("kind"), body.get("label")
    if kind not in db.PERIOD_KINDS:
        problems.append(Problem(_("unknown kind"), file="kind", expected=" / ".join(
            db.PERIOD_KINDS), got=str(kind), fix=_("facility: yearly forms; task: progress")))
    if not isinstance(label, str) or not label.strip() or len(label) > 80:
        problems.append(Problem(_("label missing"), file="label",
                                expected=_("1–80 characters"), got=str(label),
                                fix=_("e.g. {example}").format(example="2024年度机构年报")))
    due = _iso_date(body.get("due"), "due", problems)
    year, starts = body.get("year"), None
    if kind == "facility":
        if isinstance(year, str) and year.isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2100:
            problems.append(Problem(_("data year missing"), file="year", expected="1949–2100",
                                    got=str(year), fix=_("give the year the forms report on")))
    elif kind == "task":
        year = None
        starts = _iso_date(body.get("starts"), "starts", problems)
        if starts is not None and due is not None and starts > due:
            problems.append(Problem(_("period ends before it starts"), file="starts",
                                    expected=_("on or before {date}").format(date=due),
                                    got=str(starts)))
    if problems:
        raise ApiError(422, problems)
    p = db.reporting_periods
    if c.conn.execute(sa.select(p.c.id).where(p.c.kind == kind, p.c.label == label)).first():
        raise _problem(409, _("a period with this label exists"), where="label",
                       got=str(label), fix=_("choose another label"))
    area = c.scope.areas[0] if c.scope.areas else None
    row = c.conn.execute(p.insert().values(
        kind=kind, label=label, year=year, starts=starts.isoformat() if starts else None,
        due=due.isoformat() if due else None, area_code=area, created_by=c.scope.user_id)
        .returning(p)).one()
    new = _plain(row._mapping)
    c.audit("add", "reporting_periods", str(row.id), None, new, area_code=area)
    return new


def submit_task_report(c: Ctx, plan: Plan, payload: Any, *, today: dt.date
                       ) -> dict[str, Any]:
    """Store a department's task report (status 已提交); return it."""
    if not isinstance(payload, dict):
        raise _problem(422, _("not a JSON object"), where=_("request body"),
                       expected='{"task_id", "date", "status", "percent", "milestone", '
                                '"note"}')
    if c.scope.role not in (DEPARTMENT, "管理员", "规划人员"):
        raise _problem(403, _("your role may not report task progress"), got=c.scope.role)
    task_id = payload.get("task_id")
    mine = department_tasks(plan, c.scope.departments)
    if not isinstance(task_id, str) or task_id not in mine:
        raise _problem(404, _("no such task among your departments' tasks"), where="task_id",
                       got=str(task_id), fix=_("{address} lists them").format(
                           address=f"GET {PREFIX}/my-tasks"))
    item = mine[task_id]
    values = validate_task_report(plan, item, payload, today=today)
    tr = db.task_reports
    row = c.conn.execute(tr.insert().values(
        task_id=task_id, department=item.department, status="已提交",
        submitted_by=c.scope.user_id, **values).returning(tr)).one()
    new = _plain(row._mapping)
    c.audit("submit", "task_reports", str(row.id), None, new, area_code=plan.region_code)
    return new


def review_task_report(c: Ctx, plan: Plan, report_id: int, body: dict[str, Any],
                       accept: bool) -> dict[str, Any]:
    """Accept (into the progress table) or return (with a comment) a task report."""
    version, comment = body.get("version"), body.get("comment")
    if not isinstance(version, int):
        raise _problem(422, _("version missing"), where=_("request body"),
                       expected=_("the report's version as read"))
    if not accept and (not isinstance(comment, str) or not comment.strip()):
        raise _problem(422, _("a returned report needs a comment"), where="comment",
                       fix=_("say what the department should correct"))
    if not c.scope.can_write or not c.scope.areas:
        raise _problem(403, _("your role or scope may not review task progress"),
                       got=c.scope.role)
    tr = db.task_reports
    row = c.conn.execute(sa.select(tr).where(tr.c.id == report_id).with_for_update()).first()
    if row is None:
        raise _problem(404, _("no such task report"), got=str(report_id))
    if row.version != version or row.status != "已提交":
        raise _changed_since_read(_("task report changed since you read it"),
                                  _("task report {id}").format(id=report_id), version, row,
                                  _("reload the list"))
    where = {"area_code": plan.region_code}
    if accept:
        parts = [f"{row.department}报告"]
        if row.milestone is not None:
            parts.append(f"达到第{row.milestone}个节点")
        if row.note:
            parts.append(str(row.note))
        _upsert(c, "progress", {"task_id": row.task_id, "date": row.date,
                                "percent": row.percent, "status": row.progress_status,
                                "note": "；".join(parts)}, where)
    status = "已接受" if accept else "已退回"
    new = c.conn.execute(tr.update().where(tr.c.id == report_id).values(
        status=status, comment=comment, reviewed_by=c.scope.user_id,
        updated_at=sa.func.now(), version=tr.c.version + 1).returning(tr)).one()
    c.audit("accept" if accept else "return", "task_reports", str(report_id),
            {"status": row.status}, {"status": status, "comment": comment}, **where)
    return _plain(new._mapping)


def list_task_reports(c: Ctx, *, status: str | None = None) -> list[dict[str, Any]]:
    """Return the task reports the caller may see: its departments' (部门), or all
    (planners, administrators and leaders holding an area); newest first."""
    tr = db.task_reports
    stmt = sa.select(tr).order_by(tr.c.id.desc())
    if c.scope.role == DEPARTMENT:
        stmt = stmt.where(tr.c.department.in_(c.scope.departments))
    elif not (c.scope.can_read_region and c.scope.areas):
        return []
    if status is not None:
        stmt = stmt.where(tr.c.status == status)
    return [_plain(r._mapping) for r in c.conn.execute(stmt)]


def my_tasks(plan: Plan, scope: Scope, progress: Any, *, today: dt.date
             ) -> list[dict[str, Any]]:
    """Return the caller's departments' tasks with their status as of `today` (from the
    accepted progress) and their milestones, lead tasks first."""
    from hsplan._json import json_records
    from hsplan.evaluation.tasks import checkpoints, task_status

    mine = department_tasks(plan, scope.departments)
    if not mine:
        return []
    status = task_status(plan, progress, as_of=today)
    rows = {r["task_id"]: r for r in json_records(status[status["kind"] == "task"])}
    out = []
    for task_id, item in mine.items():
        r = rows.get(task_id, {})
        out.append({"task_id": task_id, "title": item.task.title, "role": item.role,
                    "department": item.department, "deadline": r.get("deadline"),
                    "status": r.get("status"), "status_zh": r.get("status_zh"),
                    "reported_pct": r.get("reported_pct"),
                    "expected_pct": r.get("expected_pct"),
                    "milestones": [{"n": c.milestone, "date": c.date.isoformat(),
                                    "text": c.text, "expected_pct": c.expected_pct}
                                   for c in checkpoints(item.task, plan)
                                   if c.milestone is not None]})
    out.sort(key=lambda r: (r["role"] != "牵头", r["task_id"]))
    return out


def served_plan_id(engine: Engine, plan: str | None) -> str:
    """Return the plan the server serves: `plan` (an id or a YAML file), else the built-in
    plan of the stored region's county (``county_code`` of its metadata), else
    ``national-norms``."""
    from hsplan.plans.plan import builtin_plans, load_plan

    if plan:
        return plan
    with engine.connect() as conn:
        code = conn.execute(sa.select(db.meta_table.c.value)
                            .where(db.meta_table.c.key == "county_code")).scalar()
    for info in builtin_plans():
        if code and not info.problems and load_plan(info.id).region_code == str(code):
            return info.id
    return "national-norms"


def reporting_router(engine: Engine, plan_of: Callable[[], Plan]) -> APIRouter:
    """Return the routes of task reports, periods and reporting status."""
    router = APIRouter(prefix=PREFIX)

    def today(as_of: str | None = None) -> dt.date:
        if as_of is None:
            return dt.date.today()
        problems: list[Problem] = []
        got = _iso_date(as_of, "query parameter as_of", problems)
        if got is None:
            raise ApiError(422, problems)
        return got

    @router.get("/my-tasks")
    def get_my_tasks(request: Request) -> list[dict[str, Any]]:
        with open_ctx(engine, request) as c:
            progress = db.read_table(c.conn, "progress")
            return my_tasks(plan_of(), c.scope, progress, today=dt.date.today())

    @router.get("/task-reports")
    def get_task_reports(request: Request, status: str | None = None
                         ) -> list[dict[str, Any]]:
        with open_ctx(engine, request) as c:
            return list_task_reports(c, status=status)

    @router.post("/task-reports")
    def post_task_report(request: Request,
                         body: Any = Body(...)) -> Response:  # noqa: B008
        with open_ctx(engine, request) as c:
            done = submit_task_report(c, plan_of(), body, today=dt.date.today())
        return JSONResponse(done, status_code=201)

    @router.post("/task-reports/{report_id}/accept")
    def accept(request: Request, report_id: int,
               body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        with open_ctx(engine, request) as c:
            return review_task_report(c, plan_of(), report_id, body, True)

    @router.post("/task-reports/{report_id}/return")
    def give_back(request: Request, report_id: int,
                  body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        with open_ctx(engine, request) as c:
            return review_task_report(c, plan_of(), report_id, body, False)

    @router.get("/periods")
    def get_periods(request: Request) -> list[dict[str, Any]]:
        with open_ctx(engine, request) as c:
            if not c.scope.can_read_region:
                return []
            p = db.reporting_periods
            return [_plain(r._mapping) for r in c.conn.execute(
                sa.select(p).order_by(p.c.due.desc(), p.c.id))]

    @router.post("/periods")
    def post_period(request: Request,
                    body: dict[str, Any] = Body(...)) -> Response:  # noqa: B008
        with open_ctx(engine, request) as c:
            done = add_period(c, body)
        return JSONResponse(done, status_code=201)

    @router.get("/reporting/{period_id}")
    def get_reporting(request: Request, period_id: int,
                      as_of: str | None = None) -> dict[str, Any]:
        when = today(as_of)
        with open_ctx(engine, request) as c:
            if not c.scope.can_write:
                raise _problem(403, _("only planners and administrators see who has not "
                                      "reported"), got=c.scope.role)
            return reporting_status(c.conn, c.scope, plan_of(), period_id, today=when)

    return router

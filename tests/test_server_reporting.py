"""Departments' task progress with review, reporting periods and who has not reported,
against a real PostgreSQL (the example project and its plan, jiangchuan-2021-2025).

Oracles: which tasks a department may report on is read from the plan's own lead/support
lists (the seeds' 牵头单位/配合单位 words); which facilities have not reported is read from
the region's facilities table with pandas; the task status after acceptance is
`hsplan.evaluation.tasks.task_status` rules (reported 100 % → done).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from hsplan.plans.plan import load_plan
from hsplan.server import db
from hsplan.server.app import PREFIX
from server_helpers import OWN, OWN_FACILITY, Server, make_server

PLAN = "jiangchuan-2021-2025"
DEPT = "区财政局"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def server(pg_cluster: Any) -> Server:
    return make_server(pg_cluster.create_database("server_reporting"))


def _plan_tasks(dept: str, *, lead_only: bool = False) -> set[str]:
    plan = load_plan(PLAN)
    return {t.id for t in plan.tasks
            if dept in t.lead or (not lead_only and dept in t.support)}


def _task_status(server: Server, user: str, task_id: str) -> str:
    r = server.client(user).get("/api/v1/tasks", params={"as_of": TODAY.isoformat()})
    assert r.status_code == 200, r.text
    return next(t["status"] for t in r.json()["tasks"]
                if t["task_id"] == task_id and t["kind"] == "task")


def test_department_sees_exactly_its_tasks(server: Server) -> None:
    got = server.client("dept-finance").get(f"{PREFIX}/my-tasks").json()
    assert {t["task_id"] for t in got} == _plan_tasks(DEPT)
    roles = {t["task_id"]: t["role"] for t in got}
    assert {k for k, v in roles.items() if v == "牵头"} == _plan_tasks(DEPT, lead_only=True)
    for user in ("reporter-own", "planner-none", "leader-own"):
        assert server.client(user).get(f"{PREFIX}/my-tasks").json() == []


def test_out_of_scope_task_reports_are_refused(server: Server) -> None:
    foreign = sorted({t.id for t in load_plan(PLAN).tasks} - _plan_tasks(DEPT))[0]
    mine = sorted(_plan_tasks(DEPT))[0]
    body = {"status": "进行中", "percent": 50}
    before = _count(server)
    r = server.client("dept-finance").post(f"{PREFIX}/task-reports",
                                           json={"task_id": foreign, **body})
    assert r.status_code == 404 and r.json()["errors"][0]["where"] == "task_id"
    for user in ("reporter-own", "leader-own"):
        r = server.client(user).post(f"{PREFIX}/task-reports", json={"task_id": mine, **body})
        assert r.status_code == 403, (user, r.text)
    r = server.client().post(f"{PREFIX}/task-reports", json={"task_id": mine, **body})
    assert r.status_code in (401, 403)
    assert _count(server) == before


def _count(server: Server) -> int:
    with server.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(db.task_reports))
                   .scalar_one())


def test_a_report_with_planted_mistakes_lists_every_one(server: Server) -> None:
    task = sorted(_plan_tasks(DEPT))[0]
    r = server.client("dept-finance").post(f"{PREFIX}/task-reports", json={
        "task_id": task, "status": "差不多", "percent": 150, "milestone": 9,
        "date": "2099-01-01", "colour": "red"})
    assert r.status_code == 422
    columns = {e["column"] for e in r.json()["errors"]}
    assert columns == {"status", "percent", "milestone", "date", "colour"}, r.text
    r = server.client("dept-finance").post(f"{PREFIX}/task-reports", json={
        "task_id": task, "status": "已完成", "percent": 60})
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "percent"


def test_accepted_progress_changes_the_task_status_returned_does_not(server: Server) -> None:
    kept = sorted(_plan_tasks(DEPT, lead_only=True))[0]
    returned = sorted(_plan_tasks(DEPT) - {kept})[0]  # a task it supports
    before = {t: _task_status(server, "planner-county", t) for t in (kept, returned)}
    assert "done" not in before.values()
    dept = server.client("dept-finance")
    ids = {}
    for task in (kept, returned):
        r = dept.post(f"{PREFIX}/task-reports", json={
            "task_id": task, "status": "已完成", "percent": 100, "note": "已完成验收"})
        assert r.status_code == 201, r.text
        ids[task] = r.json()["id"]
    # reviewers: planners and administrators holding an area; not leaders, not scope-less
    for user in ("leader-own", "planner-none", "dept-finance"):
        r = server.client(user).post(f"{PREFIX}/task-reports/{ids[kept]}/accept",
                                     json={"version": 1})
        assert r.status_code == 403, (user, r.text)
    planner = server.client("planner-county")
    r = planner.post(f"{PREFIX}/task-reports/{ids[returned]}/return", json={"version": 1})
    assert r.status_code == 422  # a return needs a comment
    r = planner.post(f"{PREFIX}/task-reports/{ids[returned]}/return",
                     json={"version": 1, "comment": "请附验收材料"})
    assert r.status_code == 200 and r.json()["status"] == "已退回"
    r = planner.post(f"{PREFIX}/task-reports/{ids[kept]}/accept", json={"version": 1})
    assert r.status_code == 200 and r.json()["status"] == "已接受"
    # a second planner working from the old version gets a conflict, nothing changes twice
    r = server.client("planner-county-2").post(f"{PREFIX}/task-reports/{ids[kept]}/accept",
                                               json={"version": 1})
    assert r.status_code == 409
    assert _task_status(server, "planner-county", kept) == "done"
    assert _task_status(server, "planner-county", returned) == before[returned]
    # the progress row and its audit rows were written by the accepting request
    with server.engine.connect() as conn:
        rows = conn.execute(sa.select(db.REGION_TABLES["progress"])
                            .where(db.REGION_TABLES["progress"].c.task_id == kept)).all()
        assert [(r.percent, r.status) for r in rows] == [(100.0, "已完成")]
        audit = conn.execute(sa.select(db.audit).where(
            db.audit.c.table_name.in_(("progress", "task_reports")),
            db.audit.c.key.in_((f"{kept}|{TODAY.isoformat()}", str(ids[kept]))))
            .order_by(db.audit.c.id)).all()
    assert [(a.action, a.table_name) for a in audit] == [
        ("submit", "task_reports"), ("insert", "progress"), ("accept", "task_reports")]
    assert audit[1].request_id == audit[2].request_id != audit[0].request_id
    # the department reads its reports back with the reviewer's comment
    mine = {r["id"]: r for r in dept.get(f"{PREFIX}/task-reports").json()}
    assert mine[ids[returned]]["comment"] == "请附验收材料"


def test_facility_period_lists_who_has_not_reported(server: Server) -> None:
    due = TODAY + dt.timedelta(days=30)
    planner = server.client("planner-county")
    r = planner.post(f"{PREFIX}/periods", json={"kind": "facility", "label": "2024年度机构年报",
                                                "year": 2024, "due": due.isoformat()})
    assert r.status_code == 201, r.text
    period = r.json()["id"]
    for user in ("leader-own", "reporter-own", "dept-finance"):
        r = server.client(user).post(f"{PREFIX}/periods", json={
            "kind": "facility", "label": f"x-{user}", "year": 2024, "due": due.isoformat()})
        assert r.status_code == 403, user
    r = server.client("reporter-own").post(f"{PREFIX}/submissions", json={
        "facility_id": OWN_FACILITY, "year": 2024, "resources": {"beds": 40}})
    assert r.status_code == 201, r.text
    facs = server.region.facilities
    everyone = set(facs["id"].astype(str))
    own = set(facs.loc[facs["area_code"].astype(str).str.startswith(OWN), "id"].astype(str))
    status = planner.get(f"{PREFIX}/reporting/{period}").json()
    words = {r["facility_id"]: r["status"] for r in status["rows"]}
    assert set(words) == everyone
    assert words.pop(OWN_FACILITY) == "按时报送"
    assert set(words.values()) == {"未报送"}
    assert {r["facility_id"] for r in status["not_reported"]} == everyone - {OWN_FACILITY}
    late = planner.get(f"{PREFIX}/reporting/{period}",
                       params={"as_of": (due + dt.timedelta(days=1)).isoformat()}).json()
    assert late["counts"] == {"按时报送": 1, "逾期报送": 0, "未报送": 0,
                              "逾期未报": len(everyone) - 1}
    # a township planner sees its township's facilities only
    mine = server.client("planner-own").get(f"{PREFIX}/reporting/{period}").json()
    assert {r["facility_id"] for r in mine["rows"]} == own
    for user in ("leader-own", "reporter-own"):
        assert server.client(user).get(f"{PREFIX}/reporting/{period}").status_code == 403


def test_task_period_lists_departments_with_missing_tasks(server: Server) -> None:
    planner = server.client("planner-county")
    r = planner.post(f"{PREFIX}/periods", json={
        "kind": "task", "label": "本季度任务进展", "starts": (TODAY - dt.timedelta(days=10))
        .isoformat(), "due": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 201, r.text
    period = r.json()["id"]
    bad = planner.post(f"{PREFIX}/periods", json={"kind": "task", "label": "",
                                                  "starts": "2025-13-01", "due": "soon"})
    assert bad.status_code == 422
    assert {e["where"] for e in bad.json()["errors"]} == {"label", "starts", "due"}
    status = planner.get(f"{PREFIX}/reporting/{period}").json()
    lead = {t.id: t for t in load_plan(PLAN).tasks}
    rows = {r["department"]: r for r in status["rows"]}
    finance = rows[DEPT]
    assert finance["tasks"] == len(_plan_tasks(DEPT, lead_only=True))
    # reports of this period are dated today, after its due date: none count
    assert finance["status"] == "逾期未报" and finance["reported"] == 0
    assert set(finance["missing"]) == {t for t in lead if DEPT in lead[t].lead}
    # a report dated inside the period counts (sent after the deadline: still late)
    first = sorted(finance["missing"])[0]
    r = server.client("dept-finance").post(f"{PREFIX}/task-reports", json={
        "task_id": first, "status": "进行中", "percent": 30,
        "date": (TODAY - dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 201, r.text
    again = {r["department"]: r for r in
             planner.get(f"{PREFIX}/reporting/{period}").json()["rows"]}[DEPT]
    assert again["reported"] == 1 and first not in again["missing"]
    assert again["status"] == ("逾期报送" if finance["tasks"] == 1 else "逾期未报")


def test_invalid_period_kind_and_year(server: Server) -> None:
    r = server.client("planner-county").post(f"{PREFIX}/periods", json={
        "kind": "monthly", "label": "x", "due": "2025-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["where"] == "kind"
    r = server.client("planner-county").post(f"{PREFIX}/periods", json={
        "kind": "facility", "label": "y", "due": "2025-01-01", "year": "next"})
    assert r.status_code == 422 and r.json()["errors"][0]["where"] == "year"

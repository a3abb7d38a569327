"""The dashboard's pages served from PostgreSQL (`hsplan serve --db`): login, each role's
pages scoped to its areas, the entry forms and review queue with CSRF, and an accepted
report changing what the 任务 and 总览 pages show.

Oracles: the facilities a user may see come from the region's facilities table (pandas);
the overview's figures from `hsplan.web` over the same project folder (the single-project
dashboard), which a planner holding the whole county must match.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from hsplan.plans.plan import load_plan
from hsplan.region import schema
from hsplan.region.example import example_project_path
from hsplan.server import db
from server_helpers import OWN, OWN_FACILITY, PASSWORD, SIBLING_FACILITY, USERS, Server, make_server

PLAN = "jiangchuan-2021-2025"
READER_PAGES = ("/", "/map", "/norms", "/institutions", "/tasks", "/scenarios", "/data",
                "/indicator/T01")
NAV = ("总览", "地图", "配置标准", "重点机构", "任务", "情景", "数据")


@pytest.fixture(scope="module")
def server(pg_cluster: Any) -> Server:
    return make_server(pg_cluster.create_database("server_pages"))


def login(server: Server, user: str) -> TestClient:
    """Return a client logged in through the login page (its form and cookie)."""
    client = TestClient(server.app)
    page = client.get("/login")
    assert page.status_code == 200
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post("/login", data={"name": user, "password": PASSWORD,
                                    "login_csrf": token.group(1), "next": "/tasks"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/tasks"
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_pages_need_a_login(server: Server) -> None:
    client = TestClient(server.app)
    for path in (*READER_PAGES, "/entry", "/review", "/reporting"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    for path in ("/api/v1/evaluate", "/api/v1/institutions", "/api/v1/scenarios",
                 "/api/v1/template", "/api/v1/evaluate.xlsx", "/api/v1/report"):
        assert client.get(path).status_code == 401, path
    r = client.post("/partials/import", files={"file": ("a.xlsx", b"PK", "text/plain")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), r.text


def test_login_form_refuses_without_its_token_and_wrong_passwords(server: Server) -> None:
    client = TestClient(server.app)
    r = client.post("/login", data={"name": "planner-county", "password": PASSWORD})
    assert r.status_code == 403 and "hsplan_session" not in client.cookies
    page = client.get("/login")
    token = csrf_of(page.text.replace("login_csrf", "csrf"))
    r = client.post("/login", data={"name": "planner-county", "password": "wrong password!",
                                    "login_csrf": token})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    token = csrf_of(r.text.replace("login_csrf", "csrf"))  # each login page: a new token
    r = client.post("/login", data={"name": "planner-county", "password": PASSWORD,
                                    "login_csrf": token, "next": "https://evil.example/"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.mark.parametrize("user", sorted(USERS))
def test_every_role_gets_its_pages(server: Server, user: str) -> None:
    role, areas, facilities, departments = USERS[user]
    client = login(server, user)
    for path in READER_PAGES:
        r = client.get(path, follow_redirects=False)
        if role in ("部门", "机构填报员"):
            assert r.status_code == 303 and r.headers["location"] == "/entry", (user, path)
        elif not areas:
            assert r.status_code == 403 and 'id="no-scope"' in r.text, (user, path)
        else:
            assert r.status_code == 200, (user, path, r.text[:300])
            assert f"{user}（{role}）" in r.text
            nav = re.findall(r'data-nav="[^"]+">([^<]+)</a>', r.text)
            assert tuple(nav[:len(NAV)]) == NAV, (user, nav)
            assert "default-src 'self'" in r.headers["content-security-policy"]
    r = client.post("/partials/import", files={"file": ("a.xlsx", b"PK", "text/plain")},
                    follow_redirects=False)  # the 数据 page's check: the readers' only
    if role in ("部门", "机构填报员"):
        assert r.status_code == 303 and r.headers["location"] == "/entry", user
    elif not areas:
        assert r.status_code == 403, user
    else:  # no CSRF field: refused inside the page's answer
        assert r.status_code == 200 and 'data-status="403"' in r.text, user
    for path in ("/review", "/reporting"):
        r = client.get(path, follow_redirects=False)
        if role in ("管理员", "规划人员"):
            assert r.status_code == 200, (user, path)
        else:
            assert r.status_code in (303, 403), (user, path)
    r = client.get("/entry")
    assert r.status_code == 200
    assert ('id="facility-form"' in r.text) == bool(facilities)
    assert ('id="task-form"' in r.text) == bool(departments)


def _facility_ids(layer: dict[str, Any]) -> set[str]:
    return {f["properties"]["id"] for f in layer["features"]}


def test_pages_read_only_the_users_scope(server: Server) -> None:
    facs = server.region.facilities
    own = set(facs.loc[facs["area_code"].astype(str).str.startswith(OWN), "id"].astype(str))
    assert OWN_FACILITY in own and SIBLING_FACILITY not in own
    everyone = set(facs["id"].astype(str))
    county = login(server, "planner-county").get("/api/v1/geo/facilities").json()
    township = login(server, "leader-own").get("/api/v1/geo/facilities").json()
    open_ids = _facility_ids(county)
    assert open_ids <= everyone and len(open_ids) > len(own)
    assert _facility_ids(township) == own & open_ids
    # the reporter's form offers its own facility only
    entry = login(server, "reporter-own").get("/entry").text
    assert f'value="{OWN_FACILITY}"' in entry and f'value="{SIBLING_FACILITY}"' not in entry


def test_county_planner_sees_the_single_project_dashboards_figures(server: Server) -> None:
    from hsplan.web import create_app

    local = TestClient(create_app(example_project_path())).get("/api/v1/evaluate").json()
    served = login(server, "planner-county").get("/api/v1/evaluate").json()

    def values(doc: dict[str, Any]) -> dict[str, Any]:
        return {(r["target_id"], r["area_code"]): (r["value"], r["status"])
                for r in doc["results"]}

    assert values(served) == values(local)


def _institution_statuses(doc: dict[str, Any]) -> dict[tuple[Any, ...], Any]:
    return {(r["institution_id"], r["aspect"], r.get("item")): (r["status"], r["value"])
            for r in doc["institutions"]}


def test_institutions_page_equals_the_single_project_dashboard(server: Server) -> None:
    from hsplan.web import create_app

    local = TestClient(create_app(example_project_path())).get("/api/v1/institutions").json()
    county = login(server, "planner-county")
    served = county.get("/api/v1/institutions").json()
    assert _institution_statuses(served) == _institution_statuses(local)
    assert served["unmatched"] == local["unmatched"]
    assert served["network"] == local["network"]
    page = county.get("/institutions")
    assert page.status_code == 200 and "<h1>重点机构" in page.text
    shown = re.findall(r'data-institution="([^"]+)" data-aspect="([^"]+)" '
                       r'data-status="([^"]+)"', page.text)
    assert sorted(shown) == sorted((r["institution_id"], r["aspect"], r["status"])
                                   for r in local["institutions"])
    # a township leader: the same plan's institutions, bound only to its own facilities
    facs = server.region.facilities
    own = set(facs.loc[facs["area_code"].astype(str).str.startswith(OWN), "id"].astype(str))
    township = login(server, "leader-own").get("/api/v1/institutions").json()
    bound = {r["facility_id"] for r in township["institutions"] if r.get("facility_id")}
    assert bound <= own
    # the institutions bound to the county's other facilities are outside the leader's
    # scope: named as such, not listed as unmatched (无法评估)
    listed = {r["institution_id"] for r in township["institutions"]}
    outside = set(township["outside_scope"])
    assert outside and not outside & listed
    assert listed | outside == {r["institution_id"] for r in served["institutions"]}
    assert set(township["unmatched"]) <= set(served["unmatched"])
    assert served["outside_scope"] == []
    bound_in_county = {r["institution_id"] for r in served["institutions"]
                       if r.get("facility_id") and r["facility_id"] not in own}
    assert outside == bound_in_county - listed
    page = login(server, "leader-own").get("/institutions").text
    assert 'id="institutions-outside"' in page and "不在本账号的范围内" in page
    assert {f["properties"]["id"] for f in township["nodes"]["features"]} <= own


def test_scenarios_page_says_the_database_holds_none(server: Server) -> None:
    client = login(server, "leader-own")
    page = client.get("/scenarios")
    assert page.status_code == 200 and 'id="no-scenarios"' in page.text
    assert "数据库中没有情景文件" in page.text and "hsplan compare" in page.text
    assert client.get("/api/v1/scenarios").json() == []
    r = client.get("/api/v1/scenarios/new-chc-200-beds.yaml")
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["where"] == "new-chc-200-beds.yaml" and "hsplan compare" in error["fix"]


def test_data_page_checks_uploads_and_writes_nothing(server: Server) -> None:
    leader = login(server, "leader-own")
    page = leader.get("/data")
    assert page.status_code == 200 and 'id="upload-help"' in page.text
    assert "此页只校验，不写入数据库" in page.text and 'id="validate-only"' not in page.text
    year = int(server.region.resources["year"].max())

    def counts() -> dict[str, int]:
        with server.engine.connect() as conn:
            return {name: conn.execute(sa.select(sa.func.count()).select_from(
                db.REGION_TABLES[name])).scalar_one() for name in db.REGION_TABLES}

    before = counts()
    bad = _facility_workbook({"resources": {"facility_id": OWN_FACILITY, "year": year,
                                            "beds": -5, "nurses": "很多"}})

    def upload(book: bytes, csrf: str) -> Any:
        return leader.post("/partials/import", data={"csrf": csrf, "validate_only": "false"},
                           files={"file": ("数据.xlsx", book, "application/octet-stream")})

    r = upload(bad, "forged")
    assert r.status_code == 200 and 'data-status="403"' in r.text
    r = upload(bad, csrf_of(page.text))
    assert 'data-status="422"' in r.text and 'data-imported="false"' in r.text
    cells = re.findall(r'<td class="sheet">([^<]*)</td><td class="row num">([^<]*)</td>'
                       r'<td class="column">([^<]*)</td>', r.text)
    assert ("资源", "2", "实有床位") in cells and ("资源", "2", "注册护士") in cells, cells
    good = _facility_workbook({"resources": {"facility_id": OWN_FACILITY, "year": year,
                                             "beds": 120, "nurses": 40}})
    r = upload(good, csrf_of(page.text))
    assert 'data-status="200"' in r.text and 'data-imported="false"' in r.text, r.text
    assert counts() == before  # checked, never written
    # downloads: the template's 区划 holds the user's areas only; the evaluation workbook
    template = leader.get("/api/v1/template")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content), read_only=True)
    codes = {str(row[0]) for row in book[schema.TABLES["areas"].zh].iter_rows(
        min_row=2, values_only=True) if row[0]}
    assert codes and all(OWN.startswith(c) or c.startswith(OWN) for c in codes), codes
    xlsx = leader.get("/api/v1/evaluate.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # the report is the county's: a township's region has no county boundary to map
    report = leader.get("/api/v1/report")
    assert report.status_code == 422 and "县界" in report.json()["errors"][0]["text"]
    report = login(server, "planner-county").get("/api/v1/report")
    assert report.status_code == 200 and report.content[:2] == b"PK", report.text[:500]


def _task_row_status(html: str, task_id: str) -> str:
    for row in re.findall(r'<tr class="[^"]*" data-status="([^"]+)">\s*<td>([^<]*)</td>',
                          html):
        if row[1] == task_id:
            return row[0]
    raise AssertionError(f"task {task_id} not on the page")


def test_forms_review_and_the_tasks_page(server: Server) -> None:
    plan = load_plan(PLAN)
    task = sorted(t.id for t in plan.tasks if "区财政局" in t.lead)[0]
    planner = login(server, "planner-county")
    today = dt.date.today().isoformat()
    before = _task_row_status(planner.get("/tasks").text, task)
    assert before != "done"
    dept = login(server, "dept-finance")
    entry = dept.get("/entry")
    form = {"task_id": task, "date": today, "status": "已完成", "percent": "100",
            "note": "<script>alert(1)</script>"}
    # without the form's CSRF token: refused, nothing stored
    r = dept.post("/entry/task", data=form)
    assert r.status_code == 403
    r = dept.post("/entry/task", data={**form, "csrf": "forged"})
    assert r.status_code == 403
    with server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.task_reports)
                            ).scalar_one() == 0
    # planted mistakes: every one shown on the page, nothing stored
    r = dept.post("/entry/task", data={**form, "percent": "130", "status": "快好了",
                                       "csrf": csrf_of(entry.text)})
    assert r.status_code == 422
    # the page is Chinese and names the fields as the form labels them, not by their ids
    assert "列 完成比例（%）" in r.text and "列 进展状态" in r.text
    assert "列 percent" not in r.text and "列 status" not in r.text
    r = dept.post("/entry/task", data={**form, "csrf": csrf_of(entry.text)},
                  follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/entry?saved=1"
    review = planner.get("/review")
    assert "<script>alert(1)</script>" not in review.text  # escaped, not executed
    assert "&lt;script&gt;" in review.text
    report_id = re.search(r'action="/review/task/(\d+)"', review.text)
    assert report_id is not None
    url = f"/review/task/{report_id.group(1)}"
    r = planner.post(url, data={"action": "accept", "version": "1"})
    assert r.status_code == 403  # no token
    # a leader cannot review even with a valid token of its own
    leader = login(server, "leader-own")
    r = leader.post(url, data={"action": "accept", "version": "1",
                               "csrf": csrf_of(leader.get("/").text)})
    assert r.status_code == 403
    assert _task_row_status(planner.get("/tasks").text, task) == before
    r = planner.post(url, data={"action": "accept", "version": "1",
                                "csrf": csrf_of(review.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert _task_row_status(planner.get("/tasks").text, task) == "done"
    mine = dept.get("/entry").text
    assert 'data-kind="task" data-status="已接受"' in mine


def test_facility_form_review_changes_the_overview(server: Server) -> None:
    reporter = login(server, "reporter-own")
    entry = reporter.get("/entry")
    year = int(server.region.resources["year"].max())
    res = server.region.resources
    beds = int(res.loc[(res["facility_id"] == OWN_FACILITY) & (res["year"] == year),
                       "beds"].iloc[0])
    planner = login(server, "planner-county")

    def bed_total() -> float:
        layer = planner.get("/api/v1/geo/facilities").json()
        return sum(f["properties"]["beds"] or 0 for f in layer["features"])

    total = bed_total()
    r = reporter.post("/entry/facility", data={
        "csrf": csrf_of(entry.text), "facility_id": OWN_FACILITY, "year": str(year),
        "resources.beds": "-5", "resources.nurses": "many"})
    assert r.status_code == 422 and "列 实有床位" in r.text and "列 注册护士" in r.text
    assert "列 beds" not in r.text and "列 nurses" not in r.text
    r = reporter.post("/entry/facility", data={
        "csrf": csrf_of(entry.text), "facility_id": SIBLING_FACILITY, "year": str(year),
        "resources.beds": "50"})
    assert r.status_code == 404  # another facility: refused as if it did not exist
    for decision in ("return", "accept"):
        r = reporter.post("/entry/facility", data={
            "csrf": csrf_of(entry.text), "facility_id": OWN_FACILITY, "year": str(year),
            "resources.beds": str(beds + 100)}, follow_redirects=False)
        assert r.status_code == 303, r.text
        review = planner.get("/review")
        sub = re.findall(r'action="/review/submission/(\d+)"', review.text)[-1]
        r = planner.post(f"/review/submission/{sub}", data={
            "action": decision, "version": "1", "comment": "请核对床位数",
            "csrf": csrf_of(review.text)}, follow_redirects=False)
        assert r.status_code == 303
        expected = total + (100 if decision == "accept" else 0)
        assert bed_total() == pytest.approx(expected)


def _facility_workbook(values: dict[str, dict[str, Any]]) -> bytes:
    """Return a one-facility workbook as a facility fills the template: one sheet per table,
    Chinese headers in row 1, the facility's year in row 2."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, row in values.items():
        sheet = book.create_sheet(schema.TABLES[name].zh)
        sheet.append([schema.TABLES[name].column(k).zh for k in row])
        sheet.append(list(row.values()))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_facility_workbook_upload_from_the_entry_page(server: Server) -> None:
    reporter = login(server, "reporter-own")
    entry = reporter.get("/entry")
    assert 'id="facility-xlsx-form"' in entry.text
    year = int(server.region.resources["year"].max())
    key = {"facility_id": OWN_FACILITY, "year": year}

    def upload(book: bytes, csrf: str) -> Any:
        return reporter.post("/entry/facility-xlsx", data={
            "csrf": csrf, "facility_id": OWN_FACILITY, "year": str(year)},
            files={"file": ("年报.xlsx", book, "application/vnd.openxmlformats-"
                                             "officedocument.spreadsheetml.sheet")},
            follow_redirects=False)

    def stored() -> int:
        with server.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(db.submissions)
                                ).scalar_one()

    before = stored()
    good = _facility_workbook({"resources": {**key, "beds": 120, "nurses": 40}})
    assert upload(good, "forged").status_code == 403  # the token before the workbook
    bad = _facility_workbook({"resources": {**key, "beds": -5, "nurses": "很多"},
                              "utilisation": {**key, "admissions": 100,
                                              "discharges": "一千"}})
    r = upload(bad, csrf_of(entry.text))
    assert r.status_code == 422, r.text
    for column in ("实有床位", "注册护士", "出院人数"):  # each mistake with sheet, row, column
        assert re.search(rf"工作表 (资源|服务量)，第 2 行，列 {column}", r.text), (column, r.text)
    assert stored() == before  # nothing kept from a workbook with mistakes
    headers_only = openpyxl.Workbook()
    headers_only.active.title = schema.TABLES["resources"].zh
    headers_only.active.append([schema.TABLES["resources"].column(k).zh for k in key])
    buf = io.BytesIO()
    headers_only.save(buf)
    headers_only_book = buf.getvalue()
    # an empty, a headers-only and a text file: each a located 422 on the page, never a 404
    for odd, said in ((b"", "空文件"), (headers_only_book, "没有本机构的数据"),
                      (b"facility_id,beds\n1,2\n", "文本（CSV）文件")):
        r = upload(odd, csrf_of(entry.text))
        assert r.status_code == 422 and said in r.text and "年报.xlsx" in r.text, r.text
        assert "upload.xlsx" not in r.text
    assert stored() == before
    r = upload(good, csrf_of(entry.text))
    assert r.status_code == 303, r.text
    assert stored() == before + 1
    mine = reporter.get("/entry").text
    assert 'data-kind="facility" data-status="已提交"' in mine


def test_reporting_page_lists_who_has_not_reported(server: Server) -> None:
    planner = login(server, "planner-own")
    page = planner.get("/reporting")
    due = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    r = planner.post("/reporting/periods", data={
        "csrf": csrf_of(page.text), "kind": "facility", "label": "页面测试年报",
        "year": "2030", "due": due}, follow_redirects=False)
    assert r.status_code == 303, r.text
    shown = planner.get("/reporting").text
    facs = server.region.facilities
    own = set(facs.loc[facs["area_code"].astype(str).str.startswith(OWN), "id"].astype(str))
    rows = dict(re.findall(r'data-facility="([^"]+)" data-status="([^"]+)"', shown))
    assert set(rows) == own and set(rows.values()) == {"逾期未报"}
    r = planner.post("/reporting/periods", data={
        "csrf": csrf_of(page.text), "kind": "facility", "label": "", "due": "later"})
    assert r.status_code == 422 and 'id="problems"' in r.text


def test_logout_ends_the_session(server: Server) -> None:
    client = login(server, "leader-own")
    page = client.get("/")
    r = client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303

"""The server against a real PostgreSQL: permissions by role × scope, the review flow,
concurrent edits, and the security probes (SQL injection, XSS, CSRF, brute force, session
fixation)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from hsplan.server import db
from hsplan.server.app import PREFIX
from hsplan.server.scope import area_prefix
from server_helpers import (
    OWN,
    OWN_FACILITY,
    PARENT,
    PASSWORD,
    SIBLING,
    SIBLING_FACILITY,
    USERS,
    Server,
    make_server,
)

READ_ROLES = ("管理员", "规划人员", "领导")
WRITE_ROLES = ("管理员", "规划人员")


@pytest.fixture(scope="module")
def server(pg_cluster: Any) -> Server:
    return make_server(pg_cluster.create_database("server_app"))


def _covered(areas: tuple[str, ...], code: str | None) -> bool:
    return code is not None and any(code.startswith(area_prefix(a)) for a in areas)


def _expected(server: Server, user: str, table: str) -> set[tuple[str, ...]]:
    """Return the keys of `table` the user should see, computed from the region (pandas)."""
    role, areas, facilities, _ = USERS[user]
    region = server.region
    facs = region.facilities
    seen_facs = {f for f, a in zip(facs["id"], facs["area_code"], strict=True)
                 if f in facilities or (role in READ_ROLES and _covered(areas, a))}
    frame = region.tables()[table].drop(columns="geometry", errors="ignore")
    key = db.schema.TABLES[table].key
    rows = [dict(zip(frame.columns, v, strict=True)) for v in frame.itertuples(index=False)]
    out = set()
    for row in rows:
        if table == "facilities":
            ok = row["id"] in seen_facs
        elif table in ("resources", "utilisation", "facts"):
            ok = row["facility_id"] in seen_facs
        elif table == "areas":
            ok = role in READ_ROLES and _covered(areas, row["code"])
        elif table in ("population", "reported"):
            ok = role in READ_ROLES and _covered(areas, row["area_code"])
        else:
            ok = role in READ_ROLES and bool(areas)
        if ok:
            out.add(tuple(str(row[k]) for k in key))
    return out


@pytest.mark.parametrize("user", sorted(USERS))
def test_reads_are_exactly_the_users_scope(server: Server, user: str) -> None:
    client = server.client(user)
    for table in db.schema.TABLES:
        r = client.get(f"{PREFIX}/tables/{table}")
        assert r.status_code == 200, r.text
        key = db.schema.TABLES[table].key
        got = {tuple(str(row[k]) for k in key) for row in r.json()}
        assert got == _expected(server, user, table), (user, table)
    _role, areas, facilities, _ = USERS[user]
    if not areas and not facilities:  # no scope: nothing at all
        assert client.get(f"{PREFIX}/figures").json()["facilities"] == 0
        assert client.get(f"{PREFIX}/submissions", params={"year": 2023}).json() == {
            "submissions": [], "not_reported": []}


def test_scope_walk_has_no_rows_outside(server: Server) -> None:
    """The township user sees its own township, not the sibling, not the county's own rows."""
    seen = {row["code"] for row in server.client("planner-own").get(
        f"{PREFIX}/tables/areas").json()}
    assert OWN in seen and all(c.startswith(OWN) for c in seen)
    assert SIBLING not in seen and PARENT not in seen
    county = {row["code"] for row in server.client("planner-county").get(
        f"{PREFIX}/tables/areas").json()}
    assert {OWN, SIBLING, PARENT} <= county


def _row(client: Any, table: str, **key: str) -> dict[str, Any] | None:
    for row in client.get(f"{PREFIX}/tables/{table}").json():
        if all(str(row[k]) == v for k, v in key.items()):
            return row  # type: ignore[no-any-return]
    return None


def _db_row(server: Server, table: str, **key: Any) -> dict[str, Any]:
    t = db.REGION_TABLES[table]
    with server.engine.connect() as conn:
        row = conn.execute(sa.select(t).where(*(t.c[k] == v for k, v in key.items()))).one()
    return {k: v for k, v in row._mapping.items() if k != "geometry"}


@pytest.mark.parametrize("user", sorted(USERS))
def test_writes_only_inside_scope(server: Server, user: str) -> None:
    role, areas, facilities, _ = USERS[user]
    client = server.client(user)
    targets = [("resources", {"facility_id": OWN_FACILITY, "year": 2021}, "nurses"),
               ("resources", {"facility_id": SIBLING_FACILITY, "year": 2021}, "nurses"),
               ("population", {"area_code": PARENT, "year": 2021}, "male"),
               ("population", {"area_code": OWN, "year": 2021}, "male")]
    for table, key, column in targets:
        before = _db_row(server, table, **key)
        r = client.patch(f"{PREFIX}/tables/{table}", json={
            "key": key, "version": before["version"], "values": {column: before[column] + 1}})
        area = key.get("area_code") or (OWN if key.get("facility_id") == OWN_FACILITY
                                        else SIBLING)
        allowed = role in WRITE_ROLES and _covered(areas, area)
        assert r.status_code == (200 if allowed else 403 if role not in WRITE_ROLES else 404), \
            (user, table, key, r.text)
        after = _db_row(server, table, **key)
        if allowed:
            assert after[column] == before[column] + 1 and after["version"] == before["version"] + 1
            # put it back, so the other users' walks read the original figures
            client.patch(f"{PREFIX}/tables/{table}", json={
                "key": key, "version": after["version"], "values": {column: before[column]}})
        else:
            assert after == before
    # submissions: own facility only, and only for reporters and writers
    for facility in (OWN_FACILITY, SIBLING_FACILITY):
        r = client.post(f"{PREFIX}/submissions", json={
            "facility_id": facility, "year": 2030, "resources": {"beds": 1}})
        in_scope = facility in facilities or (role in READ_ROLES and _covered(
            areas, OWN if facility == OWN_FACILITY else SIBLING))
        allowed = role in ("机构填报员", *WRITE_ROLES) and in_scope
        assert r.status_code == (201 if allowed else 403 if role in ("领导", "部门")
                                 else 404), (user, facility, r.text)
    # the audit trail: writers only, and only their scope's rows
    r = client.get(f"{PREFIX}/audit")
    if role in WRITE_ROLES:
        assert r.status_code == 200
        assert all(_covered(areas, row["area_code"]) for row in r.json())
    else:
        assert r.status_code == 403


def test_every_audited_write_is_inside_its_authors_scope(server: Server) -> None:
    test_writes_only_inside_scope(server, "planner-own")
    with server.engine.connect() as conn:
        rows = conn.execute(sa.select(db.audit)).all()
    assert rows
    for row in rows:
        if row.table_name == "users":  # user grants are checked by their own test
            continue
        _role, areas, facilities, _ = USERS[row.user_name]
        assert _covered(areas, row.area_code) or row.facility_id in facilities, row


# --- the review flow ---------------------------------------------------------------------------

def test_planted_mistakes_are_refused_all_at_once(server: Server) -> None:
    reporter = server.client("reporter-own")
    with server.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(db.submissions)).scalar()
    r = reporter.post(f"{PREFIX}/submissions", json={
        "facility_id": OWN_FACILITY, "year": 2024,
        "resources": {"实有床位": "约200", "注册护士": -3, "卫生技术人员": 10,
                      "执业医师": 50},
        "utilisation": {"入院人数": 100, "出院人数": 1000}})
    assert r.status_code == 422, r.text
    located = {(e["sheet"], e["column"]) for e in r.json()["errors"]}
    assert located == {("资源", "实有床位"), ("资源", "注册护士"), ("资源", "卫生技术人员"),
                       ("服务量", "出院人数")}
    assert all(e["row"] == 2 and e["expected"] for e in r.json()["errors"])
    with server.engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(db.submissions)).scalar()
    assert after == before


def test_accepted_submission_changes_the_figures_returned_one_does_not(server: Server) -> None:
    reporter, planner = server.client("reporter-own"), server.client("planner-county")
    figures = planner.get(f"{PREFIX}/figures", params={"year": 2023}).json()
    old_beds = _db_row(server, "resources", facility_id=OWN_FACILITY, year=2023)["beds"]
    # returned: nothing changes but the submission's status and comment
    r = reporter.post(f"{PREFIX}/submissions", json={
        "facility_id": OWN_FACILITY, "year": 2023, "resources": {"实有床位": old_beds + 500}})
    assert r.status_code == 201, r.text
    sub = r.json()
    listed = planner.get(f"{PREFIX}/submissions", params={"year": 2023}).json()
    assert sub["id"] in {s["id"] for s in listed["submissions"]}
    assert OWN_FACILITY not in {m["facility_id"] for m in listed["not_reported"]}
    assert SIBLING_FACILITY in {m["facility_id"] for m in listed["not_reported"]}
    r = planner.post(f"{PREFIX}/submissions/{sub['id']}/return",
                     json={"version": sub["version"], "comment": "床位数与编制不符，请核实"})
    assert r.status_code == 200 and r.json()["status"] == "已退回", r.text
    assert planner.get(f"{PREFIX}/figures", params={"year": 2023}).json() == figures
    # accepted: the region's rows change, in the export the dashboard would read too
    r = reporter.post(f"{PREFIX}/submissions", json={
        "facility_id": OWN_FACILITY, "year": 2023, "resources": {"实有床位": old_beds + 7}})
    sub = r.json()
    r = planner.post(f"{PREFIX}/submissions/{sub['id']}/accept",
                     json={"version": sub["version"]})
    assert r.status_code == 200 and r.json()["status"] == "已接受", r.text
    after = planner.get(f"{PREFIX}/figures", params={"year": 2023}).json()
    assert after["beds"] == figures["beds"] + 7
    exported = db.export_region(server.engine).resources
    mask = (exported["facility_id"] == OWN_FACILITY) & (exported["year"] == 2023)
    assert int(exported.loc[mask, "beds"].iloc[0]) == old_beds + 7
    # the accept and the row it wrote are audited by the same request
    trail = planner.get(f"{PREFIX}/audit", params={"table": "resources",
                                                  "key": f"{OWN_FACILITY}|2023"}).json()
    assert trail[0]["old"]["beds"] == old_beds and trail[0]["new"]["beds"] == old_beds + 7
    accepts = planner.get(f"{PREFIX}/audit", params={"table": "submissions",
                                                    "key": str(sub["id"])}).json()
    assert trail[0]["request_id"] in {a["request_id"] for a in accepts
                                      if a["action"] == "accept"}
    by_user = planner.get(f"{PREFIX}/audit", params={"user": "planner-county"}).json()
    assert {a["action"] for a in by_user} >= {"accept", "return", "update"}
    # a second accept of the same submission is a conflict, not a second write
    r = planner.post(f"{PREFIX}/submissions/{sub['id']}/accept",
                     json={"version": sub["version"]})
    assert r.status_code == 409


# --- concurrent edits --------------------------------------------------------------------------

def test_two_planners_same_record_one_conflict_nothing_lost(server: Server) -> None:
    a, b = server.client("planner-county"), server.client("planner-county-2")
    key = {"facility_id": OWN_FACILITY, "year": 2022}
    row = _row(a, "resources", facility_id=OWN_FACILITY, year="2022")
    assert row is not None
    results: dict[str, Any] = {}

    def edit(name: str, client: Any, values: dict[str, int]) -> None:
        results[name] = client.patch(f"{PREFIX}/tables/resources", json={
            "key": key, "version": row["version"], "values": values})

    threads = [threading.Thread(target=edit, args=("a", a, {"beds": row["beds"] + 1})),
               threading.Thread(target=edit, args=("b", b, {"nurses": row["nurses"] + 2}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], [r.text for r in results.values()]
    loser = next(n for n, r in results.items() if r.status_code == 409)
    conflict = results[loser].json()["errors"][0]
    assert conflict["expected"] == f"版本 {row['version']}"
    assert conflict["got"].startswith(f"版本 {row['version'] + 1}")
    # the loser reloads and redoes its change: both changes are kept
    fresh = _row(a, "resources", facility_id=OWN_FACILITY, year="2022")
    assert fresh is not None
    values = {"beds": row["beds"] + 1} if loser == "a" else {"nurses": row["nurses"] + 2}
    r = (a if loser == "a" else b).patch(f"{PREFIX}/tables/resources", json={
        "key": key, "version": fresh["version"], "values": values})
    assert r.status_code == 200
    final = _db_row(server, "resources", **key)
    assert (final["beds"], final["nurses"]) == (row["beds"] + 1, row["nurses"] + 2)
    assert final["version"] == row["version"] + 2


# --- security probes ---------------------------------------------------------------------------

INJECTIONS = ["' OR '1'='1", "1; DROP TABLE users; --", "T003' --", "%' OR 1=1 --",
              "530403101' UNION SELECT password_hash FROM users --"]


def test_sql_injection_probes_are_inert(server: Server) -> None:
    leader = server.client("leader-own")
    planner = server.client("planner-own")
    for probe in INJECTIONS:
        assert leader.get(f"{PREFIX}/tables/resources", params={"year": probe}
                          ).status_code == 422
        assert leader.get(f"{PREFIX}/tables/{probe}").status_code == 404
        assert planner.get(f"{PREFIX}/audit", params={"user": probe, "table": probe,
                                                     "key": probe}).json() == []
        r = planner.patch(f"{PREFIX}/tables/resources", json={
            "key": {"facility_id": probe, "year": 2021}, "version": 1,
            "values": {"beds": 1}})
        assert r.status_code == 404, r.text
        r = planner.post(f"{PREFIX}/submissions", json={
            "facility_id": probe, "year": 2023, "resources": {"beds": 1}})
        assert r.status_code == 404
        r = TestClient(server.app).post(f"{PREFIX}/login",
                                        json={"name": probe, "password": probe})
        assert r.status_code == 401
    with server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.users)).scalar() == \
            len(USERS)
    rows = leader.get(f"{PREFIX}/tables/facilities").json()
    assert {r["id"] for r in rows} == {OWN_FACILITY} | {
        r["id"] for r in rows if r["area_code"].startswith(OWN)}


def test_xss_probe_is_stored_as_text_and_served_as_json(server: Server) -> None:
    planner = server.client("planner-own")
    probe = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    row = _row(planner, "facilities", id=OWN_FACILITY)
    assert row is not None
    r = planner.patch(f"{PREFIX}/tables/facilities", json={
        "key": {"id": OWN_FACILITY}, "version": row["version"], "values": {"name": probe}})
    assert r.status_code == 200, r.text
    r = planner.get(f"{PREFIX}/tables/facilities")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert probe in {x["name"] for x in r.json()}
    bad = planner.get(f"{PREFIX}/tables/{probe}")
    assert bad.status_code == 404 and bad.headers["content-type"].startswith("application/json")
    fixed = _row(planner, "facilities", id=OWN_FACILITY)
    assert fixed is not None
    planner.patch(f"{PREFIX}/tables/facilities", json={
        "key": {"id": OWN_FACILITY}, "version": fixed["version"], "values": {"name": row["name"]}})


def test_csrf_token_required_on_every_change(server: Server) -> None:
    planner = server.client("planner-own")
    token = planner.headers.pop("X-CSRF-Token")
    other = server.client("leader-own").headers["X-CSRF-Token"]
    row = _row(planner, "resources", facility_id=OWN_FACILITY, year="2020")
    assert row is not None
    body = {"key": {"facility_id": OWN_FACILITY, "year": 2020}, "version": row["version"],
            "values": {"beds": row["beds"] + 1}}
    for headers in ({}, {"X-CSRF-Token": "x"}, {"X-CSRF-Token": other}):
        r = planner.patch(f"{PREFIX}/tables/resources", json=body, headers=headers)
        assert r.status_code == 403, r.text
        assert planner.post(f"{PREFIX}/logout", headers=headers).status_code == 403
    assert _db_row(server, "resources", facility_id=OWN_FACILITY, year=2020)["beds"] == \
        row["beds"]
    r = planner.patch(f"{PREFIX}/tables/resources", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200


def test_brute_force_login_is_limited(server: Server) -> None:
    client = TestClient(server.app)
    for _ in range(5):
        r = client.post(f"{PREFIX}/login", json={"name": "leader-none", "password": "guess"})
        assert r.status_code == 401
    r = client.post(f"{PREFIX}/login", json={"name": "leader-none", "password": PASSWORD})
    assert r.status_code == 429  # even the right password waits
    ok = client.post(f"{PREFIX}/login", json={"name": "leader-own", "password": PASSWORD})
    assert ok.status_code == 200  # other users are not locked out


def test_session_rotates_on_login_and_ends_on_logout(server: Server) -> None:
    client = TestClient(server.app)
    client.cookies.set("hsplan_session", "attacker-chosen-value")
    r = client.post(f"{PREFIX}/login", json={"name": "planner-own", "password": PASSWORD})
    first = r.cookies.get("hsplan_session")
    assert first and first != "attacker-chosen-value"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get(f"{PREFIX}/me").json()["user"] == "planner-own"
    r = client.post(f"{PREFIX}/login", json={"name": "planner-own", "password": PASSWORD})
    second = r.cookies.get("hsplan_session")
    assert second and second != first
    stale = TestClient(server.app)
    stale.cookies.set("hsplan_session", first)
    assert stale.get(f"{PREFIX}/me").status_code == 401  # the old session was ended
    csrf = r.json()["csrf"]
    assert client.post(f"{PREFIX}/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    after = TestClient(server.app)
    after.cookies.set("hsplan_session", second)
    assert after.get(f"{PREFIX}/me").status_code == 401
    assert TestClient(server.app).get(f"{PREFIX}/tables/areas").status_code == 401


def test_users_grant_only_what_they_hold(server: Server) -> None:
    admin = server.client("admin-own")
    r = admin.post(f"{PREFIX}/users", json={"name": "new-planner", "password": PASSWORD,
                                            "role": "规划人员", "areas": [PARENT]})
    assert r.status_code == 403 and PARENT in r.text
    r = admin.post(f"{PREFIX}/users", json={"name": "new-reporter", "password": PASSWORD,
                                            "role": "机构填报员",
                                            "facilities": [SIBLING_FACILITY]})
    assert r.status_code == 403
    assert server.client("planner-own").post(f"{PREFIX}/users", json={
        "name": "x", "password": PASSWORD, "role": "领导", "areas": [OWN]}).status_code == 403
    r = admin.post(f"{PREFIX}/users", json={"name": "new-reporter", "password": PASSWORD,
                                            "role": "机构填报员", "facilities": [OWN_FACILITY]})
    assert r.status_code == 200, r.text
    new = TestClient(server.app).post(f"{PREFIX}/login", json={"name": "new-reporter",
                                                               "password": PASSWORD})
    assert new.status_code == 200
    USERS["new-reporter"] = ("机构填报员", (), (OWN_FACILITY,), ())

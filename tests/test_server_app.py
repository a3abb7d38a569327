"""The server against a real PostgreSQL: permissions by role × scope, the review flow,
concurrent edits, and the security probes (SQL injection, XSS, CSRF, brute force, session
fixation)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

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
        elif table in ("resources", "utilisation"):
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
    role, areas, facilities, _ = USERS[user]
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
        role, areas, facilities, _ = USERS[row.user_name]
        assert _covered(areas, row.area_code) or row.facility_id in facilities, row

"""kill -9 of the server in the middle of an upload and of a review leaves the database
consistent: the transaction the server had open is rolled back by PostgreSQL, so the
submission, the region rows and the audit trail are all as before, and a fresh server
finishes the work."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from hsplan.server import db
from hsplan.server.app import PREFIX
from server_helpers import OWN_FACILITY, PASSWORD, Server, make_server

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def server(pg_cluster: Any) -> Server:
    return make_server(pg_cluster.create_database("server_faults"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys, uvicorn; from hsplan.server.app import "
         "create_server_app; uvicorn.run(create_server_app(sys.argv[1]), host='127.0.0.1', "
         "port=int(sys.argv[2]), log_level='warning')", url, str(port)],
        env={**os.environ, "PYTHONPATH": str(SRC)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}{PREFIX}/me", timeout=1)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def _login(base: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    r = client.post(f"{PREFIX}/login", json={"name": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf"]
    return client


def _wait_for_lock(engine: Any) -> None:
    """Wait until some other backend is blocked on a lock (the server, mid-transaction)."""
    for _ in range(300):
        with engine.connect() as conn:
            n = conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()")).scalar()
        if n:
            return
        time.sleep(0.05)
    raise AssertionError("the server never waited on the lock")


def _snapshot(server: Server) -> tuple[Any, ...]:
    with server.engine.connect() as conn:
        subs = conn.execute(sa.select(db.submissions.c.id, db.submissions.c.status,
                                      db.submissions.c.version)
                            .order_by(db.submissions.c.id)).all()
        audit = conn.execute(sa.select(sa.func.count()).select_from(db.audit)).scalar()
        res = db.REGION_TABLES["resources"]
        row = conn.execute(sa.select(res).where(res.c.facility_id == OWN_FACILITY,
                                                res.c.year == 2023)).one()
    return tuple(subs), audit, tuple(row)


def _killed_midway(server: Server, lock_sql: str, send: Any) -> None:
    """Hold `lock_sql`'s lock, let `send` block on it inside the server's transaction,
    kill -9 the server, release the lock."""
    url = server.engine.url.render_as_string(hide_password=False)
    proc, base = _start(url)
    try:
        with server.engine.connect() as holder:
            holder.begin()
            holder.execute(sa.text(lock_sql))
            thread = threading.Thread(target=lambda: _swallow(send, base), daemon=True)
            thread.start()
            _wait_for_lock(server.engine)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            holder.rollback()
        thread.join(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()


def _swallow(send: Any, base: str) -> None:
    with contextlib.suppress(httpx.TransportError):  # the server dies under the request
        send(base)


def _settled(engine: Any) -> None:
    """Wait until no backend of the killed server is still inside a transaction."""
    for _ in range(300):
        with engine.connect() as conn:
            n = conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'"
                " OR (wait_event_type = 'Lock' AND pid <> pg_backend_pid())")).scalar()
        if not n:
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_during_upload_and_review_leaves_database_consistent(server: Server) -> None:
    before = _snapshot(server)
    beds = before[2][3]  # resources columns: facility_id, year, beds_approved, beds …

    def upload(base: str) -> None:
        _login(base, "reporter-own").post(f"{PREFIX}/submissions", json={
            "facility_id": OWN_FACILITY, "year": 2023, "resources": {"beds": 11}})

    # the INSERT of the submission waits on a table lock; the server dies there
    _killed_midway(server, "LOCK TABLE submissions IN EXCLUSIVE MODE", upload)
    _settled(server.engine)
    assert _snapshot(server) == before  # no submission, no audit row

    # a submission made normally, then a review killed while writing the region's row
    proc, base = _start(server.engine.url.render_as_string(hide_password=False))
    try:
        sub = _login(base, "reporter-own").post(f"{PREFIX}/submissions", json={
            "facility_id": OWN_FACILITY, "year": 2023, "resources": {"beds": beds + 3}}).json()
    finally:
        proc.kill()
        proc.wait()
    submitted = _snapshot(server)

    def review(base: str) -> None:
        _login(base, "planner-county").post(f"{PREFIX}/submissions/{sub['id']}/accept",
                                            json={"version": sub["version"]})

    _killed_midway(server, f"SELECT 1 FROM resources WHERE facility_id = '{OWN_FACILITY}' "
                           "AND year = 2023 FOR UPDATE", review)
    _settled(server.engine)
    assert _snapshot(server) == submitted  # still 已提交, row and audit as before

    # a fresh server accepts it: new row, new status and their audit rows, all together
    proc, base = _start(server.engine.url.render_as_string(hide_password=False))
    try:
        r = _login(base, "planner-county").post(f"{PREFIX}/submissions/{sub['id']}/accept",
                                                json={"version": sub["version"]})
        assert r.status_code == 200 and r.json()["status"] == "已接受", r.text
    finally:
        proc.kill()
        proc.wait()
    _subs, audit, row = _snapshot(server)
    assert row[3] == beds + 3 and audit == submitted[1] + 2

"""Load test of `hsplan serve --db` on loopback: users browsing the pages, others submitting.

    python benchmarks/bench_server_load.py --browsers 50 --submitters 10 --requests 20 \
        --workers 2

Starts a throwaway PostgreSQL + PostGIS cluster, loads the example project (江川区), adds
`--browsers` users (leaders and planners; one in five holds the county, the others one
township each, so the pages are computed for several scopes) and `--submitters` users (half
facility reporters, half departments), serves `hsplan serve --db` with uvicorn
(`--workers` processes) in a subprocess, and runs every user as a thread with its own
session:

- a browser logs in once and then reads, in turn, 总览, 任务, 配置标准, 地图, one indicator
  page, and the JSON the pages' charts call (evaluation, facilities layer, figures);
- a submitter logs in once and then, each round, opens 填报 and sends its form (a
  facility's yearly figures, or a department's task progress) with the page's CSRF token.

A warm-up round (one browser per scope reads every page once) runs first and is reported
apart: it is when each scope's results are computed. Prints requests, errors, throughput
and p50/p95/max latency per kind; any error is a failure (exit code 1).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from hsplan.region.example import example_project_path
from hsplan.region.project import Project
from hsplan.server import auth, db, migrate, pgcluster

PASSWORD = "benchmark pass phrase"
PAGES = ["/", "/tasks", "/norms", "/map", "/indicator/T01", "/api/v1/evaluate",
         "/api/v1/geo/facilities", "/api/v1/server/figures"]
DEPARTMENTS = ["区财政局", "区卫生健康局", "区发展和改革局", "区医疗保障局",
               "区人力资源和社会保障局"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"n={len(values)}"
    q = statistics.quantiles(values, n=20)
    return (f"n={len(values):5d}  p50 {statistics.median(values) * 1000:7.0f} ms  "
            f"p95 {q[18] * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--browsers", type=int, default=50)
    parser.add_argument("--submitters", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20, help="requests per browser "
                        "(a submitter sends requests/2 forms, each 2 requests)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args()
    cluster = pgcluster.start()
    proc = None
    try:
        url = cluster.create_database("bench")
        engine = db.engine_for(url)
        migrate.upgrade(engine)
        region = Project.open(example_project_path()).load()
        db.import_region(engine, region)
        areas = region.areas
        townships = sorted(areas.loc[areas["level"] == "township", "code"].astype(str))
        county = str(region.meta["county_code"])
        year = int(region.resources["year"].max())
        facs = region.facilities
        facilities = [str(f) for f in facs["id"]]
        browsers: list[tuple[str, str]] = []  # (user, scope)
        submitters: list[tuple[str, str, str]] = []  # (user, kind, facility/department)
        with engine.begin() as conn:
            for i in range(args.browsers):
                scope = county if i % 5 == 0 else townships[i % len(townships)]
                role = "规划人员" if i % 2 else "领导"
                auth.create_user(conn, f"b{i}", PASSWORD, role, areas=(scope,))
                browsers.append((f"b{i}", scope))
            for i in range(args.submitters):
                if i % 2 == 0:
                    f = facilities[i // 2]
                    auth.create_user(conn, f"s{i}", PASSWORD, "机构填报员", facilities=(f,))
                    submitters.append((f"s{i}", "facility", f))
                else:
                    d = DEPARTMENTS[(i // 2) % len(DEPARTMENTS)]
                    auth.create_user(conn, f"s{i}", PASSWORD, "部门", departments=(d,))
                    submitters.append((f"s{i}", "task", d))
        engine.dispose()
        port = _free_port()
        src = Path(__file__).resolve().parents[1] / "src"
        proc = subprocess.Popen(
            [sys.executable, "-m", "hsplan", "serve", "--db", url, "--port", str(port),
             "--workers", str(args.workers)],
            env={**os.environ, "PYTHONPATH": str(src)}, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        times: dict[str, list[float]] = {"warm-up": [], "browse": [], "submit": []}
        errors: list[str] = []
        last: dict[str, float] = {}  # when the last request of each kind ended
        lock = threading.Lock()

        def timed(c: httpx.Client, kind: str, method: str, path: str,
                  ok: tuple[int, ...] = (200,), **kw: object) -> httpx.Response:
            t0 = time.perf_counter()
            r = c.request(method, path, **kw)  # type: ignore[arg-type]
            end = time.perf_counter()
            with lock:
                times[kind].append(end - t0)
                last[kind] = max(last.get(kind, 0.0), end)
                if r.status_code not in ok:
                    errors.append(f"{kind} {method} {path}: {r.status_code} {r.text[:120]}")
            return r

        def session(user: str) -> httpx.Client | None:
            c = httpx.Client(base_url=base, timeout=300)
            r = c.post("/api/v1/server/login", json={"name": user, "password": PASSWORD})
            if r.status_code != 200:
                with lock:
                    errors.append(f"login {user}: {r.status_code} {r.text[:120]}")
                c.close()
                return None
            return c

        def browse(user: str, kind: str, n: int, offset: int) -> None:
            c = session(user)
            if c is None:
                return
            try:
                for i in range(n):
                    timed(c, kind, "GET", PAGES[(i + offset) % len(PAGES)])
            finally:
                c.close()

        def submit(user: str, kind: str, what: str, n: int) -> None:
            c = session(user)
            if c is None:
                return
            try:
                for i in range(n):
                    page = timed(c, "submit", "GET", "/entry")
                    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
                    if token is None:
                        with lock:
                            errors.append(f"submit {user}: no csrf on /entry")
                        return
                    if kind == "facility":
                        form = {"csrf": token.group(1), "facility_id": what,
                                "year": str(year), "resources.beds": str(20 + i),
                                "resources.nurses": "6", "utilisation.visits": "12000"}
                        timed(c, "submit", "POST", "/entry/facility", ok=(303,), data=form)
                    else:
                        task = re.search(r'<option value="([^"]+)"', page.text.split(
                            'id="task-id"', 1)[-1])
                        form = {"csrf": token.group(1), "task_id": task.group(1) if task
                                else "", "status": "进行中", "percent": str(10 + i),
                                "note": "load test"}
                        timed(c, "submit", "POST", "/entry/task", ok=(303,), data=form)
            finally:
                c.close()

        # warm-up: one browser per scope reads every page once (results computed here)
        t0 = time.perf_counter()
        firsts = {}
        for user, scope in browsers:
            firsts.setdefault(scope, user)
        warm = [threading.Thread(target=browse, args=(u, "warm-up", len(PAGES), 0))
                for u in firsts.values()]
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        warm_s = time.perf_counter() - t0

        threads = [threading.Thread(target=browse, args=(u, "browse", args.requests, i))
                   for i, (u, _s) in enumerate(browsers)]
        threads += [threading.Thread(target=submit, args=(u, k, w, max(1, args.requests // 2)))
                    for u, k, w in submitters]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        total = len(times["browse"]) + len(times["submit"])
        load = os.getloadavg()
        print(f"warm-up: {len(firsts)} scopes × {len(PAGES)} pages in {warm_s:.1f} s; "
              f"{_quantiles(times['warm-up'])}")
        print(f"{len(browsers)} browsing + {len(submitters)} submitting users, "
              f"{args.workers} worker(s), on loopback: {total} requests in {wall:.1f} s, "
              f"{total / wall:.1f} req/s, {len(errors)} errors "
              f"(load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
        for kind in ("browse", "submit"):
            span = last.get(kind, t0) - t0
            rate = len(times[kind]) / span if span > 0 else 0.0
            print(f"  {kind:7s} {_quantiles(times[kind])}  ({rate:.1f} req/s over the "
                  f"{span:.1f} s until its last request ended)")
        for e in errors[:10]:
            print("  error:", e)
        return 1 if errors else 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())

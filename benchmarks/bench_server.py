"""The hsplan server on loopback: throughput and p95 latency of browsing and submitting.

    python benchmarks/bench_server.py --browsers 20 --submitters 5 --requests 20

Starts a throwaway PostgreSQL + PostGIS cluster, loads the example project, adds one
leader (browsing: facilities, resources, figures) and one reporter per facility
(submitting its yearly figures), serves `create_server_app` with uvicorn in a subprocess,
and runs the clients as threads. Prints requests, errors, throughput and p50/p95 latency
per kind; any error is a failure (exit code 1).
"""

from __future__ import annotations

import argparse
import os
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
from hsplan.server.app import PREFIX

PASSWORD = "benchmark pass phrase"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browsers", type=int, default=20)
    parser.add_argument("--submitters", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    args = parser.parse_args()
    cluster = pgcluster.start()
    proc = None
    try:
        url = cluster.create_database("bench")
        engine = db.engine_for(url)
        migrate.upgrade(engine)
        region = Project.open(example_project_path()).load()
        db.import_region(engine, region)
        facilities = [str(f) for f in region.facilities["id"]][:args.submitters]
        with engine.begin() as conn:
            auth.create_user(conn, "leader", PASSWORD, "领导", areas=("530403",))
            for f in facilities:
                auth.create_user(conn, f"rep-{f}", PASSWORD, "机构填报员", facilities=(f,))
        port = _free_port()
        src = Path(__file__).resolve().parents[1] / "src"
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys, uvicorn; from hsplan.server.app import "
             "create_server_app; uvicorn.run(create_server_app(sys.argv[1]), "
             "host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')", url, str(port)],
            env={**os.environ, "PYTHONPATH": str(src)})
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(f"{base}{PREFIX}/me", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        times: dict[str, list[float]] = {"browse": [], "submit": []}
        errors: list[str] = []
        lock = threading.Lock()

        def client(user: str, kind: str, facility: str | None) -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                r = c.post(f"{PREFIX}/login", json={"name": user, "password": PASSWORD})
                if r.status_code != 200:
                    with lock:
                        errors.append(f"login {user}: {r.status_code}")
                    return
                c.headers["X-CSRF-Token"] = r.json()["csrf"]
                paths = ["/tables/facilities", "/tables/resources?year=2023", "/figures"]
                for i in range(args.requests):
                    t0 = time.perf_counter()
                    if kind == "browse":
                        r = c.get(PREFIX + paths[i % len(paths)])
                        ok = r.status_code == 200
                    else:
                        r = c.post(f"{PREFIX}/submissions", json={
                            "facility_id": facility, "year": 2024,
                            "resources": {"beds": 10 + i, "nurses": 5}})
                        ok = r.status_code == 201
                    dt = time.perf_counter() - t0
                    with lock:
                        times[kind].append(dt)
                        if not ok:
                            errors.append(f"{kind} {r.status_code} {r.text[:120]}")

        threads = [threading.Thread(target=client, args=("leader", "browse", None))
                   for _ in range(args.browsers)]
        threads += [threading.Thread(target=client, args=(f"rep-{f}", "submit", f))
                    for f in facilities]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        total = sum(len(v) for v in times.values())
        print(f"{args.browsers} browsing + {len(facilities)} submitting clients × "
              f"{args.requests} requests on loopback: {total} requests in {wall:.1f} s, "
              f"{total / wall:.1f} req/s, {len(errors)} errors")
        for kind, values in times.items():
            if values:
                q = statistics.quantiles(values, n=20)
                p50 = statistics.median(values) * 1000
                print(f"  {kind:7s} n={len(values):4d}  p50 {p50:6.0f} ms"
                      f"  p95 {q[18] * 1000:6.0f} ms  max {max(values) * 1000:6.0f} ms")
        for e in errors[:10]:
            print("  error:", e)
        return 1 if errors else 0
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())

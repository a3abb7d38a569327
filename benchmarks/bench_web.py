"""Benchmark: `hsplan serve` on the example — requests per second and latency with
concurrent clients on loopback.

Run: ``.venv/bin/python benchmarks/bench_web.py [--clients 8] [--rounds 20]``.

Starts ``python -m hsplan serve`` on a copy of the example project (江川区, plan
jiangchuan-2021-2025) as a separate process on 127.0.0.1 and a free port, then:

1. **cold**: each page and API call once, in order, on a fresh server — the time of the
   first computation of each result (evaluation, norms with travel times, scenario …);
2. **warm**: one client, then `--clients` threads, each with its own HTTP connection,
   request every address of `URLS` `--rounds` times in a shuffled order (a bounded loop:
   clients × rounds × len(URLS) requests). Results are cached per project state, so this
   measures the web layer: routing, JSON encoding and template rendering.

No peer computes these pages, so there is no ratio; the figure to watch is the warm p95
(a page "in well under a second") and requests/s. Prints Markdown tables; every response
must be 200 or the run fails.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from hsplan.cli.example import copy_example

URLS = [
    "/", "/indicator/T07", "/map", "/norms", "/institutions", "/tasks?as_of=2024-06-30",
    "/scenarios", "/data", "/api/v1/institutions",
    "/api/v1/project", "/api/v1/evaluate", "/api/v1/evaluate?level=township",
    "/api/v1/evaluate/T07", "/api/v1/check", "/api/v1/needs", "/api/v1/access/coverage",
    "/api/v1/tasks?as_of=2024-06-30", "/api/v1/scenarios/new-chc-200-beds.yaml",
    "/api/v1/geo/townships", "/api/v1/geo/facilities", "/api/v1/geo/villages",
    "/api/v1/geo/roads",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(project: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "hsplan", "serve", str(project),
                             "--port", str(port)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/project", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start in 120 s")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def warm_run(base: str, clients: int, rounds: int) -> tuple[dict[str, list[float]], float]:
    """Return ({address: latencies in ms}, wall seconds) of `clients` threads, each asking
    every address `rounds` times in a shuffled order over its own connection."""
    times: dict[str, list[float]] = {u: [] for u in URLS}
    failures: list[str] = []
    lock = threading.Lock()

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=300) as c:
            for _ in range(rounds):
                order = URLS[:]
                rng.shuffle(order)
                for url in order:
                    t0 = time.perf_counter()
                    r = c.get(url)
                    ms = (time.perf_counter() - t0) * 1000
                    with lock:
                        times[url].append(ms)
                        if r.status_code != 200:
                            failures.append(f"{url}: {r.status_code}")

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    return times, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_web_"))
    project = copy_example(folder / "jiangchuan").root
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(project, port)
    try:
        cold: dict[str, float] = {}
        with httpx.Client(base_url=base, timeout=300) as client:
            for url in URLS:
                t0 = time.perf_counter()
                r = client.get(url)
                cold[url] = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {r.status_code} {r.text[:300]}")
        runs = {n: warm_run(base, n, args.rounds) for n in sorted({1, args.clients})}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"## hsplan serve, example project ({len(URLS)} addresses, {args.rounds} rounds "
          "per client)\n")
    print("| clients | requests | requests/s | p50 ms | p95 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, (times, wall) in runs.items():
        every = [ms for v in times.values() for ms in v]
        print(f"| {n} | {len(every)} | {len(every) / wall:,.0f} | "
              f"{statistics.median(every):.1f} | {pct(every, 95):.1f} | {max(every):.1f} |")
    times = runs[args.clients][0]
    print(f"\n| address | cold ms (first request) | p50 ms, {args.clients} clients | "
          f"p95 ms, {args.clients} clients |")
    print("|---|---:|---:|---:|")
    for url in URLS:
        v = times[url]
        print(f"| `{url}` | {cold[url]:,.0f} | {statistics.median(v):.1f} | "
              f"{pct(v, 95):.1f} |")

if __name__ == "__main__":
    main()

"""National batch: wall time, per-county wall and CPU time, peak memory per worker.

    python benchmarks/bench_batch.py --counties all                 # every county (the goal)
    python benchmarks/bench_batch.py --sample 200 --workers 2       # a seeded sample

Two phases, timed apart:

1. **build** (not in the benchmark figure; done once, kept in ``--projects`` and reused by
   later runs): one synthetic project per county — the seeded generator on the real census
   and boundary (`hsplan batch build`). Counties already built are skipped.
2. **run** (the benchmark): evaluate + check + coverage against the national norms over the
   built folder (`hsplan batch run --projects … --network straight`), with the process pool
   and with a Dask LocalCluster of the same size; both must give identical tables.

Prints the figures and appends one row per executor to the table of benchmarks/README.md
(``--readme ''`` to skip): date, machine load, counties done/failed, wall, per-county wall
and CPU, peak memory per worker, the projection for all counties here and on 64 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shlex
import sys
import time
from pathlib import Path

import pandas as pd

from hsplan.batch.executors import ExecutorSpec
from hsplan.batch.run import build_projects, read_parts, run_batch
from hsplan.batch.sources import sources_from_projects
from hsplan.region.reference import counties

JOBS = ["evaluate", "check", "coverage"]
README = Path(__file__).with_name("README.md")
MARKER = "<!-- bench_batch.py appends rows above this line -->"
CLUSTER_CORES = 64


def usable_codes() -> list[str]:
    """Return the county codes the generator can build (boundary and census present)."""
    table = counties()
    keep = table["in_nbs2023"].astype(bool) & table["has_boundary"].astype(bool) & \
        table["census_total"].notna()
    return sorted(str(c) for c in table[keep]["code"])


def children_cpu() -> float:
    """Return the CPU seconds (user + system) of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def progress(label: str) -> object:
    last = [0.0]

    def tick(done: int, total: int, failed: int, seconds: float) -> None:
        if time.monotonic() - last[0] > 30 or done == total:
            last[0] = time.monotonic()
            eta = seconds / done * (total - done) if done else 0.0
            print(f"  {label}: {done}/{total}, failed {failed}, {seconds:.0f} s, "
                  f"ETA {eta:.0f} s", flush=True)
    return tick


def append_rows(readme: Path, rows: list[str]) -> None:
    """Insert `rows` above the marker line of `readme` (the end of the results table)."""
    text = readme.read_text(encoding="utf-8")
    if MARKER not in text:
        print(f"(no marker line in {readme}; rows not appended)")
        return
    readme.write_text(text.replace(MARKER, "\n".join(rows) + "\n" + MARKER), encoding="utf-8")
    print(f"appended {len(rows)} row(s) to {readme}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", default="sample",
                    help="'all', 'sample', 'built' (those already in --projects) or a,b,c")
    ap.add_argument("--sample", type=int, default=100, help="seeded sample size")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--network", default="straight", choices=["straight", "auto"],
                    help="straight: the straight-line model everywhere (the national "
                    "screening); auto: each project's synthetic roads")
    ap.add_argument("--projects", type=Path, default=Path("/tmp/hsplan-bench-batch/projects"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/hsplan-bench-batch/out"))
    ap.add_argument("--no-dask", action="store_true", help="process pool only")
    ap.add_argument("--readme", default=str(README), help="README to append rows to ('' = no)")
    args = ap.parse_args()
    command = "python benchmarks/bench_batch.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    usable = usable_codes()
    if args.counties == "all":
        codes = usable
    elif args.counties == "built":  # the counties already in --projects, nothing built
        codes = sorted(p.name for p in args.projects.iterdir() if (p / "hsplan.toml").exists())
    elif args.counties == "sample":
        codes = sorted(random.Random(0).sample(usable, args.sample))
    else:
        codes = args.counties.split(",")

    print(f"build: {len(codes)} synthetic counties into {args.projects} (not timed below)")
    t0 = time.perf_counter()
    built = build_projects(codes, args.projects, seed=0,
                           executor=ExecutorSpec("process", args.workers),
                           progress=progress("build"))
    build_s = time.perf_counter() - t0
    new = built[built["status"] == "ok"]
    for row in built[built["status"] == "failed"].itertuples():
        print(f"  build failed: {row.county}: {row.error}")
    print(f"build: {len(new)} new, {(built['status'] == 'exists').sum()} kept, "
          f"{(built['status'] == 'failed').sum()} failed, {build_s:.0f} s"
          + (f" ({new['seconds'].mean():.2f} s per new county in a worker)" if len(new) else ""))
    made = set(built.loc[built["status"] != "failed", "county"])
    sources = [s for s in sources_from_projects(args.projects) if s.key in made]

    results: dict[str, pd.DataFrame] = {}
    rows: list[str] = []
    specs = [ExecutorSpec("process", args.workers)]
    if not args.no_dask:
        specs.append(ExecutorSpec("dask", args.workers))
    for spec in specs:
        out = args.out / f"{spec.kind}-{args.network}"
        load_before = os.getloadavg()[0]
        cpu0 = children_cpu()
        t0 = time.perf_counter()
        res = run_batch(sources, out_dir=out, plan="national-norms", jobs=JOBS, executor=spec,
                        network=args.network, progress=progress(spec.kind))
        wall = time.perf_counter() - t0
        child_cpu = children_cpu() - cpu0
        load_after = os.getloadavg()[0]
        man = res.manifest
        n = man["county"].nunique()
        failed = res.failed["county"].nunique()
        cpu = man.groupby("county")["cpu_seconds"].sum()
        peak = float(man["worker_peak_mib"].max())
        per_county_wall = wall * spec.n_workers() / n  # worker-seconds per county
        here = len(usable) * wall / n
        cluster = len(usable) * cpu.mean() / CLUSTER_CORES
        print(f"{spec.describe()}: {n} counties ({failed} failed), wall {wall:.1f} s "
              f"= {wall / n * 1000:.0f} ms per county with {spec.n_workers()} workers; "
              f"CPU per county (in the jobs) mean {cpu.mean():.3f} s, median "
              f"{cpu.median():.3f} s, p95 {cpu.quantile(0.95):.3f} s; workers' CPU in all "
              f"{child_cpu:.0f} s; peak RSS per worker {peak:.0f} MiB; load average "
              f"{load_before:.1f} → {load_after:.1f}")
        print(f"  all {len(usable)} counties: {here / 60:.1f} min here (this run's pace); "
              f"{cluster / 60:.1f} min of jobs on {CLUSTER_CORES} cores "
              f"({len(usable) * cpu.mean() / spec.n_workers() / 60:.1f} min on {spec.n_workers()} "
              "idle cores at this CPU cost)")
        rows.append(
            f"| {time.strftime('%Y-%m-%d %H:%M')} | {spec.describe()} | {args.network} | "
            f"{n - failed}/{n} | {wall:.0f} | {per_county_wall:.2f} | {cpu.mean():.3f} | "
            f"{peak:.0f} | {load_before:.1f}–{load_after:.1f} | {here / 60:.1f} | "
            f"{len(usable) * cpu.mean() / spec.n_workers() / 60:.1f} | {cluster / 60:.1f} | "
            f"`{command}` |")
        results[spec.kind] = pd.concat({j: read_parts(out, j) for j in JOBS}, names=["job"])
    if len(results) == 2:
        a, b = results.values()
        pd.testing.assert_frame_equal(a, b)
        print("process pool and Dask LocalCluster: identical tables")
    if args.readme:
        append_rows(Path(args.readme), rows)


if __name__ == "__main__":
    main()

"""Batch over many counties: wall time, per-county time and peak memory per worker.

    python benchmarks/bench_batch.py --sample 200 --workers 2          # a seeded sample
    python benchmarks/bench_batch.py --counties all --workers 2        # every county

Builds one synthetic project per county (the seeded generator on the real census and
boundary; kept in --projects for later runs), then runs evaluate + check + coverage against
the national norms with the process pool and with a Dask LocalCluster of the same size, and
asserts that both give identical tables. Prints the figures for benchmarks/README.md,
including the projected time of all counties here and on a 64-core cluster.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import pandas as pd

from hsplan.batch.executors import ExecutorSpec
from hsplan.batch.run import build_projects, read_parts, run_batch
from hsplan.batch.sources import sources_from_projects
from hsplan.region.reference import counties

JOBS = ["evaluate", "check", "coverage"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", default="sample", help="'all' or comma-separated codes")
    ap.add_argument("--sample", type=int, default=100, help="seeded sample size")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--projects", type=Path, default=Path("/tmp/hsplan-bench-batch/projects"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/hsplan-bench-batch/out"))
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    table = counties()
    keep = table["in_nbs2023"].astype(bool) & table["has_boundary"].astype(bool) & \
        table["census_total"].notna()
    usable = sorted(str(c) for c in table[keep]["code"])
    if args.counties == "all":
        codes = usable
    elif args.counties == "sample":
        codes = sorted(random.Random(0).sample(usable, args.sample))
    else:
        codes = args.counties.split(",")
    t0 = time.perf_counter()
    built = build_projects(codes, args.projects, seed=0,
                           executor=ExecutorSpec("process", args.workers))
    build_s = time.perf_counter() - t0
    made = built[built["status"] != "failed"]
    for row in built[built["status"] == "failed"].itertuples():
        print(f"  build failed: {row.county}: {row.error}")
    print(f"built {len(made)}/{len(codes)} synthetic projects in {build_s:.1f} s "
          f"({(built['status'] == 'failed').sum()} failed)")
    sources = [s for s in sources_from_projects(args.projects)
               if s.key in set(made["county"])]
    results: dict[str, pd.DataFrame] = {}
    specs = [ExecutorSpec("process", args.workers)]
    if not args.no_dask:
        specs.append(ExecutorSpec("dask", args.workers))
    for spec in specs:
        out = args.out / spec.kind
        t0 = time.perf_counter()
        res = run_batch(sources, out_dir=out, plan="national-norms", jobs=JOBS, executor=spec)
        wall = time.perf_counter() - t0
        man = res.manifest
        per_county = man.groupby("county")["seconds"].sum()
        peak = man["worker_peak_mib"].max()
        n = len(per_county)
        print(f"{spec.describe()}: {n} counties, wall {wall:.1f} s "
              f"({wall / n * 1000:.0f} ms per county wall), "
              f"per-county compute median {statistics.median(per_county):.3f} s, "
              f"p95 {per_county.quantile(0.95):.3f} s, failed {res.failed['county'].nunique()}, "
              f"peak RSS per worker {peak:.0f} MiB")
        national = len(usable) * (wall / n)
        print(f"  projected, all {len(usable)} counties here: {national / 60:.1f} min; on a "
              f"64-core cluster: {len(usable) * per_county.mean() / 64 / 60:.1f} min "
              "(compute only)")
        results[spec.kind] = pd.concat({j: read_parts(out, j) for j in JOBS}, names=["job"])
    if len(results) == 2:
        a, b = results.values()
        pd.testing.assert_frame_equal(a, b)
        print("process pool and Dask LocalCluster: identical tables")


if __name__ == "__main__":
    main()

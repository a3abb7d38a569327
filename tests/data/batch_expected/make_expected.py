"""Write the expected batch tables of tests/test_batch_expected.py (see SOURCE.md).

Run with the code whose answers are the reference (main at 549729d, before the national
speed-ups):  PYTHONPATH=<that src> python tests/data/batch_expected/make_expected.py OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from hsplan.access.network import straight_line_network
from hsplan.access.service import ServiceAccess
from hsplan.batch.executors import ExecutorSpec
from hsplan.batch.jobs import CountyContext, _parquet_ready, job_check, job_coverage
from hsplan.batch.run import build_projects, read_parts, run_batch
from hsplan.batch.sources import sources_from_projects
from hsplan.evaluation.norms import check
from hsplan.plans.plan import load_plan
from hsplan.region.project import Project

COUNTIES = ["530402", "530403", "150603"]  # 红塔区, 江川区 (玉溪市), 康巴什区 (鄂尔多斯市)
JOBS = ["evaluate", "check", "coverage"]


def csv_text(frame: pd.DataFrame) -> str:
    """Return the frame as the CSV text the test compares (floats at full precision)."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.17g")


def main(out: Path) -> None:
    work = out / "work"
    build_projects(COUNTIES, work / "projects", seed=0, executor=ExecutorSpec("serial"))
    run_batch(sources_from_projects(work / "projects"), out_dir=work / "batch",
              plan="national-norms", jobs=JOBS, executor=ExecutorSpec("serial"))
    for job in JOBS:
        (out / f"{job}.csv").write_text(csv_text(read_parts(work / "batch", job)),
                                        encoding="utf-8")
    plan = load_plan("national-norms")
    violations, straight_violations = [], []
    straight: dict[str, list[pd.DataFrame]] = {"check_straight": [], "coverage_straight": []}
    for source in sources_from_projects(work / "projects"):
        project = Project.open(work / "projects" / source.key)
        region = project.load()
        roads = check(region, plan, access=ServiceAccess.from_project(project))
        lines = check(region, plan, access=ServiceAccess(region,
                                                         straight_line_network(mode="drive")))
        violations.append(roads.violations.assign(county=source.key))
        straight_violations.append(lines.violations.assign(county=source.key))
        # what the batch writes for a county on the straight-line model (no project)
        ctx = CountyContext(source, region, None, plan, work)
        for name, job in (("check_straight", job_check), ("coverage_straight", job_coverage)):
            part = work / f"{name}-{source.key}.parquet"
            _parquet_ready(job(ctx), source).to_parquet(part, index=False)
            straight[name].append(pd.read_parquet(part))
    tables = {"check_violations": violations, "check_straight_violations": straight_violations,
              **straight}
    for name, frames in tables.items():
        (out / f"{name}.csv").write_text(csv_text(pd.concat(frames, ignore_index=True)),
                                         encoding="utf-8")

if __name__ == "__main__":
    main(Path(sys.argv[1]))

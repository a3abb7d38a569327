"""What runs on one county: each job takes the county's region (and plan) and returns a
tidy frame, one row per thing, ready to be written as that county's result partition.

Jobs call the library, never the CLI. Every job runs on the same loaded region; a job that
fails on a county is recorded with its reason and the other jobs go on.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._i18n import _
from hsplan.batch.sources import CountySource
from hsplan.errors import HsplanError
from hsplan.plans.plan import Plan
from hsplan.region.model import Region

JOBS = ("validate", "evaluate", "check", "needs", "coverage", "report")
DEFAULT_JOBS = ("evaluate", "check", "coverage")
#: the travel-time model of the access jobs: "auto" (a project's roads where it has them,
#: else the straight-line model) or "straight" (the straight-line model for every county:
#: a national screening at one cost per county)
NETWORKS = ("auto", "straight")
#: the service circle of the ``coverage`` job: primary care within 15 minutes by road
COVERAGE_FACILITY = {"category": ["基层医疗卫生机构"]}
COVERAGE_MINUTES = 15.0


@dataclass
class CountyContext:
    """What the jobs of one county share: its region, its project (if any), the plan and
    the travel-time model (built on first use)."""

    source: CountySource
    region: Region
    project: Any
    plan: Plan
    out_dir: Path
    network: str = "auto"
    _access: Any = field(default=None, repr=False)

    def access(self) -> Any:
        """Return the county's `ServiceAccess`: the project's roads where it has them
        (network "auto"), else the straight-line model (named in every result)."""
        if self._access is None:
            from hsplan.access.network import straight_line_network
            from hsplan.access.service import ServiceAccess

            if self.project is not None and self.network == "auto":
                self._access = ServiceAccess.from_project(self.project, region=self.region)
            else:
                self._access = ServiceAccess(self.region, straight_line_network(mode="drive"))
        return self._access


def job_validate(ctx: CountyContext) -> pd.DataFrame:
    """Return one row per cross-table problem of the region (none when it is consistent)."""
    from hsplan.region.io.checks import check_region

    problems = check_region(ctx.region)
    return pd.DataFrame({"problem": [str(p) for p in problems]}, dtype="string")


def job_evaluate(ctx: CountyContext) -> pd.DataFrame:
    """Return the evaluation against the plan's targets, one row per target."""
    from hsplan.evaluation.targets import evaluate

    frame = evaluate(ctx.region, ctx.plan)
    frame.insert(0, "year", int(frame.attrs.get("year", 0) or 0))
    return frame


def job_check(ctx: CountyContext) -> pd.DataFrame:
    """Return the norm check, one row per norm, with service circles on the travel-time
    model and the number of violations."""
    from hsplan.evaluation.norms import check

    result = check(ctx.region, ctx.plan, access=ctx.access())
    summary = result.summary.copy()
    summary.insert(0, "year", int(result.year))
    return summary


def job_needs(ctx: CountyContext) -> pd.DataFrame:
    """Return what the county needs by the plan's end year, one row per figure."""
    from hsplan.demand.needs import load_assumptions, needs

    result = needs(ctx.region, ctx.plan, year=int(ctx.plan.period_end),
                   assumptions=load_assumptions())
    return result.table


def job_coverage(ctx: CountyContext) -> pd.DataFrame:
    """Return the 15-minute coverage of primary care: the total and urban/rural rows of
    `coverage_summary`, with the travel-time model and the demand level."""
    from hsplan.access.coverage import coverage_summary

    access = ctx.access()
    points = access.coverage(COVERAGE_FACILITY, minutes=COVERAGE_MINUTES)
    summary = coverage_summary(points)
    summary = summary[summary["group"] != "township"].reset_index(drop=True)
    summary.insert(0, "year", int(points.attrs.get("year", 0) or 0))
    summary["network"] = str(points.attrs.get("network", ""))
    summary["demand_level"] = str(points.attrs.get("demand_level", ""))
    summary["minutes"] = COVERAGE_MINUTES
    return summary


def job_report(ctx: CountyContext) -> pd.DataFrame:
    """Write the county's evaluation report (Word) under ``reports/``; return its path."""
    from hsplan.reports.report import write_report

    project = ctx.project if ctx.project is not None else materialise(ctx)
    path = ctx.out_dir / "reports" / f"{ctx.source.key}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_report(project, ctx.plan, path)
    return pd.DataFrame({"report": [str(path.relative_to(ctx.out_dir))]}, dtype="string")


def materialise(ctx: CountyContext) -> Any:
    """Return a project folder for a county made on the fly (``projects/<county>``), so
    that what needs a project (the report) can run on it; an existing one is reused."""
    from hsplan.region.project import Project

    root = ctx.out_dir / "projects" / ctx.source.key
    if (root / "hsplan.toml").exists():
        return Project.open(root)
    root.mkdir(parents=True, exist_ok=True)
    project = Project(root=root, name=str(ctx.region.meta.get("name", ctx.source.name)),
                      county_code=ctx.source.county_code,
                      synthetic=ctx.source.kind == "synthetic")
    project.save(ctx.region)
    project.write_config()
    return project


JOB_FUNCTIONS: dict[str, Callable[[CountyContext], pd.DataFrame]] = {
    "validate": job_validate, "evaluate": job_evaluate, "check": job_check,
    "needs": job_needs, "coverage": job_coverage, "report": job_report,
}


@dataclass
class JobRecord:
    """One line of the manifest: a county × job and how it went."""

    county: str
    job: str
    status: str  # "ok" | "failed"
    error: str
    seconds: float
    rows: int
    input_hash: str
    part: str  # the partition file, relative to the output folder ("" when failed)
    run_id: str
    name: str = ""
    province: str = ""
    city: str = ""
    county_code: str = ""
    worker_peak_mib: float = 0.0  # the worker process's peak resident memory so far
    cpu_seconds: float = 0.0  # CPU time of the job in its worker (reading the county: first)
    synthetic: bool = False  # the county's data are generated (合成数据): every roll-up says so


def _peak_mib() -> float:
    """Return this process's peak resident set size in MiB (0 where unknown)."""
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    except (ImportError, OSError):  # pragma: no cover - non-Unix
        return 0.0


def _parquet_ready(frame: pd.DataFrame, source: CountySource) -> pd.DataFrame:
    """Return `frame` with the county's columns first and mixed object columns as text,
    so that every county's partition has the same Arrow schema."""
    out = frame.reset_index(drop=True).copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or (isinstance(v, float)
                                                                       and v != v) else str(v))
            out[col] = out[col].astype("string")
    for name, value in (("province", source.province), ("city", source.city),
                        ("county_name", source.name), ("county_code", source.county_code),
                        ("county", source.key)):
        if name in out.columns:
            out = out.drop(columns=name)
        out.insert(0, name, pd.Series([value] * len(out), dtype="string"))
    return out


def _write_part(frame: pd.DataFrame, path: Path) -> None:
    """Write one partition atomically (a temporary file, then a rename)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


_PLANS: dict[tuple[str, str], Plan] = {}


def _plan(plan_ref: str, digest: str) -> Plan:
    """Return the plan `plan_ref`, loaded once per worker process and plan file version
    (`digest`, the hash of the file: an edited plan is read again)."""
    from hsplan.plans.plan import load_plan

    key = (plan_ref, digest)
    if not digest or key not in _PLANS:
        plan = load_plan(plan_ref)
        if not digest:
            return plan
        _PLANS.clear()
        _PLANS[key] = plan
    return _PLANS[key]


def input_digest(source: CountySource, plan_digest: str, network: str = "auto") -> str:
    """Return what a county's results depend on: its inputs, the plan file and (when not
    the default) the travel-time model, as the manifest's ``input_hash``."""
    digest = f"{source.input_hash()}-{plan_digest}"
    return digest if network == "auto" else f"{digest}-{network}"


def run_county(source: CountySource, jobs: tuple[str, ...], plan_ref: str, out_dir: str,
               run_id: str, plan_digest: str = "", network: str = "auto") -> list[JobRecord]:
    """Run `jobs` on one county and write each result to
    ``OUT/parts/<job>/<county>.parquet``; return one manifest record per job.

    This is the unit of work an executor runs (in a worker process). It never raises: a
    county that cannot be loaded fails every job with the reason; a job that fails does
    not stop the others.
    """
    out = Path(out_dir)
    digest = input_digest(source, plan_digest, network)
    records: list[JobRecord] = []
    synthetic = [source.kind == "synthetic"]

    def record(job: str, status: str, error: str, seconds: float, rows: int, part: str,
               cpu: float = 0.0) -> None:
        records.append(JobRecord(source.key, job, status, error, round(seconds, 4), rows,
                                 digest, part, run_id, source.name, source.province,
                                 source.city, source.county_code, _peak_mib(), round(cpu, 4),
                                 synthetic[0]))

    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        plan = _plan(plan_ref, plan_digest)
        region, project = source.load()
    except Exception as exc:  # the county cannot be read: every job fails with the reason
        message = _reason(exc)
        for job in jobs:
            record(job, "failed", _("read failed: {reason}").format(reason=message),
                   time.perf_counter() - start, 0, "",
                   time.process_time() - cpu_start)
        return records
    load_seconds = time.perf_counter() - start
    load_cpu = time.process_time() - cpu_start
    synthetic[0] = bool(region.synthetic or getattr(project, "synthetic", False)
                        or synthetic[0])
    ctx = CountyContext(source, region, project, plan, out, network)
    for k, job in enumerate(jobs):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            frame = _parquet_ready(JOB_FUNCTIONS[job](ctx), source)
            part = Path("parts") / job / f"{source.key}.parquet"
            _write_part(frame, out / part)
            record(job, "ok", "", time.perf_counter() - t0 + (load_seconds if k == 0 else 0),
                   len(frame), str(part),
                   time.process_time() - c0 + (load_cpu if k == 0 else 0))
        except Exception as exc:
            record(job, "failed", _reason(exc), time.perf_counter() - t0, 0, "",
                   time.process_time() - c0)
    return records


def _reason(exc: BaseException) -> str:
    """Return a one-line reason for a failure: the message of an hsplan error, else the
    exception type, message and the innermost frame (a bug to report, not hidden)."""
    if isinstance(exc, HsplanError):
        return " ".join(str(exc).split())[:2000]
    tb = [f for f in traceback.extract_tb(exc.__traceback__)
          if f"{os.sep}hsplan{os.sep}" in f.filename] or traceback.extract_tb(exc.__traceback__)
    where = f" ({'/'.join(Path(tb[-1].filename).parts[-2:])}:{tb[-1].lineno})" if tb else ""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:1500]}{where}"

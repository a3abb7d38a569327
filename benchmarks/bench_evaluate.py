"""Benchmark: `hsplan.evaluation.targets.evaluate` and `hsplan.plans.indicators.compute_all`,
before and after
the prepared-region rewrite (one placement of facilities and one set of per-year tables per
region and level, reused by every indicator and year).

Run: ``.venv/bin/python benchmarks/bench_evaluate.py [--counties 100] [--before-counties 10]``.

No peer tool computes these planning indicators, so the comparison is with hsplan's own
code before the change: ``git show <rev>:src/hsplan/indicators.py`` and ``evaluate.py``
(``--before-rev``, default 40ddad4, the last commit with the old code) are loaded as
temporary modules. Every "before" result is checked equal to the "after" one (floats to
1e-12 relative) before its time is reported.

Cases:

- the bundled example (江川区, 92 facilities, 8 townships, 76 villages, 2019–2023)
  evaluated against each of the six built-in plans at county and township level, and
  `compute_all` for 2023 at county, township and village level (best of ``--repeat``);
- a "province": the example replicated N times by a seeded generator (`province`) with
  distinct area codes (9xxxxx), facility ids and scaled figures, each county evaluated
  against jiangchuan-2021-2025 in one loop (per-county time = loop time / N), and all N
  counties held in one region evaluated in one call at county level.

Prints Markdown tables (times in ms, ratio = before / after, > 1: faster now).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from hsplan.evaluation import targets as after_evaluate
from hsplan.plans import indicators as after_indicators
from hsplan.plans.plan import load_plan
from hsplan.region.example import example_project_path
from hsplan.region.model import Region
from hsplan.region.project import Project

PLANS = ("jiangchuan-2021-2025", "kangbashi-2021-2025", "leshan-shizhong-2021-2025",
         "liaocheng-2024-2025", "ganzhou-jkq-2023-2025", "national-norms")
REPO = Path(__file__).resolve().parents[1]
EXAMPLE_COUNTY = "530403"


def before_modules(rev: str) -> tuple[ModuleType, ModuleType]:
    """Return (indicators, evaluate) as they were at git revision `rev`, as fresh modules."""
    folder = Path(tempfile.mkdtemp(prefix="hsplan_before_"))
    modules = []
    for name in ("indicators", "evaluate"):
        text = subprocess.run(["git", "show", f"{rev}:src/hsplan/{name}.py"], cwd=REPO,
                              check=True, capture_output=True, text=True).stdout
        text = text.replace('"hsplan.plans.indicators"', '"hsplan_before_indicators"')
        path = folder / f"hsplan_before_{name}.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"hsplan_before_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules.append(module)
    return modules[0], modules[1]


def province(n: int, *, seed: int = 1) -> list[Region]:
    """Return `n` copies of the example county with distinct codes and ids (seeded).

    County i gets the code ``9{i:05d}`` (townships and villages keep their suffixes), its
    facility ids the prefix ``C{i:05d}-``, and its population, resources and utilisation
    figures are scaled by one seeded factor in 0.7–1.3 (whole-number columns rounded). Each
    copy also reports a life expectancy per year (a seeded value in 74–80).
    """
    base = Project.open(example_project_path()).load()
    rng = np.random.default_rng(seed)
    regions = []
    for i in range(n):
        code = f"9{i:05d}"
        factor = float(rng.uniform(0.7, 1.3))

        def recode(values: pd.Series, code: str = code) -> pd.Series:
            return values.str.replace(f"^{EXAMPLE_COUNTY}", code, regex=True)

        def scaled(frame: pd.DataFrame, keys: tuple[str, ...], factor: float = factor
                   ) -> pd.DataFrame:
            out = frame.copy()
            for col in out.columns:
                if col in keys or col == "year" or not pd.api.types.is_numeric_dtype(out[col]):
                    continue
                values = out[col].astype("Float64") * factor
                out[col] = values.round() if str(frame[col].dtype) == "Int64" else values
            return out

        areas = base.areas.copy()
        areas["code"] = recode(areas["code"])
        areas["parent_code"] = recode(areas["parent_code"])
        areas.loc[areas["level"] == "county", "name"] = f"县{i:05d}"
        facilities = base.facilities.copy()
        facilities["id"] = f"C{i:05d}-" + facilities["id"]
        facilities["area_code"] = recode(facilities["area_code"])
        resources = scaled(base.resources, ("facility_id",))
        resources["facility_id"] = f"C{i:05d}-" + resources["facility_id"]
        utilisation = scaled(base.utilisation, ("facility_id",))
        utilisation["facility_id"] = f"C{i:05d}-" + utilisation["facility_id"]
        population = scaled(base.population, ("area_code",))
        population["area_code"] = recode(population["area_code"])
        years = base.years
        reported = pd.DataFrame({"area_code": code, "year": years,
                                 "indicator": "life_expectancy_years",
                                 "value": np.round(rng.uniform(74, 80, len(years)), 2)})
        regions.append(base.replace(areas=areas, facilities=facilities, resources=resources,
                                    utilisation=utilisation, population=population,
                                    reported=reported))
    return regions


def merged(regions: list[Region]) -> Region:
    """Return one region holding every table row of `regions`."""
    tables = {name: pd.concat([getattr(r, name) for r in regions], ignore_index=True)
              for name in ("areas", "facilities", "resources", "utilisation", "population",
                           "reported")}
    return regions[0].replace(**tables)


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return (best wall time in seconds, last result) of `repeat` calls of `fn`."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def same(before: pd.DataFrame, after: pd.DataFrame) -> None:
    """Raise unless the two frames are equal (floats to 1e-12 relative)."""
    pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-12, atol=0.0)


def row(case: str, before_s: float, after_s: float) -> str:
    return (f"| {case} | {before_s * 1000:,.1f} | {after_s * 1000:,.1f} | "
            f"{before_s / after_s:.1f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--before-counties", type=int, default=10,
                        help="counties of the province loop timed with the old code")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before-rev", default="40ddad4")
    args = parser.parse_args()
    old_ind, old_eval = before_modules(args.before_rev)
    region = Project.open(example_project_path()).load()

    print("| case | before ms | after ms | before / after |")
    print("|---|---:|---:|---:|")
    total_before = total_after = 0.0
    for plan_id in PLANS:
        plan = load_plan(plan_id)
        for level in ("county", "township"):
            t_old, r_old = best_of(partial(old_eval.evaluate, region, plan, level=level),
                                   args.repeat)
            t_new, r_new = best_of(
                partial(after_evaluate.evaluate, region, plan, level=level), args.repeat)
            same(r_old, r_new)
            total_before += t_old
            total_after += t_new
            print(row(f"evaluate {plan_id}, {level} ({len(r_new)} rows)", t_old, t_new))
    print(row("evaluate, the 12 cases above", total_before, total_after))
    for level in ("county", "township", "village"):
        t_old, r_old = best_of(partial(old_ind.compute_all, region, year=2023, level=level),
                               args.repeat)
        t_new, r_new = best_of(
            partial(after_indicators.compute_all, region, year=2023, level=level), args.repeat)
        same(r_old, r_new)
        print(row(f"compute_all 2023, {level} ({len(r_new)} rows)", t_old, t_new))

    counties = province(args.counties)
    plan = load_plan("jiangchuan-2021-2025")
    n_old = min(args.before_counties, len(counties))
    for level in ("county", "township"):
        start = time.perf_counter()
        olds = [old_eval.evaluate(r, plan, level=level) for r in counties[:n_old]]
        t_old = (time.perf_counter() - start) / n_old
        start = time.perf_counter()
        news = [after_evaluate.evaluate(r, plan, level=level) for r in counties]
        t_new = (time.perf_counter() - start) / len(counties)
        for old, new in zip(olds, news, strict=False):
            same(old, new)
        print(row(f"province loop, {level}: per county (before: {n_old} counties, after: "
                  f"{len(counties)})", t_old, t_new))
    whole = merged(counties[:n_old])
    start = time.perf_counter()
    r_old = old_eval.evaluate(whole, plan, level="county")
    t_old = (time.perf_counter() - start) / n_old
    start = time.perf_counter()
    r_new = after_evaluate.evaluate(whole, plan, level="county")
    t_mid = (time.perf_counter() - start) / n_old
    same(r_old, r_new)
    print(row(f"one region of {n_old} counties, county level: per county", t_old, t_mid))
    whole = merged(counties)
    start = time.perf_counter()
    r_new = after_evaluate.evaluate(whole, plan, level="county")
    t_new = (time.perf_counter() - start) / len(counties)
    print(f"| one region of {len(counties)} counties, county level: per county "
          f"({len(r_new):,} rows) | — | {t_new * 1000:,.1f} | — |")


if __name__ == "__main__":
    main()

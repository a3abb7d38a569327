"""The worked example: the synthetic 江川区 (530403) project, end to end.

``python -m hsplan.cli.example [--out DIR] [--force]`` copies the shipped example project to DIR
(default ``./example-output``), validates it, prints its summary, evaluates it against the
plan of its seed document (``jiangchuan-2021-2025``), checks it against that plan's
configuration norms (with travel times on the example's roads), and writes a facility map,
the evaluation chart and the norms map (PNG), the summary workbook and the evaluation
workbook (xlsx) into ``DIR/outputs``. The example's data are
synthetic except the division codes, the county boundary and the 2020 census county
figures (see ``src/hsplan/data/example/jiangchuan/README.md``).
"""

from __future__ import annotations

import argparse
import numbers
import os
import secrets
import shutil
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from hsplan._files import TEMP_MARK, remove, xlsx_writer
from hsplan.errors import DataSourceError, HsplanError, Problem
from hsplan.evaluation.norms import STATUS_ZH as NORM_STATUS_ZH
from hsplan.evaluation.norms import NormResult
from hsplan.evaluation.targets import STATUS_ZH, evaluate, evaluation_to_xlsx, status_counts
from hsplan.plans.plan import load_plan
from hsplan.region._lock import project_lock
from hsplan.region.io.checks import check_region
from hsplan.region.project import MADE_BY_EXAMPLE, Project, build_project
from hsplan.reports.summary import SUMMARY_LABELS, summary

EXAMPLE_NAME = "jiangchuan"
EXAMPLE_PLAN = "jiangchuan-2021-2025"
EXAMPLE_FILES = ("hsplan.toml", "region.gpkg", "roads.gpkg", "README.md",
                 "scenarios/new-chc-200-beds.yaml")
# the plan document the example region answers to, copied into the project's documents/
EXAMPLE_DOCUMENT = "000_a2a2a54b8113ffa6.txt"
DEFAULT_OUT = Path("example-output")


def example_project_path() -> Path:
    """Return the folder of the shipped example project (inside the installed package)."""
    path = Path(str(resources.files("hsplan") / "data" / "example" / EXAMPLE_NAME))
    if not (path / "hsplan.toml").exists():
        raise DataSourceError(f"{path}: the example project is missing from the installed "
                              "package. Fix: reinstall hsplan (pip install -e .).")
    return path


# what the example job writes into outputs/: --force replaces a folder holding only these
EXAMPLE_OUTPUTS = ("facility_map.png", "summary.xlsx", "evaluation.xlsx", "evaluation.png",
                   "norms_map.png")


def _example_files(root: Path) -> set[str]:
    """Return the relative paths (files and folders) an example copy may hold."""
    known = {".hsplan.lock", "documents", "outputs", f"documents/{EXAMPLE_DOCUMENT}"}
    for name in EXAMPLE_FILES:
        parts = Path(name).parts
        known |= {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
    known |= {f"outputs/{name}" for name in EXAMPLE_OUTPUTS}
    return known


def _refuse_unless_example(target: Path) -> None:
    """Raise unless `target` is an example copy hsplan made: ``hsplan.toml`` with the
    ``made_by`` marker, and no file the example does not write (the planner's notes)."""
    try:
        project = Project.open(target)
    except HsplanError as exc:
        raise DataSourceError(
            f"{target}: --force replaces only a folder hsplan made, and this one's "
            f"hsplan.toml cannot be read ({str(exc).splitlines()[0]}). Fix: choose another "
            "folder (--out DIR).") from exc
    if project.made_by != MADE_BY_EXAMPLE:
        raise DataSourceError(
            f"{target}: --force replaces only a folder hsplan made for the example "
            f"(hsplan.toml with made_by = \"{MADE_BY_EXAMPLE}\"), and this one is a project "
            "of its own. Fix: choose another folder (--out DIR); hsplan never deletes a "
            "project.")
    known = _example_files(target)
    unknown = sorted(str(p.relative_to(target)) for p in target.rglob("*")
                     if str(p.relative_to(target)) not in known and not _is_temp(p))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise DataSourceError(
            f"{target}: --force replaces only an example copy, and this folder holds files "
            f"the example did not write ({shown}). Fix: move those files away, or choose "
            "another folder (--out DIR).")


def _is_temp(path: Path) -> bool:
    return TEMP_MARK in path.name


def copy_example(directory: str | Path, *, force: bool = False) -> Project:
    """Return the example project copied into folder `directory` (created if needed).

    One transaction: the copy is made in a hidden folder beside `directory` and renamed into
    place, so a killed copy never leaves a truncated ``region.gpkg``. Refuses a folder that
    already holds a project, unless `force` is set and the folder is an example copy hsplan
    made (``made_by`` marker, no unknown files): then it is replaced.
    """
    target = Path(directory)
    source = example_project_path()

    def build(staging: Path) -> Project:
        for name in EXAMPLE_FILES:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, staging / name)
        documents = staging / "documents"
        documents.mkdir(exist_ok=True)
        shutil.copy2(source.parent.parent / "seeds" / EXAMPLE_DOCUMENT,
                     documents / EXAMPLE_DOCUMENT)
        project = Project.open(staging)
        project.made_by = MADE_BY_EXAMPLE
        project.write_config()
        return project

    if force and target.is_dir() and any(target.iterdir()):
        _refuse_unless_example(target)
        with project_lock(target, command="hsplan example --force"):
            tag = f"{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
            staging, old = (target.parent / f".{target.name}{tag}",
                            target.parent / f".{target.name}{tag}-old")
            try:
                staging.mkdir()
                build(staging)
                os.replace(target, old)  # the old copy is set aside only once the new one
                try:  # is complete, then swapped in
                    os.replace(staging, target)
                except OSError:
                    os.replace(old, target)
                    raise
                remove(old)
            finally:
                remove(staging)
        return Project.open(target)
    if (target / "hsplan.toml").exists() or (target / "region.gpkg").exists():
        raise DataSourceError(
            f"{target}: expected a folder without a project, got an existing hsplan project. "
            "Fix: choose another folder (--out DIR), or add --force to replace it.")
    return build_project(target, build)


@dataclass
class ExampleResult:
    """What `run_example` produced: the project, its problems, summary and output files."""

    project: Project
    problems: list[Problem]
    summary: dict[str, pd.DataFrame]
    map_png: Path
    summary_xlsx: Path
    evaluation: pd.DataFrame
    evaluation_xlsx: Path
    evaluation_png: Path
    norms: NormResult
    norms_map_png: Path


def write_summary_xlsx(frames: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write the summary frames to an xlsx workbook (one sheet each, Chinese headers)."""
    path = Path(path)
    sheets = {"about": "说明", "population": "人口", "facilities": "机构",
              "resources": "床位与人员"}
    with xlsx_writer(path) as writer:
        for name, df in frames.items():
            df.rename(columns=SUMMARY_LABELS).to_excel(writer, sheet_name=sheets.get(name, name),
                                                       index=False)
    return path


def run_example(out: str | Path = DEFAULT_OUT, *, console: Console | None = None,
                year: int | None = None, force: bool = False) -> ExampleResult:
    """Return the result of the example job: copy, validate, summarise, evaluate, check the
    norms, maps, charts, workbooks."""
    from hsplan.access.coverage import ServiceAccess
    from hsplan.evaluation.norms import check
    from hsplan.region.synth import ROADS_NAME
    from hsplan.reports.charts import evaluation_chart, violations_map
    from hsplan.reports.maps import facility_map

    console = console or Console()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        step = progress.add_task("复制示例项目 copying the example project …")
        project = copy_example(out, force=force)
        progress.update(step, description="校验数据 validating …")
        region = project.load()
        problems = check_region(region)
        progress.update(step, description="汇总 summarising …")
        frames = summary(region, year=year)
        progress.update(step, description="绘制地图 drawing the map …")
        import geopandas as gpd

        roads = gpd.read_file(project.root / ROADS_NAME, layer="roads")
        year_used = int(frames["about"]["year"].iloc[0])
        map_png = facility_map(region, project.outputs_dir / "facility_map.png",
                               title=f"{project.name.replace('（合成示例）', '')} 医疗卫生机构分布"
                                     f"（{year_used}年）", roads=roads)
        progress.update(step, description="写出汇总表 writing the workbook …")
        xlsx = write_summary_xlsx(frames, project.outputs_dir / "summary.xlsx")
        progress.update(step, description="对照规划评估 evaluating against the plan …")
        plan = load_plan(EXAMPLE_PLAN)
        results = evaluate(region, plan, year=year)
        eval_year = int(results.attrs["year"])
        evaluation_xlsx = evaluation_to_xlsx(
            results, project.outputs_dir / "evaluation.xlsx", plan=plan, year=eval_year)
        place = project.name.replace("（合成示例）", "")
        progress.update(step, description="绘制评估图 drawing the evaluation chart …")
        evaluation_png = evaluation_chart(
            results, project.outputs_dir / "evaluation.png",
            title=f"{place} 对照规划评估（{eval_year}年）",
            synthetic=region.synthetic or project.synthetic)
        progress.update(step, description="检查配置标准 checking the norms …")
        norms = check(region, plan, year=year, access=ServiceAccess.from_project(project))
        norms_map_png = violations_map(region, norms, project.outputs_dir / "norms_map.png",
                                       title=f"{place} 资源配置标准未达标分布（{norms.year}年）")
    return ExampleResult(project, problems, frames, map_png, xlsx, results, evaluation_xlsx,
                         evaluation_png, norms, norms_map_png)


def print_summary(frames: dict[str, pd.DataFrame], console: Console) -> None:
    """Print the summary frames as Rich tables with Chinese headers."""
    about = frames["about"].iloc[0]
    flag = "  [bold red]合成数据 SYNTHETIC DATA[/]" if bool(about["synthetic"]) else ""
    console.print(Text(str(about["region"]), style="bold") + Text(
        f" ({about['county_code']}), {about['year']}年") + Text.from_markup(flag),
        highlight=False)
    if bool(about["synthetic"]):
        console.print(Text(str(about["note"]), style="dim"), highlight=False)
    res = frames["resources"]
    counts = ["name", "pop", "beds", "doctors", "nurses", "pharmacists", "gps", "staff_total"]
    rates = ["name", "beds_per_1k", "doctors_per_1k", "nurses_per_1k", "pharmacists_per_1k",
             "gps_per_10k", "staff_per_1k"]
    pop_cols = ["name", "pop", "pop_65p", "share_65p_pct", "urban", "urban_share_pct"]
    parts = [("人口", frames["population"][pop_cols]), ("机构", frames["facilities"]),
             ("床位与人员", res[counts]), ("每千（万）人口床位与人员", res[rates])]
    for title, df in parts:
        table = Table(title=title)  # fixed Chinese titles
        for col in df.columns:
            table.add_column(SUMMARY_LABELS.get(col, col), overflow="fold",
                             justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
        for rec in df.itertuples(index=False):
            table.add_row(*[Text(_cell(v)) for v in rec])
        console.print(table)


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return "—"
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.2f}"
    return str(value)


def report_example(result: ExampleResult, console: Console) -> None:
    """Print what the example job did and found."""
    console.print(Text("✓ ", style="green") + Text(
        f"example project copied to {result.project.root}"), highlight=False)
    errors = [p for p in result.problems if p.severity == "error"]
    console.print(f"[green]✓[/] validated: {len(errors)} errors, "
                  f"{len(result.problems) - len(errors)} warnings")
    print_summary(result.summary, console)
    console.print(f"[green]✓[/] map      {result.map_png}")
    console.print(f"[green]✓[/] workbook {result.summary_xlsx}")
    counts = status_counts(result.evaluation)
    console.print(f"[bold]对照规划 {EXAMPLE_PLAN} 评估[/] ({len(result.evaluation)} targets): "
                  + "  ".join(f"{STATUS_ZH[s]} {n}" for s, n in counts.items() if n))
    console.print(f"[green]✓[/] evaluation {result.evaluation_xlsx}  "
                  f"(details: hsplan evaluate {result.project.root} --plan {EXAMPLE_PLAN})")
    console.print(f"[green]✓[/] chart    {result.evaluation_png}")
    norm_counts = result.norms.status_counts()
    console.print(f"[bold]资源配置标准 {EXAMPLE_PLAN}[/] ({len(result.norms.summary)} norms): "
                  + "  ".join(f"{NORM_STATUS_ZH[s]} {n}" for s, n in norm_counts.items() if n)
                  + f"; {len(result.norms.violations)} violations")
    console.print(f"[green]✓[/] norms map {result.norms_map_png}  "
                  f"(details: hsplan check {result.project.root} --plan {EXAMPLE_PLAN})")


def main(argv: list[str] | None = None) -> int:
    """Run the example job from the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m hsplan.cli.example", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to copy the example into (default ./example-output)")
    parser.add_argument("--year", type=int, default=None, help="year to summarise")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier example project in --out")
    args = parser.parse_args(argv)
    console = Console()
    try:
        result = run_example(args.out, console=console, year=args.year, force=args.force)
    except HsplanError as exc:
        from hsplan.cli._app import report_error

        return report_error(exc)
    report_example(result, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())

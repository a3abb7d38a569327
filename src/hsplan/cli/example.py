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
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from hsplan._files import xlsx_writer
from hsplan._i18n import N_, _
from hsplan.cli._output import status_text, synthetic_banner
from hsplan.errors import HsplanError, Problem
from hsplan.evaluation.norms import NormResult
from hsplan.evaluation.targets import evaluate, evaluation_to_xlsx, status_counts
from hsplan.plans.plan import load_plan
from hsplan.region.example import (
    EXAMPLE_PLAN,
    copy_example,
)
from hsplan.region.io.checks import check_region
from hsplan.region.project import Project
from hsplan.reports.summary import summary, summary_label
from hsplan.reports.workbook import finish_workbook

DEFAULT_OUT = Path("example-output")


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
    sheets = {"about": _("Notes"), "population": _("Population"),
              "facilities": _("Facilities"), "resources": _("Beds and staff")}
    with xlsx_writer(path) as writer:
        for name, df in frames.items():
            df.rename(columns=summary_label).to_excel(writer, sheet_name=sheets.get(name, name),
                                                      index=False)
    return path


def run_example(out: str | Path = DEFAULT_OUT, *, console: Console | None = None,
                year: int | None = None, force: bool = False) -> ExampleResult:
    """Return the result of the example job: copy, validate, summarise, evaluate, check the
    norms, maps, charts, workbooks."""
    from hsplan.access.service import ServiceAccess
    from hsplan.evaluation.norms import check
    from hsplan.region.project import ROADS_NAME
    from hsplan.reports.charts import evaluation_chart, violations_map
    from hsplan.reports.maps import facility_map

    console = console or Console()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        step = progress.add_task(_("copying the example project …"))
        project = copy_example(out, force=force)
        progress.update(step, description=_("validating …"))
        region = project.load()
        problems = check_region(region)
        progress.update(step, description=_("summarising …"))
        frames = summary(region, year=year)
        progress.update(step, description=_("drawing the map …"))
        import geopandas as gpd

        roads = gpd.read_file(project.root / ROADS_NAME, layer="roads")
        year_used = int(frames["about"]["year"].iloc[0])
        map_png = facility_map(region, project.outputs_dir / "facility_map.png",
                               title=f"{project.name.replace('（合成示例）', '')} 医疗卫生机构分布"
                                     f"（{year_used}年）", roads=roads)
        progress.update(step, description=_("writing the workbook …"))
        xlsx = finish_workbook(write_summary_xlsx(frames, project.outputs_dir / "summary.xlsx"),
                               title="区域概况")
        progress.update(step, description=_("evaluating against the plan …"))
        plan = load_plan(EXAMPLE_PLAN)
        results = evaluate(region, plan, year=year)
        eval_year = int(results.attrs["year"])
        evaluation_xlsx = finish_workbook(evaluation_to_xlsx(
            results, project.outputs_dir / "evaluation.xlsx", plan=plan, year=eval_year),
            plan=f"《{plan.title}》", year=eval_year, title="规划指标评估")
        place = project.name.replace("（合成示例）", "")
        progress.update(step, description=_("drawing the evaluation chart …"))
        evaluation_png = evaluation_chart(
            results, project.outputs_dir / "evaluation.png",
            title=f"{place} 对照规划评估（{eval_year}年）",
            synthetic=region.synthetic or project.synthetic)
        progress.update(step, description=_("checking the norms …"))
        norms = check(region, plan, year=year, access=ServiceAccess.from_project(project))
        norms_map_png = violations_map(region, norms, project.outputs_dir / "norms_map.png",
                                       title=f"{place} 资源配置标准未达标分布（{norms.year}年）")
    return ExampleResult(project, problems, frames, map_png, xlsx, results, evaluation_xlsx,
                         evaluation_png, norms, norms_map_png)


#: what is generated in a synthetic region and what is real (the note of `hsplan.region.synth`)
SYNTHETIC_NOTE = N_("township polygons, village points, township and village population, "
                    "facilities, resources and utilisation are generated (hsplan.region.synth); "
                    "division codes, the county boundary and the 2020 census county population "
                    "and age structure are real.")


def print_summary(frames: dict[str, pd.DataFrame], console: Console) -> None:
    """Print the summary frames as Rich tables with Chinese headers."""
    about = frames["about"].iloc[0]
    flag = f"  {synthetic_banner()}" if bool(about["synthetic"]) else ""
    console.print(Text(str(about["region"]), style="bold") + Text(
        _(" ({code}), {year}").format(code=about["county_code"], year=about["year"]))
        + Text.from_markup(flag), highlight=False)
    if bool(about["synthetic"]):
        console.print(Text(_(SYNTHETIC_NOTE), style="dim"), highlight=False)
    res = frames["resources"]
    counts = ["name", "pop", "beds", "doctors", "nurses", "pharmacists", "gps", "staff_total"]
    rates = ["name", "beds_per_1k", "doctors_per_1k", "nurses_per_1k", "pharmacists_per_1k",
             "gps_per_10k", "staff_per_1k"]
    pop_cols = ["name", "pop", "pop_65p", "share_65p_pct", "urban", "urban_share_pct"]
    parts = [(_("Population"), frames["population"][pop_cols]),
             (_("Facilities"), frames["facilities"]), (_("Beds and staff"), res[counts]),
             (_("Beds and staff per 1,000 (10,000) population"), res[rates])]
    for i, (title, df) in enumerate(parts):
        if df.empty:  # not entered: say so, never an empty table that reads as "none"
            console.print(_("{title}: not evaluable (no {title} data; enter it with hsplan "
                            "import)").format(title=title), highlight=False)
            continue
        table = Table(title=title)
        for col in df.columns:
            table.add_column(summary_label(col), overflow="fold",
                             justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
        for rec in df.itertuples(index=False):
            table.add_row(*[Text(_cell(v)) for v in rec])
        console.print(table)
        if i == 0 and df["urban"].notna().any():  # the population table
            console.print(Text(_(URBAN_NOTE), style="dim"), highlight=False)


#: what the summary's 城镇人口 is, beside the 城镇/农村 of the service circles (two readings)
URBAN_NOTE = N_("urban population: as the population table gives it (the census or the "
                "statistical report). The urban and rural of the service circles and ambulance "
                "radii follow the urban/rural class of each village or community (see the "
                "readings of hsplan check): the two differ, and the numbers may not agree.")


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return "—"
    if isinstance(value, bool | np.bool_):
        return _("yes") if value else _("no")
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.2f}"
    return str(value)


def report_example(result: ExampleResult, console: Console) -> None:
    """Print what the example job did and found."""
    console.print(Text("✓ ", style="green") + Text(
        _("example project copied to {path}").format(path=result.project.root)),
        highlight=False)
    errors = [p for p in result.problems if p.severity == "error"]
    console.print(Text("✓ ", style="green") + Text(
        _("data checked: {errors} error(s), {warnings} warning(s)").format(
            errors=len(errors), warnings=len(result.problems) - len(errors))), highlight=False)
    print_summary(result.summary, console)
    _done(console, _("facility map"), result.map_png)
    _done(console, _("summary workbook"), result.summary_xlsx)
    counts = status_counts(result.evaluation)
    counted = sum(counts.values())  # a target the plan repeats (表2 restating 表1) counts once
    repeated = len(result.evaluation) - counted
    targets = (_("{n} targets, and {k} listed twice").format(n=counted, k=repeated) if repeated
               else _("{n} targets").format(n=counted))
    console.print(Text(_("evaluated against the plan {plan}").format(plan=EXAMPLE_PLAN),
                       style="bold")
                  + Text(_(" ({targets}): ").format(targets=targets)
                         + "  ".join(f"{status_text(s)} {n}" for s, n in counts.items() if n)),
                  highlight=False)
    _done(console, _("evaluation workbook"), result.evaluation_xlsx,
          _(" (see: hsplan evaluate {project} --plan {plan})").format(
              project=result.project.root, plan=EXAMPLE_PLAN))
    _done(console, _("progress chart"), result.evaluation_png)
    norm_counts = result.norms.status_counts()
    console.print(Text(_("norms of {plan}").format(plan=EXAMPLE_PLAN), style="bold")
                  + Text(_(" ({n} norms): ").format(n=len(result.norms.summary))
                         + "  ".join(f"{status_text(s)} {n}" for s, n in norm_counts.items()
                                     if n)
                         + _("; objects failing: {n}").format(n=len(result.norms.violations))),
                  highlight=False)
    _done(console, _("norms map"), result.norms_map_png,
          _(" (see: hsplan check {project} --plan {plan})").format(
              project=result.project.root, plan=EXAMPLE_PLAN))


def _done(console: Console, what: str, path: Path, more: str = "") -> None:
    """Print one written output: ✓, what it is (padded to a column), the path."""
    from rich.cells import cell_len

    label = what + " " * max(1, 9 - cell_len(what))  # 9 columns: "汇总表   ", "标准地图 "
    console.print(Text("✓ ", style="green") + Text(f"{label}{path}{more}"), highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Run the example job from the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m hsplan.cli.example", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=_("folder to copy the example into (default ./example-output)"))
    parser.add_argument("--year", type=int, default=None, help=_("year to summarise"))
    parser.add_argument("--force", action="store_true",
                        help=_("replace an earlier example project in --out"))
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

"""`hsplan batch`: the same analyses over many counties — a folder of projects, county
codes, or every county of a province or city — on local processes or a Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from hsplan._i18n import _, language
from hsplan.cli._app import app, console
from hsplan.cli._output import cell, synthetic_banner
from hsplan.errors import HsplanError

PANEL_BATCH = _("Batch")

batch_app = typer.Typer(help=_("Many counties at once: the same analyses for each (local "
                               "processes or a Dask cluster)."),
                        no_args_is_help=True)
app.add_typer(batch_app, name="batch", rich_help_panel=PANEL_BATCH)

CountiesOpt = Annotated[str | None, typer.Option(
    "--counties", help=_("county codes, comma-separated; a 2-digit province or 4-digit city "
                         "code means all its counties"))]
ProjectsOpt = Annotated[Path | None, typer.Option(
    "--projects", help=_("folder of project folders (each folder with an hsplan.toml is one "
                         "county)"))]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help=_("local processes (default: the number of CPU cores)"))]
DaskLocalOpt = Annotated[int | None, typer.Option(
    "--dask-local", help=_("start a Dask LocalCluster of N worker processes"))]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help=_("address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786"))]
SerialOpt = Annotated[bool, typer.Option("--serial", help=_("run serially in one process (for "
                                                            "debugging)"))]


def _progress(label: str) -> tuple[Progress, object]:
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                   TextColumn(_("failed {n}").format(n="{task.fields[failed]}")),
                   TimeElapsedColumn(), TextColumn(_("left")), TimeRemainingColumn(),
                   console=console, transient=False)
    task = bar.add_task(label, total=None, failed=0)
    return bar, task


@batch_app.command(
    "run", help=_("Run evaluation, norm checks, needs and service-circle coverage for many "
                  "counties, one result partition per county."))
def run_command(
    out: Annotated[Path, typer.Argument(help=_("output folder (result partitions, manifest, "
                                               "summary)"))],
    counties: CountiesOpt = None,
    projects: ProjectsOpt = None,
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))
                    ] = "national-norms",
    jobs: Annotated[str, typer.Option(
        "--jobs", help=_("jobs, comma-separated: validate, evaluate, check, needs, coverage, "
                         "report"))]
    = "evaluate,check,coverage",
    synthetic: Annotated[bool, typer.Option(
        "--synthetic", help=_("generate synthetic regions from the county codes on the fly (for "
                              "national-scale rehearsal; results marked synthetic)"))]
    = False,
    seed: Annotated[int, typer.Option("--seed", help=_("random seed of the synthetic "
                                                       "regions"))] = 0,
    resume: Annotated[bool, typer.Option(
        "--resume", help=_("recompute only counties that failed, are missing or whose inputs "
                           "changed"))] = False,
    network: Annotated[str, typer.Option(
        "--network", help=_("travel-time model: auto (a project's roads when it has them, else "
                            "straight lines) or straight (straight lines everywhere, for "
                            "national screening)"))] = "auto",
    workers: WorkersOpt = None, dask_local: DaskLocalOpt = None,
    scheduler: SchedulerOpt = None, serial: SerialOpt = False,
) -> None:
    """对多个县区运行评估、配置标准核查、需求测算和服务圈覆盖，每县一个结果分区。"""
    from hsplan.batch.executors import executor_spec
    from hsplan.batch.rollup import rollup, rollup_to_xlsx
    from hsplan.batch.run import job_problems, run_batch
    from hsplan.batch.sources import sources_from_codes, sources_from_projects
    from hsplan.errors import raise_if_errors

    if (counties is None) == (projects is None):
        raise HsplanError(_("batch run: expected exactly one of --counties and --projects, "
                            "got both. Fix: e.g. --counties 53 (all counties of 云南省) or "
                            "--projects FOLDER.") if counties else
                          _("batch run: expected exactly one of --counties and --projects, "
                            "got neither. Fix: e.g. --counties 53 (all counties of 云南省) or "
                            "--projects FOLDER."))
    sources = sources_from_projects(projects) if projects is not None else \
        sources_from_codes([c for c in str(counties).split(",") if c.strip()],
                           synthetic=synthetic, seed=seed)
    spec = executor_spec(workers=workers, dask_local=dask_local, scheduler=scheduler,
                         serial=serial)
    job_list = [j.strip() for j in jobs.split(",") if j.strip()]
    raise_if_errors(job_problems(job_list, network), context="batch")  # before the bar
    sep = ", " if language() == "en" else "、"
    console.print(_("{n} counties · jobs {jobs} · plan {plan} · {executor}").format(
        n=len(sources), jobs=sep.join(job_list), plan=plan, executor=spec.describe())
        + (_(" · straight-line model") if network == "straight" else "")
        + (_(" (synthetic data)") if synthetic else ""))
    bar, task = _progress(_("counties"))
    with bar:
        def tick(done: int, total: int, failed: int, seconds: float) -> None:
            bar.update(task, completed=done, total=total, failed=failed)  # type: ignore[arg-type]

        result = run_batch(sources, out_dir=out, plan=plan, jobs=job_list, executor=spec,
                           resume=resume, progress=tick, network=network)
    frames = rollup(out, by="province")
    xlsx = rollup_to_xlsx(frames, out / "rollup-province.xlsx", by="province",
                          note=_synthetic_note(frames["counties"]))
    failed = result.failed
    console.print(_("done: computed {computed} counties, skipped {skipped} (done before and "
                    "inputs unchanged), {jobs} jobs failed in {failed} counties; took "
                    "{seconds} s.").format(
                        computed=len(result.computed), skipped=len(result.skipped),
                        failed=failed["county"].nunique(), jobs=len(failed),
                        seconds=f"{result.seconds:.1f}"))
    if not failed.empty:
        table = Table(title=_("counties that failed, and why"), show_lines=False)
        for header in (_("county or district"), _("job"), _("reason")):
            table.add_column(header, overflow="fold")
        for row in failed.head(30).itertuples():
            table.add_row(_("{name} ({code})").format(name=row.name, code=row.county),
                          str(row.job), str(row.error))
        console.print(table)
        if len(failed) > 30:
            console.print(_("… {n} more, see {path}").format(n=len(failed) - 30,
                                                           path=out / "manifest.csv"))
    console.print(_("wrote {manifest} and {workbook}").format(manifest=out / "manifest.csv",
                                                              workbook=xlsx))
    if not failed.empty:
        raise typer.Exit(1)  # some counties failed: scripts see it in the exit code


@batch_app.command(
    "build", help=_("Make a synthetic example project for each county (real divisions, census "
                    "and boundary; facilities and the rest generated)."))
def build_command(
    out: Annotated[Path, typer.Argument(help=_("folder for the synthetic projects (one "
                                               "subfolder per county)"))],
    counties: Annotated[str, typer.Option(
        "--counties",
        help=_("county codes, comma-separated; a 2-digit province or 4-digit city code means "
               "all its counties; all means the whole country"))],
    seed: Annotated[int, typer.Option("--seed", help=_("random seed"))] = 0,
    workers: WorkersOpt = None, dask_local: DaskLocalOpt = None,
    scheduler: SchedulerOpt = None, serial: SerialOpt = False,
) -> None:
    """为每个县区生成合成示例项目（真实区划、普查人口与边界；机构等为模型生成）。"""
    from hsplan.batch.executors import executor_spec
    from hsplan.batch.run import build_projects
    from hsplan.batch.sources import sources_from_codes
    from hsplan.region.reference import counties as all_counties

    if counties.strip().lower() == "all":
        table = all_counties()
        keep = table["in_nbs2023"].astype(bool) & table["has_boundary"].astype(bool) & \
            table["census_total"].notna()
        codes = sorted(str(c) for c in table[keep]["code"])
        console.print(_("{n} of the {total} census counties of the country have townships, a "
                        "boundary and census data; the others cannot be generated.").format(
                            n=len(codes), total=len(table)))
    else:
        codes = [s.county_code for s in sources_from_codes(
            [c for c in counties.split(",") if c.strip()], synthetic=True)]
    spec = executor_spec(workers=workers, dask_local=dask_local, scheduler=scheduler,
                         serial=serial)
    console.print(_("making {n} synthetic county projects · {executor}").format(
        n=len(codes), executor=spec.describe()))
    bar, task = _progress(_("counties"))
    with bar:
        def tick(done: int, total: int, failed: int, seconds: float) -> None:
            bar.update(task, completed=done, total=total, failed=failed)  # type: ignore[arg-type]

        table = build_projects(codes, out, seed=seed, executor=spec, progress=tick)
    bad = table[table["status"] == "failed"]
    console.print(_("done: {made} made, {existing} existed already, {failed} failed.").format(
        made=int((table["status"] == "ok").sum()),
        existing=int((table["status"] == "exists").sum()), failed=len(bad)))
    for row in bad.head(20).itertuples():
        console.print("  ✗ " + _("{county}: {error}").format(county=row.county, error=row.error),
                      highlight=False)


@batch_app.command(
    "rollup", help=_("Roll up batch results by province or city: county status counts per "
                     "target and norm, population-weighted coverage."))
def rollup_command(
    out: Annotated[Path, typer.Argument(help=_("output folder of a batch run"))],
    by: Annotated[str, typer.Option("--by", help=_("roll-up level: province, city or county"))]
    = "province",
    xlsx: Annotated[Path | None, typer.Option(
        "--xlsx", help=_("write the roll-up workbook"))] = None,
    map_png: Annotated[Path | None, typer.Option("--map", help=_("write a choropleth of the "
                                                                 "counties (PNG)"))]
    = None,
    figure: Annotated[str, typer.Option(
        "--figure", help=_("map figure: coverage_pct, targets_met_pct or norms_failed"))]
    = "coverage_pct",
) -> None:
    """按省或地市汇总批量结果：各目标、各配置标准的县区状态分布，人口加权覆盖率。"""
    from hsplan.batch.rollup import county_map, level_words, rollup, rollup_to_xlsx

    frames = rollup(out, by=by)
    note = _synthetic_note(frames["counties"])
    if note:
        console.print(synthetic_banner())
        console.print(Text(note), highlight=False)
    cov = frames.get("coverage")
    if cov is not None and not cov.empty:
        levels = level_words()
        table = Table(title=_("15-minute primary care coverage (by {level})").format(
            level=levels[by]))
        keys = [k for k in ("province", "city", "county_name") if k in cov]
        county = levels["county"]
        for header in [levels.get(k, county) if k != "county_name" else county for k in keys] + [
                _("number of counties"), _("resident population (persons)"),
                _("coverage (%)")]:
            table.add_column(header, overflow="fold")
        for row in cov.itertuples():
            table.add_row(*[str(getattr(row, k)) for k in keys], cell(row.counties),
                          cell(row.pop), f"{row.coverage_pct:.1f}")
        console.print(table)
    counties = frames["counties"]
    if not counties.empty and "targets_met" in counties:
        evaluable, met = (int(counties[c].sum()) for c in ("targets_evaluable", "targets_met"))
        console.print(_("{n} counties: {evaluable} targets evaluable, {met} met.").format(
            n=len(counties), evaluable=evaluable, met=met))
    if xlsx is not None:
        console.print(_("wrote out {path}").format(
            path=rollup_to_xlsx(frames, xlsx, by=by, note=note)))
    if map_png is not None:
        console.print(_("wrote out {path}").format(
            path=county_map(out, map_png, figure=figure)))


def _synthetic_note(counties: Any) -> str:
    """Return the 合成数据 line of a batch whose counties (the manifest's ``synthetic``
    flag) include generated ones, else ""."""
    from hsplan.batch.rollup import synthetic_note

    if counties is None or counties.empty or "synthetic" not in counties:
        return ""
    made = int(counties["synthetic"].fillna(False).astype(bool).sum())
    return synthetic_note(made, len(counties)) if made else ""

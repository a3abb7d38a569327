"""`hsplan batch`: the same analyses over many counties — a folder of projects, county
codes, or every county of a province or city — on local processes or a Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

from hsplan._i18n import _
from hsplan.cli._app import app, console
from hsplan.cli._output import cell
from hsplan.errors import HsplanError

PANEL_BATCH = "批量运行 Batch"

batch_app = typer.Typer(help=_("批量运行：对多个县区执行同一组分析（本机多进程或 Dask 集群）。"),
                        no_args_is_help=True)
app.add_typer(batch_app, name="batch", rich_help_panel=PANEL_BATCH)

CountiesOpt = Annotated[str | None, typer.Option(
    "--counties", help=_("县区代码，逗号分隔；2 位省代码或 4 位地市代码表示其全部县区"))]
ProjectsOpt = Annotated[Path | None, typer.Option(
    "--projects", help=_("项目文件夹的上级文件夹（其中每个含 hsplan.toml 的文件夹为一个县区）"))]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help=_("本机进程数（默认：CPU 核数）"))]
DaskLocalOpt = Annotated[int | None, typer.Option(
    "--dask-local", help=_("启动 Dask 本地集群，N 个工作进程"))]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help=_("已有 Dask 调度器地址，如 tcp://127.0.0.1:8786"))]
SerialOpt = Annotated[bool, typer.Option("--serial", help=_("单进程串行运行（调试用）"))]


def _progress(label: str) -> tuple[Progress, object]:
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                   TextColumn("失败 {task.fields[failed]}"), TimeElapsedColumn(),
                   TextColumn("剩余"), TimeRemainingColumn(), console=console, transient=False)
    task = bar.add_task(label, total=None, failed=0)
    return bar, task


@batch_app.command(
    "run", help=_("对多个县区运行评估、配置标准核查、需求测算和服务圈覆盖，每县一个结果分区。"))
def run_command(
    out: Annotated[Path, typer.Argument(help=_("输出文件夹（结果分区、清单、汇总）"))],
    counties: CountiesOpt = None,
    projects: ProjectsOpt = None,
    plan: Annotated[str, typer.Option("--plan", help=_("规划编号或 YAML 文件"))] = "national-norms",
    jobs: Annotated[str, typer.Option(
        "--jobs", help=_("作业，逗号分隔：validate, evaluate, check, needs, coverage, report"))]
    = "evaluate,check,coverage",
    synthetic: Annotated[bool, typer.Option(
        "--synthetic", help=_("按县区代码现场生成合成区域（用于全国规模演练；结果标注合成数据）"))]
    = False,
    seed: Annotated[int, typer.Option("--seed", help=_("合成区域的随机种子"))] = 0,
    resume: Annotated[bool, typer.Option(
        "--resume", help=_("只重算失败、缺失或输入已变化的县区"))] = False,
    network: Annotated[str, typer.Option(
        "--network", help=_("行程时间模型：auto（项目有路网用路网，否则直线距离）或 straight"
                            "（一律直线距离，用于全国筛查）"))] = "auto",
    workers: WorkersOpt = None, dask_local: DaskLocalOpt = None,
    scheduler: SchedulerOpt = None, serial: SerialOpt = False,
) -> None:
    """对多个县区运行评估、配置标准核查、需求测算和服务圈覆盖，每县一个结果分区。"""
    from hsplan.batch.executors import executor_spec
    from hsplan.batch.rollup import rollup, rollup_to_xlsx
    from hsplan.batch.run import run_batch
    from hsplan.batch.sources import sources_from_codes, sources_from_projects

    if (counties is None) == (projects is None):
        raise HsplanError("batch run: expected exactly one of --counties and --projects, "
                          f"got {'both' if counties else 'neither'}. Fix: e.g. --counties 53 "
                          "(all counties of 云南省) or --projects FOLDER.")
    sources = sources_from_projects(projects) if projects is not None else \
        sources_from_codes([c for c in str(counties).split(",") if c.strip()],
                           synthetic=synthetic, seed=seed)
    spec = executor_spec(workers=workers, dask_local=dask_local, scheduler=scheduler,
                         serial=serial)
    job_list = [j.strip() for j in jobs.split(",") if j.strip()]
    console.print(f"{len(sources)} 个县区 · 作业 {'、'.join(job_list)} · 规划 {plan} · "
                  f"{spec.describe()}" + (" · 直线距离模型" if network == "straight" else "")
                  + ("（合成数据）" if synthetic else ""))
    bar, task = _progress("县区")
    with bar:
        def tick(done: int, total: int, failed: int, seconds: float) -> None:
            bar.update(task, completed=done, total=total, failed=failed)  # type: ignore[arg-type]

        result = run_batch(sources, out_dir=out, plan=plan, jobs=job_list, executor=spec,
                           resume=resume, progress=tick, network=network)
    frames = rollup(out, by="province")
    note = "合成数据：各县区的机构、人员、床位与道路由模型生成，仅用于演练。" if synthetic else ""
    xlsx = rollup_to_xlsx(frames, out / "rollup-province.xlsx", by="province", note=note)
    failed = result.failed
    console.print(f"完成：计算 {len(result.computed)} 个县区，跳过 {len(result.skipped)} 个"
                  f"（已完成且输入未变），失败 {failed['county'].nunique()} 个县区的 "
                  f"{len(failed)} 项作业；用时 {result.seconds:.1f} 秒。")
    if not failed.empty:
        table = Table(title="失败的县区与原因", show_lines=False)
        for header in ("县区", "作业", "原因"):
            table.add_column(header, overflow="fold")
        for row in failed.head(30).itertuples():
            table.add_row(f"{row.name}（{row.county}）", str(row.job), str(row.error))
        console.print(table)
        if len(failed) > 30:
            console.print(f"… 另有 {len(failed) - 30} 项，见 {out / 'manifest.csv'}")
    console.print(f"已写出 {out / 'manifest.csv'}、{xlsx}")
    if not failed.empty:
        raise typer.Exit(1)  # some counties failed: scripts see it in the exit code


@batch_app.command(
    "build", help=_("为每个县区生成合成示例项目（真实区划、普查人口与边界；机构等为模型生成）。"))
def build_command(
    out: Annotated[Path, typer.Argument(help=_("放置合成项目的文件夹（每县一个子文件夹）"))],
    counties: Annotated[str, typer.Option(
        "--counties",
        help=_("县区代码，逗号分隔；2 位省代码或 4 位地市代码表示其全部县区；all 表示全国"))],
    seed: Annotated[int, typer.Option("--seed", help=_("随机种子"))] = 0,
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
        console.print(f"全国 {len(table)} 个普查县区中 {len(codes)} 个有乡镇、边界与普查数据，"
                      "其余无法生成。")
    else:
        codes = [s.county_code for s in sources_from_codes(
            [c for c in counties.split(",") if c.strip()], synthetic=True)]
    spec = executor_spec(workers=workers, dask_local=dask_local, scheduler=scheduler,
                         serial=serial)
    console.print(f"生成 {len(codes)} 个合成县区项目 · {spec.describe()}")
    bar, task = _progress("县区")
    with bar:
        def tick(done: int, total: int, failed: int, seconds: float) -> None:
            bar.update(task, completed=done, total=total, failed=failed)  # type: ignore[arg-type]

        table = build_projects(codes, out, seed=seed, executor=spec, progress=tick)
    bad = table[table["status"] == "failed"]
    console.print(f"完成：新建 {int((table['status'] == 'ok').sum())} 个，已存在 "
                  f"{int((table['status'] == 'exists').sum())} 个，失败 {len(bad)} 个。")
    for row in bad.head(20).itertuples():
        console.print(f"  ✗ {row.county}：{row.error}", highlight=False)


@batch_app.command(
    "rollup", help=_("按省或地市汇总批量结果：各目标、各配置标准的县区状态分布，人口加权覆盖率。"))
def rollup_command(
    out: Annotated[Path, typer.Argument(help=_("批量运行的输出文件夹"))],
    by: Annotated[str, typer.Option("--by", help=_("汇总层级：province、city 或 county"))]
    = "province",
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help=_("写出汇总工作簿"))] = None,
    map_png: Annotated[Path | None, typer.Option("--map", help=_("写出县区分级设色图（PNG）"))]
    = None,
    figure: Annotated[str, typer.Option(
        "--figure", help=_("地图指标：coverage_pct、targets_met_pct 或 norms_failed"))]
    = "coverage_pct",
) -> None:
    """按省或地市汇总批量结果：各目标、各配置标准的县区状态分布，人口加权覆盖率。"""
    from hsplan.batch.rollup import LEVELS, county_map, rollup, rollup_to_xlsx

    frames = rollup(out, by=by)
    cov = frames.get("coverage")
    if cov is not None and not cov.empty:
        table = Table(title=f"15分钟基层医疗服务覆盖（按{LEVELS[by]}）")
        keys = [k for k in ("province", "city", "county_name") if k in cov]
        for header in [LEVELS.get(k, "县区") if k != "county_name" else "县区" for k in keys] + [
                "县区数", "常住人口（人）", "覆盖率（%）"]:
            table.add_column(header, overflow="fold")
        for row in cov.itertuples():
            table.add_row(*[str(getattr(row, k)) for k in keys], cell(row.counties),
                          cell(row.pop), f"{row.coverage_pct:.1f}")
        console.print(table)
    counties = frames["counties"]
    if not counties.empty and "targets_met" in counties:
        evaluable, met = (int(counties[c].sum()) for c in ("targets_evaluable", "targets_met"))
        console.print(f"{len(counties)} 个县区：可评估目标 {evaluable} 项，已达标 {met} 项。")
    if xlsx is not None:
        console.print(f"已写出 {rollup_to_xlsx(frames, xlsx, by=by)}")
    if map_png is not None:
        console.print(f"已写出 {county_map(out, map_png, figure=figure)}")

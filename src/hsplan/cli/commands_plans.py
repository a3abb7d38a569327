"""`hsplan plans list|show|diff` and `hsplan evaluate`: thin commands over plans/evaluate."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hsplan.cli._app import PANEL_PLAN, app, console, err_console
from hsplan.cli._output import cell, emit_json, refuse_out_for_table
from hsplan.evaluation.targets import (
    AT_RISK,
    MET,
    NOT_APPLICABLE,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ZH,
    evaluate,
    evaluation_to_json,
    evaluation_to_xlsx,
    status_counts,
)
from hsplan.plans.plan import diff_plans, list_plans, load_plan, plan_to_yaml
from hsplan.region.project import Project

plans_app = typer.Typer(help="List, show and compare plans (规划).", no_args_is_help=True)
app.add_typer(plans_app, name="plans", rich_help_panel=PANEL_PLAN)

STATUS_STYLE = {MET: "green", ON_TRACK: "cyan", AT_RISK: "yellow", OFF_TRACK: "red",
                NOT_EVALUABLE: "dim", NOT_APPLICABLE: "dim"}
STATUS_LIGHT = {MET: "●", ON_TRACK: "●", AT_RISK: "●", OFF_TRACK: "●", NOT_EVALUABLE: "○",
                NOT_APPLICABLE: "·"}


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ShowFormat(StrEnum):
    yaml = "yaml"
    json = "json"
    table = "table"


class EvalFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class Level(StrEnum):
    county = "county"
    township = "township"


@plans_app.command("list")
def plans_list(
    project: Annotated[Path | None, typer.Option(help="also list PROJECT/plans/*.yaml")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json")] = ListFormat.table,
) -> None:
    """List the built-in plans (and a project's own plans)."""
    infos = list_plans(Project.open(project) if project is not None else None)
    if fmt is ListFormat.json:
        typer.echo(json.dumps([i.to_dict() for i in infos], ensure_ascii=False, indent=2))
        return
    table = Table(title="规划 plans")
    headers = ("id", "标题", "地区", "期间", "类型", "指标", "规范", "机构", "任务", "来源", "问题")
    for col in headers:
        table.add_column(col)
    for i in infos:
        table.add_row(i.id, i.title, i.region, i.period, i.kind, str(i.n_targets),
                      str(i.n_norms), str(i.n_institutions), str(i.n_tasks),
                      i.origin, str(i.problems) if i.problems else "")
    console.print(table)


@plans_app.command("show")
def plans_show(
    plan: Annotated[str, typer.Argument(help="a plan id or a YAML file")],
    fmt: Annotated[ShowFormat, typer.Option("--format", help="yaml, json or table")]
    = ShowFormat.yaml,
) -> None:
    """Print a plan (validated) as YAML, JSON or a table of its targets."""
    loaded = load_plan(plan)
    if fmt is ShowFormat.yaml:
        typer.echo(plan_to_yaml(loaded), nl=False)
        return
    if fmt is ShowFormat.json:
        typer.echo(json.dumps(loaded.data, ensure_ascii=False, indent=2))
        return
    frame = loaded.targets_frame()
    table = Table(title=f"{loaded.title} ({loaded.period_start}–{loaded.period_end})")
    cols = ["id", "indicator", "name", "unit", "baseline_value", "op", "target_value",
            "target_year", "nature"]
    for col in cols:
        table.add_column(col)
    for row in frame.to_dict(orient="records"):
        table.add_row(*(cell(row[c]) for c in cols))
    console.print(table)
    console.print(f"{len(loaded.norms)} norms, {len(loaded.institutions)} institutions, "
                  f"{len(loaded.tasks)} tasks")


@plans_app.command("diff")
def plans_diff(
    plan_a: Annotated[str, typer.Argument(help="plan A (id or file), e.g. a district plan")],
    plan_b: Annotated[str, typer.Argument(help="plan B (id or file), e.g. national-norms")],
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json")] = ListFormat.table,
) -> None:
    """Compare two plans: targets by indicator (which is stricter), norms and tasks."""
    a, b = load_plan(plan_a), load_plan(plan_b)
    frame = diff_plans(a, b)
    if fmt is ListFormat.json:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"A = {a.id}   B = {b.id}")
    cols = ["kind", "key", "presence", "op_a", "value_a", "op_b", "value_b", "stricter", "note"]
    for col in cols:
        table.add_column(col)
    for row in frame.to_dict(orient="records"):
        table.add_row(*(cell(row[c]) for c in cols))
    console.print(table)


@app.command("evaluate", rich_help_panel=PANEL_PLAN)
def evaluate_command(
    project: Annotated[Path, typer.Argument(help="the project folder")],
    plan: Annotated[str, typer.Option("--plan", help="a plan id or a YAML file")],
    year: Annotated[int | None, typer.Option(help="evaluation year (default: latest)")] = None,
    level: Annotated[Level, typer.Option(help="county or township")] = Level.county,
    fmt: Annotated[EvalFormat, typer.Option("--format", help="table, json or xlsx")]
    = EvalFormat.table,
    out: Annotated[Path | None, typer.Option(help="write to this file")] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="also write a PNG bar chart of the progress toward each target")]
    = None,
) -> None:
    """Evaluate a project's region against a plan's targets (traffic lights)."""
    proj = Project.open(project)
    region = proj.load()
    loaded = load_plan(plan, project=proj)
    results = evaluate(region, loaded, year=year, level=level.value)
    eval_year = int(results.attrs["year"])
    synthetic = region.synthetic or proj.synthetic
    if chart is not None:
        from hsplan.reports.charts import evaluation_chart

        place = proj.name.replace("（合成示例）", "")
        written = evaluation_chart(results, chart, synthetic=synthetic,
                                   title=f"{place} 对照《{loaded.title}》评估（{eval_year}年）")
        # JSON on standard output stays parseable: the note goes to standard error
        (err_console if fmt is EvalFormat.json and out is None else console).print(
            f"wrote {written}", highlight=False)
    if fmt is EvalFormat.xlsx:
        target = out or proj.outputs_dir / f"evaluation-{loaded.id}-{eval_year}.xlsx"
        evaluation_to_xlsx(results, target, plan=loaded, year=eval_year)
        console.print(f"wrote {target}")
        return
    if fmt is EvalFormat.json:
        doc = evaluation_to_json(results, plan=loaded, project=proj.name, year=eval_year,
                                 synthetic=synthetic)
        emit_json(doc, out)
        return
    refuse_out_for_table(out)
    title = f"{loaded.title} · {proj.name} · {eval_year}"
    if synthetic:
        title += " · 合成数据 (synthetic)"
    table = Table(title=title)
    for col in ("", "编号", "指标", "地区", "现状", "目标", "差距", "所需/年", "实际/年", "属性",
                "结论", "说明"):
        table.add_column(col)
    for row in results.to_dict(orient="records"):
        status = str(row["status"])
        style = STATUS_STYLE[status]
        target_text = row["target_text"] if row["op"] == "text" else (
            f"{row['op']} {cell(row['target'])}" if row["op"] != "range"
            else f"{cell(row['target_low'])}–{cell(row['target_high'])}")
        table.add_row(f"[{style}]{STATUS_LIGHT[status]}[/]", str(row["target_id"]),
                      str(row["name"]), cell(row["area_name"]), cell(row["value"]),
                      f"{target_text} ({row['target_year']})", cell(row["gap"]),
                      cell(row["required_per_year"]), cell(row["observed_per_year"]),
                      cell(row["nature"]), f"[{style}]{STATUS_ZH[status]}[/]",
                      cell(row["reason"]))
    console.print(table)
    counts = status_counts(results)
    console.print("  ".join(f"[{STATUS_STYLE[s]}]{STATUS_ZH[s]} {s}: {n}[/]"
                            for s, n in counts.items()))

"""`hsplan plans list|show|diff` and `hsplan evaluate`: thin commands over plans/evaluate."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from hsplan._i18n import N_, _, is_missing, join_names, language, unit_text
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console, err_console
from hsplan.cli._output import (
    cell,
    emit_json,
    finish_xlsx,
    refuse_out_for_table,
    status_text,
    tight,
)

plans_app = typer.Typer(help=_("List, show and compare plans (规划)."), no_args_is_help=True)
app.add_typer(plans_app, name="plans", rich_help_panel=PANEL_PLAN)



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


# the columns of `hsplan plan show`'s target table and their headers
TARGET_HEADERS = {"id": N_("id"), "indicator": N_("indicator"), "name": N_("name"),
                  "unit": N_("unit"), "baseline_value": N_("baseline"), "op": N_("op"),
                  "target_value": N_("target value"), "target_year": N_("target year"),
                  "nature": N_("nature")}


@plans_app.command("list", help=_("List the built-in plans (and a project's own plans)."))
def plans_list(
    project: Annotated[Path | None, typer.Option(help=_("also list PROJECT/plans/*.yaml"))] = None,
    fmt: Annotated[ListFormat, typer.Option("--format",
        help=_('table or json'))] = ListFormat.table,
) -> None:
    """List the built-in plans (and a project's own plans)."""
    from hsplan.plans.plan import list_plans

    proj = None
    if project is not None:  # the region model (geopandas) only when a project is listed
        from hsplan.region.project import Project

        proj = Project.open(project)
    infos = list_plans(proj)
    if fmt is ListFormat.json:
        typer.echo(json.dumps([i.to_dict() for i in infos], ensure_ascii=False, indent=2))
        return
    table = Table(title=_("plans"), show_lines=False)
    table.add_column(_("plan id (for --plan)"), no_wrap=True, style="bold")
    table.add_column(_("title"), overflow="fold", ratio=1)
    table.add_column(_("period"), no_wrap=True)
    table.add_column(_("contents"), overflow="fold")
    for i in infos:
        contents = _("{t} targets · {n} norms · {k} tasks").format(
            t=i.n_targets, n=i.n_norms, k=i.n_tasks)
        if i.problems:
            contents += " · " + _("{p} problems").format(p=i.problems)
        table.add_row(i.id, f"{i.title}（{i.region}）", i.period, contents)
    console.print(table)


@plans_app.command("show",
    help=_('Print a plan (validated) as YAML, JSON or a table of its targets.'))
def plans_show(
    plan: Annotated[str, typer.Argument(help=_("a plan id or a YAML file"))],
    fmt: Annotated[ShowFormat, typer.Option("--format", help=_("yaml, json or table"))]
    = ShowFormat.yaml,
) -> None:
    """Print a plan (validated) as YAML, JSON or a table of its targets."""
    from hsplan.plans.plan import load_plan, plan_to_yaml

    loaded = load_plan(plan)
    if fmt is ShowFormat.yaml:
        typer.echo(plan_to_yaml(loaded), nl=False)
        return
    if fmt is ShowFormat.json:
        typer.echo(json.dumps(loaded.data, ensure_ascii=False, indent=2))
        return
    from hsplan.evaluation.targets import nature_text

    frame = loaded.targets_frame()
    table = Table(title=f"{loaded.title} ({loaded.period_start}–{loaded.period_end})")
    cols = list(TARGET_HEADERS)
    for col in cols:
        table.add_column(_(TARGET_HEADERS[col]))
    for row in frame.to_dict(orient="records"):
        if not is_missing(row["unit"]):  # a bare count (个) has no English unit
            row["unit"] = unit_text(row["unit"]) or "—"
        row["nature"] = nature_text(row["nature"])
        table.add_row(*(cell(row[c]) for c in cols))
    console.print(table)
    if loaded.institutions:
        inst = Table(title=_("key institutions"))
        for header in (_("no."), _("institution"), _("bed target"), _("grade target"),
                       _("capabilities and role")):
            inst.add_column(header, overflow="fold")
        from hsplan.evaluation.institutions import beds_kind_text, grade_action_text

        for i in loaded.institutions:
            beds = _("{kind} {beds:,} beds").format(kind=beds_kind_text(i.beds_kind),
                                                     beds=i.beds_target) \
                if i.beds_target is not None else "—"
            grade = _("{baseline} → {action} {grade}").format(
                baseline=i.grade_baseline or "—", action=grade_action_text(i.grade_action),
                grade=i.grade_target) if i.grade_target else "—"
            other = join_names([*i.capabilities, *([i.designation] if i.designation else [])])
            inst.add_row(i.id, i.name + (f"（{i.campus}）" if i.campus else ""), beds, grade,
                         other or "—")
        console.print(inst)
    console.print(_("{n} norms, {i} institutions, {k} tasks").format(
        n=len(loaded.norms), i=len(loaded.institutions), k=len(loaded.tasks)))


@plans_app.command("diff",
    help=_('Compare two plans: targets by indicator (which is stricter), norms and tasks.'))
def plans_diff(
    plan_a: Annotated[str, typer.Argument(help=_("plan A (id or file), e.g. a district plan"))],
    plan_b: Annotated[str, typer.Argument(help=_("plan B (id or file), e.g. national-norms"))],
    fmt: Annotated[ListFormat, typer.Option("--format",
        help=_('table or json'))] = ListFormat.table,
) -> None:
    """Compare two plans: targets by indicator (which is stricter), norms and tasks."""
    from hsplan.plans.plan import diff_plans, load_plan

    a, b = load_plan(plan_a), load_plan(plan_b)
    frame = diff_plans(a, b)
    if fmt is ListFormat.json:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    console.print(f"A = {a.id}（{a.title}）\nB = {b.id}（{b.title}）", highlight=False)
    kinds = {"target": _("targets"), "norm": _("norms"), "task": _("tasks")}
    presence = {"a only": _("only in A"), "b only": _("only in B"), "both": _("in both")}
    stricter = {"a": "A", "b": "B", "same": _("same"), "—": "—"}
    for kind, part in frame.groupby("kind", sort=False):
        table = Table(title=f"{kinds.get(str(kind), str(kind))}（{len(part)}）",
                      show_lines=False)
        table.add_column(_("item"), overflow="fold", ratio=2)
        table.add_column(_("where"), no_wrap=True)
        table.add_column("A", overflow="fold", ratio=1)
        table.add_column("B", overflow="fold", ratio=1)
        table.add_column(_("stricter"), no_wrap=True)
        for row in part.to_dict(orient="records"):
            name = row["name_a"] if isinstance(row["name_a"], str) else row["name_b"]
            side_a = "" if row["presence"] == "b only" else _diff_side(row, "a", a)
            side_b = "" if row["presence"] == "a only" else _diff_side(row, "b", b)
            table.add_row(tight(str(name if isinstance(name, str) else row["key"])),
                          presence.get(str(row["presence"]), str(row["presence"])),
                          side_a, side_b,
                          stricter.get(str(row["stricter"]), str(row["stricter"])))
        console.print(table)


def _diff_side(row: Mapping[Any, Any], side: str, plan: Any) -> str:
    """Return one side of a `plans diff` row as the plan's reader writes it: a target as
    `evaluate` prints it (``T14 ≥ 1:1.34``, ``T02 ≥ 100.0%``, ``T22 提高``), a norm in
    words (``N21：每3万人口1辆救护车``), a task with its deadline."""
    ident = row[f"id_{side}"]
    if row["kind"] == "target":
        target = next(t for t in plan.targets if t.id == ident)
        return f"{ident} {target_value_text(target)}"
    if row["kind"] == "norm":
        from hsplan.evaluation.norms import describe

        norm = next(n for n in plan.norms if n.id == ident)
        words = _("qualitative (checked by hand)") if norm.rule == "text" else describe(norm)
        if language() == "en":
            return f"{ident}: {words}"
        return f"{ident}：{tight(words)}"  # a break after the id, not before the words
    value = row[f"value_{side}"]
    return f"{ident} {value}" if isinstance(value, str) and value else str(ident)


def target_value_text(target: Any) -> str:
    """Return a plan target's value in the indicator's one written form and unit, as
    `hsplan evaluate` prints it: ratios ``1:x`` (医护比 ``≥ 1:1.34`` whether the plan wrote
    1.34 or 1:1.34), percentages with ``%``, directions as words (提高 · 降低 · 保持)."""
    from hsplan._i18n import RATIO_UNIT
    from hsplan.plans.catalog import load_catalog
    from hsplan.plans.plan import resolved_target_value
    from hsplan.reports.progress import target_text

    spec = target.target
    catalog = load_catalog()
    known = catalog.indicators.get(target.indicator) if target.indicator else None
    unit = (known.unit if known is not None and known.unit else None) or target.unit
    if spec.ratio_form == "1:x" or (known is not None and known.ratio_form == "1:x"):
        unit = RATIO_UNIT
    row = {"op": spec.op, "target": resolved_target_value(target), "target_low": spec.low,
           "target_high": spec.high, "target_text": spec.text, "unit": unit}
    return target_text(row, with_unit=True)


@app.command("evaluate", rich_help_panel=PANEL_PLAN,
    help=_("Evaluate a project's region against a plan's targets (traffic lights)."))
def evaluate_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))],
    year: Annotated[int | None, typer.Option(min=YEAR_MIN, max=YEAR_MAX,
        help=_("evaluation year (default: latest)"))] = None,
    level: Annotated[Level, typer.Option(help=_("county or township"))] = Level.county,
    fmt: Annotated[EvalFormat, typer.Option("--format", help=_("table, json or xlsx"))]
    = EvalFormat.table,
    out: Annotated[Path | None, typer.Option(help=_("write to this file"))] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("also write a PNG bar chart of the progress toward each target"))]
    = None,
    detail: Annotated[bool, typer.Option(
        "--detail", help=_("explain each target at length (values, years, progress, trend)"))]
    = False,
) -> None:
    """Evaluate a project's region against a plan's targets (traffic lights)."""
    from hsplan.evaluation.targets import (
        evaluate,
        evaluation_to_json,
        evaluation_to_xlsx,
    )
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project
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
                                   title=_("{place} against the plan “{plan}” ({year})").format(
                                       place=place, plan=loaded.title, year=eval_year))
        # JSON on standard output stays parseable: the note goes to standard error
        (err_console if fmt is EvalFormat.json and out is None else console).print(
            _("wrote {path}").format(path=written), highlight=False)
    if fmt is EvalFormat.xlsx:
        target = out or proj.outputs_dir / f"evaluation-{loaded.id}-{eval_year}.xlsx"
        evaluation_to_xlsx(results, target, plan=loaded, year=eval_year)
        finish_xlsx(target, plan=loaded, year=eval_year, title=_("evaluation of plan targets"))
        console.print(_("wrote {path}").format(path=target))
        return
    if fmt is EvalFormat.json:
        doc = evaluation_to_json(results, plan=loaded, project=proj.name, year=eval_year,
                                 synthetic=synthetic)
        emit_json(doc, out)
        return
    refuse_out_for_table(out)
    print_evaluation(results, title=f"{loaded.title} · {proj.name} · {eval_year}"
                     + (" · " + _("synthetic data") if synthetic else ""),
                     year=eval_year, detail=detail)


def _target_name(row: Mapping[Any, Any]) -> str:
    """Return a target's name as the reader reads it: the plan's own words, or in English the
    catalog's English name of the indicator the target is bound to."""
    from hsplan._i18n import language
    from hsplan.plans.catalog import load_catalog

    indicator = row.get("indicator")
    if language() == "en" and isinstance(indicator, str):
        known = load_catalog().indicators.get(indicator)
        if known is not None and known.name_en:
            return str(known.name_en)
    return str(row["name"])


def print_evaluation(results: Any, *, title: str, year: int, detail: bool = False) -> None:
    """Print one line per target (light, status, id, name, value and target, a short
    explanation in the reader's language); with `detail` the long explanation under each."""
    from hsplan.evaluation.targets import (
        AT_RISK,
        MET,
        NOT_APPLICABLE,
        NOT_EVALUABLE,
        OFF_TRACK,
        ON_TRACK,
        status_counts,
    )
    from hsplan.reports.progress import explain, explain_long, num, target_text

    STATUS_STYLE = {MET: "green", ON_TRACK: "cyan", AT_RISK: "yellow", OFF_TRACK: "red",
                    NOT_EVALUABLE: "dim", NOT_APPLICABLE: "dim"}
    STATUS_LIGHT = {MET: "●", ON_TRACK: "●", AT_RISK: "●", OFF_TRACK: "●", NOT_EVALUABLE: "○",
                    NOT_APPLICABLE: "·"}

    from rich.table import Table

    console.print(f"[bold]{title}[/]", highlight=False)
    # one entry per target: the light, status and id in a column of their own, everything
    # else wrapping beneath itself (a hanging indent), so each target reads as one line
    entries = Table.grid(padding=(0, 1))
    entries.add_column(no_wrap=True)
    entries.add_column(overflow="fold")
    for row in results.to_dict(orient="records"):
        status = str(row["status"])
        style = STATUS_STYLE[status]
        area = "" if row["area_name"] is None or len(results["area_name"].unique()) == 1 \
            else f"·{row['area_name']}"
        value = num(row["value"], row, with_unit=True)
        head = Text()
        head.append(f"{STATUS_LIGHT[status]} {status_text(status)} ", style=style)
        head.append(f"{row['target_id']}", style="dim")
        line = Text()
        line.append(f"{_target_name(row)}{area}", style="bold")
        line.append(f"  {value} / {target_text(row, with_unit=True)}")
        if status not in (NOT_EVALUABLE, NOT_APPLICABLE, MET):
            line.append(f"  {explain(row, with_value=False)}", style="dim")
        elif status == NOT_EVALUABLE:
            line.append(f"  {explain(row)}", style="dim")
        entries.add_row(head, line)
        if detail:
            entries.add_row("", Text(explain_long(row, year)))
    console.print(entries, highlight=False)
    counts = status_counts(results)
    console.print("  ".join(f"[{STATUS_STYLE[s]}]{status_text(s)} {n}[/]"
                            for s, n in counts.items()), highlight=False)

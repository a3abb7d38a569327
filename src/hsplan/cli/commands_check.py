"""`hsplan check`: a project's region against a plan's configuration norms (thin command)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hsplan._i18n import _, language
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console, err_console
from hsplan.cli._output import (
    cell,
    emit_json,
    finish_xlsx,
    refuse_out_for_table,
    tight,
)
from hsplan.errors import HsplanError


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


@app.command("check", rich_help_panel=PANEL_PLAN,
    help=_("Check a project's region against a plan's configuration norms (资源配置标准)."))
def check_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    plan: Annotated[str, typer.Option("--plan", help=_("a plan id or a YAML file"))],
    year: Annotated[int | None, typer.Option(min=YEAR_MIN, max=YEAR_MAX,
        help=_("year checked (default: latest)"))] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help=_("table, json or xlsx"))]
    = CheckFormat.table,
    out: Annotated[Path | None, typer.Option(help=_("write to this file"))] = None,
    travel: Annotated[bool, typer.Option(
        "--travel/--no-travel",
        help=_("compute travel times for service-circle norms (default when hsplan.access.coverage "
             "is installed)"))] = True,
    map_png: Annotated[Path | None, typer.Option(
        "--map", help=_("also write a PNG map of the violations by township"))] = None,
) -> None:
    """Check a project's region against a plan's configuration norms (资源配置标准)."""
    from hsplan.access.service import ServiceAccess
    from hsplan.evaluation.norms import (
        FAIL,
        NOT_EVALUABLE,
        PASS,
        check,
        result_to_json,
        result_to_xlsx,
        rule_text,
        status_text,
    )
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    STATUS_STYLE = {PASS: "green", FAIL: "red", NOT_EVALUABLE: "dim"}
    proj = Project.open(project)
    region = proj.load()
    loaded = load_plan(plan, project=proj)
    access = None
    if travel:
        try:
            access = ServiceAccess.from_project(proj)
        except HsplanError as exc:  # e.g. no village points yet: circles are 无法评估
            err_console.print(_(
                "Service-circle norms are not evaluable (no travel times): the villages "
                "(communities) lack locations or resident population. Enter their longitude, "
                "latitude and resident population in the areas table."), highlight=False)
            del exc
    result = check(region, loaded, year=year, access=access)
    synthetic = region.synthetic or proj.synthetic
    if map_png is not None:
        from hsplan.reports.charts import violations_map

        written = violations_map(region, result, map_png,
                                 title=_("{project} configuration norms not met ({year})").format(
                                     project=proj.name.replace("（合成示例）", ""),
                                     year=result.year))
        (err_console if fmt is CheckFormat.json and out is None else console).print(
            _("wrote {path}").format(path=written), highlight=False)
    if fmt is CheckFormat.xlsx:
        target = out or proj.outputs_dir / f"norms-{loaded.id}-{result.year}.xlsx"
        result_to_xlsx(result, target)
        finish_xlsx(target, plan=loaded, year=result.year,
                    title=_("configuration norms check"))
        console.print(Text(_("wrote {path}").format(path=target)), highlight=False)
        return
    if fmt is CheckFormat.json:
        emit_json(result_to_json(result, project=proj.name, synthetic=synthetic), out)
        return
    refuse_out_for_table(out)
    # Chinese cells lose the spaces beside Chinese characters (`tight`: Rich wraps at
    # spaces); English words keep theirs
    fit = tight if language() != "en" else str
    parts = [loaded.title, proj.name, str(result.year), _("configuration norms")]
    if synthetic:
        parts.append(_("synthetic data"))
    title = " · ".join(parts)
    console.print(Text(result.readings_line))
    # Short columns never wrap; the norm's words and the reason share the one wide column
    # (the reason on its own line, dimmed), so that at 80 columns a norm reads in lines of
    # 40 characters, not in a column of 4-character fragments.
    summary = Table(title=Text(title))
    summary.add_column(_("no."), no_wrap=True)
    summary.add_column(_("conclusion"), no_wrap=True)
    summary.add_column(_("passed/checked"), no_wrap=True, justify="right")
    summary.add_column(_("rule"), no_wrap=True)
    summary.add_column(_("norm / notes"), overflow="fold", ratio=1)
    for row in result.summary.to_dict(orient="records"):
        status = str(row["status"])
        style = STATUS_STYLE[status]
        words = Text(fit(str(row["description"])))
        if row["reason"]:
            words.append("\n" + fit(str(row["reason"])), style="dim")
        checked = int(row["checked"])
        summary.add_row(Text(str(row["norm_id"])), f"[{style}]{status_text(status)}[/]",
                        f"{int(row['passed'])}/{checked}" if checked else "—",
                        Text(rule_text(str(row["rule"]))), words)
    console.print(summary)
    counts = result.status_counts()
    console.print(" · ".join(f"[{STATUS_STYLE[s]}]{status_text(s)} {n}[/]"
                             for s, n in counts.items()))
    if result.violations.empty:
        console.print(Text(_("no norm is failed"), style="green"))
        return
    # where (区划, then the facility) and what (现状, 标准 and the detail under it) as two
    # wide columns, so that long texts wrap in lines, not in fragments
    details = Table(title=_("violations of the norms ({n})").format(n=len(result.violations)))
    details.add_column(_("no."), no_wrap=True)
    details.add_column(_("area / facility"), overflow="fold", ratio=2)
    details.add_column(_("now / norm"), overflow="fold", ratio=3)
    details.add_column(_("gap"), overflow="fold", ratio=2)
    for row in result.violations.to_dict(orient="records"):
        where = Text(fit(cell(row["area_name"])) if row["area_code"] else "—")
        if row["area_code"]:
            where.append(f"\n{row['area_code']}", style="dim")
        if isinstance(row["facility_id"], str):
            where.append("\n" + fit(_("{name} ({id})").format(name=row["facility_name"],
                                                                id=row["facility_id"])))
        what = Text(_("now: {value}").format(value=fit(str(row["actual"]))))
        what.append("\n" + _("norm: {value}").format(value=fit(str(row["expected"]))),
                    style="dim")
        if row["detail"]:
            what.append("\n" + fit(str(row["detail"])), style="dim")
        details.add_row(Text(str(row["norm_id"])), where, what,
                        Text(fit(str(row["shortfall_text"])), style="red"))
    console.print(details)

"""`hsplan check`: a project's region against a plan's configuration norms (thin command)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hsplan._i18n import _
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console, err_console
from hsplan.cli._output import (
    SYNTHETIC_TAG,
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
        RULE_ZH,
        STATUS_ZH,
        check,
        result_to_json,
        result_to_xlsx,
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
            err_console.print("服务圈规范无法评估（未能计算行程时间）：缺少村（社区）位置或"
                              "常住人口，请在区划表录入村（社区）经纬度和常住人口。",
                              highlight=False)
            del exc
    result = check(region, loaded, year=year, access=access)
    synthetic = region.synthetic or proj.synthetic
    if map_png is not None:
        from hsplan.reports.charts import violations_map

        written = violations_map(region, result, map_png,
                                 title=f"{proj.name.replace('（合成示例）', '')} "
                                       f"资源配置标准未达标分布（{result.year}年）")
        (err_console if fmt is CheckFormat.json and out is None else console).print(
            _("wrote {path}").format(path=written), highlight=False)
    if fmt is CheckFormat.xlsx:
        target = out or proj.outputs_dir / f"norms-{loaded.id}-{result.year}.xlsx"
        result_to_xlsx(result, target)
        finish_xlsx(target, plan=loaded, year=result.year, title="资源配置标准检查")
        console.print(Text(_("wrote {path}").format(path=target)), highlight=False)
        return
    if fmt is CheckFormat.json:
        emit_json(result_to_json(result, project=proj.name, synthetic=synthetic), out)
        return
    refuse_out_for_table(out)
    title = f"{loaded.title} · {proj.name} · {result.year} · 资源配置标准"
    if synthetic:
        title += f" · {SYNTHETIC_TAG}"
    console.print(Text(result.readings_line))
    # Short columns never wrap; the norm's words and the reason share the one wide column
    # (the reason on its own line, dimmed), so that at 80 columns a norm reads in lines of
    # 40 characters, not in a column of 4-character fragments.
    summary = Table(title=Text(title))
    summary.add_column("编号", no_wrap=True)
    summary.add_column("结论", no_wrap=True)
    summary.add_column("达标/检查", no_wrap=True, justify="right")
    summary.add_column("规则", no_wrap=True)
    summary.add_column("规范内容 / 说明", overflow="fold", ratio=1)
    for row in result.summary.to_dict(orient="records"):
        status = str(row["status"])
        style = STATUS_STYLE[status]
        words = Text(tight(str(row["description"])))
        if row["reason"]:
            words.append("\n" + tight(str(row["reason"])), style="dim")
        checked = int(row["checked"])
        summary.add_row(Text(str(row["norm_id"])), f"[{style}]{STATUS_ZH[status]}[/]",
                        f"{int(row['passed'])}/{checked}" if checked else "—",
                        Text(RULE_ZH.get(str(row["rule"]), str(row["rule"]))), words)
    console.print(summary)
    counts = result.status_counts()
    console.print(" · ".join(f"[{STATUS_STYLE[s]}]{STATUS_ZH[s]} {n}[/]"
                             for s, n in counts.items()))
    if result.violations.empty:
        console.print("[green]无未达标项[/]")
        return
    # where (区划, then the facility) and what (现状, 标准 and the detail under it) as two
    # wide columns, so that long texts wrap in lines, not in fragments
    details = Table(title=f"违规明细 ({len(result.violations)})")
    details.add_column("编号", no_wrap=True)
    details.add_column("区划 / 机构", overflow="fold", ratio=2)
    details.add_column("现状 / 标准", overflow="fold", ratio=3)
    details.add_column("差距", overflow="fold", ratio=2)
    for row in result.violations.to_dict(orient="records"):
        where = Text(tight(cell(row["area_name"])) if row["area_code"] else "—")
        if row["area_code"]:
            where.append(f"\n{row['area_code']}", style="dim")
        if isinstance(row["facility_id"], str):
            where.append(tight(f"\n{row['facility_name']}（{row['facility_id']}）"))
        what = Text("现状：" + tight(str(row["actual"])))
        what.append("\n标准：" + tight(str(row["expected"])), style="dim")
        if row["detail"]:
            what.append("\n" + tight(str(row["detail"])), style="dim")
        details.add_row(Text(str(row["norm_id"])), where, what,
                        Text(tight(str(row["shortfall_text"])), style="red"))
    console.print(details)

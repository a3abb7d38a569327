"""`hsplan extract DOCUMENT`: read a plan document into a plan file (thin over
`hsplan.plans.extract`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from hsplan._i18n import _
from hsplan.cli._app import PANEL_PLAN, app, console
from hsplan.cli._output import print_frame
from hsplan.plans.extract import extract_plan


class PlanFormat(StrEnum):
    yaml = "yaml"
    json = "json"


@app.command("extract", rich_help_panel=PANEL_PLAN,
    help=_('Extract a plan (targets, norms, institutions, tasks) from a plan document '
        '(规划文本).'))
def extract_command(
    document: Annotated[Path, typer.Argument(help=_("The plan document: .txt, .docx, .pdf or "
                                                  ".html."))],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write the plan "
                                                "here (default: print it)."))] = None,
    fmt: Annotated[PlanFormat, typer.Option("--format", help=_("Plan file format."))]
    = PlanFormat.yaml,
    plan_id: Annotated[str | None, typer.Option("--id", help=_("Plan id (default: "
                                                "extracted-<region code>-<start>-<end>)."))]
    = None,
) -> None:
    """Extract a plan (targets, norms, institutions, tasks) from a plan document (规划文本)."""
    result = extract_plan(document, plan_id=plan_id)
    text = result.to_yaml() if fmt is PlanFormat.yaml else result.to_json() + "\n"
    if output is None:
        print(text, end="")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    meta = result.metadata
    console.print(f"[bold]{meta.title}[/] · {result.plan['region']['name']} "
                  f"({result.plan['region']['code'] or '—'}) · {meta.kind} · "
                  f"{result.plan['period']['start']}–{result.plan['period']['end']}")
    print_frame(result.counts_frame(), title="提取结果 extracted items")
    if result.unmatched:
        print_frame(result.unmatched_frame(), title="未匹配指标 targets without a catalog "
                                                    "indicator (review)")
    if result.unparsed:
        print_frame(result.unparsed_frame(), title="未解析 looked like targets, gave nothing")
    for note in result.notes:
        console.print(f"[yellow]![/] {note}")
    console.print(_("wrote {path}").format(path=output))

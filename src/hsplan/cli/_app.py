"""The Typer application and the one place CLI errors are turned into messages.

Every name, path and message from data is printed as `rich.text.Text`, never as markup, so a
folder or area called ``[/]`` or ``[bold]…`` is printed literally. Many problems are capped
per kind (`hsplan.errors.summarise`) and the rest counted.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.text import Text

from hsplan.errors import HsplanError, ValidationError, omitted_lines, summarise

app = typer.Typer(
    name="hsplan",
    help="Plan and monitor a region's health service system (区域医疗卫生服务体系).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

# groups of `hsplan --help`, in the order a planner meets them
PANEL_PROJECT = "项目 Project"
PANEL_DATA = "数据 Data"
PANEL_PLAN = "规划与评估 Plans and evaluation"
PANEL_ACCESS = "可及性 Access"
err_console = Console(stderr=True)

# ranges of the options every command shares (a year of the planning horizon)
YEAR_MIN = 1949
YEAR_MAX = 2100


def report_error(exc: HsplanError) -> int:
    """Print an hsplan error for a person; return the exit code (1 input, 2 other)."""
    if isinstance(exc, ValidationError):
        errors = exc.errors
        err_console.print(Text(f"{exc.context}: {len(errors):,} problem"
                               f"{'s' if len(errors) != 1 else ''} found", style="bold red"),
                          highlight=False)
        shown, omitted = summarise(exc.problems)
        for p in shown:
            mark = Text("  ✗ ", style="red") if p.severity == "error" else Text(
                "  ! ", style="yellow")
            err_console.print(mark + Text(str(p)), highlight=False)
        for line in omitted_lines(omitted):
            err_console.print(Text("  " + line, style="dim"), highlight=False)
        return 1
    err_console.print(Text("error: ", style="bold red") + Text(str(exc)), highlight=False)
    return 2


def main() -> None:
    """Entry point of the `hsplan` command."""
    try:
        app()
    except HsplanError as exc:
        sys.exit(report_error(exc))

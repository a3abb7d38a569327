"""The Typer application and the one place CLI errors are turned into messages."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.text import Text

from hsplan.errors import HsplanError, ValidationError

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


def report_error(exc: HsplanError) -> int:
    """Print an hsplan error for a person; return the exit code (1 input, 2 other)."""
    if isinstance(exc, ValidationError):
        errors = exc.errors
        err_console.print(f"[bold red]{exc.context}: {len(errors)} problem"
                          f"{'s' if len(errors) != 1 else ''} found[/]")
        for p in errors:
            err_console.print(Text("  ✗ ", style="red") + Text(str(p)), highlight=False)
        for p in exc.warnings:
            err_console.print(Text("  ! ", style="yellow") + Text(str(p)), highlight=False)
        return 1
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    return 2


def main() -> None:
    """Entry point of the `hsplan` command."""
    try:
        app()
    except HsplanError as exc:
        sys.exit(report_error(exc))

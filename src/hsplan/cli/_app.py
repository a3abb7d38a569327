"""The Typer application and the one place CLI errors are turned into messages.

Every name, path and message from data is printed as `rich.text.Text`, never as markup, so a
folder or area called ``[/]`` or ``[bold]…`` is printed literally. Many problems are capped
per kind (`hsplan.errors.summarise`) and the rest counted.
Help, panel titles and messages go through `hsplan._i18n` (Chinese by default, English with
``--lang en`` or ``HSPLAN_LANG=en``); Click's and Typer's own words come from the same
catalog.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
import typer.rich_utils as _rich
from rich.console import Console
from rich.text import Text

from hsplan._i18n import _, install, ngettext, set_language
from hsplan.errors import HsplanError, ValidationError, omitted_lines, summarise

install()
# Typer computes these at import: give them in the reader's language
_rich.ARGUMENTS_PANEL_TITLE = _("Arguments")
_rich.OPTIONS_PANEL_TITLE = _("Options")
_rich.COMMANDS_PANEL_TITLE = _("Commands")
_rich.ERRORS_PANEL_TITLE = _("Error")
_rich.ABORTED_TEXT = _("Aborted.")
_rich.DEFAULT_STRING = _("[default: {}]")
_rich.REQUIRED_LONG_STRING = _("[required]")
_rich.ENVVAR_STRING = _("[env var: {}]")
_rich.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")
_parameter_help: Any = getattr(_rich, "_get_parameter_help", None)
if _parameter_help is not None:  # Typer's own --help text is an English literal
    _typer_parameter_help: Any = _parameter_help

    def _translated_parameter_help(*, param: Any, ctx: Any, markup_mode: Any) -> Any:
        if isinstance(getattr(param, "help", None), str) and param.help:
            param.help = _(param.help)
        return _typer_parameter_help(param=param, ctx=ctx, markup_mode=markup_mode)

    _rich._get_parameter_help = _translated_parameter_help

app = typer.Typer(
    name="hsplan",
    help=_("Plan and monitor a region's health service system (区域医疗卫生服务体系)."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

# groups of `hsplan --help`, in the order a planner meets them
PANEL_PROJECT = _("Project")
PANEL_DATA = _("Data")
PANEL_PLAN = _("Plans and evaluation")
PANEL_ACCESS = _("Access")
err_console = Console(stderr=True)

# ranges of the options every command shares (a year of the planning horizon)
YEAR_MIN = 1949
YEAR_MAX = 2100


def hsplan_version() -> str:
    """Return the version of the hsplan package that runs."""
    from hsplan import __version__

    return __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hsplan {hsplan_version()}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help=_("Show the version and exit."))] = False,
    lang: Annotated[str | None, typer.Option(
        "--lang", help=_("Language of help and messages: zh (default) or en; "
                         "also the HSPLAN_LANG environment variable."))] = None,
) -> None:
    if lang:
        set_language(lang)


def report_error(exc: HsplanError) -> int:
    """Print an hsplan error for a person; return the exit code (1 input, 2 other)."""
    if isinstance(exc, ValidationError):
        errors = exc.errors
        found = ngettext("{n} problem found", "{n} problems found", len(errors))
        err_console.print(Text(f"{exc.context}: {found.format(n=f'{len(errors):,}')}",
                               style="bold red"), highlight=False)
        shown, omitted = summarise(exc.problems)
        for p in shown:
            mark = Text("  ✗ ", style="red") if p.severity == "error" else Text(
                "  ! ", style="yellow")
            err_console.print(mark + Text(str(p)), highlight=False)
        for line in omitted_lines(omitted):
            err_console.print(Text("  " + line, style="dim"), highlight=False)
        return 1
    err_console.print(Text(_("error:") + " ", style="bold red") + Text(str(exc)), highlight=False)
    return 2


def main() -> None:
    """Entry point of the `hsplan` command."""
    try:
        app()
    except HsplanError as exc:
        sys.exit(report_error(exc))

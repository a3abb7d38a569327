"""The Typer application and the one place CLI errors are turned into messages.

Every name, path and message from data is printed as `rich.text.Text`, never as markup, so a
folder or area called ``[/]`` or ``[bold]…`` is printed literally. Many problems are capped
per kind (`hsplan.errors.summarise`) and the rest counted.
Help, panel titles and messages go through `hsplan._i18n` (Chinese by default, English with
``--lang en`` or ``HSPLAN_LANG=en``); Click's and Typer's own words come from the same
catalog.

The command groups register lazily: `app` is a `LazyGroup`, which knows every command's name
and module from `hsplan.cli._help_text.COMMANDS` and imports a ``commands_*`` module only when
one of its commands is run, its help is asked or the full command list is printed.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
import typer.rich_utils as _rich
from rich.console import Console
from rich.text import Text
from typer._click import Command, Context
from typer._click.exceptions import UsageError
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_command_name, get_group_from_info

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



class LazyGroup(TyperGroup):
    """The top-level group: commands are listed from the manifest and built on first use.

    `list_commands` gives the manifest's order (that of ``hsplan --help``) followed by any
    command registered outside it; `get_command` imports the command's module, which
    registers it on `app`, and builds the Click command of every registration not built yet.
    """

    def list_commands(self, ctx: Context) -> list[str]:
        """Return every command name, the manifest's first."""
        from hsplan.cli._help_text import COMMANDS

        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """Return the command `cmd_name`, importing its module the first time (None: none)."""
        if cmd_name not in self.commands:
            from hsplan.cli._help_text import COMMANDS

            module = COMMANDS.get(cmd_name)
            if module is None:
                return None
            importlib.import_module(f"hsplan.cli.{module}")
            self._build_registered()
        return self.commands.get(cmd_name)

    def _build_registered(self) -> None:
        """Build the Click command of each command or group registered on `app` and not
        built yet."""
        for info in app.registered_commands:
            name = info.name or get_command_name(info.callback.__name__)  # type: ignore[union-attr]
            if name not in self.commands:
                self.commands[name] = get_command_from_info(
                    info, pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode)
        for group_info in app.registered_groups:
            if isinstance(group_info.name, str) and group_info.name in self.commands:
                continue
            group = get_group_from_info(
                group_info, pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=app.suggest_commands, rich_markup_mode=app.rich_markup_mode)
            if group.name and group.name not in self.commands:
                self.commands[group.name] = group

    def resolve_command(self, ctx: Context,
                        args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        """Return the command of `args`; a mistyped name is told the closest names of all."""
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    name="hsplan",
    cls=LazyGroup,
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
    """Run the command line in full (`hsplan.cli.main` answers the top-level help first)."""
    try:
        app()
    except HsplanError as exc:
        sys.exit(report_error(exc))

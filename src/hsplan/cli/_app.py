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
import importlib.util
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Annotated, Any, cast

import typer
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from typer._click import Command, Context
from typer._click.exceptions import UsageError
from typer.core import TyperGroup, _TyperParameter
from typer.main import get_command_from_info, get_command_name, get_group_from_info

from hsplan._i18n import _, install, ngettext, set_language
from hsplan.cli._typer_words import localise_errors
from hsplan.errors import HsplanError, ValidationError, omitted_lines, summarise

install()

# blanks at the end of a line, before the colour codes that close it
_LINE_END_BLANKS = re.compile(r"[ \t]+(?=(?:\x1b\[[0-9;]*m)*\r?\n)")


class TidyConsole(Console):
    """A Rich console whose printed lines end at their last character.

    Rich pads every line of a table, panel or wrapped paragraph to the full width; a planner
    who copies the output into Word or an e-mail gets the padding as trailing spaces. Every
    console hsplan prints with (results, errors, Typer's help and error panels) is one of
    these, so the blanks before each line break are dropped in this one place.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return _LINE_END_BLANKS.sub("", super()._render_buffer(buffer))


def _folded(text: Any) -> Any:
    """Return Rich `text` folded at the column edge instead of cut with "…": Chinese help
    has no spaces to wrap at, so Rich took a whole sentence for one word and cut it."""
    if hasattr(text, "overflow") and hasattr(text, "plain"):
        text.overflow = "fold"
    return text


def _localise(rich_utils: Any) -> None:
    """Give Typer's help and error words (computed when `typer.rich_utils` is imported) in the
    reader's language, and translate parameter help when it is printed."""
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ENVVAR_STRING = _("[env var: {}]")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")
    localise_errors(rich_utils)
    typer_console: Any = getattr(rich_utils, "_get_rich_console", None)
    if typer_console is not None:
        def tidy_console(stderr: bool = False) -> Console:
            made = typer_console(stderr=stderr)
            made.__class__ = TidyConsole  # Typer's theme and settings, tidy line ends
            return cast(Console, made)

        rich_utils._get_rich_console = tidy_console
    typer_rich_text: Any = getattr(rich_utils, "_make_rich_text", None)
    if typer_rich_text is not None:
        def folded_rich_text(**kwargs: Any) -> Any:
            return _folded(typer_rich_text(**kwargs))

        rich_utils._make_rich_text = folded_rich_text
    typer_parameter_help: Any = getattr(rich_utils, "_get_parameter_help", None)
    if typer_parameter_help is None:
        return

    def translated_parameter_help(*, param: Any, ctx: Any, markup_mode: Any) -> Any:
        if isinstance(getattr(param, "help", None), str) and param.help:
            param.help = _(param.help)  # Typer's own --help text is an English literal
        return _folded(typer_parameter_help(param=param, ctx=ctx, markup_mode=markup_mode))

    rich_utils._get_parameter_help = translated_parameter_help


class _AfterImport:
    """Run `hook` on module `name` right after it is first imported.

    `typer.rich_utils` (Rich's Markdown and Typer's help panels: a tenth of a second) is only
    imported when Typer prints help or an error, so a command that runs imports it not at
    all; `_localise` still sees it before its first use.
    """

    def __init__(self, name: str, hook: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.hook = hook
        self.loader: Any = None

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)  # by the finders after this one
        if spec is None or spec.loader is None:
            return spec
        self.loader = spec.loader
        spec.loader = cast(Any, self)  # a loader: create_module and exec_module
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return cast(ModuleType | None, self.loader.create_module(spec))

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.hook(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename … of the real loader
        return getattr(self.loader, name)


if "typer.rich_utils" in sys.modules:
    _localise(sys.modules["typer.rich_utils"])
else:
    sys.meta_path.insert(0, _AfterImport("typer.rich_utils", _localise))


class _QuickValues:
    """Typer's coercion of a parameter value, without Pydantic where it changes nothing.

    Typer (0.2x) checks every value with a Pydantic ``TypeAdapter``; importing Pydantic costs
    a command a tenth of a second. A missing value, a ``str`` value of a ``str`` parameter
    and a member (or exact value) of an Enum parameter come out of Typer's coercion as they
    went in, so they are returned here as they are; anything else (paths, numbers, parsers,
    lists, bad values and their messages) goes to Typer's own coercion, built on first use.
    """

    def __init__(self, descriptor: Any) -> None:
        self.descriptor = descriptor
        self.full: Any = None

    def coerce(self, value: Any, param: Any, ctx: Context) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        annotation = self.descriptor.annotation
        if not multi and self.descriptor.parameter_info.parser is None:
            if annotation is str and type(value) is str:
                return value
            if isinstance(annotation, type) and issubclass(annotation, Enum):
                if isinstance(value, annotation):
                    return value
                if type(value) is str and ctx.token_normalize_func is None and \
                        self.descriptor.parameter_info.case_sensitive:
                    for member in annotation:
                        if member.value == value:
                            return member
        if self.full is None:
            from typer._coercion import build_runtime_param

            self.full = build_runtime_param(self.descriptor)
        return self.full.coerce(value, param=param, ctx=ctx)


def _quick_runtime_param(self: Any) -> Any:
    if self._runtime_param is None:
        self._runtime_param = _QuickValues(self.type_descriptor)
    return self._runtime_param


if hasattr(_TyperParameter, "get_runtime_param"):  # every parameter, --help's too
    _TyperParameter.get_runtime_param = _quick_runtime_param  # type: ignore[method-assign]


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
                exc.message = _("No such command {name}. Did you mean {options}?").format(
                    name=repr(args[0]), options=", ".join(f"{m!r}" for m in matches))
            raise


app = typer.Typer(
    name="hsplan",
    cls=LazyGroup,
    help=_("Plan and monitor a region's health service system (区域医疗卫生服务体系)."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = TidyConsole()

# groups of `hsplan --help`, in the order a planner meets them
PANEL_PROJECT = _("Project")
PANEL_DATA = _("Data")
PANEL_PLAN = _("Plans and evaluation")
PANEL_ACCESS = _("Access")
err_console = TidyConsole(stderr=True)

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
        err_console.print(Text(_("{context}: {found}").format(
            context=exc.context, found=found.format(n=f"{len(errors):,}")), style="bold red"),
            highlight=False)
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

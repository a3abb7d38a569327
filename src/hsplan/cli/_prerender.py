"""Return the command manifest and the top-level help screens of the real command tree.

`hsplan.cli._help_text` (what `hsplan.cli._launch` prints without importing Typer) is made
from these by ``scripts/cli_help.py``, and tests/test_startup.py compares it with them. Each
screen is rendered by the full command line (`hsplan.cli._app.main`) in a fresh interpreter,
80 columns wide, plain (output to a pipe) or coloured (as to a terminal), for each language
and program name.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

from hsplan._i18n import LANGUAGES

WIDTH = 80
PROGS = ("hsplan", "python -m hsplan")
SRC = Path(__file__).resolve().parents[2]

_MANIFEST = """
import importlib, json
from typer.main import get_group_from_info
from hsplan.cli import FIRST
from hsplan.cli._app import app
from hsplan.cli._prerender import command_modules

def names():
    out = [c.name or c.callback.__name__.lower().replace("_", "-")
           for c in app.registered_commands]
    for g in app.registered_groups:
        out.append(g.name if isinstance(g.name, str) else get_group_from_info(
            g, pretty_exceptions_short=True, suggest_commands=True,
            rich_markup_mode=None).name)
    return out

found = {}
for module in command_modules():
    before = set(names())
    importlib.import_module("hsplan.cli." + module)
    for name in names():
        if name not in before and name not in found:
            found[name] = module
# Typer lists a group's commands first, then its sub-groups, each in registration order
print(json.dumps({name: found[name] for name in names()}))
"""

_HELP = """
import importlib, sys
sys.argv = [PROG, "--help"]
from hsplan.cli import _help_text
from hsplan.cli._app import main
from hsplan.cli._prerender import command_modules

for module in command_modules():  # the real tree, whatever the manifest says
    importlib.import_module("hsplan.cli." + module)
_help_text.COMMANDS = {}  # Typer's own order
main()
"""


def command_modules() -> list[str]:
    """Return the ``commands_*`` modules of `hsplan.cli`: `FIRST`, then alphabetically."""
    from hsplan import cli

    found = sorted(m.name for m in pkgutil.iter_modules(cli.__path__)
                   if m.name.startswith("commands_"))
    first = cli.FIRST
    return sorted(found, key=lambda n: (first.index(n) if n in first else len(first), n))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "NO_COLOR", "PY_COLORS", "GITHUB_ACTIONS",
                        "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERMINAL_WIDTH", "HSPLAN_LANG",
                        "_TYPER_FORCE_DISABLE_TERMINAL", "JUPYTER_COLUMNS", "LINES")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env["COLUMNS"] = str(WIDTH)
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def command_manifest() -> dict[str, str]:
    """Return {command name: module}, in the order Typer lists the full tree: the commands,
    then the groups, each in the order the modules (`command_modules`) register them."""
    done = subprocess.run([sys.executable, "-c", _MANIFEST], capture_output=True, text=True,
                          env=_env(), check=True, timeout=600)
    found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def render_help(lang: str, prog: str, *, colour: bool) -> str:
    """Return ``PROG --help`` as the full command line prints it in `lang`, 80 columns."""
    code = _HELP.replace("PROG", repr(prog))
    extra = {"HSPLAN_LANG": lang}
    if colour:
        extra.update(FORCE_COLOR="1", TERM="xterm-256color")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=_env(**extra),
                          check=True, timeout=600)
    return done.stdout.decode("utf-8")


def usage_line(text: str) -> str:
    """Return the line of `text` that holds ``Usage:``."""
    return next(line for line in text.splitlines(keepends=True) if "Usage:" in line)


def help_screens() -> tuple[dict[tuple[str, bool], str], dict[tuple[str, bool, str], str]]:
    """Return the help screens of program ``hsplan`` by (language, colour) and the usage
    line by (language, colour, program)."""
    screens: dict[tuple[str, bool], str] = {}
    usages: dict[tuple[str, bool, str], str] = {}
    for lang in LANGUAGES:
        for colour in (False, True):
            for prog in PROGS:
                text = render_help(lang, prog, colour=colour)
                usages[(lang, colour, prog)] = usage_line(text)
                if prog == PROGS[0]:
                    screens[(lang, colour)] = text
                elif text.replace(usage_line(text), usages[(lang, colour, PROGS[0])], 1) \
                        != screens[(lang, colour)]:
                    raise AssertionError(f"{prog!r} --help differs beyond its usage line")
    return screens, usages


def help_text_module() -> str:
    """Return the source of `hsplan.cli._help_text` for the current command tree."""
    manifest = command_manifest()
    screens, usages = help_screens()
    lines = [
        '"""The command manifest and the top-level help screens of `hsplan` (generated).',
        "",
        "Made by ``scripts/cli_help.py`` from the real command tree (`hsplan.cli._prerender`);",
        "tests/test_startup.py fails when it is out of date. Do not edit by hand.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "",
        f"WIDTH = {WIDTH}",
        f"PROG = {PROGS[0]!r}",
        "",
        "# command name -> module of hsplan.cli that registers it, in `hsplan --help` order",
        "COMMANDS: dict[str, str] = {",
        *(f"    {name!r}: {module!r}," for name, module in manifest.items()),
        "}",
        "",
        "# (language, colour) -> the help screen of program PROG",
        "HELP: dict[tuple[str, bool], str] = {",
        *(f"    {key!r}: {text!r}," for key, text in screens.items()),
        "}",
        "",
        "# (language, colour, program) -> the usage line of its help screen",
        "USAGE: dict[tuple[str, bool, str], str] = {",
        *(f"    {key!r}: {text!r}," for key, text in usages.items()),
        "}",
        "",
    ]
    return "\n".join(lines)


def help_text_path() -> Path:
    """Return the path of `hsplan.cli._help_text`'s source."""
    return Path(__file__).resolve().parent / "_help_text.py"

"""Return the top-level help and version of `hsplan` at once; run the full command line otherwise.

``hsplan --help`` (or ``hsplan`` alone, or ``--version``, each with ``--lang``) is answered
from `hsplan.cli._help_text`: the help screen as the full command line renders it (Typer and
Rich, every command's short help, 80 columns, plain or coloured), generated from the real
command tree by ``scripts/cli_help.py`` and checked against it by tests/test_startup.py. So
the answer imports neither Typer, Rich nor a command module. Anything else — a command, a
command's help, an option this module does not know, an environment that changes how Rich
renders (``NO_COLOR``, ``FORCE_COLOR``, ``COLUMNS`` below 80, a terminal narrower than
80 columns, a dumb terminal, a non-UTF-8 output) — runs the full command line
(`hsplan.cli._app.main`), which prints the same screen. In a terminal (or ``COLUMNS``) wider
than 80 columns the answer keeps its 80 columns (the full command line would spread it to
the width).

Imports nothing heavy: `sys`, `os` and the two hsplan modules named above.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

# environment variables that change what Rich or Typer print: any of them, the full path
_RENDER_ENV = ("FORCE_COLOR", "NO_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "TTY_COMPATIBLE",
               "TTY_INTERACTIVE", "TERMINAL_WIDTH", "_TYPER_FORCE_DISABLE_TERMINAL",
               "JUPYTER_COLUMNS", "JUPYTER_LINES", "_HSPLAN_COMPLETE", "HSPLAN_COMPLETE")


def program_name(argv0: str, main_package: str | None) -> str:
    """Return the program name Click prints in ``Usage:`` for this interpreter's argv[0]."""
    if not main_package:
        return os.path.basename(argv0)
    name = os.path.splitext(os.path.basename(argv0))[0]
    module = main_package if name == "__main__" else f"{main_package}.{name}"
    return f"python -m {module.lstrip('.')}"


def _split_lang(argv: Sequence[str]) -> list[str] | None:
    """Return `argv` without one ``--lang X`` / ``--lang=X`` (None: a form left to Click)."""
    rest: list[str] = []
    seen = False
    k = 0
    while k < len(argv):
        arg = argv[k]
        if arg == "--lang" or arg.startswith("--lang="):
            if seen:
                return None
            seen = True
            if arg == "--lang":
                if k + 1 >= len(argv) or argv[k + 1].startswith("-"):
                    return None
                k += 1
        else:
            rest.append(arg)
        k += 1
    return rest


def _width(environ: Mapping[str, str]) -> int:
    """Return the console width Rich would use: a terminal's, ``COLUMNS``, else 80."""
    width = 0
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def fast_answer(argv: Sequence[str], *, environ: Mapping[str, str], stdout: TextIO,
                prog: str) -> tuple[str, int] | None:
    """Return (text, exit code) of the top-level help or version, or None: run in full."""
    rest = _split_lang(argv)
    if rest is None or rest not in ([], ["--help"], ["--version"]) or (argv and not rest):
        return None
    if rest == ["--version"]:
        from hsplan import __version__

        return f"hsplan {__version__}\n", 0
    if os.name != "posix" or any(k in environ for k in _RENDER_ENV):
        return None
    if (getattr(stdout, "encoding", None) or "").lower().replace("-", "") != "utf8":
        return None
    try:
        colour = stdout.isatty()
    except ValueError:
        return None
    if colour and environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    from hsplan.cli import _help_text

    width = _width(environ)
    if width < _help_text.WIDTH:
        return None
    from hsplan._i18n import language

    lang = language()
    text = _help_text.HELP.get((lang, colour))
    usage = _help_text.USAGE.get((lang, colour, prog))
    if text is None or usage is None:
        return None
    text = text.replace(_help_text.USAGE[(lang, colour, _help_text.PROG)], usage, 1)
    return text, (2 if not argv else 0)


def main() -> None:
    """Entry point of the `hsplan` command: answer the top-level help or version at once,
    else run the full command line."""
    main_module = sys.modules.get("__main__")
    prog = program_name(sys.argv[0] if sys.argv else "hsplan",
                        getattr(main_module, "__package__", None))
    answer = fast_answer(sys.argv[1:], environ=os.environ, stdout=sys.stdout, prog=prog)
    if answer is not None:
        text, code = answer
        sys.stdout.write(text)
        sys.stdout.flush()
        raise SystemExit(code)
    from hsplan.cli._app import main as run_full

    run_full()

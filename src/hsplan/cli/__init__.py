"""The `hsplan` command line: thin commands over the library, one module per group.

Every ``commands_*`` module of this package registers its commands on `app` when it is
imported. `app` (from `hsplan.cli._app`) imports them lazily: the manifest
`hsplan.cli._help_text.COMMANDS` names each command's module, in the order ``hsplan --help``
lists them (`FIRST`, then the others alphabetically). Adding a command group is adding a
module and re-running ``scripts/cli_help.py`` (tests/test_startup.py fails until then).
`main` answers ``hsplan --help`` and ``--version`` without importing Typer
(`hsplan.cli._launch`). Importing this package loads neither: `app` is loaded on first use.
`example` runs the worked example end to end (``python -m hsplan.cli.example``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hsplan.cli._launch import main

if TYPE_CHECKING:
    from hsplan.cli._app import app

FIRST = ("commands_project", "commands_example", "commands_data", "commands_plans")

__all__ = ["FIRST", "app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from hsplan.cli._app import app

        return app
    raise AttributeError(f"module 'hsplan.cli' has no attribute {name!r}")

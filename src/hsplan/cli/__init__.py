"""The `hsplan` command line: thin commands over the library, one module per group.

Importing a ``commands_*`` module registers its commands on `app`.
"""

from hsplan.cli import (  # noqa: F401  (imported to register commands)
    commands_data,
    commands_example,
    commands_indicators,
    commands_plans,
    commands_project,
)
from hsplan.cli._app import app, main

__all__ = ["app", "main"]

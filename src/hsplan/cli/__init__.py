"""The `hsplan` command line: thin commands over the library, one module per group.

Importing a ``commands_*`` module registers its commands on `app`.
"""

from hsplan.cli import commands_project  # noqa: F401  (imported to register commands)
from hsplan.cli._app import app, main

__all__ = ["app", "main"]

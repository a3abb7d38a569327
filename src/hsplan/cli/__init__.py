"""The `hsplan` command line: thin commands over the library, one module per group.

Every ``commands_*`` module of this package registers its commands on `app` when it is
imported; they are found by name, so adding a command group is adding a module. `FIRST`
orders the ones a planner meets first (``hsplan --help`` lists them in import order); any
other module follows alphabetically.
"""

import importlib
import pkgutil

from hsplan.cli._app import app, main

FIRST = ("commands_project", "commands_example", "commands_data", "commands_plans")
_found = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("commands_"))
for _name in sorted(_found, key=lambda n: (FIRST.index(n) if n in FIRST else len(FIRST), n)):
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["app", "main"]

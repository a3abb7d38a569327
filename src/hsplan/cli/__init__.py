"""The `hsplan` command line: thin commands over the library, one module per group.

Every ``commands_*`` module of this package registers its commands on `app` when it is
imported; they are found by name, so adding a command group is adding a module.
"""

import importlib
import pkgutil

from hsplan.cli._app import app, main

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("commands_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["app", "main"]

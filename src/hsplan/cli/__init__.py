"""The `hsplan` command line: thin commands over the library, one module per group."""

from hsplan.cli._app import app, main

__all__ = ["app", "main"]

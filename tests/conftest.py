"""Shared fixtures: a throwaway PostgreSQL + PostGIS cluster for the server tests; `english`
and `chinese` to run a test in one language.

The cluster is started once per test session, only when a test asks for it, and removed
after. Tests that need it are skipped, with the reason, when the PostgreSQL server binaries
or PostGIS are not installed (Debian: postgresql, postgresql-15-postgis-3).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

_names = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("geoalchemy2")
    from hsplan.server import pgcluster

    if pgcluster.find_bindir() is None:
        pytest.skip("PostgreSQL server binaries with PostGIS not installed "
                    "(apt-get install postgresql postgresql-15-postgis-3)")
    cluster = pgcluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Any) -> str:
    """Return the URL of a new, empty database with PostGIS (one per test)."""
    return str(pg_cluster.create_database(f"t{next(_names)}"))


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run a test in English (messages, problems, CLI output; subprocesses too), then restore
    the language: for tests that check the English text of a message.

    The command modules are imported first, in the language of the session: their help
    texts are translated when a module is imported, and a module first imported by an
    English test would keep English help for the tests that follow."""
    import importlib

    from hsplan.cli._help_text import COMMANDS

    for module in sorted(set(COMMANDS.values())):
        importlib.import_module(f"hsplan.cli.{module}")
    yield from _in_language(monkeypatch, "en")


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run a test in Chinese (the default), whatever HSPLAN_LANG says, then restore."""
    yield from _in_language(monkeypatch, "zh")


def _in_language(monkeypatch: pytest.MonkeyPatch, lang: str) -> Iterator[None]:
    """Set the language (and HSPLAN_LANG, for subprocesses) for one test; restore after."""
    from hsplan import _i18n

    before = _i18n.language()
    monkeypatch.setenv(_i18n.ENV_VAR, lang)
    _i18n.set_language(lang)
    try:
        yield
    finally:
        _i18n.set_language(before)


@pytest.fixture
def console_width(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Return a setter of the width of hsplan's two consoles for one test.

    The private `_width` is set and restored (None: the width comes from COLUMNS or the
    terminal). Setting the public `width` with monkeypatch would "restore" the width read at
    that moment, freezing it for every later test and ignoring their COLUMNS."""
    from hsplan.cli import _app

    def set_width(columns: int) -> None:
        for console in (_app.console, _app.err_console):
            monkeypatch.setattr(console, "_width", columns)

    return set_width

"""The server store: migrations, and a project moved into PostgreSQL and back losslessly."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from hsplan.region import schema
from hsplan.region.example import example_project_path
from hsplan.region.project import Project
from hsplan.server import db, migrate


def _sorted(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df.sort_values(list(schema.TABLES[name].key), kind="stable").reset_index(drop=True)


def test_schema_drives_the_sql_tables() -> None:
    for name, table in schema.TABLES.items():
        cols = [c.name for c in db.REGION_TABLES[name].columns]
        assert cols[:len(table.columns)] == table.column_ids
        assert ("geometry" in cols) == table.has_geometry
        assert cols[-1] == "version"
        assert [c.name for c in db.REGION_TABLES[name].primary_key] == list(table.key)


def test_upgrade_then_import_export_round_trip(pg_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(pg_url)
    assert migrate.current(engine) is None
    assert migrate.upgrade(engine) == "0002"
    assert migrate.upgrade(engine) == "0002"  # idempotent
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT postgis_version()")).scalar()
    project = Project.open(example_project_path())
    region = project.load()
    counts = db.import_region(engine, region)
    assert counts["facilities"] == len(region.facilities) > 50
    back = db.export_region(engine)
    assert back.meta == region.meta
    for name, frame in region.tables().items():
        got, want = _sorted(back.tables()[name], name), _sorted(frame, name)
        pd.testing.assert_frame_equal(got.drop(columns="geometry", errors="ignore"),
                                      want.drop(columns="geometry", errors="ignore"))
        if schema.TABLES[name].has_geometry:
            assert list(got.geometry.to_wkb()) == list(want.geometry.to_wkb()), name
    # the exported region saved as a project reads back as the same tables
    out = Project(root=tmp_path / "exported", name=str(region.meta["name"]))
    out.write_config()
    out.save(back)
    again = out.load()
    for name, frame in region.tables().items():
        pd.testing.assert_frame_equal(
            _sorted(again.tables()[name], name).drop(columns="geometry", errors="ignore"),
            _sorted(frame, name).drop(columns="geometry", errors="ignore"))


def test_import_is_all_or_nothing(pg_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(pg_url)
    migrate.upgrade(engine)
    shutil.copytree(example_project_path(), tmp_path / "p")
    region = Project.open(tmp_path / "p").load()
    db.import_region(engine, region)
    broken = region.replace(resources=pd.concat([region.resources, region.resources.iloc[:1]]))
    with pytest.raises(sa.exc.IntegrityError):  # a duplicate key: nothing is replaced
        db.import_region(engine, broken)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(db.REGION_TABLES["resources"]))
        assert n.scalar() == len(region.resources)


def test_db_and_users_commands(pg_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from hsplan.cli import app

    url = pg_url.replace("+psycopg", "")  # the plain URL a person types
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=stdin)

    assert run("db", "init", "--db", url).exit_code == 0
    again = run("db", "init", "--db", url)
    assert again.exit_code != 0 and "hsplan db upgrade" in str(again.exception)
    assert run("db", "import", str(example_project_path()), "--db", url).exit_code == 0
    r = run("users", "add", "chief", "--role", "管理员", "--area", "530403",
            "--password-stdin", "--db", url, stdin="a long pass phrase\n")
    assert r.exit_code == 0, r.output
    bad = run("users", "add", "x", "--role", "boss", "--area", "53x", "--password-stdin",
              "--db", url, stdin="short\n")
    assert bad.exit_code != 0 and len(bad.exception.problems) == 2  # type: ignore[union-attr]
    assert run("users", "disable", "chief", "--db", url).exit_code == 0
    listed = run("users", "list", "--db", url)
    assert "chief" in listed.output and "区划 530403" in listed.output and "是" in listed.output
    with db.engine_for(url).connect() as conn:
        stored = conn.execute(sa.select(db.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "long pass" not in stored
    assert run("db", "export", str(tmp_path / "out"), "--db", url).exit_code == 0
    out = Project.open(tmp_path / "out").load()
    want = Project.open(example_project_path()).load()
    for name in ("facilities", "resources"):
        pd.testing.assert_frame_equal(
            _sorted(out.tables()[name], name).drop(columns="geometry", errors="ignore"),
            _sorted(want.tables()[name], name).drop(columns="geometry", errors="ignore"))

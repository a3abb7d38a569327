"""The server store: migrations, and a project moved into PostgreSQL and back losslessly."""

from __future__ import annotations

import shutil
from pathlib import Path

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
    assert migrate.upgrade(engine) == "0001"
    assert migrate.upgrade(engine) == "0001"  # idempotent
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

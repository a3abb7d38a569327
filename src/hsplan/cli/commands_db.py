"""`hsplan db`: the server store on PostgreSQL/PostGIS — create, upgrade, import, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hsplan.cli._app import PANEL_PROJECT, app, console
from hsplan.errors import DataSourceError

db_app = typer.Typer(help="服务器数据库（PostgreSQL/PostGIS，供 hsplan serve --db 使用）。",
                     no_args_is_help=True)
app.add_typer(db_app, name="db", rich_help_panel=PANEL_PROJECT)

DbOption = Annotated[str, typer.Option(
    "--db", envvar="HSPLAN_DB",
    help="数据库地址 postgresql://用户@主机:端口/数据库（或环境变量 HSPLAN_DB）")]


def _engine(url: str):  # type: ignore[no-untyped-def]
    from hsplan.server.db import engine_for

    return engine_for(url)


@db_app.command("init")
def db_init(db: DbOption) -> None:
    """在空数据库中建表（PostGIS、区域数据表、用户、审计日志 …）。"""
    from hsplan.server import migrate

    engine = _engine(db)
    if migrate.current(engine) is not None:
        raise DataSourceError(f"database already initialised (revision "
                              f"{migrate.current(engine)}). Fix: hsplan db upgrade.")
    console.print(f"database initialised, revision {migrate.upgrade(engine)}")


@db_app.command("upgrade")
def db_upgrade(db: DbOption) -> None:
    """把数据库升级到最新的结构版本（已是最新时不做任何事）。"""
    from hsplan.server import migrate

    console.print(f"database at revision {migrate.upgrade(_engine(db))}")


@db_app.command("import")
def db_import(project: Annotated[Path, typer.Argument(help="项目文件夹")],
              db: DbOption) -> None:
    """用项目的区域数据替换数据库中的区域数据（一个事务完成）。"""
    from hsplan.region.project import Project
    from hsplan.server import db as store
    from hsplan.server import migrate

    engine = _engine(db)
    if migrate.current(engine) is None:
        raise DataSourceError("database not initialised. Fix: hsplan db init --db URL.")
    counts = store.import_region(engine, Project.open(project).load())
    console.print("imported: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@db_app.command("export")
def db_export(project: Annotated[Path, typer.Argument(help="项目文件夹（不存在时新建）")],
              db: DbOption) -> None:
    """把数据库中的区域数据写入项目文件夹（region.gpkg，原子写入）。"""
    from hsplan.region.project import CONFIG_NAME, Project
    from hsplan.server import db as store

    region = store.export_region(_engine(db))
    if (project / CONFIG_NAME).exists():
        target = Project.open(project)
    else:
        target = Project(root=project, name=str(region.meta.get("name", project.name)),
                         county_code=region.meta.get("county_code"),
                         synthetic=bool(region.meta.get("synthetic", False)))
        target.write_config()
    path = target.save(region)
    console.print(f"exported to {path}: " + ", ".join(
        f"{k} {len(v)}" for k, v in region.tables().items()))

"""`hsplan db`: the server store on PostgreSQL/PostGIS — create, upgrade, import, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hsplan._i18n import _
from hsplan.cli._app import PANEL_PROJECT, app, console
from hsplan.errors import DataSourceError

db_app = typer.Typer(help=_("The server database (PostgreSQL/PostGIS, for hsplan serve --db)."),
                     no_args_is_help=True)
app.add_typer(db_app, name="db", rich_help_panel=PANEL_PROJECT)

DbOption = Annotated[str, typer.Option(
    "--db", envvar="HSPLAN_DB",
    help=_("database address postgresql://user@host:port/database (or the HSPLAN_DB environment "
           "variable)"))]


def _engine(url: str):  # type: ignore[no-untyped-def]
    from hsplan.server.db import engine_for

    return engine_for(url)


@db_app.command("init",
    help=_("Create the tables in an empty database (PostGIS, the region tables, users, audit "
           "log …)."))
def db_init(db: DbOption) -> None:
    """Create the tables in an empty database (PostGIS, the region tables, users, audit log …)."""
    from hsplan.server import migrate

    engine = _engine(db)
    if migrate.current(engine) is not None:
        raise DataSourceError(_("database already initialised (revision {rev}). Fix: hsplan "
                                "db upgrade.").format(rev=migrate.current(engine)))
    console.print(_("database initialised, revision {rev}").format(rev=migrate.upgrade(engine)))


@db_app.command("upgrade",
    help=_("Upgrade the database to the latest schema version (nothing to do when it is current)."))
def db_upgrade(db: DbOption) -> None:
    """Upgrade the database to the latest schema version (nothing to do when it is current)."""
    from hsplan.server import migrate

    console.print(_("database at revision {rev}").format(rev=migrate.upgrade(_engine(db))))


@db_app.command("import",
    help=_("Replace the database's region data with a project's (in one transaction)."))
def db_import(project: Annotated[Path, typer.Argument(help=_("the project folder"))],
              db: DbOption) -> None:
    """Replace the database's region data with a project's (in one transaction)."""
    from hsplan.region.project import Project
    from hsplan.server import db as store
    from hsplan.server import migrate

    engine = _engine(db)
    if migrate.current(engine) is None:
        raise DataSourceError(_("database not initialised. Fix: hsplan db init --db URL."))
    counts = store.import_region(engine, Project.open(project).load())
    console.print(_("imported: {counts}").format(
        counts=", ".join(f"{k} {v}" for k, v in counts.items())), highlight=False)


@db_app.command("export",
    help=_("Write the database's region data to a project folder (region.gpkg, atomically)."))
def db_export(project: Annotated[Path, typer.Argument(help=_("the project folder (made when it "
                                                             "does not exist)"))],
              db: DbOption) -> None:
    """Write the database's region data to a project folder (region.gpkg, atomically)."""
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
    console.print(_("exported to {path}: {counts}").format(path=path, counts=", ".join(
        f"{k} {len(v)}" for k, v in region.tables().items())), highlight=False)

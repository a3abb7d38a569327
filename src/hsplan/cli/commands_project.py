"""CLI commands that create projects and browse the bundled reference data:
``hsplan init`` and ``hsplan counties``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hsplan._i18n import _, ngettext
from hsplan.cli._app import PANEL_PROJECT, app, console


@app.command("init", rich_help_panel=PANEL_PROJECT,
    help=_('Create a project for one county from the bundled national reference data.'))
def init(
    directory: Annotated[Path, typer.Argument(help=_("Folder of the new project."))],
    county: Annotated[str, typer.Option("--county", help=_("6-digit county code (区县代码), "
                                        "e.g. 530403; find it with `hsplan counties`."))],
    name: Annotated[str | None, typer.Option("--name", help=_("Project name; defaults to "
                                             "the county's name."))] = None,
) -> None:
    """Create a project for one county from the bundled national reference data."""
    import pandas as pd

    from hsplan.region.project import init_project

    project = init_project(directory, county=county, name=name)
    region = project.load()
    levels = region.areas["level"].value_counts()
    county_rows = region.areas[region.areas["level"] == "county"]
    area = county_rows["area_km2"].iloc[0] if len(county_rows) else None
    total = region.population["total"].iloc[0] if len(region.population) else None

    summary = Table(title=Text(f"项目 {project.name}"), show_header=False)
    summary.add_column("项目")
    summary.add_column("内容", justify="right")
    summary.add_row("文件夹", Text(str(project.root)))
    summary.add_row("区县代码", str(project.county_code))
    summary.add_row("乡镇（街道）数", f"{int(levels.get('township', 0)):,}")
    summary.add_row("村（社区）数", f"{int(levels.get('village', 0)):,}")
    summary.add_row("2020年普查常住人口（人）",
                    "—" if total is None or pd.isna(total) else f"{int(total):,}")
    summary.add_row("面积（平方千米）",
                    "—" if area is None or pd.isna(area) else f"{float(area):,.1f}")
    console.print(summary)
    for warning in region.meta.get("warnings", []):
        console.print(Text("! ", style="yellow") + Text(str(warning)), highlight=False)


@app.command("counties", rich_help_panel=PANEL_PROJECT,
    help=_('List county codes with their 2020 census population, to find a code for `init`.'))
def counties(
    search: Annotated[str | None, typer.Option("--search", "-s", help=_("Text in the code, "
                                               "name, city or province."))] = None,
    limit: Annotated[int, typer.Option("--limit", help=_("Rows shown at most."))] = 50,
) -> None:
    """List county codes with their 2020 census population, to find a code for `init`."""
    import pandas as pd

    from hsplan.region import reference

    table = reference.counties(search=search)
    found = ngettext("{n} county", "{n} counties", len(table)).format(n=f"{len(table):,}")
    if search:
        found = _("{found} matching {search}").format(found=found, search=repr(search))
    out = Table(title=Text(found))
    for header in (_("code"), _("name"), _("city"), _("province")):
        out.add_column(header)
    out.add_column(_("population {year}").format(year=2020), justify="right")
    for row in table.head(limit).to_dict("records"):
        total = row["census_total"]
        out.add_row(
            _("(no code)") if pd.isna(row["code"]) else str(row["code"]),
            Text(str(row["name"])), Text(str(row["city"])), Text(str(row["province"])),
            "—" if pd.isna(total) else f"{int(total):,}",
        )
    console.print(out)
    if len(table) > limit:
        console.print(Text(_("… {n} more; narrow with --search or raise --limit.").format(
            n=f"{len(table) - limit:,}")), highlight=False)


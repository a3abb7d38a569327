"""CLI commands of the synthetic example: ``hsplan synth``, ``hsplan summary`` and
``hsplan example``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from hsplan._i18n import _
from hsplan.cli._app import PANEL_DATA, PANEL_PROJECT, YEAR_MAX, YEAR_MIN, app, console
from hsplan.cli._output import synthetic_banner

# the example's output folder, as hsplan.cli.example.DEFAULT_OUT (not imported: it loads the
# analysis stack; tests/test_startup.py checks that the two agree)
DEFAULT_OUT = Path("example-output")

@app.command("synth", rich_help_panel=PANEL_PROJECT,
    help=_("Create a project with SYNTHETIC data around one county's real codes, boundary "
        'and census (init + synth).'))
def synth(
    directory: Annotated[Path, typer.Argument(help=_("Folder of the new project."))],
    county: Annotated[str, typer.Option("--county", help=_("6-digit county code."))] = "530403",
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1,
        help=_("Seed of the random generator."))] = 0,
) -> None:
    """Create a project with SYNTHETIC data around one county's real codes, boundary and
    census (init + synth)."""
    from hsplan.region.synth import synthesize_project

    project = synthesize_project(directory, county=county, seed=seed)
    region = project.load()
    console.print(synthetic_banner() + _(" (hsplan.region.synth, random seed {seed})").format(
        seed=seed), highlight=False)
    console.print(Text("✓ ", style="green") + Text(
        _("created {root}: {n} facilities, years {years}").format(
            root=project.root, n=len(region.facilities),
            years=", ".join(map(str, region.years)))), highlight=False)


@app.command("summary", rich_help_panel=PANEL_DATA,
    help=_("Print a project's population, facilities, beds and staff per population."))
def summary(
    project_dir: Annotated[Path, typer.Argument(help=_("Project folder."), metavar="PROJECT")],
    year: Annotated[int | None, typer.Option("--year", min=YEAR_MIN, max=YEAR_MAX,
                                             help=_("Year (default: latest)."))] = None,
    map_png: Annotated[Path | None, typer.Option("--map", help=_("Also write a facility map "
                                                  "(PNG) to this file."))] = None,
    fmt: Annotated[str, typer.Option("--format", help=_("table or json."))] = "table",
) -> None:
    """Print a project's population, facilities, beds and staff per population."""
    from hsplan.cli.example import print_summary
    from hsplan.region.project import Project
    from hsplan.reports.summary import summary as region_summary
    from hsplan.reports.summary import to_json_dict

    if fmt not in ("table", "json"):
        raise typer.BadParameter(_("expected table or json, got {fmt}").format(fmt=repr(fmt)),
                                 param_hint="--format")
    project = Project.open(project_dir)
    region = project.load()
    frames = region_summary(region, year=year)
    if fmt == "json":
        typer.echo(json.dumps(to_json_dict(frames), ensure_ascii=False, indent=1))
    else:
        print_summary(frames, console)
    if map_png is not None:
        from hsplan.reports.maps import facility_map

        used = int(frames["about"]["year"].iloc[0])
        facility_map(region, map_png, title=f"{project.name} 医疗卫生机构分布（{used}年）")
        if fmt == "table":
            console.print(Text("✓ ", style="green")
                          + Text(_("map written to {path}").format(path=map_png)),
                          highlight=False)


@app.command("example", rich_help_panel=PANEL_PROJECT,
    help=_('Run the worked example (synthetic 江川区): copy, validate, summarise, evaluate, '
        'map.'))
def example(
    out: Annotated[Path, typer.Option("--out", help=_("Folder to copy the example into."))] = (
        DEFAULT_OUT),
    force: Annotated[bool, typer.Option("--force", help=_("Replace an earlier example copy."))] = (
        False),
) -> None:
    """Run the worked example (synthetic 江川区): copy, validate, summarise, evaluate, map."""
    from hsplan.cli.example import report_example, run_example

    report_example(run_example(out, console=console, force=force), console)

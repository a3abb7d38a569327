"""CLI commands for road networks and travel times: ``hsplan network build`` and
``hsplan traveltimes``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hsplan._i18n import N_, _
from hsplan.cli._app import PANEL_ACCESS, YEAR_MAX, YEAR_MIN, app, console
from hsplan.cli._output import FrameFormat, print_frame

if TYPE_CHECKING:
    import pandas as pd

    from hsplan.access.network import Network


# table headers of the table format (column id → words, translated where printed)
CLASS_HEADERS = {"road_class": N_("road class (OSM)"), "name_zh": N_("name"),
                 "edges": N_("road segments"), "length_km": N_("length (km)"),
                 "speed_kmh": N_("mean speed (km/h)")}
TIMES_HEADERS = {"village_code": N_("village code"), "village_name": N_("village"),
                 "pop": N_("population"), "travel_min": N_("travel time (minutes)"),
                 "dist_m": N_("distance (m)"), "facility_id": N_("facility id"),
                 "facility_name": N_("nearest facility"), "reachable": N_("reachable"),
                 "network_kind": N_("travel-time model")}
#: the `network_kind` values in words
KIND_WORDS = {"osm": N_("OpenStreetMap roads"), "roads": N_("project roads"),
              "straight-line": N_("straight line")}


def _table(df: pd.DataFrame, headers: dict[str, str], fmt: FrameFormat) -> pd.DataFrame:
    """Return `df` with headers in words for the table format (ids for json and csv)."""
    if fmt is not FrameFormat.table:
        return df
    return df.rename(columns={k: _(v) for k, v in headers.items()})


network_app = typer.Typer(help=_("Road networks (路网) for travel times."), no_args_is_help=True)
app.add_typer(network_app, name="network", rich_help_panel=PANEL_ACCESS)


def _by_class(net: Network, speeds: Path | None) -> pd.DataFrame:
    """Edges, kilometres and mean speed per road class (for the summary table)."""
    import pandas as pd

    from hsplan.access.network import load_speeds

    names = load_speeds(speeds).set_index("highway")["name_zh"]
    frame = pd.DataFrame({"road_class": net.road_class.astype(str), "length_m": net.length_m,
                          "speed_kmh": net.speed_kmh})
    out = frame.groupby("road_class").agg(edges=("length_m", "size"),
                                          length_km=("length_m", "sum"),
                                          speed_kmh=("speed_kmh", "mean")).reset_index()
    out["length_km"] = (out["length_km"] / 1000).round(3)
    out["speed_kmh"] = out["speed_kmh"].round(1)
    out.insert(1, "name_zh", out["road_class"].map(names).fillna(""))
    return out.sort_values("length_km", ascending=False).reset_index(drop=True)


@network_app.command("build",
    help=_('Build a road network from OpenStreetMap and save it as a GeoPackage.'))
def build(
    osm_file: Annotated[Path, typer.Argument(help=_(".osm.pbf, .osm or .osm.bz2 file."),
                                             metavar="OSM_FILE")],
    out: Annotated[Path, typer.Option("--out", help=_("GeoPackage to write."))],
    mode: Annotated[str, typer.Option("--mode", help=_("drive or walk."))] = "drive",
    speeds: Annotated[Path | None, typer.Option("--speeds", help=_("Road speed table (CSV); "
                                                "default: the bundled one."))] = None,
    all_components: Annotated[bool, typer.Option(
        "--all-components", help=_("Keep every component, not only the largest."))] = False,
    fmt: Annotated[FrameFormat, typer.Option("--format", help=_("table, json or csv."))] = (
        FrameFormat.table),
) -> None:
    """Build a road network from OpenStreetMap and save it as a GeoPackage."""
    from hsplan.access.network import network_from_osm, save_network

    net = network_from_osm(osm_file, mode=mode, speeds=speeds,
                           largest_component=not all_components)
    save_network(net, out)
    print_frame(_table(_by_class(net, speeds), CLASS_HEADERS, fmt),
                title=_("road network: {label}").format(label=net.label), fmt=fmt,
                caption=_("saved to {path}").format(path=out))


@app.command("traveltimes", rich_help_panel=PANEL_ACCESS,
    help=_('Travel time (minutes) from every village to its nearest selected facility.'))
def traveltimes(
    project_dir: Annotated[Path, typer.Argument(help=_("Project folder."), metavar="PROJECT")],
    subtype: Annotated[list[str] | None, typer.Option(
        "--subtype", help=_("机构类型 to reach (repeat for several), e.g. 乡镇卫生院."))] = None,
    category: Annotated[list[str] | None, typer.Option(
        "--category", help=_("机构类别 to reach (repeat), e.g. 医院."))] = None,
    mode: Annotated[str, typer.Option("--mode", help=_("drive or walk."))] = "drive",
    network_file: Annotated[Path | None, typer.Option(
        "--network", help=_("Network GeoPackage from `hsplan network build`."))] = None,
    osm_file: Annotated[Path | None, typer.Option("--osm", help=_("Build the network from "
                                                  "this OSM file."))] = None,
    straight_line: Annotated[bool, typer.Option(
        "--straight-line", help=_("Use the straight-line model (distance × 1.3)."))] = False,
    year: Annotated[int | None, typer.Option("--year", min=YEAR_MIN, max=YEAR_MAX,
        help=_("Year (default: latest)."))] = None,
    fmt: Annotated[FrameFormat, typer.Option("--format", help=_("table, json or csv."))] = (
        FrameFormat.table),
) -> None:
    """Travel time (minutes) from every village to its nearest selected facility."""
    from hsplan.access.network import load_network, network_from_osm, straight_line_network
    from hsplan.access.traveltimes import travel_times_from_project
    from hsplan.region.project import Project

    if sum(x is not None and x is not False for x in (network_file, osm_file,
                                                        straight_line or None)) > 1:
        raise typer.BadParameter(_("give at most one of --network, --osm, --straight-line"))
    network: Network | None = None
    if network_file is not None:
        network = load_network(network_file)
    elif osm_file is not None:
        network = network_from_osm(osm_file, mode=mode)
    elif straight_line:
        network = straight_line_network(mode=mode)
    times = travel_times_from_project(Project.open(project_dir), subtypes=subtype,
                                      categories=category, mode=mode, network=network,
                                      year=year, progress=fmt is FrameFormat.table)
    columns = ["village_code", "village_name", "pop", "travel_min", "dist_m", "facility_id",
               "facility_name", "reachable", "network_kind"]
    shown = times[columns].copy()
    shown["travel_min"] = shown["travel_min"].round(2)
    shown["dist_m"] = shown["dist_m"].round(0)
    if fmt is FrameFormat.table:
        shown["reachable"] = [_("yes") if r else _("no") for r in shown["reachable"]]
        shown["network_kind"] = [_(KIND_WORDS[k]) if k in KIND_WORDS else k
                                 for k in shown["network_kind"].astype(str)]
    caption = _("{network}; unreachable: {n}").format(network=times.attrs["network"],
                                                      n=f"{times.attrs['unreachable']:,}")
    print_frame(_table(shown, TIMES_HEADERS, fmt),
                title=_("travel time to the nearest facility (minutes)"), fmt=fmt,
                caption=caption)
    if fmt is FrameFormat.table and (times["network_kind"] == "straight-line").any():
        console.print(_("[yellow]straight-line model, not a road network[/]"))

"""`hsplan indicators list|show|match|compute`: browse the catalog, compute for a project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hsplan._i18n import N_, _, language, ngettext, unit_text
from hsplan.cli._app import PANEL_PLAN, YEAR_MAX, YEAR_MIN, app, console
from hsplan.cli._output import FrameFormat, print_frame

if TYPE_CHECKING:
    import pandas as pd

# the headers of the tables printed (``--format table``; JSON and CSV keep the column ids)
HEADERS = {"id": N_("id"), "name_zh": N_("name"), "name_en": N_("name"), "unit": N_("unit"),
           "kind": N_("kind"),
           "direction": N_("direction"), "levels": N_("levels"), "score": N_("score"),
           "area_code": N_("area code"), "area_name": N_("area"), "value": N_("value"),
           "numerator": N_("numerator"), "denominator": N_("denominator"),
           "status": N_("status"), "missing": N_("missing")}
STATUS_WORDS = {"ok": N_("ok"), "no data": N_("no data"), "not applicable": N_("not applicable")}

indicators_app = typer.Typer(help=_("The indicator catalog (指标目录)."), no_args_is_help=True)
app.add_typer(indicators_app, name="indicators", rich_help_panel=PANEL_PLAN)


@indicators_app.command("list",
    help=_('List catalog indicators: id, Chinese name, unit, kind, levels.'))
def indicators_list(
    kind: Annotated[str | None, typer.Option(help=_("computed or reported"))] = None,
    search: Annotated[str | None, typer.Option("--search", "-s",
                                               help=_("Text in the id or Chinese name."))] = None,
    fmt: Annotated[FrameFormat, typer.Option("--format")] = FrameFormat.table,
) -> None:
    """List catalog indicators: id, Chinese name, unit, kind, levels."""
    from hsplan.plans.indicators import load_catalog

    frame = load_catalog().to_frame()
    if kind:
        frame = frame[frame["kind"] == kind]
    if search:
        hit = frame["id"].str.contains(search, regex=False) | frame["name_zh"].str.contains(
            search, regex=False)
        frame = frame[hit]
    cols = ["id", _name_column(fmt), "unit", "kind", "direction", "levels"]
    print_frame(_shown(frame[cols].reset_index(drop=True), fmt),
                title=ngettext("{n} indicator", "{n} indicators", len(frame)).format(
                    n=len(frame)), fmt=fmt)


@indicators_app.command("show",
    help=_('Show one indicator: names, unit, formula, definition and source.'))
def indicators_show(indicator: Annotated[str, typer.Argument(help=_("Indicator id."))]) -> None:
    """Show one indicator: names, unit, formula, definition and source."""
    from hsplan.plans.catalog import describe_formula, load_catalog

    ind = load_catalog().get(indicator)
    console.print(f"[bold]{ind.id}[/]  {ind.name_zh} — {ind.name_en}", highlight=False)
    for label, value in (
        ("unit", unit_text(ind.unit) or "—"), ("kind", ind.kind), ("direction", ind.direction),
        ("levels", ", ".join(ind.levels)), ("aliases", "、".join(ind.aliases) or "—"),
        ("formula", describe_formula(ind)), ("definition", ind.definition),
        ("source", ind.source), ("file", ind.file),
    ):
        console.print(f"  [cyan]{label:<10}[/] {value}", highlight=False)


@indicators_app.command("match",
    help=_('Find the catalog indicators a name written in a plan means, best first.'))
def indicators_match(
    name: Annotated[str, typer.Argument(help=_("An indicator name as a plan writes it."))],
    fmt: Annotated[FrameFormat, typer.Option("--format")] = FrameFormat.table,
) -> None:
    """Find the catalog indicators a name written in a plan means, best first."""
    import pandas as pd

    from hsplan.plans.indicators import load_catalog

    catalog = load_catalog()
    column = _name_column(fmt)
    rows = [{"id": i, "score": s, column: getattr(catalog.get(i), column)}
            for i, s in catalog.match(name)]
    print_frame(_shown(pd.DataFrame(rows, columns=["id", "score", column]), fmt),
                title=_("catalog matches for {name}").format(name=name), fmt=fmt)


@indicators_app.command("compute",
    help=_('Compute one indicator for every area of a level, with numerator and denominator.'))
def indicators_compute(
    project: Annotated[Path, typer.Argument(help=_("Project folder."))],
    indicator: Annotated[str, typer.Argument(help=_("Indicator id."))],
    year: Annotated[int | None, typer.Option(min=YEAR_MIN, max=YEAR_MAX,
        help=_("Year; default the latest with data."))] = None,
    level: Annotated[str, typer.Option(help=_("county, township or village"))] = "county",
    fmt: Annotated[FrameFormat, typer.Option("--format")] = FrameFormat.table,
) -> None:
    """Compute one indicator for every area of a level, with numerator and denominator."""
    from hsplan.plans.indicators import compute, load_catalog
    from hsplan.region.project import Project

    proj = Project.open(project)
    region = proj.load()
    years = region.years
    chosen = year if year is not None else (years[-1] if years else 0)
    result = compute(region, indicator, year=chosen, level=level)
    ind = load_catalog().get(indicator)
    caption = _("synthetic data (hsplan synth)") if region.synthetic else None
    name = ind.label
    shown = unit_text(ind.unit)  # a bare count (个) has no English unit
    unit = f" ({shown})" if shown or not ind.unit else ""
    print_frame(_shown(result, fmt), title=f"{name}{unit}, {chosen}", fmt=fmt, caption=caption)


def _name_column(fmt: FrameFormat) -> str:
    """The name a table shows: the catalog's English name in English; JSON and CSV keep
    ``name_zh``, as the API gives it."""
    return "name_en" if fmt is FrameFormat.table and language() == "en" else "name_zh"


def _shown(frame: pd.DataFrame, fmt: FrameFormat) -> pd.DataFrame:
    """Return `frame` as a table shows it: headers and status words in the reader's
    language; unchanged for JSON and CSV (column ids, as the API gives them)."""
    if fmt is not FrameFormat.table:
        return frame
    out = frame.copy()
    if "unit" in out:
        out["unit"] = [unit_text(u) for u in out["unit"]]
    if "status" in out:
        out["status"] = [_(STATUS_WORDS[s]) if s in STATUS_WORDS else s for s in out["status"]]
    return out.rename(columns={c: _(HEADERS[c]) for c in out.columns if c in HEADERS})

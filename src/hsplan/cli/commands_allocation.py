"""`hsplan equity` and `hsplan efficiency`: how fairly and how efficiently resources are spread."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hsplan._i18n import _, language
from hsplan.cli._app import app, console, err_console
from hsplan.cli._output import cell, emit_json, finish_xlsx, print_frame
from hsplan.errors import HsplanError, Problem, ValidationError

if TYPE_CHECKING:
    from hsplan.allocation.efficiency import DEAResult, MalmquistResult
    from hsplan.allocation.equity import EquityResult
    from hsplan.region.model import Region

#: defaults of `hsplan.allocation.efficiency` (a test keeps them equal), here so that
#: the help text needs no import of the analysis stack
DEFAULT_INPUTS = ("beds", "doctors", "nurses")
DEFAULT_OUTPUTS = ("visits", "discharges")

PANEL_ALLOCATION = _("Equity and efficiency")


class OutFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class LogBase(StrEnum):
    e = "e"
    ten = "10"


class Orientation(StrEnum):
    input = "input"
    output = "output"


class Returns(StrEnum):
    crs = "crs"
    vrs = "vrs"


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


def _latest_year(region: Region) -> int:
    years = sorted(int(y) for y in region.resources["year"].dropna().unique())
    if not years:
        raise HsplanError(_("the project has no resources (the 资源 table is empty): expected "
                            "beds and staff by facility and year. Fix: import the 资源 sheet "
                            "(hsplan import)."))
    return years[-1]


def _f(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.{digits}f}"


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:.1f}%"


def _sep() -> str:
    """Return the separator of the parts of a caption: ； in Chinese, ; in English."""
    return "；" if language() == "zh" else "; "


def _say(fmt: OutFormat, text: str) -> None:
    (err_console if fmt is OutFormat.json else console).print(text, highlight=False)


# --- equity ----------------------------------------------------------------------------


@app.command("equity", rich_help_panel=PANEL_ALLOCATION,
    help=_("How fairly health resources are spread: Gini coefficients and Lorenz curves by "
           "population and by area, the Theil index split urban/rural, agglomeration (HRAD/PAD)."))
def equity_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    year: Annotated[int | None, typer.Option(
        "--year", help=_("year (default: the latest year with resource data)"))] = None,
    resource: Annotated[str, typer.Option(
        "--resource", help=_("resources, comma-separated: beds, doctors, nurses, gps, "
                             "health_workers, health_tech, pharmacists, facilities, an "
                             "indicator id or a column of the resources (资源) table"))
    ] = "beds,doctors,nurses",
    by: Annotated[str, typer.Option(
        "--by", help=_("weights: population, area or both, comma-separated"))
    ] = "population,area",
    group: Annotated[str, typer.Option(
        "--group", help=_("column of the areas (区划) table that groups areas for the Theil "
                          "decomposition (urban_rural), or none"))] = "urban_rural",
    level: Annotated[str, typer.Option(
        "--level", help=_("area level: township (default), village or county"))] = "township",
    log_base: Annotated[LogBase, typer.Option(
        "--log-base", help=_("logarithm base of the Theil index: e (default) or 10"))] = LogBase.e,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    out: Annotated[Path | None, typer.Option(
        "--out", help=_("output file of --format xlsx or json (xlsx default: "
                        "PROJECT/outputs/equity-YEAR.xlsx)"))] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("also write the Lorenz curves (PNG)"))] = None,
    map_path: Annotated[Path | None, typer.Option(
        "--map", help=_("also write a map of HRAD/PAD by area (PNG)"))] = None,
) -> None:
    """How fairly health resources are spread (Gini, Lorenz, Theil, HRAD/PAD)."""
    from hsplan.allocation.equity import Equity, equity_to_xlsx
    from hsplan.region.project import Project

    proj = Project.open(project)
    region = proj.load()
    the_year = year or _latest_year(region)
    model = Equity.from_region(
        region, year=the_year, resources=_split(resource),
        by=_split(by),  # type: ignore[arg-type]
        group=None if group.lower() in ("none", "") else group, level=level,
        base=math.e if log_base is LogBase.e else 10.0)
    result = model.solve()
    synthetic = region.synthetic or proj.synthetic
    title = _("{project} {year} equity of health resource allocation").format(
        project=proj.name, year=the_year)
    if chart is not None:
        from hsplan.reports.allocation_charts import lorenz_chart

        _say(fmt, _("wrote {path}").format(
            path=lorenz_chart(result, chart, title=title, synthetic=synthetic)))
    if map_path is not None:
        from hsplan.reports.allocation_charts import agglomeration_map

        _say(fmt, _("wrote {path}").format(
            path=agglomeration_map(region, result, map_path, title=title)))
    if fmt is OutFormat.json:
        emit_json(_equity_json(result, synthetic), out)
        return
    if fmt is OutFormat.xlsx:
        path = out or proj.outputs_dir / f"equity-{the_year}.xlsx"
        written = finish_xlsx(equity_to_xlsx(result, path), year=the_year,
                              title=_("equity of health resource allocation"))
        console.print(_("wrote {path}").format(path=written), highlight=False)
        return
    if out is not None:
        raise HsplanError(_("--out needs --format json or xlsx. Fix: add --format xlsx."))
    _print_equity(result, title=title, synthetic=synthetic)


def _equity_json(result: EquityResult, synthetic: bool) -> dict[str, Any]:
    from hsplan._json import json_records
    from hsplan.allocation.equity import (
        GINI_FORMULA,
        HRAD_FORMULA,
        THEIL_L_FORMULA,
        THEIL_T_FORMULA,
    )

    return {
        "year": result.year, "level": result.level, "group_by": result.group_by,
        "log_base": result.log_base, "synthetic": synthetic,
        "formulas": {"gini": GINI_FORMULA, "theil_T": THEIL_T_FORMULA,
                     "theil_L": THEIL_L_FORMULA, "hrad": HRAD_FORMULA},
        "indices": json_records(result.indices), "theil_groups": json_records(
            result.theil_groups), "agglomeration": json_records(result.agglomeration),
        "lorenz": json_records(result.lorenz), "areas": json_records(result.areas),
        "notes": result.notes,
    }


def _print_equity(result: EquityResult, *, title: str, synthetic: bool) -> None:
    import pandas as pd

    from hsplan.allocation.equity import (
        GINI_FORMULA,
        HRAD_FORMULA,
        THEIL_L_FORMULA,
        THEIL_T_FORMULA,
        log_word,
        weight_word,
    )

    idx = result.indices
    rows = []
    for (_res, basis), part in idx.groupby(["resource", "weights"], sort=False):
        got = {r["index"]: r for r in part.to_dict(orient="records")}
        row = {_("resources"): part["resource_zh"].iloc[0], _("weights"): weight_word(str(basis))}
        for key, name, between in (
                ("gini", _("Gini coefficient"), ""),
                ("theil_T", _("Theil T"), _("Theil T between-group share")),
                ("theil_L", _("Theil L"), _("Theil L between-group share"))):
            r = got.get(key)
            row[name] = _f(r["value"]) if r and r["status"] == "ok" else _("not evaluable")
            if key != "gini" and result.group_by:
                row[between] = _pct(r["between_share"]) if r else "—"
        rows.append(row)
    caption = _sep().join([GINI_FORMULA, THEIL_T_FORMULA, THEIL_L_FORMULA,
                           log_word(result.log_base),
                           *([_("groups: urban and rural")] if result.group_by else []),
                           *([_("synthetic data")] if synthetic else [])])
    print_frame(pd.DataFrame(rows), title=title, caption=caption)
    unassessed = idx[idx["status"] != "ok"]
    for rec in unassessed.drop_duplicates(["resource", "weights"]).to_dict(orient="records"):
        console.print(_("[yellow]not evaluable[/] {resource} {weights}: {why}").format(
            resource=rec["resource_zh"], weights=weight_word(rec["weights"]), why=rec["note"]),
            highlight=False)
    aggl = result.agglomeration
    if aggl.empty:
        console.print(_("[yellow]not evaluable[/] agglomeration and density indices: every "
                        "area needs its resident population, area and resources"),
                      highlight=False)
    for res, part in ([] if aggl.empty else aggl.groupby("resource", sort=False)):
        label = idx.loc[idx["resource"] == res, "resource_zh"].iloc[0]
        frame = pd.DataFrame({
            _("Area"): part["label"],
            _("resource count"): part["count"].map(lambda v: f"{v:,.0f}"),
            _("per 1,000 persons"): (part["count"] / part["population"] * 1000).map(
                lambda v: _f(v, 2)),
            "HRAD": part["hrad"].map(lambda v: _f(v, 3)),
            "PAD": part["pad"].map(lambda v: _f(v, 3)),
            "HRAD/PAD": part["hrad_pad"].map(lambda v: _f(v, 3)),
            "HRDI": part["hrdi"].map(lambda v: _f(v, 3)), _("reading"): part["reading"]})
        print_frame(frame, title=_("{resource} agglomeration and density indices").format(
                        resource=label),
                    caption=_("{formula}; HRDI of the region {hrdi}").format(
                        formula=HRAD_FORMULA, hrdi=_f(part["region_hrdi"].iloc[0], 3)))
    groups = result.theil_groups
    if not groups.empty:
        t = groups[(groups["index"] == "theil_T") & (groups["weights"] == "population")]
        frame = pd.DataFrame({
            _("resources"): t["resource"].map(dict(zip(idx["resource"], idx["resource_zh"],
                                                       strict=False))),
            _("group"): t["group"], _("number of areas"): t["n"],
            _("population share"): t["weight_share"].map(_pct),
            _("resource share"): t["resource_share"].map(_pct),
            _("Theil T within the group"): t["group_index"].map(_f),
            _("between-group part"): t["between"].map(_f),
            _("within-group part"): t["within"].map(_f),
            _("contribution"): t["contribution_pct"].map(lambda v: f"{v:.1f}%")})
        print_frame(frame, title=_("Theil index T (by population) decomposed by group"),
                    caption=_("total = Σ between-group parts + Σ within-group parts"))
    for note in result.notes:
        console.print(_("[dim]Note: {note}[/]").format(note=note), highlight=False)


# --- efficiency ------------------------------------------------------------------------


def _years(text: str) -> list[int]:
    try:
        a, b = (int(p) for p in text.replace("–", "-").split("-"))
    except ValueError:
        raise HsplanError(_("--malmquist {text}: expected two years such as 2019-2023. "
                            "Fix: write FIRST-LAST.").format(text=repr(text))) from None
    if b <= a:
        raise HsplanError(_("--malmquist {text}: expected the first year before the last. "
                            "Fix: e.g. 2019-2023.").format(text=repr(text)))
    return list(range(a, b + 1))


@app.command("efficiency", rich_help_panel=PANEL_ALLOCATION,
    help=_("Efficiency of hospitals and 卫生院 by data envelopment analysis (CCR/BCC, slacks, "
           "targets, super-efficiency) and Malmquist productivity over years."))
def efficiency_command(
    project: Annotated[Path, typer.Argument(help=_("the project folder"))],
    year: Annotated[int | None, typer.Option(
        "--year", help=_("year (default: the latest year with resource data)"))] = None,
    units: Annotated[str, typer.Option(
        "--units", help=_("unit groups, each its own frontier: {names} (comma-separated)")
        .format(names="医院、卫生院、社区卫生服务中心"))] = "医院,卫生院",
    pooled: Annotated[bool, typer.Option(
        "--pooled", help=_("evaluate all unit groups against one pooled frontier"))
    ] = False,
    inputs: Annotated[str, typer.Option(
        "--inputs", help=_("inputs: columns of the resources (资源) table, or doctors"))
    ] = ",".join(DEFAULT_INPUTS),
    outputs: Annotated[str, typer.Option(
        "--outputs", help=_("outputs: columns of the utilisation (服务量) table"))
    ] = ",".join(DEFAULT_OUTPUTS),
    orientation: Annotated[Orientation, typer.Option(
        "--orientation", help=_("orientation: input (default) or output"))
    ] = Orientation.input,
    rts: Annotated[Returns, typer.Option(
        "--rts", help=_("returns to scale of slacks and targets: crs (CCR) or vrs (BCC)"))
    ] = Returns.crs,
    malmquist: Annotated[str | None, typer.Option(
        "--malmquist", help=_("also compute the Malmquist index over these years, "
                              "e.g. 2019-2023"))
    ] = None,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    out: Annotated[Path | None, typer.Option(
        "--out", help=_("output file of --format xlsx or json (xlsx default: "
                        "PROJECT/outputs/efficiency-YEAR.xlsx)"))] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("also write the efficiency chart (PNG)"))] = None,
) -> None:
    """Efficiency of hospitals and 卫生院 by DEA, and Malmquist productivity."""
    from hsplan.allocation.efficiency import (
        DEA,
        Malmquist,
        efficiency_to_xlsx,
    )
    from hsplan.region.project import Project

    proj = Project.open(project)
    region = proj.load()
    the_year = year or _latest_year(region)
    groups = _split(units)
    sets = {"+".join(groups): groups} if pooled else {g: [g] for g in groups}
    ins, outs = _split(inputs), _split(outputs)
    years = _years(malmquist) if malmquist else []
    dea: dict[str, DEAResult] = {}
    malm: dict[str, MalmquistResult] = {}
    problems: list[Problem] = []
    skipped: list[str] = []
    for name, members in sets.items():
        try:
            model = DEA.from_region(
                region, year=the_year, inputs=ins, outputs=outs, groups=members,
                orientation=orientation.value, rts=rts.value)  # type: ignore[arg-type]
            if len(model.data) < 2:
                skipped.append(_("{group}: only {n} facilities, DEA needs at least 2; not "
                                 "evaluated").format(group=name, n=len(model.data)))
                continue
            dea[name] = model.solve()
            if years:
                malm[name] = Malmquist.from_region(
                    region, years=years, inputs=ins, outputs=outs, groups=members,
                    orientation=orientation.value).solve()  # type: ignore[arg-type]
        except ValidationError as exc:
            problems += [Problem(_("{where}: {text}").format(where=name, text=p.message),
                                 expected=p.expected, got=p.got, fix=p.fix)
                         for p in exc.errors]
    if problems:
        raise ValidationError(problems, context=_("efficiency analysis"))
    if not dea:
        raise HsplanError(_("no unit group has ≥ 2 facilities to evaluate: {skipped}. Fix: "
                            "choose other --units, or --pooled.").format(
                                skipped="；".join(skipped)))
    synthetic = region.synthetic or proj.synthetic
    title = _("{project} {year} efficiency of health facilities").format(
        project=proj.name, year=the_year)
    if chart is not None:
        from hsplan.reports.allocation_charts import efficiency_chart

        written = efficiency_chart(dea, chart, malm or None, title=title, synthetic=synthetic)
        _say(fmt, _("wrote {path}").format(path=written))
    if fmt is OutFormat.json:
        emit_json({"year": the_year, "synthetic": synthetic, "skipped": skipped,
                   "groups": {g: _dea_json(r, malm.get(g)) for g, r in dea.items()}}, out)
        return
    if fmt is OutFormat.xlsx:
        path = out or proj.outputs_dir / f"efficiency-{the_year}.xlsx"
        written = finish_xlsx(efficiency_to_xlsx(dea, path, malm or None), year=the_year,
                              title=_("efficiency of health facilities"))
        console.print(_("wrote {path}").format(path=written), highlight=False)
        return
    if out is not None:
        raise HsplanError(_("--out needs --format json or xlsx. Fix: add --format xlsx."))
    for g, r in dea.items():
        _print_dea(g, r, title=title, synthetic=synthetic)
        if g in malm:
            _print_malmquist(g, malm[g])
    for note in skipped:
        console.print(f"[yellow]{note}[/]", highlight=False)


def _dea_json(r: DEAResult, m: MalmquistResult | None) -> dict[str, Any]:
    from hsplan._json import json_records

    doc: dict[str, Any] = {
        "model": r.describe(), "orientation": r.orientation, "rts": r.rts,
        "inputs": list(r.inputs), "outputs": list(r.outputs), "notes": r.notes,
        "scores": json_records(r.scores), "slacks": json_records(r.slacks),
        "peers": json_records(r.peers)}
    if m is not None:
        doc["malmquist"] = {"indices": json_records(m.indices),
                            "period_means": json_records(m.period_means),
                            "unit_means": json_records(m.unit_means)}
    return doc


def _print_table(frame: Any, *, title: str, caption: str | None = None,
                 whole: tuple[str, ...] = ()) -> None:
    """Print `frame` as `print_frame` does; when the table is wider than the console, the
    cells of the `whole` columns (facility names, numbers) keep their width and their
    headers wrap, and the other columns fold instead."""
    import pandas as pd
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    shown = {col: [cell(v) for v in frame[col]] for col in frame.columns}
    widest = {col: max((cell_len(v) for v in values), default=1)
              for col, values in shown.items()}
    natural = sum(max(widest[c], cell_len(str(c))) for c in frame.columns) \
        + 3 * len(frame.columns) + 1
    narrow = natural > console.width
    table = Table(title=Text(title), caption=None if caption is None else Text(caption))
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold",
                         width=max(widest[col], 2) if narrow and col in whole else None)
    for row in zip(*shown.values(), strict=True):
        table.add_row(*(Text(v) for v in row))
    console.print(table)


def _print_dea(group: str, r: DEAResult, *, title: str, synthetic: bool) -> None:
    """Print the scores of one unit group, its peers (a table of their own: a facility, a
    peer and its λ on each line, so that no name wraps at 80 columns) and its slacks."""
    import pandas as pd

    s = r.scores.sort_values("rank")
    unit, facility = _("facility"), _("peer facility")
    frame = pd.DataFrame({
        _("rank"): s["rank"], unit: s["unit"],
        _("TE (CRS)"): s["te_crs"].map(lambda v: _f(v, 3)),
        _("pure TE (VRS)"): s["te_vrs"].map(lambda v: _f(v, 3)),
        _("scale efficiency"): s["scale"].map(lambda v: _f(v, 3)),
        # the full words (规模报酬不变 …) in Chinese; in English DEA's CRS, IRS, DRS
        _("returns to scale"): s["rts_zh"] if language() == "zh" else s["rts"].str.upper(),
        _("super-efficiency"): s["super"].map(
            lambda v: _f(v, 3) if not pd.isna(v) else _("infeasible")),
        _("DEA efficient"): s["efficient"].map({True: _("yes"), False: _("no")})})
    _print_table(frame, title=f"{title} — {group}", whole=(unit, *list(frame.columns)[2:5],
                                                           _("super-efficiency")))
    # the model in words below the table (a caption would wrap at the table's width)
    console.print(r.describe() + (_sep() + _("synthetic data") if synthetic else ""),
                  highlight=False)
    order = {u: k for k, u in enumerate(s["unit"])}
    peers = r.peers[r.peers["unit"] != r.peers["peer"]]
    if not peers.empty:
        peers = peers.assign(_order=peers["unit"].map(order)).sort_values(
            "_order", kind="stable")
        first = ~peers["unit"].duplicated()
        frame = pd.DataFrame({
            unit: [u if f else "" for u, f in zip(peers["unit"], first, strict=True)],
            facility: peers["peer"], "λ": peers["weight"].map(lambda v: f"{v:.2f}")})
        _print_table(frame, title=_("{group}: peers (λ)").format(group=group),
                     whole=(unit, facility))
        console.print(_("facilities that are their own peer (λ = 1) are not listed"),
                      highlight=False)
    sl = r.slacks[r.slacks["change"].abs() > 1e-6]
    if not sl.empty:
        frame = pd.DataFrame({
            unit: sl["unit"], _("input/output"): sl["variable_zh"],
            _("kind"): sl["kind"].map({"input": _("excess input"),
                                       "output": _("output shortfall")}),
            _("original value"): sl["original"].map(lambda v: f"{v:,.0f}"),
            _("target value"): sl["target"].map(lambda v: f"{v:,.1f}"),
            _("adjustment"): sl["change"].map(lambda v: f"{v:+,.1f}"),
            _("adjustment (%)"): sl["change_pct"].map(lambda v: f"{v:+.1f}%")})
        _print_table(frame, whole=(unit, *list(frame.columns)[3:]), title=_(
            "{group}: excess inputs and output shortfalls (target = the combination of the "
            "peers)").format(group=group))
    for note in r.notes:
        console.print(_("[yellow]Caution[/] {group}: {note}").format(group=group, note=note),
                      highlight=False)


def _print_malmquist(group: str, m: MalmquistResult) -> None:
    import pandas as pd

    from hsplan.allocation.efficiency import column_label

    names = {"effch": _("technical efficiency change"), "techch": _("technical change"),
             "pech": _("pure technical efficiency change"),
             "sech": _("scale efficiency change"),
             "tfpch": _("total factor productivity change")}
    sep = "、" if language() == "zh" else ", "
    means = m.period_means
    frame = pd.DataFrame({_("period of years"): [f"{a}–{b}" for a, b in zip(
        means["period_from"], means["period_to"], strict=True)],
        **{names[c]: means[c].map(lambda v: _f(v, 3)) for c in names}})
    print_frame(frame, title=_("{group}: Malmquist index (yearly geometric means)").format(
                    group=group),
                caption=_("tfpch = effch × techch; effch = pech × sech; > 1 means improvement; "
                          "inputs {inputs}, outputs {outputs}").format(
                    inputs=sep.join(column_label(c) for c in m.inputs),
                    outputs=sep.join(column_label(c) for c in m.outputs)))
    units = m.unit_means
    frame = pd.DataFrame({_("facility"): units["unit"],
                          **{names[c]: units[c].map(lambda v: _f(v, 3)) for c in names}})
    _print_table(frame, whole=tuple(frame.columns), title=_(
        "{group}: Malmquist index (geometric means by facility)").format(group=group))


__all__ = ["efficiency_command", "equity_command"]

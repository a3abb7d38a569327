"""`hsplan equity` and `hsplan efficiency`: how fairly and how efficiently resources are spread."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hsplan._i18n import _
from hsplan.cli._app import app, console, err_console
from hsplan.cli._output import SYNTHETIC_TAG, emit_json, finish_xlsx, print_frame
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
    title = f"{proj.name} {the_year}年 卫生资源配置公平性"
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
                              title="卫生资源配置公平性")
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
        LOG_ZH,
        THEIL_L_FORMULA,
        THEIL_T_FORMULA,
        WEIGHT_ZH,
    )

    idx = result.indices
    rows = []
    for (_res, basis), part in idx.groupby(["resource", "weights"], sort=False):
        got = {r["index"]: r for r in part.to_dict(orient="records")}
        row = {"资源": part["resource_zh"].iloc[0], "权重": WEIGHT_ZH.get(str(basis), basis)}
        for key, name in (("gini", "基尼系数"), ("theil_T", "泰尔T"), ("theil_L", "泰尔L")):
            r = got.get(key)
            row[name] = _f(r["value"]) if r and r["status"] == "ok" else "无法评估"
            if key != "gini" and result.group_by:
                row[f"{name}组间贡献率"] = _pct(r["between_share"]) if r else "—"
        rows.append(row)
    caption = (f"{GINI_FORMULA}；{THEIL_T_FORMULA}；{THEIL_L_FORMULA}；"
               f"{LOG_ZH.get(result.log_base, result.log_base)}"
               + ("；分组：城乡" if result.group_by else "")
               + (f"；{SYNTHETIC_TAG}" if synthetic else ""))
    print_frame(pd.DataFrame(rows), title=title, caption=caption)
    unassessed = idx[idx["status"] != "ok"]
    for rec in unassessed.drop_duplicates(["resource", "weights"]).to_dict(orient="records"):
        console.print(f"[yellow]无法评估[/] {rec['resource_zh']} {WEIGHT_ZH.get(rec['weights'])}："
                      f"{rec['note']}", highlight=False)
    aggl = result.agglomeration
    if aggl.empty:
        console.print("[yellow]无法评估[/] 集聚度与密度指数：每个地区都需要常住人口、面积和资源数",
                      highlight=False)
    for res, part in ([] if aggl.empty else aggl.groupby("resource", sort=False)):
        label = idx.loc[idx["resource"] == res, "resource_zh"].iloc[0]
        frame = pd.DataFrame({
            "地区": part["label"], "资源数": part["count"].map(lambda v: f"{v:,.0f}"),
            "每千人口": (part["count"] / part["population"] * 1000).map(lambda v: _f(v, 2)),
            "HRAD": part["hrad"].map(lambda v: _f(v, 3)),
            "PAD": part["pad"].map(lambda v: _f(v, 3)),
            "HRAD/PAD": part["hrad_pad"].map(lambda v: _f(v, 3)),
            "HRDI": part["hrdi"].map(lambda v: _f(v, 3)), "解读": part["reading"]})
        print_frame(frame, title=f"{label} 集聚度与密度指数",
                    caption=f"{HRAD_FORMULA}；全区 HRDI {_f(part['region_hrdi'].iloc[0], 3)}")
    groups = result.theil_groups
    if not groups.empty:
        t = groups[(groups["index"] == "theil_T") & (groups["weights"] == "population")]
        frame = pd.DataFrame({
            "资源": t["resource"].map(dict(zip(idx["resource"], idx["resource_zh"],
                                               strict=False))),
            "分组": t["group"], "地区数": t["n"],
            "人口占比": t["weight_share"].map(_pct), "资源占比": t["resource_share"].map(_pct),
            "组内泰尔T": t["group_index"].map(_f), "组间部分": t["between"].map(_f),
            "组内部分": t["within"].map(_f), "贡献率": t["contribution_pct"].map(
                lambda v: f"{v:.1f}%")})
        print_frame(frame, title="泰尔指数T（按人口）分组分解",
                    caption="总体 = Σ组间部分 + Σ组内部分")
    for note in result.notes:
        console.print(f"[dim]说明：{note}[/]", highlight=False)


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
                skipped.append(f"{name}：仅 {len(model.data)} 家机构，DEA 至少需要 2 家，未评价")
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
    title = f"{proj.name} {the_year}年 医疗卫生机构效率"
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
                              title="医疗卫生机构效率")
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


def _print_dea(group: str, r: DEAResult, *, title: str, synthetic: bool) -> None:
    import pandas as pd

    s = r.scores.sort_values("rank")
    peers = {u: "、".join(f"{p}({w:.2f})" for p, w in zip(part["peer"], part["weight"],
                                                          strict=True))
             for u, part in r.peers.groupby("unit", sort=False)}
    frame = pd.DataFrame({
        "排名": s["rank"], "机构": s["unit"], "综合技术效率": s["te_crs"].map(lambda v: _f(v, 3)),
        "纯技术效率": s["te_vrs"].map(lambda v: _f(v, 3)),
        "规模效率": s["scale"].map(lambda v: _f(v, 3)), "规模报酬": s["rts_zh"],
        "超效率": s["super"].map(lambda v: _f(v, 3) if not pd.isna(v) else "不可行"),
        "DEA有效": s["efficient"].map({True: "是", False: "否"}),
        "参照机构(λ)": s["unit"].map(lambda u: peers.get(u, ""))})
    print_frame(frame, title=f"{title} — {group}", caption=r.describe()
                + (f"；{SYNTHETIC_TAG}" if synthetic else ""))
    sl = r.slacks[r.slacks["change"].abs() > 1e-6]
    if not sl.empty:
        frame = pd.DataFrame({
            "机构": sl["unit"], "项目": sl["variable_zh"],
            "类别": sl["kind"].map({"input": "投入冗余", "output": "产出不足"}),
            "原值": sl["original"].map(lambda v: f"{v:,.0f}"),
            "目标值": sl["target"].map(lambda v: f"{v:,.1f}"),
            "调整量": sl["change"].map(lambda v: f"{v:+,.1f}"),
            "调整比例": sl["change_pct"].map(lambda v: f"{v:+.1f}%")})
        print_frame(frame, title=f"{group}：投入冗余与产出不足（目标值 = 参照机构的组合）")
    for note in r.notes:
        console.print(f"[yellow]注意[/] {group}：{note}", highlight=False)


def _print_malmquist(group: str, m: MalmquistResult) -> None:
    import pandas as pd

    from hsplan.allocation.efficiency import column_zh

    names = {"effch": "技术效率变化", "techch": "技术进步", "pech": "纯技术效率变化",
             "sech": "规模效率变化", "tfpch": "全要素生产率变化"}
    means = m.period_means
    frame = pd.DataFrame({"时期": [f"{a}–{b}" for a, b in zip(
        means["period_from"], means["period_to"], strict=True)],
        **{names[c]: means[c].map(lambda v: _f(v, 3)) for c in names}})
    print_frame(frame, title=f"{group}：Malmquist 指数（年度几何均值）",
                caption="tfpch = effch × techch；effch = pech × sech；> 1 表示改善"
                f"；投入 {'、'.join(column_zh(c) for c in m.inputs)}，产出 "
                f"{'、'.join(column_zh(c) for c in m.outputs)}")
    units = m.unit_means
    frame = pd.DataFrame({"机构": units["unit"],
                          **{names[c]: units[c].map(lambda v: _f(v, 3)) for c in names}})
    print_frame(frame, title=f"{group}：Malmquist 指数（机构几何均值）")


__all__ = ["efficiency_command", "equity_command"]

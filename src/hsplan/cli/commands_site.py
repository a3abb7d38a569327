"""`hsplan site`: where new facilities should go — a thin command over
`hsplan.access.siting` that prints the chosen sites and the villages still outside and
writes a CSV, a GeoPackage, a map and the scenario `hsplan compare` reads."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hsplan.cli._app import PANEL_ACCESS, app, console
from hsplan.cli._output import FrameFormat, print_frame
from hsplan.errors import Problem, raise_if_errors

if TYPE_CHECKING:
    import pandas as pd

    from hsplan.access.service import ServiceAccess
    from hsplan.access.siting import SitingResult
    from hsplan.access.siting._base import SitingData
    from hsplan.access.siting.project import SitingProblem
    from hsplan.region.project import Project


class Model(StrEnum):
    mclp = "mclp"
    lscp = "lscp"
    lscp_b = "lscp-b"
    p_median = "p-median"
    p_center = "p-center"


class Method(StrEnum):
    auto = "auto"
    exact = "exact"
    greedy = "greedy"


SITES_HEADERS = {"site_id": "编号", "name": "名称", "township_name": "乡镇",
                 "upgrades": "升级机构", "points_new": "新覆盖村居", "pop_new": "新覆盖人口",
                 "points_assigned": "服务村居", "pop_assigned": "服务人口"}
OUTSIDE_HEADERS = {"name": "村居", "township_name": "乡镇", "urban_rural": "城乡", "pop": "人口",
                   "travel_min": "最近行程(分钟)", "standard_min": "标准(分钟)"}
AMBULANCE_SUBTYPES = ("急救中心", "急救站")
URBAN_RURAL_ZH = {"urban": "城镇", "rural": "农村"}


def _problem(model: Any) -> SitingProblem:

    problem: SitingProblem = model.meta["problem"]
    return problem


def _solve(model_kind: Model, sa: ServiceAccess, facility: list[str], *, add: int | None,
           minutes: float | None, ambulance: bool, candidates: str | Path, mode: str,
           exclude: list[str], capacity: float | None, method: Method,
           time_limit: float | None, grid_km: float, crs: str
           ) -> tuple[SitingResult, SitingProblem]:
    from hsplan.access.siting import LSCP, LSCPB, MCLP, PCenter, PMedian
    from hsplan.access.siting._base import nearest_open

    common: dict[str, Any] = {"candidates": candidates, "mode": mode, "exclude": exclude,
                              "grid_km": grid_km, "crs": crs}
    if model_kind in (Model.mclp, Model.lscp, Model.lscp_b):
        cls = {Model.mclp: MCLP, Model.lscp: LSCP, Model.lscp_b: LSCPB}[model_kind]
        cover = cls.from_access(sa, facility, k=add, minutes=minutes, ambulance=ambulance,
                                **common)
        problem = _problem(cover)
        if capacity is not None:
            cover = cls(_with_capacity(problem, capacity), radius=cover.radius, k=add)
            cover.meta["problem"] = problem
        if isinstance(cover, LSCPB):
            return cover.solve(time_limit_s=time_limit), problem
        assert isinstance(cover, MCLP | LSCP)  # the classes of the mapping above
        return cover.solve(method=method.value, time_limit_s=time_limit), problem
    model: PMedian | PCenter
    if model_kind is Model.p_median:
        model = PMedian.from_access(sa, facility, k=add, minutes=minutes, **common)
    else:
        model = PCenter.from_access(sa, facility, k=add, minutes=minutes, **common)
    problem = _problem(model)
    if capacity is not None and isinstance(model, PMedian):
        model = PMedian(_with_capacity(problem, capacity), k=add)
        model.meta["problem"] = problem
    result = model.solve(method=method.value, time_limit_s=time_limit) \
        if isinstance(model, PMedian) else model.solve(time_limit_s=time_limit)
    if problem.minutes is not None:
        a = result.assignments
        _, to_existing = nearest_open(problem.data, problem.data.existing)
        before = to_existing <= problem.minutes
        after = a["cost"].to_numpy() <= problem.minutes
        new = a["site_id"].isin(result.sites).to_numpy() & after & ~before
        a["covered_before"], a["covered_after"] = before, after
        a["new_site"] = a["site_id"].where(new, None)
    return result, problem


def _with_capacity(problem: SitingProblem, capacity: float) -> SitingData:
    import numpy as np

    from hsplan.access.siting._base import SitingData

    d = problem.data
    problem.data = SitingData(d.cost, d.weights, d.demand_ids, d.site_ids, d.existing,
                              d.excluded, d.site_cost, np.full(d.n_sites, float(capacity)),
                              d.unit)
    return problem.data


@app.command("site", rich_help_panel=PANEL_ACCESS)
def site_command(
    project_dir: Annotated[Path, typer.Argument(help="项目文件夹（含 hsplan.toml）")],
    model: Annotated[Model, typer.Option(
        "--model", help="模型：mclp（新增 k 个点覆盖人口最多）、lscp（覆盖全部人口的最少点数）、"
        "lscp-b（lscp 且双重覆盖最多）、p-median（平均行程最短）、p-center（最远行程最短）")
    ] = Model.mclp,
    facility: Annotated[list[str] | None, typer.Option(
        "--facility", help="现有网络的机构类型，如 乡镇卫生院（可重复）")
    ] = None,
    add: Annotated[int | None, typer.Option(
        "--add", help="新增点数（mclp、p-median、p-center）")] = None,
    minutes: Annotated[float | None, typer.Option(
        "--minutes", help="服务标准（分钟，默认 15）")] = None,
    ambulance: Annotated[bool, typer.Option(
        "--ambulance", help="按急救服务半径标准：城镇 15 分钟、农村 30 分钟")] = False,
    candidates: Annotated[str, typer.Option(
        "--candidates", help="候选点：villages（村居）、townships（乡镇驻地）、grid（网格）、"
        "upgrade（现有机构升级），或 .xlsx/.csv 清单（编号, 名称, 经度, 纬度[, 坐标系, 建设成本, "
        "服务能力]）")] = "villages",
    crs: Annotated[str, typer.Option(
        "--crs", help="候选清单的坐标系：WGS84、GCJ-02 或 BD-09")] = "WGS84",
    grid_km: Annotated[float, typer.Option(
        "--grid-km", help="--candidates grid 的网格间距（公里）")] = 3.0,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", help="不可选的候选点编号（可重复）")] = None,
    capacity: Annotated[float | None, typer.Option(
        "--capacity", help="每个点可服务的人数（有容量限制的 mclp / p-median）")
    ] = None,
    subtype: Annotated[str | None, typer.Option(
        "--subtype", help="情景中新机构的机构类型（默认：第一个 --facility；--ambulance 时为"
        "急救站）")] = None,
    method: Annotated[Method, typer.Option(
        "--method", help="求解方法：auto、exact（精确）或 greedy（贪心，并给出与下界的差距）")
    ] = Method.auto,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="求解时限（秒）；到时返回当前最优解及其已证明的差距")] = None,
    mode: Annotated[str, typer.Option("--mode", help="出行方式：drive 或 walk")] = "drive",
    year: Annotated[int | None, typer.Option("--year", help="人口年份")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="CSV、GeoPackage、地图和情景文件的输出文件夹（默认 PROJECT/outputs/site）")
    ] = None,
    fmt: Annotated[FrameFormat, typer.Option("--format", help="table、json 或 csv")
                   ] = FrameFormat.table,
) -> None:
    """新设施选址：覆盖模型（mclp、lscp、lscp-b）、中位与中心模型，现有机构固定；列出选中的点、
    新覆盖的人口和仍在服务圈外的村居，并写出 GeoPackage、地图和可供 `hsplan compare` 使用的情景。"""
    from hsplan.access.service import ServiceAccess
    from hsplan.access.siting.project import CANDIDATE_KINDS, outside_table, sites_table
    from hsplan.region import schema
    from hsplan.region.project import Project

    if ambulance and not facility:
        facility = list(AMBULANCE_SUBTYPES)
    problems: list[Problem] = []
    if not facility:
        problems.append(Problem("--facility", expected="at least one 机构类型, e.g. 乡镇卫生院",
                                got="none", fix="add --facility 乡镇卫生院"))
    if model in (Model.mclp, Model.p_median, Model.p_center) and add is None:
        problems.append(Problem("--add", expected=f"the number of new sites for {model.value}",
                                got="none", fix="add --add 2"))
    new_subtype = subtype or ("急救站" if ambulance else (facility[0] if facility else ""))
    if new_subtype and new_subtype not in schema.FACILITY_SUBTYPES:
        problems.append(Problem("--subtype", expected="a 机构类型 of docs/schema.md",
                                got=new_subtype))
    raise_if_errors(problems, context="hsplan site")
    facility = facility or []
    if minutes is None and not ambulance and model in (Model.mclp, Model.lscp, Model.lscp_b,
                                                       Model.p_median, Model.p_center):
        minutes = 15.0
    project = Project.open(project_dir)
    sa = ServiceAccess.from_project(project, mode=mode, year=year,
                                    progress=fmt is FrameFormat.table)
    cand: str | Path = candidates if candidates in CANDIDATE_KINDS else Path(candidates)
    result, problem = _solve(model, sa, facility, add=add, minutes=minutes,
                             ambulance=ambulance, candidates=cand, mode=mode,
                             exclude=exclude or [], capacity=capacity, method=method,
                             time_limit=time_limit, grid_km=grid_km, crs=crs)
    table = sites_table(result, problem)
    outside = outside_table(result, problem)
    folder = out if out is not None else project.outputs_dir / "site"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"site_{model.value}"
    files = _write(result, problem, table, folder, stem, project, new_subtype, ambulance)
    if fmt is not FrameFormat.table:
        print_frame(table, title="sites", fmt=fmt)
        return
    _print(result, problem, table, outside, files, sa)


def _write(result: SitingResult, problem: SitingProblem, table: pd.DataFrame, folder: Path,
           stem: str, project: Project, subtype: str, ambulance: bool) -> dict[str, Path]:
    import yaml

    from hsplan.access.siting.project import scenario_from_result, siting_layers
    from hsplan.region.project import ROADS_NAME
    from hsplan.region.store import write_gpkg
    from hsplan.reports.siting_map import MODEL_ZH, siting_map

    files: dict[str, Path] = {"sites_csv": folder / f"{stem}_sites.csv"}
    table.to_csv(files["sites_csv"], index=False, encoding="utf-8-sig")
    files["gpkg"] = write_gpkg(folder / f"{stem}.gpkg", siting_layers(result, problem))
    roads = None
    if (project.root / ROADS_NAME).exists():
        import geopandas as gpd

        roads = gpd.read_file(project.root / ROADS_NAME, layer="roads")
    name = str(problem.access.region.meta.get("name", ""))
    standard = "急救服务半径" if ambulance else (
        f"{problem.minutes.max():g}分钟" if problem.minutes is not None else "")
    title = (f"{name} {subtype}选址：{MODEL_ZH.get(result.model, result.model)}，"
             f"新增{len(result.sites)}处 {standard}").strip()
    files["map_png"] = siting_map(result, problem, folder / f"{stem}_map.png", title=title,
                                  roads=roads)
    resources = {"ambulances": 1} if subtype in AMBULANCE_SUBTYPES else None
    doc = scenario_from_result(result, problem, subtype=subtype,
                               scenario_id=f"site-{result.model}", resources=resources)
    files["scenario"] = folder / f"{stem}_scenario.yaml"
    files["scenario"].write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                 encoding="utf-8")
    return files


def _print(result: SitingResult, problem: SitingProblem, table: pd.DataFrame,
           outside: pd.DataFrame, files: dict[str, Path], sa: ServiceAccess) -> None:
    from hsplan.access.siting._base import STATUS_ZH
    from hsplan.reports.siting_map import MODEL_ZH

    if sa.region.synthetic:
        console.print("[bold red]合成数据 SYNTHETIC DATA[/] — results of a generated example, "
                      "not of real facilities")
    gap = f"，差距 {result.gap:.2%}（证明界 {result.bound:,.4g}）" if result.gap > 0 else ""
    console.print(f"[bold]{MODEL_ZH.get(result.model, result.model)}[/] — {problem.facility}；"
                  f"候选点 {problem.candidates}（{int(problem.data.candidates.sum())}）；"
                  f"{STATUS_ZH.get(result.status, result.status)}{gap}；"
                  f"求解 {result.solve_s:.2f} 秒", highlight=False)
    console.print(f"[dim]行程时间模型 {problem.network}；{sa.year}年人口[/]", highlight=False)
    before, after = result.before, result.after
    if "covered" in after:
        console.print(f"覆盖人口 {before['covered']:,.0f} → {after['covered']:,.0f}"
                      f"（{before['share']:.1%} → {after['share']:.1%}），覆盖村居 "
                      f"{before['points_covered']:.0f} → {after['points_covered']:.0f} / "
                      f"{after['points']:.0f}", highlight=False)
    if "mean_cost" in after:
        console.print(f"平均行程 {before.get('mean_cost', float('nan')):.1f} → "
                      f"{after['mean_cost']:.1f} 分钟，最远 "
                      f"{before.get('max_cost', float('nan')):.1f} → "
                      f"{after.get('max_cost', float('nan')):.1f} 分钟", highlight=False)
    if result.model == "lscp-b":
        console.print(f"双重覆盖村居 {result.extra['backup_points']} / {after['points']:.0f}",
                      highlight=False)
    shown = table[[c for c in SITES_HEADERS if c in table]].copy()
    if shown["upgrades"].isna().all():
        shown = shown.drop(columns=["upgrades"])
    print_frame(shown.rename(columns=SITES_HEADERS),
                title=f"新增选址 new sites ({len(table)})")
    if "covered_after" in result.assignments:
        if outside.empty:
            console.print("[green]✓[/] 所有村居均在服务标准内 every village is within the "
                          "standard")
        else:
            view = outside[list(OUTSIDE_HEADERS)].copy()
            view["travel_min"] = view["travel_min"].where(view["travel_min"] < float("inf"))
            view["urban_rural"] = view["urban_rural"].map(URBAN_RURAL_ZH).fillna("—")
            print_frame(view.round({"travel_min": 1}).rename(columns=OUTSIDE_HEADERS),
                        title=f"仍在服务标准外的村居 villages still outside ({len(outside)})",
                        caption="— 行程超过截断时间（服务标准）或不可达")
    for label, path in files.items():
        console.print(f"[green]✓[/] {label:<10} {path}", highlight=False)

"""The evaluation report (评估报告): one Word document that assembles what hsplan computes.

`report_data` runs the analyses once — `hsplan.evaluation.targets.evaluate` (targets),
`hsplan.evaluation.norms.check` (resource-allocation norms), `hsplan.access.coverage` (15-minute
primary-care
circle and ambulance radii), `hsplan.demand.needs.needs` (needs by the end of the plan period) and
`hsplan.evaluation.tasks.task_status` (key tasks) — and `findings` turns the results into factual
sentences, each citing its figure. `write_report` lays everything out as a .docx with
python-docx: cover, 一、总体情况 … 七、问题与建议, 附 data sources and method notes, and the
charts of `hsplan.reports.charts` / `hsplan.access.coverage` embedded as pictures. No analysis
happens here.

Chinese text uses the East Asian font slot of Word (``w:eastAsia``): 宋体 for body text and
黑体 for headings; Word substitutes an installed font when these are absent.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan.errors import HsplanError, Problem, raise_if_errors
from hsplan.evaluation.targets import STATUS_ZH, STATUSES, evaluate, status_counts
from hsplan.plans.plan import Plan
from hsplan.region.model import Region
from hsplan.region.project import Project

KINDS = ("中期评估", "终期评估")
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
SYNTHETIC_MARK = "合成数据"
SYNTHETIC_NOTICE = ("合成数据：本报告的机构、资源、服务量、乡镇边界、村居位置与人口均为模型生成的"
                    "示例数据，仅用于演示，不反映真实情况。")
HEADINGS = ("一、总体情况", "二、主要指标完成情况", "三、资源配置标准执行情况", "四、服务可及性",
            "五、资源需求预测", "六、重点任务进展", "七、问题与建议", "附：数据来源与方法说明")
TARGET_HEADERS = ("编号", "指标", "单位", "基期值", "现状值", "目标值", "属性", "结论", "说明")
STATUS_FILL = {"met": "C6EFCE", "on track": "DDEBF7", "at risk": "FFEB9C",
               "off track": "FFC7CE", "not evaluable": "E7E6E6"}
NORM_FILL = {"pass": "C6EFCE", "fail": "FFC7CE", "not evaluable": "E7E6E6"}
OP_TEXT = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "approx": "≈"}
PRIMARY_CARE = {"category": ["基层医疗卫生机构"]}
PRIMARY_CARE_MIN = 15.0
MAX_LISTED = 40  # longest detail table printed in full; longer ones are cut with a note


def format_value(x: Any) -> str:
    """Return a value as the report prints it: 4 significant digits, "—" when missing."""
    if x is None or (isinstance(x, str) and not x) or (not isinstance(x, str) and pd.isna(x)):
        return "—"
    if isinstance(x, str):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return "—"
    return f"{f:.4g}"


def _count(x: Any) -> str:
    return "—" if x is None or pd.isna(x) else f"{float(x):,.0f}"


def _pct(x: Any) -> str:
    return "—" if x is None or pd.isna(x) else f"{float(x):.1f}%"


@dataclass
class ReportData:
    """Everything the report shows: the results of the analyses, unformatted.

    `coverage` / `ambulance` are `hsplan.reports.coverage.CoverageReport` objects (None when travel
    times were not computed); `needs` a `hsplan.demand.needs.NeedsResult`; `tasks` the
    `task_status` frame and `departments` its `by_department` counts; `access` the
    `hsplan.access.service.ServiceAccess` model used (None without travel times).
    """

    project: Project
    region: Region
    plan: Plan
    year: int
    kind: str
    as_of: dt.date
    synthetic: bool
    evaluation: pd.DataFrame
    counts: dict[str, int]
    norms: Any
    coverage: Any
    ambulance: Any
    needs: Any
    tasks: pd.DataFrame
    departments: pd.DataFrame
    network: str | None = None
    access: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Return the report title, e.g. 《…规划》中期评估报告."""
        return f"《{self.plan.title}》{self.kind}报告"

    @property
    def area_name(self) -> str:
        """Return the region's name without the example suffix."""
        name = str(self.region.meta.get("name") or self.project.name)
        return name.replace("（合成示例）", "")


def _check_args(kind: str, year: int | None) -> None:
    problems = []
    if kind not in KINDS:
        problems.append(Problem("report, argument kind", expected=" or ".join(KINDS), got=kind,
                                fix="use --kind 中期评估 or --kind 终期评估"))
    if year is not None and not 1900 <= int(year) <= 2100:
        problems.append(Problem("report, argument year", expected="a year 1900–2100",
                                got=str(year), fix="e.g. --year 2023"))
    raise_if_errors(problems, context="report")


def report_data(project: Project, plan: Plan, *, year: int | None = None,
                kind: str = "中期评估", travel: bool = True,
                progress: Callable[[str], None] | None = None) -> ReportData:
    """Return the results the report shows for `plan` on `project` in `year` (default: the
    latest year with data), computed by the hsplan analysis modules.

    Notes
    -----
    Targets: `evaluate` (county level). Norms: `norms.check` with travel times from
    `ServiceAccess.from_project` when `travel`. Access: `coverage_report` for 基层医疗卫生机构
    within 15 minutes and for ambulance bases (urban 15 min / 5 km, rural 30 min / 20 km).
    Needs: `needs` by the plan's end year with the bundled assumptions. Tasks: `task_status`
    as of 31 December of the evaluation year.
    """
    from hsplan.access.service import ServiceAccess
    from hsplan.demand.needs import load_assumptions, needs
    from hsplan.evaluation import norms as norms_mod
    from hsplan.evaluation.tasks import by_department, task_status
    from hsplan.reports.coverage import coverage_report

    _check_args(kind, year)
    step = progress or (lambda _label: None)
    region = project.load()
    if year is None:
        year = region.years[-1] if region.years else plan.period_end
    year = int(year)
    step("一、总体情况 / 二、主要指标")
    evaluation = evaluate(region, plan, year=year)
    step("三、资源配置标准")
    access = ServiceAccess.from_project(project, year=year) if travel else None
    norm_result = norms_mod.check(region, plan, year=year, access=access)
    cover = amb = None
    network = None
    if access is not None:
        step("四、服务可及性")
        cover = coverage_report(access, PRIMARY_CARE, minutes=PRIMARY_CARE_MIN)
        amb = coverage_report(access, ambulance=True)
        network = str(cover.points.attrs.get("network", ""))
    step("五、资源需求预测")
    need = needs(region, plan, year=plan.period_end, assumptions=load_assumptions())
    step("六、重点任务")
    as_of = dt.date(year, 12, 31)
    tasks = task_status(plan, region.progress, as_of=as_of)
    return ReportData(
        project=project, region=region, plan=plan, year=year, kind=kind, as_of=as_of,
        synthetic=bool(region.synthetic or project.synthetic), evaluation=evaluation,
        counts=status_counts(evaluation), norms=norm_result, coverage=cover, ambulance=amb,
        needs=need, tasks=tasks, departments=by_department(plan, tasks), network=network,
        access=access)


# --- findings -------------------------------------------------------------------------------


def _target_phrase(row: pd.Series) -> str:
    unit = "" if pd.isna(row["unit"]) or row["unit"] in ("1:x",) else str(row["unit"])
    target = format_value(row["target"])
    op = OP_TEXT.get(str(row["op"]), str(row["op"]))
    return (f"{row['target_id']}“{row['name']}”现状值 {format_value(row['value'])}{unit}"
            f"（{format_value(row['value_year'])}年），目标 {op} {target}{unit}")


def worst_norms(norm_result: Any, *, top: int = 3) -> pd.DataFrame:
    """Return the failed norms with most failures first: norm_id, name, failed, checked,
    shortfall (sum of the violations' shortfalls in the rule's unit) and unit."""
    summary = norm_result.summary
    failed = summary[summary["status"] == "fail"]
    vio = norm_result.violations
    sums = vio.groupby("norm_id")["shortfall"].sum()
    units = vio.groupby("norm_id")["unit"].first()
    out = failed.assign(shortfall=failed["norm_id"].map(sums).fillna(0.0),
                        unit=failed["norm_id"].map(units).fillna(""))
    out = out.sort_values(["failed", "shortfall"], ascending=False, kind="stable")
    return out[["norm_id", "name", "failed", "checked", "shortfall", "unit"]].head(top)


def findings(data: ReportData) -> list[str]:
    """Return the sentences of 七、问题与建议, each derived from and citing a computed figure.

    Notes
    -----
    In order: off-track and at-risk 约束性 targets (or, when there are none, the off-track
    expected targets); the norms with the most failures; the townships with the lowest
    15-minute primary-care and ambulance coverage; late tasks; targets not evaluable for
    lack of data.
    """
    out: list[str] = []
    ev = data.evaluation
    binding = ev[(ev["nature"] == "约束性") & ev["status"].isin(("off track", "at risk"))]
    if not binding.empty:
        for _, row in binding.iterrows():
            out.append(f"约束性指标{_target_phrase(row)}，评估结论为“{STATUS_ZH[row['status']]}”，"
                       "须作为下一阶段的首要任务。")
    else:
        n_binding = int((ev["nature"] == "约束性").sum())
        out.append(f"{n_binding} 项约束性指标中没有偏离目标或进度滞后的指标。"
                   if n_binding else "规划未列出约束性指标。")
        off = ev[ev["status"] == "off track"]
        for _, row in off.head(5).iterrows():
            out.append(f"指标{_target_phrase(row)}，评估结论为“偏离目标”，建议分析原因并调整措施。")
        if len(off) > 5:
            out.append(f"另有 {len(off) - 5} 项指标偏离目标（见二、主要指标完成情况）。")
    for _, n in worst_norms(data.norms).iterrows():
        short = f"，合计缺 {_count(n['shortfall'])} {n['unit']}" if n["shortfall"] else ""
        out.append(f"资源配置标准 {n['norm_id']}“{n['name']}”在 {n['checked']} 个检查对象中 "
                   f"{n['failed']} 个未达标{short}，建议按标准补齐。")
    for label, rep in (("15分钟基层医疗服务圈", data.coverage), ("急救服务半径", data.ambulance)):
        if rep is None:
            continue
        towns = rep.summary[rep.summary["group"] == "township"]
        total = rep.summary[rep.summary["group"] == "total"]
        if towns.empty:
            continue
        low = towns.sort_values("covered_pct", kind="stable").iloc[0]
        overall = float(total["covered_pct"].iloc[0]) if not total.empty else float("nan")
        if float(low["covered_pct"]) >= 100.0:
            out.append(f"{label}覆盖全部常住人口（{_pct(overall)}），各乡镇（街道）均为 100%。")
        else:
            out.append(f"{label}人口覆盖率为 {_pct(overall)}，最低的是{low['name']}"
                       f"（{_pct(low['covered_pct'])}，未覆盖 "
                       f"{_count(low['pop'] - low['pop_covered'])} 人），建议优先改善其可及性。")
    tasks = data.tasks[data.tasks["kind"] == "task"]
    late = tasks[tasks["status"] == "late"]
    if not late.empty:
        names = "、".join(f"{r.task_id}“{r.title}”（滞后 {r.days_late} 天）"
                         for r in late.head(5).itertuples())
        out.append(f"截至 {data.as_of.isoformat()}，{len(late)} 项重点任务滞后：{names}。")
    no_report = int((tasks["status"] == "no report").sum())
    if no_report:
        out.append(f"截至 {data.as_of.isoformat()}，{no_report} 项重点任务尚无进展报告，"
                   "建议牵头单位按期报送。")
    n_ne = data.counts.get("not evaluable", 0)
    if n_ne:
        out.append(f"{n_ne} 项指标因缺少数据无法评估，建议补充统计或报送相应数据。")
    return out


# --- the Word document --------------------------------------------------------------------


def _east_asia(element: Any, name: str, latin: str = LATIN_FONT) -> None:
    """Set the East Asian (w:eastAsia) and Latin fonts of a run or style element."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _style_fonts(doc: Any) -> None:
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(11)
    _east_asia(normal.element, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asia(style.element, HEADING_FONT)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto",
                                         qn("w:fill"): fill})
    tcpr.append(shd)


def _table(doc: Any, headers: tuple[str, ...] | list[str], rows: list[list[str]], *,
           fills: list[str] | None = None, fill_col: int | None = None,
           size_pt: float = 9, widths_cm: tuple[float, ...] | None = None) -> Any:
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        _shade(cell, "D9D9D9")
    for i, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
        if fills is not None and fill_col is not None and fills[i]:
            _shade(cells[fill_col], str(fills[i]))
    if widths_cm is not None:
        table.autofit = False
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)
    for row in table.rows:
        for k, cell in enumerate(row.cells):
            if widths_cm is not None:
                cell.width = Cm(widths_cm[k])
            for par in cell.paragraphs:
                for run in par.runs:
                    run.font.size = Pt(size_pt)
    return table


def _red(paragraph: Any, text: str, *, bold: bool = True, size_pt: float | None = None) -> Any:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.bold = bold
    run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    if size_pt:
        run.font.size = Pt(size_pt)
    return run


def _picture(doc: Any, path: Path, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(str(path), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap = doc.add_paragraph(caption)
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _cover(doc: Any, data: ReportData) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    for _ in range(4):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(data.title).font.size = Pt(22)
    plan = data.plan
    lines = [f"地区：{data.area_name}（{plan.region_code or data.project.county_code or ''}）",
             f"评估类型：{data.kind}",
             f"评估年度：{data.year}年（数据截至 {data.year} 年，任务进展截至 "
             f"{data.as_of.isoformat()}）",
             f"规划期：{plan.period_start}—{plan.period_end}年",
             f"规划来源：{plan.issuer + '，' if plan.issuer else ''}{plan.source_document}"
             f"{'（' + plan.date + '）' if plan.date else ''}",
             f"生成日期：{dt.date.today().isoformat()}（hsplan 自动生成）"]
    for line in lines:
        par = doc.add_paragraph(line)
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if data.synthetic:
        doc.add_paragraph()
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _red(par, SYNTHETIC_MARK, size_pt=28)
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _red(par, SYNTHETIC_NOTICE, bold=False, size_pt=11)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _header(doc: Any, data: ReportData) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for section in doc.sections:
        par = section.header.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if data.synthetic:
            _red(par, f"{SYNTHETIC_MARK} · ", size_pt=9)
        par.add_run(data.title).font.size = None


def _overview(doc: Any, data: ReportData, charts: Path) -> None:
    from hsplan.reports.charts import evaluation_chart

    doc.add_heading(HEADINGS[0], level=1)
    ev = data.evaluation
    evaluable = len(ev) - data.counts["not evaluable"]
    doc.add_paragraph(
        f"《{data.plan.title}》共列出 {len(ev)} 项指标，其中 {evaluable} 项可根据 {data.year} "
        f"年数据评估：" + "，".join(f"{STATUS_ZH[s]} {data.counts[s]} 项" for s in STATUSES) + "。")
    rows = []
    for nature in ("约束性", "预期性", "未标注"):
        part = ev[ev["nature"] == nature] if nature != "未标注" else ev[ev["nature"].isna()]
        if part.empty:
            continue
        c = status_counts(part)
        rows.append([nature, str(len(part)), *(str(c[s]) for s in STATUSES)])
    c = data.counts
    rows.append(["合计", str(len(ev)), *(str(c[s]) for s in STATUSES)])
    _table(doc, ["指标属性", "指标数", *(STATUS_ZH[s] for s in STATUSES)], rows, size_pt=10)
    path = evaluation_chart(ev, charts / "evaluation.png", synthetic=data.synthetic,
                            title=f"{data.area_name} 规划指标进展（{data.year}年）")
    _picture(doc, path, "图1 规划指标进展（按目标完成程度，颜色为评估结论）")


def _targets(doc: Any, data: ReportData) -> None:
    doc.add_heading(HEADINGS[1], level=1)
    doc.add_paragraph("下表按评估结论排序：约束性指标中偏离目标、进度滞后的在前。现状值为 "
                      f"{data.year} 年及以前最近一年的数值；“说明”为判断依据。")
    rows, fills = [], []
    for _, r in data.evaluation.iterrows():
        target = format_value(r["target"]) if r["op"] not in ("text",) else str(r["target_text"])
        if r["op"] in ("up", "down") and pd.isna(r["target"]):
            target = "提高" if r["op"] == "up" else "降低"
        elif r["op"] == "range":
            target = f"{format_value(r['target_low'])}—{format_value(r['target_high'])}"
        elif not pd.isna(r["target"]):
            target = f"{OP_TEXT.get(str(r['op']), r['op'])} {target}"
        rows.append([str(r["target_id"]), str(r["name"]), format_value(r["unit"]),
                     format_value(r["baseline_value"]), format_value(r["value"]), target,
                     format_value(r["nature"]), STATUS_ZH[r["status"]], str(r["reason"])])
        fills.append(STATUS_FILL[r["status"]])
    _table(doc, TARGET_HEADERS, rows, fills=fills, fill_col=7, size_pt=8,
           widths_cm=(1.1, 3.2, 1.3, 1.2, 1.2, 1.5, 1.1, 1.4, 4.5))


def _norms(doc: Any, data: ReportData, charts: Path) -> None:
    from hsplan.evaluation.norms import STATUS_ZH as NORM_ZH
    from hsplan.reports.charts import violations_map

    doc.add_heading(HEADINGS[2], level=1)
    result = data.norms
    counts = result.status_counts()
    doc.add_paragraph(f"规划共列出 {len(result.summary)} 条资源配置标准，{result.year} 年检查结果："
                      + "，".join(f"{NORM_ZH[s]} {n} 条" for s, n in counts.items())
                      + f"；未达标明细 {len(result.violations)} 条。"
                      + ("" if data.coverage is not None else
                         "未计算行程时间（--no-travel），服务半径类标准无法评估。"))
    doc.add_heading("（一）分标准检查结果", level=2)
    rows = [[str(r.norm_id), str(r.name or r.description), str(r.checked), str(r.passed),
             str(r.failed), NORM_ZH[r.status]] for r in result.summary.itertuples()]
    _table(doc, ["编号", "标准", "检查数", "达标", "未达标", "结论"], rows,
           fills=[NORM_FILL[s] for s in result.summary["status"]], fill_col=5, size_pt=8,
           widths_cm=(1.2, 8.3, 1.6, 1.6, 1.6, 2.2))
    doc.add_heading("（二）未达标明细", level=2)
    vio = result.violations
    if vio.empty:
        doc.add_paragraph("无未达标项。")
    else:
        vrows = [[str(v.norm_id), format_value(v.area_name),
                  format_value(v.facility_name), str(v.expected), str(v.actual),
                  str(v.shortfall_text)] for v in vio.head(MAX_LISTED).itertuples()]
        _table(doc, ["编号", "区域", "机构", "标准", "现状", "差距"], vrows, size_pt=8,
               widths_cm=(1.2, 2.6, 2.8, 3.6, 2.6, 3.7))
        if len(vio) > MAX_LISTED:
            doc.add_paragraph(f"（仅列出前 {MAX_LISTED} 条，共 {len(vio)} 条；完整明细见 "
                              "hsplan check --format xlsx。）")
    path = violations_map(data.region, result, charts / "violations.png",
                          title=f"{data.area_name} 资源配置标准未达标分布（{result.year}年）")
    _picture(doc, path, "图2 资源配置标准未达标分布")


def _access(doc: Any, data: ReportData, charts: Path) -> None:
    from hsplan.reports.coverage import coverage_map

    doc.add_heading(HEADINGS[3], level=1)
    if data.coverage is None or data.ambulance is None:
        doc.add_paragraph("本次未计算行程时间（--no-travel），不评估服务可及性。")
        return
    figure = 3
    for label, rep, kind in (
            ("（一）15分钟基层医疗服务圈", data.coverage, "基层医疗卫生机构 15 分钟车程"),
            ("（二）急救服务半径", data.ambulance,
             "急救站点：城镇 15 分钟或 5 公里、农村 30 分钟或 20 公里")):
        doc.add_heading(label, level=2)
        total = rep.summary[rep.summary["group"] == "total"].iloc[0]
        doc.add_paragraph(f"标准：{kind}；参与计算的机构 {len(rep.facilities)} 个，需求点 "
                          f"{int(total['points'])} 个村（社区），常住人口 "
                          f"{_count(total['pop'])} 人，覆盖 {_count(total['pop_covered'])} 人"
                          f"（{_pct(total['covered_pct'])}）。")
        rows = [[str(r.name), str(r.points), _count(r.pop), _count(r.pop_covered),
                 _pct(r.covered_pct)] for r in rep.summary.itertuples()]
        _table(doc, ["乡镇（街道）/城乡", "村居数", "人口", "覆盖人口", "覆盖率"], rows, size_pt=9)
        out = rep.uncovered
        if out.empty:
            doc.add_paragraph("所有村（社区）均在服务范围内。")
        else:
            doc.add_paragraph(f"服务范围外的村（社区）{len(out)} 个：")
            orows = [[str(r.name), str(r.township_name), _count(r.pop),
                      format_value(round(float(r.travel_min), 1)) if not pd.isna(r.travel_min)
                      else "不可达", str(r.facility_name) if isinstance(r.facility_name, str)
                      else "—"] for r in out.head(MAX_LISTED).itertuples()]
            _table(doc, ["村（社区）", "乡镇（街道）", "人口", "行程（分钟）", "最近机构"], orows,
                   size_pt=8)
        stem = "coverage" if rep is data.coverage else "ambulance"
        path = coverage_map(data.access, rep.points, rep.facilities,
                            charts / f"{stem}.png", bands=rep.isochrones,
                            title=f"{data.area_name} {label[3:]}"
                                  f"（{rep.points.attrs.get('year')}年）")
        _picture(doc, path, f"图{figure} {label[3:]}覆盖")
        figure += 1


def _needs(doc: Any, data: ReportData, charts: Path) -> None:
    from hsplan.reports.charts import needs_chart

    doc.add_heading(HEADINGS[4], level=1)
    result = data.needs
    doc.add_paragraph(f"以 {result.base_year} 年为基年，按{result.method}方法预测常住人口，测算到 "
                      f"{result.year} 年（规划期末）的资源需要量；“缺口”为需要量减现有量。")
    rows = [[str(r.item), format_value(r.value_needed), format_value(r.current_value),
             format_value(r.plan_target), format_value(r.gap), str(r.unit)]
            for r in result.table.itertuples()]
    _table(doc, ["项目", "需要量", "现有量", "规划目标", "缺口", "单位"], rows, size_pt=8)
    path = needs_chart(result, charts / "needs.png", synthetic=data.synthetic,
                       title=f"{result.area_name} {result.year}年需要量 — {data.plan.title}")
    _picture(doc, path, "图5 人口结构与床位、人员需要量")


def _tasks(doc: Any, data: ReportData) -> None:
    from hsplan.evaluation.tasks import STATUS_ORDER
    from hsplan.evaluation.tasks import STATUS_ZH as TASK_ZH
    from hsplan.evaluation.tasks import status_counts as task_counts

    doc.add_heading(HEADINGS[5], level=1)
    counts = task_counts(data.tasks)
    doc.add_paragraph(f"规划共 {sum(counts.values())} 项重点任务，截至 {data.as_of.isoformat()}："
                      + "，".join(f"{TASK_ZH[s]} {n} 项" for s, n in counts.items() if n) + "。")
    tasks = data.tasks[data.tasks["kind"] == "task"]
    rows = [[str(r["task_id"]), str(r["title"]), str(r["lead"]), str(r["deadline"]),
             TASK_ZH[str(r["status"])], format_value(r["days_late"])]
            for r in tasks.head(MAX_LISTED).to_dict(orient="records")]
    doc.add_heading("（一）任务进展（滞后的在前）", level=2)
    _table(doc, ["编号", "任务", "牵头单位", "时限", "进度", "滞后天数"], rows, size_pt=8)
    if len(tasks) > MAX_LISTED:
        doc.add_paragraph(f"（仅列出前 {MAX_LISTED} 项，共 {len(tasks)} 项；"
                          "完整列表见 hsplan tasks。）")
    doc.add_heading("（二）牵头单位任务统计", level=2)
    dept = data.departments
    lead = dept[dept["role"] == "牵头"] if not dept.empty else dept
    drows = [[str(r["department"]), str(r["tasks"]),
              *(str(r[s.replace(" ", "_")]) for s in STATUS_ORDER)] for _, r in lead.iterrows()]
    _table(doc, ["牵头单位", "任务数", *(TASK_ZH[s] for s in STATUS_ORDER)], drows, size_pt=8)


def _appendix(doc: Any, data: ReportData) -> None:
    doc.add_heading(HEADINGS[7], level=1)
    ev = data.evaluation
    computed = int((ev["source"] == "computed").sum())
    reported = int((ev["source"] == "reported").sum())
    missing = int((ev["source"] == "no data").sum())
    sources = data.region.meta.get("sources") or []
    lines = [
        f"规划文本：{data.plan.source_document}（hsplan 规划 {data.plan.id}）。",
        f"指标现状值：{computed} 项由 hsplan 根据机构、资源、服务量与人口数据计算，{reported} 项为"
        f"报送值，{missing} 项无数据。",
        "评估结论：按目标值与年均变化趋势判断（已达标、进度正常、进度滞后、偏离目标、无法评估），"
        "规则见 hsplan.evaluation.targets。",
        "资源配置标准：按规划所列标准逐区域、逐机构检查（hsplan.evaluation.norms）。",
        "行程时间模型：" + (data.network or "未计算（--no-travel）") + "。",
        "资源需求：人口预测与需要量公式见 hsplan needs --format xlsx（默认假设 "
        "data/assumptions/default.yaml）。",
        "区划与人口底数来源：" + ("；".join(str(s) for s in sources) or "项目数据") + "。",
    ]
    for line in lines:
        doc.add_paragraph(line, style="List Bullet")
    if data.synthetic:
        _red(doc.add_paragraph(), SYNTHETIC_NOTICE, bold=False)
        note = data.region.meta.get("synthetic_note")
        if note:
            doc.add_paragraph(str(note))


def write_report(project: Project, plan: Plan, path: str | Path, *, year: int | None = None,
                 kind: str = "中期评估", travel: bool = True,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Write the evaluation report (.docx) of `plan` on `project` to `path`; return the path.

    Sections: cover, 一、总体情况 … 七、问题与建议 and 附 (see `HEADINGS`), with the charts
    embedded. `progress` is called with the name of each section as it is built. The file
    is written to a temporary name beside `path` and moved into place (atomic).

    Notes
    -----
    The numbers come from `report_data`; the sentences of 七 from `findings`.
    """
    from docx import Document

    target = Path(path)
    if target.suffix.lower() != ".docx":
        raise HsplanError(f"{target}: expected a .docx file name, got {target.suffix or 'none'}."
                          " Fix: e.g. --out outputs/report.docx.")
    data = report_data(project, plan, year=year, kind=kind, travel=travel, progress=progress)
    step = progress or (lambda _label: None)
    doc = Document()
    _style_fonts(doc)
    _cover(doc, data)
    _header(doc, data)
    with tempfile.TemporaryDirectory(prefix="hsplan-report-") as tmp:
        charts = Path(tmp)
        step("图表：指标进展")
        _overview(doc, data, charts)
        _targets(doc, data)
        step("图表：未达标分布")
        _norms(doc, data, charts)
        step("图表：可及性地图")
        _access(doc, data, charts)
        step("图表：需要量")
        _needs(doc, data, charts)
    _tasks(doc, data)
    doc.add_heading(HEADINGS[6], level=1)
    for k, sentence in enumerate(findings(data), start=1):
        doc.add_paragraph(f"{k}. {sentence}")
    _appendix(doc, data)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = target.with_name(f".{target.name}.tmp")
    doc.save(str(tmp_path))
    tmp_path.replace(target)
    return target

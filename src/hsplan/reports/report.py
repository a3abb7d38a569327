"""The evaluation report (评估报告): a document a 卫健委 can submit, as Word, PDF or HTML.

`report_data` runs the analyses once — `hsplan.evaluation.targets.evaluate` (targets, and
once per earlier year for the trend charts), `hsplan.evaluation.norms.check`
(resource-allocation norms), `hsplan.reports.coverage.coverage_report` (15-minute primary
care circle, ambulance radii), `hsplan.demand.needs.needs` and
`hsplan.evaluation.tasks.task_status`. `achievements`, `problems` and `recommendations` turn
the numbers into sentences, each naming the indicator, township or department and citing
its figure. `report_blocks` lays the document out as blocks (headings, paragraphs,
tables, figures) that `write_report` renders to .docx (through the styles of the shipped
template, see `hsplan.reports._word`), .pdf (LibreOffice) or .html.

The text is Chinese throughout: no identifiers, file names or commands; numbers by unit
(`hsplan._i18n.format_number`), never in scientific notation.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._i18n import format_count, format_number, format_percent, is_missing
from hsplan.errors import HsplanError, Problem, raise_if_errors
from hsplan.evaluation.targets import (
    AT_RISK,
    MET,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ZH,
    STATUSES,
    evaluate,
    status_counts,
)
from hsplan.plans.plan import Plan
from hsplan.plans.readings import Readings
from hsplan.region.model import Region
from hsplan.region.project import Project
from hsplan.reports._render import (
    SYNTHETIC_MARK,
    SYNTHETIC_NOTICE,
    TEXT_WIDTH_CM,
    Block,
    date_text,
    docx_to_pdf,
    front_pages,
    heading_pages,
    pdf_page_texts,
    soffice,
    to_docx,
    to_html,
)
from hsplan.reports.progress import (
    completion_pct,
    delta,
    explain,
    explain_long,
    target_text,
    time_pct,
)

__all__ = ["ANNEXES", "HEADINGS", "KINDS", "SYNTHETIC_MARK", "TARGET_HEADERS", "ReportData",
           "achievements", "chinese_only", "format_value", "problems", "recommendations",
           "report_blocks", "report_data", "worst_norms", "write_report"]

KINDS = ("中期评估", "终期评估")
FORMATS = ("docx", "pdf", "html")
HEADINGS = ("一、评估背景与依据", "二、评估方法", "三、总体进展", "四、主要指标完成情况",
            "五、资源配置标准执行情况", "六、服务可及性", "七、资源需求预测", "八、重点任务进展",
            "九、主要成效", "十、存在问题", "十一、下一步工作建议")
ANNEXES = ("附件1　数据来源与评估方法", "附件2　指标评估明细", "附件3　资源配置标准未达标明细",
           "附件4　服务范围外的村（社区）", "附件5　重点任务进展明细")
TARGET_HEADERS = ("序号", "指标", "单位", "基期值", "现状值", "目标值", "完成进度", "评估结论",
                  "说明")
STATUS_FILL = {MET: "C6EFCE", ON_TRACK: "DDEBF7", AT_RISK: "FFEB9C", OFF_TRACK: "FFC7CE",
               NOT_EVALUABLE: "E7E6E6"}
NORM_FILL = {"pass": "C6EFCE", "fail": "FFC7CE", "not evaluable": "E7E6E6"}
PRIMARY_CARE = {"category": ["基层医疗卫生机构"]}
PRIMARY_CARE_MIN = 15.0
# Latin words a Chinese report may carry (units and established abbreviations)
LATIN_ALLOWED = frozenset({"CT", "MRI", "ICU", "DR", "ECMO", "GDP", "PET", "DSA", "CCU", "NICU",
                           "PICU", "HIV", "km", "kg", "mg", "ml", "mmHg", "TFR", "CDC", "PCR",
                           "HPV", "BMI", "EICU", "MDT", "DRG", "DIP", "HIS", "LIS", "PACS", "DEA",
                           "km²", "pp", "i", "N", "m", "h"})
_LATIN_RUN = re.compile(r"\s*[(（][^()（）]*[A-Za-z]{3,}[^()（）]*[)）]|[A-Za-z][A-Za-z .,/&'-]*")
_BIG_NUMBER = re.compile(r"(?<![\d.])(\d{5,})(?![\d.])")


# --- the numbers --------------------------------------------------------------------------------


def format_value(x: Any, unit: Any = None) -> str:
    """Return a value as the report prints it: decimals by `unit`, thousands separators,
    "—" when missing, never scientific notation (see `hsplan._i18n.format_number`)."""
    return format_number(x, unit)


def chinese_only(text: str) -> str:
    """Return `text` without Latin words (and bracketed asides holding them), keeping the
    allowed abbreviations (`LATIN_ALLOWED`); long numbers get thousands separators."""
    def drop(m: re.Match[str]) -> str:
        word = m.group(0).strip()
        return m.group(0) if word in LATIN_ALLOWED else ""

    out = _LATIN_RUN.sub(drop, str(text))
    out = _BIG_NUMBER.sub(lambda m: f"{int(m.group(1)):,}", out)
    out = re.sub(r"\s{2,}", " ", out).strip(" ,;，；:")
    return re.sub(r"[（(]\s*[)）]", "", out)


@dataclass
class ReportData:
    """Everything the report shows: the results of the analyses, unformatted.

    `coverage` / `ambulance` are `hsplan.reports.coverage.CoverageReport` objects (None when
    travel times were not computed); `needs` a `hsplan.demand.needs.NeedsResult`; `tasks`
    the `task_status` frame and `departments` its `by_department` counts; `series` the
    value of each target by year (target id → {year: value}).
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
    series: dict[str, dict[int, float]] = field(default_factory=dict)
    network: str | None = None
    access: Any = None
    institutions: pd.DataFrame | None = None
    issuer: str = ""
    date: dt.date = field(default_factory=dt.date.today)
    readings: Any = None
    #: a scenario beside the baseline (`hsplan.scenarios.scenario.Comparison`) and its
    #: changes in words, for the 情景测算 annex
    comparison: Any = None
    scenario_changes: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """Return the report title, e.g. 《…规划》中期评估报告."""
        return f"《{self.plan.title}》{self.kind}报告"

    @property
    def area_name(self) -> str:
        """Return the region's name without the example suffix."""
        name = str(self.region.meta.get("name") or self.project.name)
        return name.replace("（合成示例）", "")

    @property
    def years_left(self) -> int:
        """Return the whole years from the evaluation year to the plan's end (at least 1)."""
        return max(1, int(self.plan.period_end) - int(self.year))


def _check_args(kind: str, year: int | None, fmt: str = "docx") -> None:
    problems = []
    if kind not in KINDS:
        problems.append(Problem("report, argument kind", expected=" or ".join(KINDS), got=kind,
                                fix="use --kind 中期评估 or --kind 终期评估"))
    if year is not None and not 1900 <= int(year) <= 2100:
        problems.append(Problem("report, argument year", expected="a year 1900–2100",
                                got=str(year), fix="e.g. --year 2023"))
    if fmt not in FORMATS:
        problems.append(Problem("report, argument format", expected=" or ".join(FORMATS),
                                got=fmt, fix="use --format docx, pdf or html"))
    raise_if_errors(problems, context="report")


def default_issuer(area_name: str) -> str:
    """Return the usual name of the health authority of `area_name` (县/区 卫生健康局,
    市/州 卫生健康委员会)."""
    if area_name.endswith(("市", "州", "盟")):
        return f"{area_name}卫生健康委员会"
    return f"{area_name}卫生健康局"


def report_data(project: Project, plan: Plan, *, year: int | None = None,
                kind: str = "中期评估", travel: bool = True, issuer: str | None = None,
                progress: Callable[[str], None] | None = None,
                scenario: Any = None) -> ReportData:
    """Return the results the report shows for `plan` on `project` in `year` (default: the
    latest year with data), computed by the hsplan analysis modules.

    Notes
    -----
    Targets: `evaluate` (county level), and once per earlier data year for the trends.
    Norms: `norms.check` with travel times from `ServiceAccess.from_project` when `travel`.
    Access: `coverage_report` for 基层医疗卫生机构 within 15 minutes and for ambulance bases
    (urban 15 min / 5 km, rural 30 min / 20 km). Needs: `needs` by the plan's end year with
    the bundled assumptions. Tasks: `task_status` as of 31 December of the evaluation year.
    `scenario` (a `hsplan.scenarios.scenario.Scenario`, e.g. one `hsplan site` wrote): its
    `compare` with the baseline, in the scenario's year, on the same travel-time model.
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
    step("主要指标")
    evaluation = evaluate(region, plan, year=year)
    series: dict[str, dict[int, float]] = {}
    for y in [y for y in region.years if y < year] + [year]:
        frame = evaluation if y == year else evaluate(region, plan, year=y)
        for r in frame.to_dict(orient="records"):
            if not is_missing(r["value"]) and not is_missing(r["value_year"]):
                series.setdefault(str(r["target_id"]), {})[int(r["value_year"])] = float(r["value"])
    step("资源配置标准")
    readings = Readings.from_plan(plan)
    missing: dict[str, str] = {}
    access = None
    if travel:
        try:
            access = ServiceAccess.from_project(project, year=year).with_readings(readings)
        except HsplanError as exc:  # no demand points: 无法评估, never an abort
            missing["access"] = access_missing_text(exc)
    else:
        missing["access"] = "本次评估未计算行程时间"
    norm_result = norms_mod.check(region, plan, year=year, access=access)
    cover = amb = None
    network = None
    if access is not None:
        step("服务可及性")
        cover = coverage_report(access, PRIMARY_CARE, minutes=PRIMARY_CARE_MIN)
        amb = coverage_report(access, ambulance=True)
        network = str(cover.points.attrs.get("network", ""))
    step("资源需求预测")
    need = None
    try:
        need = needs(region, plan, year=plan.period_end, assumptions=load_assumptions())
    except HsplanError as exc:
        missing["needs"] = f"缺少人口预测所需数据：{chinese_only(str(exc)) or exc}"
    step("重点任务")
    from hsplan.evaluation.institutions import evaluate_institutions

    institutions = evaluate_institutions(region, plan, year=year) if plan.institutions else None
    as_of = dt.date(year, 12, 31)
    tasks = task_status(plan, region.progress, as_of=as_of)
    area = str(region.meta.get("name") or project.name).replace("（合成示例）", "")
    comparison, changes = None, []
    if scenario is not None:
        from hsplan.scenarios.scenario import compare
        from hsplan.scenarios.words import change_zh

        step("情景测算")
        comparison = compare(region, scenario, plan, access=access)
        changes = [change_zh(c) for c in scenario.changes]
    return ReportData(
        project=project, region=region, plan=plan, year=year, kind=kind, as_of=as_of,
        synthetic=bool(region.synthetic or project.synthetic), evaluation=evaluation,
        counts=status_counts(evaluation), norms=norm_result, coverage=cover, ambulance=amb,
        needs=need, tasks=tasks, departments=by_department(plan, tasks), series=series,
        network=network, access=access, institutions=institutions,
        issuer=issuer or default_issuer(area), readings=readings, missing=missing,
        comparison=comparison, scenario_changes=changes)


def access_missing_text(exc: Exception) -> str:
    """Return why access cannot be assessed, in Chinese, with what to enter."""
    text = str(exc)
    if "no demand points" in text:
        return ("缺少需求点：村（社区）或乡镇（街道）没有位置（经纬度或边界），"
                "或没有当年常住人口。请在区划表录入村（社区）经纬度和常住人口")
    return f"无法计算行程时间：{text}"


# --- sentences from the numbers -------------------------------------------------------------


def _name(row: Any) -> str:
    return f"“{row['name']}”"


def _pct(x: Any) -> str:
    return format_percent(x)


def _progress_clause(row: Any, year: int) -> str:
    done, elapsed = completion_pct(row), time_pct(row, year)
    if done is None or elapsed is None:
        return ""
    return f"完成进度 {_pct(done)}，时间进度 {_pct(elapsed)}"


def _date(d: dt.date) -> str:
    return date_text(d)


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


def township_violations(data: ReportData) -> pd.DataFrame:
    """Return one row per township: name, violations (count), villages and facilities
    concerned, and the norm names most often failed there; most violations first."""
    from hsplan.reports.charts import _township_of, violations_by_area

    towns = pd.DataFrame(violations_by_area(data.region, data.norms).drop(columns="geometry"))
    township = _township_of(data.region.areas)
    vio = data.norms.violations
    names = dict(zip(data.norms.summary["norm_id"], data.norms.summary["name"], strict=False))
    vio = vio.assign(_town=[township.get(str(c)) if not is_missing(c) else None
                            for c in vio["area_code"]])
    top: dict[str, str] = {}
    for code, part in vio.groupby("_town"):
        counts = part["norm_id"].value_counts().head(2)
        top[str(code)] = "、".join(f"{chinese_only(str(names.get(n) or n))}（{k}）"
                                  for n, k in counts.items())
    towns["norms"] = [top.get(str(c), "") for c in towns["code"]]
    return towns.sort_values(["n_violations", "name"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def _coverage_rows(rep: Any) -> tuple[pd.Series | None, pd.DataFrame]:
    total = rep.summary[rep.summary["group"] == "total"]
    towns = rep.summary[rep.summary["group"] == "township"]
    return (total.iloc[0] if not total.empty else None,
            towns.sort_values("covered_pct", kind="stable"))


def counted(results: pd.DataFrame) -> pd.DataFrame:
    """Return the targets counted once: a row repeating an earlier target (``duplicate_of``
    set, 表2 restating 表1) is left out, as `status_counts` does."""
    if "duplicate_of" in results.columns:
        return results[results["duplicate_of"].isna()]
    return results


def achievements(data: ReportData) -> list[str]:
    """Return the sentences of 主要成效: targets met or on track, full coverage, tasks done —
    each citing its figure."""
    out: list[str] = []
    ev = counted(data.evaluation)  # a target repeated (表2 restating 表1) is counted once
    met = ev[ev["status"] == MET]
    if not met.empty:
        items = "；".join(f"{_name(r)}{format_number(r['value'], r['unit'], with_unit=True)}"
                         f"（目标 {target_text(r, with_unit=True)}）"
                         for r in met.head(6).to_dict(orient="records"))
        out.append(f"{len(met)} 项指标已达到规划目标：{items}"
                   + ("等。" if len(met) > 6 else "。"))
    on = ev[ev["status"] == ON_TRACK]
    if not on.empty:
        items = "；".join(f"{_name(r)}{format_number(r['value'], r['unit'], with_unit=True)}，"
                         f"{_progress_clause(r, data.year)}"
                         for r in on.head(4).to_dict(orient="records"))
        out.append(f"{len(on)} 项指标进度正常，按现有趋势可如期实现：{items}。")
    for label, rep in (("15分钟基层医疗服务圈", data.coverage), ("急救服务半径", data.ambulance)):
        if rep is None:
            continue
        total, towns = _coverage_rows(rep)
        if total is None:
            continue
        full = towns[towns["covered_pct"] >= 99.95]
        if float(total["covered_pct"]) >= 90.0:
            out.append(f"{label}覆盖常住人口 {format_count(total['pop_covered'])} 人，覆盖率 "
                       f"{_pct(total['covered_pct'])}；{len(full)} 个乡镇（街道）实现全覆盖。")
        elif len(full):
            out.append(f"{label}在{'、'.join(str(n) for n in full['name'].head(4))}等 {len(full)} "
                       "个乡镇（街道）实现常住人口全覆盖。")
    tasks = data.tasks[data.tasks["kind"] == "task"]
    done = tasks[tasks["status"] == "done"]
    if not done.empty:
        out.append(f"{len(tasks)} 项重点任务中已完成 {len(done)} 项："
                   + "、".join(f"“{t}”" for t in done["title"].head(5)) + "。")
    evaluable = ev[ev["status"] != NOT_EVALUABLE]
    if not out and len(evaluable):
        out.append(f"截至{data.year}年，{len(evaluable)} 项可评估的规划指标中尚无已达标的指标，"
                   "各项工作仍需加快推进。")
    elif not out:
        out.append(f"无法评估：{len(ev)} 项规划指标均缺少{data.year}年数据，"
                   "暂不能总结主要成效（需录入的数据见“存在问题”末条和附件2）。")
    return out


def problems(data: ReportData) -> list[str]:
    """Return the sentences of 存在问题: lagging targets (约束性 first), failed norms by
    township, coverage gaps, late tasks and missing data — each citing its figure."""
    out: list[str] = []
    ev = counted(data.evaluation)
    bad = ev[ev["status"].isin((OFF_TRACK, AT_RISK))]
    binding = bad[bad["nature"] == "约束性"]
    for r in binding.to_dict(orient="records"):
        out.append(f"约束性指标{_name(r)}{STATUS_ZH[r['status']]}：{explain(r)}"
                   + (f"，{_progress_clause(r, data.year)}" if _progress_clause(r, data.year)
                      else "") + "。")
    others = bad[bad["nature"] != "约束性"].copy()
    if not others.empty:
        others["_done"] = [completion_pct(r) if completion_pct(r) is not None else 1e9
                           for r in others.to_dict(orient="records")]
        others = others.sort_values("_done", kind="stable")
        n_off = int((others["status"] == OFF_TRACK).sum())
        n_risk = int((others["status"] == AT_RISK).sum())
        items = "；".join(f"{_name(r)}{explain(r)}" for r in others.head(5).to_dict(
            orient="records"))
        kind = ("其他" if not binding.empty
                else "预期性" if (others["nature"] == "预期性").all() else "规划")
        out.append(f"{kind}指标中 {n_off} 项偏离目标、"
                   f"{n_risk} 项进度滞后，差距较大的是：{items}。")
    worst = worst_norms(data.norms)
    if not worst.empty:
        parts = []
        for n in worst.to_dict(orient="records"):
            short = (f"，合计缺 {format_count(n['shortfall'])} {chinese_only(str(n['unit']))}"
                     if n["shortfall"] else "")
            parts.append(f"“{chinese_only(str(n['name']))}”在 {n['checked']} 个检查对象中 "
                         f"{n['failed']} 个未达标{short}")
        towns = township_violations(data)
        towns = towns[towns["n_violations"] > 0]
        where = ("；未达标最多的乡镇（街道）是" + "、".join(
            f"{r['name']}（{r['n_violations']} 条）" for r in towns.head(3).to_dict(
                orient="records"))) if not towns.empty else ""
        out.append("资源配置标准执行不到位：" + "；".join(parts) + where + "。")
    for label, rep in (("15分钟基层医疗服务圈", data.coverage), ("急救服务半径", data.ambulance)):
        if rep is None:
            continue
        total, towns = _coverage_rows(rep)
        if total is None or towns.empty or float(towns["covered_pct"].iloc[0]) >= 99.95:
            continue
        low = towns.iloc[0]
        out.append(f"{label}人口覆盖率为 {_pct(total['covered_pct'])}，最低的是{low['name']}"
                   f"（{_pct(low['covered_pct'])}，未覆盖 "
                   f"{format_count(low['pop'] - low['pop_covered'])} 人）。")
    tasks = data.tasks[data.tasks["kind"] == "task"]
    late = tasks[tasks["status"] == "late"]
    if not late.empty:
        names = "、".join(f"“{r.title}”（滞后 {format_count(r.days_late)} 天）"
                         for r in late.head(5).itertuples())
        out.append(f"截至{_date(data.as_of)}，{len(late)} 项重点任务滞后：{names}。")
    no_report = int((tasks["status"] == "no report").sum())
    if no_report and no_report < len(tasks):
        out.append(f"{len(tasks)} 项重点任务中 {no_report} 项截至{_date(data.as_of)}"
                   "尚无进展报告，任务推进情况无法掌握。")
    elif no_report:
        out.append(f"重点任务进展无法评估：{len(tasks)} 项任务均无进展报告"
                   "（缺少任务进展表，请按任务录入进展）。")
    ne = ev[ev["status"] == NOT_EVALUABLE]
    if len(ne):
        no_value = ne[ne["value"].isna() & (ne["op"] != "text")]
        n_text = int((ne["op"] == "text").sum())
        parts = [f"{len(no_value)} 项缺少统计数据（如" + "、".join(
            _name(r) for r in no_value.head(3).to_dict(orient="records")) + "）"] \
            if len(no_value) else []
        parts += [f"{n_text} 项为定性目标"] if n_text else []
        out.append(f"{len(ne)} 项指标无法评估" + ("，其中 " + "，".join(parts) if parts else "")
                   + "。")
    return out


def recommendations(data: ReportData) -> list[str]:
    """Return the sentences of 下一步工作建议: what to raise by how much, where to fill
    which norm, where to extend coverage, which needs to meet, which departments to press,
    which data to collect — each naming its indicator, township or department and a figure.
    """
    out: list[str] = []
    ev = counted(data.evaluation)
    left = data.years_left
    end = int(data.plan.period_end)
    bad = ev[ev["status"].isin((OFF_TRACK, AT_RISK)) & ev["target"].notna()
             & ev["value"].notna()].copy()
    bad["_bind"] = (bad["nature"] != "约束性").astype(int)
    bad["_done"] = [completion_pct(r) if completion_pct(r) is not None else 1e9
                    for r in bad.to_dict(orient="records")]
    bad = bad.sort_values(["_bind", "_done"], kind="stable")
    for r in bad.head(5).to_dict(orient="records"):
        unit = str(r["unit"]) if not is_missing(r["unit"]) else ""
        gap = abs(float(r["target"]) - float(r["value"]))
        verb = "降低" if str(r["op"]) in ("<=", "<", "down") else "提高"
        out.append(f"{verb}{_name(r)}：由现状 {format_number(r['value'], unit, with_unit=True)}"
                   f"{verb}到 {target_text(r, with_unit=True)}，还差 {delta(gap, unit)}，"
                   f"{end}年前每年需{verb} {delta(gap / left, unit)}"
                   + ("" if is_missing(r["observed_per_year"]) else
                      f"（近年年均变化 {delta(r['observed_per_year'], unit, sign=True)}）")
                   + "。")
    worst = worst_norms(data.norms, top=2)
    vio = data.norms.violations
    for n in worst.to_dict(orient="records"):
        part = vio[vio["norm_id"] == n["norm_id"]]
        places = list(dict.fromkeys(str(x) for x in part["area_name"].dropna()))
        short = (f"，合计补足 {format_count(n['shortfall'])} {chinese_only(str(n['unit']))}"
                 if n["shortfall"] else "")
        out.append(f"落实“{chinese_only(str(n['name']))}”标准：{n['failed']} 个检查对象未达标"
                   f"{short}，优先在{'、'.join(places[:3])}"
                   f"{'等 ' + str(len(places)) + ' 处' if len(places) > 3 else ''}补齐。")
    for label, what, rep in (("15分钟基层医疗服务圈", "增设村卫生室或服务点、调整基层机构布局",
                              data.coverage),
                             ("急救服务半径", "增设急救站点或急救车辆", data.ambulance)):
        if rep is None:
            continue
        _total, towns = _coverage_rows(rep)
        low = towns[towns["covered_pct"] < 90.0]
        if low.empty:
            continue
        uncovered = float((low["pop"] - low["pop_covered"]).sum())
        out.append(f"扩大{label}覆盖：在{'、'.join(str(x) for x in low['name'].head(4))}"
                   f"{'等 ' + str(len(low)) + ' 个乡镇（街道）' if len(low) > 4 else ''}"
                   f"{what}，覆盖目前服务范围外的 {format_count(uncovered)} 名常住人口。")
    table = data.needs.table if data.needs is not None else pd.DataFrame(
        columns=["gap", "unit", "item"])
    gaps = table[table["gap"].notna() & (table["gap"] >= 1)
                 & (table["unit"].isin(("张", "人", "辆")))]
    gaps = gaps.sort_values("gap", ascending=False, kind="stable").head(3)
    if not gaps.empty:
        items = "、".join(f"{chinese_only(str(r['item']))} {format_count(r['gap'])} {r['unit']}"
                         for r in gaps.to_dict(orient="records"))
        out.append(f"按{data.needs.year}年常住人口测算，需补充{items}，"
                   f"{end}年前每年约补充上述数量的 {format_percent(100 / left, decimals=0)}。")
    tasks = data.tasks[data.tasks["kind"] == "task"]
    dept = data.departments
    lead = dept[dept["role"] == "牵头"] if not dept.empty else dept
    lagging = lead[(lead["late"] > 0) | (lead["no_report"] > 0)] if not lead.empty else lead
    if not lagging.empty and (tasks["status"] != "no report").any():
        items = "、".join(f"{r['department']}（滞后 {r['late']} 项、未报告 {r['no_report']} 项）"
                         for r in lagging.head(3).to_dict(orient="records"))
        out.append(f"压实牵头单位责任：{items}等单位按季度报送 {len(tasks)} 项重点任务进展，"
                   "对滞后任务明确完成时限。")
    ne = ev[(ev["status"] == NOT_EVALUABLE) & ev["value"].isna() & (ev["op"] != "text")]
    if len(ne):
        names = "、".join(_name(r) for r in ne.head(3).to_dict(orient="records"))
        when = "终期" if data.kind == "中期评估" else "下一周期"
        out.append(f"补齐统计数据：将{names}等 {len(ne)} 项缺少数据的指标纳入年度统计报送，"
                   f"确保{when}评估时可以评估。")
    return out


# --- document blocks ------------------------------------------------------------------------


def _h(level: int, text: str) -> Block:
    return Block("heading", text, level=level)


def _p(text: str, style: str = "") -> Block:
    return Block("para", text, style=style)


def _table(headers: list[str], rows: list[list[str]], *, aligns: str, widths: list[float],
           caption: str, fills: list[dict[int, str]] | None = None,
           bold_rows: set[int] | None = None) -> list[Block]:
    return [Block("caption", caption),
            Block("table", headers=headers, rows=rows, aligns=list(aligns), widths=widths,
                  fills=fills, bold_rows=bold_rows)]


class _Figures:
    """Numbers figures and tables, renders charts for print into a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.figure = 0
        self.table = 0
        self.smallest_pt: dict[str, float] = {}

    def next_table(self, title: str) -> str:
        self.table += 1
        return f"表{self.table}　{title}"

    def add(self, fig: Any, stem: str, caption: str) -> list[Block]:
        from hsplan.reports.maps import print_figure

        path, width, smallest = print_figure(fig, self.folder / f"{stem}.png",
                                             width_cm=TEXT_WIDTH_CM)
        self.smallest_pt[stem] = smallest
        self.figure += 1
        return [Block("figure", path=path, width_cm=width),
                Block("caption", f"图{self.figure}　{caption}")]


def _background(data: ReportData) -> list[Block]:
    plan = data.plan
    ev = data.evaluation
    issued = f"由{plan.issuer}" if plan.issuer else ""
    when = f"于{plan.date}" if plan.date else ""
    text = (f"《{plan.title}》{issued}{when}印发，规划期为{plan.period_start}—{plan.period_end}年，"
            f"共列出 {len(ev)} 项指标、{len(plan.norms)} 条资源配置标准和 {len(plan.tasks)} 项"
            f"重点任务。")
    stage = "规划实施中期" if data.kind == "中期评估" else "规划期末"
    return [_h(1, HEADINGS[0]), _p(text),
            _p(f"按照规划实施监测评估的要求，在{stage}对规划实施情况开展{data.kind}。本次评估以"
               f"{data.year}年为评估年度，指标数据截至{data.year}年，重点任务进展截至"
               f"{_date(data.as_of)}。"),
            _p(f"评估依据：《{plan.title}》；国家和省有关医疗卫生服务体系规划、资源配置标准；"
               f"{data.area_name}卫生健康统计数据、机构与人员数据和人口数据。")]


def _method(data: ReportData) -> list[Block]:
    blocks = [_h(1, HEADINGS[1]),
              _p("（一）指标评估。逐项比较现状值与目标值。完成进度＝（现状值－基期值）÷"
                 "（目标值－基期值）×100%，无基期值的按现状值与目标值之比计算；时间进度＝"
                 "（评估年－基期年）÷（目标年－基期年）×100%。结合近年年均变化推算到目标年的"
                 "数值，评估结论分为：已达标、进度正常（按现有趋势可如期实现）、进度滞后"
                 "（趋势向好但速度不足）、偏离目标（无改善或目标年已过未达标）、无法评估"
                 "（缺少数据或为定性目标）。"),
              _p("（二）资源配置标准。按规划所列标准，逐区域、逐机构检查床位、人员、设备、"
                 "科室设置与服务半径，统计达标和未达标的检查对象及差距。")]
    if data.coverage is not None:
        blocks.append(_p("（三）服务可及性。以村（社区）为需求点、常住人口为权重，按道路网络和"
                         "分等级车速计算到最近机构的行程时间，统计15分钟基层医疗服务圈和急救"
                         f"服务半径（{_ambulance_rule(data)}）的人口覆盖率。"))
    else:
        blocks.append(_p(f"（三）服务可及性。无法评估（{_missing(data, 'access')}），"
                         "服务半径类标准列为无法评估。"))
    if data.readings is not None:
        blocks.append(_p("规划文字的读法（所有分析共用）：" + chinese_only(
            data.readings.line_zh().split("— ", 1)[-1]) + "。"))
    if data.needs is not None:
        blocks.append(_p(f"（四）资源需求预测。以{data.needs.base_year}年为基年预测常住人口，按"
                         f"卫生服务需求法和规划人口配置标准测算到{data.needs.year}年的床位、"
                         "人员和车辆需要量，与现有量比较得出缺口。"))
    else:
        blocks.append(_p(f"（四）资源需求预测。无法评估（{_missing(data, 'needs')}）。"))
    return blocks


def _no_prefix(text: str) -> str:
    return text.removeprefix("无法评估：").removeprefix("无法评估")


def _missing(data: ReportData, key: str) -> str:
    return data.missing.get(key) or "缺少所需数据"


def _ambulance_rule(data: ReportData) -> str:
    """Return the ambulance radius and bases as the plan's readings say, in words."""
    if data.readings is None:
        return "按国家标准"
    circles = data.readings.ambulance_circles()
    radius = "，".join(f"{'城镇' if s == 'urban' else '农村'}{_circle_words(c)}"
                      for s, c in circles.items())
    return f"急救站点为{data.readings.ems.describe_zh()}；{radius}"


def _circle_words(c: Any) -> str:
    parts = [*([f"{c.minutes:g}分钟"] if c.minutes else []),
             *([f"{c.distance_km:g}公里"] if c.distance_km else [])]
    return ("或" if c.combine == "either" else "且").join(parts)


def _overview(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.reports.charts import completion_figure

    ev = counted(data.evaluation)
    repeated = len(data.evaluation) - len(ev)
    c = data.counts
    evaluable = c[MET] + c[ON_TRACK] + c[AT_RISK] + c[OFF_TRACK]
    rows = []
    for nature in ("约束性", "预期性", "未标注"):
        part = ev[ev["nature"] == nature] if nature != "未标注" else ev[ev["nature"].isna()]
        if part.empty:
            continue
        k = status_counts(part)
        rows.append([nature, str(len(part)), *(str(k[s]) for s in STATUSES)])
    rows.append(["合计", str(len(ev)), *(str(c[s]) for s in STATUSES)])
    blocks = [_h(1, HEADINGS[2]),
              _p(f"规划共列出 {len(ev)} 项指标"
                 + (f"（另有 {repeated} 项在规划中重复列出，不重复计算）" if repeated else "")
                 + f"，其中 {evaluable} 项可依据{data.year}年数据评估："
                 + "，".join(f"{STATUS_ZH[s]} {c[s]} 项" for s in STATUSES) + "。"
                 + (f"可评估指标中已达标和进度正常的占 "
                    f"{format_percent(100 * (c[MET] + c[ON_TRACK]) / evaluable)}。"
                    if evaluable else ""))]
    blocks += _table(["指标属性", "指标数", *(STATUS_ZH[s] for s in STATUSES)], rows,
                     aligns="lr" + "r" * len(STATUSES),
                     widths=[2.6, 1.8, *([11.2 / len(STATUSES)] * len(STATUSES))],
                     caption=figs.next_table("规划指标评估结论汇总（项）"),
                     bold_rows={len(rows) - 1})
    if evaluable:
        fig = completion_figure(ev, year=data.year, synthetic=data.synthetic,
                                title=f"{data.area_name}规划指标完成进度与时间进度（{data.year}年）")
        blocks += figs.add(fig, "completion", "规划指标完成进度与时间进度")
    return blocks


def _targets(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.reports.charts import OTHER_GROUP, indicator_group, trend_figure

    blocks = [_h(1, HEADINGS[3]),
              _p("表中按评估结论排列，偏离目标和进度滞后的在前；现状值为评估年及以前最近一年的"
                 "数值，完成进度的计算方法见“二、评估方法”，逐项说明见附件2。")]
    rows, fills = [], []
    order = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 2, MET: 3, NOT_EVALUABLE: 4}
    ev = data.evaluation.assign(_o=data.evaluation["status"].map(order)).sort_values(
        "_o", kind="stable")
    for k, r in enumerate(ev.to_dict(orient="records"), start=1):
        unit = "" if is_missing(r["unit"]) else str(r["unit"])
        done = completion_pct(r)
        rows.append([str(k), str(r["name"]) + ("（约束性）" if r["nature"] == "约束性" else ""),
                     unit if unit != "1:x" else "比值",
                     format_value(r["baseline_value"], unit), format_value(r["value"], unit),
                     target_text(r), "—" if done is None else _pct(done),
                     STATUS_ZH[r["status"]], explain(r, with_value=False)])
        fills.append({7: STATUS_FILL[r["status"]]})
    blocks += _table(list(TARGET_HEADERS), rows, aligns="clcrrrrcl",
                     widths=[0.8, 3.4, 1.5, 1.3, 1.3, 1.6, 1.4, 1.3, 3.0],
                     caption=figs.next_table(f"主要指标完成情况（{data.year}年）"), fills=fills)
    ev_all = data.evaluation
    has_series = pd.Series([len(data.series.get(str(t), {})) >= 2 for t in ev_all["target_id"]],
                           index=ev_all.index)
    with_trend = ev_all[has_series & ev_all["target"].notna()]
    if not with_trend.empty:
        groups = with_trend.assign(_g=[indicator_group(i) for i in with_trend["indicator"]])
        blocks.append(_p("下图按指标类别给出各指标逐年数值、由基期值到目标值的目标路径和评估年"
                         "（时间进度）位置，线条颜色为评估结论。"))
        for k, (group, part) in enumerate(sorted(
                groups.groupby("_g"), key=lambda g: (g[0] == OTHER_GROUP, -len(g[1])))):
            for start in range(0, len(part), 9):
                chunk = part.iloc[start:start + 9]
                fig = trend_figure(chunk, data.series, year=data.year, synthetic=data.synthetic,
                                   title=f"{group}指标变化趋势")
                blocks += figs.add(fig, f"trend-{k}-{start}", f"{group}指标变化趋势")
    return blocks


def _norms(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.evaluation.norms import STATUS_ZH as NORM_ZH
    from hsplan.reports.charts import violations_figure

    result = data.norms
    counts = result.status_counts()
    blocks = [_h(1, HEADINGS[4]),
              _p(f"规划共列出 {len(result.summary)} 条资源配置标准，{result.year}年检查结果："
                 + "，".join(f"{NORM_ZH[s]} {n} 条" for s, n in counts.items())
                 + f"；未达标的检查对象共 {len(result.violations)} 个（明细见附件3）。"
                 + ("" if data.coverage is not None else
                    f"服务半径类标准无法评估（{_missing(data, 'access')}）。")),
              _h(2, "（一）未达标的标准")]
    failed = result.summary[result.summary["status"] == "fail"]
    rows = [[str(k), chinese_only(str(r.name or r.description)), str(r.checked), str(r.passed),
             str(r.failed)] for k, r in enumerate(failed.itertuples(), start=1)]
    if rows:
        blocks += _table(["序号", "标准", "检查对象", "达标", "未达标"], rows, aligns="clrrr",
                         widths=[1.0, 9.4, 1.8, 1.6, 1.8],
                         caption=figs.next_table("未达标的资源配置标准（个）"))
    elif counts.get("pass", 0) == 0:
        blocks.append(_p("没有可以检查的标准：各条标准均无法评估（原因见附件3前的说明与"
                         "各标准的“说明”）。"))
    else:
        blocks.append(_p("所有可检查的标准均已达标。"))
    blocks.append(_h(2, "（二）分乡镇（街道）情况"))
    if counts.get("pass", 0) + counts.get("fail", 0) == 0:
        s = result.summary
        reasons = s[(s["status"] == "not evaluable") & (s["rule"] != "text")]["reason"]
        common = reasons.value_counts().head(3)
        blocks.append(_p("各乡镇（街道）无法评估：" + "；".join(
            f"{_no_prefix(chinese_only(str(r).replace(' complete ', ''))) or '缺少数据'}"
            f"（{n} 条）" for r, n in common.items()) + "。"))
        blocks += _allocation(data, figs)
        return blocks
    towns = township_violations(data)
    trows = [[str(r["name"]), str(r["n_violations"]), str(r["n_villages"]),
              str(r["n_facilities"]), r["norms"] or "—"] for r in towns.to_dict(orient="records")]
    from hsplan.reports.charts import county_violations

    whole = county_violations(data.region, result)
    blocks.append(_p(f"按乡镇（街道）汇总，未达标条目最多的是{towns['name'].iloc[0]}"
                     f"（{towns['n_violations'].iloc[0]} 条）；另有 {len(whole)} 条为全"
                     f"{'区' if data.area_name.endswith('区') else '县'}层面的标准。")
                  if len(towns) and towns["n_violations"].iloc[0] > 0 else
                  _p("各乡镇（街道）均无未达标条目。"))
    blocks += _table(["乡镇（街道）", "未达标条目", "涉及村（社区）", "涉及机构",
                      "主要未达标标准（条）"], trows, aligns="lrrrl",
                     widths=[2.6, 1.8, 2.0, 1.6, 7.6],
                     caption=figs.next_table("各乡镇（街道）资源配置标准未达标情况"))
    fig = violations_figure(data.region, result,
                            title=f"{data.area_name}资源配置标准未达标分布（{result.year}年）")
    blocks += figs.add(fig, "violations", "资源配置标准未达标分布")
    blocks += _allocation(data, figs)
    return blocks


def _allocation(data: ReportData, figs: _Figures) -> list[Block]:
    """（三）资源配置公平性与效率: Gini/Theil/HRAD of beds, doctors and nurses across townships
    and DEA/Malmquist of hospitals and 卫生院 (`hsplan.allocation`); 无法评估 with the reason
    when the data do not allow it."""
    from hsplan.reports.allocation_charts import allocation_section_charts, allocation_section_data

    section = allocation_section_data(data.region, year=data.year)
    blocks = [_h(2, "（三）资源配置公平性与效率")]
    texts = [chinese_only(s) for s in section.get("equity_text") or []]
    if texts:
        blocks += [_p(s) for s in texts]
    else:
        blocks.append(_p(f"公平性：{section.get('equity_status') or '无法评估'}。"))
    headers, rows = section.get("equity_table") or ([], [])
    if rows:
        blocks += _table(list(headers), [[str(c) for c in r] for r in rows],
                         aligns="l" + "r" * (len(headers) - 1),
                         widths=[16.0 / len(headers)] * len(headers),
                         caption=figs.next_table("卫生资源配置公平性"))
    for s in section.get("efficiency_text") or []:
        blocks.append(_p(chinese_only(s)))
    for group, status in (section.get("efficiency_status") or {}).items():
        if str(status).startswith("无法评估"):
            blocks.append(_p(f"{group}效率：{status}。"))
    headers, rows = section.get("efficiency_table") or ([], [])
    if rows:
        blocks += _table(list(headers), [[str(c) for c in r] for r in rows],
                         aligns="l" + "r" * (len(headers) - 1),
                         widths=[16.0 / len(headers)] * len(headers),
                         caption=figs.next_table("医疗卫生机构效率（数据包络分析）"))
    charts = allocation_section_charts(data.region, section, figs.folder)
    for stem, caption in (("lorenz", "卫生资源配置洛伦兹曲线"),
                          ("agglomeration", "卫生资源集聚度与人口集聚度之比（按乡镇）"),
                          ("efficiency", "医疗卫生机构效率")):
        if stem in charts:
            figs.figure += 1
            blocks += [Block("figure", path=charts[stem], width_cm=TEXT_WIDTH_CM),
                       Block("caption", f"图{figs.figure}　{caption}")]
    return blocks


def _access(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.reports.coverage import coverage_figure

    blocks = [_h(1, HEADINGS[5])]
    if data.coverage is None or data.ambulance is None:
        blocks.append(_p(f"服务可及性无法评估：{_missing(data, 'access')}。"))
        return blocks
    for label, rep, kind, stem in (
            ("（一）15分钟基层医疗服务圈", data.coverage, "基层医疗卫生机构15分钟车程",
             "coverage"),
            ("（二）急救服务半径", data.ambulance, _ambulance_rule(data), "ambulance")):
        blocks.append(_h(2, label))
        total, _towns = _coverage_rows(rep)
        if total is None:
            continue
        out = rep.uncovered
        blocks.append(_p(f"标准：{kind}。参与计算的机构 {len(rep.facilities)} 个，需求点 "
                         f"{format_count(total['points'])} 个村（社区），常住人口 "
                         f"{format_count(total['pop'])} 人，覆盖 "
                         f"{format_count(total['pop_covered'])} 人，覆盖率 "
                         f"{_pct(total['covered_pct'])}；服务范围外的村（社区）{len(out)} 个"
                         + ("（见附件4）。" if len(out) else "。")))
        rows = [[str(r.name), format_count(r.points), format_count(r.pop),
                 format_count(r.pop_covered), _pct(r.covered_pct)]
                for r in rep.summary.itertuples()]
        rows = [[("合计" if x == "合计" else x) for x in row] for row in rows]
        blocks += _table(["乡镇（街道）/城乡", "村（社区）", "常住人口（人）", "覆盖人口（人）",
                          "覆盖率"], rows, aligns="lrrrr", widths=[4.2, 2.4, 3.0, 3.0, 2.4],
                         caption=figs.next_table(f"{label[3:]}人口覆盖情况"))
        fig = coverage_figure(data.access, rep.points, rep.facilities, bands=rep.isochrones,
                              figsize=(6.4, 5.6),
                              title=f"{data.area_name}{label[3:]}"
                                    f"（{rep.points.attrs.get('year')}年）")
        blocks += figs.add(fig, stem, f"{label[3:]}覆盖范围")
    return blocks


def _needs(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.reports.charts import pyramid_figure

    result = data.needs
    if result is None:
        return [_h(1, HEADINGS[6]), _p(f"资源需求预测无法评估：{_missing(data, 'needs')}。")]
    table = result.table
    blocks = [_h(1, HEADINGS[6]),
              _p(f"以{result.base_year}年为基年，按队列要素法预测常住人口，测算到{result.year}年"
                 "（规划期末）的资源需要量；缺口为需要量减现有量，负数表示现有量已超过需要量。")]
    rows = []
    for r in table.to_dict(orient="records"):
        unit = str(r["unit"])
        rows.append([chinese_only(str(r["item"])), chinese_only(str(r["method"])) or "—",
                     format_count(r["value_needed"]), format_count(r["current_value"]),
                     format_count(r["gap"]), unit])
    blocks += _table(["项目", "测算方法", "需要量", "现有量", "缺口", "单位"], rows,
                     aligns="llrrrc", widths=[5.0, 3.8, 1.9, 1.9, 1.7, 1.3],
                     caption=figs.next_table(f"{result.year}年资源需要量测算"))
    fig = pyramid_figure(result.projection, base_year=result.base_year,
                                    target_year=result.year, synthetic=data.synthetic,
                                    title=f"{result.area_name}人口结构预测")
    blocks += figs.add(fig, "pyramid", f"{result.base_year}年与{result.year}年人口结构")
    return blocks


def _tasks(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.evaluation.tasks import STATUS_ORDER
    from hsplan.evaluation.tasks import STATUS_ZH as TASK_ZH
    from hsplan.evaluation.tasks import status_counts as task_counts

    counts = task_counts(data.tasks)
    blocks = [_h(1, HEADINGS[7]),
              _p(f"规划共 {sum(counts.values())} 项重点任务，截至{_date(data.as_of)}："
                 + "，".join(f"{TASK_ZH[s]} {n} 项" for s, n in counts.items() if n)
                 + "。按牵头单位统计如下，逐项进展见附件5。")]
    dept = data.departments
    lead = dept[dept["role"] == "牵头"] if not dept.empty else dept
    shown = [s for s in STATUS_ORDER if not lead.empty and lead[s.replace(" ", "_")].sum() > 0]
    drows = [[str(r["department"]), str(r["tasks"]),
              *(str(r[s.replace(" ", "_")]) for s in shown)] for r in lead.to_dict(
                  orient="records")]
    width = max(1.2, 8.6 / max(len(shown), 1))
    blocks += _table(["牵头单位", "任务数", *(TASK_ZH[s] for s in shown)], drows,
                     aligns="l" + "r" * (1 + len(shown)),
                     widths=[5.6, 1.4, *([width] * len(shown))],
                     caption=figs.next_table("重点任务进展（按牵头单位，项）"))
    blocks += _institutions(data, figs)
    return blocks


def _institutions(data: ReportData, figs: _Figures) -> list[Block]:
    """（一）重点机构建设: each named institution's bed, grade, capability and designation
    targets with their status (`hsplan.evaluation.institutions`); unmatched ones say why."""
    inst = data.institutions
    if inst is None or inst.empty:
        return []
    matched = inst[inst["aspect"] != "匹配"]
    unmatched = inst[inst["aspect"] == "匹配"]
    counts = matched["status"].value_counts()
    said = "，".join(f"{STATUS_ZH[s]} {int(counts[s])} 项" for s in STATUS_ZH if s in counts)
    blocks = [_h(2, "（一）重点机构建设"),
              _p(f"规划点名的重点机构 {inst['institution_id'].nunique()} 个，"
                 f"其中 {matched['institution_id'].nunique()} 个已对应到本区域机构，"
                 f"共 {len(matched)} 项床位、等级、能力或定位目标：{said or '无'}。"
                 + (f"{unmatched['institution_id'].nunique()} 个尚未对应到机构（多为在建或"
                    "名称不一致），无法评估。" if len(unmatched) else ""))]
    rows, fills = [], []
    for k, r in enumerate(matched.to_dict(orient="records"), start=1):
        value = r["value"]
        shown = "—" if is_missing(value) else (format_value(value, "张")
                                               if isinstance(value, int | float) else str(value))
        rows.append([str(k), str(r["facility_name"]), str(r["aspect"]), str(r["item"]), shown,
                     STATUS_ZH.get(str(r["status"]), str(r["status"])),
                     chinese_only(str(r["reason"]))])
        fills.append({5: STATUS_FILL.get(str(r["status"]), "FFFFFF")})
    if rows:
        blocks += _table(["序号", "机构", "方面", "目标", "现状", "评估结论", "说明"], rows,
                         aligns="lllllll",
                         widths=[0.9, 2.8, 1.0, 2.8, 1.4, 1.6, 4.5],
                         caption=figs.next_table("重点机构建设目标完成情况"), fills=fills)
    return blocks


def _numbered(heading: str, sentences: list[str]) -> list[Block]:
    return [_h(1, heading), *(_p(f"{k}．{s}") for k, s in enumerate(sentences, start=1))]


def _annex_sources(data: ReportData) -> list[Block]:
    ev = data.evaluation
    computed = int((ev["source"] == "computed").sum())
    reported = int((ev["source"] == "reported").sum())
    missing = len(ev) - computed - reported
    sources = [chinese_only(str(s)) for s in (data.region.meta.get("sources") or [])]
    lines = [f"1．规划文本：《{data.plan.title}》。",
             f"2．指标现状值：{computed} 项根据机构、床位、人员、服务量与人口数据计算，"
             f"{reported} 项为有关部门报送值，{missing} 项无数据。",
             "3．区划与人口：" + ("；".join(s for s in sources if s) or "本地统计数据") + "。",
             "4．行程时间：" + ("按道路网络和道路等级车速计算，无道路的路段按直线距离和步行"
                               "或慢速行驶估算。" if data.network else
                               f"无法计算（{_missing(data, 'access')}）。"),
             (f"5．人口预测：队列要素法，以{data.needs.base_year}年人口为基数，按生育、死亡和"
              "迁移假设逐年推算；床位需要量按卫生服务需求法（常住居民年住院率、外转与流入、"
              "医院和基层分别的平均住院日与病床使用率）测算，未录入的输入按注明的国家数据或0计；"
              "同一资源有多种测算时取各方法中的最大值为推荐值。" if data.needs is not None else
              f"5．人口预测：无法评估（{_missing(data, 'needs')}）。"),
             "6．评估结论的判定规则见正文“二、评估方法”。"]
    blocks = [Block("pagebreak"), _h(1, ANNEXES[0]), *(_p(x) for x in lines)]
    if data.synthetic:
        blocks.append(_p(SYNTHETIC_NOTICE, style="synthetic"))
    return blocks


def _annex_targets(data: ReportData, figs: _Figures) -> list[Block]:
    rows = []
    for k, r in enumerate(data.evaluation.to_dict(orient="records"), start=1):
        rows.append([str(k), str(r["name"]), STATUS_ZH[r["status"]],
                     explain_long(r, data.year)])
    return [Block("pagebreak"), _h(1, ANNEXES[1]),
            *_table(["序号", "指标", "评估结论", "评估说明"], rows, aligns="clcl",
                    widths=[0.9, 4.0, 1.7, 9.0],
                    caption=figs.next_table("指标评估明细"))]


def _annex_norms(data: ReportData, figs: _Figures) -> list[Block]:
    vio = data.norms.violations
    names = dict(zip(data.norms.summary["norm_id"], data.norms.summary["name"], strict=False))
    rows = [[str(k), chinese_only(str(names.get(v.norm_id) or "")),
             "—" if is_missing(v.area_name) else str(v.area_name),
             "—" if is_missing(v.facility_name) else str(v.facility_name),
             chinese_only(str(v.expected)), chinese_only(str(v.actual)),
             chinese_only(str(v.shortfall_text))]
            for k, v in enumerate(vio.itertuples(), start=1)]
    blocks: list[Block] = [Block("pagebreak"), _h(1, ANNEXES[2])]
    if not rows:
        return [*blocks, _p("无未达标项。")]
    return [*blocks, *_table(["序号", "标准", "区域", "机构", "标准要求", "现状", "差距"], rows,
                             aligns="cllllll", widths=[0.9, 3.0, 1.8, 2.4, 3.0, 2.2, 2.3],
                             caption=figs.next_table("资源配置标准未达标明细"))]


def _annex_uncovered(data: ReportData, figs: _Figures) -> list[Block]:
    blocks: list[Block] = [Block("pagebreak"), _h(1, ANNEXES[3])]
    if data.coverage is None or data.ambulance is None:
        return [*blocks, _p(f"无法评估：{_missing(data, 'access')}。")]
    for label, rep in (("15分钟基层医疗服务圈", data.coverage), ("急救服务半径", data.ambulance)):
        out = rep.uncovered
        if out.empty:
            blocks.append(_p(f"{label}：所有村（社区）均在服务范围内。"))
            continue
        rows = [[str(k), str(r.name), str(r.township_name), format_count(r.pop),
                 "不可达" if is_missing(r.travel_min) else format_number(r.travel_min, "分钟"),
                 str(r.facility_name) if isinstance(r.facility_name, str) else "—"]
                for k, r in enumerate(out.itertuples(), start=1)]
        blocks += _table(["序号", "村（社区）", "乡镇（街道）", "常住人口（人）",
                          "行程时间（分钟）", "最近的机构"], rows, aligns="cllrrl",
                         widths=[0.9, 3.2, 2.6, 2.4, 2.4, 4.1],
                         caption=figs.next_table(f"{label}服务范围外的村（社区）"))
    return blocks


def _annex_tasks(data: ReportData, figs: _Figures) -> list[Block]:
    from hsplan.evaluation.tasks import STATUS_ZH as TASK_ZH

    tasks = data.tasks[data.tasks["kind"] == "task"]
    rows = []
    for k, r in enumerate(tasks.to_dict(orient="records"), start=1):
        late = r["days_late"]
        rows.append([str(k), str(r["title"]), str(r["lead"]), str(r["deadline"]),
                     "—" if is_missing(r["reported_pct"]) else _pct(r["reported_pct"]),
                     TASK_ZH[str(r["status"])],
                     "—" if is_missing(late) or not late else format_count(late)])
    return [Block("pagebreak"), _h(1, ANNEXES[4]),
            *_table(["序号", "任务", "牵头单位", "完成时限", "报告进度", "状态", "滞后天数"], rows,
                    aligns="cllcrcr", widths=[0.9, 4.2, 4.2, 2.2, 1.5, 1.4, 1.2],
                    caption=figs.next_table("重点任务进展明细"))]


SCENARIO_ANNEX = "附件6　情景测算："


def _annex_scenario(data: ReportData, figs: _Figures) -> list[Block]:
    """附件6 情景测算: the scenario's changes, then the targets and norms it changes (the
    `hsplan compare` tables in words)."""
    from hsplan.evaluation.norms import STATUS_ZH as NORM_ZH

    c = data.comparison
    blocks: list[Block] = [Block("pagebreak"),
                           _h(1, SCENARIO_ANNEX + chinese_only(str(c.scenario_title)))]
    said = "；".join(f"{k}．{t}" for k, t in enumerate(data.scenario_changes, 1))
    blocks.append(_p(f"本情景按{c.year}年测算，与现状（同一年份、不作变化）对照。情景包括："
                     f"{said or '无变化'}。"))
    ind = c.indicators
    moved = ind[ind["status_changed"] | (ind["change"].abs().fillna(0) > 1e-12)]
    unit = dict(zip(data.evaluation["target_id"], data.evaluation["unit"], strict=False))
    rows = [[str(k), chinese_only(str(r["name"])), str(unit.get(r["target_id"], "") or ""),
             format_value(r["value_baseline"], r.get("unit")),
             format_value(r["value_scenario"], r.get("unit")),
             STATUS_ZH.get(str(r["status_baseline"]), str(r["status_baseline"])),
             STATUS_ZH.get(str(r["status_scenario"]), str(r["status_scenario"]))]
            for k, r in enumerate(moved.to_dict(orient="records"), start=1)]
    changed = int(moved["status_changed"].sum()) if len(moved) else 0
    blocks.append(_p(f"按情景测算，{len(moved)}项指标数值变化，其中{changed}项评估结论改变"
                     + ("。" if rows else "；其余指标不受影响。")))
    if rows:
        blocks += _table(["序号", "指标", "单位", "现状值", "情景值", "现状结论", "情景结论"],
                         rows, aligns="cllrrcc", widths=[0.9, 5.6, 1.2, 1.6, 1.6, 1.7, 1.7],
                         caption=figs.next_table("情景测算：指标变化"))
    names = dict(zip(data.norms.summary["norm_id"], data.norms.summary["name"], strict=False))
    norms = c.norms[c.norms["changed"]]
    nrows = [[str(k), chinese_only(str(names.get(r["norm_id"]) or r.get("description") or "")),
              format_count(r["failed_baseline"]), format_count(r["failed_scenario"]),
              NORM_ZH.get(str(r["status_baseline"]), str(r["status_baseline"])),
              NORM_ZH.get(str(r["status_scenario"]), str(r["status_scenario"]))]
             for k, r in enumerate(norms.to_dict(orient="records"), start=1)]
    fewer = int((norms["failed_scenario"].fillna(0) < norms["failed_baseline"].fillna(0)).sum())
    blocks.append(_p(f"资源配置标准：{len(nrows)}条的检查结果改变，其中{fewer}条未达标项减少。"
                     if nrows else "资源配置标准：各条的检查结果均不变。"))
    if nrows:
        blocks += _table(["序号", "标准", "现状未达标项", "情景未达标项", "现状", "情景"], nrows,
                         aligns="clrrcc", widths=[0.9, 7.0, 1.9, 1.9, 1.4, 1.4],
                         caption=figs.next_table("情景测算：资源配置标准变化"))
    return blocks


def report_blocks(data: ReportData, folder: Path) -> tuple[list[Block], _Figures]:
    """Return the document as blocks (charts rendered into `folder`) and the figure
    counter (which records the smallest printed text size of each chart)."""
    figs = _Figures(folder)
    blocks: list[Block] = []
    blocks += _background(data)
    blocks += _method(data)
    blocks += _overview(data, figs)
    blocks += _targets(data, figs)
    blocks += _norms(data, figs)
    blocks += _access(data, figs)
    blocks += _needs(data, figs)
    blocks += _tasks(data, figs)
    blocks += _numbered(HEADINGS[8], achievements(data))
    blocks += _numbered(HEADINGS[9], problems(data))
    blocks += _numbered(HEADINGS[10], recommendations(data))
    annex_names = [a.split("　", 1)[1] for a in ANNEXES]
    if data.comparison is not None:
        annex_names.append(SCENARIO_ANNEX.split("　", 1)[1]
                           + chinese_only(str(data.comparison.scenario_title)))
    blocks.append(_p("附件：" + "　".join(f"{k}．{n}" for k, n in enumerate(annex_names, 1)),
                     style="annexlist"))
    blocks.append(_p(data.issuer, style="signature"))
    blocks.append(_p(_date(data.date), style="signature"))
    blocks += _annex_sources(data)
    blocks += _annex_targets(data, figs)
    blocks += _annex_norms(data, figs)
    blocks += _annex_uncovered(data, figs)
    blocks += _annex_tasks(data, figs)
    if data.comparison is not None:
        blocks += _annex_scenario(data, figs)
    return blocks, figs


# --- rendering --------------------------------------------------------------------------------


def write_report(project: Project, plan: Plan, path: str | Path, *, year: int | None = None,
                 kind: str = "中期评估", travel: bool = True, fmt: str | None = None,
                 issuer: str | None = None,
                 progress: Callable[[str], None] | None = None,
                 scenario: Any = None) -> Path:
    """Write the evaluation report of `plan` on `project` to `path` (.docx, .pdf or .html,
    from `fmt` or the suffix); return the path.

    The .docx uses the styles of the shipped template; its 目录 is a TOC field that Word
    refreshes on opening. The .pdf is the .docx converted by LibreOffice twice: the first
    PDF gives each heading's page, which the 目录 of the second carries. The file is
    written beside `path` under a temporary name and moved into place.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    fmt = fmt or suffix
    if fmt not in FORMATS or suffix != fmt:
        want = fmt if fmt in FORMATS else "docx、.pdf 或 .html"
        raise HsplanError(f"{target}：报告文件的扩展名应为 .{want}，实际为 "
                          f"{target.suffix or '（无）'}。改正：例如 --out outputs/report.docx、"
                          "report.pdf 或 report.html（--format 可省略，按扩展名判断）。")
    _check_args(kind, year, fmt)
    if fmt == "pdf" and soffice() is None:
        docx_to_pdf(target, target.parent)  # raises the clear message
    data = report_data(project, plan, year=year, kind=kind, travel=travel, issuer=issuer,
                       progress=progress, scenario=scenario)
    step = progress or (lambda _label: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hsplan-report-") as tmp:
        folder = Path(tmp)
        step("图表")
        blocks, _figs = report_blocks(data, folder)
        tmp_out = folder / f"report.{fmt}"
        if fmt == "html":
            to_html(blocks, data, tmp_out)
        else:
            docx = folder / "report.docx"
            to_docx(blocks, data, docx)
            if fmt == "pdf":
                step("目录页码")
                texts = pdf_page_texts(docx_to_pdf(docx, folder))
                heads = [b.text for b in blocks if b.kind == "heading" and b.level <= 2]
                pages = heading_pages(texts, heads, front_pages=front_pages(texts))
                to_docx(blocks, data, docx, toc_pages=pages)
                (folder / "report.pdf").unlink()
                docx_to_pdf(docx, folder)
        partial = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(tmp_out, partial)
        partial.replace(target)
    return target

"""What the evaluation report shows, computed once: `ReportData` and `report_data` (the
analyses behind `hsplan.reports.report`), the report's constants and its number and
Latin-word rules (`format_value`, `chinese_only`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hsplan._i18n import _, format_number, is_missing
from hsplan.errors import HsplanError, Problem, ValidationError, raise_if_errors
from hsplan.evaluation.targets import (
    AT_RISK,
    MET,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    evaluate,
    status_counts,
)
from hsplan.plans.plan import Plan
from hsplan.plans.readings import Readings
from hsplan.region.model import Region
from hsplan.region.project import Project

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
        problems.append(Problem(_("report, argument kind"),
                                expected=_(" or ").join(KINDS), got=kind,
                                fix=_("use --kind 中期评估 or --kind 终期评估")))
    if year is not None and not 1900 <= int(year) <= 2100:
        problems.append(Problem(_("report, argument year"), expected=_("a year 1900–2100"),
                                got=str(year), fix=_("e.g. --year 2023")))
    if fmt not in FORMATS:
        problems.append(Problem(_("report, argument format"),
                                expected=_(" or ").join(FORMATS), got=fmt,
                                fix=_("use --format docx, pdf or html")))
    raise_if_errors(problems, context=_("report"))


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
    from hsplan.region.points import NO_DEMAND_POINTS

    text = str(exc)
    if isinstance(exc, ValidationError) and any(p.message == _(NO_DEMAND_POINTS)
                                                for p in exc.problems):
        return ("缺少需求点：村（社区）或乡镇（街道）没有位置（经纬度或边界），"
                "或没有当年常住人口。请在区划表录入村（社区）经纬度和常住人口")
    return f"无法计算行程时间：{text}"

"""The report laid out as blocks (headings, paragraphs, tables, figures): one function per
section and annex, `report_blocks` for the whole document (rendered by
`hsplan.reports._render`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._i18n import format_count, format_number, format_percent, is_missing
from hsplan.evaluation.targets import (
    AT_RISK,
    MET,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ZH,
    STATUSES,
    status_counts,
)
from hsplan.reports._findings import (
    _coverage_rows,
    _date,
    _pct,
    achievements,
    counted,
    problems,
    recommendations,
    township_violations,
)
from hsplan.reports._render import (
    SYNTHETIC_NOTICE,
    TEXT_WIDTH_CM,
    Block,
)
from hsplan.reports._report_data import (
    ANNEXES,
    HEADINGS,
    STATUS_FILL,
    TARGET_HEADERS,
    ReportData,
    chinese_only,
    format_value,
)
from hsplan.reports.progress import (
    completion_pct,
    explain,
    explain_long,
    target_text,
)

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
    from hsplan.reports.demand_charts import pyramid_figure

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
                         rows, aligns="cllrrcc", widths=[0.9, 4.9, 1.2, 1.6, 1.6, 2.1, 2.1],
                         caption=figs.next_table("情景测算：指标变化"))
    names = dict(zip(data.norms.summary["norm_id"], data.norms.summary["name"], strict=False))
    norms = c.norms[c.norms["changed"]]
    nrows = [[str(k), chinese_only(str(names.get(r["norm_id"]) or r.get("description") or "")),
              f"{format_count(r['checked_baseline'])} → {format_count(r['checked_scenario'])}",
              format_count(r["failed_baseline"]), format_count(r["failed_scenario"]),
              NORM_ZH.get(str(r["status_baseline"]), str(r["status_baseline"])),
              NORM_ZH.get(str(r["status_scenario"]), str(r["status_scenario"]))]
             for k, r in enumerate(norms.to_dict(orient="records"), start=1)]
    fewer = int((norms["failed_scenario"].fillna(0) < norms["failed_baseline"].fillna(0)).sum())
    blocks.append(_p(f"资源配置标准：{len(nrows)}条的检查结果改变，其中{fewer}条未达标项减少。"
                     if nrows else "资源配置标准：各条的检查结果均不变。"))
    if nrows:
        blocks += _table(["序号", "标准", "检查对象", "现状未达标项", "情景未达标项", "现状",
                          "情景"], nrows,
                         aligns="clcrrcc", widths=[0.9, 4.5, 2.1, 1.7, 1.7, 1.7, 1.7],
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

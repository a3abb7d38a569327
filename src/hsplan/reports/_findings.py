"""The report's sentences from the numbers: `achievements`, `problems` and
`recommendations` (主要成效, 存在问题, 下一步工作建议), each naming the indicator, township or
department and citing its figure."""

from __future__ import annotations

import datetime as dt
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
)
from hsplan.reports._render import (
    date_text,
)
from hsplan.reports._report_data import ReportData, chinese_only
from hsplan.reports.progress import (
    completion_pct,
    delta,
    explain,
    target_text,
    time_pct,
)

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

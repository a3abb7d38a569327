"""Key institutions (重点机构): each plan institution bound to a facility, and its bed, grade,
capability and designation targets evaluated with the statuses of the indicator targets.

Matching (`match_institutions`): an explicit facility id (in the plan, or given by the
caller as confirmed matches) wins; else the facility whose name is the institution's name,
or ends with it (江川区人民医院 for the 区人民医院 a plan names), of a compatible
type; an ambiguous or missing match is reported as unmatched with the reason — never bound
silently, and every match says how it was made so a planner can confirm it.

Evaluation (`evaluate_institutions`), one row per institution and aspect:

- **床位**: approved (编制, the default: the plans' 表 set 编制床位) or open (实有) beds of the
  facility in the year against the target, by `hsplan.evaluation.targets.assess` — the same
  statuses, trend and reasons as an indicator target — with 完成进度 = (现状 − 基期) /
  (目标 − 基期) and 时间进度 = elapsed share of the plan period;
- **等级**: the grade in force in the year (the ``facts`` table's 等级 rows with status
  通过 or empty, else the facility's grade) on the official order 一级 < 二级乙等 < 二级甲等 <
  三级乙等 < 三级甲等 (a bare 二级 is any 二级). 达到 is met when the grade is reached; 启动创建
  when an application (申报/评审中/通过) exists; 力争 is aspirational (never 偏离目标);
- **能力**: each centre, key specialty or department the plan names, met when a 中心 /
  重点专科 / 科室 fact (通过/建成 or empty) or the facility's departments has it;
- **定位**: the designation (县域医疗卫生次中心 …) as a 定位 fact.

Missing data is never a finding: a facility with no beds rows, no grade and no facts gets
无法评估 with what to enter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hsplan._i18n import N_, _, join_names
from hsplan.evaluation._service_network import PRIMARY_SUBTYPES as PRIMARY_SUBTYPES
from hsplan.evaluation._service_network import SUB_CENTRE_MINUTES as SUB_CENTRE_MINUTES
from hsplan.evaluation._service_network import _has, _status_word
from hsplan.evaluation._service_network import alliances as alliances
from hsplan.evaluation._service_network import network_indicators as network_indicators
from hsplan.evaluation._service_network import sub_centres as sub_centres
from hsplan.evaluation.targets import (
    AT_RISK,
    MET,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ZH,
    assess,
)
from hsplan.plans.plan import Baseline, Institution, Plan, Target, TargetSpec
from hsplan.region.model import Region

IN_PLACE = (None, "", "通过", "建成")
IN_PROGRESS = ("规划", "申报", "评审中")
APPLIED = ("申报", "评审中", "通过")
COLUMNS = ["institution_id", "name", "facility_id", "facility_name", "match", "aspect", "item",
           "baseline", "value", "target", "target_year", "status", "completion_pct",
           "time_pct", "aspirational", "reason", "quote"]
MATCH_COLUMNS = ["institution_id", "name", "subtype", "facility_id", "facility_name",
                 "facility_subtype", "match", "reason", "campus_ids"]
_CAMPUS_SEP = re.compile(r"[、，,/；;]|和|及")
# the county (or city, province) a name starts with — never a town's: 苏稽镇中心卫生院 and
# 平兴镇中心卫生院 are two institutions, only their town names tell them apart
_PREFIX = re.compile(r"^(?:[\u4e00-\u9fa5]{1,6}?(?:省|市|区|县|旗))")
_GRADE_STEP = {"甲等": 3, "乙等": 2, "丙等": 1}
# the words of the plan schema and of the facts table, in the reader's language (the
# Chinese values stay the codes of the frames and the JSON)
BEDS_KIND_WORDS = {"编制": N_("approved"), "实有": N_("open")}
GRADE_ACTION_WORDS = {"达到": N_("reach"), "启动创建": N_("start applying for"),
                      "力争": N_("strive for")}
FACT_STATUS_WORDS = {"规划": N_("planned"), "申报": N_("applied for"),
                     "评审中": N_("under review"), "通过": N_("passed"),
                     "建成": N_("built"), "撤销": N_("revoked")}
ASPECT_WORDS = {"床位": N_("institution beds"), "等级": N_("institution grade"),
                "能力": N_("capability"), "定位": N_("institution role"),
                "匹配": N_("matching"), "建设": N_("development")}
MATCH_WORDS = {"规划指定": N_("given by the plan"), "已确认": N_("confirmed"),
               "名称一致": N_("same name"), "名称相符": N_("name matches"),
               "院区名称相符": N_("campus names match"),
               "未匹配": N_("not matched")}
NETWORK_WORDS = {
    "卫生院和社区卫生服务中心纳入医共体比例（%）":
        N_("share of township and community health centres in a county medical alliance (%)"),
    "县域医疗卫生次中心数（个）": N_("number of county sub-centres"),
    "县域医疗卫生次中心床位（张）": N_("beds of the county sub-centres"),
    "医共体成员住院人次占比（%）": N_("share of the county's admissions at alliance members (%)"),
}


def _word(words: Mapping[str, str], value: Any) -> str:
    """Return a code of `words` in the reader's language; any other value unchanged."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return _(words[text]) if text in words else text


def beds_kind_text(kind: Any) -> str:
    """Return 编制/实有 (the beds a plan counts) in the reader's language."""
    return _word(BEDS_KIND_WORDS, kind)


def grade_action_text(action: Any) -> str:
    """Return 达到/启动创建/力争 (what a plan asks of a grade) in the reader's language."""
    return _word(GRADE_ACTION_WORDS, action)


def fact_status_text(status: Any) -> str:
    """Return a fact's status (申报, 评审中, 通过, 建成 …) in the reader's language."""
    return _word(FACT_STATUS_WORDS, status)


def aspect_text(aspect: Any) -> str:
    """Return an aspect (床位, 等级, 能力, 定位, 匹配, 建设) in the reader's language."""
    return _word(ASPECT_WORDS, aspect)


def match_text(match: Any) -> str:
    """Return how an institution was matched (规划指定, 名称一致 …) in the reader's language."""
    return _word(MATCH_WORDS, match)


def network_text(indicator: Any) -> str:
    """Return a service-network indicator's name in the reader's language."""
    return _word(NETWORK_WORDS, indicator)
_COMPATIBLE = {"中心乡镇卫生院": {"乡镇卫生院", "中心乡镇卫生院"},
               "乡镇卫生院": {"乡镇卫生院", "中心乡镇卫生院"}}


def grade_rank(grade: Any) -> int | None:
    """Return a grade's place on the official order (一级 = 10 … 三级甲等 = 33; 未定级 0), or
    None for no grade. A bare level (二级) ranks below its 等次 (二级乙等 = 22)."""
    if not isinstance(grade, str) or not grade.strip():
        return None
    grade = grade.strip()
    if grade == "未定级":
        return 0
    level = {"一级": 1, "二级": 2, "三级": 3}.get(grade[:2])
    if level is None:
        return None
    return level * 10 + _GRADE_STEP.get(grade[2:], 0)


def grade_reaches(current: Any, target: str) -> bool:
    """Return whether grade `current` reaches `target` (二级 is reached by any 二级 grade)."""
    have, want = grade_rank(current), grade_rank(target)
    # a bare level ranks lowest in its level, so any grade of that level reaches it
    return have is not None and want is not None and have >= want


# --- matching -----------------------------------------------------------------------------


def _core(name: str) -> str:
    return _PREFIX.sub("", name.replace("（", "(").split("(")[0].strip())


def match_institutions(region: Region, plan: Plan, *,
                       confirmed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return one row per plan institution: the facility it is bound to and how
    (``match``: 规划指定 / 已确认 / 名称一致 / 名称相符 / 院区名称相符 / 未匹配) with the reason
    (`MATCH_COLUMNS`). `confirmed` maps institution ids to facility ids a planner confirmed."""
    facs = region.facilities
    by_id = {str(i): r for i, r in zip(facs["id"], facs.itertuples(), strict=True)}
    rows = []
    for inst in plan.institutions:
        fid, how, reason = _match_one(inst, facs, by_id, (confirmed or {}).get(inst.id))
        ids = [fid] if fid else []
        found = _campus_facilities(inst, facs) if len(campuses(inst)) >= 2 else []
        if found and (not fid or fid in found or how not in ("规划指定", "已确认")):
            # one facility per campus: the institution is their sum, each named
            fid, ids, how = found[0], found, "院区名称相符"
            reason = _("matched by campus name: {list}; please confirm").format(
                list=join_names(f"{by_id[i].name}（{i}）" for i in found))
        fac = by_id.get(fid) if fid else None
        rows.append({"institution_id": inst.id, "name": inst.name, "subtype": inst.subtype,
                     "facility_id": fid, "facility_name": getattr(fac, "name", None),
                     "facility_subtype": getattr(fac, "subtype", None), "match": how,
                     "reason": reason, "campus_ids": ids})
    return pd.DataFrame(rows, columns=MATCH_COLUMNS)


def campuses(inst: Institution) -> list[str]:
    """Return the campuses (院区) a plan names for an institution (``棉竹院区、通江院区`` →
    two; 本部 or none → one or none)."""
    return [c.strip() for c in _CAMPUS_SEP.split(inst.campus or "") if c.strip()]


def _campus_facilities(inst: Institution, facs: pd.DataFrame) -> list[str]:
    """Return the facilities registered one per campus of `inst` (a name holding the
    institution's core name and the campus name, e.g. 市中区肿瘤医院棉竹院区), in the
    plan's order; [] unless every campus has exactly one."""
    core = _core(inst.name)
    names = facs["name"].astype("string").fillna("")
    found = []
    for campus in campuses(inst):
        stem = campus.removesuffix("院区")
        hits = facs[names.str.contains(core, regex=False)
                    & names.str.contains(stem, regex=False)]
        if len(hits) != 1:
            return []
        found.append(str(hits["id"].iloc[0]))
    return found if len(set(found)) == len(found) else []


def _match_one(inst: Institution, facs: pd.DataFrame, by_id: Mapping[str, Any],
               confirmed: str | None) -> tuple[str | None, str, str]:
    for given, how in ((confirmed, "已确认"), (inst.facility_id, "规划指定")):
        if given:
            if given in by_id:
                return given, how, _("facility id {id}").format(id=given)
            return None, "未匹配", _("the given facility id {id} is not in this region's "
                                     "facility table").format(id=given)
    names = facs["name"].astype("string").fillna("")
    ok_types = _COMPATIBLE.get(inst.subtype or "", {inst.subtype} if inst.subtype else None)
    typed = facs["subtype"].isin(list(ok_types)) if ok_types else pd.Series(True, facs.index)
    target_core = _core(inst.name)
    for how, mask in (
            ("名称一致", names == inst.name),
            ("名称相符", names.str.endswith(inst.name) | names.map(
                lambda n: bool(target_core) and _core(str(n)) == target_core))):
        hits = facs[mask & typed.fillna(False).astype(bool)]
        if len(hits) == 1:
            row = hits.iloc[0]
            return (str(row["id"]), how,
                    _("matched by name and type: {name} ({subtype}), please confirm").format(
                        name=row["name"], subtype=row["subtype"]))
        if len(hits) > 1:
            listed = join_names(_("{facility} ({facility_id})").format(facility=n, facility_id=i)
                                for n, i in zip(hits["name"], hits["id"], strict=True))
            return None, "未匹配", _("more than one facility matches the name: {listed}; name "
                                     "its facility_id in the plan").format(listed=listed)
    if inst.subtype:
        return None, "未匹配", _("no facility of type {subtype} in this region matches the "
                                 "name; register it or name its facility_id in the "
                                 "plan").format(subtype=inst.subtype)
    return None, "未匹配", _("no facility in this region matches the name; register it or "
                             "name its facility_id in the plan")


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class _Facts:
    """The facts of one facility up to the evaluation year."""

    frame: pd.DataFrame

    def of(self, kind: str | tuple[str, ...]) -> pd.DataFrame:
        kinds = (kind,) if isinstance(kind, str) else kind
        return self.frame[self.frame["fact"].isin(list(kinds))]

    def latest(self, kind: str, value: str | None = None) -> pd.Series | None:
        rows = self.of(kind)
        if value is not None:
            rows = rows[rows["value"] == value]
        if rows.empty:
            return None
        return rows.sort_values("year", kind="stable").iloc[-1]


def evaluate_institutions(region: Region, plan: Plan, *, year: int | None = None,
                          confirmed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return one row per institution and aspect (床位, 等级, 能力, 定位) with the status,
    完成进度 and 时间进度 (%, None where the plan gives no baseline) and the reason
    (`COLUMNS`); an unmatched institution is one 无法评估 row saying why. ``attrs["year"]``
    is the evaluation year (default: the latest year of the resources table)."""
    if year is None:
        years = region.resources["year"].dropna()
        year = int(years.max()) if len(years) else plan.period_end
    matches = match_institutions(region, plan, confirmed=confirmed).set_index("institution_id")
    rows: list[dict[str, Any]] = []
    for inst in plan.institutions:
        m = matches.loc[inst.id]
        base = {"institution_id": inst.id, "name": inst.name, "facility_id": m["facility_id"],
                "facility_name": m["facility_name"], "match": m["match"], "quote": inst.quote,
                "target_year": inst.year or plan.period_end}
        if m["facility_id"] is None or pd.isna(m["facility_id"]):
            rows.append({**base, "aspect": "匹配", "item": "", "status": NOT_EVALUABLE,
                         "reason": _("not matched to a facility: {reason}").format(
                             reason=m["reason"])})
            continue
        fid = str(m["facility_id"])
        facts_all = region.facts[region.facts["facility_id"].astype("string") == fid]
        facts = _Facts(facts_all[facts_all["year"] <= year])
        fac = region.facilities[region.facilities["id"] == fid].iloc[0]
        if inst.beds_target is not None:
            ids = list(m["campus_ids"]) or [fid]
            rows.append({**base, **_beds_row(region, plan, inst, ids, year)})
        if inst.grade_target:
            rows.append({**base, **_grade_row(plan, inst, fac, facts, year)})
        for capability in inst.capabilities:
            rows.append({**base, **_capability_row(plan, inst, fac, facts, capability, year)})
        if inst.designation:
            rows.append({**base, **_designation_row(plan, inst, facts, year)})
        if not (inst.beds_target is not None or inst.grade_target or inst.capabilities
                or inst.designation):
            rows.append({**base, "aspect": "建设", "item": "", "status": NOT_EVALUABLE,
                         "reason": _("the plan gives no bed, grade, capability or role target "
                                     "that can be checked (see its text)")})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["aspirational"] = frame["aspirational"].map(lambda v: v is True).astype(bool)
    frame.attrs["year"] = year
    return frame


def _time_pct(plan: Plan, year: int, target_year: int) -> float | None:
    start = plan.period_start - 1  # the plans' 基期 is the year before the period
    if target_year <= start:
        return None
    return round(100.0 * min(max(year - start, 0), target_year - start) / (target_year - start),
                 1)


def _beds_row(region: Region, plan: Plan, inst: Institution, fids: list[str], year: int
              ) -> dict[str, Any]:
    """The 床位 row: the facility's beds, or the sum over the facilities of the campuses
    (a year counts only when every campus has its figure)."""
    column = "beds_approved" if inst.beds_kind == "编制" else "beds"
    per: list[dict[int, float]] = []
    for fid in fids:
        res = region.resources[region.resources["facility_id"].astype("string") == fid]
        per.append({int(y): float(v) for y, v in zip(res["year"], res[column], strict=True)
                    if pd.notna(v) and pd.notna(y)})
    years = set.intersection(*(set(p) for p in per)) if per else set()
    series = {y: sum(p[y] for p in per) for y in sorted(years)}
    target_year = inst.year or plan.period_end
    item = _("{kind} beds").format(kind=beds_kind_text(inst.beds_kind)) + (
        _(", ") + inst.campus if inst.campus else "")
    out: dict[str, Any] = {"aspect": "床位", "item": item, "target": float(inst.beds_target or 0),
                           "time_pct": _time_pct(plan, year, target_year)}
    now = {y: v for y, v in series.items() if y <= year}
    if not now:
        return {**out, "status": NOT_EVALUABLE,
                "reason": _("no {kind} beds of this facility in {year} or before; enter "
                            "“{column}” in the resources table").format(
                    kind=beds_kind_text(inst.beds_kind), year=year,
                    column="编制床位" if column == "beds_approved" else "实有床位")}
    value_year = max(now)
    value = now[value_year]
    base_year = plan.period_start - 1
    base_value = float(inst.beds_baseline) if inst.beds_baseline is not None else \
        series.get(base_year)
    target = Target(id=f"{inst.id}-beds", indicator="institution_beds", name=inst.name,
                    target=TargetSpec(op=">=", year=target_year, value=float(inst.beds_target
                                                                              or 0)),
                    quote=inst.quote, unit="张",
                    baseline=Baseline(year=base_year, value=base_value))
    result = assess(target, value=value, year=year, series=now, direction="up",
                    default_year=plan.period_end)
    completion = None
    if base_value is not None and inst.beds_target is not None and \
            inst.beds_target != base_value:
        completion = round(100.0 * (value - base_value) / (inst.beds_target - base_value), 1)
    reason = _("{beds} beds in {year}, target {target} beds by {target_year} ({status})").format(
        beds=f"{value:,.0f}", year=value_year, target=f"{inst.beds_target:,}",
        target_year=target_year, status=_(result.status))
    if base_value is None:
        reason += _("; ") + _("no beds data for the baseline ({year}), the completion cannot "
                              "be computed").format(year=base_year)
    if len(fids) > 1:
        reason += _("; ") + _("the sum of {n} campuses").format(n=len(fids))
    elif len(campuses(inst)) >= 2:
        reason += _("; ") + _campus_facts(region, inst, fids[0], year)
    return {**out, "baseline": base_value, "value": value, "status": result.status,
            "completion_pct": completion, "reason": reason}


def _campus_facts(region: Region, inst: Institution, fid: str, year: int) -> str:
    """Return what the facility's 院区 facts say of the plan's campuses (their beds in the
    latest year up to `year`), or that the campuses are not registered one by one."""
    facts = region.facts
    rows = facts[(facts["facility_id"].astype("string") == fid) & (facts["fact"] == "院区")
                 & (facts["year"] <= year)].sort_values("year", kind="stable")
    latest = {str(r.value): r for r in rows.itertuples()}
    named = [c for c in campuses(inst) if any(c.removesuffix("院区") in v for v in latest)]
    if len(named) < len(campuses(inst)):
        return _("the campuses {campuses} are not registered one by one: counted as one "
                 "facility").format(campuses=inst.campus)
    parts = []
    for campus in named:
        value, row = next((v, r) for v, r in latest.items() if campus.removesuffix("院区") in v)
        beds = getattr(row, "beds", None)
        parts.append(_("{campus} {beds} beds").format(
            campus=value, beds="—" if beds is None or pd.isna(beds) else f"{beds:,.0f}"))
    return _("campuses: {list}").format(list=join_names(parts))


def _by_time(plan: Plan, year: int, target_year: int, what: str) -> tuple[str, str]:
    """Status of something not yet done: 偏离目标 at or after the target year, 进度滞后 past
    half of the time, else 进度正常."""
    if year >= target_year:
        return OFF_TRACK, _("{what}; the target year {year} has come").format(
            what=what, year=target_year)
    share = _time_pct(plan, year, target_year) or 0.0
    if share >= 50.0:
        return AT_RISK, _("{what}; {share}% of the time has passed").format(
            what=what, share=f"{share:.0f}")
    return ON_TRACK, _("{what}; {left} years left to the target year {year}").format(
        what=what, left=target_year - year, year=target_year)


def _grade_row(plan: Plan, inst: Institution, fac: pd.Series, facts: _Facts, year: int
               ) -> dict[str, Any]:
    target = str(inst.grade_target)
    target_year = inst.year or plan.period_end
    action = inst.grade_action or "达到"
    graded = facts.of("等级")
    passed = graded[graded["status"].map(_status_word).isin(["", "通过"])]
    current = passed.sort_values("year", kind="stable").iloc[-1]["value"] if len(passed) else \
        fac.get("grade")
    current = None if current is None or pd.isna(current) else str(current)
    applied = graded[graded["status"].map(_status_word).isin(APPLIED)
                     & graded["value"].map(lambda g: grade_reaches(g, target)).astype(bool)]
    item = _("{action} {grade}").format(action=grade_action_text(action), grade=target)
    out: dict[str, Any] = {"aspect": "等级", "item": item, "baseline": None, "value": None,
                           "time_pct": _time_pct(plan, year, target_year),
                           "aspirational": action == "力争"}
    out["baseline"] = inst.grade_baseline
    out["value"] = current
    if current is None and graded.empty:
        return {**out, "status": NOT_EVALUABLE,
                "reason": _("no grade of this facility; enter “医院等级” in the facility table, "
                            "or record the grade review in the facts table")}
    if current is not None and grade_reaches(current, target):
        return {**out, "status": MET, "reason": _("now {current}, {target} reached").format(
            current=current, target=target)}
    now = current or _("ungraded")
    if len(applied):
        last = applied.sort_values("year", kind="stable").iloc[-1]
        word = fact_status_text(_status_word(last["status"]))
        if action == "启动创建":
            return {**out, "status": MET, "reason": _(
                "{grade} {status} in {year} (the plan asks to start applying)").format(
                    grade=last["value"], status=word, year=int(last["year"]))}
        return {**out, "status": ON_TRACK, "reason": _(
            "now {current}, {grade} {status} in {year}").format(
                current=now, grade=last["value"], status=word, year=int(last["year"]))}
    status, reason = _by_time(plan, year, target_year,
                              _("now {current}, no application for {target} yet").format(
                                  current=now, target=target))
    if action == "力争" and status == OFF_TRACK:
        status, reason = AT_RISK, reason + _(" (an aspirational target, not counted as off "
                                             "track)")
    return {**out, "status": status, "reason": reason}


def _capability_row(plan: Plan, inst: Institution, fac: pd.Series, facts: _Facts,
                    capability: str, year: int) -> dict[str, Any]:
    target_year = inst.year or plan.period_end
    out: dict[str, Any] = {"aspect": "能力", "item": capability, "target": None,
                           "time_pct": _time_pct(plan, year, target_year)}
    kinds = facts.of(("中心", "重点专科", "科室"))
    mine = kinds[kinds["value"].map(lambda v: _has(v, capability)).astype(bool)]
    done = mine[mine["status"].map(_status_word).isin(["", "通过", "建成"])]
    departments = fac.get("departments")
    dept_list = list(departments) if isinstance(departments, list | tuple) else \
        ([] if departments is None or (isinstance(departments, float) and pd.isna(departments))
         else [str(departments)])
    if len(done) or any(_has(d, capability) for d in dept_list):
        why = _("{capability} in place since {year}").format(
            capability=capability, year=int(done["year"].min())) if len(done) else \
            _("{capability} among the departments").format(capability=capability)
        return {**out, "status": MET, "value": _("in place"), "reason": why}
    going = mine[mine["status"].map(_status_word).isin(IN_PROGRESS)]
    if len(going):
        last = going.sort_values("year", kind="stable").iloc[-1]
        word = fact_status_text(_status_word(last["status"]))
        return {**out, "status": ON_TRACK, "value": word,
                "reason": _("{status} in {year}").format(status=word, year=int(last["year"]))}
    # a centre or specialty is only known absent when the facility's centres are recorded;
    # a department, when its departments are
    centre_like = capability.endswith(("中心", "专科"))
    recorded = facts.of(("中心", "重点专科")) if centre_like else facts.of("科室")
    if recorded.empty and (centre_like or not dept_list):
        missing = _("no centre or key specialty records of this facility; record them in the "
                    "facts table") if centre_like else \
            _("no department records of this facility; record them in the facts table")
        return {**out, "status": NOT_EVALUABLE, "reason": missing}
    status, reason = _by_time(plan, year, target_year,
                              _("no record of building {capability} yet").format(
                                  capability=capability))
    return {**out, "status": status, "value": _("not in place"), "reason": reason}


def _designation_row(plan: Plan, inst: Institution, facts: _Facts, year: int
                     ) -> dict[str, Any]:
    wanted = str(inst.designation)
    target_year = inst.year or plan.period_end
    out: dict[str, Any] = {"aspect": "定位", "item": wanted,
                           "time_pct": _time_pct(plan, year, target_year)}
    rows = facts.of("定位")
    mine = rows[rows["value"].map(lambda v: _has(v, wanted)).astype(bool)]
    if len(mine):
        last = mine.sort_values("year", kind="stable").iloc[-1]
        word = _status_word(last["status"])
        if word in ("", "通过", "建成"):
            return {**out, "status": MET, "value": _("designated"),
                    "reason": _("{role} since {year}").format(role=wanted,
                                                             year=int(last["year"]))}
        if word != "撤销":
            shown = fact_status_text(word)
            return {**out, "status": ON_TRACK, "value": shown,
                    "reason": _("{status} in {year}").format(status=shown,
                                                             year=int(last["year"]))}
    if facts.frame.empty:
        return {**out, "status": NOT_EVALUABLE,
                "reason": _("no progress records of this facility; record its “定位” in the "
                            "facts table")}
    status, reason = _by_time(plan, year, target_year,
                              _("not yet designated {role}").format(role=wanted))
    return {**out, "status": status, "value": _("not designated"), "reason": reason}


COLUMNS_ZH = {"institution_id": "编号", "name": "规划机构", "facility_id": "机构编码",
              "facility_name": "对应机构", "match": "匹配方式", "aspect": "方面", "item": "目标",
              "baseline": "基期", "value": "现状", "target": "目标值", "target_year": "目标年",
              "status": "状态", "completion_pct": "完成进度（%）", "time_pct": "时间进度（%）",
              "aspirational": "力争", "reason": "说明", "quote": "原文"}
# the headers of the workbook in the reader's language (Chinese: `COLUMNS_ZH`)
COLUMN_HEADERS = {
    "institution_id": N_("no."), "name": N_("plan institution"),
    "facility_id": N_("facility id"), "facility_name": N_("matched facility"),
    "match": N_("how matched"), "aspect": N_("aspect"), "item": N_("target of the institution"),
    "baseline": N_("baseline of the institution"), "value": N_("current state"),
    "target": N_("target value"), "target_year": N_("target year of the institution"),
    "status": N_("status"), "completion_pct": N_("completion, %"),
    "time_pct": N_("time elapsed, %"), "aspirational": N_("aspirational"),
    "reason": N_("explanation"), "quote": N_("text of the plan"),
}
NETWORK_HEADERS = {"indicator": N_("indicator"), "value": N_("value"),
                   "numerator": N_("numerator"), "denominator": N_("denominator"),
                   "status": N_("status"), "reason": N_("explanation")}
MEMBER_HEADERS = {"alliance": N_("alliance name"), "kind": N_("alliance type"),
                  "facility_id": N_("facility id"), "facility_name": N_("facility name"),
                  "subtype": N_("facility type"), "area_code": N_("area of the facility"),
                  "role": N_("role"), "since": N_("since year")}


def institutions_to_xlsx(results: pd.DataFrame, network: pd.DataFrame, members: pd.DataFrame,
                         path: Any, *, plan: Plan) -> Any:
    """Write the institutions' evaluation, the network indicators and the alliance members
    to an xlsx workbook (Chinese headers and statuses, frozen header, filter); return the
    path (written to a temporary name and moved into place)."""
    import os
    from pathlib import Path

    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = {MET: "C6EFCE", ON_TRACK: "DDEBF7", AT_RISK: "FFEB9C", OFF_TRACK: "FFC7CE",
             NOT_EVALUABLE: "EDEDED"}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    shown = results.assign(status=results["status"].map(
                               lambda s: _(s) if s in STATUS_ZH else s),
                           aspirational=results["aspirational"].map({True: _("yes"),
                                                                     False: ""}),
                           match=results["match"].map(match_text),
                           aspect=results["aspect"].map(aspect_text))
    net = network.assign(indicator=network["indicator"].map(network_text),
                         status=network["status"].map(lambda s: _(s) if s in STATUS_ZH else s))
    key_sheet = _("development of key institutions")
    sheets = {
        key_sheet: shown.rename(columns={c: _(h) for c, h in COLUMN_HEADERS.items()}),
        _("service network indicators"): net.rename(
            columns={c: _(h) for c, h in NETWORK_HEADERS.items()}),
        _("alliance members"): members.rename(
            columns={c: _(h) for c, h in MEMBER_HEADERS.items()}),
    }
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for k, col in enumerate(frame.columns, start=1):
                width = max([len(str(col)) * 2] + [len(str(v)) for v in frame[col].head(100)])
                ws.column_dimensions[get_column_letter(k)].width = min(max(width, 8), 60)
            for cell in ws[1]:
                cell.font = Font(bold=True)
        ws = writer.sheets[key_sheet]
        status_col = list(COLUMNS).index("status") + 1
        for row, status in enumerate(results["status"], start=2):
            ws.cell(row=row, column=status_col).fill = PatternFill(
                "solid", fgColor=fills.get(status, "FFFFFF"))
    os.replace(tmp, path)
    return path

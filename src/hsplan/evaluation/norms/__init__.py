"""Check a region against a plan's configuration norms (资源配置标准): per norm, pass or fail.

`check(region, plan)` evaluates every norm of the plan on the region in one year and
returns a `NormResult`: ``summary`` (one row per norm) and ``violations`` (one row per area
or facility that misses a norm, with the shortfall in the rule's unit and the plan's
quote). Rule types are those of ``docs/plan-format.md`` ("Norms"); each has one function,
registered in `RULES`; an unknown rule is an error naming it.

Modules
-------
- `_base` — the prepared region (`_Context`), an outcome, facility selection and the
  Chinese words of facilities and resources;
- `_rules` — the descriptions of norms in words (`describe`), the area and region rules
  (presence, count_per_population, resource_per_population, share, department_share,
  service_circle, text) and `RULES`;
- `_facility_rules` — the rules about each facility of a kind (per_facility_minimum,
  per_facility_ratio) and the utilisation rules (bed_efficiency, max_alos).

Columns
-------
- ``summary``: norm_id, rule, name (the plan's), description (in the reader's language,
  generated from the parameters, e.g. ``每3万城市人口1辆救护车`` / ``1 ambulances per 30,000
  urban residents``), checked, passed, failed, not_evaluable
  (counts of areas, facilities or villages), status (pass · fail · not evaluable), reason,
  quote.
- ``violations``: norm_id, rule, area_code, area_name, area_level, facility_id,
  facility_name, expected, actual, shortfall (a number ≥ 0 in `unit`), unit (e.g. 辆救护车),
  shortfall_text (``缺 2 辆救护车`` / ``超 10 张床位``; ``short by 2: ambulances``), detail,
  quote. Every text hsplan writes (description, reason, expected, actual, unit,
  shortfall_text, detail) is in the reader's language, made when `check` runs; the plan's
  quote, area, facility and department names and the schema's facility kinds stay as
  written.

Rule semantics
--------------
- **presence** — each area of ``area_level`` (county / township / village) has at least
  ``min_count`` open facilities of the kind inside it. ``where.area_kind`` keeps streets
  (街道: the name ends in 街道) or towns (镇, 乡, 苏木); ``where.urban_rural`` the areas
  of that class; ``where.min_pop`` the areas with at least that many residents in the year.
  A 村卫生室 norm is about 行政村: villages that are urban communities (居民委员会, 居委会,
  社区) are not checked, and a village where a township health centre (乡镇卫生院,
  中心乡镇卫生院, 社区卫生服务中心, 街道卫生院) stands is exempt — the centre stands in the
  village when its ``area_code`` is the village, or when it is placed at the township and
  the village is the township's village nearest to it (within `SEAT_RADIUS_M`).
- **count_per_population** — facilities per population: "1 per 30–100k" asks for
  ceil(P / per_pop_max) … max(1, floor(P / per_pop_min)) facilities. For community
  health centres and stations (`STREET_SUBTYPES`) P is the population of the streets of
  the area (they serve streets, towns have 卫生院); otherwise the area's population.
- **resource_per_population** — the sum of a resource over the facilities of the area (all
  facilities, or those of ``facility``) against the population: at least P × min / per_pop
  (or min_count per per_pop), at most P × max / per_pop. With ``scope`` urban or rural,
  P is the urban or rural population (``population.urban``/``rural`` of the area, else the
  populations of its villages, else townships, summed by their ``urban_rural`` class) and
  only facilities standing in areas of that class count.
- **share** — 100 × numerator / denominator. Per facility when the norm has a top-level
  ``facility`` and neither side has its own (TCM beds ≥ 5 % of *a* general hospital's
  beds); otherwise summed over the region's county (negative-pressure ambulances ≥ 30 % of
  all ambulances; private beds ≥ 25 % of all beds). A side is a resource sum or, without
  ``resource``, a count of facilities.
- **department_share** — the share of facilities of the kind that have the department
  (a 发热门诊 counts as a 发热诊室). At 100 % every lacking facility is a violation; below,
  one row for the county lists the lacking facilities.
- **per_facility_minimum** / **per_facility_ratio** — each open facility of the kind.
- **bed_efficiency** — a facility with occupancy < ``max_occupancy_pct`` and average stay
  > ``min_alos_days`` in the year must not add beds: a violation when its beds (实有床位)
  grew over the region's own previous year (so a scenario that adds beds is flagged).
- **max_alos** — average stay ≤ ``max_alos_days``.
- **service_circle** — needs travel times: `check(..., access=...)` with an object that
  has ``coverage(facility, *, minutes, distance_km, mode, scope)`` (one row per village:
  ``area_code, name, level, township_code, pop, travel_min, dist_m, covered, reachable``;
  `hsplan.access.service.ServiceAccess`). A village is covered when it is reachable within
  ``minutes`` *or* ``distance_km`` (the documents say "半径不超过5千米或…15分钟以内");
  the norm passes when the covered population share ≥ ``min_share_pct`` (100 when not
  stated). Each uncovered village is a violation.
- **text** — not evaluable, with the plan's reason.

Two norms of one “或” sentence ("每个街道办事处范围或每3万—10万居民…") name each other in
``or_norm``: when either passes, both pass, and the reading is printed with the result.

Absent data is never a finding: a norm about facilities of a kind that was never entered
(no row, and the kind not declared complete in ``region.meta["complete"]``, see
`hsplan.plans.requirements`) is not evaluable, with what to enter — e.g. N41's 托育机构
service circle on a project without 托育机构 — and a project with no facilities at all
gets no facility violations.

Facilities count when open in the year (``opened`` ≤ year < ``closed``). Shortfalls are
whole units (ceil) for counts of things; ``shortfall`` is always ≥ 0 and
``shortfall_text`` says whether it is missing (缺) or excess (超).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._files import save_workbook
from hsplan._i18n import N_, _
from hsplan._json import json_value
from hsplan.errors import HsplanError, Problem, raise_if_errors
from hsplan.evaluation.norms._base import (
    COLUMN_WORDS,
    COLUMNS_ZH,
    FAIL,
    NOT_EVALUABLE,
    PASS,
    RULE_WORDS,
    RULE_ZH,
    STATUS_ZH,
    STATUSES,
    SUMMARY_COLUMNS,
    VIOLATION_COLUMNS,
    Access,
    _as_list,
    _Context,
    _Outcome,
    _reason_sep,
    _sep,
    column_text,
    facility_mask,
    facility_words,
    facility_zh,
    grade_rank,
    rule_text,
)
from hsplan.evaluation.norms._rules import RULES, describe
from hsplan.plans.plan import Norm, Plan
from hsplan.plans.readings import Readings
from hsplan.plans.requirements import (
    entered_kinds,
    facilities_entered,
    facility_kinds_of,
)
from hsplan.region import schema
from hsplan.region.model import Region


@dataclass(frozen=True)
class NormResult:
    """The check of a plan's norms on a region in one year.

    `summary`: one row per norm (`SUMMARY_COLUMNS`); `violations`: one row per area or
    facility that misses a norm (`VIOLATION_COLUMNS`), shortfall in the rule's unit.
    """

    plan_id: str
    year: int
    summary: pd.DataFrame
    violations: pd.DataFrame
    readings: dict[str, Any] = field(default_factory=dict)
    line: str = ""  # the readings in one line, in the language of the check

    @property
    def readings_line(self) -> str:
        """Return the plan's readings in one line (printed with the result), in the language
        of the check (``readings["line_zh"]`` is the Chinese line)."""
        return self.line or str(self.readings.get("line_zh", ""))

    def status_counts(self) -> dict[str, int]:
        """Return the number of norms per status, in `STATUSES` order (zeros included)."""
        counts = self.summary["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in STATUSES}


_RESOURCE_PARAMS = ("resource", "numerator", "denominator")


def _problems(plan: Plan) -> list[Problem]:
    """Return every norm whose rule is unknown or that names an unknown resource column."""
    problems = []
    known = set(schema.RESOURCES.column_ids) - {"facility_id", "year"}
    for n in plan.norms:
        if n.rule not in RULES:
            problems.append(Problem(
                _("norm {id}: unknown rule").format(id=n.id),
                file=plan.path.name if plan.path else plan.id,
                column="rule", expected=_("one of {names}").format(names=", ".join(RULES)),
                got=n.rule, fix=_("use a rule type of docs/plan-format.md (Norms)")))
            continue
        for key in _RESOURCE_PARAMS:
            value = n.params.get(key)
            if isinstance(value, dict):
                value = value.get("resource")
            for col in _as_list(value):
                if col not in known:
                    problems.append(Problem(
                        _("norm {id}: unknown resource").format(id=n.id),
                        file=plan.path.name if plan.path else plan.id, column=key,
                        expected=_("a column of the resources table"), got=col,
                        fix=_("use a resources column of docs/schema.md")))
    return problems


def default_year(region: Region) -> int:
    """Return the year `check` uses by default: the latest year with resources, else the
    latest year with any yearly data."""
    years = sorted({int(y) for y in region.resources["year"].dropna().unique()})
    if years:
        return years[-1]
    if region.years:
        return region.years[-1]
    raise HsplanError(_("the region has no yearly data (population, resources, utilisation). "
                        "Fix: import the yearly tables first (hsplan import)."))


def _absent_input(region: Region, norm: Norm,
                  entered: dict[Any, Any] | None = None) -> str | None:
    """Why `norm` cannot be checked because its facilities were never entered (None when
    the data can speak for them): absent data is 无法评估, never a violation. `entered`
    remembers `facilities_entered` per kinds across the norms of one check."""
    if norm.rule == "text":
        return None
    memo: dict[Any, Any] = {} if entered is None else entered

    def known(kinds: tuple[str, ...]) -> bool:
        if kinds not in memo:
            if "present" not in memo:
                memo["present"] = entered_kinds(region)
            memo[kinds] = facilities_entered(region, kinds, present=memo["present"])
        return bool(memo[kinds])

    kinds = facility_kinds_of(norm.params.get("facility"))
    if kinds and not known(tuple(kinds)):
        return _missing_facilities(kinds)
    if not known(()):
        return _missing_facilities([])
    return None


def _missing_facilities(kinds: Iterable[str]) -> str:
    """Return the 无法评估 reason for facility kinds that were not entered (no kinds: any
    health facility), in the reader's language (`missing_facilities_text` in Chinese)."""
    label = _sep().join(dict.fromkeys(kinds)) or _("health facilities (any kind)")
    return _("not evaluable: no {kinds} data (the facilities table has none). Enter {kinds} in "
             "the facilities table; if a survey found none, declare “{kinds}” in the project "
             "metadata complete").format(kinds=label)


def _join_or_norms(plan: Plan, summary: list[dict[str, Any]],
                   violations: list[dict[str, Any]]) -> None:
    """Read two norms of one “或” sentence as one: when either passes, both pass (the other
    row says so and loses its violations); changes `summary` and `violations` in place."""
    rows = {r["norm_id"]: r for r in summary}
    for norm in plan.norms:
        other_id = norm.params.get("or_norm")
        if not other_id or other_id not in rows or norm.id not in rows:
            continue
        mine, other = rows[norm.id], rows[other_id]
        reading = _("one “or” sentence with {other} (quote: {quote}): either passing passes "
                    "both").format(other=other_id, quote=norm.quote)
        if mine["status"] != PASS and other["status"] == PASS:
            mine["status"] = PASS
            mine["reason"] = _("{reading}: {other} passes; {reason}").format(
                reading=reading, other=other_id, reason=mine["reason"])
            violations[:] = [v for v in violations if v["norm_id"] != norm.id]
        elif reading not in mine["reason"]:
            mine["reason"] = _("{reading}; {reason}").format(reading=reading,
                                                             reason=mine["reason"])


def status_text(status: str) -> str:
    """Return a norm's status in the reader's language (`STATUS_ZH` in Chinese)."""
    return _(_STATUS_WORDS[status]) if status in _STATUS_WORDS else status


_STATUS_WORDS = {PASS: N_("pass"), FAIL: N_("fail"), NOT_EVALUABLE: N_("not evaluable")}


def check(region: Region, plan: Plan, *, year: int | None = None,
          access: Access | None = None) -> NormResult:
    """Return the plan's norms checked on `region` in `year`: a summary and the violations.

    Parameters
    ----------
    region : the region model (not modified).
    plan : a loaded plan; every norm of it gets one summary row.
    year : the year checked (default `default_year`); bed growth is against ``year − 1``.
    access : travel times for service-circle norms (see the module docstring); without
        it those norms are "not evaluable".

    Notes
    -----
    Rule semantics are in the module docstring; norms come from docs/plan-format.md.
    Raises `ValidationError` listing every norm with an unknown rule or resource.
    """
    raise_if_errors(_problems(plan), context=_("plan {plan} norms").format(plan=plan.id))
    when = default_year(region) if year is None else int(year)
    readings = Readings.from_plan(plan)
    if access is not None and hasattr(access, "with_readings"):
        access = access.with_readings(readings)
    ctx = _Context(region, when, access, readings)
    summary: list[dict[str, Any]] = []
    violations: list[dict[str, Any]] = []
    entered: dict[Any, Any] = {}  # kinds → facilities_entered, "present" → entered_kinds
    for norm in plan.norms:
        absent = _absent_input(region, norm, entered)
        if absent is not None:
            out = _Outcome(status=NOT_EVALUABLE, reasons=[absent])
        else:
            out = RULES[norm.rule](ctx, norm)
        status = out.status or (FAIL if out.failed else PASS if out.passed else NOT_EVALUABLE)
        reasons = list(dict.fromkeys(out.reasons))
        if status == NOT_EVALUABLE and not reasons:
            reasons.append(_("nothing in the region to check"))
        summary.append({
            "norm_id": norm.id, "rule": norm.rule, "name": norm.name or "",
            "description": describe(norm),
            "checked": out.checked, "passed": out.passed, "failed": out.failed,
            "not_evaluable": out.not_evaluable, "status": status,
            "covered_pct": out.covered_pct,
            "reason": _reason_sep().join(reasons), "quote": norm.quote,
        })
        violations += out.rows
    _join_or_norms(plan, summary, violations)
    vio = pd.DataFrame(violations, columns=VIOLATION_COLUMNS)
    vio["shortfall"] = vio["shortfall"].astype(float)
    frame = pd.DataFrame(summary, columns=SUMMARY_COLUMNS)
    frame["covered_pct"] = frame["covered_pct"].astype(float)
    return NormResult(plan_id=plan.id, year=when, summary=frame, violations=vio,
                      readings=readings.to_dict(), line=readings.line())


# --- output ---------------------------------------------------------------------------------


def result_to_json(result: NormResult, *, project: str | None, synthetic: bool
                   ) -> dict[str, Any]:
    """Return the check as JSON: ``{plan, project, year, synthetic, summary, violations}``."""
    def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
        return [{c: json_value(row[c]) for c in columns}
                for row in frame.to_dict(orient="records")]
    return {"plan": result.plan_id, "project": project, "year": result.year,
            "synthetic": synthetic, "readings": result.readings,
            "summary": records(result.summary, SUMMARY_COLUMNS),
            "violations": records(result.violations, VIOLATION_COLUMNS)}


def result_to_xlsx(result: NormResult, path: str | Path) -> Path:
    """Write the check to an Excel workbook (sheets 汇总 and 违规明细, headers and
    statuses in the reader's language); return the path. The file is written whole or not
    at all."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {PASS: "C6EFCE", FAIL: "FFC7CE", NOT_EVALUABLE: "EDEDED"}
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = _("norms summary")
    sheets = ((ws, result.summary, SUMMARY_COLUMNS),
              (wb.create_sheet(_("violations of the norms")), result.violations,
               VIOLATION_COLUMNS))
    for sheet, frame, columns in sheets:
        sheet.append([column_text(c) for c in columns])
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in frame.to_dict(orient="records"):
            values = [json_value(row[c]) for c in columns]
            if "status" in columns:
                values[columns.index("status")] = status_text(str(row["status"]))
            sheet.append(values)
            if "status" in columns:
                sheet.cell(sheet.max_row, columns.index("status") + 1).fill = PatternFill(
                    "solid", fgColor=fills[str(row["status"])])
    return save_workbook(wb, path)


__all__ = [
    "COLUMNS_ZH", "COLUMN_WORDS", "FAIL", "NOT_EVALUABLE", "PASS", "RULES", "RULE_WORDS",
    "RULE_ZH", "STATUSES", "STATUS_ZH", "Access", "NormResult",
    "check", "column_text", "default_year", "describe", "facility_mask", "facility_words",
    "facility_zh", "grade_rank", "result_to_json", "result_to_xlsx", "rule_text",
    "status_text",
]


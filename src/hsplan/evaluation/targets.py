"""Evaluate a region against a plan: one row per target (per area), with a traffic light.

`evaluate(region, plan)` takes each target of the plan, finds the indicator's value in the
region (computed from the model by `hsplan.plans.indicators.compute`, or a reported figure),
its trend, and says whether the target is met.

Status logic (`assess`)
-----------------------
The *condition now* is the target's condition at the evaluation year: the milestone of
that year when the target has one, the per-year trajectory (baseline + per_year × years
since the baseline) for ``per_year`` targets, otherwise the target itself.

- **met** — the value satisfies the condition now.
- **on track** — not met, the target year is still ahead, and the observed trend carried
  forward to the target year (value + observed_per_year × years left) satisfies the target.
- **at risk** — not met, the target year is ahead, and the trend moves toward the target
  but too slowly; also when only one year of data gives no trend, and when this year's
  milestone is missed although the trend would reach the final target.
- **off track** — not met and the trend moves away from the target or not at all, or the
  target year has come and the target is not met.
- **not evaluable** (无法评估) — no value up to the evaluation year, no indicator id, a text
  target (``op: text``), or a target whose value cannot be known (``up``/``down``/``keep``
  without a baseline or a trend, ``relative_pct`` without a baseline value).
- **not applicable** (不适用) — a township's value of a county target, shown for reference
  at ``level="township"`` and never compared with the target.

Values are compared at the target's published precision (3.5551 meets ≥ 3.56; see
`published_decimals`). ``down`` (持续稳中有降) at a baseline of 0 is met by staying at 0.

Level (`target_scope`): a target is judged where the plan puts it — the county unless the
plan scopes it per township or street ("以街道为单位…", ``level: township``), in which case
every township must meet it.

Progress (`progress`), beside the trend-based status: 完成进度 = (现状 − 基期)/(目标 − 基期),
时间进度 = elapsed share of base year → target year, and the grade 提前完成 / 快于预期 /
符合预期 / 滞后于预期 (已完成 / 未完成 at the target year). Targets repeating an earlier one
(same indicator, area, condition and year) carry ``duplicate_of`` and are counted once.

Operators (docs/plan-format.md): ``>=``, ``<=``, ``<``, ``>`` compare; ``=`` holds within
a relative 1e-6; ``approx`` within ±5 % of the value; ``range`` low ≤ value ≤ high;
``up``/``down`` need the value above/below the baseline (or a rising/falling trend when
there is no baseline); ``keep`` holds the stated value or, without one, the baseline —
not below it for "more is better" indicators, not above it for "less is better" ones,
within ±5 % otherwise (the catalog's ``direction``); ``relative_pct`` targets are
baseline × (1 + pct/100); ``per_year`` targets are baseline + per_year × (year − baseline
year); ``ratio_form: 1:x`` compares x (the catalog computes such ratios as x). When the
plan gives no baseline value, the region's own value in the baseline year is used.

Numbers
-------
- ``gap`` = target value at the target year − current value, in the indicator's unit
  (for ``range`` the distance to the nearest bound, 0 inside): positive means the value
  must rise. Empty for ``up``/``down`` without a baseline and for text targets.
- ``required_per_year`` = gap / (target year − evaluation year), when not met and the
  target year is ahead.
- ``observed_per_year`` = the slope of the values against the year: least squares when
  three or more years have values, else (last − first) / (years between); with one year
  of data the plan's baseline is used as the first point when it is earlier.

Rows are sorted: 约束性 (binding) targets that are off track or at risk first, then the
other off-track and at-risk targets, then the rest, each group in plan order (a target's
township rows follow its own row). `status_counts_by_nature` gives the counts with 约束性
first.

JSON output (`evaluation_to_json`, stable)::

    {"plan": "jiangchuan-2021-2025", "project": "江川区", "year": 2023, "synthetic": false,
     "results": [{"target_id": "T07", "indicator": "beds_per_1k",
                  "name": "每千人口医疗卫生机构床位数", "category": …, "nature": "预期性",
                  "area_code": "530403", "area_name": …, "unit": "张/千人",
                  "baseline_year": 2020, "baseline_value": 3.44, "value": 3.6,
                  "value_year": 2023, "source": "computed", "target_year": 2025, "op": ">=",
                  "target": 3.56, "target_low": null, "target_high": null,
                  "target_text": null, "milestone_year": null, "milestone_value": null,
                  "status": "met", "reason": …, "gap": -0.04, "required_per_year": null,
                  "observed_per_year": 0.05, "completion_pct": 133.3, "time_pct": 60.0,
                  "grade": "提前完成", "scope": "county", "duplicate_of": null,
                  "aspirational": false, "quote": …}, …]}

The status of one target (`assess`, `progress`, the status and grade words) is in
`hsplan.evaluation._assessment`; its public names are importable from here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._files import save_workbook
from hsplan._i18n import N_, _, join_names
from hsplan._json import json_value
from hsplan.errors import HsplanError
from hsplan.evaluation._assessment import AHEAD_DONE as AHEAD_DONE
from hsplan.evaluation._assessment import APPROX_TOLERANCE as APPROX_TOLERANCE
from hsplan.evaluation._assessment import AS_EXPECTED as AS_EXPECTED
from hsplan.evaluation._assessment import (
    AT_RISK,
    FAILURES,
    MET,
    NOT_APPLICABLE,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ZH,
    STATUSES,
    assess,
    progress,
    unit_decimals,
)
from hsplan.evaluation._assessment import BEHIND as BEHIND
from hsplan.evaluation._assessment import DEFAULT_DECIMALS as DEFAULT_DECIMALS
from hsplan.evaluation._assessment import DONE as DONE
from hsplan.evaluation._assessment import FASTER as FASTER
from hsplan.evaluation._assessment import FASTER_MARGIN_PP as FASTER_MARGIN_PP
from hsplan.evaluation._assessment import GRADES as GRADES
from hsplan.evaluation._assessment import NOT_DONE as NOT_DONE
from hsplan.evaluation._assessment import UNIT_DECIMALS as UNIT_DECIMALS
from hsplan.evaluation._assessment import Assessment as Assessment
from hsplan.evaluation._assessment import Progress as Progress
from hsplan.evaluation._assessment import at_precision as at_precision
from hsplan.evaluation._assessment import observed_per_year as observed_per_year
from hsplan.evaluation._assessment import published_decimals as published_decimals
from hsplan.plans._indicator_values import Prepared, values_of
from hsplan.plans.catalog import Catalog, load_catalog
from hsplan.plans.plan import Plan, Target
from hsplan.region.model import Region

LEVELS = ("county", "township")
NATURE_ORDER = ("约束性", "预期性", "指导性", "")

COLUMNS = [
    "target_id", "indicator", "name", "category", "nature", "area_code", "area_name", "unit",
    "baseline_year", "baseline_value", "value", "value_year", "source", "target_year", "op",
    "target", "target_low", "target_high", "target_text", "milestone_year", "milestone_value",
    "status", "reason", "gap", "required_per_year", "observed_per_year",
    "completion_pct", "time_pct", "grade", "scope", "duplicate_of", "baseline_source",
    "aspirational", "quote",
]
COLUMNS_ZH = {
    "target_id": "指标编号", "indicator": "指标编码", "name": "指标名称", "category": "类别",
    "nature": "指标属性", "area_code": "区划代码", "area_name": "区划名称", "unit": "单位",
    "baseline_year": "基期年份", "baseline_value": "基期值", "value": "现状值",
    "value_year": "现状年份", "source": "数据来源", "target_year": "目标年份",
    "op": "目标条件", "target": "目标值", "target_low": "目标下限", "target_high": "目标上限",
    "target_text": "目标描述", "milestone_year": "节点年份", "milestone_value": "节点目标值",
    "status": "评估结论", "reason": "说明", "gap": "差距", "required_per_year": "所需年均变化",
    "observed_per_year": "实际年均变化", "completion_pct": "完成进度(%)",
    "time_pct": "时间进度(%)", "grade": "进度评价", "scope": "评估层级",
    "duplicate_of": "同一指标(已计入)", "baseline_source": "基期值来源",
    "aspirational": "力争", "quote": "规划原文",
}
# the headers of the workbook in the reader's language (Chinese: `COLUMNS_ZH`)
COLUMN_HEADERS = {
    "target_id": N_("target no."), "indicator": N_("indicator id"),
    "name": N_("indicator name"), "category": N_("category of the target"),
    "nature": N_("nature of the target"), "area_code": N_("area code"),
    "area_name": N_("area name"), "unit": N_("unit"), "baseline_year": N_("baseline year"),
    "baseline_value": N_("baseline value"), "value": N_("current value"),
    "value_year": N_("year of the current value"), "source": N_("data source"),
    "target_year": N_("target year"), "op": N_("target condition"),
    "target": N_("target value"), "target_low": N_("target low"),
    "target_high": N_("target high"), "target_text": N_("target text"),
    "milestone_year": N_("milestone year"), "milestone_value": N_("milestone target value"),
    "status": N_("evaluation verdict"), "reason": N_("explanation"), "gap": N_("gap"),
    "required_per_year": N_("required change a year"),
    "observed_per_year": N_("observed change a year"),
    "completion_pct": N_("completion (%)"), "time_pct": N_("time elapsed (%)"),
    "grade": N_("progress grade"), "scope": N_("evaluation level"),
    "duplicate_of": N_("same indicator as (counted)"),
    "baseline_source": N_("baseline value source"), "aspirational": N_("aspirational"),
    "quote": N_("plan text"),
}
# the progress grades (进度评价) in the reader's language
GRADE_WORDS = {AHEAD_DONE: N_("met ahead of time"), FASTER: N_("faster than expected"),
               AS_EXPECTED: N_("as expected"), BEHIND: N_("slower than expected"),
               DONE: N_("completed"), NOT_DONE: N_("not completed")}
NO_NATURE = "未标注"
# the natures of a target (the plan schema's words) in the reader's language
NATURE_WORDS = {"约束性": N_("binding"), "预期性": N_("anticipatory"), "指导性": N_("guiding"),
                NO_NATURE: N_("not marked")}


def nature_text(nature: Any) -> Any:
    """Return a target's nature (约束性, 预期性, 指导性) in the reader's language."""
    return _(NATURE_WORDS[nature]) if isinstance(nature, str) and nature in NATURE_WORDS \
        else nature


# --- the region's values ---------------------------------------------------------------------


@dataclass(frozen=True)
class _IndicatorInfo:
    direction: str = "none"
    unit: str | None = None
    kind: str = "reported"
    levels: tuple[str, ...] = ("county",)
    known: bool = False
    department_based: bool = False


def _indicator_info(catalog: Catalog, indicator: str) -> _IndicatorInfo:
    try:
        entry = catalog.get(indicator)
    except HsplanError:
        return _IndicatorInfo()
    return _IndicatorInfo(direction=entry.direction or "none", unit=entry.unit,
                          kind=entry.kind, levels=tuple(entry.levels or ("county",)),
                          known=True, department_based=_department_based(entry))


_Series = tuple[dict[str, dict[int, float]], dict[str, str], dict[str, str]]


class _PreparedLevels:
    """The region prepared for indicator computation once per level, on first use; an
    HsplanError (an unknown or absent level) is kept and raised again on every use."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self._by_level: dict[str, Prepared | HsplanError] = {}

    def get(self, level: str) -> Prepared:
        """Return the region prepared at `level` (raises HsplanError as `Prepared` does)."""
        if level not in self._by_level:
            try:
                self._by_level[level] = Prepared(self.region, level)
            except HsplanError as exc:
                self._by_level[level] = exc
        found = self._by_level[level]
        if isinstance(found, HsplanError):
            raise found
        return found


def _series(region: Region, indicator: str, *, level: str, years: list[int],
            catalog: Catalog, info: _IndicatorInfo, prepared: _PreparedLevels) -> _Series:
    """Values of `indicator` by area code and year, the area names, and what is missing
    (by area code, for the latest year)."""
    values: dict[str, dict[int, float]] = {}
    names: dict[str, str] = {}
    missing: dict[str, str] = {}
    if info.known:
        entry = catalog.get(indicator)
        # departments and grades come from the facts table year by year; where a year has
        # no record (the facility table's 科室设置/等级 only describe the latest year) the
        # value of that year is missing (无历史数据), so it gives no baseline and no trend
        for y in years:
            try:
                result = values_of(prepared.get(level), entry, y)
            except HsplanError as exc:
                missing = {code: str(exc) for code in names} or {"": str(exc)}
                continue
            for code, name, value, why in zip(result.codes, result.names, result.value,
                                              result.missing, strict=True):
                names.setdefault(code, name)
                if not math.isnan(value):
                    values.setdefault(code, {})[y] = value
                    missing.pop(code, None)
                elif why:
                    missing[code] = why
        return values, names, missing
    # not in the catalog: read the indicator as reported
    reported = region.reported
    rows = reported[reported["indicator"] == indicator]
    areas = region.areas
    level_codes = set(areas.loc[areas["level"] == level, "code"].astype(str))
    area_names = dict(zip(areas["code"].astype(str), areas["name"].astype(str), strict=True))
    records = rows.to_dict(orient="records")
    for row in records:
        code = str(row["area_code"])
        if level_codes and code not in level_codes:
            continue
        if not level_codes and level != "county":
            continue
        names.setdefault(code, area_names.get(code, code))
        if not pd.isna(row["value"]):
            values.setdefault(code, {})[int(row["year"])] = float(row["value"])
    return values, names, missing


def _department_based(entry: Any) -> bool:
    """True when an indicator counts facilities by their departments (科室)."""
    f = entry.formula
    return f is not None and any(t.kind == "count_with_department"
                                 for t in (f.numerator, f.denominator))


def _default_area(region: Region, plan: Plan) -> tuple[str, str]:
    areas = region.areas
    county = areas[areas["level"] == "county"]
    if len(county):
        return str(county["code"].iloc[0]), str(county["name"].iloc[0])
    code = region.meta.get("county_code") or plan.region_code or ""
    return str(code), str(region.meta.get("name") or plan.region_name)


_PER_TOWNSHIP = re.compile(r"以(街道|乡镇|乡\(镇\)|乡（镇）|镇|社区)为单位|每个(街道|乡镇|镇)")
SCOPE_ZH = {"county": "全县(区)", "township": "每个乡镇(街道)"}


def target_scope(target: Target) -> str:
    """Return the level a target is judged at: ``township`` when the plan scopes it per
    township or street, else ``county``.

    The plan's ``level`` field when given; otherwise the document's words: "以街道为单位",
    "以乡镇为单位", "每个街道" … in the target's name or quote mean every township (street)
    must meet the target on its own. Everything else is a target for the whole county.
    """
    given = getattr(target, "level", None)
    if given in ("county", "township"):
        return str(given)
    text = f"{target.name} {target.quote}"
    return "township" if _PER_TOWNSHIP.search(text) else "county"


_SEVERITY = {OFF_TRACK: 0, NOT_EVALUABLE: 1, AT_RISK: 2, ON_TRACK: 3, MET: 4}


def evaluate(region: Region, plan: Plan, *, year: int | None = None,
             level: str = "county") -> pd.DataFrame:
    """Return one row per target (per area where the level asks), with its status, in `COLUMNS`.

    `year` defaults to the latest year with data in the region. Each target is judged at
    its own scope (`target_scope`): a county target on the county's value; a target the
    plan scopes per township or street ("以街道为单位…") on every township's value — at
    ``level="county"`` as one row for the county that is met only when every township
    meets it (the worst township's value shown), at ``level="township"`` as one row per
    township. At ``level="township"`` a county target whose indicator is meaningful per
    township (catalog ``levels``) also gets one row per township with status
    ``not applicable`` (不适用) and the township's value for reference. Values are in the
    indicator's catalog unit; the status rules are in the module docstring.

    Extra columns: ``completion_pct`` (完成进度, %), ``time_pct`` (时间进度, %), ``grade``
    (进度评价: 提前完成/快于预期/符合预期/滞后于预期/已完成/未完成, see `progress`), ``scope``
    (``county`` or ``township``: the level the target is judged at) and ``duplicate_of``
    (the id of an earlier target with the same indicator and condition — 表2 repeating 表1,
    a prose sentence repeating the table; such rows keep their own quote and are not counted
    again by `status_counts`) and ``baseline_source`` (``plan``: the document's figure,
    ``region``: derived from the region's own data for the baseline year, empty: none).
    Department-based indicators (科室: 发热诊室, 感染性疾病科, 中医馆 …) and those filtered by
    grade read the facts table (事项 科室/等级, a fact holds from its year on); the facility
    table's 科室设置 and 医院等级 describe the latest data year only, so a year without facts
    has no value (无历史数据): no baseline (— with the reason) and no trend from it.
    """
    if level not in LEVELS:
        raise HsplanError(_("level {level}: expected one of {names}. Fix: use --level county "
                            "or --level township.").format(level=repr(level),
                                                           names=", ".join(LEVELS)))
    years = region.years
    if year is None:
        year = years[-1] if years else plan.period_end
    years_upto = [y for y in years if y <= year]
    catalog = load_catalog()
    prepared = _PreparedLevels(region)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], str] = {}
    for index, target in enumerate(plan.targets):
        target_rows = _rows_of_target(region, plan, target, index, level=level, year=year,
                                      years=years_upto, catalog=catalog, prepared=prepared)
        group = min(_group(r) for r in target_rows)
        for row in target_rows:
            row["_group"] = group
            key = _duplicate_key(target, row)
            if key is not None:
                first = seen.setdefault(key, target.id)
                if first != target.id:
                    row["duplicate_of"] = first
        rows += target_rows

    rows.sort(key=lambda r: (r["_group"], r["_index"], r["_sub"]))
    frame = pd.DataFrame(rows, columns=["_index", *COLUMNS]).drop(columns="_index")
    frame.attrs["year"] = year
    return frame.reset_index(drop=True)


def _rows_of_target(region: Region, plan: Plan, target: Target, index: int, *, level: str,
                    year: int, years: list[int], catalog: Catalog,
                    prepared: _PreparedLevels) -> list[dict[str, Any]]:
    """The rows of one target at `level` (see `evaluate`)."""
    info = _indicator_info(catalog, target.indicator) if target.indicator else _IndicatorInfo()
    scope = target_scope(target)
    evaluable = target.indicator is not None and target.target.op != "text"

    def series_at(lvl: str) -> _Series:
        if not evaluable or target.indicator is None:
            return {}, {}, {}
        return _series(region, target.indicator, level=lvl, years=years, catalog=catalog,
                       info=info, prepared=prepared)

    def judged(series: _Series, lvl: str) -> list[dict[str, Any]]:
        values, names, missing = series
        if not names and lvl == "county":
            code, name = _default_area(region, plan)
            names = {code: name}
        return [_row(target, plan, info, index, code, name, values.get(code, {}),
                     missing.get(code) or missing.get(""), year=year, scope=scope)
                for code, name in names.items()]

    if scope == "township":
        towns = series_at("township")
        town_rows = judged(towns, "township") if towns[1] else []
        if level == "township" and town_rows:
            return town_rows
        return [_per_township_county_row(target, plan, info, index, town_rows, towns[2],
                                         region=region, year=year)]
    rows = judged(series_at("county"), "county")
    if level == "township" and "township" in info.levels and evaluable:
        for row in judged(series_at("township"), "township"):
            row.update(_not_applicable(row, target))
            rows.append(row)
    return rows


def _group(row: dict[str, Any]) -> int:
    if row["status"] in FAILURES:
        return 0 if row["nature"] == "约束性" else 1
    return 2


def _duplicate_key(target: Target, row: dict[str, Any]) -> tuple[Any, ...] | None:
    """What makes two targets the same target: indicator, area, condition and year."""
    if target.indicator is None or target.target.op == "text" or \
            row["status"] == NOT_APPLICABLE:
        return None
    spec = target.target
    return (target.indicator, row["area_code"], spec.op, _key_number(row["target"]),
            _key_number(spec.low), _key_number(spec.high), row["target_year"])


def _key_number(x: Any) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), 9)


def _row(target: Target, plan: Plan, info: _IndicatorInfo, index: int, code: str, name: str,
         points: dict[int, float], why: str | None, *, year: int, scope: str
         ) -> dict[str, Any]:
    """One evaluated row of `target` for area `code` (values by year in `points`)."""
    value_year = max(points) if points else None
    value = points[value_year] if value_year is not None else None
    base_year = target.baseline.year if target.baseline else plan.baseline_year
    region_base = points.get(base_year) if base_year is not None else None
    result = assess(target, value=value, year=year, series=points,
                    direction=info.direction, baseline_value=region_base,
                    default_year=plan.period_end,
                    decimals=unit_decimals(info.unit or target.unit))
    reason = result.reason
    if value is None:
        source = "no data"
        if why and result.status == NOT_EVALUABLE and target.target.op != "text":
            reason = _("{where}: {text}").format(where=reason, text=why)
    else:
        source = "computed" if info.kind == "computed" else "reported"
        if info.department_based and region_base is None and not (
                target.baseline and target.baseline.value is not None):
            reason += _("; ") + _(
                "the baseline ({year}) value cannot be derived from the data: no departments "
                "are recorded for that year (the facility table's departments describe the "
                "latest year only; enter yearly changes in the facts table with "
                "事项=科室)").format(year=base_year)
        if info.department_based and len(points) < 2:
            reason += _("; ") + _("no historical data, the trend cannot be assessed")
    base = target.baseline
    spec = target.target
    base_value = base.value if base and base.value is not None else region_base
    target_year = spec.year if spec.year is not None else plan.period_end
    start_year = base_year if base_year is not None else plan.period_start - 1
    prog = progress(target, result, value=value, base_value=base_value,
                    base_year=start_year, target_year=target_year, year=year)
    return {
        "_index": index, "_sub": 0,
        "target_id": target.id, "indicator": target.indicator, "name": target.name,
        "category": target.category, "nature": target.nature, "area_code": code,
        "area_name": name, "unit": info.unit or target.unit,
        "baseline_year": base.year if base else None,
        "baseline_value": base_value,
        "value": value, "value_year": value_year, "source": source,
        "target_year": target_year, "op": spec.op,
        "target": result.target_value if result.target_value is not None else spec.value,
        "target_low": spec.low, "target_high": spec.high, "target_text": spec.text,
        "milestone_year": result.milestone.year if result.milestone else None,
        "milestone_value": result.milestone.value if result.milestone else None,
        "status": result.status, "reason": reason, "gap": result.gap,
        "required_per_year": result.required_per_year,
        "observed_per_year": result.observed_per_year,
        "completion_pct": prog.completion_pct, "time_pct": prog.time_pct,
        "grade": prog.grade, "scope": scope, "duplicate_of": None,
        "baseline_source": "plan" if base and base.value is not None
        else "region" if region_base is not None else None,
        "aspirational": spec.aspirational, "quote": target.quote,
    }


def _not_applicable(row: dict[str, Any], target: Target) -> dict[str, Any]:
    """The changes that make an informative township row of a county target 不适用."""
    return {
        "_sub": 1, "status": NOT_APPLICABLE,
        "reason": _("not applicable: {id} is a county-wide target, assessed on the county's "
                    "value; this township's value is for reference only, not compared with "
                    "the target").format(id=target.id),
        "gap": None, "required_per_year": None, "completion_pct": None, "grade": None,
    }


def _per_township_county_row(target: Target, plan: Plan, info: _IndicatorInfo, index: int,
                             town_rows: list[dict[str, Any]], missing: dict[str, str], *,
                             region: Region, year: int) -> dict[str, Any]:
    """The county row of a per-township target: met only when every township meets it."""
    code, name = _default_area(region, plan)
    base = _row(target, plan, info, index, code, name, {}, None, year=year, scope="township")
    base.update({"completion_pct": None, "grade": None, "gap": None,
                 "observed_per_year": None})
    if not town_rows:
        why = missing.get("") or "; ".join(sorted(set(missing.values())))
        missing_why = _(" ({why})").format(why=why) if why else ""
        base.update({"status": NOT_EVALUABLE, "source": "no data", "reason": _(
            "not evaluable: the target applies to each township (street), which must be "
            "assessed one by one; the townships' values of {name} are missing{why}. Enter them "
            "in the reported table by township area code").format(name=target.name,
                                                                   why=missing_why)})
        return base
    lacking = [r for r in town_rows if r["value"] is None]
    if lacking:
        listed = join_names(r["area_name"] for r in lacking[:5]) + (
            _(" etc.") if len(lacking) > 5 else "")
        base.update({"status": NOT_EVALUABLE, "source": "no data", "reason": _(
            "not evaluable: the target is to be met by every township (street); "
            "{lacking}/{total} have no value ({names}). Enter them in the reported "
            "table").format(lacking=len(lacking), total=len(town_rows), names=listed)})
        return base
    worst = min(town_rows, key=lambda r: (_SEVERITY.get(str(r["status"]), 5),
                                          -(r["gap"] or 0.0) if _up(info, target)
                                          else (r["gap"] or 0.0)))
    n_met = sum(r["status"] == MET for r in town_rows)
    base.update({k: worst[k] for k in ("value", "value_year", "source", "status", "gap",
                                       "required_per_year", "observed_per_year",
                                       "completion_pct", "grade", "baseline_value")})
    base["reason"] = _("every township (street) must meet it: {met}/{total} met; the worst "
                       "is {area} ({reason})").format(met=n_met, total=len(town_rows),
                                                      area=worst["area_name"],
                                                      reason=worst["reason"])
    return base


def _up(info: _IndicatorInfo, target: Target) -> bool:
    return target.target.op in (">=", ">", "up") or info.direction == "up"


# --- output ----------------------------------------------------------------------------------


def evaluation_to_json(results: pd.DataFrame, *, plan: Plan, project: str | None,
                       year: int, synthetic: bool) -> dict[str, Any]:
    """Return the evaluation as the stable JSON document of the module docstring."""
    records = [{col: json_value(row[col]) for col in COLUMNS}
               for row in results.to_dict(orient="records")]
    return {"plan": plan.id, "project": project, "year": int(year), "synthetic": synthetic,
            "results": records}


def status_counts(results: pd.DataFrame) -> dict[str, int]:
    """Return the number of rows per status, in `STATUSES` order (zeros included).

    A row repeating an earlier target (``duplicate_of`` set: 表2 repeating 表1, prose
    repeating the table) is not counted again.
    """
    counted = results
    if "duplicate_of" in results.columns:
        counted = results[results["duplicate_of"].isna()]
    counts = counted["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def status_counts_by_nature(results: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Return `status_counts` per target nature, 约束性 first (then 预期性, 指导性, 未标注).

    Natures with no row are left out; rows without a nature count under ``未标注``.
    """
    nature = results["nature"].fillna("").astype(str) if len(results) else \
        pd.Series([], dtype=str)
    out: dict[str, dict[str, int]] = {}
    known = [n for n in NATURE_ORDER if n]
    for label in (*known, ""):
        part = results[nature == label] if label else results[~nature.isin(known)]
        if len(part):
            out[label or NO_NATURE] = status_counts(part)
    return out


def evaluation_to_xlsx(results: pd.DataFrame, path: str | Path, *, plan: Plan,
                       year: int) -> Path:
    """Write the evaluation to an Excel workbook with Chinese headers; return the path.

    Sheet 评估结果 holds one row per result (status in Chinese); sheet 汇总 the counts
    per status, then per target nature (约束性 first).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {MET: "C6EFCE", ON_TRACK: "DDEBF7", AT_RISK: "FFEB9C", OFF_TRACK: "FFC7CE",
             NOT_EVALUABLE: "EDEDED"}
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("evaluation results")
    ws.append([_(COLUMN_HEADERS[c]) for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    status_col = COLUMNS.index("status") + 1
    grade_col, nature_col = COLUMNS.index("grade"), COLUMNS.index("nature")
    for row in results.to_dict(orient="records"):
        values = [json_value(row[c]) for c in COLUMNS]
        values[status_col - 1] = _(str(row["status"])) if row["status"] in STATUS_ZH \
            else row["status"]
        if values[grade_col] in GRADE_WORDS:
            values[grade_col] = _(GRADE_WORDS[values[grade_col]])
        values[nature_col] = nature_text(values[nature_col])
        ws.append(values)
        fill = fills.get(str(row["status"]))
        if fill:
            ws.cell(ws.max_row, status_col).fill = PatternFill("solid", fgColor=fill)
    summary = wb.create_sheet(_("summary of the evaluation"))
    summary.append([_("plan of the evaluation"), plan.title])
    summary.append([_("evaluation year"), year])
    summary.append([_("evaluation verdict"), _("number of indicators")])
    for status, n in status_counts(results).items():
        summary.append([_(status), n])
    summary.append([])
    summary.append([_("nature of the target"), *(_(s) for s in STATUSES)])
    for nature, counts in status_counts_by_nature(results).items():
        summary.append([nature_text(nature), *counts.values()])
    summary.append([])
    summary.append([_("explanation"), _(
        "an indicator repeated (table 2 repeating table 1, the text repeating a table) counts "
        "once; completion = (current value − baseline value)/(target value − baseline "
        "value), time elapsed = years passed/years of the plan")])
    return save_workbook(wb, path)

"""Shared plumbing of the norms check: vocabulary, the prepared region, facility selectors."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from hsplan._i18n import N_, _, language
from hsplan.plans.plan import Norm
from hsplan.plans.readings import Readings, area_classes, ems_bases, urban_rural_population
from hsplan.region import schema
from hsplan.region.model import Region

PASS = "pass"
FAIL = "fail"
NOT_EVALUABLE = "not evaluable"
STATUSES = (PASS, FAIL, NOT_EVALUABLE)
STATUS_ZH = {PASS: "达标", FAIL: "未达标", NOT_EVALUABLE: "无法评估"}
#: The rule types in words (the ``rule`` ids stay English in JSON).
RULE_ZH = {"presence": "设置", "count_per_population": "按人口设置", "share": "比例",
           "resource_per_population": "按人口配置", "department_share": "科室设置",
           "per_facility_minimum": "每机构下限", "per_facility_ratio": "每机构比例",
           "bed_efficiency": "床位效率", "max_alos": "平均住院日", "service_circle": "服务圈",
           "text": "定性"}
#: The rule types in the reader's language (`rule_text`); Chinese: `RULE_ZH`.
RULE_WORDS = {"presence": N_("presence"), "count_per_population": N_("facilities per population"),
              "share": N_("share"), "resource_per_population": N_("resources per population"),
              "department_share": N_("departments"),
              "per_facility_minimum": N_("per-facility minimum"),
              "per_facility_ratio": N_("per-facility ratio"),
              "bed_efficiency": N_("bed efficiency"),
              "max_alos": N_("average length of stay"), "service_circle": N_("service circle"),
              "text": N_("qualitative")}

SEAT_RADIUS_M = 2000.0
TOWNSHIP_CENTRES = ("乡镇卫生院", "中心乡镇卫生院", "社区卫生服务中心", "街道卫生院")
STREET_SUBTYPES = ("社区卫生服务中心", "社区卫生服务站", "街道卫生院")
DEPARTMENT_EQUIVALENTS = {"发热诊室": ("发热诊室", "发热门诊")}
_EPS = 1e-9

SUMMARY_COLUMNS = [
    "norm_id", "rule", "name", "description", "checked", "passed", "failed", "not_evaluable",
    "status", "covered_pct", "reason", "quote",
]
VIOLATION_COLUMNS = [
    "norm_id", "rule", "area_code", "area_name", "area_level", "facility_id",
    "facility_name", "expected", "actual", "shortfall", "unit", "shortfall_text", "detail",
    "quote",
]
COLUMNS_ZH = {
    "norm_id": "规范编号", "rule": "规则类型", "name": "名称", "description": "规范内容",
    "checked": "检查数",
    "passed": "达标数", "failed": "未达标数", "not_evaluable": "无法评估数", "status": "结论",
    "reason": "说明", "quote": "规划原文", "covered_pct": "覆盖人口比例(%)",
    "area_code": "区划代码", "area_name": "区划名称",
    "area_level": "区划级别", "facility_id": "机构编码", "facility_name": "机构名称",
    "expected": "标准", "actual": "现状", "shortfall": "差额", "unit": "单位",
    "shortfall_text": "差距", "detail": "明细",
}
#: The workbook's headers in the reader's language (`column_text`); Chinese: `COLUMNS_ZH`.
COLUMN_WORDS = {
    "norm_id": N_("norm no."), "rule": N_("rule type"), "name": N_("norm name"),
    "description": N_("norm in words"), "checked": N_("checked (count)"),
    "passed": N_("passed (count)"),
    "failed": N_("failed (count)"), "not_evaluable": N_("not evaluable (count)"),
    "status": N_("conclusion"), "reason": N_("notes on the result"),
    "quote": N_("plan text"), "covered_pct": N_("covered population (%)"),
    "area_code": N_("area code"), "area_name": N_("name of the area"),
    "area_level": N_("area level"),
    "facility_id": N_("facility code"), "facility_name": N_("facility name"),
    "expected": N_("norm (expected)"), "actual": N_("now (actual)"),
    "shortfall": N_("shortfall (number)"), "unit": N_("unit"), "shortfall_text": N_("gap"),
    "detail": N_("details of the gap"),
}

_MEASURE = {"beds": "张", "staff": "人", "equipment": "台", "ambulances": "辆",
            "childcare_places": "个"}
_ADMIN_ZH = {"县属": "县办", "市属": "市办", "省属": "省属", "乡镇": "乡镇办", "村": "村办"}
_ADMIN_EN = {"县属": "county-run", "市属": "city-run", "省属": "province-run",
             "乡镇": "township-run", "村": "village-run"}
_OWNERSHIP_EN = {"公立": "public", "非公立": "private"}
_GRADE_EN = {"一级": "Grade I", "二级": "Grade II", "三级": "Grade III"}
_GRADE_SUB_EN = {"甲等": " Class A", "乙等": " Class B"}
_GRADE_LEVEL = {"一级": 1, "二级": 2, "三级": 3}
_GRADE_SUB = {"甲等": 2, "乙等": 1}
_COMMUNITY_MARKS = ("居民委员会", "居委会")


class Access(Protocol):
    """What `check` needs for service-circle norms (`hsplan.access.service.ServiceAccess`)."""

    def coverage(self, facility: Any, *, minutes: float | None = None,
                 distance_km: float | None = None, mode: str = "drive",
                 scope: Any = None, combine: Any = "either") -> pd.DataFrame: ...

    def with_readings(self, readings: Readings) -> Access: ...



@dataclass
class _Outcome:
    """What one rule function found: counts, violation rows and reasons."""

    checked: int = 0
    passed: int = 0
    failed: int = 0
    not_evaluable: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    status: str | None = None  # set when the counts alone do not decide
    covered_pct: float | None = None  # service circles: the covered population share

    def add(self, ok: bool | None) -> None:
        self.checked += 1
        if ok is None:
            self.not_evaluable += 1
        elif ok:
            self.passed += 1
        else:
            self.failed += 1


# --- the region, prepared once per check ------------------------------------------------------


class _Context:
    """The region's tables arranged for the rules: areas, populations, facilities, year."""

    def __init__(self, region: Region, year: int, access: Access | None,
                 readings: Readings | None = None) -> None:
        self.region = region
        self.year = year
        self.access = access
        self.readings = readings if readings is not None else Readings.from_plan(None)
        self._classes = area_classes(region, self.readings)
        areas = pd.DataFrame(region.areas.drop(columns="geometry", errors="ignore"))
        self.codes = [str(c) for c in areas["code"]]
        self.name = dict(zip(self.codes, areas["name"].astype(str), strict=True))
        self.level = dict(zip(self.codes, areas["level"].astype(str), strict=True))
        self.parent = {c: (None if pd.isna(p) else str(p))
                       for c, p in zip(self.codes, areas["parent_code"], strict=True)}
        self.klass = {c: (None if pd.isna(k) else str(k))
                      for c, k in zip(self.codes, areas["urban_rural"], strict=True)}
        self.point = {c: (float(x), float(y)) for c, x, y in
                      zip(self.codes, areas["lon"], areas["lat"], strict=True)
                      if not (pd.isna(x) or pd.isna(y))}
        self.children: dict[str, list[str]] = {}
        for c in self.codes:
            p = self.parent[c]
            if p is not None and p in self.name:
                self.children.setdefault(p, []).append(c)
        pop = region.population
        rows = pop[pop["year"] == year]
        self.pop_rows = {str(r["area_code"]): r for r in rows.to_dict(orient="records")}
        self._pop_cache: dict[str, float | None] = {}
        self._masks: dict[str, pd.Series] = {}  # facility selector → mask (see `mask`)
        self._ems_bases: Any = None  # the 院前急救 bases of the year (see `ems_bases`)
        self.facilities = self._facilities()
        res = region.resources
        self.res_years = {int(y) for y in res["year"].dropna().unique()}
        self.res = res[res["year"] == year].set_index(res[res["year"] == year]["facility_id"]
                                                      .astype(str))
        prev = res[res["year"] == year - 1]
        self.res_prev = prev.set_index(prev["facility_id"].astype(str))
        util = region.utilisation
        cur = util[util["year"] == year]
        self.util = cur.set_index(cur["facility_id"].astype(str))

    def _facilities(self) -> pd.DataFrame:
        fac = pd.DataFrame(self.region.facilities.drop(columns="geometry", errors="ignore"))
        fac = fac.copy()
        fac["id"] = fac["id"].astype(str)
        fac["category"] = fac["category"].fillna(fac["subtype"].map(schema.FACILITY_SUBTYPES))
        opened = pd.to_numeric(fac["opened"], errors="coerce")
        closed = pd.to_numeric(fac["closed"], errors="coerce")
        active = (opened.isna() | (opened <= self.year)) & (closed.isna() | (closed > self.year))
        fac = fac[active.astype(bool)].copy()
        fac["_chain"] = [self.chain(None if pd.isna(c) else str(c)) for c in fac["area_code"]]
        return fac.reset_index(drop=True)

    def chain(self, code: str | None) -> list[str]:
        """Return `code` and its ancestors that are in the areas table, nearest first."""
        out: list[str] = []
        while code is not None and code in self.name and code not in out:
            out.append(code)
            code = self.parent[code]
        return out

    def areas_of(self, level: str) -> list[str]:
        """Return the codes of the areas of `level`; for county, the roots when none."""
        codes = [c for c in self.codes if self.level[c] == level]
        if not codes and level == "county":
            codes = [c for c in self.codes if self.parent[c] not in self.name]
        return codes

    def pop(self, code: str, column: str = "total") -> float | None:
        """Return the population of `code` in the year (persons), summing its children
        when the area has no row of its own; None when unknown."""
        key = f"{code}:{column}"
        if key in self._pop_cache:
            return self._pop_cache[key]
        value: float | None = None
        row = self.pop_rows.get(code)
        if row is not None and not pd.isna(row[column]):
            value = float(row[column])
        elif column == "total" and self.children.get(code):
            kids = [self.pop(k) for k in self.children[code]]
            value = None if any(k is None for k in kids) else float(sum(k for k in kids if k))
        self._pop_cache[key] = value
        return value

    def area_class(self, code: str | None) -> str | None:
        """Return urban/rural of an area by the plan's reading (`hsplan.plans.readings`)."""
        return self._classes.get(code) if code is not None else None

    def scoped_pop(self, code: str, scope: str) -> float | None:
        """Return the urban or rural population of area `code` (persons) by the plan's
        reading (`urban_rural_population`), None if unknown."""
        split = urban_rural_population(self.region, self.year, self.readings, area_code=code)
        if split is None:
            return None
        return split.urban if scope == "urban" else split.rural

    def descendants(self, code: str) -> list[str]:
        out: list[str] = []
        stack = list(self.children.get(code, []))
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(self.children.get(c, []))
        return out

    def township_kind(self, code: str) -> str | None:
        """Return "street" (街道), "town" (镇, 乡, 苏木) or None for other units."""
        name = self.name.get(code, "")
        if name.endswith("街道") or name.endswith("街道办事处"):
            return "street"
        if name.endswith(("镇", "乡", "苏木")):
            return "town"
        return None

    def in_area(self, fac: pd.DataFrame, code: str) -> pd.DataFrame:
        # .loc: with no facility, frame[[]] would select no columns, .loc[[]] no rows
        return fac.loc[[code in chain for chain in fac["_chain"]]]

    def mask(self, selector: Any) -> pd.Series:
        """Return which open facilities a plan `facility` selector picks (bool Series),
        computed once per selector and check: many norms select the same kinds."""
        key = json.dumps(selector, sort_keys=True, ensure_ascii=False, default=str)
        if key not in self._masks:
            self._masks[key] = facility_mask(self.facilities, selector)
        return self._masks[key]

    def select(self, selector: Any) -> pd.DataFrame:
        """Return the open facilities that a plan `facility` selector picks."""
        return self.facilities[self.mask(selector)]

    def value(self, facility_id: str, resource: Any, *, previous: bool = False) -> float:
        """Return a facility's resource (a column or the sum of a list) in the year; NaN
        when the facility has no resources row or no value."""
        frame = self.res_prev if previous else self.res
        if facility_id not in frame.index:
            return math.nan
        row = frame.loc[facility_id]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        values = [row[c] for c in _columns(resource)]
        present = [float(v) for v in values if not pd.isna(v)]
        return float(sum(present)) if present else math.nan

    def facility_name(self, facility_id: str) -> str:
        hit = self.facilities.loc[self.facilities["id"] == facility_id, "name"]
        return str(hit.iloc[0]) if len(hit) else ""

    def ems_bases(self) -> Any:
        """Return the 院前急救 bases of the year under the readings (`ems_bases`), found
        once per check (the urban and the rural radius norms ask for the same bases)."""
        if self._ems_bases is None:
            self._ems_bases = ems_bases(self.region, self.year, self.readings)
        return self._ems_bases

    def violation(self, norm: Norm, *, area: str | None = None, facility: str | None = None,
                  expected: str, actual: str, shortfall: float, unit: str, excess: bool = False,
                  detail: str = "") -> dict[str, Any]:
        if facility is not None and area is None:
            hit = self.facilities.loc[self.facilities["id"] == facility, "area_code"]
            area = None if hit.empty or pd.isna(hit.iloc[0]) else str(hit.iloc[0])
        amount = _fmt(shortfall)
        gap = (_("over by {amount}: {unit}") if excess
               else _("short by {amount}: {unit}")).format(amount=amount, unit=unit)
        return {
            "norm_id": norm.id, "rule": norm.rule, "area_code": area,
            "area_name": self.name.get(area, "") if area else "",
            "area_level": self.level.get(area, "") if area else "",
            "facility_id": facility, "facility_name": self.facility_name(facility) if facility
            else "", "expected": expected, "actual": actual, "shortfall": float(shortfall),
            "unit": unit, "shortfall_text": gap,
            "detail": detail, "quote": norm.quote,
        }


# --- facility selectors ---------------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def grade_rank(grade: Any) -> int:
    """Return a hospital grade's rank: 10 × level (一/二/三级) + 2 甲等 / 1 乙等; 0 unrated."""
    if not isinstance(grade, str):
        return 0
    for prefix, level in _GRADE_LEVEL.items():
        if grade.startswith(prefix):
            return 10 * level + _GRADE_SUB.get(grade[len(prefix):], 0)
    return 0


def facility_mask(facilities: pd.DataFrame, selector: Any) -> pd.Series:
    """Return which rows of `facilities` a plan `facility` selector picks (bool Series).

    A selector is a sub-type, a list of sub-types, or a mapping with ``subtype``,
    ``category``, ``ownership``, ``government_run``, ``admin_level``, ``grade_min``,
    ``department`` (only facilities having that 科室) (docs/plan-format.md);
    ``grade_min: 二级`` passes 二级, 二级乙等, 二级甲等 and 三级 …; ``grade_min: 二级甲等``
    passes 二级甲等 and 三级 ….
    """
    ok = pd.Series(True, index=facilities.index)
    if selector is None:
        return ok
    spec: dict[str, Any] = selector if isinstance(selector, dict) else {"subtype": selector}
    for column in ("subtype", "category", "ownership", "admin_level"):
        values = _as_list(spec.get(column))
        if values:
            ok &= facilities[column].isin(values).fillna(False).astype(bool)
    if spec.get("government_run") is not None:
        gov = facilities["government_run"].fillna(False).astype(bool)
        ok &= gov if spec["government_run"] else ~gov
    if spec.get("grade_min"):
        ranks = facilities["grade"].map(grade_rank).astype(int)
        ok &= ranks >= grade_rank(spec["grade_min"])
    if spec.get("department"):
        wanted = set(DEPARTMENT_EQUIVALENTS.get(spec["department"], (spec["department"],)))
        depts = facilities["departments"] if "departments" in facilities else \
            pd.Series(None, index=facilities.index)
        ok &= depts.map(lambda d: bool(wanted & set(_split_departments(d)))).astype(bool)
    return ok


def _split_departments(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in re.split(r"[、,;，；]", value) if p.strip()]


def facility_zh(selector: Any) -> str:
    """Return a selector in Chinese, e.g. ``二级及以上政府办综合医院``."""
    if selector is None:
        return "各类医疗卫生机构"
    spec: dict[str, Any] = selector if isinstance(selector, dict) else {"subtype": selector}
    parts = []
    if spec.get("grade_min"):
        parts.append(f"{spec['grade_min']}及以上")
    if spec.get("department"):
        parts.append(f"设{spec['department']}的")
    if spec.get("government_run"):
        parts.append("政府办")
    elif spec.get("government_run") is False:
        parts.append("非政府办")
    for level in _as_list(spec.get("admin_level")):
        parts.append(_ADMIN_ZH.get(level, level))
    parts += _as_list(spec.get("ownership"))
    kinds = _as_list(spec.get("subtype")) or _as_list(spec.get("category"))
    parts.append("/".join(kinds))
    return "".join(parts)


def facility_words(selector: Any) -> str:
    """Return a selector in the reader's language: `facility_zh` in Chinese; in English the
    kinds stay the schema's Chinese categories (``Grade II or above government-run 综合医院``)."""
    if language() != "en":
        return facility_zh(selector)
    if selector is None:
        return "all health facilities"
    spec: dict[str, Any] = selector if isinstance(selector, dict) else {"subtype": selector}
    parts = []
    if spec.get("grade_min"):
        parts.append(f"{_grade_en(str(spec['grade_min']))} or above")
    if spec.get("government_run"):
        parts.append("government-run")
    elif spec.get("government_run") is False:
        parts.append("non-government")
    parts += [_ADMIN_EN.get(level, level) for level in _as_list(spec.get("admin_level"))]
    parts += [_OWNERSHIP_EN.get(o, o) for o in _as_list(spec.get("ownership"))]
    kinds = _as_list(spec.get("subtype")) or _as_list(spec.get("category"))
    parts.append("/".join(kinds))
    text = " ".join(p for p in parts if p)
    if spec.get("department"):
        text += f" with {spec['department']}"
    return text


def _grade_en(grade: str) -> str:
    for prefix, words in _GRADE_EN.items():
        if grade.startswith(prefix):
            return words + _GRADE_SUB_EN.get(grade[len(prefix):], "")
    return grade


def rule_text(rule: str) -> str:
    """Return a rule type in the reader's language (设置, 按人口设置 … in Chinese)."""
    return _(RULE_WORDS[rule]) if rule in RULE_WORDS else rule


def column_text(column: str) -> str:
    """Return a column of the result in the reader's language (`COLUMNS_ZH` in Chinese)."""
    return _(COLUMN_WORDS[column]) if column in COLUMN_WORDS else column


def _columns(resource: Any) -> list[str]:
    return _as_list(resource)


def _resource_zh(resource: Any) -> str:
    return "+".join(schema.RESOURCES.column(c).zh for c in _columns(resource))


def _resource_words(resource: Any) -> str:
    """Return a resource (a column or a sum of columns) in the reader's language."""
    if language() != "en":
        return _resource_zh(resource)
    return " + ".join(schema.RESOURCE_EN.get(c, c) for c in _columns(resource))


def _classified(measure: str, noun: str) -> str:
    """Return a counted noun with its Chinese measure word (所, 个, 张 …: ``所村卫生室``);
    English has none (``村卫生室``)."""
    return noun if language() == "en" else f"{measure}{noun}"


def _sep() -> str:
    """Return the separator of a list of names in the reader's language (、 or ", ")."""
    return ", " if language() == "en" else "、"


def _reason_sep() -> str:
    """Return the separator of reasons in the reader's language (； or "; ")."""
    return "; " if language() == "en" else "；"


def _measure(resource: Any) -> str:
    first = _columns(resource)[0]
    if first in ("ambulances", "ambulances_negative_pressure"):
        return _MEASURE["ambulances"]
    if first == "childcare_places":
        return _MEASURE["childcare_places"]
    if first in schema.BED_COLUMNS:
        return _MEASURE["beds"]
    if first in schema.STAFF_COLUMNS:
        return _MEASURE["staff"]
    return _MEASURE["equipment"]


def _resource_unit(resource: Any, amount: str | None = None) -> str:
    """Return what a resource is counted in: ``辆救护车``; in English ``ambulances``, or
    ``ambulance`` after an `amount` of 1 (one column)."""
    columns = _columns(resource)
    if language() == "en" and amount == "1" and len(columns) == 1:
        words = schema.RESOURCE_EN.get(columns[0], columns[0])
        return words[:-1] if words.endswith("s") else words
    return _classified(_measure(resource), _resource_words(resource))


def _fmt(x: float | None) -> str:
    """Return a number of a norm's text: whole numbers as they are, with thousands
    separators from 10,000 (常住人口 102,753 人; a year stays 2025), else 4 digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}" if abs(x) >= 10_000 else f"{int(x)}"
    return f"{x:.4g}"


def _per_pop_words(per_pop: float) -> str:
    """Return a population base of a norm in the reader's language (3万, or 30,000)."""
    if language() == "en":
        return f"{per_pop:,.0f}" if float(per_pop).is_integer() else _fmt(per_pop)
    return _per_pop_zh(per_pop)


def _per_pop_zh(per_pop: float) -> str:
    if per_pop >= 10000 and per_pop % 10000 == 0:
        n = int(per_pop // 10000)
        return "万" if n == 1 else f"{n}万"
    if per_pop >= 1000 and per_pop % 1000 == 0:
        n = int(per_pop // 1000)
        return "千" if n == 1 else f"{n}千"
    return _fmt(per_pop)


def _ceil(x: float) -> int:
    return math.ceil(x - 1e-9)


def _floor(x: float) -> int:
    return math.floor(x + 1e-9)


# --- shared by the rule modules -----------------------------------------------------------


def _fac(ctx: _Context, fid: Any) -> str:
    """Return a facility's name (its id when it has none)."""
    return ctx.facility_name(str(fid)) or str(fid)


def _list(items: list[str], limit: int = 5) -> str:
    shown = _sep().join(items[:limit])
    if len(items) <= limit:
        return shown
    return _("{shown} … ({n} in all)").format(shown=shown, n=len(items))


def _no_resources(ctx: _Context, out: _Outcome) -> bool:
    if ctx.year not in ctx.res_years:
        out.status = NOT_EVALUABLE
        out.reasons.append(_("missing {year} resources data (beds, staff, equipment)")
                           .format(year=ctx.year))
        return True
    return False

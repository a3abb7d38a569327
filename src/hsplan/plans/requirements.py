"""What each analysis needs from a region, and which of a project's tables are complete.

Missing data is never a finding: an analysis whose input is absent says 无法评估 and what to
enter, never a violation, a gap or a recommendation. Two things decide it:

- **completeness** — the region's metadata may declare tables and facility kinds as
  surveyed in full (``region.meta["complete"]``, a list such as
  ``["facilities", "托育机构"]``). A declared kind with no rows means "surveyed, none"
  (a real finding); an undeclared kind with no rows means "not entered" (无法评估).
  ``facilities`` declares the 医疗卫生机构 complete; 托育机构 are not 医疗卫生机构 (they are
  registered with the 卫生健康 department but counted apart in the 统计调查制度) and need
  their own entry.
- **requirements** — `supported_analyses` lists, for a region, which analyses its data
  supports and what each of the others lacks (shown by ``hsplan validate``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hsplan.region import schema
from hsplan.region.model import Region

COMPLETE_KEY = "complete"
NOT_HEALTH_FACILITIES = ("托育机构",)  # registered with 卫健 but not 医疗卫生机构


def declared_complete(region: Region) -> set[str]:
    """Return the tables and facility kinds the region declares surveyed in full."""
    raw = region.meta.get(COMPLETE_KEY) or []
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, dict):
        raw = [k for k, v in raw.items() if v]
    return {str(x) for x in raw}


def facility_kinds_of(selector: Any) -> tuple[str, ...]:
    """Return the facility sub-types or categories a plan ``facility`` selector names."""
    if selector is None:
        return ()
    if isinstance(selector, str):
        return (selector,)
    if isinstance(selector, dict):
        kinds: list[str] = []
        for key in ("subtype", "category"):
            kinds += list(facility_kinds_of(selector.get(key)))
        return tuple(kinds)
    if isinstance(selector, Iterable):
        return tuple(k for s in selector for k in facility_kinds_of(s))
    return ()


def entered_kinds(region: Region) -> set[str]:
    """Return the sub-types and categories of the facilities entered in the region (a
    category missing from a row is its sub-type's)."""
    fac = region.facilities
    if not len(fac):
        return set()
    subtype = fac["subtype"] if "subtype" in fac else pd.Series(None, index=fac.index)
    category = fac["category"] if "category" in fac else pd.Series(None, index=fac.index)
    category = category.fillna(subtype.map(schema.FACILITY_SUBTYPES))
    return {str(v) for v in (*subtype.dropna(), *category.dropna())}


def facilities_entered(region: Region, kinds: Iterable[str], *,
                       present: set[str] | None = None) -> bool:
    """True when the region's facility data can speak for `kinds` (sub-types or categories):
    some facility of one of them is entered, or the kind (or, for 医疗卫生机构, the whole
    ``facilities`` table) is declared complete — so none found means none exist.
    `present` is `entered_kinds` of the region when the caller asks many times."""
    wanted = set(kinds)
    fac = region.facilities
    found = (entered_kinds(region) if present is None else present) if len(fac) else set()
    if wanted & found:
        return True
    complete = declared_complete(region)
    if wanted & complete:
        return True
    health = [k for k in wanted if k not in NOT_HEALTH_FACILITIES]
    if "facilities" in complete and (health or not wanted):
        return True
    return not wanted and len(fac) > 0


def missing_facilities_text(kinds: Iterable[str]) -> str:
    """Return the 无法评估 reason for facility kinds that were not entered."""
    label = "、".join(dict.fromkeys(kinds)) or "机构"
    return (f"无法评估：缺少{label}数据（机构表未录入{label}）。请在机构表录入{label}；"
            f"如已普查且确无，在项目元数据 complete 中声明 “{label}”")


@dataclass(frozen=True)
class Support:
    """Whether the data supports one analysis, and what it lacks."""

    analysis: str
    name_zh: str
    supported: bool
    missing: str


def _has_rows(frame: pd.DataFrame) -> bool:
    return frame is not None and len(frame) > 0


def supported_analyses(region: Region) -> pd.DataFrame:
    """Return one row per analysis: ``analysis``, ``name_zh``, ``supported`` (bool) and
    ``missing`` (what to enter, "" when supported).

    Notes
    -----
    evaluate needs population (or reported values); indicators need facilities with
    resources; check needs areas, population and facilities; access needs area and facility
    coordinates; needs (beds) needs population with age bands or a growth basis, resources
    and utilisation; the projection needs population by age. A project made by
    ``hsplan init`` with census data only supports evaluate on population-based and reported
    indicators and the projection, and says so for the rest.
    """
    areas, pop, fac = region.areas, region.population, region.facilities
    res, util, rep = region.resources, region.utilisation, region.reported
    has_pop = bool(_has_rows(pop) and pop["total"].notna().any())
    age_cols = [c for c in pop.columns if c.startswith("age_")] if _has_rows(pop) else []
    has_ages = bool(age_cols) and bool(pop[age_cols].notna().any().any())
    has_fac = _has_rows(fac) or "facilities" in declared_complete(region)
    has_res = _has_rows(res)
    has_util = _has_rows(util)
    area_xy = bool(_has_rows(areas) and {"lon", "lat"} <= set(areas.columns)
                   and areas["lon"].notna().any())
    fac_xy = bool(_has_rows(fac) and {"lon", "lat"} <= set(fac.columns)
                  and fac["lon"].notna().any())

    def row(analysis: str, zh: str, needs: list[tuple[bool, str]]) -> Support:
        lacking = [what for ok, what in needs if not ok]
        return Support(analysis, zh, not lacking, "；".join(lacking))

    rows = [
        row("evaluate", "指标评估", [(has_pop or _has_rows(rep),
                                      "常住人口（population 表）或上报指标（reported 表）")]),
        row("indicators", "资源配置指标", [(has_fac, "机构表（facilities）"),
                                            (has_res, "资源表（resources：床位、人员、设备）"),
                                            (has_pop, "常住人口（population 表）")]),
        row("check", "配置标准核查", [(_has_rows(areas), "区划表（areas）"),
                                       (has_pop, "常住人口（population 表）"),
                                       (has_fac, "机构表（facilities）")]),
        row("access", "可及性（服务圈、急救半径）", [
            (area_xy, "村(社区)坐标（areas 表 lon/lat）"),
            (fac_xy, "机构坐标（facilities 表 lon/lat）")]),
        row("needs", "资源需要量", [(has_pop, "常住人口（population 表）"),
                                    (has_res, "资源表（resources）"),
                                    (has_util, "服务量（utilisation：出院人数、实际占用床日）")]),
        row("projection", "人口预测", [(has_pop and has_ages,
                                        "分年龄人口（population 表 age_* 列，普查数据）")]),
    ]
    return pd.DataFrame([r.__dict__ for r in rows],
                        columns=["analysis", "name_zh", "supported", "missing"])

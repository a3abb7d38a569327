"""The words of the needs table in the reader's language: units, indicator and resource
names, population scopes and the bed-demand notes (`hsplan.demand.needs` builds the rows,
Chinese inside, and says them here)."""

from __future__ import annotations

import math
from typing import Any

from hsplan._i18n import _, language
from hsplan.region import schema

COLUMNS_ZH = {
    "item": "项目", "method": "方法", "formula": "公式", "inputs": "输入", "assumptions": "假设",
    "unit": "单位", "value_needed": "需要量", "current_value": "现有量", "current_year": "现有年份",
    "plan_target": "规划目标", "gap": "缺口", "gap_per_year": "年均缺口",
}
COLUMNS_EN = {
    "item": "item", "method": "method", "formula": "formula", "inputs": "inputs",
    "assumptions": "assumptions", "unit": "unit", "value_needed": "needed",
    "current_value": "current", "current_year": "current year", "plan_target": "plan target",
    "gap": "gap", "gap_per_year": "gap per year",
}


def column_headers() -> dict[str, str]:
    """Return the headers of the needs table in the reader's language (`COLUMNS_ZH` in
    Chinese)."""
    return dict(COLUMNS_ZH) if language() == "zh" else dict(COLUMNS_EN)


# units of the needs rows (stored in Chinese while the rows are built) in English; 个 is a
# facility in the rows of facilities (乡镇卫生院, 社区卫生服务中心, a plan's count norms), a place
# (托位) elsewhere
_UNIT_EN = {"张": "beds", "人": "persons", "辆": "vehicles", "个": "places", "台": "units"}


def unit_word(unit: str, *, facility: bool = False) -> str:
    """Return the unit of a needs row (张, 人, 辆, 个, 台) in the reader's language; 个 of a
    row of facilities is "facilities" in English."""
    if language() == "zh":
        return unit
    if facility and unit == "个":
        return "facilities"
    return _UNIT_EN.get(unit, unit)


def indicator_name(ind: Any) -> str:
    """Return an indicator's name in the reader's language (`Indicator.label`), lower case
    inside an English sentence (acronyms kept)."""
    name = str(ind.label)
    if language() == "zh" or name == ind.name_zh:
        return name
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def per_pop(value: float) -> str:
    """Return a number of residents as a norm writes it: 3万 in Chinese, 30,000 in English."""
    return f"{value / 1e4:g}万" if language() == "zh" else f"{value:,.0f}"


def fmt(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}"


def resource_words(columns: tuple[str, ...]) -> str:
    """Headers of resource columns joined by + (执业医师+执业助理医师) in the reader's language:
    the schema's Chinese headers, or English labels (the column id when none)."""
    table = schema.RESOURCES
    if language() != "zh":
        return " + ".join(schema.RESOURCE_EN.get(c, c.replace("_", " ")) for c in columns)
    return "+".join(table.column(c).zh if c in table.column_ids else c for c in columns)


def scope_word(scope: str) -> str:
    """Return a population scope (total, urban, rural) in the reader's language (常住人口,
    城镇人口, 乡村人口)."""
    words = {"total": _("resident population"), "urban": _("urban population"),
             "rural": _("rural population")}
    if scope in words:
        return words[scope]
    return schema.POPULATION.column(scope).zh if scope in schema.POPULATION.column_ids \
        else scope


def bed_note(note: str) -> str:
    """Return a note of the bed demand method as `NeedsResult.notes` lists it (床位需求法: …)."""
    return _("bed demand method: {note}").format(note=note)


def unit_of(columns: tuple[str, ...]) -> str:
    col = columns[0]
    for table in (schema.RESOURCES,):
        if col in table.column_ids:
            unit = table.column(col).unit
            return {"beds": "张", "persons": "人", "vehicles": "辆", "places": "个",
                    "units": "台"}.get(unit, unit)
    return ""

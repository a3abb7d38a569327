"""Scenario changes and the notes of `apply_scenario` in Chinese words, for what a planner
reads (the dashboard's 情景 page, `hsplan compare`, the report's 情景测算 annex)."""

from __future__ import annotations

import re
from typing import Any

_TABLE_ZH = {"resources": "资源", "population": "人口"}
_COPIED = re.compile(r"^(\w+) of (\d{4}) copied forward as (\d{4})$")
_LATE = re.compile(r"^changes\[(\d+)\] \((.*)\) starts after the scenario year (\d{4}) "
                   r"and has no effect in it$")


def change_zh(change: Any) -> str:
    """Return a scenario change in Chinese words (新建、关闭、迁址、登记、增加、减少)."""
    from hsplan.region import schema

    def res_zh(col: str) -> str:
        try:
            return str(schema.RESOURCES.column(col).zh)
        except (KeyError, LookupError):
            return col

    res = "、".join(f"{res_zh(k)} {v:,}" for k, v in change.resources.items())
    since = f"，自{change.from_year}年起" if change.from_year is not None else ""
    fields = change.fields
    if change.op == "open":
        return (f"新建{fields.get('subtype') or ''}“{fields.get('name')}”{since}"
                + (f"（{res}）" if res else ""))
    if change.op == "close":
        return f"关闭机构 {change.facility}{since}"
    if change.op == "move":
        return (f"机构 {change.facility} 迁址至 {fields.get('lon')}, {fields.get('lat')}"
                f"（{fields.get('crs', 'WGS84')}）")
    if change.op == "fact":
        status = fields.get("status") or ""
        return (f"机构 {change.facility} 登记{fields.get('fact')}：{fields.get('value')}"
                + (f"（{status}）" if status else "") + since)
    verb = "增加" if change.op == "add" else "减少"
    return f"机构 {change.facility} {verb} {res}{since}"


def note_zh(note: str) -> str:
    """Return a note of `apply_scenario` in Chinese (a note it does not know stays as is).

    `apply_scenario` makes its notes in the reader's language; this reads the English
    notes of results saved before it did (and of an English process) in Chinese."""
    copied = _COPIED.match(note)
    if copied:
        table, latest, year = copied.groups()
        return f"{_TABLE_ZH.get(table, table)}数据沿用{latest}年，作为{year}年"
    late = _LATE.match(note)
    if late:
        index, _what, year = late.groups()
        return f"第{index}项变化晚于情景年份{year}年，在该年不起作用"
    return note

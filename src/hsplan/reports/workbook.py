"""Return exported workbooks finished for planners who open them in Excel.

`finish_workbook` takes an .xlsx any hsplan export wrote and gives every data sheet the
same face: bold Chinese headers on a grey band, the header row frozen, an autofilter,
column widths from the content (a CJK character counts two), number formats by unit
(persons and beds whole with thousands separators, percentages one decimal, rates two,
years plain), traffic-light fills on status words, Chinese values instead of ids
(``county`` → 县（区）, ``>=`` → ≥, ``computed`` → 计算, ``off track`` → 偏离目标), text
that looks like a formula kept as text, and a 说明 sheet (plan, year, definitions, data
sources). The file is rewritten in place with normal permissions (0644).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hsplan._i18n import N_, _, join_names, language

NOTES_SHEET = "说明"
NOTES_SHEET_WORD = N_("notes")  # the 说明 sheet, in the reader's language
HEADER_FILL = "D9D9D9"
STATUS_FILLS = {
    "已达标": "C6EFCE", "达标": "C6EFCE", "已完成": "C6EFCE",
    "进度正常": "DDEBF7",
    "进度滞后": "FFEB9C", "即将到期": "FFEB9C", "未报告": "FFEB9C", "未开始": "FFEB9C",
    "偏离目标": "FFC7CE", "未达标": "FFC7CE", "滞后": "FFC7CE",
    "无法评估": "E7E6E6", "已取消": "E7E6E6",
}
VALUE_ZH = {
    "county": "县（区）", "township": "乡镇（街道）", "village": "村（社区）",
    ">=": "≥", "<=": "≤", "approx": "≈", "up": "提高", "down": "降低", "keep": "保持",
    "range": "区间", "text": "定性",
    "computed": "计算", "reported": "报送", "no data": "无数据",
    "met": "已达标", "on track": "进度正常", "at risk": "进度滞后", "off track": "偏离目标",
    "not evaluable": "无法评估", "pass": "达标", "fail": "未达标", "late": "滞后",
    "due soon": "即将到期", "no report": "未报告", "not started": "未开始", "done": "已完成",
    "cancelled": "已取消", "urban": "城镇", "rural": "农村", "True": "是", "False": "否",
}
# in English the ids stay the words they are; symbols and yes/no as in Chinese
VALUE_EN = {">=": "≥", "<=": "≤", "approx": "≈", "True": "yes", "False": "no"}
STATUS_FILLS_EN = {
    "met": "C6EFCE", "pass": "C6EFCE", "done": "C6EFCE", "on track": "DDEBF7",
    "at risk": "FFEB9C", "due soon": "FFEB9C", "no report": "FFEB9C", "not started": "FFEB9C",
    "off track": "FFC7CE", "fail": "FFC7CE", "late": "FFC7CE",
    "not evaluable": "E7E6E6", "cancelled": "E7E6E6",
}
_FORMULA_START = ("=", "+", "-", "@")
_PERCENT_HEADER = re.compile(r"%|率|占比|比例|进度|share|progress|rate\b", re.I)
_YEAR_HEADER = re.compile(r"年份|年度|^年$|year", re.I)
_CODE_HEADER = re.compile(r"代码|编码|编号|code|id$", re.I)
_COUNT_HEADER = re.compile(r"人口|人数|床位|数$|（人）|（张）|（个）|（辆）|天数|人次|张$|人$|个$|"
                           r"population|persons|beds|visits|count|number", re.I)
_RATE_HEADER = re.compile(r"每千|每万|每十万|/千人|/万人|千人|万人|比$|per 1,000|per 10,000|"
                          r"per 100,000|ratio", re.I)


def display_width(text: str) -> int:
    """Return the width of `text` in Excel columns (a CJK character counts two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def number_format(header: str, values: Sequence[Any]) -> str | None:
    """Return the Excel number format for a numeric column called `header` (None for
    codes and ids, which stay as written)."""
    if _CODE_HEADER.search(header):
        return None
    if _YEAR_HEADER.search(header):
        return "0"
    if _PERCENT_HEADER.search(header):
        return "0.0"
    if _RATE_HEADER.search(header):
        return "#,##0.00"
    whole = all(float(v).is_integer() for v in values)
    if _COUNT_HEADER.search(header) or whole:
        return "#,##0"
    return "#,##0.00"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _finish_sheet(ws: Any) -> None:
    if ws.max_row < 1 or ws.max_column < 1:
        return
    english = language() == "en"
    values = VALUE_EN if english else VALUE_ZH
    fills = STATUS_FILLS_EN if english else STATUS_FILLS
    headers = [str(c.value) if c.value is not None else "" for c in ws[1]]
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    last = get_column_letter(ws.max_column)
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 2)}"
    for k, header in enumerate(headers, start=1):
        cells = [ws.cell(r, k) for r in range(2, ws.max_row + 1)]
        for cell in cells:
            v = cell.value
            if isinstance(v, str):
                if v in values:
                    cell.value = v = values[v]
                if v.startswith(_FORMULA_START) or cell.data_type == "f":
                    cell.value = v
                    cell.data_type = "s"  # written as text, never run as a formula
                if v in fills:
                    cell.fill = PatternFill("solid", fgColor=fills[v])
            elif isinstance(v, bool):
                cell.value = values[str(v)]
        numbers = [c.value for c in cells if _is_number(c.value)]
        fmt = number_format(header, numbers) if numbers else None
        if fmt is not None:
            for cell in cells:
                if _is_number(cell.value):
                    cell.number_format = fmt
                    cell.alignment = Alignment(horizontal="right")
        texts = [header] + [str(c.value) for c in cells[:500] if c.value is not None]
        width = max(display_width(t) for t in texts) + 2
        ws.column_dimensions[get_column_letter(k)].width = max(6, min(width, 60))


def finish_workbook(path: str | Path, *, plan: str | None = None, year: int | None = None,
                    definitions: Mapping[str, str] | None = None,
                    sources: Sequence[str] = (), title: str | None = None) -> Path:
    """Rewrite the workbook at `path` with hsplan's finish (see the module docstring) and a
    说明 sheet; return the path.

    `definitions` maps a column header to what it means; `sources` are the data sources.
    An existing 说明 sheet is kept and its rows formatted, not replaced.
    """
    target = Path(path)
    wb = load_workbook(target)
    for ws in wb.worksheets:
        _finish_sheet(ws)
    sheet = _(NOTES_SHEET_WORD)
    if NOTES_SHEET not in wb.sheetnames and sheet not in wb.sheetnames:
        notes = wb.create_sheet(sheet)
        rows: list[tuple[str, str]] = []
        if title:
            rows.append((_("contents"), title))
        if plan:
            rows.append((_("plan"), plan))
        if year is not None:
            rows.append((_("year evaluated"), str(year) if language() == "en" else f"{year}年"))
        rows.append((_("sheets"), join_names(s for s in wb.sheetnames if s != sheet)))
        for header, meaning in (definitions or {}).items():
            rows.append((header, meaning))
        rows += [(_("data source"), s) for s in sources]
        rows.append((_("colours"), _(
            "green: met/passed/done; blue: on track; yellow: at risk/due soon/not reported; "
            "red: off track/failed/late; grey: not evaluable")))
        notes.append((_("item"), _("explanation")))
        for row in rows:
            notes.append(row)
        _finish_sheet(notes)
        notes.column_dimensions["B"].width = 90
        for r in range(2, notes.max_row + 1):
            notes.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
    tmp = target.with_name(f".{target.name}.tmp")
    wb.save(tmp)
    os.chmod(tmp, 0o644)
    tmp.replace(target)
    return target

"""The Excel/CSV data-entry template, generated from `hsplan.region.schema`.

The workbook ``hsplan_template.xlsx`` has a first sheet 说明 (instructions), then one sheet
per model table (sheet name = the table's Chinese name, row 1 = the Chinese headers). Each
header carries a cell comment with the English column id, the unit, the kind of value and
the allowed values; required headers are highlighted; choice columns get drop-down lists
(from a hidden sheet 选项). The CSV variant writes one UTF-8-with-BOM file per table,
``<table>.csv``, with the Chinese headers, which Excel opens correctly.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from hsplan._files import save_workbook
from hsplan._i18n import _
from hsplan.errors import HsplanError
from hsplan.region import schema
from hsplan.region.io._cells import expected_text
from hsplan.region.io.tables import CHOICES_SHEET, INSTRUCTIONS_SHEET
from hsplan.region.model import Region
from hsplan.region.schema import Column, Table

TEMPLATE_NAME = "hsplan_template.xlsx"
REQUIRED_FILL = "FFD966"  # amber: required column
OPTIONAL_FILL = "DDEBF7"  # light blue: optional column

# Drop-down values shown to a planner (Chinese where the stored value is an English id).
_DROPDOWN_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    ("areas", "level"): tuple(schema.AREA_LEVELS.values()),
    ("areas", "urban_rural"): ("城镇", "农村", *schema.URBAN_RURAL_CODES),
}
_AREA_LEVEL_ZH = schema.AREA_LEVELS

INSTRUCTIONS: tuple[str, ...] = (
    "hsplan 数据填报模板 (health service system data template)",
    "",
    "怎么填: 每个工作表是一张表; 第 1 行是表头, 不要改表头"
    " (鼠标停在表头上可看英文编码、单位和允许值), 从第 2 行起每行填一条记录。"
    "黄色表头为必填列, 蓝色为选填列。不需要的工作表可以留空。",
    "表头也可以用英文编码 (如 beds) 或别名 (如 床位数)。可以删掉不用的列, 但不要加入模板之外的列。",
    "代码: 区划代码用国家统计局统计用区划代码 (县级 6 位, 乡镇街道 9 位, 村居 12 位); 上级区划代码"
    " 填上一级的代码。机构编码由本地统一编制, 在机构、资源、服务量三张表中必须一致。",
    "年份: 填 4 位数字 (如 2023), 指年末数 (资源) 或全年数 (服务量)。导入某一年的数据会整体替换"
    "项目中该年的数据, 其他年份不变。",
    "坐标: 经度、纬度填十进制度 (如 102.7501, 24.2876)。坐标系可填 WGS84、GCJ-02 (高德、腾讯地图)"
    " 或 BD-09 (百度地图); 空着时用项目设置 hsplan.toml 中的 coordinate_system。"
    "所有坐标都会转换为 WGS84 保存。",
    "机构类别: 可以空着, 按机构类型自动填写 (如 乡镇卫生院 → 基层医疗卫生机构)。",
    "上报指标: 指标编码填指标目录的编码或中文名。床位需求法读取县级的 年住院率"
    " (admission_rate_pct, 常住居民住院人次含县外 / 常住人口 × 100)、县域内就诊率"
    " (in_county_visit_rate_pct, 外转 = 100 − 该值) 和 外地患者住院人次占比"
    " (nonresident_admissions_pct, 流入); 未填时用国家数据或按 0 计并注明。",
    "导入: hsplan validate 项目目录 本文件 (只检查), hsplan import 项目目录 本文件 (检查后导入)。"
    "有任何错误时不会导入, 会列出每个错误的工作表、行、列和改法。",
    "",
    "工作表 (sheet) | 英文名 | 内容 | 主键 | 必填列",
)


def write_template(directory: str | Path, *, fmt: Literal["xlsx", "csv"] = "xlsx",
                   region: Region | None = None) -> Path:
    """Return the path of the template written into `directory`: the workbook
    ``hsplan_template.xlsx`` (fmt="xlsx") or the folder holding ``<table>.csv`` (fmt="csv").

    With `region`, the 区划 sheet is prefilled with the region's areas, so the planner only
    adds facilities, resources and figures.
    """
    directory = Path(directory)
    if fmt not in ("xlsx", "csv"):
        raise HsplanError(_("template format {fmt}: expected xlsx or csv. Fix: pass --format "
                            "xlsx or --format csv.").format(fmt=repr(fmt)))
    directory.mkdir(parents=True, exist_ok=True)
    prefill = {"areas": area_rows(region)} if region is not None else {}
    if fmt == "csv":
        for table in schema.TABLES.values():
            with (directory / f"{table.name}.csv").open("w", encoding="utf-8-sig",
                                                        newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([c.zh for c in table.columns])
                writer.writerows(prefill.get(table.name, []))
        return directory
    path = directory / TEMPLATE_NAME
    _write_workbook(path, prefill)
    return path


def area_rows(region: Region) -> list[list[Any]]:
    """Return the region's areas as template rows (Chinese level labels, WGS84 points)."""
    rows = []
    for rec in region.areas.drop(columns="geometry").to_dict("records"):
        cells: list[Any] = []
        for col in schema.AREAS.columns:
            value = rec.get(col.id)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append(None)
            elif col.id == "level":
                cells.append(_AREA_LEVEL_ZH.get(str(value), str(value)))
            elif col.kind == "float":
                cells.append(float(value))
            else:
                cells.append(str(value))
        rows.append(cells)
    return rows


def header_comment(col: Column) -> str:
    """Return the text of a header's cell comment: id, unit, kind, allowed values."""
    lines = [f"id: {col.id}", f"{'必填 required' if col.required else '选填 optional'}",
             f"值 value ({col.kind}): {expected_text(col)}"]
    if col.unit:
        lines.append(f"单位 unit: {col.unit}")
    if col.kind == "choice":
        lines.append("允许值 allowed: " + "、".join(_dropdown_values(None, col)))
    if col.aliases:
        lines.append("也可用表头 also: " + ", ".join(col.aliases))
    if col.description:
        lines.append(_(col.description))
    if col.example:
        lines.append(f"例 e.g.: {col.example}")
    return "\n".join(lines)


def _dropdown_values(table: Table | None, col: Column) -> tuple[str, ...]:
    if col.kind == "bool":
        return ("是", "否")
    for (tname, cid), values in _DROPDOWN_OVERRIDES.items():
        if cid == col.id and (table is None or table.name == tname) and \
                schema.TABLES[tname].column(cid) == col:
            return values
    return col.choices


def _write_workbook(path: Path, prefill: dict[str, list[list[Any]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    info = wb.worksheets[0]
    info.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        info.append([line])
    for t in schema.TABLES.values():
        info.append([t.zh, t.name, _(t.description), " + ".join(t.column(k).zh for k in t.key),
                     "、".join(t.column(c).zh for c in t.required)])
    info.column_dimensions["A"].width = 110
    info["A1"].font = Font(bold=True, size=14)
    for row in info.iter_rows(min_row=3, max_row=len(INSTRUCTIONS)):
        row[0].alignment = Alignment(wrap_text=True)

    lists = wb.create_sheet(CHOICES_SHEET)
    lists.sheet_state = "hidden"
    list_col = 0
    for table in schema.TABLES.values():
        ws = wb.create_sheet(table.zh)
        ws.append([c.zh for c in table.columns])
        for i, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=col.required)
            cell.fill = PatternFill("solid", fgColor=REQUIRED_FILL if col.required
                                    else OPTIONAL_FILL)
            comment = Comment(header_comment(col), "hsplan")
            comment.width, comment.height = 320, 200
            cell.comment = comment
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(10, 2 * len(col.zh) + 2)
            if col.kind not in ("choice", "bool"):
                continue
            values = _dropdown_values(table, col)
            list_col += 1
            list_letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=f"{table.zh}.{col.zh}")
            for j, value in enumerate(values, start=2):
                lists.cell(row=j, column=list_col, value=value)
            ref = (f"{quote_sheetname(CHOICES_SHEET)}!${list_letter}$2:"
                   f"${list_letter}${len(values) + 1}")
            dv = DataValidation(type="list", formula1=ref, allow_blank=True,
                                errorStyle="warning", showErrorMessage=True,
                                error=f"{col.zh}: {expected_text(col)}",
                                errorTitle="hsplan")
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")
        ws.freeze_panes = "A2"
        for row_values in prefill.get(table.name, []):
            ws.append(row_values)
    save_workbook(wb, path)

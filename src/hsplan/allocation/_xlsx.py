"""Workbooks of allocation results: Chinese headers, frozen header row, widths, formats."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from hsplan._json import json_value

COUNT = "#,##0"
INDEX = "0.0000"
RATIO = "0.000"
PCT = "0.0"


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path, *,
                   headers: Mapping[str, str], formats: Mapping[str, str]) -> Path:
    """Write one sheet per frame to `path` and return the path.

    Columns are renamed with `headers` (English id → Chinese) and numbers get the Excel
    format of `formats` (by English id); the header row is bold and frozen, widths follow
    the longest cell. The file is written to a temporary name first, so a failure leaves no
    half-written workbook.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    first = True
    for name, frame in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = name[:31]
        cols = [str(c) for c in frame.columns]
        ws.append([headers.get(c, c) for c in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in frame.to_dict(orient="records"):
            ws.append([json_value(row[c]) for c in frame.columns])
        for j, col in enumerate(cols, start=1):
            fmt = formats.get(col)
            width = max([_width(headers.get(col, col))]
                        + [_width(_shown(v)) for v in frame[col].head(500)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
            if fmt:
                for r in range(2, ws.max_row + 1):
                    ws.cell(r, j).number_format = fmt
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _shown(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.4f}"
    return "" if value is None or value is pd.NA else str(value)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

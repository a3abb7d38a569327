"""PDF plan documents read into the document model: text lines joined into paragraphs,
ruled tables from pdfplumber's table finder, tables without rules from the words' positions
(`_pdf_layout`), and a table continued on the next page joined to its start."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from hsplan._i18n import _
from hsplan.errors import DataSourceError
from hsplan.plans.extract._model import (
    Block,
    DocTable,
    Document,
    _caption_from,
    blocks_from_text,
    document_from_blocks,
)
from hsplan.plans.extract._pdf_layout import layout_tables


def read_pdf(path: Path) -> Document:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DataSourceError(_("{name}: reading .pdf needs pdfplumber. Fix: "
                                "pip install pdfplumber").format(name=path.name)) from exc
    reader = _PdfBlocks()
    try:
        with pdfplumber.open(str(path)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                reader.page(page, number)
    except DataSourceError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise DataSourceError(_("{name}: not a readable PDF ({error}). Fix: export the "
                                "document to PDF again, or give the .docx.").format(
                                    name=path.name, error=exc)) from exc
    return document_from_blocks(path.name, "pdf", reader.finish())


_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,3}(?:\s*页)?[-—–\s]*$")


class _PdfBlocks:
    """Builds blocks from PDF pages: text lines joined into paragraphs (a line that reaches
    the right edge of the text continues on the next line, also across a page break),
    tables from pdfplumber's table finder (ruling lines) or, on a page without ruling lines,
    from the words' positions (`_pdf_layout`), and a table at the top of a page
    with as many columns as the table that ends the page before joined to it (its first row
    dropped when it repeats that table's header)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []  # the paragraph being read
        self.where = ""
        self.open = False  # the last line reached the right edge
        self.ends_page_with_table = False
        self.carry: tuple[tuple[float, float], ...] | None = None  # a layout table's gaps

    def page(self, page: Any, number: int) -> None:
        ruled = page.find_tables()
        found: list[tuple[tuple[float, float, float, float], tuple[tuple[str, ...], ...]]]
        if ruled:
            found = [(t.bbox, tuple(tuple(_pdf_cell(c) for c in row) for row in t.extract()))
                     for t in ruled]
            self.carry = None
        else:  # no ruling lines: tables set with white space only
            layout = layout_tables(page, carry=self.carry)
            found = [(t.bbox, t.rows) for t in layout]
            self.carry = layout[-1].gaps if layout else None
        boxes = [bbox for bbox, _rows in found]

        def outside(obj: dict[str, Any]) -> bool:
            x = (obj["x0"] + obj["x1"]) / 2
            y = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

        lines = [ln for ln in page.filter(outside).extract_text_lines()
                 if ln["text"].strip() and not _PAGE_NUMBER.match(ln["text"])]
        right = max((ln["x1"] for ln in lines), default=page.width)
        items: list[tuple[float, int, Any]] = [(ln["top"], 0, ln) for ln in lines]
        items += [(bbox[1], 1, rows) for bbox, rows in found]
        items.sort(key=lambda item: (item[0], item[1]))
        for k, (_top, is_table, obj) in enumerate(items):
            if is_table:
                self._flush()
                self._table(obj, number, first=k == 0)
                self.open = False
            else:
                text = obj["text"].strip()
                width = (obj["x1"] - obj["x0"]) / max(1, len(text))
                if not self.open:
                    self._flush()
                    self.where = f"page {number}"
                self.lines.append(text)
                self.open = obj["x1"] >= right - 2.5 * width and not text.endswith(("。", "："))
        self.ends_page_with_table = bool(items) and items[-1][1] == 1
        if not self.ends_page_with_table:
            self.carry = None

    def _table(self, rows: tuple[tuple[str, ...], ...], number: int, *, first: bool) -> None:
        last = self.blocks[-1] if self.blocks else None
        if first and self.ends_page_with_table and last is not None \
                and last.table is not None and rows \
                and len(rows[0]) == len(last.table.rows[0]):
            head = last.table.rows[:last.table.header_rows]
            more = rows[len(head):] if rows[:len(head)] == head else rows
            table = replace(last.table, rows=last.table.rows + more,
                            where=f"{last.table.where}–{number}")
            self.blocks[-1] = replace(last, table=table, where=table.where)
            return
        caption = None
        if last is not None and last.table is None:
            caption = _caption_from([last.text])
        n = sum(1 for b in self.blocks if b.kind == "table") + 1
        where = f"table {n} (page {number}"
        table = DocTable(rows, caption, where)
        self.blocks.append(Block("table", "", where, table=table))

    def _flush(self) -> None:
        if self.lines:
            text = "".join(self.lines)
            kind = blocks_from_text(text)[0] if text.strip() else None
            if kind is not None:
                self.blocks.append(replace(kind, where=self.where))
        self.lines = []

    def finish(self) -> list[Block]:
        self._flush()
        return [replace(b, where=b.where + ")", table=replace(b.table, where=b.where + ")"))
                if b.table is not None else b for b in self.blocks]


def _pdf_cell(value: str | None) -> str:
    """A PDF table cell: the text with the line breaks of a wrapped cell removed."""
    if value is None:
        return ""
    return re.sub(r"\s*\n\s*", "", value).strip()

"""Plan documents (.txt, .docx, .pdf, .html) read into text and table structures.

A `Document` holds the running text of a document and the tables the file format marks
as tables (Word tables, PDF tables found by pdfplumber, HTML ``<table>``). A plain-text
document has no marked tables: its tables are flattened into the text (cells separated
by ``|``, by tabs, or one cell per line) and `hsplan.plans.extract.tables` finds them there.

Text is read as UTF-8, or GB18030 when it is not UTF-8 (GB18030 is a superset of GBK and
GB2312, the encodings Chinese government sites publish in). A document that is empty,
cannot be decoded, or holds almost no Chinese text (mojibake, a binary file renamed
``.txt``) raises `DataSourceError` with what was expected and how to fix it.

Word and PDF reading use python-docx and pdfplumber, imported only when such a file is
read.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hsplan._i18n import _
from hsplan.errors import DataSourceError
from hsplan.plans.extract._pdf_layout import layout_tables

FORMATS = ("txt", "docx", "pdf", "html")
SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "txt", ".docx": "docx", ".pdf": "pdf",
            ".html": "html", ".htm": "html"}
MIN_CJK_SHARE = 0.2
MIN_CJK_CHARS = 20

_CJK = re.compile(r"[\u3400-\u9fff]")
_WS_RUN = re.compile(r"\s+")
_CAPTION_MAX_CHARS = 80


@dataclass(frozen=True)
class DocTable:
    """A table as the file format marks it: rows of cell texts, and the caption above it.

    Merged cells appear once per row they span vertically (the text is repeated in each
    row) and once in a row they span horizontally.
    """

    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None
    where: str = ""
    header_rows: int = 1


@dataclass(frozen=True)
class Block:
    """One block of a document, in reading order: a heading (`level` 1 = chapter), a
    paragraph, a list item or a table (`table`), and where it is in the source (`where`:
    ``page 3``, ``paragraph 12``, ``table 2``, ``line 40``)."""

    kind: str  # heading | paragraph | item | table
    text: str
    where: str
    level: int = 0
    table: DocTable | None = None


@dataclass(frozen=True)
class Document:
    """A plan document: its name, format, running text, marked tables and blocks.

    `text` is what every extractor reads: for a plain-text file the file itself; for Word,
    PDF and HTML the blocks written one per line, each table as rows of cells separated by
    `` | `` (one row per line), at the offsets `table_spans` (one per table). `original`
    is the text as written when it was converted from traditional to simplified characters
    for matching (same length, character for character), else None.
    """

    name: str
    format: str
    text: str
    tables: tuple[DocTable, ...] = field(default=())
    blocks: tuple[Block, ...] = field(default=())
    table_spans: tuple[tuple[int, int], ...] = field(default=())
    original: str | None = None

    def where(self, offset: int) -> str:
        """Return where the character at `offset` of `text` stands in the source: the
        `Block.where` of its block (``page 3``, ``table 2 row 4``), else ``line N``."""
        for (a, b), table in zip(self.table_spans, self.tables, strict=False):
            if a <= offset <= b:
                row = self.text.count("\n", a, offset) + 1
                return f"{table.where or 'table'} row {row}"
        if self.blocks:
            pos = 0
            for block in self.blocks:
                length = len(_block_text(block))
                if offset <= pos + length:
                    return block.where
                pos += length + 1
        return f"line {self.text.count(chr(10), 0, offset) + 1}"


def _block_text(block: Block) -> str:
    if block.table is not None:
        return table_text(block.table)
    return block.text


def table_text(table: DocTable) -> str:
    """Return a table written as text: one row per line, cells followed by `` |``."""
    return "\n".join(" | ".join(c.replace("\n", " ") for c in row) + " |"
                     for row in table.rows)


def document_from_blocks(name: str, fmt: str, blocks: list[Block]) -> Document:
    """Return the `Document` of `blocks`: their text one block per line (tables as
    `table_text`), with the tables and their spans."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    tables: list[DocTable] = []
    pos = 0
    for block in blocks:
        text = _block_text(block)
        if block.table is not None:
            spans.append((pos, pos + len(text)))
            tables.append(block.table)
        parts.append(text)
        pos += len(text) + 1
    return Document(name, fmt, "\n".join(parts), tuple(tables), tuple(blocks), tuple(spans))


def blocks_from_text(text: str) -> list[Block]:
    """Return the blocks of a plain text: one per non-empty line, a heading when the line
    starts with a heading mark (第一章 / 一、 / （一）) and is short, a list item when it
    starts with 1. / ① ."""
    out = []
    for k, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        m = _HEADING_MARK.match(line)
        if m and len(line) <= 45 and "。" not in line:
            level = 1 if m.group(1).startswith("第") and m.group(1).endswith("章") else 2
            out.append(Block("heading", line, f"line {k}", level))
        elif _ITEM_MARK.match(line):
            out.append(Block("item", line, f"line {k}"))
        else:
            out.append(Block("paragraph", line, f"line {k}"))
    return out


_HEADING_MARK = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|"
                           r"[(（][一二三四五六七八九十]+[)）])")
_ITEM_MARK = re.compile(r"^(\d{1,2}\s*[.．、](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])")


def read_document(path: str | Path) -> Document:
    """Return the `Document` read from a .txt, .docx, .pdf or .html file.

    Raises `DataSourceError` when the file is missing, of an unknown kind, unreadable,
    empty, or not Chinese text.
    """
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(_("{path}: no such file. Fix: give the path of a plan document "
                                "(.txt, .docx, .pdf or .html).").format(path=path))
    kind = SUFFIXES.get(path.suffix.lower())
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DataSourceError(
            _("{name}: too large for a plan document ({size} MB; at most {limit} MB). Fix: "
              "save the plan text alone.").format(
                  name=path.name, size=f"{path.stat().st_size / 2**20:,.0f}",
                  limit=f"{MAX_DOCUMENT_BYTES / 2**20:,.0f}"))
    if kind is None:
        raise DataSourceError(
            _("{name}: expected a plan document ending in .txt, .docx, .pdf or .html, got "
              "{suffix}. Fix: save the document in one of these formats (Word: 另存为 .docx).")
            .format(name=path.name,
                    suffix=repr(path.suffix) if path.suffix else _("no suffix")))
    if kind == "txt":
        text = decode_text(path.read_bytes(), name=path.name)
        doc = Document(path.name, "txt", text, blocks=tuple(blocks_from_text(text)))
    elif kind == "docx":
        doc = _read_docx(path)
    elif kind == "pdf":
        doc = _read_pdf(path)
    else:
        raw = path.read_bytes()
        doc = document_from_html(decode_text(raw, name=path.name, check=False), name=path.name)
    check_text(doc)
    return simplified(doc)


def document_from_text(text: str, *, name: str = "(text)") -> Document:
    """Return a plain-text `Document` for `text`; raise `DataSourceError` when it is not
    a readable Chinese document."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(name, "txt", text, blocks=tuple(blocks_from_text(text)))
    check_text(doc)
    return simplified(doc)


# --- traditional characters ----------------------------------------------------------------

TRADITIONAL_SHARE = 0.02


@cache
def _t2s_char(ch: str) -> str:
    out = _opencc().convert(ch)
    return out if len(out) == 1 else ch


@cache
def _opencc() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Return `text` with traditional characters replaced by simplified ones, character for
    character (same length, so that offsets hold in both)."""
    return "".join(_t2s_char(ch) if "\u3400" <= ch <= "\u9fff" else ch for ch in text)


def is_traditional(text: str) -> bool:
    """Return True when at least 2 % of the Chinese characters of `text` are traditional
    forms (a Hong Kong or Taiwan repost); simplified text has almost none."""
    cjk = _CJK.findall(text[:50000])
    if not cjk:
        return False
    changed = sum(1 for ch in cjk if _t2s_char(ch) != ch)
    return changed / len(cjk) >= TRADITIONAL_SHARE


def simplified(doc: Document) -> Document:
    """Return `doc` converted to simplified characters when it is written in traditional
    ones (the text as written kept in `original`), else `doc` unchanged."""
    if not is_traditional(doc.text):
        return doc

    def table(t: DocTable) -> DocTable:
        return replace(t, rows=tuple(tuple(to_simplified(c) for c in r) for r in t.rows),
                       caption=to_simplified(t.caption) if t.caption else None)

    blocks = tuple(replace(b, text=to_simplified(b.text),
                           table=table(b.table) if b.table is not None else None)
                   for b in doc.blocks)
    return replace(doc, text=to_simplified(doc.text),
                   tables=tuple(table(t) for t in doc.tables), blocks=blocks,
                   original=doc.text)


def verbatim(doc: Document, quote: str) -> str:
    """Return `quote` (read from the simplified text) as the document writes it: the same
    span of the original text when `doc` was converted from traditional characters."""
    if doc.original is None or not quote:
        return quote
    flat_s = _WS_RUN.sub(" ", doc.text)
    flat_o = _WS_RUN.sub(" ", doc.original)
    k = flat_s.find(quote)
    if k >= 0 and len(flat_s) == len(flat_o):
        return flat_o[k:k + len(quote)]
    return "".join(_reverse_map(doc).get(ch, ch) for ch in quote)


def _reverse_map(doc: Document) -> dict[str, str]:
    seen: dict[str, Counter[str]] = {}
    for s_ch, o_ch in zip(doc.text, doc.original or "", strict=False):
        if s_ch != o_ch:
            seen.setdefault(s_ch, Counter())[o_ch] += 1
    return {k: v.most_common(1)[0][0] for k, v in seen.items()}


def decode_text(raw: bytes, *, name: str, check: bool = True) -> str:
    """Return `raw` decoded as UTF-8 (with or without BOM), else as GB18030.

    Raises `DataSourceError` when neither decodes it.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if check:
            check_text(Document(name, "txt", text))
        return text
    raise DataSourceError(
        _("{name}: expected text in UTF-8 or GB18030 (GBK), got bytes that are neither. "
          "Fix: open the file in a text editor and save it as UTF-8.").format(name=name))


def check_text(doc: Document) -> None:
    """Raise `DataSourceError` when `doc` is empty or does not read as Chinese text.

    Notes
    -----
    A plan document is Chinese prose: at least 20 Chinese characters, and at least 20 %
    of its visible characters Chinese. Mojibake (UTF-8 read as Latin-1, or a binary file)
    fails the second test.
    """
    table_text = " ".join(c for t in doc.tables for row in t.rows for c in row)
    visible = re.sub(r"\s+", "", doc.text + table_text)
    if not visible:
        raise DataSourceError(
            _("{name}: the document is empty: expected the text of a plan, got no visible "
              "characters. Fix: check that the file is the plan itself (a scanned PDF has no "
              "text layer; run OCR first).").format(name=doc.name))
    n_cjk = len(_CJK.findall(visible))
    share = n_cjk / len(visible)
    if n_cjk < MIN_CJK_CHARS or share < MIN_CJK_SHARE:
        raise DataSourceError(
            _("{name}: the document does not read as Chinese text: expected at least {min} "
              "Chinese characters making up ≥ {min_share} of the text, got {n} ({share}). "
              "Fix: the file is garbled or in the wrong encoding; save it again as UTF-8 "
              "text, .docx or a PDF with a text layer.").format(
                  name=doc.name, min=MIN_CJK_CHARS, min_share=f"{MIN_CJK_SHARE:.0%}",
                  n=n_cjk, share=f"{share:.0%}"))


# --- Word ---------------------------------------------------------------------------------


def _read_docx(path: Path) -> Document:
    try:
        import docx
        from docx.document import Document as DocxDocument
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DataSourceError(_("{name}: reading .docx needs python-docx. Fix: "
                                "pip install python-docx").format(name=path.name)) from exc
    paragraphs: list[str] = []
    blocks: list[Block] = []
    try:
        d: DocxDocument = docx.Document(str(path))
        for block in d.iter_inner_content():
            if isinstance(block, Paragraph):
                text = block.text.strip()
                paragraphs.append(text)
                if not text:
                    continue
                style = (block.style.name if block.style is not None else "") or ""
                level = _heading_level(style)
                where = f"paragraph {len(paragraphs)}"
                if level:
                    blocks.append(Block("heading", text, where, level))
                elif "List" in style or _numbered(block):
                    blocks.append(Block("item", text, where))
                else:
                    blocks.append(Block("paragraph", text, where))
            elif isinstance(block, Table):
                rows = []
                header_rows = 0
                for k, row in enumerate(block.rows):
                    cells: list[str] = []
                    previous: Any = None
                    for c in row.cells:
                        if c._tc is previous:  # a horizontally merged cell spans grid columns
                            continue
                        previous = c._tc
                        cells.append(c.text.strip())
                    rows.append(tuple(cells))
                    trPr = row._tr.trPr
                    if k == header_rows and trPr is not None and trPr.find(qn("w:tblHeader")) \
                            is not None:
                        header_rows += 1
                n = sum(1 for b in blocks if b.kind == "table") + 1
                table = DocTable(tuple(rows), _caption_from(paragraphs), f"table {n}",
                                 max(1, header_rows))
                blocks.append(Block("table", "", f"table {n}", table=table))
    except Exception as exc:  # python-docx and lxml raise several kinds on a broken file
        raise DataSourceError(_("{name}: not a readable Word .docx file ({error}). Fix: "
                                "open it in Word or WPS and save it again as .docx.").format(
                                    name=path.name, error=exc)) from exc
    return document_from_blocks(path.name, "docx", blocks)


def _numbered(paragraph: Any) -> bool:
    """True when a Word paragraph carries automatic numbering (a list item)."""
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _heading_level(style: str) -> int:
    """The level of a Word heading style (Heading 1 / 标题 1 / Title → 1), 0 for others."""
    if style == "Title":
        return 1
    m = re.match(r"^(?:Heading|标题)\s*(\d)$", style)
    return int(m.group(1)) if m else 0


def _caption_from(paragraphs: list[str]) -> str | None:
    """The last non-empty paragraph before a table, when it is short enough to be a title."""
    for text in reversed(paragraphs[-3:]):
        text = text.strip()
        if text:
            return text if len(text) <= _CAPTION_MAX_CHARS and not text.endswith("。") else None
    return None


# --- places in the reader's language ------------------------------------------------------

_PLACES_ZH = ((re.compile(r"\btable (\d+)"), r"表\1"),
              (re.compile(r"\s*\(page (\d+)(–\d+)?\)"), r"（第\1\2页）"),
              (re.compile(r"\bpage (\d+)"), r"第\1页"),
              (re.compile(r"\bparagraph (\d+)"), r"第\1段"),
              (re.compile(r"\s*\brow (\d+)"), r"第\1行"),
              (re.compile(r"\bline (\d+)"), r"第\1行"),
              (re.compile(r"^table(?! ?\d)"), "表格"))


def place_words(where: Any) -> Any:
    """Return a place of the document as the reader says it: the places are kept in one
    form (``table 2 (page 5) row 4``, ``page 3``, ``line 40``, ``paragraph 7``), read in
    Chinese as 表2（第5页）第4行, 第3页, 第40行, 第7段; unchanged in English or when not a
    place (None, NaN)."""
    from hsplan._i18n import language

    if not isinstance(where, str) or language() == "en":
        return where
    for pattern, words in _PLACES_ZH:
        where = pattern.sub(words, where)
    return where


# --- PDF ----------------------------------------------------------------------------------


def _read_pdf(path: Path) -> Document:
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


# --- HTML ---------------------------------------------------------------------------------


_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section",
               "article", "title", "tr", "table", "caption"}
_SKIP_TAGS = {"script", "style", "head", "noscript"}


class _HtmlReader(HTMLParser):
    """Collects the text outside tables and every ``<table>`` as rows of cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tables: list[DocTable] = []
        self._skip = 0
        self._stack: list[dict[str, Any]] = []  # open tables (nested tables are flattened)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "table":
            self._stack.append({"rows": [], "row": None, "cell": None, "caption": None,
                                "pending": {}, "active": {}, "col": 0,
                                "in_caption": False})
        elif self._stack:
            t = self._stack[-1]
            if tag == "tr":
                self._end_row(t)
                self._start_row(t)
            elif tag in ("td", "th"):
                a = dict(attrs)
                t["cell"] = {"text": [], "rowspan": _int(a.get("rowspan")),
                             "colspan": _int(a.get("colspan"))}
            elif tag == "caption":
                t["in_caption"] = True
                t["caption"] = ""
            elif tag == "br" and t["cell"] is not None:
                t["cell"]["text"].append("\n")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.text.append(f"\n\x01{tag[1]}\x01")
        elif tag in _BLOCK_TAGS:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "table" and self._stack:
            t = self._stack.pop()
            self._end_row(t)
            caption = t["caption"] or _caption_from("".join(self.text).split("\n"))
            n = len(self.tables) + 1
            self.tables.append(DocTable(tuple(tuple(r) for r in t["rows"]),
                                        caption.strip() if caption else None, f"table {n}"))
            self.text.append(f"\n\x00{n - 1}\x00\n")
        elif self._stack:
            t = self._stack[-1]
            if tag in ("td", "th") and t["cell"] is not None:
                self._end_cell(t)
            elif tag == "tr":
                self._end_row(t)
            elif tag == "caption":
                t["in_caption"] = False
        elif tag in _BLOCK_TAGS:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._stack:
            t = self._stack[-1]
            if t["in_caption"]:
                t["caption"] += data
            elif t["cell"] is not None:
                t["cell"]["text"].append(data)
            return
        self.text.append(data)

    def _end_cell(self, t: dict[str, Any]) -> None:
        cell = t["cell"]
        t["cell"] = None
        if t["row"] is None:
            self._start_row(t)
        text = re.sub(r"\s*\n\s*", "", "".join(cell["text"])).strip()
        text = re.sub(r"[ \t\u00a0\u3000]+", " ", text)
        col = t["col"]
        while col in t["active"]:
            col += 1
        if col >= MAX_TABLE_COLUMNS:  # a hostile or broken table: the rest is not a plan's
            t["col"] = col + 1
            return
        cell["colspan"] = min(cell["colspan"], MAX_TABLE_COLUMNS - col)
        t["row"][col] = text
        if cell["rowspan"] > 1:  # repeat the text in the rows it spans (as Word does)
            for k in range(cell["colspan"]):
                t["pending"][col + k] = [text if k == 0 else None, cell["rowspan"] - 1]
        t["col"] = col + cell["colspan"]

    @staticmethod
    def _start_row(t: dict[str, Any]) -> None:
        t["row"] = {}
        t["col"] = 0
        t["active"] = {c: list(v) for c, v in t["pending"].items()}

    def _end_row(self, t: dict[str, Any]) -> None:
        if t["row"] is None:
            return
        for col, (text, _left) in t["active"].items():
            if text is not None:
                t["row"].setdefault(col, text)
            t["pending"][col][1] -= 1
            if t["pending"][col][1] <= 0:
                del t["pending"][col]
        row = [t["row"][c] for c in sorted(t["row"])]
        if any(row):
            t["rows"].append(row)
        t["row"] = None


MAX_TABLE_COLUMNS = 200
MAX_SPAN = 500
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def _int(value: str | None) -> int:
    """Return a row or column span: 1 … `MAX_SPAN` (a span of 10⁶ is clamped, not built)."""
    try:
        return min(MAX_SPAN, max(1, int(str(value or 1).strip()[:9])))
    except ValueError:
        return 1


def document_from_html(html: str, *, name: str = "(html)") -> Document:
    """Return the `Document` of an HTML page: one block per paragraph (``<p>``, ``<div>``,
    ``<li>``, ``<h1>``…, ``<br>``) and every table in place."""
    reader = _HtmlReader()
    reader.feed(html)
    reader.close()
    text = "".join(reader.text)
    blocks: list[Block] = []
    for k, line in enumerate(text.split("\n"), start=1):
        line = re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip()
        m = re.fullmatch(r"\x00(\d+)\x00", line)
        h = re.match(r"\x01(\d)\x01\s*", line)
        if m:
            table = reader.tables[int(m.group(1))]
            blocks.append(Block("table", "", table.where, table=table))
        elif h:
            if line[h.end():]:
                blocks.append(Block("heading", line[h.end():], f"line {k}", int(h.group(1))))
        elif line:
            blocks.append(replace(blocks_from_text(line)[0], where=f"line {k}"))
    return document_from_blocks(name, "html", blocks)


def split_document(doc: Document, starts: list[int]) -> list[Document]:
    """Return `doc` cut at the text offsets `starts` (the first part from the start of the
    document): one `Document` per part, named ``<name> #k``, with the tables inside it."""
    cuts = [0, *sorted(s for s in starts if s > 0), len(doc.text)]
    parts = []
    for k, (a, b) in enumerate(itertools.pairwise(cuts), start=1):
        inside = [(t, (x - a, y - a)) for t, (x, y) in zip(doc.tables, doc.table_spans,
                                                           strict=False) if a <= x < b]
        original = doc.original[a:b] if doc.original is not None else None
        parts.append(Document(f"{doc.name} #{k}", doc.format, doc.text[a:b],
                              tuple(t for t, _s in inside), (), tuple(s for _t, s in inside),
                              original))
    return parts

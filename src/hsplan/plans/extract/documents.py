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
from dataclasses import replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hsplan._i18n import _
from hsplan.errors import DataSourceError
from hsplan.plans.extract._model import Block as Block
from hsplan.plans.extract._model import DocTable as DocTable
from hsplan.plans.extract._model import Document as Document
from hsplan.plans.extract._model import _caption_from
from hsplan.plans.extract._model import blocks_from_text as blocks_from_text
from hsplan.plans.extract._model import document_from_blocks as document_from_blocks
from hsplan.plans.extract._model import place_words as place_words
from hsplan.plans.extract._model import table_text as table_text
from hsplan.plans.extract._pdf import read_pdf

FORMATS = ("txt", "docx", "pdf", "html")
SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "txt", ".docx": "docx", ".pdf": "pdf",
            ".html": "html", ".htm": "html"}
MIN_CJK_SHARE = 0.2
MIN_CJK_CHARS = 20

_CJK = re.compile(r"[\u3400-\u9fff]")
_WS_RUN = re.compile(r"\s+")


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
        doc = read_pdf(path)
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

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

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hsplan.errors import DataSourceError

FORMATS = ("txt", "docx", "pdf", "html")
SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "txt", ".docx": "docx", ".pdf": "pdf",
            ".html": "html", ".htm": "html"}
MIN_CJK_SHARE = 0.2
MIN_CJK_CHARS = 20

_CJK = re.compile(r"[\u3400-\u9fff]")
_CAPTION_MAX_CHARS = 80


@dataclass(frozen=True)
class DocTable:
    """A table as the file format marks it: rows of cell texts, and the caption above it.

    Merged cells appear once per row they span vertically (the text is repeated in each
    row) and once in a row they span horizontally.
    """

    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None


@dataclass(frozen=True)
class Document:
    """A plan document: its name, format, running text and marked tables."""

    name: str
    format: str
    text: str
    tables: tuple[DocTable, ...] = field(default=())


def read_document(path: str | Path) -> Document:
    """Return the `Document` read from a .txt, .docx, .pdf or .html file.

    Raises `DataSourceError` when the file is missing, of an unknown kind, unreadable,
    empty, or not Chinese text.
    """
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"{path}: no such file. Fix: give the path of a plan document "
                              "(.txt, .docx, .pdf or .html).")
    kind = SUFFIXES.get(path.suffix.lower())
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DataSourceError(
            f"{path.name}: too large for a plan document ({path.stat().st_size / 2**20:,.0f} "
            f"MB; at most {MAX_DOCUMENT_BYTES / 2**20:,.0f} MB). Fix: save the plan text alone.")
    if kind is None:
        raise DataSourceError(
            f"{path.name}: expected a plan document ending in .txt, .docx, .pdf or .html, "
            f"got {path.suffix or 'no suffix'!r}. Fix: save the document in one of these "
            "formats (Word: 另存为 .docx).")
    if kind == "txt":
        doc = Document(path.name, "txt", decode_text(path.read_bytes(), name=path.name))
    elif kind == "docx":
        doc = _read_docx(path)
    elif kind == "pdf":
        doc = _read_pdf(path)
    else:
        raw = path.read_bytes()
        doc = document_from_html(decode_text(raw, name=path.name, check=False), name=path.name)
    check_text(doc)
    return doc


def document_from_text(text: str, *, name: str = "(text)") -> Document:
    """Return a plain-text `Document` for `text`; raise `DataSourceError` when it is not
    a readable Chinese document."""
    doc = Document(name, "txt", text.replace("\r\n", "\n").replace("\r", "\n"))
    check_text(doc)
    return doc


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
        f"{name}: expected text in UTF-8 or GB18030 (GBK), got bytes that are neither. "
        "Fix: open the file in a text editor and save it as UTF-8.")


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
            f"{doc.name}: the document is empty: expected the text of a plan, got no "
            "visible characters. Fix: check that the file is the plan itself (a scanned "
            "PDF has no text layer; run OCR first).")
    n_cjk = len(_CJK.findall(visible))
    share = n_cjk / len(visible)
    if n_cjk < MIN_CJK_CHARS or share < MIN_CJK_SHARE:
        raise DataSourceError(
            f"{doc.name}: the document does not read as Chinese text: expected at least "
            f"{MIN_CJK_CHARS} Chinese characters making up ≥ {MIN_CJK_SHARE:.0%} of the "
            f"text, got {n_cjk} ({share:.0%}). Fix: the file is garbled or in the wrong "
            "encoding; save it again as UTF-8 text, .docx or a PDF with a text layer.")


# --- Word ---------------------------------------------------------------------------------


def _read_docx(path: Path) -> Document:
    try:
        import docx
        from docx.document import Document as DocxDocument
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DataSourceError(f"{path.name}: reading .docx needs python-docx. Fix: "
                              "pip install python-docx") from exc
    paragraphs: list[str] = []
    tables: list[DocTable] = []
    try:
        d: DocxDocument = docx.Document(str(path))
        for block in d.iter_inner_content():
            if isinstance(block, Paragraph):
                paragraphs.append(block.text)
            elif isinstance(block, Table):
                rows = []
                for row in block.rows:
                    cells: list[str] = []
                    previous: Any = None
                    for c in row.cells:
                        if c._tc is previous:  # a horizontally merged cell spans grid columns
                            continue
                        previous = c._tc
                        cells.append(c.text.strip())
                    rows.append(tuple(cells))
                tables.append(DocTable(tuple(rows), _caption_from(paragraphs)))
    except Exception as exc:  # python-docx and lxml raise several kinds on a broken file
        raise DataSourceError(f"{path.name}: not a readable Word .docx file ({exc}). Fix: "
                              "open it in Word or WPS and save it again as .docx.") from exc
    return Document(path.name, "docx", "\n".join(paragraphs), tuple(tables))


def _caption_from(paragraphs: list[str]) -> str | None:
    """The last non-empty paragraph before a table, when it is short enough to be a title."""
    for text in reversed(paragraphs[-3:]):
        text = text.strip()
        if text:
            return text if len(text) <= _CAPTION_MAX_CHARS and not text.endswith("。") else None
    return None


# --- PDF ----------------------------------------------------------------------------------


def _read_pdf(path: Path) -> Document:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DataSourceError(f"{path.name}: reading .pdf needs pdfplumber. Fix: "
                              "pip install pdfplumber") from exc
    texts: list[str] = []
    tables: list[DocTable] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                found = page.find_tables()
                boxes = [t.bbox for t in found]

                def outside(obj: dict[str, Any], boxes: list[Any] = boxes) -> bool:
                    x = (obj["x0"] + obj["x1"]) / 2
                    y = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                page_text = page.filter(outside).extract_text() or ""
                for table in found:
                    above = page.crop((0, 0, page.width, max(table.bbox[1], 1))).filter(outside)
                    lines = (above.extract_text() or "").splitlines()
                    rows = tuple(tuple(_pdf_cell(c) for c in row) for row in table.extract())
                    tables.append(DocTable(rows, _caption_from(lines)))
                texts.append(page_text)
    except DataSourceError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise DataSourceError(f"{path.name}: not a readable PDF ({exc}). Fix: export the "
                              "document to PDF again, or give the .docx.") from exc
    return Document(path.name, "pdf", "\n".join(texts), tuple(tables))


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
        elif tag in _BLOCK_TAGS:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "table" and self._stack:
            t = self._stack.pop()
            self._end_row(t)
            caption = t["caption"] or _caption_from("".join(self.text).split("\n"))
            self.tables.append(DocTable(tuple(tuple(r) for r in t["rows"]),
                                        caption.strip() if caption else None))
            self.text.append("\n")
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
    """Return the `Document` of an HTML page: text outside tables, and every table."""
    reader = _HtmlReader()
    reader.feed(html)
    reader.close()
    text = "".join(reader.text)
    text = re.sub(r"[ \t\u00a0\u3000]*\n[\s\u00a0\u3000]*", "\n", text).strip()
    return Document(name, "html", text, tuple(reader.tables))

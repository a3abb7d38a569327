"""Tables found in a document: cells in reading order, whatever the flattening.

Documents flatten their tables in many ways; this module finds them all as one stream of
cells per table (`RawTable`):

* cells separated by ``|`` (rows wrapping anywhere, even mid-row across lines),
* cells separated by tabs, one row per line,
* one cell per line (web pages copied as text), headers split over several lines
  (``指标`` / ``性质``),
* tables the file format marks (Word, PDF, HTML), one row per table row (`marked_table`).

`hsplan.plans.extract.tables` reads the indicator tables among them into plan targets.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from hsplan.plans.extract._text import collapse
from hsplan.plans.extract.documents import DocTable
from hsplan.plans.extract.matching import squash

_HEADING = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|"
                      r"[(（][一二三四五六七八九十]+[)）])")
_CAPTION = re.compile(r"表\s*\d+[^\n。|\t]*")
_HEADER_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("category", re.compile(r"^(类别|类型|分类|领域|任务|方面|维度|板块|指标类别|一级指标|"
                            r"项目类别|指标分类)$")),
    ("seq", re.compile(r"^(序号|编号)$")),
    ("name", re.compile(r"^(主要指标|指标|指标名称|具体指标|二级指标|指标内容|主要指标名称|"
                        r"指标项目)$")),
    ("unit", re.compile(r"^(单位|计量单位|指标单位)$")),
    ("nature", re.compile(r"^(指标性质|性质|指标属性|属性)$")),
    ("baseline", re.compile(r"^(基期值?|现状值?|基数|基线值?|现值|基期水平|现状水平)$")),
    ("target", re.compile(r"^(目标值?|规划目标|期末值|预期目标|目标要求|规划值)$")),
    ("label", re.compile(r"^(地区|区域|县区|县市区|县\(市、区\)|地区名称)$")),
    ("note", re.compile(r"^(备注|说明)$")),
)
YEAR_HEADER = re.compile(
    r"^(?:(?P<pre>基期|现状|目标)[(（]?)?(?P<year>(?:19|20)\d\d)\s*年?(?P<post>目标值?|基数|"
    r"基期值?|现状值?|值|预期值|末|底|预期|现状|规划目标|实际)?[)）]?$")


# --- cells, raw tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its text as written and, for tables found in running text, its
    offsets in the document text (``start``/``end``; None for marked tables)."""

    text: str
    start: int | None = None
    end: int | None = None

    @property
    def key(self) -> str:
        """The cell text without whitespace (wrapped cells insert spaces)."""
        return squash(self.text)


@dataclass(frozen=True)
class RawTable:
    """A table as found: its cells in reading order (None marks a row end where the source
    marks rows), the caption above it, where it came from, and its span in the text."""

    tokens: tuple[Cell | None, ...]
    caption: str | None
    source: str
    span: tuple[int, int] | None = None


# --- finding tables in text ----------------------------------------------------------------


def raw_tables(text: str) -> list[RawTable]:
    """Return every table flattened into `text`: ``|``-separated runs, tab-separated line
    blocks and one-cell-per-line blocks, in document order."""
    found = _pipe_tables(text) + _tab_tables(text) + _line_tables(text)
    return sorted(found, key=lambda t: t.span[0] if t.span else 0)


def _cell(text: str, start: int, end: int) -> Cell | None:
    """The cell of text[start:end] trimmed of whitespace, or None when it is empty."""
    piece = text[start:end]
    stripped = piece.strip(" \t\n\r\u00a0\u3000")
    if not stripped:
        return None
    lead = len(piece) - len(piece.lstrip(" \t\n\r\u00a0\u3000"))
    return Cell(stripped, start + lead, start + lead + len(stripped))


def header_role(text: str) -> str | None:
    key = squash(text)
    if YEAR_HEADER.match(key):
        return "year"
    for role, pattern in _HEADER_ROLES:
        if pattern.match(key):
            return role
    return None


def _caption_before(text: str, start: int) -> str | None:
    window = text[max(0, start - 200):start]
    matches = list(_CAPTION.finditer(window))
    if matches:
        return collapse(matches[-1].group())
    lines = [ln.strip(" \t\u00a0\u3000") for ln in window.split("\n")]
    lines = [ln for ln in lines if ln]
    if lines and len(lines[-1]) <= 60 and not lines[-1].endswith("。"):
        return collapse(lines[-1])
    return None


def _pipe_tables(text: str) -> list[RawTable]:
    pipes = [m.start() for m in re.finditer(r"\|", text)]
    runs: list[list[int]] = []
    for p in pipes:
        if runs and p - runs[-1][-1] <= 300 and "。" not in text[runs[-1][-1]:p]:
            runs[-1].append(p)
        else:
            runs.append([p])
    tables = []
    for run in runs:
        if len(run) < 6:
            continue
        first = run[0]
        head_start = max(text.rfind("\n", 0, first), text.rfind("。", 0, first)) + 1
        tokens: list[Cell | None] = []
        caption: str | None = None
        head = _cell(text, head_start, first)
        if head is not None:
            words = list(re.finditer(r"\S+", head.text))
            if len(words) > 1 and header_role(words[-1].group()):
                caption = collapse(head.text[: words[-1].start()])
                head = Cell(words[-1].group(), head.start + words[-1].start(),  # type: ignore[operator]
                            head.start + words[-1].end())  # type: ignore[operator]
            tokens.append(head)
        for a, b in itertools.pairwise(run):
            c = _cell(text, a + 1, b)
            if c is not None:
                tokens.append(c)
        line_end = text.find("\n", run[-1])
        line_end = len(text) if line_end < 0 else line_end
        tail = _cell(text, run[-1] + 1, line_end)
        end = run[-1] + 1
        if tail is not None and len(tail.text) <= 40 and "。" not in tail.text:
            tokens.append(tail)
            end = tail.end or end
        start = tokens[0].start if tokens and tokens[0] else first
        if caption is None:
            caption = _caption_before(text, start or first)
        tables.append(RawTable(tuple(tokens), caption, "pipe", (start or first, end)))
    return tables


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _tab_tables(text: str) -> list[RawTable]:
    tables = []
    block: list[tuple[int, int]] = []
    blanks = 0

    def flush() -> None:
        if len(block) >= 2:
            tokens: list[Cell | None] = []
            for a, b in block:
                pos = a
                for piece in text[a:b].split("\t"):
                    c = _cell(text, pos, pos + len(piece))
                    if c is not None:
                        tokens.append(c)
                    pos += len(piece) + 1
                tokens.append(None)
            tables.append(RawTable(tuple(tokens), _caption_before(text, block[0][0]), "tab",
                                   (block[0][0], block[-1][1])))
        block.clear()

    for a, b in _lines(text):
        line = text[a:b]
        if "\t" in line:
            block.append((a, b))
            blanks = 0
        elif not line.strip(" \u00a0\u3000\r") and block and blanks < 2:
            blanks += 1
        else:
            flush()
            blanks = 0
    flush()
    return tables


def _line_tables(text: str) -> list[RawTable]:
    """One cell per line: a run of short lines starting with two header-cell lines."""
    cells: list[Cell] = []
    for a, b in _lines(text):
        c = _cell(text, a, b)
        if c is not None:
            cells.append(c)
    tables = []
    i = 0
    while i < len(cells) - 1:
        if not (header_role(cells[i].text) and header_role(cells[i + 1].text)
                and _short(cells[i]) and _short(cells[i + 1])):
            i += 1
            continue
        j = i
        while j < len(cells) and _short(cells[j]) and not (j > i + 1 and
                                                             _HEADING.match(cells[j].text)):
            j += 1
        if j - i >= 6:
            start = cells[i].start or 0
            caption = _caption_before(text, start)
            tables.append(RawTable(tuple(cells[i:j]), caption, "lines",
                                   (start, cells[j - 1].end or start)))
        i = max(j, i + 1)
    return tables


def _short(c: Cell) -> bool:
    return len(c.text) <= 40 and "。" not in c.text and "|" not in c.text and "\t" not in c.text


def marked_table(table: DocTable) -> RawTable:
    """Return the `RawTable` of a table the file format marks (Word, PDF, HTML)."""
    tokens: list[Cell | None] = []
    for row in table.rows:
        tokens.extend(Cell(c.strip()) for c in row if c and c.strip())
        tokens.append(None)
    return RawTable(tuple(tokens), table.caption, "marked")

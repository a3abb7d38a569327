"""Tables a PDF draws without ruling lines, read from where its words stand.

pdfplumber's table finder needs the lines of a ruled grid; many published plans set their
indicator and task tables with white space only, and then every row comes out as run-together
text. Written here rather than with pdfplumber's "text" strategy, which takes its columns
from the whole page: a paragraph above or below the table joins columns ("类别 序号 指标" as
one cell), and wrapped cells come out as extra rows.

How a table is read:
- **The header** is a line of three or more cells (words closer than most of a character
  are one cell) of which two name a table column (指标, 单位, 序号, 牵头 …).
- **The columns** are the white "rivers" between the header's cells that every following
  line leaves free. The table ends at the first line that crosses a river (a paragraph), or
  at a heading or a sentence alone in the first column.
- **The rows**: lines with no gap between them are one row (a cell set in the middle of a
  tall row), and so are the lines of a wrapped cell when the rows are set further apart than
  the lines; where a row holds two numbers of the 序号 column, each line goes to the nearest.
  A table whose rows are no further apart than the lines of its wrapped cells is ambiguous
  without rules: each line is then a row.
- **A table continued on the next page** without its header keeps the columns of the page
  before, when the page starts with lines that fit them.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass
from typing import Any

HEADER_WORDS = ("指标", "单位", "序号", "类别", "领域", "性质", "属性", "年", "目标", "现状",
                "基期", "基线", "地区", "牵头", "配合", "责任", "任务", "内容", "名称", "床位",
                "备注")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,3}(?:\s*页)?[-—–\s]*$")
_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百]+[章节部分]|[一二三四五六七八九十]+、|"
                      r"（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")


@dataclass(frozen=True)
class LayoutTable:
    """A table read from word positions: its box (x0, top, x1, bottom), rows of cells and
    the white gaps (x0, x1) between its columns."""

    bbox: tuple[float, float, float, float]
    rows: tuple[tuple[str, ...], ...]
    gaps: tuple[tuple[float, float], ...]


@dataclass
class _Band:
    top: float
    bottom: float
    words: list[dict[str, Any]]

    def spans(self) -> list[tuple[float, float]]:
        return [(w["x0"], w["x1"]) for w in self.words]


def layout_tables(page: Any, *, carry: tuple[tuple[float, float], ...] | None = None
                  ) -> list[LayoutTable]:
    """Return the tables of `page` drawn without ruling lines, top to bottom; `carry` is the
    column gaps (`LayoutTable.gaps`) of a table that ran to the foot of the page before: its
    continuation is read from the top of this page, without a header."""
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    if not words:
        return []
    size = statistics.median(w["bottom"] - w["top"] for w in words)
    bands = _bands(words)
    tables: list[LayoutTable] = []
    i = 0
    if carry is not None:
        end, gaps = _extent(bands, 0, list(carry), size, continued=True)
        bounds = _middles(gaps)
        if end > 0 and len({_column(w, bounds) for b in bands[:end] for w in b.words}) >= 2:
            tables.append(_table(bands[:end], gaps, size))
            i = end
    while i < len(bands):
        cells = _cells(bands[i], size)
        if len(cells) >= 3 and sum(any(h in text for h in HEADER_WORDS)
                                   for _x0, _x1, text in cells) >= 2:
            end, gaps = _extent(bands, i + 1, [(a[1], b[0]) for a, b in
                                               itertools.pairwise(cells)], size)
            if end - i >= 2:  # the header and a line at least
                top = _header_top(bands, i, size, tables[-1].bbox[3] if tables else -1.0)
                tables.append(_table(bands[top:end], _body_gaps(bands[i + 1:end], size) or gaps,
                                     size))
                i = end
                continue
        i += 1
    return tables


def _middles(gaps: list[tuple[float, float]] | tuple[tuple[float, float], ...]
             ) -> tuple[float, ...]:
    return tuple((a + b) / 2 for a, b in gaps)


def _header_top(bands: list[_Band], i: int, size: float, floor: float) -> int:
    """Return the first line of the header whose column-naming line is `i`: the row just
    above (its lines closer than a third of a line to each other) belongs to a header of two
    levels when it is within one and a half lines, holds two cells or more and is not a
    sentence or a heading; below `floor` (the table before) only."""
    top = i
    for _level in range(2):
        start = top - 1
        while start > 0 and bands[start].top - bands[start - 1].bottom < 0.3 * size:
            start -= 1
        if start < 0 or bands[start].top <= floor:
            break
        row = bands[start:top]
        text = "".join(w["text"] for b in row for w in b.words)
        if bands[top].top - row[-1].bottom >= 1.5 * size \
                or sum(len(_cells(b, size)) for b in row) < 2 \
                or text.endswith(("。", "：", "；")) or _HEADING.match(text):
            break
        top = start
    return top


def _body_gaps(bands: list[_Band], size: float) -> tuple[tuple[float, float], ...]:
    """Return the column gaps of the table's body: the stretches of half a character or
    more that every line leaves free."""
    x0 = min(w["x0"] for b in bands for w in b.words)
    x1 = max(w["x1"] for b in bands for w in b.words)
    free = [(x0, x1)]
    for band in bands:
        for a, b in band.spans():
            free = [part for lo, hi in free
                    for part in ((lo, min(hi, a)), (max(lo, b), hi)) if part[1] - part[0] > 0]
    return tuple((a, b) for a, b in free if b - a >= 0.5 * size)

def _bands(words: list[dict[str, Any]]) -> list[_Band]:
    """Return the lines of words (same top within 2 points), top to bottom."""
    bands: list[_Band] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if bands and abs(w["top"] - bands[-1].top) <= 2:
            bands[-1].words.append(w)
            bands[-1].bottom = max(bands[-1].bottom, w["bottom"])
        else:
            bands.append(_Band(w["top"], w["bottom"], [w]))
    for band in bands:
        band.words.sort(key=lambda w: w["x0"])
    return bands


def _cells(band: _Band, size: float) -> list[tuple[float, float, str]]:
    """Return the cells of a line: its words joined where the gap is under 0.8 character."""
    cells: list[tuple[float, float, str]] = []
    for w in band.words:
        if cells and w["x0"] - cells[-1][1] < 0.8 * size:
            x0, _x1, text = cells[-1]
            cells[-1] = (x0, w["x1"], text + " " + w["text"])
        else:
            cells.append((w["x0"], w["x1"], w["text"]))
    return cells


def _narrowed(river: tuple[float, float], spans: list[tuple[float, float]]
              ) -> tuple[float, float] | None:
    """Return the part of `river` that no span covers: the last one (the widest if that is
    under 2 points); None when a span crosses it."""
    free = [river]
    for x0, x1 in spans:
        free = [part for a, b in free
                for part in ((a, min(b, x0)), (max(a, x1), b)) if part[1] - part[0] > 0.5]
    if not free:
        return None
    # cells are set from the left: the gap is the part before the next column's text
    return free[-1] if free[-1][1] - free[-1][0] >= 2 else max(free, key=lambda p: p[1] - p[0])


def _extent(bands: list[_Band], start: int, rivers: list[tuple[float, float]], size: float,
            *, continued: bool = False) -> tuple[int, list[tuple[float, float]]]:
    """Return the index of the first line after `start` that is not a row of the table whose
    column gaps are `rivers` (it crosses a gap, or it is a heading or a sentence alone in
    the first column, or it is set further off than the table's lines are from each other),
    and the gaps as the rows before it leave them."""
    first = min((a for a, _b in rivers), default=0.0)
    seen: list[float] = []  # the white gaps between the table's lines so far
    j = start
    while j < len(bands):
        band = bands[j]
        narrowed = [_narrowed(r, band.spans()) for r in rivers]
        if any(r is None for r in narrowed):
            break
        text = "".join(w["text"] for w in band.words)
        if _PAGE_NUMBER.match(text):
            break
        alone = all(w["x1"] <= first for w in band.words)
        if alone and (_HEADING.match(text) or text.endswith(("。", "："))):
            break
        if j > start:
            gap = band.top - bands[j - 1].bottom
            if gap > 3 * size or (len(seen) >= 2 and gap > max(1.4 * max(seen), 1.5 * size)):
                break  # a paragraph after the table, set further off than its rows
            if gap > 0.1 * size:
                seen.append(gap)
        if j == start and continued and (alone or _HEADING.match(text)):
            break
        rivers = [r for r in narrowed if r is not None]
        j += 1
    return j, rivers


def _column(word: dict[str, Any], bounds: tuple[float, ...]) -> int:
    """Return the column of a word: where it starts (a header cell over two columns is
    the first one's, as a merged cell reads)."""
    return sum(1 for b in bounds if b < word["x0"] + 0.5)


def _table(bands: list[_Band], gaps: tuple[tuple[float, float], ...] | list[tuple[float, float]],
           size: float) -> LayoutTable:
    bounds = _middles(gaps)
    rows = []
    for group in _rows(bands, bounds, size):
        cells = [""] * (len(bounds) + 1)
        for band in group:
            last: dict[int, float] = {}  # where the cell's text ends on this line
            for w in band.words:
                k = _column(w, bounds)
                # a space between words on one line stays; a line break within a cell goes,
                # as in a ruled cell, except between two Latin words
                space = (k in last and w["x0"] - last[k] > 0.2 * size) or (
                    k not in last and cells[k] and _latin(cells[k][-1]) and _latin(w["text"][0]))
                cells[k] += (" " if space else "") + w["text"]
                last[k] = w["x1"]
        rows.append(tuple(cells))
    x0 = min(w["x0"] for b in bands for w in b.words)
    x1 = max(w["x1"] for b in bands for w in b.words)
    return LayoutTable((x0, bands[0].top, x1, bands[-1].bottom), tuple(rows), tuple(gaps))


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _rows(bands: list[_Band], bounds: tuple[float, ...], size: float) -> list[list[_Band]]:
    """Return the lines of the table grouped into rows (lines that touch or overlap are one
    row; so are the lines of a wrapped cell, when rows are set further apart than lines);
    a row holding two 序号 numbers is split, each line to the nearest."""
    gaps = [b.top - a.bottom for a, b in itertools.pairwise(bands)]
    apart = [g for g in gaps if g > 0.1 * size]
    # the lines of a wrapped cell are the closest apart; rows, further: a row ends at a gap
    # a quarter of a line wider than the closest (every gap, when they are all alike)
    split = 0.1 * size
    if apart and max(apart) > min(apart) + 0.25 * size:
        split = min(apart) + 0.25 * size
    groups: list[list[_Band]] = [[bands[0]]]
    for gap, band in zip(gaps, bands[1:], strict=True):
        if gap > split:
            groups.append([band])
        else:
            groups[-1].append(band)
    anchor = next((k for k in (_number_column(b, bounds) for b in bands[:3]) if k is not None),
                  None)
    if anchor is None:
        return groups
    out: list[list[_Band]] = []
    for group in groups:
        marks = [k for k, b in enumerate(group)
                 if any(_column(w, bounds) == anchor and w["text"].isdigit() for w in b.words)]
        if len(marks) < 2:
            out.append(group)
            continue
        parts: list[list[_Band]] = [[] for _ in marks]
        for band in group:
            distance = [abs(group[m].top - band.top) for m in marks]
            parts[distance.index(min(distance))].append(band)  # the first of equals
        out += [p for p in parts if p]
    return out


def _number_column(header: _Band, bounds: tuple[float, ...]) -> int | None:
    for w in header.words:
        if w["text"] in ("序号", "编号"):
            return _column(w, bounds)
    return None

"""The document model every reader fills: a `Document` (running text, marked tables,
blocks in reading order with their places) made of `Block`s and `DocTable`s, the blocks of
a plain text, a table's caption, and places (``table 2 (page 5) row 4``) in the reader's
language. Kept apart from the readers (`documents`, `_pdf`) so that each reader imports the
model and the model imports none of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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


def _caption_from(paragraphs: list[str]) -> str | None:
    """The last non-empty paragraph before a table, when it is short enough to be a title."""
    for text in reversed(paragraphs[-3:]):
        text = text.strip()
        if text:
            return text if len(text) <= _CAPTION_MAX_CHARS and not text.endswith("。") else None
    return None


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

"""Shared text plumbing of the extractors: whitespace collapsing, sentences and clauses with
their section headings, numbers (Arabic and Chinese numerals), years, department names.

Every extractor quotes the document verbatim *after collapsing runs of whitespace to one
space* (the convention of docs/plan-format.md); the helpers here work on that collapsed text
so that every span they return is a substring of it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL = "〇零一二两三四五六七八九十百"
NUM = r"\d+(?:\.\d+)?"
DASH = r"[—–\-~～至]+"

_WS = re.compile(r"\s+")
# a heading at the start of a paragraph: 第二章 … / 第一节 … / 一、… / (一)… / 1.… are
# recognised by `heading`; sentences end at 。！？；; and at paragraph breaks.
_SENT_END = re.compile(r"(?<=[。！？；;])")
_HEAD = re.compile(
    r"^(?:[·•●]\s*)?(?P<mark>第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|"
    r"[(（][一二三四五六七八九十]+[)）]|专栏\s*\d+)\s*(?P<title>[^。，,；;：:]{0,40}?)"
    r"(?=\s|$|。)"
)


def collapse(text: str) -> str:
    """Return `text` with every run of whitespace replaced by one space, stripped."""
    return _WS.sub(" ", text).strip()


def cn_to_int(text: str) -> int | None:
    """Return the integer a Chinese numeral writes (一 … 九十九, 一百 …), None if it is none.

    Notes: handles 十 (10), 十二 (12), 二十 (20), 二十三 (23), 一百零五 (105), 两 (2).
    """
    if not text or any(ch not in CN_NUMERAL for ch in text):
        return None
    total = 0
    current = 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def parse_number(text: str) -> float | None:
    """Return the number `text` writes (``1.75``, ``3万`` → 30000, ``三`` → 3), else None."""
    text = text.strip().replace(",", "")
    m = re.fullmatch(rf"({NUM})\s*(万|千|百)?", text)
    if m:
        value = float(m.group(1))
        scale = {"万": 10000, "千": 1000, "百": 100}.get(m.group(2) or "", 1)
        return value * scale
    n = cn_to_int(text)
    return float(n) if n is not None else None


def clean_number(value: float) -> int | float:
    """Return `value` as an int when it is whole (``4.0`` → 4), else unchanged."""
    return int(value) if float(value).is_integer() else value


def target_year(text: str) -> int | None:
    """Return the year a document most often aims at (``到2025年`` …), None if it names none.

    Notes: counts ``到/至/力争到 YYYY 年`` and ``YYYY年底前``; ties go to the later year.
    """
    years = [int(y) for y in re.findall(r"(?:到|至)\s*(20\d\d)\s*年", text)]
    years += [int(y) for y in re.findall(r"(20\d\d)\s*年底前", text)]
    if not years:
        return None
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], y))


@dataclass(frozen=True)
class Sentence:
    """One sentence of the collapsed text, with the section headings above it."""

    text: str
    section: str | None
    start: int  # offset in the collapsed text


def heading(paragraph: str) -> tuple[str, str] | None:
    """Return (mark, title) when `paragraph` starts with a heading mark, else None."""
    m = _HEAD.match(paragraph)
    if not m:
        return None
    return m.group("mark"), m.group("title").strip()


def paragraphs(text: str) -> list[str]:
    """Return the non-empty lines of `text`, each whitespace-collapsed."""
    return [p for p in (collapse(line) for line in text.splitlines()) if p]


def sentences(text: str) -> list[Sentence]:
    """Return the sentences of `text` (collapsed), each with its enclosing section headings.

    Sentences end at 。！？；; and before a line that opens with a heading mark; a heading
    opening a sentence (``一、总体要求 (一)指导思想 …``) is peeled off and becomes the
    section (levels: 第X章 > 第X节 > 一、 > (一) > 专栏).
    """
    lines = [collapse(line) for line in text.splitlines()]
    chunks: list[str] = []
    for line in lines:
        if not line:
            continue
        if chunks and not _HEAD.match(line):
            chunks[-1] += " " + line
        else:
            chunks.append(line)
    flat = " ".join(chunks)
    out: list[Sentence] = []
    levels: dict[int, str] = {}
    pos = 0
    for chunk in chunks:
        for raw in _SENT_END.split(chunk):
            start = flat.find(raw, pos) if raw else pos
            pos = start + len(raw)
            body = raw
            offset = start
            while True:
                lead = len(body) - len(body.lstrip())
                body, offset = body[lead:], offset + lead
                h = heading(body)
                rest_len = len(body.rstrip()) - len(h[0]) - len(h[1]) if h else 0
                # a heading on a line of its own (第一章 规划背景) sets the section too
                alone = h is not None and bool(h[1]) and raw.strip() == body.strip() \
                    and not body[len(h[0]):].strip()[len(h[1]):].strip()
                if not alone and (not h or not h[1] or rest_len == 1 or (0 < rest_len < 2)):
                    break
                assert h is not None
                mark, title = h
                level = _level(mark)
                levels = {k: v for k, v in levels.items() if k < level}
                levels[level] = f"{mark}{title}"
                cut = body.find(title, len(mark)) + len(title)
                body, offset = body[cut:], offset + cut
            body = body.strip()
            if body:
                section = " ".join(levels[k] for k in sorted(levels)) or None
                out.append(Sentence(body, section, flat.find(body, offset)))
        pos = pos  # chunks are consecutive in `flat`
    return out


def _level(mark: str) -> int:
    if mark.startswith("第") and mark.endswith("章"):
        return 0
    if mark.startswith("第"):
        return 1
    if mark.endswith("、"):
        return 2
    if mark.startswith("专栏"):
        return 4
    return 3


_ITEM_START = re.compile(r"\s(?=(?:\d{1,2}[.．、](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])\S)")
_ITEM_MARK = re.compile(r"^(?:\d{1,2}[.．、](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])\s*")


def clauses(sentence: str) -> list[tuple[int, str]]:
    """Return the clauses of `sentence` as (offset, text), split at ，,：: outside brackets
    and before each numbered item (``1.…4.3张 2.…2.8名``: a list written without 。 is one
    clause per item, its number mark left out)."""
    out: list[tuple[int, str]] = []
    depth = 0
    start = 0
    items = {m.start() for m in _ITEM_START.finditer(sentence)} \
        if _ITEM_START.search(sentence) and len(_ITEM_START.findall(sentence)) >= 2 else set()
    for i, ch in enumerate(sentence):
        if ch in "(（〔[【":
            depth += 1
        elif ch in ")）〕]】":
            depth = max(0, depth - 1)
        elif (ch in "，,：:；;。" or i in items) and depth == 0:
            out.append((start, sentence[start:i]))
            start = i + 1
    out.append((start, sentence[start:]))
    result = []
    for off, part in out:
        lead = len(part) - len(part.lstrip())
        part = part.strip()
        mark = _ITEM_MARK.match(part) if items else None
        if mark:
            lead, part = lead + mark.end(), part[mark.end():]
        if part:
            result.append((off + lead, part))
    return result


# --- department (unit) names -----------------------------------------------------------------

_UNIT_END = (
    "局", "委", "办", "室", "部", "会", "组", "队", "院", "中心", "政府", "指挥部", "分局",
    "团", "厅", "所", "站", "处", "街道)", "街道）", "科", "集团", "医共体", "单位",
)


def looks_like_unit(name: str) -> bool:
    """Return True when `name` reads as a government unit or body (区财政局, 卫生健康委 …)."""
    name = name.strip()
    if not 2 <= len(name) <= 24 or re.search(r"[，,。；;：:\d]", name):
        return False
    return name.endswith(_UNIT_END) or name in {"财政", "教育", "文化", "宣传", "体育部门"}


def split_units(cell: str) -> list[str]:
    """Return the unit names of a 责任单位 / 牵头部门 cell, in order, without duplicates.

    Splits at 、，,;； and at spaces between two complete unit names; keeps bracketed
    qualifiers (``各乡(镇、街道)``) whole.
    """
    parts: list[str] = []
    depth = 0
    buf = ""
    for ch in cell:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if ch in "、，,;；/" and depth == 0:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    names: list[str] = []
    for part in parts:
        words = part.split()
        merged: list[str] = []
        for word in words:
            # "区财政 局" (a stray space inside one name) is glued back together
            if merged and not looks_like_unit(merged[-1]):
                merged[-1] += word
            else:
                merged.append(word)
        for name in merged:
            name = name.strip(" 。.")
            if name and name not in names:
                names.append(name)
    return names

"""Indicator tables (主要指标表) found in a document and read into plan targets.

Documents flatten their tables in many ways; this module reads them all as one stream of
cells per table:

* cells separated by ``|`` (rows wrapping anywhere, even mid-row across lines),
* cells separated by tabs, one row per line,
* one cell per line (web pages copied as text), headers split over several lines
  (``指标`` / ``性质``),
* tables the file format marks (Word, PDF, HTML), one row per table row.

The header row(s) give the columns: category (类别 / 任务 / 领域), number (序号), name
(指标), unit (单位), value columns (``2020年`` / ``2025年`` / ``2025年目标`` / 基期值 /
目标值) and nature (指标性质). A row is then read as ``[category] [number] name [unit]
values… [nature]``: a category cell spanning several rows appears only before its first
row; ``其中:`` rows belong to the row above (``parent``); a unit may stand in its own
column or in brackets after the name (``婴儿死亡率(‰)``); ``—`` is "no value". A second
layout puts indicators in the header and regions in the rows (地区 | 每千人口… | …, then
``2020 年 | 2025 年`` per indicator).

Each row becomes a plan target dict (docs/plan-format.md) with ``source_kind: table`` and
the row as written in ``quote``. Cell values are read by `parse_figure`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from hsplan.plans.extract.documents import DocTable, Document
from hsplan.plans.extract.matching import IndicatorMatch, match_indicator, split_unit, squash

_WS = re.compile(r"[\s\u00a0\u3000]+")
_NATURE = re.compile(r"^(预期性|约束性|指导性)$")
_SEQ = re.compile(r"^\d{1,3}[.、]?$")
_NUM = r"\d+(?:\.\d+)?"
_UNIT_CELL = re.compile(
    r"^(%|‰|‱|人|张|个|岁|辆|名|所|家|台|床|元|万元|天|日|次|人次|万人次|小时|分钟|/10万|1/10万|"
    r"/万|平方米|㎡|公里|km|项|件|分|床/千人|人/千人|人/万人|张/千人)$")
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
_YEAR_HEADER = re.compile(
    r"^(?:(?P<pre>基期|现状|目标)[(（]?)?(?P<year>(?:19|20)\d\d)\s*年?(?P<post>目标值?|基数|"
    r"基期值?|现状值?|值|预期值|末|底|预期|现状|规划目标|实际)?[)）]?$")

_VALUE_START = re.compile(
    r"^(≥|≤|>=|<=|＞|＜|>|<|≧|≦|=|约|不低于|不少于|不高于|不超过|低于|高于|大于|小于|达到|"
    r"保持|稳定在|维持|控制在|力争|比基期|每年|逐年|逐步|持续|稳步|不断|同比例|同比|显著|明显|"
    r"全覆盖|基本(实现|建成|消除|覆盖)|—|–|/|／|无$)")
_WEAK_VALUE = re.compile(r"^(提高|提升|降低|下降|减少|增加|增长)")
_NAME_END = re.compile(r"(率|数|比|比例|比重|寿命|水平|人员|设施|床位|病床|覆盖面)"
                       r"([(（][^()（）]*[)）])?$")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


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


@dataclass(frozen=True)
class UnparsedRow:
    """A table row that looked like an indicator row but could not be read."""

    quote: str
    reason: str
    table: str | None


@dataclass
class TableResult:
    """The targets read from a document's indicator tables, the rows that could not be
    read, the text spans the indicator tables occupy, and one grid per table (header rows
    then data rows, cells as written) for re-writing the tables elsewhere."""

    targets: list[dict[str, Any]] = field(default_factory=list)
    unparsed: list[UnparsedRow] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    grids: list[tuple[str | None, list[list[str]]]] = field(default_factory=list)
    baseline_years: list[int] = field(default_factory=list)


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


def _header_role(text: str) -> str | None:
    key = squash(text)
    if _YEAR_HEADER.match(key):
        return "year"
    for role, pattern in _HEADER_ROLES:
        if pattern.match(key):
            return role
    return None


def _caption_before(text: str, start: int) -> str | None:
    window = text[max(0, start - 200):start]
    matches = list(_CAPTION.finditer(window))
    if matches:
        return _collapse(matches[-1].group())
    lines = [ln.strip(" \t\u00a0\u3000") for ln in window.split("\n")]
    lines = [ln for ln in lines if ln]
    if lines and len(lines[-1]) <= 60 and not lines[-1].endswith("。"):
        return _collapse(lines[-1])
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
            if len(words) > 1 and _header_role(words[-1].group()):
                caption = _collapse(head.text[: words[-1].start()])
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
        if not (_header_role(cells[i].text) and _header_role(cells[i + 1].text)
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


# --- reading cell values --------------------------------------------------------------------


def parse_figure(text: str, *, direction: str = "up") -> dict[str, Any] | None:
    """Return the target spec a table cell writes (plan-format.md ``target``), without year;
    None for a cell meaning "no value" (``—``, ``/``, ``无``).

    Notes
    -----
    ``≥0.33`` → ``{op: ">=", value: 0.33}``; a bare number takes its op from the
    indicator's `direction` (``up`` ≥, ``down`` ≤, ``none`` =); ``9.0 左右`` → approx;
    ``1︰2.12`` → ``{value: 2.12, ratio_form: "1:x"}``; ``A-B`` → range; ``逐步提高`` → up;
    ``比基期降低10%`` → ``relative_pct: -10``; ``每年降低0.5个百分点`` → ``per_year: -0.5``;
    ``保持X`` → keep; ``力争…`` adds ``aspirational``; anything else → ``op: text``.
    """
    s = squash(text)
    if s in ("", "—", "——", "–", "-", "--", "/", "／", "无", "暂无", "空"):
        return None
    spec: dict[str, Any] = {}
    aspirational = s.startswith("力争")
    if aspirational:
        s = s[2:]
    bare = {"up": ">=", "down": "<=", "none": "="}.get(direction, ">=")
    num_unit = rf"({_NUM})(?:%|‰|张|人|个|岁|辆|名|所|家|天|日|次|万人)?"
    m = re.fullmatch(rf"1[:：︰∶]({_NUM})", s)
    if m:
        spec = {"op": bare, "value": _number(m.group(1)), "ratio_form": "1:x"}
    elif m := re.fullmatch(rf"比基期(?:水平)?(降低|下降|减少|提高|增长|上升|增加){num_unit}", s):
        sign = -1 if m.group(1) in ("降低", "下降", "减少") else 1
        spec = {"op": "<=" if sign < 0 else ">=", "relative_pct": sign * _number(m.group(2))}
    elif m := re.fullmatch(rf"每年(降低|下降|减少|提高|增加|增长|上升)({_NUM})个?百分点", s):
        sign = -1 if m.group(1) in ("降低", "下降", "减少") else 1
        spec = {"op": "<=" if sign < 0 else ">=", "per_year": sign * _number(m.group(2))}
    elif re.fullmatch(r"(逐步|逐年|持续|稳步|不断|同比例|明显|显著|有所)?(提高|提升|增长|增加|"
                      r"上升|改善)", s):
        spec = {"op": "up"}
    elif re.fullmatch(r"(逐步|逐年|持续|稳步|不断|明显|显著|有所)?(降低|下降|减少)", s):
        spec = {"op": "down"}
    elif m := re.fullmatch(rf"{num_unit}[-~～—–至]+{num_unit}", s):
        spec = {"op": "range", "low": _number(m.group(1)), "high": _number(m.group(2))}
    elif m := re.fullmatch(rf"(保持|稳定在|维持在?|稳定|保持在){num_unit}?(以上|左右)?", s):
        spec = {"op": "keep"}
        if m.group(2):
            spec["value"] = _number(m.group(2))
    elif m := re.fullmatch(
            rf"(≥|≤|>=|<=|＞|＜|>|<|≧|≦|=|约|不低于|不少于|不高于|不超过|低于|高于|大于|小于|"
            rf"达到|达|控制在)?{num_unit}(以上|以下|左右|以内|及以上|及以下)?", s):
        pre, value, post = m.group(1) or "", _number(m.group(2)), m.group(3) or ""
        op = {"≥": ">=", ">=": ">=", "≧": ">=", "不低于": ">=", "不少于": ">=",
              "≤": "<=", "<=": "<=", "≦": "<=", "不高于": "<=", "不超过": "<=", "控制在": "<=",
              "＞": ">", ">": ">", "高于": ">", "大于": ">", "＜": "<", "<": "<",
              "低于": "<", "小于": "<", "=": "=", "约": "approx"}.get(pre, bare)
        op = {"以上": ">=", "及以上": ">=", "以下": "<=", "及以下": "<=", "以内": "<=",
              "左右": "approx"}.get(post, op)
        spec = {"op": op, "value": value}
    else:
        spec = {"op": "text", "text": _collapse(text)}
    if aspirational:
        spec["aspirational"] = True
    return spec


def parse_baseline(text: str) -> dict[str, Any]:
    """Return the baseline fields a cell writes: ``{value: 3.44}``, ``{value: 1.74,
    ratio_form: "1:x"}``, ``{value: None}`` for ``—``, ``{value: None, text: …}`` else."""
    s = squash(text)
    if m := re.fullmatch(rf"({_NUM})(?:%|‰|张|人|个|岁|辆)?", s):
        return {"value": _number(m.group(1))}
    if m := re.fullmatch(rf"1[:：︰∶]({_NUM})", s):
        return {"value": _number(m.group(1)), "ratio_form": "1:x"}
    if parse_figure(text) is None:
        return {"value": None}
    return {"value": None, "text": _collapse(text)}


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


# --- the layout of a table ------------------------------------------------------------------


@dataclass
class _Layout:
    roles: list[str]
    values: list[tuple[str, int | None]]  # (baseline | target | milestone, year)
    header_cells: list[str]
    end: int  # index of the first token after the header
    wide_names: list[str] = field(default_factory=list)

    @property
    def wide(self) -> bool:
        return bool(self.wide_names)

    def has(self, role: str) -> bool:
        return role in self.roles


def _layout(tokens: tuple[Cell | None, ...]) -> _Layout | None:
    """Read the header: the column roles and value columns; None when not an indicator
    table (no name column, or no value/nature column)."""
    roles: list[str] = []
    years: list[tuple[str | None, int | None]] = []
    header: list[str] = []
    names: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok is None:
            i += 1
            continue
        role = _header_role(tok.text)
        if role is None and roles == ["label"] and not years:
            names.append(tok.text)  # wide layout: indicators are the header
            header.append(tok.text)
            i += 1
            continue
        if role is None:
            break
        if role == "label" and "label" in roles:  # a merged label cell repeated
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < n else None
        if role == "name" and nxt is not None and _header_role(nxt.text) == "nature" \
                and squash(nxt.text) in ("性质", "属性"):
            role, i = "nature", i + 1  # 指标 / 性质 split over two cells
        header.append(tok.text)
        if role == "year":
            m = _YEAR_HEADER.match(squash(tok.text))
            assert m is not None  # _header_role matched it
            year = int(m.group("year"))
            word = (m.group("pre") or "") + (m.group("post") or "")
            kind = "baseline" if re.search(r"基|现状|实际", word) else (
                "target" if "目标" in word else None)
            open_cols = [k for k, (knd, yr) in enumerate(years) if yr is None]
            if open_cols and kind is None:
                years[open_cols[0]] = (years[open_cols[0]][0], year)
            else:
                years.append((kind, year))
                roles.append("value")
        elif role in ("baseline", "target"):
            years.append((role, None))
            roles.append("value")
        else:
            roles.append(role)
        i += 1
    if names:
        if len(names) < 1 or not years:
            return None
        return _Layout(roles, _value_kinds(years), header, i, names)
    if "name" not in roles or not (years or "nature" in roles):
        return None
    if not years:
        years = [("target", None)]
    return _Layout(roles, _value_kinds(years), header, i)


def _value_kinds(cols: list[tuple[str | None, int | None]]) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for k, (kind, year) in enumerate(cols):
        if kind is None:
            if len(cols) == 1 or k == len(cols) - 1:
                kind = "target"
            elif k == 0:
                kind = "baseline"
            else:
                kind = "milestone"
        out.append((kind, year))
    return out


# --- reading rows ---------------------------------------------------------------------------


def _is_value(c: Cell) -> bool:
    s = squash(c.text)
    if _NATURE.match(s):
        return False
    if re.fullmatch(rf"[≥≤><＞＜≧≦=约]?{_NUM}.{{0,4}}", s) and not _NAME_END.search(s):
        return True
    if re.fullmatch(rf"1[:：︰∶]{_NUM}", s):
        return True
    if _VALUE_START.match(s):
        return True
    return bool(_WEAK_VALUE.match(s)) and not _NAME_END.search(s)


def _is_texty(c: Cell) -> bool:
    return not _is_value(c) and not _NATURE.match(c.key) and not re.fullmatch(_NUM, c.key)


def _rows(tokens: list[Cell | None], layout: _Layout) -> list[list[Cell]]:
    """Split the data cells into rows: at row marks, else after each nature cell (or
    before a number cell that starts the next row), else by the column count."""
    if any(t is None for t in tokens):
        rows: list[list[Cell]] = [[]]
        for t in tokens:
            if t is None:
                rows.append([])
            else:
                rows[-1].append(t)
        return [r for r in rows if r]
    cells = [t for t in tokens if t is not None]
    rows = []
    current: list[Cell] = []
    last_seq = 0
    min_len = 1 + len(layout.values)
    for c in cells:
        if layout.has("nature"):
            starts_row = (layout.has("seq") and _SEQ.match(c.key)
                          and int(c.key.rstrip(".、")) == last_seq + 1
                          and len(current) >= min_len)
            if starts_row:
                rows.append(current)
                current = []
            current.append(c)
            if _SEQ.match(c.key) and len(current) <= 2:
                last_seq = int(c.key.rstrip(".、"))
            if _NATURE.match(c.key):
                rows.append(current)
                current = []
        else:
            current.append(c)
            lead = sum(1 for x in current if _is_texty(x) or _SEQ.match(x.key))
            values = sum(1 for x in current if _is_value(x))
            if values >= len(layout.values) and lead >= 1:
                rows.append(current)
                current = []
    if current:
        rows.append(current)
    return rows


def _quote(cells: list[Cell], text: str | None) -> str:
    first, last = cells[0], cells[-1]
    if text is not None and first.start is not None and last.end is not None:
        return _collapse(text[first.start:last.end])
    return " | ".join(_collapse(c.text) for c in cells)


_UNIT_WORDS = ((re.compile(r"医师|医生|护士|药师|人员|监督员|保健员"), "人"),
               (re.compile(r"床位|病床"), "张"), (re.compile(r"托位"), "个"),
               (re.compile(r"车辆|救护车"), "辆"))


def _infer_unit(name: str) -> str | None:
    if "比" in name[-2:]:
        return None
    for pattern, unit in _UNIT_WORDS:
        if pattern.search(name):
            return unit
    return None


class _Reader:
    """Reads the rows of one table into target dicts."""

    def __init__(self, table: RawTable, layout: _Layout, *, text: str | None,
                 period_end: int | None, baseline_year: int | None, first_id: int) -> None:
        self.table = table
        self.layout = layout
        self.text = text
        self.period_end = period_end
        self.baseline_year = baseline_year
        self.next_id = first_id
        self.caption = _caption_key(table.caption)
        self.targets: list[dict[str, Any]] = []
        self.unparsed: list[UnparsedRow] = []
        self.grid: list[list[str]] = []

    def read(self) -> None:
        data = list(self.table.tokens[self.layout.end:])
        if self.layout.wide:
            self._read_wide(data)
            return
        self.grid.append(self._header_grid())
        category: str | None = None
        parent: str | None = None
        for row in _rows(data, self.layout):
            category, parent = self._read_row(row, category, parent)

    def _header_grid(self) -> list[str]:
        out = []
        for role in self.layout.roles:
            out.append({"category": "类别", "seq": "序号", "name": "指标", "unit": "单位",
                        "nature": "指标性质", "note": "备注", "label": "地区"}.get(role, ""))
        k = 0
        for i, role in enumerate(self.layout.roles):
            if role == "value":
                kind, year = self.layout.values[k]
                k += 1
                word = {"baseline": "基期", "target": "目标", "milestone": ""}[kind]
                out[i] = f"{year} 年" if year else word
        return out

    def _new_id(self) -> str:
        ident = f"T{self.next_id:02d}"
        self.next_id += 1
        return ident

    def _read_row(self, row: list[Cell], category: str | None,
                  parent: str | None) -> tuple[str | None, str | None]:
        cells = list(row)
        lay = self.layout
        cat_cell: Cell | None = None
        if lay.has("category") and len(cells) >= 3 and _is_texty(cells[0]) \
                and not cells[0].key.startswith("其中") and (
                    (lay.has("seq") and _SEQ.match(cells[1].key)) or (_is_texty(cells[1])
                                                 and not _UNIT_CELL.match(cells[1].key))):
            cat_cell = cells.pop(0)
            category = squash(cat_cell.text)
        body = list(cells)
        seq = None
        if lay.has("seq") and cells and _SEQ.match(cells[0].key):
            seq = cells.pop(0).key
        if not cells or not _is_texty(cells[0]):
            self._unparsed(body, "no indicator name in the row")
            return category, parent
        name_cell = cells.pop(0)
        nature = None
        if cells and _NATURE.match(cells[-1].key):
            nature = cells.pop().key
        unit = None
        if lay.has("unit") and cells and _UNIT_CELL.match(cells[0].key) \
                and len(cells) > 1:
            unit = cells.pop(0).key
        if lay.has("note") and len(cells) > len(lay.values) and not _is_value(cells[-1]):
            cells.pop()
        if not cells:
            self._unparsed(body, "no value in the row")
            return category, parent
        values = self._assign(cells)
        name, bracket_unit = split_unit(squash(name_cell.text))
        unit = unit or bracket_unit
        if unit is None and not lay.has("unit"):
            unit = _infer_unit(name)
        is_sub = name.startswith("其中")
        target = self._target(name, unit, values, category or self.caption, nature,
                              _quote(body, self.text), parent if is_sub else None)
        if target is None:
            self._unparsed(body, "no target value in the row")
            return category, parent
        self.targets.append(target)
        self.grid.append(self._grid_row(category, seq, name_cell.text, unit, values, nature))
        return category, (parent if is_sub else target["id"])

    def _grid_row(self, category: str | None, seq: str | None, name: str, unit: str | None,
                  values: list[str | None], nature: str | None) -> list[str]:
        out = []
        k = 0
        for role in self.layout.roles:
            if role == "category":
                out.append(category or "")
            elif role == "seq":
                out.append(seq or "")
            elif role == "name":
                out.append(_collapse(name) if self.layout.has("unit") or unit is None
                           or unit in name else f"{_collapse(name)}")
            elif role == "unit":
                out.append(unit or "")
            elif role == "value":
                out.append(values[k] or "")
                k += 1
            elif role == "nature":
                out.append(nature or "")
            else:
                out.append("")
        return out

    def _assign(self, cells: list[Cell]) -> list[str | None]:
        """Map value cells to the value columns (a value split over several cells is
        joined when the table has one value column)."""
        n = len(self.layout.values)
        texts = [_collapse(c.text) for c in cells]
        if len(texts) == n:
            return list(texts)
        if n == 1 or len(texts) > n:
            return [*texts[: n - 1], " ".join(texts[n - 1:])]
        return [None] * (n - len(texts)) + list(texts)

    def _target(self, name: str, unit: str | None, values: list[str | None],
                category: str | None, nature: str | None, quote: str,
                parent: str | None) -> dict[str, Any] | None:
        match = match_indicator(name)
        baseline: dict[str, Any] | None = None
        spec: dict[str, Any] | None = None
        milestones: list[dict[str, Any]] = []
        target_year = self.period_end
        for (kind, year), text in zip(self.layout.values, values, strict=True):
            if kind == "baseline":
                baseline = {"year": year, **parse_baseline(text)} if text is not None else \
                    {"year": year, "value": None}
            elif kind == "target" and text is not None:
                spec = parse_figure(text, direction=match.direction)
                target_year = year or self.period_end
            elif kind == "milestone" and text is not None:
                ms = parse_figure(text, direction=match.direction)
                if ms and year and "value" in ms:
                    milestones.append({"year": year, "value": ms["value"]})
        if spec is None:
            return None
        if baseline is None and ("relative_pct" in spec or "per_year" in spec):
            baseline = {"year": self.baseline_year, "value": None}
        return _target_dict(self._new_id(), name, unit, category, baseline,
                            {"year": target_year, **spec}, nature, quote, parent, match,
                            milestones)

    def _read_wide(self, data: list[Cell | None]) -> None:
        lay = self.layout
        names = lay.wide_names
        per = max(1, len(lay.values) // len(names))
        cells = [c for c in data if c is not None]
        header_top = ["地区", *[x for nm in names for x in [_collapse(nm), *[""] * (per - 1)]]]
        header_years = ["", *[f"{y} 年" if y else "" for _, y in lay.values]]
        self.grid += [header_top, header_years]
        i = 0
        while i < len(cells):
            label = cells[i]
            row = cells[i: i + 1 + len(lay.values)]
            i += 1 + len(lay.values)
            if not _is_texty(label) or len(row) < 1 + len(lay.values):
                self._unparsed(row, "a region row without a value for every column")
                continue
            self.grid.append([_collapse(c.text) for c in row])
            quote = _quote(row, self.text)
            for j, nm in enumerate(names):
                cols = lay.values[j * per:(j + 1) * per]
                texts = [_collapse(c.text) for c in row[1 + j * per: 1 + (j + 1) * per]]
                kinds = _value_kinds([(None, y) for _, y in cols])
                self.layout = _Layout(lay.roles, kinds, lay.header_cells, lay.end)
                name, unit = split_unit(squash(nm))
                target = self._target(name, unit or _infer_unit(name), list(texts),
                                      self.caption, None, quote, None)
                self.layout = lay
                if target is not None:
                    target["note"] = f"{squash(label.text)} row of {self.caption or 'the table'}"
                    self.targets.append(target)

    def _unparsed(self, cells: list[Cell], reason: str) -> None:
        if cells:
            self.unparsed.append(UnparsedRow(_quote(cells, self.text), reason,
                                             self.table.caption))


def _caption_key(caption: str | None) -> str | None:
    if not caption:
        return None
    return re.sub(r"表\s*(\d+)\s*", r"表\1 ", _collapse(caption)).strip()


def _target_dict(ident: str, name: str, unit: str | None, category: str | None,
                 baseline: dict[str, Any] | None, spec: dict[str, Any], nature: str | None,
                 quote: str, parent: str | None, match: IndicatorMatch,
                 milestones: list[dict[str, Any]]) -> dict[str, Any]:
    target: dict[str, Any] = {
        "id": ident, "indicator": match.indicator, "name": name, "category": category,
        "unit": unit, "source_kind": "table", "baseline": baseline, "target": spec,
    }
    if milestones:
        target["milestones"] = milestones
    target.update({"nature": nature, "quote": quote, "parent": parent, "conflict": None,
                   "note": None})
    if match.indicator is None:
        target["note"] = review_note(match)
    return target


def review_note(match: IndicatorMatch) -> str:
    """Return the note of a target whose name matched no catalog indicator: the best
    candidates with their scores, for a person to choose from."""
    found = ", ".join(f"{i} ({s:.2f})" for i, s in match.candidates) or "none"
    return f"review: no catalog indicator matched the name; candidates: {found}"


# --- the document ---------------------------------------------------------------------------


def table_targets(doc: Document, *, period_end: int | None = None,
                  baseline_year: int | None = None, first_id: int = 1) -> TableResult:
    """Return the targets of every indicator table of `doc` (running text and marked
    tables), numbered ``T01``… from `first_id`, with the rows that could not be read.

    `period_end` is the target year where a table gives none (a ``目标`` column without a
    year); `baseline_year` the baseline year of relative targets (``比基期降低10%``).
    """
    result = TableResult()
    marked = list(doc.table_spans)

    def in_marked(span: tuple[int, int] | None) -> bool:
        return span is not None and any(a < span[1] and span[0] < b for a, b in marked)

    sources: list[tuple[RawTable, str | None]] = [(t, doc.text) for t in raw_tables(doc.text)
                                                  if not in_marked(t.span)]
    spans = marked + [None] * (len(doc.tables) - len(marked))
    sources += [(replace(marked_table(t), span=span), None)
                for t, span in zip(doc.tables, spans, strict=True)]
    sources.sort(key=lambda item: item[0].span[0] if item[0].span else 0)
    next_id = first_id
    for table, text in sources:
        layout = _layout(table.tokens)
        if layout is None:
            continue
        reader = _Reader(table, layout, text=text, period_end=period_end,
                         baseline_year=baseline_year, first_id=next_id)
        reader.read()
        if not reader.targets and not reader.unparsed:
            continue
        next_id = reader.next_id
        result.targets += reader.targets
        result.unparsed += reader.unparsed
        result.grids.append((table.caption, reader.grid))
        result.baseline_years += [y for kind, y in layout.values if kind == "baseline" and y]
        if table.span is not None:
            result.spans.append(table.span)
    return result

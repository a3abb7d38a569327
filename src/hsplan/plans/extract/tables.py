"""Indicator tables (主要指标表) found in a document and read into plan targets.

`hsplan.plans.extract.rawtables` finds every table, however the document flattens it, as
one stream of cells; this module reads the indicator tables among them.

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

import re
from dataclasses import dataclass, field, replace
from typing import Any

from hsplan._i18n import _
from hsplan.plans.extract._text import collapse
from hsplan.plans.extract.documents import Document
from hsplan.plans.extract.matching import IndicatorMatch, match_indicator, split_unit, squash
from hsplan.plans.extract.rawtables import (
    YEAR_HEADER,
    Cell,
    RawTable,
    header_role,
    marked_table,
    raw_tables,
)

_NATURE = re.compile(r"^(预期性|约束性|指导性)$")
_SEQ = re.compile(r"^\d{1,3}[.、]?$")
_NUM = r"\d+(?:\.\d+)?"
_UNIT_CELL = re.compile(
    r"^(%|‰|‱|人|张|个|岁|辆|名|所|家|台|床|元|万元|天|日|次|人次|万人次|小时|分钟|/10万|1/10万|"
    r"/万|平方米|㎡|公里|km|项|件|分|床/千人|人/千人|人/万人|张/千人)$")


_VALUE_START = re.compile(
    r"^(≥|≤|>=|<=|＞|＜|>|<|≧|≦|=|约|不低于|不少于|不高于|不超过|低于|高于|大于|小于|达到|"
    r"保持|稳定在|维持|控制在|力争|比基期|每年|逐年|逐步|持续|稳步|不断|同比例|同比|显著|明显|"
    r"全覆盖|基本(实现|建成|消除|覆盖)|—|–|/|／|无$)")
_WEAK_VALUE = re.compile(r"^(提高|提升|降低|下降|减少|增加|增长)")
_NAME_END = re.compile(r"(率|数|比|比例|比重|寿命|水平|人员|设施|床位|病床|覆盖面)"
                       r"([(（][^()（）]*[)）])?$")




# --- cells, raw tables ---------------------------------------------------------------------


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
        spec = {"op": "text", "text": collapse(text)}
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
    return {"value": None, "text": collapse(text)}


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
        role = header_role(tok.text)
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
        if role == "name" and nxt is not None and header_role(nxt.text) == "nature" \
                and squash(nxt.text) in ("性质", "属性"):
            role, i = "nature", i + 1  # 指标 / 性质 split over two cells
        header.append(tok.text)
        if role == "year":
            m = YEAR_HEADER.match(squash(tok.text))
            assert m is not None  # header_role matched it
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
        return collapse(text[first.start:last.end])
    return " | ".join(collapse(c.text) for c in cells)


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
            self._unparsed(body, _("no indicator name in the row"))
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
            self._unparsed(body, _("no value in the row"))
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
            self._unparsed(body, _("no target value in the row"))
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
                out.append(collapse(name) if self.layout.has("unit") or unit is None
                           or unit in name else f"{collapse(name)}")
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
        texts = [collapse(c.text) for c in cells]
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
        header_top = ["地区", *[x for nm in names for x in [collapse(nm), *[""] * (per - 1)]]]
        header_years = ["", *[f"{y} 年" if y else "" for _, y in lay.values]]
        self.grid += [header_top, header_years]
        i = 0
        while i < len(cells):
            label = cells[i]
            row = cells[i: i + 1 + len(lay.values)]
            i += 1 + len(lay.values)
            if not _is_texty(label) or len(row) < 1 + len(lay.values):
                self._unparsed(row, _("a region row without a value for every column"))
                continue
            self.grid.append([collapse(c.text) for c in row])
            quote = _quote(row, self.text)
            for j, nm in enumerate(names):
                cols = lay.values[j * per:(j + 1) * per]
                texts = [collapse(c.text) for c in row[1 + j * per: 1 + (j + 1) * per]]
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
    return re.sub(r"表\s*(\d+)\s*", r"表\1 ", collapse(caption)).strip()


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

"""Tasks (numbered measures, key projects, task-division tables), as plan-format dicts
(docs/plan-format.md); the key institutions are read by `hsplan.plans.extract.institutions`.

`tasks(text)` reads three forms:

- numbered measures (``1.完善疾病预防控制体系。…〔责任单位:区疾控中心、区社管局〕``,
  ``(一)科学配置医疗资源。…(责任单位:…)``, ``一是…``): the title is the text up to the first
  。/:, ``责任单位`` lists the units (the first leads, the rest support);
- task-division tables (``序号 | 工作任务 | 牵头部门 | 配合部门 | …``): one task per
  (任务, 牵头, 配合) triple of cells;
- key-project annexes (``序号 | 重点项目 | 建设目标 | 备注``): one task per row; a project
  whose title repeats a measure's title takes that measure's units.

Deadlines and milestones come from ``2023年底前,…`` / ``到2024年初,…`` phrases in the task
text; without one the deadline is the end of the year the document aims at.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hsplan.plans.extract._text import (
    NUM,
    collapse,
    looks_like_unit,
    sentences,
    split_units,
    target_year,
)
from hsplan.plans.extract.departments import Departments, split_run_together
from hsplan.plans.extract.matching import squash
from hsplan.plans.extract.prose import prose_targets

_MARK = (r"(?:(?<=^)|(?<=[\s。；;：:|·]))(?P<mark>\d{1,2}\s*[.．](?!\d)|"
         r"[(（][一二三四五六七八九十]{1,3}[)）]"
         r"|[一二三四五六七八九十]{1,3}是)")
_ITEM = re.compile(_MARK + r"\s*(?P<title>[^。：:；;|〔]{4,48}?)(?P<end>[。：:；;]|(?=\s))")
_UNITS = re.compile(r"[〔(（]\s*(?:责任单位|牵头单位)\s*[:：]\s*"
                    r"(?P<u>[^〕)）]*(?:[(（][^)）]*[)）][^〕)）]*)*)"
                    r"(?:[〕)）]|$)")
_DATE = re.compile(
    r"(?:到|至|于|力争|争取)?\s*(?P<y>20\d\d)\s*年(?P<when>底|末|初|上半年|前)?(?:前)?"
)


def tasks(text: str, *, tables: Sequence[Sequence[Sequence[str]]] = ()) -> list[dict[str, Any]]:
    """Return the tasks of `text` as plan-format dicts, in document order.

    Each dict has ``id`` (K01 …), ``title``, ``section``, ``lead`` and ``support`` (unit
    names; empty when the document names none), ``deadline`` (ISO date), ``milestones``
    ([{date, value, unit, text}]), ``target`` (the first measurable target text, or None)
    and the verbatim ``quote``. `tables` are the document's tables as rows of cells (Word,
    HTML and PDF tables, tab-separated text tables); those with a task column and a
    牵头 / 责任 unit column are read by `table_tasks`.
    """
    flat = collapse(text)
    year = target_year(flat)
    end_date = f"{year}-12-31" if year else None
    sents = sentences(text)
    out: list[dict[str, Any]] = []
    out += _division_tables(flat, sents, end_date)
    measures = _measures(flat, sents, end_date)
    out += measures
    out += _project_rows(flat, measures, end_date)
    known_quotes = {t["quote"] for t in out}
    out += [t for t in _project_sentences(sents, end_date) if t["quote"] not in known_quotes]
    if re.search(r"(?:^|\n)\s*第[一二三四五六七八九十]+章", text):
        headed = _heading_tasks(text, flat, sents, end_date)
        # numbered measures under a heading task are its sub-points
        spans = [(a, b) for _t, a, b in headed]
        out = [t for t in out if t not in measures
               or not any(a < flat.find(t["quote"]) < b for a, b in spans)]
        known = {t["quote"] for t in out}
        out += [t for t, _a, _b in headed if t["quote"] not in known]
    titles = {squash(t["title"]) for t in out}
    for t in table_tasks(tables, end_date):
        if squash(t["title"]) not in titles:
            titles.add(squash(t["title"]))
            out.append(t)
    out.sort(key=lambda t: flat.find(t["quote"]))
    _assign_units(out, flat)
    for i, item in enumerate(out, 1):
        item["id"] = f"K{i:02d}"
    return out


_PLAN_LEAD = re.compile(r"(?P<u>[\u4e00-\u9fff]{2,16}?)作为(?:本|全)?(?:计划|规划|方案|行动)?牵头"
                        r"(?:责任)?(?:单位|部门)")


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s\d|()（）、，,。:：;；“”《》]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _overlap(name: str, context: str) -> float:
    """The share of `name`'s character bigrams found in `context` (0–1)."""
    b = _bigrams(name)
    return len(b & _bigrams(context)) / len(b) if b else 0.0


def _assign_units(out: list[dict[str, Any]], flat: str) -> None:
    """Give the tasks that name no units the units the document assigns them elsewhere,
    and normalise every department name (`departments.Departments`).

    In order: the task-division table row whose task the task's own heading or title
    names (bigram overlap ≥ 0.6: ``专栏1 疾病预防控制体系能力提升工程`` → the row
    ``改革完善疾病预防控制体系``); the measure a key project restates (overlap ≥ 0.5); the
    lead all rows of the division-table chapter the task's section names share; the unit
    the document names as the plan's lead (``区社管局作为计划牵头责任单位``). Each task
    records how its units were found in ``units_from`` (``text`` when it names them), and
    in ``aliases`` the names as written that were replaced ({canonical: as written})."""
    rows = [t for t in out if t.get("units_from") == "division table"]
    measures = [t for t in out if t["lead"] and t.get("units_from") is None]
    for t in out:
        if t["lead"]:
            t.setdefault("units_from", "text")
    groups: dict[str, Counter[str]] = {}
    for r in rows:
        groups.setdefault(str(r.get("group") or ""), Counter())[r["lead"][0]] += 1
    plan_lead = _PLAN_LEAD.search(flat)
    df = Counter(b for r in rows for b in _bigrams(r["title"]))
    for t in out:
        if t["lead"]:
            continue
        section = str(t.get("section") or "")
        contexts = [t["title"], section.split(" ")[-1] + t["title"], section[-40:]]
        found: tuple[dict[str, Any], str] | None = None
        for context in contexts:
            best = max(rows, key=lambda r: _overlap(r["title"], context), default=None)
            if best is not None and _overlap(best["title"], context) >= 0.6:
                found = (best, "division table")
                break
        if found is None and t.get("units_from") == "project":
            for field, threshold in (("title", 0.5), ("quote", 0.6)):
                best = max(measures, key=lambda m: _overlap(t["title"], m[field]),
                           default=None)
                if best is not None and _overlap(t["title"], best[field]) >= threshold:
                    found = (best, "measure")
                    break
        if found is None and rows:
            heading = section.split(" ")[-1]
            named = [r for r in rows if any(df[b] == 1 for b in
                                            _bigrams(r["title"]) & _bigrams(heading))]
            if len(named) == 1:
                found = (named[0], "division table")
        if found is not None:
            t["lead"], t["support"] = list(found[0]["lead"]), list(found[0]["support"])
            t["units_from"] = found[1]
            continue
        group = next((g for g in groups if g and _overlap(g, section) >= 0.8), None)
        if group is not None:
            t["lead"] = [groups[group].most_common(1)[0][0]]
            t["units_from"] = "division table chapter"
        elif plan_lead is not None:
            t["lead"] = split_units(plan_lead.group("u"))[-1:]
            t["units_from"] = "plan lead"
    deps = Departments.from_names(n for t in out for n in [*t["lead"], *t["support"]])
    for t in out:
        written = [*t["lead"], *t["support"]]
        parts = [p for a in written for p in split_run_together(a)]
        t["aliases"] = {deps.canonical(p)[0]: p for p in parts if deps.canonical(p)[0] != p}
        t["lead"] = deps.canonical_list(t["lead"])
        t["support"] = [n for n in deps.canonical_list(t["support"]) if n not in t["lead"]]
        t.pop("group", None)


_TASK_COL = re.compile(r"任务|工作内容|具体措施|重点工作|工作事项|项目名称|重点项目|主要内容|"
                       r"工作措施")
_LEAD_COL = re.compile(r"^(?:牵头|责任|主责|负责)(?:单位|部门)$")
_SUPPORT_COL = re.compile(r"^(?:配合|协同|参与|协办)(?:单位|部门)$")
_TIME_COL = re.compile(r"时限|时间|进度|完成年份|时间安排")


def table_tasks(tables: Sequence[Sequence[Sequence[str]]],
                end_date: str | None) -> list[dict[str, Any]]:
    """Return one task per row of every task-division table in `tables` (rows of cells):
    a table whose header names a task column (任务 / 工作内容 / 具体措施 / 重点项目 …) and a
    unit column (牵头 / 责任 单位 or 部门), in any order, with or without a 配合 / 协同
    column and a time column (完成时限 / 时间安排). A 责任单位 cell without a 配合 column
    lists the lead first and the supporting units after it; a chapter cell spanning the
    task column (more cells than header cells) becomes the task's section. The quote is
    the row's cells joined by `` | ``."""
    out: list[dict[str, Any]] = []
    for rows in tables:
        header_at = next((k for k, r in enumerate(rows[:3])
                          if any(_LEAD_COL.match(squash(c)) for c in r)
                          and any(_TASK_COL.search(squash(c)) for c in r)), None)
        if header_at is None:
            continue
        header = [squash(c) for c in rows[header_at]]
        task_i = next(i for i, c in enumerate(header) if _TASK_COL.search(c))
        lead_i = next(i for i, c in enumerate(header) if _LEAD_COL.match(c))
        support_i = next((i for i, c in enumerate(header) if _SUPPORT_COL.match(c)), None)
        time_i = next((i for i, c in enumerate(header) if _TIME_COL.search(c)), None)
        # a task header spanning columns (blank header cells after it in a PDF)
        span = 0
        while task_i + span + 1 < len(header) and not header[task_i + span + 1]:
            span += 1
        last_group: str | None = None
        for row in rows[header_at + 1:]:
            cells = [collapse(c) for c in row]
            extra = max(0, len(cells) - len(header)) + span

            def at(i: int | None, cells: list[str] = cells, extra: int = extra,
                   task_i: int = task_i, span_: int = span) -> str:
                if i is None:
                    return ""
                k = i + extra - span_ if i > task_i else i
                return cells[k] if k < len(cells) else ""

            body = cells[task_i + extra] if task_i + extra < len(cells) else ""
            units = split_units(at(lead_i))
            if not body or is_unit_list(body) or not units \
                    or not all(looks_like_unit(u) for u in units):
                continue
            lead, support = (units, split_units(at(support_i))) if support_i is not None \
                else (units[:1], units[1:])
            title = re.split(r"[。：:；;]", body)[0][:48].strip()
            group = (cells[task_i] or last_group) if extra else None
            last_group = group
            task = _task(title, " | ".join(c for c in cells if c), group, lead, support,
                         body + " " + at(time_i), end_date)
            when = _DATE.search(at(time_i))
            if when and not task["milestones"]:
                y, w = when.group("y"), when.group("when")
                task["deadline"] = f"{y}-01-01" if w == "初" else (
                    f"{y}-06-30" if w == "上半年" else f"{y}-12-31")
            task["units_from"] = "text"
            out.append(task)
    return out


def _section_at(sents: list[Any], pos: int) -> str | None:
    section = None
    for s in sents:
        if s.start > pos:
            break
        section = s.section
    return section


def _task(title: str, quote: str, section: str | None, lead: list[str], support: list[str],
          body: str, end_date: str | None) -> dict[str, Any]:
    milestones = _milestones(body)
    deadline = max((m["date"] for m in milestones), default=end_date)
    found = prose_targets(body) if re.search(r"\d|提高|提升|降低|全覆盖", body) else []
    return {
        "title": title, "section": section, "lead": lead, "support": support,
        "deadline": deadline, "milestones": milestones,
        "target": found[0]["quote"] if found else None, "quote": quote,
    }


def _milestones(body: str) -> list[dict[str, Any]]:
    """``2023年底前,建立…;2025年底前,建立…`` → one milestone per dated clause."""
    out = []
    for m in _DATE.finditer(body):
        if m.group("when") is None and not re.match(r"到|至|于|力争|争取", m.group(0)):
            continue
        rest = body[m.end():]
        rest = re.sub(r"^[，,\s]+", "", rest)
        text_part = re.split(r"[。；;〔(（]", rest)[0].strip()
        if len(text_part) < 4:
            continue
        y = m.group("y")
        date = f"{y}-01-01" if m.group("when") == "初" else (
            f"{y}-06-30" if m.group("when") == "上半年" else f"{y}-12-31")
        v = re.search(r"(?P<v>" + NUM + r")\s*(?P<u>%|名|人|个|所|张|级|辆|家)", text_part)
        out.append({"date": date, "value": float(v.group("v")) if v else None,
                    "unit": v.group("u") if v else None, "text": text_part})
    for ms in out:
        if ms["value"] is not None and float(ms["value"]).is_integer():
            ms["value"] = int(ms["value"])
    return out


def _division_tables(flat: str, sents: list[Any], end_date: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pattern = r"牵头(?:部门|单位)\s*\|\s*(?:配合|协同|参与)(?:部门|单位)\s*\|"
    for header in re.finditer(pattern, flat):
        start = header.end()
        nxt = flat.find("牵头", start)
        stop = nxt if nxt != -1 else len(flat)
        cells = [c.strip() for c in flat[start:stop].split("|")]
        i = 0
        group = None
        while i + 2 < len(cells):
            title, lead, support = cells[i], cells[i + 1], cells[i + 2]
            if title and not re.fullmatch(r"\d+", title) and not is_unit_list(title) \
                    and is_unit_list(lead) and is_units(support):
                quote = f"{title} | {lead} | {support}"
                if quote in flat:
                    task = _task(title, quote, group or _section_at(sents, header.start()),
                                 split_units(lead), split_units(support), "", end_date)
                    task.update(units_from="division table", group=group)
                    out.append(task)
                i += 3
            else:
                if cells[i] and not re.fullmatch(r"\d+", cells[i]):
                    group = cells[i]
                i += 1
    return out


def is_units(cell: str) -> bool:
    """A cell whose every name reads as a government unit (`looks_like_unit`)."""
    names = split_units(cell)
    return bool(names) and all(looks_like_unit(n) for n in names)


def is_unit_list(cell: str) -> bool:
    """A cell that names units, not a task: several units, or one ending as a government
    body does (技术与学科 ends in 科 but is a task)."""
    names = split_units(cell)
    return is_units(cell) and (len(names) >= 2 or names[0].endswith(
        ("局", "委", "办", "办公室", "部", "部门", "单位", "中心", "政府", "分局", "医共体",
         "小组")))


def _mark_level(mark: str) -> int:
    """Depth of a numbering mark: (一) 0, 1. 1, 一是 2 (finer marks number sub-points)."""
    if mark.endswith("是"):
        return 2
    return 0 if mark[0] in "(（" else 1


def _measures(flat: str, sents: list[Any], end_date: str | None) -> list[dict[str, Any]]:
    """Numbered measures. An item is a task unless it is
    - a heading whose body is only its finer-numbered items (``(一)推进…建设。1.…``);
    - a sub-point (``一是…``) inside a numbered measure (``1.…。一是…二是…``);
    - background, problems, general requirements or safeguards (保障措施, 组织实施) —
      by its section or its own title."""
    items = [m for m in _ITEM.finditer(flat) if not re.search(r"\d{3,}|%", m.group("title"))]
    items, bounds = _task_items(items, flat, sents)
    bounds += [h.start() for h in re.finditer(r"(?:^|(?<=\s))[一二三四五六七八九十]+、", flat)]
    out: list[dict[str, Any]] = []
    for m in items:
        nxt = min((b for b in bounds if b > m.start()), default=len(flat))
        body_end = min(nxt, m.start() + 1500)
        bar = flat.find(" | ", m.start(), body_end)
        if bar != -1:
            body_end = bar
        body = flat[m.start():body_end]
        units = _UNITS.search(body)
        lead: list[str] = []
        support: list[str] = []
        if units:
            body = body[:units.end()]
            names = split_units(re.split(r"[，,]\s*排第一位|[，,]\s*下同", units.group("u"))[0])
            lead, support = names[:1], names[1:]
        title = m.group("title").strip()
        if m.group("end") in ("。", "：", ":") or units:
            quote = body.strip()
        else:
            continue
        if not units and len(body) > 400:
            quote = flat[m.start():m.end()].strip()
        if len(title) < 4 or re.match(r"[的和与及]", title):
            continue
        after = flat[m.end():body_end]
        if not units and (len(re.sub(r"[\s。：:；;，,]", "", after)) < 4
                          or re.match(r"\s*包括", after)):
            continue  # a heading with nothing under it, or a category it lists (4.其他机构。包括…)
        out.append(_task(title, quote, _section_at(sents, m.end()), lead, support, body,
                         end_date))
    return out


def _task_items(items: list[re.Match[str]], flat: str,
                sents: list[Any]) -> tuple[list[re.Match[str]], list[int]]:
    """The numbered items that are tasks (see `_measures`), and where the body of each ends:
    the start of every item that is not a sub-point."""
    levels = [_mark_level(m.group("mark")) for m in items]
    sections = [(_section_at(sents, m.end()) or "").replace(m.group("title"), "")
                for m in items]
    sub_point = [False] * len(items)
    for k in range(len(items)):
        if levels[k] == 2:
            # a sub-point when a coarser item of the same section precedes it
            parent = next((j for j in range(k - 1, -1, -1) if levels[j] < 2), None)
            sub_point[k] = parent is not None and sections[parent] == sections[k]
    kept = [k for k in range(len(items)) if not sub_point[k]
            and not _NOT_MEASURE_SECTION.search(sections[k])
            and not _NOT_MEASURE_TITLE.match(items[k].group("title"))]
    keep: list[re.Match[str]] = []
    for n, k in enumerate(kept):
        m = items[k]
        if n + 1 < len(kept) and levels[kept[n + 1]] > levels[k]:
            between = flat[m.end():items[kept[n + 1]].start()]
            if len(re.sub(r"[\s。：:；;，,·]", "", between)) < 4:
                continue  # a heading over finer-numbered items
        keep.append(m)
    return keep, [items[k].start() for k in range(len(items)) if not sub_point[k]]


_NOT_MEASURE_SECTION = re.compile(r"背景|存在的?问题|面临|形势|成绩|成就|发展基础|工作基础|"
                                  r"现状|回顾|保障措施|保障机制|组织实施|实施保障|起草|解读|主要内容")
_NOT_MEASURE_TITLE = re.compile(r"(?:总体要求|指导思想|基本原则|组织实施|保障措施)[。：:]?$|"
                                r".{2,12}[,，]包括")


_NOT_TASK_SECTION = re.compile(r"背景|总体要求|基本要求|指导思想|基本原则|发展目标|规划目标|"
                               r"主要目标|发展基础|"
                               r"面临|问题|形势|现状|目录")


_COMMA_HEADING = re.compile(r"^([一二三四五六七八九十]+、|第[一二三四五六七八九十]+节)\s*"
                            r"([^。；;：:，,]{2,40}[，,][^。；;：:，,]{2,40})$")


def _heading_of(line: str) -> tuple[str, str] | None:
    """(mark, title) of a heading line, also when the title holds a comma
    (``二、健全中西医协作机制，推动中西医协调发展``)."""
    from hsplan.plans.extract._text import heading

    c = _COMMA_HEADING.match(line)
    return heading(line) or ((c.group(1), c.group(2)) if c else None)


def _heading_tasks(text: str, flat: str, sents: list[Any],
                   end_date: str | None) -> list[tuple[dict[str, Any], int, int]]:
    """In a document organised in chapters (第X章), each leaf heading (一、… / 第X节 … with
    body text under it) of a chapter that sets out work is one task; returned with the span
    of its body in `flat` (up to the next heading of the same or a higher level)."""
    from hsplan.plans.extract._text import _level

    heads: list[tuple[int, str, int]] = []  # (level, line, position in flat)
    cursor = 0
    body_after: list[bool] = []
    for raw in text.splitlines():
        line = collapse(raw)
        if not line:
            continue
        pos = flat.find(line, cursor)
        if pos == -1:
            continue
        cursor = pos + len(line)
        h = _heading_of(line)
        if h and h[1] and len(line) <= 45 and not re.search(r"[。\t]|\d+$", line) \
                and (line.endswith(h[1]) or re.fullmatch(r"[^，,；;：:]{2,}[，,][^，,；;：:]{2,}",
                                                         line[line.find(h[1]):])):
            heads.append((_level(h[0]), line, pos))
            body_after.append(False)
        elif heads:
            body_after[-1] = True
    out: list[tuple[dict[str, Any], int, int]] = []
    chapter = ""
    for k, (level, line, pos) in enumerate(heads):
        if level == 0:
            chapter = line
            continue
        if not chapter or _NOT_TASK_SECTION.search(chapter + line) or not body_after[k]:
            continue
        if k + 1 < len(heads) and heads[k + 1][0] > level and not body_after[k]:
            continue
        h = _heading_of(line)
        title = line[line.find(h[1]):] if h else line
        end = next((p for lv, _l, p in heads[k + 1:] if lv <= level), len(flat))
        body = flat[pos + len(line):end]
        if _DESCRIBES.match(body):
            continue  # says what the system comprises: no work to do
        lead, support = prose_units(body)
        task = _task(title, line, _section_at(sents, pos + len(line) + 1), lead, support, "",
                     end_date)
        if lead:
            task["units_from"] = "section text"
        out.append((task, pos, end))
    return out


# a section whose text opens by saying what something comprises (医疗卫生服务体系主要包括…)
_DESCRIBES = re.compile(r"\s*[^。；;，,]{0,30}?(?:主要)?(?:包括|由[^。]{2,40}组成)")
_UNIT = r"[\u4e00-\u9fff（）()]{2,24}?"
_LED_BY = re.compile(rf"由(?P<u>{_UNIT})(?:牵头|统筹)")
_LEADS = re.compile(rf"(?:^|[。；;])\s*(?P<u>{_UNIT})(?:要|应|负责)?牵头")
_MAIN_BODY = re.compile(rf"以(?P<u>{_UNIT})为主体")


def _named_units(names: str) -> list[str]:
    """The unit names in `names` (split at 、), [] unless every one names a body of the
    region (区/县/市/镇 …, a 部门 or the 医共体), not a kind of facility (医院)."""
    parts = split_units(names)
    ok = parts and all(
        not n.startswith(("各", "有关", "相关"))
        and (n.endswith("部门") or (looks_like_unit(n)
             and (re.match(r"[区县市镇乡]", n) is not None or n.endswith("医共体"))))
        for n in parts)
    return parts if ok else []


def prose_units(body: str) -> tuple[list[str], list[str]]:
    """Return (lead, support) units a section's text names: the body ``由X牵头`` / ``由X统筹``
    or ``X要牵头`` / ``X负责牵头`` names leads, then the bodies named ``以Y为主体`` support
    it; without a 牵头, the bodies named ``以Y为主体`` lead. ([], []) when it names none."""
    lead: list[str] = []
    for m in [*_LED_BY.finditer(body), *_LEADS.finditer(body)]:
        lead += [n for n in _named_units(m.group("u")) if n not in lead]
    main: list[str] = []
    for m in _MAIN_BODY.finditer(body):
        main += [n for n in _named_units(m.group("u")) if n not in main and n not in lead]
    return (lead, main) if lead else (main, [])


# a named institution: a place name (or 区/县/市 alone) before the kind of institution —
# 江川区人民医院, 区第二人民(肿瘤)医院, 茅桥镇中心卫生院; not 乡(镇)卫生院 or 综合医院
_NAMED_INST = re.compile(
    r"(?:[\u4e00-\u9fff]{2,7}?(?:区|县|市)|区|县|市)(?:第[一二三四五六七八九十]人民"
    r"(?:[(（][^)）]{1,4}[)）])?医院|人民医院|中医医院|妇幼保健院|疾病预防控制中心)|"
    r"[\u4e00-\u9fff]{2,3}?镇中心卫生院"
)
_LEAD_VERB = re.compile(r"^(?:力争|争取|将|新建|完成|积极|推进|加快|建设|规划|做好|支持|推动|启动|"
                        r"并|在|由|对|使|以|和|及|实施)+")
_BUILD_WORK = re.compile(r"新建|改扩建|扩建|迁建|搬迁|建设项目|项目建设|项目二期|改造升级|建成|"
                         r"设置\S{1,8}(?:中心|科|病区)$|布局建设")


def _project_sentences(sents: list[Any], end_date: str | None) -> list[dict[str, Any]]:
    """Construction projects of named institutions written in prose (``新建江川区疾病预防控制中心
    检验大楼``, ``将茅桥镇中心卫生院建成二级乙等综合医院``): one task per clause naming an
    institution, with the clauses after it that name none, when they state building work."""
    out: list[dict[str, Any]] = []
    for sent in sents:
        text = sent.text
        if " | " in text or len(text) > 300 or not _NAMED_INST.search(text):
            continue
        if _NOT_MEASURE_SECTION.search(sent.section or ""):
            continue
        spans: list[list[int]] = []
        for off, clause in _clause_spans(text):
            if _NAMED_INST.search(clause) or not spans:
                spans.append([off, off + len(clause)])
            else:
                spans[-1][1] = off + len(clause)
        for a, b in spans:
            quote = text[a:b].strip(" ，,。；;")
            if not _NAMED_INST.search(quote) or not _BUILD_WORK.search(quote) \
                    or re.search(r"为抓手|为依托|为主体|依托|合作", quote):
                continue
            title = re.sub(r"^(?:(?:到|至)?\s*20\d\d\s*年(?:底|末)?(?:前)?[，,]?|力争|积极|"
                           r"加快|推进|“十四五”期间[，,]?|十四五期间[，,]?)+", "",
                           re.split(r"[，,]", quote)[0]) or quote
            out.append(_task(title, quote, sent.section, [], [], quote, end_date))
    return out


def _clause_spans(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    start = 0
    for m in re.finditer(r"[，,；;。]", text):
        out.append((start, text[start:m.start()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _project_rows(flat: str, measures: list[dict[str, Any]],
                  end_date: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    header = re.search(r"序号\s*\|\s*(?:重点)?项目(?:名称)?\s*\|\s*"
                       r"(?:建设目标|建设内容|主要内容)", flat)
    if not header:
        return out
    by_title = {t["title"]: t for t in measures}
    row = re.compile(r"(?:(?<=\| )|(?<=^))(?P<n>\d{1,3}) \| (?P<title>[^|]{2,60}?) \| "
                     r"(?P<goal>[^|]*?) \|")
    for m in row.finditer(flat, header.end()):
        title = m.group("title").strip()
        goal = m.group("goal").strip()
        quote = f"{m.group('n')} | {title} | {goal}".strip()
        quote = quote if quote in flat else f"{m.group('n')} | {title}"
        same = by_title.get(title)
        lead = list(same["lead"]) if same else []
        support = list(same["support"]) if same else []
        task = _task(title, quote, "附件 重点项目清单", lead, support, goal, end_date)
        if not lead:
            task["units_from"] = "project"
        out.append(task)
    return out

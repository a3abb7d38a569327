"""Indicator targets written in prose (到2025年…达到X以上 …), as plan-format target dicts.

`prose_targets(text)` reads the document sentence by sentence and clause by clause and
returns one target per (indicator phrase, value) it finds, in document order. Each target
carries the indicator name phrase as the document writes it (the part before 达到/不低于 …,
for matching against the catalog), the unit, the operator of docs/plan-format.md and the
verbatim `quote` (a substring of the whitespace-collapsed text).

Recognised forms (see the tests for a worked example of each):

- ``A达到X以上`` / ``不低于`` / ``不少于`` / ``至少`` / ``≥`` → ``>=``;
  ``控制在X以内/以下`` / ``不高于`` / ``不超过`` / ``≤`` → ``<=``; ``X左右`` → ``approx``;
  ``A-B`` → ``range``; a bare value → ``>=`` (``<=`` for mortality, prevalence, stay …);
- ``力争`` → ``aspirational: true``;
- ``A、B分别达到X、Y`` and ``A、B均达X`` → one target per name;
- ``2023年底、2024年底、2025年底A分别达到60%、80%、100%`` → milestones;
- ``比基期降低10%`` → ``relative_pct: -10``; ``每年降低0.5个百分点`` → ``per_year: -0.5``;
- ``逐步提高A`` / ``A持续提升`` → ``up``; ``逐步降低A`` / ``A稳中有降`` → ``down``;
- ``X%以上的A能够…`` → a share target named by the clause.
"""

from __future__ import annotations

import re
from typing import Any

from hsplan.plans.extract._text import (
    DASH,
    NUM,
    Sentence,
    clauses,
    clean_number,
    collapse,
    sentences,
    target_year,
)

UNITS = (
    "/10万", "/万", "/千", "%", "‰", "人次", "万元", "元", "张", "人", "名", "个", "所", "家",
    "岁", "天", "分钟", "级", "辆", "项", "次", "支", "倍", "台", "床", "例", "种", "类",
)
_UNIT = "|".join(re.escape(u) for u in UNITS)
_VERB_GE = r"不得低于|不得少于|不低于|不少于|至少|≥|>=|超过|高于"
_VERB_LE = r"不得高于|不得超过|不高于|不超过|≤|<=|控制在|降至|降低到|下降到|低于"
_VERB = (
    rf"{_VERB_GE}|{_VERB_LE}|达到|达|为|提升至|提升到|提高至|提高到|增长到|增长至|增加到|"
    r"增加至|力争在|保持在|稳定在|维持在|提升|实现"
)
_POST = r"及以上|以上|及以下|以下|以内|左右|内|余"
# value: number, optional range, unit, qualifier
_VALUE = (
    rf"(?P<v1>{NUM})\s*(?P<u1>{_UNIT})?\s*(?:(?:{DASH})\s*(?P<v2>{NUM}))?\s*"
    rf"(?P<unit>{_UNIT})?\s*(?P<post>{_POST})?"
)
_RATIO = r"1\s*[:：︰∶]\s*(?P<r>" + NUM + ")"

_LESS_IS_BETTER = ("死亡率", "发病率", "流行率", "住院日", "患病率", "交接", "发生率", "时间",
                   "能耗", "自付", "传播率", "漏报率", "超重")
_PREFIX = re.compile(
    r"^(?:(?:力争|争取|确保|努力|计划|预计|全区|全市|全县|全镇|实现|推动|推进|使|并|且|同时|"
    r"其中|另外|此外|“十四五”期间|十四五期间|“十四五”时期|期间|到|至|于|在|"
    r"\d{4}\s*年(?:底|末|前|初)?(?:前)?|底前|年底|年末|前|要|均|上|的|，|,|\s)+)"
)
_SUFFIX = re.compile(r"(?:的预期性指标|的约束性指标|指标|要|均|都|需|应|将|能够|可)+$")
_FACT = re.compile(r"截至|截止|现有|目前|已达|已经|共有|比上年|同比|较\d{4}年|年末全区|年末全市")
_FUTURE = re.compile(
    r"到\s*20\d\d|(?<!截)至\s*20\d\d|力争|\d{4}\s*年底前|“十四五”|十四五|目标|预期"
)
_YEAR_IN = re.compile(r"(?:到|至|于)?\s*(20\d\d)\s*年(?:底|末|初)?")
_UP = r"逐步提高|逐步提升|持续提高|持续提升|稳步提升|稳步提高|有序提升|明显提升|" \
      r"显著提升|适度提高|" \
      r"不断提高|不断提升|进一步提高|进一步提升|逐步增加|持续增加|提高|提升|增加"
_DOWN = r"逐步降低|持续降低|持续下降|稳中有降|逐步下降|明显下降|逐年下降|不断降低|降低|下降|减少"
_MEASURABLE = re.compile(
    r"(?:率|比例|比重|占比|寿命|床位数|人数|数量|素养水平|支出|经费|金额|指数|人次|收入|费用|病床数)$"
)
_NOT_MEASURABLE = re.compile(r"效率|能力|质量|意识|效能|素质|管理水平|服务水平|技术水平|"
                             r"健康水平|治理水平|保障水平|信息化水平|标准化水平|现代化水平|"
                             r"智慧化水平|诊疗水平|专业水平|业务水平|临床水平|科研水平")


def prose_targets(text: str) -> list[dict[str, Any]]:
    """Return the indicator targets written in prose in `text`, as plan-format dicts.

    Each dict has ``id`` (P01 …), ``name`` (the indicator phrase as written), ``indicator``
    (None: the catalog match is left to the caller), ``category`` (the section heading),
    ``unit``, ``source_kind: prose``, ``target`` ({year, op, value | low/high |
    relative_pct | per_year, aspirational}), ``baseline`` (only for relative targets),
    ``milestones`` (when yearly values are given), ``nature`` None and ``quote``.

    Notes: the year is the one the sentence names (到2024年底 → 2024), else the year the
    document most often aims at (`target_year`). Sentences that state facts (截至, 现有 …)
    without a future marker are skipped.
    """
    default_year = target_year(collapse(text))
    out: list[dict[str, Any]] = []
    for sent in sentences(text):
        out.extend(_from_sentence(sent, default_year))
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in out:
        key = (item["name"], repr(item["target"]))
        if key in seen:
            continue
        seen.add(key)
        unique.append(item)
    for i, item in enumerate(unique, 1):
        item["id"] = f"P{i:02d}"
    return unique


_FACT_SECTION = re.compile(r"现状|背景|回顾|成就|发展基础|工作基础|基本情况|面临|问题|形势")


def _from_sentence(sent: Sentence, default_year: int | None) -> list[dict[str, Any]]:
    if sent.section and _FACT_SECTION.search(sent.section.split(" ")[-1]):
        return []
    out: list[dict[str, Any]] = []
    # a table row is read cell by cell (the table extractor reads the indicator tables;
    # here only cells that are prose, e.g. a key project's 建设目标, yield targets)
    for cell in sent.text.split(" | "):
        out.extend(_from_span(cell.strip(" |"), sent.section, default_year))
    return out


def _from_span(s: str, section: str | None, default_year: int | None) -> list[dict[str, Any]]:
    if not s or len(s) > 600:
        return []
    if (_FACT.search(s) and not _FUTURE.search(s)) or re.search(r"“?十三五”?期间|十三五末", s):
        return []
    parts = clauses(s)
    out: list[dict[str, Any]] = []
    year = default_year
    aspirational = False
    for idx, (off, clause) in enumerate(parts):
        m = _YEAR_IN.search(clause)
        if m and re.search(r"(?:到|至|于)\s*20\d\d|20\d\d\s*年(?:底|末)", clause):
            year = int(m.group(1))
        if "力争" in clause:
            aspirational = True
        if re.search(r"使用率低于\s*\d+", clause):
            continue  # a bed-efficiency rule (norms), not a target
        start = off
        if idx > 0 and _is_prefix(parts[idx - 1][1]):
            start = parts[idx - 1][0]
        quote = s[start:off + len(clause)]
        ctx = _Ctx(year=year, aspirational=aspirational, quote=quote, section=section)
        found = _from_clause(re.sub(r"[(（][^()（）]*\d[^()（）]*[)）]", "", clause), ctx)
        out.extend(found)
        # bracketed asides carry their own figures: "…213人(新建三所…共计需要45人、…)"
        for inner in re.finditer(r"[(（](?P<b>[^()（）]*(?:[(（][^()（）]*[)）][^()（）]*)*)[)）]",
                                 clause):
            body = inner.group("b")
            if len(body) < 6 or not re.search(r"\d", body):
                continue
            b_off = off + inner.start("b")
            for sub_off, sub in _list_items(body):
                sub_ctx = _Ctx(year=year, aspirational=aspirational,
                               quote=s[b_off + sub_off:b_off + sub_off + len(sub)],
                               section=section)
                out.extend(_from_clause(sub, sub_ctx))
    return out


def _list_items(body: str) -> list[tuple[int, str]]:
    """Split a bracketed aside at 、，, outside nested brackets."""
    items: list[tuple[int, str]] = []
    depth = start = 0
    for i, ch in enumerate(body + "、"):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        elif ch in "、，," and depth == 0:
            part = body[start:i]
            if part.strip():
                lead = len(part) - len(part.lstrip())
                items.append((start + lead, part.strip()))
            start = i + 1
    return items


def _is_prefix(clause: str) -> bool:
    return bool(re.fullmatch(
        r"(?:力争|争取)?(?:到|至)?\s*(?:20\d\d\s*年(?:底|末)?|“十四五”期间|“十四五”时期)(?:前)?"
        r"(?:力争)?", clause))


class _Ctx:
    def __init__(self, *, year: int | None, aspirational: bool, quote: str,
                 section: str | None) -> None:
        self.year = year
        self.aspirational = aspirational
        self.quote = quote
        self.section = section


def _from_clause(clause: str, ctx: _Ctx) -> list[dict[str, Any]]:
    for handler in (_milestones, _respectively, _ratio, _relative, _per_year, _per_population,
                    _share_subject, _verb_value, _build_count, _text_target, _trend):
        found = handler(clause, ctx)
        if found is not None:
            return found
    return []


def _item(name: str, target: dict[str, Any], unit: str | None, ctx: _Ctx,
          **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"year": ctx.year, **target}
    if ctx.aspirational:
        spec["aspirational"] = True
    item: dict[str, Any] = {
        "name": name, "indicator": None, "category": ctx.section, "unit": unit,
        "source_kind": "prose", "target": spec, "nature": None, "quote": ctx.quote,
    }
    item.update(extra)
    return item


def clean_name(raw: str) -> str:
    """Return the indicator phrase of `raw` without time, scope and modal prefixes/suffixes.

    ``到2025年,全区每千人口床位数`` → ``每千人口床位数``.
    """
    name = raw.strip(" ，,、。；;：:“”")
    prev = None
    while prev != name:
        prev = name
        name = _PREFIX.sub("", name)
        name = _SUFFIX.sub("", name).strip(" ，,、")
    return name


def _valid_name(name: str) -> bool:
    if not 2 <= len(name) <= 50:
        return False
    if not re.search(r"[\u4e00-\u9fff]", name) or re.search(r"\d\s*[%‰]", name):
        return False
    if name.count("(") != name.count(")") or name.count("（") != name.count("）"):
        return False
    if re.fullmatch(r"(?:建立|建成|设立|设置|确定|具备|配备|开展|实现)\S?", name):
        return False
    return not re.fullmatch(r"[\d\s年月日底前后期间到至]+", name)


def _op_for(name: str, verb: str | None, post: str | None) -> str:
    if post in ("以上", "及以上", "余"):
        return ">="
    if post in ("以下", "及以下", "以内", "内"):
        return "<="
    if post == "左右":
        return "approx"
    if verb and re.fullmatch(_VERB_GE, verb):
        return ">=" if verb not in ("超过", "高于") else ">"
    if verb and re.fullmatch(_VERB_LE, verb):
        return "<=" if verb != "低于" else "<"
    return "<=" if any(k in name for k in _LESS_IS_BETTER) else ">="


def _value_target(m: re.Match[str], name: str, verb: str | None) -> tuple[dict[str, Any],
                                                                         str | None]:
    v1 = float(m.group("v1"))
    unit = m.group("unit") or m.group("u1")
    post = m.group("post")
    if m.group("v2"):
        return ({"op": "range", "low": clean_number(v1),
                 "high": clean_number(float(m.group("v2")))}, unit)
    return {"op": _op_for(name, verb, post), "value": clean_number(v1)}, unit


# --- handlers: each returns None when its form does not occur in the clause -------------------

_MILESTONE = re.compile(
    r"(?P<years>(?:20\d\d\s*年(?:底|末)?\s*[、和及]?\s*){2,})(?P<name>[^，,；;。]*?)分别达到?"
    r"(?P<mid>[^\d]{0,12}?)(?P<vals>(?:" + NUM + r"\s*(?:%|‰)?\s*[、和]?\s*){2,})"
)


def _milestones(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    m = _MILESTONE.search(clause)
    if not m:
        return None
    years = [int(y) for y in re.findall(r"(20\d\d)", m.group("years"))]
    vals = [float(v) for v in re.findall(NUM, m.group("vals"))]
    if len(years) != len(vals):
        return None
    unit_m = re.search(r"%|‰", m.group("vals"))
    unit = unit_m.group(0) if unit_m else None
    name = clean_name(m.group("name") or "")
    if not _valid_name(name):
        name = clean_name(clause[:m.start()]) or name
    ctx.year = years[-1]
    ms = [{"year": y, "value": clean_number(v), "op": ">="} for y, v in zip(years, vals,
                                                                          strict=True)]
    return [_item(name, {"op": ">=", "value": clean_number(vals[-1])}, unit, ctx,
                  milestones=ms)]


_RESPECTIVELY = re.compile(
    r"(?P<names>[^，,；;。]+?)(?P<kw>分别|均)(?P<verb>达到|达|为|不低于|不少于|控制在|保持在|提升至)?"
    r"\s*(?P<vals>[^，,；;。]+)"
)


def _respectively(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    m = _RESPECTIVELY.search(clause)
    if not m:
        return None
    names = _split_names(clean_name(m.group("names")))
    vals_text = m.group("vals")
    ratios = [float(r) for r in re.findall(_RATIO, vals_text)]
    if len(names) < 2:
        return None
    out = []
    if ratios and len(ratios) == len(names):
        for n, r in zip(names, ratios, strict=True):
            out.append(_item(n, {"op": ">=", "value": clean_number(r), "ratio_form": "1:x"},
                             "1:x", ctx))
        return out
    values = list(re.finditer(_VALUE, vals_text))
    values = [v for v in values if v.group("v1")]
    if m.group("kw") == "均" and values:
        values = values[:1] * len(names)
    if len(values) != len(names):
        return None
    for n, v in zip(names, values, strict=True):
        target, unit = _value_target(v, n, m.group("verb"))
        out.append(_item(n, target, unit, ctx))
    return out


def _split_names(names: str) -> list[str]:
    """``A、B`` / ``A和B`` → [A, B]; a shared head is carried (``每万人口全科医生和公共卫生人员数``
    → 每万人口全科医生数, 每万人口公共卫生人员数)."""
    parts = [p for p in re.split(r"、|和", names) if p]
    if len(parts) < 2:
        return parts
    head = re.match(r"^(每[千万百]\S{0,4}?人口|每万|每千)", parts[0])
    tail = re.search(r"(数|率)$", parts[-1])
    out = []
    for i, p in enumerate(parts):
        if head and i > 0 and not p.startswith("每"):
            p = head.group(1) + p
        if tail and i < len(parts) - 1 and not re.search(r"(数|率|比|例|重)$", p):
            p = p + tail.group(1)
        out.append(p)
    return out


def _ratio(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    m = re.search(r"(?P<name>[^，,；;。]+?)(?:达到|为|达|不低于)\s*" + _RATIO, clause)
    if not m:
        return None
    name = clean_name(m.group("name"))
    return [_item(name, {"op": ">=", "value": clean_number(float(m.group("r"))),
                         "ratio_form": "1:x"}, "1:x", ctx)]


def _relative(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    m = re.search(r"(?P<name>[^，,；;。]*?)比(?:基期|基线|20\d\d\s*年(?:底|末)?)(?:水平)?"
                  r"(?P<dir>降低|下降|减少|提高|增长|增加|上升)\s*(?P<v>" + NUM + r")\s*%", clause)
    if not m:
        return None
    sign = -1 if m.group("dir") in ("降低", "下降", "减少") else 1
    name = clean_name(m.group("name"))
    base = re.search(r"比(20\d\d)", clause)
    baseline = {"year": int(base.group(1)) if base else None, "value": None}
    op = "<=" if sign < 0 else ">="
    return [_item(name, {"op": op, "relative_pct": clean_number(sign * float(m.group("v")))},
                  "%", ctx, baseline=baseline)]


def _per_year(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    m = re.search(r"(?P<name>[^，,；;。]*?)(?:每年|年均)(?P<dir>降低|下降|减少|提高|增长|增加|上升)"
                  r"\s*(?P<v>" + NUM + r")\s*个?百分点", clause)
    if not m:
        return None
    sign = -1 if m.group("dir") in ("降低", "下降", "减少") else 1
    name = clean_name(m.group("name"))
    op = "<=" if sign < 0 else ">="
    return [_item(name, {"op": op, "per_year": clean_number(sign * float(m.group("v")))},
                  "%", ctx, baseline={"year": None, "value": None})]


_SHARE = re.compile(r"(?P<v>" + NUM + r")\s*%\s*(?P<post>以上)?\s*的?")


def _share_subject(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    """``80%以上的村卫生室能够提供中医药服务`` → a share named 村卫生室能够提供中医药服务比例;
    ``100%的A和80%的B提供X`` → two shares sharing the predicate."""
    hits = list(_SHARE.finditer(clause))
    if not hits:
        return None
    before = clause[:hits[0].start()]
    if re.search(r"(?:" + _VERB.replace("|实现", "") + r"|分别|均|的|为|占|在|\d|约|近)\s*$",
                 before):
        return None
    if re.search(r"以下|以内|左右", clause):
        return None
    subjects = []
    for i, h in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(clause)
        subjects.append((h, clause[h.end():end]))
    tail = subjects[-1][1]
    if len(hits) > 1:
        # the predicate follows the last subject: split it off at the first verb
        m = re.search(r"(提供|设置|设立|建成|达到|实现|配备|开设|能够|创建|建设)", tail)
        if not m:
            return None
        predicate = tail[m.start():]
        subjects[-1] = (subjects[-1][0], tail[:m.start()])
    else:
        predicate = ""
    out = []
    head = clean_name(before)
    for h, subj in subjects:
        subj = re.sub(r"^(?:和|及|、|与)|(?:和|及|、|与)$", "", subj.strip())
        rest = (subj + predicate).strip()
        if not rest or re.search(r"\d(?!类|项|种)", rest):
            return None
        name = clean_name(re.sub(r"^将", "", head) + rest) + "比例"
        if not _valid_name(name):
            return None
        out.append(_item(name, {"op": ">=", "value": clean_number(float(h.group("v")))}, "%",
                         ctx))
    return out


_PER_POP = re.compile(
    r"(?P<per>每(?:\d+(?:\.\d+)?|[千万百])\s*(?:万)?(?:常住|服务)?(?:人口|人|居民))\s*"
    r"(?:配备|配置|拥有|有)?\s*(?P<q>不少于|至少|不低于)?\s*(?P<v1>" + NUM + r")\s*"
    r"(?:(?:" + DASH + r")\s*(?P<v2>" + NUM + r"))?\s*(?P<unit>名|人|辆|张|个|所)\s*"
    r"(?:的标准)?(?:配备|配置)?(?P<what>[^，,；;。]{2,20})$"
)


def _per_population(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    """``每万人口配备1—1.5名卫生监督员`` → 每万人口卫生监督员, range 1–1.5 名."""
    m = _PER_POP.search(clause)
    if not m:
        return None
    per = m.group("per").replace("人口", "人口").strip()
    if not per.endswith("人口"):
        per = re.sub(r"(人|居民)$", "人口", per)
    what = re.split(r"的?标准|做好|进行|的比例", m.group("what"))[0]
    name = per + clean_name(what)
    v1 = clean_number(float(m.group("v1")))
    if m.group("v2"):
        target: dict[str, Any] = {"op": "range", "low": v1,
                                  "high": clean_number(float(m.group("v2")))}
    else:
        target = {"op": ">=", "value": v1}
    return [_item(name, target, m.group("unit"), ctx)]


_TEXT_TARGET = re.compile(
    r"(?P<name>[^，,；;。]{2,40}?)(?P<text>(?:保持|位居|处于|达到)[^，,；;。]{0,8}?"
    r"(?:较高|较低|领先|前列|先进)水平?|(?:实现|基本实现)?全覆盖|保持在合理区间|保持稳定)$"
)


def _text_target(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    """``孕产妇死亡率、婴儿死亡率保持自治区较低水平`` → two ``op: text`` targets;
    ``…保持在合理区间`` → ``op: keep``."""
    if re.search(r"\d", clause):
        return None
    m = _TEXT_TARGET.search(clause)
    if not m:
        return None
    raw = clean_name(m.group("name"))
    raw = re.sub(r"(?:等指标)?(?:整体|总体|基本)?$", "", raw)
    text = m.group("text")
    names = _split_names(raw) if re.search(r"(率|比|数|出|寿命)、", raw + "、") else [raw]
    if "全覆盖" in text:
        names = [re.sub(r"^(?:实现|推动|推进)", "", raw) + "覆盖率"]
    if not all(_valid_name(n) and (_MEASURABLE.search(n) or "覆盖" in n) for n in names):
        return None
    if "合理区间" in text or "保持稳定" in text:
        return [_item(n, {"op": "keep"}, None, ctx) for n in names]
    return [_item(n, {"op": "text", "text": re.sub(r"^(?:实现|基本实现)", "", text)}, None,
                  ctx) for n in names]


_VERB_VALUE = re.compile(
    rf"(?P<name>[^，,；;。]*?[\u4e00-\u9fff”)）A-Za-z])\s*(?P<verb>{_VERB})\s*"
    rf"(?P<mid>[^\d，,；;。]{{0,14}}?)\s*{_VALUE}"
)


def _verb_value(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    out = []
    for m in _VERB_VALUE.finditer(clause):
        unit = m.group("unit") or m.group("u1")
        after = clause[m.end():m.end() + 2]
        if unit is None and not m.group("post") and not re.match(r"\s*$|[，,；;。(（]", after):
            continue  # a number inside a longer phrase (达到3级医院 …)
        if re.match(r"\s*(?:年|月|日|万人口|万人|千人)", clause[m.end("v1"):m.end("v1") + 3]) \
                and not unit:
            continue
        if m.group("verb") == "为" and not unit and not m.group("post"):
            pass
        name = clean_name(m.group("name"))
        mid = m.group("mid").strip()
        if mid and mid not in ("总任务量的", "编制总额的", "总数的") \
                and not re.fullmatch(r"[\u4e00-\u9fff]{0,14}的", mid):
            continue
        if not _valid_name(name):
            continue
        target, unit = _value_target(m, name, m.group("verb"))
        if m.group("verb") == "实现" and target.get("op") != "range" and unit != "%":
            continue
        out.append(_item(name, target, unit, ctx))
    if not out:
        out = _bare_value(clause, ctx)
    return out or None


_BARE = re.compile(
    r"^(?P<name>[^，,；;。\d]{2,40}?(?:率|比例|占比|比重|床位数|人数|数))\s*" + _VALUE + r"$"
)
_TRAINED = re.compile(
    r"^(?P<name>[^，,；;。\d]{2,30}?)(?P<verb>培训|培养|招录|需要)\s*(?P<v1>" + NUM + r")\s*"
    r"(?P<post>余|以上)?\s*(?P<unit>人次|名|人)(?:$|[(（])"
)


def _bare_value(clause: str, ctx: _Ctx) -> list[dict[str, Any]]:
    """``在管精神分裂症患者治疗率90%`` / ``…床位数 4.0 张左右`` / ``…人才培训300余人次``."""
    body = clean_name(clause)
    m = _BARE.match(body)
    if m and (m.group("unit") or m.group("u1")):
        name = clean_name(m.group("name"))
        if _valid_name(name):
            target, unit = _value_target(m, name, None)
            return [_item(name, target, unit, ctx)]
    t = _TRAINED.match(body)
    if t:
        name = clean_name(t.group("name")) + t.group("verb") + (
            "人次" if t.group("unit") == "人次" else "人数")
        return [_item(name, {"op": ">=", "value": clean_number(float(t.group("v1")))},
                      t.group("unit"), ctx)]
    return []


_BUILD = re.compile(
    r"(?P<verb>新增|建成|建设|培养|培训|打造|建立|创建|组建|招录|争创|培育创建|设立|新建|形成|推进)\s*"
    r"(?P<q>不少于|至少|不低于)?\s*(?P<v1>" + NUM + r"|[一二两三四五六七八九十]+)\s*"
    r"(?:(?:" + DASH + r")\s*(?P<v2>" + NUM + r"))?\s*(?P<unit>个|所|家|名|人|支|项)\s*"
    r"(?P<post>左右|以上)?的?\s*(?P<name>[^，,；;。、和]{2,30})"
)
_COUNT_AFTER = re.compile(
    r"(?P<verb>新增|培养|培训|招录|累计培训|累计培养|培育创建|建成|打造|创建|计划招录)\s*"
    r"(?P<name>[^\d，,；;。]{2,30}?)\s*"
    r"(?P<v1>" + NUM + r")\s*(?:(?:" + DASH + r")\s*(?P<v2>" + NUM + r"))?\s*"
    r"(?P<unit>个|所|家|名|人次|人|支|项)(?P<post>以上|余|左右)?"
)


def _build_count(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    out = []
    from hsplan.plans.extract._text import parse_number

    for m in _BUILD.finditer(clause):
        v1 = parse_number(m.group("v1"))
        if v1 is None:
            continue
        name = clean_name(m.group("name"))
        if not _valid_name(name):
            continue
        if m.group("v2"):
            target: dict[str, Any] = {"op": "range", "low": clean_number(v1),
                                      "high": clean_number(float(m.group("v2")))}
        elif m.group("post") == "左右":
            target = {"op": "approx", "value": clean_number(v1)}
        else:
            target = {"op": ">=", "value": clean_number(v1)}
        out.append(_item(name, target, m.group("unit"), ctx))
    if not out:
        for m in _COUNT_AFTER.finditer(clause):
            name = clean_name(m.group("name"))
            if not _valid_name(name):
                continue
            if m.group("v2"):
                target = {"op": "range", "low": clean_number(float(m.group("v1"))),
                          "high": clean_number(float(m.group("v2")))}
            else:
                target = {"op": ">=", "value": clean_number(float(m.group("v1")))}
            out.append(_item(name, target, m.group("unit"), ctx))
    # continuation items: "…2 个、市级重点专科 10 个"
    if out:
        for m in re.finditer(r"[、,，]\s*(?P<name>[^\d、,，；;。]{2,20}?)\s*(?P<v>" + NUM +
                             r")\s*(?P<unit>个|所|家|名|人)", clause):
            name = clean_name(m.group("name"))
            if _valid_name(name) and all(o["name"] != name for o in out):
                out.append(_item(name, {"op": ">=", "value": clean_number(float(m.group("v")))},
                                 m.group("unit"), ctx))
    return out or None


def _trend(clause: str, ctx: _Ctx) -> list[dict[str, Any]] | None:
    if re.search(r"\d", clause):
        return None
    for pattern, op in ((_DOWN, "down"), (_UP, "up")):
        after = re.search(rf"(?P<name>[^，,；;。]{{3,40}}?)(?:{pattern})$", clause)
        before = re.match(rf"^(?:.*?)(?:{pattern})(?P<name>[^，,；;。]{{3,40}})$", clause)
        for m in (after, before):
            if not m:
                continue
            name = clean_name(m.group("name"))
            name = re.sub(r"(?:持续|逐步|稳步|有序|明显|适度|不断|进一步|整体|等指标)+$", "", name)
            name = re.sub(r"(?:等指标|等)$", "", name)
            names = _split_names(name) if re.search(r"(?:数|率)(?:和|、)", name) else [name]
            if all(_MEASURABLE.search(n) and not _NOT_MEASURABLE.search(n) and _valid_name(n)
                   for n in names):
                return [_item(n, {"op": op}, "%" if re.search(r"率|比例|比重|占比", n) else None,
                              ctx) for n in names]
    return None

"""Key institutions (重点机构) named in a plan document: hospitals, 卫生院 and centres with
their bed, grade and designation targets, from the named lists, the institution tables and
the prose (`institutions`).

`institutions(text)` reads bed-configuration and grade-target table rows (``区人民医院 万达
新区 1000``, ``1 区人民医院 三级乙等 启动三级甲等创建``) and prose (``…妇幼保健院创建为二级
甲等妇幼保健机构``, ``按二级甲等医院标准有序推进苏稽新区医院项目建设``, ``…医院床位80张``).
"""

from __future__ import annotations

import re
from typing import Any

from hsplan.plans.extract._text import (
    collapse,
    sentences,
)
from hsplan.plans.extract.tasks import (
    _BUILD_WORK,
    _LEAD_VERB,
    _NAMED_INST,
    _NOT_MEASURE_SECTION,
    _clause_spans,
)

_INST_SUFFIX = (r"(?:人民医院|中医医院|中西医结合医院|妇幼保健院|妇幼保健计划生育服务中心|"
                r"肿瘤医院|精神病医院|慢性病医院|中心卫生院|卫生院|疾病预防控制中心|医院)")
_INST = re.compile(r"(?P<name>[\u4e00-\u9fff]{1,14}?" + _INST_SUFFIX + r")")
_GRADE = r"(?:[一二三]级[甲乙丙]等|[一二三]级)"
_GENERIC = re.compile(r"^(?:各|所有|公立|二级|三级|一级|综合|有条件|全区|全市|定点|社会办|非公立|"
                      r"县级|市级|区级|民营|专科|中医|基层|本地|上级|其他|城市|农村|乡镇|乡|镇|"
                      r"县办|市办|政府办|亚|牵头|医共体|新建|建设|推进)")


def _subtype(name: str) -> str:
    for suffix, sub in (("中西医结合医院", "中西医结合医院"), ("中医医院", "中医医院"),
                        ("妇幼保健", "妇幼保健院"), ("中心卫生院", "中心乡镇卫生院"),
                        ("卫生院", "乡镇卫生院"), ("疾病预防控制中心", "疾病预防控制中心"),
                        ("精神病医院", "精神病医院"), ("肿瘤医院", "专科医院"),
                        ("慢性病医院", "专科医院")):
        if suffix in name:
            return sub
    return "综合医院"


def _clean_inst(name: str) -> str | None:
    name = re.sub(r"^(?:将|把|推动|支持|加快|积极|有序|推进|完成|实现|其中|依托|"
                  r"由|以|在|按|对|使|和|及|、)+",
                  "", name)
    if len(name) < 4 or _GENERIC.match(name) or re.search(r"[的等和及与]", name):
        return None
    return name


def institutions(text: str) -> list[dict[str, Any]]:
    """Return the key institutions of `text` with their bed and grade targets.

    Each dict has ``id`` (I01 …), ``name``, ``subtype`` (schema sub-type read from the
    name), ``grade`` ({baseline, target} or None), ``beds`` ({baseline, target} or None),
    ``campus`` and the verbatim ``quote`` of the first row or sentence naming it.
    """
    found: dict[str, dict[str, Any]] = {}

    def add(name: str, quote: str, *, grade_base: str | None = None,
            grade_target: str | None = None, beds_base: int | None = None,
            beds_target: int | None = None, campus: str | None = None,
            note: str | None = None) -> None:
        name = next((k for k in found if _same_institution(k, name)), name)
        item = found.setdefault(name, {"name": name, "subtype": _subtype(name), "grade": None,
                                       "beds": None, "campus": None, "quote": quote})
        if note:
            item["note"] = "; ".join(x for x in (item.get("note"), note) if x)
        if grade_base or grade_target:
            g = item["grade"] or {"baseline": None, "target": None}
            g["baseline"] = g["baseline"] or grade_base
            g["target"] = g["target"] or grade_target
            item["grade"] = g
        if beds_base is not None or beds_target is not None:
            b = item["beds"] or {"baseline": None, "target": None}
            b["baseline"] = b["baseline"] if b["baseline"] is not None else beds_base
            b["target"] = b["target"] if b["target"] is not None else beds_target
            item["beds"] = b
        if campus and not item["campus"]:
            item["campus"] = campus

    _table_institutions(text, add)
    _prose_institutions(text, add)
    _named_institutions(text, add)
    out = list(found.values())
    for i, item in enumerate(out, 1):
        item["id"] = f"I{i:02d}"
    return out


def _same_institution(a: str, b: str) -> bool:
    """江川区人民医院, 区人民医院 and 玉溪市江川区人民医院 name one institution: the shorter
    name ends the longer one, and starts with 区/县/市 or follows a place name's 市/区/县;
    区第二人民(肿瘤)医院 is also called 区肿瘤医院."""
    for x, y in ((_alias(a), b), (a, _alias(b)), (a, b)):
        short, long_ = sorted((x, y), key=len)
        if short == long_ or (long_.endswith(short) and (
                short[0] in "区县市" or long_[-len(short) - 1] in "省市州区县")):
            return True
    return False


def _alias(name: str) -> str:
    m = _ALIAS.match(name)
    return m.group(1) + m.group(2) + m.group(3) if m else name


_ALIAS = re.compile(r"^(.*?(?:区|县|市))[^(（]*[(（]([^)）]{1,4})[)）](医院)$")
_BUILD_BEFORE = re.compile(r"新建|建设|推进|完成|改扩建|迁建|扩建|启动")
_STANDARD = re.compile(r"(?:基本)?达到[^，,。；;]{0,30}?(?:标准|服务能力)")
_CAMPUS = re.compile(r"^[\u4e00-\u9fff]{2}(?:分院|院区)")


def _named_institutions(text: str, add: Any) -> None:
    """Named institutions (`_NAMED_INST`) without bed or grade figures: first those held to a
    service-capability standard (``力争江川区人民医院基本达到《县医院医疗服务能力推荐标准》要求``),
    then those with a construction project (``新建江川区疾病预防控制中心检验大楼``; a branch
    campus, ``江川区人民医院星云分院``, is an institution of its own)."""
    sents = [s for s in sentences(text) if " | " not in s.text]
    for pass_ in ("standard", "project"):
        for sent in sents:
            if _NOT_MEASURE_SECTION.search(sent.section or ""):
                continue
            for _off, clause in _clause_spans(sent.text):
                clause = clause.strip()
                m = _NAMED_INST.search(clause)
                if m is None or len(clause) > 120 or re.search(r"依托|为主体|合作|为抓手",
                                                                 clause):
                    continue
                rest = clause[m.end():]
                name = _LEAD_VERB.sub("", m.group(0))
                if len(name) < 4:
                    continue
                if pass_ == "standard" and _STANDARD.match(rest):
                    add(name, clause)
                elif pass_ == "project" and _BUILD_WORK.search(clause) \
                        and _BUILD_BEFORE.search(clause[:m.end() - len(name)]):
                    campus = _CAMPUS.match(rest)
                    if campus:
                        add(name + campus.group(0), clause, campus=campus.group(0))
                    else:
                        add(name, clause)


def _table_institutions(text: str, add: Any) -> None:
    lines = text.splitlines()
    title = ""
    for line in lines:
        if not line.strip():
            continue
        if re.match(r"\s*表\s*\d", line):
            title = line
            continue
        cells = [c.strip() for c in re.split(r"\t+|\s{2,}|\s*\|\s*", line.strip())
                 if c.strip()]
        if len(cells) < 2 or len(cells) > 6:
            continue
        name_i = next((i for i, c in enumerate(cells) if re.fullmatch(
            r"[\u4e00-\u9fff]{1,16}" + _INST_SUFFIX + r"(?:\s*[(（][^)）]*[)）])?", c)), None)
        if name_i is None:
            continue
        name = _clean_inst(re.sub(r"\s*[(（].*$", "", cells[name_i]))
        if name is None:
            continue
        quote = collapse(" ".join(cells))
        if quote not in collapse(text):
            quote = collapse(line)
        grades = [c for c in cells[name_i + 1:] if re.search(_GRADE, c)]
        last = cells[-1]
        if "床位" in title and re.fullmatch(r"\d{2,5}", last):
            campus = " ".join(cells[name_i + 1:-1]) or None
            add(name, quote, beds_target=int(last), campus=campus,
                grade_target=None)
        elif (grades and "等级" in title) or (len(grades) >= 1 and "级" in title):
            base = re.search(_GRADE, grades[0]).group(0) if len(grades) > 1 else None  # type: ignore[union-attr]
            tgt_m = re.search(_GRADE, grades[-1])
            started = re.search(r"启动|开始|申报|争创|力争|创建", grades[-1])
            note = (f"{collapse(title)}: {grades[-1]} (the grade is a goal being worked "
                    "towards, not one reached)") if started else None
            add(name, quote, grade_base=base, grade_target=tgt_m.group(0) if tgt_m else None,
                note=note)


def _prose_institutions(text: str, add: Any) -> None:
    for sent in sentences(text):
        for clause in re.split(r"[，,；;。]", sent.text):
            if " | " in clause or len(clause) > 200:
                continue
            # 临清市、莘县、冠县、茌平区妇幼保健院创建为二级甲等妇幼保健机构
            m = re.search(r"(?P<names>[\u4e00-\u9fff、]{2,40}?" + _INST_SUFFIX + r")"
                          r"(?:[(（][^)）]*[)）])?(?:创建为|创建|争创|达到|建成|晋升为|升级为)\s*"
                          r"(?P<grade>" + _GRADE + r")", clause)
            if m:
                names = m.group("names")
                suffix_m = re.search(_INST_SUFFIX + r"$", names)
                parts = names.split("、")
                for p in parts:
                    full = p if re.search(_INST_SUFFIX + "$", p) else (
                        p + suffix_m.group(0) if suffix_m else p)
                    name = _clean_inst(full)
                    if name:
                        add(name, clause.strip(), grade_target=m.group("grade"))
            m = re.search(r"按(?P<grade>" + _GRADE + r")医院标准[^，,。]{0,8}?(?P<name>"
                          r"[\u4e00-\u9fff]{2,14}?" + _INST_SUFFIX + ")", clause)
            if m:
                name = _clean_inst(m.group("name"))
                if name:
                    add(name, clause.strip(), grade_target=m.group("grade"))
            m = re.search(r"(?P<name>[\u4e00-\u9fff]{2,16}?" + _INST_SUFFIX + r")[^，,。\d]{0,12}?"
                          r"床位\s*(?P<n>\d{2,5})\s*张", clause)
            if m:
                name = _clean_inst(m.group("name"))
                if name:
                    future = re.search(r"新建|设置|规划|到\s*20\d\d|达到|扩建|增加", clause)
                    if future:
                        add(name, clause.strip(), beds_target=int(m.group("n")))
                    else:
                        add(name, clause.strip(), beds_base=int(m.group("n")))

"""Configuration norms written in prose (每万人口配备…, 每个乡镇办好1所卫生院, 15分钟服务圈 …),
as plan-format norm dicts with a rule type and its parameters (docs/plan-format.md).

`prose_norms(text)` runs one recogniser per rule type over every sentence:

- ``resource_per_population``: 每万人口配备1—1.5名卫生监督员; 城市地区每3万人口、农村地区每1万
  人口配置1辆救护车 (one norm per scope); 每万常住人口1.75人 (疾控人员) …
- ``presence`` and ``count_per_population``: 每个乡(镇)办好1个乡(镇)卫生院; 每个街道办事处范围或
  每3万—10万居民设置1个社区卫生服务中心; 常住人口800人以上的行政村应设置村卫生室 …
- ``service_circle``: 15分钟服务圈; 服务半径不超过5千米或救护车平均到达时间15分钟以内 …
- ``bed_efficiency``: 病床使用率低于75%、平均住院日高于9天…不再增加床位; ``max_alos``;
- ``share``: 负压救护车占比不低于30%; 卫生技术人员占编制总额的比例不低于70%; 急诊科观察床
  占总床位的2%—3%; 中医床位数不少于医院床位总数的5% …
- ``department_share``: 60%以上的二级以上综合医院开设精神(心理)科门诊 …
- ``per_facility_minimum``: 每个乡(镇)卫生院至少配备1名公共卫生医师 …

Facility words map to the schema's sub-types (`hsplan.region.schema.FACILITY_SUBTYPES`), staff and
equipment words to `resources` columns; a norm whose resource or facility is not known is
not emitted (it would not be checkable).
"""

from __future__ import annotations

import re
from typing import Any

from hsplan.plans.extract._text import DASH, NUM, clean_number, parse_number, sentences

# --- vocabularies -----------------------------------------------------------------------------

_TOWNSHIP_HC = ["乡镇卫生院", "中心乡镇卫生院"]
# (pattern, sub-types) — longest phrases first; a matched phrase is blanked before the next
_FACILITY_WORDS: tuple[tuple[str, Any], ...] = (
    (r"社区卫生服务中心[(（]站[)）]", ["社区卫生服务中心", "社区卫生服务站"]),
    (r"社区卫生服务中心", "社区卫生服务中心"),
    (r"社区卫生服务站", "社区卫生服务站"),
    (r"中心乡[(（]?镇[)）]?卫生院|中心卫生院", "中心乡镇卫生院"),
    (r"乡[(（]?镇[)）]?卫生院|镇卫生院|乡卫生院", _TOWNSHIP_HC),
    (r"村卫生室", "村卫生室"),
    (r"疾病预防控制中心|疾病预防控制机构|疾控中心|疾控机构", "疾病预防控制中心"),
    (r"妇幼保健院|妇幼保健机构|妇幼保健计划生育服务(?:中心|机构)", "妇幼保健院"),
    (r"中西医结合医院", "中西医结合医院"),
    (r"中医类医院|中医医院", "中医医院"),
    (r"精神专科医院|精神病医院", "精神病医院"),
    (r"传染病医院", "传染病医院"),
    (r"综合性?医院", "综合医院"),
    (r"急救中心[(（]站[)）]|急救站点|急救分站|急救站", ["急救中心", "急救站"]),
    (r"托育(?:综合服务中心|服务机构|机构)", "托育机构"),
)
_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    (r"发热门诊", "发热门诊"), (r"发热诊室", "发热诊室"),
    (r"感染性疾病科|感染科", "感染性疾病科"), (r"老年医学科", "老年医学科"),
    (r"中医馆|国医堂|中医阁|中医药[(（]?\S{0,4}?[)）]?馆", "中医馆"),
    (r"康复[(（]?医学[)）]?科|康复科", "康复医学科"), (r"精神[(（]?心理[)）]?科|精神科", "精神科"),
    (r"急诊科", "急诊科"), (r"重症医学科", "重症医学科"), (r"治未病", "治未病科"),
    (r"公共卫生科", "公共卫生科"), (r"心理门诊", "心理门诊"), (r"预防保健科", "预防保健科"),
    (r"全科医学科", "全科医学科"), (r"安宁疗护科", "安宁疗护科"),
)
_RESOURCES: tuple[tuple[str, Any, Any], ...] = (
    # (pattern, resource column(s), implied facility)
    (r"卫生监督员|执法监督人员|监督执法人员", "health_inspectors", None),
    (r"全科医生", "gps", None),
    (r"公共卫生医师", "public_health_physicians", None),
    (r"乡村医生", ["village_doctors", "doctors_licensed", "doctors_assistant"], None),
    (r"精神科医师", "psychiatrists", None),
    (r"注册护士|护士", "nurses", None),
    (r"药师", "pharmacists", None),
    (r"执业[(（]助理[)）]医师", ["doctors_licensed", "doctors_assistant"], None),
    (r"疾控人员|疾病预防控制中心人员|疾控机构人员", "staff_total", "疾病预防控制中心"),
    (r"保健人员", "staff_health_tech", "妇幼保健院"),
    (r"负压救护车", "ambulances_negative_pressure", None),
    (r"救护车", "ambulances", None),
    (r"托位", "childcare_places", None),
)


def facility_selector(phrase: str) -> Any:
    """Return the facility selector a phrase names (a sub-type, a list, or a mapping with
    ``grade_min`` / ``ownership`` / ``government_run`` / ``admin_level``), None if none.

    ``二级以上综合医院`` → ``{subtype: 综合医院, grade_min: 二级}``;
    ``乡镇卫生院、社区卫生服务中心`` → ``[乡镇卫生院, 中心乡镇卫生院, 社区卫生服务中心]``.
    """
    subtypes: list[str] = []
    rest = phrase
    for pattern, sub in _FACILITY_WORDS:
        if re.search(pattern, rest):
            for s in sub if isinstance(sub, list) else [sub]:
                if s not in subtypes:
                    subtypes.append(s)
            rest = re.sub(pattern, "　", rest)
    selector: dict[str, Any] = {}
    if not subtypes:
        if re.search(r"公立医院|公立医疗机构|医院", phrase):
            selector["category"] = "医院"
        else:
            return None
    grade = re.search(r"([二三])级(?:及)?以上", phrase)
    if grade:
        selector["grade_min"] = f"{grade.group(1)}级"
    elif re.search(r"三级(?:综合|公立|医院)", phrase):
        selector["grade_min"] = "三级"
    if "政府办" in phrase:
        selector["government_run"] = True
    elif "公立" in phrase:
        selector["ownership"] = "公立"
    if re.search(r"[区县]级|[区县]办|[区县]属", phrase):
        selector["admin_level"] = "县属"
    if not selector:
        return subtypes[0] if len(subtypes) == 1 else subtypes
    if subtypes:
        selector = {"subtype": subtypes[0] if len(subtypes) == 1 else subtypes, **selector}
    return selector


def _resource(phrase: str) -> tuple[Any, Any] | None:
    for pattern, column, facility in _RESOURCES:
        if re.search(pattern, phrase):
            return column, facility
    return None


def _department(phrase: str) -> str | None:
    for pattern, dept in _DEPARTMENTS:
        if re.search(pattern, phrase):
            return dept
    return None


# --- the extractor ----------------------------------------------------------------------------


def prose_norms(text: str) -> list[dict[str, Any]]:
    """Return the configuration norms written in prose in `text`, as plan-format dicts.

    Each dict has ``id`` (N01 …), ``rule``, ``params`` (per docs/plan-format.md), ``quote``
    (the clause(s) stating the norm, a substring of the whitespace-collapsed text) and
    ``note`` None. Norms are returned in document order, duplicates (same rule, params and
    quote) once.
    """
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    seen_text: set[str] = set()
    for sent in sentences(text):
        for cell in sent.text.split(" | "):
            cell = cell.strip(" |")
            if not cell or len(cell) > 800 or len(re.findall(r"预期性|约束性", cell)) > 1:
                continue
            checkable: list[str] = []
            for finder in _FINDERS:
                for rule, params, span in finder(cell):
                    quote = _clause_span(cell, span)
                    checkable.append(quote)
                    key = (rule, repr(sorted(params.items())), quote)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append({"rule": rule, "params": params, "quote": quote, "note": None})
            for quote, reason in _text_norms(cell, sent.section):
                if any(quote in q or q in quote for q in checkable) or quote in seen_text:
                    continue
                seen_text.add(quote)
                out.append({"rule": "text", "params": {"reason": reason}, "quote": quote,
                            "note": None})
    for i, item in enumerate(out, 1):
        item["id"] = f"N{i:02d}"
    return out


def _clause_span(s: str, span: tuple[int, int]) -> str:
    """The clause(s) of `s` around `span`: from the previous ，,；;。 to the next one."""
    start, end = span
    left = max(s.rfind(ch, 0, start) for ch in "，,；;。：:")
    right_candidates = [i for i in (s.find(ch, end) for ch in "，,；;。") if i != -1]
    right = min(right_candidates) if right_candidates else len(s)
    return s[left + 1:right].strip()


Found = list[tuple[str, dict[str, Any], tuple[int, int]]]

_SCOPE = {"城市": "urban", "城区": "urban", "农村": "rural"}
_PER_POP = re.compile(
    r"(?P<scope>城市地区|城市|城区|农村地区|农村)?[^，,；;。每]{0,6}?每\s*(?P<n>" + NUM +
    r"|[千万])\s*(?P<wan>万)?\s*(?:常住|服务)?(?:人口|人|居民)"
)


def _resource_per_population(s: str) -> Found:
    out: Found = []
    hits = list(_PER_POP.finditer(s))
    for i, m in enumerate(hits):
        # what follows, up to the next per-population phrase or clause end
        stop = hits[i + 1].start() if i + 1 < len(hits) else len(s)
        tail = s[m.end():stop]
        tail = re.split(r"[，,；;。]", tail)[0] if not re.match(r"[、]", tail) else tail
        if re.match(r"[^\d]{0,16}?数", tail):
            continue  # "每千人口注册护士数达到3.1人" is an indicator target, not a norm
        tail = tail[:24]
        if m.group("n") == "千":
            per = 1000
        elif m.group("n") == "万":
            per = 10000
        else:
            n = parse_number(m.group("n")) or 0
            per = int(n * (10000 if m.group("wan") else 1))
        if per < 1000:
            continue
        amount = re.search(r"(?:不低于|不少于|至少)?\s*(?P<v1>" + NUM + r")\s*(?:(?:" + DASH +
                           r")\s*(?P<v2>" + NUM + r"))?\s*(?P<unit>名|人|辆|张|个)", tail)
        if not amount and i + 1 < len(hits):
            # "城市地区每3万人口、农村地区每1万人口配置1辆救护车": the amount is shared
            rest = s[stop:]
            amount = re.search(r"(?P<v1>" + NUM + r")\s*(?:(?:" + DASH + r")\s*(?P<v2>" + NUM +
                               r"))?\s*(?P<unit>名|人|辆|张|个)", re.split(r"[，,；;。]", rest)[0])
            what_text = re.split(r"[，,；;。]", rest)[0]
        else:
            what_text = tail
        if not amount:
            continue
        context = s[max(0, m.start() - 30):m.start()]
        res = _resource(what_text) or _resource(context)
        if res is None:
            continue
        column, facility = res
        if re.search(r"疾病预防控制|疾控", context + what_text) and column == "staff_total":
            facility = "疾病预防控制中心"
        if re.search(r"妇幼保健", context + what_text) and facility is None \
                and column in ("staff_health_tech", "staff_total"):
            facility = "妇幼保健院"
        v1 = clean_number(float(amount.group("v1")))
        params: dict[str, Any] = {"resource": column, "per_pop": per, "min": v1}
        if amount.group("v2"):
            params["max"] = clean_number(float(amount.group("v2")))
        scope = re.search(r"城市|城区|农村", m.group(0))
        if scope:
            params["scope"] = _SCOPE[scope.group(0)]
        if facility:
            params["facility"] = facility
        out.append(("resource_per_population", params, (m.start(), m.end())))
    return out


_COUNT_PER_POP = re.compile(
    r"每\s*(?P<a>\d+(?:\.\d+)?)\s*万?\s*(?:" + DASH + r")\s*(?P<b>\d+(?:\.\d+)?)\s*万\s*"
    r"(?:常住)?(?:居民|人口)[^，,；;。]{0,8}?设置\s*(?:1|一)\s*[个所家](?P<what>[^，,；;。]{2,16})"
)
_PRESENCE_EACH = re.compile(
    r"每个?\s*(?P<area>乡[(（]?镇[)）]?|乡镇|镇|街道办事处|街道|行政村|县[(（]?市、?区[)）]?|区县)"
    r"(?:范围)?[^，,；;。每]{0,6}?(?:办好|设置|设立|建设|建好|规划设置|至少设置)\s*(?P<n>\d+|一)\s*"
    r"[个所家]\s*(?P<what>[^，,；;。]{2,20})"
)
_PRESENCE_COUNTY = re.compile(
    r"(?:(?P<pop>\d+)\s*万(?:以上)?人口(?:以上)?的)?(?:县[(（]市、?区[)）]|区县|县区|各县)?"
    r"(?:原则上)?(?:应|要)?(?:至少)?(?:设立|设置|拥有|举办)\s*(?:1|一)\s*[个所家]"
    r"(?P<what>[^，,；;。]{2,40})"
)
_VILLAGE = re.compile(r"(?:常住)?人口\s*(?P<pop>\d+)\s*人以上的行政村(?:应)?设置村卫生室")


def _presence(s: str) -> Found:
    out: Found = []
    for m in _COUNT_PER_POP.finditer(s):
        fac = facility_selector(m.group("what"))
        if fac is None:
            continue
        out.append(("count_per_population", {
            "facility": fac, "per_pop_min": int(float(m.group("a")) * 10000),
            "per_pop_max": int(float(m.group("b")) * 10000), "area_level": "county"},
            m.span()))
    for m in _PRESENCE_EACH.finditer(s):
        area = m.group("area")
        what = m.group("what")
        if "街道" in area and re.search(r"每\s*\d", s[m.end("area"):m.start("what")]):
            what = s[m.start("what"):].split("，")[0]
        fac = facility_selector(what)
        if fac is None:
            continue
        level, where = "township", {}
        if "村" in area:
            level = "village"
        elif "县" in area:
            level = "county"
        elif "街道" in area:
            where = {"area_kind": "street"}
        else:
            where = {"area_kind": "town"}
        params: dict[str, Any] = {"area_level": level, "facility": fac,
                                  "min_count": int(parse_number(m.group("n")) or 1)}
        if "政府办" in what and isinstance(fac, list):
            params["facility"] = {"subtype": fac, "government_run": True}
        if where:
            params["where"] = where
        out.append(("presence", params, m.span()))
    if not out:
        for m in _PRESENCE_COUNTY.finditer(s):
            head = s[:m.start()]
            if re.search(r"每个?\s*$|[乡镇村街道社区]$", head):
                continue
            pieces = re.split(r"和|、", m.group("what"))
            for piece in pieces:
                piece = re.sub(r"^\s*(?:1|一)\s*[个所家]", "", piece)
                fac = facility_selector(piece)
                if fac is None or not re.search(r"医院|中心|机构|卫生院", piece):
                    continue
                if re.search(r"县办|[区县]级", piece):
                    fac = _with(fac, admin_level="县属", ownership="公立")
                params = {"area_level": "county", "facility": fac, "min_count": 1}
                if m.group("pop"):
                    params["where"] = {"min_pop": int(m.group("pop")) * 10000}
                out.append(("presence", params, m.span()))
    for m in _VILLAGE.finditer(s):
        out.append(("presence", {"area_level": "village", "facility": "村卫生室",
                                 "min_count": 1, "where": {"min_pop": int(m.group("pop"))}},
                    m.span()))
    return out


def _with(fac: Any, **extra: Any) -> dict[str, Any]:
    base = dict(fac) if isinstance(fac, dict) else {"subtype": fac}
    for k, v in extra.items():
        base.setdefault(k, v)
    return base


_CIRCLE = re.compile(
    r"(?P<min>\d+)\s*分钟”?(?P<kind>[^，,；;。“”\d]{0,12}?)"
    r"(?:服务圈|服务半径|急救圈|就医圈)"
)
_RADIUS = re.compile(
    r"(?P<scope>城市地区|城市|城区|农村地区|农村)?\s*服务半径"
    r"(?:不超过|不大于|在)?\s*(?P<km>" + NUM +
    r")\s*(?:千米|公里|km)(?:[^，,；;。]{0,20}?到达时间(?:在|控制在)?\s*(?P<min>\d+)\s*分钟)?"
)


def _service_circle(s: str) -> Found:
    out: Found = []
    for m in _CIRCLE.finditer(s):
        kind = m.group("kind") + s[max(0, m.start() - 20):m.start()]
        if re.search(r"托育|照护", kind):
            fac: Any = "托育机构"
        elif re.search(r"急救", kind):
            fac = ["急救中心", "急救站"]
        elif re.search(r"镇卫生院|乡镇", kind):
            fac = _TOWNSHIP_HC
        else:
            fac = {"category": "基层医疗卫生机构"}
        params: dict[str, Any] = {"facility": fac, "minutes": int(m.group("min")),
                                  "min_share_pct": 100}
        scope = re.search(r"(城市|城区|农村)", s[max(0, m.start() - 6):m.end()])
        if scope:
            params["scope"] = _SCOPE[scope.group(1)]
        out.append(("service_circle", params, m.span()))
    for m in _RADIUS.finditer(s):
        tail = s[m.end():m.end() + 30]
        minutes = m.group("min")
        if not minutes:
            t = re.search(r"到达时间(?:在|控制在)?\s*(\d+)\s*分钟", tail)
            minutes = t.group(1) if t else None
        params = {"facility": ["急救中心", "急救站"] if re.search("急救|救护车", s)
                  else {"category": "基层医疗卫生机构"},
                  "distance_km": clean_number(float(m.group("km"))), "mode": "drive"}
        if minutes:
            params["minutes"] = int(minutes)
        if m.group("scope"):
            params["scope"] = _SCOPE[m.group("scope")[:2]]
        out.append(("service_circle", params, m.span()))
    return out


_BED_EFF = re.compile(
    r"(?P<fac>[^，,；;。]{0,12}?)(?:病床|床位)使用率低于\s*(?P<occ>\d+)\s*%[、，,]?\s*"
    r"平均住院日(?:高于|超过)\s*(?P<alos>\d+)\s*天(?P<after>[^。；;]{0,30})"
)
_MAX_ALOS = re.compile(
    r"(?P<fac>[^，,；;。]{2,12}?)平均住院日控制在\s*(?P<d>" + NUM + r")\s*天以?内"
)


def _beds(s: str) -> Found:
    out: Found = []
    for m in _BED_EFF.finditer(s):
        fac = facility_selector(m.group("fac") + m.group("after")) or {
            "subtype": "综合医院", "ownership": "公立"}
        out.append(("bed_efficiency", {"facility": fac, "max_occupancy_pct": int(m.group("occ")),
                                       "min_alos_days": int(m.group("alos"))}, m.span()))
    for m in _MAX_ALOS.finditer(s):
        fac = facility_selector(m.group("fac"))
        if fac is None:
            continue
        out.append(("max_alos", {"facility": fac,
                                 "max_alos_days": clean_number(float(m.group("d")))}, m.span()))
    return out


_PCT = r"(?P<a>" + NUM + r")\s*%?\s*(?:(?:" + DASH + r")\s*(?P<b>" + NUM + r")\s*)?%"


def _share(s: str) -> Found:
    out: Found = []

    def pct_params(m: re.Match[str], op_text: str) -> dict[str, Any]:
        a = clean_number(float(m.group("a")))
        if m.group("b"):
            return {"min_pct": a, "max_pct": clean_number(float(m.group("b")))}
        return {"max_pct": a} if re.search(r"不高于|不超过|以下", op_text) else {"min_pct": a}

    m = re.search(r"负压救护车(?:占比|比例)?[^，,；;。]{0,6}?"
                  r"(?P<op>不低于|不少于|达到)\s*" + _PCT, s)
    if m:
        out.append(("share", {"numerator": {"resource": "ambulances_negative_pressure"},
                              "denominator": {"resource": "ambulances"},
                              **pct_params(m, m.group("op"))}, m.span()))
    m = re.search(r"卫生技术\s*人员(?:占编制总额的比例|占比)?\s*(?P<op>不得低于|不低于|不少于)\s*"
                  + _PCT, s)
    if m:
        params: dict[str, Any] = {"numerator": {"resource": "staff_health_tech"},
                                  "denominator": {"resource": "staff_total"},
                                  **pct_params(m, m.group("op"))}
        if re.search(r"疾病预防控制|疾控", s):
            params["facility"] = "疾病预防控制中心"
        out.append(("share", params, m.span()))
    m = re.search(r"(?P<fac>[^，,；;。]{0,20}?)中医类别医师占比\s*"
                  r"(?P<op>不低于|不少于|达到)\s*" + _PCT, s)
    if m:
        params = {"numerator": {"resource": "tcm_doctors"},
                  "denominator": {"resource": ["doctors_licensed", "doctors_assistant"]},
                  **pct_params(m, m.group("op"))}
        fac = facility_selector(m.group("fac"))
        if fac is not None:
            params["facility"] = fac
        out.append(("share", params, m.span()))
    m = re.search(r"(?P<fac>[^，,；;。]{0,8}?)中医床位数?"
                  r"(?P<op>不少于|不低于)医院床位总数的\s*" + _PCT, s)
    if m:
        params = {"numerator": {"resource": "beds_tcm"}, "denominator": {"resource": "beds"},
                  **pct_params(m, m.group("op"))}
        fac = facility_selector(m.group("fac"))
        if fac is not None:
            params["facility"] = fac
        out.append(("share", params, m.span()))
    m = re.search(r"(?:按医院床位的\s*" + _PCT + r"\s*设置急诊科?观察床)", s) or re.search(
        r"急诊科?观察床位?[，,]?\s*占总床位的\s*" + _PCT, s)
    if m:
        head = s[:m.start()]
        fac = facility_selector(head[-20:]) if facility_selector(head[-20:]) else {"category":
                                                                                   "医院"}
        out.append(("share", {"numerator": {"resource": "beds_emergency_obs"},
                              "denominator": {"resource": "beds"},
                              **pct_params(m, ""), "facility": fac},
                    (max(0, m.start() - 20) if head else m.start(), m.end())))
    return out


_DEPT_VERB = r"设置|设立|开设|建成|建设|设有|实现|配备"


# optional or encouraged (有条件的, 鼓励, 可根据需求), a means (为依托), a target share (比例达到
# 65%), observation beds (a bed share), or one named institution (区人民医院设置…: a task)
_NOT_DEPT_RULE = re.compile(r"有条件的|鼓励|支持|可根据|根据需|为依托|比例达到|观察床|"
                            r"(?<![级各])(?:区|县|市)(?:第.人民|人民|中医|妇幼|疾病|精神)"
                            r"(?![^，,；;。]*等)")


def _department_share(s: str) -> Found:
    out: Found = []
    for clause_m in re.finditer(r"[^，,；;。]+", s):
        clause = clause_m.group(0)
        dept = _department(clause)
        if dept is None or _NOT_DEPT_RULE.search(clause):
            continue
        dept_at = min((m.start() for p, _ in _DEPARTMENTS for m in re.finditer(p, clause)),
                      default=len(clause))
        verbs = [m for m in re.finditer(_DEPT_VERB, clause) if m.start() < dept_at]
        if verbs:
            subj = clause[:verbs[-1].start()]
        elif "全覆盖" in clause[dept_at:]:
            subj = clause[:dept_at]
        else:
            continue
        dept_in_subj = _department(subj)
        if dept_in_subj and not re.search("全覆盖", clause):
            continue
        fac = facility_selector(subj if not dept_in_subj else clause)
        if fac is None:
            continue
        pct = re.search(r"(\d+)\s*%", subj)
        if pct:
            min_pct = int(pct.group(1))
        elif re.search(r"所有|全部|均|各|全覆盖|普遍|\d+\s*%", clause) or True:
            min_pct = 100
        out.append(("department_share", {"facility": fac, "department": dept,
                                         "min_pct": min_pct}, clause_m.span()))
    return out


_PER_FACILITY = re.compile(
    r"(?P<fac>[^，,；;。]{2,30}?)(?:原则上)?(?:至少|不少于)\s*配备\s*(?P<n>\d+|一)\s*名(?P<what>[^，,；;。]{2,12})"
    r"|(?P<fac2>[^，,；;。]{2,20}?)有至\s*少\s*(?P<n2>\d+)\s*名(?:合格)?(?P<what2>[^，,；;。]{2,8})"
)


def _per_facility(s: str) -> Found:
    out: Found = []
    for m in _PER_FACILITY.finditer(s):
        fac_text = m.group("fac") or m.group("fac2")
        what = m.group("what") or m.group("what2")
        n = parse_number(m.group("n") or m.group("n2"))
        res = _resource(what)
        if res is None or n is None or re.search(r"每万|每千|人口", fac_text):
            continue
        column = res[0]
        if isinstance(column, list):
            column = column[0]
        parts = re.split(r"和(?=[^，,]*$)", fac_text) if "和" in fac_text else [fac_text]
        for part in parts:
            fac = facility_selector(part)
            if fac is None:
                continue
            out.append(("per_facility_minimum", {"facility": fac, "resource": column,
                                                 "min": clean_number(n)}, m.span()))
    return out


# --- norms that cannot be checked from the model ----------------------------------------------

# configuration statements: a quantified subject (每个…, 每万人…, 所有…, 至少1所…) with a
# configuration verb, a share of posts (占编制…不低于X%), a reserve (预留), an ownership or
# licensing rule. Each becomes a `text` norm when no checkable rule reads the same clause.
_TEXT_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:^|为|按照?|实现|保证|确保)?每(?:个|一个|\s*\d+(?:\.\d+)?\s*万?|[千万])?\s*"
                r"(?:[^，,；;。每]{0,24}?)(?:配备|配置|设置|设立|核定|培养|有医师|接受|开展)"),
     "a per-facility, per-area or per-population configuration of a resource, post or "
     "activity that is not a column of the model"),
    (re.compile(r"占[^，,；;。]{0,16}?(?:编制|比例)[^，,；;。]{0,12}?(?:不得低于|不低于|不少于|不超过)"
                r"\s*\d+(?:\.\d+)?\s*%|所占编制不得低于"),
     "a share of authorised posts (编制) or of staff groups that the model does not record"),
    (re.compile(r"预留[^，,；;。]{0,16}?(?:床位|指标)|床位[^，,；;。]{0,20}?预留"),
     "a planning reserve for facilities not yet built, not a count of existing resources"),
    (re.compile(r"至少(?:要)?有?\s*(?:1|一)\s*[所家个处][^，,；;。]{0,20}?(?:设置|设立|承担)|"
                r"(?:至少|确定至少)\s*(?:设|设置|设立)?\s*(?:1|一)\s*[个处家所][^，,；;。]{2,14}?"
                r"(?:点|病区|机构)$|^设立\s*(?:1|一)\s*[个处][^，,；;。]{2,10}病区"),
     "a count of designated facilities, wards or points that the model does not record as "
     "a facility kind or department"),
    (re.compile(r"^(?:所有|全部|各级各类|全区|全市|全县)[^，,；;。]{0,24}?(?:医疗卫生机构|医院|"
                r"卫生服务中心|卫生院|公共卫生机构)[^，,；;。]{0,8}?(?:均|严格|100%)?\s*"
                r"(?:设置|设立|落实|有)"),
     "a configuration every facility of a kind must have, of a department, post or practice "
     "that the model does not record"),
    (re.compile(r"原则上由政府(?:主办|举办)|不受规划布局限制|按照服务人口、业务量"),
     "an ownership, licensing or staffing principle without a figure"),
    (re.compile(r"\d+\s*%以上的县[(（]市、?区[)）]建成|设置全覆盖$|普遍建成"),
     "a share of areas or facilities reaching a designation the model does not record"),
)
_NOT_NORM = re.compile(r"人次|覆盖率|知晓率|满意度|签约|[^\d]\d{4}\s*年$")


def _text_norms(cell: str, section: str | None) -> list[tuple[str, str]]:
    """(quote, reason) for each clause of `cell` that states a configuration norm (see
    `_TEXT_FORMS`); the caller drops those a checkable rule already read."""
    if section and re.search(r"背景|基础|成就|成绩|现状|回顾|问题|面临", section):
        return []
    out: list[tuple[str, str]] = []
    for m in re.finditer(r"[^，,；;。]+", cell):
        clause = m.group(0).strip()
        if len(clause) < 6 or _NOT_NORM.search(clause):
            continue
        for pattern, reason in _TEXT_FORMS:
            if pattern.search(clause):
                out.append((clause, reason))
                break
    return out


_FINDERS = (_resource_per_population, _presence, _service_circle, _beds, _share,
            _department_share, _per_facility)

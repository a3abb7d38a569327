"""A plan document's metadata: title, kind, region (with its division code), issuer, date of
issue and plan period.

The title is the first line that names a plan (ends in 规划 / 实施方案 / 行动计划, possibly
wrapped over two lines), else the document named in 《…》 near the top, else the one a
notice issues (关于印发…的通知). The region is the county (or else city) whose name occurs
in the title, disambiguated by its city and province names, and is given its GB/T 2260
code from `hsplan.region.reference`. The period is read from the title (``十四五`` → 2021–2025,
``(2023-2025年)``), else from the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pandas as pd

from hsplan.region import reference

KINDS = ("规划", "行动计划", "实施方案")
FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}

_WS = re.compile(r"[\s\u00a0\u3000*#]+")
# the kind of plan ends the line, or a bracket after it does (…规划(2021-2025年)); not a
# line of the contents (第一章 规划背景和总体要求 5)
_KIND_END = re.compile(
    r"(规划|实施方案|行动计划|行动方案|方案|计划)\s*(?:[(（][^()（）]{0,20}[)）])?$")
_ORG = r"[\u4e00-\u9fa5]{2,30}?(?:人民政府办公室|人民政府办公厅|人民政府|管理委员会|管委会|" \
       r"卫生健康委员会|卫生健康局|卫生和计划生育委员会|卫健委|卫健局|社会事业管理局)"
_DATE_LINE = re.compile(r"^((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_RANGE = re.compile(r"((?:19|20)\d\d)\s*年?\s*[-—–~～至]+\s*((?:19|20)\d\d)\s*年")


@dataclass(frozen=True)
class Metadata:
    """What a document says about itself. Fields the document does not state are None
    (`title` falls back to the file name, `kind` to 规划)."""

    title: str
    title_found: bool
    kind: str
    region_code: str | None
    region_name: str | None
    region_level: str | None
    issuer: str | None
    date: str | None
    period_start: int | None
    period_end: int | None
    baseline_year: int | None


def _clean(line: str) -> str:
    return _WS.sub("", line)


def _lines(text: str) -> list[str]:
    return [c for c in (_clean(ln) for ln in text.split("\n")) if c]


def find_title(text: str) -> str | None:
    """Return the document's title, None when it states none (see the module notes)."""
    lines = _lines(text[:6000])
    for i, line in enumerate(lines[:60]):
        if len(line) <= 60 and _KIND_END.search(line) and "。" not in line \
                and not line.startswith(("关于", "附件", "《")) and "的通知" not in line:
            prev = lines[i - 1] if i else ""
            if prev and len(prev) <= 30 and not re.search(r"[。,，:：;；、]|\d{4}年", prev) \
                    and not _KIND_END.search(prev) and re.search(r"[\u4e00-\u9fa5]$", prev) \
                    and len(line) <= 20:
                return prev + line  # a title wrapped over two lines
            return line
    head = "\n".join(lines[:10])
    for m in re.finditer(r"《([^《》]{4,80})》", head):
        before = head[max(0, m.start() - 12):m.start()]
        if re.search(r"根据|依据|贯彻|落实|按照|参照|对照|结合|、$", before):
            continue  # a document the plan implements, not the plan itself
        if _KIND_END.search(m.group(1)) or "征求意见稿" in m.group(1):
            return m.group(1)
    issued = re.search(r"关于印发(.{4,80}?)的通知", head)
    if issued:
        return issued.group(1).strip("《》")
    return None


def find_kind(title: str | None, text: str) -> str:
    """Return 规划, 行动计划 or 实施方案 from the title's last word, else from how the text
    calls itself (本规划 / 本方案 / 本计划); 规划 when nothing says."""
    if title:
        t = re.sub(r"[(（][^()（）]*[)）]$", "", title)
        if t.endswith("规划"):
            return "规划"
        if t.endswith("计划"):
            return "行动计划"
        if t.endswith("方案"):
            return "实施方案"
    counts = {k: text.count(w) for k, w in (("规划", "本规划"), ("实施方案", "本方案"),
                                             ("行动计划", "本计划"))}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "规划"


def find_period(title: str | None, text: str,
                date: str | None = None) -> tuple[int | None, int | None]:
    """Return (start, end) years of the plan period: ``十四五`` → (2021, 2025),
    ``(2023-2025年)`` → (2023, 2025), from the title first, then the text (the latest period
    named, 十四五 before the 十三五 it looks back on; see the code notes); else from the
    year the text most often aims at (``到2025年``) and the year of issue (`date`, or the
    first full date the text names); (None, None) when none of these is stated."""
    limit = int(date[:4]) + 1 if date else None
    for source in (title or "", text[:20000]):
        found = [(int(m.group(1)), int(m.group(2))) for m in _RANGE.finditer(source)
                 if int(m.group(1)) < int(m.group(2))]
        found += [period for word, period in FIVE_YEAR_PLANS.items() if word in source]
        if found:
            # the plan's own period is the latest one it names (a 十四五 plan looks back
            # on 十三五), the longest of those ending that year (十四五 over a 2023–2025
            # step), and none that starts after the year of issue
            usable = [p for p in found if limit is None or p[0] <= limit] or found
            end = max(p[1] for p in usable)
            return min(p for p in usable if p[1] == end)
    aims = Counter(int(y) for y in re.findall(r"(?:到|至)\s*((?:19|20)\d\d)\s*年", text))
    if not aims:
        return None, None
    end = max(aims, key=lambda y: (aims[y], y))
    issued = re.search(r"((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", text)
    start = int(date[:4]) if date else int(issued.group(1)) if issued else None
    if start is None or start > end:
        return None, None
    return start, end


def find_issuer_and_date(text: str) -> tuple[str | None, str | None]:
    """Return (issuer, ISO date): the body named in ``X关于印发…`` or on the line above a
    date line (``2023年11月30日``), and that date; None where the document does not say."""
    lines = _lines(text)
    issuer = None
    date = None
    for i, line in enumerate(lines):
        m = _DATE_LINE.match(line)
        if m:
            prev = lines[i - 1] if i else ""
            if re.fullmatch(_ORG, prev):
                issuer = issuer or prev
            date = date or f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            if issuer:
                break
    head = "\n".join(lines[:15])
    m = re.search(rf"(?:^|\n)({_ORG})\n?关于印发", head)
    if m:
        issuer = m.group(1)
    if issuer is None:
        for line in lines[:40]:
            if re.fullmatch(_ORG, line):
                issuer = line
                break
    return issuer, date


_ABBREVIATIONS = (("经开区", "经济技术开发区"), ("高新区", "高新技术产业开发区"))


@cache
def _places() -> pd.DataFrame:
    """Counties and cities with their province and city names, longest names first."""
    counties = reference.counties()[["code", "name", "city", "province"]].copy()
    counties["level"] = "county"
    cities = reference._nbs_cities()  # city codes and names (4 digits)
    provinces = reference._nbs_provinces().set_index("code")["name"]
    city_rows = pd.DataFrame({
        "code": cities["code"].astype(str).str.ljust(6, "0"), "name": cities["name"],
        "city": cities["name"],
        "province": cities["provinceCode"].astype(str).map(provinces).fillna(""),
        "level": "city"})
    city_rows = city_rows[~city_rows["name"].isin(["市辖区", "县", "省直辖县级行政区划"])]
    streets = reference._nbs_streets()
    zones = streets[streets["name"].astype(str).str.contains("开发区|高新区|新区$")
                    & streets["code"].astype(str).str[6] .eq("4")]
    zone_rows = pd.DataFrame({
        "code": zones["code"].astype(str), "name": zones["name"],
        "city": zones["cityCode"].astype(str).map(cities.set_index(
            cities["code"].astype(str))["name"]).fillna(""),
        "province": zones["provinceCode"].astype(str).map(provinces).fillna(""),
        "level": "county"})
    places = pd.concat([counties, city_rows, zone_rows], ignore_index=True)
    places["len"] = places["name"].str.len()
    return places[places["len"] >= 2].sort_values("len", ascending=False)


def find_region(title: str | None, text: str) -> tuple[str | None, str | None, str | None]:
    """Return (code, full name, level) of the region the plan is for, (None, None, None)
    when no county or city name occurs in the title (or the first lines)."""
    source = _clean(title or "") or "".join(_lines(text[:3000]))
    for short, full in _ABBREVIATIONS:
        source = source.replace(short, full)
    places = _places()
    hits = places[[name in source for name in places["name"]]]
    if hits.empty:
        return None, None, None

    def score(row: pd.Series) -> tuple[int, int, int, int]:
        city = str(row["city"]).removesuffix("市")
        province = re.sub(r"(省|市|自治区|壮族|回族|维吾尔)+$", "", str(row["province"]))
        return (int(row["level"] == "county"), int(bool(city) and city in source),
                int(bool(province) and province in source), int(row["len"]))

    best = max((row for _, row in hits.iterrows()), key=score)
    if best["level"] == "county":
        city = "" if best["city"] == best["province"] else str(best["city"])
        name = f"{best['province']}{city}{best['name']}"
    else:
        name = f"{best['province']}{best['name']}"
    return str(best["code"]), name, str(best["level"])


def title_block(headings: list[str]) -> str | None:
    """Return the title a document's title block gives — the first of its top-level
    headings (Word's Title / Heading 1 style, HTML ``<h1>``) that names a plan — or None."""
    for text in headings:
        line = _clean(text)
        if 6 <= len(line) <= 80 and _KIND_END.search(line) and "。" not in line \
                and not line.startswith(("关于", "附件", "《")) and "的通知" not in line \
                and not _HEADING_START.match(line):
            return line
    return None


def document_metadata(text: str, *, name: str, headings: list[str] | None = None) -> Metadata:
    """Return the `Metadata` of a document's text (`name` is the fallback title;
    `headings` the document's top-level headings, whose plan title is preferred)."""
    title = title_block(headings or []) or find_title(text)
    kind = find_kind(title, text)
    issuer, date = find_issuer_and_date(text)
    start, end = find_period(title, text, date)
    code, region, level = find_region(title, text)
    baseline = start - 1 if start is not None and any(
        w in (title or "") + text[:20000] for w in FIVE_YEAR_PLANS) else None
    return Metadata(title=title or name, title_found=title is not None, kind=kind,
                    region_code=code, region_name=region, region_level=level, issuer=issuer,
                    date=date, period_start=start, period_end=end, baseline_year=baseline)


_HEADING_START = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|"
                            r"[(（][一二三四五六七八九十]+[)）]|\d{1,2}\s*[.．、]|附件|附表|关于|《)")
MIN_PLAN_CHARS = 300


def _title_key(title: str) -> str:
    key = re.sub(r"[\s“”\"'‘’《》]", "", title)
    return re.sub(r"[(（](?:征求意见稿|草案|试行|送审稿)[)）]$", "", key)


def plan_starts(text: str) -> list[tuple[int, str]]:
    """Return (offset, title) of each plan a document holds: every line that reads as a
    plan title (as `find_title`: ends in 规划 / 实施方案 / 行动计划, no 。, not a notice,
    annex or heading) naming a plan not named by an earlier such line, with at least 300
    characters of text after it. One entry for a document that holds one plan (its title
    repeated in the notice that issues it, or in an annex, counts once); none when no
    line reads as a plan title."""
    out: list[tuple[int, str]] = []
    keys: list[str] = []
    pos = 0
    prev = ("", 0)
    for raw in text.split("\n"):
        line = _clean(raw)
        offset = pos
        pos += len(raw) + 1
        before, prev = prev, (line, offset) if line else prev
        if before[0] and len(line) <= 20 and len(before[0]) <= 30 and _KIND_END.search(line) \
                and not re.search(r"[。,，:：;；、|]|\d{4}年", before[0]) \
                and not _KIND_END.search(before[0]) and not _HEADING_START.match(before[0]) \
                and re.search(r"[\u4e00-\u9fa5]$", before[0]):
            line, offset = before[0] + line, before[1]  # a title wrapped over two lines
        if not (6 <= len(line) <= 60) or "。" in line or "|" in raw or "\t" in raw \
                or not _KIND_END.search(line) or _HEADING_START.match(line) \
                or "的通知" in line or re.search(r"[，,；;：:]", line):
            continue
        key = _title_key(line)
        if any(key in k or k in key for k in keys):
            continue
        keys.append(key)
        out.append((offset, line))
    kept = [(o, t) for k, (o, t) in enumerate(out)
            if len(re.sub(r"\s", "", text[o:out[k + 1][0] if k + 1 < len(out) else len(text)]))
            >= MIN_PLAN_CHARS + len(t)]
    return kept

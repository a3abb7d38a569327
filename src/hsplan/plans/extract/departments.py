"""Government department names normalised to one canonical name per body, the aliases kept.

Plans write the same department several ways: 区发改局 and 区发展和改革局, 卫生健康委 (the
level left out, "排第一位为牵头单位") and 市卫生健康委, 委编办 and 区委机构编制委员会办公室.
A name is read as (level prefix, body, suffix): the level is 区/县/市/省/州/旗 or, when the
name has none, the level most names of the document carry; the body is one of `BODIES`
(each with its short forms). Names of one (level, body) are one department; its canonical
name is the fullest form the document writes (else the name as written with the level in
front). Names run together by a lost separator (``人力资源社会保障财政委编办``) are split
into their bodies first. Names of no known body (市生态环境局江川分局, 区医改领导小组) are
kept as written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# canonical body, then the ways plans write it (longest first when matched)
BODIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("发展和改革", ("发展和改革", "发展改革", "发改")),
    ("卫生健康", ("卫生健康", "卫生和计划生育", "卫健")),
    ("财政", ("财政",)),
    ("人力资源和社会保障", ("人力资源和社会保障", "人力资源社会保障", "人社")),
    ("医疗保障", ("医疗保障", "医保")),
    ("教育体育", ("教育体育", "教体")),
    ("教育", ("教育",)),
    ("科学技术", ("科学技术", "科技")),
    ("市场监督管理", ("市场监督管理", "市场监管")),
    ("机构编制委员会办公室", ("委机构编制委员会办公室", "机构编制委员会办公室", "委编办",
                             "编办")),
    ("自然资源", ("自然资源和规划", "自然资源")),
    ("住房和城乡建设", ("住房和城乡建设", "住房城乡建设", "住建")),
    ("民政", ("民政",)),
    ("应急管理", ("应急管理",)),
    ("生态环境", ("生态环境",)),
    ("工业和信息化", ("工业和信息化", "工信")),
    ("文化和旅游", ("文化和旅游", "文化旅游", "文旅")),
    ("政府办公室", ("人民政府办公室", "政府办公室", "政府办")),
    ("疾病预防控制中心", ("疾病预防控制中心", "疾控中心")),
    ("社会事业管理", ("社会事业管理", "社管")),
    ("经济发展", ("经济发展", "经发")),
    ("农业农村", ("农业农村",)),
    ("乡村振兴", ("乡村振兴",)),
    ("委组织部", ("委组织部",)),
    ("委宣传部", ("委宣传部",)),
    ("医共体", ("医疗共同体", "医共体")),
)
LEVELS = "区县市省州旗"
_SUFFIX = re.compile(r"(?:委员会|办公室|局|委|办|中心|部)?")
_ALIASES = sorted(((alias, body) for body, aliases in BODIES for alias in aliases),
                  key=lambda item: -len(item[0]))


def _body_at(name: str, pos: int) -> tuple[str, int] | None:
    """The body whose written form starts at `pos`, and where the name (with its suffix)
    ends; None when none starts there."""
    for alias, body in _ALIASES:
        if name.startswith(alias, pos):
            end = pos + len(alias)
            m = _SUFFIX.match(name, end)
            return body, m.end() if m else end
    return None


def parse(name: str) -> tuple[str | None, str] | None:
    """Return (level, body) of a department name (``区发改局`` → ("区", "发展和改革")), level
    None when the name states none; None when the name is no known body or says more
    (``市生态环境局江川分局``)."""
    name = name.strip()
    for level, pos in ((None, 0), (name[:1], 1)):
        if level is not None and level not in LEVELS:
            continue
        found = _body_at(name, pos)
        if found is not None and found[1] == len(name):
            return level, found[0]
    return None


def split_run_together(name: str) -> list[str]:
    """Return the department names of `name` when it is several run together
    (``科技卫生健康委`` → [科技, 卫生健康委]); else [name]."""
    if parse(name) is not None:
        return [name]
    parts = _segments(name, 0)
    return parts if parts is not None and len(parts) >= 2 else [name]


def _segments(name: str, pos: int) -> list[str] | None:
    """The names `name[pos:]` is made of, each a known body (a level and a suffix
    optional), or None when it is not made of such names only."""
    if pos == len(name):
        return []
    starts = [pos + 1, pos] if name[pos] in LEVELS else [pos]
    for start in starts:
        for alias, _body in _ALIASES:
            if not name.startswith(alias, start):
                continue
            end = start + len(alias)
            m = _SUFFIX.match(name, end)
            for stop in sorted({m.end() if m else end, end}):  # "委" may start the next
                rest = _segments(name, stop)
                if rest is not None:
                    return [name[pos:stop], *rest]
    return None


class Departments:
    """The departments of one document: canonical name per (level, body) and the aliases
    each was written as. Build with `Departments.from_names`; `canonical(name)` maps."""

    def __init__(self, level: str | None, canonical: dict[tuple[str | None, str], str],
                 aliases: dict[str, list[str]]) -> None:
        self.level = level
        self._canonical = canonical
        self.aliases = aliases

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Departments:
        """Return the departments of the names a document writes (in any order)."""
        written = [n for name in names for n in split_run_together(name.strip()) if n]
        parsed = [(n, parse(n)) for n in written]
        levels = Counter(p[0] for _n, p in parsed if p is not None and p[0] is not None)
        level = levels.most_common(1)[0][0] if levels else None
        best: dict[tuple[str | None, str], str] = {}
        aliases: dict[tuple[str | None, str], list[str]] = {}
        for n, p in parsed:
            if p is None:
                continue
            key = (p[0] or level, p[1])
            aliases.setdefault(key, [])
            if n not in aliases[key]:
                aliases[key].append(n)
            full = n if p[0] is not None else None
            if full is not None and (key not in best or len(full) > len(best[key])):
                best[key] = full
        canonical: dict[tuple[str | None, str], str] = {}
        out_aliases: dict[str, list[str]] = {}
        for key, names_of in aliases.items():
            name = best.get(key) or max(names_of, key=len)
            canonical[key] = name
            others = [a for a in names_of if a != name]
            if others:
                out_aliases[name] = others
        return cls(level, canonical, out_aliases)

    def canonical(self, name: str) -> list[str]:
        """Return the canonical names of `name` (several when it runs several together)."""
        out = []
        for n in split_run_together(name.strip()):
            p = parse(n)
            key = (p[0] or self.level, p[1]) if p is not None else None
            out.append(self._canonical.get(key, n) if key is not None else n)
        return out

    def canonical_list(self, names: Iterable[str]) -> list[str]:
        """Return `names` mapped to canonical names, in order, without duplicates."""
        out: list[str] = []
        for name in names:
            for n in self.canonical(name):
                if n not in out:
                    out.append(n)
        return out


def canonical_departments(names: Iterable[str]) -> dict[str, str]:
    """Return {name as written: canonical name} for the department names of one plan
    (``区发改局`` → ``区发展和改革局`` when the plan also writes the full name)."""
    names = list(names)
    deps = Departments.from_names(names)
    return {n: deps.canonical(n)[0] for n in names}

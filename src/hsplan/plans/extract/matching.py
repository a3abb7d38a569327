"""Indicator names as documents write them, linked to the indicator catalog.

`match_indicator` normalises a name the way tables and prose write it (a ``其中:`` prefix,
a trailing unit in brackets, ``(每万人)`` written after the name instead of before it,
spaces from wrapped cells) and asks `hsplan.plans.indicators.Catalog.match` for the catalog id.
A match is accepted when its score is at least `ACCEPT_SCORE` (the name equals a catalog
name or alias after normalisation); otherwise the indicator stays unlinked and the best
candidates are kept for a person to review.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from hsplan.plans.catalog import Catalog, load_catalog

ACCEPT_SCORE = 0.9
REVIEW_LIMIT = 3

UNITS = ("%", "‰", "‱", "人", "张", "个", "岁", "辆", "名", "所", "家", "台", "床", "元",
         "万元", "天", "日", "次", "人次", "万人次", "小时", "分钟", "/10万", "1/10万", "/万",
         "平方米", "㎡", "公里", "km", "项", "件", "岁/人")
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
UNIT_IN_BRACKETS = re.compile(rf"[(（]\s*({_UNIT_ALT})\s*[)）]$")
_SUBROW = re.compile(r"^其中\s*[:：,，、]?\s*")
_PER_POP_SUFFIX = re.compile(r"[(（]\s*每\s*(千|万|十万|百万)\s*人口?\s*[)）]$")
_WS = re.compile(r"[\s\u00a0\u3000]+")
_DOWN_WORDS = re.compile(r"死亡率|感染率|患病率|发病率|吸烟率|近视率|肥胖率|住院日|"
                         r"个人卫生支出|自付|负担|流失率|致残率|漏报率|超重")


@dataclass(frozen=True)
class IndicatorMatch:
    """The catalog id a name links to (None when no candidate is good enough), the match
    score 0–1, the best candidates (id, score) and the indicator's direction (up, down,
    none) — from the catalog when linked, else guessed from the name."""

    indicator: str | None
    score: float
    candidates: tuple[tuple[str, float], ...]
    direction: str


def squash(text: str) -> str:
    """Return `text` without any whitespace (wrapped table cells insert spaces)."""
    return _WS.sub("", text)


def split_unit(name: str) -> tuple[str, str | None]:
    """Return (name, unit) with a trailing unit in brackets split off: ``孕产妇死亡率(/10万)``
    → (``孕产妇死亡率``, ``/10万``); a name without one → (name, None)."""
    m = UNIT_IN_BRACKETS.search(name)
    if not m:
        return name, None
    return name[: m.start()].rstrip(), m.group(1)


def normalise_name(name: str) -> str:
    """Return the name as the catalog writes names: no spaces, no ``其中:`` prefix, no
    trailing unit, ``X(每万人)`` → ``每万人口X``."""
    text = squash(unicodedata.normalize("NFKC", name))
    text = _SUBROW.sub("", text)
    text, _ = split_unit(text)
    m = _PER_POP_SUFFIX.search(text)
    if m:
        text = f"每{m.group(1)}人口{text[: m.start()]}"
    return text


def guess_direction(name: str) -> str:
    """Return ``down`` for names of less-is-better indicators (死亡率, 吸烟率, 平均住院日 …),
    else ``up``."""
    return "down" if _DOWN_WORDS.search(name) else "up"


def match_indicator(name: str, *, catalog: Catalog | None = None) -> IndicatorMatch:
    """Return the catalog indicator `name` refers to, with the score and the candidates.

    Notes
    -----
    Tries the name as written, then its normalised form (`normalise_name`); the best
    score wins. Scores are `Catalog.match` scores: 1.0 exact, 0.95 equal after
    normalising width and units, 0.9 equal after dropping filler words (每, 人口, 数 …),
    below that a string similarity × 0.85. Accepted from `ACCEPT_SCORE` (0.9).
    """
    if catalog is None:
        return _match_default(name)
    return _match(name, catalog)


@lru_cache(maxsize=4096)
def _match_default(name: str) -> IndicatorMatch:
    return _match(name, load_catalog())


def _match(name: str, cat: Catalog) -> IndicatorMatch:
    best: dict[str, float] = {}
    for variant in dict.fromkeys((name.strip(), squash(name), normalise_name(name))):
        if not variant:
            continue
        for ind_id, score in cat.match(variant, limit=REVIEW_LIMIT + 2):
            best[ind_id] = max(score, best.get(ind_id, 0.0))
        if best and max(best.values()) >= 0.95:
            break  # equal to a catalog name or alias: the other forms cannot do better
    ranked = tuple(sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:REVIEW_LIMIT])
    if ranked and ranked[0][1] >= ACCEPT_SCORE:
        ind_id, score = ranked[0]
        return IndicatorMatch(ind_id, score, ranked, cat.get(ind_id).direction)
    return IndicatorMatch(None, ranked[0][1] if ranked else 0.0, ranked, guess_direction(name))

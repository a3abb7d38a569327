"""Return the words and numbers a person reads in their language: Chinese by default.

One gettext catalog (domain ``hsplan``, ``src/hsplan/locale/zh_CN/LC_MESSAGES/hsplan.po``,
compiled to ``hsplan.mo`` beside it) maps the English message ids of the code to Chinese.
The language is, in order: `set_language`, ``--lang XX`` on the command line,
``HSPLAN_LANG``, then ``zh``. `install` also makes the catalog the process's default
gettext domain, so Click's and Typer's own words ("Options", "Show this message and
exit.") are translated too.

`format_number` prints a number the way a Chinese report prints it: decimals by unit,
thousands separators, never scientific notation. Every table, workbook and report of
hsplan formats numbers through it.

Layer 0: imports nothing from hsplan.
"""

from __future__ import annotations

import gettext as _gettext
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DOMAIN = "hsplan"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
ENV_VAR = "HSPLAN_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_GETTEXT_LANG = {"zh": "zh_CN", "en": "en"}

_language: str | None = None
_translations: _gettext.NullTranslations | None = None


def _normalise(lang: str | None) -> str | None:
    if not lang:
        return None
    low = lang.strip().lower().replace("-", "_")
    if low.startswith("zh"):
        return "zh"
    if low.startswith("en"):
        return "en"
    return None


def _from_argv(argv: list[str]) -> str | None:
    for k, arg in enumerate(argv):
        if arg == "--lang" and k + 1 < len(argv):
            return _normalise(argv[k + 1])
        if arg.startswith("--lang="):
            return _normalise(arg.split("=", 1)[1])
    return None


def language() -> str:
    """Return the current language code, ``zh`` or ``en``."""
    global _language
    if _language is None:
        _language = (_from_argv(sys.argv[1:]) or _normalise(os.environ.get(ENV_VAR))
                     or DEFAULT_LANGUAGE)
    return _language


def set_language(lang: str) -> str:
    """Set the language (``zh``/``zh_CN``/``en`` …); return the code used (``zh`` or ``en``).

    An unknown code falls back to Chinese.
    """
    global _language, _translations
    _language = _normalise(lang) or DEFAULT_LANGUAGE
    _translations = None
    install()
    return _language


@contextmanager
def in_language(lang: str) -> Iterator[str]:
    """Run a block in language `lang` (``zh``/``en``), then restore the language before: for
    a document that has one language whatever the reader's (the Word report is Chinese)."""
    before = language()
    used = set_language(lang)
    try:
        yield used
    finally:
        set_language(before)


def translations() -> _gettext.NullTranslations:
    """Return the gettext translations of the current language (identity for English)."""
    global _translations
    if _translations is None:
        if language() == "en":
            _translations = _gettext.NullTranslations()
        else:
            _translations = _gettext.translation(
                DOMAIN, localedir=str(LOCALE_DIR), languages=[_GETTEXT_LANG[language()]],
                fallback=True)
    return _translations


def install() -> None:
    """Make hsplan's catalog the default gettext domain (so Click and Typer speak it too)."""
    if language() == "en":
        _gettext.textdomain("messages")
        return
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN)
    os.environ.setdefault("LANGUAGE", _GETTEXT_LANG[language()])


def _(message: str) -> str:
    """Return `message` (an English message id) in the current language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of a message for `n`, translated."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Return `message` unchanged: marks a string for the catalog, translated later."""
    return message


# --- numbers ----------------------------------------------------------------------------------

PERCENT_UNITS = ("%", "‰")
COUNT_UNITS = ("个", "名", "人", "所", "家", "张", "辆", "台", "次", "人次", "元", "级", "户",
               "村", "项", "条", "床", "万人")
ONE_DECIMAL_UNITS = ("岁", "分钟", "日", "天", "万元", "公里", "km", "平方公里", "km²", "年")
RATIO_UNIT = "1:x"


def decimals_for(unit: Any, value: float | None = None) -> int:
    """Return the number of decimals hsplan prints for a value in `unit`.

    Notes
    -----
    Percentages and per-mille 1; counts (个, 人, 张, 元 …) 0; ages, minutes, days, 万元 and
    kilometres 1; rates per population (张/千人, 人/万人 …) and ratios 2; anything else 2
    below 1,000 and 0 from 1,000 on.
    """
    u = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    if u in PERCENT_UNITS:
        return 1
    if u in COUNT_UNITS:
        return 0
    if u in ONE_DECIMAL_UNITS:
        return 1
    if "/" in u or u == RATIO_UNIT:
        return 2
    if value is not None and abs(value) >= 1000:
        return 0
    return 2


def is_missing(x: Any) -> bool:
    """Return True for None, NaN, pandas NA and empty strings."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return True
    if isinstance(x, str):
        return False
    try:
        return bool(x != x)  # NaN and pandas NA
    except (TypeError, ValueError):
        return False


def format_number(x: Any, unit: Any = None, *, decimals: int | None = None,
                  with_unit: bool = False, sign: bool = False, missing: str = "—") -> str:
    """Return `x` printed for a person: decimals by `unit` (see `decimals_for`), thousands
    separators, never scientific notation; `missing` for None/NaN; strings unchanged.

    ``with_unit`` appends the unit (``62.5%``, ``2.42 张/千人``; ratios print ``1:1.25``);
    ``sign`` prints ``+`` before positive numbers.
    """
    if is_missing(x):
        return missing
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return str(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    d = decimals_for(unit, f) if decimals is None else decimals
    text = f"{f:+,.{d}f}" if sign else f"{f:,.{d}f}"
    if text.lstrip("+-") == f"{0:.{d}f}":
        text = f"{0:.{d}f}"  # no "-0.0"
    u = "" if is_missing(unit) else str(unit)
    if not with_unit or not u:
        return text
    if u == RATIO_UNIT:
        return f"1:{text}"
    if u in PERCENT_UNITS:
        return f"{text}{u}"
    shown = unit_text(u)
    return f"{text} {shown}" if shown else text


def join_names(items: Any) -> str:
    """Return names listed as the reader lists them: ``甲、乙、丙`` in Chinese, ``甲, 乙, 丙``
    in English (the enumeration comma 、 has no English msgid of its own: ", " is ，)."""
    return (", " if language() == "en" else "、").join(str(i) for i in items)


# --- units in the reader's language -------------------------------------------------------------

# what a Chinese unit counts, in English ("" for a bare count: 3 个 is "3")
UNIT_WORDS_EN = {"张": "beds", "床": "beds", "人": "persons", "名": "persons", "个": "",
                 "所": "institutions", "家": "institutions", "辆": "vehicles", "台": "units",
                 "次": "times", "人次": "visits", "元": "yuan", "万元": "10k yuan",
                 "户": "households", "村": "villages", "项": "items", "条": "items",
                 "级": "level", "岁": "years", "年": "years", "分钟": "min", "日": "days",
                 "天": "days", "公里": "km", "平方公里": "km²", "万人": "10,000 persons",
                 "个百分点": "percentage points", "个千分点": "per-mille points"}
# the population a rate is per, in English
UNIT_BASES_EN = {"千人": "1,000", "万人": "10,000", "10万人": "100,000", "十万人": "100,000",
                 "百万人": "1,000,000", "千": "1,000", "万": "10,000", "10万": "100,000",
                 "十万": "100,000", "百万": "1,000,000"}


def unit_text(unit: Any) -> str:
    """Return a unit as the reader writes it: unchanged in Chinese; in English the count
    and the population of a rate (``张/千人`` → ``beds per 1,000``, ``人/万人`` →
    ``per 10,000``, ``1/10万`` → ``per 100,000``, ``个`` → ``""``, ``分钟`` → ``min``).
    A unit hsplan does not know is returned unchanged (a plan's own word)."""
    u = "" if is_missing(unit) else str(unit)
    if language() != "en" or not u or u == RATIO_UNIT or u in PERCENT_UNITS:
        return u
    if u in UNIT_WORDS_EN:
        return UNIT_WORDS_EN[u]
    if "/" in u:
        count, base = (part.strip().replace(" ", "") for part in u.split("/", 1))
        base = base.removesuffix("人口") + ("人" if base.endswith("人口") else "")
        per = UNIT_BASES_EN.get(base)
        if per is not None and (count in UNIT_WORDS_EN or count in ("", "1")):
            word = "" if count in ("", "1", "人", "名", "个") else UNIT_WORDS_EN[count]
            return f"{word} per {per}".strip()
    return u


def format_count(x: Any, *, missing: str = "—") -> str:
    """Return a whole count with thousands separators (``12,030``)."""
    return format_number(x, decimals=0, missing=missing)


def format_percent(x: Any, *, decimals: int = 1, missing: str = "—") -> str:
    """Return a percentage value (already ×100) as ``76.4%``."""
    if is_missing(x):
        return missing
    return f"{format_number(x, decimals=decimals)}%"

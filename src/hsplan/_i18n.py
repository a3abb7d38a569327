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
    return f"{text} {u}"


def format_count(x: Any, *, missing: str = "—") -> str:
    """Return a whole count with thousands separators (``12,030``)."""
    return format_number(x, decimals=0, missing=missing)


def format_percent(x: Any, *, decimals: int = 1, missing: str = "—") -> str:
    """Return a percentage value (already ×100) as ``76.4%``."""
    if is_missing(x):
        return missing
    return f"{format_number(x, decimals=decimals)}%"

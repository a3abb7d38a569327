"""Parsing one spreadsheet cell into the value its `schema.Column` kind calls for.

`parse_cell` returns either the parsed value or a `CellError` (what was expected, the
message and the fix); the caller turns errors into `Problem` records with the location.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hsplan._i18n import N_, _
from hsplan.region import schema
from hsplan.region.schema import Column

YEAR_MIN = 1949
YEAR_MAX = 2100
LIST_SEPARATORS = re.compile(r"[、,;，；]")
_TRUE = {"是", "有", "true", "yes", "y", "1", "t"}
_FALSE = {"否", "无", "false", "no", "n", "0", "f"}
_MAX_LISTED_CHOICES = 12
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                "#GETTING_DATA", "#SPILL!", "#CALC!")
MAX_TEXT_CHARS = 2_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Chinese labels of choices stored as English ids, shown in messages and the template.
_CHOICE_LABELS: dict[tuple[str, ...], dict[str, str]] = {
    tuple(schema.AREA_LEVELS): schema.AREA_LEVELS,
    ("urban", "rural"): {"urban": "城镇", "rural": "农村"},
}


@dataclass(frozen=True)
class CellError:
    """Why a cell cannot be accepted: a short message, what was expected, the fix."""

    message: str
    expected: str
    fix: str


def is_blank(value: Any) -> bool:
    """Return True for an empty cell: None, '' or whitespace only."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """Return a cell as the text a person sees (whole floats without '.0')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_UNITS = (N_("beds"), N_("days"), N_("degree"))  # the English units of the schema, translated


def _unit(col: Column) -> str:
    return f" ({_(col.unit)})" if col.unit and col.unit not in ("persons",) else ""


def _num(x: float) -> str:
    return f"{x:g}"


def expected_text(col: Column) -> str:
    """Return what a valid value of `col` looks like, for messages and the template."""
    if col.kind == "int":
        low = _num(col.min) if col.min is not None else None
        if low is not None and col.max is not None:
            return _("a whole number from {low} to {high}").format(low=low, high=_num(col.max))
        return (_("a whole number ≥ {low}").format(low=low) if low is not None
                else _("a whole number"))
    if col.kind == "float":
        if col.min is not None and col.max is not None:
            return _("a number from {low} to {high}").format(
                low=_num(col.min), high=_num(col.max)) + _unit(col)
        if col.min is not None:
            return _("a number ≥ {low}").format(low=_num(col.min)) + _unit(col)
        return _("a number") + _unit(col)
    if col.kind == "code":
        lengths = [str(n) for n in col.code_lengths]
        text = lengths[0] if len(lengths) == 1 else _("{some} or {last}").format(
            some=", ".join(lengths[:-1]), last=lengths[-1])
        return _("a {digits}-digit code").format(digits=text)
    if col.kind == "year":
        return _("a year from {low} to {high}").format(low=YEAR_MIN, high=YEAR_MAX)
    if col.kind == "bool":
        return _("是 or 否")
    if col.kind == "date":
        return _("a date as YYYY-MM-DD")
    if col.kind == "choice":
        labels = _CHOICE_LABELS.get(col.choices, {})
        shown = [f"{labels[c]} ({c})" if c in labels else c
                 for c in col.choices[:_MAX_LISTED_CHOICES]]
        more = " …" if len(col.choices) > _MAX_LISTED_CHOICES else ""
        return _("one of {names}").format(names=", ".join(shown)) + more
    if col.kind == "list":
        return _("values separated by 、")
    return _("text")


def closest(word: str, candidates: list[str], *, cutoff: float = 0.5) -> str | None:
    """Return the candidate most similar to `word` (difflib ratio ≥ cutoff), or None."""
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    if not matches:
        matches = difflib.get_close_matches(word.lower(), [c.lower() for c in candidates], n=1,
                                            cutoff=cutoff)
        if matches:
            return next(c for c in candidates if c.lower() == matches[0])
        return None
    return matches[0]


def parse_cell(value: Any, col: Column) -> Any:
    """Return the parsed value of a non-blank cell for `col`, or a `CellError`."""
    kind = col.kind
    if isinstance(value, str):
        if value.strip() in EXCEL_ERRORS:
            return CellError(_("Excel error value {value}").format(value=value.strip()),
                             expected_text(col),
                             _("correct the formula in Excel, or type the value itself"))
        if _CONTROL.search(value):
            return CellError(_("control character in the cell (e.g. NUL)"), expected_text(col),
                             _("retype the cell; it holds invisible characters copied from "
                               "another program"))
        if len(value) > MAX_TEXT_CHARS:
            return CellError(_("text longer than {limit} characters").format(
                limit=f"{MAX_TEXT_CHARS:,}"), expected_text(col), _("shorten the text"))
    if isinstance(value, float) and not math.isfinite(value):
        return CellError(_("not a finite number"), expected_text(col),
                         _("enter a number (not NaN or infinity)"))
    if kind in ("int", "year"):
        return _parse_int(value, col)
    if kind == "float":
        return _parse_float(value, col)
    if kind == "code":
        return _parse_code(value, col)
    if kind == "choice":
        return _parse_choice(value, col)
    if kind == "bool":
        text = as_text(value).lower()
        if isinstance(value, bool):
            return value
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return CellError(_("not yes/no"), expected_text(col), _("enter 是 or 否"))
    if kind == "date":
        return _parse_date(value, col)
    if kind == "list":
        parts = [p.strip() for p in LIST_SEPARATORS.split(as_text(value)) if p.strip()]
        return "、".join(parts)
    return as_text(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            return None
    else:
        text = as_text(value).replace(",", "").replace("，", "").replace(" ", "")
        if len(text) > 64:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    if not math.isfinite(number) or abs(number) > schema.ABSOLUTE_MAX:
        return None
    return number


def _huge(value: Any, col: Column) -> CellError | None:
    """Return an error for a number that parses but is not finite or is astronomically large
    (NaN, inf, 1e20), else None."""
    try:
        number = float(value if isinstance(value, int | float) else
                       as_text(value).replace(",", "").replace(" ", "")[:64])
    except (ValueError, OverflowError):
        return None
    if math.isfinite(number) and abs(number) <= schema.ABSOLUTE_MAX:
        return None
    return CellError(_("not a plausible number (NaN, infinity or far too large)"),
                     expected_text(col), _("enter the value as plain digits; check its unit"))


def _parse_int(value: Any, col: Column) -> Any:
    if col.kind == "year":
        text = as_text(value).removesuffix("年")
        number = _number(text)
        if number is None or not number.is_integer() or not YEAR_MIN <= number <= YEAR_MAX:
            return CellError(_("not a valid year"), expected_text(col),
                             _("enter the year as four digits, e.g. 2023"))
        return int(number)
    number = _number(value)
    if number is None and (huge := _huge(value, col)) is not None:
        return huge
    if number is None or not number.is_integer():
        return CellError(_("not a whole number"), expected_text(col),
                         _("enter digits only (no 约, units, ranges or decimals)"))
    if col.min is not None and number < col.min:
        return CellError(_("negative count") if col.min == 0 else _("out of range"),
                         expected_text(col), _("enter a count of 0 or more") if col.min == 0
                         else _("correct the value"))
    if col.max is not None and number > col.max:
        return CellError(_("out of range"), expected_text(col), _("correct the value"))
    return int(number)


def _parse_float(value: Any, col: Column) -> Any:
    number = _number(value)
    if number is None and (huge := _huge(value, col)) is not None:
        return huge
    if number is None:
        return CellError(_("not a number"), expected_text(col),
                         _("enter digits only (no units or words)"))
    if (col.min is not None and number < col.min) or (col.max is not None and number > col.max):
        return CellError(_("out of range"), expected_text(col),
                         _("check the value and its unit; longitude and latitude are decimal "
                           "degrees in China") if col.id in ("lon", "lat")
                         else _("check the value and its unit"))
    return number


def _parse_code(value: Any, col: Column) -> Any:
    text = as_text(value)
    if not text.isdigit() or (col.code_lengths and len(text) not in col.code_lengths):
        return CellError(_("not a valid code"), expected_text(col),
                         _("enter the 统计用区划代码 as digits (6 for a county, 9 for a "
                           "township, 12 for a village)"))
    return text


def _parse_choice(value: Any, col: Column) -> Any:
    text = as_text(value)
    if text in col.choices:
        return text
    for key in (text, text.lower(), text.replace(" ", "")):
        if key in col.choice_aliases:
            return col.choice_aliases[key]
    lowered = {c.lower(): c for c in col.choices}
    if text.lower() in lowered:
        return lowered[text.lower()]
    candidates = list(col.choices) + [k for k in col.choice_aliases if k]
    guess = closest(text, candidates)
    if guess is not None:
        target = col.choice_aliases.get(guess, guess)
        fix = (_("did you mean {guess}?").format(guess=guess) if target == guess else
               _("did you mean {guess} ({target})?").format(guess=guess, target=target))
    else:
        fix = _("pick a value from the drop-down list (the 说明 sheet lists them all)")
    return CellError(_("not an allowed value"), expected_text(col), fix)


def _parse_date(value: Any, col: Column) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = as_text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if match:
        try:
            return date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            pass
    return CellError(_("not a date"), expected_text(col), _("enter the date as YYYY-MM-DD"))

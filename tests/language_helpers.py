"""What counts as English left in a text a planner reads (shared by the i18n tests).

An English sentence is three or more ASCII words in a row separated by single spaces,
outside quotes and backticks: lists of codes are separated by commas, file names and codes
are single words, and what a message quotes ('…', `hsplan …`) is not a sentence of it.
"""

from __future__ import annotations

import re
from typing import Any

QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")
ENGLISH_RUN = re.compile(r"(?<![\w.])[A-Za-z][\w.+/-]*(?: [A-Za-z][\w.+/-]*){2,}")
# a library's own reason, quoted by a Chinese message in full-width brackets:
# "input.xlsx：无法读取的 Excel 工作簿（BadZipFile: File is not a zip file）。"
LIBRARY_REASON = re.compile(r"（[^（）]*）")  # may wrap over lines in a table


def english_runs(text: str, *, library_reasons: bool = False) -> list[str]:
    """Return the runs of 3+ ASCII words of `text`, outside quotes and backticks; with
    `library_reasons`, also outside the full-width brackets that quote a library's own
    error (GDAL, openpyxl, PyYAML … speak English, and hsplan says what it means around it)."""
    if library_reasons:
        text = LIBRARY_REASON.sub(" ", text)
    return ENGLISH_RUN.findall(QUOTED.sub(" ", text))


CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def chinese_runs(text: str, names: set[str] | list[str] = ()) -> list[str]:
    """Return the runs of Chinese characters left in an English `text` once the given data
    `names` are taken out (longest first): an area's, a facility's or a department's name,
    a plan's own words quoted as its words. What is left is Chinese that hsplan wrote itself
    and should have said in English. Print wide (the `console_width` fixture, COLUMNS=300)
    so that no table cell wraps a name over two lines."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    return CJK_RUN.findall(text)


def yaml_strings(value: Any) -> list[str]:
    """Return every string inside a plan's YAML value (its readings block: quotes, kinds)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in yaml_strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in yaml_strings(v)]
    return []


def readings_words(plan: Any) -> set[str]:
    """Return what a plan's readings quote, as the documents state it: the plan's own readings
    block, the national documents quoted by the default readings, and the words of a quote
    that decide a travel mode ("步行")."""
    from hsplan.plans import readings

    words = set(yaml_strings(plan.data.get("readings") or {}))
    words |= {readings._DEFAULT_EMS["quote"], readings._DEFAULT_EMS_CITATION,
              *(c["quote"] for c in readings._DEFAULT_CIRCLES.values())}
    words |= set(readings._WALK_WORDS) | set(readings._DRIVE_WORDS)
    return {w for w in words if w}

"""Printing result frames for a person (Rich table) or a program (JSON, CSV)."""

from __future__ import annotations

import json
import math
import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from hsplan._i18n import N_, _
from hsplan.cli._app import console
from hsplan.errors import HsplanError

if TYPE_CHECKING:
    import pandas as pd


#: the mark on every output made from a generated (synthetic) region: a tag for titles and
#: captions, and the banner line printed before results
def synthetic_tag() -> str:
    """Return the tag of titles and captions made from a generated region, in the language
    (合成数据 in Chinese)."""
    return _("synthetic data")


def synthetic_banner() -> str:
    """Return the banner line printed before results made from a generated region, in the
    language."""
    return "[bold red]" + synthetic_tag() + "[/] — " + _(
        "data made by the example generator, not the results of real facilities")


class FrameFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]"
_SPACE_BY_CJK = re.compile(rf"(?<={_CJK}) (?=\S)|(?<=\S) (?={_CJK})|(?<=[≤≥<>=]) (?=\S)")


def tight(text: str) -> str:
    """Return `text` without the single spaces beside Chinese characters and after a
    comparison sign ("与 N08 为“或”" → "与N08为“或”", "≥ 103 人" → "≥103人"), for a
    terminal cell: Rich wraps at spaces, so such a space sends
    the rest of a Chinese sentence (one long "word") to the next line."""
    return _SPACE_BY_CJK.sub("", text)


def cell(value: Any) -> str:
    """Return a table cell: '—' for missing; numbers with 4 significant digits below 1,000,
    whole from 1,000, with thousands separators from 10,000 (so years stay 2024; never
    1.2e+04)."""
    import pandas as pd  # loaded already by whoever made the value; imported here so that
    # importing this module (for `hsplan --help`) does not load pandas

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and abs(value) < 1000:
        return f"{value:.4g}"
    if isinstance(value, float | int):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"
    return str(value)


def emit_json(doc: Any, out: Path | None) -> None:
    """Print `doc` as JSON on standard output, or write it to `out` and say so."""
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if out is None:
        print(text)
        return
    from hsplan._files import atomic_path

    with atomic_path(out) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    console.print(Text(_("wrote {path}").format(path=out)), highlight=False)


def finish_xlsx(path: Path, *, plan: Any = None, year: int | None = None,
                title: str | None = None) -> Path:
    """Give an exported workbook hsplan's finish (headers, filter, widths, formats, 说明)."""
    from hsplan.reports.workbook import finish_workbook

    plan_text = None if plan is None else f"《{plan.title}》" if getattr(plan, "title", None) \
        else str(plan)
    return finish_workbook(path, plan=plan_text, year=year, title=title)


def refuse_out_for_table(out: Path | None) -> None:
    """Raise when --out is given for table output (only files can be written)."""
    if out is not None:
        raise HsplanError(_("--out needs --format json or xlsx. Fix: add --format xlsx."))


def print_frame(df: pd.DataFrame, *, title: str, fmt: FrameFormat = FrameFormat.table,
                caption: str | None = None) -> None:
    """Print `df` as a Rich table, a JSON list of records, or CSV on standard output."""
    import pandas as pd

    from hsplan._json import json_records

    if fmt is FrameFormat.json:
        records = json_records(df)
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if fmt is FrameFormat.csv:
        print(df.to_csv(index=False), end="")
        return
    table = Table(title=Text(title), caption=None if caption is None else Text(caption))
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*(Text(cell(v)) for v in row))
    console.print(table)


# one status vocabulary for evaluate, compare, check, tasks and report (English ids → words)
STATUS_WORDS = {
    "met": N_("met"), "on track": N_("on track"), "at risk": N_("at risk"),
    "off track": N_("off track"), "not evaluable": N_("not evaluable"),
    "not applicable": N_("not applicable"),
    "pass": N_("pass"), "fail": N_("fail"),
    "late": N_("late"), "due soon": N_("due soon"), "no report": N_("no report"),
    "not started": N_("not started"), "done": N_("done"), "cancelled": N_("cancelled"),
}


def status_text(status: Any) -> str:
    """Return a status id (``off track``, ``fail``, ``late`` …) in the reader's language:
    the same word in every command (偏离目标, 未达标, 滞后 …)."""
    if status is None or (isinstance(status, float) and math.isnan(status)):
        return "—"
    key = str(status)
    return _(STATUS_WORDS[key]) if key in STATUS_WORDS else key

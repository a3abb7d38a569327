"""`hsplan extract DOCUMENT`: read a plan document into a plan file (thin over
`hsplan.plans.extract`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from hsplan._i18n import N_, _
from hsplan.cli._app import PANEL_PLAN, app, console, err_console
from hsplan.cli._output import print_frame

if TYPE_CHECKING:
    import pandas as pd

    from hsplan.plans.extract import ExtractResult


# the headers of the summary tables and the kinds of items counted (`ExtractResult`)
HEADERS = {"kind": N_("kind"), "count": N_("count"), "id": N_("id"), "name": N_("name"),
           "candidates": N_("candidate indicators"), "where": N_("where"), "reason": N_("reason"),
           "quote": N_("quote"), "department": N_("department"), "aliases": N_("aliases"),
           "confidence": N_("confidence"), "why": N_("why")}
KINDS = {"table targets": N_("table targets"), "prose targets": N_("prose targets"),
         "norms": N_("norms"), "institutions": N_("institutions"), "tasks": N_("tasks")}


class PlanFormat(StrEnum):
    yaml = "yaml"
    json = "json"


@app.command("extract", rich_help_panel=PANEL_PLAN,
    help=_('Extract a plan (targets, norms, institutions, tasks) from a plan document '
        '(规划文本).'))
def extract_command(
    document: Annotated[Path, typer.Argument(help=_("The plan document: .txt, .docx, .pdf or "
                                                  ".html."))],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write the plan "
                                                "here (default: print it)."))] = None,
    fmt: Annotated[PlanFormat, typer.Option("--format", help=_("Plan file format."))]
    = PlanFormat.yaml,
    plan_id: Annotated[str | None, typer.Option("--id", help=_("Plan id (default: "
                                                "extracted-<region code>-<start>-<end>)."))]
    = None,
    sources: Annotated[Path | None, typer.Option("--sources", help=_(
        "Also write where each item came from and its confidence (CSV: id, kind, where, "
        "confidence, why, quote)."))]
    = None,
    split: Annotated[bool, typer.Option("--split", help=_(
        "A document holding several plans: write one plan file per plan (<output>-1.yaml, "
        "<output>-2.yaml …) instead of refusing it."))]
    = False,
) -> None:
    """Extract a plan (targets, norms, institutions, tasks) from a plan document (规划文本)."""
    from hsplan.plans.extract import extract_plan, extract_plans

    results = extract_plans(document, plan_id=plan_id) if split else \
        [extract_plan(document, plan_id=plan_id)]
    texts = [r.to_yaml() if fmt is PlanFormat.yaml else r.to_json() + "\n" for r in results]
    if output is None:
        print(("---\n" if fmt is PlanFormat.yaml else "").join(texts), end="")
        for result in results:
            for note in result.notes:
                err_console.print(Text("! ", style="yellow")
                                  + Text(f"{result.document.name}: {note}"), highlight=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    paths = [output] if len(results) == 1 else \
        [output.with_name(f"{output.stem}-{k}{output.suffix}") for k in range(1, len(results) + 1)]
    from hsplan._files import atomic_path

    for k, (result, text, path) in enumerate(zip(results, texts, paths, strict=True), 1):
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        _summary(result)
        console.print(Text(_("wrote {path}").format(path=path)), highlight=False)
        if sources is not None:
            where = sources if len(results) == 1 else \
                sources.with_name(f"{sources.stem}-{k}{sources.suffix}")
            where.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(where) as tmp:
                _for_people(result.sources_frame()).to_csv(tmp, index=False,
                                                           encoding="utf-8-sig")
            console.print(Text(_("wrote {path}").format(path=where)), highlight=False)


def _summary(result: ExtractResult) -> None:
    meta = result.metadata
    region = str(result.plan["region"]["name"])
    region = _("(not recognised)") if region == "(未识别)" else region  # hsplan's word
    console.print(Text(str(meta.title), style="bold") + Text(
        f" · {region} ({result.plan['region']['code'] or '—'}) · "
        f"{_plan_kind(str(meta.kind))} · "
        f"{result.plan['period']['start']}–{result.plan['period']['end']}"),
        highlight=False)
    counts = result.counts_frame()
    counts["kind"] = [_(KINDS[k]) if k in KINDS else k for k in counts["kind"]]
    print_frame(_headed(counts), title=_("extracted items"))
    if result.unmatched:
        print_frame(_headed(result.unmatched_frame()),
                    title=_("targets without a catalog indicator (review)"))
    if result.unparsed:
        print_frame(_for_people(result.unparsed_frame()),
                    title=_("looked like targets, gave nothing"))
    if result.departments:
        print_frame(_headed(result.departments_frame()),
                    title=_("department names normalised (aliases as written)"))
    review = result.review_frame()
    if not review.empty:
        print_frame(_for_people(review),
                    title=_("low-confidence items ({n} of {total}; check against the source)")
                    .format(n=len(review), total=len(result.sources)))
    for note in result.notes:
        console.print(Text("! ", style="yellow") + Text(str(note)), highlight=False)


def _plan_kind(kind: str) -> str:
    """Return a plan's kind (规划, 行动计划, 实施方案: the plan format's vocabulary) in the
    language; another word is kept as written."""
    words = {"规划": _("development plan"), "行动计划": _("action plan"),
             "实施方案": _("implementation plan")}
    return words.get(kind, kind)


def _for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a sources, review or unparsed frame as a person reads it: kinds and places in
    the language (第148行, 表1第6行) under translated headers."""
    from hsplan.plans.extract.documents import place_words

    frame = frame.copy()
    if "kind" in frame:
        frame["kind"] = [_(KINDS[k]) if k in KINDS else k for k in frame["kind"]]
    if "where" in frame:
        frame["where"] = frame["where"].map(place_words)
    return _headed(frame)


def _headed(frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` with its column ids replaced by headers in the reader's language."""
    return frame.rename(columns={c: _(HEADERS[c]) for c in frame.columns if c in HEADERS})

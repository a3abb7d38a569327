"""Extract a plan (targets, norms, institutions, tasks) from a plan document.

`extract_plan` reads a document (.txt, .docx, .pdf, .html, or text given directly), finds
its metadata (`metadata`), reads its indicator tables (`tables`), hands the running text
outside the tables to the prose extractors (`prose.prose_targets`, `norms.prose_norms`,
`tasks.tasks`, `institutions.institutions`), links every target to the indicator catalog
(`matching`) and assembles one plan dict in the format of docs/plan-format.md, validated
with `hsplan.plans.plan.validate_plan_data`. The `ExtractResult` also carries a summary: counts
per kind, the targets whose name matched no catalog indicator (with candidates), and the
sentences and table rows that looked like targets but produced nothing.

Its modules: `documents` (the readers of .txt, .docx, .html and .pdf, traditional
characters; the model they fill is `_model`, the PDF reader `_pdf` with tables without
ruling lines in `_pdf_layout`), `rawtables` (tables found in text), `tables`, `prose`,
`norms`, `tasks`, `institutions`, `departments` (canonical department names), `metadata`,
`matching`, `render` (the seeds rendered as Word, HTML, PDF and traditional text for scoring) and
`scoring` (recall and precision against the hand-encoded plans).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hsplan._i18n import _
from hsplan.errors import DataSourceError, HsplanError, ValidationError
from hsplan.plans.extract.documents import (
    Document,
    document_from_text,
    read_document,
    split_document,
    verbatim,
)
from hsplan.plans.extract.matching import match_indicator
from hsplan.plans.extract.metadata import Metadata, document_metadata, plan_starts
from hsplan.plans.extract.rawtables import raw_tables
from hsplan.plans.extract.tables import TableResult, review_note, table_targets
from hsplan.plans.extract.tasks import tasks
from hsplan.plans.plan import Plan, plan_from_dict, validate_plan_data

__all__ = ["REVIEW_BELOW", "ExtractResult", "extract_document", "extract_plan", "extract_plans",
           "unparsed_sentences"]

SECTIONS = ("targets", "norms", "institutions", "tasks")
_PREFIX = {"targets": "P", "norms": "N", "institutions": "I", "tasks": "K"}
_WS = re.compile(r"\s+")
REVIEW_BELOW = 0.6
SOURCE_COLUMNS = ["id", "kind", "where", "confidence", "why", "quote"]
_TARGET_LIKE = re.compile(r"(?<!截)(到|至|力争)\s*((?:19|20)\d\d)\s*年")
_OTHER_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*\s*年)")


@dataclass
class ExtractResult:
    """What `extract_plan` found: the plan dict, the document it came from, its metadata,
    and the summary (`counts`, `unmatched` targets, `unparsed` sentences and rows, `notes`
    about metadata the document does not state)."""

    plan: dict[str, Any]
    document: Document
    metadata: Metadata
    counts: dict[str, int] = field(default_factory=dict)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    unparsed: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    departments: dict[str, list[str]] = field(default_factory=dict)

    def to_plan(self) -> Plan:
        """Return the extracted plan as a `hsplan.plans.plan.Plan` (for `diff_plans`)."""
        return plan_from_dict(self.plan)

    def to_yaml(self) -> str:
        """Return the plan as YAML text (loadable by `hsplan.plans.plan.load_plan`)."""
        return yaml.safe_dump(self.plan, allow_unicode=True, sort_keys=False, width=100)

    def to_json(self) -> str:
        """Return the plan as JSON text."""
        return json.dumps(self.plan, ensure_ascii=False, indent=2)

    def counts_frame(self) -> pd.DataFrame:
        """Return one row per item kind: kind, count."""
        return pd.DataFrame([{"kind": k, "count": v} for k, v in self.counts.items()],
                            columns=["kind", "count"])

    def unmatched_frame(self) -> pd.DataFrame:
        """Return one row per target without a catalog indicator: id, name, candidates."""
        return pd.DataFrame(self.unmatched, columns=["id", "name", "candidates"])

    def sources_frame(self) -> pd.DataFrame:
        """Return one row per extracted item: id, kind, where (``table 2 row 4``,
        ``page 3``, ``line 40``; None when its quote was not found), confidence (0–1), why
        (what lowered it) and quote."""
        return pd.DataFrame(self.sources, columns=SOURCE_COLUMNS)

    def departments_frame(self) -> pd.DataFrame:
        """Return one row per department written more than one way: department (the
        canonical name the tasks use), aliases (the other names as written, 、-joined)."""
        return pd.DataFrame([{"department": k, "aliases": "、".join(v)}
                             for k, v in sorted(self.departments.items())],
                            columns=["department", "aliases"])

    def review_frame(self) -> pd.DataFrame:
        """Return the `sources_frame` rows with confidence below `REVIEW_BELOW` (0.6), the
        items a person should check against the source text."""
        frame = self.sources_frame()
        return frame[frame["confidence"] < REVIEW_BELOW].reset_index(drop=True)

    def unparsed_frame(self) -> pd.DataFrame:
        """Return one row per sentence or table row that looked like a target but gave
        nothing: where (text or table caption), reason, quote."""
        return pd.DataFrame(self.unparsed, columns=["where", "reason", "quote"])


def extract_plan(path_or_text: str | Path, *, plan_id: str | None = None) -> ExtractResult:
    """Return the `ExtractResult` of a plan document given as a path or as its text.

    A `Path`, or a string naming an existing file, is read with `read_document`; any other
    string is taken as the document's text. Raises `DataSourceError` for an unreadable,
    empty or garbled document, and `HsplanError` when nothing plan-like is found in it or
    when it holds several plans (`metadata.plan_starts`; read those with `extract_plans`).
    """
    doc = _read(path_or_text)
    starts = plan_starts(doc.text)
    if len(starts) > 1:
        found = _("; ").join(
            _("《{title}》 (line {line})").format(title=title,
                                                 line=doc.text.count(chr(10), 0, at) + 1)
            for at, title in starts)
        raise HsplanError(
            _("{name}: the document holds {n} plans: {found}; expected one plan per document "
              "(read as one, their targets and tasks would be merged under one title). Fix: "
              "extract them one by one with hsplan extract --split (one plan file each), or "
              "cut the document into one file per plan.").format(
                  name=doc.name, n=len(starts), found=found))
    return extract_document(doc, plan_id=plan_id)


def extract_plans(path_or_text: str | Path, *,
                  plan_id: str | None = None) -> list[ExtractResult]:
    """Return one `ExtractResult` per plan a document holds (`metadata.plan_starts`): the
    document cut before each plan's title after the first (see `extract_plan`); ids get
    ``-1``, ``-2`` … after `plan_id` when it is given."""
    doc = _read(path_or_text)
    starts = plan_starts(doc.text)
    if len(starts) <= 1:
        return [extract_document(doc, plan_id=plan_id)]
    parts = split_document(doc, [at for at, _title in starts[1:]])
    return [extract_document(part, plan_id=f"{plan_id}-{k}" if plan_id else None)
            for k, part in enumerate(parts, start=1)]


def _read(path_or_text: str | Path) -> Document:
    if isinstance(path_or_text, Path) or _names_a_file(path_or_text):
        return read_document(path_or_text)
    return document_from_text(path_or_text)


def _names_a_file(text: str) -> bool:
    if "\n" in text or len(text) >= 1024:
        return False
    path = Path(text)
    return path.is_file() or path.suffix.lower() in (".txt", ".docx", ".pdf", ".html", ".htm")


def extract_document(doc: Document, *, plan_id: str | None = None) -> ExtractResult:
    """Return the `ExtractResult` of an already read `Document` (see `extract_plan`)."""
    headings = [b.text for b in doc.blocks[:20] if b.kind == "heading" and b.level == 1
                and doc.format != "txt"]
    meta = document_metadata(doc.text, name=doc.name, headings=headings)
    tables = table_targets(doc, period_end=meta.period_end, baseline_year=meta.baseline_year)
    baseline_year = meta.baseline_year
    if baseline_year is None and tables.baseline_years:
        baseline_year = min(tables.baseline_years)
    prose_text = _without_spans(doc.text, tables.spans)
    found = {
        "targets": _call("prose", "prose_targets", prose_text),
        "norms": _call("norms", "prose_norms", prose_text),
        "institutions": _call("institutions", "institutions", prose_text),
        "tasks": [dict(t) for t in tasks(prose_text, tables=_grids(doc))],
    }
    found["targets"] = _not_norms(found["targets"], found["norms"])
    for t in found["targets"]:
        t.setdefault("source_kind", "prose")
    _units_notes(found["tasks"])
    departments: dict[str, list[str]] = {}
    for t in found["tasks"]:
        for canonical, written in (t.pop("aliases", None) or {}).items():
            if written not in departments.setdefault(canonical, []):
                departments[canonical].append(written)
    items = _renumber(tables.targets, found)
    _link_indicators(items["targets"])
    if doc.original is not None:  # read in simplified characters, quoted as written
        for section in SECTIONS:
            for item in items[section]:
                if item.get("quote"):
                    item["quote"] = verbatim(doc, str(item["quote"]))
    metadata_only = not any(items[s] for s in SECTIONS)
    if metadata_only and not (meta.title_found and (meta.region_code or meta.period_end)):
        raise HsplanError(
            _("{name}: no targets, norms, institutions or tasks found: expected a plan "
              "document (规划 / 行动计划 / 实施方案) with an indicator table or sentences such "
              "as “到2025年，每千人口床位数达到6张”. Fix: check that this is the plan itself, "
              "not a notice or an index page.").format(name=doc.name))
    start, end = _period(meta, items["targets"])
    result = ExtractResult(plan={}, document=doc, metadata=meta)
    plan: dict[str, Any] = {
        "id": plan_id or _plan_id(meta, start, end),
        "title": meta.title,
        "kind": meta.kind,
        "region": {"code": meta.region_code, "name": meta.region_name or "(未识别)",
                   "level": meta.region_level or "county"},
        "period": {"start": start, "end": end},
        "baseline_year": baseline_year,
        "issuer": meta.issuer,
        "date": meta.date,
        "source": {"document": doc.name,
                   "note": f"extracted by hsplan extract from {doc.format} "
                           f"({len(tables.grids)} indicator table(s))"},
        **items,
    }
    result.dropped = _validate(plan, doc.name)
    result.plan = plan
    _summarise(result, tables, prose_text)
    result.sources = _sources(doc, plan)
    result.departments = departments
    if metadata_only:
        result.notes.insert(0, _("warning: no targets, norms, institutions or tasks found; "
                                 "only the metadata (title, region, period, issuer) is "
                                 "written. Check that the document is the whole plan, not its "
                                 "opening page or a notice."))
    return result


# --- assembling ------------------------------------------------------------------------------


def _grids(doc: Document) -> list[tuple[tuple[str, ...], ...]]:
    """The document's tables as rows of cells: the tables its format marks, and for a
    plain-text document its tab-separated tables."""
    grids = [t.rows for t in doc.tables]
    if not doc.tables:
        for raw in raw_tables(doc.text):
            if raw.source != "tab":
                continue
            rows: list[list[str]] = [[]]
            for cell in raw.tokens:
                if cell is None:
                    rows.append([])
                else:
                    rows[-1].append(cell.text)
            grids.append(tuple(tuple(r) for r in rows if r))
    return grids


def _call(module: str, function: str, text: str) -> list[dict[str, Any]]:
    """Run the prose extractor `hsplan.plans.extract.<module>.<function>` on `text` (imported
    when first used; a broken extractor raises, never reads as "nothing found")."""
    mod = importlib.import_module(f"hsplan.plans.extract.{module}")
    fn: Callable[[str], list[dict[str, Any]]] = getattr(mod, function)
    return [dict(item) for item in fn(text)]


_UNITS_FROM = {
    "division table": "牵头/配合单位取自任务分工表中与本任务对应的一行",
    "division table chapter": "牵头单位取自任务分工表中本章各项任务共同的牵头单位",
    "measure": "牵头/配合单位取自本项目对应的正文措施",
    "plan lead": "牵头单位取自文件确定的计划牵头单位",
    "section text": "牵头/配合单位取自本节正文（由…牵头、以…为主体）",
}


def _units_notes(tasks: list[dict[str, Any]]) -> None:
    """Turn each task's ``units_from`` (how its units were found) into its ``note`` when
    the units were inferred rather than written beside the task."""
    for t in tasks:
        how = t.pop("units_from", None)
        if how in _UNITS_FROM and not t.get("note"):
            t["note"] = f"{_UNITS_FROM[how]} (inferred: {how})"


# rules about which facilities exist or what they have; a figure per population or a share of
# resources is also an indicator, and stays a target as well
_FACILITY_RULES = {"text", "presence", "department_share", "count_per_population",
                   "per_facility_minimum"}


def _not_norms(targets: list[dict[str, Any]],
               norms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The prose targets that do not restate a facility-configuration norm: a clause read
    both as a target and as such a norm (60%以上的二级以上综合医院开设精神(心理)科门诊,
    设立1个安宁疗护病区) is a norm (`_FACILITY_RULES`)."""
    quotes = [_WS.sub("", str(n.get("quote", ""))) for n in norms if n["rule"] in _FACILITY_RULES]
    out = []
    for t in targets:
        q = _WS.sub("", str(t.get("quote", "")))
        if q and any(n and (n in q or q in n) for n in quotes):
            continue
        out.append(t)
    return out


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the indicator tables cut out (each replaced by a line break), so that
    prose extractors do not read table rows as sentences."""
    out = []
    pos = 0
    for a, b in sorted(spans):
        if a < pos:
            continue
        out += [text[pos:a], "\n"]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _renumber(table_targets: list[dict[str, Any]],
              found: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Give every prose item an id unique in the plan (P01 …, N01 …, I01 …, K01 …) and
    keep `parent` references pointing at the renamed targets."""
    out: dict[str, list[dict[str, Any]]] = {"targets": list(table_targets)}
    for section in SECTIONS:
        items = found[section]
        renamed: dict[str, str] = {}
        for n, item in enumerate(items, start=1):
            new = f"{_PREFIX[section]}{n:02d}"
            if item.get("id") is not None:
                renamed[str(item["id"])] = new
            item["id"] = new
        for item in items:
            if section == "targets" and item.get("parent") is not None:
                item["parent"] = renamed.get(str(item["parent"]))
        out[section] = out.get(section, []) + items
    return out


def _link_indicators(targets: list[dict[str, Any]]) -> None:
    """Fill `indicator` from the catalog where an extractor left it out."""
    for t in targets:
        if "indicator" in t and t["indicator"] is not None:
            continue
        match = match_indicator(str(t.get("name", "")))
        t["indicator"] = match.indicator
        if match.indicator is None and not t.get("note"):
            t["note"] = review_note(match)


def _period(meta: Metadata, targets: list[dict[str, Any]]) -> tuple[int, int]:
    years = [t["target"].get("year") for t in targets if isinstance(t.get("target"), dict)]
    years = [y for y in years if isinstance(y, int)]
    start = meta.period_start
    end = meta.period_end or (max(years) if years else None)
    if start is None:
        start = int(meta.date[:4]) if meta.date else (min(years) if years else end)
    if start is None or end is None:
        raise DataSourceError(
            _("{title}: no plan period found: expected 十四五, a year range such as "
              "(2023-2025年) or target years (到2025年). Fix: check that this is a plan "
              "document; give the period in the plan file by hand.").format(title=meta.title))
    return int(start), int(max(start, end))


def _plan_id(meta: Metadata, start: int, end: int) -> str:
    return f"extracted-{meta.region_code or 'region'}-{start}-{end}"


def _validate(plan: dict[str, Any], name: str) -> list[str]:
    """Validate `plan`; drop the entries the validator rejects (an extractor bug must not
    lose the whole plan) and return what was dropped, each with the reason."""
    dropped: list[str] = []
    for _attempt in range(3):
        try:
            validate_plan_data(plan, file=name, lines={})
            return dropped
        except ValidationError as exc:
            bad: dict[tuple[str, str], str] = {}
            for p in exc.errors:
                m = re.match(r"^(targets|norms|institutions|tasks|facts)\[([^\]]+)\]",
                             p.column or "")
                if m is None:
                    raise
                bad.setdefault((m.group(1), m.group(2)), str(p))
            for (section, ident), reason in bad.items():
                entries = plan.get(section) or []
                keep = [e for k, e in enumerate(entries)
                        if str(e.get("id")) != ident and f"{k + 1}" != ident]
                plan[section] = keep
                dropped.append(reason)
            for t in plan.get("targets") or []:
                ids = {str(x.get("id")) for x in plan.get("targets") or []}
                if t.get("parent") is not None and t["parent"] not in ids:
                    t["parent"] = None
    validate_plan_data(plan, file=name, lines={})
    return dropped


# --- where each item came from, and how sure the reading is -----------------------------------

_BASE_CONFIDENCE = {"table targets": 0.9, "prose targets": 0.75, "norms": 0.7,
                    "institutions": 0.8, "tasks": 0.8}


class _Locator:
    """Finds a quote (whitespace collapsed, as extractors quote) in a document's text."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        source = doc.original if doc.original is not None else doc.text
        flat: list[str] = []
        self.offsets: list[int] = []
        space = False
        for i, ch in enumerate(source):
            if ch.isspace():
                if not space:
                    flat.append(" ")
                    self.offsets.append(i)
                space = True
            else:
                flat.append(ch)
                self.offsets.append(i)
                space = False
        self.flat = "".join(flat)

    def where(self, quote: str) -> str | None:
        quote = _WS.sub(" ", quote).strip()
        k = self.flat.find(quote) if quote else -1
        if k < 0:  # a row quoted cell by cell: its first cell of some length
            first = next((c for c in quote.split(" | ") if len(c) >= 4), "")
            k = self.flat.find(first) if first else -1
        return self.doc.where(self.offsets[k]) if k >= 0 else None


def _sources(doc: Document, plan: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per item of `plan`: where its quote stands in `doc`, and a confidence 0–1
    lowered for each reason to doubt the reading (`why`)."""
    locate = _Locator(doc)
    rows = []
    for section in SECTIONS:
        for item in plan[section]:
            kind = section
            if section == "targets":
                kind = "table targets" if item.get("source_kind") == "table" \
                    else "prose targets"
            score = _BASE_CONFIDENCE[kind]
            why: list[str] = []
            quote = str(item.get("quote") or "")
            where = locate.where(quote)
            note = str(item.get("note") or "")
            if where is None:
                score -= 0.2
                why.append(_("quote not found in the document text"))
            if section == "targets" and item.get("indicator") is None:
                score -= 0.25
                why.append(_("no catalog indicator matched the name"))
            if kind == "prose targets" and len(str(item.get("name", ""))) > 24:
                score -= 0.2
                why.append(_("a long name: the indicator may be cut wrongly from the sentence"))
            if section == "tasks":
                if "(inferred: division table chapter)" in note or "(inferred: plan lead)" in note:
                    score -= 0.3
                    why.append(_("lead department inferred from the chapter or the plan"))
                elif "(inferred:" in note:
                    score -= 0.15
                    why.append(_("units inferred from a matching row or measure"))
                elif not item.get("lead"):
                    score -= 0.1
                    why.append(_("no lead department named"))
            if section == "institutions" and "goal being worked towards" in note:
                score -= 0.1
                why.append(_("grade target is a goal being worked towards"))
            rows.append({"id": item.get("id"), "kind": kind, "where": where,
                         "confidence": round(min(0.99, max(0.05, score)), 2),
                         "why": _("; ").join(why), "quote": quote})
    return rows


# --- the summary -----------------------------------------------------------------------------


def _summarise(result: ExtractResult, tables: TableResult, prose_text: str) -> None:
    plan = result.plan
    targets = plan["targets"]
    result.counts = {
        "table targets": sum(1 for t in targets if t.get("source_kind") == "table"),
        "prose targets": sum(1 for t in targets if t.get("source_kind") != "table"),
        "norms": len(plan["norms"]), "institutions": len(plan["institutions"]),
        "tasks": len(plan["tasks"]),
    }
    for t in targets:
        if t.get("indicator") is None:
            match = match_indicator(str(t["name"]))
            result.unmatched.append({
                "id": t["id"], "name": t["name"],
                "candidates": ", ".join(f"{i} ({s:.2f})" for i, s in match.candidates)})
    result.unparsed = [{"where": _("table {n}").format(n=u.table) if u.table else _("table"),
                        "reason": u.reason, "quote": u.quote} for u in tables.unparsed]
    quotes = [str(e.get("quote", "")) for s in SECTIONS for e in plan[s]]
    result.unparsed += [{"where": _("text"),
                         "reason": _("names a target year and a number, but no target was read "
                                     "from it"),
                         "quote": s}
                        for s in unparsed_sentences(prose_text, quotes,
                                                    min_year=plan["period"]["start"])]
    result.unparsed += [{"where": _("validation"), "reason": _("dropped"), "quote": d}
                        for d in result.dropped]
    meta = result.metadata
    if not meta.title_found:
        result.notes.append(_("title not found in the document; the file name {name} is used")
                            .format(name=repr(meta.title)))
    if meta.region_code is None:
        result.notes.append(_("region not recognised: no county or city name in the title"))
    if meta.period_start is None:
        result.notes.append(_("period not stated; taken from the target years: {start}–{end}")
                            .format(start=plan["period"]["start"], end=plan["period"]["end"]))


def unparsed_sentences(text: str, quotes: list[str], *, min_year: int = 0) -> list[str]:
    """Return the sentences of `text` that look like targets — a target year ≥ `min_year`
    (到2025年) and another number — but overlap none of `quotes` (whitespace collapsed)."""
    covered = [_WS.sub(" ", q).strip() for q in quotes if q]
    out = []
    for raw in re.split(r"(?<=[。；;！？])|\n", text):
        sentence = _WS.sub(" ", raw).strip()
        if not sentence or not any(int(m.group(2)) >= min_year
                                   for m in _TARGET_LIKE.finditer(sentence)):
            continue
        rest = _TARGET_LIKE.sub("", sentence)
        if not _OTHER_NUMBER.search(rest):
            continue
        if any(q in sentence or sentence in q for q in covered if len(q) >= 4):
            continue
        out.append(sentence)
    return out

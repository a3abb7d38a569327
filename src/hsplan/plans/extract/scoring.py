"""How well an extracted plan matches a reference plan: recall and precision per item kind.

The built-in plans encode the five seed documents in full (src/hsplan/data/plans/); they
are the expected answer for extraction from the seed texts (src/hsplan/data/seeds/).

Matching rules
--------------
* **table targets** match when the names are equal (after removing whitespace,
  NFKC-normalising width and converting traditional characters to simplified) and the
  figures are equal: baseline value, target operator, value, low, high, relative_pct,
  per_year, text and target year.
* **prose targets, norms, institutions, tasks** match by quote overlap: the share of the
  shorter quote's character bigrams that also occur in the other quote (whitespace
  collapsed, NFKC, simplified characters), at least `QUOTE_OVERLAP` (0.6). A quote
  contained in the other scores 1.
* Each reference item matches at most one extracted item and vice versa (pairs taken
  best score first).

recall = matched reference items / reference items; precision = matched extracted items /
extracted items (None when there are none to divide by).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan.plans.extract.documents import to_simplified
from hsplan.plans.plan import Plan, builtin_plans, builtin_plans_dir, load_plan

QUOTE_OVERLAP = 0.6
KINDS = ("table targets", "prose targets", "norms", "institutions", "tasks")
SCORE_COLUMNS = ["document", "plan", "kind", "expected", "extracted", "matched", "recall",
                 "precision"]
_WS = re.compile(r"\s+")
_FIGURES = ("op", "value", "low", "high", "relative_pct", "per_year", "text", "year")


def _norm_text(text: str) -> str:
    return to_simplified(_WS.sub("", unicodedata.normalize("NFKC", text)))


def quote_overlap(a: str, b: str) -> float:
    """Return the overlap 0–1 of two quotes: the share of the shorter one's character
    bigrams found in the other (whitespace removed, NFKC); 1 when one contains the other."""
    x, y = _norm_text(a), _norm_text(b)
    if not x or not y:
        return 0.0
    if x in y or y in x:
        return 1.0
    bx = {x[i:i + 2] for i in range(len(x) - 1)} or {x}
    by = {y[i:i + 2] for i in range(len(y) - 1)} or {y}
    return len(bx & by) / min(len(bx), len(by))


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), 6)


def table_key(target: dict[str, Any]) -> tuple[Any, ...]:
    """Return what a table target is matched on: normalised name and the figures."""
    base = target.get("baseline") or {}
    spec = target.get("target") or {}
    figures = tuple(_num(spec.get(k)) if k not in ("op", "text") else spec.get(k)
                    for k in _FIGURES)
    return (_norm_text(str(target.get("name", ""))), _num(base.get("value")), figures)


def _pairs(expected: list[dict[str, Any]], extracted: list[dict[str, Any]],
           score: Callable[[dict[str, Any], dict[str, Any]], float],
           threshold: float) -> int:
    """Return the number of one-to-one matches, best-scoring pairs first."""
    return len(_matched_pairs(expected, extracted, score, threshold))


def _matched_pairs(expected: list[dict[str, Any]], extracted: list[dict[str, Any]],
                   score: Callable[[dict[str, Any], dict[str, Any]], float],
                   threshold: float) -> list[tuple[int, int]]:
    """Return the one-to-one matches (expected index, extracted index), best pairs first."""
    candidates = []
    for i, e in enumerate(expected):
        for j, x in enumerate(extracted):
            s = score(e, x)
            if s >= threshold:
                candidates.append((s, i, j))
    used_e: set[int] = set()
    used_x: set[int] = set()
    pairs = []
    for _s, i, j in sorted(candidates, key=lambda c: -c[0]):
        if i not in used_e and j not in used_x:
            used_e.add(i)
            used_x.add(j)
            pairs.append((i, j))
    return pairs


def _items(plan: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    if kind == "table targets":
        return [t for t in plan.get("targets") or [] if t.get("source_kind") == "table"]
    if kind == "prose targets":
        return [t for t in plan.get("targets") or [] if t.get("source_kind") != "table"]
    return list(plan.get(kind) or [])


def score_plan(extracted: dict[str, Any], expected: dict[str, Any]) -> pd.DataFrame:
    """Return one row per item kind: expected, extracted, matched, recall, precision
    (fractions 0–1) of plan data `extracted` against the reference plan data `expected`."""
    rows = []
    for kind in KINDS:
        exp, got = _items(expected, kind), _items(extracted, kind)
        if kind == "table targets":
            matched = _pairs(exp, got, lambda e, x: float(table_key(e) == table_key(x)), 1.0)
        else:
            matched = _pairs(exp, got, lambda e, x: quote_overlap(str(e.get("quote", "")),
                                                                  str(x.get("quote", ""))),
                             QUOTE_OVERLAP)
        rows.append({
            "document": extracted.get("source", {}).get("document"),
            "plan": expected.get("id"), "kind": kind, "expected": len(exp),
            "extracted": len(got), "matched": matched,
            "recall": matched / len(exp) if exp else None,
            "precision": matched / len(got) if got else None,
        })
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def seed_plans() -> list[Plan]:
    """Return the built-in plans that encode a seed document (not the national norms)."""
    plans = [load_plan(info.path) for info in builtin_plans()]
    return [p for p in plans if re.fullmatch(r"\d{3}_[0-9a-f]+\.txt", p.source_document)]


def seeds_dir() -> Path:
    """Return the folder of the bundled seed documents (src/hsplan/data/seeds)."""
    return builtin_plans_dir().parent / "seeds"


def score_seeds(extract: Callable[[Path], dict[str, Any]],
                plans: Iterable[Plan] | None = None) -> pd.DataFrame:
    """Return the scores of `extract` (seed document path → plan data) on every seed
    document against its built-in plan, one row per document and item kind
    (`score_plan`)."""
    frames = []
    for plan in plans if plans is not None else seed_plans():
        frames.append(score_plan(extract(seeds_dir() / plan.source_document), plan.data))
    return pd.concat(frames, ignore_index=True)


def totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Return recall and precision per item kind summed over documents (micro average)."""
    g = scores.groupby("kind", sort=False)[["expected", "extracted", "matched"]].sum()
    g["recall"] = g["matched"] / g["expected"].where(g["expected"] > 0)
    g["precision"] = g["matched"] / g["extracted"].where(g["extracted"] > 0)
    return g.reset_index()


def scores_markdown(scores: pd.DataFrame) -> str:
    """Return a Markdown table of `score_seeds` output: one row per document, one column
    per kind, each cell "recall / precision" (— where a document has none of that kind),
    and a last row with the totals over all documents."""
    kinds = list(dict.fromkeys(scores["kind"]))

    def cell(expected: float, extracted: float, recall: float, precision: float) -> str:
        if expected == 0 and extracted == 0:
            return "—"
        r = "—" if pd.isna(recall) else f"{recall:.2f}"
        p = "—" if pd.isna(precision) else f"{precision:.2f}"
        return f"{r} / {p}"

    lines = ["| document | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for doc, part in sorted(scores.groupby("document"), key=lambda item: str(item[0])):
        by_kind = part.set_index("kind")
        cells = [cell(*by_kind.loc[k, ["expected", "extracted", "recall", "precision"]])
                 for k in kinds]
        lines.append(f"| {doc} | " + " | ".join(cells) + " |")
    total = totals(scores).set_index("kind")
    cells = [cell(*total.loc[k, ["expected", "extracted", "recall", "precision"]])
             for k in kinds]
    lines.append("| **all five** | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def rendered_name(seed: Path, fmt: str) -> str:
    """Return the file name of `seed` rendered in `fmt` (``000_….pdf-unruled.pdf``)."""
    if fmt == "txt":
        return seed.name
    suffix = ".txt" if fmt == "traditional" else ".pdf" if fmt.startswith("pdf") else f".{fmt}"
    return f"{seed.stem}.{fmt}{suffix}"


def score_formats(extract: Callable[[Path], dict[str, Any]], folder: Path, *,
                  formats: Iterable[str] = ("txt", "docx", "html", "pdf", "pdf-unruled",
                                            "traditional"),
                  plans: Iterable[Plan] | None = None) -> pd.DataFrame:
    """Return `score_seeds` rows for every seed written in each of `formats` (``txt`` is
    the seed itself; the others are made by `hsplan.plans.extract.render` into `folder`,
    reused when already there), with a ``format`` column."""
    from hsplan.plans.extract.render import render

    frames = []
    for plan in plans if plans is not None else seed_plans():
        seed = seeds_dir() / plan.source_document
        for fmt in formats:
            path = seed
            if fmt != "txt":
                path = folder / rendered_name(seed, fmt)
                if not path.is_file():
                    render(seed.read_text(encoding="utf-8"), fmt, path)
            frame = score_plan(extract(path), plan.data)
            frame["document"] = plan.source_document
            frame.insert(0, "format", fmt)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def formats_markdown(scores: pd.DataFrame) -> str:
    """Return a Markdown table of `score_formats` output: one row per format, one column
    per kind, each cell "recall / precision" summed over the seeds (`totals`)."""
    kinds = list(dict.fromkeys(scores["kind"]))
    names = {"txt": "plain text (seed)", "docx": "Word .docx (tables, heading styles)",
             "html": "HTML (rowspan/colspan, one <p> per paragraph)",
             "pdf": "PDF (ruled tables continued over a page break)",
             "pdf-unruled": "PDF (tables without ruling lines, continued over a page break)",
             "traditional": "traditional characters (text)"}
    lines = ["| format | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for fmt, part in scores.groupby("format", sort=False):
        total = totals(part).set_index("kind")
        cells = []
        for k in kinds:
            r, p = total.loc[k, "recall"], total.loc[k, "precision"]
            cells.append(f"{'—' if pd.isna(r) else f'{r:.2f}'} / "
                         f"{'—' if pd.isna(p) else f'{p:.2f}'}")
        lines.append(f"| {names.get(str(fmt), str(fmt))} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def lead_scores(extracted: dict[str, Any], expected: dict[str, Any]) -> dict[str, int]:
    """Return how many of the reference plan's tasks that name a lead department were
    extracted with the same lead: ``with_lead`` (reference tasks with a lead), ``matched``
    (of those, extracted: quote overlap as in `score_plan`) and ``right_lead`` (of those,
    the first lead is the same department: names compared after
    `hsplan.plans.extract.departments` normalisation over both plans' names, so 区发改局
    and 区发展和改革局 are one)."""
    from hsplan.plans.extract.departments import Departments

    exp = [t for t in expected.get("tasks") or [] if t.get("lead")]
    got = list(extracted.get("tasks") or [])
    pairs = _matched_pairs(exp, got, lambda e, x: quote_overlap(str(e.get("quote", "")),
                                                                str(x.get("quote", ""))),
                           QUOTE_OVERLAP)
    deps = Departments.from_names(str(n) for t in [*exp, *got]
                                  for n in [*(t.get("lead") or []), *(t.get("support") or [])])
    right = 0
    for i, j in pairs:
        lead = got[j].get("lead") or []
        if lead and deps.canonical(str(lead[0]))[0] == deps.canonical(str(exp[i]["lead"][0]))[0]:
            right += 1
    return {"with_lead": len(exp), "matched": len(pairs), "right_lead": right}

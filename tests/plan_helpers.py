"""Helpers shared by the tests of the built-in plans (imported as a plain module: pytest
puts tests/ on sys.path)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

import hsplan

DATA = Path(hsplan.__file__).parent / "data"


def collapse(text: str) -> str:
    """Return `text` with every run of whitespace made one space (how quotes are matched)."""
    return re.sub(r"\s+", " ", text).strip()


def plan_quotes(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Return (path, quote) for every `quote` key anywhere in a plan document."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quote" and isinstance(value, str):
                found.append((path, value))
            else:
                found += plan_quotes(value, f"{path}/{node.get('id', key)}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += plan_quotes(item, f"{path}[{i}]")
    return found


def read_plan(name: str) -> dict[str, Any]:
    """Return the raw YAML of the built-in plan `name` (its id)."""
    doc: dict[str, Any] = yaml.safe_load((DATA / "plans" / f"{name}.yaml").read_text(
        encoding="utf-8"))
    return doc


def by_id(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return plan entries keyed by their id."""
    return {e["id"]: e for e in entries}


# the seed documents and the built-in plans that encode them
SEED_PLANS = {
    "000_a2a2a54b8113ffa6.txt": "jiangchuan-2021-2025",
    "001_2d33021bfff8d9bb.txt": "kangbashi-2021-2025",
    "002_041e161165b26347.txt": "leshan-shizhong-2021-2025",
    "003_e14da291fa1a9871.txt": "liaocheng-2024-2025",
    "004_18377352c194759e.txt": "ganzhou-jkq-2023-2025",
}


def seed_text(doc: str) -> str:
    """Return the bundled text of seed document `doc` (its file name)."""
    return (DATA / "seeds" / doc).read_text(encoding="utf-8")


def seed_plan(doc: str) -> dict[str, Any]:
    """Return the raw YAML of the built-in plan that encodes seed `doc`."""
    return read_plan(SEED_PLANS[doc])


def quotes_overlap(a: str, b: str) -> bool:
    """Two quotes name the same passage: one contains the other, or they share a run of at
    least 60% of the shorter (and 6 characters), ignoring whitespace and punctuation."""
    a, b = (re.sub(r"[\s,，。；;:：、“”\"()（）|]", "", q) for q in (a, b))
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match()
    return m.size >= max(6, 0.6 * min(len(a), len(b)))


def recall(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> float:
    """Return the share of `expected` entries whose quote overlaps a quote in `got`."""
    hit = [e for e in expected if any(quotes_overlap(e["quote"], g["quote"]) for g in got)]
    return len(hit) / len(expected)

"""The built-in plan national-norms holds only the CONFIRMED items of NATIONAL_NORMS.md.

Source: src/hsplan/data/seeds/NATIONAL_NORMS.md, a compilation that labels every national
norm CONFIRMED (with a verbatim quote and its URL or repository path) or UNCONFIRMED.
Expected figures below are read from that file by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import hsplan
from hsplan.plans.plan import load_plan
from plan_helpers import by_id as _by_id
from plan_helpers import collapse as _collapse
from plan_helpers import read_plan

DATA = Path(hsplan.__file__).parent / "data"
PLAN_PATH = DATA / "plans" / "national-norms.yaml"
SOURCE_PATH = DATA / "seeds" / "NATIONAL_NORMS.md"


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return read_plan("national-norms")


@pytest.fixture(scope="module")
def source_lines() -> list[str]:
    return SOURCE_PATH.read_text(encoding="utf-8").splitlines()


def _entries(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{section}/{e['id']}", e)
            for section in ("targets", "norms", "institutions", "tasks", "facts")
            for e in plan.get(section, []) or []]


def _confirmed(line: str) -> bool:
    return "CONFIRMED" in line.replace("UNCONFIRMED", "")


def test_every_quote_occurs_in_the_bundled_compilation(plan: dict[str, Any]) -> None:
    text = _collapse(SOURCE_PATH.read_text(encoding="utf-8"))
    entries = _entries(plan)
    assert len(entries) == 17 + 35 + 12
    missing = [where for where, e in entries if _collapse(e["quote"]) not in text]
    assert missing == []
    # the check is not vacuous: a changed figure is not found
    quote = _by_id(plan["targets"])["NT05"]["quote"]
    assert quote in text and quote.replace("550", "505") not in text


def test_every_quote_sits_on_a_confirmed_line(plan: dict[str, Any],
                                              source_lines: list[str]) -> None:
    unconfirmed = []
    for where, e in _entries(plan):
        hits = [i for i, line in enumerate(source_lines) if e["quote"] in _collapse(line)]
        assert hits, where
        i = hits[0]
        # the status is on the quote's own table row, or on the paragraph heading just above
        if not any(_confirmed(line) for line in source_lines[max(0, i - 4):i + 1]):
            unconfirmed.append(where)
    assert unconfirmed == []


def test_every_entry_cites_its_document_and_address(plan: dict[str, Any]) -> None:
    uncited = [where for where, e in _entries(plan)
               if not re.search(r"https?://|GitHub|gov\.cn", e["note"] or "")
               or "NATIONAL_NORMS.md §" not in e["note"]]
    assert uncited == []


def test_header(plan: dict[str, Any]) -> None:
    assert plan["id"] == PLAN_PATH.stem == "national-norms"
    assert plan["kind"] == "国家规范"
    assert plan["region"] == {"code": None, "name": "中华人民共和国", "level": "national"}
    assert plan["source"]["document"] == SOURCE_PATH.name


def test_confirmed_targets(plan: dict[str, Any]) -> None:
    t = _by_id(plan["targets"])
    assert t["NT03"]["indicator"] == "childcare_places_per_1k"
    assert t["NT03"]["target"] == {"year": 2025, "op": ">=", "value": 4.5}
    assert t["NT04"]["target"]["value"] == 3.8
    assert t["NT06"]["target"] == {"year": 2025, "op": ">=", "value": 1.2, "ratio_form": "1:x"}
    assert (t["NT07"]["target"]["value"], t["NT08"]["target"]["value"]) == (15, 18)
    assert t["NT08"]["target"]["year"] == 2027
    assert t["NT12"]["target"]["value"] == 40
    assert t["NT15"]["target"] == {"year": 2025, "op": "<=", "value": 3645}
    assert [t[i]["parent"] for i in ("NT15a", "NT15b")] == ["NT15", "NT15"]
    assert t["NT15a"]["target"]["value"] + t["NT15b"]["target"]["value"] == 3645
    # two documents give different 2025 life expectancy targets: both kept, each names the other
    assert "NT02" in t["NT01"]["conflict"] and "NT01" in t["NT02"]["conflict"]
    assert {x["nature"] for x in plan["targets"]} == {None}


def test_unconfirmed_figures_are_left_out(plan: dict[str, Any]) -> None:
    indicators = {x["indicator"] for x in plan["targets"]}
    # 床位 7.4–7.5, 医师 3.2, 全科 3.93, 药师 0.54, 孕产妇/婴儿死亡率 targets: UNCONFIRMED
    assert indicators & {"beds_per_1k", "doctors_per_1k", "gps_per_10k", "pharmacists_per_1k",
                         "maternal_mortality_per_100k", "infant_mortality_per_1k"} == set()
    resources = {str(n["params"].get("resource")) for n in plan["norms"]}
    assert "ambulances" not in resources  # 1辆/3万人口 is UNCONFIRMED as a national norm
    assert "bed_efficiency" not in {n["rule"] for n in plan["norms"]}
    note = plan["source"]["note"]
    assert "救护车 1辆/3万人口 as a national norm" in note
    assert note.count("\n- ") == 25


def test_confirmed_norms(plan: dict[str, Any]) -> None:
    n = _by_id(plan["norms"])
    assert n["NN03"]["params"] == {"resource": "village_doctors", "per_pop": 1000, "min": 1,
                                   "scope": "rural", "facility": "村卫生室"}
    assert (n["NN04"]["params"]["min"], n["NN05"]["params"]["min"]) == (6, 9)
    assert n["NN09"]["params"]["min"] == 2
    assert n["NN21"]["params"]["min"] == 1.15
    assert (n["NN26"]["params"]["min_pct"], n["NN26"]["params"]["max_pct"]) == (2, 5)
    assert n["NN30"]["params"]["distance_km"] == 5
    assert n["NN31"]["params"]["distance_km"] == 20
    assert n["NN34"]["params"]["minutes"] == 15
    assert all(x["params"]["reason"] for x in plan["norms"] if x["rule"] == "text")


def test_facts(plan: dict[str, Any]) -> None:
    f = _by_id(plan["facts"])
    assert (f["NF01"]["value"], f["NF01"]["year"]) == (77.93, 2020)
    assert f["NF04"]["value"] == 16.9
    assert (f["NF07"]["value"], f["NF08"]["value"]) == (79.4, 86.0)
    assert f["NF11"]["value"] == 529


def test_plan_loads_without_problems() -> None:
    p = load_plan("national-norms")
    assert p.id == "national-norms"
    assert (len(p.targets), len(p.norms), len(p.facts)) == (17, 35, 12)


def test_every_indicator_is_in_the_catalog(plan: dict[str, Any]) -> None:
    ids: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        ids |= {e["id"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []}
    used = {e["indicator"] for e in plan["targets"] + plan["facts"] if e.get("indicator")}
    assert used - ids == set()

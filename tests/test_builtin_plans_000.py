"""The built-in plan jiangchuan-2021-2025 encodes seed 000 in full and faithfully.

Seed: 000_a2a2a54b8113ffa6.txt, 玉溪市江川区“十四五”医疗卫生服务体系规划 (bundled in
src/hsplan/data/seeds/). Expected figures below are read from the seed text by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import hsplan
from hsplan.plans.plan import load_plan
from plan_helpers import by_id as _by_id
from plan_helpers import collapse as _collapse
from plan_helpers import plan_quotes as _quotes
from plan_helpers import read_plan

DATA = Path(hsplan.__file__).parent / "data"
PLAN_PATH = DATA / "plans" / "jiangchuan-2021-2025.yaml"
SEED_PATH = DATA / "seeds" / "000_a2a2a54b8113ffa6.txt"
EXTRA_PATH = DATA / "indicators" / "extra_000.yaml"


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return read_plan("jiangchuan-2021-2025")


@pytest.fixture(scope="module")
def seed() -> str:
    return _collapse(SEED_PATH.read_text(encoding="utf-8"))


def test_every_quote_occurs_in_the_seed(plan: dict[str, Any], seed: str) -> None:
    quotes = _quotes(plan)
    assert len(quotes) == 58 + 46 + 4 + 47 + 1  # + the readings' 院前急救 network quote
    missing = [where for where, quote in quotes if _collapse(quote) not in seed]
    assert missing == []


def test_the_quote_check_notices_a_changed_figure(plan: dict[str, Any], seed: str) -> None:
    quote = _by_id(plan["targets"])["T07"]["quote"]
    assert quote in seed
    assert quote.replace("3.56", "3.65") not in seed


def test_source_names_the_bundled_seed(plan: dict[str, Any]) -> None:
    assert plan["source"]["document"] == SEED_PATH.name
    assert plan["id"] == PLAN_PATH.stem
    assert plan["region"] == {"code": "530403", "name": "云南省玉溪市江川区", "level": "county"}
    assert plan["period"] == {"start": 2021, "end": 2025}
    assert plan["baseline_year"] == 2020


def test_table_1_has_23_rows_and_one_sub_row_in_6_categories(plan: dict[str, Any]) -> None:
    rows = [t for t in plan["targets"]
            if t["source_kind"] == "table" and t["id"].startswith("T")]
    assert len(rows) == 24
    assert [t["id"] for t in rows] == (
        [f"T{i:02d}" for i in range(1, 8)] + ["T07a"] + [f"T{i:02d}" for i in range(8, 24)])
    per_category: dict[str, int] = {}
    for t in rows:
        per_category[t["category"]] = per_category.get(t["category"], 0) + 1
    assert per_category == {
        "疾病预防控制体系": 2, "应急医疗救治体系": 4, "公立医疗机构高质量发展": 10,
        "中医药服务": 4, "重点人群健康服务": 2, "健康水平": 2,
    }
    assert {t["nature"] for t in rows} == {"预期性"}
    assert [t["id"] for t in rows if t["parent"]] == ["T07a"]
    # "—" in the 2020 column → baseline value null
    assert [t["id"] for t in rows if t["baseline"]["value"] is None] == [
        "T02", "T03", "T04", "T05", "T17", "T18", "T20", "T21"]


def test_table_1_figures(plan: dict[str, Any]) -> None:
    t = _by_id(plan["targets"])
    assert t["T01"]["baseline"] == {"year": 2020, "value": 6.5}
    assert t["T01"]["target"] == {"year": 2025, "op": ">=", "value": 7}
    assert t["T03"]["target"] == {"year": 2025, "op": ">=", "value": 0.33}
    assert t["T05"]["target"]["value"] == 80
    assert t["T07a"]["name"] == "其中:县办公立医院及基层医疗卫生机构床位数"
    assert (t["T07a"]["baseline"]["value"], t["T07a"]["target"]["value"]) == (2.38, 2.45)
    assert t["T07a"]["parent"] == "T07"
    assert (t["T09"]["baseline"]["value"], t["T09"]["target"]["value"]) == (0, 0.01)
    assert (t["T14"]["baseline"]["value"], t["T14"]["target"]["value"]) == (1.39, 1.34)
    assert t["T15"]["baseline"] == {"year": 2020, "value": 1.74, "ratio_form": "1:x"}
    assert t["T15"]["target"] == {"year": 2025, "op": ">=", "value": 2.12, "ratio_form": "1:x"}
    assert (t["T19"]["baseline"]["value"], t["T19"]["target"]["value"]) == (0.67, 0.6)
    assert t["T20"]["unit"] == "个" and t["T20"]["target"]["value"] == 4.5
    assert t["T22"]["baseline"]["value"] == 80.31
    assert t["T22"]["target"] == {"year": 2025, "op": "up"}
    assert t["T23"]["baseline"]["value"] == 64.9


def test_table_2_repeats_the_workforce_rows_of_table_1(plan: dict[str, Any]) -> None:
    t = _by_id(plan["targets"])
    rows = [x for x in plan["targets"] if x["id"].startswith("W")]
    assert [x["indicator"] for x in rows] == ["doctors_per_1k", "nurses_per_1k", "gps_per_10k"]
    for w, same in (("W01", "T10"), ("W02", "T11"), ("W03", "T13")):
        assert t[w]["baseline"]["value"] == t[same]["baseline"]["value"]
        assert t[w]["target"]["value"] == t[same]["target"]["value"]
        assert t[w]["indicator"] == t[same]["indicator"]


def test_prose_targets(plan: dict[str, Any]) -> None:
    t = _by_id(plan["targets"])
    prose = [x for x in plan["targets"] if x["source_kind"] == "prose"]
    assert len(prose) == 31
    assert t["P01"]["target"]["value"] == t["T07"]["target"]["value"] == 3.56
    assert t["P02"]["target"] == {"year": 2025, "op": ">=", "value": 50, "aspirational": True}
    assert t["P03"]["target"] == {"year": 2025, "op": "range", "low": 2, "high": 3,
                                  "aspirational": True}
    assert t["P11"]["target"] == {"year": 2025, "op": "<=", "value": 10}
    assert t["P26"]["indicator"] == "psychiatrists_per_100k"
    assert t["P26"]["target"]["value"] == 4
    assert t["P30"]["target"] == {"year": 2025, "op": "down"}
    assert t["P27"]["target"] == {"year": 2025, "op": "up"}
    assert [x["id"] for x in plan["targets"] if x.get("conflict")] == []


def test_configuration_norms(plan: dict[str, Any]) -> None:
    n = _by_id(plan["norms"])
    assert len(n) == 46
    assert n["N08"]["params"]["per_pop_min"] == 30000
    assert n["N08"]["params"]["per_pop_max"] == 100000
    assert n["N09"]["params"]["where"] == {"min_pop": 800}
    assert n["N10"]["params"]["max_occupancy_pct"] == 75
    assert n["N10"]["params"]["min_alos_days"] == 9
    assert n["N12"]["params"]["min"] == 1.75 and n["N12"]["params"]["per_pop"] == 10000
    assert n["N21"]["params"] == {"resource": "ambulances", "per_pop": 30000, "min": 1,
                                  "scope": "all"}
    assert n["N22"]["params"]["min_pct"] == 30
    assert (n["N24"]["params"]["min_pct"], n["N24"]["params"]["max_pct"]) == (2, 3)
    assert (n["N25"]["params"]["distance_km"], n["N25"]["params"]["minutes"]) == (5, 15)
    assert (n["N26"]["params"]["distance_km"], n["N26"]["params"]["minutes"]) == (20, 30)
    assert n["N34"]["params"]["min_pct"] == 5
    assert all(x["params"]["reason"] for x in plan["norms"] if x["rule"] == "text")


def test_task_annex_has_30_rows_with_lead_and_support(plan: dict[str, Any]) -> None:
    annex = [x for x in plan["tasks"] if x["id"].startswith("A")]
    assert len(annex) == 30
    k = _by_id(plan["tasks"])
    assert k["A01"]["lead"] == ["区卫生健康局", "区委机构编制委员会办公室"]
    assert k["A07"]["lead"] == ["区财政局"]
    assert k["A11"]["lead"] == ["区政府办公室"]
    assert len(k["A20"]["support"]) == 20
    assert k["A20"]["support"][-1] == "区消防救援大队"
    assert k["A27"]["lead"] == ["区医改领导小组"]
    assert k["A27"]["support"] == ["区医改领导小组各成员单位"]
    assert {x["deadline"] for x in plan["tasks"]} == {"2025-12-31"}
    assert len([x for x in plan["tasks"] if x["id"].startswith("K")]) == 17


def test_plan_loads_without_problems() -> None:
    p = load_plan("jiangchuan-2021-2025")
    assert p.id == "jiangchuan-2021-2025"
    assert len(p.targets) == 58 and len(p.norms) == 46
    assert len(p.institutions) == 4 and len(p.tasks) == 47


def test_every_indicator_is_in_the_catalog(plan: dict[str, Any]) -> None:
    ids: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        ids |= {e["id"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []}
    used = {t["indicator"] for t in plan["targets"] if t["indicator"]}
    assert used - ids == set()


def test_extra_indicators_are_not_duplicated_in_the_main_catalog() -> None:
    extra = {e["id"] for e in yaml.safe_load(EXTRA_PATH.read_text(encoding="utf-8"))}
    others: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        if path != EXTRA_PATH:
            others |= {e["id"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []}
    assert extra & others == set()
    assert "village_counselling_room_share_pct" in extra

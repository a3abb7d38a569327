"""The built-in plan kangbashi-2021-2025 encodes seed 001 in full and faithfully.

Seed: 001_2d33021bfff8d9bb.txt, 鄂尔多斯市康巴什区“十四五”卫生健康事业发展规划 (bundled in
src/hsplan/data/seeds/). Expected figures below are read from the seed text by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import hsplan
from plan_helpers import by_id as _by_id
from plan_helpers import collapse as _collapse
from plan_helpers import plan_quotes as _quotes
from plan_helpers import read_plan

DATA = Path(hsplan.__file__).parent / "data"
PLAN_PATH = DATA / "plans" / "kangbashi-2021-2025.yaml"
SEED_PATH = DATA / "seeds" / "001_2d33021bfff8d9bb.txt"


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return read_plan("kangbashi-2021-2025")


@pytest.fixture(scope="module")
def seed() -> str:
    return _collapse(SEED_PATH.read_text(encoding="utf-8"))


def test_every_quote_occurs_in_the_seed(plan: dict[str, Any], seed: str) -> None:
    quotes = _quotes(plan)
    assert len(quotes) == 50 + 14 + 2 + 44 + 69
    missing = [where for where, quote in quotes if _collapse(quote) not in seed]
    assert missing == []


def test_source_names_the_bundled_seed(plan: dict[str, Any]) -> None:
    assert plan["source"]["document"] == SEED_PATH.name
    assert plan["id"] == PLAN_PATH.stem
    assert plan["region"] == {"code": "150603", "name": "内蒙古自治区鄂尔多斯市康巴什区",
                              "level": "county"}
    assert plan["period"] == {"start": 2021, "end": 2025}


def test_indicator_table_has_24_rows_in_5_categories(plan: dict[str, Any]) -> None:
    rows = [t for t in plan["targets"] if t["source_kind"] == "table"]
    assert len(rows) == 24
    assert [t["id"] for t in rows] == [f"T{i:02d}" for i in range(1, 25)]
    per_category: dict[str, int] = {}
    for t in rows:
        per_category[t["category"]] = per_category.get(t["category"], 0) + 1
    assert per_category == {
        "健康水平": 5, "健康生活": 2, "健康服务": 10, "资源配置": 6, "健康保障": 1,
    }
    natures = [t["nature"] for t in rows]
    assert natures.count("约束性") == 7
    assert natures.count("指导性") == 9
    assert natures.count("预期性") == 8


@pytest.mark.parametrize(
    ("target_id", "indicator", "expected"),
    [
        ("T01", "life_expectancy_years", {"year": 2025, "op": ">=", "value": 77.6}),
        ("T04", "maternal_mortality_per_100k", {"year": 2025, "op": "<", "value": 20}),
        ("T05", "premature_ncd_mortality_pct", {"year": 2025, "op": "<=", "relative_pct": -10}),
        ("T11", "child_myopia_rate_pct", {"year": 2025, "op": "<=", "per_year": -0.5}),
        ("T14", "hiv_prevalence_pct", {"year": 2025, "op": "<", "value": 0.17}),
        ("T20", "nurses_per_1k", {"year": 2025, "op": ">=", "value": 4.12}),
        ("T23", "childcare_places_per_1k",
         {"year": 2025, "op": "text", "text": "达到国家平均水平"}),
        ("T24", "oop_share_pct", {"year": 2025, "op": "<=", "value": 28}),
        ("T25", "gps_per_10k", {"year": 2025, "op": "approx", "value": 4}),
        ("T26", "new_community_health_facilities",
         {"year": 2025, "op": "range", "low": 2, "high": 3}),
    ],
)
def test_target_figures_match_the_seed(
    plan: dict[str, Any], target_id: str, indicator: str, expected: dict[str, Any]
) -> None:
    t = _by_id(plan["targets"])[target_id]
    assert t["indicator"] == indicator
    assert t["target"] == expected


def test_prose_figures_that_contradict_the_table_are_kept_with_conflicts(
    plan: dict[str, Any],
) -> None:
    targets = _by_id(plan["targets"])
    pairs = [("T21", "T25"), ("T07", "T27"), ("T17", "T33"), ("T08", "T35"), ("T08", "T36")]
    for table_id, prose_id in pairs:
        assert targets[table_id]["source_kind"] == "table"
        assert targets[prose_id]["source_kind"] == "prose"
        assert prose_id in targets[table_id]["conflict"]
        assert table_id in targets[prose_id]["conflict"]
    assert targets["T21"]["target"]["value"] == 2.6
    assert targets["T33"]["target"]["value"] == 95


def test_staffing_plan_sub_rows_add_up(plan: dict[str, Any]) -> None:
    targets = _by_id(plan["targets"])
    children = [t for t in plan["targets"] if t.get("parent") == "T45"]
    assert [t["target"]["value"] for t in children] == [45, 120, 38, 10]
    assert sum(t["target"]["value"] for t in children) == targets["T45"]["target"]["value"] == 213


def test_norms_carry_the_documented_parameters(plan: dict[str, Any]) -> None:
    norms = _by_id(plan["norms"])
    assert norms["N05"]["rule"] == "service_circle"
    assert norms["N05"]["params"]["minutes"] == 10
    # 25 % 社会办 reserve (预留) is planning space, not a minimum of existing private beds
    assert norms["N06"]["rule"] == "text"
    assert norms["N08"]["params"] == {"resource": "staff_total", "per_pop": 10000, "min": 1.9,
                                      "facility": "疾病预防控制中心"}
    assert norms["N09"]["params"] == {"facility": "社区卫生服务中心", "department": "中医馆",
                                      "min_pct": 100}
    assert all(n["params"].get("reason") for n in plan["norms"] if n["rule"] == "text")


def test_baseline_facts(plan: dict[str, Any]) -> None:
    facts = _by_id(plan["facts"])
    assert facts["F05"]["value"] == 41
    parts = [f"F{i:02d}" for i in range(6, 16)]
    assert sum(facts[p]["value"] for p in parts) == 41
    assert (facts["F17"]["value"], facts["F18"]["value"]) == (1980, 1463)
    assert facts["F36"]["value"] == 63.56
    assert facts["F21"]["value"] == 156


def test_ids_unique_and_references_resolve(plan: dict[str, Any]) -> None:
    for section in ("targets", "norms", "institutions", "tasks", "facts"):
        ids = [e["id"] for e in plan[section]]
        assert len(ids) == len(set(ids)), section
    target_ids = {t["id"] for t in plan["targets"]}
    assert {t["parent"] for t in plan["targets"] if t["parent"]} <= target_ids
    for t in plan["targets"]:
        if t["conflict"]:
            named = set(re.findall(r"T\d{2}", t["conflict"]))
            assert named and named <= target_ids, t["id"]


def test_indicators_are_in_the_catalog(plan: dict[str, Any]) -> None:
    catalog: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        with path.open(encoding="utf-8") as f:
            catalog |= {e["id"] for e in yaml.safe_load(f)}
    used = {t["indicator"] for t in plan["targets"]}
    assert used - catalog == set()


def test_extra_entries_are_not_duplicated_in_the_main_catalog() -> None:
    with (DATA / "indicators" / "extra_001.yaml").open(encoding="utf-8") as f:
        extra = {e["id"] for e in yaml.safe_load(f)}
    others: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        if path.name != "extra_001.yaml":
            with path.open(encoding="utf-8") as f:
                others |= {e["id"] for e in yaml.safe_load(f)}
    assert extra & others == set()


def test_plan_validates_against_the_plan_schema(plan: dict[str, Any]) -> None:
    schema = yaml.safe_load((DATA / "plan.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(plan), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_plan_loads_without_problems() -> None:
    from hsplan.plans.plan import load_plan

    loaded = load_plan(PLAN_PATH)
    assert loaded.id == "kangbashi-2021-2025"
    assert (len(loaded.targets), len(loaded.norms), len(loaded.institutions),
            len(loaded.tasks), len(loaded.facts)) == (50, 14, 2, 44, 69)
    assert load_plan("kangbashi-2021-2025").id == loaded.id

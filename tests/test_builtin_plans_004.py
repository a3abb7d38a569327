"""Built-in plan ganzhou-jkq-2023-2025: seed 004 (赣州经开区三年行动计划 2023-2025) in full.

Checks that every quote occurs in the bundled seed, that every one of the 32 numbered measures
is a task with the units the seed names, that every row of the annex 重点项目清单 is a task,
and spot-checks figures against the seed text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hsplan.plans.plan import Plan, load_plan
from plan_helpers import collapse as _collapse
from plan_helpers import plan_quotes as _quotes
from plan_helpers import read_plan

DATA = Path(__file__).resolve().parents[1] / "src" / "hsplan" / "data"
SEED = DATA / "seeds" / "004_18377352c194759e.txt"
PLAN_FILE = DATA / "plans" / "ganzhou-jkq-2023-2025.yaml"
EXTRA = DATA / "indicators" / "extra_004.yaml"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return read_plan("ganzhou-jkq-2023-2025")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan("ganzhou-jkq-2023-2025")


def _by_id(items: Any, item_id: str) -> Any:
    return next(x for x in items if x.id == item_id)


def test_seed_is_bundled_unchanged() -> None:
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert digest == "c650b51ecb8b90db67c67d7aa71d922529ee3dee5bed9a524aaa4b5a9380eb72"
    readme = (DATA / "seeds" / "README.md").read_text(encoding="utf-8")
    assert "| 004_18377352c194759e.txt |" in readme
    assert "ganzhou-jkq-2023-2025" in readme


def test_every_quote_occurs_in_the_seed(data: dict[str, Any], seed_text: str) -> None:
    seed = _collapse(seed_text)
    quotes = _quotes(data)
    missing = [path for path, quote in quotes if _collapse(quote) not in seed]
    assert missing == []
    assert len(quotes) == 138 + 1  # + the readings' 院前急救 network quote


def test_plan_loads_without_problems(plan: Plan) -> None:
    assert plan.id == "ganzhou-jkq-2023-2025"
    assert plan.kind == "行动计划"
    assert (plan.period_start, plan.period_end) == (2023, 2025)
    assert plan.date == "2023-12-08"
    assert plan.region_code == "360702400"
    assert (len(plan.targets), len(plan.norms), len(plan.institutions), len(plan.tasks)) == (
        27, 25, 2, 84)


def test_the_32_measures_are_tasks_with_the_seed_units(plan: Plan, seed_text: str) -> None:
    measures = re.findall(r"^(\d+)\.(.+?)。.*〔责任单位:(.*?)〕", seed_text, flags=re.M)
    assert len(measures) == 32
    tasks = [t for t in plan.tasks if t.id.startswith("K")]
    assert [t.id for t in tasks] == [f"K{n:02d}" for n in range(1, 33)]
    for (number, title, units), task in zip(measures, tasks, strict=True):
        assert task.id == f"K{int(number):02d}"
        assert task.title == title
        # units are 、-separated (not inside brackets); measure 4 runs 各乡(镇、街道) and the
        # next unit together, read as two units
        written = units.replace("各乡(镇、街道)新", "各乡(镇、街道)、新")
        assert [*task.lead, *task.support] == re.split(r"、(?![^()]*\))", written)
        assert task.quote.startswith(f"{number}.{title}。")
    k08 = _by_id(plan.tasks, "K08")
    assert (k08.lead, k08.support) == (("区社管局",), ("区财政局",))
    k04 = _by_id(plan.tasks, "K04")
    assert k04.support == ("区社管局", "区财政局", "各乡(镇、街道)", "新能源科技城指挥部办公室")


def test_every_annex_row_is_a_task(plan: Plan, seed_text: str) -> None:
    annex = seed_text[seed_text.index("序号 |"):seed_text.index("相关文章")]
    numbered = re.findall(r"^(\d+) \|$", annex, flags=re.M)
    assert [int(n) for n in numbered] == list(range(1, 48))
    rows = [t for t in plan.tasks if t.id.startswith("P")]
    assert len(rows) == 52  # 47 numbered rows + 4 more lines in row 16 + 1 in row 26
    assert [t.id for t in rows if "-" in t.id] == ["P16-2", "P16-3", "P16-4", "P16-5", "P26-2"]
    assert all(t.lead for t in rows)


def test_milestones_of_the_measures(plan: Plan) -> None:
    k10 = _by_id(plan.tasks, "K10")
    assert [(m["date"], m["value"]) for m in k10.milestones] == [
        ("2024-12-31", 80), ("2025-12-31", 100), ("2025-12-31", 60)]
    k30 = _by_id(plan.tasks, "K30")
    assert [m["date"] for m in k30.milestones] == ["2023-12-31", "2025-12-31"]
    assert k30.deadline == "2025-12-31"
    assert _by_id(plan.tasks, "K01").deadline == "2024-12-31"
    assert _by_id(plan.tasks, "P23").deadline == "2024-12-31"


def test_prose_targets_spot_checks(plan: Plan) -> None:
    t = {x.id: x for x in plan.targets}
    assert all(x.source_kind == "prose" for x in plan.targets)  # the seed has no indicator table
    assert (t["T01"].indicator, t["T01"].target.op, t["T01"].target.value) == (
        "life_expectancy_years", ">=", 78.6)
    assert (t["T03"].indicator, t["T03"].target.value) == ("beds_per_1k", 13.0)
    assert (t["T04"].indicator, t["T04"].target.value) == ("doctors_per_1k", 2.6)
    assert (t["T05"].indicator, t["T05"].target.value) == ("nurses_per_1k", 3.1)
    assert (t["T09"].indicator, t["T09"].target.value) == ("ambulance_call_response_pct", 95.0)
    assert [(m.year, m.value) for m in t["T11"].milestones] == [
        (2023, 60.0), (2024, 80.0), (2025, 100.0)]
    assert (t["T15"].indicator, t["T15"].target.value) == ("childcare_places_per_1k", 4.5)
    assert t["T16"].parent == "T15" and t["T16"].target.value == 60.0
    assert t["T13"].target.aspirational and t["T13"].target.value == 100.0


def test_contradictions_name_each_other(plan: Plan) -> None:
    t = {x.id: x for x in plan.targets}
    pairs = {x.id: x.conflict.split()[0] for x in plan.targets if x.conflict}
    assert pairs == {"T06": "T08", "T08": "T06", "T22": "T23", "T23": "T22"}
    assert (t["T22"].target.value, t["T23"].target.value) == (300.0, 200.0)
    assert (t["T06"].target.value, t["T08"].target.value) == (1.0, 2.0)


def test_ambulance_and_department_norms(plan: Plan) -> None:
    n = {x.id: x for x in plan.norms}
    assert n["N06"].params == {"resource": "ambulances", "per_pop": 30000, "min_count": 1,
                               "scope": "urban"}
    assert n["N07"].params["per_pop"] == 10000 and n["N07"].params["scope"] == "rural"
    assert n["N08"].params["min_pct"] == 40
    assert n["N08"].params["numerator"] == {"resource": "ambulances_negative_pressure"}
    assert (n["N14"].params["min_pct"], n["N15"].params["min_pct"]) == (100, 80)
    assert n["N10"].params["department"] == "精神科" and n["N10"].params["min_pct"] == 60
    assert all(x.params.get("reason") for x in plan.norms if x.rule == "text")


def test_extra_indicators_are_used_and_not_in_the_main_catalog(data: dict[str, Any]) -> None:
    extra = yaml.safe_load(EXTRA.read_text(encoding="utf-8"))
    extra_ids = {e["id"] for e in extra}
    others: set[str] = set()
    for path in (DATA / "indicators").glob("*.yaml"):
        if path != EXTRA:
            others |= {e["id"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []}
    assert extra_ids & others == set()
    used = {t["indicator"] for t in data["targets"]}
    assert extra_ids <= used

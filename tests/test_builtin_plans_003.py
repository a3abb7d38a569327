"""Built-in plan liaocheng-2024-2025: seed 003 (聊城市进一步完善医疗卫生服务体系的实施方案) in full.

Checks that every quote occurs in the bundled seed, that every numbered measure with
责任单位 is a task led by the first unit, and spot-checks figures against the seed text.
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
SEED = DATA / "seeds" / "003_e14da291fa1a9871.txt"
PLAN_FILE = DATA / "plans" / "liaocheng-2024-2025.yaml"
EXTRA = DATA / "indicators" / "extra_003.yaml"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return read_plan("liaocheng-2024-2025")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan("liaocheng-2024-2025")


def test_seed_is_bundled_unchanged() -> None:
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert digest == "f3a996c432b0b98f4a59d05b6635882d207ba0c25ce562adbed99aa9b9f6eccd"
    readme = (DATA / "seeds" / "README.md").read_text(encoding="utf-8")
    assert "| 003_e14da291fa1a9871.txt |" in readme
    assert "liaocheng-2024-2025" in readme


def test_every_quote_occurs_in_the_seed(data: dict[str, Any], seed_text: str) -> None:
    seed = _collapse(seed_text)
    quotes = _quotes(data)
    missing = [path for path, quote in quotes if _collapse(quote) not in seed]
    assert missing == []
    assert len(quotes) == 67


def test_plan_loads_without_problems(plan: Plan) -> None:
    assert plan.id == "liaocheng-2024-2025"
    assert plan.kind == "实施方案"
    assert (plan.period_start, plan.period_end) == (2024, 2025)
    assert plan.region_code == "371500" and plan.region_level == "city"
    assert plan.baseline_year is None
    assert (len(plan.targets), len(plan.norms), len(plan.institutions), len(plan.tasks)) == (
        28, 11, 5, 23)


def test_period_is_the_one_the_text_states(seed_text: str) -> None:
    # targets run "到2025年" (vision 2035); the draft was put out for comment in 2024
    years = set(re.findall(r"到(20\d\d)年", seed_text))
    assert years == {"2025", "2035"}
    assert "征求意见期间为2024年3月5日至2024年4月4日" in seed_text


# the first written unit of each measure -> the lead unit's full name. Part of the published
# unit lists lost separators and the 市/局 of names ("科技卫生健康委" = 市科技局、市卫生健康委).
FIRST_UNIT_TO_LEAD = {
    "卫生健康委": "市卫生健康委", "市卫生健康委": "市卫生健康委", "科技卫生健康委": "市科技局",
    "财政发展改革委": "市财政局", "市医疗保障局": "市医疗保障局",
    "人力资源社会保障财政委编办": "市人力资源社会保障局",
}


def test_every_measure_is_a_task_led_by_the_first_unit(plan: Plan, seed_text: str) -> None:
    measures = re.findall(r"^·\s+\(([一二三四五六])\)(.+?)。.*\(责任单位:([^,)\n]*)", seed_text,
                          flags=re.M)
    assert len(measures) == 23
    assert [t.title for t in plan.tasks] == [title for _, title, _ in measures]
    leads = [task.lead for task in plan.tasks]
    assert leads == [(FIRST_UNIT_TO_LEAD[units.split("、")[0]],) for _, _, units in measures]
    assert all(task.deadline == "2025-12-31" for task in plan.tasks)
    k21 = plan.tasks[19]  # K20, 六(三)
    assert k21.title == "健全服务购买机制"
    assert k21.support == ("市卫生健康委", "市财政局", "市地方金融监管局",
                           "国家金融监督管理总局聊城监管分局")
    k07 = plan.tasks[6]
    assert k07.support == ("市委编办", "市发展改革委", "市人力资源社会保障局", "市财政局",
                           "市医疗保障局")
    k14 = plan.tasks[13]
    assert [(m["date"], m["value"]) for m in k14.milestones] == [
        ("2024-12-31", 280), ("2025-12-31", 280)]


def test_no_indicator_tables(plan: Plan, seed_text: str) -> None:
    assert "|" not in seed_text  # the seed holds no table
    assert all(t.source_kind == "prose" for t in plan.targets)


def test_prose_targets_spot_checks(plan: Plan) -> None:
    t = {x.id: x for x in plan.targets}
    assert (t["T03"].indicator, t["T03"].target.value, t["T03"].target.aspirational) == (
        "in_county_visit_rate_pct", 90.0, True)
    assert (t["T05"].indicator, t["T05"].target.op, t["T05"].target.value) == (
        "primary_oe_visits_share_pct", ">=", 65.0)
    assert (t["T06"].indicator, t["T06"].target.value, t["T06"].target.ratio_form) == (
        "doctor_to_bed_ratio", 0.53, "1:x")
    assert (t["T07"].indicator, t["T07"].target.value) == ("nurse_to_doctor_ratio", 1.01)
    assert (t["T08"].indicator, t["T08"].target.value) == ("gps_per_10k", 4.0)
    assert (t["T09"].indicator, t["T09"].target.value) == ("public_health_staff_per_10k", 8.5)
    assert (t["T11"].target.op, t["T11"].target.low, t["T11"].target.high) == ("range", 2.0, 3.0)
    assert (t["T13"].target.op, t["T13"].target.value) == ("approx", 240.0)
    assert (t["T23"].indicator, t["T23"].target.value) == ("family_doctor_signing_pct", 60.0)
    assert (t["T24"].indicator, t["T24"].target.value) == ("key_population_signing_pct", 90.0)
    assert t["T01"].target.op == "up" and t["T01"].target.value is None


def test_norms_and_institutions(plan: Plan) -> None:
    n = {x.id: x for x in plan.norms}
    assert n["N01"].rule == "service_circle" and n["N01"].params["minutes"] == 15
    assert n["N02"].params["numerator"]["facility"]["grade_min"] == "二级甲等"
    assert (n["N04"].params["department"], n["N04"].params["min_pct"]) == ("中医馆", 20)
    grades = {i.name: i.grade_target for i in plan.institutions}
    assert grades == {"聊城市妇幼保健院": "三级甲等", "临清市妇幼保健院": "二级甲等",
                      "莘县妇幼保健院": "二级甲等", "冠县妇幼保健院": "二级甲等",
                      "茌平区妇幼保健院": "二级甲等"}


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

"""The built-in plan leshan-shizhong-2021-2025 encodes seed 002 in full and faithfully.

Seed: 002_041e161165b26347.txt, 乐山市市中区“十四五”医疗卫生服务体系规划 (bundled in
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
PLAN_PATH = DATA / "plans" / "leshan-shizhong-2021-2025.yaml"
SEED_PATH = DATA / "seeds" / "002_041e161165b26347.txt"


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return read_plan("leshan-shizhong-2021-2025")


@pytest.fixture(scope="module")
def seed() -> str:
    return _collapse(SEED_PATH.read_text(encoding="utf-8"))


def test_every_quote_occurs_in_the_seed(plan: dict[str, Any], seed: str) -> None:
    quotes = _quotes(plan)
    assert len(quotes) == 69 + 30 + 9 + 68 + 11 + 1  # + the readings' 院前急救 network quote
    missing = [where for where, quote in quotes if _collapse(quote) not in seed]
    assert missing == []


def test_table3_rows_cited_in_institution_notes_occur_in_the_seed(
    plan: dict[str, Any], seed: str,
) -> None:
    rows = [re.search(r"表3 row: ([^;]+)", i["note"]) for i in plan["institutions"]]
    cited = [m.group(1) for m in rows if m]
    assert len(cited) == 6
    assert [row for row in cited if row not in seed] == []


def test_source_names_the_bundled_seed(plan: dict[str, Any]) -> None:
    assert plan["source"]["document"] == SEED_PATH.name
    assert plan["id"] == PLAN_PATH.stem
    assert plan["region"] == {"code": "511102", "name": "四川省乐山市市中区", "level": "county"}
    assert plan["period"] == {"start": 2021, "end": 2025}
    assert plan["date"] == "2023-11-30"


def test_table1_has_19_numbered_rows_and_one_sub_row(plan: dict[str, Any]) -> None:
    rows = [t for t in plan["targets"] if t["source_kind"] == "table"]
    assert len(rows) == 20
    assert [t["id"] for t in rows] == [f"T{i:02d}" for i in range(1, 21)]
    assert [t["id"] for t in rows if t["parent"]] == ["T06"]
    assert _by_id(rows)["T06"]["parent"] == "T05"
    per_category: dict[str, int] = {}
    for t in rows:
        per_category[t["category"]] = per_category.get(t["category"], 0) + 1
    assert per_category == {
        "疾病预防控制体系": 2, "应急医疗救治体系": 2, "床位和人力配置": 9, "中医药服务体系": 3,
        "重点人群服务补短板": 2, "健康水平": 2,
    }
    natures = [t["nature"] for t in rows]
    assert (natures.count("约束性"), natures.count("预期性")) == (4, 16)


@pytest.mark.parametrize(
    ("target_id", "indicator", "expected"),
    [
        ("T01", "public_health_staff_per_10k", {"year": 2025, "op": ">=", "value": 6.64}),
        ("T02", "cdc_infrastructure_compliance_pct",
         {"year": 2025, "op": "text", "text": "全覆盖"}),
        ("T05", "beds_per_1k", {"year": 2025, "op": "approx", "value": 9.0}),
        ("T06", "county_public_primary_beds_per_1k", {"year": 2025, "op": "approx", "value": 4.0}),
        ("T12", "nurse_to_doctor_ratio",
         {"year": 2025, "op": ">=", "value": 1.29, "ratio_form": "1:x"}),
        ("T13", "staff_to_bed_ratio",
         {"year": 2025, "op": ">=", "value": 1.62, "ratio_form": "1:x"}),
        ("T19", "life_expectancy_years", {"year": 2025, "op": ">", "value": 78.67}),
        ("T27", "tertiary_general_hospital_alos_days", {"year": 2025, "op": "<=", "value": 8}),
        ("T28", "health_inspectors_per_10k", {"year": 2025, "op": "range", "low": 1, "high": 1.5}),
        ("T53", "maternal_mortality_per_100k", {"year": 2025, "op": "<=", "value": 14.5}),
        ("T50", "chc_community_hospital_share_pct",
         {"year": 2025, "op": ">=", "value": 20, "aspirational": True}),
    ],
)
def test_target_figures_match_the_seed(
    plan: dict[str, Any], target_id: str, indicator: str, expected: dict[str, Any]
) -> None:
    t = _by_id(plan["targets"])[target_id]
    assert t["indicator"] == indicator
    assert t["target"] == expected


def test_prose_repeats_of_table_figures_agree(plan: dict[str, Any]) -> None:
    targets = _by_id(plan["targets"])
    # 表1 第6项 says 公立中医医院, the prose 公立中医类医院 (also 中西医结合、民族医医院): two
    # indicators with one figure, marked as a conflict (issue 10)
    assert (targets["T07"]["indicator"], targets["T25"]["indicator"]) == (
        "public_tcm_only_hospital_beds_per_1k", "public_tcm_hospital_beds_per_1k")
    assert targets["T07"]["conflict"].startswith("T25")
    for table_id, prose_id in [("T05", "T21"), ("T06", "T22"), ("T08", "T29"),
                               ("T09", "T31"), ("T10", "T33"), ("T11", "T32"), ("T14", "T30"),
                               ("T17", "T52"), ("T18", "T66")]:
        assert targets[table_id]["indicator"] == targets[prose_id]["indicator"]
        assert targets[table_id]["target"] == targets[prose_id]["target"], prose_id
        assert targets[table_id]["conflict"] is None and targets[prose_id]["conflict"] is None


def test_table2_beds_and_table3_grades(plan: dict[str, Any]) -> None:
    inst = {i["name"]: i for i in plan["institutions"]}
    beds = {name: i["beds"]["target"] for name, i in inst.items() if i["beds"]}
    assert beds == {"区人民医院": 1000, "区中医医院": 500, "区妇幼保健院": 300, "区肿瘤医院": 300,
                    "苏稽镇中心卫生院": 300, "茅桥镇中心卫生院": 150, "土主镇中心卫生院": 120}
    assert sum(beds.values()) == 2670
    assert inst["区肿瘤医院"]["campus"] == "棉竹院区、通江院区"
    grades = {name: (i["grade"]["baseline"], i["grade"]["target"]) for name, i in inst.items()
              if i["grade"] and i["grade"]["baseline"]}
    assert grades == {
        "区人民医院": ("三级乙等", "三级甲等"), "区中医医院": ("三级乙等", "三级甲等"),
        "区妇幼保健院": ("三级乙等", "三级甲等"), "区肿瘤医院": ("二级乙等", "二级甲等"),
        "区疾病预防控制中心": ("二级甲等", "三级乙等"),
        "苏稽镇中心卫生院": ("二级乙等", "二级甲等"),
        "茅桥镇中心卫生院": ("一级", "二级乙等"),
    }


def test_norms_carry_the_documented_parameters(plan: dict[str, Any]) -> None:
    norms = _by_id(plan["norms"])
    assert norms["N03"]["params"]["per_pop_min"] == 30000
    assert norms["N03"]["params"]["per_pop_max"] == 100000
    assert norms["N04"]["params"]["minutes"] == 15
    assert (norms["N05"]["params"]["minutes"], norms["N05"]["params"]["scope"]) == (30, "rural")
    assert norms["N06"]["params"] == {"facility": {"subtype": "综合医院", "ownership": "公立"},
                                      "max_occupancy_pct": 75, "min_alos_days": 9}
    assert norms["N13"]["params"]["min"] == 1.25
    assert (norms["N16"]["params"]["min_pct"], norms["N16"]["params"]["max_pct"]) == (2, 3)
    assert all(n["params"].get("reason") for n in plan["norms"] if n["rule"] == "text")


def test_hospital_relocation_task_has_its_milestones(plan: dict[str, Any]) -> None:
    task = next(t for t in plan["tasks"] if t["title"] == "区人民医院整体搬迁及附属设施建设项目")
    assert [(m["date"], m["value"]) for m in task["milestones"]] == [
        ("2023-12-31", 100), ("2025-12-31", None)]
    duty = next(t for t in plan["tasks"] if t["title"] == "落实部门责任")
    assert duty["lead"] == ["卫生健康部门"]
    assert len(duty["support"]) == 9


def test_baseline_facts(plan: dict[str, Any]) -> None:
    facts = _by_id(plan["facts"])
    values = (facts["F01"]["value"], facts["F03"]["value"], facts["F11"]["value"])
    assert values == (77.4, 2.53, 587)
    assert facts["F09"]["indicator"] == "hypertension_managed_pct"


def test_ids_unique_and_references_resolve(plan: dict[str, Any]) -> None:
    for section in ("targets", "norms", "institutions", "tasks", "facts"):
        ids = [e["id"] for e in plan[section]]
        assert len(ids) == len(set(ids)), section
    assert {t["parent"] for t in plan["targets"] if t["parent"]} == {"T05", "T21", "T29"}


def test_indicators_are_in_the_catalog(plan: dict[str, Any]) -> None:
    catalog: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        with path.open(encoding="utf-8") as f:
            catalog |= {e["id"] for e in yaml.safe_load(f)}
    used = {t["indicator"] for t in plan["targets"] if t["indicator"]}
    used |= {f["indicator"] for f in plan["facts"] if f.get("indicator")}
    assert used - catalog == set()
    unmapped = [t["id"] for t in plan["targets"] if t["indicator"] is None]
    assert unmapped == ["T44", "T45", "T46", "T47"]


def test_extra_entries_are_not_duplicated_in_the_main_catalog() -> None:
    with (DATA / "indicators" / "extra_002.yaml").open(encoding="utf-8") as f:
        extra = {e["id"] for e in yaml.safe_load(f)}
    others: set[str] = set()
    for path in sorted((DATA / "indicators").glob("*.yaml")):
        if path.name != "extra_002.yaml":
            with path.open(encoding="utf-8") as f:
                others |= {e["id"] for e in yaml.safe_load(f)}
    assert len(extra) == 17
    assert extra & others == set()


def test_plan_validates_against_the_plan_schema(plan: dict[str, Any]) -> None:
    schema = yaml.safe_load((DATA / "plan.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(plan), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_plan_loads_without_problems() -> None:
    from hsplan.plans.plan import load_plan

    loaded = load_plan(PLAN_PATH)
    assert loaded.id == "leshan-shizhong-2021-2025"
    assert (len(loaded.targets), len(loaded.norms), len(loaded.institutions),
            len(loaded.tasks), len(loaded.facts)) == (69, 30, 9, 68, 11)
    assert load_plan("leshan-shizhong-2021-2025").id == loaded.id

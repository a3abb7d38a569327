"""Prose norms: hand-picked sentences with the expected rule and parameters, and recall on
each seed against the checkable norms (rule other than `text`) of its built-in plan."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hsplan.plans.extract._text import collapse
from hsplan.plans.extract.norms import facility_selector, prose_norms
from plan_helpers import SEED_PLANS, recall
from plan_helpers import seed_plan as plan
from plan_helpers import seed_text as seed

CASES: list[tuple[str, list[tuple[str, dict[str, Any], str]]]] = [
    ("到2025年底,按城市地区每3万人口、农村地区每1万人口配置1辆救护车,且负压救护车占比不少于40%的要求。",
     [("resource_per_population",
       {"resource": "ambulances", "per_pop": 30000, "min": 1, "scope": "urban"},
       "按城市地区每3万人口、农村地区每1万人口配置1辆救护车"),
      ("resource_per_population",
       {"resource": "ambulances", "per_pop": 10000, "min": 1, "scope": "rural"},
       "按城市地区每3万人口、农村地区每1万人口配置1辆救护车"),
      ("share", {"numerator": {"resource": "ambulances_negative_pressure"},
                 "denominator": {"resource": "ambulances"}, "min_pct": 40},
       "且负压救护车占比不少于40%的要求")]),
    ("原则上,每个乡(镇)办好1个乡(镇)卫生院,每个街道办事处范围或每3万—10万居民规划设置1个社区卫生服务中心。",
     [("count_per_population",
       {"facility": "社区卫生服务中心", "per_pop_min": 30000, "per_pop_max": 100000,
        "area_level": "county"},
       "每个街道办事处范围或每3万—10万居民规划设置1个社区卫生服务中心"),
      ("presence", {"area_level": "township", "facility": ["乡镇卫生院", "中心乡镇卫生院"],
                    "min_count": 1, "where": {"area_kind": "town"}},
       "每个乡(镇)办好1个乡(镇)卫生院")]),
    ("原则上，病床使用率低于75%、平均住院日高于9天的公立综合医院，需合理控制床位数量，不再新增床位。",
     [("bed_efficiency", {"facility": {"subtype": "综合医院", "ownership": "公立"},
                          "max_occupancy_pct": 75, "min_alos_days": 9},
       "病床使用率低于75%、平均住院日高于9天的公立综合医院，需合理控制床位数量，不再新增床位")]),
    ("力争到2025年,城市地区服务半径不超过5千米或救护车平均到达时间15分钟以内,"
     "农村地区服务半径不超过20千米,救护车到达时间在30分钟以内。",
     [("service_circle", {"facility": ["急救中心", "急救站"], "distance_km": 5, "mode": "drive",
                          "minutes": 15, "scope": "urban"},
       "城市地区服务半径不超过5千米或救护车平均到达时间15分钟以内"),
      ("service_circle", {"facility": ["急救中心", "急救站"], "distance_km": 20, "mode": "drive",
                          "minutes": 30, "scope": "rural"},
       "农村地区服务半径不超过20千米")]),
    ("到2025年底,全区60%以上的二级以上综合医院争取开设精神(心理)科门诊。",
     [("department_share", {"facility": {"subtype": "综合医院", "grade_min": "二级"},
                            "department": "精神科", "min_pct": 60},
       "全区60%以上的二级以上综合医院争取开设精神(心理)科门诊")]),
    ("各镇卫生院至少配备 1 名公共卫生医师。",
     [("per_facility_minimum", {"facility": ["乡镇卫生院", "中心乡镇卫生院"],
                                "resource": "public_health_physicians", "min": 1},
       "各镇卫生院至少配备 1 名公共卫生医师")]),
    ("努力构建“10分钟”基本医疗卫生服务圈。",
     [("service_circle", {"facility": {"category": "基层医疗卫生机构"}, "minutes": 10,
                          "min_share_pct": 100}, "努力构建“10分钟”基本医疗卫生服务圈")]),
    ("到2025年，每万人口配备1—1.5名卫生监督员。",
     [("resource_per_population", {"resource": "health_inspectors", "per_pop": 10000,
                                   "min": 1, "max": 1.5}, "每万人口配备1—1.5名卫生监督员")]),
    ("三级综合医院平均住院日控制在 8 天以内。",
     [("max_alos", {"facility": {"subtype": "综合医院", "grade_min": "三级"},
                    "max_alos_days": 8}, "三级综合医院平均住院日控制在 8 天以内")]),
    # invented: another county's wording
    ("每个行政村设置1所村卫生室,中医类别医师占比不低于25%。",
     [("presence", {"area_level": "village", "facility": "村卫生室", "min_count": 1},
       "每个行政村设置1所村卫生室"),
      ("share", {"numerator": {"resource": "tcm_doctors"},
                 "denominator": {"resource": ["doctors_licensed", "doctors_assistant"]},
                 "min_pct": 25}, "中医类别医师占比不低于25%")]),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:14] for c in CASES])
def test_norm_forms(sentence: str, expected: list[tuple[str, dict[str, Any], str]]) -> None:
    got = [(n["rule"], n["params"], n["quote"]) for n in prose_norms(sentence)]
    assert got == expected


TEXT_CASES = [  # invented wording; each a norm the model cannot check
    ("每个社区卫生服务中心配备至少1名康复治疗师。", ["每个社区卫生服务中心配备至少1名康复治疗师"]),
    ("妇幼保健机构专业技术人员占编制总额的比例不低于80%。",
     ["妇幼保健机构专业技术人员占编制总额的比例不低于80%"]),
    ("为社会办医疗机构预留每千人口1.5张的床位指标。",
     ["为社会办医疗机构预留每千人口1.5张的床位指标"]),
    ("县域内至少有1所公立医院设置安宁疗护病房。", ["县域内至少有1所公立医院设置安宁疗护病房"]),
    ("所有乡镇卫生院均设置预防接种门诊。", ["所有乡镇卫生院均设置预防接种门诊"]),
]


@pytest.mark.parametrize(("sentence", "quotes"), TEXT_CASES, ids=[c[0][:10] for c in TEXT_CASES])
def test_text_norms(sentence: str, quotes: list[str]) -> None:
    got = prose_norms(sentence)
    assert [(n["rule"], n["quote"]) for n in got] == [("text", q) for q in quotes]
    assert all(n["params"]["reason"] for n in got)


def test_optional_and_named_department_statements_are_not_norms() -> None:
    assert prose_norms("鼓励有条件的综合医院设立老年医学科。") == []
    assert prose_norms("区人民医院设置精神心理门诊。") == []


def test_indicator_targets_are_not_norms() -> None:
    assert prose_norms("每千人口注册护士数达到3.1人。") == []


def test_facility_selector() -> None:
    assert facility_selector("政府办二级以上综合性医院") == {
        "subtype": "综合医院", "grade_min": "二级", "government_run": True}
    assert facility_selector("乡镇卫生院、社区卫生服务中心") == [
        "社区卫生服务中心", "乡镇卫生院", "中心乡镇卫生院"]
    assert facility_selector("区级公立医院") == {
        "category": "医院", "ownership": "公立", "admin_level": "县属"}
    assert facility_selector("健康教育栏目") is None


FLOORS = {"kangbashi-2021-2025": 0.75, "liaocheng-2024-2025": 0.8,
          "ganzhou-jkq-2023-2025": 0.8, "jiangchuan-2021-2025": 0.95,
          "leshan-shizhong-2021-2025": 0.95}


@pytest.mark.parametrize("doc", sorted(SEED_PLANS))
def test_recall_on_seed(doc: str) -> None:
    text = seed(doc)
    start = time.perf_counter()
    got = prose_norms(text)
    elapsed = time.perf_counter() - start
    expected = [n for n in plan(doc)["norms"] if n["rule"] != "text"]
    r = recall(expected, got)
    print(f"{SEED_PLANS[doc]}: norm recall {r:.2f} ({len(got)} extracted, {len(expected)} "
          f"checkable in the plan), {elapsed:.2f}s")
    assert r >= FLOORS.get(SEED_PLANS[doc], 0.75)
    flat = collapse(text)
    assert all(n["quote"] in flat for n in got)

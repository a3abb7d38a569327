"""Prose targets: hand-picked sentences (from the seeds and invented) with the expected
dicts, and recall on each seed against its built-in plan (quote overlap)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hsplan.plans.extract._text import (
    clauses,
    cn_to_int,
    collapse,
    parse_number,
    sentences,
    split_units,
    target_year,
)
from hsplan.plans.extract.prose import clean_name, prose_targets
from plan_helpers import SEED_PLANS, recall
from plan_helpers import seed_plan as plan
from plan_helpers import seed_text as seed

# --- _text helpers -----------------------------------------------------------------------------


def test_chinese_numerals_and_numbers() -> None:
    assert [cn_to_int(t) for t in ("三", "十", "十二", "二十", "二十三", "一百零五", "两")] == [
        3, 10, 12, 20, 23, 105, 2]
    assert cn_to_int("三所") is None
    assert parse_number("1.75") == 1.75
    assert parse_number("3万") == 30000
    assert parse_number("三") == 3
    assert parse_number("约200") is None


def test_split_units_keeps_brackets_and_glues_broken_names() -> None:
    cell = "区疾控中心、区社管局、区财政局、各乡(镇、街道)新能源科技城指挥部办公室"
    assert split_units(cell) == [
        "区疾控中心", "区社管局", "区财政局", "各乡(镇、街道)新能源科技城指挥部办公室"]
    assert split_units("区卫生健康局 区委机构编制委员会办公室") == [
        "区卫生健康局", "区委机构编制委员会办公室"]
    assert split_units("区发展和改革局、区财政 局、区自然资源局") == [
        "区发展和改革局", "区财政局", "区自然资源局"]


def test_sentences_carry_their_section_headings() -> None:
    text = "一、总体要求\n(一)指导思想\n坚持预防为主。\n(二)发展目标\n到2025年,床位数达到500张。"
    got = [(s.section, s.text) for s in sentences(text)]
    assert got == [("一、总体要求 (一)指导思想", "坚持预防为主。"),
                   ("一、总体要求 (二)发展目标", "到2025年,床位数达到500张。")]
    assert clauses("到2025年,A(甲,乙)达到1%") == [(0, "到2025年"), (7, "A(甲,乙)达到1%")]
    assert target_year("到2024年底完成。到2025年达到。到2025年建成。") == 2025
    assert collapse("  a \n\t b ") == "a b"


def test_clean_name_strips_time_scope_and_modal_words() -> None:
    assert clean_name("到2025年,全区每千人口床位数") == "每千人口床位数"
    assert clean_name("力争到2025年全区建成") == "建成"


# --- hand-picked sentences ---------------------------------------------------------------------

CASES: list[tuple[str, list[dict[str, Any]]]] = [
    ("到2025年,每万常住人口全科医生数达到4人左右。",  # seed 001
     [{"name": "每万常住人口全科医生数", "unit": "人",
       "target": {"year": 2025, "op": "approx", "value": 4},
       "quote": "到2025年,每万常住人口全科医生数达到4人左右"}]),
    ("到2025年,15岁以上人群烟草使用流行率控制在25%以下。",
     [{"name": "15岁以上人群烟草使用流行率", "unit": "%",
       "target": {"year": 2025, "op": "<=", "value": 25}}]),
    ("到2025年,床医比、医护比分别达到1∶0.53、1∶1.01。",  # seed 003
     [{"name": "床医比", "target": {"year": 2025, "op": ">=", "value": 0.53, "ratio_form": "1:x"}},
      {"name": "医护比", "target": {"year": 2025, "op": ">=", "value": 1.01,
                                   "ratio_form": "1:x"}}]),
    ("2023年底、2024年底、2025年底设置完成率分别达到总任务量的60%、80%、100%。",  # seed 004
     [{"name": "设置完成率", "unit": "%", "target": {"year": 2025, "op": ">=", "value": 100},
       "milestones": [{"year": 2023, "value": 60, "op": ">="},
                      {"year": 2024, "value": 80, "op": ">="},
                      {"year": 2025, "value": 100, "op": ">="}]}]),
    ("到2025年,全区孕产妇死亡率比基期降低10%。",  # invented
     [{"name": "孕产妇死亡率", "target": {"year": 2025, "op": "<=", "relative_pct": -10},
       "baseline": {"year": None, "value": None}}]),
    ("到2025年,婴儿死亡率每年降低0.5个百分点。",  # invented
     [{"name": "婴儿死亡率", "target": {"year": 2025, "op": "<=", "per_year": -0.5}}]),
    ("逐步提高政府经常性卫生支出占财政支出的比例。",  # seed 000
     [{"name": "政府经常性卫生支出占财政支出的比例", "unit": "%",
       "target": {"year": None, "op": "up"}}]),
    ("婴幼儿早期发展知识普及率、家长及婴幼儿照护者接受科学育儿指导服务率均达 90%以上。",
     [{"name": "婴幼儿早期发展知识普及率", "target": {"year": None, "op": ">=", "value": 90}},
      {"name": "家长及婴幼儿照护者接受科学育儿指导服务率",
       "target": {"year": None, "op": ">=", "value": 90}}]),
    ("到2025年,力争新增省级重点专科 2 个、市级重点专科 10 个。",  # seed 002
     [{"name": "省级重点专科", "unit": "个",
       "target": {"year": 2025, "op": ">=", "value": 2, "aspirational": True}},
      {"name": "市级重点专科", "unit": "个",
       "target": {"year": 2025, "op": ">=", "value": 10, "aspirational": True}}]),
    ("到2025年,80%以上的村卫生室(社区卫生服务站)能够提供中医药服务。",  # seed 000
     [{"name": "村卫生室(社区卫生服务站)能够提供中医药服务比例", "unit": "%",
       "target": {"year": 2025, "op": ">=", "value": 80}}]),
    ("到2024年底,区疾控中心实验室达到国家要求检查项目数量的80%以上。",  # seed 004
     [{"name": "区疾控中心实验室", "unit": "%",
       "target": {"year": 2024, "op": ">=", "value": 80}}]),
    ("推进2-3个左右国家临床重点(优势)专科建设(含中医)。",  # seed 003
     [{"name": "国家临床重点(优势)专科建设(含中医)", "unit": "个",
       "target": {"year": None, "op": "range", "low": 2, "high": 3}}]),
    ("孕产妇死亡率、婴儿死亡率保持自治区较低水平。",  # seed 001
     [{"name": "孕产妇死亡率",
       "target": {"year": None, "op": "text", "text": "保持自治区较低水平"}},
      {"name": "婴儿死亡率",
       "target": {"year": None, "op": "text", "text": "保持自治区较低水平"}}]),
    ("到2027年,县域内住院量占比力争在85%以上。",  # invented, another period
     [{"name": "县域内住院量占比", "unit": "%",
       "target": {"year": 2027, "op": ">=", "value": 85, "aspirational": True}}]),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:16] for c in CASES])
def test_prose_target_forms(sentence: str, expected: list[dict[str, Any]]) -> None:
    got = prose_targets(sentence)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert {k: g.get(k) for k in e} == e
        assert g["source_kind"] == "prose"
        assert g["quote"] in collapse(sentence)


def test_facts_and_background_are_not_targets() -> None:
    assert prose_targets("截至2020年末,全区每千人口床位数达到3.44张。") == []
    text = ("一、发展基础\n全区人均期望寿命达到 77.4 岁。\n"
            "二、发展目标\n到2025年,人均预期寿命达到78岁。")
    assert [t["name"] for t in prose_targets(text)] == ["人均预期寿命"]


# --- the seeds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", sorted(SEED_PLANS))
def test_recall_on_seed(doc: str) -> None:
    text = seed(doc)
    start = time.perf_counter()
    got = prose_targets(text)
    elapsed = time.perf_counter() - start
    expected = [t for t in plan(doc)["targets"] if t["source_kind"] == "prose"]
    r = recall(expected, got)
    print(f"{SEED_PLANS[doc]}: prose-target recall {r:.2f} ({len(got)} extracted, "
          f"{len(expected)} in the plan), {elapsed:.2f}s")
    assert r >= 0.8
    flat = collapse(text)
    assert all(g["quote"] in flat for g in got)
    assert len({g["id"] for g in got}) == len(got)


def test_numbered_list_without_full_stops_gives_one_target_per_item() -> None:
    text = ("到2025年，全区主要健康指标：1.每千人口医疗卫生机构床位数达到4.3张 "
            "2.每千人口执业（助理）医师数达到2.8名 3.每万人口全科医生数3.5名\n"
            "①孕产妇死亡率控制在10/10万以下 ②婴儿死亡率控制在5‰以下")
    got = [(t["name"], t["target"].get("value"), t["quote"]) for t in prose_targets(text)]
    assert got[:3] == [
        ("每千人口医疗卫生机构床位数", 4.3, "每千人口医疗卫生机构床位数达到4.3张"),
        ("每千人口执业（助理）医师数", 2.8, "每千人口执业（助理）医师数达到2.8名"),
        ("每万人口全科医生数", 3.5, "每万人口全科医生数3.5名"),
    ]
    assert [g[1] for g in got[3:]] == [10, 5]
    assert all(t["target"]["year"] == 2025 for t in prose_targets(text))

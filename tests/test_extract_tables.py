"""Indicator tables of the seed documents read into targets (hsplan.plans.extract.tables)."""

from __future__ import annotations

import pytest

from hsplan.plans.extract.documents import document_from_text, read_document
from hsplan.plans.extract.matching import match_indicator, normalise_name
from hsplan.plans.extract.scoring import seed_plans, seeds_dir, table_key
from hsplan.plans.extract.tables import parse_baseline, parse_figure, table_targets

SEED_PLANS = {p.source_document: p for p in seed_plans()}


@pytest.mark.parametrize("cell, direction, expected", [
    ("7", "up", {"op": ">=", "value": 7}),
    ("<10", "down", {"op": "<", "value": 10}),
    ("≥0.33", "up", {"op": ">=", "value": 0.33}),
    ("≤20", "down", {"op": "<=", "value": 20}),
    (">78.67", "up", {"op": ">", "value": 78.67}),
    ("9.0 左右", "up", {"op": "approx", "value": 9}),
    ("1︰2.12", "up", {"op": ">=", "value": 2.12, "ratio_form": "1:x"}),
    ("1:1.29", "up", {"op": ">=", "value": 1.29, "ratio_form": "1:x"}),
    ("逐步提高", "up", {"op": "up"}),
    ("同比例提高", "up", {"op": "up"}),
    ("持续下降", "down", {"op": "down"}),
    ("比基期 降低10%", "down", {"op": "<=", "relative_pct": -10}),
    ("每年降低0.5个百分点", "down", {"op": "<=", "per_year": -0.5}),
    ("1-1.5", "up", {"op": "range", "low": 1, "high": 1.5}),
    ("80%以上", "up", {"op": ">=", "value": 80}),
    ("力争≥90", "up", {"op": ">=", "value": 90, "aspirational": True}),
    ("保持100%", "up", {"op": "keep", "value": 100}),
    ("达到国家平均水平", "up", {"op": "text", "text": "达到国家平均水平"}),
    ("全覆盖", "up", {"op": "text", "text": "全覆盖"}),
    ("—", "up", None),
])
def test_parse_figure(cell: str, direction: str, expected: dict | None) -> None:
    assert parse_figure(cell, direction=direction) == expected


def test_parse_baseline() -> None:
    assert parse_baseline("3.44") == {"value": 3.44}
    assert parse_baseline("1︰1.74") == {"value": 1.74, "ratio_form": "1:x"}
    assert parse_baseline("—") == {"value": None}


@pytest.mark.parametrize("seed", sorted(SEED_PLANS))
def test_every_table_row_of_every_seed_is_extracted_with_exact_figures(seed: str) -> None:
    plan = SEED_PLANS[seed]
    expected = sorted(table_key(t) for t in plan.data["targets"]
                      if t.get("source_kind") == "table")
    result = table_targets(read_document(seeds_dir() / seed),
                           period_end=plan.period_end, baseline_year=plan.baseline_year)
    assert sorted(table_key(t) for t in result.targets) == expected
    assert result.unparsed == []


def test_jiangchuan_rows_keep_quote_unit_category_and_parent() -> None:
    result = table_targets(read_document(seeds_dir() / "000_a2a2a54b8113ffa6.txt"),
                           period_end=2025, baseline_year=2020)
    by_name = {t["name"]: t for t in result.targets}
    ratio = by_name["医护比"]
    assert ratio["quote"] == "14 | 医护比 | | 1.39 | 1.34 | 预期性"
    assert ratio["unit"] is None and ratio["indicator"] == "nurse_to_doctor_ratio"
    sub = by_name["其中:县办公立医院及基层医疗卫生机构床位数"]
    assert sub["parent"] == by_name["每千人口医疗卫生机构床位数"]["id"]
    assert sub["category"] == "公立医疗机构高质量发展"
    pharm = by_name["每千人口药师(士)数"]
    assert pharm["quote"] == "12 | 每千人口药师 (士) 数 | 人 | 0.35 | 0.54 | 预期性"
    wide = [t for t in result.targets if t["category"] == "表2 江川区主要卫生人力资源指标发展目标"]
    assert [(t["indicator"], t["unit"], t["baseline"]["value"], t["target"]["value"])
            for t in wide] == [("doctors_per_1k", "人", 2.28, 2.52),
                               ("nurses_per_1k", "人", 3.02, 3.2),
                               ("gps_per_10k", "人", 1.58, 3.28)]


def test_kangbashi_one_cell_per_line_with_split_header_and_two_line_value() -> None:
    result = table_targets(read_document(seeds_dir() / "001_2d33021bfff8d9bb.txt"),
                           period_end=2025, baseline_year=2020)
    ncd = next(t for t in result.targets if t["name"] == "重大慢性疾病过早死亡率")
    assert ncd["unit"] == "%" and ncd["category"] == "健康水平"
    assert ncd["baseline"] == {"year": 2020, "value": None}
    assert ncd["target"] == {"year": 2025, "op": "<=", "relative_pct": -10}
    assert ncd["quote"] == "重大慢性疾病过早死亡率(%) 比基期 降低10% 预期性"


def test_table_without_nature_column_units_in_own_column_and_unmatched_name() -> None:
    text = ("某某县“十四五”卫生健康规划主要指标如下。\n表 3 主要指标\n"
            "领域 | 指标名称 | 单位 | 2020年 | 2025年 |\n"
            "资源 | 每千人口医疗卫生机构床位数 | 张 | 5.1 | ≥6.0 |\n"
            "| 其中:公立医院床位数 | 张 | 3.2 | 3.5 |\n"
            "服务 | 县域内住院量占比 | % | 85 | 90 |\n"
            "| 居民幸福指数 | 分 | — | 逐步提高 |\n")
    result = table_targets(document_from_text(text), period_end=2025, baseline_year=2020)
    got = [(t["name"], t["unit"], t["indicator"], t["baseline"]["value"], t["target"])
           for t in result.targets]
    assert got[0] == ("每千人口医疗卫生机构床位数", "张", "beds_per_1k", 5.1,
                      {"year": 2025, "op": ">=", "value": 6})
    assert got[1][0] == "其中:公立医院床位数" and result.targets[1]["parent"] == "T01"
    assert got[3][:3] == ("居民幸福指数", "分", None)
    assert got[3][4] == {"year": 2025, "op": "up"}
    assert result.targets[3]["note"].startswith("review: no catalog indicator matched")


def test_matching_normalises_names_as_tables_write_them() -> None:
    assert normalise_name("专业公共卫生机构人员数(每 万人)") == "每万人口专业公共卫生机构人员数"
    assert match_indicator("其中:县办公立医院及基层医疗卫生机构床位数(张)").indicator == \
        "county_public_primary_beds_per_1k"
    assert match_indicator("每千人口执业(助理)医师 数(人)").indicator == "doctors_per_1k"
    unmatched = match_indicator("居民幸福指数")
    assert unmatched.indicator is None and unmatched.direction == "up"
    assert match_indicator("新生儿死亡率(‰)").direction == "down"

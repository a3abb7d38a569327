"""Tests of hsplan.demand.needs and `hsplan needs`: hand-computed bed needs on a small made-up
region, the example project's 2025 projection explained line by line, the plan's per-1k
target path, the CLI."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.demand.needs import (
    bed_need,
    default_assumptions_path,
    derive_admission_rates,
    load_assumptions,
    needs,
)
from hsplan.demand.projection import BANDS
from hsplan.errors import HsplanError
from hsplan.plans.plan import Plan, load_plan
from hsplan.region.example import example_project_path
from hsplan.region.model import Region
from hsplan.region.project import Project

MINI_PLAN = """\
id: mini
title: 测试规划
kind: 规划
region: {code: '999999', name: 测试县, level: county}
period: {start: 2021, end: 2025}
source: {document: none.txt}
targets:
- id: T1
  indicator: beds_per_1k
  name: 每千人口医疗卫生机构床位数
  unit: 张
  target: {year: 2025, op: '>=', value: 4}
  quote: 每千人口床位数 4
- id: T2
  indicator: staff_to_bed_ratio
  name: 床人比
  target: {year: 2025, op: '>=', value: 1.5, ratio_form: '1:x'}
  quote: 床人比 1:1.5
"""


@pytest.fixture(scope="module")
def example_region() -> Region:
    return Project.open(example_project_path()).load()


@pytest.fixture(scope="module")
def example_result(example_region: Region):  # type: ignore[no-untyped-def]
    return needs(example_region, load_plan("jiangchuan-2021-2025"), year=2025,
                 assumptions=load_assumptions())


@pytest.fixture()
def mini_plan(tmp_path: Path) -> Plan:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_PLAN, encoding="utf-8")
    return load_plan(path)


def _mini_region(*, with_utilisation: bool = False) -> Region:
    areas = pd.DataFrame([{"code": "999999", "name": "测试县", "level": "county"}])
    pop = {"area_code": "999999", "year": 2023, "total": 1500, "urban": 600, "rural": 900,
           **dict.fromkeys(BANDS, 0), "age_00_04": 1000, "age_65_69": 500}
    tables: dict[str, pd.DataFrame] = {"areas": areas, "population": pd.DataFrame([pop])}
    if with_utilisation:
        tables["facilities"] = pd.DataFrame([{"id": "F1", "name": "县医院", "subtype": "综合医院",
                                              "area_code": "999999"}])
        tables["resources"] = pd.DataFrame([{"facility_id": "F1", "year": 2023, "beds": 10,
                                             "staff_total": 12}])
        tables["utilisation"] = pd.DataFrame([{"facility_id": "F1", "year": 2023,
                                               "admissions": 300, "discharges": 300,
                                               "discharged_bed_days": 2400}])
    return Region().replace(**tables)


def _assumptions_file(tmp_path: Path, **values: str) -> Path:
    text = default_assumptions_path().read_text(encoding="utf-8")
    for old, new in values.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _row(result, item: str) -> pd.Series:  # type: ignore[no-untyped-def]
    hit = result.table[result.table["item"] == item]
    assert len(hit) == 1, f"no single row {item!r} in {list(result.table['item'])}"
    return hit.iloc[0]


def test_bed_need_formula_by_hand() -> None:
    # residents' admissions (100‰ × 1,000 + 300‰ × 500) = 250; 外转 10 % of them are treated
    # outside, 流入 5 % of the local admissions are non-residents: local = 250 × 0.90 ÷ 0.95
    # = 236.84; × 8 days ÷ (365 × 0.85) = 6.10713 beds
    beds = bed_need({"age_00_04": 1000, "age_65_69": 500},
                    admission_rates_per_1k={"age_00_04": 100, "age_65_69": 300}, alos_days=8,
                    occupancy_pct=85, outflow_pct=10, inflow_pct=5)
    assert beds == pytest.approx(250 * 0.9 / 0.95 * 8 / (365 * 0.85))
    assert beds == pytest.approx(6.10713, abs=1e-5)
    # a residents' rate spread over the bands by the age profile reproduces the admissions
    rates = derive_admission_rates(300, {"age_00_04": 1000, "age_65_69": 500},
                                   {"age_00_04": 1.0, "age_65_69": 2.0})
    assert rates == pytest.approx({"age_00_04": 150.0, "age_65_69": 300.0})


def test_needs_reproduces_the_hand_computed_bed_need(tmp_path: Path, mini_plan: Plan) -> None:
    rates = "{" + ", ".join(f"{b}: {300 if b == 'age_65_69' else 100}" for b in BANDS) + "}"
    path = _assumptions_file(
        tmp_path,
        **{"value: derive\n    unit: 'admissions": f"value: {rates}\n    unit: 'admissions",
           "value: derive\n    unit: 'days": "value: 8\n    unit: 'days",
           "outflow_pct:\n    value: reported": "outflow_pct:\n    value: 10",
           "inflow_pct:\n    value: reported": "inflow_pct:\n    value: 5"})
    result = needs(_mini_region(), mini_plan, year=2023, assumptions=load_assumptions(path))
    demand = _row(result, "床位（需求法）")
    # 6.107 beds, whole beds: 7 (no utilisation: every admission at hospital level, 85 %)
    assert demand["value_needed"] == 7
    assert demand["unit"] == "张"
    assert "外转 10% (假设文件); 流入 5% (假设文件)" in demand["inputs"]
    assert "医院及专业公共卫生机构 100.0%, 平均住院日 8.00 天, 病床使用率 85% → 7 张" \
        in demand["inputs"]
    per_1k = _row(result, "实有床位（按每千人口医疗卫生机构床位数）")
    assert per_1k["value_needed"] == 4 * 1500 / 1000
    assert per_1k["plan_target"] == ">=4 张/千人 (2025)"
    assert pd.isna(per_1k["current_value"])  # the region has no resources
    # one recommended bed figure: the larger of the 需求法 (7) and the plan's 4/千 (6)
    best = _row(result, "实有床位（推荐值）")
    assert best["value_needed"] == 7
    assert best["inputs"] == ("床位（需求法） 7张; 实有床位（按每千人口医疗卫生机构床位数） 6张 "
                              "(少 1张)")
    # 床人比 is hospital staff per hospital bed (issue 10): the beds needed are for every
    # facility, so no staff figure is derived from them
    assert "卫生人员（按床人(卫生人员)比）" not in set(result.table["item"])
    # the national norm (1 per 30,000; no other province's rural 1/10,000): ⌈1,500 / 30,000⌉
    ambulances = _row(result, "救护车（国家配置标准）")
    assert ambulances["value_needed"] == 1
    assert result.notes == ["各年龄组按男女各半拆分（本地区没有普查性别比）",
                            "床位需求法: 无服务量 (入院人数): 需求法床位全部按医院计",
                            "999999 没有 2020 年普查数据：男女按 50/50 拆分"]


def _reported(*rows: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"area_code": "999999", "year": 2023, "indicator": k, "value": v}
                         for k, v in rows])


def test_bed_demand_uses_the_residents_rate_not_the_local_admissions(mini_plan: Plan) -> None:
    # issue 10: the 需求法 took the rate from the county's own facilities (300 admissions /
    # 1,500 = 20 %), so it reproduced current use. Now: the residents' 年住院率.
    region = _mini_region(with_utilisation=True)
    result = needs(region, mini_plan, year=2023, assumptions=load_assumptions())
    demand = _row(result, "床位（需求法）")
    # nothing reported: the national 21.4 % (2023 统计公报) × 1,500 = 321 admissions; 外转 and
    # 流入 assumed 0 (noted); ALOS 2,400 / 300 = 8 days; ⌈321 × 8 ÷ (365 × 0.85)⌉ = ⌈8.28⌉ = 9
    assert demand["value_needed"] == math.ceil(0.214 * 1500 * 8 / (365 * 0.85)) == 9
    assert "常住居民年住院率 21.4% (全国; 2023年我国卫生健康事业发展统计公报" in demand["inputs"]
    assert "外转 (县外住院) 未录入" in demand["assumptions"]
    assert demand["current_value"] == 10
    assert demand["current_year"] == 2023
    assert demand["gap"] == 9 - 10
    # the current-use figure is shown beside it: 2,400 occupied bed-days ÷ (365 × 0.85) = 7.7
    use = _row(result, "床位（现状利用法）")
    assert use["value_needed"] == math.ceil(2400 / (365 * 0.85)) == 8
    # 外转 unknown: the 需求法 (which includes residents treated elsewhere) is not the
    # recommendation; the plan's 4 per 1,000 (6 beds) is, and the row says why
    best = _row(result, "实有床位（推荐值）")
    assert best["value_needed"] == 6
    assert "床位（需求法） 9张 未计入推荐值: 外转未录入" in best["assumptions"]

    # reported: 年住院率 15 %, 县域内就诊率 80 % (外转 20 %), 外地患者 10 % of local admissions
    # residents 0.15 × 1,500 = 225; local 225 × 0.80 ÷ 0.90 = 200; ⌈200 × 8 ÷ 310.25⌉ = ⌈5.16⌉
    reported = region.replace(reported=_reported(
        ("admission_rate_pct", 15), ("in_county_visit_rate_pct", 80),
        ("外地患者住院人次占比", 10)))
    result = needs(reported, mini_plan, year=2023, assumptions=load_assumptions())
    demand = _row(result, "床位（需求法）")
    assert demand["value_needed"] == math.ceil(200 * 8 / (365 * 0.85)) == 6
    assert "常住居民年住院率 15% (项目上报 2023年)" in demand["inputs"]
    assert "外转 20% (= 100 − 县域内就诊率 80%, 项目上报 2023年)" in demand["inputs"]
    assert "本地住院 200 人次" in demand["inputs"]
    assert not [n for n in result.notes if n.startswith("床位需求法")]


def test_bed_demand_uses_the_occupancy_of_each_level(mini_plan: Plan) -> None:
    # hospital 300 admissions (ALOS 8), 乡镇卫生院 100 admissions (ALOS 600 / 100 = 6);
    # residents 20 % × 1,500 = 300, 外转 0 (县域内就诊率 100 %), 流入 0 (reported):
    # hospital ⌈300 × 0.75 × 8 ÷ (365 × 0.85)⌉ = ⌈5.80⌉ = 6; 基层 ⌈300 × 0.25 × 6 ÷
    # (365 × 0.60)⌉ = ⌈2.05⌉ = 3 (at 85 % it would be ⌈1.45⌉ = 2); total 9
    region = _mini_region(with_utilisation=True)
    region = region.replace(
        facilities=pd.concat([region.facilities, pd.DataFrame([{
            "id": "T1", "name": "乡镇卫生院", "subtype": "乡镇卫生院",
            "category": "基层医疗卫生机构", "area_code": "999999"}])], ignore_index=True),
        resources=pd.concat([region.resources, pd.DataFrame([{
            "facility_id": "T1", "year": 2023, "beds": 4}])], ignore_index=True),
        utilisation=pd.concat([region.utilisation, pd.DataFrame([{
            "facility_id": "T1", "year": 2023, "admissions": 100, "discharges": 100,
            "discharged_bed_days": 600}])], ignore_index=True),
        reported=_reported(("admission_rate_pct", 20), ("in_county_visit_rate_pct", 100),
                           ("nonresident_admissions_pct", 0)))
    result = needs(region, mini_plan, year=2023, assumptions=load_assumptions())
    hosp = _row(result, "医院及专业公共卫生机构床位（需求法）")
    prim = _row(result, "基层医疗卫生机构床位（需求法）")
    assert (hosp["value_needed"], hosp["current_value"]) == (6, 10)
    assert (prim["value_needed"], prim["current_value"]) == (3, 4)
    assert _row(result, "床位（需求法）")["value_needed"] == 9
    best = _row(result, "实有床位（推荐值）")
    assert best["value_needed"] == 9   # 需求法 9 > the plan's 4/千 = 6
    assert best["assumptions"].startswith("取 床位（需求法）: 同时满足规划目标和需求的最小量")


def test_example_2025_projection_is_explained_line_by_line(example_result) -> None:  # type: ignore[no-untyped-def]
    lines = example_result.explain
    assert lines[0] == "江川区 (530403)：人口预测（队列要素法），年末常住人口"
    pattern = re.compile(r"^(\d{4}): ([\d,]+) \+ 出生 ([\d,]+) − 死亡 ([\d,]+) ([+−]) "
                         r"净迁移 ([\d,]+) = ([\d,]+)$")
    parsed = [pattern.match(line) for line in lines[1:]]
    assert all(parsed), lines
    years = [int(m.group(1)) for m in parsed if m]
    assert years == [2024, 2025]
    previous_end = 256175  # the 2023 population of the example
    for m in parsed:
        assert m is not None
        start, births, deaths, mig, end = (int(m.group(i).replace(",", ""))
                                           for i in (2, 3, 4, 6, 7))
        sign = 1 if m.group(5) == "+" else -1
        assert abs(start + births - deaths + sign * mig - end) <= 2  # each rounded to 1
        assert abs(start - previous_end) <= 1
        assert 1500 < births < 3000 and 1500 < deaths < 3000
        previous_end = end
    steps = example_result.steps
    assert (steps["start"] + steps["births"] - steps["deaths"] + steps["migration"]
            - steps["end"]).abs().max() < 1e-6
    total_2025 = example_result.projection.query("year == 2025 and age_band == 'total'")
    assert float(total_2025["pop"].iloc[0]) == pytest.approx(float(steps["end"].iloc[-1]))
    assert _row(example_result, "常住人口")["value_needed"] == round(
        float(steps["end"].iloc[-1]))   # whole persons


def test_per_1k_target_path_equals_target_times_projected_population(example_result) -> None:  # type: ignore[no-untyped-def]
    totals = example_result.projection.query("age_band == 'total'").set_index("year")["pop"]
    path = example_result.path
    beds = path[path["indicator"] == "beds_per_1k"].set_index("year")
    assert list(beds.index) == [2023, 2024, 2025]
    for year in beds.index:
        assert beds.loc[year, "needed"] == math.ceil(3.56 * totals[year] / 1000)
    doctors = path[path["indicator"] == "doctors_per_1k"].set_index("year")
    assert doctors.loc[2025, "needed"] == math.ceil(2.52 * totals[2025] / 1000)
    # whole units: 3.56 × 255,738 / 1,000 = 910.4 → 911 beds
    row = _row(example_result, "实有床位（按每千人口医疗卫生机构床位数）")
    assert row["value_needed"] == math.ceil(3.56 * totals[2025] / 1000) == 911
    assert row["current_value"] == 913  # the example's beds in 2023
    assert row["gap_per_year"] == pytest.approx(row["gap"] / 2)
    gps = _row(example_result, "全科医生（按每万人口全科医生数）")
    assert gps["value_needed"] == math.ceil(3.28 * totals[2025] / 10000)
    nurses = _row(example_result, "注册护士（按医护比）")
    assert nurses["value_needed"] == math.ceil(1.34 * 2.52 * totals[2025] / 1000)
    assert nurses["plan_target"] == ">=1:1.34 (2025)"


def test_example_plan_norms_give_the_ambulance_and_township_rows(example_result) -> None:  # type: ignore[no-untyped-def]
    totals = example_result.projection.query("age_band == 'total'").set_index("year")["pop"]
    amb = _row(example_result, "救护车 ≥1辆/3万人口")  # jiangchuan N21
    assert amb["value_needed"] == -(-totals[2025] // 30000) == 9
    assert amb["current_value"] == 8
    # one ambulance figure: the plan's own norm, no built-in rural 1/10,000 of another
    # province beside it (issue 10: 17 from seed 004's norm)
    assert "救护车（城乡配置标准）" not in set(example_result.table["item"])
    centres = _row(example_result, "乡镇卫生院")
    assert centres["value_needed"] == 6  # 6 乡/镇 of 江川区 (2 街道 excluded)
    assert centres["current_value"] == 6


def test_growth_method_and_year_before_base_year(example_region: Region) -> None:
    plan = load_plan("jiangchuan-2021-2025")
    result = needs(example_region, plan, year=2025, assumptions=load_assumptions(),
                   method="growth")
    rate = (256175 / 252373) ** 0.25 - 1
    assert _row(result, "常住人口")["value_needed"] == round(256175 * (1 + rate) ** 2)
    assert result.explain[1] == f"2024: 256,175 × (1 + {rate * 100:.3f}%) = " \
        f"{256175 * (1 + rate):,.0f}"
    with pytest.raises(HsplanError, match=r"需要量测算：目标年份应不早于基线年份 2023，"
                       r"实际为 2022。处理办法：选择 --year 2023 或更晚的年份。"):
        needs(example_region, plan, year=2022, assumptions=load_assumptions())


@pytest.mark.usefixtures("english")
def test_year_before_base_year_in_english_on_request(example_region: Region) -> None:
    plan = load_plan("jiangchuan-2021-2025")
    with pytest.raises(HsplanError, match=r"needs: expected a target year ≥ the base year 2023, "
                       r"got 2022\. Fix: choose --year 2023 or later\."):
        needs(example_region, plan, year=2022, assumptions=load_assumptions())


def test_cli_needs_table_explain_json_and_xlsx(tmp_path: Path) -> None:
    runner = CliRunner()
    project = str(example_project_path())
    args = ["needs", project, "--plan", "jiangchuan-2021-2025", "--year", "2025"]
    shown = runner.invoke(app, [*args, "--explain"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "江川区 (530403)：人口预测（队列要素法）" in shown.output
    assert re.search(r"^2025: [\d,]+ \+ 出生 [\d,]+", shown.output, re.M)
    assert "床位（需求法）" in shown.output
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.output)
    assert (payload["plan"], payload["base_year"], payload["year"]) == (
        "jiangchuan-2021-2025", 2023, 2025)
    assert payload["explain"][1].startswith("2024: 256,175 + ")
    items = {row["item"]: row for row in payload["needs"]}
    assert items["乡镇卫生院"]["value_needed"] == 6
    out = tmp_path / "needs.xlsx"
    written = runner.invoke(app, [*args, "--format", "xlsx", "--output", str(out)])
    assert written.exit_code == 0, written.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["需要量", "人口预测", "预测说明", "目标路径", "说明"]
    sheet = book["需要量"]
    assert [c.value for c in sheet[1]][:3] == ["项目", "方法", "公式"]
    assert sheet["A2"].value == "常住人口"

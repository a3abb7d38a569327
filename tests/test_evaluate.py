"""Tests of hsplan.evaluation.targets: the status of every target operator, and evaluate() on a
small hand-built region whose values are computed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy import stats
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import HsplanError
from hsplan.evaluation.targets import (
    AHEAD_DONE,
    AS_EXPECTED,
    AT_RISK,
    BEHIND,
    COLUMNS,
    DONE,
    FASTER,
    MET,
    NOT_APPLICABLE,
    NOT_DONE,
    NOT_EVALUABLE,
    OFF_TRACK,
    ON_TRACK,
    assess,
    at_precision,
    evaluate,
    evaluation_to_json,
    evaluation_to_xlsx,
    observed_per_year,
    progress,
    published_decimals,
    status_counts,
    status_counts_by_nature,
    target_scope,
    unit_decimals,
)
from hsplan.plans.plan import Baseline, Milestone, Plan, Target, TargetSpec
from hsplan.region.model import Region
from hsplan.region.project import Project


def tgt(op: str, *, year: int | None = 2025, base: tuple[int, float | None] | None = None,
        milestones: tuple[tuple[int, float], ...] = (), **spec: Any) -> Target:
    return Target(
        id="T1", indicator="x", name="x", quote="q",
        target=TargetSpec(op=op, year=year, **spec),
        baseline=Baseline(year=base[0], value=base[1]) if base else None,
        milestones=tuple(Milestone(y, v) for y, v in milestones),
    )


# --- trend ---------------------------------------------------------------------------------


def test_observed_per_year_is_least_squares_with_three_years() -> None:
    points = {2019: 1.0, 2020: 2.0, 2021: 4.0, 2022: 4.5}
    oracle = stats.linregress(list(points), list(points.values())).slope
    assert observed_per_year(points) == pytest.approx(oracle)
    assert observed_per_year(points) == pytest.approx(1.25)


def test_observed_per_year_two_points_and_one() -> None:
    assert observed_per_year({2020: 10.0, 2023: 8.5}) == pytest.approx(-0.5)
    assert observed_per_year({2023: 8.5}) is None
    # a flat series is flat, not ±1e-15 of floating-point noise
    assert observed_per_year({2021: 62.5, 2022: 62.5, 2023: 62.5, 2024: 62.5}) == 0.0


# --- every operator -------------------------------------------------------------------------

RISING = {2021: 3.40, 2022: 3.45, 2023: 3.50}  # +0.05 per year


@pytest.mark.parametrize(
    ("target", "value", "series", "status"),
    [
        (tgt(">=", value=3.56), 3.60, RISING, MET),
        (tgt(">=", value=3.56), 3.50, RISING, ON_TRACK),              # 3.50 + 2×0.05 = 3.60
        (tgt(">=", value=3.56), 3.50, {2021: 3.48, 2022: 3.49, 2023: 3.50}, AT_RISK),  # 3.52
        (tgt(">=", value=3.56), 3.50, {2021: 3.60, 2022: 3.55, 2023: 3.50}, OFF_TRACK),
        (tgt(">=", value=3.56), 3.50, {2022: 3.50, 2023: 3.50}, OFF_TRACK),  # flat
        (tgt(">=", value=3.56), 3.50, {2023: 3.50}, AT_RISK),          # no trend
        (tgt("<=", value=5.0), 5.5, {2021: 6.1, 2022: 5.8, 2023: 5.5}, ON_TRACK),  # → 4.9
        (tgt("<=", value=5.0), 5.5, {2021: 5.3, 2022: 5.4, 2023: 5.5}, OFF_TRACK),
        (tgt("<", value=5.0, year=2023), 5.0, {2023: 5.0}, OFF_TRACK),  # year has come
        (tgt("<", value=5.0), 4.99, {2023: 4.99}, MET),
        (tgt(">", value=90.0), 90.0, {2022: 88.0, 2023: 90.0}, ON_TRACK),  # → 94
        (tgt(">", value=90.0), 90.5, {2023: 90.5}, MET),
        (tgt("=", value=100.0), 100.0, {2023: 100.0}, MET),
        (tgt("=", value=100.0, year=2023), 99.0, {2023: 99.0}, OFF_TRACK),
        (tgt("approx", value=80.0), 76.5, {2023: 76.5}, MET),          # within ±4
        (tgt("approx", value=80.0), 75.0, {2022: 74.0, 2023: 75.0}, ON_TRACK),  # → 77
        (tgt("range", low=70.0, high=85.0), 75.0, {2023: 75.0}, MET),
        (tgt("range", low=70.0, high=85.0, year=2023), 86.0, {2023: 86.0}, OFF_TRACK),
        (tgt("up", base=(2020, 60.0)), 62.0, {2023: 62.0}, MET),
        (tgt("up", base=(2020, 60.0)), 58.0, {2021: 59.0, 2022: 58.5, 2023: 58.0}, OFF_TRACK),
        (tgt("up"), 62.0, {2022: 61.0, 2023: 62.0}, MET),              # trend only
        (tgt("up"), 62.0, {2023: 62.0}, NOT_EVALUABLE),
        (tgt("down", base=(2020, 8.0)), 7.5, {2023: 7.5}, MET),
        (tgt("down"), 7.5, {2022: 7.0, 2023: 7.5}, OFF_TRACK),
        (tgt("keep", value=100.0), 100.0, {2023: 100.0}, MET),
        (tgt("keep", base=(2020, 3.0)), 2.9, {2023: 2.9}, MET),        # direction down below
        (tgt("keep"), 2.9, {2023: 2.9}, NOT_EVALUABLE),
        (tgt("<=", relative_pct=-10.0, base=(2020, 20.0)), 18.5, {2020: 20.0, 2023: 18.5},
         ON_TRACK),                                                    # → 17.5 ≤ 18
        (tgt("<=", relative_pct=-10.0, base=(2020, None)), 18.5, {2023: 18.5}, NOT_EVALUABLE),
        (tgt("<=", per_year=-0.5, base=(2020, 10.0)), 8.4, {2023: 8.4}, MET),  # 2023: ≤ 8.5
        (tgt("<=", per_year=-0.5, base=(2020, 10.0)), 9.0, {2020: 10.0, 2023: 9.0}, AT_RISK),
        (tgt(">=", value=2.12, ratio_form="1:x"), 1.90, {2022: 1.80, 2023: 1.90}, AT_RISK),
        (tgt("text", text="基本消除"), 1.0, {2023: 1.0}, NOT_EVALUABLE),
        (tgt(">=", value=3.56), None, {}, NOT_EVALUABLE),
    ],
)
def test_status_of_every_operator(target: Target, value: float | None,
                                  series: dict[int, float], status: str) -> None:
    direction = "down" if target.target.op == "keep" and target.baseline else "up"
    result = assess(target, value=value, year=2023, series=series, direction=direction)
    assert result.status == status, result.reason


@pytest.mark.usefixtures("english")
def test_approx_band_is_five_percent() -> None:
    # 75 is outside 80 ± 4; the trend (+5/year) carries it to 85, also outside → at risk
    result = assess(tgt("approx", value=80.0), value=75.0, year=2023,
                    series={2022: 70.0, 2023: 75.0})
    assert result.status == AT_RISK
    assert result.gap == pytest.approx(5.0)
    assert result.reason == "75 misses the target ≈ 80 by 2025; the trend (+5/year) overshoots it"
    # slow trend: +1/year → 77 in 2025, inside the band → on track
    slow = assess(tgt("approx", value=80.0), value=75.0, year=2023,
                  series={2022: 74.0, 2023: 75.0})
    assert slow.status == ON_TRACK


@pytest.mark.usefixtures("english")
def test_numbers_of_an_unmet_target() -> None:
    result = assess(tgt(">=", value=3.56), value=3.50, year=2023, series=RISING)
    assert result.target_value == pytest.approx(3.56)
    assert result.gap == pytest.approx(0.06)
    assert result.required_per_year == pytest.approx(0.03)
    assert result.observed_per_year == pytest.approx(0.05)
    assert result.reason == "3.5 not yet at the target ≥ 3.56 by 2025; the trend (+0.05/year) " \
                            "reaches it"


@pytest.mark.usefixtures("english")
def test_relative_and_per_year_targets_resolve_against_the_baseline() -> None:
    rel = assess(tgt("<=", relative_pct=-10.0, base=(2020, 20.0)), value=18.5, year=2023,
                 series={2020: 20.0, 2023: 18.5})
    assert rel.target_value == pytest.approx(18.0)
    assert rel.observed_per_year == pytest.approx(-0.5)
    # the region's own baseline-year value replaces a baseline the plan leaves empty
    own = assess(tgt("<=", relative_pct=-10.0, base=(2020, None)), value=18.5, year=2023,
                 series={2020: 20.0, 2023: 18.5}, baseline_value=20.0)
    assert (own.status, own.target_value) == (ON_TRACK, pytest.approx(18.0))
    per = assess(tgt("<=", per_year=-0.5, base=(2020, 10.0)), value=9.0, year=2023,
                 series={2020: 10.0, 2023: 9.0})
    assert per.target_value == pytest.approx(7.5)          # 10 − 0.5 × 5
    assert per.required_per_year == pytest.approx(-0.75)  # (7.5 − 9) / 2
    assert per.reason.startswith("9 misses the 2023 trajectory ≤ 8.5;")


@pytest.mark.usefixtures("english")
def test_milestone_of_the_evaluation_year_counts() -> None:
    t = tgt(">=", value=100.0, milestones=((2023, 60.0), (2024, 80.0), (2025, 100.0)))
    met = assess(t, value=82.0, year=2024, series={2024: 82.0})
    assert met.status == MET
    assert met.milestone == Milestone(2024, 80.0)
    assert met.reason == "82 meets the 2024 milestone ≥ 80"
    # missed this year's milestone, though the trend (+30/year) reaches 100 by 2025
    late = assess(t, value=70.0, year=2024, series={2022: 10.0, 2023: 40.0, 2024: 70.0})
    assert late.status == AT_RISK
    # no milestone for 2022: the final target and the trend decide
    early = assess(t, value=40.0, year=2022, series={2021: 10.0, 2022: 40.0})
    assert early.status == ON_TRACK


@pytest.mark.usefixtures("english")
def test_up_without_baseline_or_trend_says_why() -> None:
    result = assess(tgt("up"), value=62.0, year=2023, series={2023: 62.0})
    assert result.reason == "op up needs a baseline value or two years of data"
    text = assess(tgt("text", text="基本消除"), value=None, year=2023)
    assert text.reason == "text target: 基本消除"


def test_reasons_are_in_chinese_by_default() -> None:
    result = assess(tgt(">=", value=3.56), value=3.50, year=2023, series=RISING)
    assert result.reason == "3.5，尚未达到2025年目标 ≥ 3.56；按近年趋势（每年 +0.05）可以达到"
    approx = assess(tgt("approx", value=80.0), value=75.0, year=2023,
                    series={2022: 70.0, 2023: 75.0})
    assert approx.reason == "75，未达到2025年目标 ≈ 80；按近年趋势（每年 +5）将越过目标"
    up = assess(tgt("up"), value=62.0, year=2023, series={2023: 62.0})
    assert up.reason == "op up 需要基期值或两年以上的数据"


# --- evaluate on a hand-built region ----------------------------------------------------------


def small_region() -> Region:
    """County 530403 with two townships; two hospitals' beds in 2022 and 2023.

    beds_per_1k (county) = beds / population × 1000:
      2022: (200 + 100) / 100 000 × 1000 = 3.0;   2023: (230 + 110) / 100 000 × 1000 = 3.4
    township 530403101 (60 000 persons): 2022 200 → 3.333…, 2023 230 → 3.8333…
    township 530403102 (40 000 persons): 2022 100 → 2.5,     2023 110 → 2.75
    """
    areas = pd.DataFrame({
        "code": ["530403", "530403101", "530403102"],
        "name": ["江川区", "大街街道", "江城镇"],
        "level": ["county", "township", "township"],
        "parent_code": [None, "530403", "530403"],
    })
    population = pd.DataFrame({
        "area_code": ["530403101", "530403102", "530403", "530403101", "530403102", "530403"],
        "year": [2022, 2022, 2022, 2023, 2023, 2023],
        "total": [60000, 40000, 100000, 60000, 40000, 100000],
    })
    facilities = pd.DataFrame({
        "id": ["F1", "F2"], "name": ["江川区人民医院", "江城镇卫生院"],
        "subtype": ["综合医院", "乡镇卫生院"], "category": ["医院", "基层医疗卫生机构"],
        "area_code": ["530403101", "530403102"],
    })
    resources = pd.DataFrame({
        "facility_id": ["F1", "F2", "F1", "F2"], "year": [2022, 2022, 2023, 2023],
        "beds": [200, 100, 230, 110],
    })
    reported = pd.DataFrame({
        "area_code": ["530403", "530403"], "year": [2022, 2023],
        "indicator": ["life_expectancy_years", "life_expectancy_years"],
        "value": [77.9, 78.0],
    })
    return Region().replace(areas=areas, population=population, facilities=facilities,
                            resources=resources, reported=reported)


def small_plan() -> Plan:
    targets = (
        Target(id="T1", indicator="life_expectancy_years", name="人均预期寿命", quote="q1",
               target=TargetSpec(op=">=", year=2025, value=77.6), nature="预期性"),
        Target(id="T2", indicator="beds_per_1k", name="每千人口医疗卫生机构床位数", quote="q2",
               target=TargetSpec(op=">=", year=2025, value=3.56), nature="预期性",
               baseline=Baseline(2020, 3.44)),
        Target(id="T3", indicator="beds_per_1k", name="床位上限", quote="q3",
               target=TargetSpec(op="<=", year=2023, value=3.2), nature="约束性"),
        Target(id="T4", indicator="infant_mortality_per_1k", name="婴儿死亡率", quote="q4",
               target=TargetSpec(op="<=", year=2025, value=5.0), nature="约束性"),
        Target(id="T5", indicator=None, name="基本消除", quote="q5",
               target=TargetSpec(op="text", year=2025, text="基本消除")),
    )
    return Plan(id="test-plan", title="测试规划", kind="规划", region_code="530403",
                region_name="江川区", region_level="county", period_start=2021,
                period_end=2025, source_document="test", targets=targets)


@pytest.mark.usefixtures("english")
def test_evaluate_county_values_status_and_order() -> None:
    results = evaluate(small_region(), small_plan())
    assert list(results.columns) == COLUMNS
    assert results.attrs["year"] == 2023  # latest year with data
    # binding failures first (T3), then the rest in plan order
    assert list(results["target_id"]) == ["T3", "T1", "T2", "T4", "T5"]
    by_id = results.set_index("target_id")
    t2 = by_id.loc["T2"]
    assert t2["value"] == pytest.approx(3.4)
    assert t2["source"] == "computed"
    assert t2["unit"] == "张/千人"
    assert t2["observed_per_year"] == pytest.approx(0.4)   # 3.0 → 3.4
    assert t2["gap"] == pytest.approx(0.16)
    assert t2["required_per_year"] == pytest.approx(0.08)
    assert t2["status"] == ON_TRACK
    t3 = by_id.loc["T3"]
    assert (t3["status"], t3["gap"]) == (OFF_TRACK, pytest.approx(-0.2))
    t1 = by_id.loc["T1"]
    assert (t1["status"], t1["value"], t1["source"]) == (MET, 78.0, "reported")
    t4 = by_id.loc["T4"]
    assert (t4["status"], t4["source"]) == (NOT_EVALUABLE, "no data")
    # in English the catalog's English name of the indicator
    assert t4["reason"].startswith("no value of infant_mortality_per_1k up to 2023: no "
                                   "reported value of Infant mortality rate")
    assert by_id.loc["T5", "status"] == NOT_EVALUABLE
    assert status_counts(results) == {MET: 1, ON_TRACK: 1, AT_RISK: 0, OFF_TRACK: 1,
                                      NOT_EVALUABLE: 2, NOT_APPLICABLE: 0}


def test_evaluate_earlier_year_and_township_level() -> None:
    region = small_region()
    early = evaluate(region, small_plan(), year=2022).set_index("target_id")
    assert early.loc["T2", "value"] == pytest.approx(3.0)
    assert early.loc["T1", "value"] == pytest.approx(77.9)
    town = evaluate(region, small_plan(), level="township")
    beds = town[town["target_id"] == "T2"].set_index("area_code")
    # the plan's 3.56 is a county target: judged on the county's 3.4 (on track), never
    # per township; the townships' values are shown as 不适用 (issue 10: 宁海街道 0.07 vs
    # 3.56 was 偏离目标)
    assert beds.loc["530403", "status"] == ON_TRACK
    assert beds.loc["530403101", "value"] == pytest.approx(230 / 60000 * 1000)
    assert beds.loc["530403102", "value"] == pytest.approx(110 / 40000 * 1000)
    assert beds.loc["530403101", "status"] == NOT_APPLICABLE
    assert beds.loc["530403102", "status"] == NOT_APPLICABLE
    assert beds.loc["530403102", "reason"].startswith("不适用：T2 是全县(区)目标")
    assert list(beds["scope"].unique()) == ["county"]
    # life expectancy is reported for the county only: one county row
    assert list(town.loc[town["target_id"] == "T1", "area_code"]) == ["530403"]


def test_evaluate_township_level_on_a_region_without_townships() -> None:
    region = small_region()
    facilities = region.facilities.assign(area_code="530403")
    county_only = region.replace(areas=region.areas[region.areas["level"] == "county"],
                                 facilities=facilities)
    results = evaluate(county_only, small_plan(), level="township").set_index("target_id")
    assert list(results["area_code"]) == ["530403"] * 5
    # county targets are judged on the county whatever the level; with no townships there
    # are simply no reference rows
    assert results.loc["T2", "status"] == ON_TRACK
    assert results.loc["T3", "status"] == OFF_TRACK
    assert (results.loc["T1", "status"], results.loc["T1", "value"]) == (MET, 78.0)


def test_json_and_xlsx_outputs(tmp_path: Path) -> None:
    plan = small_plan()
    results = evaluate(small_region(), plan)
    doc = evaluation_to_json(results, plan=plan, project="江川区", year=2023, synthetic=False)
    text = json.dumps(doc, ensure_ascii=False)  # serialisable
    assert json.loads(text)["results"][0]["target_id"] == "T3"
    assert set(doc) == {"plan", "project", "year", "synthetic", "results"}
    assert doc["results"][1]["value"] == 78.0
    path = evaluation_to_xlsx(results, tmp_path / "e.xlsx", plan=plan, year=2023)
    wb = load_workbook(path)
    ws = wb["评估结果"]
    assert ws.cell(1, 1).value == "指标编号"
    assert ws.cell(2, COLUMNS.index("status") + 1).value == "偏离目标"
    assert [c.value for c in wb["汇总"]["B"]][3:9] == [1, 1, 0, 1, 2, 0]


# --- CLI ---------------------------------------------------------------------------------------

PLAN_YAML = """\
id: test-plan
title: 测试规划
kind: 规划
region: {code: "530403", name: 江川区, level: county}
period: {start: 2021, end: 2025}
source: {document: test.txt}
targets:
  - {id: T1, indicator: life_expectancy_years, name: 人均预期寿命, nature: 预期性, quote: q1,
     target: {year: 2025, op: ">=", value: 77.6}}
  - {id: T2, indicator: beds_per_1k, name: 每千人口医疗卫生机构床位数, nature: 预期性, quote: q2,
     baseline: {year: 2020, value: 3.44}, target: {year: 2025, op: ">=", value: 3.56}}
  - {id: T3, indicator: beds_per_1k, name: 床位上限, nature: 约束性, quote: q3,
     target: {year: 2023, op: "<=", value: 3.2}}
"""


def _project(tmp_path: Path) -> Project:
    project = Project(root=tmp_path / "jc", name="江川区", county_code="530403")
    project.write_config()
    project.save(small_region())
    (tmp_path / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    return project


def test_cli_evaluate_json_shape(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = CliRunner().invoke(app, ["evaluate", str(project.root), "--plan",
                                      str(tmp_path / "plan.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (doc["plan"], doc["project"], doc["year"], doc["synthetic"]) == (
        "test-plan", "江川区", 2023, False)
    assert [r["target_id"] for r in doc["results"]] == ["T3", "T1", "T2"]
    assert list(doc["results"][0]) == COLUMNS
    t2 = doc["results"][2]
    assert (t2["status"], t2["op"], t2["nature"]) == (ON_TRACK, ">=", "预期性")
    assert t2["value"] == pytest.approx(3.4)
    assert t2["target"] == pytest.approx(3.56)
    assert t2["gap"] == pytest.approx(0.16)


@pytest.mark.usefixtures("chinese")
def test_cli_evaluate_table_xlsx_and_errors(tmp_path: Path) -> None:
    project = _project(tmp_path)
    runner = CliRunner()
    plan = str(tmp_path / "plan.yaml")
    table = runner.invoke(app, ["evaluate", str(project.root), "--plan", plan, "--year", "2022"])
    assert table.exit_code == 0, table.output
    # 2022: T1 77.9 ≥ 77.6 and T3 3.0 ≤ 3.2 are met; T2 3.0 fell from the 2020 baseline 3.44
    assert "已达标 2" in table.output
    assert "偏离目标 1" in table.output
    out = tmp_path / "e.xlsx"
    xlsx = runner.invoke(app, ["evaluate", str(project.root), "--plan", plan, "--format",
                               "xlsx", "--out", str(out)])
    assert xlsx.exit_code == 0, xlsx.output
    assert load_workbook(out)["评估结果"].cell(2, 1).value == "T3"
    bad = runner.invoke(app, ["evaluate", str(project.root), "--plan", plan, "--out",
                              str(out)])
    assert isinstance(bad.exception, HsplanError)
    assert str(bad.exception) == "--out 需要 --format json 或 xlsx。处理办法：加上 --format xlsx。"


# --- golden output: the bundled example against every built-in plan ----------------------------
# tests/data/golden/ holds the frames evaluate() gave before it was made fast (see its
# SOURCE.md); rewrite them with `python tests/test_evaluate.py --write-golden`.

GOLDEN = Path(__file__).parent / "data" / "golden"
BUILTIN_PLANS = ("jiangchuan-2021-2025", "kangbashi-2021-2025", "leshan-shizhong-2021-2025",
                 "liaocheng-2024-2025", "ganzhou-jkq-2023-2025", "national-norms")
GOLDEN_CASES = [(plan, level, None) for plan in BUILTIN_PLANS for level in ("county", "township")
                ] + [("jiangchuan-2021-2025", "township", 2021)]


def _golden_name(plan: str, level: str, year: int | None) -> str:
    return f"evaluate_{plan}_{level}" + (f"_{year}" if year is not None else "")


def _example_region() -> Region:
    from hsplan.region.example import example_project_path

    return Project.open(example_project_path()).load()


def _via_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the golden CSV holds it (written and read back the same way)."""
    import io

    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), keep_default_na=False,
                       na_values=[""])


@pytest.fixture(scope="module")
def example_region() -> Region:
    return _example_region()


@pytest.mark.usefixtures("english")  # the golden reasons are the English ones
@pytest.mark.parametrize(("plan_id", "level", "year"), GOLDEN_CASES)
def test_evaluate_matches_the_golden_output(example_region: Region, plan_id: str, level: str,
                                            year: int | None) -> None:
    from hsplan.plans.plan import load_plan

    name = _golden_name(plan_id, level, year)
    results = evaluate(example_region, load_plan(plan_id), level=level, year=year)
    assert results.attrs["year"] == (year or 2023)
    dtypes = json.loads((GOLDEN / "dtypes.json").read_text(encoding="utf-8"))[name]
    assert {c: str(t) for c, t in results.dtypes.items()} == dtypes
    expected = pd.read_csv(GOLDEN / f"{name}.csv", keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(_via_csv(results), expected, check_exact=False, rtol=1e-9,
                                  atol=1e-12)  # least-squares slopes differ by BLAS build


def _write_golden() -> None:
    from hsplan.plans.plan import load_plan

    region = _example_region()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / "dtypes.json"
    dtypes = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for plan_id, level, year in GOLDEN_CASES:
        name = _golden_name(plan_id, level, year)
        results = evaluate(region, load_plan(plan_id), level=level, year=year)
        results.to_csv(GOLDEN / f"{name}.csv", index=False)
        dtypes[name] = {c: str(t) for c, t in results.dtypes.items()}
    path.write_text(json.dumps(dtypes, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write-golden"]:
        _write_golden()


# --- issue 10: progress as Chinese evaluations measure it, precision, scope, duplicates -------


def test_completion_time_progress_and_grade_of_t07a_on_the_example(
        example_region: Region) -> None:
    """江川 T07a (县办公立医院及基层医疗卫生机构床位): base 2.38 (2020), target 2.45 (2025);
    the example's 2023 value 2.4202 is 完成进度 (2.4202 − 2.38)/(2.45 − 2.38) = 57.5 % with
    时间进度 3/5 = 60 % → 滞后于预期 (the old chart showed 现状 ÷ 目标 = 98.8 %)."""
    from hsplan.plans.plan import load_plan

    results = evaluate(example_region, load_plan("jiangchuan-2021-2025"))
    row = results.set_index("target_id").loc["T07a"]
    assert row["completion_pct"] == pytest.approx((row["value"] - 2.38) / (2.45 - 2.38) * 100)
    assert 57 < row["completion_pct"] < 58
    assert row["time_pct"] == pytest.approx(60.0)
    assert row["grade"] == BEHIND


@pytest.mark.parametrize(
    ("value", "year", "grade", "completion"),
    [
        (3.50, 2023, BEHIND, 50.0),        # 50 % done, 60 % of the time gone
        (3.56, 2023, AS_EXPECTED, 60.0),   # exactly 序时进度
        (3.62, 2023, FASTER, 70.0),        # ≥ 60 + 10
        (3.80, 2023, AHEAD_DONE, 100.0),   # the final target already met
        (3.80, 2025, DONE, 100.0),         # the target year: 已完成
        (3.60, 2025, NOT_DONE, 200 / 3),   # the target year: 未完成
    ],
)
def test_progress_grades(value: float, year: int, grade: str, completion: float) -> None:
    t = tgt(">=", value=3.8, base=(2020, 3.2))
    result = assess(t, value=value, year=year, series={year: value})
    prog = progress(t, result, value=value, base_value=3.2, base_year=2020, target_year=2025,
                    year=year)
    assert prog.completion_pct == pytest.approx(completion)
    assert prog.time_pct == pytest.approx((year - 2020) / 5 * 100)
    assert prog.grade == grade


def test_progress_of_a_target_the_baseline_already_met_and_of_up_targets() -> None:
    t = tgt(">=", value=1.34, base=(2020, 1.39))   # 医护比 1.39 → ≥ 1.34
    ok = assess(t, value=1.35, year=2023, series={2023: 1.35})
    prog = progress(t, ok, value=1.35, base_value=1.39, base_year=2020, target_year=2025,
                    year=2023)
    assert (prog.completion_pct, prog.grade) == (None, AHEAD_DONE)
    up = tgt("up", base=(2020, 60.0))
    res = assess(up, value=58.0, year=2023, series={2023: 58.0})
    assert progress(up, res, value=58.0, base_value=60.0, base_year=2020, target_year=2025,
                    year=2023).grade == BEHIND


def test_comparison_at_the_published_precision() -> None:
    # 3.5551 is published as 3.56: the target ≥ 3.56 is met, with no gap left
    result = assess(tgt(">=", value=3.56), value=3.5551, year=2023, series={2023: 3.5551})
    assert result.status == MET
    assert result.gap == pytest.approx(0.0)
    assert assess(tgt(">=", value=3.56), value=3.5549, year=2023,
                  series={2023: 3.5549}).status != MET
    assert published_decimals(3.56) == 2
    assert published_decimals(95.0) == 0
    assert published_decimals(0.033) == 3
    assert at_precision(94.45, 1) == pytest.approx(94.5)   # half up, not to even


def test_down_held_at_a_zero_baseline_is_met() -> None:
    # 持续稳中有降 with a baseline of 0 (no maternal deaths): staying at 0 is the target
    result = assess(tgt("down", base=(2020, 0.0)), value=0.0, year=2023,
                    series={2022: 0.0, 2023: 0.0})
    assert result.status == MET
    no_base = assess(tgt("down"), value=0.0, year=2023, series={2022: 0.0, 2023: 0.0})
    assert no_base.status == MET
    # above 0 it must still fall
    assert assess(tgt("down", base=(2020, 0.0)), value=5.0, year=2023,
                  series={2023: 5.0}).status == OFF_TRACK


def test_duplicated_targets_are_counted_once_with_both_quotes(example_region: Region) -> None:
    from hsplan.plans.plan import load_plan

    results = evaluate(example_region, load_plan("jiangchuan-2021-2025"))
    dup = results.set_index("target_id")["duplicate_of"].dropna().to_dict()
    # 表2 repeats 表1's 医师/护士/全科 rows; the prose repeats 表1's 床位 3.56
    assert dup == {"W01": "T10", "W02": "T11", "W03": "T13", "P01": "T07"}
    by_id = results.set_index("target_id")
    assert by_id.loc["W01", "quote"] != by_id.loc["T10", "quote"]   # both quotes kept
    counts = status_counts(results)
    assert sum(counts.values()) == len(results) - 4


def test_binding_targets_first_in_the_counts() -> None:
    counts = status_counts_by_nature(evaluate(small_region(), small_plan()))
    assert list(counts) == ["约束性", "预期性", "未标注"]
    assert counts["约束性"][OFF_TRACK] == 1
    assert counts["约束性"][NOT_EVALUABLE] == 1


def test_per_street_target_is_met_only_when_every_street_meets_it() -> None:
    """康巴什 T13 "以街道为单位适龄儿童规划免疫疫苗接种率 ≥95": every street must reach 95 —
    a county mean of 95.5 over streets at 99 and 92 does not meet it."""
    from dataclasses import replace

    region = small_region()
    reported = pd.DataFrame({
        "area_code": ["530403", "530403101", "530403102"], "year": [2023] * 3,
        "indicator": ["immunization_coverage_pct"] * 3, "value": [95.5, 99.0, 92.0]})
    region = region.replace(reported=reported)
    street = Target(id="T13", indicator="immunization_coverage_pct",
                    name="以街道为单位适龄儿童规划免疫疫苗接种率", quote="…≥95 约束性",
                    target=TargetSpec(op=">=", year=2025, value=95.0), nature="约束性")
    plan = replace(small_plan(), targets=(street,))
    assert target_scope(street) == "township"
    county = evaluate(region, plan).set_index("target_id").loc["T13"]
    assert county["status"] != MET
    assert county["value"] == pytest.approx(92.0)
    assert "江城镇" in county["reason"]
    assert county["scope"] == "township"
    town = evaluate(region, plan, level="township").set_index("area_code")
    assert town.loc["530403101", "status"] == MET
    assert town.loc["530403102", "status"] != MET
    # no street values: 无法评估, not the county mean
    only_county = region.replace(reported=reported.iloc[:1])
    row = evaluate(only_county, plan).iloc[0]
    assert row["status"] == NOT_EVALUABLE
    assert row["reason"].startswith("无法评估：目标要求每个乡镇(街道)达到，2/2 个缺少数值")


def test_precision_never_coarser_than_the_unit() -> None:
    # 江川 T01: 每万人口公共卫生人员数 6.753 against a published "7" is 6.75 < 7, not 7
    t = tgt(">=", value=7.0)
    assert assess(t, value=6.753, year=2023, series={2023: 6.753}).status != MET
    assert assess(t, value=6.753, year=2023, series={2023: 6.753},
                  decimals=unit_decimals("人/万人")).status != MET
    assert assess(t, value=6.9951, year=2023, series={2023: 6.9951},
                  decimals=unit_decimals("人/万人")).status == MET


def test_department_indicators_have_no_baseline_from_today(example_region: Region) -> None:
    """江川 T04 (感染性疾病科): the seed gives no 2020 baseline ("—"). Departments are one
    attribute without history, so today's 50 % is not the 2020 baseline, there is no trend
    (before: 0/year, so 偏离目标 by construction), and 2021 is 无法评估."""
    from hsplan.plans.plan import load_plan

    plan = load_plan("jiangchuan-2021-2025")
    t04 = evaluate(example_region, plan).set_index("target_id").loc["T04"]
    assert pd.isna(t04["baseline_value"]) and pd.isna(t04["baseline_source"])
    assert pd.isna(t04["observed_per_year"])
    assert t04["status"] != OFF_TRACK
    assert "基期(2020年)值无法由数据得出：该年无科室设置记录" in t04["reason"]
    assert t04["reason"].endswith("；无历史数据，趋势无法评估")
    early = evaluate(example_region, plan, year=2021).set_index("target_id").loc["T04"]
    assert early["status"] == NOT_EVALUABLE
    assert "无历史数据：2021年 H001, H002 的科室设置未记录" in early["reason"]
    # a plan baseline stays the plan's; a region-derived one is flagged
    by_id = evaluate(example_region, plan).set_index("target_id")
    assert by_id.loc["T07", "baseline_source"] == "plan"
    assert by_id.loc["P01", "baseline_source"] == "region"


def test_department_indicators_have_a_history_from_the_facts_table(
        example_region: Region) -> None:
    """Issue 10: departments recorded per year (facts table, 事项 科室) give department
    indicators a baseline and a trend. 江川 T05 (乡镇卫生院和社区卫生服务中心设置发热诊室的比例
    ≥ 80 % by 2025): the example's 8 centres, 5 with a fever clinic in 2023 (62.5 %). Record
    T003 and T004 from 2020, T002 and T005 from 2022, T006 from 2023, all eight with their
    other departments since 2020 (2019 not recorded): 2020 2/8 = 25 % (a region-derived
    baseline, flagged),
    2021 25 %, 2022 50 %, 2023 62.5 %. Least squares over 2020–2023: +13.75 %/year, which
    reaches 80 % by 2025 (62.5 + 2 × 13.75 = 90): on track. Before (main): the 2023 share
    only, no baseline and no trend."""
    from hsplan.plans.plan import load_plan
    from hsplan.region import schema
    from hsplan.region.model import typed

    fever = {"T003": 2020, "T004": 2020, "T002": 2022, "T005": 2022, "T006": 2023}
    rows = [(fid, y, "科室", "发热门诊" if fid == "T005" else "发热诊室", None)
            for fid, y in fever.items()]
    rows += [(fid, 2020, "科室", "全科医学科", None) for fid in ("T001", "T007", "T008")]
    rows += [(fid, 2020, "科室", "全科医学科", None) for fid in fever]
    facts = pd.concat([example_region.facts, typed(pd.DataFrame(
        rows, columns=["facility_id", "year", "fact", "value", "status"]), schema.FACTS)],
        ignore_index=True)
    region = example_region.replace(facts=facts)
    plan = load_plan("jiangchuan-2021-2025")
    t05 = evaluate(region, plan).set_index("target_id").loc["T05"]
    assert t05["value"] == pytest.approx(62.5)
    assert (t05["baseline_value"], t05["baseline_source"]) == (pytest.approx(25.0), "region")
    assert t05["observed_per_year"] == pytest.approx(13.75)
    assert t05["status"] == ON_TRACK
    assert "无历史数据" not in t05["reason"]

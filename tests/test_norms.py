"""Tests of hsplan.evaluation.norms (check a region against a plan's norms) and `hsplan check`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, ClassVar

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.access import service as access_service
from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.evaluation.norms import (
    FAIL,
    NOT_EVALUABLE,
    PASS,
    STATUSES,
    NormResult,
    check,
    describe,
    facility_mask,
    grade_rank,
)
from hsplan.plans.plan import Norm, builtin_plans, load_plan
from hsplan.region.example import copy_example
from hsplan.region.model import Region

# the results read in Chinese (the default; tests/test_english_norms.py reads them in
# English); the two tests of a problem's English text ask for the `english` fixture, which
# comes after this mark's `chinese`
pytestmark = pytest.mark.usefixtures("chinese")

DATA = Path(__file__).parent / "data" / "norms"
NEEDS_TRAVEL = "缺少行程时间（需村居位置和人口，以及道路网络或直线距离模型）"


# --- the example project ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Region]:
    root = tmp_path_factory.mktemp("norms") / "jiangchuan"
    project = copy_example(root)
    return root, project.load()


@pytest.fixture(scope="module")
def baseline(example: tuple[Path, Region]) -> NormResult:
    return check(example[1], load_plan("jiangchuan-2021-2025"))


def _keys(result: NormResult) -> set[tuple[str, str, str]]:
    v = result.violations
    return {(str(r["norm_id"]), str(r["area_code"]),
             "" if r["facility_id"] is None or pd.isna(r["facility_id"]) else str(r["facility_id"]))
            for r in v.to_dict(orient="records")}


def _row(result: NormResult, norm_id: str) -> dict[str, Any]:
    s = result.summary
    rows = s[s["norm_id"] == norm_id].to_dict(orient="records")
    assert len(rows) == 1
    return {str(k): v for k, v in rows[0].items()}


def test_every_norm_of_the_plan_gets_a_result(baseline: NormResult) -> None:
    plan = load_plan("jiangchuan-2021-2025")
    assert baseline.year == 2023
    assert list(baseline.summary["norm_id"]) == [n.id for n in plan.norms]
    assert set(baseline.summary["status"]) <= set(STATUSES)
    for norm, row in zip(plan.norms, baseline.summary.to_dict(orient="records"), strict=True):
        assert row["rule"] == norm.rule and row["quote"] == norm.quote
        if norm.rule == "text":
            assert row["status"] == NOT_EVALUABLE
            assert row["reason"].startswith("定性要求")
        if norm.rule == "service_circle" and norm.params.get("facility") == "托育机构":
            # the example has no 托育机构 rows: what to enter, before any travel time
            assert row["status"] == NOT_EVALUABLE
            assert row["reason"].startswith("无法评估：缺少托育机构数据")
        elif norm.rule == "service_circle":
            assert (row["status"], row["reason"]) == (NOT_EVALUABLE, NEEDS_TRAVEL)
    assert baseline.status_counts() == {PASS: 16, FAIL: 10, NOT_EVALUABLE: 20}


def test_example_values_are_the_hand_computed_ones(baseline: NormResult) -> None:
    v = baseline.violations.set_index("norm_id")
    # N21: 256,175 residents / 30,000 = 8.54 -> 9 ambulances; 8 in the region (H001 3,
    # H002 1, 急救站 3, 九溪镇中心卫生院 1).
    assert _row(baseline, "N21")["description"] == "每3万人口1辆救护车"
    assert v.loc["N21", "expected"] == "≥ 9 辆救护车（常住人口 256,175 人）"
    assert (v.loc["N21", "actual"], v.loc["N21", "shortfall"]) == ("8", 1.0)
    assert v.loc["N21", "shortfall_text"] == "缺 1 辆救护车"
    # N22: 2 of 8 negative-pressure = 25 %; 30 % x 8 = 2.4 -> 3 -> 1 more.
    assert (v.loc["N22", "actual"], v.loc["N22", "shortfall"]) == ("25.00%（2/8）", 1.0)
    # N12: CDC staff 45 >= 256,175 x 1.75 / 10,000 = 44.83 -> pass.
    assert _row(baseline, "N12")["status"] == PASS
    # N08: street population 72,427 + 55,113 = 127,540 -> 2–4 centres; 2 there.
    assert (_row(baseline, "N08")["status"], _row(baseline, "N08")["checked"]) == (PASS, 1)
    # N09: 76 villages: 23 居委会 not checked, 10 行政村 below 800, 43 checked, all served.
    n09 = _row(baseline, "N09")
    assert (n09["checked"], n09["passed"], n09["failed"]) == (43, 43, 0)
    assert n09["reason"].startswith("23 个居委会（社区）不检查")
    # N34: H001 9 TCM beds of 314; 5 % x 314 = 15.7 -> 16 -> 7 more.
    h001 = baseline.violations.query("norm_id == 'N34' and facility_id == 'H001'")
    assert h001[["area_name", "facility_name", "shortfall"]].values.tolist() == [
        ["星云街道", "江川区人民医院", 7.0]]


def test_all_builtin_plans_run_on_the_example(example: tuple[Path, Region]) -> None:
    for info in builtin_plans():
        plan = load_plan(info.id)
        result = check(example[1], plan)
        assert list(result.summary["norm_id"]) == [n.id for n in plan.norms], info.id
        assert set(result.summary["status"]) <= set(STATUSES)
        assert (result.summary["checked"] == result.summary["passed"] + result.summary["failed"]
                + result.summary["not_evaluable"]).all()
        assert set(result.violations["norm_id"]) <= set(
            result.summary.loc[result.summary["status"] == FAIL, "norm_id"])


# --- planted violations -----------------------------------------------------------------------


def _plant(region: Region) -> Region:
    fac, res, util = region.facilities, region.resources, region.utilisation
    gone = {"V047", "T004"}  # 董炳村卫生室 (董炳村 2,938 residents); 前卫镇卫生院
    fac = fac[~fac["id"].isin(gone)]
    res = res[~res["facility_id"].isin(gone)].copy()
    util = util[~util["facility_id"].isin(gone)].copy()
    now = res["year"] == 2023
    res.loc[now & (res["facility_id"] == "T003"), "public_health_physicians"] = 0
    res.loc[now & (res["facility_id"] == "H001"), "ambulances"] = 1  # was 3 (1 negative-pressure)
    beds_2022 = int(res.loc[(res["year"] == 2022) & (res["facility_id"] == "H001"), "beds"].iloc[0])
    res.loc[now & (res["facility_id"] == "H001"), "beds"] = beds_2022 + 20
    at = (util["year"] == 2023) & (util["facility_id"] == "H001")
    util.loc[at, "occupancy_pct"] = 70.0
    util.loc[at, "alos_days"] = 10.0
    return region.replace(facilities=fac, resources=res, utilisation=util)


def test_planted_violations_are_found_and_nothing_else(example: tuple[Path, Region],
                                                       baseline: NormResult) -> None:
    region = example[1]
    planted = check(_plant(region), load_plan("jiangchuan-2021-2025"))
    new = _keys(planted) - _keys(baseline)
    assert new == {
        ("N09", "530403201202", ""),          # 董炳村: 2,938 residents, no 村卫生室
        ("N06", "530403102", ""),             # 前卫镇 without its 卫生院
        ("N18", "530403101", "T003"),         # 江城镇卫生院 without a public-health physician
        ("N10", "530403001", "H001"),         # 区人民医院: 70 %, 10 days, beds 310 -> 330
    }
    v = planted.violations
    n09 = v[v["norm_id"] == "N09"].iloc[0]
    assert (n09["area_name"], n09["area_level"], n09["shortfall_text"]) == (
        "董炳村民委员会", "village", "缺 1 所村卫生室")
    n06 = v[v["norm_id"] == "N06"].iloc[0]
    assert (n06["area_name"], n06["area_level"], n06["actual"]) == ("前卫镇", "township", "0 所")
    n18 = v[v["norm_id"] == "N18"].iloc[0]
    assert (n18["facility_name"], n18["actual"], n18["shortfall"]) == (
        "江川区江城镇卫生院", "0", 1.0)
    n10 = v[v["norm_id"] == "N10"].iloc[0]
    assert (n10["facility_name"], n10["actual"], n10["shortfall"]) == (
        "江川区人民医院", "310 → 330 张（2022–2023）", 20.0)
    # cutting 2 ambulances: 6 against 9 needed; the same violation, now 3 short
    n21 = v[v["norm_id"] == "N21"].iloc[0]
    assert (n21["actual"], n21["shortfall"]) == ("6", 3.0)
    # the untouched copy stays as it was (pure function: inputs not mutated)
    again = check(region, load_plan("jiangchuan-2021-2025"))
    assert _keys(again) == _keys(baseline)


def test_bed_efficiency_uses_the_region_own_previous_year(example: tuple[Path, Region]) -> None:
    region = example[1]
    util = region.utilisation.copy()
    at = (util["year"] == 2023) & (util["facility_id"] == "H001")
    util.loc[at, ["occupancy_pct", "alos_days"]] = [70.0, 10.0]
    inefficient = region.replace(utilisation=util)
    full = load_plan("jiangchuan-2021-2025")
    plan = dataclasses.replace(full, norms=tuple(n for n in full.norms if n.id == "N10"))
    # beds 310 (2022) -> 314 (2023): 4 beds added while inefficient
    grown = check(inefficient, plan)
    assert grown.violations["shortfall"].tolist() == [4.0]
    # a scenario that keeps beds at the 2022 level passes
    res = inefficient.resources.copy()
    res.loc[(res["year"] == 2023) & (res["facility_id"] == "H001"), "beds"] = 310
    kept = check(inefficient.replace(resources=res), plan)
    assert (kept.summary["status"].tolist(), kept.violations.empty) == ([PASS], True)
    assert check(region.replace(utilisation=region.utilisation.iloc[0:0]), plan
                 ).summary["reason"].tolist() == [
        "缺少2023年医疗服务数据（病床使用率、出院人数等）"]


# --- a hand-made region, one case per rule type --------------------------------------------------


def handmade_region() -> Region:
    """测试县 530499: a street, a town and a 乡; five villages; seven facilities (2022–2023)."""
    areas = pd.DataFrame([
        ("530499", "测试县", "county", "5304", None, None, None),
        ("530499001", "测试街道", "township", "530499", "urban", None, None),
        ("530499101", "甲镇", "township", "530499", "rural", None, None),
        ("530499201", "乙乡", "township", "530499", "rural", None, None),
        ("530499101001", "甲镇社区居民委员会", "village", "530499101", "urban", 102.40, 24.40),
        ("530499101201", "一村民委员会", "village", "530499101", "rural", 102.41, 24.41),
        ("530499101202", "二村民委员会", "village", "530499101", "rural", 102.42, 24.42),
        ("530499101203", "四村民委员会", "village", "530499101", "rural", 102.43, 24.43),
        ("530499201201", "三村民委员会", "village", "530499201", "rural", 102.50, 24.50),
    ], columns=["code", "name", "level", "parent_code", "urban_rural", "lon", "lat"])
    population = pd.DataFrame([
        ("530499", 2023, 70000, 40000, 30000), ("530499001", 2023, 40000, None, None),
        ("530499101", 2023, 18000, None, None), ("530499201", 2023, 12000, None, None),
        ("530499101001", 2023, 1500, None, None), ("530499101201", 2023, 900, None, None),
        ("530499101202", 2023, 700, None, None), ("530499101203", 2023, 1000, None, None),
        ("530499201201", 2023, 1200, None, None),
    ], columns=["area_code", "year", "total", "urban", "rural"])
    facilities = pd.DataFrame([
        ("H1", "测试县人民医院", "综合医院", "公立", True, "县属", "二级甲等", "530499001",
         102.30, 24.30, "急诊科"),
        ("S1", "测试县卫生监督所", "卫生监督所", "公立", True, "县属", None, "530499001",
         102.30, 24.31, None),
        ("C1", "测试街道社区卫生服务中心", "社区卫生服务中心", "公立", True, "县属", None,
         "530499001", 102.31, 24.30, "全科医学科"),
        ("T1", "甲镇卫生院", "乡镇卫生院", "公立", True, "乡镇", None, "530499101",
         102.40, 24.40, "中医馆、公共卫生科"),
        ("T2", "乙乡卫生院", "乡镇卫生院", "公立", True, "乡镇", None, "530499201",
         102.501, 24.50, "全科医学科"),
        ("V1", "一村卫生室", "村卫生室", "公立", False, "村", None, "530499101201",
         102.41, 24.41, None),
    ], columns=["id", "name", "subtype", "ownership", "government_run", "admin_level", "grade",
                "area_code", "lon", "lat", "departments"])
    cols = ["facility_id", "year", "beds", "beds_tcm", "beds_emergency_obs", "doctors_licensed",
            "nurses", "public_health_physicians", "ambulances", "ambulances_negative_pressure",
            "health_inspectors", "village_doctors"]
    resources = pd.DataFrame([
        ("H1", 2022, 190, 6, 8, 80, 50, 1, 1, 0, 0, 0),
        ("H1", 2023, 200, 6, 8, 80, 50, 1, 1, 0, 0, 0),
        ("S1", 2023, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0),
        ("C1", 2023, 0, 0, 0, 6, 8, 1, 0, 0, 0, 0),
        ("T1", 2023, 20, 0, 0, 5, 6, 1, 1, 0, 0, 0),
        ("T2", 2023, 10, 0, 0, 3, 3, 0, 1, 0, 0, 0),
        ("V1", 2023, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    ], columns=cols)
    utilisation = pd.DataFrame([("H1", 2023, 70.0, 10.0)],
                               columns=["facility_id", "year", "occupancy_pct", "alos_days"])
    return Region().replace(areas=areas, population=population, facilities=facilities,
                            resources=resources, utilisation=utilisation)


class FakeAccess:
    """Travel times from 乡镇卫生院 to the rural villages, fixed by hand; records the calls."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def coverage(self, facility: Any, *, minutes: float | None = None,
                 distance_km: float | None = None, mode: str = "drive",
                 scope: str | None = None, combine: str = "either") -> pd.DataFrame:
        self.calls.append({"facility": facility, "minutes": minutes, "distance_km": distance_km,
                           "mode": mode, "scope": scope, "combine": combine})
        t1, t2 = "530499101", "530499201"
        rows = [
            # 一村: 18 min but 4 km -> covered by distance; 二村: 20 min, 8 km -> not covered
            ("530499101201", "一村民委员会", "village", t1, 900, 18.0, 4000.0, False, True),
            ("530499101202", "二村民委员会", "village", t1, 700, 20.0, 8000.0, False, True),
            ("530499101203", "四村民委员会", "village", t1, 1000, None, None, False, False),
            ("530499201201", "三村民委员会", "village", t2, 1200, 3.0, 1500.0, True, True),
        ]
        return pd.DataFrame(rows, columns=["area_code", "name", "level", "township_code", "pop",
                                           "travel_min", "dist_m", "covered", "reachable"])


@pytest.fixture(scope="module")
def handmade() -> tuple[NormResult, FakeAccess]:
    access = FakeAccess()
    return check(handmade_region(), load_plan(DATA / "handmade.yaml"), access=access), access


def _violations(result: NormResult, norm_id: str) -> list[tuple[Any, ...]]:
    v = result.violations[result.violations["norm_id"] == norm_id]
    return [(r["area_name"] or None, r["facility_id"] if isinstance(r["facility_id"], str)
             else None, r["shortfall"], r["shortfall_text"]) for r in v.to_dict(orient="records")]


@pytest.mark.parametrize(("norm_id", "status", "expected"), [
    ("X01", FAIL, [("四村民委员会", None, 1.0, "缺 1 所村卫生室")]),
    ("X02", PASS, []),
    ("X03", FAIL, [("测试县", None, 2.0, "缺 2 所社区卫生服务中心")]),
    ("X04", FAIL, [("测试县", None, 1.0, "缺 1 辆救护车")]),
    ("X05", FAIL, [("测试县", None, 1.0, "缺 1 辆救护车")]),
    ("X06", FAIL, [("测试县", None, 2.0, "超 2 人卫生监督员")]),
    ("X07", FAIL, [("测试县", None, 1.0, "缺 1 辆负压救护车")]),
    ("X08", FAIL, [("测试街道", "H1", 4.0, "缺 4 张中医床位")]),
    ("X09", FAIL, [("测试街道", "H1", 2.0, "超 2 张急诊留观床位")]),
    ("X10", FAIL, [("乙乡", "T2", 1.0, "缺 1 个中医馆")]),
    ("X11", FAIL, [("测试县", None, 2.0, "缺 2 所社区卫生服务中心/乡镇卫生院")]),
    ("X12", FAIL, [("乙乡", "T2", 1.0, "缺 1 人公共卫生类别执业(助理)医师")]),
    ("X13", FAIL, [("测试街道", "H1", 30.0, "缺 30 人注册护士")]),
    ("X14", FAIL, [("测试街道", "H1", 10.0, "超 10 张床位")]),
    ("X15", FAIL, [("测试街道", "H1", 2.0, "超 2 天")]),
    ("X16", FAIL, [("二村民委员会", None, 700.0, "缺 700 人（未覆盖人口）"),
                   ("四村民委员会", None, 1000.0, "缺 1000 人（未覆盖人口）")]),
    ("X17", NOT_EVALUABLE, []),
])
def test_each_rule_type_on_a_hand_made_case(handmade: tuple[NormResult, FakeAccess],
                                           norm_id: str, status: str,
                                           expected: list[tuple[Any, ...]]) -> None:
    result = handmade[0]
    assert _row(result, norm_id)["status"] == status
    assert _violations(result, norm_id) == expected


def test_hand_made_details(handmade: tuple[NormResult, FakeAccess]) -> None:
    result, access = handmade
    x01 = _row(result, "X01")
    # 一村 served, 三村 exempt (乙乡卫生院 stands ~100 m away), 四村 lacking; 二村 < 800
    assert (x01["checked"], x01["passed"], x01["failed"]) == (3, 2, 1)
    assert x01["reason"] == ("1 个居委会（社区）不检查：该标准针对行政村；"
                             "1 个村为乡镇卫生院所在地，免设：530499201201")
    v = result.violations.set_index("norm_id")
    assert v.loc["X03", "actual"] == "1 所（街道常住人口 40,000 人）"
    assert v.loc["X03", "expected"] == "3–4 所"
    assert v.loc["X11", "detail"] == "未设置: 测试街道社区卫生服务中心、乙乡卫生院"
    x16 = _row(result, "X16")
    assert x16["reason"].startswith(  # (900+1200)/3800; 一村 in by distance (或)
        "农村覆盖人口 55.3%（标准 ≥ 90%；≤ 15 分钟 或 ≤ 5 千米；出行方式：驾车")
    assert x16["covered_pct"] == pytest.approx(100 * 2100 / 3800)
    assert result.violations.query("norm_id == 'X16'")["actual"].tolist() == [
        "20.0 分钟，8.0 千米", "不可达"]
    assert access.calls == [{"facility": ["乡镇卫生院", "中心乡镇卫生院"], "minutes": 15.0,
                             "distance_km": 5.0, "mode": "drive", "scope": "rural",
                             "combine": "either"}]
    assert _row(result, "X17")["reason"].startswith("定性要求")
    assert describe(load_plan(DATA / "handmade.yaml").norms[3]) == "每3万城市人口1辆救护车"


def test_service_circle_without_travel_times_is_not_evaluable() -> None:
    result = check(handmade_region(), load_plan(DATA / "handmade.yaml"))
    row = _row(result, "X16")
    assert (row["status"], row["reason"], row["checked"]) == (NOT_EVALUABLE, NEEDS_TRAVEL, 0)
    assert "X16" not in set(result.violations["norm_id"])


def test_unknown_rule_and_resource_are_reported_at_once(english: None) -> None:
    plan = load_plan(DATA / "handmade.yaml")
    bad = dataclasses.replace(plan, norms=(
        Norm(id="B1", rule="quota", params={}, quote="q"),
        Norm(id="B2", rule="per_facility_minimum",
             params={"facility": "村卫生室", "resource": "doctors", "min": 1}, quote="q"),
    ))
    with pytest.raises(ValidationError) as info:
        check(handmade_region(), bad)
    assert [str(p) for p in info.value.errors] == [
        "handmade.yaml, column rule: norm B1: unknown rule: expected one of presence, "
        "count_per_population, resource_per_population, share, department_share, "
        "per_facility_minimum, per_facility_ratio, bed_efficiency, max_alos, service_circle, "
        "text, got 'quota'. Fix: use a rule type of docs/plan-format.md (Norms)",
        "handmade.yaml, column resource: norm B2: unknown resource: expected a column of the "
        "resources table, got 'doctors'. Fix: use a resources column of docs/schema.md",
    ]


def test_grade_selector() -> None:
    assert [grade_rank(g) for g in ("三级甲等", "二级", "二级乙等", "未定级", None)] == [
        32, 20, 21, 0, 0]
    fac = pd.DataFrame({"subtype": ["中医医院"] * 4, "category": ["医院"] * 4,
                        "ownership": ["公立"] * 4, "admin_level": ["县属"] * 4,
                        "government_run": [True] * 4,
                        "grade": ["二级乙等", "二级甲等", "三级", "二级"]})
    assert facility_mask(fac, {"subtype": "中医医院", "grade_min": "二级甲等"}).tolist() == [
        False, True, True, False]
    assert facility_mask(fac, {"category": "医院", "grade_min": "二级"}).all()


# --- the command ----------------------------------------------------------------------------------


def test_cli_check_table_json_xlsx(example: tuple[Path, Region], tmp_path: Path) -> None:
    root = example[0]
    runner = CliRunner()
    table = runner.invoke(app, ["check", str(root), "--plan", "jiangchuan-2021-2025",
                                "--no-travel"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    # 18: 江川仁和骨科医院 has no 急诊科, so no 急诊观察床 are asked of it (issue 10)
    assert "违规明细 (18)" in table.output and "达标 16 · 未达标 10 · 无法评估 20" in table.output
    assert "缺1辆救护车" in table.output  # spaces beside Chinese dropped in the terminal

    # at 80 columns a norm's words wrap in lines of a readable length: the first 16
    # characters of every description (7 of every violation's standard) stay on one line
    narrow = runner.invoke(app, ["check", str(root), "--plan", "jiangchuan-2021-2025",
                                 "--no-travel"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert max(len(line) for line in narrow.output.splitlines()) <= 80
    plan_doc = json.loads(runner.invoke(app, [
        "check", str(root), "--plan", "jiangchuan-2021-2025", "--no-travel",
        "--format", "json"]).stdout)
    flat = narrow.output
    for row in plan_doc["summary"]:
        head = row["description"].replace(" ", "")[:16]
        assert head in flat, head
    for v in plan_doc["violations"]:
        head = v["expected"].replace(" ", "")[:7]
        assert head in flat, head

    out = tmp_path / "check.json"
    done = runner.invoke(app, ["check", str(root), "--plan", "jiangchuan-2021-2025",
                               "--no-travel", "--format", "json", "--out", str(out)])
    assert done.exit_code == 0, done.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["plan"], doc["year"], doc["synthetic"]) == ("jiangchuan-2021-2025", 2023, True)
    assert len(doc["summary"]) == 46 and len(doc["violations"]) == 18
    n21 = next(v for v in doc["violations"] if v["norm_id"] == "N21")
    assert (n21["shortfall"], n21["facility_id"], n21["area_code"]) == (1.0, None, "530403")

    xlsx = tmp_path / "check.xlsx"
    done = runner.invoke(app, ["check", str(root), "--plan", "jiangchuan-2021-2025",
                               "--no-travel", "--format", "xlsx", "--out", str(xlsx)])
    assert done.exit_code == 0, done.output
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["汇总", "违规明细", "说明"]
    assert wb["汇总"].max_row == 47 and wb["违规明细"].max_row == 19
    assert wb["汇总"]["A1"].value == "规范编号" and wb["违规明细"]["J1"].value == "差额"


def test_cli_check_rejects_out_with_table(example: tuple[Path, Region], tmp_path: Path,
                                          english: None) -> None:
    result = CliRunner().invoke(app, ["check", str(example[0]), "--plan", "national-norms",
                                      "--no-travel", "--out", str(tmp_path / "x.txt")])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert str(result.exception) == "--out needs --format json or xlsx. Fix: add --format xlsx."


def test_cli_travel_uses_service_access_unless_told_not_to(example: tuple[Path, Region],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = example[0]
    runner = CliRunner()
    args = ["check", str(root), "--plan", "leshan-shizhong-2021-2025", "--format", "json"]

    class Uncovered:
        """Every village 40 minutes away (a stand-in for hsplan.access.service.ServiceAccess)."""

        projects: ClassVar[list[str]] = []

        @classmethod
        def from_project(cls, project: Any) -> Uncovered:
            cls.projects.append(project.name)
            return cls()

        def coverage(self, facility: Any, **options: Any) -> pd.DataFrame:
            return pd.DataFrame({"area_code": ["530403101201"], "name": ["孤山村民委员会"],
                                 "level": ["village"], "township_code": ["530403101"],
                                 "pop": [871], "travel_min": [40.0], "dist_m": [30000.0],
                                 "covered": [False], "reachable": [True]})

    # the command imports ServiceAccess when it runs (lazy CLI imports): replace it at source
    monkeypatch.setattr(access_service, "ServiceAccess", Uncovered)
    doc = json.loads(runner.invoke(app, args).stdout)
    n04 = next(s for s in doc["summary"] if s["norm_id"] == "N04")
    assert n04["status"] == FAIL and n04["covered_pct"] == 0.0
    assert n04["reason"].startswith("覆盖人口 0.0%（标准 ≥ 100%；≤ ")
    assert Uncovered.projects == ["玉溪市江川区（合成示例）"]
    off = json.loads(runner.invoke(app, [*args, "--no-travel"]).stdout)
    assert next(s for s in off["summary"] if s["norm_id"] == "N04")["reason"] == NEEDS_TRAVEL


def test_service_circles_with_the_project_travel_times(example: tuple[Path, Region]) -> None:
    import hsplan.access.service as access_module
    from hsplan.region.project import Project

    root, region = example
    access = access_module.ServiceAccess.from_project(Project.open(root))
    result = check(region, load_plan("jiangchuan-2021-2025"), access=access)
    circles = result.summary[result.summary["rule"] == "service_circle"]
    # N41 (托育机构, none entered in the example) is 无法评估, not 76 violations (issue 10)
    assert circles.set_index("norm_id").loc["N41", "status"] == NOT_EVALUABLE
    circles = circles[circles["norm_id"] != "N41"]
    assert set(circles["status"]) <= {PASS, FAIL}
    villages = set(region.areas.loc[region.areas["level"] == "village", "code"])
    pop = region.population[region.population["year"] == 2023].set_index("area_code")["total"]
    for row in circles.to_dict(orient="records"):
        v = result.violations[result.violations["norm_id"] == row["norm_id"]]
        assert row["checked"] == row["passed"] + row["failed"]
        assert len(v) == (row["failed"] if row["status"] == FAIL else 0)
        assert set(v["area_code"]) <= villages
        # each uncovered village's shortfall is its population
        assert all(float(pop[c]) == s for c, s in zip(v["area_code"], v["shortfall"],
                                                       strict=True))


# --- issue 10: absent data is 无法评估, never a violation ------------------------------------


def test_a_kind_never_entered_is_not_evaluable_not_a_violation() -> None:
    """N41-like: a 15-minute 托育机构 circle on a region with no 托育机构 rows. Before, every
    village was a violation (76 on the example); now the norm is 无法评估 and says what to
    enter — until the project declares 托育机构 surveyed, when none found is a finding."""
    norm = Norm(id="N41", rule="service_circle", quote="婴幼儿照护“15 分钟服务圈”",
                params={"facility": "托育机构", "minutes": 15})
    plan = load_plan(DATA / "handmade.yaml")
    plan = dataclasses.replace(plan, norms=(norm,))
    region = handmade_region()
    result = check(region, plan, access=FakeAccess())
    row = result.summary.iloc[0]
    assert row["status"] == NOT_EVALUABLE
    assert row["reason"].startswith("无法评估：缺少托育机构数据")
    assert result.violations.empty
    # "facilities" complete does not cover 托育机构 (not 医疗卫生机构) ...
    declared = dataclasses.replace(region, meta={"complete": ["facilities"]})
    assert check(declared, plan, access=FakeAccess()).summary.iloc[0]["status"] == \
        NOT_EVALUABLE
    # ... declaring 托育机构 surveyed does: the circle is then checked
    surveyed = dataclasses.replace(region, meta={"complete": ["facilities", "托育机构"]})
    assert check(surveyed, plan, access=FakeAccess()).summary.iloc[0]["reason"] != \
        row["reason"]


def test_a_region_without_facilities_has_no_facility_findings() -> None:
    region = handmade_region()
    empty = region.replace(facilities=region.facilities.iloc[0:0],
                           resources=region.resources.iloc[0:0])
    result = check(empty, load_plan(DATA / "handmade.yaml"), access=FakeAccess())
    assert set(result.summary["status"]) == {NOT_EVALUABLE}
    assert result.violations.empty


# --- issue 10: one reading of each norm, stated -------------------------------------------------


def _one_norm_plan(*norms: Norm) -> Any:
    return dataclasses.replace(load_plan(DATA / "handmade.yaml"), norms=norms)


def test_a_hospital_without_emergency_department_needs_no_observation_beds() -> None:
    region = handmade_region()
    ortho = pd.DataFrame([("O1", "测试县骨科医院", "专科医院", "非公立", False, "其他", "二级",
                           "530499001", 102.30, 24.30, "骨科")],
                         columns=["id", "name", "subtype", "ownership", "government_run",
                                  "admin_level", "grade", "area_code", "lon", "lat",
                                  "departments"])
    res = pd.DataFrame([{"facility_id": "O1", "year": 2023, "beds": 100,
                         "beds_emergency_obs": 0}])
    region = region.replace(facilities=pd.concat([region.facilities, ortho]),
                            resources=pd.concat([region.resources, res]))
    norm = Norm(id="N24", rule="share", quote="按医院床位的2%—3%设置急诊科观察床",
                params={"numerator": {"resource": "beds_emergency_obs"},
                        "denominator": {"resource": "beds"}, "min_pct": 2, "max_pct": 3,
                        "facility": {"category": "医院", "department": "急诊科"}})
    result = check(region, _one_norm_plan(norm))
    assert "O1" not in set(result.violations["facility_id"])  # before: 缺 2 张 at O1
    assert set(result.violations["facility_id"]) == {"H1"}   # H1: 8 of 200 > 3 %
    # the built-in plans say so
    jc = {n.id: n for n in load_plan("jiangchuan-2021-2025").norms}
    assert jc["N24"].params["facility"]["department"] == "急诊科"


def test_a_sentence_with_or_is_one_norm() -> None:
    """"每个街道办事处范围或每3万—10万居民规划设置1个社区卫生服务中心": one street with a
    centre per street fails nothing when the population rule passes, and vice versa."""
    street = Norm(id="A", rule="presence", quote="每个街道…或每3万—10万居民…",
                  params={"area_level": "township", "facility": "社区卫生服务中心",
                          "min_count": 1, "where": {"area_kind": "street"}, "or_norm": "B"})
    per_pop = Norm(id="B", rule="count_per_population", quote="每个街道…或每3万—10万居民…",
                   params={"facility": "社区卫生服务中心", "per_pop_min": 30000,
                           "per_pop_max": 100000, "area_level": "county", "or_norm": "A"})
    result = check(handmade_region(), _one_norm_plan(street, per_pop)).summary
    by_id = result.set_index("norm_id")
    # 测试街道 has C1 (A passes); 70,000 people need ≥ 1 centre per 100,000 (B passes too)
    assert set(by_id["status"]) == {PASS}
    assert "“或”关系" in by_id.loc["A", "reason"]
    plan = load_plan("jiangchuan-2021-2025")
    jc = {n.id: n for n in plan.norms}
    assert (jc["N07"].params["or_norm"], jc["N08"].params["or_norm"]) == ("N08", "N07")


def test_the_bed_rule_reading_is_a_parameter_and_printed() -> None:
    # H1: occupancy 70 % < 75 % but stay 8 days ≤ 9; beds 190 → 200
    region = handmade_region()
    util = region.utilisation.assign(alos_days=8.0)
    region = region.replace(utilisation=util)
    params = {"facility": {"subtype": "综合医院", "ownership": "公立"},
              "max_occupancy_pct": 75, "min_alos_days": 9}
    both = Norm(id="N", rule="bed_efficiency", quote="使用率低于75%、平均住院日高于9天",
                params=params)
    either = Norm(id="N", rule="bed_efficiency", quote="…", params={**params, "combine": "or"})
    strict = check(region, _one_norm_plan(both)).summary.iloc[0]
    assert strict["status"] == PASS
    assert "读法：使用率低于75%且平均住院日高于9天" in strict["reason"]
    loose = check(region, _one_norm_plan(either)).summary.iloc[0]
    assert loose["status"] == FAIL
    assert "读法：使用率低于75%或平均住院日高于9天" in loose["reason"]


def test_a_private_bed_reserve_is_not_a_minimum_of_existing_private_beds() -> None:
    n06 = {n.id: n for n in load_plan("kangbashi-2021-2025").norms}["N06"]
    assert n06.rule == "text"
    assert "不是现有社会办床位必须达到的比例" in n06.params["reason"]

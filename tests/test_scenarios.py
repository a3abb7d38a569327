"""Scenarios on the bundled example project 江川区 (530403, synthetic data 2019–2023)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.plans.indicators import compute
from hsplan.plans.plan import load_plan
from hsplan.region import schema
from hsplan.region.coords import gcj02_to_wgs84
from hsplan.region.example import copy_example, example_project_path
from hsplan.region.model import Region
from hsplan.region.project import Project
from hsplan.scenarios.scenario import (
    Comparison,
    Scenario,
    apply_scenario,
    compare,
    load_scenario,
    scenario_from_dict,
    scenario_schema,
)

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

DATA = Path(__file__).parent / "data" / "scenarios"
DOCS = Path(__file__).parent.parent / "docs" / "scenarios.md"
PLAN = "jiangchuan-2021-2025"


@pytest.fixture(scope="module")
def region() -> Region:
    return Project.open(example_project_path()).load()


@pytest.fixture(scope="module")
def comparison(region: Region) -> Comparison:
    return compare(region, load_scenario(DATA / "new-chc.yaml"), load_plan(PLAN))


def _county_pop(region: Region, year: int) -> float:
    pop = region.population
    row = pop[(pop["area_code"] == "530403") & (pop["year"] == year)]
    return float(row["total"].iloc[0])


def test_schema_lists_every_resource_column() -> None:
    names = scenario_schema()["$defs"]["resources"]["propertyNames"]["enum"]
    columns = [c for c in schema.RESOURCES.columns if c.id not in ("facility_id", "year")]
    assert names == [c.id for c in columns] + [c.zh for c in columns]


def test_load_scenario(region: Region) -> None:
    s = load_scenario(DATA / "new-chc.yaml")
    assert (s.id, s.year, s.region_code) == ("new-chc-200-beds", 2025, "530403")
    assert [c.op for c in s.changes] == ["open", "add"]
    # the Chinese header 注册护士 is read as the column nurses
    assert s.changes[0].resources == {"beds": 50, "staff_total": 40, "staff_health_tech": 34,
                                      "doctors_licensed": 8, "nurses": 12, "gps": 4}


def test_apply_adds_200_beds_and_does_not_mutate(region: Region) -> None:
    before_res = region.resources.copy()
    before_fac = region.facilities.copy()
    s = load_scenario(DATA / "new-chc.yaml")
    out = apply_scenario(region, s)
    pd.testing.assert_frame_equal(region.resources, before_res)
    pd.testing.assert_frame_equal(pd.DataFrame(region.facilities), pd.DataFrame(before_fac))
    assert 2025 not in set(region.resources["year"])
    res = out.resources
    beds = res.groupby("year")["beds"].sum()
    base_beds = region.resources.groupby("year")["beds"].sum()
    for year in (2019, 2020, 2021, 2022, 2023):
        assert beds[year] == base_beds[year]  # the change holds from 2024 only
    assert beds[2025] == base_beds[2023] + 200  # 2023 copied forward as 2025, + 50 + 150
    new = out.facilities[out.facilities["id"] == "S01"].iloc[0]
    lon, lat = gcj02_to_wgs84(102.775, 24.262)
    assert (new["lon"], new["lat"]) == pytest.approx((lon, lat), abs=1e-9)
    assert (new["category"], new["opened"], new["crs"]) == ("基层医疗卫生机构", 2024, "WGS84")
    assert new.geometry.x == pytest.approx(lon)
    assert out.meta["scenario"]["notes"] == ["resources of 2023 copied forward as 2025",
                                             "population of 2023 copied forward as 2025"]


def test_notes_in_chinese_by_default(region: Region, chinese: None) -> None:
    # `chinese` comes after the module's `english`: the notes are made in Chinese
    out = apply_scenario(region, load_scenario(DATA / "new-chc.yaml"))
    assert out.meta["scenario"]["notes"] == ["资源数据沿用2023年，作为2025年",
                                             "人口数据沿用2023年，作为2025年"]


def test_beds_per_1k_up_by_exactly_200_per_pop(region: Region, comparison: Comparison) -> None:
    pop = _county_pop(region, 2023)  # held in 2025
    ind = comparison.indicators
    row = ind[(ind["indicator"] == "beds_per_1k") & (ind["target_id"] == "T07")].iloc[0]
    assert row["change"] == pytest.approx(200 / pop * 1000, rel=1e-12)
    assert row["value_baseline"] == pytest.approx(913 / pop * 1000, rel=1e-12)
    # the oracle: the indicator computed directly on the scenario region
    out = apply_scenario(region, load_scenario(DATA / "new-chc.yaml"))
    direct = compute(out, "beds_per_1k", year=2025)["value"].iloc[0]
    assert row["value_scenario"] == pytest.approx(direct, rel=1e-12)
    # 县办公立医院及基层 beds: H001 (county hospital) and the new centre both count
    sub = ind[ind["target_id"] == "T07a"].iloc[0]
    assert sub["change"] == pytest.approx(200 / pop * 1000, rel=1e-12)
    assert (sub["status_baseline"], sub["status_scenario"]) == ("off track", "met")
    untouched = ind[ind["indicator"] == "outpatient_visits_per_capita"]
    assert untouched.empty or (untouched["change"].fillna(0) == 0).all()


def test_norms_and_needs_side_by_side(comparison: Comparison) -> None:
    norms = comparison.norms.set_index("norm_id")
    # 每3万—10万居民设置1所社区卫生服务中心, 中医馆 in every centre: the new centre counts
    n32 = norms.loc["N32"]
    assert (n32["checked_baseline"], n32["checked_scenario"]) == (8, 9)
    assert (n32["passed_baseline"], n32["passed_scenario"]) == (6, 7)
    # 急诊留观床位 2–3 % of beds: H001 grows to 464 beds with 8 observation beds (1.7 %)
    n24 = norms.loc["N24"]
    # 1 and 2: the 骨科 hospital has no 急诊科, so no 急诊观察床 are asked of it (issue 10)
    assert (n24["failed_baseline"], n24["failed_scenario"]) == (1, 2)
    vio = comparison.violations
    new = vio[(vio["norm_id"] == "N24") & (vio["change"] == "new")]
    assert list(new["facility_id"]) == ["H001"]
    assert new["shortfall_scenario"].iloc[0] == 2.0  # ceil(2 % × 464) − 8 = 10 − 8
    needs = comparison.needs.set_index("item")
    beds = needs.loc["床位（需求法）"]
    assert beds["current_value_change"] == 200
    assert beds["value_needed_change"] == 0  # same population assumptions
    assert beds["gap_change"] == -200
    chc = needs.loc["每3万—10万居民1个社区卫生服务中心"]
    assert (chc["current_value_baseline"], chc["current_value_scenario"]) == (2, 3)


def test_docs_example_loads_and_applies(region: Region, tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"## Example.*?```yaml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "example.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    s = load_scenario(path)
    out = apply_scenario(region, s)
    res = out.resources
    h001 = res[(res["facility_id"] == "H001") & (res["year"] == 2025)].iloc[0]
    base_rows = region.resources
    base = base_rows[(base_rows["facility_id"] == "H001") & (base_rows["year"] == 2023)].iloc[0]
    assert int(h001["beds"]) == int(base["beds"]) + 150
    assert int(h001["ambulances"]) == int(base["ambulances"]) + 2
    assert int(h001["beds_emergency_obs"]) == int(base["beds_emergency_obs"]) - 1
    fac = out.facilities.set_index("id")
    assert fac.loc["V001", "closed"] == 2025
    assert res[(res["facility_id"] == "V001") & (res["year"] >= 2025)].empty
    assert (fac.loc["H002", "lon"], fac.loc["H002", "lat"]) == (102.7601, 24.2702)
    assert out.meta["population_assumptions"] == {"method": "cohort", "tfr": 1.1,
                                                  "net_migration": -500}


def test_bad_file_reports_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        load_scenario(DATA / "bad.yaml")
    messages = [str(p) for p in info.value.errors]
    assert len(messages) == 11
    assert messages[0] == (
        "bad.yaml, row 1, column id: value not in the expected form: expected lower-case "
        "letters, digits and hyphens, e.g. new-chc-2024, got 'Bad_Scenario'. Fix: correct "
        "the value")
    assert "bad.yaml, row 4, column colour: unknown field 'colour'. Fix: remove it or correct " \
        "the spelling; known fields: id, title, description, region, year, changes, " \
        "population" in messages
    assert "bad.yaml, row 6, column changes[1]: missing field 'lat' (op open needs it). " \
        "Fix: add `lat: …` (docs/scenarios.md)" in messages
    assert "bad.yaml, row 11, column changes[1].resources.bed: unknown resource: expected a " \
        "resources column id or Chinese header (docs/schema.md), got 'bed'. Fix: did you " \
        "mean beds?" in messages
    assert "bad.yaml, row 12, column changes[2].op: value not allowed: expected one of open, " \
        "close, move, add, remove, fact, got 'shut'. Fix: use one of the listed values" in messages
    assert "bad.yaml, row 18, column population.tfr: wrong type: expected a number, got " \
        "'1.3'. Fix: write numbers without units, codes in quotes" in messages


def test_apply_problems_reported_at_once(region: Region, tmp_path: Path) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(
        "id: wrong\ntitle: wrong ids\nyear: 2023\nchanges:\n"
        "  - {op: close, facility: X999}\n"
        "  - {op: remove, facility: V001, from: 2023, resources: {village_doctors: 5}}\n"
        "  - op: open\n    name: 新站\n    subtype: 社区卫生服务站\n"
        "    area_code: \"530403999\"\n    lon: 102.7\n    lat: 24.3\n",
        encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        apply_scenario(region, load_scenario(path))
    assert [str(p) for p in info.value.errors] == [
        "wrong.yaml, row 5, column changes[1].facility: unknown facility: expected a facility "
        "id (机构编码) of the project or of a facility opened earlier in the scenario, got "
        "'X999'. Fix: check the id with `hsplan summary` or the 机构 sheet",
        "wrong.yaml, row 6, column changes[2].resources: V001 has 3 乡村医生 in 2023; removing "
        "5 leaves -2: expected at most 3, got '5'. Fix: remove at most 3",
        "wrong.yaml, row 10, column changes[3].area_code: unknown area: expected an area code "
        "(区划代码) of the project, got '530403999'. Fix: use the code of the township or "
        "village the facility is in (`hsplan summary`)",
    ]


def test_in_memory_scenario_and_closed_facility(region: Region) -> None:
    s = scenario_from_dict({"id": "close-then-add", "title": "t", "year": 2023, "changes": [
        {"op": "close", "facility": "H003", "from": 2022},
        {"op": "add", "facility": "H003", "from": 2023, "resources": {"beds": 5}}]})
    assert isinstance(s, Scenario)
    with pytest.raises(ValidationError) as info:
        apply_scenario(region, s)
    assert [str(p) for p in info.value.errors] == [
        "scenario, column changes[2].facility: facility H003 is closed from 2022. "
        "Fix: change it before 2022 or drop this change"]


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The jiangchuan plan cut to targets T07/T07a and norms N24/N32, to keep the CLI
    tests fast (evaluating all 58 targets takes seconds)."""
    data = dict(load_plan(PLAN).data)
    data["id"] = "jiangchuan-small"
    data["targets"] = [t for t in data["targets"] if t["id"] in ("T07", "T07a")]
    data["norms"] = [n for n in data["norms"] if n["id"] in ("N24", "N32")]
    data["tasks"], data["institutions"], data["facts"] = [], [], []
    path = tmp_path_factory.mktemp("plan") / "jiangchuan-small.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_comparison_to_xlsx(comparison: Comparison, tmp_path: Path) -> None:
    out = comparison.to_xlsx(tmp_path / "compare.xlsx")
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["情景", "指标", "重点机构", "配置标准", "违规变化", "需求"]
    rows = list(wb["指标"].iter_rows(values_only=True))
    assert rows[0][:3] == ("target_id", "indicator", "name")
    assert len(rows) == len(comparison.indicators) + 1


def test_cli_compare_json_and_table(tmp_path: Path, small_plan: Path) -> None:
    project = copy_example(tmp_path / "proj")
    runner = CliRunner()
    args = ["compare", str(project.root), "--scenario", str(DATA / "new-chc.yaml"),
            "--plan", str(small_plan)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (doc["scenario"], doc["plan"], doc["year"]) == ("new-chc-200-beds",
                                                           "jiangchuan-small", 2025)
    assert [r["target_id"] for r in doc["indicators"]] == ["T07a", "T07"]
    t07 = next(r for r in doc["indicators"] if r["target_id"] == "T07")
    assert t07["change"] == pytest.approx(200 / 256175 * 1000)
    assert [r["norm_id"] for r in doc["norms"]] == ["N24", "N32"]
    assert len(doc["needs"]) > 0 and len(doc["changes"]) == 2
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "T07a" in result.output and "N24" in result.output


def test_cli_compare_bad_scenario(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "proj")
    result = CliRunner().invoke(app, ["compare", str(project.root), "--scenario",
                                      str(DATA / "bad.yaml"), "--plan", PLAN])
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationError)
    assert result.exception.context == "scenario bad.yaml"


def test_a_new_ambulance_station_resolves_the_villages_it_now_reaches(
        tmp_path: Path) -> None:
    """compare with travel times: the scenario's own facilities are routed on the same roads,
    so an 急救站 opened at 雄关乡's health centre resolves the rural-radius violations
    (N26: 20 km and 30 min) of exactly the villages that station now serves."""
    from hsplan.access.service import ServiceAccess
    from hsplan.plans.plan import plan_from_dict

    project = copy_example(tmp_path / "proj")
    region = project.load()
    data = dict(load_plan(PLAN).data)
    data.update(id="n26-only", targets=[], tasks=[], institutions=[], facts=[],
                norms=[n for n in data["norms"] if n["id"] == "N26"],
                # a plan whose 院前急救 network is the 急救中心/站 alone (江川's own reading
                # also counts the 卫生院, 雄关乡's among them)
                readings={"ems_network": {"bases": [["急救中心", "急救站"]],
                                          "quote": "急救中心(站)", "source": "test"}})
    plan = plan_from_dict(data)
    fac = region.facilities
    centre = fac[(fac["subtype"] == "乡镇卫生院") & (fac["name"].str.contains("雄关"))].iloc[0]
    scenario = scenario_from_dict({
        "id": "xiongguan-ambulance", "title": "雄关乡急救站", "year": 2025,
        "changes": [{"op": "open", "id": "A01", "name": "雄关乡急救站", "subtype": "急救站",
                     "area_code": str(centre["area_code"]), "lon": float(centre["lon"]),
                     "lat": float(centre["lat"]), "crs": "WGS84", "from": 2024,
                     "resources": {"ambulances": 2}}]}, file="test", lines={})
    access = ServiceAccess.from_project(project)
    result = compare(region, scenario, plan, access=access)
    changed = result.violations[result.violations["norm_id"] == "N26"]
    resolved = changed[changed["change"] == "resolved"]
    assert set(changed["change"]) == {"resolved", "same"}  # nothing new, nothing larger
    # independently: rural villages outside the norm before, inside it after, served by A01
    kinds = ["急救中心", "急救站"]
    before = access.coverage(kinds, minutes=30, distance_km=20, scope="rural", combine="both")
    after = access.for_region(apply_scenario(region, scenario, year=2025), year=2025).coverage(
        kinds, minutes=30, distance_km=20, scope="rural", combine="both")
    gained = after[after["covered"].to_numpy() & ~before["covered"].to_numpy()]
    assert sorted(resolved["area_code"]) == sorted(gained["area_code"])
    assert set(gained["facility_id"]) == {"A01"}
    assert "530403202" in {c[:9] for c in gained["area_code"]}  # 雄关乡 itself
    row = result.norms.set_index("norm_id").loc["N26"]
    assert row["failed_scenario"] == row["failed_baseline"] - len(resolved)

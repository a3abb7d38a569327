"""Issue 10, items 5 and 7: one reading of each norm shared by every command, and a
census-only project that is assessed as 无法评估 (缺少 …), never as findings.

The 院前急救 network is anchored on seed 000's words: “将辖区内区级医疗机构和乡(镇)卫生院
(社区卫生服务中心)纳入院前急救体系网络”. On today's main `check` counted only 急救中心/站
(33.1 % rural) and `access ambulance` any facility with ambulances (78.3 % rural), and the
rural population was 124,930 (check) / 102,753 (access) / 119,902 (needs).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.plans.plan import load_plan, plan_from_dict
from hsplan.plans.readings import Readings, ems_bases, urban_rural_population
from hsplan.region.example import EXAMPLE_PLAN, copy_example
from hsplan.region.project import Project

runner = CliRunner()
SEED_WORDS = "将辖区内区级医疗机构和乡(镇)卫生院(社区卫生服务中心)纳入院前急救体系网络"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_example(tmp_path_factory.mktemp("readings") / "ex")


def _json(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _check_shares(doc: dict[str, Any]) -> tuple[float, float]:
    rows = {r["norm_id"]: r for r in doc["summary"]}
    return rows["N25"]["covered_pct"], rows["N26"]["covered_pct"]


def test_the_plan_reading_follows_the_seed_words() -> None:
    readings = Readings.from_plan(load_plan(EXAMPLE_PLAN))
    assert SEED_WORDS in readings.ems.quote
    line = readings.line_zh()
    assert line.startswith(
        "读法（jiangchuan-2021-2025）— 急救站点：急救中心/急救站、县（区）属医院、")
    assert "乡镇卫生院/中心乡镇卫生院/街道卫生院/社区卫生服务中心" in line
    assert "城乡划分：按村居（社区）的城乡分类" in line
    circles = readings.ambulance_circles()
    # 城市 “不超过5千米或…15分钟以内” is 或; 农村 “不超过20千米,…30分钟以内” lists both
    assert (circles["urban"].combine, circles["rural"].combine) == ("either", "both")
    assert (circles["urban"].norm_id, circles["rural"].norm_id) == ("N25", "N26")


def test_the_bases_are_the_network_the_plan_names(project: Project) -> None:
    region = project.load()
    bases = ems_bases(region, 2023, Readings.from_plan(load_plan(EXAMPLE_PLAN)))
    names = set(bases["name"])
    # 急救站, the 区级 hospitals and 妇幼保健院, six 卫生院 and two 社区卫生服务中心
    assert {"江川区急救站", "江川区人民医院", "江川区中医医院", "江川区妇幼保健院",
            "江川区雄关乡卫生院", "星云街道社区卫生服务中心"} <= names
    assert len(bases) == 12
    assert not names & {"江川康华医院", "江川仁和骨科医院"}  # private hospitals are not 区级


def test_same_ambulance_coverage_and_rural_population_in_every_command(
        project: Project) -> None:
    root = str(project.root)
    plan = ["--plan", EXAMPLE_PLAN]
    check = _json(["check", root, *plan, "--format", "json"])
    urban, rural = _check_shares(check)
    access = _json(["access", "ambulance", root, *plan, "--format", "json"])
    by = {r["code"]: r for r in access["summary"]}
    needs = _json(["needs", root, *plan, "--format", "json"])
    amb = needs["ambulance_coverage"]
    scenario = project.root / "scenarios" / "new-chc-200-beds.yaml"
    compare = _json(["compare", root, "--scenario", str(scenario), *plan,
                     "--format", "json"])
    cmp_rows = {r["norm_id"]: r for r in compare["norms"]}
    from hsplan.reports.report import report_data

    data = report_data(project, load_plan(EXAMPLE_PLAN, project=project))
    rep = data.ambulance.summary.set_index("code")
    for value_urban, value_rural in ((by["urban"]["covered_pct"], by["rural"]["covered_pct"]),
                                     (amb["urban_pct"], amb["rural_pct"]),
                                     (cmp_rows["N25"]["covered_pct_baseline"],
                                      cmp_rows["N26"]["covered_pct_baseline"]),
                                     (rep.loc["urban", "covered_pct"],
                                      rep.loc["rural", "covered_pct"]),
                                     _check_shares({"summary": data.norms.summary.to_dict(
                                         orient="records")})):
        assert value_urban == pytest.approx(urban, abs=1e-9)
        assert value_rural == pytest.approx(rural, abs=1e-9)
    assert (round(urban, 1), round(rural, 1)) == (90.9, 92.9)  # main: 61.1/33.1 vs 75.0/78.3
    # one rural population: the 53 村民委员会 (the 23 社区 are 城镇)
    rural_pop = 102_753
    n19 = next(v for v in check["violations"] if v["norm_id"] == "N19")
    assert f"农村常住人口 {rural_pop:,} 人" in n19["expected"]
    assert by["rural"]["pop"] == rural_pop and amb["rural_pop"] == rural_pop
    assert needs["urban_rural"]["rural_base"] == rural_pop
    assert rep.loc["rural", "pop"] == rural_pop
    split = urban_rural_population(project.load(), 2023, Readings.from_plan(load_plan(
        EXAMPLE_PLAN)))
    assert split is not None and split.rural == rural_pop
    # the readings travel with every result
    line = Readings.from_plan(load_plan(EXAMPLE_PLAN)).line_zh()
    for doc in (check["readings"], access["readings"], compare["readings"]):
        assert doc["line_zh"] == line
    assert amb["readings"] == line
    assert data.readings.line_zh() == line


def test_the_readings_are_printed_in_the_tables(project: Project) -> None:
    root = str(project.root)
    for args in (["check", root, "--plan", EXAMPLE_PLAN],
                 ["access", "ambulance", root, "--plan", EXAMPLE_PLAN],
                 ["needs", root, "--plan", EXAMPLE_PLAN]):
        result = runner.invoke(app, args, terminal_width=400)
        assert result.exit_code == 0, result.output
        out = " ".join(result.output.split())
        assert "急救站点：急救中心/急救站、县（区）属医院" in out, args
        assert "城乡划分：" in out, args
    table = runner.invoke(app, ["access", "ambulance", root], terminal_width=400).output
    assert "读法（national-defaults）" in table  # no plan: the stated national default
    assert " urban " not in table and " rural " not in table  # 城镇/农村 for people


def test_circle_mode_and_combine_come_from_the_words() -> None:
    data = dict(load_plan(EXAMPLE_PLAN).data)
    norms = [{"id": "W1", "rule": "service_circle", "quote": "步行15分钟可达",
              "params": {"facility": "村卫生室", "minutes": 15}},
             {"id": "W2", "rule": "service_circle", "quote": "15分钟服务圈",
              "params": {"facility": "村卫生室", "minutes": 15}},
             {"id": "W3", "rule": "service_circle", "quote": "半径不超过5千米,15分钟以内",
              "params": {"facility": "村卫生室", "minutes": 15, "distance_km": 5}}]
    data.update(id="words", norms=norms, targets=[], tasks=[], institutions=[], facts=[])
    plan = plan_from_dict(data)
    readings = Readings.from_plan(plan)
    w1, w2, w3 = (readings.circle(n) for n in plan.norms)
    assert (w1.mode, w1.mode_how) == ("walk", "原文含“步行”")
    assert w2.mode == "drive" and w2.mode_how.startswith("规划未说明")  # stated, not silent
    assert w3.combine == "both" and w2.combine == "either"


def test_a_bad_reading_is_a_located_error(tmp_path: Path) -> None:
    from hsplan.errors import ValidationError

    text = (Path(load_plan(EXAMPLE_PLAN).path or "").read_text(encoding="utf-8")
            .replace("    by: area\n", "    by: village\n"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="readings"):
        load_plan(bad)


# --- a census-only project ------------------------------------------------------------------


@pytest.fixture(scope="module")
def census(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("only") / "c1"
    result = runner.invoke(app, ["init", str(root), "--county", "530403"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    for word in ("乡镇（街道）数", "2020年普查常住人口（人）", "面积（平方千米）"):
        assert word in out
    assert not re.search(r"census|area \(|folder|county code", out)
    return root


def test_census_only_check_and_needs_run_and_find_nothing(census: Path) -> None:
    doc = _json(["check", str(census), "--plan", EXAMPLE_PLAN, "--format", "json"])
    assert doc["violations"] == []
    assert {r["status"] for r in doc["summary"]} == {"not evaluable"}
    for row in doc["summary"]:  # each names what is missing (or that it is qualitative)
        assert re.search(r"缺少|定性要求|本区域没有", row["reason"]), row
        # Chinese for people (``complete`` is the metadata key they type)
        assert not re.search(r"[A-Za-z]{4,}", row["reason"].replace("complete", "")), row
    needs = _json(["needs", str(census), "--plan", EXAMPLE_PLAN, "--format", "json"])
    assert needs["year"] == 2025 and needs["year_note"].startswith("目标年份：2025年")
    assert all(r["gap"] is None for r in needs["needs"] if r["item"] != "常住人口")
    assert needs["ambulance_coverage"]["status"] == "not evaluable"
    assert "缺少" in needs["ambulance_coverage"]["reason_zh"]
    summary = runner.invoke(app, ["summary", str(census)])
    assert summary.exit_code == 0, summary.output
    assert "机构：无法评估（缺少机构数据" in summary.output


def test_census_only_report_states_what_it_cannot_assess(census: Path) -> None:
    from hsplan.reports.report import HEADINGS

    out = census / "report.html"
    result = runner.invoke(app, ["report", str(census), "--plan", EXAMPLE_PLAN, "--format",
                                 "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8"))
    text = " ".join(text.split())
    body = text[text.rindex(HEADINGS[0]):]
    # what it cannot assess, each with what to enter
    assert "服务可及性无法评估：缺少需求点" in body
    assert "请在区划表录入村（社区）经纬度和常住人口" in body
    assert "各乡镇（街道）无法评估：缺少医疗卫生机构数据（机构表未录入医疗卫生机构）。" \
        "请在机构表录入医疗卫生机构" in body
    assert "重点任务进展无法评估：47 项任务均无进展报告" in body
    assert "项规划指标均缺少2020年数据，暂不能总结主要成效" in body
    # no finding from absent data
    for finding in ("资源配置标准执行不到位", "偏离目标、", "扩大", "需补充", "压实牵头单位",
                    "尚无已达标的指标", "所有可检查的标准均已达标", "均无未达标条目"):
        assert finding not in body, finding
    for k in re.finditer("无法评估[：（]", body):  # every stated 无法评估 says what is missing
        said = body[k.end():k.end() + 60]
        assert re.search(r"缺少|未录入|本次评估未计算|项目没有", said), said


def test_a_model_under_other_readings_shares_routes_and_answers_as_a_new_one(
        project: Project) -> None:
    """`with_readings` reuses the demand points and the nearest-facility times (a batch
    check after a coverage computes no route twice) and answers exactly as a model built
    with those readings from the start: only the 城乡 class and the bases differ."""
    from hsplan.access.service import ServiceAccess

    region = project.load()
    # the plan's bases and radii, and 城乡 by township (江川's 街道 hold 村委会 classed 农村)
    readings = dataclasses.replace(Readings.from_plan(load_plan(EXAMPLE_PLAN)),
                                   urban_rural_by="township")
    national = ServiceAccess.from_project(project, region=region)
    assert readings != national.readings
    primary = {"category": ["基层医疗卫生机构"]}
    before = national.coverage(primary, minutes=15)
    other = national.with_readings(readings)
    assert other._times_cache is national._times_cache
    assert (other.points["urban_rural"] != national.points["urban_rural"]).sum() > 0
    fresh = ServiceAccess(region, national.network(), readings=readings)
    for scope in (None, "urban", "rural"):
        pd.testing.assert_frame_equal(other.coverage(primary, minutes=15, scope=scope),
                                      fresh.coverage(primary, minutes=15, scope=scope))
    pd.testing.assert_frame_equal(other.ambulance_coverage(), fresh.ambulance_coverage())
    pd.testing.assert_frame_equal(national.coverage(primary, minutes=15), before)

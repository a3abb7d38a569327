"""Key institutions (hsplan.evaluation.institutions, `hsplan institutions`): matching plan
institutions to facilities, their bed, grade, capability and designation targets, and the
service network (医共体, 次中心) — statuses planted to meet, approach and miss."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.evaluation.institutions import (
    alliances,
    evaluate_institutions,
    grade_rank,
    grade_reaches,
    match_institutions,
    network_indicators,
)
from hsplan.evaluation.targets import AT_RISK, MET, NOT_EVALUABLE, OFF_TRACK, ON_TRACK
from hsplan.plans.plan import list_plans, load_plan
from hsplan.region.example import example_project_path
from hsplan.region.model import Region
from hsplan.region.project import Project
from hsplan.region.reference import region_from_county
from hsplan.region.synth import synthesize

runner = CliRunner()


@pytest.fixture(scope="module")
def example() -> Region:
    return Project.open(example_project_path()).load()


def test_grade_order_is_the_official_one() -> None:
    order = ["未定级", "一级", "一级乙等", "一级甲等", "二级", "二级乙等", "二级甲等", "三级",
             "三级乙等", "三级甲等"]
    ranks = [grade_rank(g) for g in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert grade_reaches("二级乙等", "二级") and grade_reaches("三级乙等", "二级甲等")
    assert not grade_reaches("二级甲等", "三级乙等") and not grade_reaches(None, "二级")
    assert grade_rank("") is None and grade_rank("甲等") is None


def test_matching_on_the_example(example: Region) -> None:
    m = match_institutions(example, load_plan("jiangchuan-2021-2025")).set_index(
        "institution_id")
    assert (m.loc["I01", "facility_id"], m.loc["I01", "match"]) == ("H001", "名称一致")
    # 区中医医院 is the plan's short name of 江川区中医医院: matched, and marked for confirmation
    assert (m.loc["I03", "facility_id"], m.loc["I03", "match"]) == ("H002", "名称相符")
    assert "请确认" in m.loc["I03", "reason"]
    # the 星云分院 campus is still being built: unmatched, with the reason
    assert m.loc["I02", "match"] == "未匹配" and pd.isna(m.loc["I02", "facility_id"])
    assert "没有名称相符" in m.loc["I02", "reason"]
    confirmed = match_institutions(example, load_plan("jiangchuan-2021-2025"),
                                   confirmed={"I02": "H001", "I04": "NOPE"}).set_index(
        "institution_id")
    assert (confirmed.loc["I02", "facility_id"], confirmed.loc["I02", "match"]) == ("H001",
                                                                                    "已确认")
    assert confirmed.loc["I04", "match"] == "未匹配" and "NOPE" in confirmed.loc["I04", "reason"]


def test_an_ambiguous_name_is_never_bound(example: Region) -> None:
    facs = example.facilities.copy()
    twin = facs[facs["id"] == "H002"].copy()
    twin["id"], twin["name"] = "H099", "某区中医医院"
    region = example.replace(facilities=pd.concat([facs, twin], ignore_index=True))
    m = match_institutions(region, load_plan("jiangchuan-2021-2025")).set_index(
        "institution_id")
    assert m.loc["I03", "match"] == "未匹配"
    assert "江川区中医医院（H002）" in m.loc["I03", "reason"]
    assert "某区中医医院（H099）" in m.loc["I03", "reason"]


def test_a_town_hospital_is_never_bound_to_another_towns(example: Region) -> None:
    # a plan names 苏稽镇中心卫生院; the region has 平兴镇's (no county prefix) and 茅桥镇's
    # under its full name: 平兴 is not 苏稽, and 茅桥 is matched through its prefix
    facs = example.facilities
    template = facs[facs["subtype"] == "乡镇卫生院"].iloc[[0]]
    planted = []
    for fid, name in (("X01", "平兴镇中心卫生院"), ("X02", "乐山市市中区茅桥镇中心卫生院")):
        row = template.copy()
        row["id"], row["name"], row["subtype"] = fid, name, "中心乡镇卫生院"
        planted.append(row)
    region = example.replace(facilities=pd.concat([facs, *planted], ignore_index=True))
    m = match_institutions(region, load_plan("leshan-shizhong-2021-2025")).set_index(
        "institution_id")
    assert m.loc["I05", "name"] == "苏稽镇中心卫生院"
    assert m.loc["I05", "match"] == "未匹配" and pd.isna(m.loc["I05", "facility_id"])
    assert m.loc["I07", "match"] == "未匹配"  # 土主镇中心卫生院: none either
    assert (m.loc["I06", "facility_id"], m.loc["I06", "match"]) == ("X02", "名称相符")


def test_every_builtin_institution_is_evaluated_or_unmatched_with_a_reason(example: Region
                                                                          ) -> None:
    for info in list_plans():
        plan = load_plan(info.id)
        result = evaluate_institutions(example, plan, year=2023)
        assert set(result["institution_id"]) == {i.id for i in plan.institutions}, info.id
        assert result["status"].isin([MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_EVALUABLE]).all()
        assert (result["reason"].str.len() > 0).all(), info.id
        unmatched = result[result["aspect"] == "匹配"]
        assert unmatched["reason"].str.startswith("未匹配到机构").all()


@pytest.fixture(scope="module")
def leshan_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """乐山市市中区 (511102) filled by the generator (`hsplan synth --county 511102`)."""
    from hsplan.region.synth import synthesize_project

    return synthesize_project(tmp_path_factory.mktemp("leshan") / "leshan", county="511102")


def test_on_a_leshan_project_every_institution_is_evaluated_or_unmatched(
        leshan_project: Project) -> None:
    region = leshan_project.load()
    for info in list_plans():
        plan = load_plan(info.id)
        result = evaluate_institutions(region, plan)
        assert set(result["institution_id"]) == {i.id for i in plan.institutions}, info.id
        assert result["status"].isin([MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_EVALUABLE]).all()
        assert (result["reason"].str.len() > 0).all(), info.id
    # plan 002 is this county's: its 区 hospitals are found under their full names; the
    # 中心卫生院 it names are not the generator's (平兴) and 区肿瘤医院, 苏稽新区医院 are not
    # in the data — each listed with why, nothing bound by guess
    plan = load_plan("leshan-shizhong-2021-2025")
    result = evaluate_institutions(region, plan, year=2023)
    matched = result[result["aspect"] != "匹配"]
    assert set(matched["institution_id"]) == {"I01", "I02", "I03", "I08"}
    assert set(matched["facility_name"]) == {"市中区人民医院", "市中区中医医院", "市中区妇幼保健院",
                                             "市中区疾病预防控制中心"}
    assert set(matched["status"]) - {NOT_EVALUABLE}  # some are really evaluated
    unmatched = result[result["aspect"] == "匹配"].set_index("institution_id")
    assert set(unmatched.index) == {"I04", "I05", "I06", "I07", "I09"}
    assert unmatched["reason"].str.startswith("未匹配到机构：本区域没有名称相符的").all()
    # the planner confirms the three 卫生院 (`--match`): now they are evaluated too
    towns = region.facilities.set_index("name")["id"]
    confirmed = {"I05": towns["市中区苏稽镇卫生院"], "I06": towns["市中区茅桥镇卫生院"],
                 "I07": towns["市中区土主镇卫生院"]}
    again = evaluate_institutions(region, plan, year=2023, confirmed=confirmed)
    left = again[again["aspect"] == "匹配"]
    assert set(left["institution_id"]) == {"I04", "I09"}
    beds = again[(again["institution_id"] == "I05") & (again["aspect"] == "床位")].iloc[0]
    assert beds["match"] == "已确认" and beds["status"] != NOT_EVALUABLE
    res = runner.invoke(app, ["institutions", str(leshan_project.root), "--plan",
                              "leshan-shizhong-2021-2025"])
    assert res.exit_code == 0, res.output
    said = "".join(res.output.split())  # the line as read, however the terminal wraps it
    assert "9个规划机构：4个已对应机构" in said and "5个未匹配" in said


def test_the_example_capabilities(example: Region) -> None:
    result = evaluate_institutions(example, load_plan("jiangchuan-2021-2025"), year=2023)
    caps = result[(result["institution_id"] == "I01") & (result["aspect"] == "能力")]
    status = dict(zip(caps["item"], caps["status"], strict=True))
    assert status == {"胸痛中心": MET, "卒中中心": ON_TRACK, "创伤中心": AT_RISK,
                      "危重孕产妇救治中心": MET, "危重儿童和新生儿救治中心": MET}
    # without facts, nothing is a finding: every capability is 无法评估, saying what is missing
    bare = example.replace(facts=example.facts.iloc[0:0])
    bare_result = evaluate_institutions(bare, load_plan("jiangchuan-2021-2025"), year=2023)
    caps = bare_result[(bare_result["institution_id"] == "I01")]
    assert set(caps["status"]) == {NOT_EVALUABLE}
    assert caps["reason"].str.contains("请在机构建设进展表登记").all()


def _leshan() -> Region:
    """乐山市市中区 (511102), synthetic, with the plan's institutions planted: 苏稽 meets its
    bed and grade targets, 茅桥 approaches them, 土主 misses them."""
    region = synthesize(region_from_county("511102"), seed=0)
    facs = region.facilities
    template = facs[facs["subtype"] == "乡镇卫生院"].iloc[[0]]
    planted = []
    for fid, name, grade in (("X01", "苏稽镇中心卫生院", "二级乙等"),
                             ("X02", "茅桥镇中心卫生院", "一级"),
                             ("X03", "土主镇中心卫生院", "一级甲等")):
        row = template.copy()
        row["id"], row["name"], row["subtype"], row["grade"] = fid, name, "中心乡镇卫生院", grade
        planted.append(row)
    facilities = pd.concat([facs, *planted], ignore_index=True)
    beds = {"X01": [120, 180, 240, 300], "X02": [60, 80, 100, 120], "X03": [60, 60, 59, 58]}
    res = region.resources
    rows = [{"facility_id": fid, "year": year, "beds_approved": b, "beds": b}
            for fid, series in beds.items() for year, b in zip((2020, 2021, 2022, 2023), series,
                                                                  strict=True)]
    resources = pd.concat([res, pd.DataFrame(rows)], ignore_index=True)
    facts = pd.DataFrame([
        {"facility_id": "X01", "year": 2023, "fact": "等级", "value": "二级甲等", "status": "申报"},
        {"facility_id": "X01", "year": 2022, "fact": "定位", "value": "县域医疗卫生次中心",
         "status": "通过"},
        {"facility_id": "X02", "year": 2023, "fact": "等级", "value": "二级乙等",
         "status": "评审中"},
        {"facility_id": "X03", "year": 2021, "fact": "科室", "value": "全科医疗科"},
    ])
    return region.replace(facilities=facilities, resources=resources, facts=facts)


def test_planted_institutions_meet_approach_and_miss() -> None:
    plan = load_plan("leshan-shizhong-2021-2025")
    result = evaluate_institutions(_leshan(), plan, year=2023)
    got = {(r.institution_id, r.aspect): r.status for r in result.itertuples()}
    # beds: 300 of 300 (met); 120 rising 20 a year towards 150 (on track); 58 falling (off)
    assert got[("I05", "床位")] == MET
    assert got[("I06", "床位")] == ON_TRACK
    assert got[("I07", "床位")] == OFF_TRACK
    # grade: 苏稽 was asked to start the 二级甲等 application and has (met); 茅桥's 二级乙等 is
    # under review (on track); 土主 has no 二级 application with 60 % of the time gone
    assert got[("I05", "等级")] == MET
    assert got[("I06", "等级")] == ON_TRACK
    assert got[("I07", "等级")] == AT_RISK
    # designation: 苏稽 is a 次中心 since 2022; 茅桥 and 土主 not yet
    assert got[("I05", "定位")] == MET
    assert got[("I06", "定位")] == AT_RISK and got[("I07", "定位")] == AT_RISK
    # progress as Chinese evaluations measure it, on the facility's own 2020 baseline
    beds = result[(result["institution_id"] == "I06") & (result["aspect"] == "床位")].iloc[0]
    assert beds["baseline"] == 60 and beds["value"] == 120
    assert beds["completion_pct"] == pytest.approx(100 * (120 - 60) / (150 - 60), abs=0.05)
    assert beds["time_pct"] == pytest.approx(60.0)
    # 力争 is aspirational: the CDC without any grade is 无法评估, never 偏离目标
    cdc = result[result["institution_id"] == "I08"].iloc[0]
    assert cdc["status"] == NOT_EVALUABLE and cdc["aspirational"]
    # at the target year a missed 达到 is off track; a missed 力争 stays at risk
    final = evaluate_institutions(_leshan(), plan, year=2025)
    assert final.set_index(["institution_id", "aspect"]).loc[("I07", "等级"), "status"] == \
        OFF_TRACK


def test_network_indicators_on_the_example(example: Region) -> None:
    members = alliances(example, year=2023)
    lead = members[members["role"] == "牵头"]
    assert list(lead["facility_id"]) == ["H001"]
    net = network_indicators(example, year=2023).set_index("indicator")
    primary = example.facilities[example.facilities["subtype"].isin(
        ["乡镇卫生院", "中心乡镇卫生院", "街道卫生院", "社区卫生服务中心"])]
    share = net.loc["卫生院和社区卫生服务中心纳入医共体比例（%）"]
    assert (share["numerator"], share["denominator"]) == (len(primary), len(primary))
    assert net.loc["县域医疗卫生次中心数（个）", "value"] == 1
    util = example.utilisation[example.utilisation["year"] == 2023]
    inside = util[util["facility_id"].isin(members["facility_id"])]["admissions"].sum()
    expected = round(100 * inside / util["admissions"].sum(), 1)
    assert net.loc["医共体成员住院人次占比（%）", "value"] == expected
    empty = network_indicators(example.replace(facts=example.facts.iloc[0:0]), year=2023)
    assert set(empty["status"]) == {NOT_EVALUABLE} and empty["value"].isna().all()


def test_plan_fields_for_institutions() -> None:
    leshan = {i.id: i for i in load_plan("leshan-shizhong-2021-2025").institutions}
    assert leshan["I01"].grade_action == "启动创建" and leshan["I08"].grade_action == "力争"
    assert leshan["I05"].designation == "县域医疗卫生次中心"
    assert leshan["I01"].beds_kind == "编制"
    jiangchuan = {i.id: i for i in load_plan("jiangchuan-2021-2025").institutions}
    assert "胸痛中心" in jiangchuan["I01"].capabilities


def test_a_bad_grade_action_is_refused(tmp_path: Path) -> None:
    text = Path(str(load_plan("leshan-shizhong-2021-2025").path)).read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("action: 启动创建}", "action: 马上}", 1), encoding="utf-8")
    with pytest.raises(ValidationError, match="action"):
        load_plan(bad)


def test_cli_table_json_xlsx_and_map(tmp_path: Path) -> None:
    from hsplan.region.example import copy_example

    project = copy_example(tmp_path / "p")
    res = runner.invoke(app, ["institutions", str(project.root), "--plan",
                              "jiangchuan-2021-2025", "--map", str(tmp_path / "net.png")])
    assert res.exit_code == 0, res.output
    assert "重点机构建设" in res.output and "胸痛中心" in res.output and "已达标" in res.output
    assert (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"
    res = runner.invoke(app, ["institutions", str(project.root), "--plan",
                              "jiangchuan-2021-2025", "--format", "json"])
    doc = json.loads(res.stdout)
    assert doc["year"] == 2023 and {r["institution_id"] for r in doc["institutions"]} == {
        "I01", "I02", "I03", "I04"}
    total = doc["catchment"][-1]  # the 次中心's 30-minute circle, by township and in total
    assert total["group"] == "total" and doc["catchment_minutes"] == 30
    assert 0 < total["pop_covered"] < total["pop"]
    assert "县域医疗卫生次中心30分钟服务圈覆盖人口占比" in "".join(
        runner.invoke(app, ["institutions", str(project.root), "--plan",
                            "jiangchuan-2021-2025"]).output.split())
    out = tmp_path / "i.xlsx"
    res = runner.invoke(app, ["institutions", str(project.root), "--plan",
                              "jiangchuan-2021-2025", "--format", "xlsx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["重点机构建设", "服务网络指标", "医共体与联盟成员"]
    ws = wb["重点机构建设"]
    assert ws.freeze_panes == "A2" and ws["A1"].value == "编号"
    statuses = {"已达标", "进度正常", "进度滞后", "偏离目标", "无法评估"}
    assert {c.value for c in ws["L"][1:]} <= statuses
    res = runner.invoke(app, ["institutions", str(project.root), "--plan",
                              "jiangchuan-2021-2025", "--match", "I02"])
    assert res.exit_code != 0 and "I01=H001" in str(res.exception)


def test_a_scenario_changes_an_institution_and_compare_shows_it(tmp_path: Path) -> None:
    from hsplan.region.example import copy_example
    from hsplan.scenarios.scenario import compare, load_scenario

    project = copy_example(tmp_path / "p")
    path = tmp_path / "trauma.yaml"
    path.write_text(
        "id: trauma-centre\ntitle: 区人民医院建成创伤中心\nyear: 2025\nchanges:\n"
        "  - op: fact\n    facility: H001\n    from: 2024\n    fact: 中心\n    value: 创伤中心\n"
        "    status: 建成\n", encoding="utf-8")
    scenario = load_scenario(path)
    result = compare(project.load(), scenario, load_plan("jiangchuan-2021-2025"))
    rows = result.institutions.set_index(["institution_id", "aspect", "item"])
    row = rows.loc[("I01", "能力", "创伤中心")]
    assert (row["status_baseline"], row["status_scenario"]) == (OFF_TRACK, MET)
    assert bool(row["changed"])
    assert not rows.loc[("I01", "能力", "胸痛中心"), "changed"]
    res = runner.invoke(app, ["compare", str(project.root), "--scenario", str(path), "--plan",
                              "jiangchuan-2021-2025"])
    assert res.exit_code == 0, res.output
    assert "重点机构" in res.output and "创伤中心" in res.output


def test_the_report_has_a_key_institutions_section(tmp_path: Path) -> None:
    from docx import Document

    from hsplan.region.example import copy_example
    from hsplan.reports.report import write_report

    project = copy_example(tmp_path / "p")
    path = write_report(project, load_plan("jiangchuan-2021-2025"), tmp_path / "r.docx",
                        travel=False)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("（一）重点机构建设")
    assert "规划点名的重点机构 4 个" in texts[start + 1]
    assert "1 个尚未对应到机构" in texts[start + 1]
    cells = {c.text for table in doc.tables for row in table.rows for c in row.cells}
    assert {"胸痛中心", "创伤中心", "治未病中心"} <= cells


def test_plans_show_lists_the_institutions_with_their_targets(
        console_width: Callable[[int], None]) -> None:
    console_width(200)  # one line per institution
    res = runner.invoke(app, ["plans", "show", "leshan-shizhong-2021-2025", "--format", "table"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    start = next(k for k, line in enumerate(lines) if line.strip() == "重点机构")
    rows = {cells[0]: cells[1:] for line in lines[start:]
            if (cells := [c.strip() for c in line.split("│")[1:-1]]) and cells[0][:1] == "I"}
    plan = load_plan("leshan-shizhong-2021-2025")
    assert set(rows) == {i.id for i in plan.institutions}
    assert rows["I01"] == ["区人民医院（万达新区）", "编制1,000张", "三级乙等 → 启动创建三级甲等",
                           "—"]
    assert rows["I06"] == ["茅桥镇中心卫生院（本部）", "编制150张", "一级 → 达到二级乙等",
                           "县域医疗卫生次中心"]
    assert rows["I08"][2] == "二级甲等 → 力争三级乙等"
    assert "配置标准 30 条，重点机构 9 个，任务 68 项" in res.output


def test_sub_centre_catchment(example: Region) -> None:
    from hsplan.access.service import ServiceAccess
    from hsplan.evaluation.institutions import SUB_CENTRE_MINUTES, sub_centres

    project = Project.open(example_project_path())
    access = ServiceAccess.from_project(project)

    def sub_centre_catchment(access: ServiceAccess, *, year: int,
                             minutes: float = SUB_CENTRE_MINUTES) -> pd.DataFrame:
        return access.catchment(sub_centres(access.region, year=year), minutes=minutes,
                                year=year)

    frame = sub_centre_catchment(access, year=2023)
    assert frame.attrs["facilities"] == sub_centres(example, year=2023) != []
    towns = frame[frame["group"] == "township"]
    total = frame[frame["group"] == "total"].iloc[0]
    assert len(towns) == 8 and towns["pop"].sum() == total["pop"]
    assert towns["pop_covered"].sum() == total["pop_covered"]
    assert 0 < total["covered_pct"] < 100
    # a wider circle covers at least as many; no 次中心, nothing to measure (not 0 %)
    assert sub_centre_catchment(access, year=2023, minutes=60).iloc[-1]["pop_covered"] >= \
        total["pop_covered"]
    bare = access.for_region(example.replace(facts=example.facts.iloc[0:0]))
    empty = sub_centre_catchment(bare, year=2023)
    assert empty.empty and empty.attrs["facilities"] == []


def _with_tumour_hospital(names_beds: dict[str, list[int]]) -> Region:
    """乐山市市中区 with 区肿瘤医院 registered as the given facilities (name → approved beds
    2020–2023)."""
    region = synthesize(region_from_county("511102"), seed=0)
    facs = region.facilities
    template = facs[facs["subtype"] == "专科医院"].iloc[[0]] \
        if (facs["subtype"] == "专科医院").any() else facs.iloc[[0]]
    planted, rows = [], []
    for k, (name, series) in enumerate(names_beds.items()):
        row = template.copy()
        row["id"], row["name"], row["subtype"] = f"Z{k}", name, "专科医院"
        planted.append(row)
        rows += [{"facility_id": f"Z{k}", "year": y, "beds_approved": b, "beds": b}
                 for y, b in zip((2020, 2021, 2022, 2023), series, strict=True)]
    return region.replace(facilities=pd.concat([facs, *planted], ignore_index=True),
                          resources=pd.concat([region.resources, pd.DataFrame(rows)],
                                              ignore_index=True))


def test_an_institution_of_two_campuses_is_their_sum() -> None:
    # 表2 of the 乐山 plan: 区肿瘤医院 棉竹院区、通江院区 300 beds, one target for both campuses
    plan = load_plan("leshan-shizhong-2021-2025")
    region = _with_tumour_hospital({"市中区肿瘤医院棉竹院区": [100, 110, 120, 130],
                                    "市中区肿瘤医院通江院区": [80, 90, 100, 110]})
    m = match_institutions(region, plan).set_index("institution_id").loc["I04"]
    assert m["match"] == "院区名称相符" and list(m["campus_ids"]) == ["Z0", "Z1"]
    assert "市中区肿瘤医院棉竹院区（Z0）" in m["reason"] and "通江院区（Z1）" in m["reason"]
    result = evaluate_institutions(region, plan, year=2023)
    beds = result[(result["institution_id"] == "I04") & (result["aspect"] == "床位")].iloc[0]
    assert beds["value"] == 240 and beds["baseline"] == 180 and beds["target"] == 300
    assert beds["completion_pct"] == pytest.approx(100 * (240 - 180) / (300 - 180), abs=0.05)
    assert "2 个院区合计" in beds["reason"]
    # a year counts only when both campuses report: 通江 without 2023 → 2022's sum (220)
    res = region.resources
    partial = region.replace(resources=res[~((res["facility_id"] == "Z1")
                                             & (res["year"] == 2023))])
    again = evaluate_institutions(partial, plan, year=2023)
    beds = again[(again["institution_id"] == "I04") & (again["aspect"] == "床位")].iloc[0]
    assert beds["value"] == 220


def test_campuses_registered_as_one_facility_are_said_so() -> None:
    plan = load_plan("leshan-shizhong-2021-2025")
    region = _with_tumour_hospital({"市中区肿瘤医院": [150, 160, 170, 180]})
    result = evaluate_institutions(region, plan, year=2023)
    beds = result[(result["institution_id"] == "I04") & (result["aspect"] == "床位")].iloc[0]
    assert beds["facility_name"] == "市中区肿瘤医院" and beds["value"] == 180
    assert "院区（棉竹院区、通江院区）未分别登记，按一个机构计" in beds["reason"]


def test_campuses_recorded_as_facts_of_one_facility_are_listed() -> None:
    # the facts table's 院区 rows (one facility, several campuses with their beds)
    plan = load_plan("leshan-shizhong-2021-2025")
    region = _with_tumour_hospital({"市中区肿瘤医院": [150, 160, 170, 180]})
    facts = pd.DataFrame([
        {"facility_id": "Z0", "year": 2022, "fact": "院区", "value": "棉竹院区", "beds": 100},
        {"facility_id": "Z0", "year": 2022, "fact": "院区", "value": "通江院区", "beds": 70},
        {"facility_id": "Z0", "year": 2023, "fact": "院区", "value": "通江院区", "beds": 80}])
    region = region.replace(facts=pd.concat([region.facts, facts], ignore_index=True))
    result = evaluate_institutions(region, plan, year=2023)
    beds = result[(result["institution_id"] == "I04") & (result["aspect"] == "床位")].iloc[0]
    assert beds["value"] == 180  # the institution's own total
    assert "院区：棉竹院区 100 张、通江院区 80 张" in beds["reason"], beds["reason"]

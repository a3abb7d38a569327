"""The JSON API of `hsplan serve` (`hsplan.web`), endpoint by endpoint, bad input included.

Oracles: the CLI's own JSON (``hsplan evaluate|check|needs|tasks --format json``) and the
library functions the API wraps, on a copy of the shipped example (江川区, plan
jiangchuan-2021-2025). Every error answers in one shape — ``{status, errors: [{where,
what, expected, got, fix}]}`` — with no traceback and nothing written.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hsplan.cli import app as cli_app
from hsplan.evaluation.targets import evaluate
from hsplan.plans.indicators import compute
from hsplan.plans.plan import load_plan
from hsplan.region.example import copy_example
from hsplan.region.io import validate_tables
from hsplan.region.project import Project
from hsplan.web import create_app
from hsplan.web.i18n import EN, ZH

from web_helpers import PLAN, PLANTED, clean_workbook, planted_workbook  # isort: skip

runner = CliRunner()
ERROR_KEYS = {"where", "what", "expected", "got", "fix", "severity", "text", "sheet", "row",
              "column"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_example(tmp_path_factory.mktemp("web-api") / "jiangchuan")


@pytest.fixture(scope="module")
def client(project: Project) -> Iterator[TestClient]:
    with TestClient(create_app(project.root)) as c:
        yield c


def cli_json(*args: str) -> Any:
    result = runner.invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_error(response: Any, status: int, where: str | None = None) -> list[dict[str, Any]]:
    """Check the one error shape; return the errors."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "errors"} and body["status"] == status
    assert body["errors"]
    for e in body["errors"]:
        assert set(e) == ERROR_KEYS
        assert e["what"] and e["where"]
    assert "Traceback" not in response.text
    if where is not None:
        assert body["errors"][0]["where"] == where
    return body["errors"]  # type: ignore[no-any-return]


# --- every endpoint is covered -------------------------------------------------------------

ENDPOINTS = {
    "/api/v1/project", "/api/v1/plans", "/api/v1/plans/{plan_id}", "/api/v1/indicators",
    "/api/v1/indicators/{indicator_id}", "/api/v1/indicators/{indicator_id}/values",
    "/api/v1/evaluate", "/api/v1/evaluate/{target_id}", "/api/v1/evaluate.xlsx",
    "/api/v1/check", "/api/v1/needs", "/api/v1/access/coverage", "/api/v1/tasks",
    "/api/v1/scenarios", "/api/v1/scenarios/{name}", "/api/v1/geo/{layer}",
    "/api/v1/template", "/api/v1/report", "/api/v1/import", "/api/v1/institutions",
}


def test_openapi_lists_exactly_the_tested_endpoints(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == ENDPOINTS
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert all(p in docs.text for p in ENDPOINTS)
    assert "cdn" not in docs.text.lower()  # the API list is served here, not from a CDN


# --- project, plans, indicators -----------------------------------------------------------


def test_project(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/project").json()
    assert doc["name"] == project.name == "玉溪市江川区（合成示例）"
    assert doc["plan"] == PLAN
    assert doc["years"] == [2019, 2020, 2021, 2022, 2023]
    assert doc["synthetic"] is True
    assert doc["scenarios"] == ["new-chc-200-beds.yaml"]


def test_plans_and_one_plan(client: TestClient) -> None:
    plans = client.get("/api/v1/plans").json()
    assert [p["id"] for p in plans] == [p["id"] for p in cli_json("plans", "list",
                                                                   "--format", "json")]
    assert all("path" not in p for p in plans)  # no server paths leak
    doc = client.get(f"/api/v1/plans/{PLAN}").json()
    assert doc == load_plan(PLAN).data
    errors = assert_error(client.get("/api/v1/plans/no-such-plan"), 404,
                          "query parameter plan")
    assert errors[0]["got"] == "no-such-plan" and PLAN in errors[0]["expected"]


def test_indicators(client: TestClient, project: Project) -> None:
    listed = client.get("/api/v1/indicators", params={"search": "床位"}).json()
    assert listed and all("床位" in i["name_zh"] or "床位" in i["id"] for i in listed)
    one = client.get("/api/v1/indicators/beds_per_1k").json()
    assert one["unit"] == "张/千人" and one["formula"]
    values = client.get("/api/v1/indicators/beds_per_1k/values",
                        params={"level": "township", "year": 2022}).json()
    oracle = compute(project.load(), "beds_per_1k", year=2022, level="township")
    assert [v["area_code"] for v in values["values"]] == list(oracle["area_code"])
    assert [v["value"] for v in values["values"]] == pytest.approx(list(oracle["value"]))
    assert_error(client.get("/api/v1/indicators/nope"), 404, "path parameter indicator_id")
    assert_error(client.get("/api/v1/indicators/nope/values"), 404)
    assert_error(client.get("/api/v1/indicators/beds_per_1k/values",
                            params={"level": "province"}), 422, "query parameter level")


# --- evaluation -------------------------------------------------------------------------------


def test_evaluate_equals_the_cli_target_by_target(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/evaluate").json()
    cli = cli_json("evaluate", str(project.root), "--plan", PLAN, "--format", "json")
    assert doc["year"] == cli["year"] == 2023
    got = {r["target_id"]: (r["status"], r["value"]) for r in doc["results"]}
    want = {r["target_id"]: (r["status"], r["value"]) for r in cli["results"]}
    assert got == want
    # duplicated targets (表2 repeating 表1) are counted once (issue 10)
    assert doc["counts"] == {s: sum(r["status"] == s and not r.get("duplicate_of")
                                    for r in cli["results"]) for s in doc["counts"]}
    # 完成进度 is the evaluation's (现状 − 基期)/(目标 − 基期), the same as the CLI's
    cli_pct = {r["target_id"]: r["completion_pct"] for r in cli["results"]}
    for r in doc["results"]:
        assert r["progress_pct"] == (pytest.approx(cli_pct[r["target_id"]])
                                     if cli_pct[r["target_id"]] is not None else None)
    t07 = next(r for r in doc["results"] if r["target_id"] == "T07")
    assert t07["status"] == "met"
    # 时间进度 at the end of 2023 in a 2020 → 2025 plan: 3 of 5 years
    assert t07["time_pct"] == pytest.approx(60.0)


def test_evaluate_township_level_and_year(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/evaluate", params={"level": "township", "year": 2021}).json()
    oracle = evaluate(project.load(), load_plan(PLAN), year=2021, level="township")
    assert doc["year"] == 2021 and len(doc["results"]) == len(oracle)
    assert sorted((r["target_id"], r["area_code"], r["status"]) for r in doc["results"]) == \
        sorted(zip(oracle["target_id"], oracle["area_code"], oracle["status"], strict=True))


@pytest.mark.parametrize(("params", "status", "where"), [
    ({"year": 1999}, 400, "query parameter year"),
    ({"year": "二〇二三"}, 422, "query parameter year"),
    ({"level": "village"}, 422, "query parameter level"),
    ({"plan": "../../etc/passwd"}, 404, "query parameter plan"),
])
def test_evaluate_bad_input(client: TestClient, params: dict[str, Any], status: int,
                            where: str) -> None:
    errors = assert_error(client.get("/api/v1/evaluate", params=params), status, where)
    assert errors[0]["got"] is not None and errors[0]["fix"]


def test_one_target_trend_path_and_townships(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/evaluate/T07").json()
    region = project.load()
    oracle = {y: float(compute(region, "beds_per_1k", year=y)["value"].iloc[0])
              for y in region.years}
    assert {p["year"]: p["value"] for p in doc["trend"]} == pytest.approx(oracle)
    target = next(t for t in load_plan(PLAN).targets if t.id == "T07")
    assert doc["target_path"][0]["year"] == target.baseline.year  # type: ignore[union-attr]
    assert doc["target_path"][-1] == {"year": 2025, "value": pytest.approx(3.56)}
    towns = evaluate(region, load_plan(PLAN), level="township")
    towns = towns[(towns["target_id"] == "T07") & (towns["area_code"] != "530403")]
    assert len(doc["townships"]) == len(towns) == 8
    assert doc["result"]["quote"] == target.quote
    assert doc["definition"]["id"] == "beds_per_1k"
    assert_error(client.get("/api/v1/evaluate/T999"), 404, "path parameter target_id")


# --- norms, needs, access, tasks ------------------------------------------------------------


def test_check_equals_the_cli(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/check").json()
    cli = cli_json("check", str(project.root), "--plan", PLAN, "--format", "json")
    assert doc["summary"] == cli["summary"]
    assert doc["violations"] == cli["violations"]
    assert sum(len(g["violations"]) for g in doc["by_township"]) == len(cli["violations"])
    assert doc["counts"]["fail"] == sum(s["status"] == "fail" for s in cli["summary"])
    assert_error(client.get("/api/v1/check", params={"year": 2030}), 400, "query parameter year")


def test_needs_equals_the_cli(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/needs", params={"year": 2025}).json()
    cli = cli_json("needs", str(project.root), "--plan", PLAN, "--year", "2025",
                   "--format", "json")
    assert doc["needs"] == cli["needs"]
    assert doc["year"] == 2025 and doc["method"] == "cohort"
    assert_error(client.get("/api/v1/needs", params={"year": 1900}), 400,
                 "query parameter year")
    assert_error(client.get("/api/v1/needs", params={"method": "guess"}), 422,
                 "query parameter method")


def test_coverage(client: TestClient, project: Project) -> None:
    from hsplan.access.coverage import coverage_summary
    from hsplan.access.service import ServiceAccess

    doc = client.get("/api/v1/access/coverage", params={"subtype": "乡镇卫生院",
                                                         "minutes": 10}).json()
    points = ServiceAccess.from_project(project).coverage({"subtype": ["乡镇卫生院"]},
                                                          minutes=10)
    summary = coverage_summary(points)
    assert [s["pop_covered"] for s in doc["summary"]] == list(summary["pop_covered"])
    assert sum(not p["covered"] for p in doc["points"]) == int((~points["covered"]).sum())
    assert doc["minutes"] == 10 and doc["network"].startswith("道路网络（驾车，")
    assert doc["selection"] == "乡镇卫生院"  # the map's note names it in the plan's words
    assert client.get("/api/v1/access/coverage").json()["selection"] == "基层医疗卫生机构"
    iso = ServiceAccess.from_project(project).isochrones({"subtype": ["乡镇卫生院"]}, [10])
    (area,) = doc["service_area"]["features"]
    assert area["properties"]["area_km2"] == pytest.approx(float(iso["area_km2"].iloc[0]))
    assert area["geometry"]["type"] in ("Polygon", "MultiPolygon")
    errors = assert_error(client.get("/api/v1/access/coverage", params={"subtype": "卫生所"}),
                          400, "query parameter subtype")
    assert "乡镇卫生院" in errors[0]["expected"]
    assert_error(client.get("/api/v1/access/coverage", params={"minutes": 0}), 422,
                 "query parameter minutes")


def test_tasks_equal_the_cli(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/tasks", params={"as_of": "2024-06-30"}).json()
    cli = cli_json("tasks", str(project.root), "--plan", PLAN, "--as-of", "2024-06-30",
                   "--format", "json")
    assert doc["counts"] == cli["counts"]
    assert [{k: v for k, v in t.items() if k != "reason_zh"} for t in doc["tasks"]] \
        == cli["tasks"]  # plus the page's Chinese words for each reason
    assert doc["departments"] == cli["departments"]
    errors = assert_error(client.get("/api/v1/tasks", params={"as_of": "2024/06/30"}), 400,
                          "query parameter as_of")
    assert errors[0]["expected"] == "YYYY-MM-DD 格式的日期"


# --- scenarios ------------------------------------------------------------------------------


def test_scenarios(client: TestClient, project: Project) -> None:
    listed = client.get("/api/v1/scenarios").json()
    assert listed == [{"file": "new-chc-200-beds.yaml", "id": "new-chc-200-beds",
                       "title": listed[0]["title"], "problems": 0}]
    doc = client.get("/api/v1/scenarios/new-chc-200-beds.yaml").json()
    scenario = project.root / "scenarios" / "new-chc-200-beds.yaml"
    cli = cli_json("compare", str(project.root), "--scenario", str(scenario), "--plan", PLAN,
                   "--format", "json")
    for key in ("indicators", "institutions", "norms", "needs", "year"):
        assert doc[key] == cli[key], key
    # the changes as the CLI gives them, plus the page's Chinese words for each
    page_words = ("description_zh", "description_en")
    assert [{k: v for k, v in c.items() if k not in page_words} for c in doc["changes"]] \
        == cli["changes"]
    assert all(c["description_zh"] for c in doc["changes"])
    assert_error(client.get("/api/v1/scenarios/hsplan.toml"), 422, "hsplan.toml")
    assert_error(client.get("/api/v1/scenarios/..%2Fhsplan.toml"), 404)


def test_institutions_equal_the_cli(client: TestClient, project: Project) -> None:
    doc = client.get("/api/v1/institutions").json()
    cli = cli_json("institutions", str(project.root), "--plan", PLAN, "--format", "json")
    assert doc["year"] == cli["year"] == 2023
    assert [{k: v for k, v in r.items() if k not in ("colour", "status_zh")}
            for r in doc["institutions"]] == cli["institutions"]
    assert doc["network"] == cli["network"] and doc["members"] == cli["members"]
    assert doc["unmatched"] == ["I02"] and doc["n_institutions"] == 4
    # the 医共体 as map lines: one per member, from the lead hospital
    members = [m for m in cli["members"] if m["kind"] == "医共体"]
    lead = [m["facility_id"] for m in members if m["role"] == "牵头"]
    links = doc["links"]["features"]
    assert lead == ["H001"] and len(links) == len(members) - 1
    assert {f["properties"]["lead"] for f in links} == {"H001"}
    assert all(f["geometry"]["type"] == "LineString" for f in links)
    # the 次中心 are marked among the points, as many as the indicator counts
    subs = [f["properties"]["id"] for f in doc["nodes"]["features"]
            if f["properties"]["sub_centre"]]
    count = next(r for r in cli["network"] if r["indicator"] == "县域医疗卫生次中心数（个）")
    assert len(subs) == count["value"] == 1
    # and their catchment: the population whose nearest 次中心 is within 30 minutes
    from hsplan.access.service import ServiceAccess

    access = ServiceAccess.from_project(project)
    sub_facs = access.facilities(None, year=2023)
    points = access.coverage(sub_facs[sub_facs["id"].isin(subs)], minutes=30)
    total = doc["catchment"][-1]
    assert (total["group"], doc["catchment_minutes"]) == ("total", 30)
    assert total["pop_covered"] == int(points.loc[points["covered"], "pop"].sum()) > 0
    assert total["pop"] == int(points["pop"].sum()) > total["pop_covered"]
    assert len(doc["catchment_area"]["features"]) == 1
    assert_error(client.get("/api/v1/institutions", params={"year": 1950}), 400,
                 "query parameter year")
    assert_error(client.get("/api/v1/institutions", params={"plan": "no-such-plan"}), 404)
    page = client.get("/institutions", params={"lang": "zh"}).text
    assert "规划点名的重点机构 4 个：3 个已对应到机构，1 个未匹配" in page
    rows = re.findall(r'<tr data-institution="(\w+)" data-aspect="([^"]+)"', page)
    assert rows == [(r["institution_id"], r["aspect"]) for r in cli["institutions"]]
    assert "卫生院和社区卫生服务中心纳入医共体比例（%）" in page
    row = re.search(r'<tr id="catchment-row">(.*?)</tr>', page, re.S)
    assert row and "县域医疗卫生次中心30分钟服务圈覆盖人口占比（%）" in row.group(1)
    assert f"{total['pop_covered']:,} / {total['pop']:,} 人" in row.group(1)
    client.cookies.clear()


# --- map layers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("layer", "level"), [("townships", "township"),
                                              ("villages", "village"), ("county", "county")])
def test_area_layers(client: TestClient, project: Project, layer: str, level: str) -> None:
    doc = client.get(f"/api/v1/geo/{layer}").json()
    areas = project.load().areas
    want = areas[(areas["level"] == level) & areas.geometry.notna()]
    assert doc["type"] == "FeatureCollection"
    assert sorted(f["properties"]["code"] for f in doc["features"]) == sorted(want["code"])


def test_facility_and_road_layers(client: TestClient, project: Project) -> None:
    from hsplan.access.service import ServiceAccess

    facilities = client.get("/api/v1/geo/facilities").json()["features"]
    open_now = ServiceAccess.from_project(project).facilities(None)
    assert sorted(f["properties"]["id"] for f in facilities) == sorted(open_now["id"])
    lon, lat = facilities[0]["geometry"]["coordinates"]
    assert 102 < lon < 103.2 and 24 < lat < 24.7  # WGS84 degrees, 江川区
    roads = client.get("/api/v1/geo/roads").json()["features"]
    assert roads and roads[0]["geometry"]["type"] in ("LineString", "MultiLineString")
    assert_error(client.get("/api/v1/geo/rivers"), 404, "path parameter layer")


# --- files ----------------------------------------------------------------------------------


def test_template_download(client: TestClient, project: Project) -> None:
    # the 数据 page's three downloads are these endpoints
    page = client.get("/data").text
    assert re.findall(r'<a href="(/api/v1/[^"]+)" id="dl-', page) == [
        "/api/v1/template", "/api/v1/evaluate.xlsx", "/api/v1/report"]
    r = client.get("/api/v1/template")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "hsplan_template.xlsx" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert {"区划", "人口", "机构", "资源"} <= set(wb.sheetnames)
    assert wb["区划"].max_row - 1 == len(project.load().areas)  # prefilled


def test_evaluation_workbook_download(client: TestClient) -> None:
    r = client.get("/api/v1/evaluate.xlsx")
    assert r.status_code == 200
    assert re.search(r"evaluation-jiangchuan-2021-2025-2023\.xlsx",
                     r.headers["content-disposition"])
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    n_results = len(client.get("/api/v1/evaluate").json()["results"])
    assert wb.worksheets[0].max_row - 1 == n_results
    assert_error(client.get("/api/v1/evaluate.xlsx", params={"plan": "x"}), 404)


def test_report_download(client: TestClient, project: Project) -> None:
    import docx

    before = sorted(p.name for p in project.root.rglob("*"))
    r = client.get("/api/v1/report")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert load_plan(PLAN).title in text
    assert sorted(p.name for p in project.root.rglob("*")) == before  # not in the project
    assert_error(client.get("/api/v1/report", params={"kind": "年度"}), 422,
                 "query parameter kind")


# --- import ---------------------------------------------------------------------------------


def _upload(client: TestClient, path: Path, **form: str) -> Any:
    with path.open("rb") as fh:
        return client.post("/api/v1/import", files={"file": (path.name, fh)}, data=form)


def test_import_with_mistakes_reports_all_and_writes_nothing(
        client: TestClient, project: Project, tmp_path: Path) -> None:
    bad = planted_workbook(project, tmp_path)
    before = project.store_path.read_bytes()
    r = _upload(client, bad)
    assert r.status_code == 422
    doc = r.json()
    assert doc["imported"] is False
    got = [(e["sheet"], e["row"], e["column"]) for e in doc["errors"]]
    assert set(got) == PLANTED
    assert got == [(p.sheet, p.row, p.column) for p in validate_tables(project, bad)
                   if p.severity == "error"]
    assert all(e["where"].startswith(bad.name) and e["fix"] for e in doc["errors"])
    assert project.store_path.read_bytes() == before


def test_import_refuses_a_non_workbook(client: TestClient, project: Project,
                                       tmp_path: Path) -> None:
    before = project.store_path.read_bytes()
    path = tmp_path / "数据.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    doc = _upload(client, path).json()
    assert doc["status"] == 400 and doc["errors"][0]["expected"] == ".xlsx 文件"
    missing = client.post("/api/v1/import", data={"validate_only": "true"})
    assert_error(missing, 422, "form field file")
    # an .xlsx that is empty, or text under an Excel name: the upload's fault (422, named),
    # not a missing source (404)
    for content, said in ((b"", "空文件"), (b"a,b\n1,2\n", "文本（CSV）文件")):
        for validate_only in ("true", "false"):
            r = client.post("/api/v1/import", files={"file": ("年报.xlsx", content)},
                            data={"validate_only": validate_only})
            assert r.status_code == 422, r.text
            assert said in r.json()["errors"][0]["what"] and "年报.xlsx" in r.text
    assert project.store_path.read_bytes() == before


def test_import_clean_workbook_then_results_change(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "jiangchuan")
    with TestClient(create_app(project.root)) as client:
        state = client.app.state.project  # type: ignore[attr-defined]
        before_doc = client.get("/api/v1/indicators/beds_per_1k/values").json()
        client.get("/api/v1/indicators/beds_per_1k/values")
        computed = state.computed
        client.get("/api/v1/indicators/beds_per_1k/values")
        assert state.computed == computed  # served from the cache
        good = clean_workbook(project, tmp_path)
        before = project.store_path.read_bytes()
        checked = _upload(client, good, validate_only="true").json()
        assert checked["status"] == 200 and checked["imported"] is False
        assert project.store_path.read_bytes() == before
        done = _upload(client, good).json()
        assert done["imported"] is True and done["errors"] == []
        assert project.store_path.read_bytes() != before
        after_doc = client.get("/api/v1/indicators/beds_per_1k/values").json()
        oracle = compute(Project.open(project.root).load(), "beds_per_1k", year=2023)
        assert after_doc["values"][0]["value"] == pytest.approx(float(oracle["value"].iloc[0]))
        assert after_doc != before_doc  # the cache did not serve the old state


# --- pages, language, errors --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/indicator/T07", "/map", "/norms", "/institutions",
                                  "/tasks", "/scenarios", "/data", "/docs"])
def test_pages_answer_in_chinese_and_english(client: TestClient, path: str) -> None:
    zh = client.get(path, params={"lang": "zh"})
    assert zh.status_code == 200 and "总览" in zh.text and "配置标准" in zh.text
    en = client.get(path, params={"lang": "en"})
    assert en.status_code == 200 and "Overview" in en.text and "Norms" in en.text
    client.cookies.clear()
    assert not re.search(r"(src|href)=\"https?://", zh.text)  # nothing from outside


def test_the_norms_page_states_how_the_plan_is_read(client: TestClient) -> None:
    # the same 读法 line `hsplan check` prints: which facilities are 院前急救 bases, how a
    # village is classed 城镇/农村, the ambulance radii with their 或/且
    page = client.get("/norms", params={"lang": "zh"}).text
    line = re.search(r'<p[^>]*id="readings"[^>]*>(.*?)</p>', page, re.S)
    assert line, "no 读法 line on the norms page"
    text = re.sub(r"<[^>]+>", "", line.group(1))
    assert text.startswith("读法 急救站点：") and "城乡划分：" in text and "急救服务半径：" in text
    # the rule column in words, not the plan format's ids (presence, count_per_population)
    rules = re.findall(r'<tr data-norm="[^"]+"[^>]*>\s*<td>[^<]*</td><td>([^<]*)</td>', page)
    assert rules and "设置" in rules and not [r for r in rules if re.search(r"[a-z]", r)]
    client.cookies.clear()


ENGLISH_VERDICT = re.compile(r"\b(meets|misses|not yet at) the\b|one year of data|no value of")


def test_chinese_pages_say_each_verdict_in_chinese(client: TestClient) -> None:
    # the tiles and the indicator page explain a verdict as the report does, in Chinese;
    # the English reason is the English page's
    overview = client.get("/", params={"lang": "zh"}).text
    reasons = re.findall(r'<div class="tile-reason">(.*?)</div>', overview, re.S)
    assert reasons and not [r for r in reasons if ENGLISH_VERDICT.search(r)]
    assert any("距目标差" in r for r in reasons) and any("缺少现状数据" in r for r in reasons)
    # a missing value reads 无数据 — a bare dash looks like 一 in a Chinese font
    missing = re.search(r'data-target-id="T02".*?<span>现状 <b>(.*?)</b>', overview, re.S)
    assert missing and missing.group(1) == "无数据"
    detail = client.get("/indicator/T04", params={"lang": "zh"}).text
    reason = re.search(r'<p class="reason">(.*?)</p>', detail, re.S)
    shown = re.sub(r"<script.*?</script>", "", detail, flags=re.S)  # the data, not the page
    assert reason and "距目标差" in reason.group(1) and not ENGLISH_VERDICT.search(shown)
    english = client.get("/indicator/T04", params={"lang": "en"}).text
    # the English page shows the library's reason, in the server's language (as the tasks
    # page does): Chinese here
    shown_en = re.search(r'<p class="reason">(.*?)</p>', english, re.S)
    assert shown_en and "未达到" in shown_en.group(1)
    client.cookies.clear()


@pytest.mark.parametrize(("as_of", "said"), [("2024-06-30", "截至 2024-06-30 无进展报告"),
                                             ("2026-01-15", "应于 2025-12-31 完成 100 %，未报告")])
def test_the_tasks_page_gives_reasons_in_chinese(client: TestClient, as_of: str,
                                                 said: str) -> None:
    page = client.get("/tasks", params={"as_of": as_of, "lang": "zh"}).text
    reasons = re.findall(r'<td class="small">([^<]*)</td>\s*</tr>', page)
    assert said in reasons
    assert not [r for r in reasons if re.search(r"due|report|expected|on or before", r)]
    # the library's reasons are in the server's language (as `hsplan tasks` gives them)
    import datetime as dt

    from hsplan.evaluation.tasks import task_status
    from hsplan.plans.plan import load_plan

    project = client.app.state.project.project
    cli = task_status(load_plan(PLAN, project=project), project.load().progress,
                      as_of=dt.date.fromisoformat(as_of))
    assert said in set(cli["reason"].astype(str))
    client.cookies.clear()


def test_the_indicator_definition_in_chinese(client: TestClient) -> None:
    page = client.get("/indicator/T07", params={"lang": "zh"}).text
    definition = re.search(r'<dl class="definition">(.*?)</dl>', page, re.S)
    assert definition and "<dt>计算公式</dt>" in definition.group(1)
    assert "Beds in health facilities" not in definition.group(1)
    client.cookies.clear()


def test_the_scenario_page_in_chinese_with_institution_rows(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "p")
    (project.root / "scenarios" / "trauma.yaml").write_text(
        "id: trauma-centre\ntitle: 区人民医院建成创伤中心\nyear: 2025\nchanges:\n"
        "  - op: fact\n    facility: H001\n    from: 2024\n    fact: 中心\n    value: 创伤中心\n"
        "    status: 建成\n", encoding="utf-8")
    with TestClient(create_app(project.root)) as c:
        page = c.get("/scenarios", params={"scenario": "new-chc-200-beds.yaml"}).text
        changes = re.findall(r'<ul class="changes">(.*?)</ul>', page, re.S)[0]
        assert "新建社区卫生服务中心“宁海街道第二社区卫生服务中心”，自2024年起" in changes
        assert "机构 H001 增加 实有床位 150" in changes
        assert not re.search(r"\b(open|add|from|at)\b", changes)
        assert "资源数据沿用2023年，作为2025年" in page and "copied forward" not in page
        assert 'id="scenario-institutions-none"' in page  # beds only: no institution row moves
        page = c.get("/scenarios", params={"scenario": "trauma.yaml"}).text
        rows = re.findall(r'<tr class="changed" data-institution="(\w+)">(.*?)</tr>', page,
                          re.S)
        assert [i for i, _ in rows] == ["I01"]
        cells = re.sub(r"<[^>]+>", "|", rows[0][1])
        assert "能力 · 创伤中心" in cells and "偏离目标" in cells and "已达标" in cells
        assert "机构 H001 登记中心：创伤中心（建成），自2024年起" in page
        english = c.get("/scenarios", params={"scenario": "trauma.yaml", "lang": "en"}).text
        assert "Key institutions" in english and "fact H001" in english


def test_page_errors_are_pages(client: TestClient) -> None:
    r = client.get("/indicator/T999")
    assert r.status_code == 400 and "Traceback" not in r.text
    # the page speaks Chinese: what, where and the fix (the JSON keeps its places for programs)
    assert "地址参数 target_id" in r.text and "没有这个目标" in r.text, r.text
    assert "从总览中选择一个目标" in r.text and "path parameter" not in r.text
    assert_error(client.get("/no/such/page"), 404)


def test_language_tables_have_the_same_keys() -> None:
    assert set(ZH) == set(EN)


def test_serve_command_prints_the_address(project: Project,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    result = runner.invoke(cli_app, ["serve", str(project.root), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.stdout and PLAN in result.stdout
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert seen["app"].state.project.plan_id == PLAN
    bad = runner.invoke(cli_app, ["serve", str(project.root / "nope")])
    assert bad.exit_code != 0 and "Traceback" not in bad.output

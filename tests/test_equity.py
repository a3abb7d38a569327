"""Equity indices against published answers (PySAL `inequality`, Ipea `accessibility`),
PySAL `inequality` itself as an oracle, and the identities the formulas must keep."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hsplan.allocation.equity import (
    GINI_FORMULA,
    Equity,
    agglomeration,
    gini,
    hrdi,
    lorenz_curve,
    theil,
)
from hsplan.errors import ValidationError

DATA = Path(__file__).parent / "data"
MEXICO = DATA / "validation_inequality_mexico" / "mexico.csv"
IPEA = DATA / "validation_inequality_ipea" / "ipea_5hex.csv"

# published in the PySAL inequality 1.1.2 test-suite (SOURCE.md)
MEXICO_T = [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256,
            0.10660832]
MEXICO_BG = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731,
             0.03635872]


@pytest.fixture(scope="module")
def mexico() -> pd.DataFrame:
    return pd.read_csv(MEXICO)


@pytest.fixture(scope="module")
def ipea() -> pd.DataFrame:
    return pd.read_csv(IPEA)


# --- published answers -----------------------------------------------------------------


def test_mexico_gini_equal_weights(mexico: pd.DataFrame) -> None:
    g = gini(mexico["pcgdp1940"], np.ones(len(mexico)))
    assert g.value == pytest.approx(0.35372371173452849, abs=1e-14)
    assert g.trapezoid == pytest.approx(g.value, abs=1e-12)
    assert g.formula == GINI_FORMULA
    # no weights given = equal weights, and the result says so
    assert gini(mexico["pcgdp1940"]).weights == "equal"
    assert gini(mexico["pcgdp1940"]).value == pytest.approx(g.value, abs=1e-15)


def test_mexico_theil_t_and_between_parts(mexico: pd.DataFrame) -> None:
    years = range(1940, 2001, 10)
    for year, total, bg in zip(years, MEXICO_T, MEXICO_BG, strict=True):
        t = theil(mexico[f"pcgdp{year}"], groups=mexico["hanson98"])
        assert t.total == pytest.approx(total, abs=5e-9), year
        assert t.between == pytest.approx(bg, abs=5e-8), year
        assert abs(t.total - (t.between + t.within)) < 1e-12
        assert t.log_base == "e" and t.weights == "equal"


def test_toy_theil_is_between_ln2() -> None:
    t = theil([0, 0, 0, 10, 10, 10], groups=[0, 0, 0, 1, 1, 1])
    assert t.total == pytest.approx(math.log(2), abs=1e-15)
    assert t.between == pytest.approx(math.log(2), abs=1e-15)
    assert t.within == pytest.approx(0.0, abs=1e-15)
    assert t.between_share == pytest.approx(1.0)


def test_ipea_population_weighted_gini(ipea: pd.DataFrame) -> None:
    case = ipea[ipea["case"] == "gini"]
    # each person in a hexagon reaches its access value: resource = access × population
    g = gini(case["access_jobs_30min"] * case["population"], case["population"])
    assert round(g.value, 4) == 0.1386
    assert g.weights == "population"


def test_ipea_population_weighted_theil(ipea: pd.DataFrame) -> None:
    case = ipea[ipea["case"] == "theil"]
    t = theil(case["access_jobs_30min"] * case["population"], case["population"],
              groups=case["income_decile"].astype(int))
    assert round(t.total, 4) == 0.0852
    assert round(t.between, 4) == 0.0515
    assert round(t.within, 4) == 0.0337
    assert round(t.between_share, 4) == 0.6044
    between = dict(zip(t.groups["group"], t.groups["between"], strict=True))
    within = dict(zip(t.groups["group"], t.groups["within"], strict=True))
    published_between = {1: 0.0243, 3: -0.0579, 6: -0.0042, 10: 0.0894}
    published_within = {1: 0.0, 3: 0.0, 6: 0.0, 10: 0.0337}
    for decile, value in published_between.items():
        assert round(between[decile], 4) == value
        assert round(within[decile], 4) == published_within[decile]


# --- the peer library as an oracle ----------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_pysal_inequality_oracle(seed: int) -> None:
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    x = rng.lognormal(mean=3.0, sigma=float(rng.uniform(0.2, 1.5)), size=n)
    groups = rng.integers(0, int(rng.integers(2, 7)), size=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gini(x).value == pytest.approx(Gini(x).g, abs=1e-12)
        assert theil(x).total == pytest.approx(Theil(x).T, abs=1e-12)
        peer = TheilD(x, groups)
        ours = theil(x, groups=groups)
        assert ours.total == pytest.approx(float(np.ravel(peer.T)[0]), abs=1e-12)
        assert ours.between == pytest.approx(float(np.ravel(peer.bg)[0]), abs=1e-12)
        assert ours.within == pytest.approx(float(np.ravel(peer.wg)[0]), abs=1e-12)


# --- identities ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_identities(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = 40
    r = rng.gamma(2.0, 50.0, size=n)
    pop = rng.integers(1_000, 90_000, size=n).astype(float)
    area = rng.uniform(5, 300, size=n)
    groups = rng.choice(["城镇", "农村", "山区"], size=n)
    for w in (pop, area):
        g = gini(r, w)
        # the Chinese formula and the trapezoid form agree
        assert abs(g.value - g.trapezoid) < 1e-12
        assert 0 <= g.value < 1
        for kind in ("T", "L"):
            for base in (math.e, 10.0):
                t = theil(r, w, groups=groups, kind=kind, base=base)  # type: ignore[arg-type]
                assert abs(t.total - (t.between + t.within)) < 1e-12
                assert abs(t.groups["contribution_pct"].sum() - 100) < 1e-9
        # log base 10 is the natural value divided by ln 10
        assert theil(r, w, base=10).total == pytest.approx(
            theil(r, w).total / math.log(10), abs=1e-14)
        assert theil(r, w, base=10).log_base == "10"
    a = agglomeration(r, pop, area)
    assert abs(float((a["area_share"] * a["hrad"]).sum()) - 1.0) < 1e-12
    assert np.allclose(a["hrad"] / a["pad"], a["hrad_pad"], rtol=0, atol=1e-12)
    # scaling resource, population or area changes no index
    assert gini(r * 1e6, pop).value == pytest.approx(gini(r, pop).value, abs=1e-12)
    assert theil(r, pop * 1e6, groups=groups).between == pytest.approx(
        theil(r, pop, groups=groups).between, abs=1e-12)


def test_weighted_gini_equals_replicated_units() -> None:
    # integer population weights = each area's per-capita value repeated per person
    x = np.array([3.0, 1.0, 7.0, 2.0])
    w = np.array([2, 5, 1, 3])
    weighted = gini(x * w, w).value
    replicated = gini(np.repeat(x, w)).value
    assert weighted == pytest.approx(replicated, abs=1e-14)


def test_lorenz_curve_points() -> None:
    curve = lorenz_curve([10, 30, 60], [50, 30, 20], labels=["甲", "乙", "丙"])
    assert pd.isna(curve["label"].iloc[0])
    assert curve["label"].tolist()[1:] == ["甲", "乙", "丙"]
    assert curve["cum_weight"].iloc[-1] == pytest.approx(1.0)
    assert curve["cum_resource"].tolist() == pytest.approx([0, 0.1, 0.4, 1.0])
    assert curve["cum_weight"].tolist() == pytest.approx([0, 0.5, 0.8, 1.0])


def test_hrdi_is_geometric_mean_of_densities() -> None:
    d = hrdi([100, 300], [20_000, 30_000], [10.0, 60.0], labels=["甲", "乙"])
    assert d["hrdi"].iloc[0] == pytest.approx(math.sqrt(100 / 20 * 100 / 10))
    assert d["label"].iloc[-1] == "合计"
    assert d["hrdi"].iloc[-1] == pytest.approx(math.sqrt(400 / 50 * 400 / 70))


def test_bad_input_is_reported_with_place() -> None:
    with pytest.raises(ValidationError, match="资源量（第 2 个值）：应为 ≥ 0 的有限数字"):
        gini([1.0, -2.0, 3.0], [1, 1, 1])
    with pytest.raises(ValidationError, match="乙"):
        theil([5.0, 0.0], [10, 10], kind="L", labels=["甲", "乙"])
    with pytest.raises(ValidationError, match="合计：应为 资源量合计和权重合计均 > 0"):
        gini([0.0, 0.0], [1, 1])


@pytest.mark.usefixtures("english")
def test_bad_input_in_english_on_request() -> None:
    with pytest.raises(ValidationError, match="resource at position 2: expected a finite "
                       "number ≥ 0"):
        gini([1.0, -2.0, 3.0], [1, 1, 1])
    with pytest.raises(ValidationError, match="totals: expected resource and weight totals"):
        gini([0.0, 0.0], [1, 1])


# --- on the example region -------------------------------------------------------------


@pytest.fixture(scope="module")
def region():  # type: ignore[no-untyped-def]
    from hsplan.region.example import example_project_path
    from hsplan.region.project import Project

    return Project.open(example_project_path()).load()


def test_equity_of_example_townships(region) -> None:  # type: ignore[no-untyped-def]
    result = Equity.from_region(region, year=2023).solve()
    areas = result.areas
    assert len(areas) == 8 and set(areas["group"]) == {"城镇", "农村"}
    # township figures add up to the county's (no facility outside a township)
    res = region.resources[region.resources["year"] == 2023]
    assert areas["beds"].sum() == res["beds"].sum()
    assert areas["nurses"].sum() == res["nurses"].sum()
    assert areas["doctors"].sum() == (res["doctors_licensed"].sum()
                                      + res["doctors_assistant"].sum())
    idx = result.indices
    assert len(idx) == 3 * 2 * 3 and (idx["status"] == "ok").all()
    for (res_id, basis), rows in idx.groupby(["resource", "weights"]):
        g = rows[rows["index"] == "gini"].iloc[0]
        direct = gini(areas[res_id], areas["population" if basis == "population"
                                           else "area_km2"]).value
        assert g["value"] == pytest.approx(direct, abs=1e-12)
        t = rows[rows["index"] == "theil_T"].iloc[0]
        assert abs(t["value"] - t["between"] - t["within"]) < 1e-12
    aggl = result.agglomeration
    for _, rows in aggl.groupby("resource"):
        assert abs(float((rows["area_share"] * rows["hrad"]).sum()) - 1) < 1e-12
    assert not result.lorenz.empty and result.notes == []


def test_equity_missing_area_is_unassessable(region) -> None:  # type: ignore[no-untyped-def]
    areas = region.areas.copy()
    areas.loc[areas["name"] == "雄关乡", "area_km2"] = pd.NA
    result = Equity.from_region(region.replace(areas=areas), year=2023,
                                resources=["beds"]).solve()
    by_area = result.indices[result.indices["weights"] == "area"]
    assert (by_area["status"] == "无法评估").all()
    assert by_area["note"].str.contains("雄关乡").all()
    assert (result.indices[result.indices["weights"] == "population"]["status"] == "ok").all()
    assert result.agglomeration.empty


def test_unknown_resource_is_reported(region) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        Equity.from_region(region, year=2023, resources=["beds", "床位"], group="nope")
    text = str(err.value)
    assert "床位" in text and "nope" in text


# --- the command line, workbook and charts ----------------------------------------------


def test_cli_equity_table_json_xlsx_and_charts(tmp_path: Path) -> None:
    import json

    import openpyxl
    from typer.testing import CliRunner

    from hsplan.cli import app
    from hsplan.region.example import example_project_path

    runner = CliRunner()
    args = ["equity", str(example_project_path()), "--year", "2023", "--resource",
            "beds,doctors,nurses", "--by", "population,area", "--group", "urban_rural"]
    lorenz, hrad = tmp_path / "lorenz.png", tmp_path / "hrad.png"
    shown = runner.invoke(app, [*args, "--chart", str(lorenz), "--map", str(hrad)],
                          env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for text in ("基尼系数", "泰尔T组间贡献率", "按人口", "按面积", "执业(助理)医师数", "星云街道",
                 "HRAD/PAD", "泰尔指数T（按人口）分组分解", "城镇", "农村", "合成数据"):
        assert text in shown.output, text
    assert lorenz.stat().st_size > 20_000 and hrad.stat().st_size > 20_000
    as_json = runner.invoke(app, [*args, "--format", "json", "--log-base", "10"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.output)
    assert doc["log_base"] == "10" and doc["synthetic"] is True
    rows = {(r["resource"], r["weights"], r["index"]): r for r in doc["indices"]}
    natural = Equity.from_region(_example(), year=2023).solve().indices
    t_nat = natural[(natural["resource"] == "beds") & (natural["weights"] == "population")
                    & (natural["index"] == "theil_T")]["value"].iloc[0]
    assert rows[("beds", "population", "theil_T")]["value"] == pytest.approx(
        t_nat / math.log(10), abs=1e-12)
    assert len(doc["agglomeration"]) == 3 * 8
    out = tmp_path / "equity.xlsx"
    written = runner.invoke(app, [*args, "--format", "xlsx", "--out", str(out)])
    assert written.exit_code == 0, written.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["指数", "分组分解", "集聚度", "洛伦兹曲线", "地区", "说明"]
    sheet = book["指数"]
    assert [c.value for c in sheet[1]][:4] == ["资源", "权重", "指数", "数值"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "床位数" and sheet["C2"].value == "基尼系数"


def _example():  # type: ignore[no-untyped-def]
    from hsplan.region.example import example_project_path
    from hsplan.region.project import Project

    return Project.open(example_project_path()).load()


def test_report_section_data(tmp_path: Path) -> None:
    from hsplan.reports.allocation_charts import (
        allocation_section_charts,
        allocation_section_data,
    )

    data = allocation_section_data(_example())
    assert data["year"] == 2023 and data["equity_status"] == "已评估"
    assert data["equity_text"][0].startswith("床位数：按人口基尼系数 0.615")
    assert data["efficiency_status"] == {"医院": "已评估", "卫生院": "已评估"}
    assert set(data["malmquist"]) == {"医院", "卫生院"}
    headers, rows = data["equity_table"]
    assert headers[2] == "基尼系数" and rows[0][:3] == ["床位数", "按人口", "0.6153"]
    headers, rows = data["efficiency_table"]
    assert [r[0] for r in rows] == ["医院", "卫生院"] and rows[1][1] == "6"
    charts = allocation_section_charts(_example(), data, tmp_path)
    assert set(charts) == {"lorenz", "agglomeration", "efficiency"}
    region = _example()
    empty = allocation_section_data(region.replace(resources=region.resources.iloc[0:0]))
    assert empty["equity_status"].startswith("无法评估")
    assert empty["efficiency_status"]["医院"].startswith("无法评估")


def test_facility_count_and_indicator_numerator(region) -> None:  # type: ignore[no-untyped-def]
    result = Equity.from_region(region, year=2023,
                                resources=["facilities", "primary_beds_per_1k"]).solve()
    areas = result.areas
    fac = region.facilities
    opened = pd.to_numeric(fac["opened"], errors="coerce")
    closed = pd.to_numeric(fac["closed"], errors="coerce")
    open_2023 = ~(opened > 2023).fillna(False) & ~(closed <= 2023).fillna(False)
    assert areas["facilities"].sum() == int(open_2023.sum())
    # an indicator id means its numerator, with its facility filter (基层 beds only)
    primary = fac.loc[fac["category"] == "基层医疗卫生机构", "id"]
    res = region.resources
    beds = res[(res["year"] == 2023) & res["facility_id"].isin(primary)]["beds"].sum()
    assert areas["primary_beds_per_1k"].sum() == beds
    label = result.indices.set_index("resource")["resource_zh"]
    assert label["primary_beds_per_1k"].iloc[0] == "每千人口基层医疗卫生机构床位数（分子）"


def test_region_without_county_row(region) -> None:  # type: ignore[no-untyped-def]
    towns_only = region.replace(areas=region.areas[region.areas["level"] != "county"])
    result = Equity.from_region(towns_only, year=2023, resources=["beds"]).solve()
    full = Equity.from_region(region, year=2023, resources=["beds"]).solve()
    assert result.indices["value"].tolist() == pytest.approx(full.indices["value"].tolist())


def test_the_report_has_an_equity_and_efficiency_section(tmp_path: Path) -> None:
    from docx import Document

    from hsplan.plans.plan import load_plan
    from hsplan.region.example import copy_example
    from hsplan.reports.report import write_report

    project = copy_example(tmp_path / "p")
    path = write_report(project, load_plan("jiangchuan-2021-2025"), tmp_path / "r.docx",
                        travel=False)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("（三）资源配置公平性与效率")
    section = "\n".join(texts[start:start + 12])
    assert "基尼系数" in section
    captions = [t for t in texts if t.startswith("表")]
    assert any("卫生资源配置公平性" in c for c in captions)
    assert any("数据包络分析" in c for c in captions)
    figures = [t for t in texts[start:] if t.startswith("图")]
    for caption in ("卫生资源配置洛伦兹曲线", "卫生资源集聚度与人口集聚度之比（按乡镇）",
                    "医疗卫生机构效率"):
        assert any(caption in f for f in figures), caption

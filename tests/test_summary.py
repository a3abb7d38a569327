"""Tests of hsplan.reports.summary, hsplan.reports.maps and the `hsplan summary` command."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from typer.testing import CliRunner

from hsplan import _i18n
from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.region.example import example_project_path
from hsplan.region.model import Region
from hsplan.region.reference import region_from_county
from hsplan.region.store import load_region
from hsplan.reports import maps
from hsplan.reports.maps import facility_map
from hsplan.reports.summary import summary, to_json_dict

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region(example_project_path() / "region.gpkg")


def test_county_rates_equal_a_hand_computation(region: Region) -> None:
    frames = summary(region, year=2020)
    res = region.resources[region.resources["year"] == 2020]
    pop = int(region.population[(region.population["area_code"] == "530403")
                                & (region.population["year"] == 2020)]["total"].iloc[0])
    county = frames["resources"].set_index("area_code").loc["530403"]
    assert pop == 253295
    assert county["beds"] == int(res["beds"].sum())
    assert county["beds_per_1k"] == round(int(res["beds"].sum()) / pop * 1000, 2) == 3.44
    doctors = int((res["doctors_licensed"] + res["doctors_assistant"]).sum())
    assert county["doctors_per_1k"] == round(doctors / pop * 1000, 2)
    assert county["gps_per_10k"] == round(int(res["gps"].sum()) / pop * 10000, 2)


def test_township_rates_equal_a_hand_computation(region: Region) -> None:
    frames = summary(region, year=2022)
    fac = region.facilities
    code = "530403101"  # 江城镇
    ids = set(fac[fac["area_code"].str.startswith(code)]["id"])
    res = region.resources[(region.resources["year"] == 2022)
                           & region.resources["facility_id"].isin(ids)]
    pop = int(region.population[(region.population["area_code"] == code)
                                & (region.population["year"] == 2022)]["total"].iloc[0])
    row = frames["resources"].set_index("area_code").loc[code]
    assert row["name"] == "江城镇"
    assert row["beds"] == int(res["beds"].sum())
    assert row["beds_per_1k"] == round(int(res["beds"].sum()) / pop * 1000, 2)
    assert row["nurses_per_1k"] == round(int(res["nurses"].sum()) / pop * 1000, 2)
    # townships add up to the county
    towns = frames["resources"][frames["resources"]["level"] == "township"]
    county = frames["resources"][frames["resources"]["level"] == "county"].iloc[0]
    assert towns["beds"].sum() == county["beds"]
    assert towns["staff_total"].sum() == county["staff_total"]


def test_population_and_facility_tables(region: Region) -> None:
    frames = summary(region, year=2020)
    pop = frames["population"].set_index("area_code")
    county = pop.loc["530403"]
    # census 2020: 65+ = 13286 + 9242 + 6928 + 4480 + 2940 = 36876, 14.56 %
    assert county["pop_65p"] == 36876 and county["share_65p_pct"] == 14.56
    assert county["urban"] == 122617 and county["urban_share_pct"] == 48.41
    assert pop[pop["level"] == "township"]["pop"].sum() == 253295
    fac = frames["facilities"].set_index("subtype")
    assert fac.loc["村卫生室", "facilities"] == (region.facilities["subtype"] == "村卫生室").sum()
    assert fac["facilities"].sum() == len(region.facilities)
    assert fac.loc["诊所", "public"] == 0


def test_synthetic_flag_and_default_year(region: Region) -> None:
    frames = summary(region)
    about = frames["about"].iloc[0]
    assert about["year"] == 2023 and bool(about["synthetic"]) is True
    assert "Synthetic example data" in about["note"]
    data = to_json_dict(frames)
    assert json.loads(json.dumps(data))["about"][0]["synthetic"] is True


def test_summary_errors() -> None:
    real = region_from_county("530403")  # population, but no resources
    # issue 10: a census-only region has a summary (population), with no resource figures
    frames = summary(real)
    assert int(frames["about"]["year"].iloc[0]) == 2020
    assert frames["resources"]["beds"].isna().all()
    with pytest.raises(ValidationError, match=r"summary year 1999: expected a year with "
                                              r"population data, one of 2020, got '1999'"):
        summary(real, year=1999)


def test_facility_map_png(region: Region, tmp_path: Path) -> None:
    path = facility_map(region, tmp_path / "map.png", title="江川区")
    assert path.stat().st_size > 100_000
    img = matplotlib.image.imread(path)
    assert img.shape[0] > 900 and img.shape[1] > 900
    colours = np.unique((img[..., :3] * 255).astype(int).reshape(-1, 3), axis=0)
    assert len(colours) > 50
    # the hospital red and the village-clinic green are drawn
    assert ((np.abs(img[..., :3] - np.array([0xC0, 0x39, 0x2B]) / 255) < 0.02).all(-1)).sum() > 50
    assert ((np.abs(img[..., :3] - np.array([0x2C, 0xA0, 0x2C]) / 255) < 0.02).all(-1)).sum() > 50


def test_cjk_font_is_found_or_warned(monkeypatch: pytest.MonkeyPatch, region: Region,
                                     tmp_path: Path) -> None:
    assert maps.cjk_font() in maps.CJK_FONTS
    monkeypatch.setattr(maps, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        facility_map(region, tmp_path / "nofont.png", title="x")
    assert any("no CJK font found" in str(w.message) for w in caught)


def test_cli_summary_json_and_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "jc"
    shutil.copytree(example_project_path(), project)
    runner = CliRunner()
    result = runner.invoke(app, ["summary", str(project), "--year", "2020", "--format", "json",
                                 "--map", str(tmp_path / "m.png")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    county = next(r for r in data["resources"] if r["level"] == "county")
    assert county["beds_per_1k"] == 3.44 and county["nurses_per_1k"] == 3.02
    assert data["about"][0]["synthetic"] is True
    assert (tmp_path / "m.png").stat().st_size > 100_000
    table = runner.invoke(app, ["summary", str(project)])
    assert table.exit_code == 0
    assert "urban population: as the population table gives it" in " ".join(
        table.output.split())
    assert "(530403), 2023" in table.output and "per 1,000" in table.output
    monkeypatch.setenv(_i18n.ENV_VAR, "zh")  # the module runs in English; Chinese by default
    _i18n.set_language("zh")
    try:
        table = runner.invoke(app, ["summary", str(project)])
    finally:
        monkeypatch.setenv(_i18n.ENV_VAR, "en")
        _i18n.set_language("en")
    assert table.exit_code == 0
    assert "合成数据 — 示例生成的数据，不是真实机构的结果" in table.output
    # the census-style 城镇人口 is told apart from the 城乡 of the service circles
    assert "城镇人口：人口表所填的统计口径" in table.output.replace("\n", "")
    assert "│ 江川区   │     3.44 │" not in table.output  # default year is 2023, not 2020
    assert "2023年" in table.output and "每千人口" in table.output
    bad = runner.invoke(app, ["summary", str(project), "--format", "csv"])
    assert bad.exit_code == 2 and "expected table or json, got 'csv'" in bad.output

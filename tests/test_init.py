"""Tests of `hsplan init` / `hsplan counties` and `project.init_project`, and a sweep of
`reference.region_from_county` over counties of every province."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import DataSourceError
from hsplan.region import reference, schema
from hsplan.region.project import Project, init_project

runner = CliRunner()


def _sample_codes() -> list[str]:
    """The most populous coded county of each province, plus codes that changed since 2020."""
    table = reference.counties()
    coded = table[table["code"].notna() & table["census_total"].notna()]
    top = coded.sort_values("census_total", ascending=False).groupby("province").head(1)
    changed = ["350427", "540422", "620200", "140171"]  # 沙县, 米林县, 嘉峪关市, a dev zone
    return sorted(top["code"].astype(str)) + changed


SAMPLE = _sample_codes()


def test_sample_spans_every_province() -> None:
    assert len(SAMPLE) == 35
    assert len({code[:2] for code in SAMPLE}) == 31


@pytest.mark.parametrize("code", SAMPLE)
def test_region_from_county_sweep(code: str) -> None:
    region = reference.region_from_county(code)
    areas = region.areas
    assert list(areas.columns) == [*schema.AREAS.column_ids, "geometry"]
    county_rows = areas[areas["level"] == "county"]
    assert county_rows["code"].tolist() == [code]
    towns = areas[areas["level"] == "township"]
    assert (towns["parent_code"] == code).all()
    assert towns["code"].str.startswith(code).all()
    villages = areas[areas["level"] == "village"]
    assert villages["parent_code"].isin(towns["code"]).all()
    assert areas["code"].is_unique
    total = reference.county(code)["census_total"]
    assert int(region.population["total"].iloc[0]) == total
    assert region.population[list(schema.AGE_BAND_IDS)].to_numpy().sum() == total
    if reference.county(code)["has_boundary"]:
        assert county_rows["area_km2"].iloc[0] > 0
    if towns.empty or not reference.county(code)["has_boundary"]:
        assert region.meta["warnings"], "a fallback must be reported"


def test_init_kangbashi(tmp_path: Path) -> None:
    project = init_project(tmp_path / "kbs", county="150603")
    assert project.name == "鄂尔多斯市康巴什区"
    reopened = Project.open(tmp_path / "kbs")
    assert (reopened.name, reopened.county_code) == ("鄂尔多斯市康巴什区", "150603")
    region = reopened.load()
    towns = region.areas[region.areas["level"] == "township"]
    assert towns["name"].tolist() == ["哈巴格希街道", "青春山街道", "滨河街道", "康新街道",
                                      "鄂尔多斯市高新技术产业园区"]
    assert towns["urban_rural"].tolist()[:4] == ["urban"] * 4
    assert pd.isna(towns["urban_rural"].iloc[4])
    pop = region.population.iloc[0]
    assert (int(pop["year"]), int(pop["total"]), int(pop["male"]), int(pop["female"])) == (
        2020, 118796, 60755, 58041)
    county_row = region.areas[region.areas["level"] == "county"].iloc[0]
    # official area of 康巴什区: 372 km² (its government's figure); the 天地图 polygon: 372.95
    assert float(county_row["area_km2"]) == pytest.approx(372, rel=0.01)
    assert county_row.geometry.geom_type in ("Polygon", "MultiPolygon")
    assert county_row.geometry.contains(county_row.geometry.representative_point())
    assert region.meta["county_code"] == "150603"


def test_init_jiangchuan(tmp_path: Path) -> None:
    project = init_project(tmp_path / "jc", county="530403", name="江川区卫健局")
    region = project.load()
    levels = region.areas["level"].value_counts()
    assert (levels["county"], levels["township"], levels["village"]) == (1, 8, 76)
    assert int(region.population["total"].iloc[0]) == 253295
    assert project.name == "江川区卫健局"
    # geodesic area of the 天地图 polygon (SOURCE.md: 805.9 km²)
    county_row = region.areas[region.areas["level"] == "county"].iloc[0]
    assert float(county_row["area_km2"]) == pytest.approx(805.9, abs=0.1)


@pytest.mark.usefixtures("english")
def test_init_refuses_existing_project(tmp_path: Path) -> None:
    init_project(tmp_path, county="150603")
    before = (tmp_path / "region.gpkg").read_bytes()
    with pytest.raises(DataSourceError) as info:
        init_project(tmp_path, county="530403")
    assert str(info.value) == (
        f"{tmp_path}: expected a folder without a project, got an existing hsplan project "
        "(hsplan.toml and region.gpkg already there). Fix: choose another folder, or delete "
        "those files first if you really want to start again."
    )
    assert (tmp_path / "region.gpkg").read_bytes() == before


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_init_unknown_code_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"^county '999999': expected a 6-digit county "):
        init_project(tmp_path / "x", county="999999")
    assert not (tmp_path / "x").exists()


def test_cli_init(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "jc"), "--county", "530403"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    for text in ("江川区", "乡镇（街道）数 │ 8", "村（社区）数 │ 76",
                 "253,295", "805.9"):
        assert text in out
    assert (tmp_path / "jc" / "hsplan.toml").exists()


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_cli_init_unknown_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--county", "999999"])
    assert result.exit_code != 0
    assert isinstance(result.exception, DataSourceError)
    assert str(result.exception).startswith("county '999999': expected a 6-digit county code")


def test_cli_counties_search() -> None:
    result = runner.invoke(app, ["counties", "--search", "江川"])
    assert result.exit_code == 0, result.output
    assert "530403" in result.output and "253,295" in result.output
    assert "1 个县区，匹配 '江川'" in result.output and "代码" in result.output


@pytest.mark.usefixtures("english")  # the same table in English
def test_cli_counties_search_in_english() -> None:
    result = runner.invoke(app, ["counties", "--search", "江川"])
    assert result.exit_code == 0, result.output
    assert "1 county matching '江川'" in result.output and "population 2020" in result.output

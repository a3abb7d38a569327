"""Tests of the shipped example project, `python -m hsplan.cli.example` and `hsplan synth`."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.cli.example import main
from hsplan.errors import DataSourceError
from hsplan.region.example import EXAMPLE_FILES, copy_example, example_project_path
from hsplan.region.project import Project
from hsplan.region.store import load_region
from hsplan.region.synth import ROADS_NAME


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example made again with the documented command."""
    root = tmp_path_factory.mktemp("synth") / "jiangchuan"
    result = CliRunner().invoke(app, ["synth", str(root), "--county", "530403", "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("合成数据 — 示例生成的数据，不是真实机构的结果"
                                    "（hsplan.region.synth，随机种子 0）\n")
    return root


def test_example_is_shipped_and_small() -> None:
    path = example_project_path()
    files = [p for p in path.rglob("*") if p.is_file()]
    assert sorted(p.relative_to(path).as_posix() for p in files) == sorted(EXAMPLE_FILES)
    assert sum(p.stat().st_size for p in files) < 3_000_000
    project = Project.open(path)
    assert project.synthetic is True and project.county_code == "530403"
    readme = (path / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "253,295" in readme


def test_shipped_example_equals_a_fresh_synth(regenerated: Path) -> None:
    shipped = load_region(example_project_path() / "region.gpkg")
    fresh = load_region(regenerated / "region.gpkg")
    for name, df in shipped.tables().items():
        other = fresh.tables()[name]
        if isinstance(df, gpd.GeoDataFrame):
            assert df.geometry.geom_equals_exact(other.geometry, tolerance=1e-9).all(), name
            df, other = pd.DataFrame(df.drop(columns="geometry")), pd.DataFrame(
                other.drop(columns="geometry"))
        pd.testing.assert_frame_equal(df, other, obj=name)
    assert shipped.meta == fresh.meta
    roads = gpd.read_file(example_project_path() / ROADS_NAME, layer="roads")
    roads_fresh = gpd.read_file(regenerated / ROADS_NAME, layer="roads")
    assert roads.geometry.geom_equals_exact(roads_fresh.geometry, tolerance=1e-9).all()
    pd.testing.assert_frame_equal(pd.DataFrame(roads.drop(columns="geometry")),
                                  pd.DataFrame(roads_fresh.drop(columns="geometry")))


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_synth_refuses_an_existing_project(regenerated: Path) -> None:
    result = CliRunner().invoke(app, ["synth", str(regenerated)])
    assert result.exit_code != 0
    assert isinstance(result.exception, DataSourceError)
    assert "expected a folder without a project" in str(result.exception)


def test_copy_example(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "mine")
    assert project.name == "玉溪市江川区（合成示例）"
    assert len(project.load().facilities) == 92
    with pytest.raises(DataSourceError) as info:
        copy_example(tmp_path / "mine")
    assert str(info.value) == (  # in Chinese by default; English in the test above
        f"{tmp_path / 'mine'}：应为没有项目的文件夹，实际已有 hsplan 项目。处理办法：换一个文件夹"
        "（--out DIR），或加 --force 替换它。")
    (project.root / "outputs").mkdir()
    again = copy_example(tmp_path / "mine", force=True)
    assert not (again.root / "outputs").exists()  # the earlier copy was replaced whole
    scenario = again.root / "scenarios" / "new-chc-200-beds.yaml"
    document = again.root / "documents" / "000_a2a2a54b8113ffa6.txt"
    assert scenario.is_file() and document.read_text(encoding="utf-8").startswith("为进一步优化")


def test_main_job_writes_map_and_workbook(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "example-output"
    assert main(["--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "数据校验：错误 0 个" in printed and "合成数据" in printed
    png = out / "outputs" / "facility_map.png"
    assert png.stat().st_size > 100_000
    sheets = pd.read_excel(out / "outputs" / "summary.xlsx", sheet_name=None)
    assert list(sheets) == ["说明", "人口", "机构", "床位与人员"]
    assert bool(sheets["说明"]["合成数据"].iloc[0]) is True
    county = sheets["床位与人员"].set_index("区划代码").loc[530403]
    region = load_region(out / "region.gpkg")
    res = region.resources[region.resources["year"] == 2023]
    pop = int(region.population[(region.population["area_code"] == "530403")
                                & (region.population["year"] == 2023)]["total"].iloc[0])
    assert county["每千人口床位数"] == round(int(res["beds"].sum()) / pop * 1000, 2)
    evaluation = pd.read_excel(out / "outputs" / "evaluation.xlsx", sheet_name=None)
    assert len(evaluation["评估结果"]) == 58  # one row per target of jiangchuan-2021-2025
    # 54 targets and the 4 the plan repeats: the counts that follow add up to 54
    assert "对照规划 jiangchuan-2021-2025 评估（54 项指标，另有 4 项重复列出）" in printed
    capsys.readouterr()
    assert main(["--out", str(out)]) == 2  # never overwrites
    assert "应为没有项目的文件夹" in capsys.readouterr().err


def test_cli_example_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["example", "--out", str(tmp_path / "ex")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ex" / "outputs" / "facility_map.png").exists()

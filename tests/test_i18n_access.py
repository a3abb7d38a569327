"""The access library and its commands speak the reader's language: Chinese by default, English
with ``--lang en`` (the `english` fixture). One message of each family — the road speed table,
the road network, floating catchments, coverage, the service model, travel times and the
``access`` / ``network`` / ``traveltimes`` commands — in both languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from hsplan.access.catchments import two_step_fca
from hsplan.access.coverage import coverage
from hsplan.access.network import load_speeds, straight_line_network
from hsplan.access.service import facility_filter
from hsplan.access.traveltimes import nearest_facility_times
from hsplan.cli import app
from hsplan.errors import DataSourceError, ValidationError
from hsplan.region.example import example_project_path

PLANET = Path(__file__).parent / "data" / "osm" / "osmnx_planet_10.068_48.135_10.071_48.137.osm"
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+ [a-z]+ [a-z]+")


def _speed_table_error(tmp_path: Path) -> str:
    bad = tmp_path / "speeds.csv"
    bad.write_text("highway,drive_kmh\nprimary,fast\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_speeds(bad)
    return str(err.value)


def test_road_sources_in_chinese(chinese: None, tmp_path: Path) -> None:
    text = _speed_table_error(tmp_path)
    assert text.splitlines()[0] == "道路车速表 speeds.csv：发现 1 个问题"
    assert ("speeds.csv，列 walk_kmh：缺少列：应为 名为 walk_kmh 的列，实际为 '无此列'。"
            "处理办法：使用内置 road_speeds.csv 的表头") in text
    with pytest.raises(DataSourceError, match="找不到道路车速表。处理办法："):
        load_speeds(tmp_path / "none.csv")


@pytest.mark.usefixtures("english")
def test_road_sources_in_english(tmp_path: Path) -> None:
    text = _speed_table_error(tmp_path)
    assert text.splitlines()[0] == "road speed table speeds.csv: 1 problem found"
    assert ("speeds.csv, column walk_kmh: missing column: expected a column named walk_kmh, "
            "got 'no such column'. Fix: use the header of the bundled road_speeds.csv") in text


def _fca_errors() -> str:
    od = pd.DataFrame({"demand": [0, 0, 9], "supply": [0, 0, 0], "travel_min": [5.0, 6.0, -1]})
    with pytest.raises(ValidationError) as err:
        two_step_fca(od, pd.Series([100.0]), pd.Series([10.0]), max_min=30)
    return str(err.value)


def test_catchment_problems_in_chinese(chinese: None) -> None:
    text = _fca_errors()
    assert text.splitlines()[0] == "两步移动搜索法可及性：发现 3 个问题"
    assert "工作表 od，第 3 行，列 demand：需求点不存在：应为 pop 中的编号，实际为 '9'。" in text
    assert "行程时间：应为 ≥ 0 的分钟数（不可达为 NaN 或 inf），实际为 '-1.0'。" in text
    assert "需求点–供给点组合重复：应为 每个组合只出现一次" in text
    assert not ENGLISH_SENTENCE.search(text)


@pytest.mark.usefixtures("english")
def test_catchment_problems_in_english() -> None:
    text = _fca_errors()
    assert text.splitlines()[0] == "floating catchment: 3 problems found"
    assert "unknown demand point: expected an id of pop, got '9'." in text
    assert "repeated demand–supply pair: expected each pair once" in text


def _coverage_and_service_errors() -> list[str]:
    times = pd.DataFrame({"travel_min": [3.0], "dist_m": [900.0], "reachable": [True]})
    out = []
    for call in (lambda: coverage(times), lambda: facility_filter({"ownership": ["民营"]})):
        with pytest.raises(ValidationError) as err:
            call()
        out.append(str(err.value))
    return out


def test_coverage_and_service_in_chinese(chinese: None) -> None:
    cov, selector = _coverage_and_service_errors()
    assert cov == ("服务圈覆盖：发现 1 个问题\n"
                   "  - 服务圈：应为 minutes 或 distance_km，实际为 '均未给出'。"
                   "处理办法：例如传入 minutes=15 或 distance_km=5")
    assert selector.splitlines()[0] == "机构选择条件：发现 2 个问题"
    assert "机构选择条件，ownership：应为 " in selector
    assert "处理办法：使用 docs/schema.md 中列出的所有制（ownership）" in selector
    assert "机构选择条件：应为 机构类型或机构类别" in selector


@pytest.mark.usefixtures("english")
def test_coverage_and_service_in_english() -> None:
    cov, selector = _coverage_and_service_errors()
    assert cov == ("service-circle coverage: 1 problem found\n  - service circle: expected "
                   "minutes or distance_km, got 'neither'. Fix: pass minutes=15 or "
                   "distance_km=5, say")
    assert "facility selector: expected a subtype or a category" in selector


def _travel_time_errors() -> list[str]:
    out = []
    no_crs = gpd.GeoSeries([Point(102.9, 24.6)])
    for call in (lambda: nearest_facility_times(straight_line_network(), no_crs, no_crs),
                 lambda: nearest_facility_times(straight_line_network(),
                                                np.array([[102.9, 24.6]]), np.zeros((0, 2)))):
        with pytest.raises(ValidationError) as err:
            call()
        out.append(str(err.value))
    return out


def test_travel_times_in_chinese(chinese: None) -> None:
    no_crs, no_facility = _travel_time_errors()
    assert no_crs == ("需求点：发现 1 个问题\n"
                      "  - 需求点：图层没有坐标系：应为 坐标系，实际为 '无'。"
                      "处理办法：用 .set_crs('EPSG:4326') 设置坐标系")
    assert "nearest_facility_times：没有机构：应为 至少一个机构，实际为 '0'。" in no_facility
    assert "处理办法：检查机构筛选条件" in no_facility


@pytest.mark.usefixtures("english")
def test_travel_times_in_english() -> None:
    no_crs, no_facility = _travel_time_errors()
    assert no_crs.splitlines()[1] == ("  - demand points: layer without a coordinate system: "
                                      "expected a coordinate system, got 'none'. Fix: set one "
                                      "with .set_crs('EPSG:4326')")
    assert "nearest_facility_times: no facilities: expected at least one facility" in no_facility


def _commands(tmp_path: Path, console_width: Callable[[int], None]) -> list[str]:
    console_width(250)  # headers on one line each
    runner = CliRunner()
    calls = [["traveltimes", str(example_project_path()), "--subtype", "乡镇卫生院",
              "--straight-line"],
             ["network", "build", str(PLANET), "--out", str(tmp_path / "net.gpkg")],
             ["access", "coverage", str(example_project_path()), "--subtype", "乡镇卫生院",
              "--minutes", "10", "--out", str(tmp_path / "access")]]
    out = []
    for args in calls:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        out.append(result.output)
    return out


def test_commands_in_chinese(chinese: None, tmp_path: Path,
                             console_width: Callable[[int], None]) -> None:
    times, network, cov = _commands(tmp_path, console_width)
    assert "到最近机构的行程时间（分钟）" in times
    for header in ("村居代码", "行程时间(分钟)", "最近机构", "可达", "行程时间模型"):
        assert header in times
    assert "直线距离模型，不是道路网络" in times and "不可达：0 个" in times
    assert "village_code" not in times and "unreachable" not in times
    assert "路网：OpenStreetMap 道路网络（驾车，" in network
    for header in ("道路等级(OSM)", "路段数", "长度(千米)", "平均车速(千米/小时)", "已保存到"):
        assert header in network
    assert "saved to" not in network and "length_km" not in network
    for words in ("服务圈覆盖 — ", "出行方式：驾车（未指定 --mode，默认驾车）", "按乡镇、城乡",
                  "人口合计（按覆盖状态）", "可达但超出", "服务圈外村居（", "超出服务圈"):
        assert words in cov
    assert not re.search(r"\b(covered|beyond|total|urban|rural|travel)\b", cov)


@pytest.mark.usefixtures("english")
def test_commands_in_english(tmp_path: Path, console_width: Callable[[int], None]) -> None:
    times, network, cov = _commands(tmp_path, console_width)
    assert "travel time to the nearest facility (minutes)" in times
    assert "village code" in times and "straight-line model, not a road network" in times
    assert "road network: OpenStreetMap road network (driving," in network
    assert "road class (OSM)" in network and "saved to" in network
    for words in ("service-circle coverage — ", "by township and urban/rural",
                  "reachable but beyond", "villages outside the service circle ("):
        assert words in cov
    assert re.search(r"│ total +│", cov) and re.search(r"│ rural +│", cov)

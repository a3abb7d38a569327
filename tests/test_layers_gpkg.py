"""GeoPackage layers open well in QGIS: one geometry type per layer (read by pyogrio without
choosing a type), Chinese field aliases and descriptions (gpkg_data_columns, gpkg_contents),
isochrones clipped to the county, coverage joined to township polygons."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyogrio
import pytest

from hsplan.access.service import ServiceAccess
from hsplan.region.example import copy_example
from hsplan.reports.coverage import coverage_report


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ServiceAccess]:
    project = copy_example(tmp_path_factory.mktemp("gpkg") / "jiangchuan")
    sa = ServiceAccess.from_project(project)
    report = coverage_report(sa, ambulance=True, out_dir=project.outputs_dir / "access",
                             stem="ambulance")
    return report.files["gpkg"], sa


def test_one_geometry_type_per_layer(gpkg: tuple[Path, ServiceAccess]) -> None:
    path, _sa = gpkg
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert {"demand_points", "facilities", "isochrones", "townships"} <= set(layers)
    for name, kind in layers.items():
        frame = pyogrio.read_dataframe(path, layer=name)
        assert frame.geometry.geom_type.nunique() == 1, (name, frame.geom_type.unique())
        assert kind in ("Point", "MultiPolygon"), (name, kind)
    assert layers["isochrones"] == "MultiPolygon" and layers["townships"] == "MultiPolygon"


def test_isochrones_are_inside_the_county(gpkg: tuple[Path, ServiceAccess]) -> None:
    path, sa = gpkg
    bands = pyogrio.read_dataframe(path, layer="isochrones")
    areas = sa.region.areas
    county = areas[areas["level"] == "county"].to_crs(bands.crs).geometry.union_all()
    utm = bands.estimate_utm_crs()
    outside = bands.geometry.difference(county)
    import geopandas as gpd

    spill = gpd.GeoSeries(outside, crs=bands.crs).to_crs(utm).area.sum()
    assert spill < 1e-6 * gpd.GeoSeries([county], crs=bands.crs).to_crs(utm).area.sum()
    assert (bands["area_km2"] > 0).all()


def test_chinese_aliases_and_descriptions(gpkg: tuple[Path, ServiceAccess]) -> None:
    path, _sa = gpkg
    with sqlite3.connect(path) as con:
        aliases = dict(((t, c), n) for t, c, n in con.execute(
            "SELECT table_name, column_name, name FROM gpkg_data_columns"))
        described = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
        ext = con.execute("SELECT extension_name FROM gpkg_extensions WHERE "
                          "table_name = 'gpkg_data_columns'").fetchall()
    assert aliases[("demand_points", "pop")] == "常住人口（人）"
    assert aliases[("townships", "covered_pct")] == "覆盖率（%）"
    assert described["isochrones"].startswith("等时圈")
    assert ext == [("gpkg_schema",)]
    towns = pyogrio.read_dataframe(path, layer="townships")
    assert len(towns) == 8 and towns["covered_pct"].between(0, 100).all()
    assert towns.loc[towns["name"] == "雄关乡", "covered_pct"].iloc[0] == pytest.approx(0.0)


def _aliases(path: Path) -> dict[tuple[str, str], str]:
    with sqlite3.connect(path) as con:
        return {(t, c): n for t, c, n in con.execute(
            "SELECT table_name, column_name, name FROM gpkg_data_columns")}


def _every_field_aliased(path: Path) -> None:
    aliases = _aliases(path)
    with sqlite3.connect(path) as con:
        described = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
    for name, _kind in pyogrio.list_layers(path):
        assert described.get(name), (path.name, name)
        frame = pyogrio.read_dataframe(path, layer=name)
        assert frame.geometry.geom_type.nunique() == 1, (path.name, name)
        for column in frame.columns.drop("geometry"):
            assert (name, column) in aliases, (path.name, name, column)


def test_every_field_of_every_tour_layer_has_a_chinese_alias(
        gpkg: tuple[Path, ServiceAccess]) -> None:
    """The coverage layers (area_code, dist_m, pop_uncovered … had none), the floating-
    catchment layers (none at all, and no township polygons) and the siting layers (none)."""
    from typer.testing import CliRunner

    from hsplan.cli import app

    path, _sa = gpkg
    _every_field_aliased(path)
    root = path.parents[2]
    result = CliRunner().invoke(app, ["access", "fca", str(root), "--supply", "beds",
                                      "--method", "e2sfca"])
    assert result.exit_code == 0, result.output
    fca = root / "outputs" / "access" / "fca_beds_e2sfca.gpkg"
    _every_field_aliased(fca)
    towns = pyogrio.read_dataframe(fca, layer="townships")
    assert len(towns) == 8 and set(towns.geom_type) == {"MultiPolygon"}
    assert _aliases(fca)[("townships", "supply_per_1k")] == "每千人口可及量"
    assert "beds per 1,000" not in result.output and "每千人口可及床位（按乡镇）" in result.output
    result = CliRunner().invoke(app, ["site", str(root), "--model", "mclp", "--facility",
                                      "乡镇卫生院", "--add", "1", "--minutes", "15"])
    assert result.exit_code == 0, result.output
    _every_field_aliased(root / "outputs" / "site" / "site_mclp.gpkg")

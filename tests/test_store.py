"""The GeoPackage store: typed round trips, metadata, and all-or-nothing writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from hsplan.errors import DataSourceError
from hsplan.region.model import Region, empty
from hsplan.region.project import Project
from hsplan.region.store import load_region, save_region

# these tests check the English text of messages (tests/test_i18n_problems.py checks the
# Chinese): run them in English
pytestmark = pytest.mark.usefixtures("english")


def _region() -> Region:
    areas = gpd.GeoDataFrame(
        {"code": ["530403", "530403100"], "name": ["江川区", "江城镇"],
         "level": ["county", "township"], "parent_code": [None, "530403"],
         "urban_rural": [None, "rural"], "area_km2": [805.9, 120.5]},
        geometry=[shapely.box(102.6, 24.1, 103.0, 24.5), shapely.box(102.7, 24.2, 102.8, 24.3)],
        crs="EPSG:4326",
    )
    facilities = gpd.GeoDataFrame(
        {"id": ["F1", "F2"], "name": ["江城镇卫生院", "某诊所"], "subtype": ["乡镇卫生院", "诊所"],
         "government_run": [True, None], "area_code": ["530403100", "530403100"],
         "departments": ["发热门诊、中医馆", None]},
        geometry=[shapely.Point(102.75, 24.25), shapely.Point(102.76, 24.26)],
        crs="EPSG:4326",
    )
    resources = pd.DataFrame({"facility_id": ["F1", "F1"], "year": [2020, 2021],
                              "beds": [40, 45], "doctors_licensed": [8, None]})
    region = Region().replace(areas=areas, facilities=facilities, resources=resources)
    region.meta.update({"county_code": "530403", "synthetic": True})
    return region


def test_round_trip_keeps_values_types_and_meta(tmp_path: Path) -> None:
    path = save_region(_region(), tmp_path / "region.gpkg")
    back = load_region(path)
    assert list(back.areas["code"]) == ["530403", "530403100"]
    assert back.areas.crs == "EPSG:4326"
    assert back.areas.geometry.iloc[1].equals(shapely.box(102.7, 24.2, 102.8, 24.3))
    assert str(back.resources["beds"].dtype) == "Int64"
    assert back.resources["beds"].tolist() == [40, 45]
    assert back.resources["doctors_licensed"].isna().tolist() == [False, True]
    assert back.facilities["government_run"].tolist()[0] is True
    assert pd.isna(back.facilities["government_run"].iloc[1])
    assert back.facilities["departments"].iloc[0] == "发热门诊、中医馆"
    assert back.meta["county_code"] == "530403"
    assert back.synthetic is True
    assert back.years == [2020, 2021]
    assert list(back.population.columns) == list(empty("population").columns)


def test_failed_write_leaves_the_store_unchanged(tmp_path: Path) -> None:
    path = save_region(_region(), tmp_path / "region.gpkg")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    bad = _region()
    bad.resources = pd.DataFrame({"facility_id": ["F1"], "year": ["not a year"]})
    with pytest.raises(ValueError):
        save_region(bad, path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["region.gpkg"]  # no temp file left


def test_missing_store_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"project store not found. Fix: run `hsplan init`"):
        load_region(tmp_path / "nothing.gpkg")


def test_project_config_round_trip(tmp_path: Path) -> None:
    proj = Project(root=tmp_path / "p", name='江川区 "示例"', county_code="530403",
                   coordinate_system="GCJ-02", synthetic=True)
    proj.write_config()
    again = Project.open(tmp_path / "p")
    assert (again.name, again.county_code, again.coordinate_system, again.synthetic) == (
        '江川区 "示例"', "530403", "GCJ-02", True)


def test_opening_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"not an hsplan project \(no hsplan.toml\)"):
        Project.open(tmp_path)


# --- the Arrow copy (fast repeated reads of machine-made stores) ------------------------


def _frames_equal(a: Region, b: Region) -> None:
    assert a.meta == b.meta
    for (name, x), (other, y) in zip(a.tables().items(), b.tables().items(), strict=True):
        assert name == other and type(x) is type(y), name
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y), check_exact=True)
        if isinstance(x, gpd.GeoDataFrame):
            assert x.crs == y.crs and x.geometry.name == y.geometry.name


def test_arrow_copy_reads_what_the_geopackage_reads(tmp_path: Path) -> None:
    from hsplan.region.example import example_project_path
    from hsplan.region.store import _read_gpkg, arrow_copy_path, write_arrow_copy

    for source in (save_region(_region(), tmp_path / "region.gpkg"),
                   example_project_path() / "region.gpkg"):
        path = tmp_path / "copy.gpkg"
        path.write_bytes(source.read_bytes())
        write_arrow_copy(path)
        assert (arrow_copy_path(path) / "areas.arrow").is_file()
        _frames_equal(load_region(path), _read_gpkg(path))


def test_arrow_copy_is_ignored_once_the_store_changes(tmp_path: Path, monkeypatch) -> None:
    from hsplan.region import store
    from hsplan.region.store import arrow_copy_path, write_arrow_copy

    path = save_region(_region(), tmp_path / "region.gpkg")
    write_arrow_copy(path)
    read_gpkg = store._read_gpkg
    calls: list[Path] = []
    monkeypatch.setattr(store, "_read_gpkg", lambda p: calls.append(p) or read_gpkg(p))
    assert load_region(path).resources["beds"].tolist() == [40, 45]
    assert calls == []  # the copy answered
    changed = _region()
    changed.resources.loc[1, "beds"] = 60
    save_region(changed, path)  # a new store (an import, an edit): the copy is stale
    assert load_region(path).resources["beds"].tolist() == [40, 60]
    assert calls == [path]
    write_arrow_copy(path)
    calls.clear()
    assert load_region(path).resources["beds"].tolist() == [40, 60]
    assert calls == []
    (arrow_copy_path(path) / "resources.arrow").write_bytes(b"not arrow")  # damaged
    assert load_region(path).resources["beds"].tolist() == [40, 60]
    assert calls == [path]  # a copy that cannot be read is only a cache: the store

"""Rebuild the bundled reference data from the shared raw data (a maintainer's script).

Not imported by hsplan and not run by the tests. Usage, from the repository root::

    .venv/bin/python scripts/build_reference_data.py /path/to/shared/data

It writes the files listed in src/hsplan/data/reference/SOURCE.md into that folder and
prints the measurements quoted there (sizes, area change of the simplified boundaries).
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj

HERE = Path(__file__).resolve().parents[1] / "src" / "hsplan" / "data" / "reference"
SIMPLIFY_TOLERANCE_DEG = 0.0005  # about 50 m
COORDINATE_DECIMALS = 5  # about 1 m

CENSUS_COLUMNS = [
    "区划代码", "省", "市", "区县",
    "人口数_合计", "人口数_男", "人口数_女", "城镇人口", "乡村人口", "城区人口",
    "家庭户数", "家庭户人口数", "户规模",
    *[f"{sex}_{band}" for band in (
        "0岁", "1到4岁", *[f"{lo}到{lo + 4}岁" for lo in range(5, 85, 5)], "85岁以上")
      for sex in ("男", "女")],
    "人口比重_0-14岁", "人口比重_15-64岁", "人口比重_65岁及以上", "人口比重_15-49岁育龄妇女",
    "户口登记地在外乡镇街道人口_本县", "户口登记地在外乡镇街道人口_本省其他县",
    "户口登记地在外乡镇街道人口_省外",
    "15-64岁妇女平均活产子女数", "15-64岁妇女平均存活子女数",
]


def _gzip_copy(src: Path, dst: Path) -> None:
    with src.open("rb") as f, gzip.GzipFile(dst, "wb", compresslevel=9, mtime=0) as out:
        shutil.copyfileobj(f, out)


def _gzip_csv(df: pd.DataFrame, dst: Path) -> None:
    with gzip.GzipFile(dst, "wb", compresslevel=9, mtime=0) as out:
        out.write(df.to_csv(index=False).encode("utf-8"))


def main(shared: Path) -> None:
    nbs = shared / "admin_divisions_nbs2023"
    for name in ("provinces.csv", "cities.csv", "areas.csv"):
        shutil.copyfile(nbs / name, HERE / f"nbs2023_{name}")
    for name in ("streets.csv", "villages_focus.csv"):
        _gzip_copy(nbs / name, HERE / f"nbs2023_{name}.gz")
    _gzip_copy(shared / "admin_divisions_mca2025" / "divisions_mca_20251231.csv",
               HERE / "mca2025_divisions.csv.gz")

    census = pd.read_csv(shared / "census2020_county" / "census_county_2020.csv",
                         dtype={"区划代码": str})
    _gzip_csv(census[CENSUS_COLUMNS], HERE / "census2020_county.csv.gz")

    raw = gpd.read_file(shared / "boundaries_county" / "tianditu_district.geojson")
    raw = raw[raw.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) & (raw["gb"] != "")]
    simple = raw[["gb", "name", "geometry"]].copy()
    simple["geometry"] = simple.geometry.simplify(SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
    tmp = HERE / "counties_tianditu.geojson"
    pyogrio.write_dataframe(simple.set_crs("EPSG:4326", allow_override=True), tmp,
                            driver="GeoJSON",
                            layer_options={"COORDINATE_PRECISION": COORDINATE_DECIMALS})
    _gzip_copy(tmp, HERE / "counties_tianditu.geojson.gz")
    tmp.unlink()

    geod = pyproj.Geod(ellps="WGS84")
    back = pyogrio.read_dataframe(f"/vsigzip/{HERE / 'counties_tianditu.geojson.gz'}")
    for gb in ("156530403", "156150603"):
        before = abs(geod.geometry_area_perimeter(raw[raw.gb == gb].geometry.iloc[0])[0]) / 1e6
        after = abs(geod.geometry_area_perimeter(back[back.gb == gb].geometry.iloc[0])[0]) / 1e6
        print(f"{gb}: {before:.3f} km² → {after:.3f} km² ({(after / before - 1) * 100:+.3f} %)")
    for path in sorted(HERE.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

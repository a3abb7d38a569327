"""A small, real-looking region for the io tests: 江川区 (530403), its 8 townships, four
facilities, two years of resources. Codes and names: NBS 2023; county polygon: 天地图
(simplified, see SOURCE.md); facility figures: illustrative values chosen by hand.

Loaded by the tests with importlib (tests/ is not a package).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pandas as pd

from hsplan.region.model import WGS84, Region
from hsplan.region.project import Project

HERE = Path(__file__).parent
POLYGON = gpd.read_file(HERE / "jiangchuan_530403.geojson").geometry.iloc[0]

# code, name, urban_rural, population 2022 (illustrative; sums to the county)
TOWNSHIPS: list[tuple[str, str, str, int]] = [
    ("530403001", "星云街道", "urban", 42_100),
    ("530403002", "宁海街道", "urban", 51_300),
    ("530403101", "江城镇", "rural", 38_200),
    ("530403102", "前卫镇", "rural", 36_900),
    ("530403103", "九溪镇", "rural", 27_400),
    ("530403104", "路居镇", "rural", 29_800),
    ("530403201", "安化彝族乡", "rural", 14_600),
    ("530403202", "雄关乡", "rural", 11_700),
]
COUNTY_POP_2022 = sum(t[3] for t in TOWNSHIPS)  # 252,000

FACILITIES: list[dict[str, Any]] = [
    {"id": "F001", "name": "江川区人民医院", "subtype": "综合医院", "category": "医院",
     "ownership": "公立", "admin_level": "县属", "grade": "二级甲等",
     "area_code": "530403002", "lon": 102.7507, "lat": 24.2871},
    {"id": "F002", "name": "江川区中医医院", "subtype": "中医医院", "category": "医院",
     "ownership": "公立", "admin_level": "县属", "grade": "二级甲等",
     "area_code": "530403001", "lon": 102.7416, "lat": 24.2935},
    {"id": "F003", "name": "江城镇卫生院", "subtype": "乡镇卫生院", "category": "基层医疗卫生机构",
     "ownership": "公立", "admin_level": "乡镇", "area_code": "530403101",
     "lon": 102.7600, "lat": 24.3300},
    {"id": "F004", "name": "前卫镇卫生院", "subtype": "乡镇卫生院",
     "category": "基层医疗卫生机构", "ownership": "公立", "admin_level": "乡镇",
     "area_code": "530403102", "lon": 102.8000, "lat": 24.2600},
]


def make_region() -> Region:
    """Return the stored region of the tests (areas, population 2022, facilities,
    resources 2021 and 2022)."""
    area_rows = [{"code": "530403", "name": "江川区", "level": "county", "parent_code": "5304",
                  "area_km2": 807.1}]
    area_rows += [{"code": c, "name": n, "level": "township", "parent_code": "530403",
                   "urban_rural": ur} for c, n, ur, _ in TOWNSHIPS]
    areas = gpd.GeoDataFrame(area_rows, geometry=[POLYGON] + [None] * len(TOWNSHIPS),
                             crs=WGS84)
    population = pd.DataFrame(
        [{"area_code": "530403", "year": 2022, "total": COUNTY_POP_2022}]
        + [{"area_code": c, "year": 2022, "total": p} for c, _, _, p in TOWNSHIPS])
    facilities = gpd.GeoDataFrame(
        [{**f, "crs": "WGS84"} for f in FACILITIES],
        geometry=gpd.points_from_xy([f["lon"] for f in FACILITIES],
                                    [f["lat"] for f in FACILITIES]), crs=WGS84)
    resources = pd.DataFrame([
        {"facility_id": fid, "year": year, "beds": beds, "staff_total": staff,
         "staff_health_tech": int(staff * 0.8), "doctors_licensed": int(staff * 0.25)}
        for year in (2021, 2022)
        for fid, beds, staff in (("F001", 500, 620), ("F002", 200, 260), ("F003", 40, 45),
                                 ("F004", 30, 38))
    ])
    utilisation = pd.DataFrame([
        {"facility_id": "F001", "year": 2022, "admissions": 24_000, "discharges": 23_900,
         "bed_days_open": 182_500, "bed_days_occupied": 160_600},
    ])
    region = Region(meta={"name": "江川区", "county_code": "530403"})
    return region.replace(areas=areas, population=population, facilities=facilities,
                          resources=resources, utilisation=utilisation)


def make_project(root: Path) -> Project:
    """Return a project in `root` holding `make_region()`."""
    project = Project(root=root, name="江川区", county_code="530403")
    project.write_config()
    project.save(make_region())
    return project


def add_rows(wb: openpyxl.Workbook, sheet: str, rows: list[dict[str, Any]]) -> None:
    """Append `rows` (header → value) to `sheet`, placing values under row-1 headers;
    headers not in the sheet are added as new columns."""
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        for header in row:
            if header not in headers:
                headers.append(header)
                ws.cell(row=1, column=len(headers), value=header)
        values = [row.get(h) for h in headers]
        ws.append(values)

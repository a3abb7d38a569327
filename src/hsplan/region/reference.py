"""National reference data bundled with hsplan: division codes, 2020 census, county boundaries.

Sources (see ``data/reference/SOURCE.md`` for origin, licence and changes):

- 国家统计局 2023 统计用区划代码 (NBS 2023): provinces, cities, counties and all
  townships (乡镇街道, 9-digit codes); villages (村居, 12-digit) for a few focus counties.
- 民政部 行政区划代码 2025-12-31 (MCA 2025): a newer province → township list, used to
  cross-check township names. MCA township codes differ from NBS ones in places; hsplan
  uses NBS codes, because the villages hang under them.
- 第七次全国人口普查 (2020) by county: totals, sex, urban/rural, 5-year age bands.
  Census rows of development zones (经济开发区, 管理区 …) have no GB/T 2260 code and are
  addressable by name only (`county`, `census` accept a name).
- 天地图 county boundaries (WGS84/CGCS2000), lightly simplified.

Codes changed between the 2020 census and the 2023 division table, so a county code may
be in one source and not another; `region_from_county` then falls back (MCA townships,
no boundary, no population) and records a warning in ``Region.meta["warnings"]`` instead
of failing. Every table is read once, on first use, and cached.
"""

from __future__ import annotations

import difflib
import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
from shapely.geometry.base import BaseGeometry

from hsplan._i18n import _
from hsplan.errors import DataSourceError
from hsplan.region import schema
from hsplan.region.model import WGS84, Region, typed

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
CENSUS_YEAR = 2020

# City names in the NBS table that are not real prefecture names (municipality districts,
# province-administered counties): the province name is shown instead.
_PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Census rows that aggregate, not counties.
_CENSUS_AGGREGATES = frozenset({"全国", "省直辖县级行政区划", "自治区直辖县级行政区划"})

TOWNSHIP_KINDS = ("street", "town", "township", "other")
URBAN_RURAL_NOTE = (
    "urban_rural of townships and villages is inferred from their names, not the NBS "
    "城乡划分代码: 街道 → urban, 镇/乡/苏木 → rural; 社区/居委会 → urban, 村 → rural; "
    "other units (开发区, 农场 …) are left empty"
)

_CENSUS_BANDS: dict[str, tuple[str, ...]] = {
    "age_00_04": ("0岁", "1到4岁"),
    **{schema.age_band_id(lo, lo + 4): (f"{lo}到{lo + 4}岁",) for lo in range(5, 85, 5)},
    "age_85p": ("85岁以上",),
}
_CENSUS_FIELDS: dict[str, str] = {
    "total": "人口数_合计",
    "male": "人口数_男",
    "female": "人口数_女",
    "urban": "城镇人口",
    "rural": "乡村人口",
    "urban_core": "城区人口",
    "households": "家庭户数",
    "household_pop": "家庭户人口数",
    "household_size": "户规模",
    "share_00_14_pct": "人口比重_0-14岁",
    "share_15_64_pct": "人口比重_15-64岁",
    "share_65p_pct": "人口比重_65岁及以上",
    "share_women_15_49_pct": "人口比重_15-49岁育龄妇女",
    "migrants_same_county": "户口登记地在外乡镇街道人口_本县",
    "migrants_other_county_in_province": "户口登记地在外乡镇街道人口_本省其他县",
    "migrants_other_province": "户口登记地在外乡镇街道人口_省外",
    "live_births_per_woman_15_64": "15-64岁妇女平均活产子女数",
    "surviving_children_per_woman_15_64": "15-64岁妇女平均存活子女数",
}


# --- public API ---------------------------------------------------------------------------


def counties(*, search: str | None = None) -> pd.DataFrame:
    """Return one row per county-level unit known to the NBS 2023 codes or the 2020 census.

    Columns: ``code`` (6-digit GB/T 2260 code; empty for census development zones, which
    have none), ``name``, ``city``, ``province``, ``census_total`` (2020 常住人口, persons,
    empty when the census has no row for the code), ``in_nbs2023`` (the code is in the NBS
    2023 table, so its townships are known), ``has_boundary`` (a bundled boundary exists).
    `search` keeps the rows whose code, name, city or province contains the text.
    """
    table = _county_table().copy()
    if search:
        text = search.strip()
        hit = pd.Series(False, index=table.index)
        for col in ("code", "name", "city", "province"):
            hit |= table[col].fillna("").str.contains(text, regex=False)
        table = table[hit].reset_index(drop=True)
    return table


def county(code: str) -> dict[str, Any]:
    """Return the facts of one county as a dict: code, name, full_name, city, province,
    city_code, census_total (persons or None), in_nbs2023, has_boundary.

    `code` is a 6-digit county code, or a county name (needed for census development zones,
    which have no code); a name must be unambiguous ("鄂尔多斯市康巴什区" or "康巴什区").
    Raises DataSourceError, with the closest known names, for an unknown code or name.
    """
    row = _county_row(code)
    city = row["city"]
    prefix = row["province"] if city in _PLACEHOLDER_CITIES or city == row["name"] else city
    return {
        "code": None if pd.isna(row["code"]) else str(row["code"]),
        "name": str(row["name"]),
        "full_name": f"{prefix}{row['name']}",
        "city": str(city),
        "province": str(row["province"]),
        "city_code": None if pd.isna(row["code"]) else str(row["code"])[:4],
        "census_total": None if pd.isna(row["census_total"]) else int(row["census_total"]),
        "in_nbs2023": bool(row["in_nbs2023"]),
        "has_boundary": bool(row["has_boundary"]),
    }


def townships(county_code: str) -> pd.DataFrame:
    """Return the township-level units (乡镇街道) of a county, one row each.

    Columns: ``code`` (NBS 2023 9-digit 统计用区划代码), ``name``, ``kind`` (street /
    town / township / other, inferred from the name: …街道, …镇, …乡 or …苏木, anything
    else such as 开发区 or 农场), ``mca_code`` (the MCA 2025 code of the unit with the same
    name in the same county, empty when no name matches), ``source`` ("NBS 2023", or
    "MCA 2025" when the NBS table does not know the county code and the MCA one does; then
    ``code`` is the MCA code). Empty when neither source lists the county.

    Notes
    -----
    NBS and MCA codes differ for the same place (江川区 安化彝族乡 = NBS 530403201,
    MCA 530403200); matching is by exact name within the county.
    """
    code = _county_code(county_code)
    streets = _nbs_streets()
    rows = streets[streets["areaCode"] == code]
    mca = _mca_divisions()
    mca_rows = mca[(mca["level"] == "4") & (mca["parent_code"] == code)]
    if len(rows):
        by_name = dict(zip(mca_rows["name"], mca_rows["code"], strict=True))
        out = pd.DataFrame({
            "code": rows["code"].to_numpy(),
            "name": rows["name"].to_numpy(),
            "mca_code": [by_name.get(n) for n in rows["name"]],
            "source": "NBS 2023",
        })
    else:
        out = pd.DataFrame({
            "code": mca_rows["code"].to_numpy(),
            "name": mca_rows["name"].to_numpy(),
            "mca_code": mca_rows["code"].to_numpy(),
            "source": "MCA 2025",
        })
    out.insert(2, "kind", [township_kind(n) for n in out["name"]])
    return out.astype({"code": "string", "name": "string", "kind": "string",
                       "mca_code": "string", "source": "string"}).reset_index(drop=True)


def villages(county_code: str) -> pd.DataFrame:
    """Return the villages and communities (村居委会) of a county, one row each.

    Columns: ``code`` (12-digit NBS 2023 code), ``name``, ``township_code`` (9-digit NBS).
    Only a few focus counties are bundled (see SOURCE.md); for the others the frame is
    empty — check `villages_bundled`.
    """
    code = _county_code(county_code)
    v = _nbs_villages()
    rows = v[v["areaCode"] == code]
    return pd.DataFrame({
        "code": rows["code"].to_numpy(),
        "name": rows["name"].to_numpy(),
        "township_code": rows["streetCode"].to_numpy(),
    }).astype("string")


def villages_bundled(county_code: str) -> bool:
    """Return True if the villages of the county are in the bundled data."""
    return bool((_nbs_villages()["areaCode"] == _county_code(county_code)).any())


def census(county: str) -> dict[str, Any]:
    """Return the 2020 census figures of a county (persons unless the key says otherwise).

    Keys: ``code`` (None for development zones), ``name``, ``year`` (2020), ``total``
    (常住人口), ``male``, ``female``, ``urban`` (城镇人口), ``rural`` (乡村人口),
    ``urban_core`` (城区人口, None where not tabulated), ``households`` (家庭户数),
    ``household_pop``, ``household_size`` (persons per household), the 5-year age bands of
    `schema.AGE_BAND_IDS` (``age_00_04`` … ``age_85p``, both sexes) and the same per sex
    (``male_age_00_04`` …, ``female_…``), age shares ``share_00_14_pct`` …, migrants
    (户口登记地在外乡镇街道人口: ``migrants_same_county``, ``…_other_county_in_province``,
    ``…_other_province``), ``live_births_per_woman_15_64`` and
    ``surviving_children_per_woman_15_64``.

    `county` is a 6-digit code or a name (development zones have no code).

    Notes
    -----
    The census tabulates age 0 and 1–4 separately; they are summed into ``age_00_04``.
    Source: 《中国人口普查分县资料2020》 via Dong, Du & Liu (2022).
    """
    row = _census_row(county)
    if row is None:
        info = _county_row(county)
        raise DataSourceError(_(
            "2020 census, county {county}: expected a census row for {name}, got none (the "
            "code is newer than the 2020 census). Fix: enter the population yourself, e.g. "
            "from the county's statistical yearbook (统计年鉴).").format(
                county=county, name=f"{info['province']}{info['name']}"))
    record = _census_record(row)
    if record["code"] is None and re.fullmatch(r"\d{6}", str(county).strip()):
        record["code"] = str(county).strip()  # a development zone coded since 2020
    return record


def county_boundary(code: str) -> BaseGeometry:
    """Return the 天地图 boundary of a county as a shapely (Multi)Polygon in WGS84 degrees.

    Raises DataSourceError when no boundary is bundled for the code (codes created or
    changed after the boundary data, and development zones).
    """
    c = _county_code(code)
    geoms = _boundary_by_code()
    if c not in geoms:
        raise DataSourceError(_(
            "county boundaries (天地图), county {county}: expected a bundled boundary, got "
            "none. Fix: import the county boundary yourself as GeoJSON or GeoPackage (WGS84)."
        ).format(county=c))
    return geoms[c]


def successor_counties(code: str) -> list[str]:
    """Return "name (code)" of NBS 2023 counties in the same city whose name starts like the
    county's old name (沙县 350427 → 沙县区 (350405)); empty when none does."""
    c = _county_code(code)
    info = county(c)
    stem = info["name"][:-1] if len(info["name"]) > 2 else info["name"]
    table = _county_table()
    # each part made plain bool: codes missing from the census are NA (pyarrow strings)
    codes = table["code"].astype("string")
    keep = (table["in_nbs2023"].fillna(False).astype(bool)
            & codes.str.startswith(c[:4]).fillna(False).astype(bool)
            & (codes != c).fillna(False).astype(bool))
    same_city = table[keep]
    return [f"{r.name} ({r.code})" for r in same_city.itertuples() if str(r.name).startswith(stem)]


def county_boundaries() -> gpd.GeoDataFrame:
    """Return every bundled county boundary: ``code`` (6 digits), ``name``, geometry
    (WGS84 (Multi)Polygons, 天地图, simplified at ~50 m)."""
    frame = _boundary_frame()
    return gpd.GeoDataFrame({"code": frame["gb"].str[3:].astype("string"),
                             "name": frame["name"].astype("string")},
                            geometry=frame.geometry.values, crs=WGS84)


def area_km2(geometry: BaseGeometry) -> float:
    """Return the geodesic area of a WGS84 (multi)polygon in km² (WGS84 ellipsoid).

    Notes
    -----
    Karney's algorithm as implemented by PROJ (`pyproj.Geod.geometry_area_perimeter`).
    """
    area_m2 = pyproj.Geod(ellps="WGS84").geometry_area_perimeter(geometry)[0]
    return abs(area_m2) / 1e6


def township_kind(name: str) -> str:
    """Return the kind of a township-level unit from its name: street, town, township or
    other (街道 / 镇 / 乡 or 苏木 / anything else)."""
    if name.endswith(("街道", "街道办事处")):
        return "street"
    if name.endswith("镇"):
        return "town"
    if name.endswith(("乡", "苏木")):
        return "township"
    return "other"


def village_urban_rural(name: str) -> str | None:
    """Return urban for a 社区/居委会, rural for a 村/村委会/嘎查, else None (inferred from
    the name; the NBS 城乡划分代码 is not bundled)."""
    if name.endswith(("社区", "居委会", "社区居委会", "居民委员会")):
        return "urban"
    if name.endswith(("村", "村委会", "村民委员会", "嘎查", "嘎查村委会")):
        return "rural"
    return None


def region_from_county(code: str) -> Region:
    """Return a new Region of one county from the bundled reference data.

    ``areas``: the county (its 天地图 boundary, ``area_km2`` geodesic, lon/lat a point on
    the surface), its townships (level township, parent = county, no geometry) and, where
    bundled, its villages (level village, parent = township). ``population``: one row, the
    county in 2020 from the census (total, male, female, urban, rural, age bands); no
    township population is invented. ``meta``: county_code, name, province, city, sources,
    notes and ``warnings`` (what was missing and the fallback taken).
    """
    info = county(code)
    c = info["code"]
    if c is None:
        raise DataSourceError(_(
            "county {code}: expected a county with a 6-digit code, got the development zone "
            "{name}, which the census lists without a code. Fix: its census figures are "
            "available with `hsplan.region.reference.census(name)`; create the project from "
            "the county that contains it.").format(code=repr(code), name=info["full_name"]))
    warnings: list[str] = []
    county_row: dict[str, Any] = {
        "code": c, "name": info["name"], "level": "county", "parent_code": info["city_code"],
    }
    geometry: BaseGeometry | None = None
    if info["has_boundary"]:
        geometry = county_boundary(c)
        point = geometry.representative_point()
        county_row.update(area_km2=round(area_km2(geometry), 3), lon=round(point.x, 6),
                          lat=round(point.y, 6), crs="WGS84")
    else:
        warnings.append(_("county {code}: no bundled boundary (天地图); the county has no "
                          "geometry and no area. Import a boundary to map it.").format(code=c))

    towns = townships(c)
    if towns.empty:
        successors = successor_counties(c)
        hint = (_(" The NBS 2023 table has {codes} in the same city: use that code to get "
                  "townships.").format(codes="、".join(successors)) if successors else "")
        warnings.append(_("county {code}: neither the NBS 2023 nor the MCA 2025 table lists "
                          "its townships (the code changed); the region has the county only."
                          "{hint}").format(code=c, hint=hint))
    elif (towns["source"] == "MCA 2025").all():
        warnings.append(_("county {code}: not in the NBS 2023 division codes; townships are "
                          "the MCA 2025 list with MCA codes (villages cannot be attached).")
                        .format(code=c))
    town_rows = pd.DataFrame({
        "code": towns["code"], "name": towns["name"], "level": "township", "parent_code": c,
        "urban_rural": towns["kind"].map({"street": "urban", "town": "rural",
                                          "township": "rural"}),
    })
    vill = villages(c)
    village_rows = pd.DataFrame({
        "code": vill["code"], "name": vill["name"], "level": "village",
        "parent_code": vill["township_code"],
        "urban_rural": [village_urban_rural(n) for n in vill["name"]],
    })
    rows = pd.concat([pd.DataFrame([county_row]), town_rows, village_rows], ignore_index=True)
    geoms = [geometry] + [None] * (len(rows) - 1)
    areas = typed(gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84), schema.AREAS)

    census_row = _census_row(c)
    if census_row is None:
        population = typed(pd.DataFrame(columns=schema.POPULATION.column_ids), schema.POPULATION)
        warnings.append(_("county {code}: no 2020 census row for this code (it is newer than "
                          "the census); the region has no population. Enter it from the "
                          "yearbook.").format(code=c))
        total = None
    else:
        record = _census_record(census_row)
        pop = {"area_code": c, "year": CENSUS_YEAR,
               **{k: record[k] for k in ("total", "male", "female", "urban", "rural")},
               **{k: record[k] for k in schema.AGE_BAND_IDS}}
        population = typed(pd.DataFrame([pop]), schema.POPULATION)
        total = record["total"]

    meta: dict[str, Any] = {
        "county_code": c,
        "name": info["full_name"],
        "province": info["province"],
        "city": info["city"],
        "census_total": total,
        "sources": [
            "国家统计局 2023年统计用区划代码 (NBS 2023)",
            "民政部 行政区划代码 2025-12-31 (MCA 2025), township name cross-check",
            "第七次全国人口普查 分县资料 2020 (population, year 2020)",
            "天地图 county boundaries (simplified)",
        ],
        "notes": [URBAN_RURAL_NOTE],
        "warnings": warnings,
    }
    if not villages_bundled(c):
        meta["notes"].append(_("villages (村居) are not bundled for this county; import them"))
    return Region(areas=areas, population=population, meta=meta)


# --- loading (lazy, cached) ---------------------------------------------------------------


def _path(name: str) -> Path:
    path = DATA_DIR / name
    if not path.exists():
        raise DataSourceError(_(
            "{path}: bundled reference data file missing. Fix: reinstall hsplan "
            "(`pip install --force-reinstall hsplan`).").format(path=path))
    return path


def _read_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    path = _path(name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return pd.read_csv(f, **kwargs)


@lru_cache(maxsize=1)
def _nbs_provinces() -> pd.DataFrame:
    return _read_csv("nbs2023_provinces.csv", dtype=str)


@lru_cache(maxsize=1)
def _nbs_cities() -> pd.DataFrame:
    return _read_csv("nbs2023_cities.csv", dtype=str)


@lru_cache(maxsize=1)
def _nbs_areas() -> pd.DataFrame:
    return _read_csv("nbs2023_areas.csv", dtype=str)


@lru_cache(maxsize=1)
def _nbs_streets() -> pd.DataFrame:
    return _read_csv("nbs2023_streets.csv.gz", dtype=str)


@lru_cache(maxsize=1)
def _nbs_villages() -> pd.DataFrame:
    return _read_csv("nbs2023_villages_focus.csv.gz", dtype=str)


@lru_cache(maxsize=1)
def _mca_divisions() -> pd.DataFrame:
    return _read_csv("mca2025_divisions.csv.gz", dtype=str)


@lru_cache(maxsize=1)
def _census_table() -> pd.DataFrame:
    return _read_csv("census2020_county.csv.gz", dtype={"区划代码": str})


@lru_cache(maxsize=1)
def _boundary_frame() -> gpd.GeoDataFrame:
    path = _path("counties_tianditu.geojson.gz")
    frame: gpd.GeoDataFrame = pyogrio.read_dataframe(f"/vsigzip/{path}")
    return frame


@lru_cache(maxsize=1)
def _boundary_by_code() -> dict[str, BaseGeometry]:
    frame = _boundary_frame()
    return {str(gb)[3:]: geom for gb, geom in zip(frame["gb"], frame.geometry, strict=True)}


@lru_cache(maxsize=1)
def _census_by_code() -> dict[str, int]:
    """Return census row positions by county code, the coded rows and the development zones
    that the NBS 2023 table has since given a code (matched by province and exact name,
    e.g. 山西转型综合改革示范区 = 140171)."""
    census_df = _census_table()
    index = {str(c): i for i, c in enumerate(census_df["区划代码"]) if isinstance(c, str)}
    provinces = dict(zip(_nbs_provinces()["code"], _nbs_provinces()["name"], strict=True))
    areas = _nbs_areas()
    nbs_by_name = {(provinces.get(p, ""), n): c for c, n, p in
                   zip(areas["code"], areas["name"], areas["provinceCode"], strict=True)}
    for i, (code, province, name) in enumerate(
            zip(census_df["区划代码"], census_df["省"], census_df["区县"], strict=True)):
        linked = nbs_by_name.get((province, name))
        if not isinstance(code, str) and linked is not None and linked not in index:
            index[linked] = i
    return index


@lru_cache(maxsize=1)
def _county_table() -> pd.DataFrame:
    provinces = dict(zip(_nbs_provinces()["code"], _nbs_provinces()["name"], strict=True))
    cities = dict(zip(_nbs_cities()["code"], _nbs_cities()["name"], strict=True))
    areas = _nbs_areas()
    census_df = _census_table()
    by_code = _census_by_code()
    linked_rows = set(by_code.values())
    boundaries = _boundary_by_code()

    nbs = pd.DataFrame({
        "code": areas["code"],
        "name": areas["name"],
        "city": [_city_name(cities.get(c, ""), provinces.get(p, ""))
                 for c, p in zip(areas["cityCode"], areas["provinceCode"], strict=True)],
        "province": [provinces.get(p, "") for p in areas["provinceCode"]],
        "in_nbs2023": True,
    })
    nbs_codes = set(nbs["code"])
    # census rows that are counties: coded, not a province (xx0000), and either not a
    # city (xxxx00) or a city without counties that the NBS or the boundaries list itself;
    # and the development zones without a code that the NBS 2023 table does not know
    code = census_df["区划代码"].fillna("")
    is_county = (
        (code != "") & ~code.str.endswith("0000")
        & (~code.str.endswith("00") | code.isin(nbs_codes) | code.isin(boundaries))
    )
    unlinked = ~pd.Series(range(len(census_df)), index=census_df.index).isin(linked_rows)
    is_zone = (code == "") & ~census_df["区县"].isin(_CENSUS_AGGREGATES) & unlinked
    extra = census_df[(is_county & ~code.isin(nbs_codes)) | is_zone]
    census_only = pd.DataFrame({
        "code": extra["区划代码"],
        "name": extra["区县"],
        "city": extra["市"],
        "province": extra["省"],
        "in_nbs2023": False,
    })
    table = pd.concat([nbs, census_only], ignore_index=True)
    totals = census_df["人口数_合计"].to_numpy()
    table["census_total"] = pd.array(
        [totals[by_code[c]] if isinstance(c, str) and c in by_code else None
         for c in table["code"]], dtype="Int64")
    zone_totals = dict(zip(zip(extra["省"], extra["区县"], strict=True), extra["人口数_合计"],
                           strict=True))
    no_code = table["code"].isna()
    table.loc[no_code, "census_total"] = [
        zone_totals[(p, n)] for p, n in zip(table.loc[no_code, "province"],
                                            table.loc[no_code, "name"], strict=True)]
    table["has_boundary"] = table["code"].isin(boundaries)
    table = table.astype({"code": "string", "name": "string", "city": "string",
                          "province": "string", "in_nbs2023": "bool"})
    table = table[["code", "name", "city", "province", "census_total", "in_nbs2023",
                   "has_boundary"]]
    return table.sort_values(["code", "province", "name"], na_position="last",
                             ignore_index=True)


def _city_name(city: str, province: str) -> str:
    return province if city in _PLACEHOLDER_CITIES or not city else city


def _county_row(query: str) -> pd.Series:
    text = str(query).strip()
    table = _county_table()
    if re.fullmatch(r"\d{6}", text):
        hit = table[table["code"] == text]
    else:
        full = table["city"].fillna("") + table["name"].fillna("")
        prov = table["province"].fillna("") + table["name"].fillna("")
        hit = table[(table["name"] == text) | (full == text) | (prov == text)]
    if len(hit) == 1:
        return hit.iloc[0]
    if len(hit) > 1:
        options = "; ".join(f"{r.code if isinstance(r.code, str) else '(no code)'} "
                            f"{r.province}{r.city}{r.name}" for r in hit.itertuples())
        raise DataSourceError(_(
            "county {text}: expected one county, got {n} with this name ({options}). Fix: "
            "give the 6-digit code or the city and name, e.g. {example}.").format(
                text=repr(text), n=len(hit), options=options,
                example=repr(f"{hit.iloc[0]['city']}{text}")))
    raise DataSourceError(_(
        "county {text}: expected a 6-digit county code or a county name from the NBS 2023 "
        "division codes or the 2020 census, got {text}. Fix: {fix}").format(
            text=repr(text), fix=_suggestion(text)))


def _suggestion(text: str) -> str:
    table = _county_table()
    if text.isdigit():
        codes = table["code"].fillna("")
        for prefix in (text[:4], text[:2]):
            near = table[codes.str.startswith(prefix)] if len(prefix) >= 2 else table.iloc[0:0]
            if not near.empty:
                shown = "、".join(f"{r.code} {r.name}" for r in near.head(10).itertuples())
                more = " …" if len(near) > 10 else ""
                return _("codes starting with {prefix}: {shown}; search with `hsplan "
                         "counties --search NAME`.").format(prefix=prefix, shown=shown + more)
        return _("search for the code with `hsplan counties --search NAME`.")
    names = [str(n) for n in table["name"].dropna().unique()]
    close = difflib.get_close_matches(text, names, n=5, cutoff=0.5)
    if close:
        options = []
        for n in close:
            for r in table[table["name"] == n].head(3).itertuples():
                code = r.code if isinstance(r.code, str) else _("no code")
                options.append(f"{r.city}{n} ({code})")
        return _("did you mean {options}? Or search with `hsplan counties --search`.").format(
            options="、".join(options))
    return _("search for the code with `hsplan counties --search NAME`.")


def _county_code(query: str) -> str:
    """Return the 6-digit code of a county given by code or name; raise if it has none."""
    text = str(query).strip()
    if re.fullmatch(r"\d{6}", text):
        return text
    row = _county_row(text)
    if pd.isna(row["code"]):
        raise DataSourceError(_(
            "county {text}: expected a county with a code, got the development zone {name}, "
            "which has none. Fix: use the county that contains it.").format(
                text=repr(text), name=f"{row['province']}{row['city']}{row['name']}"))
    return str(row["code"])


def _census_row(query: str) -> pd.Series | None:
    text = str(query).strip()
    table = _census_table()
    row = _county_row(text)  # raises for a code or name nobody knows
    if pd.isna(row["code"]):
        hit = table[table["区划代码"].isna() & (table["区县"] == row["name"])
                    & (table["省"] == row["province"])]
        return hit.iloc[0]
    position = _census_by_code().get(str(row["code"]))
    return None if position is None else table.iloc[position]


def _census_record(row: pd.Series) -> dict[str, Any]:
    def value(column: str) -> Any:
        v = row[column]
        if pd.isna(v):
            return None
        f = float(v)
        return int(f) if f.is_integer() and not column.startswith(("人口比重", "户规模", "15-64")) \
            else f

    record: dict[str, Any] = {
        "code": None if pd.isna(row["区划代码"]) else str(row["区划代码"]),
        "name": str(row["区县"]),
        "year": CENSUS_YEAR,
    }
    for key, column in _CENSUS_FIELDS.items():
        record[key] = value(column)
    for sex_key, sex in (("male", "男"), ("female", "女")):
        for band, parts in _CENSUS_BANDS.items():
            cells = [row[f"{sex}_{p}"] for p in parts]
            # a county the census table gives no ages for (南沙群岛): the bands are absent
            record[f"{sex_key}_{band}"] = None if any(pd.isna(c) for c in cells) else \
                int(sum(int(c) for c in cells))
    for band in _CENSUS_BANDS:
        male, female = record[f"male_{band}"], record[f"female_{band}"]
        record[band] = None if male is None or female is None else male + female
    return record

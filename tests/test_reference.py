"""Tests of hsplan.region.reference against the bundled NBS 2023, MCA 2025, 2020 census and 天地图
data; expected values are the figures quoted in data/reference/SOURCE.md."""

from __future__ import annotations

import pandas as pd
import pytest

from hsplan.errors import DataSourceError
from hsplan.region import reference, schema

# these tests check the English text of messages: run them in English
pytestmark = pytest.mark.usefixtures("english")


def test_counties_table() -> None:
    table = reference.counties()
    assert list(table.columns) == ["code", "name", "city", "province", "census_total",
                                   "in_nbs2023", "has_boundary"]
    assert int(table["in_nbs2023"].sum()) == 2978  # NBS 2023 areas.csv
    assert table["code"].dropna().is_unique
    row = table[table["code"] == "530403"].iloc[0]
    assert (row["name"], row["city"], row["province"], row["census_total"]) == (
        "江川区", "玉溪市", "云南省", 253295)
    # municipalities show the province, not the placeholder 市辖区
    assert table[table["code"] == "110101"].iloc[0]["city"] == "北京市"


def test_county_census_totals_add_up_to_each_province() -> None:
    """Every census county row is listed exactly once (coded, re-coded or development zone)."""
    table = reference.counties()
    raw = reference._census_table()
    provinces = raw[raw["区划代码"].fillna("").str.endswith("0000")]
    assert len(provinces) == 31
    for _, prov in provinces.iterrows():
        listed = table.loc[table["province"] == prov["省"], "census_total"].sum()
        assert listed == prov["人口数_合计"], prov["省"]


def test_coverage_of_census_counties() -> None:
    table = reference.counties()
    coded = table[table["census_total"].notna() & table["code"].notna()]
    assert len(coded) == 2982
    assert int(coded["in_nbs2023"].sum()) == 2945  # 98.8 % have NBS 2023 townships
    assert int(coded["has_boundary"].sum()) == 2830  # 94.9 % have a boundary
    assert int((coded["in_nbs2023"] & coded["has_boundary"]).sum()) == 2827


def test_counties_search() -> None:
    hits = reference.counties(search="康巴什")
    assert hits["code"].tolist() == ["150603"]
    assert set(reference.counties(search="市中区")["code"]) == {"370103", "370402", "511002",
                                                               "511102"}


def test_county_facts() -> None:
    assert reference.county("150603") == {
        "code": "150603", "name": "康巴什区", "full_name": "鄂尔多斯市康巴什区",
        "city": "鄂尔多斯市", "province": "内蒙古自治区", "city_code": "1506",
        "census_total": 118796, "in_nbs2023": True, "has_boundary": True,
    }
    assert reference.county("鄂尔多斯市康巴什区")["code"] == "150603"
    assert reference.county("110101")["full_name"] == "北京市东城区"


def test_unknown_code_message() -> None:
    with pytest.raises(DataSourceError) as info:
        reference.county("530499")
    assert str(info.value) == (
        "county '530499': expected a 6-digit county code or a county name from the NBS 2023 "
        "division codes or the 2020 census, got '530499'. Fix: codes starting with 5304: "
        "530402 红塔区、530403 江川区、530423 通海县、530424 华宁县、530425 易门县、"
        "530426 峨山彝族自治县、530427 新平彝族傣族自治县、530428 元江哈尼族彝族傣族自治县、"
        "530481 澄江市; "
        "search with `hsplan counties --search NAME`."
    )


def test_unknown_code_without_neighbours() -> None:
    with pytest.raises(DataSourceError, match=r"got '990101'\. Fix: search for the code with "):
        reference.county("990101")


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(DataSourceError, match=r"Fix: did you mean 鄂尔多斯市康巴什区 \(150603\)"):
        reference.county("康巴什")


def test_ambiguous_name_lists_candidates() -> None:
    with pytest.raises(DataSourceError) as info:
        reference.county("市中区")
    assert str(info.value) == (
        "county '市中区': expected one county, got 4 with this name (370103 山东省济南市市中区; "
        "370402 山东省枣庄市市中区; 511002 四川省内江市市中区; 511102 四川省乐山市市中区). "
        "Fix: give the 6-digit code or the city and name, e.g. '济南市市中区'."
    )


def test_townships_nbs_codes_with_mca_cross_check() -> None:
    towns = reference.townships("530403")
    assert towns[["code", "name", "kind", "mca_code"]].values.tolist() == [
        ["530403001", "星云街道", "street", "530403001"],
        ["530403002", "宁海街道", "street", "530403002"],
        ["530403101", "江城镇", "town", "530403101"],
        ["530403102", "前卫镇", "town", "530403102"],
        ["530403103", "九溪镇", "town", "530403103"],
        ["530403104", "路居镇", "town", "530403104"],
        ["530403201", "安化彝族乡", "township", "530403200"],  # NBS ≠ MCA code
        ["530403202", "雄关乡", "township", "530403201"],
    ]
    assert set(towns["source"]) == {"NBS 2023"}


def test_townships_of_kangbashi() -> None:
    towns = reference.townships("150603")
    assert towns["kind"].tolist() == ["street"] * 4 + ["other"]
    assert towns["name"].iloc[-1] == "鄂尔多斯市高新技术产业园区"
    assert pd.isna(towns["mca_code"].iloc[-1])  # the zone is not an MCA unit
    assert towns["mca_code"].iloc[3] == "150603004"  # 康新街道: NBS 150603008


def test_townships_fall_back_to_mca() -> None:
    towns = reference.townships("620200")  # 嘉峪关市: census/boundary code, not NBS 2023
    assert len(towns) == 6 and set(towns["source"]) == {"MCA 2025"}
    assert (towns["code"] == towns["mca_code"]).all()


@pytest.mark.parametrize(("name", "kind"), [
    ("星云街道", "street"), ("江城镇", "town"), ("安化彝族乡", "township"),
    ("巴彦淖尔苏木", "township"), ("鄂尔多斯市高新技术产业园区", "other"),
])
def test_township_kind(name: str, kind: str) -> None:
    assert reference.township_kind(name) == kind


def test_villages() -> None:
    v = reference.villages("530403")
    assert len(v) == 76
    assert v["code"].str.len().eq(12).all()
    assert set(v["township_code"]) <= set(reference.townships("530403")["code"])
    assert len(reference.villages("150603")) == 20
    assert reference.villages("110101").empty and not reference.villages_bundled("110101")


def test_census_of_jiangchuan() -> None:
    c = reference.census("530403")
    assert (c["code"], c["name"], c["year"]) == ("530403", "江川区", 2020)
    assert (c["total"], c["male"], c["female"], c["urban"], c["rural"]) == (
        253295, 129586, 123709, 122617, 130678)
    assert sum(c[band] for band in schema.AGE_BAND_IDS) == 253295
    assert all(c[b] == c[f"male_{b}"] + c[f"female_{b}"] for b in schema.AGE_BAND_IDS)
    assert c["household_size"] == 2.93 and c["urban_core"] is None


def test_census_merges_age_0_and_1_to_4() -> None:
    c = reference.census("150603")
    raw = reference._census_table().set_index("区划代码")
    parts = ["男_0岁", "女_0岁", "男_1到4岁", "女_1到4岁"]
    assert c["age_00_04"] == 8504 == raw.loc[["150603"], parts].to_numpy().sum()
    assert c["age_85p"] == 319
    assert (c["urban"], c["rural"]) == (118796, 0)


def test_census_of_development_zones() -> None:
    zone = reference.census("温州经济技术开发区")  # no code in the census nor in NBS 2023
    assert (zone["code"], zone["total"]) == (None, 249343)
    coded = reference.census("140171")  # coded by NBS since: matched by name
    assert (coded["code"], coded["name"], coded["total"]) == ("140171", "山西转型综合改革示范区",
                                                             258826)


def test_census_missing_for_new_code() -> None:
    new = reference.counties()
    new = new[new["in_nbs2023"] & new["census_total"].isna()]
    code = str(new["code"].iloc[0])
    with pytest.raises(DataSourceError, match=rf"^2020 census, county {code}: expected a census "
                       "row for .*, got none"):
        reference.census(code)


def test_county_boundary_area() -> None:
    # geodesic areas of the unsimplified 天地图 polygons: 805.887 and 372.946 km²
    assert reference.area_km2(reference.county_boundary("530403")) == pytest.approx(805.88,
                                                                                    abs=0.05)
    assert reference.area_km2(reference.county_boundary("150603")) == pytest.approx(372.95,
                                                                                    abs=0.05)


def test_county_boundary_missing_message() -> None:
    with pytest.raises(DataSourceError) as info:
        reference.county_boundary("350427")
    assert str(info.value) == (
        "county boundaries (天地图), county 350427: expected a bundled boundary, got none. "
        "Fix: import the county boundary yourself as GeoJSON or GeoPackage (WGS84)."
    )


def test_region_from_county_fallbacks_warn() -> None:
    region = reference.region_from_county("350427")  # 沙县, now 沙县区 350405
    assert region.areas["level"].tolist() == ["county"]
    assert int(region.population["total"].iloc[0]) == 250503
    assert region.meta["warnings"] == [
        "county 350427: no bundled boundary (天地图); the county has no geometry and no area. "
        "Import a boundary to map it.",
        "county 350427: neither the NBS 2023 nor the MCA 2025 table lists its townships (the "
        "code changed); the region has the county only. The NBS 2023 table has 沙县区 (350405) "
        "in the same city: use that code to get townships.",
    ]


def test_region_from_development_zone_name_is_refused() -> None:
    with pytest.raises(DataSourceError, match="got the development zone 温州市温州经济技术开发区"):
        reference.region_from_county("温州经济技术开发区")

"""Access to care: floating catchments against PySAL ``access`` and a hand-checked toy,
coverage and its summaries, and the project path on a copy of the example (江川区)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.access.catchments import (
    E2SFCA_STEPS,
    access_by_area,
    enhanced_two_step_fca,
    floating_catchment,
    gaussian_two_step_fca,
    gaussian_weight,
    step_weight,
    two_step_fca,
)
from hsplan.access.coverage import (
    coverage,
    coverage_status,
    coverage_summary,
    uncovered_points,
)
from hsplan.access.service import ServiceAccess
from hsplan.access.traveltimes import od_matrix
from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.region import schema
from hsplan.region.example import copy_example
from hsplan.region.model import Region
from hsplan.region.project import Project

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = [pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning",
                                         "ignore:The inplace keyword"),
              pytest.mark.usefixtures("english")]

DATA = Path(__file__).parent / "data" / "access"


# --- the 3-zone toy of PySAL access (tests/data/access/SOURCE.md) -------------------------


def _toy(scenario: int) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    loc = pd.read_csv(DATA / "locations.csv").set_index("geoid")
    costs = pd.read_csv(DATA / "costs.csv")
    # access measures cost origin → dest as demand → supply: origin is the demand point.
    od = costs[costs["scenario"] == scenario].rename(
        columns={"origin": "demand", "dest": "supply", "cost_min": "travel_min"})
    return od[["demand", "supply", "travel_min"]], loc["pop"], loc["doc"]


@pytest.mark.parametrize("scenario", [0, 1, 2, 3])
def test_toy_equals_access_package_values(scenario: int) -> None:
    expected = pd.read_csv(DATA / "expected_access_pkg_1.1.10.csv")
    expected = expected[expected["scenario"] == scenario].set_index("geoid")
    od, pop, doc = _toy(scenario)
    binary = two_step_fca(od, pop, doc, max_min=61).set_index("demand")
    gravity = floating_catchment(od, pop, doc, weight=lambda t: 1.0 / t,
                                 max_min=61).set_index("demand")
    np.testing.assert_allclose(binary["supply_per_person"],
                               expected["access_2sfca_binary_max61"], rtol=1e-12)
    np.testing.assert_allclose(gravity["supply_per_person"],
                               expected["access_2sfca_gravity_inv_cost_max61"], rtol=1e-12)


def test_toy_binary_2sfca_by_hand_and_supply_ratios() -> None:
    od, pop, doc = _toy(0)
    result = two_step_fca(od, pop, doc, max_min=61)
    ratio = result.attrs["supply_ratio"]
    # R1 = 15/(100+10), R2 = 20/(50+10), R3 = 100/(100+50+10)  (SOURCE.md)
    np.testing.assert_allclose(ratio.loc[[1, 2, 3]], [15 / 110, 20 / 60, 100 / 160])
    assert result["supply_per_1k"].round(3).tolist() == [761.364, 958.333, 1094.697]
    assert result["supply_points"].tolist() == [2, 2, 3]
    # conservation: Σ P_i A_i = all supply (every supply point has demand in reach)
    assert (result["pop"] * result["supply_per_person"]).sum() == pytest.approx(135.0)


def test_matrix_input_equals_long_input() -> None:
    od, pop, doc = _toy(1)
    matrix = od.pivot(index="demand", columns="supply", values="travel_min")
    long = enhanced_two_step_fca(od, pop, doc, steps=[(20, 1.0), (40, 0.5)])
    wide = enhanced_two_step_fca(matrix, pop, doc, steps=[(20, 1.0), (40, 0.5)])
    array = enhanced_two_step_fca(matrix.to_numpy(), pop.to_numpy(), doc.to_numpy(),
                                  steps=[(20, 1.0), (40, 0.5)])
    np.testing.assert_allclose(long["supply_per_person"], wide["supply_per_person"])
    np.testing.assert_allclose(long["supply_per_person"], array["supply_per_person"])
    # zone 3 (10 people, 100 doctors, all within 40 min) by hand:
    # R1 = 15/(100 + 10·0.5), R2 = 20/(50 + 10·0.5), R3 = 100/(100·1 + 50·1 + 10·1)
    r1, r2, r3 = 15 / 105, 20 / 55, 100 / 160
    assert long["supply_per_person"].iloc[2] == pytest.approx(0.5 * r1 + 0.5 * r2 + r3)


# --- weights --------------------------------------------------------------------------------


def test_step_weights_are_luo_qi_zones_with_inclusive_bounds() -> None:
    w = step_weight(E2SFCA_STEPS)
    times = np.array([0.0, 10.0, 10.01, 20.0, 25.0, 30.0, 30.01])
    assert w(times).tolist() == [1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0]


def test_gaussian_weight_follows_dai_2010() -> None:
    w = gaussian_weight(30.0)
    values = w(np.array([0.0, 15.0, 30.0, 31.0]))
    floor = np.exp(-0.5)
    assert values[0] == pytest.approx(1.0)
    assert values[1] == pytest.approx((np.exp(-0.125) - floor) / (1 - floor))
    assert values[2] == pytest.approx(0.0, abs=1e-15) and values[3] == 0.0


# --- against PySAL access on a seeded 300 × 40 case ----------------------------------------


def _generated(seed: int = 7, n_demand: int = 300, n_supply: int = 40
               ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 60, size=(n_demand, 2))  # km
    supply_xy = rng.uniform(0, 60, size=(n_supply, 2))
    dist_km = np.hypot(*(demand_xy[:, None, :] - supply_xy[None, :, :]).transpose(2, 0, 1))
    minutes = dist_km * rng.uniform(1.2, 2.0, size=dist_km.shape) + 1.0
    d_ids = [f"D{k:03d}" for k in range(n_demand)]
    s_ids = [f"S{k:02d}" for k in range(n_supply)]
    od = pd.DataFrame({"demand": np.repeat(d_ids, n_supply), "supply": np.tile(s_ids, n_demand),
                       "travel_min": minutes.ravel()})
    pop = pd.Series(rng.integers(200, 5000, n_demand), index=d_ids, dtype=float)
    beds = pd.Series(rng.integers(5, 400, n_supply), index=s_ids, dtype=float)
    return od, pop, beds


def _pysal(od: pd.DataFrame, pop: pd.Series, beds: pd.Series) -> object:
    import access
    return access.Access(
        demand_df=pop.rename("pop").rename_axis("geoid").reset_index(), demand_index="geoid",
        demand_value="pop",
        supply_df=beds.rename("beds").rename_axis("geoid").reset_index(), supply_index="geoid",
        supply_value="beds",
        cost_df=od.rename(columns={"demand": "origin", "supply": "dest", "travel_min": "cost"}),
        cost_origin="origin", cost_dest="dest", cost_name="cost")


def test_two_step_fca_equals_pysal_access() -> None:
    od, pop, beds = _generated()
    oracle = _pysal(od, pop, beds)
    expected = oracle.two_stage_fca(max_cost=30)["2sfca_beds"]  # type: ignore[attr-defined]
    ours = two_step_fca(od, pop, beds, max_min=30).set_index("demand")["supply_per_person"]
    np.testing.assert_allclose(ours, expected.reindex(ours.index).fillna(0.0), rtol=1e-10)
    assert ours.gt(0).sum() > 250  # the case is not trivially empty


def test_enhanced_two_step_fca_equals_pysal_access() -> None:
    od, pop, beds = _generated()
    oracle = _pysal(od, pop, beds)
    expected = oracle.enhanced_two_stage_fca()["e2sfca_beds"]  # type: ignore[attr-defined]
    ours = enhanced_two_step_fca(od, pop, beds).set_index("demand")["supply_per_person"]
    np.testing.assert_allclose(ours, expected.reindex(ours.index).fillna(0.0), rtol=1e-10)


def test_gaussian_two_step_fca_equals_pysal_access_with_dai_weight() -> None:
    od, pop, beds = _generated()
    oracle = _pysal(od, pop, beds)
    floor = np.exp(-0.5)

    # written out independently of hsplan.access.catchments.gaussian_weight
    def dai(t: float) -> float:
        return float((np.exp(-0.5 * (t / 25.0) ** 2) - floor) / (1 - floor))

    expected = oracle.two_stage_fca(name="g2sfca", max_cost=25,  # type: ignore[attr-defined]
                                    weight_fn=dai)["g2sfca_beds"]
    ours = gaussian_two_step_fca(od, pop, beds, max_min=25).set_index("demand")
    np.testing.assert_allclose(ours["supply_per_person"],
                               expected.reindex(ours.index).fillna(0.0), rtol=1e-10)


def test_access_by_area_is_population_weighted() -> None:
    od, pop, beds = _generated()
    fca = two_step_fca(od, pop, beds, max_min=30)
    area_of = pd.Series([f"A{int(k[1:]) % 3}" for k in pop.index], index=pop.index)
    by_area = access_by_area(fca, area_of).set_index("area")
    part = fca[fca["demand"].map(area_of) == "A1"]
    expected = (part["pop"] * part["supply_per_person"]).sum() / part["pop"].sum()
    assert by_area.loc["A1", "supply_per_person"] == pytest.approx(expected)
    assert by_area["pop"].sum() == pytest.approx(pop.sum())
    assert by_area["points"].sum() == 300


# --- input errors ------------------------------------------------------------------------


def test_bad_od_rows_are_reported_together() -> None:
    od, pop, doc = _toy(0)
    od = od.reset_index(drop=True)
    od.loc[1, "travel_min"] = -5
    od.loc[2, "demand"] = 9
    with pytest.raises(ValidationError) as info:
        two_step_fca(od, pop, doc, max_min=61)
    messages = [str(p) for p in info.value.errors]
    assert messages == [
        "sheet od, row 3, column demand: unknown demand point: expected an id of pop, "
        "got '9'. Fix: give pop a value for every demand id in od",
        "sheet od, row 2, column travel_min: travel time: expected minutes ≥ 0 (NaN or inf "
        "for unreachable), got '-5'. Fix: compute travel times demand → supply in minutes",
    ]


def test_negative_supply_and_bad_catchment_are_errors() -> None:
    od, pop, doc = _toy(0)
    doc = doc.where(doc.index != 2, -1)
    with pytest.raises(ValidationError) as info:
        two_step_fca(od, pop, doc, max_min=0)
    assert [str(p) for p in info.value.errors] == [
        "max_min: expected a number of minutes > 0, got '0'. Fix: pass max_min=30, say",
    ]
    with pytest.raises(ValidationError) as info:
        two_step_fca(od, pop, doc, max_min=30)
    assert [str(p) for p in info.value.errors] == [
        "sheet supply, row 2, column supply: supply of 2: expected a number ≥ 0, got '-1'. "
        "Fix: give every supply as a number ≥ 0",
    ]


@pytest.mark.parametrize("shuffle", [False, True])
def test_repeated_pairs_are_named_whatever_the_row_order(shuffle: bool) -> None:
    od, pop, beds = _generated(n_demand=30, n_supply=8)
    again = od.iloc[[5, 100, 5]].assign(travel_min=[1.0, 2.0, 3.0])
    od = pd.concat([od, again], ignore_index=True)
    if shuffle:
        od = od.sample(frac=1.0, random_state=3).reset_index(drop=True)
    with pytest.raises(ValidationError) as info:
        two_step_fca(od, pop, beds, max_min=30)
    repeated = [p for p in info.value.errors if "repeated" in str(p)]
    # each of the three extra rows is named once, at its own row (the first stays valid)
    assert len(repeated) == 3
    rows = [int(str(p).split("row ")[1].split(",")[0]) - 1 for p in repeated]
    keys = list(zip(od["demand"], od["supply"], strict=True))
    for r in rows:
        assert keys[r] in keys[:r]
    assert sorted(rows) == rows


def test_repeated_pairs_among_many_cells_are_found_by_sorting() -> None:
    pop = pd.Series(1.0, index=[f"D{k}" for k in range(3000)])
    beds = pd.Series(1.0, index=[f"S{k}" for k in range(3000)])  # 9 M cells, 4 rows
    od = pd.DataFrame({"demand": ["D9", "D1", "D9", "D2"], "supply": ["S7", "S1", "S7", "S2"],
                       "travel_min": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValidationError) as info:
        two_step_fca(od, pop, beds, max_min=30)
    assert [str(p) for p in info.value.errors] == [
        "sheet od, row 3, column supply: repeated demand–supply pair: expected each pair once, "
        "got 'D9 → S7'. Fix: keep the shortest time of each pair"]


def test_categorical_and_missing_ids_in_the_od_table() -> None:
    od, pop, beds = _generated(n_demand=50, n_supply=6)
    plain = two_step_fca(od, pop, beds, max_min=30)
    cat = od.astype({"demand": "category", "supply": "category"})
    pd.testing.assert_frame_equal(two_step_fca(cat, pop, beds, max_min=30), plain)
    od.loc[4, "demand"] = None
    with pytest.raises(ValidationError) as info:
        two_step_fca(od, pop, beds, max_min=30)
    assert [str(p).split(":")[0] for p in info.value.errors] == ["sheet od, row 5, column demand"]


# --- coverage ------------------------------------------------------------------------------


def _points() -> pd.DataFrame:
    return pd.DataFrame({
        "area_code": ["V1", "V2", "V3", "V4", "V5"],
        "name": ["甲村", "乙村", "丙社区", "丁村", "戊村"],
        "township_code": ["T1", "T1", "T2", "T2", "T2"],
        "township_name": ["一镇", "一镇", "二街道", "二街道", "二街道"],
        "urban_rural": ["rural", "rural", "urban", "rural", "rural"],
        "pop": [1000, 2000, 3000, 400, 600],
        "travel_min": [5.0, 22.0, 14.9, np.inf, 31.0],
        "dist_m": [3000.0, 15000.0, 9000.0, np.nan, 4000.0],
        "reachable": [True, True, True, False, True],
    })


def test_coverage_by_minutes_km_either_and_both() -> None:
    pts = _points()
    assert coverage(pts, minutes=15)["covered"].tolist() == [True, False, True, False, False]
    assert coverage(pts, distance_km=5)["covered"].tolist() == [True, False, False, False, True]
    either = coverage(pts, minutes=15, distance_km=5)
    assert either["covered"].tolist() == [True, False, True, False, True]
    both = coverage(pts, minutes=15, distance_km=5, combine="both")
    assert both["covered"].tolist() == [True, False, False, False, False]
    per_row = coverage(pts, minutes=[15, 30, 15, 30, 30])  # urban 15, rural 30
    assert per_row["covered"].tolist() == [True, True, True, False, False]
    assert per_row["reachable"].tolist() == [True, True, True, False, True]


def test_coverage_needs_a_threshold() -> None:
    with pytest.raises(ValidationError) as info:
        coverage(_points())
    assert [str(p) for p in info.value.errors] == [
        "service circle: expected minutes or distance_km, got 'neither'. "
        "Fix: pass minutes=15 or distance_km=5, say"]


def test_status_and_summary_add_up_to_the_population() -> None:
    cov = coverage(_points(), minutes=15)
    status = coverage_status(cov).set_index("status")
    assert status["pop"].to_dict() == {"covered": 4000.0, "uncovered": 2600.0,
                                       "unreachable": 400.0, "total": 7000.0}
    assert status.loc[["covered", "uncovered", "unreachable"], "pop"].sum() == 7000.0
    summary = coverage_summary(cov)
    assert summary["group"].tolist() == ["township", "township", "urban_rural", "urban_rural",
                                         "total"]
    assert summary["name"].tolist() == ["一镇", "二街道", "城镇", "农村", "合计"]
    total = summary.iloc[-1]
    assert (total["pop"], total["pop_covered"], total["pop_uncovered"],
            total["pop_unreachable"]) == (7000.0, 4000.0, 2600.0, 400.0)
    assert total["covered_pct"] == pytest.approx(4000 / 7000 * 100)
    towns = summary[summary["group"] == "township"]
    assert towns["pop"].sum() == 7000.0 and towns["pop_unreachable"].tolist() == [0.0, 400.0]
    rural = summary.set_index("code").loc["rural"]
    assert (rural["pop"], rural["pop_covered"]) == (4000.0, 1000.0)
    lost = uncovered_points(cov)
    assert lost["name"].tolist() == ["乙村", "戊村", "丁村"]
    assert lost["reason"].tolist() == ["超出服务圈", "超出服务圈", "不可达"]


# --- the project path on a copy of the example (江川区, synthetic) --------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_example(tmp_path_factory.mktemp("access") / "jiangchuan")


@pytest.fixture(scope="module")
def sa(example: Project) -> ServiceAccess:
    return ServiceAccess.from_project(example)


def _village_pop(region: Region, year: int) -> pd.Series:
    villages = region.areas[region.areas["level"] == "village"]["code"]
    pop = region.population
    return pop[(pop["year"] == year) & pop["area_code"].isin(villages)].set_index(
        "area_code")["total"]


def test_demand_points_are_the_villages_with_their_population(sa: ServiceAccess) -> None:
    assert (sa.demand_level, sa.year, len(sa.points)) == ("village", 2023, 76)
    assert sa.network().kind == "roads"
    expected = _village_pop(sa.region, 2023)
    assert sa.points.set_index("area_code")["pop"].to_dict() == expected.to_dict()
    towns = sa.region.population
    county = towns[(towns["year"] == 2023) & (towns["area_code"] == "530403")]["total"]
    assert int(sa.points["pop"].sum()) == int(county.iloc[0])


def test_primary_care_15_minutes_equals_the_od_matrix_and_adds_up(sa: ServiceAccess) -> None:
    selector = {"subtype": ["乡镇卫生院", "中心乡镇卫生院", "社区卫生服务中心"]}
    cov = sa.coverage(selector, minutes=15)
    assert list(cov.columns[:9]) == ["area_code", "name", "level", "township_code",
                                     "township_name", "urban_rural", "pop", "travel_min",
                                     "dist_m"]
    assert {"covered", "reachable"} <= set(cov.columns)
    facs = sa.facilities(selector)
    assert sorted(facs["id"]) == ["T001", "T002", "T003", "T004", "T005", "T006", "T007",
                                  "T008"]
    # oracle: the full OD matrix (Dijkstra per origin), minimum over facilities
    od = od_matrix(sa.network(), sa.points.geometry, facs.geometry)
    nearest = od.groupby("origin")["travel_min"].min().reindex(range(len(cov)))
    np.testing.assert_allclose(cov["travel_min"], nearest, rtol=1e-9)
    assert cov["covered"].tolist() == (nearest <= 15).tolist()
    summary = coverage_summary(cov)
    total = summary[summary["group"] == "total"].iloc[0]
    assert total["pop"] == int(sa.points["pop"].sum())
    assert total["pop_covered"] == int(cov.loc[nearest.to_numpy() <= 15, "pop"].sum())
    towns = summary[summary["group"] == "township"]
    assert len(towns) == 8 and towns["pop"].sum() == total["pop"]
    assert (towns["pop_covered"] + towns["pop_uncovered"] + towns["pop_unreachable"]).equals(
        towns["pop"])
    ur = summary[summary["group"] == "urban_rural"]
    assert ur["name"].tolist() == ["城镇", "农村"] and ur["pop"].sum() == total["pop"]
    outside = uncovered_points(cov)
    assert len(outside) == int((nearest > 15).sum()) > 0
    assert outside["pop"].is_monotonic_decreasing


def test_plan_selector_for_all_primary_care(sa: ServiceAccess) -> None:
    cov = sa.coverage({"category": "基层医疗卫生机构"}, minutes=15)
    assert cov.attrs["facility"] == "category in 基层医疗卫生机构"
    primary = sa.region.facilities["category"] == "基层医疗卫生机构"
    assert cov.attrs["facilities"] == int(primary.sum())
    assert coverage_status(cov)["status"].tolist() == ["covered", "uncovered", "unreachable",
                                                       "total"]


def test_ambulance_norms_by_urban_rural(sa: ServiceAccess) -> None:
    bases = sa.ambulance_bases()
    res = sa.region.resources
    with_amb = res[(res["year"] == 2023) & (res["ambulances"] > 0)]["facility_id"]
    assert sorted(bases["id"]) == sorted(with_amb) == ["H001", "H002", "P003", "T005"]
    cov = sa.ambulance_coverage()
    urban = cov["urban_rural"] == "urban"
    d = cov["dist_m"]
    # no plan: the national radius (城市 5 km, 农村 20 km; NN30/NN31 of national-norms)
    expected = np.where(urban, d <= 5000, d <= 20000) & cov["reachable"]
    assert cov["covered"].tolist() == expected.tolist()
    assert cov.loc[urban, "threshold_km"].eq(5).all()
    assert cov.loc[~urban, "threshold_km"].eq(20).all()
    pop = coverage_summary(cov).set_index("code")["pop"].astype(int).to_dict()
    assert pop["total"] == int(sa.points["pop"].sum()) == pop["urban"] + pop["rural"]


def test_unreachable_population_is_reported_not_dropped(example: Project) -> None:
    from scipy.sparse.csgraph import connected_components

    from hsplan.access.network import network_from_roads
    from hsplan.access.traveltimes import snap_points

    roads = gpd.read_file(example.root / "roads.gpkg", layer="roads")
    # keep only roads inside one township: each township becomes its own island
    local = roads[roads["from_code"].str[:9] == roads["to_code"].str[:9]]
    network = network_from_roads(local, largest_component=False)
    model = ServiceAccess(example.load(), network)
    base = model.facilities("乡镇卫生院")
    base = base[base["name"] == "江川区雄关乡卫生院"]
    cov = model.coverage(base, minutes=600)
    # oracle: a village is reachable iff its node is in the facility node's component
    _, label = connected_components(network.graph, directed=True, connection="strong")
    village_nodes = snap_points(network, model.points.geometry)["node"].to_numpy()
    fac_node = snap_points(network, base.geometry)["node"].iloc[0]
    expected = label[village_nodes] == label[fac_node]
    assert cov["reachable"].tolist() == expected.tolist()
    assert 0 < expected.sum() < len(expected)
    pop = coverage_status(cov).set_index("status")["pop"].astype(int).to_dict()
    assert pop["unreachable"] == int(cov.loc[~expected, "pop"].sum())
    assert pop["covered"] + pop["uncovered"] + pop["unreachable"] == pop["total"] \
        == int(model.points["pop"].sum())
    assert set(uncovered_points(cov)["reason"]) == {"不可达"}


def test_no_facility_of_the_kind_means_nobody_is_covered(sa: ServiceAccess) -> None:
    cov = sa.coverage("托育机构", minutes=15)
    assert cov.attrs["facilities"] == 0
    pop = coverage_status(cov).set_index("status")["pop"].astype(int).to_dict()
    assert pop["unreachable"] == pop["total"] > 0


def test_bad_selector_is_one_error_with_every_problem(sa: ServiceAccess) -> None:
    with pytest.raises(ValidationError) as info:
        sa.coverage({"subtype": "卫生所", "grade": "二级"}, minutes=15)
    assert [str(p) for p in info.value.errors] == [
        "facility selector, field 'grade': expected one of subtype, category, ownership, "
        "government_run, admin_level, grade_min, got 'grade'. "
        "Fix: see docs/plan-format.md, facility selectors",
        "facility selector, subtype: expected one of " + "、".join(schema.FACILITY_SUBTYPES)
        + ", got '卫生所'. Fix: use a subtype (机构类型) of docs/schema.md",
    ]


def test_straight_line_model_without_roads(tmp_path: Path) -> None:
    from pyproj import Geod

    project = copy_example(tmp_path / "p")
    (project.root / "roads.gpkg").unlink()
    model = ServiceAccess.from_project(project)
    assert model.network().kind == "straight-line"
    cov = model.coverage("乡镇卫生院", distance_km=10)
    assert cov.attrs["network"].startswith("straight-line model (straight distance × ")
    facs = model.facilities("乡镇卫生院").set_index("id")
    pts = model.points
    geod = Geod(ellps="WGS84")
    for k in (0, 30, 60):
        fac = facs.loc[cov["facility_id"].iloc[k]].geometry
        _, _, metres = geod.inv(pts.geometry.x.iloc[k], pts.geometry.y.iloc[k], fac.x, fac.y)
        assert cov["dist_m"].iloc[k] == pytest.approx(metres * 1.3, rel=2e-3)
        assert cov["travel_min"].iloc[k] == pytest.approx(cov["dist_m"].iloc[k] / 500.0)
    assert cov["covered"].tolist() == (cov["dist_m"] <= 10_000).tolist()


def test_walking_takes_longer_than_driving(sa: ServiceAccess) -> None:
    drive = sa.coverage("乡镇卫生院", minutes=15)
    walk = sa.coverage("乡镇卫生院", minutes=15, mode="walk")
    assert (walk["travel_min"] > drive["travel_min"]).all()
    assert walk["covered"].sum() < drive["covered"].sum()


def test_isochrones_are_nested_and_contain_the_covered_villages(sa: ServiceAccess) -> None:
    facs = sa.facilities("乡镇卫生院")
    bands = sa.isochrones(facs, [5, 15, 30])
    assert bands["minutes"].tolist() == [5.0, 15.0, 30.0]
    assert bands["area_km2"].is_monotonic_increasing
    inner, outer = bands.geometry.iloc[0], bands.geometry.iloc[2]
    assert inner.difference(outer).area < 1e-4 * inner.area  # nested up to arc rounding
    cov = sa.coverage(facs, minutes=15)
    on_roads = sa.points[cov["covered"].to_numpy() & (cov["travel_min"] < 14).to_numpy()]
    assert on_roads.within(bands.geometry.iloc[1]).mean() > 0.9


def test_fca_on_the_project_conserves_supply(sa: ServiceAccess) -> None:
    result = sa.fca("doctors", method="2sfca", max_min=120)
    res = sa.region.resources
    res = res[res["year"] == 2023]
    doctors = float((res["doctors_licensed"].fillna(0) + res["doctors_assistant"].fillna(0))
                    .sum())
    assert result.attrs["supply_total"] == doctors
    # everyone within 2 hours of every facility: access = county doctors per 1,000
    assert result["in_catchment"].all()
    expected = doctors / sa.points["pop"].sum() * 1000
    np.testing.assert_allclose(result["supply_per_1k"], expected, rtol=1e-9)
    total = result.attrs["total"].iloc[0]
    assert total["supply_per_1k"] == pytest.approx(expected)


# --- outputs and the CLI ------------------------------------------------------------------


def test_cli_coverage_writes_tables_gpkg_and_map(example: Project, tmp_path: Path,
                                                 chinese: None) -> None:
    import pyogrio

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["access", "coverage", str(example.root), "--subtype",
                                      "乡镇卫生院", "--subtype", "中心乡镇卫生院", "--minutes",
                                      "15", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "合计" in result.output and "服务圈外村居" in result.output
    layers = sorted(str(r[0]) for r in pyogrio.list_layers(out / "coverage.gpkg"))
    assert layers == ["demand_points", "facilities", "isochrones", "townships"]
    points = gpd.read_file(out / "coverage.gpkg", layer="demand_points")
    assert {"travel_min", "covered", "reachable", "pop"} <= set(points.columns)
    assert len(points) == 76
    summary = pd.read_csv(out / "coverage_summary.csv", encoding="utf-8-sig")
    total = summary[summary["group"] == "total"].iloc[0]
    assert total["pop"] == int(points["pop"].sum())
    assert (out / "coverage_map.png").stat().st_size > 50_000
    outside = points[~points["covered"]]
    listed = CliRunner().invoke(app, ["access", "coverage", str(example.root), "--subtype",
                                      "乡镇卫生院", "--subtype", "中心乡镇卫生院", "--out",
                                      str(out), "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    assert "合计" in listed.output
    assert f"服务圈外村居（{len(outside)} 个）" in result.output and len(outside) > 0


def test_cli_ambulance_and_fca(example: Project, tmp_path: Path, chinese: None) -> None:
    runner = CliRunner()
    amb = runner.invoke(app, ["access", "ambulance", str(example.root), "--out",
                              str(tmp_path), "--format", "json"])
    assert amb.exit_code == 0, amb.output
    doc = json.loads(amb.output)
    rows = doc["summary"]
    assert rows[-1]["name"] == "合计" and rows[-1]["pop"] == 256175
    assert doc["readings"]["plan"] == "national-defaults"
    assert doc["readings"]["line_zh"].startswith("读法（national-defaults）— 急救站点：")
    fca = runner.invoke(app, ["access", "fca", str(example.root), "--supply", "beds",
                              "--method", "g2sfca", "--max-min", "30", "--out", str(tmp_path)])
    assert fca.exit_code == 0, fca.output
    assert "G2SFCA 床位" in fca.output and "合计" in fca.output
    assert (tmp_path / "fca_beds_g2sfca_points.csv").exists()


def test_cli_bad_subtype_is_a_clean_error(example: Project) -> None:
    result = CliRunner().invoke(app, ["access", "coverage", str(example.root), "--subtype",
                                      "卫生所"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationError)
    assert "got '卫生所'" in str(result.exception)

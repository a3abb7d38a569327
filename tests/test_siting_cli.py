"""`hsplan site` on the shipped example (synthetic 江川区): the two planner questions of
issue 15, their maps and layers, and their scenarios passed through `compare` — which must
change coverage and the norms exactly as the chosen sites imply."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.access.service import ServiceAccess
from hsplan.access.siting import LSCP, MCLP
from hsplan.access.siting.project import ambulance_norm_check, sites_table
from hsplan.cli import app
from hsplan.cli._app import report_error
from hsplan.errors import HsplanError
from hsplan.plans.plan import load_plan
from hsplan.plans.readings import Readings
from hsplan.region.coords import wgs84_to_gcj02
from hsplan.region.example import copy_example
from hsplan.region.project import Project
from hsplan.scenarios.scenario import apply_scenario, compare, load_scenario

PRIMARY = ["乡镇卫生院", "中心乡镇卫生院", "社区卫生服务中心"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 3 → 4 notices


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_example(tmp_path_factory.mktemp("site") / "jiangchuan")


@pytest.fixture(scope="module")
def sa(example: Project) -> ServiceAccess:
    return ServiceAccess.from_project(example)


def _run(*args: str) -> tuple[int, str]:
    """Return (exit code, text) as `hsplan` (main) gives them: an HsplanError becomes its
    message and exit code (1 input, 2 other), never a traceback."""
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, HsplanError):
        return report_error(result.exception), str(result.exception)
    return result.exit_code, result.output


def test_mclp_two_more_health_centres(example: Project, sa: ServiceAccess,
                                      tmp_path: Path) -> None:
    """Where should 2 more 卫生院-level facilities go to maximise the 15-minute coverage of
    卫生院/社区卫生服务中心? The scenario must cover exactly what the model says."""
    args = ["site", str(example.root), "--model", "mclp", "--add", "2", "--minutes", "15",
            "--subtype", "乡镇卫生院", "--out", str(tmp_path)]
    for f in PRIMARY:
        args += ["--facility", f]
    code, out = _run(*args)
    assert code == 0, out
    assert "新增选址" in out and "仍在服务标准外的村居" in out and "覆盖人口" in out
    for name in ("site_mclp_sites.csv", "site_mclp.gpkg", "site_mclp_map.png",
                 "site_mclp_scenario.yaml"):
        assert (tmp_path / name).stat().st_size > 0
    layer = gpd.read_file(tmp_path / "site_mclp.gpkg", layer="sites")
    assert (layer["status"] == "new").sum() == 2
    sites = pd.read_csv(tmp_path / "site_mclp_sites.csv", dtype={"area_code": str})

    model = MCLP.from_access(sa, PRIMARY, k=2, minutes=15)
    result = model.solve()
    assert set(sites["site_id"]) == set(result.sites)
    # brute force over every pair of candidates on the same coverage matrix
    data = model.data
    cover = data.cover(15.0).toarray().astype(bool)
    base = cover[:, data.existing].any(axis=1)
    cand = np.nonzero(data.candidates)[0]
    best = max(float(data.weights[base | cover[:, [a, b]].any(axis=1)].sum())
               for a, b in itertools.combinations(cand, 2))
    assert result.objective == pytest.approx(best)

    # the scenario changes coverage exactly as the chosen sites imply
    scenario = load_scenario(tmp_path / "site_mclp_scenario.yaml")
    assert [c.op for c in scenario.changes] == ["open", "open"]
    before = sa.coverage(PRIMARY, minutes=15)
    changed = apply_scenario(sa.region, scenario)
    after = sa.for_region(changed, year=sa.year).coverage(PRIMARY, minutes=15)
    assert float(before.loc[before["covered"], "pop"].sum()) == result.before["covered"]
    assert float(after.loc[after["covered"], "pop"].sum()) == result.objective
    assert (after["covered"].to_numpy() == result.assignments["covered_after"].to_numpy()).all()
    newly = int((after["covered"] & ~before["covered"]).sum())
    assert newly == int(sites["points_new"].sum())


def test_lscp_ambulance_radius_everywhere(example: Project, sa: ServiceAccess,
                                          tmp_path: Path) -> None:
    """How many 急救站, and where, to meet the ambulance radius norm everywhere? The plan's
    readings decide: its 院前急救 bases are the existing sites, each village's circle is
    N25 (urban: ≤ 15 min 或 ≤ 5 km) or N26 (rural: ≤ 30 min 且 ≤ 20 km). After the
    scenario the plan's ambulance-radius norms fail nowhere."""
    plan = load_plan("jiangchuan-2021-2025")
    code, out = _run("site", str(example.root), "--model", "lscp", "--ambulance",
                     "--plan", "jiangchuan-2021-2025", "--out", str(tmp_path))
    assert code == 0, out
    assert "所有村居均在服务标准内" in out and "读法（jiangchuan-2021-2025）" in out
    assert (tmp_path / "site_lscp_map.png").stat().st_size > 0
    planned = sa.with_readings(Readings.from_plan(plan))
    model = LSCP.from_access(planned, None, ambulance=True)
    result = model.solve()
    data = model.data
    # the existing sites are the plan's 院前急救 bases (hospitals, 卫生院 … not only 急救站)
    bases = planned.ambulance_bases()
    assert set(np.array(data.site_ids)[data.existing]) == set(bases["id"].astype(str))
    # coverage before equals the plan's ambulance-radius share (`hsplan access ambulance`)
    shares = planned.ambulance_shares()
    assert result.before["share"] * 100 == pytest.approx(shares["total_pct"], abs=1e-9)
    assert result.before["share"] < 1
    # spopt (PuLP + CBC) as oracle on the same coverage matrix, existing bases fixed
    spopt = pytest.importorskip("spopt.locate")
    pulp = pytest.importorskip("pulp")
    assert model.covers is not None
    dense = np.where(model.covers.toarray() > 0, 0.0, 1.0)  # covered ⇔ cost 0 ≤ 0.5
    theirs = spopt.LSCP.from_cost_matrix(
        dense, 0.5, predefined_facilities_arr=data.existing.astype(int)).solve(
        pulp.PULP_CBC_CMD(msg=False))
    assert result.objective + data.existing.sum() == pulp.value(theirs.problem.objective)
    # the national default reading (急救中心/急救站 and ambulances, 5 / 20 km) needs more
    national = LSCP.from_access(sa, None, ambulance=True).solve()
    assert national.objective > result.objective

    scenario = load_scenario(tmp_path / "site_lscp_scenario.yaml")
    assert len(scenario.changes) == result.objective
    assert {c.fields["lon"] for c in scenario.changes} == set(
        sites_table(result, model.meta["problem"])["lon"])
    assert all(c.fields["subtype"] == "急救站" and c.resources == {"ambulances": 1}
               for c in scenario.changes)
    comparison = compare(sa.region, scenario, plan, year=sa.year, access=sa)
    norms = comparison.norms.set_index("norm_id")
    assert norms.loc["N25", "failed_baseline"] + norms.loc["N26", "failed_baseline"] > 0
    assert norms.loc["N25", "failed_scenario"] == 0
    assert norms.loc["N26", "failed_scenario"] == 0


def test_candidate_file_in_gcj02(example: Project, sa: ServiceAccess, tmp_path: Path) -> None:
    pts = sa.points.iloc[[3, 40, 70]]
    lon, lat = wgs84_to_gcj02(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
    path = tmp_path / "cands.csv"
    pd.DataFrame({"编号": ["K1", "K2", "K3"], "名称": ["甲", "乙", "丙"], "经度": lon,
                  "纬度": lat}).to_csv(path, index=False)
    code, out = _run("site", str(example.root), "--model", "mclp", "--facility", "乡镇卫生院",
                     "--add", "1", "--candidates", str(path), "--crs", "GCJ-02",
                     "--out", str(tmp_path))
    assert code == 0, out
    chosen = pd.read_csv(tmp_path / "site_mclp_sites.csv")
    row = chosen.iloc[0]
    k = ["K1", "K2", "K3"].index(row["site_id"])
    assert row["lon"] == pytest.approx(pts.geometry.x.iloc[k], abs=2e-5)
    assert row["lat"] == pytest.approx(pts.geometry.y.iloc[k], abs=2e-5)


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_cli_errors_are_messages(example: Project, tmp_path: Path) -> None:
    code, out = _run("site", str(example.root), "--model", "mclp", "--facility", "乡镇卫生院",
                     "--out", str(tmp_path))
    assert code == 1 and "--add" in out and "Traceback" not in out
    code, out = _run("site", str(example.root), "--model", "mclp", "--facility", "乡镇卫生院",
                     "--add", "1", "--exclude", "NOPE", "--out", str(tmp_path))
    assert code == 1 and "NOPE" in out and "unknown id" in out
    code, out = _run("site", str(example.root), "--model", "p-median", "--facility",
                     "乡镇卫生院", "--add", "2", "--capacity", "1000", "--out", str(tmp_path))
    assert code == 2 and "capacity below demand" in out and "Traceback" not in out
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,名称,经度,纬度\nK1,甲,abc,24.3\nK1,乙,102.7,24.3\n", encoding="utf-8")
    code, out = _run("site", str(example.root), "--model", "mclp", "--facility", "乡镇卫生院",
                     "--add", "1", "--candidates", str(bad), "--out", str(tmp_path))
    assert code == 1 and "row 2" in out and "row 3" in out and "duplicate id" in out


def test_p_median_and_p_center_run(example: Project, tmp_path: Path) -> None:
    for model in ("p-median", "p-center"):
        code, out = _run("site", str(example.root), "--model", model, "--facility",
                         "乡镇卫生院", "--add", "2", "--candidates", "townships",
                         "--out", str(tmp_path))
        assert code == 0, out
        assert "平均行程" in out
        assert (tmp_path / f"site_{model}_scenario.yaml").exists()


def test_ambulance_norm_check_names_the_nearest_base_cases(example: Project,
                                                          sa: ServiceAccess) -> None:
    """The model counts a village covered when any open base meets its circle; the norm
    judges the nearest base by time. Under the plan's readings they agree on the example;
    under the national default (5 / 20 km, no minutes) one village differs, and the check
    names exactly the villages the norm's own coverage leaves outside."""
    plan = load_plan("jiangchuan-2021-2025")
    planned = sa.with_readings(Readings.from_plan(plan))
    model = LSCP.from_access(planned, None, ambulance=True)
    result = model.solve()
    assert ambulance_norm_check(result, model.meta["problem"]).empty
    model = LSCP.from_access(sa, None, ambulance=True)
    result = model.solve()
    problem = model.meta["problem"]
    differ = ambulance_norm_check(result, problem)
    opened = problem.sites[problem.sites["id"].isin(set(result.open_sites))]
    circles = sa.readings.ambulance_circles()
    norm = pd.concat([sa.coverage(opened, distance_km=c.distance_km, minutes=c.minutes,
                                  mode=c.mode, scope=s, combine=c.combine)  # type: ignore[arg-type]
                      for s, c in circles.items()])
    assert result.after["points_uncovered"] == 0
    assert sorted(differ["area_code"]) == sorted(norm.loc[~norm["covered"], "area_code"])
    assert len(differ) >= 1 and (differ["dist_m"] > 5_000).all()


def test_demand_in_the_plans_target_year_is_projected(example: Project, sa: ServiceAccess,
                                                      tmp_path: Path) -> None:
    """`--year 2025` after the last recorded year (2023): each village's population grows
    as its township's own projection; the model weighs the projected villages."""
    from hsplan.demand.needs import load_assumptions
    from hsplan.demand.projection import (
        grown_by_township,
        male_shares_from_census,
        project_population,
    )

    assumptions = load_assumptions().demography
    shares = male_shares_from_census(str(sa.region.meta["county_code"]))
    grown, _notes = grown_by_township(sa.points["pop"], sa.points["township_code"],
                                      sa.region.population, base_year=sa.year,
                                      target_year=2025, assumptions=assumptions,
                                      male_shares=shares)
    # by hand: a village's share of its township is kept, the township's total is projected
    towns = sorted(set(sa.points["township_code"].astype(str)))
    table = project_population(sa.region.population, base_year=sa.year, target_year=2025,
                               assumptions=assumptions, area_codes=towns, male_shares=shares)
    total = table[table["age_band"] == "total"].set_index(["area_code", "year"])["pop"]
    for town in towns[:3]:
        mine = (sa.points["township_code"].astype(str) == town).to_numpy()
        factor = total[(town, 2025)] / total[(town, sa.year)]
        assert grown[mine].sum() == pytest.approx(sa.points["pop"][mine].sum() * factor,
                                                  rel=1e-12)
        assert factor != pytest.approx(1.0, abs=1e-6)  # the test would not see a no-op
    projected = sa.with_population(grown, year=2025, note="test")
    model = MCLP.from_access(projected, PRIMARY, k=2, minutes=15)
    assert model.data.weights.sum() == pytest.approx(grown.sum())
    assert sa.points["pop"].sum() != pytest.approx(grown.sum())  # the base model unchanged
    args = ["site", str(example.root), "--model", "mclp", "--add", "2", "--minutes", "15",
            "--subtype", "乡镇卫生院", "--year", "2025", "--out", str(tmp_path)]
    for f in PRIMARY:
        args += ["--facility", f]
    code, out = _run(*args)
    assert code == 0, out
    assert "2025年人口（由2023年人口预测（队列要素法）" in out.replace("\n", "")
    covered = model.solve().after["covered"]
    assert f"→ {covered:,.0f}" in out
    for word in ("new sites", "villages still outside", "subtype in", "候选点 villages"):
        assert word not in out

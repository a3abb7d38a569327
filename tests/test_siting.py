"""hsplan.access.siting against published answers (spopt's San Francisco case), spopt itself
as an oracle on generated cases (existing facilities fixed, capacities), brute-force
enumeration on small cases, and the messages of infeasible input."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from hsplan.access.siting import LSCP, LSCPB, MCLP, PCenter, PMedian
from hsplan.errors import HsplanError, InfeasibleError, ValidationError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 3 → 4 notices
SF = Path(__file__).parent / "data" / "validation_spopt_sf"


@pytest.fixture(scope="module")
def sf() -> tuple[pd.DataFrame, np.ndarray]:
    """The 205 × 16 network-distance matrix (m) keyed by tract and store names, both
    sorted lexicographically as spopt's tests do, and POP2000 in the same tract order."""
    dist = pd.read_csv(SF / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
                       dtype={"DestinationName": str})
    cost = dist.pivot_table(index="DestinationName", columns="name",
                            values="distance").sort_index().sort_index(axis=1)
    demand = pd.read_csv(SF / "SF_demand_205_centroid_uniform_weight.csv",
                         dtype={"NAME": str}).set_index("NAME")
    assert cost.shape == (205, 16)
    assert not {"Store_8", "Store_9", "Store_10"} & set(cost.columns)
    return cost, demand.loc[cost.index, "POP2000"].to_numpy(dtype=float)


# --- published answers (spopt test suite, SOURCE.md) --------------------------------------


def test_sf_mclp(sf: tuple[pd.DataFrame, np.ndarray]) -> None:
    cost, pop = sf
    res = MCLP.from_cost_matrix(cost, pop, radius=5000.0, k=4).solve()
    assert res.status == "optimal"
    assert res.objective == 875_247
    assert res.after["points_uncovered"] == 21
    assert res.after["points_covered"] / 205 * 100 == pytest.approx(89.75609756097561,
                                                                     rel=1e-12)
    assert set(res.sites) == {"Store_2", "Store_11", "Store_12", "Store_15"}
    assert res.reduction["demand_reduced"] < 205  # identical coverage sets merged


def test_sf_p_median(sf: tuple[pd.DataFrame, np.ndarray]) -> None:
    cost, pop = sf
    res = PMedian.from_cost_matrix(cost, pop, k=4).solve()
    assert res.objective / pop.sum() == pytest.approx(2982.1268579890657, rel=1e-9)
    assert res.after["mean_cost"] == pytest.approx(2982.1268579890657, rel=1e-9)
    assert len(res.sites) == 4


def test_sf_p_center(sf: tuple[pd.DataFrame, np.ndarray]) -> None:
    cost, pop = sf
    res = PCenter.from_cost_matrix(cost, pop, k=4).solve()
    assert res.objective == pytest.approx(7403.0638, abs=1e-3)
    assert res.assignments["cost"].max() == pytest.approx(res.objective)


def test_sf_lscp(sf: tuple[pd.DataFrame, np.ndarray]) -> None:
    cost, _ = sf
    res = LSCP.from_cost_matrix(cost, radius=5000.0).solve()
    assert res.objective == 8 and len(res.sites) == 8  # several optimal sets: the count
    assert res.after["points_uncovered"] == 0


def test_sf_lscp_b(sf: tuple[pd.DataFrame, np.ndarray]) -> None:
    cost, _ = sf
    res = LSCPB.from_cost_matrix(cost, radius=8000.0).solve()
    assert len(res.sites) == 3
    # spopt's backup_perc counts the tracts that only one store can reach as backed up
    assert res.extra["spopt_backup_share"] * 100 == pytest.approx(69.756, abs=1e-3)
    # hsplan also reports the tracts really covered twice
    covered_twice = ((cost[list(res.sites)] <= 8000).sum(axis=1) >= 2).sum()
    assert res.extra["backup_points"] == covered_twice
    assert res.extra["backup_points"] + res.extra["single_cover_points"] == 143


def test_sf_greedy_bounds(sf: tuple[pd.DataFrame, np.ndarray]) -> None:
    cost, pop = sf
    exact = MCLP.from_cost_matrix(cost, pop, radius=5000.0, k=4).solve()
    greedy = MCLP.from_cost_matrix(cost, pop, radius=5000.0, k=4).solve(method="greedy")
    assert greedy.status == "heuristic"
    assert greedy.objective <= exact.objective <= greedy.bound + 1e-6
    assert greedy.gap == pytest.approx((greedy.bound - greedy.objective) / greedy.bound)
    lscp = LSCP.from_cost_matrix(cost, radius=5000.0).solve(method="greedy")
    assert lscp.bound <= 8 <= lscp.objective


# --- generated cases: spopt as oracle, brute force ----------------------------------------


def _case(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 10_000, (n, 2))
    sites = rng.uniform(0, 10_000, (m, 2))
    cost = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return cost, rng.integers(50, 2_000, n).astype(float)


spopt = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")


def _cbc() -> object:
    return pulp.PULP_CBC_CMD(msg=False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spopt_oracle_existing_fixed(seed: int) -> None:
    cost, w = _case(seed, 60, 14)
    existing = [0, 5]
    pre = np.zeros(14, dtype=int)
    pre[existing] = 1
    ids = [f"s{j}" for j in range(14)]
    ex = [ids[j] for j in existing]
    k = 3
    ours = MCLP.from_cost_matrix(cost, w, radius=2500.0, k=k, existing=ex).solve()
    theirs = spopt.MCLP.from_cost_matrix(cost, w, 2500.0, p_facilities=k + 2,
                                         predefined_facilities_arr=pre).solve(_cbc())
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective))
    assert set(ex) <= set(ours.open_sites)
    ours_pm = PMedian.from_cost_matrix(cost, w, k=k, existing=ex).solve()
    theirs_pm = spopt.PMedian.from_cost_matrix(cost, w, p_facilities=k + 2,
                                               predefined_facilities_arr=pre).solve(_cbc())
    assert ours_pm.objective == pytest.approx(pulp.value(theirs_pm.problem.objective),
                                              rel=1e-9)
    ours_pc = PCenter.from_cost_matrix(cost, w, k=k, existing=ex).solve()
    theirs_pc = spopt.PCenter.from_cost_matrix(cost, p_facilities=k + 2,
                                               predefined_facilities_arr=pre).solve(_cbc())
    assert ours_pc.objective == pytest.approx(pulp.value(theirs_pc.problem.objective),
                                              rel=1e-6)
    ours_ls = LSCP.from_cost_matrix(cost, radius=5000.0, existing=ex).solve()
    theirs_ls = spopt.LSCP.from_cost_matrix(cost, 5000.0,
                                            predefined_facilities_arr=pre).solve(_cbc())
    assert ours_ls.objective + 2 == pytest.approx(pulp.value(theirs_ls.problem.objective))


@pytest.mark.parametrize("seed", [4, 5])
def test_spopt_oracle_capacitated_p_median(seed: int) -> None:
    cost, w = _case(seed, 40, 10)
    cap = np.random.default_rng(seed).uniform(0.2, 0.5, 10) * w.sum()
    ours = PMedian.from_cost_matrix(cost, w, k=4, capacity=cap, single_source=True).solve()
    theirs = spopt.PMedian.from_cost_matrix(cost, w, p_facilities=4,
                                            facility_capacities=cap).solve(_cbc())
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-6)
    load = pd.Series(ours.extra["site_load"])
    assert (load <= pd.Series(cap, index=[f"s{j}" for j in range(10)])[load.index] + 1e-6).all()
    split = PMedian.from_cost_matrix(cost, w, k=4, capacity=cap).solve()
    assert split.objective <= ours.objective + 1e-6  # splitting demand can only help


def _brute(cost: np.ndarray, w: np.ndarray, cand: list[int], existing: list[int], k: int,
           score: object) -> float:
    best = None
    for extra in itertools.combinations(cand, k):
        value = score(existing + list(extra))  # type: ignore[operator]
        best = value if best is None else (max(best, value) if score.__name__ == "cov"
                                           else min(best, value))
    assert best is not None
    return float(best)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_brute_force_small(seed: int) -> None:
    cost, w = _case(seed, 18, 9)
    existing, excluded = [2], [7]
    cand = [j for j in range(9) if j not in existing + excluded]
    ids = [f"s{j}" for j in range(9)]
    kw = {"existing": ["s2"], "exclude": ["s7"]}
    radius = 2500.0

    def cov(open_: list[int]) -> float:
        return float(w[(cost[:, open_] <= radius).any(axis=1)].sum())

    def med(open_: list[int]) -> float:
        return float((w * cost[:, open_].min(axis=1)).sum())

    def cen(open_: list[int]) -> float:
        return float(cost[:, open_].min(axis=1).max())

    for k in (1, 2, 3):
        res = MCLP.from_cost_matrix(cost, w, radius=radius, k=k, site_ids=ids, **kw).solve()
        assert res.objective == pytest.approx(_brute(cost, w, cand, existing, k, cov))
        assert "s7" not in res.sites and "s2" in res.open_sites
        assert res.objective == pytest.approx(cov([ids.index(s) for s in res.open_sites]))
        res = PMedian.from_cost_matrix(cost, w, k=k, site_ids=ids, **kw).solve()
        assert res.objective == pytest.approx(_brute(cost, w, cand, existing, k, med))
        res = PCenter.from_cost_matrix(cost, w, k=k, site_ids=ids, **kw).solve()
        assert res.objective == pytest.approx(_brute(cost, w, cand, existing, k, cen))
    # LSCP: the smallest k whose best subset covers everyone
    res = LSCP.from_cost_matrix(cost, w, radius=4000.0, site_ids=ids, **kw).solve()
    full = float(w.sum())
    need = next(k for k in range(len(cand) + 1)
                if any(float(w[(cost[:, existing + list(s)] <= 4000.0).any(axis=1)].sum())
                       == full for s in itertools.combinations(cand, k)))
    assert res.objective == need


@pytest.mark.parametrize("seed", [31, 32])
def test_p_center_subset_search_against_spopt(seed: int) -> None:
    """The p-center search on a subset of the points (farthest-first upper bound, set
    covers on the subset, points added until its sites serve everyone) gives spopt's
    optimum with existing sites fixed, and needs fewer points than the case has."""
    cost, w = _case(seed, 90, 18)
    pre = np.zeros(18, dtype=int)
    pre[[3, 11]] = 1
    ours = PCenter.from_cost_matrix(cost, w, k=3, existing=["s3", "s11"]).solve()
    theirs = spopt.PCenter.from_cost_matrix(cost, p_facilities=5,
                                            predefined_facilities_arr=pre).solve(_cbc())
    # CBC reports the objective to a few decimals
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-6)
    assert ours.assignments["cost"].max() == pytest.approx(ours.objective)
    assert {"s3", "s11"} <= set(ours.open_sites) and len(ours.sites) <= 3
    assert ours.reduction["demand_subset"] < 90
    assert ours.reduction["rounds"] >= 1  # seed 32: the farthest-first bound is optimal


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_p_center_sparse_brute_force(seed: int) -> None:
    """A cut-off cost matrix (pairs beyond 6 km not stored): the p-center over the stored
    pairs equals the best of all subsets; k = 0 with points only candidates reach fails
    with the numbers, in Chinese."""
    cost, w = _case(seed, 40, 10)
    cut = np.where(cost <= 6000.0, cost, np.inf)
    reach = np.isfinite(cut)
    ids = [f"s{j}" for j in range(10)]
    cand = [j for j in range(10) if j not in (0, 9)]
    for k in (1, 2, 3):
        best = np.inf
        for extra in itertools.combinations(cand, k):
            open_ = [0, *extra]
            if reach[:, open_].any(axis=1).all():
                best = min(best, float(np.where(reach[:, open_], cut[:, open_],
                                                np.inf).min(axis=1).max()))
        matrix = sp.csr_matrix((cost[reach], np.nonzero(reach)), shape=cost.shape)
        model = PCenter.from_cost_matrix(matrix, w, k=k, site_ids=ids, existing=["s0"],
                                         exclude=["s9"])
        if np.isfinite(best):
            assert model.solve().objective == pytest.approx(best)
        else:
            with pytest.raises(InfeasibleError, match="无法服务全部需求点"):
                model.solve()
    if not reach[:, 0].all() and reach[:, [j for j in range(10) if j != 9]].any(axis=1).all():
        with pytest.raises(InfeasibleError, match="新增 0 个选址点也无法服务全部需求点"):
            PCenter.from_cost_matrix(sp.csr_matrix((cost[reach], np.nonzero(reach)),
                                                   shape=cost.shape), w, k=0,
                                     site_ids=ids, existing=["s0"], exclude=["s9"]).solve()


def test_reduce_cover_forces_and_drops() -> None:
    """Covering reductions of the p-center subsets: a row with one column forces it, a
    row holding another row's set goes, dominated columns go; too many forced → None."""
    from hsplan.access.siting._center import reduce_cover

    a = sp.csr_matrix(np.array([[1, 0, 0, 0],    # forces column 0
                                [0, 1, 1, 0],
                                [0, 1, 1, 1],    # holds row 1's set: redundant
                                [1, 0, 0, 1]]))  # covered by the forced column
    out = reduce_cover(a, 2)
    assert out is not None
    rest, _cols, forced = out
    # column 0 forced; row 2 dropped; columns 1 and 2 alike, so one of them stays and row
    # 1 then has one column: forced too; nothing is left to cover
    assert forced.tolist() == [0, 1]
    assert rest.shape[0] == 0
    assert reduce_cover(sp.csr_matrix(np.eye(3)), 2) is None  # three forced columns > 2


@pytest.mark.parametrize("seed", [21, 22])
def test_capacitated_mclp_brute_force(seed: int) -> None:
    """Capacitated MCLP (which spopt lacks): every subset's best split coverage is a
    small LP; the MILP must find the best subset."""
    cost, w = _case(seed, 16, 7)
    radius = 3000.0
    cap = np.full(7, 0.18 * w.sum())
    a = cost <= radius

    def lp_cover(open_: list[int]) -> float:
        pairs = [(i, j) for i in range(16) for j in open_ if a[i, j]]
        if not pairs:
            return 0.0
        n_p = len(pairs)
        rows, cols, vals = [], [], []
        for p, (i, j) in enumerate(pairs):
            rows += [i, 16 + open_.index(j)]
            cols += [p, p]
            vals += [1.0, w[i]]
        a_ub = sp.csr_matrix((vals, (rows, cols)), shape=(16 + len(open_), n_p))
        b_ub = np.r_[np.ones(16), cap[open_]]
        res = linprog(-np.array([w[i] for i, _ in pairs]), A_ub=a_ub, b_ub=b_ub,
                      bounds=(0, 1), method="highs")
        return float(-res.fun)

    for k in (2, 3):
        best = max(lp_cover(list(s)) for s in itertools.combinations(range(7), k))
        res = MCLP.from_cost_matrix(cost, w, radius=radius, k=k, capacity=cap).solve()
        assert res.objective == pytest.approx(best, rel=1e-7)
        assert max(res.extra["site_load"].values()) <= cap[0] + 1e-6
        plain = MCLP.from_cost_matrix(cost, w, radius=radius, k=k).solve()
        assert res.objective <= plain.objective + 1e-6


def test_sparse_equals_dense() -> None:
    cost, w = _case(7, 50, 12)
    cut = np.where(cost <= 4000.0, cost, np.inf)
    r, c = np.nonzero(np.isfinite(cut))
    sparse = sp.csr_matrix((cut[r, c], (r, c)), shape=cut.shape)
    a = MCLP.from_cost_matrix(cut, w, radius=2500.0, k=3).solve()
    b = MCLP.from_cost_matrix(sparse, w, radius=2500.0, k=3).solve()
    assert a.objective == b.objective and a.sites == b.sites


def test_greedy_and_exact_at_scale() -> None:
    cost, w = _case(8, 3000, 300)
    exact = MCLP.from_cost_matrix(cost, w, radius=900.0, k=10).solve(method="exact")
    greedy = MCLP.from_cost_matrix(cost, w, radius=900.0, k=10).solve(method="greedy")
    assert greedy.objective <= exact.objective + 1e-6 <= greedy.bound + 1e-3
    assert 0 <= greedy.gap < 0.1


# --- infeasible input: clear messages with the numbers ------------------------------------


def test_capacity_below_demand() -> None:
    cost, w = _case(9, 20, 6)
    with pytest.raises(InfeasibleError) as err:
        PMedian.from_cost_matrix(cost, w, k=2, capacity=np.full(6, 100.0)).solve()
    text = str(err.value)
    assert "服务能力低于需求" in text and f"需求 {w.sum():,.0f}" in text and "= 200" in text
    assert "处理办法" in text
    assert err.value.status == "infeasible"


@pytest.mark.usefixtures("english")  # checks the English text of the message
def test_k_larger_than_candidates() -> None:
    cost, w = _case(9, 20, 6)
    with pytest.raises(ValidationError) as err:
        MCLP.from_cost_matrix(cost, w, radius=1000.0, k=6, existing=["s0"],
                              exclude=["s1"]).solve()
    text = str(err.value)
    assert "0 ≤ k ≤ 4" in text and "6 sites − 1 existing − 1 excluded" in text
    assert "got '6'" in text


def test_k_larger_than_candidates_in_chinese() -> None:
    cost, w = _case(9, 20, 6)
    with pytest.raises(ValidationError) as err:
        MCLP.from_cost_matrix(cost, w, radius=1000.0, k=6, existing=["s0"],
                              exclude=["s1"]).solve()
    text = str(err.value)
    assert "新增选址数" in text and "0 ≤ k ≤ 4" in text
    assert "6 个选址点 − 1 个现有 − 1 个排除" in text and "减少新增数量" in text


def test_unknown_ids_all_reported() -> None:
    cost, w = _case(9, 20, 6)
    with pytest.raises(ValidationError) as err:
        MCLP.from_cost_matrix(cost, w, radius=1000.0, k=1, existing=["s9", "x"],
                              exclude=["s8"])
    assert len(err.value.errors) == 2
    text = str(err.value)
    assert "现有选址点中有 2 个编号不存在" in text and "s9, x" in text and "s8" in text


def test_uncoverable_demand_named() -> None:
    cost, w = _case(10, 20, 6)
    with pytest.raises(InfeasibleError) as err:
        LSCP.from_cost_matrix(cost, w, radius=300.0).solve()
    assert "在服务标准内没有候选点" in str(err.value)
    assert "20 个需求点中有" in str(err.value)
    assert isinstance(err.value, HsplanError)


def test_bad_method_and_weights() -> None:
    cost, w = _case(10, 20, 6)
    with pytest.raises(ValidationError, match="auto 或 exact 或 greedy"):
        MCLP.from_cost_matrix(cost, w, radius=1000.0, k=1).solve(method="fast")
    with pytest.raises(ValidationError, match="19 个值"):
        MCLP.from_cost_matrix(cost, w[:19], radius=1000.0, k=1)


def test_docs_example_runs() -> None:
    """The Python example of docs/siting.md runs and its assertions hold."""
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "siting.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/siting.md", "exec"), {})


def test_p_median_radius_rounds_and_lagrangian() -> None:
    """The radius formulation (few nearest sites + an "elsewhere" lower bound, grown until
    unused) gives the optimum of the full model; the Lagrangian mode brackets it."""
    cost, w = _case(14, 300, 40)
    full = PMedian.from_cost_matrix(cost, w, k=5)
    full.nearest = 40  # every pair: the classical formulation
    exact = full.solve(method="exact")
    tight = PMedian.from_cost_matrix(cost, w, k=5)
    tight.nearest = 2
    rounds = tight.solve(method="exact")
    assert rounds.reduction["rounds"] > 1
    assert rounds.objective == pytest.approx(exact.objective, rel=1e-9)
    lag = PMedian.from_cost_matrix(cost, w, k=5).solve(method="greedy")
    assert lag.status == "heuristic"
    assert lag.bound <= exact.objective * (1 + 1e-9)
    assert lag.objective >= exact.objective * (1 - 1e-9)
    assert lag.gap == pytest.approx((lag.objective - lag.bound) / lag.objective)


def test_time_limit_returns_a_solution_with_its_gap() -> None:
    """At a time limit the result is the better of HiGHS's incumbent and the greedy, with
    the tighter proven bound: never worse than the greedy, and bracketing the optimum."""
    cost, w = _case(15, 4000, 400)
    greedy = MCLP.from_cost_matrix(cost, w, radius=900.0, k=25).solve(method="greedy")
    optimum = MCLP.from_cost_matrix(cost, w, radius=900.0, k=25).solve(method="exact")
    assert optimum.status == "optimal"
    for limit in (0.01, 0.5):
        res = MCLP.from_cost_matrix(cost, w, radius=900.0, k=25).solve(method="exact",
                                                                      time_limit_s=limit)
        assert res.status in ("time_limit", "optimal")
        assert len(res.sites) <= 25
        assert res.objective >= greedy.objective - 1e-6
        assert res.objective <= optimum.objective + 1e-6 <= res.bound + 1e-3
        assert res.gap == pytest.approx((res.bound - res.objective) / res.bound) \
            if res.status == "time_limit" else res.gap == 0
        assert res.gap <= greedy.gap + 1e-12
    cost = cost[:1500, :200]
    ls_greedy = LSCP.from_cost_matrix(cost, radius=1500.0).solve(method="greedy")
    ls_opt = LSCP.from_cost_matrix(cost, radius=1500.0).solve(method="exact")
    res = LSCP.from_cost_matrix(cost, radius=1500.0).solve(method="exact", time_limit_s=0.05)
    assert ls_opt.objective <= res.objective <= ls_greedy.objective
    assert res.bound <= ls_opt.objective <= res.objective

"""Benchmark: hsplan.access.catchments floating catchments vs PySAL ``access`` and vs a
plain ``scipy.sparse`` implementation on the same input.

Run: ``python benchmarks/bench_fca.py [--sizes 2000x200 5000x500 10000x1000] [--repeat 5]``.
Needs the PyPI package ``access`` (the peer tool). For each size it generates a seeded
case (demand and supply points in a 60 km square, travel time = distance × a random
1.2–2.0 min/km + 1 min, every pair listed, ids as strings), times 2SFCA (30 min), E2SFCA
(Luo & Qi steps) and Gaussian 2SFCA (30 min) in turn — hsplan, the plain sparse version,
PySAL — `--repeat` times, asserts that all three agree, and prints per method the median
wall time, the median (min–max) of the per-run ratios hsplan / plain (≤ 1: hsplan as fast
as the plain arithmetic) and PySAL / hsplan (> 1: hsplan is faster). The plain version is
what a competent user writes: ids to positions by ``pd.factorize`` (one hash pass, then
the distinct ids looked up), the pairs inside the catchment, a CSR weight matrix W,
R = S / (Wᵀ P), A = W R — no input checks.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from hsplan.access.catchments import (
    E2SFCA_STEPS,
    enhanced_two_step_fca,
    gaussian_two_step_fca,
    gaussian_weight,
    step_weight,
    two_step_fca,
)


def generated(n_demand: int, n_supply: int, seed: int = 7
              ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Return a seeded (od, pop, beds) case of n_demand × n_supply points."""
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 60, size=(n_demand, 2))
    supply_xy = rng.uniform(0, 60, size=(n_supply, 2))
    dist_km = np.hypot(*(demand_xy[:, None, :] - supply_xy[None, :, :]).transpose(2, 0, 1))
    minutes = dist_km * rng.uniform(1.2, 2.0, size=dist_km.shape) + 1.0
    d_ids = [f"D{k:05d}" for k in range(n_demand)]
    s_ids = [f"S{k:04d}" for k in range(n_supply)]
    od = pd.DataFrame({"demand": np.repeat(d_ids, n_supply), "supply": np.tile(s_ids, n_demand),
                       "travel_min": minutes.ravel()})
    pop = pd.Series(rng.integers(200, 5000, n_demand), index=d_ids, dtype=float)
    beds = pd.Series(rng.integers(5, 400, n_supply), index=s_ids, dtype=float)
    return od, pop, beds


def _positions(column: pd.Series, ids: pd.Index) -> np.ndarray:
    codes, uniques = pd.factorize(column)
    return ids.get_indexer(uniques)[codes]


def plain_fca(od: pd.DataFrame, pop: pd.Series, supply: pd.Series, weight: Any,
              max_min: float) -> np.ndarray:
    """Return A_i of a weighted 2SFCA with scipy.sparse, the shortest competent way."""
    i = _positions(od["demand"], pop.index)
    j = _positions(od["supply"], supply.index)
    t = od["travel_min"].to_numpy()
    keep = t <= max_min
    w = np.ones(int(keep.sum())) if weight is None else weight(t[keep])
    m = sp.csr_matrix((w, (i[keep], j[keep])), shape=(len(pop), len(supply)))
    demand = m.T @ pop.to_numpy()
    ratio = np.divide(supply.to_numpy(), demand, out=np.zeros(len(supply)), where=demand > 0)
    return np.asarray(m @ ratio)


def main() -> None:
    import logging
    import warnings

    from access import Access

    warnings.filterwarnings("ignore")
    logging.getLogger("access").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["2000x200", "5000x500", "10000x1000"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pysal-repeat", type=int, default=3,
                        help="runs of PySAL access (slow) per method and size")
    parser.add_argument("--pysal-max-pairs", type=int, default=3_000_000,
                        help="leave PySAL out above this many pairs")
    args = parser.parse_args()
    floor = np.exp(-0.5)

    def dai(t: float) -> float:
        return float((np.exp(-0.5 * (t / 30.0) ** 2) - floor) / (1 - floor))

    print("| demand × supply | pairs | method | hsplan s | plain sparse s | hsplan / plain "
          "median (min–max) | PySAL s | PySAL / hsplan | max abs diff |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        n_d, n_s = (int(x) for x in size.split("x"))
        od, pop, beds = generated(n_d, n_s)

        def oracle(od: pd.DataFrame = od, pop: pd.Series = pop,
                   beds: pd.Series = beds) -> Access:
            return Access(demand_df=pop.rename("pop").rename_axis("geoid").reset_index(),
                          demand_index="geoid", demand_value="pop",
                          supply_df=beds.rename("beds").rename_axis("geoid").reset_index(),
                          supply_index="geoid", supply_value="beds",
                          cost_df=od.rename(columns={"demand": "origin", "supply": "dest",
                                                     "travel_min": "cost"}),
                          cost_origin="origin", cost_dest="dest", cost_name="cost")

        a = (od, pop, beds)
        cases: dict[str, tuple[Any, Any, Any]] = {
            "2SFCA": (lambda a=a: two_step_fca(*a, max_min=30),
                      lambda a=a: plain_fca(*a, None, 30.0),
                      lambda o=oracle: o().two_stage_fca(max_cost=30)["2sfca_beds"]),
            "E2SFCA": (lambda a=a: enhanced_two_step_fca(*a),
                       lambda a=a: plain_fca(*a, step_weight(E2SFCA_STEPS), 30.0),
                       lambda o=oracle: o().enhanced_two_stage_fca()["e2sfca_beds"]),
            "G2SFCA": (lambda a=a: gaussian_two_step_fca(*a, max_min=30),
                       lambda a=a: plain_fca(*a, gaussian_weight(30.0), 30.0),
                       lambda o=oracle: o().two_stage_fca(name="g", max_cost=30,
                                                          weight_fn=dai)["g_beds"]),
        }
        for method, (ours, plain, peer) in cases.items():
            t_ours, t_plain, ratios = [], [], []
            r_ours, r_plain = None, None
            for _ in range(args.repeat):  # paired runs: the ratio is taken run by run
                start = time.perf_counter()
                r_ours = ours()
                t_ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                r_plain = plain()
                t_plain.append(time.perf_counter() - start)
                ratios.append(t_ours[-1] / t_plain[-1])
            assert r_ours is not None and r_plain is not None
            values = r_ours["supply_per_person"].to_numpy()
            diff = float(np.max(np.abs(values - r_plain)))
            assert diff <= 1e-12 * max(1.0, float(np.max(np.abs(values)))), diff
            pysal_s, pysal_ratio = "—", "—"
            if len(od) <= args.pysal_max_pairs:
                t_peer, r_peer = best_of(peer, args.pysal_repeat)
                expected = r_peer.reindex(r_ours["demand"]).fillna(0.0).to_numpy()
                peer_diff = float(np.max(np.abs(values - expected)))
                assert peer_diff <= 1e-12, peer_diff
                diff = max(diff, peer_diff)
                pysal_s = f"{t_peer:.3f} (best of {args.pysal_repeat})"
                pysal_ratio = f"{t_peer / min(t_ours):.1f}×"
            print(f"| {n_d:,} × {n_s:,} | {len(od) / 1e6:.1f} M | {method} | "
                  f"{statistics.median(t_ours):.3f} | {statistics.median(t_plain):.3f} | "
                  f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) | "
                  f"{pysal_s} | {pysal_ratio} | {diff:.1e} |", flush=True)


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return (best wall time in seconds, last result) of `repeat` calls of `fn`."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


if __name__ == "__main__":
    main()

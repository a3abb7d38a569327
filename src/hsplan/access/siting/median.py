"""Median and centre models: `PMedian` (also capacitated, and the facility-location
variant with opening costs) and `PCenter`, with existing sites fixed open.

- p-median (Hakimi 1964; ReVelle & Swain 1970): min Σ_i Σ_j w_i d_ij x_ij  s.t.
  Σ_j x_ij = 1, x_ij ≤ y_j, Σ_new y_j = k; capacitated: Σ_i w_i x_ij ≤ C_j y_j (demand may
  split); facility location (k not given): min Σ_j f_j y_j + Σ_ij w_i d_ij x_ij.
- p-center (Hakimi 1965): min max_i min_{j open} d_ij, solved exactly as the smallest
  distinct cost R whose covering problem (LSCP at radius R) needs at most k new sites
  (Minieka 1970), on a growing subset of the demand points between a lower and an upper
  bound (Chen & Chen 2009; `_center`).

Pairs beyond a sparse cost matrix's stored entries (e.g. a cut-off OD) are not allowed;
without capacities, pairs farther than the nearest existing site are dropped before solving
(never used by an optimum), and each point first may use only its nearest sites or an
"elsewhere" variable priced at the next site's cost (a relaxation): when no point uses it,
the solution is optimal; else those points get more sites and the model is solved again
(the radius formulation of García, Labbé & Marín 2011). Beyond exact reach the Lagrangian
relaxation gives a solution and a proven bound.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from hsplan._i18n import _
from hsplan.access.service import FacilitySelector, ServiceAccess
from hsplan.access.siting._base import (
    CostInput,
    FloatArray,
    IntArray,
    PerSite,
    SitingData,
    SitingResult,
    _few,
    check_k,
    nearest_open,
    siting_data,
    totals,
    unreachable_error,
)
from hsplan.access.siting._center import p_center
from hsplan.access.siting._milp import MilpSolution, solve_milp
from hsplan.access.siting._reduce import lagrangian_p_median
from hsplan.access.siting.project import siting_problem
from hsplan.errors import InfeasibleError, Problem, raise_if_errors
from hsplan.region.project import Project

#: above this many demand–site pairs, ``method="auto"`` uses the Lagrangian heuristic.
AUTO_EXACT_PAIRS = 100_000


class _Assigning:
    model: ClassVar[str] = ""

    def __init__(self, data: SitingData, *, k: int | None = None,
                 single_source: bool = False, nearest: int | None = None) -> None:
        self.data = data
        self.k = k
        self.single_source = single_source
        self.nearest = nearest
        self.meta: dict[str, Any] = {}

    @classmethod
    def from_cost_matrix(cls, cost: CostInput, weights: npt.ArrayLike | None = None, *,
                         k: int | None = None, existing: list[str] | tuple[str, ...] = (),
                         exclude: list[str] | tuple[str, ...] = (),
                         site_cost: PerSite = None, capacity: PerSite = None,
                         demand_ids: list[Any] | None = None,
                         site_ids: list[Any] | None = None, unit: str = "m",
                         single_source: bool = False) -> Self:
        """Return the model of a cost matrix (demand × sites; DataFrame, array with
        inf/NaN for unreachable pairs, or sparse matrix of the reachable pairs).
        `single_source`: with capacities, each demand point goes to one site (as spopt)
        instead of splitting."""
        data = siting_data(cost, weights, demand_ids=demand_ids, site_ids=site_ids,
                           existing=existing, exclude=exclude, site_cost=site_cost,
                           capacity=capacity, unit=unit, context=cls.model)
        return cls(data, k=k, single_source=single_source)

    @classmethod
    def from_access(cls, sa: ServiceAccess, facility: FacilitySelector, *,
                    k: int | None = None, cutoff_min: float | None = None,
                    candidates: str | Path | gpd.GeoDataFrame = "villages",
                    mode: str = "drive", exclude: Sequence[str] = (),
                    capacity: PerSite = None, existing_capacity: float | None = None,
                    grid_km: float = 3.0, crs: str = "WGS84",
                    minutes: float | None = None) -> Self:
        """Return the model of a project's access model (see `siting_problem`); costs are
        travel minutes (all pairs, or those within `cutoff_min`); `minutes`, when given,
        is the standard the coverage columns of the result report."""
        problem = siting_problem(sa, facility, minutes=None, candidates=candidates,
                                 mode=mode, exclude=exclude, capacity=capacity,
                                 existing_capacity=existing_capacity, grid_km=grid_km,
                                 cutoff_min=cutoff_min, crs=crs)
        if minutes is not None:
            problem.minutes = np.full(problem.data.n_demand, float(minutes))
        model = cls(problem.data, k=k)
        model.meta["problem"] = problem
        return model

    @classmethod
    def from_project(cls, project: Project, facility: FacilitySelector, *,
                     year: int | None = None, mode: str = "drive", **options: Any) -> Self:
        """Return the model of a project (`from_access` on `ServiceAccess.from_project`)."""
        sa = ServiceAccess.from_project(project, mode=mode, year=year)
        return cls.from_access(sa, facility, mode=mode, **options)


class PMedian(_Assigning):
    """p-median: the k new sites that, with the existing ones, minimise the total weighted
    cost (persons × minutes or metres) of every demand point to its site. With `capacity`
    it is the capacitated p-median; with `k=None` and `site_cost` it is the (capacitated)
    facility location problem."""

    model = "p-median"

    def solve(self, *, method: str = "auto", time_limit_s: float | None = None,
              mip_rel_gap: float = 0.0) -> SitingResult:
        """Return the chosen sites; the objective is Σ w_i d_ij (plus opening costs for
        facility location); ``after["mean_cost"]`` is the weighted mean cost.

        `method`: ``exact`` (HiGHS), ``greedy`` (Lagrangian relaxation with swaps: status
        heuristic, gap to the proven Lagrangian bound; uncapacitated p-median only) or
        ``auto`` (exact up to `AUTO_EXACT_PAIRS` demand–site pairs)."""
        start = time.perf_counter()
        d, k = self.data, self.k
        check_k(d, k, self.model)
        if method not in ("auto", "exact", "greedy"):
            raise_if_errors([Problem(_("{model}: method").format(model=self.model),
                                     expected=_(" or ").join(("auto", "exact", "greedy")),
                                     got=str(method))],
                            context=self.model)
        cap_all = d.capacity if d.capacity is not None else np.full(d.n_sites, np.nan)
        capacitated = not np.isnan(cap_all).all()
        if k is not None and not capacitated and (
                method == "greedy" or (method == "auto" and d.cost.nnz > AUTO_EXACT_PAIRS)):
            return self._solve_lagrangian(k, start)
        usable = d.existing | d.candidates
        rows, cols, vals = d.pairs()
        keep = usable[cols]
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        if not capacitated and d.existing.any():
            _near, to_existing = nearest_open(d, d.existing)
            keep = vals <= to_existing[rows]
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
        lonely = np.setdiff1d(np.arange(d.n_demand), rows)
        if len(lonely):
            unreachable_error(d, lonely, _("reach no site"), self.model)
        if capacitated:
            self._check_capacity(cap_all, k)
        cand_idx = np.nonzero(d.candidates)[0]
        m, n = len(cand_idx), d.n_demand
        # radius formulation: each point may use its `limit` nearest sites, or an "elsewhere"
        # variable at the cost of the next one (a lower bound); when no point uses it the
        # solution is optimal for the full problem, else those points' limits grow.
        order = np.lexsort((cols, vals, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        first_of = np.searchsorted(rows, np.arange(n))
        rank = np.arange(len(rows)) - first_of[rows]
        count = np.bincount(rows, minlength=n)
        open_total = (k if k is not None else m) + int(d.existing.sum())
        start_limit = max(10, int(np.ceil(3.0 * int(usable.sum()) / max(open_total, 1))))
        limit = np.full(n, start_limit if self.nearest is None else self.nearest)
        rounds = 0
        while True:
            rounds += 1
            keep = rank < limit[rows]
            at = np.minimum(first_of + limit, max(len(vals) - 1, 0))
            dummy = np.where(count > limit, vals[at], np.inf)
            sol, p = self._milp(rows[keep], cols[keep], vals[keep], dummy, cand_idx, cap_all,
                                capacitated, time_limit_s, mip_rel_gap)
            u = np.zeros(n)
            has = np.isfinite(dummy)
            u[has] = sol.x[m + p:]
            if not (u > 1e-9).any():
                break
            if sol.status == "time_limit":
                if capacitated:
                    raise InfeasibleError(
                        _("{model}: the time limit came before every demand point was placed "
                          "among its nearest sites; fix: raise the time limit").format(
                            model=self.model),
                        status="time_limit")
                break  # uncapacitated: the points go to their nearest open site below
            limit[u > 1e-9] *= 4
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        new = np.zeros(d.n_sites, dtype=bool)
        new[cand_idx[sol.x[:m] > 0.5]] = True
        x = sol.x[m:m + p]
        order = np.lexsort((-x, rows))
        first = np.ones(p, dtype=bool)
        first[1:] = rows[order][1:] != rows[order][:-1]
        pick = order[first]
        site = np.full(n, -1)
        site[rows[pick]] = cols[pick]
        cost = np.full(n, np.inf)
        cost[rows[pick]] = vals[pick]
        ids = np.array(d.site_ids, dtype=object)
        _near, cost_b = nearest_open(d, d.existing)
        assignments = pd.DataFrame({"demand_id": d.demand_ids, "weight": d.weights,
                                    "site_id": ids[site], "cost": cost})
        after = totals(d, None, cost)
        weighted = float((d.weights[rows] * vals * x).sum())
        objective, bound, gap = sol.objective, sol.bound, sol.gap
        if not capacitated:  # each point at its nearest open site (optimal for these sites)
            near, cost = nearest_open(d, new | d.existing)
            site = near
            assignments["site_id"], assignments["cost"] = ids[near], cost
            after = totals(d, None, cost)
            weighted = float((d.weights * cost).sum())
            objective = weighted + (float(d.site_cost[new].sum()) if k is None else 0.0)
            if sol.status == "optimal":
                bound, gap = objective, 0.0
            else:
                gap = max(0.0, (objective - bound) / objective) if objective > 0 else 0.0
        after["mean_cost"] = weighted / max(float(d.weights.sum()), 1e-300)
        extra: dict[str, Any] = {**self.meta, "weighted_cost": weighted}
        if capacitated:
            load = np.bincount(cols, weights=d.weights[rows] * x, minlength=d.n_sites)
            extra["site_load"] = {d.site_ids[j]: float(load[j]) for j in np.nonzero(load)[0]}
        return SitingResult(model=self.model if k is not None else "facility-location",
                            status=sol.status, objective=objective, bound=bound,
                            gap=gap, sites=tuple(ids[new].tolist()),
                            open_sites=tuple(ids[new | d.existing].tolist()),
                            assignments=assignments, before=totals(d, None, cost_b),
                            after=after, method="exact", solve_s=time.perf_counter() - start,
                            reduction={"demand": n, "sites": m, "pairs": p, "rounds": rounds},
                            extra=extra)

    def _solve_lagrangian(self, k: int, start: float) -> SitingResult:
        d = self.data
        usable = np.nonzero(d.existing | d.candidates)[0]
        dense = np.full((d.n_demand, len(usable)), np.inf)
        rows, cols, vals = d.pairs()
        pos = np.full(d.n_sites, -1)
        pos[usable] = np.arange(len(usable))
        sel = pos[cols] >= 0
        dense[rows[sel], pos[cols[sel]]] = d.weights[rows[sel]] * vals[sel]
        lonely = np.nonzero(~np.isfinite(dense).any(axis=1))[0]
        if len(lonely):
            unreachable_error(d, lonely, _("reach no site"), self.model)
        chosen, _value, lower = lagrangian_p_median(dense, d.existing[usable], k)
        new = np.zeros(d.n_sites, dtype=bool)
        new[usable[chosen]] = True
        near, cost = nearest_open(d, new | d.existing)
        _near, cost_b = nearest_open(d, d.existing)
        ids = np.array(d.site_ids, dtype=object)
        value = float((d.weights * cost).sum())
        after = totals(d, None, cost)
        after["mean_cost"] = value / max(float(d.weights.sum()), 1e-300)
        return SitingResult(model=self.model, status="heuristic", objective=value,
                            bound=lower, gap=max(0.0, (value - lower) / value) if value else 0.0,
                            sites=tuple(ids[new].tolist()),
                            open_sites=tuple(ids[new | d.existing].tolist()),
                            assignments=pd.DataFrame({"demand_id": d.demand_ids,
                                                      "weight": d.weights,
                                                      "site_id": ids[near], "cost": cost}),
                            before=totals(d, None, cost_b), after=after, method="greedy",
                            solve_s=time.perf_counter() - start,
                            reduction={"demand": d.n_demand, "sites": int(d.candidates.sum())},
                            extra={**self.meta, "weighted_cost": value})

    def _milp(self, rows: IntArray, cols: IntArray, vals: FloatArray, dummy: FloatArray,
              cand_idx: IntArray, cap_all: FloatArray, capacitated: bool,
              time_limit_s: float | None, mip_rel_gap: float) -> tuple[MilpSolution, int]:
        """Solve the p-median MILP on the given pairs, with an "elsewhere" variable at cost
        `dummy` for each point whose dummy is finite; return the solution and the number
        of pair variables (variables: y, x pairs, elsewhere)."""
        d, k = self.data, self.k
        usable = d.existing | d.candidates
        m, p, n = len(cand_idx), len(rows), d.n_demand
        has = np.nonzero(np.isfinite(dummy))[0]
        e = len(has)
        y_of = np.full(d.n_sites, -1)
        y_of[cand_idx] = np.arange(m)
        xs = m + np.arange(p)
        blocks = [sp.csr_matrix((np.ones(p + e), (np.r_[rows, has], np.r_[xs, m + p +
                                                                    np.arange(e)])),
                                shape=(n, m + p + e))]
        lower, upper = [np.ones(n)], [np.ones(n)]
        linked = np.nonzero(y_of[cols] >= 0)[0]
        if len(linked) and not capacitated:
            q = len(linked)
            blocks.append(sp.csr_matrix(
                (np.r_[np.ones(q), -np.ones(q)],
                 (np.r_[np.arange(q), np.arange(q)], np.r_[xs[linked], y_of[cols[linked]]])),
                shape=(q, m + p + e)))
            lower.append(np.full(q, -np.inf))
            upper.append(np.zeros(q))
        if capacitated:
            limited = np.nonzero(usable & ~np.isnan(cap_all))[0]
            row_of = np.full(d.n_sites, -1)
            row_of[limited] = np.arange(len(limited))
            sel = row_of[cols] >= 0
            r = np.r_[row_of[cols[sel]], row_of[limited[y_of[limited] >= 0]]]
            c = np.r_[xs[sel], y_of[limited[y_of[limited] >= 0]]]
            v = np.r_[d.weights[rows[sel]], -cap_all[limited[y_of[limited] >= 0]]]
            blocks.append(sp.csr_matrix((v, (r, c)), shape=(len(limited), m + p + e)))
            lower.append(np.full(len(limited), -np.inf))
            upper.append(np.where(y_of[limited] >= 0, 0.0, cap_all[limited]))
            # a demand point may only use an open candidate
            if len(linked):
                q = len(linked)
                blocks.append(sp.csr_matrix(
                    (np.r_[np.ones(q), -np.ones(q)],
                     (np.r_[np.arange(q), np.arange(q)],
                      np.r_[xs[linked], y_of[cols[linked]]])), shape=(q, m + p + e)))
                lower.append(np.full(q, -np.inf))
                upper.append(np.zeros(q))
        if k is not None:
            blocks.append(sp.csr_matrix(np.r_[np.ones(m), np.zeros(p + e)][None, :]))
            lower.append(np.array([float(k)]))
            upper.append(np.array([float(k)]))
        c_y = d.site_cost[cand_idx] if k is None else np.zeros(m)
        c = np.r_[c_y, d.weights[rows] * vals, d.weights[has] * dummy[has]]
        sol = solve_milp(c, sp.vstack(blocks, format="csr"), np.concatenate(lower),
                         np.concatenate(upper),
                         integrality=np.r_[np.ones(m), np.full(
                             p, 1 if capacitated and self.single_source else 0),
                             np.zeros(e)].astype(np.int8),
                         time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap,
                         what="capacitated p-median" if capacitated else self.model)
        return sol, p

    def _check_capacity(self, cap: npt.NDArray[np.float64], k: int | None) -> None:
        d = self.data
        if np.isnan(cap[d.existing | d.candidates]).any():
            return
        demand = float(d.weights.sum())
        have = float(cap[d.existing].sum())
        cand = np.sort(cap[d.candidates])[::-1]
        extra = float(cand[:k].sum()) if k is not None else float(cand.sum())
        if have + extra < demand - 1e-9:
            what = (_("the {k} largest candidates").format(k=k) if k is not None
                    else _("all candidates"))
            raise InfeasibleError(
                _("{model}: capacity below demand — demand {demand} > existing {have} + "
                  "{what} {extra} = {total}; fix: add sites, raise capacities or lower the "
                  "demand").format(model=self.model, demand=f"{demand:,.0f}",
                                   have=f"{have:,.0f}", what=what, extra=f"{extra:,.0f}",
                                   total=f"{have + extra:,.0f}"), status="infeasible")


class PCenter(_Assigning):
    """p-center: the k new sites that, with the existing ones, minimise the largest cost
    from any demand point to its nearest open site (unweighted, as spopt)."""

    model = "p-center"

    def solve(self, *, time_limit_s: float | None = None) -> SitingResult:
        """Return the chosen sites; the objective is the largest nearest-site cost
        (minutes or metres)."""
        start = time.perf_counter()
        d, k = self.data, (0 if self.k is None else int(self.k))
        check_k(d, k, self.model)
        usable = d.existing | d.candidates
        rows, cols, vals = d.pairs()
        lonely = np.bincount(rows[usable[cols]], minlength=d.n_demand) == 0
        if lonely.any():
            unreachable_error(d, np.nonzero(lonely)[0], _("reach no site"), self.model)
        found = p_center(d.cost, d.existing, d.candidates, k, time_limit_s=time_limit_s,
                         what=self.model)
        if found is None:
            existing = [s for s, e in zip(d.site_ids, d.existing, strict=True) if e]
            raise InfeasibleError(
                _("{model}: {k} new sites cannot serve every demand point even at the largest "
                  "cost {cost} {unit}; fix: allow more sites (existing: {existing})").format(
                    model=self.model, k=k, cost=f"{float(vals[usable[cols]].max()):,.1f}",
                    unit=d.unit, existing=_few(existing) or _("none")), status="infeasible")
        chosen, _value, search = found
        new = np.zeros(d.n_sites, dtype=bool)
        new[chosen] = True
        near, cost = nearest_open(d, d.existing | new)
        _near, cost_b = nearest_open(d, d.existing)
        ids = np.array(d.site_ids, dtype=object)
        value = float(cost.max())
        assignments = pd.DataFrame({"demand_id": d.demand_ids, "weight": d.weights,
                                    "site_id": ids[near], "cost": cost})
        return SitingResult(model=self.model, status="optimal", objective=value, bound=value,
                            gap=0.0, sites=tuple(ids[new].tolist()),
                            open_sites=tuple(ids[new | d.existing].tolist()),
                            assignments=assignments, before=totals(d, None, cost_b),
                            after=totals(d, None, cost), method="exact",
                            solve_s=time.perf_counter() - start,
                            reduction={"demand": d.n_demand, "sites": int(d.candidates.sum()),
                                       "demand_subset": search.subset,
                                       "rounds": search.rounds, "radii_tried": search.radii,
                                       "milps": search.milps}, extra=dict(self.meta))

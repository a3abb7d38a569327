"""Covering models: location set covering (`LSCP`), maximal covering (`MCLP`, also
capacitated) and backup covering (`LSCPB`), with existing sites fixed open.

A demand point is *covered* by a site when their cost (minutes or metres) is at most the
service standard (`radius`, one value or one per demand point). Formulations follow
Church & Murray, *Location Covering Models* (2018), as spopt does:

- LSCP (Toregas et al. 1971): min Σ c_j y_j  s.t. Σ_{j∈N_i} y_j ≥ 1 for every i;
- MCLP (Church & ReVelle 1974): max Σ w_i z_i  s.t. z_i ≤ Σ_{j∈N_i} y_j, Σ_new y_j ≤ k;
- capacitated MCLP: max Σ w_i Σ_j x_ij  s.t. Σ_j x_ij ≤ 1, Σ_i w_i x_ij ≤ C_j y_j,
  x_ij ≥ 0 only where j covers i (demand may split between sites);
- LSCP-B (Hogan & ReVelle 1986): the fewest sites of LSCP, then max Σ u_i with
  Σ_{j∈N_i} y_j ≥ 1 + u_i (points covered twice).

Existing sites are y_j = 1 constants; excluded sites do not exist. Instances are reduced
before solving (`hsplan.access.siting._reduce`); ``method="greedy"`` (or ``"auto"`` on a
large instance) returns the greedy solution with its gap to a Lagrangian bound — as does
a time limit reached before HiGHS has any solution (status ``time_limit``); at a time
limit with an incumbent, the better of it and the greedy, with the tighter bound.
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
    BoolArray,
    CostInput,
    PerSite,
    SitingData,
    SitingResult,
    check_k,
    nearest_open,
    siting_data,
    totals,
    unreachable_error,
)
from hsplan.access.siting._milp import solve_milp
from hsplan.access.siting._reduce import (
    greedy_max_cover,
    greedy_set_cover,
    lagrangian_max_cover_bound,
    lagrangian_set_cover_bound,
    merge_identical_rows,
    undominated_columns,
)
from hsplan.access.siting.project import siting_problem
from hsplan.errors import InfeasibleError, Problem, raise_if_errors
from hsplan.region.project import Project

METHODS = ("auto", "exact", "greedy")
#: above this many coverage pairs after reduction, ``method="auto"`` uses the greedy.
AUTO_EXACT_PAIRS = 400_000


def _check_method(method: str, context: str) -> None:
    if method not in METHODS:
        raise_if_errors([Problem(_("{context}: method").format(context=context),
                                 expected=_(" or ").join(METHODS),
                                 got=str(method))], context=context)


class _Covering:
    """Shared parts of the covering models: construction and the result."""

    model: ClassVar[str] = ""

    def __init__(self, data: SitingData, *, radius: float | npt.ArrayLike,
                 k: int | None = None, covers: sp.csr_matrix | None = None) -> None:
        self.data = data
        self.radius = radius
        self.k = k
        #: the 0/1 coverage when given (e.g. the plan's ambulance circles, minutes 或/且
        #: kilometres); else the pairs with cost ≤ `radius`
        self.covers = covers
        self.meta: dict[str, Any] = {}

    @classmethod
    def from_cost_matrix(cls, cost: CostInput, weights: npt.ArrayLike | None = None, *,
                         radius: float | npt.ArrayLike, k: int | None = None,
                         existing: list[str] | tuple[str, ...] = (),
                         exclude: list[str] | tuple[str, ...] = (),
                         site_cost: PerSite = None, capacity: PerSite = None,
                         demand_ids: list[Any] | None = None,
                         site_ids: list[Any] | None = None, unit: str = "m") -> Self:
        """Return the model of a cost matrix (demand × sites; a DataFrame keyed by demand
        and site ids, an array with inf/NaN for unreachable pairs, or a sparse matrix of the
        reachable pairs) with weights (e.g. persons; default 1 per point)."""
        data = siting_data(cost, weights, demand_ids=demand_ids, site_ids=site_ids,
                           existing=existing, exclude=exclude, site_cost=site_cost,
                           capacity=capacity, unit=unit, context=cls.model)
        return cls(data, radius=radius, k=k)

    @classmethod
    def from_access(cls, sa: ServiceAccess, facility: FacilitySelector | None, *,
                    k: int | None = None, minutes: float | None = 15.0,
                    ambulance: bool = False,
                    candidates: str | Path | gpd.GeoDataFrame = "villages",
                    mode: str = "drive", exclude: Sequence[str] = (),
                    capacity: PerSite = None, existing_capacity: float | None = None,
                    grid_km: float = 3.0, crs: str = "WGS84") -> Self:
        """Return the model of a project's access model: demand = its villages (persons),
        existing = the facilities `facility` selects (fixed open), candidates generated or
        read from a file (`siting_problem`), cost = travel minutes within the standard
        (`minutes`), or with `ambulance` the plan's ambulance circles and 院前急救 bases
        (the readings of `sa`, `siting_problem`; `facility` None)."""
        problem = siting_problem(sa, facility, minutes=minutes, ambulance=ambulance,
                                 candidates=candidates, mode=mode, exclude=exclude,
                                 capacity=capacity, existing_capacity=existing_capacity,
                                 grid_km=grid_km, crs=crs)
        if problem.minutes is None:
            raise_if_errors([Problem(_("{model}: service standard").format(model=cls.model),
                                     expected=_("minutes (e.g. 15) or the ambulance norm"),
                                     got=_("none"))],
                            context=cls.model)
            raise AssertionError  # unreachable: raise_if_errors raised
        model = cls(problem.data, radius=problem.minutes, k=k, covers=problem.covers)
        model.meta["problem"] = problem
        return model

    @classmethod
    def from_project(cls, project: Project, facility: FacilitySelector, *,
                     year: int | None = None, mode: str = "drive", **options: Any) -> Self:
        """Return the model of a project (`from_access` on `ServiceAccess.from_project`)."""
        sa = ServiceAccess.from_project(project, mode=mode, year=year)
        return cls.from_access(sa, facility, mode=mode, **options)

    def _cover(self) -> sp.csr_matrix:
        if self.covers is not None:
            if self.covers.shape != self.data.cost.shape:
                raise_if_errors([Problem(_("{model}: covers").format(model=self.model),
                                         expected=_("a demand × sites matrix {shape}").format(
                                             shape=self.data.cost.shape),
                                         got=_("shape {shape}").format(
                                             shape=self.covers.shape))], context=self.model)
            return sp.csr_matrix(self.covers)
        r = np.asarray(self.radius, dtype=float)
        if (r.ndim and r.shape != (self.data.n_demand,)) or not np.all(r >= 0):
            raise_if_errors([Problem(_("{model}: radius").format(model=self.model),
                                     expected=_("a service standard ≥ 0, one value or {n} "
                                                "(one per demand point)").format(
                                         n=self.data.n_demand),
                                     got=_("shape {shape}").format(shape=r.shape))],
                            context=self.model)
        return self.data.cover(r)

    def _result(self, cover: sp.csr_matrix, new: BoolArray, *, status: str, objective: float,
                bound: float, gap: float, method: str, solve_s: float,
                reduction: dict[str, int], covered_after: BoolArray | None = None,
                extra: dict[str, Any] | None = None) -> SitingResult:
        d = self.data
        ex = d.existing
        open_mask = ex | new
        n_cover = cover.astype(bool)
        cov_before = np.asarray(n_cover[:, ex].sum(axis=1)).ravel() > 0 if ex.any() \
            else np.zeros(d.n_demand, dtype=bool)
        cov_after = np.asarray(n_cover[:, open_mask].sum(axis=1)).ravel() > 0 \
            if covered_after is None else covered_after
        _near, cost_b = nearest_open(d, ex)
        near_a, cost_a = nearest_open(d, open_mask)
        # the nearest new site that covers each newly covered point
        rows, cols, vals = d.pairs()
        if self.covers is not None:  # the given coverage, on the stored pairs
            within = np.asarray(n_cover[rows, cols]).ravel()
        else:
            within = vals <= np.broadcast_to(np.asarray(self.radius, dtype=float),
                                             (d.n_demand,))[rows]
        pick = new[cols] & within
        new_site = np.full(d.n_demand, -1, dtype=np.int64)
        if pick.any():
            r, c, v = rows[pick], cols[pick], vals[pick]
            order = np.lexsort((c, v, r))
            r, c = r[order], c[order]
            first = np.ones(len(r), dtype=bool)
            first[1:] = r[1:] != r[:-1]
            new_site[r[first]] = c[first]
        new_site[cov_before | ~cov_after] = -1
        ids = np.array(d.site_ids, dtype=object)
        assignments = pd.DataFrame({
            "demand_id": d.demand_ids, "weight": d.weights,
            "site_id": [ids[j] if j >= 0 else None for j in near_a],
            "cost": cost_a, "covered_before": cov_before, "covered_after": cov_after,
            "new_site": [ids[j] if j >= 0 else None for j in new_site]})
        chosen = tuple(ids[new].tolist())
        return SitingResult(
            model=self.model, status=status, objective=objective, bound=bound, gap=gap,
            sites=chosen, open_sites=tuple(ids[open_mask].tolist()), assignments=assignments,
            before=totals(d, cov_before, cost_b), after=totals(d, cov_after, cost_a),
            method=method, solve_s=solve_s, reduction=reduction,
            extra={**self.meta, **(extra or {})})


class LSCP(_Covering):
    """Location set covering: the fewest new sites (or the lowest total opening cost,
    `site_cost`) so that every demand point is covered, given the existing sites."""

    model = "lscp"

    def solve(self, *, method: str = "auto", time_limit_s: float | None = None,
              mip_rel_gap: float = 0.0) -> SitingResult:
        """Return the chosen sites; the objective is the number (or cost) of new sites.
        Raises `InfeasibleError` naming the demand points no site can cover."""
        _check_method(method, self.model)
        start = time.perf_counter()
        d = self.data
        cover = self._cover()
        cand = d.candidates
        by_existing = np.asarray(cover[:, d.existing].sum(axis=1)).ravel() > 0
        need = np.nonzero(~by_existing)[0]
        cand_idx = np.nonzero(cand)[0]
        a = sp.csr_matrix(cover[need][:, cand_idx])
        empty = np.diff(a.indptr) == 0
        if empty.any():
            unreachable_error(d, need[empty], _("have no candidate site within the standard"),
                              self.model)
        red: dict[str, int] = {"demand": d.n_demand, "sites": int(cand.sum())}
        new = np.zeros(d.n_sites, dtype=bool)
        if len(need) == 0:
            return self._result(cover, new, status="optimal", objective=0.0, bound=0.0,
                                gap=0.0, method="exact", solve_s=time.perf_counter() - start,
                                reduction=red)
        a, _w, _group = merge_identical_rows(a, np.ones(len(need)))
        cost = d.site_cost[cand_idx]
        keep = undominated_columns(a, cost)
        a, cost, cand_idx = sp.csr_matrix(a[:, keep]), cost[keep], cand_idx[keep]
        red.update({"demand_reduced": a.shape[0], "sites_reduced": a.shape[1]})

        def greedy(status: str) -> SitingResult:
            cols = greedy_set_cover(a, cost)
            value = float(cost[cols].sum())
            bound = lagrangian_set_cover_bound(a, cost, value)
            if np.allclose(cost, np.round(cost)):
                bound = float(np.ceil(bound - 1e-9))
            new[cand_idx[cols]] = True
            return self._result(cover, new, status=status, objective=value,
                                bound=bound, gap=(value - bound) / value if value else 0.0,
                                method="greedy", solve_s=time.perf_counter() - start,
                                reduction=red)

        if method == "greedy" or (method == "auto" and a.nnz > AUTO_EXACT_PAIRS):
            return greedy("heuristic")
        try:
            sol = solve_milp(cost, a, np.ones(a.shape[0]), np.full(a.shape[0], np.inf),
                             integrality=np.ones(a.shape[1], dtype=np.int8),
                             time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap,
                             what=self.model)
        except InfeasibleError as exc:
            if exc.status != "time_limit":
                raise
            return greedy("time_limit")  # no MILP solution yet: the greedy and its bound
        if sol.status == "time_limit":
            # HiGHS's incumbent at the limit can be far from the greedy's (its first
            # feasible point): keep the better solution and the tighter proven bound
            cols = greedy_set_cover(a, cost)
            g_value = float(cost[cols].sum())
            bound = max(sol.bound, lagrangian_set_cover_bound(a, cost, g_value))
            if np.allclose(cost, np.round(cost)):
                bound = float(np.ceil(bound - 1e-9))
            if g_value < sol.objective:
                new[cand_idx[cols]] = True
                value, how = g_value, "greedy"
            else:
                new[cand_idx[sol.x > 0.5]] = True
                value, how = sol.objective, "exact"
            bound = min(bound, value)
            return self._result(cover, new, status="time_limit", objective=value, bound=bound,
                                gap=(value - bound) / value if value else 0.0, method=how,
                                solve_s=time.perf_counter() - start, reduction=red)
        new[cand_idx[sol.x > 0.5]] = True
        return self._result(cover, new, status=sol.status, objective=sol.objective,
                            bound=sol.bound, gap=sol.gap, method="exact",
                            solve_s=time.perf_counter() - start, reduction=red)


class MCLP(_Covering):
    """Maximal covering: the k new sites that, with the existing ones, cover the most
    weight (persons) within the standard. With `capacity` (per site, in weight units;
    NaN = unlimited) it is the capacitated MCLP: a site covers at most its capacity and
    demand may be split between sites."""

    model = "mclp"

    def solve(self, *, method: str = "auto", time_limit_s: float | None = None,
              mip_rel_gap: float = 0.0) -> SitingResult:
        """Return the chosen sites; the objective is the covered weight (persons) with the
        existing sites counted. At most k new sites are chosen (fewer when more add
        nothing)."""
        _check_method(method, self.model)
        d = self.data
        k = 0 if self.k is None else int(self.k)
        check_k(d, k, self.model)
        if d.capacity is not None and not np.isnan(d.capacity).all():
            return self._solve_capacitated(k, time_limit_s, mip_rel_gap)
        start = time.perf_counter()
        cover = self._cover()
        by_existing = np.asarray(cover[:, d.existing].sum(axis=1)).ravel() > 0
        base = float(d.weights[by_existing].sum())
        rows = np.nonzero(~by_existing & (d.weights > 0))[0]
        cand_idx = np.nonzero(d.candidates)[0]
        a = sp.csr_matrix(cover[rows][:, cand_idx])
        red: dict[str, int] = {"demand": d.n_demand, "sites": len(cand_idx)}
        useful = np.diff(a.indptr) > 0
        a, rows = sp.csr_matrix(a[useful]), rows[useful]
        a, w, _group = merge_identical_rows(a, d.weights[rows])
        keep = undominated_columns(a, np.zeros(a.shape[1]))
        a, cand_idx = sp.csr_matrix(a[:, keep]), cand_idx[keep]
        red.update({"demand_reduced": a.shape[0], "sites_reduced": a.shape[1]})
        new = np.zeros(d.n_sites, dtype=bool)
        m, n = a.shape[1], a.shape[0]
        if m == 0 or k == 0 or n == 0:
            return self._result(cover, new, status="optimal", objective=base, bound=base,
                                gap=0.0, method="exact", solve_s=time.perf_counter() - start,
                                reduction=red)
        if m <= k:
            new[cand_idx] = True
            value = base + float(w.sum())
            return self._result(cover, new, status="optimal", objective=value, bound=value,
                                gap=0.0, method="exact", solve_s=time.perf_counter() - start,
                                reduction=red)

        def greedy(status: str) -> SitingResult:
            cols, value = greedy_max_cover(a, w, k)
            bound = lagrangian_max_cover_bound(a, w, k, value)
            new[cand_idx[cols]] = True
            value, bound = base + value, base + max(bound, value)
            return self._result(cover, new, status=status, objective=value,
                                bound=bound, gap=(bound - value) / bound if bound else 0.0,
                                method="greedy", solve_s=time.perf_counter() - start,
                                reduction=red)

        if method == "greedy" or (method == "auto" and a.nnz > AUTO_EXACT_PAIRS):
            return greedy("heuristic")
        # variables: y (m candidates), z (n demand rows); z_i − Σ a_ij y_j ≤ 0; Σ y ≤ k
        coef = sp.hstack([-a, sp.identity(n, format="csr")], format="csr")
        budget = sp.csr_matrix(np.r_[np.ones(m), np.zeros(n)][None, :])
        mat = sp.vstack([coef, budget], format="csr")
        lower = np.full(n + 1, -np.inf)
        upper = np.r_[np.zeros(n), k]
        c = np.r_[np.zeros(m), w]
        try:
            sol = solve_milp(c, mat, lower, upper, maximize=True,
                             integrality=np.r_[np.ones(m), np.zeros(n)].astype(np.int8),
                             time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap,
                             what=self.model)
        except InfeasibleError as exc:
            if exc.status != "time_limit":
                raise
            return greedy("time_limit")  # no MILP solution yet: the greedy and its bound
        if sol.status == "time_limit":
            # HiGHS's incumbent at the limit can be far from the greedy's (its first
            # feasible point): keep the better solution and the tighter proven bound
            cols, g_value = greedy_max_cover(a, w, k)
            bound = min(sol.bound, max(lagrangian_max_cover_bound(a, w, k, g_value), g_value))
            if g_value > sol.objective:
                new[cand_idx[cols]] = True
                value, how = g_value, "greedy"
            else:
                new[cand_idx[sol.x[:m] > 0.5]] = True
                value, how = sol.objective, "exact"
            value, bound = base + value, base + max(bound, value)
            return self._result(cover, new, status="time_limit", objective=value, bound=bound,
                                gap=(bound - value) / bound if bound else 0.0, method=how,
                                solve_s=time.perf_counter() - start, reduction=red)
        new[cand_idx[sol.x[:m] > 0.5]] = True
        return self._result(cover, new, status=sol.status, objective=base + sol.objective,
                            bound=base + sol.bound, gap=sol.gap, method="exact",
                            solve_s=time.perf_counter() - start, reduction=red)

    def _solve_capacitated(self, k: int, time_limit_s: float | None,
                           mip_rel_gap: float) -> SitingResult:
        start = time.perf_counter()
        d = self.data
        cover = self._cover()
        capacity = d.capacity if d.capacity is not None else np.full(d.n_sites, np.nan)
        usable = d.existing | d.candidates
        cols_all = np.nonzero(usable)[0]
        a = sp.csr_matrix(cover[:, cols_all])
        rows = np.nonzero((np.diff(a.indptr) > 0) & (d.weights > 0))[0]
        a, w, group = merge_identical_rows(sp.csr_matrix(a[rows]), d.weights[rows])
        red = {"demand": d.n_demand, "sites": int(d.candidates.sum()),
               "demand_reduced": a.shape[0], "sites_reduced": len(cols_all)}
        cand_pos = np.nonzero(d.candidates[cols_all])[0]
        pr, pc = a.nonzero()
        n, p, m = a.shape[0], len(pr), len(cand_pos)
        y_of = np.full(len(cols_all), -1)
        y_of[cand_pos] = np.arange(m)
        cap = capacity[cols_all]
        # variables: y (m candidates), x (p pairs)
        blocks = [sp.csr_matrix((np.ones(p), (pr, m + np.arange(p))), shape=(n, m + p))]
        lower, upper = [np.full(n, -np.inf)], [np.ones(n)]
        limited = np.nonzero(~np.isnan(cap))[0]
        row_of = np.full(len(cols_all), -1)
        row_of[limited] = np.arange(len(limited))
        sel = row_of[pc] >= 0
        cap_rows = sp.csr_matrix((w[pr[sel]], (row_of[pc[sel]], m + np.nonzero(sel)[0])),
                                 shape=(len(limited), m + p)).tolil()
        ub_cap = np.zeros(len(limited))
        for r, col in enumerate(limited):
            if y_of[col] >= 0:
                cap_rows[r, y_of[col]] = -cap[col]
            else:
                ub_cap[r] = cap[col]
        blocks.append(cap_rows.tocsr())
        lower.append(np.full(len(limited), -np.inf))
        upper.append(ub_cap)
        blocks.append(sp.csr_matrix(np.r_[np.ones(m), np.zeros(p)][None, :]))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([float(k)]))
        mat = sp.vstack(blocks, format="csr")
        c = np.r_[np.zeros(m), w[pr]]
        sol = solve_milp(c, mat, np.concatenate(lower), np.concatenate(upper), maximize=True,
                         integrality=np.r_[np.ones(m), np.zeros(p)].astype(np.int8),
                         time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap,
                         what="capacitated mclp")
        new = np.zeros(d.n_sites, dtype=bool)
        new[cols_all[cand_pos[sol.x[:m] > 0.5]]] = True
        x = sol.x[m:]
        share_group = np.bincount(pr, weights=x, minlength=n)
        share = np.zeros(d.n_demand)
        share[rows] = share_group[group]
        served = np.bincount(pc, weights=w[pr] * x, minlength=len(cols_all))
        load = {d.site_ids[cols_all[j]]: float(served[j]) for j in range(len(cols_all))
                if served[j] > 0}
        result = self._result(cover, new, status=sol.status, objective=sol.objective,
                              bound=sol.bound, gap=sol.gap, method="exact",
                              solve_s=time.perf_counter() - start, reduction=red,
                              covered_after=share >= 1 - 1e-6,
                              extra={"covered_share": share, "site_load": load})
        result.after.update({"covered": sol.objective,
                             "share": sol.objective / max(float(d.weights.sum()), 1e-300)})
        return result


class LSCPB(_Covering):
    """Backup covering: among the fewest-site (lowest-cost) covers of LSCP, the one that
    covers the most demand points twice (existing sites count towards both)."""

    model = "lscp-b"

    def solve(self, *, time_limit_s: float | None = None,
              mip_rel_gap: float = 0.0) -> SitingResult:
        """Return the chosen sites; the objective is the number of demand points covered at
        least twice; ``extra["backup_share"]`` is their share of all points and
        ``extra["lscp_objective"]`` the number (cost) of new sites."""
        start = time.perf_counter()
        d = self.data
        first = LSCP(d, radius=self.radius, covers=self.covers).solve(
            method="exact", time_limit_s=time_limit_s)
        cover = self._cover()
        cand_idx = np.nonzero(d.candidates)[0]
        n_exist = np.asarray(cover[:, d.existing].sum(axis=1)).ravel()
        a_full = sp.csr_matrix(cover[:, cand_idx])
        # rows with identical (candidate set, existing count) share one u
        key = sp.hstack([a_full, sp.csr_matrix(np.minimum(n_exist, 2)[:, None])], format="csr")
        _rows, cnt, group = merge_identical_rows(key, np.ones(d.n_demand))
        reps = np.unique(group, return_index=True)[1]
        a = sp.csr_matrix(a_full[reps])
        e = n_exist[reps]
        n, m = a.shape
        possible = np.diff(a.indptr) + e
        # variables: y (m), u (n); Σ a_ij y_j − u_i ≥ 1 − e_i; Σ c_j y_j ≤ LSCP optimum
        coef = sp.hstack([a, -sp.identity(n, format="csr")], format="csr")
        budget = sp.csr_matrix(np.r_[d.site_cost[cand_idx], np.zeros(n)][None, :])
        mat = sp.vstack([coef, budget], format="csr")
        lower = np.r_[1.0 - e, -np.inf]
        upper = np.r_[np.full(n, np.inf), first.objective + 1e-6]
        ub = np.r_[np.ones(m), (possible >= 2).astype(float)]
        sol = solve_milp(np.r_[np.zeros(m), cnt], mat, lower, upper, maximize=True,
                         integrality=np.r_[np.ones(m), np.ones(n)].astype(np.int8),
                         var_ub=ub, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap,
                         what=self.model)
        new = np.zeros(d.n_sites, dtype=bool)
        new[cand_idx[sol.x[:m] > 0.5]] = True
        count = np.asarray(cover[:, d.existing | new].sum(axis=1)).ravel()
        backed = int((count >= 2).sum())
        possible_full = np.diff(a_full.indptr) + n_exist
        single = int((possible_full < 2).sum())
        return self._result(cover, new, status=sol.status, objective=float(backed),
                            bound=sol.bound, gap=sol.gap, method="exact",
                            solve_s=time.perf_counter() - start,
                            reduction={"demand": d.n_demand, "sites": m,
                                       "demand_reduced": n, "sites_reduced": m},
                            extra={"backup_points": backed,
                                   "backup_share": backed / max(d.n_demand, 1),
                                   "backup_weight": float(d.weights[count >= 2].sum()),
                                   "lscp_objective": first.objective,
                                   "single_cover_points": single,
                                   "spopt_backup_share": (backed + single) / max(d.n_demand, 1)})

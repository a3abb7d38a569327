"""The data every siting model shares — the cost pairs, weights, site ids, existing sites,
exclusions, opening costs and capacities, checked once — and the result they return."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from hsplan._i18n import _, ngettext
from hsplan.errors import InfeasibleError, Problem, raise_if_errors

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CostInput: TypeAlias = pd.DataFrame | sp.spmatrix | sp.sparray | npt.ArrayLike
PerSite: TypeAlias = Mapping[str, float] | npt.ArrayLike | None

#: the words a result's status takes
STATUS_ZH = {"optimal": "最优", "time_limit": "时限内最优近似", "heuristic": "启发式"}


def _ids(values: Sequence[Any] | None, n: int, prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)] if values is None else [str(v) for v in values]


def _few(items: Sequence[Any], limit: int = 8) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" … (+{len(items) - limit})" if len(items) > limit else "")


@dataclass(frozen=True)
class SitingData:
    """A checked siting instance: cost pairs (demand row, site column, cost) of the
    reachable pairs, demand weights, ids, and per-site flags and numbers.

    `cost` is a CSR matrix (demand × sites) whose *stored* entries are the reachable pairs
    (a stored 0 is a pair at cost 0); `unit` names the cost unit (``m``, ``min``).
    """

    cost: sp.csr_matrix
    weights: FloatArray
    demand_ids: list[str]
    site_ids: list[str]
    existing: BoolArray
    excluded: BoolArray
    site_cost: FloatArray
    capacity: FloatArray | None
    unit: str = "m"

    @property
    def n_demand(self) -> int:
        return len(self.demand_ids)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def candidates(self) -> BoolArray:
        """Sites that may be opened: neither existing nor excluded."""
        return ~self.existing & ~self.excluded

    def pairs(self) -> tuple[IntArray, IntArray, FloatArray]:
        """Return the reachable pairs as (demand rows, site columns, costs)."""
        c = self.cost
        rows = np.repeat(np.arange(c.shape[0], dtype=np.int64), np.diff(c.indptr))
        return rows, c.indices.astype(np.int64), c.data.astype(float)

    def cover(self, radius: float | npt.ArrayLike) -> sp.csr_matrix:
        """Return the 0/1 coverage matrix (demand × sites): pairs with cost ≤ the radius
        (one radius, or one per demand point)."""
        rows, cols, vals = self.pairs()
        r = np.broadcast_to(np.asarray(radius, dtype=float), (self.n_demand,))
        keep = vals <= r[rows]
        return sp.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])),
                             shape=self.cost.shape)

    def site_index(self, ids: Sequence[str]) -> IntArray:
        pos = {s: i for i, s in enumerate(self.site_ids)}
        return np.array([pos[s] for s in ids], dtype=np.int64)


def siting_data(cost: CostInput, weights: npt.ArrayLike | None = None, *,
                demand_ids: Sequence[Any] | None = None,
                site_ids: Sequence[Any] | None = None,
                existing: Sequence[str] = (), exclude: Sequence[str] = (),
                site_cost: PerSite = None, capacity: PerSite = None,
                unit: str = "m", context: str = "siting") -> SitingData:
    """Return a checked `SitingData` from a cost matrix: a DataFrame (index demand ids,
    columns site ids), a dense array (NaN or inf = unreachable) or a sparse matrix (stored
    entries = reachable pairs). Every problem is raised at once."""
    problems: list[Problem] = []
    if isinstance(cost, pd.DataFrame):
        demand_ids = list(cost.index) if demand_ids is None else demand_ids
        site_ids = list(cost.columns) if site_ids is None else site_ids
        cost = cost.to_numpy(dtype=float)
    if sp.issparse(cost):
        csr = sp.csr_matrix(cost, dtype=float)
        csr.sort_indices()
    else:
        dense = np.asarray(cost, dtype=float)
        if dense.ndim != 2:
            raise_if_errors([Problem(_("{context}: cost matrix").format(context=context),
                                     expected=_("a 2-D matrix (demand points × sites)"),
                                     got=_("shape {shape}").format(shape=dense.shape))],
                            context=context)
        r, c = np.nonzero(np.isfinite(dense))
        csr = sp.csr_matrix((dense[r, c], (r, c)), shape=dense.shape)
    n, m = csr.shape
    d_ids = _ids(demand_ids, n, "d")
    s_ids = _ids(site_ids, m, "s")
    if len(d_ids) != n:
        problems.append(Problem(_("{context}: demand ids").format(context=context),
                                expected=_("{n} (rows of the cost matrix)").format(n=n),
                                got=str(len(d_ids))))
    if len(s_ids) != m:
        problems.append(Problem(_("{context}: site ids").format(context=context),
                                expected=_("{m} (columns of the cost matrix)").format(m=m),
                                got=str(len(s_ids))))
    if len(set(s_ids)) != len(s_ids):
        dup = sorted({s for s in s_ids if s_ids.count(s) > 1})
        problems.append(Problem(_("{context}: site ids").format(context=context),
                                expected=_("unique ids"), got=_few(dup),
                                fix=_("give every site its own id")))
    if csr.nnz and (np.isnan(csr.data).any() or (csr.data < 0).any()):
        problems.append(Problem(_("{context}: cost matrix").format(context=context),
                                expected=_("costs ≥ 0"),
                                got=_("{count} negative values").format(
                                    count=int((csr.data < 0).sum()))))
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
    if len(w) != n:
        problems.append(Problem(_("{context}: weights").format(context=context),
                                expected=_("{n} values (one per demand point)").format(n=n),
                                got=_("{count} values").format(count=len(w))))
    elif not (np.isfinite(w).all() and (w >= 0).all()):
        bad = [d_ids[i] for i in np.nonzero(~(np.isfinite(w) & (w >= 0)))[0]]
        problems.append(Problem(_("{context}: weights").format(context=context),
                                expected=_("finite numbers ≥ 0"),
                                got=_("{count} bad: {ids}").format(count=len(bad),
                                                                   ids=_few(bad))))
    known = set(s_ids)
    for label, ids in ((_("existing sites"), existing), (_("excluded sites"), exclude)):
        unknown = [s for s in ids if str(s) not in known]
        if unknown:
            problems.append(Problem(
                ngettext("{context}: {label}, {count} unknown id",
                         "{context}: {label}, {count} unknown ids", len(unknown)).format(
                    context=context, label=label, count=len(unknown)),
                expected=_("ids of the {m} sites (e.g. {ids})").format(m=m,
                                                                       ids=_few(s_ids, 3)),
                got=_few(unknown), fix=_("check the spelling of the ids")))
    both = sorted(set(map(str, existing)) & set(map(str, exclude)))
    if both:
        problems.append(Problem(_("{context}: sites both existing and excluded").format(
            context=context), expected=_("an existing site is never excluded"),
            got=_few(both)))
    f_cost = _per_site(site_cost, s_ids, "site_cost", 1.0, problems, context)
    cap = None if capacity is None else _per_site(capacity, s_ids, "capacity", np.nan,
                                                  problems, context)
    raise_if_errors(problems, context=context)
    pos = {s: i for i, s in enumerate(s_ids)}
    ex = np.zeros(m, dtype=bool)
    ex[[pos[str(s)] for s in existing]] = True
    exc = np.zeros(m, dtype=bool)
    exc[[pos[str(s)] for s in exclude]] = True
    return SitingData(csr, w, d_ids, s_ids, ex, exc, f_cost, cap, unit)


def _per_site(values: PerSite, s_ids: list[str], name: str, default: float,
              problems: list[Problem], context: str) -> FloatArray:
    if values is None:
        return np.full(len(s_ids), default)
    if isinstance(values, Mapping):
        unknown = [k for k in values if str(k) not in set(s_ids)]
        if unknown:
            problems.append(Problem(_("{context}: {name}, unknown site ids").format(
                context=context, name=name), expected=_("ids of the sites"), got=_few(unknown)))
        out = np.array([float(values.get(s, default)) for s in s_ids])
    else:
        out = np.asarray(values, dtype=float).ravel()
        if len(out) != len(s_ids):
            problems.append(Problem(f"{context}: {name}",
                                    expected=_("{m} values (one per site)").format(m=len(s_ids)),
                                    got=_("{count} values").format(count=len(out))))
            return np.full(len(s_ids), default)
    given = out[~np.isnan(out)] if np.isnan(default) else out
    if not (np.isfinite(given).all() and (given >= 0).all()):
        problems.append(Problem(f"{context}: {name}", expected=_("finite numbers ≥ 0"),
                                got=_few([v for v in given if not (np.isfinite(v) and v >= 0)])))
    return out


def check_k(data: SitingData, k: int | None, context: str, *, exact: bool = False) -> None:
    """Raise when `k` new sites cannot be chosen from the candidates (with the numbers)."""
    n_cand = int(data.candidates.sum())
    if k is None:
        return
    if k < 0 or (exact and k > n_cand) or (not exact and k > n_cand):
        raise_if_errors([Problem(
            _("{context}: sites to add").format(context=context),
            expected=_("0 ≤ k ≤ {n} (the candidates: {sites} sites − {existing} existing − "
                       "{excluded} excluded)").format(
                n=n_cand, sites=data.n_sites, existing=int(data.existing.sum()),
                excluded=int(data.excluded.sum())), got=str(k),
            fix=_("ask for fewer sites or give more candidates"))], context=context)


def unreachable_error(data: SitingData, rows: IntArray, what: str, context: str) -> None:
    """Raise `InfeasibleError` naming the demand points no site can serve."""
    ids = [data.demand_ids[i] for i in rows]
    raise InfeasibleError(
        _("{context}: {count} of {total} demand points {what} ({ids}); fix: add candidate "
          "sites near them, widen the standard, or leave them out").format(
            context=context, count=len(ids), total=data.n_demand, what=what, ids=_few(ids)),
        status="infeasible")


@dataclass(frozen=True)
class SitingResult:
    """What a siting model found.

    - ``model``: lscp, lscp-b, mclp, p-median, p-center;
    - ``status``: optimal, time_limit (best found, ``gap`` proven) or heuristic (greedy,
      ``gap`` to the Lagrangian bound);
    - ``objective``: the model's objective (covered weight, new-site cost, weighted cost
      sum, maximum cost) and ``bound`` a proven bound on it; ``gap`` relative;
    - ``sites``: ids of the new sites chosen; ``open_sites``: existing + new;
    - ``assignments``: per demand point ``demand_id``, ``weight``, ``site_id`` (its open
      site: the assigned one, or the nearest covering one), ``cost``, ``covered_before``,
      ``covered_after`` (coverage models), ``new_site`` (the new site that covers it);
    - ``before``/``after``: totals (``weight``, ``covered``, ``share``, ``points_covered``,
      ``mean_cost``, ``max_cost``) with the existing sites only and with the new ones;
    - ``reduction``: sizes before and after the reductions; ``method``, ``solve_s``.
    """

    model: str
    status: str
    objective: float
    bound: float
    gap: float
    sites: tuple[str, ...]
    open_sites: tuple[str, ...]
    assignments: pd.DataFrame
    before: dict[str, float]
    after: dict[str, float]
    method: str = "exact"
    solve_s: float = 0.0
    reduction: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def sites_frame(self) -> pd.DataFrame:
        """Return one row per new site: ``site_id``, ``points_new`` (demand points it newly
        covers), ``weight_new`` (their weight, e.g. persons), ``points_assigned``,
        ``weight_assigned`` (demand it serves)."""
        a = self.assignments
        rows = []
        for s in self.sites:
            new = a[a["new_site"] == s] if "new_site" in a else a.iloc[0:0]
            mine = a[a["site_id"] == s]
            rows.append({"site_id": s, "points_new": len(new),
                         "weight_new": float(new["weight"].sum()),
                         "points_assigned": len(mine),
                         "weight_assigned": float(mine["weight"].sum())})
        return pd.DataFrame(rows, columns=["site_id", "points_new", "weight_new",
                                           "points_assigned", "weight_assigned"])


def nearest_open(data: SitingData, open_mask: BoolArray) -> tuple[IntArray, FloatArray]:
    """Return per demand point the nearest open site (−1 when none is reachable) and its
    cost (inf when none); ties go to the lower site index."""
    rows, cols, vals = data.pairs()
    keep = open_mask[cols]
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    best = np.full(data.n_demand, -1, dtype=np.int64)
    cost = np.full(data.n_demand, np.inf)
    if len(rows):
        order = np.lexsort((cols, vals, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        best[rows[first]] = cols[first]
        cost[rows[first]] = vals[first]
    return best, cost


def totals(data: SitingData, covered: BoolArray | None, cost: FloatArray,
           covered_weight: float | None = None) -> dict[str, float]:
    """Return the totals of one side (before/after) of a result."""
    w = data.weights
    total = float(w.sum())
    out: dict[str, float] = {"weight": total, "points": float(data.n_demand)}
    if covered is not None:
        cw = float(w[covered].sum()) if covered_weight is None else covered_weight
        out.update({"covered": cw, "share": cw / total if total else 0.0,
                    "points_covered": float(covered.sum()),
                    "points_uncovered": float(data.n_demand - covered.sum())})
    finite = np.isfinite(cost)
    if finite.any():
        out["mean_cost"] = float((w[finite] * cost[finite]).sum() / max(w[finite].sum(), 1e-300))
        out["max_cost"] = float(cost[finite].max())
    out["points_unreachable"] = float((~finite).sum())
    return out

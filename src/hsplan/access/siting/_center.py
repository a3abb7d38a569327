"""The exact p-center search behind `PCenter`: set covers on a growing subset of the
demand points (Chen & Chen 2009; Contardo, Iori & Kramer 2019).

The p-center value of a subset S of the demand points, r(S), is a lower bound on the value
of all points, and any k sites give an upper bound (their largest nearest-site cost). The
search keeps both:

1. start: S = the farthest point and the points a farthest-first pass picks (Gonzalez
   1985; each time the point farthest from the open sites, then the candidate nearest to
   it); that pass's sites are the first upper bound;
2. r(S) exactly: bisection over the distinct costs of S's rows between the lower and the
   upper bound; a radius is feasible when S's points not covered by the existing sites
   can be covered by ≤ k candidates — a greedy cover first (feasible without a MILP when
   it needs ≤ k), else the covering MILP with Σ y ≤ k (HiGHS: infeasible as soon as its
   LP bound exceeds k). Rows are merged and dominated candidates dropped first
   (`_reduce`). Every feasible cover is evaluated on all points (a new upper bound);
3. if the sites of r(S) serve every point within r(S), they are optimal; else the points
   they leave beyond r(S) (the farthest of each site's, a few per site) join S and step 2
   starts again from the lower bound r(S).

Each step's sets are small (tens to hundreds of rows), so the MILPs are solved in
milliseconds where one set cover of all points at a tight radius takes minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from hsplan.access.siting._base import BoolArray, FloatArray, IntArray
from hsplan.access.siting._milp import solve_milp
from hsplan.access.siting._reduce import (
    greedy_set_cover,
    merge_identical_rows,
    undominated_columns,
)
from hsplan.errors import InfeasibleError

#: at most this many points beyond the subset's radius join the subset per round
ADD_PER_ROUND = 60


@dataclass
class CenterSearch:
    """Counts of an exact p-center search: rounds, subset size, radii tested, MILPs."""

    rounds: int = 0
    subset: int = 0
    radii: int = 0
    milps: int = 0
    greedy_hits: int = 0
    history: list[float] = field(default_factory=list)


class _Pairs:
    """The usable pairs of a cost matrix by row (CSR order) and by column."""

    def __init__(self, cost: sp.csr_matrix, usable: BoolArray) -> None:
        n = cost.shape[0]
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(cost.indptr))
        keep = usable[cost.indices]
        self.n = n
        self.rows = rows[keep]
        self.cols = cost.indices[keep].astype(np.int64)
        self.vals = cost.data[keep].astype(float)
        self.indptr = np.r_[0, np.cumsum(np.bincount(self.rows, minlength=n))]
        order = np.argsort(self.cols, kind="stable")
        self.by_col_rows = self.rows[order]
        self.by_col_vals = self.vals[order]
        self.col_ptr = np.r_[0, np.cumsum(np.bincount(self.cols, minlength=cost.shape[1]))]

    def row_min(self, mask: BoolArray) -> FloatArray:
        """Return each row's smallest cost over the columns in `mask` (inf when none)."""
        v = np.where(mask[self.cols], self.vals, np.inf)
        out = np.full(self.n, np.inf)
        lens = np.diff(self.indptr)
        filled = lens > 0
        if filled.any():
            out[filled] = np.minimum.reduceat(v, self.indptr[:-1][filled])
        return out

    def column(self, j: int) -> tuple[IntArray, FloatArray]:
        seg = slice(self.col_ptr[j], self.col_ptr[j + 1])
        return self.by_col_rows[seg], self.by_col_vals[seg]

    def take_rows(self, subset: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """Return the pairs of the rows in `subset` as (position in subset, column, cost)."""
        starts, ends = self.indptr[subset], self.indptr[subset + 1]
        lens = ends - starts
        local = np.repeat(np.arange(len(subset), dtype=np.int64), lens)
        offset = np.repeat(starts - np.r_[0, np.cumsum(lens)[:-1]], lens)
        idx = offset + np.arange(int(lens.sum()))
        return local, self.cols[idx], self.vals[idx]


def p_center(cost: sp.csr_matrix, existing: BoolArray, candidates: BoolArray, k: int, *,
             time_limit_s: float | None = None, what: str = "p-center"
             ) -> tuple[IntArray, float, CenterSearch] | None:
    """Return (the new sites, the optimal p-center value, the search's counts), or None
    when k new sites cannot serve every demand point. Every demand point must reach some
    existing or candidate site (the caller checks)."""
    pairs = _Pairs(cost, existing | candidates)
    base = pairs.row_min(existing)  # nearest existing site's cost (inf: none)
    best_any = pairs.row_min(existing | candidates)
    stats = CenterSearch()
    serve_site = np.full(pairs.n, -1, dtype=np.int64)

    def evaluate(cols: IntArray) -> FloatArray:
        cur = base.copy()
        serve_site[:] = -1
        for j in cols:
            r, v = pairs.column(int(j))
            better = v < cur[r]
            cur[r[better]] = v[better]
            serve_site[r[better]] = j
        return cur

    # farthest-first: the first upper bound and the first subset
    first = [int(np.argmax(best_any))]
    chosen: list[int] = []
    cur = base.copy()
    for _ in range(k):
        i = int(np.argmax(cur))
        first.append(i)
        local, cols, vals = pairs.take_rows(np.array([i]))
        ok = candidates[cols] & ~np.isin(cols, chosen)
        if not ok.any() or vals[ok].min() >= cur[i]:
            break
        chosen.append(int(cols[ok][np.argmin(vals[ok])]))
        cur = evaluate(np.array(chosen))
    best_cols = np.array(chosen, dtype=np.int64)
    upper = float(cur.max())
    if not np.isfinite(upper):
        best_cols = np.zeros(0, dtype=np.int64)
    first.append(int(np.argmax(cur)))
    subset = np.unique(np.array(first, dtype=np.int64))
    lower = float(best_any.max())

    def feasible(local: IntArray, cols: IntArray, vals: FloatArray, base_s: FloatArray,
                 radius: float) -> IntArray | None:
        stats.radii += 1
        need = base_s > radius
        sel = need[local] & candidates[cols] & (vals <= radius)
        rows_needed = np.nonzero(need)[0]
        if len(rows_needed) == 0:
            return np.zeros(0, dtype=np.int64)
        row_pos = np.full(len(base_s), -1)
        row_pos[rows_needed] = np.arange(len(rows_needed))
        cand_cols, col_pos = np.unique(cols[sel], return_inverse=True)
        a = sp.csr_matrix((np.ones(int(sel.sum())), (row_pos[local[sel]], col_pos)),
                          shape=(len(rows_needed), len(cand_cols)))
        if (np.diff(a.indptr) == 0).any() or k == 0:
            return None
        reduced = reduce_cover(a, k)
        if reduced is None:
            return None
        a, keep, forced = reduced
        if a.shape[0] == 0:
            return cand_cols[forced]
        room = k - len(forced)
        forced_cols, cand_cols = cand_cols[forced], cand_cols[keep]
        ones = np.ones(a.shape[1])
        greedy = greedy_set_cover(a, ones)
        if len(greedy) <= room:
            stats.greedy_hits += 1
            return np.r_[forced_cols, cand_cols[greedy]]
        if a.shape[1] <= room:
            return np.r_[forced_cols, cand_cols]
        stats.milps += 1
        mat = sp.vstack([a, sp.csr_matrix(ones[None, :])], format="csr")
        try:
            sol = solve_milp(np.zeros(a.shape[1]), mat, np.r_[np.ones(a.shape[0]), -np.inf],
                             np.r_[np.full(a.shape[0], np.inf), float(room)],
                             integrality=np.ones(a.shape[1], dtype=np.int8),
                             time_limit_s=time_limit_s, what=what)
        except InfeasibleError as exc:
            if exc.status == "infeasible":
                return None
            raise
        return np.r_[forced_cols, cand_cols[sol.x > 0.5]]

    def found(sol: IntArray) -> FloatArray:
        nonlocal upper, best_cols
        full = evaluate(sol)
        if full.max() < upper:
            upper, best_cols = float(full.max()), sol
        return full

    while True:
        stats.rounds += 1
        local, cols, vals = pairs.take_rows(subset)
        base_s = base[subset]
        values = np.unique(vals[(vals >= lower) & (vals <= upper)])
        lo, hi = 0, len(values) - 1
        sites_s = best_cols
        if not np.isfinite(upper):  # no upper bound yet: the largest cost must be feasible
            at_most = feasible(local, cols, vals, base_s, float(values[hi]))
            if at_most is None:
                return None
            sites_s = at_most
            found(sites_s)
        while lo < hi:
            mid = (lo + hi) // 2
            sol = feasible(local, cols, vals, base_s, float(values[mid]))
            if sol is None:
                lo = mid + 1
                continue
            sites_s = sol
            reach = float(found(sol)[subset].max())
            hi = min(mid, int(np.searchsorted(values, reach)))
        radius = float(values[hi])
        lower = max(lower, radius)
        stats.history.append(radius)
        if upper <= lower:
            break
        full = evaluate(sites_s)
        beyond = np.nonzero(full > radius)[0]
        beyond = beyond[np.argsort(-full[beyond], kind="stable")]
        _, first_per_site = np.unique(serve_site[beyond], return_index=True)
        pick = beyond[np.sort(first_per_site)]
        if len(pick) < ADD_PER_ROUND:
            rest = np.setdiff1d(beyond, pick, assume_unique=True)
            rest = rest[np.argsort(-full[rest], kind="stable")]
            pick = np.r_[pick, rest[:ADD_PER_ROUND - len(pick)]]
        subset = np.union1d(subset, pick[:ADD_PER_ROUND])
    stats.subset = len(subset)
    return best_cols, upper, stats


def reduce_cover(a: sp.csr_matrix, k: int) -> tuple[sp.csr_matrix, IntArray, IntArray] | None:
    """Return (the reduced 0/1 cover matrix, its columns' original positions, the columns
    every cover of ≤ k columns must hold), or None when no such cover exists. Repeated
    until nothing changes: identical rows merged; a row whose set holds another row's set
    dropped (covering the smaller covers it); dominated columns dropped; a row with one
    column forces that column (its rows drop)."""
    cols = np.arange(a.shape[1], dtype=np.int64)
    forced: list[int] = []
    a = sp.csr_matrix(a)
    while True:
        shape = a.shape
        if a.shape[0] == 0:
            break
        if (np.diff(a.indptr) == 0).any():
            return None
        a, _, _ = merge_identical_rows(a, np.ones(a.shape[0]))
        size = np.diff(a.indptr)
        if a.shape[0] > 1 and float((size.astype(float) ** 2).sum()) < 5e6:
            overlap = sp.coo_matrix(a @ a.T)
            i, ip, v = overlap.row, overlap.col, overlap.data
            sub = (i != ip) & (v == size[i])  # set(i) ⊆ set(ip): ip is redundant
            drop = np.zeros(a.shape[0], dtype=bool)
            drop[ip[sub]] = True
            a = sp.csr_matrix(a[~drop])
        single = np.diff(a.indptr) == 1
        if single.any():
            must = np.unique(a.indices[a.indptr[:-1][single]])
            forced += cols[must].tolist()
            if len(forced) > k:
                return None
            hit = np.asarray(a[:, must].sum(axis=1)).ravel() > 0
            a = sp.csr_matrix(a[~hit])
            rest = np.setdiff1d(np.arange(a.shape[1]), must)
            a, cols = sp.csr_matrix(a[:, rest]), cols[rest]
        keep = undominated_columns(a, np.zeros(a.shape[1]))
        a, cols = sp.csr_matrix(a[:, keep]), cols[keep]
        if a.shape == shape:
            break
    return a, cols, np.array(forced, dtype=np.int64)

"""Exact reductions of a covering instance before it is solved, and the greedy heuristics
with their Lagrangian bounds for instances beyond exact reach.

Reductions (each keeps every optimum's value):
- demand rows with identical coverage sets are merged, their weights summed;
- a candidate whose coverage set lies inside another's at no lower cost is dropped
  (column dominance; uncapacitated models only); candidates that cover nothing are dropped.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def merge_identical_rows(a: sp.csr_matrix, weights: FloatArray
                         ) -> tuple[sp.csr_matrix, FloatArray, IntArray]:
    """Return (unique rows, summed weights, group of each original row): demand points with
    the same coverage set become one row weighted by their sum."""
    a = sp.csr_matrix(a)
    a.sort_indices()
    keys: dict[bytes, int] = {}
    group = np.empty(a.shape[0], dtype=np.int64)
    first: list[int] = []
    ind, ptr = a.indices, a.indptr
    for i in range(a.shape[0]):
        key = ind[ptr[i]:ptr[i + 1]].tobytes()
        g = keys.get(key)
        if g is None:
            g = keys[key] = len(first)
            first.append(i)
        group[i] = g
    w = np.bincount(group, weights=weights, minlength=len(first)).astype(float)
    return sp.csr_matrix(a[first]), w, group


def undominated_columns(a: sp.csr_matrix, cost: FloatArray, *,
                        max_pairs: int = 30_000_000) -> BoolArray:
    """Return a mask of the columns to keep: non-empty and not dominated — column j is
    dominated by j' when rows(j) ⊆ rows(j') and cost j' ≤ cost j (ties: the larger set,
    then the lower cost, then the lower index is kept). Skipped (all kept) when the overlap
    matrix would exceed `max_pairs` entries."""
    a = sp.csc_matrix(a, dtype=np.float64)
    a.data[:] = 1.0
    size = np.diff(a.indptr).astype(float)
    keep = size > 0
    est = float((np.diff(sp.csr_matrix(a).indptr).astype(float) ** 2).sum())
    if est > max_pairs:
        return keep
    overlap = sp.coo_matrix(a.T @ a)
    j, jp, v = overlap.row, overlap.col, overlap.data
    sub = (v == size[j]) & (j != jp) & (cost[jp] <= cost[j])
    j, jp = j[sub], jp[sub]
    better = (size[jp] > size[j]) | (cost[jp] < cost[j]) | (jp < j)
    keep[j[better]] = False
    return keep


def greedy_max_cover(a: sp.csr_matrix, weights: FloatArray, k: int) -> tuple[IntArray, float]:
    """Return (chosen columns, covered weight) of the lazy greedy for max coverage
    (Nemhauser, Wolsey & Fisher 1978: at least 1 − 1/e of the optimum)."""
    csc = sp.csc_matrix(a)
    residual = weights.astype(float).copy()
    gains = np.asarray(csc.T @ residual).ravel()
    heap = [(-g, j) for j, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    total = 0.0
    while heap and len(chosen) < k:
        _, j = heapq.heappop(heap)
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        gain = float(residual[rows].sum())
        if heap and gain < -heap[0][0] - 1e-12:
            if gain > 0:
                heapq.heappush(heap, (-gain, j))
            continue
        if gain <= 0:
            break
        chosen.append(j)
        total += gain
        residual[rows] = 0.0
    return np.array(chosen, dtype=np.int64), total


def lagrangian_max_cover_bound(a: sp.csr_matrix, weights: FloatArray, k: int, lower: float,
                               *, iterations: int = 300) -> float:
    """Return a proven upper bound on the max-coverage optimum: the best Lagrangian bound
    ``Σ max(0, w_i − λ_i) + (sum of the k largest (Aᵀλ)_j)`` over subgradient steps,
    0 ≤ λ ≤ w (relaxing z_i ≤ Σ_j a_ij y_j). `lower` is a known feasible value."""
    csr = sp.csr_matrix(a)
    at = csr.T.tocsr()
    lam = weights.astype(float).copy()
    best = np.inf
    theta = 2.0
    stall = 0
    m = csr.shape[1]
    for _ in range(iterations):
        col = np.asarray(at @ lam).ravel()
        kk = min(k, m)
        top = np.argpartition(-col, kk - 1)[:kk] if kk > 0 else np.zeros(0, dtype=np.int64)
        top = top[col[top] > 0]
        z = weights - lam > 0
        value = float((weights - lam)[z].sum() + col[top].sum())
        if value < best - 1e-9:
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
        y = np.zeros(m)
        y[top] = 1.0
        g = np.asarray(csr @ y).ravel() - z
        norm = float((g * g).sum())
        if norm == 0 or best - lower <= 1e-9 * max(1.0, abs(best)) or theta < 1e-6:
            break
        lam = np.clip(lam - theta * (value - lower) / norm * g, 0.0, weights)
    return best


def greedy_set_cover(a: sp.csr_matrix, cost: FloatArray) -> IntArray:
    """Return the columns of the greedy set cover (lowest cost per newly covered row,
    Chvátal 1979), with redundant columns removed afterwards (reverse delete). Every row
    must be coverable."""
    csc = sp.csc_matrix(a)
    uncovered = np.ones(a.shape[0], dtype=bool)
    size = np.diff(csc.indptr).astype(float)
    heap = [(cost[j] / size[j], j) for j in range(a.shape[1]) if size[j] > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    left = int(uncovered.sum())
    while left and heap:
        _, j = heapq.heappop(heap)
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        new = int(uncovered[rows].sum())
        if new == 0:
            continue
        current = cost[j] / new
        if heap and current > heap[0][0] + 1e-12:
            heapq.heappush(heap, (current, j))
            continue
        chosen.append(j)
        uncovered[rows] = False
        left -= new
    count = np.asarray(csc[:, chosen].sum(axis=1)).ravel()
    keep: list[int] = []
    for j in sorted(chosen, key=lambda c: -cost[c]):
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        if (count[rows] >= 2).all():
            count[rows] -= 1
        else:
            keep.append(j)
    return np.array(sorted(keep), dtype=np.int64)


def lagrangian_set_cover_bound(a: sp.csr_matrix, cost: FloatArray, upper: float, *,
                               iterations: int = 300) -> float:
    """Return a proven lower bound on the set-cover optimum: the best Lagrangian bound
    ``Σ u_i + Σ_j min(0, c_j − (Aᵀu)_j)`` over subgradient steps (u ≥ 0, relaxing
    Σ_j a_ij y_j ≥ 1). `upper` is a known feasible cost."""
    csr = sp.csr_matrix(a)
    at = csr.T.tocsr()
    size = np.diff(sp.csc_matrix(a).indptr).astype(float)
    per = np.where(size > 0, cost / np.maximum(size, 1), np.inf)
    u = np.asarray([per[csr.indices[csr.indptr[i]:csr.indptr[i + 1]]].min()
                    for i in range(csr.shape[0])])
    best = -np.inf
    theta = 2.0
    stall = 0
    for _ in range(iterations):
        reduced = cost - np.asarray(at @ u).ravel()
        x = reduced < 0
        value = float(u.sum() + reduced[x].sum())
        if value > best + 1e-9:
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
        g = 1.0 - np.asarray(csr @ x.astype(float)).ravel()
        norm = float((g * g).sum())
        if norm == 0 or upper - best <= 1e-9 * max(1.0, abs(upper)) or theta < 1e-6:
            break
        u = np.maximum(0.0, u + theta * (upper - value) / norm * g)
    return best


def _median_value(c: FloatArray, open_cols: IntArray) -> tuple[float, FloatArray]:
    best = c[:, open_cols].min(axis=1) if len(open_cols) else np.full(c.shape[0], np.inf)
    return float(best.sum()), best


def lagrangian_p_median(c: FloatArray, fixed: BoolArray, k: int, *, iterations: int = 300,
                        swaps: int = 3) -> tuple[IntArray, float, float]:
    """Return (the k chosen free columns, their cost, a proven lower bound) of the p-median
    with weighted costs `c` (demand × sites, inf = not allowed) and the `fixed` columns
    open: Lagrangian relaxation of the assignment constraints (Cornuéjols, Fisher &
    Nemhauser 1977; Beasley 1993) by subgradient steps, each relaxed solution's sites
    evaluated as a primal solution, the best improved by swap passes (Teitz & Bart 1968).

    L(λ) = Σ_i λ_i + Σ_{j fixed} ρ_j + (k smallest ρ_j of the free columns),
    ρ_j = Σ_i min(0, c_ij − λ_i).
    """
    finite = np.isfinite(c)
    big = float(np.nanmax(np.where(finite, c, np.nan))) * 10 + 1.0 if finite.any() else 1.0
    cc = np.where(finite, c, big)
    free = np.nonzero(~fixed)[0]
    fixed_cols = np.nonzero(fixed)[0]
    lam = np.sort(cc, axis=1)[:, min(1, cc.shape[1] - 1)].copy()
    best_lb, best_ub = -np.inf, np.inf
    best_open = free[:k]
    theta, stall = 2.0, 0
    for _ in range(iterations):
        red = np.minimum(0.0, cc - lam[:, None])
        rho = red.sum(axis=0)
        pick = free[np.argsort(rho[free], kind="stable")[:k]]
        value = float(lam.sum() + rho[fixed_cols].sum() + rho[pick].sum())
        if value > best_lb + 1e-9 * max(1.0, abs(value)):
            best_lb, stall = value, 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
        ub, _ = _median_value(cc, np.r_[fixed_cols, pick])
        if ub < best_ub:
            best_ub, best_open = ub, pick
        open_cols = np.r_[fixed_cols, pick]
        g = 1.0 - (red[:, open_cols] < 0).sum(axis=1)
        norm = float((g * g).sum())
        if norm == 0 or best_ub - best_lb <= 1e-9 * max(1.0, best_ub) or theta < 1e-5:
            break
        lam = lam + theta * (best_ub - value) / norm * g
    chosen = list(best_open)
    for _ in range(swaps):
        improved = False
        for pos in range(len(chosen)):
            rest = np.r_[fixed_cols, np.array([j for q, j in enumerate(chosen) if q != pos],
                                               dtype=np.int64)]
            _, base = _median_value(cc, rest)
            totals = np.minimum(base[:, None], cc[:, free]).sum(axis=0)
            totals[np.isin(free, rest)] = np.inf
            j = int(np.argmin(totals))
            if totals[j] < best_ub - 1e-9 * max(1.0, best_ub):
                chosen[pos], best_ub, improved = int(free[j]), float(totals[j]), True
        if not improved:
            break
    return np.array(chosen, dtype=np.int64), best_ub, min(best_lb, best_ub)

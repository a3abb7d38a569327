"""Whole-number allocation: split totals into integers that add up exactly.

The synthetic generator splits census totals over townships, villages and age bands with
these, so that no person is lost or invented.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def allocate(total: int, weights: npt.ArrayLike, caps: npt.ArrayLike | None = None) -> IntArray:
    """Return whole numbers ≥ 0 that sum to `total`, proportional to `weights`, none above
    its cap (largest-remainder rounding, the Hamilton method).

    Notes
    -----
    Each round gives every entry the floor of its proportional share of what is left,
    clipped to its cap; the remaining units go one each to the largest fractional parts.
    Ties go to the lower index, so the result is deterministic.
    """
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    n = len(w)
    cap = (np.full(n, 2**40, dtype=np.int64) if caps is None
           else np.asarray(caps, dtype=np.int64))
    if total < 0 or total > cap.sum():
        raise ValueError(f"cannot allocate {total} within caps summing to {cap.sum()}")
    out = np.zeros(n, dtype=np.int64)
    remaining = int(total)
    while remaining > 0:
        room = cap - out
        ww = np.where(room > 0, w, 0.0)
        if ww.sum() <= 0:
            ww = (room > 0).astype(float)
        share = remaining * ww / ww.sum()
        base = np.minimum(np.floor(share).astype(np.int64), room)
        if base.sum() > 0:
            out += base
            remaining -= int(base.sum())
            continue
        frac = np.where(room > 0, share, -1.0)
        order = np.lexsort((np.arange(n), -frac))
        for i in order[:remaining]:
            if room[i] > 0:
                out[i] += 1
                remaining -= 1
    return out


def controlled_round(expected: FloatArray, row_totals: IntArray,
                     col_totals: IntArray) -> IntArray:
    """Return a whole-number matrix with the given row and column totals, each cell the
    floor or ceiling of `expected` (controlled rounding).

    Notes
    -----
    Solved as a transportation LP (maximise the sum of fractional parts rounded up); its
    constraint matrix is totally unimodular, so the simplex vertex is integral.
    `expected` must have (nearly) the given margins, e.g. after `ipf`.
    """
    n_r, n_c = expected.shape
    lo = np.floor(expected + 1e-9)
    frac = expected - lo
    a_eq = np.zeros((n_r + n_c, n_r * n_c))
    for i in range(n_r):
        a_eq[i, i * n_c:(i + 1) * n_c] = 1
    for j in range(n_c):
        a_eq[n_r + j, j::n_c] = 1
    b_eq = np.concatenate([row_totals, col_totals]).astype(float)
    bounds = [(a, a + 1) for a in lo.ravel()]
    res = linprog(-frac.ravel(), A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds")
    if res.status != 0:
        raise RuntimeError(f"controlled rounding failed: {res.message}")
    x = np.rint(res.x).astype(np.int64).reshape(n_r, n_c)
    if not (np.array_equal(x.sum(1), row_totals) and np.array_equal(x.sum(0), col_totals)):
        raise RuntimeError("controlled rounding returned a non-integral vertex")
    return x


def ipf(seed: FloatArray, row_totals: FloatArray, col_totals: FloatArray,
        *, iterations: int = 500) -> FloatArray:
    """Return `seed` scaled to the row and column totals (iterative proportional fitting)."""
    m = seed.astype(float).copy()
    for _ in range(iterations):
        m *= (row_totals / m.sum(1))[:, None]
        m *= (col_totals / m.sum(0))[None, :]
        if np.allclose(m.sum(1), row_totals, rtol=0, atol=1e-9):
            break
    return m

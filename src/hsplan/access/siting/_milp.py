"""One call into HiGHS (``scipy.optimize.milp``) with hsplan's status handling.

A status other than optimal is an `InfeasibleError` carrying it, except a time limit that
left a feasible solution: that solution is returned with HiGHS's proven relative gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from hsplan._i18n import _
from hsplan.errors import InfeasibleError

FloatArray = npt.NDArray[np.float64]

#: scipy.optimize.milp status codes, in the words hsplan prints.
MILP_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


@dataclass(frozen=True)
class MilpSolution:
    """A solved MILP: x, objective (in the model's sense), status, proven gap and bound."""

    x: FloatArray
    objective: float
    status: str
    gap: float
    bound: float
    solve_s: float


def solve_milp(c: FloatArray, a: sp.csr_matrix | None, lower: FloatArray, upper: FloatArray,
               *, integrality: npt.NDArray[np.int8], var_lb: FloatArray | None = None,
               var_ub: FloatArray | None = None, maximize: bool = False,
               time_limit_s: float | None = None, mip_rel_gap: float = 0.0,
               what: str = "model") -> MilpSolution:
    """Return the optimum of ``min (or max) c·x`` subject to ``lower ≤ A x ≤ upper`` and
    the variable bounds (default 0…1), solved by HiGHS branch and bound.

    Raises `InfeasibleError` (status infeasible, unbounded, error, or a time limit with no
    feasible solution yet). At a time limit with a solution, ``status`` is ``time_limit``
    and ``gap`` is HiGHS's proven relative gap (``mip_gap``); ``bound`` is the proven bound
    on the objective (``mip_dual_bound``).
    """
    n = len(c)
    sign = -1.0 if maximize else 1.0
    options: dict[str, float | bool] = {"disp": False, "mip_rel_gap": float(mip_rel_gap)}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    constraints = [] if a is None or a.shape[0] == 0 else \
        [LinearConstraint(a, lower, upper)]
    bounds = Bounds(np.zeros(n) if var_lb is None else var_lb,
                    np.ones(n) if var_ub is None else var_ub)
    start = time.perf_counter()
    res = milp(sign * np.asarray(c, dtype=float), constraints=constraints,
               integrality=integrality, bounds=bounds, options=options)
    took = time.perf_counter() - start
    status = MILP_STATUS.get(int(res.status), "error")
    if res.x is None or status not in ("optimal", "time_limit"):
        raise InfeasibleError(_("{what}: no solution — {message}").format(
            what=what, message=res.message), status=status)
    objective = sign * float(res.fun)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0) if status == "time_limit" else 0.0
    dual = getattr(res, "mip_dual_bound", None)
    bound = sign * float(dual) if dual is not None and np.isfinite(dual) else objective
    if status == "optimal":
        bound = objective
    return MilpSolution(np.asarray(res.x, dtype=float), objective, status, gap, bound, took)


def rows_to_csr(rows: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]],
                n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Return a CSR matrix from (row, column, value) blocks."""
    if not rows:
        return sp.csr_matrix((n_rows, n_cols))
    r = np.concatenate([b[0] for b in rows])
    c = np.concatenate([b[1] for b in rows])
    v = np.concatenate([b[2] for b in rows])
    return sp.csr_matrix((v, (r, c)), shape=(n_rows, n_cols))

"""Floating-catchment access: supply (beds, doctors …) per person that each demand point
can reach — 2SFCA (Luo & Wang 2003), enhanced 2SFCA with stepwise weights (Luo & Qi 2009)
and Gaussian 2SFCA (Dai 2010).

Pure functions on a long origin–destination frame ``[demand, supply, travel_min]`` (travel
time measured from the demand point to the supply point) or a demand × supply matrix;
independent of how the times were made. `hsplan.access.service.ServiceAccess.fca` feeds them
project travel times.

Speed (`benchmarks/bench_fca.py`): the id columns of a long OD table are factorised once
(a hash of each row's id, in C for Arrow strings) and only the distinct ids are looked up, so
the table never becomes Python objects; everything after works on int32 positions. One pass
keeps the pairs inside the catchment, two ``np.bincount`` sums do the two steps (the binary
2SFCA without any weight array). Repeated pairs are found without hashing (a table in
demand–supply order, as `od_matrix` writes it, is checked in one pass). Values stay float64:
float32 would save memory traffic but not exactness (a demand sum over a catchment of 10⁵
pairs in float32 is off by ~10⁻³ relative, and the results are checked against PySAL
``access`` at 10⁻¹⁰), so only the positions are narrowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from hsplan._i18n import N_, _, ngettext
from hsplan.errors import Problem, raise_if_errors

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
IndexArray = npt.NDArray[np.int32] | npt.NDArray[np.int64]
WeightFn = Callable[[FloatArray], FloatArray]

OD_COLUMNS = ("demand", "supply", "travel_min")
#: Luo & Qi (2009) step weights: (upper bound of the travel-time zone in minutes, weight).
E2SFCA_STEPS: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))
FCA_COLUMNS = ("demand", "pop", "supply_per_person", "supply_per_1k", "supply_points",
               "in_catchment")
_MAX_PROBLEMS_PER_KIND = 10
_CONTEXT = N_("floating catchment")
_UNKNOWN_POINT = {"demand": N_("unknown demand point"), "supply": N_("unknown supply point")}
_NONE = np.zeros(0, dtype=np.int64)


def floating_catchment(od: pd.DataFrame | npt.ArrayLike, demand_pop: pd.Series | npt.ArrayLike,
                       supply: pd.Series | npt.ArrayLike, *, weight: WeightFn,
                       max_min: float | None = None) -> pd.DataFrame:
    """Return the weighted two-step floating-catchment access of each demand point, in
    supply units per person (``supply_per_person``) and per 1,000 persons
    (``supply_per_1k``).

    Parameters
    ----------
    od
        Travel times from demand to supply points: a long frame with columns ``demand``,
        ``supply``, ``travel_min`` (pairs not listed, NaN or inf are unreachable), or a
        demand × supply matrix (a DataFrame indexed by demand id with supply ids as
        columns, or an array ordered like `demand_pop` × `supply`).
    demand_pop
        Population of each demand point (persons), indexed by demand id.
    supply
        Supply at each supply point (beds, doctors …), indexed by supply id.
    weight
        Distance-decay function of travel time (minutes → weight ≥ 0), applied
        element-wise to an array.
    max_min
        Catchment size in minutes (pairs with ``travel_min > max_min`` get weight 0);
        None for no cut-off.

    Returns
    -------
    One row per demand point (in the order of `demand_pop`): ``demand``, ``pop``,
    ``supply_per_person``, ``supply_per_1k``, ``supply_points`` (supply points inside the
    catchment with a weight > 0) and ``in_catchment`` (at least one). The supply-to-demand
    ratio of each supply point is in ``result.attrs["supply_ratio"]`` (a Series).

    Notes
    -----
    Step 1, at each supply point j: R_j = S_j / Σ_i P_i · w(t_ij) over demand points i with
    t_ij ≤ d₀. Step 2, at each demand point i: A_i = Σ_j R_j · w(t_ij) over supply points j
    with t_ij ≤ d₀. A supply point with no demand in its catchment has no ratio and adds
    nothing. With w ≡ 1 this is the 2SFCA of Luo & Wang (2003); any other `weight` gives
    the generalised form (Luo & Qi 2009; Dai 2010). The same rule as PySAL ``access``
    (``Access.two_stage_fca``): travel time is demand → supply in both steps, the cut-off
    is inclusive.
    """
    return _catchment(od, demand_pop, supply, weight=weight, max_min=max_min)


def _catchment(od: pd.DataFrame | npt.ArrayLike, demand_pop: pd.Series | npt.ArrayLike,
               supply: pd.Series | npt.ArrayLike, *, weight: WeightFn | None,
               max_min: float | None) -> pd.DataFrame:
    """Return `floating_catchment`; ``weight=None`` is the binary catchment (w ≡ 1), summed
    without weights."""
    i, j, t, pop, sup, demand_ids, supply_ids = _od_arrays(od, demand_pop, supply,
                                                           max_min=max_min)
    # one pass picks the pairs inside the catchment; everything after works on those only
    keep = t <= max_min if max_min is not None else np.isfinite(t)
    if not keep.all():
        i, j = i[keep], j[keep]
        t = t[keep] if weight is not None else t
    del keep
    if weight is None:
        demand_w = np.asarray(np.bincount(j, weights=pop[i], minlength=len(sup)),
                              dtype=np.float64)
        ratio = _ratio(sup, demand_w)
        access = np.bincount(i, weights=np.nan_to_num(ratio, nan=0.0)[j], minlength=len(pop))
        points = np.bincount(i, minlength=len(pop))
    else:
        w = np.asarray(weight(t), dtype=float)
        if w.shape != t.shape or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise_if_errors([Problem(_("weight function"),
                                     expected=_("finite weights ≥ 0 for every travel time"),
                                     got=_sample_bad(w),
                                     fix=_("return a non-negative, finite weight for each "
                                           "time"))],
                            context=_(_CONTEXT))
        demand_w = np.asarray(np.bincount(j, weights=pop[i] * w, minlength=len(sup)),
                              dtype=np.float64)
        ratio = _ratio(sup, demand_w)
        w_ratio = np.nan_to_num(ratio, nan=0.0)[j]
        w_ratio *= w
        access = np.bincount(i, weights=w_ratio, minlength=len(pop))
        points = np.bincount(i[w > 0], minlength=len(pop))
    out = pd.DataFrame({
        "demand": demand_ids,
        "pop": pop,
        "supply_per_person": access,
        "supply_per_1k": access * 1000.0,
        "supply_points": points.astype(int),
        "in_catchment": points > 0,
    })
    out.attrs["supply_ratio"] = pd.Series(ratio, index=pd.Index(supply_ids, name="supply"),
                                          name="supply_per_person")
    return out


def _ratio(sup: FloatArray, demand_w: FloatArray) -> FloatArray:
    """Return S_j / Σ_i P_i w_ij per supply point (NaN where no demand is in reach)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(demand_w > 0, sup / np.where(demand_w > 0, demand_w, 1.0), np.nan)


def two_step_fca(od: pd.DataFrame | npt.ArrayLike, demand_pop: pd.Series | npt.ArrayLike,
                 supply: pd.Series | npt.ArrayLike, *, max_min: float) -> pd.DataFrame:
    """Return the two-step floating-catchment (2SFCA) access of each demand point, in supply
    units per person and per 1,000 persons (columns as `floating_catchment`).

    Notes
    -----
    Luo, W. & Wang, F. (2003). Measures of spatial accessibility to health care in a GIS
    environment: synthesis and a case study in the Chicago region. *Environment and
    Planning B* 30(6), 865–884. Binary catchment: every supply point within `max_min`
    minutes counts in full, none beyond. R_j = S_j / Σ_{t_ij ≤ d₀} P_i and
    A_i = Σ_{t_ij ≤ d₀} R_j; Σ_i P_i A_i equals the supply that has demand in reach.
    """
    _check_positive("max_min", max_min)
    return _catchment(od, demand_pop, supply, weight=None, max_min=max_min)


def step_weight(steps: Sequence[tuple[float, float]]) -> WeightFn:
    """Return the step-decay function of `steps` ((upper minutes, weight) pairs): a time
    t gets the weight of the first zone whose upper bound is ≥ t, and 0 beyond the last."""
    bounds = np.array([float(b) for b, _ in steps])
    weights = np.array([float(w) for _, w in steps] + [0.0])
    order = np.argsort(bounds, kind="stable")
    bounds, weights = bounds[order], np.append(weights[:-1][order], 0.0)

    def weight(t: FloatArray) -> FloatArray:
        return np.asarray(weights[np.searchsorted(bounds, t, side="left")], dtype=float)

    return weight


def enhanced_two_step_fca(od: pd.DataFrame | npt.ArrayLike,
                          demand_pop: pd.Series | npt.ArrayLike,
                          supply: pd.Series | npt.ArrayLike, *,
                          steps: Sequence[tuple[float, float]] = E2SFCA_STEPS) -> pd.DataFrame:
    """Return the enhanced two-step floating-catchment (E2SFCA) access of each demand point,
    in supply units per person and per 1,000 persons (columns as `floating_catchment`).

    Notes
    -----
    Luo, W. & Qi, Y. (2009). An enhanced two-step floating catchment area (E2SFCA) method
    for measuring spatial accessibility to primary care physicians. *Health & Place* 15(4),
    1100–1107. Travel-time zones 0–10, 10–20 and 20–30 minutes carry the weights 1.00,
    0.68 and 0.22 (a Gaussian with β = 100); the catchment ends at the last zone's upper
    bound. Zone bounds are inclusive (10 min falls in the first zone), as in PySAL
    ``access.weights.step_fn``.
    """
    problems = []
    if not steps:
        problems.append(Problem("steps", expected=_("at least one (minutes, weight) pair"),
                                got="[]", fix=_("use the default E2SFCA_STEPS")))
    for k, (bound, w) in enumerate(steps):
        if not (np.isfinite(bound) and bound > 0 and np.isfinite(w) and w >= 0):
            problems.append(Problem(f"steps[{k}]", expected=_("minutes > 0 and a weight ≥ 0"),
                                    got=f"({bound}, {w})",
                                    fix=_("give zones as (upper minutes, weight) pairs")))
    raise_if_errors(problems, context="enhanced_two_step_fca")
    max_min = max(float(b) for b, _ in steps)
    return floating_catchment(od, demand_pop, supply, weight=step_weight(steps),
                              max_min=max_min)


def gaussian_weight(max_min: float) -> WeightFn:
    """Return Dai's (2010) Gaussian decay for catchment `max_min` minutes: 1 at 0 min,
    0 at `max_min`, (e^(−½(t/d₀)²) − e^(−½)) / (1 − e^(−½)) in between, 0 beyond."""
    floor = np.exp(-0.5)

    def weight(t: FloatArray) -> FloatArray:
        t = np.asarray(t, dtype=float)
        g = (np.exp(-0.5 * (t / max_min) ** 2) - floor) / (1.0 - floor)
        return np.where(t <= max_min, np.clip(g, 0.0, None), 0.0)

    return weight


def gaussian_two_step_fca(od: pd.DataFrame | npt.ArrayLike,
                          demand_pop: pd.Series | npt.ArrayLike,
                          supply: pd.Series | npt.ArrayLike, *, max_min: float) -> pd.DataFrame:
    """Return the Gaussian two-step floating-catchment (G2SFCA) access of each demand point,
    in supply units per person and per 1,000 persons (columns as `floating_catchment`).

    Notes
    -----
    Dai, D. (2010). Black residential segregation, disparities in spatial access to health
    care facilities, and late-stage breast cancer diagnosis in metropolitan Detroit.
    *Health & Place* 16(5), 1038–1052. Weight
    G(t, d₀) = (e^(−½(t/d₀)²) − e^(−½)) / (1 − e^(−½)) for t ≤ d₀, else 0 (`gaussian_weight`).
    """
    _check_positive("max_min", max_min)
    return floating_catchment(od, demand_pop, supply, weight=gaussian_weight(max_min),
                              max_min=max_min)


def access_by_area(fca: pd.DataFrame, area_of: pd.Series | Mapping[Any, Any]) -> pd.DataFrame:
    """Return population-weighted floating-catchment access per area, in supply units per
    person and per 1,000 persons: ``area``, ``pop``, ``supply_per_person``,
    ``supply_per_1k``, ``points``, ``pop_out_of_catchment``.

    `fca` is the result of a floating-catchment function; `area_of` maps each demand id to
    its area (a Series indexed by demand id, or a mapping). Notes: A_area =
    Σ_i P_i A_i / Σ_i P_i over the demand points of the area; an area of zero population
    gets the plain mean of its points. Every demand point must have an area.
    """
    mapping = area_of if isinstance(area_of, pd.Series) else pd.Series(dict(area_of))
    area = fca["demand"].map(mapping)
    missing = fca.loc[area.isna(), "demand"].tolist()
    raise_if_errors([Problem(_("demand points without an area"), column="demand",
                             expected=_("an area for every demand point"),
                             got=", ".join(map(str, missing[:5])),
                             fix=_("map every demand id to its area"))] if missing else [],
                    context="access_by_area")
    df = pd.DataFrame({"area": area, "pop": fca["pop"].astype(float),
                       "a": fca["supply_per_person"].astype(float),
                       "out": (~fca["in_catchment"].astype(bool)) * fca["pop"].astype(float)})
    df["pa"] = df["pop"] * df["a"]
    g = df.groupby("area", sort=True)
    pop = g["pop"].sum()
    mean = g["a"].mean()
    weighted = (g["pa"].sum() / pop.where(pop > 0)).fillna(mean)
    out = pd.DataFrame({"area": pop.index, "pop": pop.to_numpy(),
                        "supply_per_person": weighted.to_numpy(),
                        "supply_per_1k": weighted.to_numpy() * 1000.0,
                        "points": g.size().to_numpy(),
                        "pop_out_of_catchment": g["out"].sum().to_numpy()})
    return out.reset_index(drop=True)


def _check_positive(name: str, value: float) -> None:
    ok = isinstance(value, int | float | np.number) and np.isfinite(value) and value > 0
    raise_if_errors([] if ok else [Problem(name, expected=_("a number of minutes > 0"),
                                           got=str(value),
                                           fix=_("pass {name}=30, say").format(
                                               name=name))],
                    context=_(_CONTEXT))


def _sample_bad(values: FloatArray) -> str:
    bad = values[~np.isfinite(values) | (values < 0)] if values.size else values
    if not bad.size:
        return _("shape {shape}").format(shape=values.shape)
    return ", ".join(f"{v:g}" for v in bad[:3])


def _ids_and_values(values: pd.Series | npt.ArrayLike, name: str,
                    problems: list[Problem]) -> tuple[pd.Index, FloatArray]:
    if isinstance(values, pd.Series):
        ids = values.index
        raw = values
    else:
        raw = pd.Series(np.asarray(values, dtype=object).ravel())
        ids = pd.RangeIndex(len(raw))
    nums = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
    bad = np.flatnonzero(~np.isfinite(nums) | (nums < 0))
    for k in bad[:_MAX_PROBLEMS_PER_KIND]:
        problems.append(Problem(_("{name} of {id}").format(name=name, id=ids[k]), sheet=name,
                                row=int(k) + 1, column=name, expected=_("a number ≥ 0"),
                                got=str(raw.iloc[k]),
                                fix=_("give every {name} as a number ≥ 0").format(name=name)))
    _more(problems, len(bad), name, name)
    dups = [] if ids.is_unique else ids[ids.duplicated()].unique().tolist()
    if dups:
        problems.append(Problem(_("{name}: duplicate ids").format(name=name), sheet=name,
                                column="index", expected=_("each id once"),
                                got=", ".join(map(str, dups[:5])),
                                fix=_("add up the values of the same point first")))
    return ids, np.nan_to_num(nums, nan=0.0)


def _more(problems: list[Problem], n: int, sheet: str, column: str) -> None:
    if n > _MAX_PROBLEMS_PER_KIND:
        more = n - _MAX_PROBLEMS_PER_KIND
        problems.append(Problem(ngettext("{n} more row like these", "{n} more rows like these",
                                         more).format(n=f"{more:,}"),
                                sheet=sheet, column=column))


def _positions(column: pd.Series, ids: pd.Index) -> IndexArray:
    """Return the position of each value of `column` in `ids` (-1 when absent), int32.

    The column is factorised once (a hash of each distinct id; for Arrow strings in C) and
    only its distinct values are looked up among `ids`, so a long OD table is never
    converted to Python objects.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    lookup = np.append(ids.get_indexer(uniques), -1).astype(np.int32)
    return lookup[codes]


def _repeated_pairs(i: IndexArray, j: IndexArray, n_i: int, n_j: int, *,
                    all_known: bool = False) -> IntArray:
    """Return the rows (ascending) whose (i, j) pair, both known (≥ 0), came earlier
    (`all_known`: the caller found no unknown position).

    No hashing: a table in (i, j) order (as `od_matrix` writes it) is checked in one pass;
    otherwise pairs are counted over the n_i × n_j cells when there are not many more cells
    than rows, and only a table with repeats (or too many cells) is sorted to name them.
    """
    known = np.ones(len(i), dtype=bool) if all_known else (i >= 0) & (j >= 0)
    wide = np.int64 if n_i * n_j >= 2**31 - 1 else np.int32
    key: npt.NDArray[Any] = i.astype(wide) * max(n_j, 1)  # int32 when the cells fit
    key += j
    if all_known or known.all():
        if len(key) < 2 or bool(np.all(key[1:] > key[:-1])):
            return np.zeros(0, dtype=np.int64)
        counted = key
    else:
        counted = key[known]
        key = np.where(known, key, -1)
    if n_i * n_j <= 4 * len(key) + 1024 and (
            len(counted) == 0 or int(np.bincount(counted).max()) <= 1):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(key, kind="stable")
    k = key[order]
    again = np.zeros(len(k), dtype=bool)
    again[1:] = (k[1:] == k[:-1]) & (k[1:] >= 0)
    return np.sort(order[again]).astype(np.int64)


def _od_arrays(od: pd.DataFrame | npt.ArrayLike, demand_pop: pd.Series | npt.ArrayLike,
               supply: pd.Series | npt.ArrayLike, *, max_min: float | None
               ) -> tuple[IndexArray, IndexArray, FloatArray, FloatArray, FloatArray,
                          pd.Index, pd.Index]:
    """Validate the inputs of a floating catchment; return (i, j, travel_min, pop, supply,
    demand ids, supply ids) with i, j positions into pop and supply."""
    problems: list[Problem] = []
    demand_ids, pop = _ids_and_values(demand_pop, "pop", problems)
    supply_ids, sup = _ids_and_values(supply, "supply", problems)
    if max_min is not None and not (np.isfinite(max_min) and max_min > 0):
        problems.append(Problem("max_min", expected=_("a number of minutes > 0"),
                                got=str(max_min),
                                fix=_("pass {name}=30, say").format(name="max_min")))
    if isinstance(od, pd.DataFrame) and set(OD_COLUMNS) <= set(od.columns):
        i_pos = _positions(od["demand"], demand_ids)
        j_pos = _positions(od["supply"], supply_ids)
        t_col = od["travel_min"]
        if t_col.dtype == np.float64:
            t_raw = t_col.to_numpy()
            not_num = None
        else:
            t_raw = pd.to_numeric(t_col, errors="coerce").astype(float).to_numpy()
            not_num = np.isnan(t_raw) & t_col.notna().to_numpy()
        unknown = False
        for col, pos, known in (("demand", i_pos, "pop"), ("supply", j_pos, "supply")):
            # one reduction first: the index arrays of a clean table are not scanned twice
            bad = np.flatnonzero(pos < 0) if len(pos) and pos.min() < 0 else _NONE
            unknown |= len(bad) > 0
            for k in bad[:_MAX_PROBLEMS_PER_KIND]:
                problems.append(Problem(_(_UNKNOWN_POINT[col]), sheet="od", row=int(k) + 1,
                                        column=col,
                                        expected=_("an id of {name}").format(name=known),
                                        got=str(od[col].iloc[k]),
                                        fix=_("give {name} a value for every {column} id in "
                                              "od").format(name=known, column=col)))
            _more(problems, len(bad), "od", col)
        if not_num is None:  # fmin skips NaN (unreachable): one reduction, no mask
            negative = len(t_raw) > 0 and bool(np.fmin.reduce(t_raw) < 0)
            bad_t = np.flatnonzero(t_raw < 0) if negative else _NONE
        else:
            bad_t = np.flatnonzero(not_num | (t_raw < 0))
        for k in bad_t[:_MAX_PROBLEMS_PER_KIND]:
            problems.append(Problem(_("travel time"), sheet="od", row=int(k) + 1,
                                    column="travel_min",
                                    expected=_("minutes ≥ 0 (NaN or inf for unreachable)"),
                                    got=str(od["travel_min"].iloc[k]),
                                    fix=_("compute travel times demand → supply in minutes")))
        _more(problems, len(bad_t), "od", "travel_min")
        for k in _repeated_pairs(i_pos, j_pos, len(pop), len(sup),
                                 all_known=not unknown)[:_MAX_PROBLEMS_PER_KIND]:
            problems.append(Problem(_("repeated demand–supply pair"), sheet="od",
                                    row=int(k) + 1, column="supply", expected=_("each pair once"),
                                    got=f"{od['demand'].iloc[k]} → {od['supply'].iloc[k]}",
                                    fix=_("keep the shortest time of each pair")))
        raise_if_errors(problems, context=_(_CONTEXT))
        return i_pos, j_pos, t_raw, pop, sup, demand_ids, supply_ids
    if isinstance(od, pd.DataFrame):
        rows = demand_ids.get_indexer(od.index).astype(np.int64)
        cols = supply_ids.get_indexer(od.columns).astype(np.int64)
        if (rows < 0).any() or (cols < 0).any():
            problems.append(Problem("od", expected=_(
                "a long frame with columns demand, supply, travel_min, or a matrix indexed by "
                "demand ids with supply ids as columns"),
                got=_("columns {names}").format(names=list(od.columns)[:5]),
                fix=_("rename the columns or pass the matrix")))
            raise_if_errors(problems, context=_(_CONTEXT))
        matrix = od.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    else:
        matrix = np.asarray(od, dtype=float)
        if matrix.shape != (len(pop), len(sup)):
            problems.append(Problem(_("od matrix"), expected=_(
                "shape ({rows}, {cols}) (demand points × supply points)").format(
                    rows=len(pop), cols=len(sup)), got=str(matrix.shape),
                fix=_("order the matrix like demand_pop and supply")))
            raise_if_errors(problems, context=_(_CONTEXT))
        rows = np.arange(len(pop), dtype=np.int64)
        cols = np.arange(len(sup), dtype=np.int64)
    neg = np.argwhere(matrix < 0)
    for r, c in neg[:_MAX_PROBLEMS_PER_KIND]:
        problems.append(Problem(_("travel time"), sheet="od", row=int(r) + 1,
                                column=str(c),
                                expected=_("minutes ≥ 0 (NaN or inf for unreachable)"),
                                got=str(matrix[r, c]),
                                fix=_("compute travel times demand → supply in minutes")))
    _more(problems, len(neg), "od", "travel_min")
    raise_if_errors(problems, context=_(_CONTEXT))
    ii, jj = np.nonzero(np.isfinite(matrix))
    return (rows[ii], cols[jj], matrix[ii, jj], pop, sup, demand_ids, supply_ids)

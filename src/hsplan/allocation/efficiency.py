"""Efficiency of facilities by data envelopment analysis (DEA) and Malmquist productivity.

Two models, each built with a ``from_*`` constructor and run with ``solve()``:

- `DEA` — technical efficiency of each unit (hospital, 卫生院 …) in one year: input- or
  output-oriented CCR (constant returns to scale, CRS) and BCC (variable, VRS), scale
  efficiency and returns to scale, two-stage slacks, peers and their weights (λ), input and
  output targets (how many beds or staff are in excess, how many visits short), and
  Andersen–Petersen super-efficiency to rank the efficient units.
- `Malmquist` — productivity change between consecutive years: effch (technical
  efficiency change), techch (technical change), pech (pure efficiency change), sech
  (scale efficiency change) and tfpch (total factor productivity change), as DEAP 2.1
  reports them (Färe, Grosskopf, Norris & Zhang 1994).

Every linear programme is solved with ``scipy.optimize.linprog`` (HiGHS). Inputs and
outputs are divided by their mean before solving, so the scores do not depend on units
(beds or thousands of beds) and large figures (visits in the millions) stay well scaled;
slacks and targets are reported back in the original units.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from hsplan._i18n import N_, _, language, ngettext
from hsplan.allocation._efficiency_output import COLUMNS_EN as COLUMNS_EN
from hsplan.allocation._efficiency_output import COLUMNS_ZH as COLUMNS_ZH
from hsplan.allocation._efficiency_output import MALMQUIST_COLUMNS as MALMQUIST_COLUMNS
from hsplan.allocation._efficiency_output import column_headers as column_headers
from hsplan.allocation._efficiency_output import efficiency_frames as efficiency_frames
from hsplan.allocation._efficiency_output import efficiency_to_xlsx as efficiency_to_xlsx
from hsplan.errors import InfeasibleError, Problem, ValidationError, raise_if_errors
from hsplan.region import schema
from hsplan.region.model import Region

Orientation = Literal["input", "output"]
RTS = Literal["crs", "vrs", "nirs"]

# derived columns: id -> (Chinese label, summed columns)
DERIVED: dict[str, tuple[str, tuple[str, ...]]] = {
    "doctors": ("执业(助理)医师", ("doctors_licensed", "doctors_assistant")),
}
DEFAULT_INPUTS = ("beds", "doctors", "nurses")
DEFAULT_OUTPUTS = ("visits", "discharges")
# unit groups a planner compares among themselves (one frontier each)
UNIT_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "医院": {"category": ("医院",)},
    "卫生院": {"subtype": ("乡镇卫生院", "中心乡镇卫生院", "街道卫生院")},
    "社区卫生服务中心": {"subtype": ("社区卫生服务中心",)},
}
RTS_ZH = {"crs": "规模报酬不变", "irs": "规模报酬递增", "drs": "规模报酬递减", "-": "-"}
RTS_WORDS = {"crs": N_("constant returns to scale"), "irs": N_("increasing returns to scale"),
             "drs": N_("decreasing returns to scale")}
TOL = 1e-9
# English labels of the usual inputs and outputs (any other column shows its id)
COLUMN_EN = {
    "beds": "beds", "doctors": "licensed (assistant) doctors", "doctors_licensed": "doctors",
    "doctors_assistant": "assistant doctors", "nurses": "registered nurses",
    "visits": "visits", "discharges": "discharges", "admissions": "admissions",
    "health_workers": "health staff", "health_tech": "health technicians",
    "pharmacists": "pharmacists", "gps": "general practitioners",
}


def rts_word(rts: str) -> str:
    """Return returns to scale (crs, irs, drs) in the reader's language (规模报酬不变 …)."""
    return _(RTS_WORDS[rts]) if rts in RTS_WORDS else rts


def column_zh(name: str) -> str:
    """Return the Chinese label of an input/output id (a schema column or a derived one): the
    header of the user's table, which problems name in every language."""
    if name in DERIVED:
        return DERIVED[name][0]
    for table in (schema.RESOURCES, schema.UTILISATION):
        if name in table.column_ids:
            return table.column(name).zh
    return name


def column_label(name: str) -> str:
    """Return the label of an input/output id in the reader's language: `column_zh` in
    Chinese, an English label (or the id) in English."""
    return column_zh(name) if language() == "zh" else COLUMN_EN.get(name, name)


# --- the linear programmes -------------------------------------------------------------


@dataclass(frozen=True)
class _LP:
    score: float  # θ (input) or φ (output); NaN when infeasible
    lam: np.ndarray
    status: int
    message: str


def _radial(x_ref: np.ndarray, y_ref: np.ndarray, x0: np.ndarray, y0: np.ndarray,
            orientation: Orientation, rts: RTS) -> _LP:
    """Solve the envelopment LP: θ = min (input) or φ = max (output) for point (x0, y0)
    against reference units (columns of `x_ref`, `y_ref`: m×n and s×n)."""
    m, n = x_ref.shape
    s = y_ref.shape[0]
    c = np.zeros(n + 1)
    if orientation == "input":
        c[0] = 1.0
        a_ub = np.block([[-x0[:, None], x_ref], [np.zeros((s, 1)), -y_ref]])
        b_ub = np.r_[np.zeros(m), -y0]
    else:
        c[0] = -1.0
        a_ub = np.block([[np.zeros((m, 1)), x_ref], [y0[:, None], -y_ref]])
        b_ub = np.r_[x0, np.zeros(s)]
    a_eq = b_eq = None
    if rts == "vrs":
        a_eq = np.r_[0.0, np.ones(n)][None, :]
        b_eq = np.array([1.0])
    elif rts == "nirs":
        a_ub = np.vstack([a_ub, np.r_[0.0, np.ones(n)]])
        b_ub = np.r_[b_ub, 1.0]
    bounds = [(None, None)] + [(0.0, None)] * n
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    if res.status != 0:
        return _LP(math.nan, np.full(n, np.nan), res.status, res.message)
    return _LP(float(res.x[0]), np.asarray(res.x[1:]), 0, res.message)


def _slacks(x_ref: np.ndarray, y_ref: np.ndarray, x0: np.ndarray, y0: np.ndarray,
            score: float, orientation: Orientation,
            rts: RTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Second stage: the λ, input and output slacks that maximise the sum of slacks with the
    radial score fixed (data already scaled by column means)."""
    m, n = x_ref.shape
    s = y_ref.shape[0]
    xt = x0 * score if orientation == "input" else x0
    yt = y0 * score if orientation == "output" else y0
    c = np.r_[np.zeros(n), -np.ones(m + s)]
    a_eq = np.block([[x_ref, np.eye(m), np.zeros((m, s))],
                     [y_ref, np.zeros((s, m)), -np.eye(s)]])
    b_eq = np.r_[xt, yt]
    a_ub = b_ub = None
    if rts == "vrs":
        a_eq = np.vstack([a_eq, np.r_[np.ones(n), np.zeros(m + s)]])
        b_eq = np.r_[b_eq, 1.0]
    elif rts == "nirs":
        a_ub = np.r_[np.ones(n), np.zeros(m + s)][None, :]
        b_ub = np.array([1.0])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                  bounds=[(0.0, None)] * (n + m + s), method="highs")
    if res.status != 0:
        raise InfeasibleError(_("DEA second stage (slacks): no solution"),
                              status=str(res.message))
    x = np.asarray(res.x)
    return x[:n], x[n:n + m], x[n + m:]


def _distance(score: float, orientation: Orientation) -> float:
    """Return the distance-function value (technical efficiency) of a radial score."""
    if math.isnan(score):
        return math.nan
    return score if orientation == "input" else (1.0 / score if score > 0 else math.inf)


# --- validation ------------------------------------------------------------------------


def _check_data(data: pd.DataFrame, inputs: Sequence[str], outputs: Sequence[str],
                unit: str, *, where: str) -> list[Problem]:
    problems: list[Problem] = []
    if not inputs or not outputs:
        problems.append(Problem(where, expected=_("at least one input and one output"),
                                got=_("{m} inputs, {s} outputs").format(m=len(inputs),
                                                                      s=len(outputs))))
    for col in [*inputs, *outputs]:
        if col not in data.columns:
            problems.append(Problem(_("{where}, column {column}").format(where=where, column=col),
                                    expected=_("a column of the data"), got=_("missing"),
                                    fix=_("choose another input or output")))
    if problems:
        return problems
    labels = data[unit].astype(str).tolist() if unit in data.columns else [
        str(i) for i in data.index]
    for col in [*inputs, *outputs]:
        values = pd.to_numeric(data[col], errors="coerce")
        for label, v, raw in zip(labels, values, data[col], strict=True):
            if pd.isna(v) or v < 0:
                problems.append(Problem(
                    _("{where}, unit {unit}, column {column} ({id})").format(
                        where=where, unit=label, column=column_zh(col), id=col),
                    expected=_("a number ≥ 0"),
                    got=_("empty value") if pd.isna(raw) else str(raw),
                    fix=_("fill in the figure, or leave the unit out")))
        if values.notna().all() and float(values.sum()) <= 0:
            problems.append(Problem(
                _("{where}, column {column} ({id})").format(where=where, column=column_zh(col),
                                                            id=col),
                expected=_("some unit with a value > 0"), got=_("all 0"),
                fix=_("drop this input/output")))
    if problems:
        return problems
    x = data[list(inputs)].apply(pd.to_numeric).to_numpy(float)
    y = data[list(outputs)].apply(pd.to_numeric).to_numpy(float)
    for label, xi, yi in zip(labels, x, y, strict=True):
        if not (xi > 0).any():
            problems.append(Problem(_("{where}, unit {unit}").format(where=where, unit=label),
                                    expected=_("some input > 0"), got=_("all inputs 0"),
                                    fix=_("leave the unit out")))
        if not (yi > 0).any():
            problems.append(Problem(_("{where}, unit {unit}").format(where=where, unit=label),
                                    expected=_("some output > 0"), got=_("all outputs 0"),
                                    fix=_("leave the unit out")))
    return problems


# --- DEA -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DEAResult:
    """What `DEA.solve` returns.

    - `scores`: one row per unit: ``unit``, ``te_crs`` (CCR), ``te_vrs`` (BCC), ``te_nirs``,
      ``scale`` (= te_crs / te_vrs), ``rts`` (crs | irs | drs), ``rts_zh``, ``te`` (the
      score under the model's returns to scale), ``super`` (super-efficiency, NaN when
      infeasible, as VRS super-efficiency can be), ``efficient`` (te = 1 and no slack:
      DEA-efficient), ``rank`` (efficient units by super-efficiency, an infeasible one
      first; then the others by te).
    - `slacks`: one row per unit × input/output: ``unit``, ``variable``, ``variable_zh``,
      ``kind`` (input | output), ``original``, ``radial`` (radial movement), ``slack``,
      ``target``, ``change`` (target − original; negative = excess input,
      positive = output shortfall), ``change_pct``.
    - `peers`: one row per unit × peer: ``unit``, ``peer``, ``weight`` (λ).
    """

    orientation: Orientation
    rts: RTS
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    scores: pd.DataFrame
    slacks: pd.DataFrame
    peers: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Return the model in words (the reader's language)."""
        o = _("input-oriented") if self.orientation == "input" else _("output-oriented")
        r = {"crs": _("CCR (constant returns to scale)"),
             "vrs": _("BCC (variable returns to scale)"), "nirs": "NIRS"}[self.rts]
        return _("DEA {orientation} {model}; inputs: {inputs}; outputs: {outputs}; two-stage "
                 "slacks").format(orientation=o, model=r, inputs=_join(self.inputs),
                                  outputs=_join(self.outputs))


class DEA:
    """Data envelopment analysis of units with inputs and outputs (one period)."""

    def __init__(self, data: pd.DataFrame, *, inputs: Sequence[str],
                 outputs: Sequence[str], unit: str = "unit",
                 orientation: Orientation = "input", rts: RTS = "crs",
                 notes: Sequence[str] = ()) -> None:
        self.data = data
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.unit = unit
        self.orientation = orientation
        self.rts = rts
        self.notes = list(notes)

    @classmethod
    def from_frame(cls, data: pd.DataFrame, *, inputs: Sequence[str], outputs: Sequence[str],
                   unit: str = "unit", orientation: Orientation = "input",
                   rts: RTS = "crs") -> DEA:
        """Return the model of the units (rows) of `data` with these input/output columns."""
        return cls(data, inputs=inputs, outputs=outputs, unit=unit, orientation=orientation,
                   rts=rts)

    @classmethod
    def from_region(cls, region: Region, *, year: int,
                    inputs: Sequence[str] = DEFAULT_INPUTS,
                    outputs: Sequence[str] = DEFAULT_OUTPUTS,
                    groups: Sequence[str] = (), subtypes: Sequence[str] = (),
                    orientation: Orientation = "input", rts: RTS = "crs") -> DEA:
        """Return the model of the facilities of `region` in `year` (one unit per facility).

        `groups` are names of `UNIT_GROUPS` (医院, 卫生院, 社区卫生服务中心; all facilities
        when empty), evaluated against one common frontier; `subtypes` further restricts to
        these 机构类型. Inputs and outputs are columns of the
        `resources` and `utilisation` tables, or ``doctors`` (执业医师 + 执业助理医师).
        """
        data = facility_table(region, years=[year], inputs=inputs, outputs=outputs,
                              groups=groups, subtypes=subtypes)
        data = data.drop(columns="year")
        return cls(data, inputs=inputs, outputs=outputs, unit="unit",
                   orientation=orientation, rts=rts, notes=sample_notes(
                       len(data), len(inputs), len(outputs)))

    def solve(self) -> DEAResult:
        """Return efficiency scores, slacks, targets and peers (see `DEAResult`).

        Notes
        -----
        Envelopment form (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984):
        input-oriented θ* = min θ s.t. Σⱼ λⱼxⱼ ≤ θx₀, Σⱼ λⱼyⱼ ≥ y₀, λ ≥ 0 (+ Σλ = 1 for
        VRS, ≤ 1 for NIRS); output-oriented φ* = max φ s.t. Σλx ≤ x₀, Σλy ≥ φy₀, TE = 1/φ*.
        Scale efficiency = TE_CRS/TE_VRS; returns to scale as DEAP 2.1: constant when
        scale = 1, else decreasing when TE_NIRS = TE_VRS, else increasing. Slacks: second
        stage maximising Σs⁻ + Σs⁺ (in units of each column's mean) with the radial score
        fixed; targets = Σλx, Σλy. Super-efficiency (Andersen & Petersen 1993): the same
        radial LP with the unit itself removed from the reference set.
        """
        raise_if_errors(_check_data(self.data, self.inputs, self.outputs, self.unit,
                                    where=_("DEA data")), context="DEA")
        labels = (self.data[self.unit].astype(str).tolist() if self.unit in self.data.columns
                  else [str(i) for i in self.data.index])
        x_raw = self.data[list(self.inputs)].apply(pd.to_numeric).to_numpy(float).T
        y_raw = self.data[list(self.outputs)].apply(pd.to_numeric).to_numpy(float).T
        x_scale = x_raw.mean(axis=1)
        y_scale = y_raw.mean(axis=1)
        x = x_raw / x_scale[:, None]
        y = y_raw / y_scale[:, None]
        n = x.shape[1]
        o = self.orientation
        score_rows, slack_rows, peer_rows = [], [], []
        for j in range(n):
            te = {}
            lp_main: _LP | None = None
            for rts in ("crs", "vrs", "nirs"):
                lp = _radial(x, y, x[:, j], y[:, j], o, rts)  # type: ignore[arg-type]
                if lp.status != 0:
                    raise InfeasibleError(_("DEA unit {unit} ({rts}): no solution").format(
                        unit=labels[j], rts=rts), status=lp.message)
                te[rts] = min(_distance(lp.score, o), 1.0)
                if rts == self.rts:
                    lp_main = lp
            assert lp_main is not None
            scale = te["crs"] / te["vrs"] if te["vrs"] > 0 else math.nan
            if abs(te["crs"] - te["vrs"]) <= 1e-7:
                rts_kind = "crs"
            elif abs(te["nirs"] - te["vrs"]) <= 1e-7:
                rts_kind = "drs"
            else:
                rts_kind = "irs"
            others = [k for k in range(n) if k != j]
            sup = _radial(x[:, others], y[:, others], x[:, j], y[:, j], o, self.rts)
            super_eff = _distance(sup.score, o) if sup.status == 0 else math.nan
            lam, s_in, s_out = _slacks(x, y, x[:, j], y[:, j], lp_main.score, o, self.rts)
            lam = np.where(lam > TOL, lam, 0.0)
            s_in = np.where(s_in > 1e-9, s_in, 0.0)
            s_out = np.where(s_out > 1e-9, s_out, 0.0)
            target_x = (x @ lam) * x_scale
            target_y = (y @ lam) * y_scale
            te_main = te[self.rts]
            no_slack = not (s_in.any() or s_out.any())
            score_rows.append({
                "unit": labels[j], "te_crs": te["crs"], "te_vrs": te["vrs"],
                "te_nirs": te["nirs"], "scale": scale, "rts": rts_kind,
                "rts_zh": rts_word(rts_kind), "te": te_main, "super": super_eff,
                "efficient": bool(te_main >= 1 - 1e-9 and no_slack),
            })
            radial_factor = lp_main.score
            for k, name in enumerate(self.inputs):
                orig = x_raw[k, j]
                radial = orig * (radial_factor - 1.0) if o == "input" else 0.0
                slack_rows.append(_slack_row(labels[j], name, "input", orig, radial,
                                             s_in[k] * x_scale[k], target_x[k]))
            for k, name in enumerate(self.outputs):
                orig = y_raw[k, j]
                radial = orig * (radial_factor - 1.0) if o == "output" else 0.0
                slack_rows.append(_slack_row(labels[j], name, "output", orig, radial,
                                             s_out[k] * y_scale[k], target_y[k]))
            for k in np.flatnonzero(lam).tolist():
                peer_rows.append({"unit": labels[j], "peer": labels[k],
                                  "weight": float(lam[k])})
        scores = pd.DataFrame(score_rows)
        key = scores["super"].fillna(np.inf).where(scores["te"] >= 1 - 1e-9, scores["te"])
        scores["rank"] = key.rank(ascending=False, method="min").astype(int)
        return DEAResult(orientation=o, rts=self.rts, inputs=self.inputs,
                         outputs=self.outputs, scores=scores,
                         slacks=pd.DataFrame(slack_rows),
                         peers=pd.DataFrame(peer_rows, columns=["unit", "peer", "weight"]),
                         notes=list(self.notes))


def _join(columns: Sequence[str]) -> str:
    """Return the labels of input/output columns joined as a list (、 in Chinese)."""
    return ("、" if language() == "zh" else ", ").join(column_label(c) for c in columns)


def _table_zh(col: str) -> str:
    return schema.UTILISATION.zh if col in schema.UTILISATION.column_ids else schema.RESOURCES.zh


def _slack_row(unit: str, name: str, kind: str, original: float, radial: float,
               slack: float, target: float) -> dict[str, Any]:
    tiny = 1e-9 * max(1.0, abs(original))
    radial = 0.0 if abs(radial) < tiny else radial
    target = original if abs(target - original) < tiny else target
    return {"unit": unit, "variable": name, "variable_zh": column_label(name), "kind": kind,
            "original": original, "radial": radial, "slack": slack, "target": target,
            "change": target - original,
            "change_pct": (target - original) / original * 100.0 if original else math.nan}


def sample_notes(n: int, m: int, s: int) -> list[str]:
    """Return a warning (the reader's language) when `n` units are few for `m` inputs and `s`
    outputs."""
    need = max(m * s, 3 * (m + s))
    if n < need:
        return [_("{n} units evaluated, fewer than the rule of thumb n ≥ max(m×s, 3(m+s)) = "
                  "{need} ({m} inputs, {s} outputs; Cooper, Seiford & Tone 2007): DEA "
                  "discriminates poorly and finds too many efficient units; use fewer inputs "
                  "and outputs or merge unit groups.").format(n=n, need=need, m=m, s=s)]
    return []


# --- Malmquist -------------------------------------------------------------------------


@dataclass(frozen=True)
class MalmquistResult:
    """What `Malmquist.solve` returns.

    - `indices`: one row per unit × pair of consecutive periods: ``unit``, ``period_from``,
      ``period_to``, ``effch``, ``techch``, ``pech``, ``sech``, ``tfpch``.
    - `period_means`: geometric means over units per period pair (DEAP "annual means").
    - `unit_means`: geometric means over period pairs per unit (DEAP "firm means").
    - `distances`: the distance functions behind them (``d_crs_t_t`` = D^t(x_t, y_t) …).
    """

    orientation: Orientation
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    indices: pd.DataFrame
    period_means: pd.DataFrame
    unit_means: pd.DataFrame
    distances: pd.DataFrame
    notes: list[str] = field(default_factory=list)




class Malmquist:
    """Malmquist productivity index of a balanced panel of units over periods."""

    def __init__(self, panel: pd.DataFrame, *, inputs: Sequence[str], outputs: Sequence[str],
                 unit: str = "unit", period: str = "year",
                 orientation: Orientation = "output", notes: Sequence[str] = ()) -> None:
        self.panel = panel
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.unit = unit
        self.period = period
        self.orientation = orientation
        self.notes = list(notes)

    @classmethod
    def from_panel(cls, panel: pd.DataFrame, *, inputs: Sequence[str], outputs: Sequence[str],
                   unit: str = "unit", period: str = "year",
                   orientation: Orientation = "output") -> Malmquist:
        """Return the model of a long panel (one row per unit × period)."""
        return cls(panel, inputs=inputs, outputs=outputs, unit=unit, period=period,
                   orientation=orientation)

    @classmethod
    def from_region(cls, region: Region, *, years: Sequence[int],
                    inputs: Sequence[str] = DEFAULT_INPUTS,
                    outputs: Sequence[str] = DEFAULT_OUTPUTS,
                    groups: Sequence[str] = (), subtypes: Sequence[str] = (),
                    orientation: Orientation = "output") -> Malmquist:
        """Return the model of the region's facilities over `years` (see `DEA.from_region`)."""
        data = facility_table(region, years=years, inputs=inputs, outputs=outputs,
                              groups=groups, subtypes=subtypes)
        return cls(data, inputs=inputs, outputs=outputs, unit="unit", period="year",
                   orientation=orientation)

    def solve(self) -> MalmquistResult:
        """Return the Malmquist indices of every unit between consecutive periods.

        Notes
        -----
        With D the distance function (TE, input- or output-oriented) of CRS (c) and VRS (v)
        technologies of period t or t+1 (Färe et al. 1994; Coelli et al. 1998, ch. 10;
        DEAP 2.1): effch = D^{t+1}_c(t+1)/D^t_c(t); techch = √[(D^t_c(t+1)/D^{t+1}_c(t+1))
        × (D^t_c(t)/D^{t+1}_c(t))]; pech = D^{t+1}_v(t+1)/D^t_v(t); sech = effch/pech;
        tfpch = effch × techch. D is written as technical efficiency (θ input-oriented, 1/φ
        output-oriented), so a value > 1 means improvement in both orientations. The panel
        must be balanced.
        """
        p = self.panel
        problems = _check_data(p, self.inputs, self.outputs, self.unit,
                               where=_("Malmquist panel"))
        if self.period not in p.columns:
            problems.append(Problem(_("{where}, column {column}").format(
                where=_("Malmquist panel"), column=self.period),
                expected=_("the period column"), got=_("missing")))
        raise_if_errors(problems, context="Malmquist")
        periods = sorted(p[self.period].dropna().unique().tolist())
        units = list(dict.fromkeys(p[self.unit].astype(str)))
        counts = p.groupby(p[self.unit].astype(str))[self.period].nunique()
        unbalanced = [u for u in units if counts.get(u, 0) != len(periods)]
        if len(periods) < 2 or unbalanced:
            where = _("Malmquist panel")
            if unbalanced:
                where = _("{where}, units {units}").format(where=where,
                                                          units="、".join(unbalanced[:10]))
            raise ValidationError([Problem(
                where,
                expected=_("a balanced panel: every unit in every one of ≥ 2 periods"),
                got=(ngettext("{n} period", "{n} periods", len(periods)).format(n=len(periods))
                     if len(periods) < 2 else _("units missing a period")),
                fix=_("leave out units that opened or closed in between, or shorten the "
                      "years"))],
                context="Malmquist")
        x_all = p[list(self.inputs)].apply(pd.to_numeric).to_numpy(float)
        y_all = p[list(self.outputs)].apply(pd.to_numeric).to_numpy(float)
        x_scale, y_scale = x_all.mean(axis=0), y_all.mean(axis=0)
        mats: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
        for t in periods:
            rows = p[p[self.period] == t].set_index(p[p[self.period] == t][self.unit]
                                                    .astype(str)).loc[units]
            mats[t] = (rows[list(self.inputs)].apply(pd.to_numeric).to_numpy(float).T
                       / x_scale[:, None],
                       rows[list(self.outputs)].apply(pd.to_numeric).to_numpy(float).T
                       / y_scale[:, None])
        o = self.orientation

        def dist(tech: Any, point: Any, j: int, rts: RTS) -> float:
            xr, yr = mats[tech]
            xp, yp = mats[point]
            lp = _radial(xr, yr, xp[:, j], yp[:, j], o, rts)
            if lp.status != 0:
                return math.nan
            return _distance(lp.score, o)

        rows_out, dist_rows = [], []
        for t0, t1 in itertools.pairwise(periods):
            for j, u in enumerate(units):
                d = {
                    "c_t_t": dist(t0, t0, j, "crs"), "c_t1_t1": dist(t1, t1, j, "crs"),
                    "c_t_t1": dist(t0, t1, j, "crs"), "c_t1_t": dist(t1, t0, j, "crs"),
                    "v_t_t": dist(t0, t0, j, "vrs"), "v_t1_t1": dist(t1, t1, j, "vrs"),
                }
                if any(math.isnan(v) for v in d.values()):
                    raise InfeasibleError(
                        _("Malmquist unit {unit}, {start}→{end}: a distance function has no "
                          "solution").format(unit=u, start=t0, end=t1), status="infeasible")
                effch = d["c_t1_t1"] / d["c_t_t"]
                techch = math.sqrt((d["c_t_t1"] / d["c_t1_t1"]) * (d["c_t_t"] / d["c_t1_t"]))
                pech = d["v_t1_t1"] / d["v_t_t"]
                sech = effch / pech
                rows_out.append({"unit": u, "period_from": t0, "period_to": t1,
                                 "effch": effch, "techch": techch, "pech": pech,
                                 "sech": sech, "tfpch": effch * techch})
                dist_rows.append({"unit": u, "period_from": t0, "period_to": t1,
                                  **{f"d_{k}": v for k, v in d.items()}})
        indices = pd.DataFrame(rows_out)
        cols = list(MALMQUIST_COLUMNS)
        period_means = (indices.groupby(["period_from", "period_to"], sort=True)[cols]
                        .agg(_geomean).reset_index())
        unit_means = indices.groupby("unit", sort=False)[cols].agg(_geomean).reset_index()
        return MalmquistResult(orientation=o, inputs=self.inputs, outputs=self.outputs,
                               indices=indices, period_means=period_means,
                               unit_means=unit_means, distances=pd.DataFrame(dist_rows),
                               notes=list(self.notes))


def _geomean(values: pd.Series) -> float:
    arr = values.to_numpy(float)
    return float(np.exp(np.mean(np.log(arr))))


# --- facilities of a region as DEA units -----------------------------------------------


def facility_table(region: Region, *, years: Sequence[int], inputs: Sequence[str],
                   outputs: Sequence[str], groups: Sequence[str] = (),
                   subtypes: Sequence[str] = ()) -> pd.DataFrame:
    """Return one row per facility × year: ``unit`` (facility name), ``facility_id``,
    ``subtype``, ``year`` and the input/output columns (counts), for facilities open in
    every year (``opened`` ≤ year < ``closed``) and in one of `groups` (names of
    `UNIT_GROUPS`; every facility when empty) and of `subtypes` (when given).

    Raises ValidationError naming each unknown column, unknown group, and each facility ×
    year × column whose figure is missing.
    """
    problems: list[Problem] = []
    known = set(schema.RESOURCES.column_ids) | set(schema.UTILISATION.column_ids) | set(DERIVED)
    for col in [*inputs, *outputs]:
        if col not in known or col in ("facility_id", "year"):
            problems.append(Problem(
                _("input/output {name}").format(name=col),
                expected=_("a column of the 资源 or 服务量 table, or doctors"), got=col,
                fix=_("e.g. beds, doctors, nurses, visits, discharges")))
    for group in groups:
        if group not in UNIT_GROUPS:
            problems.append(Problem(_("unit group {group}").format(group=group),
                                    expected=_("one of {names}").format(
                                        names="、".join(UNIT_GROUPS)), got=group))
    raise_if_errors(problems, context="DEA")
    fac = pd.DataFrame(region.facilities.drop(columns="geometry", errors="ignore")).copy()
    fac["category"] = fac["category"].fillna(fac["subtype"].map(schema.FACILITY_SUBTYPES))
    keep = pd.Series(True, index=fac.index)
    if groups:
        member = pd.Series(False, index=fac.index)
        for group in groups:
            for col, values in UNIT_GROUPS[group].items():
                member |= fac[col].isin(values).fillna(False).astype(bool)
        keep &= member
    if subtypes:
        keep &= fac["subtype"].isin(list(subtypes)).fillna(False).astype(bool)
    for y in years:
        opened = pd.to_numeric(fac["opened"], errors="coerce")
        closed = pd.to_numeric(fac["closed"], errors="coerce")
        keep &= ~(opened > y).fillna(False).astype(bool)
        keep &= ~(closed <= y).fillna(False).astype(bool)
    fac = fac[keep]
    both = pd.merge(region.resources, region.utilisation, on=["facility_id", "year"],
                    how="outer")
    both["facility_id"] = both["facility_id"].astype(str)
    both = both[both["year"].isin(list(years))].drop_duplicates(["facility_id", "year"])
    grid = pd.DataFrame([(str(f), str(nm), st, int(y)) for y in years
                         for f, nm, st in zip(fac["id"], fac["name"], fac["subtype"],
                                              strict=True)],
                        columns=["facility_id", "unit", "subtype", "year"])
    both["year"] = both["year"].astype(int)
    merged = grid.merge(both, on=["facility_id", "year"], how="left")
    frames = merged[["unit", "facility_id", "subtype", "year"]].copy()
    for col in [*inputs, *outputs]:
        parts = DERIVED[col][1] if col in DERIVED else (col,)
        values = merged[list(parts)].apply(pd.to_numeric, errors="coerce").astype(float)
        frames[col] = values.sum(axis=1, min_count=len(parts)).where(
            values.notna().all(axis=1))
        for fid, unit, y in merged.loc[frames[col].isna(), ["facility_id", "unit", "year"]
                                       ].itertuples(index=False):
            problems.append(Problem(
                _("{table} table, facility {id} {name}, year {year}, column {column} "
                  "({column_id})").format(table=_table_zh(col), id=fid, name=unit, year=y,
                                          column=column_zh(col), column_id=col),
                expected=_("a number ≥ 0"), got=_("empty value"),
                fix=_("fill in the figure, or leave the facility out (--units, --subtype)")))
    raise_if_errors(problems, context="DEA")
    return frames.reset_index(drop=True)


__all__ = [
    "COLUMNS_EN",
    "COLUMNS_ZH",
    "DEA",
    "DEFAULT_INPUTS",
    "DEFAULT_OUTPUTS",
    "MALMQUIST_COLUMNS",
    "UNIT_GROUPS",
    "DEAResult",
    "Malmquist",
    "MalmquistResult",
    "column_headers",
    "column_label",
    "column_zh",
    "efficiency_frames",
    "efficiency_to_xlsx",
    "facility_table",
    "rts_word",
    "sample_notes",
]

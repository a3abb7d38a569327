"""Equity of resource allocation: Gini and Lorenz curve, Theil T and L with decomposition,
agglomeration degree (HRAD, PAD) and the resource density index (HRDI).

Pure functions over per-area figures (`gini`, `lorenz_curve`, `theil`, `agglomeration`,
`hrdi`), and the `Equity` model that takes them from a region: resources summed over the
facilities placed in each area (township by default, via `hsplan.plans.indicators.compute`),
the area's resident population (常住人口) and its ``area_km2``.

The result and its form for people (`EquityResult`, the formulas, Chinese words,
`equity_frames`, `equity_to_xlsx`, headers `COLUMNS_ZH` and `FORMATS`) live in
`hsplan.allocation._equity_output` and are re-exported here.

Every index says which formula, which weights and which log base it used (natural log by
default; Chinese papers often write "log" and mean base 10, available with ``base=10``).

Notation (per area i; sums run over areas): Rᵢ resource (beds, doctors …), Wᵢ the weight
(population or area km²), Yᵢ = Rᵢ/ΣR the resource share, Pᵢ = Wᵢ/ΣW the weight share,
areas sorted by Rᵢ/Wᵢ ascending, Vᵢ = Y₁ + … + Yᵢ the cumulative resource share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hsplan._i18n import N_, _, language, ngettext
from hsplan.allocation._equity_output import (
    COLUMNS_EN,
    COLUMNS_ZH,
    FORMATS,
    GINI_FORMULA,
    GINI_TRAPEZOID,
    HRAD_FORMULA,
    HRDI_FORMULA,
    INDEX_ZH,
    LOG_ZH,
    PAD_FORMULA,
    THEIL_L_FORMULA,
    THEIL_T_FORMULA,
    WEIGHT_ZH,
    EquityResult,
    column_headers,
    equity_frames,
    equity_to_xlsx,
    index_word,
    log_word,
    weight_word,
)
from hsplan.errors import HsplanError, Problem, ValidationError, raise_if_errors
from hsplan.plans.indicators import Catalog, Formula, Indicator, Term, load_catalog
from hsplan.plans.indicators import compute as compute_indicator
from hsplan.region import schema
from hsplan.region.model import Region

TheilKind = Literal["T", "L"]
WeightBasis = Literal["population", "area"]


# resource id -> (Chinese label, catalog indicator whose numerator it is)
RESOURCES: dict[str, tuple[str, str]] = {
    "beds": ("床位数", "beds_per_1k"),
    "doctors": ("执业(助理)医师数", "doctors_per_1k"),
    "nurses": ("注册护士数", "nurses_per_1k"),
    "gps": ("全科医生数", "gps_per_10k"),
    "health_workers": ("卫生人员数", "health_workers_per_1k"),
    "health_tech": ("卫生技术人员数", "health_tech_staff_per_1k"),
    "pharmacists": ("药师(士)数", "pharmacists_per_1k"),
    "facilities": ("医疗卫生机构数", ""),
}
# the same labels in English (the reader's language when it is English)
RESOURCES_EN: dict[str, str] = {
    "beds": N_("number of beds"), "doctors": N_("licensed (assistant) doctors"),
    "nurses": N_("registered nurses"), "gps": N_("general practitioners"),
    "health_workers": N_("health staff"), "health_tech": N_("health technicians"),
    "pharmacists": N_("pharmacists"), "facilities": N_("number of health facilities"),
}


def resource_label(name: str) -> str:
    """Return the label of a resource of `RESOURCES` in the reader's language (床位数 …)."""
    if language() == "zh" or name not in RESOURCES_EN:
        return RESOURCES[name][0] if name in RESOURCES else name
    return RESOURCES_EN[name]


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GiniResult:
    """A Gini coefficient (0 = equal … 1 = all in one area) with its Lorenz curve.

    `value` is the Chinese-paper formula, `trapezoid` the same by the trapezoid rule under
    the Lorenz curve (they agree to rounding); `lorenz` has the curve's points.
    """

    value: float
    trapezoid: float
    weights: str
    n: int
    lorenz: pd.DataFrame
    formula: str = GINI_FORMULA

    def describe(self) -> str:
        """Return the formula and weights in words (the reader's language)."""
        return _("Gini coefficient {formula} (weighted {weights})").format(
            formula=self.formula, weights=weight_word(self.weights))


@dataclass(frozen=True)
class TheilResult:
    """A Theil index (T or L) and, when groups are given, its within/between decomposition.

    ``total = between + within``; `groups` has one row per group: ``group``, ``n``,
    ``weight_share`` (Pg), ``resource_share`` (Yg), ``group_index`` (the index inside the group),
    ``between`` and ``within`` (the group's contributions) and ``contribution_pct``.
    """

    kind: TheilKind
    total: float
    between: float
    within: float
    weights: str
    log_base: str
    n: int
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def formula(self) -> str:
        return THEIL_T_FORMULA if self.kind == "T" else THEIL_L_FORMULA

    @property
    def between_share(self) -> float:
        """Between-group part ÷ total (NaN when the total is 0)."""
        return self.between / self.total if self.total else math.nan

    @property
    def within_share(self) -> float:
        """Within-group part ÷ total (NaN when the total is 0)."""
        return self.within / self.total if self.total else math.nan

    def describe(self) -> str:
        """Return the formula, weights and log base in words (the reader's language)."""
        name = _("Theil index T") if self.kind == "T" \
            else _("Theil index L (mean log deviation)")
        return _("{name} {formula} (weighted {weights}, {log})").format(
            name=name, formula=self.formula, weights=weight_word(self.weights),
            log=log_word(self.log_base))


# --- pure functions --------------------------------------------------------------------


def _arrays(resource: Sequence[float] | np.ndarray | pd.Series,
            weight: Sequence[float] | np.ndarray | pd.Series | None,
            *, what: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    what = _("input") if what is None else what
    r = np.asarray(resource, dtype=float)
    w = np.ones_like(r) if weight is None else np.asarray(weight, dtype=float)
    problems: list[Problem] = []
    if r.ndim != 1 or w.shape != r.shape:
        raise ValidationError([Problem(
            _("resource and weight"),
            expected=_("two one-dimensional series of the same length"),
            got=_("{first} and {second}").format(first=r.shape, second=w.shape),
            fix=_("pass one value of each per area"))],
            context=what)
    for label, arr in ((_("resource"), r), (_("weight"), w)):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
        if bad.size:
            problems.append(Problem(
                ngettext("{what} at position {positions}", "{what} at positions {positions}",
                         int(bad.size)).format(
                    what=label, positions=", ".join(str(int(i) + 1) for i in bad[:10])),
                expected=_("a finite number ≥ 0"), got=str(arr[bad[0]]),
                fix=_("fill in the missing figures or leave the area out")))
    if not problems and (r.sum() <= 0 or w.sum() <= 0):
        problems.append(Problem(_("totals"), expected=_("resource and weight totals > 0"),
                                got=_("{first} and {second}").format(first=f"{r.sum():g}",
                                                                     second=f"{w.sum():g}"),
                                fix=_("check that the figures were loaded")))
    raise_if_errors(problems, context=what)
    return r, w


def lorenz_curve(resource: Sequence[float] | np.ndarray | pd.Series,
                 weight: Sequence[float] | np.ndarray | pd.Series | None = None,
                 *, labels: Sequence[Any] | None = None) -> pd.DataFrame:
    """Return the Lorenz curve points (shares 0–1), starting at (0, 0), areas ascending by
    resource per unit of weight.

    Columns: ``label``, ``weight_share`` (Pᵢ), ``resource_share`` (Yᵢ), ``density``
    (Rᵢ/Wᵢ), ``cum_weight`` (x of the curve) and ``cum_resource`` (Vᵢ, y of the curve).
    Areas with zero weight and zero resource carry nothing and are left out; an area with
    zero weight and some resource comes last (infinite density).
    """
    r, w = _arrays(resource, weight)
    names = list(labels) if labels is not None else list(range(len(r)))
    keep = (r > 0) | (w > 0)
    r, w = r[keep], w[keep]
    names = [n for n, k in zip(names, keep, strict=True) if k]
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(w > 0, r / np.where(w > 0, w, 1.0), np.inf)
    order = np.argsort(density, kind="stable")
    p = w[order] / w.sum()
    y = r[order] / r.sum()
    frame = pd.DataFrame({
        "label": [None, *(names[i] for i in order)],
        "weight_share": np.r_[0.0, p],
        "resource_share": np.r_[0.0, y],
        "density": np.r_[np.nan, density[order]],
        "cum_weight": np.r_[0.0, np.cumsum(p)],
        "cum_resource": np.r_[0.0, np.cumsum(y)],
    })
    return frame


def gini(resource: Sequence[float] | np.ndarray | pd.Series,
         weight: Sequence[float] | np.ndarray | pd.Series | None = None,
         *, weights: str = "population",
         labels: Sequence[Any] | None = None) -> GiniResult:
    """Return the Gini coefficient (0–1) of a resource across areas weighted by population
    or area (equal weights when `weight` is None), with its Lorenz curve.

    Notes
    -----
    G = Σ PᵢYᵢ + 2 Σ Pᵢ(1 − Vᵢ) − 1, areas sorted by Rᵢ/Wᵢ ascending, Pᵢ the weight share
    (population or area), Yᵢ the resource share and Vᵢ the cumulative resource share — the
    formula of the Chinese health-resource equity literature (e.g. 《卫生资源配置公平性》
    studies after 王绍光/胡善联). It equals the trapezoid form 1 − Σ Pᵢ(Vᵢ₋₁ + Vᵢ), i.e.
    1 − 2 × the area under the Lorenz curve; with equal weights both equal the mean
    difference Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄) of PySAL ``inequality.gini``.
    """
    curve = lorenz_curve(resource, weight, labels=labels)
    pts = curve.iloc[1:]
    p = pts["weight_share"].to_numpy()
    y = pts["resource_share"].to_numpy()
    v = pts["cum_resource"].to_numpy()
    v_prev = curve["cum_resource"].to_numpy()[:-1]
    value = float(np.sum(p * y) + 2.0 * np.sum(p * (1.0 - v)) - 1.0)
    trapezoid = float(1.0 - np.sum(p * (v_prev + v)))
    return GiniResult(value=value, trapezoid=trapezoid,
                      weights="equal" if weight is None else weights, n=len(pts), lorenz=curve)


def _log(x: np.ndarray, base: float) -> np.ndarray:
    out: np.ndarray = np.log(x) / (1.0 if base == math.e else math.log(base))
    return out


def _base_name(base: float) -> str:
    return "e" if base == math.e else f"{base:g}"


def _theil_parts(y: np.ndarray, p: np.ndarray, kind: TheilKind, base: float) -> np.ndarray:
    """Return each area's term of the Theil index of shares `y` (resource) and `p` (weight)."""
    a, b = (y, p) if kind == "T" else (p, y)
    terms = np.zeros_like(a)
    pos = a > 0
    with np.errstate(divide="ignore"):
        terms[pos] = a[pos] * _log(a[pos] / b[pos], base)
    return terms


def theil(resource: Sequence[float] | np.ndarray | pd.Series,
          weight: Sequence[float] | np.ndarray | pd.Series | None = None,
          *, groups: Sequence[Any] | np.ndarray | pd.Series | None = None,
          kind: TheilKind = "T", base: float = math.e, weights: str = "population",
          labels: Sequence[Any] | None = None) -> TheilResult:
    """Return the Theil index (T or L, ≥ 0) of a resource across areas weighted by
    population or area, split into between- and within-group parts when `groups` is given.

    Notes
    -----
    T = Σ Yᵢ log(Yᵢ/Pᵢ) (Theil 1967, "first" index); L = Σ Pᵢ log(Pᵢ/Yᵢ), the mean log
    deviation ("second" index) — the population-weighted Σ Pᵢ ln(Pᵢ/Yᵢ) that Chinese
    health-resource papers call 泰尔指数. Decomposition over groups g with shares Yg, Pg:
    T = Σg Yg log(Yg/Pg) + Σg Yg·Tg and L = Σg Pg log(Pg/Yg) + Σg Pg·Lg (between +
    within), Tg/Lg the index inside group g. With equal weights T equals PySAL
    ``inequality.theil.Theil`` and its ``TheilD`` between part; with population weights it
    equals Ipea ``accessibility::theil_t``. `base` is the log base (e by default).

    Raises ValidationError for L when an area with weight > 0 holds none of the resource
    (L is infinite then), naming the areas.
    """
    r, w = _arrays(resource, weight)
    names = list(labels) if labels is not None else [str(i) for i in range(len(r))]
    g = np.zeros(len(r), dtype=object) if groups is None else np.asarray(groups, dtype=object)
    if len(g) != len(r):
        raise ValidationError([Problem(
            _("groups"), expected=ngettext("{n} group label", "{n} group labels",
                                           len(r)).format(n=len(r)),
            got=str(len(g)), fix=_("give one group per area"))])
    if kind == "L":
        zero = [names[i] for i in np.flatnonzero((r <= 0) & (w > 0))]
        if zero:
            raise ValidationError([Problem(
                _names(zero), expected=_("resource > 0 in every area with weight > 0 (Theil L "
                                         "takes log(Pᵢ/Yᵢ))"), got="0",
                fix=_("use Theil T, or leave these areas out"))], context=_("Theil index L"))
    y = r / r.sum()
    p = w / w.sum()
    total = float(np.sum(_theil_parts(y, p, kind, base)))
    rows = []
    for label in dict.fromkeys(g.tolist()):
        m = g == label
        yg, pg = float(y[m].sum()), float(p[m].sum())
        inner = (float(np.sum(_theil_parts(y[m] / yg, p[m] / pg, kind, base)))
                 if yg > 0 and pg > 0 else 0.0)
        between = float(_theil_parts(np.array([yg]), np.array([pg]), kind, base)[0])
        share = yg if kind == "T" else pg
        rows.append({"group": label, "n": int(m.sum()), "weight_share": pg,
                     "resource_share": yg, "group_index": inner, "between": between,
                     "within": share * inner})
    parts = pd.DataFrame(rows)
    between_total = float(parts["between"].sum())
    within_total = float(parts["within"].sum())
    if total:
        parts["contribution_pct"] = (parts["between"] + parts["within"]) / total * 100.0
    else:
        parts["contribution_pct"] = math.nan
    return TheilResult(kind=kind, total=total, between=between_total, within=within_total,
                       weights="equal" if weight is None else weights,
                       log_base=_base_name(base), n=len(r), groups=parts)


def agglomeration(resource: Sequence[float] | np.ndarray | pd.Series,
                  population: Sequence[float] | np.ndarray | pd.Series,
                  area_km2: Sequence[float] | np.ndarray | pd.Series,
                  *, labels: Sequence[Any] | None = None) -> pd.DataFrame:
    """Return per area the health-resource agglomeration degree (HRAD), the population
    agglomeration degree (PAD) and HRAD/PAD (ratios; 1 = the region's average).

    Columns: ``label``, ``resource``, ``population``, ``area_km2``, ``resource_share``,
    ``population_share``, ``area_share``, ``hrad``, ``pad``, ``hrad_pad``, and
    ``reading``: HRAD ≥ 1 and HRAD/PAD ≥ 1 say the resource is concentrated there beyond
    what land and people would call for.

    Notes
    -----
    HRADᵢ = (Rᵢ/ΣR)/(Aᵢ/ΣA), PADᵢ = (Nᵢ/ΣN)/(Aᵢ/ΣA), HRADᵢ/PADᵢ = (Rᵢ/ΣR)/(Nᵢ/ΣN)
    (集聚度; e.g. 王珊 et al. 2016, 中国卫生资源). Σ (Aᵢ/ΣA)·HRADᵢ = 1.
    """
    r, n = _arrays(resource, population, what=_("agglomeration"))
    _r, a = _arrays(resource, area_km2, what=_("agglomeration"))
    if np.any(a <= 0):
        bad = [str(labels[i]) if labels is not None else str(i)
               for i in np.flatnonzero(a <= 0).tolist()]
        raise ValidationError([Problem(_("面积 of {areas}").format(areas="、".join(bad)),
                                       expected=_("area_km2 > 0"), got="0",
                                       fix=_("fill in 面积 in the 区划 table"))],
                              context=_("agglomeration"))
    rs, ns, as_ = r / r.sum(), n / n.sum(), a / a.sum()
    hrad = rs / as_
    pad = ns / as_
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ns > 0, rs / np.where(ns > 0, ns, 1.0), np.nan)
    reading = []
    for h, q in zip(hrad, ratio, strict=True):
        if h >= 1 and q >= 1:
            reading.append(_("resources more concentrated than the population"))
        elif h >= 1:
            reading.append(_("resources concentrated by land, but less than the population"))
        elif q >= 1:
            reading.append(_("resources enough for the population, but sparse over the land"))
        else:
            reading.append(_("resources relatively short"))
    return pd.DataFrame({
        "label": list(labels) if labels is not None else list(range(len(r))),
        "resource": r, "population": n, "area_km2": a,
        "resource_share": rs, "population_share": ns, "area_share": as_,
        "hrad": hrad, "pad": pad, "hrad_pad": ratio, "reading": reading,
    })


def hrdi(resource: Sequence[float] | np.ndarray | pd.Series,
         population: Sequence[float] | np.ndarray | pd.Series,
         area_km2: Sequence[float] | np.ndarray | pd.Series,
         *, labels: Sequence[Any] | None = None) -> pd.DataFrame:
    """Return per area, and for all areas together (last row, label ``合计``, "total" in
    English), the health
    resource density index HRDI in √(per 1,000 persons × per km²).

    Columns: ``label``, ``per_1k`` (resource per 1,000 persons), ``per_km2`` (resource
    per km²) and ``hrdi``.

    Notes
    -----
    HRDIᵢ = √((Rᵢ/Nᵢ) × (Rᵢ/Aᵢ)) — the geometric mean of the resource per head and per km²
    (卫生资源密度指数), with N in 1,000 persons and A in km².
    """
    r, n = _arrays(resource, population, what=_("health resource density index"))
    _r, a = _arrays(resource, area_km2, what=_("health resource density index"))
    r = np.r_[r, r.sum()]
    n = np.r_[n, n.sum()] / 1000.0
    a = np.r_[a, a.sum()]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1k = np.where(n > 0, r / np.where(n > 0, n, 1.0), np.nan)
        per_km2 = np.where(a > 0, r / np.where(a > 0, a, 1.0), np.nan)
    names = list(labels) if labels is not None else list(range(len(r) - 1))
    return pd.DataFrame({"label": [*names, _("total")], "per_1k": per_1k, "per_km2": per_km2,
                         "hrdi": np.sqrt(per_1k * per_km2)})


# --- the model over a region -----------------------------------------------------------


class Equity:
    """How evenly resources are spread across areas, by population and by area.

    Build it with `Equity.from_region` (or directly from an areas frame) and call `solve`.
    """

    def __init__(self, areas: pd.DataFrame, *, resources: Sequence[str],
                 resource_labels: dict[str, str] | None = None,
                 by: Sequence[WeightBasis] = ("population", "area"),
                 group_column: str | None = None, base: float = math.e,
                 year: int = 0, level: str = "township",
                 notes: Sequence[str] = ()) -> None:
        self.areas = areas
        self.resources = list(resources)
        self.resource_labels = dict(resource_labels or {})
        self.by = list(by)
        self.group_column = group_column
        self.base = base
        self.year = year
        self.level = level
        self.notes = list(notes)

    @classmethod
    def from_region(cls, region: Region, *, year: int,
                    resources: Sequence[str] = ("beds", "doctors", "nurses"),
                    by: Sequence[WeightBasis] = ("population", "area"),
                    group: str | None = "urban_rural", level: str = "township",
                    base: float = math.e, catalog: Catalog | None = None) -> Equity:
        """Return the model for the areas of `level` of `region` in `year`.

        A resource is a name of `RESOURCES` (beds, doctors, nurses, gps, facilities — the
        number of facilities open in `year` — …), a catalog
        indicator id (its numerator is used, with its facility filter), or a column of the
        `resources` or `utilisation` table (summed over all facilities). `group` is a column
        of the areas table (``urban_rural`` by default) used for the Theil decomposition.
        """
        cat = catalog or load_catalog()
        problems: list[Problem] = []
        indicators: dict[str, Indicator] = {}
        labels: dict[str, str] = {}
        for name in resources:
            ind = _resource_indicator(name, cat)
            if ind is None:
                problems.append(Problem(
                    f"--resource {name}",
                    expected=_("one of {names}, an indicator id, or a column of the 资源/服务量 "
                               "tables").format(names=", ".join(RESOURCES)),
                    got=name, fix=_("see `hsplan indicators list`")))
                continue
            indicators[name] = ind
            ind_name = ind.name_zh if language() == "zh" or not ind.name_en else ind.name_en
            labels[name] = (resource_label(name) if name in RESOURCES
                            else _("{name} (numerator)").format(name=ind_name) if name in cat
                            else ind_name)
        areas = region.areas
        if group is not None and group not in areas.columns:
            problems.append(Problem(f"--group {group}",
                                    expected=_("a column of the 区划 table (urban_rural, "
                                               "parent_code …)"), got=group))
        for b in by:
            if b not in ("population", "area"):
                problems.append(Problem(f"--by {b}", expected=_("population or area"), got=b))
        raise_if_errors(problems, context=_("equity analysis"))
        own = Catalog(indicators={f"_r_{k}": v for k, v in indicators.items()})
        frame: pd.DataFrame | None = None
        notes: list[str] = []
        for name in indicators:
            values = compute_indicator(region, f"_r_{name}", year=year, level=level, catalog=own)
            if values.empty:
                raise HsplanError(_("区划 table: expected areas of level {level}, got none. "
                                    "Fix: choose another --level.").format(level=level))
            if frame is None:
                frame = values[["area_code", "area_name"]].copy()
                frame["population"] = pd.to_numeric(values["denominator"], errors="coerce")
            frame[name] = pd.to_numeric(values["numerator"], errors="coerce")
            try:
                top = compute_indicator(region, f"_r_{name}", year=year, level="county",
                                        catalog=own)
            except HsplanError:  # no county rows (a region of townships only): no check
                continue
            total = pd.to_numeric(top["numerator"], errors="coerce").sum()
            outside = float(total) - float(frame[name].sum())
            if outside > 0.5:
                level_zh = schema.AREA_LEVELS.get(level, level) if language() == "zh" \
                    else level
                notes.append(_("{resource}: {count} not in any {level} area (the facility's "
                               "area code is a level higher), not counted.").format(
                    resource=labels[name], count=f"{outside:,.0f}", level=level_zh))
        assert frame is not None
        info = areas.drop(columns="geometry", errors="ignore").copy()
        info["code"] = info["code"].astype(str)
        info = info.set_index("code")
        codes = frame["area_code"].astype(str)
        frame["area_km2"] = pd.to_numeric(codes.map(info["area_km2"]), errors="coerce")
        if group is not None:
            raw = codes.map(info[group])
            frame["group"] = raw.map(lambda v: _group_word(str(v))
                                     if not pd.isna(v) else _("not classified"))
        return cls(frame, resources=list(indicators), resource_labels=labels, by=by,
                   group_column=None if group is None else "group", base=base, year=year,
                   level=level, notes=notes)

    def solve(self) -> EquityResult:
        """Return every index for every resource and weight basis (see `EquityResult`).

        A resource or basis whose data are missing is listed with status 无法评估 and what
        is missing, never dropped silently.
        """
        areas = self.areas
        names = areas["area_name"].astype(str).tolist()
        groups = areas[self.group_column].tolist() if self.group_column else None
        rows: list[dict[str, Any]] = []
        parts: list[pd.DataFrame] = []
        curves: list[pd.DataFrame] = []
        aggl: list[pd.DataFrame] = []
        for res in self.resources:
            label = self.resource_labels.get(res, res)
            r = areas[res]
            for basis in self.by:
                col = "population" if basis == "population" else "area_km2"
                w = areas[col]
                base_row = {"resource": res, "resource_zh": label, "weights": basis,
                            "log_base": _base_name(self.base), "n": len(areas)}
                missing = [n for n, a, b in zip(names, r, w, strict=True)
                           if pd.isna(a) or pd.isna(b)]
                if missing or r.sum() <= 0 or w.sum() <= 0:
                    what = ((_("population or resources missing: {areas}")
                             if basis == "population"
                             else _("area or resources missing: {areas}")).format(
                                 areas=_names(missing)) if missing
                            else _("resources total 0"))
                    for index in ("gini", "theil_T", "theil_L"):
                        rows.append({**base_row, "index": index, "value": math.nan,
                                     "status": "无法评估", "note": what})
                    continue
                g = gini(r, w, weights=basis, labels=names)
                rows.append({**base_row, "index": "gini", "value": g.value,
                             "trapezoid": g.trapezoid, "formula": g.formula,
                             "status": "ok", "note": ""})
                curve = g.lorenz.copy()
                curve.insert(0, "weights", basis)
                curve.insert(0, "resource", res)
                curves.append(curve)
                for kind in ("T", "L"):
                    try:
                        t = theil(r, w, groups=groups, kind=kind,  # type: ignore[arg-type]
                                  base=self.base, weights=basis, labels=names)
                    except ValidationError as exc:
                        rows.append({**base_row, "index": f"theil_{kind}", "value": math.nan,
                                     "status": "无法评估", "note": str(exc.problems[0])})
                        continue
                    rows.append({**base_row, "index": f"theil_{kind}", "value": t.total,
                                 "between": t.between, "within": t.within,
                                 "between_share": t.between_share,
                                 "within_share": t.within_share, "formula": t.formula,
                                 "status": "ok", "note": ""})
                    gp = t.groups.copy()
                    gp.insert(0, "index", f"theil_{kind}")
                    gp.insert(0, "weights", basis)
                    gp.insert(0, "resource", res)
                    parts.append(gp)
            ok = areas[["population", "area_km2", res]].notna().all(axis=1)
            if ok.all() and (areas["area_km2"] > 0).all() and r.sum() > 0:
                a = agglomeration(r, areas["population"], areas["area_km2"], labels=names)
                d = hrdi(r, areas["population"], areas["area_km2"], labels=names)
                a["hrdi"] = d["hrdi"].to_numpy()[:-1]
                a = a.rename(columns={"resource": "count"})
                a.insert(0, "area_code", areas["area_code"].to_numpy())
                a.insert(0, "resource", res)
                a["region_hrdi"] = float(d["hrdi"].iloc[-1])
                aggl.append(a)
        indices = pd.DataFrame(rows)
        for col in ("between", "within", "between_share", "within_share", "trapezoid",
                    "formula"):
            if col not in indices.columns:
                indices[col] = math.nan if col != "formula" else ""
        return EquityResult(
            year=self.year, level=self.level, group_by=self.group_column,
            log_base=_base_name(self.base), areas=areas.copy(), indices=indices,
            theil_groups=pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(),
            lorenz=pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
            agglomeration=pd.concat(aggl, ignore_index=True) if aggl else pd.DataFrame(),
            notes=list(self.notes))


_GROUP_ZH = {"urban": "城镇", "rural": "农村"}
_GROUP_WORDS = {"urban": N_("urban"), "rural": N_("rural")}


def _group_word(value: str) -> str:
    """Return an urban_rural value (urban, rural) in the reader's language (城镇, 农村)."""
    return _(_GROUP_WORDS[value]) if value in _GROUP_WORDS else value


def _names(names: Sequence[Any], limit: int = 10) -> str:
    """Return up to `limit` names joined by 、, then how many more."""
    shown = "、".join(str(n) for n in names[:limit])
    return shown + (_(" and others, {n} in all").format(n=len(names)) if len(names) > limit
                    else "")

def _resource_indicator(name: str, catalog: Catalog) -> Indicator | None:
    """Return an indicator whose numerator is the resource `name` (None when unknown)."""
    source: Indicator | None = None
    if name == "facilities":
        return Indicator(id="_r_facilities", name_zh=RESOURCES[name][0], name_en=name, unit="",
                         kind="computed", direction="none", definition="", source="",
                         levels=("county", "township", "village"), formula=Formula(
                             numerator=Term("count", ()),
                             denominator=Term("population", ("total",)), factor=1.0))
    if name in RESOURCES:
        source = catalog.indicators.get(RESOURCES[name][1])
    elif name in catalog and catalog.get(name).formula is not None:
        source = catalog.get(name)
    if source is not None and source.formula is not None:
        f = source.formula
        formula = Formula(numerator=f.numerator, denominator=Term("population", ("total",)),
                          factor=1.0, filter=f.filter & f.numerator_filter)
    else:
        table = None
        for t in (schema.RESOURCES, schema.UTILISATION):
            if name in t.column_ids and name not in ("facility_id", "year"):
                table = t
        if table is None:
            return None
        formula = Formula(numerator=Term("sum", (name,)),
                          denominator=Term("population", ("total",)), factor=1.0)
        source = None
    zh = source.name_zh if source is not None else _column_zh(name)
    en = source.name_en if source is not None and source.name_en else name
    return Indicator(id=f"_r_{name}", name_zh=zh, name_en=en, unit="", kind="computed",
                     direction="none", definition="", source="", levels=(
                         "county", "township", "village"), formula=formula)


def _column_zh(name: str) -> str:
    for t in (schema.RESOURCES, schema.UTILISATION):
        if name in t.column_ids:
            return t.column(name).zh
    return name


__all__ = [
    "COLUMNS_EN",
    "COLUMNS_ZH",
    "FORMATS",
    "GINI_FORMULA",
    "GINI_TRAPEZOID",
    "HRAD_FORMULA",
    "HRDI_FORMULA",
    "INDEX_ZH",
    "LOG_ZH",
    "PAD_FORMULA",
    "RESOURCES",
    "RESOURCES_EN",
    "THEIL_L_FORMULA",
    "THEIL_T_FORMULA",
    "WEIGHT_ZH",
    "Equity",
    "EquityResult",
    "GiniResult",
    "TheilResult",
    "agglomeration",
    "column_headers",
    "equity_frames",
    "equity_to_xlsx",
    "gini",
    "hrdi",
    "index_word",
    "log_word",
    "lorenz_curve",
    "resource_label",
    "theil",
    "weight_word",
]

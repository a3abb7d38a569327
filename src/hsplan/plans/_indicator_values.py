"""Indicator values computed on a prepared region (the engine of `hsplan.plans.indicators`).

`Prepared` holds a region made ready for one area level: the areas of the level, the
facilities placed in them (by walking up ``areas.parent_code``), the yearly tables as arrays
grouped by facility or area, and each filter mask, department set and per-year sum once
derived. `values_of` computes one catalog indicator for one year on it. 托育机构 are not
医疗卫生机构: a formula counts or sums them only when its filter names them (or it sums
托位数). `compute`,
`compute_all` (`hsplan.plans.indicators`) and `hsplan.evaluation.targets.evaluate` build one
`Prepared` per
call and level and reuse it across indicators and years, so the per-region work is done
once; nothing is cached beyond the call and the region is never mutated.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from hsplan._i18n import N_, _, join_names
from hsplan.errors import HsplanError
from hsplan.plans.catalog import FacilityFilter, Formula, Indicator, Term, table_of
from hsplan.region import schema
from hsplan.region.model import Region

Status = Literal["ok", "no data", "not applicable"]
CHILDCARE = "托育机构"
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}
RESULT_COLUMNS = (
    "area_code", "area_name", "value", "numerator", "denominator", "unit", "status", "missing",
)
_LIST_SEPARATORS = re.compile(r"[、,;，；]")
_MAX_IDS_SHOWN = 5


@dataclass(frozen=True)
class Values:
    """The result of one indicator for one year, column by column (`RESULT_COLUMNS`)."""

    codes: list[str]
    names: list[str]
    value: list[float]
    numerator: list[float]
    denominator: list[float]
    unit: str
    status: list[Status]
    missing: list[str]

    def column(self, name: str) -> list[Any]:
        if name == "area_code":
            return self.codes
        if name == "area_name":
            return self.names
        if name == "unit":
            return [self.unit] * len(self.codes)
        return cast(list[Any], getattr(self, name))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: self.column(name) for name in RESULT_COLUMNS})


Evaluated = tuple[float, list[str], list[str]]  # value, missing (blocks), notes (informative)


class Yearly:
    """A yearly model table as arrays: each row's year and group (a facility or an area,
    looked up by the `key` column in `groups`; -1 when not there), and its numeric columns
    as floats (NaN = no value), each converted on first use."""

    def __init__(self, frame: pd.DataFrame, key: str, groups: dict[str, int]) -> None:
        self.frame = frame
        self.groups = groups
        self.year = frame["year"].to_numpy(dtype=float, na_value=np.nan)
        self.group = np.array([-1 if pd.isna(k) else groups.get(str(k), -1)
                               for k in frame[key]], dtype=np.int64)
        self._columns: dict[str, np.ndarray] = {}
        self._rows: dict[int, np.ndarray] = {}

    def numeric(self, column: str) -> bool:
        """True when `column` holds numbers (summed here; other columns are left to pandas)."""
        return column != "year" and pd.api.types.is_numeric_dtype(self.frame[column])

    def rows(self, year: int) -> np.ndarray:
        """Which rows belong to `year`."""
        if year not in self._rows:
            self._rows[year] = self.year == year
        return self._rows[year]

    def column(self, column: str) -> np.ndarray:
        """The column as floats, NaN where it has no value."""
        if column not in self._columns:
            self._columns[column] = self.frame[column].to_numpy(dtype=float, na_value=np.nan)
        return self._columns[column]

    def has_value(self, column: str, year: int) -> bool:
        """True when some row of `year` has a value in `column`."""
        return bool((~np.isnan(self.column(column)) & self.rows(year)).any())

    def sums(self, column: str, year: int, *, min_count: int) -> np.ndarray:
        """Per group, the sum of the column's values in `year`; NaN for a group with fewer
        than `min_count` values (pandas' ``groupby(...).sum(min_count=...)``)."""
        values = self.column(column)
        ok = self.rows(year) & ~np.isnan(values) & (self.group >= 0)
        n = len(self.groups)
        totals = np.bincount(self.group[ok], weights=values[ok], minlength=n)
        counts = np.bincount(self.group[ok], minlength=n)
        return np.where(counts >= min_count, totals, np.nan)


class Prepared:
    """A region made ready for computing indicators at one level: the areas of the level,
    the facilities placed in them, and per-year tables, each derived once and kept.

    Built by `compute` / `compute_all` / `hsplan.evaluation.targets` for one call and dropped after;
    nothing here outlives the call or mutates the region.
    """

    def __init__(self, region: Region, level: str) -> None:
        areas = _areas_of_level(region, level)
        self.region = region
        self.level = level
        self.codes: list[str] = list(areas["area_code"])
        self.names: list[str] = list(areas["area_name"])
        self.slot = {code: i for i, code in enumerate(dict.fromkeys(self.codes))}
        self._active: dict[int, np.ndarray] = {}
        self._open_years: tuple[np.ndarray, np.ndarray] | None = None
        self._masks: dict[FacilityFilter, np.ndarray] = {}
        self._departments: dict[tuple[tuple[str, ...], int | None],
                                tuple[np.ndarray, np.ndarray]] = {}
        self._masks_at: dict[tuple[FacilityFilter, int], tuple[np.ndarray, np.ndarray]] = {}
        self._sums: dict[tuple[str, int, Term], np.ndarray | str] = {}
        self._population: dict[tuple[int, tuple[str, ...]], list[Evaluated]] = {}
        self._reported: dict[int, dict[str, dict[str, float]]] | None = None

    @functools.cached_property
    def facilities(self) -> pd.DataFrame:
        """The facilities with ``_area``, their area at this level (see `_placed_facilities`)."""
        return _placed_facilities(self.region, self.level)

    @functools.cached_property
    def ids(self) -> list[str]:
        """The facility ids as text, in facility order."""
        return [str(i) for i in self.facilities["id"]] if not self.facilities.empty else []

    @functools.cached_property
    def area_slot(self) -> np.ndarray:
        """Per facility, the slot of its area in `slot`; -1 when not placed at this level."""
        if self.facilities.empty:
            return np.zeros(0, np.int64)
        return np.array([-1 if pd.isna(a) else self.slot[a] for a in self.facilities["_area"]],
                        dtype=np.int64)

    @functools.cached_property
    def _unique_ids(self) -> dict[str, int]:
        return {fid: i for i, fid in enumerate(dict.fromkeys(self.ids))}

    @functools.cached_property
    def id_group(self) -> np.ndarray:
        """Per facility, the group of its id in `tables` (one group per distinct id)."""
        return np.array([self._unique_ids[fid] for fid in self.ids], dtype=np.int64)

    @functools.cached_property
    def tables(self) -> dict[str, Yearly]:
        """`resources` and `utilisation` as arrays, grouped by facility id."""
        return {name: Yearly(getattr(self.region, name), "facility_id", self._unique_ids)
                for name in ("resources", "utilisation")}

    @functools.cached_property
    def pop(self) -> Yearly:
        """`population` as arrays, grouped by area code."""
        pop = self.region.population
        return Yearly(pop, "area_code", {code: i for i, code in enumerate(
            dict.fromkeys(str(c) for c in pop["area_code"] if not pd.isna(c)))})

    @functools.cached_property
    def children(self) -> dict[str, list[str]]:
        """The codes of each area's child areas, by parent code."""
        children: dict[str, list[str]] = {}
        areas = self.region.areas
        for code, parent in zip(areas["code"], areas["parent_code"], strict=True):
            if not pd.isna(parent):
                children.setdefault(str(parent), []).append(str(code))
        return children

    def active(self, year: int) -> np.ndarray:
        """Which facilities are open in `year` (``opened`` ≤ year < ``closed``)."""
        if year not in self._active:
            if self._open_years is None:
                opened, closed = (pd.to_numeric(self.facilities[c], errors="coerce").to_numpy(
                    dtype=float, na_value=np.nan) for c in ("opened", "closed"))
                self._open_years = (opened, closed)
            opened, closed = self._open_years
            self._active[year] = ((np.isnan(opened) | (opened <= year))
                                  & (np.isnan(closed) | (closed > year)))
        return self._active[year]

    @functools.cached_property
    def childcare(self) -> np.ndarray:
        """Which facilities are 托育机构 (registered with 卫健, not 医疗卫生机构)."""
        if self.facilities.empty or "subtype" not in self.facilities:
            return np.zeros(len(self.facilities), dtype=bool)
        return (self.facilities["subtype"].astype(str) == CHILDCARE).to_numpy(bool)

    def mask(self, flt: FacilityFilter) -> np.ndarray:
        """Which facilities pass `flt`."""
        if flt not in self._masks:
            self._masks[flt] = flt.mask(self.facilities).to_numpy(bool)
        return self._masks[flt]

    @functools.cached_property
    def static_year(self) -> int | None:
        """The year the facilities' static attributes (departments, grade) describe: the
        region's latest data year (None without yearly data)."""
        years = self.region.years
        return years[-1] if years else None

    @functools.cached_property
    def _facts(self) -> dict[str, dict[str, list[tuple[int, str, str]]]]:
        """Facts by kind (科室, 等级) and facility id: (year, value, status) sorted by year."""
        out: dict[str, dict[str, list[tuple[int, str, str]]]] = {"科室": {}, "等级": {}}
        facts = self.region.facts
        if facts.empty:
            return out
        for fid, year, kind, value, status in zip(
                facts["facility_id"], facts["year"], facts["fact"], facts["value"],
                facts["status"], strict=True):
            if kind in out and not pd.isna(year) and not pd.isna(fid):
                out[str(kind)].setdefault(str(fid), []).append(
                    (int(year), str(value), "" if pd.isna(status) else str(status)))
        for by_facility in out.values():
            for rows in by_facility.values():
                rows.sort(key=lambda r: r[0])
        return out

    def has_department(self, names: tuple[str, ...], year: int | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Which facilities have at least one of the departments `names` in `year`, and
        for which that cannot be known.

        A facility with 科室 facts has a department from the year of a fact in place
        (status empty, 通过 or 建成) until a later fact for it (撤销 …); its departments are
        recorded from its first fact's year on. Without facts, its static ``departments``
        attribute holds for the region's latest data year (`static_year`) and later; for an
        earlier year (or one before the first fact) they are unknown (无历史数据).
        """
        key = (names, year)
        if key not in self._departments:
            wanted = set(names)
            static = np.array([bool(wanted & set(_split_list(d)))
                               for d in self.facilities["departments"]], dtype=bool) \
                if not self.facilities.empty else np.zeros(0, dtype=bool)
            facts = self._facts["科室"]
            has = static.copy()
            unknown = np.zeros(len(static), dtype=bool)
            static_ok = year is None or self.static_year is None or year >= self.static_year
            for i, fid in enumerate(self.ids):
                rows = facts.get(fid)
                if rows and year is not None and year < rows[0][0] and not static_ok:
                    has[i] = False   # before its first 科室 fact: not recorded
                    unknown[i] = True
                elif rows and year is not None:
                    latest: dict[str, str] = {}
                    for y, value, status in rows:
                        if y <= year and value in wanted:
                            latest[value] = status
                    has[i] = any(st in _IN_PLACE for st in latest.values())
                elif not static_ok:
                    has[i] = False
                    unknown[i] = True
            self._departments[key] = (has, unknown)
        return self._departments[key]

    def grades_in(self, year: int) -> tuple[list[Any], list[Any]]:
        """The facilities' grades in `year`, each unknown one as its lowest and highest
        possible value (so a filter on grade can tell which facilities depend on it).

        A facility's latest 等级 fact in place (status empty, 通过, 建成) up to `year` gives
        its grade. Otherwise its static ``grade`` holds from the region's latest data year
        on; for an earlier year the grade is unknown between 未定级 and the static grade
        (grades rise: a facility below 二级 now was below it before).
        """
        facts = self._facts["等级"]
        static = list(self.facilities["grade"]) if not self.facilities.empty else []
        static_ok = self.static_year is None or year >= self.static_year
        low: list[Any] = []
        high: list[Any] = []
        for fid, grade in zip(self.ids, static, strict=True):
            passed = [v for y, v, st in facts.get(fid, []) if y <= year and st in _IN_PLACE]
            if passed:
                low.append(passed[-1])
                high.append(passed[-1])
            elif static_ok:
                low.append(grade)
                high.append(grade)
            else:
                low.append("未定级")
                high.append(grade)
        return low, high

    def mask_at(self, flt: FacilityFilter, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Which facilities pass `flt` in `year`, and for which that cannot be known (a
        filter on grade, the grade of that year unknown)."""
        if not flt.uses_grade() or self.facilities.empty:
            return self.mask(flt), np.zeros(len(self.facilities), dtype=bool)
        key = (flt, year)
        if key not in self._masks_at:
            low, high = self.grades_in(year)
            frame = self.facilities.copy()
            frame["grade"] = low
            at_low = flt.mask(frame).to_numpy(bool)
            frame["grade"] = high
            at_high = flt.mask(frame).to_numpy(bool)
            self._masks_at[key] = (at_low, at_high & ~at_low)
        return self._masks_at[key]

    def facility_sums(self, term: Term, table: str, year: int) -> np.ndarray | str:
        """Per facility, the sum of the term's columns over its rows of `year` (NaN where no
        row has a value); or, when no row of the year has a value, what is missing."""
        key = (table, year, term)
        if key not in self._sums:
            yearly = self.tables[table]
            cols = list(term.names)
            result: np.ndarray | str
            if not yearly.rows(year).any():
                result = _("no {table} for {year}").format(table=_table_word(table), year=year)
            elif not all(yearly.numeric(c) for c in cols):  # left to pandas, as given
                rows = yearly.frame[yearly.rows(year)]
                if rows[cols].isna().all().all():
                    result = _("no values of {term} in {table} for {year}").format(
                        term=term.describe(), table=_table_word(table), year=year)
                else:
                    per = rows.groupby(rows["facility_id"].astype(str))[cols].sum(min_count=1)
                    result = per.reindex(self.ids).sum(axis=1, min_count=1).to_numpy(
                        dtype=float, na_value=np.nan)
            elif not any(yearly.has_value(c, year) for c in cols):
                result = _("no values of {term} in {table} for {year}").format(
                    term=term.describe(), table=_table_word(table), year=year)
            else:
                stacked = np.vstack([yearly.sums(c, year, min_count=1)[self.id_group]
                                     for c in cols])
                result = np.where(np.isnan(stacked).all(axis=0), np.nan,
                                  np.nansum(stacked, axis=0))
            self._sums[key] = result
        return self._sums[key]

    def population(self, term: Term, year: int) -> list[Evaluated]:
        """Per area, the population term in `year` (own row, else the sum of the children)."""
        key = (year, term.names)
        if key not in self._population:
            self._population[key] = self._compute_population(term, year)
        return self._population[key]

    def _compute_population(self, term: Term, year: int) -> list[Evaluated]:
        cols = list(term.names)
        per_column = [self.pop.sums(c, year, min_count=len(cols)) for c in cols]
        per_area = np.where(np.isnan(np.vstack(per_column)).any(axis=0), np.nan,
                            np.sum(per_column, axis=0))
        groups = self.pop.groups

        def value_of(code: str) -> float:
            return float(per_area[groups[code]]) if code in groups else np.nan

        label = (_("population") if cols == ["total"]
                 else _("population ({columns})").format(columns="+".join(cols)))
        out: list[Evaluated] = []
        for code in self.codes:
            value = value_of(code)
            if np.isnan(value) and code in self.children:
                kid_values = [value_of(k) for k in self.children[code]]
                if not any(np.isnan(v) for v in kid_values):
                    value = float(sum(kid_values))
            if np.isnan(value):
                out.append((np.nan, [_("{what} of {code} missing for {year}").format(
                    what=label, code=code, year=year)], []))
            else:
                out.append((value, [], []))
        return out

    def reported(self, year: int) -> dict[str, dict[str, float]]:
        """Reported values of `year`: indicator key → area code → value (first row wins)."""
        if self._reported is None:
            rep = self.region.reported.dropna(subset=["value", "year"])
            by_year: dict[int, dict[str, dict[str, float]]] = {}
            for y, key, code, value in zip(rep["year"], rep["indicator"], rep["area_code"],
                                           rep["value"], strict=True):
                by_key = by_year.setdefault(int(y), {})
                by_key.setdefault(str(key), {}).setdefault(code, float(value))
            self._reported = by_year
        return self._reported.get(year, {})


def _areas_of_level(region: Region, level: str) -> pd.DataFrame:
    if level not in schema.AREA_LEVELS:
        raise HsplanError(
            _("level {level}: expected one of {names}. "
              "Fix: pass e.g. level='county' or level='township'.").format(
                  level=repr(level), names=", ".join(schema.AREA_LEVELS))
        )
    areas = region.areas
    chosen = areas.loc[areas["level"] == level, ["code", "name"]]
    if chosen.empty:
        present = sorted(set(areas["level"].dropna()))
        raise HsplanError(
            _("the region has no areas of level {level} (levels present: {present}). Fix: "
              "import the areas table with that level, or compute at a level that is present.")
            .format(level=repr(level), present=", ".join(present) or _("none"))
        )
    return (pd.DataFrame({"area_code": chosen["code"].astype(str),
                          "area_name": chosen["name"].astype(str)})
            .sort_values("area_code").reset_index(drop=True))


def applies_at(indicator: Indicator, level: str) -> bool:
    """True when `indicator` is meaningful at area `level`: a level its catalog ``levels``
    name, or one above them (a county indicator also sums to a city); never a level below
    the finest it names (a county-wide ratio such as ambulances per 10,000 is no township
    measure)."""
    finest = max(LEVEL_RANK.get(lv, 2) for lv in indicator.levels)
    return LEVEL_RANK.get(level, 2) <= finest


def values_of(prepared: Prepared, indicator: Indicator, year: int) -> Values:
    """Return the indicator's `compute` result for `year` on a prepared region; every row
    ``not applicable`` (value NaN, the reason in ``missing``) at a level below the finest
    of the indicator's catalog ``levels`` (`applies_at`)."""
    if not applies_at(indicator, prepared.level):
        n = len(prepared.codes)
        name = indicator.label
        why = _("not applicable: {name} ({id}) is meaningful only at the {levels} level, not "
                "computed by {level}").format(name=name, id=indicator.id,
                                              levels=join_names(indicator.levels),
                                              level=prepared.level)
        nans = [float("nan")] * n
        return Values(prepared.codes, prepared.names, list(nans), list(nans), list(nans),
                      indicator.unit, cast(list[Status], ["not applicable"] * n), [why] * n)
    if indicator.formula is None:
        return _reported(prepared, indicator, year)
    return _computed(prepared, indicator, indicator.formula, year)


def _reported(prepared: Prepared, indicator: Indicator, year: int) -> Values:
    by_key = prepared.reported(year)
    rank = {k: i for i, k in enumerate([indicator.id, *indicator.names])}
    first: dict[str, float] = {}
    for key in sorted(rank, key=rank.__getitem__):
        for code, value in by_key.get(key, {}).items():
            first.setdefault(code, value)
    values: list[float] = []
    status: list[Status] = []
    missing: list[str] = []
    for code in prepared.codes:
        status.append("ok" if code in first else "no data")
        if code in first:
            values.append(first[code])
            missing.append("")
        else:
            values.append(np.nan)
            missing.append(_("no reported value of {name} ({id}) for {code} in {year}").format(
                name=indicator.label, id=indicator.id, code=code, year=year))
    nans = [np.nan] * len(values)
    return Values(prepared.codes, prepared.names, values, nans, list(nans), indicator.unit,
                   status, missing)


def _computed(prepared: Prepared, indicator: Indicator, formula: Formula, year: int
              ) -> Values:
    parts = [_evaluate(prepared, term, flt, year) for term, flt in formula.numerator_parts()]
    num = parts[0] if len(parts) == 1 else [
        (float(sum(p[0] for p in by_area)), [m for p in by_area for m in p[1]],
         [n for p in by_area for n in p[2]]) for by_area in zip(*parts, strict=True)]
    den = _evaluate(prepared, formula.denominator, formula.filter & formula.denominator_filter,
                    year)
    values: list[float] = []
    nums: list[float] = []
    dens: list[float] = []
    status: list[Status] = []
    missings: list[str] = []
    for code, (n_val, n_missing, n_notes), (d_val, d_missing, d_notes) in zip(
            prepared.codes, num, den, strict=True):
        missing = list(dict.fromkeys([*n_missing, *d_missing]))
        notes = list(dict.fromkeys([*n_notes, *d_notes]))
        value = np.nan
        if not missing:
            if d_val == 0:
                missing.append(_("{term} is 0 in {code}").format(
                    term=formula.denominator.describe(), code=code))
            else:
                value = formula.factor_in(year) * n_val / d_val
        values.append(np.nan if missing else value)
        nums.append(n_val)
        dens.append(d_val)
        status.append("no data" if missing else "ok")
        missings.append(_("; ").join([*missing, *notes]))
    return Values(prepared.codes, prepared.names, values, nums, dens, indicator.unit,
                   status, missings)


def _evaluate(prepared: Prepared, term: Term, flt: FacilityFilter, year: int
              ) -> list[Evaluated]:
    """Return, per area (in `prepared.codes` order), the term's value and what is missing."""
    if term.kind == "population":
        return prepared.population(term, year)
    codes = prepared.codes
    if prepared.facilities.empty:
        return [(np.nan, [_("no facilities")], []) for _code in codes]
    chosen, uncertain = prepared.mask_at(flt, year)
    if not flt.names_subtype(CHILDCARE) and "childcare_places" not in term.names:
        chosen = chosen & ~prepared.childcare  # 托育机构 are not 医疗卫生机构
        uncertain = uncertain & ~prepared.childcare
    unplaced = chosen & (prepared.area_slot < 0)
    placed_note = []
    if unplaced.any():
        placed_note = [_("facilities not placed in any area of this level: {ids}").format(
            ids=_ids([prepared.ids[i] for i in np.flatnonzero(unplaced)]))]
    slots = [prepared.slot[code] for code in codes]
    what = _("hospital grade")
    unknown = uncertain & prepared.active(year)
    if term.kind == "count_with_department":
        has, dept_unknown = prepared.has_department(term.names, year)
        unknown = unknown | ((chosen | uncertain) & prepared.active(year) & dept_unknown)
        what = _("departments") if not uncertain.any() else \
            _("departments or hospital grade")
    unknown_by_slot: dict[int, list[str]] = {}
    for i in np.flatnonzero(unknown & (prepared.area_slot >= 0)):
        unknown_by_slot.setdefault(int(prepared.area_slot[i]), []).append(prepared.ids[i])

    def no_history(s: int) -> list[str]:
        if s not in unknown_by_slot:
            return []
        return [_("no historical data: no record of the {what} of {ids} in {year} (the "
                  "facility table gives the {what} of {static_year} only; enter yearly changes "
                  "in the facts table by year with 事项=科室/等级)").format(
            what=what, ids=_ids(unknown_by_slot[s]), year=year,
            static_year=prepared.static_year)]

    if term.kind in ("count", "count_with_department"):
        active = chosen & prepared.active(year)
        if term.kind == "count_with_department":
            active &= has
        counts = _per_slot(prepared, active)
        return [(float(counts[s]), no_history(s), placed_note) for s in slots]
    table = table_of(term.names[0])
    assert table is not None  # checked when the catalog loads
    sums = prepared.facility_sums(term, table.name, year)
    if isinstance(sums, str):
        return [(np.nan, [sums], []) for _code in codes]
    has_value = ~np.isnan(sums)
    totals = _per_slot(prepared, chosen & has_value, np.where(has_value, sums, 0.0))
    lacking = chosen & ~has_value & prepared.active(year) & (prepared.area_slot >= 0)
    lacking_by_slot: dict[int, list[str]] = {}
    for i in np.flatnonzero(lacking):
        lacking_by_slot.setdefault(int(prepared.area_slot[i]), []).append(prepared.ids[i])
    out: list[Evaluated] = []
    for s in slots:
        notes = list(placed_note)
        if s in lacking_by_slot:
            notes.append(_("no {table} row with {term} for {ids} in {year}").format(
                table=_table_word(table.name), term=term.describe(), ids=_ids(lacking_by_slot[s]),
                year=year))
        out.append((float(totals[s]), no_history(s), notes))
    return out


def _per_slot(prepared: Prepared, chosen: np.ndarray,
              weights: np.ndarray | None = None) -> np.ndarray:
    """Sum `weights` (or count) over the chosen placed facilities, per area slot."""
    keep = chosen & (prepared.area_slot >= 0)
    return np.bincount(prepared.area_slot[keep],
                       weights=None if weights is None else weights[keep],
                       minlength=len(prepared.slot))


def _placed_facilities(region: Region, level: str) -> pd.DataFrame:
    """Return facilities with ``_area`` (the code of their area at `level`, None when none)."""
    fac = pd.DataFrame(region.facilities.drop(columns="geometry", errors="ignore")).copy()
    if fac.empty:
        return fac
    fac["category"] = fac["category"].fillna(fac["subtype"].map(schema.FACILITY_SUBTYPES))
    areas = region.areas
    parent = dict(zip(areas["code"].astype(str), areas["parent_code"], strict=True))
    lvl = dict(zip(areas["code"].astype(str), areas["level"], strict=True))

    @functools.cache
    def ancestor(code: str) -> str | None:
        seen = set()
        current: Any = code
        while isinstance(current, str) and current in lvl and current not in seen:
            if lvl[current] == level:
                return current
            seen.add(current)
            nxt = parent.get(current)
            current = None if pd.isna(nxt) else str(nxt)
        return None

    fac["_area"] = [ancestor(str(c)) if not pd.isna(c) else None for c in fac["area_code"]]
    return fac


# --- helpers ------------------------------------------------------------------------------


_IN_PLACE = ("", "通过", "建成")  # fact statuses that mean "in place"


def _split_list(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v.strip() for v in _LIST_SEPARATORS.split(value) if v.strip()]


# the model tables a reason names, in the reader's language
TABLE_WORDS = {"resources": N_("resources"), "utilisation": N_("utilisation")}


def _table_word(name: str) -> str:
    return _(TABLE_WORDS[name]) if name in TABLE_WORDS else name


def _ids(ids: Iterable[Any]) -> str:
    values = [str(v) for v in ids]
    shown = ", ".join(values[:_MAX_IDS_SHOWN])
    more = len(values) - _MAX_IDS_SHOWN
    return shown + (_(" and {n} more").format(n=more) if more > 0 else "")

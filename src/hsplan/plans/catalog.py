"""The indicator catalog: one entry per indicator, its definition as data.

The catalog is data (``src/hsplan/data/indicators/*.yaml``, format in ``docs/indicators.md``,
JSON Schema ``src/hsplan/data/indicator.schema.json``): one entry per indicator with its
official Chinese name, English name, aliases, unit, direction, statistical definition and —
for ``kind: computed`` — a formula over the model tables::

    value = factor × numerator / denominator

where each side is the sum of `resources`/`utilisation` column(s) over the facilities that
pass a filter, a count of such facilities (optionally only those having a department), or a
`population` column. ``kind: reported`` indicators are measured elsewhere and read from the
`reported` table. Values are computed by `hsplan.plans.indicators`.

The checks of the catalog files beyond the JSON Schema are in
`hsplan.plans._catalog_validation`.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from hsplan._i18n import _, language
from hsplan.errors import DataSourceError, HsplanError, Problem, raise_if_errors
from hsplan.plans import _validated
from hsplan.plans._catalog_validation import (
    _as_tuple,
    _duplicate_problems,
    _schema_problem,
    _semantic_problems,
    table_of,
)
from hsplan.region import schema

if TYPE_CHECKING:  # loaded where used: reading a valid plan needs neither
    import pandas as pd

TermKind = Literal["sum", "count", "count_with_department", "population"]

GRADE_RANK = {"一级": 1, "二级": 2, "三级": 3}


# --- catalog entries -----------------------------------------------------------------------


@dataclass(frozen=True)
class FacilityFilter:
    """Which facilities a formula term counts or sums over; every given field must match.

    `any_of` holds alternatives of which at least one must pass as well (used for "县办公立医院
    or 基层医疗卫生机构"); `all_of` holds filters that must all pass (made by ``a & b``).
    Values are schema vocabulary (`hsplan.region.schema`).
    """

    subtype: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    ownership: tuple[str, ...] = ()
    government_run: bool | None = None
    admin_level: tuple[str, ...] = ()
    grade_min: str | None = None
    any_of: tuple[FacilityFilter, ...] = ()
    all_of: tuple[FacilityFilter, ...] = ()
    none_of: tuple[FacilityFilter, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> FacilityFilter:
        """Return the filter described by a catalog ``filter`` mapping (None = all)."""
        raw = raw or {}
        return cls(
            subtype=_as_tuple(raw.get("subtype")),
            category=_as_tuple(raw.get("category")),
            ownership=_as_tuple(raw.get("ownership")),
            government_run=raw.get("government_run"),
            admin_level=_as_tuple(raw.get("admin_level")),
            grade_min=raw.get("grade_min"),
            any_of=tuple(cls.from_dict(f) for f in raw.get("any", [])),
        )

    def __and__(self, other: FacilityFilter) -> FacilityFilter:
        """Return the filter that passes what both filters pass."""
        if other == FacilityFilter():
            return self
        if self == FacilityFilter():
            return other
        return FacilityFilter(all_of=(self, other))

    def mask(self, facilities: pd.DataFrame) -> pd.Series:
        """Return a boolean Series: which rows of `facilities` pass this filter."""
        import pandas as pd

        ok = pd.Series(True, index=facilities.index)
        for column, values in (("subtype", self.subtype), ("category", self.category),
                               ("ownership", self.ownership),
                               ("admin_level", self.admin_level)):
            if values:
                ok &= facilities[column].isin(values).fillna(False).astype(bool)
        if self.government_run is not None:
            gov = facilities["government_run"].fillna(False).astype(bool)
            ok &= gov if self.government_run else ~gov
        if self.grade_min is not None:
            ok &= facilities["grade"].map(_grade_rank).astype(int) >= GRADE_RANK[self.grade_min]
        if self.any_of:
            alt = pd.Series(False, index=facilities.index)
            for f in self.any_of:
                alt |= f.mask(facilities)
            ok &= alt
        for f in self.all_of:
            ok &= f.mask(facilities)
        for f in self.none_of:
            ok &= ~f.mask(facilities)
        return ok

    def uses_grade(self) -> bool:
        """True when this filter (or a part of it) selects facilities by grade."""
        return self.grade_min is not None or any(
            f.uses_grade() for f in (*self.any_of, *self.all_of, *self.none_of))

    def names_subtype(self, subtype: str) -> bool:
        """True when this filter (or a part of it) selects facilities of `subtype` by name."""
        return subtype in self.subtype or any(
            f.names_subtype(subtype) for f in (*self.any_of, *self.all_of))

    def describe(self) -> str:
        """Return the filter in words, e.g. ``subtype in 综合医院/中医医院, grade ≥ 二级``."""
        parts: list[str] = []
        for label, values in (("subtype", self.subtype), ("category", self.category),
                              ("ownership", self.ownership), ("admin_level", self.admin_level)):
            if values:
                parts.append(f"{label} in {'/'.join(values)}")
        if self.government_run is not None:
            parts.append("government-run" if self.government_run else "not government-run")
        if self.grade_min:
            parts.append(f"grade ≥ {self.grade_min}")
        if self.any_of:
            parts.append("(" + " or ".join(f.describe() for f in self.any_of) + ")")
        parts += [f.describe() for f in self.all_of]
        parts += [f"not ({f.describe()})" for f in self.none_of]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Term:
    """One side of a formula: ``sum`` of columns, ``count`` of facilities, facilities having a
    department (``count_with_department``), or ``population`` column(s)."""

    kind: TermKind
    names: tuple[str, ...]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Term:
        """Return the term of a catalog mapping such as ``{sum: beds}``."""
        ((kind, value),) = raw.items()
        return cls(kind=cast(TermKind, kind), names=_as_tuple(value))

    def describe(self) -> str:
        """Return the term in words, with Chinese column headers, e.g. ``实有床位 (beds)``."""
        if self.kind == "count":
            return _("number of facilities")
        if self.kind == "count_with_department":
            return _("number of facilities with {names}").format(names=_(" or ").join(self.names))
        table = schema.POPULATION if self.kind == "population" else table_of(self.names[0])
        labels = []
        for name in self.names:
            zh = table.column(name).zh if table is not None and name in table.column_ids else ""
            labels.append(f"{zh} ({name})" if zh else name)
        return " + ".join(labels)


@dataclass(frozen=True)
class Formula:
    """``factor × numerator / denominator`` over facilities passing the filters."""

    numerator: Term
    denominator: Term
    factor: float
    filter: FacilityFilter = FacilityFilter()
    numerator_filter: FacilityFilter = FacilityFilter()
    denominator_filter: FacilityFilter = FacilityFilter()
    per_days_of_year: bool = False
    #: (facilities, term): these facilities contribute the term instead of the numerator
    #: (康复医院 count all their beds as 康复病床, not only a 康复医学科's)
    numerator_instead: tuple[tuple[FacilityFilter, Term], ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Formula:
        """Return the formula of a catalog ``formula`` mapping."""
        instead = tuple(
            (FacilityFilter.from_dict(item.get("filter")),
             Term.from_dict({k: v for k, v in item.items() if k != "filter"}))
            for item in raw.get("numerator_instead", []) or [])
        return cls(
            numerator=Term.from_dict(raw["numerator"]),
            denominator=Term.from_dict(raw["denominator"]),
            factor=float(raw["factor"]),
            filter=FacilityFilter.from_dict(raw.get("filter")),
            numerator_filter=FacilityFilter.from_dict(raw.get("numerator_filter")),
            denominator_filter=FacilityFilter.from_dict(raw.get("denominator_filter")),
            per_days_of_year=bool(raw.get("per_days_of_year", False)),
            numerator_instead=instead,
        )

    def numerator_parts(self) -> list[tuple[Term, FacilityFilter]]:
        """Return the numerator as (term, facilities) parts whose sum is the numerator: the
        numerator over the facilities no `numerator_instead` entry takes, then each entry's
        term over its facilities."""
        base = self.filter & self.numerator_filter
        if not self.numerator_instead:
            return [(self.numerator, base)]
        others = FacilityFilter(none_of=tuple(f for f, _ in self.numerator_instead))
        return [(self.numerator, base & others),
                *((term, base & flt) for flt, term in self.numerator_instead)]

    def factor_in(self, year: int) -> float:
        """Return the factor for `year`: × the days of the year (366 in a leap year) when
        ``per_days_of_year`` is set (平均开放病床数 = 开放床日数 / 本年日历天数)."""
        if not self.per_days_of_year:
            return self.factor
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return self.factor * (366 if leap else 365)


@dataclass(frozen=True)
class Indicator:
    """One catalog entry (see ``docs/indicators.md`` for the fields)."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: Literal["computed", "reported"]
    direction: Literal["up", "down", "none"]
    definition: str
    source: str
    aliases: tuple[str, ...] = ()
    levels: tuple[str, ...] = ("county",)
    formula: Formula | None = None
    ratio_form: str | None = None
    note: str | None = None
    file: str = ""
    scope: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The Chinese name followed by every alias."""
        return (self.name_zh, *self.aliases)

    @property
    def label(self) -> str:
        """The name in the reader's language: the English name in English when the catalog
        has one, else the Chinese name."""
        return self.name_en if language() == "en" and self.name_en else self.name_zh

    @property
    def computable(self) -> bool:
        """True when the indicator is computed from the model (``kind: computed``)."""
        return self.formula is not None

    def definition_fields(self) -> dict[str, str]:
        """Return the official definition's parts (`DEFINITION_FIELDS`, Chinese labels in
        `DEFINITION_FIELDS_ZH`): numerator, denominator, facilities, staff, 常住/户籍 population,
        实有/编制 beds, timing (年末数, 全年累计 …) and source.

        What the entry's ``scope`` states wins; the rest is read from the formula (a
        ``beds`` column is 实有床位, ``beds_approved`` 编制床位; resources are year-end
        counts, utilisation yearly totals, ``population: total`` 年末常住人口) or, for a
        reported indicator, marked "—" (see the definition text).
        """
        derived = _derived_scope(self)
        derived.update(dict(self.scope))
        derived["source"] = self.source
        return {k: derived.get(k, "—") for k in DEFINITION_FIELDS}


@dataclass(frozen=True)
class Catalog:
    """The indicator catalog: entries by id, and name matching for document extraction."""

    indicators: dict[str, Indicator]

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    def get(self, indicator_id: str) -> Indicator:
        """Return the entry with this id; raise HsplanError naming close ids when unknown."""
        try:
            return self.indicators[indicator_id]
        except KeyError:
            close = difflib.get_close_matches(indicator_id, list(self.indicators), n=3)
            hint = (_(" Did you mean {names}?").format(names=", ".join(close)) if close
                    else "")
            raise HsplanError(
                _("unknown indicator {id}: expected an id of the indicator catalog.{hint} "
                  "Fix: use an id listed in docs/indicators.md.").format(
                      id=repr(indicator_id), hint=hint)
            ) from None

    @property
    def computable(self) -> list[Indicator]:
        """The entries with a formula, in catalog order."""
        return [i for i in self if i.computable]

    def match(self, name: str, *, limit: int = 5, cutoff: float = 0.6) -> list[tuple[str, float]]:
        """Return catalog ids whose name or alias matches `name`, best first, with a score 0–1.

        Notes
        -----
        Score 1.0: the name equals a Chinese name or alias exactly. 0.95: equal after
        normalising width, spacing, brackets and a trailing unit such as ``(张)``. 0.9: equal
        after also dropping the words 每 / 人口 / 常住 / 拥有 / 数 / 的. Below that, the
        `difflib` similarity of the core forms × 0.85, kept when the similarity ≥ `cutoff`.
        """
        best: dict[str, float] = {}

        def keep(indicator_id: str, score: float) -> None:
            if score > best.get(indicator_id, 0.0):
                best[indicator_id] = score

        text = name.strip()
        norm = _normalise(text)
        core = _core(norm)
        for ind in self:
            for candidate in ind.names:
                if candidate == text:
                    keep(ind.id, 1.0)
                    continue
                c_norm = _normalise(candidate)
                if c_norm == norm:
                    keep(ind.id, 0.95)
                    continue
                c_core = _core(c_norm)
                if c_core == core:
                    keep(ind.id, 0.9)
                    continue
                ratio = difflib.SequenceMatcher(None, core, c_core).ratio()
                if ratio >= cutoff:
                    keep(ind.id, round(0.85 * ratio, 4))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def to_frame(self) -> pd.DataFrame:
        """Return one row per indicator: id, name_zh, name_en, unit, kind, direction, levels,
        formula (as text), definition, source, file."""
        import pandas as pd

        rows = []
        for ind in self:
            rows.append({
                "id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
                "kind": ind.kind, "direction": ind.direction, "levels": ", ".join(ind.levels),
                "formula": describe_formula(ind), "definition": ind.definition,
                "source": ind.source, "file": ind.file,
            })
        return pd.DataFrame(rows)


def describe_formula(indicator: Indicator) -> str:
    """Return the formula of an indicator in words ("" for reported indicators)."""
    f = indicator.formula
    if f is None:
        return ""
    num = f.numerator.describe()
    den = f.denominator.describe()
    scope_n = (f.filter & f.numerator_filter).describe()
    scope_d = (f.filter & f.denominator_filter).describe()
    if scope_n and f.numerator.kind != "population":
        num += f" [{scope_n}]"
    for flt, term in f.numerator_instead:
        num += f" (for {flt.describe()}: {term.describe()} instead)"
    if scope_d and f.denominator.kind != "population":
        den += f" [{scope_d}]"
    factor = f"{f.factor:g}"
    days = " × 本年天数 (365, 闰年 366)" if f.per_days_of_year else ""
    return f"{num} / {den}" + ("" if factor == "1" else f" × {factor}") + days


DEFINITION_FIELDS = ("numerator", "denominator", "facilities", "staff", "population", "beds",
                     "timing", "source")
DEFINITION_FIELDS_ZH = {"numerator": "分子", "denominator": "分母", "facilities": "机构范围",
                        "staff": "人员口径", "population": "人口口径", "beds": "床位口径",
                        "timing": "时点", "source": "来源"}
_STAFF_COLUMNS = frozenset(schema.STAFF_COLUMNS) | {"staff_total", "staff_health_tech"}


def _derived_scope(indicator: Indicator) -> dict[str, str]:
    """The definition fields a formula implies (see `Indicator.definition_fields`)."""
    f = indicator.formula
    if f is None:
        return {}
    numerator = f.numerator.describe() + "".join(
        f"; {flt.describe()}: {term.describe()}" for flt, term in f.numerator_instead)
    out: dict[str, str] = {"numerator": numerator,
                           "denominator": f.denominator.describe()}
    terms = (f.numerator, f.denominator, *(t for _, t in f.numerator_instead))
    scope = (f.filter & f.numerator_filter).describe()
    facility_terms = [t for t in terms if t.kind != "population"]
    out["facilities"] = scope or ("全部医疗卫生机构" if facility_terms else "—")
    names = {n for t in terms for n in t.names}
    staff = [n for n in names if n in _STAFF_COLUMNS]
    if staff:
        table = schema.RESOURCES
        out["staff"] = "、".join(table.column(n).zh for n in sorted(staff)
                                if n in table.column_ids)
    pops = [t for t in terms if t.kind == "population"]
    if pops:
        out["population"] = "户籍人口" if any("hukou" in t.names for t in pops) else "常住人口"
    if "beds_approved" in names:
        out["beds"] = "编制床位"
    elif any(n.startswith("beds") for n in names):
        out["beds"] = "实有床位"
    tables = {table_of(n).name for t in terms if t.kind == "sum"  # type: ignore[union-attr]
              for n in t.names if table_of(n) is not None}
    timing = []
    if "resources" in tables or any(t.kind.startswith("count") for t in terms):
        timing.append("资源为年末数")
    if "utilisation" in tables:
        timing.append("服务量为全年累计")
    if pops:
        timing.append("人口为年末数")
    out["timing"] = "; ".join(timing) or "—"
    return out


def catalog_markdown(catalog: Catalog) -> str:
    """Return the Reference section of docs/indicators.md: per catalog file, one row per
    indicator with its definition, the definition fields and its source."""
    lines: list[str] = []
    by_file: dict[str, list[Indicator]] = {}
    for ind in catalog:
        by_file.setdefault(ind.file, []).append(ind)
    for file_name in sorted(by_file):
        lines += ["", f"### {file_name}", "",
                  "| id | 指标 | unit | dir | levels | definition | 分子 / 分母 | 机构 · 人员 · "
                  "人口 · 床位 · 时点 | source |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for ind in by_file[file_name]:
            d = ind.definition_fields()
            formula = describe_formula(ind) or "reported"
            parts = " · ".join(d[k] for k in ("facilities", "staff", "population", "beds",
                                             "timing"))
            cells = [f"`{ind.id}`", ind.name_zh, ind.unit, ind.direction,
                     ", ".join(ind.levels), ind.definition,
                     f"{d['numerator']} / {d['denominator']}" if ind.formula else formula,
                     parts, ind.source]
            lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ")
                                            for c in cells) + " |")
    return "\n".join(lines).lstrip("\n") + "\n"


# --- loading and validation ---------------------------------------------------------------


def _data_dir() -> Path:
    return Path(str(importlib_resources.files("hsplan") / "data"))


def catalog_dir() -> Path:
    """Return the folder of the built-in catalog files (``hsplan/data/indicators``)."""
    return _data_dir() / "indicators"


@functools.cache
def _json_schema() -> dict[str, Any]:
    path = _data_dir() / "indicator.schema.json"
    with path.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """Return the indicator catalog merged from every ``*.yaml`` file of `directory`.

    `directory` defaults to the built-in catalog. Results are cached per directory.

    Raises
    ------
    ValidationError
        listing every problem at once: YAML that does not parse, entries that break the
        JSON Schema, formula columns / sub-types / departments unknown to `hsplan.region.schema`,
        and ids or names used twice (naming both files).
    DataSourceError
        when the folder does not exist or holds no ``*.yaml`` file.
    """
    folder = Path(directory) if directory is not None else catalog_dir()
    return _load_catalog_cached(folder.resolve())


@functools.lru_cache(maxsize=8)
def _load_catalog_cached(folder: Path) -> Catalog:
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        raise DataSourceError(
            _("{folder}: expected a folder of indicator catalog *.yaml files, found none. "
              "Fix: reinstall hsplan or point to the folder that holds the catalog.").format(
                  folder=folder)
        )
    # a valid catalog is remembered by the content of its files (hsplan.plans._validated)
    return _validated.cached(_validated.content_key("catalog", files),
                             lambda: _load_catalog_files(files))


def _load_catalog_files(files: list[Path]) -> Catalog:
    """Return the catalog of `files`, parsed and validated (every problem at once)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_json_schema())
    problems: list[Problem] = []
    entries: list[tuple[dict[str, Any], str, int]] = []
    for path in files:
        problems_before = len(problems)
        raw, lines = _read_yaml(path, problems)
        if len(problems) > problems_before:
            continue
        for error in sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path)):
            problems.append(_schema_problem(path.name, error, raw, lines))
        if not isinstance(raw, list):
            continue
        for index, entry in enumerate(raw):
            line = lines[index] if index < len(lines) else None
            if isinstance(entry, dict):
                problems += _semantic_problems(entry, path.name, line)
                entries.append((entry, path.name, line or 0))
    problems += _duplicate_problems(entries)
    raise_if_errors(problems, context=_("indicator catalog"))
    indicators = {}
    for entry, file_name, _line in entries:
        ind = _indicator_from_dict(entry, file_name)
        indicators[ind.id] = ind
    return Catalog(indicators=indicators)


def _read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, list[int]]:
    """Return the parsed YAML and the line number of each top-level list item."""
    import yaml  # a remembered catalog needs no YAML parser

    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(
            _("the file is not valid YAML"), file=path.name,
            row=mark.line + 1 if mark is not None else None,
            got=str(getattr(exc, "problem", exc)),
            fix=_("check indentation and quote values that contain ': ' or start with '['"),
        ))
        return None, []
    lines = []
    if isinstance(node, yaml.SequenceNode):
        lines = [item.start_mark.line + 1 for item in node.value]
    return raw, lines


def _indicator_from_dict(entry: dict[str, Any], file_name: str) -> Indicator:
    formula = entry.get("formula")
    return Indicator(
        id=entry["id"], name_zh=entry["name_zh"], name_en=entry["name_en"], unit=entry["unit"],
        kind=entry["kind"], direction=entry["direction"], definition=entry["definition"],
        source=entry["source"], aliases=tuple(entry.get("aliases") or ()),
        levels=tuple(entry.get("levels") or ("county",)),
        formula=Formula.from_dict(formula) if formula else None,
        ratio_form=entry.get("ratio_form"), note=entry.get("note"), file=file_name,
        scope=tuple((k, str(v)) for k, v in (entry.get("scope") or {}).items()),
    )


# --- name normalisation -------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"\((张|人|个|辆|%|‰|岁|/10万|1/10万|次|日|天|台)\)$")
_PUNCT = re.compile(r"[\s()\[\]【】、,，:：;；\"'“”‘’·—\-]+")
_CORE_WORDS = re.compile(r"每|常住|人口|拥有|数|的|下同|其中|含")


def _normalise(name: str) -> str:
    """Return `name` in NFKC form, without spaces and without a trailing unit in brackets."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"\s+", "", text)
    text = _UNIT_SUFFIX.sub("", text)
    return text.lower()


def _core(normalised: str) -> str:
    """Return a normalised name without punctuation and filler words (每, 人口, 数 …)."""
    text = _PUNCT.sub("", normalised)
    text = re.sub(r"(千|万|十万|百万)人(?!员)", r"\1", text)
    return _CORE_WORDS.sub("", text)


# --- helpers ------------------------------------------------------------------------------


def _grade_rank(grade: Any) -> int:
    if not isinstance(grade, str):
        return 0
    for prefix, rank in GRADE_RANK.items():
        if grade.startswith(prefix):
            return rank
    return 0

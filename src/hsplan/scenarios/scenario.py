"""Scenarios: what-if changes to a project's region, applied without touching the project.

A scenario file (YAML, format: ``docs/scenarios.md``, JSON Schema:
``src/hsplan/data/scenario.schema.json``) lists changes — open, close or move a facility,
add or remove beds, staff or equipment at a facility from a given year — and may carry
population assumptions for the projection. `load_scenario` reads and validates a file and
raises one `ValidationError` listing every problem; `apply_scenario` returns a new
`Region` with the changes made (the input is never mutated); `compare` evaluates the
baseline and the scenario side by side: plan targets (`hsplan.evaluation.targets`), configuration
norms (`hsplan.evaluation.norms.check`) and needs (`hsplan.demand.needs.needs`).

The scenario year
-----------------
A scenario is evaluated in one year: ``year`` of the file, or the `year` argument, or the
latest year with data. When that year is later than the latest year of the resources (or
population) table, the latest year's rows are copied forward as the scenario year, so that
resource and per-capita indicators exist in that year; the population is held at its
latest figures there (projecting it with the scenario's ``population`` assumptions is the
job of `hsplan.demand.needs`). A change ``from`` a year applies to that year and every later year
present (including the copied scenario year); ``from`` defaults to the scenario year.

The side-by-side tables and `Comparison` are in `hsplan.scenarios._comparison` (importable
from here).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as package_resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import jsonschema
import pandas as pd
import yaml
from shapely.geometry import Point

from hsplan._files import check_input_file
from hsplan._i18n import N_, _, language
from hsplan._yaml import yaml_with_lines
from hsplan.errors import DataSourceError, HsplanError, Problem, ValidationError
from hsplan.plans.plan import Plan
from hsplan.region import schema
from hsplan.region.coords import to_wgs84
from hsplan.region.model import WGS84, Region
from hsplan.scenarios._comparison import INDICATOR_COLUMNS as INDICATOR_COLUMNS
from hsplan.scenarios._comparison import (
    Comparison,
    _change_word,
    _keyed,
    compare_evaluations,
    compare_tables,
)

SCHEMA_FILE = "data/scenario.schema.json"
OPS = ("open", "close", "move", "add", "remove", "fact")
RESOURCE_COLUMNS: tuple[str, ...] = tuple(
    c.id for c in schema.RESOURCES.columns if c.id not in ("facility_id", "year"))
_RESOURCE_BY_ZH: dict[str, str] = {
    c.zh: c.id for c in schema.RESOURCES.columns if c.id in RESOURCE_COLUMNS}


# --- the scenario model ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change of a scenario: its operation, its 1-based position and its fields.

    `resources` maps resource column ids (`schema.RESOURCES`) to counts; Chinese headers
    written in the file are already translated to ids.
    """

    op: str
    index: int
    facility: str | None = None
    from_year: int | None = None
    resources: dict[str, int] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    line: int | None = None

    def describe(self, lang: str | None = None) -> str:
        """Return the change in one line in `lang` (``zh``: Chinese words,
        `hsplan.scenarios.words.change_zh`; ``en``; default: the reader's language)."""
        if (lang or language()) == "zh":
            from hsplan.scenarios.words import change_zh

            return change_zh(self)
        res = ", ".join(f"{k} {v:,}" for k, v in self.resources.items())
        since = f" from {self.from_year}" if self.from_year is not None else ""
        if self.op == "open":
            return (f"open {self.fields.get('subtype')} {self.fields.get('name')}"
                    f"{since}" + (f" ({res})" if res else ""))
        if self.op == "close":
            return f"close {self.facility}{since}"
        if self.op == "move":
            return (f"move {self.facility} to {self.fields.get('lon')}, "
                    f"{self.fields.get('lat')} ({self.fields.get('crs', 'WGS84')})")
        if self.op == "fact":
            status = self.fields.get("status") or ""
            return (f"fact {self.facility} {self.fields.get('fact')} "
                    f"{self.fields.get('value')} {status}{since}").replace("  ", " ")
        return f"{self.op} {res} at {self.facility}{since}"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: id, title, changes, scenario year and population assumptions."""

    id: str
    title: str
    changes: tuple[Change, ...] = ()
    year: int | None = None
    region_code: str | None = None
    population: dict[str, Any] | None = None
    description: str | None = None
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def file(self) -> str:
        """The file name used in messages (``scenario`` when built in memory)."""
        return self.path.name if self.path is not None else "scenario"

    def changes_frame(self) -> pd.DataFrame:
        """Return one row per change: index, op, facility, from_year, description."""
        rows = [{"index": c.index, "op": c.op, "facility": c.facility or c.fields.get("id"),
                 "from_year": c.from_year, "description": c.describe()} for c in self.changes]
        return pd.DataFrame(rows, columns=["index", "op", "facility", "from_year",
                                           "description"])


# --- reading and validating ------------------------------------------------------------------


@cache
def scenario_schema() -> dict[str, Any]:
    """Return the scenario JSON Schema (draft 2020-12) as a dict."""
    text = package_resources.files("hsplan").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load_scenario(path: str | Path) -> Scenario:
    """Return the validated `Scenario` of a YAML file.

    Raises `ValidationError` listing every problem at once — each with the file, the YAML
    line, the entry and field (``changes[2].resources.beds``), what was expected, what
    came and the fix — and `DataSourceError` when the file cannot be read.
    """
    path = Path(path)
    check_input_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(_("{path}: cannot read the scenario file ({error}). Fix: check "
                                "the path.").format(path=path, error=exc)) from exc
    data, lines = _read_yaml(text, path.name)
    return scenario_from_dict(data, file=path.name, lines=lines, path=path)


def scenario_from_dict(data: Any, *, file: str = "scenario",
                       lines: dict[tuple[Any, ...], int] | None = None,
                       path: Path | None = None) -> Scenario:
    """Return the validated `Scenario` of already parsed scenario data (see `load_scenario`).
    """
    lines = lines or {}
    if not isinstance(data, dict):
        raise ValidationError([Problem(
            _("the file is not a scenario"), file=file, row=1,
            expected=_("a YAML mapping with id, title and changes"), got=type(data).__name__,
            fix=_("start from the example in docs/scenarios.md"))],
            context=_("scenario {file}").format(file=file))
    validator = jsonschema.Draft202012Validator(scenario_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path])
    problems = [_schema_problem(err, data, file, lines) for err in errors
                if not _is_wrapper(err)]
    if not problems:
        problems = _semantic_problems(data, file, lines)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ValidationError(problems, context=_("scenario {file}").format(file=file))
    changes = tuple(_change(i, entry, lines) for i, entry in enumerate(data.get("changes", [])))
    population = data.get("population")
    return Scenario(id=data["id"], title=data["title"], changes=changes,
                    year=data.get("year"), region_code=data.get("region"),
                    population=dict(population) if population else None,
                    description=data.get("description"), path=path, data=data)


def _change(i: int, entry: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> Change:
    res = {_RESOURCE_BY_ZH.get(k, k): int(v) for k, v in (entry.get("resources") or {}).items()}
    rest = {k: v for k, v in entry.items() if k not in ("op", "facility", "from", "resources")}
    return Change(op=entry["op"], index=i + 1, facility=entry.get("facility"),
                  from_year=entry.get("from"), resources=res, fields=rest,
                  line=lines.get(("changes", i)))


def _read_yaml(text: str, file: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Return the YAML data and the line of every node path (keys and list indexes)."""
    return yaml_with_lines(text, file=file, context=_("scenario {file}").format(file=file),
                           loader=yaml.SafeLoader,
                           fix=_("check the indentation; quote codes such as \"530403001\""))


def _is_wrapper(err: jsonschema.ValidationError) -> bool:
    """True for the if/then wrapper errors whose sub-errors are reported on their own."""
    return err.validator in ("allOf", "if", "then", "$ref")


def _label(path: tuple[Any, ...]) -> str:
    """``changes[2].resources.beds`` for the path ('changes', 1, 'resources', 'beds')."""
    out = ""
    for key in path:
        out += f"[{key + 1}]" if isinstance(key, int) else (("." if out else "") + str(key))
    return out or _("(top level)")


def _line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def _got(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


_TYPE_WORDS = {"string": N_("text"), "number": N_("a number"), "integer": N_("a whole number"),
               "object": N_("a mapping"), "array": N_("a list"), "null": "null",
               "boolean": N_("true/false")}


def _type_words(json_type: Any) -> str:
    """Return a JSON schema type in words, in the current language."""
    words = _TYPE_WORDS.get(str(json_type))
    return str(json_type) if words is None or words == "null" else _(words)


def _schema_problem(err: jsonschema.ValidationError, data: dict[str, Any], file: str,
                    lines: dict[tuple[Any, ...], int]) -> Problem:
    path = tuple(err.absolute_path)
    inst = err.instance
    kind = err.validator
    where: dict[str, Any] = {"file": file, "row": _line(lines, path), "column": _label(path)}
    if kind == "required":
        missing = [k for k in err.validator_value if not (isinstance(inst, dict) and k in inst)]
        name = missing[0] if missing else "?"
        op = inst.get("op") if isinstance(inst, dict) else None
        return Problem(_("missing field {name} (op {op} needs it)").format(
            name=repr(name), op=op) if op else _("missing field {name}").format(name=repr(name)),
            **where, fix=_("add `{name}: …` (docs/scenarios.md)").format(name=name))
    if kind == "additionalProperties":
        known = list(err.schema.get("properties", {}))
        extra = sorted(set(inst) - set(known))
        name = extra[0] if extra else "?"
        key_path = (*path, name)
        return Problem(_("unknown field {name}").format(name=repr(name)), file=file,
                       row=_line(lines, key_path), column=_label(key_path),
                       fix=_closest_fix(name, known, _(
                           "remove it or correct the spelling; known fields: {known}").format(
                               known=", ".join(known))))
    if kind == "propertyNames" or (kind == "enum" and "propertyNames" in [
            str(p) for p in err.schema_path]):
        key_path = (*path, str(inst))
        return Problem(_("unknown resource"), file=file, row=_line(lines, key_path),
                       column=_label(key_path),
                       expected=_("a resources column id or Chinese header (docs/schema.md)"),
                       got=_got(inst), fix=_closest_fix(
                           str(inst), [*RESOURCE_COLUMNS, *_RESOURCE_BY_ZH],
                           _("use a column of the resources table")))
    if kind in ("enum", "const"):
        choices = err.validator_value if kind == "enum" else [err.validator_value]
        shown = ", ".join(str(c) for c in choices)
        return Problem(_("value not allowed"), **where,
                       expected=_("one of {names}").format(names=shown),
                       got=_got(inst), fix=_closest_fix(str(inst), [str(c) for c in choices],
                                                        _("use one of the listed values")))
    if kind == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) \
            else [err.validator_value]
        return Problem(_("wrong type"), **where,
                       expected=_(" or ").join(_type_words(t) for t in wanted),
                       got=_got(inst), fix=_("write numbers without units, codes in quotes"))
    if kind == "pattern":
        expected = (_("lower-case letters, digits and hyphens, e.g. new-chc-2024")
                    if path == ("id",) else
                    _("a 6-, 9- or 12-digit division code in quotes, e.g. \"530403001\""))
        return Problem(_("value not in the expected form"), **where, expected=expected,
                       got=_got(inst), fix=_("correct the value"))
    if kind in ("minimum", "maximum"):
        words = "≥" if kind == "minimum" else "≤"
        return Problem(_("number out of range"), **where,
                       expected=_("a number {relation} {limit}").format(
                           relation=words, limit=err.validator_value), got=_got(inst),
                       fix=_("correct the number (remove counts with op: remove)")
                       if kind == "minimum" and path[-2:-1] == ("resources",)
                       else _("correct the number"))
    if kind in ("minLength", "minProperties"):
        return Problem(_("empty value"), **where, expected=_("a non-empty value"),
                       got=_got(inst), fix=_("fill it in or remove the field"))
    return Problem(err.message, **where, fix=_("see docs/scenarios.md"))


def _closest_fix(word: str, candidates: list[str], default: str) -> str:
    guess = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return _("did you mean {guess}?").format(guess=guess[0]) if guess else default


def _semantic_problems(data: dict[str, Any], file: str,
                       lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    problems: list[Problem] = []
    opened: dict[str, int] = {}
    for i, entry in enumerate(data.get("changes", [])):
        res = entry.get("resources") or {}
        ids = [_RESOURCE_BY_ZH.get(k, k) for k in res]
        for name in sorted({n for n in ids if ids.count(n) > 1}):
            path = ("changes", i, "resources")
            problems.append(Problem(
                _("resource {name} is given twice (by its id and its Chinese header)").format(
                    name=name), file=file, row=_line(lines, path), column=_label(path),
                fix=_("keep one of the two")))
        new_id = entry.get("id") if entry.get("op") == "open" else None
        if new_id is not None:
            if new_id in opened:
                path = ("changes", i, "id")
                problems.append(Problem(
                    _("facility id {id} is opened twice (also changes[{n}])").format(
                        id=repr(new_id), n=opened[new_id]),
                    file=file, row=_line(lines, path), column=_label(path),
                    fix=_("give each new facility its own id")))
            else:
                opened[new_id] = i + 1
    return problems


# --- applying --------------------------------------------------------------------------------


def scenario_year(region: Region, scenario: Scenario, *, year: int | None = None) -> int:
    """Return the year a scenario is evaluated in: `year`, else the file's ``year``, else
    the latest year with data in the region."""
    if year is not None:
        return int(year)
    if scenario.year is not None:
        return int(scenario.year)
    years = region.years
    if not years:
        raise HsplanError(_("{file}: the region has no yearly data, so the scenario year is "
                            "unknown. Fix: add `year: …` to the scenario or pass --year.").format(
                                file=scenario.file))
    return years[-1]


def apply_scenario(region: Region, scenario: Scenario, *, year: int | None = None) -> Region:
    """Return a new `Region` with the scenario's changes made; `region` is not mutated.

    The scenario year is `scenario_year`. Resource and population rows of the latest year
    are copied forward as the scenario year when it is later (module docstring). Changes
    apply in file order, each from its ``from`` year (default: the scenario year) to every
    later year present:

    - ``open``: a new facility (coordinates converted to WGS84, category from the
      sub-type, ``opened`` = from) with its ``resources`` in each year;
    - ``close``: ``closed`` = from; its resources and utilisation rows from then on are
      removed (a closed facility has no beds);
    - ``move``: new coordinates (and ``area_code`` when given);
    - ``add``/``remove``: counts added to or subtracted from the facility's resources;
    - ``fact``: a row of the ``facts`` table from then on (a grade passed or applied for, a
      centre, a designation such as 县域医疗卫生次中心, a 医共体 membership, a campus).

    ``meta["scenario"]`` records the scenario (id, title, year, changes, notes) and
    ``meta["population_assumptions"]`` the ``population`` block for `hsplan.demand.needs`.
    Raises one `ValidationError` listing every change that cannot be applied (unknown
    facility or area, a count that would fall below 0 …).
    """
    y = scenario_year(region, scenario, year=year)
    file = scenario.file
    problems: list[Problem] = []
    notes: list[str] = []

    facilities = pd.DataFrame(region.facilities).copy()
    facts = region.facts.copy()
    res = region.resources.copy()
    util = region.utilisation.copy()
    pop = region.population.copy()

    res, note = _carry_forward(res, y, "resources")
    notes += note
    pop, note = _carry_forward(pop, y, "population")
    notes += note

    code = region.meta.get("county_code")
    if scenario.region_code and code and str(code) != scenario.region_code \
            and not scenario.region_code.startswith(str(code)):
        problems.append(Problem(
            _("the scenario is written for another region"), file=file,
            row=_line(_lines(scenario), ("region",)), column="region",
            expected=_("{code} (the project's county)").format(code=code),
            got=scenario.region_code,
            fix=_("use the scenario with the project it was written for, or correct "
                  "`region`")))

    area_codes = set(region.areas["code"].astype(str))
    for change in scenario.changes:
        def problem(message: str, key: str | None = None, _c: Change = change,
                    **kw: Any) -> None:
            path: tuple[Any, ...] = ("changes", _c.index - 1) + ((key,) if key else ())
            problems.append(Problem(message, file=file, row=_line(_lines(scenario), path)
                                    or _c.line, column=_label(path), **kw))

        start = change.from_year if change.from_year is not None else y
        if start > y:
            notes.append(_("changes[{index}] ({change}) starts after the scenario year {year} "
                           "and has no effect in it").format(index=change.index,
                                                             change=change.describe(), year=y))
        known = set(facilities["id"].astype(str))
        if change.op != "open" and change.facility not in known:
            problem(_("unknown facility"), "facility", expected=_(
                "a facility id (机构编码) of the project or of a facility opened earlier in the "
                "scenario"), got=change.facility,
                fix=_("check the id with `hsplan summary` or the 机构 sheet"))
            continue
        if change.op == "open":
            facilities, res = _open(facilities, res, change, start, known, area_codes, problem)
        elif change.op == "close":
            mask = facilities["id"].astype(str) == change.facility
            facilities.loc[mask, "closed"] = start
            res = res[~((res["facility_id"].astype(str) == change.facility)
                        & (res["year"] >= start))]
            util = util[~((util["facility_id"].astype(str) == change.facility)
                          & (util["year"] >= start))]
        elif change.op == "move":
            facilities = _move(facilities, change, area_codes, problem)
        elif change.op == "fact":
            row = {"facility_id": change.facility, "year": start,
                   **{k: change.fields.get(k) for k in ("fact", "value", "status", "role",
                                                        "beds", "note")}}
            facts = pd.concat([facts, pd.DataFrame([row])], ignore_index=True)
        else:
            res = _add_remove(res, facilities, change, start, problem)

    if problems:
        raise ValidationError(problems, context=_("scenario {file}").format(file=file))
    geo = gpd.GeoDataFrame(facilities, geometry="geometry", crs=WGS84)
    out = region.replace(facilities=geo, resources=res, utilisation=util, population=pop,
                         facts=facts)
    out.meta["scenario"] = {"id": scenario.id, "title": scenario.title, "year": y,
                            "changes": [c.describe() for c in scenario.changes],
                            "notes": notes}
    out.meta["population_assumptions"] = dict(scenario.population or {})
    return out


def _lines(scenario: Scenario) -> dict[tuple[Any, ...], int]:
    """Line numbers of the scenario file's nodes (re-read; empty when built in memory)."""
    if scenario.path is None or not scenario.path.is_file():
        return {}
    return _read_yaml(scenario.path.read_text(encoding="utf-8"), scenario.file)[1]


_COPIED = {"resources": N_("resources of {latest} copied forward as {year}"),
           "population": N_("population of {latest} copied forward as {year}")}


def _carry_forward(frame: pd.DataFrame, year: int, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Copy the latest year's rows of `frame` as `year` when `year` is later."""
    years = frame["year"].dropna()
    if years.empty or int(years.max()) >= year:
        return frame, []
    latest = int(years.max())
    copied = frame[frame["year"] == latest].copy()
    copied["year"] = year
    note = _(_COPIED[name]).format(latest=latest, year=year)
    return pd.concat([frame, copied], ignore_index=True), [note]


def _point(fields: dict[str, Any]) -> tuple[float, float]:
    lon, lat = to_wgs84(float(fields["lon"]), float(fields["lat"]), fields.get("crs", "WGS84"))
    return float(lon), float(lat)


def _open(facilities: pd.DataFrame, res: pd.DataFrame, change: Change, start: int,
          known: set[str], area_codes: set[str], problem: Any) -> tuple[pd.DataFrame,
                                                                      pd.DataFrame]:
    f = change.fields
    new_id = str(f.get("id") or _next_id(known))
    ok = True
    if new_id in known:
        problem(_("facility id already in use"), "id", expected=_("a new facility id"),
                got=new_id, fix=_("choose another id or leave `id` out (S01, S02 … are used)"))
        ok = False
    if str(f["area_code"]) not in area_codes:
        problem(_("unknown area"), "area_code",
                expected=_("an area code (区划代码) of the project"), got=str(f["area_code"]),
                fix=_("use the code of the township or village the facility is in (`hsplan "
                      "summary`)"))
        ok = False
    if not ok:
        return facilities, res
    lon, lat = _point(f)
    row = {"id": new_id, "name": f["name"], "subtype": f["subtype"],
           "category": schema.FACILITY_SUBTYPES[f["subtype"]],
           "ownership": f.get("ownership"), "government_run": f.get("government_run"),
           "admin_level": f.get("admin_level"), "grade": f.get("grade"),
           "area_code": str(f["area_code"]), "lon": lon, "lat": lat, "crs": "WGS84",
           "departments": "、".join(f.get("departments") or []) or None,
           "opened": start, "closed": None, "geometry": Point(lon, lat)}
    facilities = pd.concat([facilities, pd.DataFrame([row])], ignore_index=True)
    years = sorted(int(y) for y in res["year"].dropna().unique() if int(y) >= start)
    if change.resources and years:
        rows = [{"facility_id": new_id, "year": y, **change.resources} for y in years]
        res = pd.concat([res, pd.DataFrame(rows)], ignore_index=True)
    return facilities, res


def _next_id(known: set[str]) -> str:
    n = 1
    while f"S{n:02d}" in known:
        n += 1
    return f"S{n:02d}"


def _move(facilities: pd.DataFrame, change: Change, area_codes: set[str],
          problem: Any) -> pd.DataFrame:
    f = change.fields
    if "area_code" in f and str(f["area_code"]) not in area_codes:
        problem(_("unknown area"), "area_code",
                expected=_("an area code (区划代码) of the project"), got=str(f["area_code"]),
                fix=_("use the code of the new township or village"))
        return facilities
    lon, lat = _point(f)
    out = facilities.copy()
    mask = out["id"].astype(str) == change.facility
    index = out.index[mask]
    out.loc[mask, "lon"] = lon
    out.loc[mask, "lat"] = lat
    out.loc[mask, "crs"] = "WGS84"
    if "area_code" in f:
        out.loc[mask, "area_code"] = str(f["area_code"])
    for i in index:
        out.at[i, "geometry"] = Point(lon, lat)
    return out


def _add_remove(res: pd.DataFrame, facilities: pd.DataFrame, change: Change, start: int,
                problem: Any) -> pd.DataFrame:
    fid = str(change.facility)
    fac = facilities[facilities["id"].astype(str) == fid].iloc[0]
    closed = fac["closed"]
    if closed is not None and not pd.isna(closed) and int(closed) <= start:
        problem(_("facility {id} is closed from {year}").format(id=fid, year=int(closed)),
                "facility", fix=_("change it before {year} or drop this change").format(
                    year=int(closed)))
        return res
    out = res.copy()
    years = sorted(int(y) for y in out["year"].dropna().unique() if int(y) >= start)
    sign = 1 if change.op == "add" else -1
    for y in years:
        mask = (out["facility_id"].astype(str) == fid) & (out["year"] == y)
        if not mask.any():
            if sign < 0:
                problem(_("facility {id} has no resources row in {year}").format(id=fid, year=y),
                        "facility", fix=_("import its resources first or drop this change"))
                continue
            out = pd.concat([out, pd.DataFrame([{"facility_id": fid, "year": y}])],
                            ignore_index=True)
            mask = (out["facility_id"].astype(str) == fid) & (out["year"] == y)
        for col, n in change.resources.items():
            current = out.loc[mask, col].iloc[0]
            base = 0 if current is None or pd.isna(current) else int(current)
            new = base + sign * n
            if new < 0:
                problem(_("{id} has {base} {resource} in {year}; removing {n} leaves {left}")
                        .format(id=fid, base=base, resource=_resource_zh(col), year=y, n=n,
                                left=new), "resources",
                        expected=_("at most {limit}").format(limit=base), got=str(n),
                        fix=_("remove at most {n}").format(n=base))
                continue
            out.loc[mask, col] = new
    return out


def _resource_zh(col: str) -> str:
    return schema.RESOURCES.column(col).zh if col in RESOURCE_COLUMNS else col


# --- comparing baseline and scenario ---------------------------------------------------------


_POPULATION_FIELDS = {"tfr": "tfr", "net_migration": "net_migration_per_year",
                      "growth_rate_pct": "growth_rate_pct", "e0_male": "e0_male",
                      "e0_female": "e0_female", "urban_share_change_pp": "urban_share_change_pp"}


def scenario_assumptions(assumptions: Any, population: dict[str, Any] | None) -> Any:
    """Return `assumptions` (`hsplan.demand.needs.Assumptions`) with the scenario's ``population``
    block laid over its demography: tfr, net_migration (→ net_migration_per_year, persons
    per year), growth_rate_pct, e0_male, e0_female, urban_share_change_pp."""
    if not population:
        return assumptions
    changes = {_POPULATION_FIELDS[k]: v for k, v in population.items()
               if k in _POPULATION_FIELDS}
    demography = dataclasses.replace(assumptions.demography, **changes)
    return dataclasses.replace(assumptions, demography=demography)


def compare(region: Region, scenario: Scenario, plan: Plan, *, year: int | None = None,
            assumptions: Any = None, access: Any = None) -> Comparison:
    """Return the baseline and the scenario side by side (`Comparison`) in the scenario year.

    The baseline is the region with no change, carried forward to the scenario year like
    the scenario (`apply_scenario` of an empty scenario), so both sides hold the same years.
    Both are evaluated against `plan` in that year: targets with
    `hsplan.evaluation.targets.evaluate`, norms with `hsplan.evaluation.norms.check` (with travel
    times when
    `access`, a `hsplan.access.service.ServiceAccess`, is given: each side gets the same road
    network applied to its own facilities, so a new or moved facility changes coverage),
    needs with `hsplan.demand.needs.needs` from the same base year (the region's latest
    population year) — the scenario's with its ``population`` block laid over
    `assumptions` (`scenario_assumptions`; default: the bundled assumptions) and its
    ``method`` (cohort, growth) when it gives one.
    """
    from hsplan.demand.needs import load_assumptions, needs
    from hsplan.evaluation.institutions import evaluate_institutions
    from hsplan.evaluation.norms import check
    from hsplan.evaluation.targets import evaluate

    y = scenario_year(region, scenario, year=year)
    changed = apply_scenario(region, scenario, year=y)
    base = apply_scenario(region, Scenario(id="baseline", title="baseline"), year=y)
    indicators = compare_evaluations(evaluate(base, plan, year=y),
                                     evaluate(changed, plan, year=y))
    institutions = compare_tables(
        _keyed(evaluate_institutions(base, plan, year=y), ["aspect", "item"]),
        _keyed(evaluate_institutions(changed, plan, year=y), ["aspect", "item"]),
        key=["institution_id", "aspect", "item"], labels=["name", "facility_name"],
        values=["value", "status"])
    norm_b = check(base, plan, year=y,
                   access=None if access is None else access.for_region(base, year=y))
    norm_s = check(changed, plan, year=y,
                   access=None if access is None else access.for_region(changed, year=y))
    norms = compare_tables(norm_b.summary, norm_s.summary, key=["norm_id"],
                           labels=["rule", "description"],
                           values=["checked", "passed", "failed", "status", "covered_pct"])
    vkey = ["norm_id", "area_code", "facility_id"]
    violations = compare_tables(
        _keyed(norm_b.violations, vkey), _keyed(norm_s.violations, vkey), key=vkey,
        labels=["rule", "area_name", "facility_name", "unit"], values=["shortfall"])
    violations["change"] = [_change_word(b, a) for b, a in zip(
        violations["shortfall_baseline"], violations["shortfall_scenario"], strict=True)]
    base_assumptions = assumptions if assumptions is not None else load_assumptions()
    need_b = needs(region, plan, year=y, assumptions=base_assumptions)
    population = scenario.population or {}
    need_s = needs(changed, plan, year=y,
                   assumptions=scenario_assumptions(base_assumptions, population),
                   method=population.get("method", "cohort"), base_year=need_b.base_year)
    need_table = compare_tables(need_b.table, need_s.table, key=["item"],
                                labels=["method", "unit"],
                                values=["value_needed", "current_value", "gap"])
    return Comparison(scenario_id=scenario.id, scenario_title=scenario.title,
                      plan_id=plan.id, plan_title=plan.title, year=y,
                      indicators=indicators, norms=norms, violations=violations,
                      needs=need_table, changes=scenario.changes_frame(),
                      notes=tuple(changed.meta["scenario"]["notes"]), institutions=institutions,
                      readings=norm_b.readings)

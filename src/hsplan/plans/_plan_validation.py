"""Plan validation: the JSON Schema of a plan file and the checks of its meaning.

`validate_plan_data` checks plan data against the JSON Schema (``src/hsplan/data/
plan.schema.json``) and then its meaning (unique ids, the values each target operator needs,
a baseline where the target is relative to it, known indicator ids when the indicator
catalog is installed …) and raises one `ValidationError` listing every problem, each with
the file, the YAML line, the entry and the fix. `hsplan.plans.plan.load_plan` calls it; the
names are re-exported there.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import json
import math
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from hsplan._i18n import N_, _
from hsplan.errors import Problem, ValidationError

if TYPE_CHECKING:  # loaded where used: reading a valid plan needs no schema validator
    import jsonschema

SCHEMA_FILE = "data/plan.schema.json"
SECTIONS = ("targets", "norms", "institutions", "tasks", "facts")


@cache
def plan_schema() -> dict[str, Any]:
    """Return the plan JSON Schema (draft 2020-12) as a dict."""
    text = resources.files("hsplan").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:g}"


def validate_plan_data(data: dict[str, Any], *, file: str,
                       lines: dict[tuple[Any, ...], int]) -> None:
    """Raise one `ValidationError` listing every schema and semantic problem of a plan.

    `lines` maps a node path (keys and list indexes) to its YAML line, for the messages.
    """
    problems = [_schema_problem(err, data, file, lines) for err in _schema_errors(data)]
    problems += _semantic_problems(data, file, lines)
    problems.sort(key=lambda p: p.row or 0)
    if problems:
        raise ValidationError(problems, context=_("plan {file}").format(file=file))


def _schema_errors(data: dict[str, Any]) -> list[jsonschema.ValidationError]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(plan_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return errors


def _label(data: Any, path: tuple[Any, ...]) -> str:
    """``targets[T07].target.value`` for the path ('targets', 6, 'target', 'value')."""
    parts: list[str] = []
    node = data
    for key in path:
        if isinstance(key, int):
            entry_id = node[key].get("id") if isinstance(node, list) and isinstance(
                node[key], dict) else None
            parts.append(f"[{entry_id}]" if entry_id else f"[{key + 1}]")
        else:
            parts.append(("." if parts else "") + str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts) or _("(top level)")


def _line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def _where(data: Any, path: tuple[Any, ...], file: str,
           lines: dict[tuple[Any, ...], int]) -> dict[str, Any]:
    return {"file": file, "row": _line(lines, path), "column": _label(data, path)}


def _got(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _schema_problem(err: jsonschema.ValidationError, data: dict[str, Any], file: str,
                    lines: dict[tuple[Any, ...], int]) -> Problem:
    path = tuple(err.absolute_path)
    where = _where(data, path, file, lines)
    inst = err.instance
    kind = err.validator
    schema_path = [str(p) for p in err.schema_path]
    if kind == "required":
        # jsonschema reports each missing property as its own error, named in the message
        named = re.match(r"'(.+)' is a required property", err.message)
        missing = [k for k in err.validator_value if not (isinstance(inst, dict) and k in inst)]
        name = named.group(1) if named else (missing[0] if missing else "?")
        if "then" in schema_path and isinstance(inst, dict) and "op" in inst:
            return Problem(_("op {op} needs {name}").format(op=repr(inst["op"]),
                                                            name=repr(name)), **where,
                           expected=_("a number in {name}").format(name=name),
                           fix=_("add `{name}: …` or choose another op (plan-format.md)")
                           .format(name=name))
        if "then" in schema_path and path and path[-1] == "params":
            rule = _parent(data, path).get("rule")
            return Problem(_("rule {rule} needs the parameter {name}").format(
                rule=repr(rule), name=repr(name)), **where,
                fix=_("add `{name}: …` to params (plan-format.md, Norms)").format(name=name))
        return Problem(_("missing field {name}").format(name=repr(name)), **where,
                       fix=_("add `{name}: …` (null if the document does not say)").format(
                           name=name) if name not in ("id", "quote", "name", "title")
                       else _("add `{name}: …`").format(name=name))
    if kind == "additionalProperties":
        extra = sorted(set(inst) - set(err.schema.get("properties", {})))
        known = ", ".join(err.schema.get("properties", {}))
        return Problem(_("unknown field {name}").format(name=repr(extra[0] if extra else "?")),
                       **where, fix=_("remove it or correct the spelling; known fields: "
                                      "{known}").format(known=known))
    if kind == "enum":
        choices = ", ".join(str(c) for c in err.validator_value if c is not None)
        allows_null = None in err.validator_value
        return Problem(_("value not allowed"), **where,
                       expected=(_("one of {names} or null") if allows_null
                                 else _("one of {names}")).format(names=choices),
                       got=_got(inst), fix=_("use one of the listed values"))
    if kind == "type":
        expected = _type_words(err.validator_value)
        if isinstance(err.validator_value, list):
            expected = _(" or ").join(_type_words(t) for t in err.validator_value)
        return Problem(_("wrong type"), **where, expected=expected, got=_got(inst),
                       fix=_("write numbers without units or text, strings in quotes"))
    if kind == "oneOf" and isinstance(inst, dict) and "op" in inst:
        given = [k for k in ("value", "relative_pct", "per_year") if k in inst]
        if not given:
            return Problem(_("op {op} needs a value").format(op=repr(inst["op"])), **where,
                           expected=_("one of value, relative_pct, per_year"),
                           fix=_("add `value: …` (or relative_pct / per_year), or use op "
                                 "up/down/text when the document gives no number"))
        return Problem(_("op {op} takes only one of value, relative_pct, per_year").format(
            op=repr(inst["op"])), **where, got=", ".join(given),
            fix=_("keep the one the document states"))
    if kind == "not" and isinstance(inst, dict) and "op" in inst:
        return Problem(_("op {op} takes no value").format(op=repr(inst["op"])), **where,
                       fix=_("use op '>=' or '<=' with the value, or remove value/low/high"))
    if kind == "anyOf" and "then" in schema_path:
        options = [r["required"][0] for r in err.validator_value]
        return Problem(_("needs at least one of {names}").format(names=", ".join(options)),
                       **where, fix=_("add the threshold the document states"))
    if kind == "anyOf":
        return Problem(_("facility selector needs subtype or category"), **where,
                       got=_got(inst), fix=_("add `subtype: …` or `category: …`"))
    if kind == "pattern":
        pattern = str(err.validator_value)
        return Problem(_("value not in the expected form"), **where,
                       expected=_(_PATTERN_WORDS[pattern]) if pattern in _PATTERN_WORDS
                       else _("text matching {pattern}").format(pattern=pattern),
                       got=_got(inst), fix=_("correct the value"))
    if kind == "oneOf":
        description = err.schema.get("description") if isinstance(err.schema, dict) else None
        expected = description or _one_of_words(err.validator_value)
        return Problem(_("value not in the expected form"), **where, expected=expected,
                       got=_got(inst), fix=_("correct the value (plan-format.md)"))
    if kind == "const":
        return Problem(_("value not allowed"), **where, expected=_got(err.validator_value),
                       got=_got(inst),
                       fix=_("write {value}").format(value=_got(err.validator_value)))
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">",
                 "exclusiveMaximum": "<"}[str(kind)]
        return Problem(_("number out of range"), **where,
                       expected=_("a number {relation} {limit}").format(
                           relation=words, limit=err.validator_value), got=_got(inst),
                       fix=_("correct the number"))
    if kind in ("minLength", "minItems", "minProperties"):
        return Problem(_("empty value"), **where, expected=_("a non-empty value"),
                       got=_got(inst), fix=_("fill it in or remove the field"))
    return Problem(err.message, **where, fix=_("see docs/plan-format.md"))


_TYPE_WORDS = {"string": N_("text"), "number": N_("a number"), "integer": N_("a whole number"),
               "object": N_("a mapping"), "array": N_("a list"), "null": "null",
               "boolean": N_("true/false")}
_PATTERN_WORDS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$":
        N_("lower-case letters, digits and hyphens, e.g. jiangchuan-2021-2025"),
    "^[a-z][a-z0-9_]*$": N_("a catalog id in snake_case, e.g. beds_per_1k"),
    r"^(\d{6}|\d{9}|\d{12})$":
        N_("a 6-, 9- or 12-digit division code in quotes, e.g. \"530403\""),
    r"^\d{4}-\d{2}-\d{2}$": N_("an ISO date yyyy-mm-dd"),
}


def _type_words(json_type: Any) -> str:
    """Return a JSON schema type in words, in the current language."""
    words = _TYPE_WORDS.get(str(json_type))
    return str(json_type) if words is None or words == "null" else _(words)


def _one_of_words(options: list[dict[str, Any]]) -> str:
    words = []
    for o in options:
        if "pattern" in o:
            words.append(_(_PATTERN_WORDS[o["pattern"]]) if o["pattern"] in _PATTERN_WORDS
                         else o["pattern"])
        elif "type" in o:
            words.append(_type_words(o["type"]))
    return _(" or ").join(words) or _("another form")


def _parent(data: Any, path: tuple[Any, ...]) -> dict[str, Any]:
    node = data
    for key in path[:-1]:
        node = node[key]
    return node if isinstance(node, dict) else {}


def _entries(data: dict[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield i, item


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _semantic_problems(data: dict[str, Any], file: str,
                       lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: tuple[Any, ...], message: str, **kw: Any) -> None:
        problems.append(Problem(message, **_where(data, path, file, lines), **kw))

    period = _dict(data.get("period"))
    start, end = _num(period.get("start")), _num(period.get("end"))
    if start is not None and end is not None and start > end:
        add(("period",), _("period starts after it ends"), expected=_("start ≤ end"),
            got=f"{int(start)}–{int(end)}", fix=_("swap start and end"))

    seen: dict[str, str] = {}
    for section in SECTIONS:
        for i, entry in _entries(data, section):
            entry_id = entry.get("id")
            if not isinstance(entry_id, str):
                continue
            if entry_id in seen:
                add((section, i, "id"), _("duplicate id {id} (also in {section})").format(
                    id=repr(entry_id), section=seen[entry_id]),
                    fix=_("give every target, norm, institution and task its own id"))
            else:
                seen[entry_id] = section

    target_ids = {e.get("id") for _, e in _entries(data, "targets")}
    catalog = _catalog_ids()
    for i, t in _entries(data, "targets"):
        base = _dict(t.get("baseline"))
        spec = _dict(t.get("target"))
        op = spec.get("op")
        indicator = t.get("indicator")
        if catalog is not None and isinstance(indicator, str) and indicator not in catalog:
            close = difflib.get_close_matches(indicator, sorted(catalog), n=1)
            fix = (_("did you mean {guess}? Or use an id from `hsplan indicators list` "
                     "(docs/indicators.md), or add the indicator to "
                     "src/hsplan/data/indicators/").format(guess=close[0]) if close else
                   _("use an id from `hsplan indicators list` (docs/indicators.md), or add "
                     "the indicator to src/hsplan/data/indicators/"))
            add(("targets", i, "indicator"), _("unknown indicator"), got=indicator,
                expected=_("an id of the indicator catalog"), fix=fix)
        if "per_year" in spec and not isinstance(base.get("year"), int) \
                and not isinstance(data.get("baseline_year"), int):
            add(("targets", i, "target", "per_year"), _("per_year needs a baseline year"),
                fix=_("add baseline: {mapping} to the target or baseline_year to the plan")
                .format(mapping="{year: …}"))
        low, high = _num(spec.get("low")), _num(spec.get("high"))
        if op == "range" and low is not None and high is not None and low > high:
            add(("targets", i, "target", "low"), _("range low is above high"),
                expected=_("low ≤ high"), got=f"{_fmt(low)}–{_fmt(high)}",
                fix=_("swap low and high"))
        if op != "range" and ("low" in spec or "high" in spec):
            add(("targets", i, "target", "low" if "low" in spec else "high"),
                _("low/high are only for op 'range' (op is {op})").format(op=repr(op)),
                fix=_("use op: range, or value for a single number"))
        if op != "text" and "text" in spec:
            add(("targets", i, "target", "text"),
                _("text is only for op 'text' (op is {op})").format(op=repr(op)),
                fix=_("use op: text for a target that is not a number, or remove text"))
        year = spec.get("year")
        if isinstance(year, int) and isinstance(base.get("year"), int) and year < base["year"]:
            add(("targets", i, "target", "year"), _("target year is before the baseline year"),
                expected=_("a year ≥ {year}").format(year=base["year"]), got=str(year),
                fix=_("correct the year"))
        years = [m.get("year") for m in t.get("milestones", []) if isinstance(m, dict)]
        if len(set(years)) != len(years) or years != sorted(years, key=lambda y: y or 0):
            add(("targets", i, "milestones"), _("milestone years repeat or are out of order"),
                got=_got(years), fix=_("list one milestone per year, earliest first"))
        parent = t.get("parent")
        if parent is not None and parent not in target_ids:
            add(("targets", i, "parent"),
                _("parent {parent} is not a target id of this plan").format(
                    parent=repr(parent)),
                fix=_("give the id of the row this sub-row belongs to, or null"))
        if parent is not None and parent == t.get("id"):
            add(("targets", i, "parent"), _("a target cannot be its own parent"),
                fix=_("use null"))

    for i, n in _entries(data, "norms"):
        params = _dict(n.get("params"))
        lo, hi = _num(params.get("per_pop_min")), _num(params.get("per_pop_max"))
        if lo is not None and hi is not None and lo > hi:
            add(("norms", i, "params", "per_pop_min"), _("per_pop_min is above per_pop_max"),
                expected="per_pop_min ≤ per_pop_max", got=f"{_fmt(lo)}, {_fmt(hi)}",
                fix=_("per_pop_min is the smaller population served by one facility"))
        for a, b in (("min", "max"), ("min_pct", "max_pct")):
            lo, hi = _num(params.get(a)), _num(params.get(b))
            if lo is not None and hi is not None and lo > hi:
                add(("norms", i, "params", a), _("{a} is above {b}").format(a=a, b=b),
                    expected=f"{a} ≤ {b}", got=f"{_fmt(lo)}, {_fmt(hi)}",
                    fix=_("swap the two numbers"))

    for section, key in (("tasks", "deadline"), ("", "date")):
        items = list(_entries(data, section)) if section else [(0, data)]
        for i, item in items:
            value = item.get(key)
            path = (section, i, key) if section else (key,)
            if isinstance(value, str) and len(value) == 10:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    add(path, _("not a calendar date"), expected=_("an ISO date yyyy-mm-dd"),
                        got=value, fix=_("correct the day or month"))
    return problems


def _catalog_ids() -> set[str] | None:
    """Return the ids of the indicator catalog, or None when no catalog is installed."""
    try:
        indicators: Any = importlib.import_module("hsplan.plans.catalog")
        catalog = indicators.load_catalog()
    except Exception:  # a broken catalog is reported by its own loader, not here
        return None
    for attr in ("ids", "indicators", "entries"):
        value = getattr(catalog, attr, None)
        value = value() if callable(value) else value
        if isinstance(value, dict):
            return {str(k) for k in value}
        if isinstance(value, list | tuple | set | frozenset):
            return {str(getattr(v, "id", v)) for v in value}
    try:
        return {str(getattr(v, "id", v)) for v in catalog}
    except TypeError:
        return None

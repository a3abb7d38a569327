"""The checks of indicator catalog files beyond the JSON Schema: schema errors in words, the
meaning of each entry (formula columns that exist in the model, filter values from the
vocabulary, levels, scope) and duplicate ids and names across files; with the two readers
of entry values the catalog model shares (`table_of`, `_as_tuple`). `hsplan.plans.catalog`
loads the files and calls them; `table_of` is re-exported there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hsplan._i18n import _
from hsplan.errors import Problem
from hsplan.region import schema

if TYPE_CHECKING:
    import jsonschema


def table_of(column: str) -> schema.Table | None:
    """Return the model table (resources or utilisation) a formula column belongs to."""
    for table in (schema.RESOURCES, schema.UTILISATION):
        if column in table.column_ids and column not in ("facility_id", "year"):
            return table
    return None


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _schema_problem(file_name: str, error: jsonschema.ValidationError, raw: Any,
                    lines: list[int]) -> Problem:
    path = list(error.absolute_path)
    row = None
    where = ""
    if path and isinstance(path[0], int):
        index = path[0]
        row = lines[index] if index < len(lines) else None
        entry = raw[index] if isinstance(raw, list) and index < len(raw) else None
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        where = _("entry {entry}").format(entry=entry_id if entry_id else index + 1)
        path = path[1:]
    column = ".".join(str(p) for p in path) or None
    message = f"{where}: {error.message}" if where else error.message
    return Problem(
        message, file=file_name, row=row, column=column,
        fix=_("follow the entry format of docs/indicators.md "
              "(JSON Schema src/hsplan/data/indicator.schema.json)"),
    )


_FILTER_VOCAB: dict[str, tuple[str, ...]] = {
    "subtype": tuple(schema.FACILITY_SUBTYPES),
    "category": tuple(schema.FACILITY_CATEGORIES),
    "ownership": schema.OWNERSHIP,
    "admin_level": schema.ADMIN_LEVELS,
}


def _semantic_problems(entry: dict[str, Any], file_name: str, line: int | None) -> list[Problem]:
    """Check formula columns, filter values and levels against `hsplan.region.schema`."""
    problems: list[Problem] = []
    formula = entry.get("formula")
    if not isinstance(formula, dict):
        return problems
    entry_id = entry.get("id", "?")

    def bad(column: str, expected: str, got: str, fix: str) -> None:
        problems.append(Problem(_("entry {entry}").format(entry=entry_id), file=file_name,
                                row=line, column=column, expected=expected, got=got, fix=fix))

    measure_cols = set(schema.RESOURCES.column_ids) | set(schema.UTILISATION.column_ids)
    measure_cols -= {"facility_id", "year"}
    pop_cols = set(schema.POPULATION.column_ids) - {"area_code", "year"}
    sides: list[tuple[str, Any]] = [(s, formula.get(s)) for s in ("numerator", "denominator")]
    for i, item in enumerate(formula.get("numerator_instead", []) or []):
        if isinstance(item, dict):
            sides.append((f"numerator_instead.{i}",
                          {k: v for k, v in item.items() if k != "filter"}))
            if isinstance(item.get("filter"), dict):
                for column, expected, got in _filter_problems(
                        item["filter"], f"formula.numerator_instead.{i}.filter"):
                    bad(column, expected, got, _("use the Chinese values of hsplan.region.schema"))
    for side, term in sides:
        if not isinstance(term, dict) or len(term) != 1:
            continue
        ((kind, value),) = term.items()
        names = [value] if isinstance(value, str) else list(value or [])
        for name in names:
            if kind == "sum" and name not in measure_cols:
                bad(f"formula.{side}.sum", _("a column of the resources or utilisation table"),
                    str(name),
                    _("use a column id of hsplan.region.schema (docs/schema.md), e.g. beds"))
            elif kind == "population" and name not in pop_cols:
                bad(f"formula.{side}.population", _("a column of the population table"),
                    str(name), _("use total (常住人口) or another population column id"))
            elif kind == "count_with_department" and name not in schema.DEPARTMENTS:
                bad(f"formula.{side}.count_with_department",
                    _("a department of hsplan.region.schema"), str(name),
                    _("use one of {names}").format(names="、".join(schema.DEPARTMENTS)))
        if kind == "sum":
            tables = {table_of(n).name for n in names if table_of(n) is not None}  # type: ignore[union-attr]
            if len(tables) > 1:
                bad(f"formula.{side}.sum", _("columns of one table"), ", ".join(names),
                    _("sum resources columns and utilisation columns in separate terms"))
    for key in ("filter", "numerator_filter", "denominator_filter"):
        flt = formula.get(key)
        if isinstance(flt, dict):
            for column, expected, got in _filter_problems(flt, f"formula.{key}"):
                bad(column, expected, got, _("use the Chinese values of hsplan.region.schema"))
    return problems


def _filter_problems(flt: dict[str, Any], prefix: str) -> list[tuple[str, str, str]]:
    out = []
    for key, vocab in _FILTER_VOCAB.items():
        for value in _as_tuple(flt.get(key)):
            if value not in vocab:
                out.append((f"{prefix}.{key}", _("one of {names}").format(names="、".join(vocab)),
                            str(value)))
    for i, sub in enumerate(flt.get("any", []) or []):
        if isinstance(sub, dict):
            out += _filter_problems(sub, f"{prefix}.any.{i}")
    return out


def _duplicate_problems(entries: list[tuple[dict[str, Any], str, int]]) -> list[Problem]:
    problems: list[Problem] = []
    seen_ids: dict[str, tuple[str, int]] = {}
    seen_names: dict[str, tuple[str, str, int]] = {}
    for entry, file_name, line in entries:
        entry_id = entry.get("id")
        if isinstance(entry_id, str):
            if entry_id in seen_ids:
                first_file, first_line = seen_ids[entry_id]
                problems.append(Problem(
                    _("duplicate indicator id {id}: also in {file}, row {row}").format(
                        id=repr(entry_id), file=first_file, row=first_line),
                    file=file_name, row=line, column="id",
                    fix=_("give each indicator one entry; rename or delete one of the two"),
                ))
            else:
                seen_ids[entry_id] = (file_name, line)
        names = [entry.get("name_zh"), *(entry.get("aliases") or [])]
        for name in dict.fromkeys(n for n in names if isinstance(n, str)):
            if name in seen_names and seen_names[name][0] != entry_id:
                other_id, other_file, other_line = seen_names[name]
                problems.append(Problem(
                    _("entry {entry}: name {name} is also a name of {other} ({file}, row {row})")
                    .format(entry=entry_id, name=repr(name), other=other_id, file=other_file,
                            row=other_line),
                    file=file_name, row=line, column="aliases",
                    fix=_("a Chinese name may belong to one indicator only; remove one"),
                ))
            else:
                seen_names.setdefault(name, (str(entry_id), file_name, line))
    return problems

"""Plan files: load and validate a plan (YAML), list the built-in plans, compare two plans.

A plan is what a region is held to: indicator targets, configuration norms, key
institutions and tasks (format: ``docs/plan-format.md``, JSON Schema:
``src/hsplan/data/plan.schema.json``). Built-in plans live in ``src/hsplan/data/plans/``;
a project's own plans in ``PROJECT/plans/*.yaml``.

`load_plan` checks a file against the JSON Schema and then its meaning (unique ids, the
values each target operator needs, a baseline where the target is relative to it, known
indicator ids when the indicator catalog is installed …) and raises one `ValidationError`
listing every problem, each with the file, the YAML line, the entry and the fix (the
checks are in `hsplan.plans._plan_validation`; `validate_plan_data` and `plan_schema` are
importable from here).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hsplan._files import check_input_file
from hsplan._i18n import _
from hsplan.errors import DataSourceError, Problem, ValidationError
from hsplan.plans import _validated
from hsplan.plans._plan_validation import SECTIONS as SECTIONS
from hsplan.plans._plan_validation import _dict, _fmt, _num, validate_plan_data
from hsplan.plans._plan_validation import plan_schema as plan_schema

if TYPE_CHECKING:  # loaded where used: reading a valid plan needs neither
    import pandas as pd

PLANS_PACKAGE_DIR = "data/plans"
COMPARISON_OPS = (">=", "<=", "=", "<", ">", "approx")
NATURES = ("约束性", "预期性", "指导性")


# --- the plan model ------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """What a target asks for: an operator and the numbers it needs (see plan-format.md)."""

    op: str
    year: int | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    relative_pct: float | None = None
    per_year: float | None = None
    ratio_form: str | None = None
    text: str | None = None
    aspirational: bool = False


@dataclass(frozen=True)
class Baseline:
    """The value a target starts from (`value` None when the document gives none)."""

    year: int | None = None
    value: float | None = None
    ratio_form: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Milestone:
    """An intermediate value a target must reach by the end of `year`."""

    year: int
    value: float
    op: str | None = None


@dataclass(frozen=True)
class Target:
    """One indicator target of a plan."""

    id: str
    indicator: str | None
    name: str
    target: TargetSpec
    quote: str
    category: str | None = None
    unit: str | None = None
    source_kind: str | None = None
    baseline: Baseline | None = None
    milestones: tuple[Milestone, ...] = ()
    nature: str | None = None
    parent: str | None = None
    conflict: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Norm:
    """One configuration norm: a rule type and its parameters."""

    id: str
    rule: str
    params: dict[str, Any]
    quote: str
    name: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Institution:
    """A key institution with its bed, grade, capability and designation targets.

    ``grade_action`` is what the plan asks of the grade: 达到 (reach it, the default),
    启动创建 (start the application) or 力争 (aspirational); ``beds_kind`` which beds the
    target counts: 编制 (approved, the default: plans set 编制床位) or 实有 (open).
    """

    id: str
    name: str
    quote: str
    subtype: str | None = None
    grade_baseline: str | None = None
    grade_target: str | None = None
    beds_baseline: int | None = None
    beds_target: int | None = None
    campus: str | None = None
    note: str | None = None
    facility_id: str | None = None
    grade_action: str = "达到"
    beds_kind: str = "编制"
    capabilities: tuple[str, ...] = ()
    designation: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Task:
    """One task: who leads it, who supports, by when, with which milestones."""

    id: str
    title: str
    quote: str
    section: str | None = None
    lead: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    deadline: str | None = None
    milestones: tuple[dict[str, Any], ...] = ()
    target: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Plan:
    """A validated plan: metadata and its targets, norms, institutions and tasks."""

    id: str
    title: str
    kind: str
    region_code: str | None
    region_name: str
    region_level: str
    period_start: int
    period_end: int
    source_document: str
    baseline_year: int | None = None
    issuer: str | None = None
    date: str | None = None
    source_note: str | None = None
    targets: tuple[Target, ...] = ()
    norms: tuple[Norm, ...] = ()
    institutions: tuple[Institution, ...] = ()
    tasks: tuple[Task, ...] = ()
    facts: tuple[dict[str, Any], ...] = ()
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def target(self, target_id: str) -> Target:
        """Return the target with id `target_id`."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"plan {self.id} has no target {target_id!r}")

    def targets_frame(self) -> pd.DataFrame:
        """Return one row per target: id, indicator, name, category, unit, nature, baseline
        (year, value), target (year, op, value, low, high, relative_pct, per_year, text),
        milestones (``2023:60; 2024:80``), aspirational, parent, quote."""
        import pandas as pd

        rows = []
        for t in self.targets:
            b = t.baseline or Baseline()
            s = t.target
            rows.append({
                "id": t.id, "indicator": t.indicator, "name": t.name, "category": t.category,
                "unit": t.unit, "nature": t.nature, "baseline_year": b.year,
                "baseline_value": b.value, "target_year": s.year, "op": s.op,
                "target_value": s.value, "target_low": s.low, "target_high": s.high,
                "relative_pct": s.relative_pct, "per_year": s.per_year,
                "ratio_form": s.ratio_form, "target_text": s.text,
                "milestones": "; ".join(f"{m.year}:{_fmt(m.value)}" for m in t.milestones),
                "aspirational": s.aspirational, "parent": t.parent, "quote": t.quote,
            })
        return pd.DataFrame(rows, columns=_TARGET_COLUMNS)

    def norms_frame(self) -> pd.DataFrame:
        """Return one row per norm: id, rule, params (JSON text), quote."""
        import pandas as pd

        rows = [{"id": n.id, "rule": n.rule,
                 "params": json.dumps(n.params, ensure_ascii=False, sort_keys=True),
                 "quote": n.quote} for n in self.norms]
        return pd.DataFrame(rows, columns=["id", "rule", "params", "quote"])

    def institutions_frame(self) -> pd.DataFrame:
        """Return one row per key institution: grade and beds (baseline, target), in beds."""
        import pandas as pd

        rows = [asdict(i) for i in self.institutions]
        cols = [f.name for f in Institution.__dataclass_fields__.values()]
        return pd.DataFrame(rows, columns=cols)

    def tasks_frame(self) -> pd.DataFrame:
        """Return one row per task: id, title, section, lead and support (joined by 、),
        deadline (ISO date), target, quote."""
        import pandas as pd

        rows = [{"id": k.id, "title": k.title, "section": k.section, "lead": "、".join(k.lead),
                 "support": "、".join(k.support), "deadline": k.deadline, "target": k.target,
                 "quote": k.quote} for k in self.tasks]
        return pd.DataFrame(rows, columns=["id", "title", "section", "lead", "support",
                                           "deadline", "target", "quote"])


_TARGET_COLUMNS = [
    "id", "indicator", "name", "category", "unit", "nature", "baseline_year", "baseline_value",
    "target_year", "op", "target_value", "target_low", "target_high", "relative_pct",
    "per_year", "ratio_form", "target_text", "milestones", "aspirational", "parent", "quote",
]


@dataclass(frozen=True)
class PlanInfo:
    """One line of the plan list: what a plan file is, where it is, how much it holds.

    `problems` is the number of validation errors (0 for a valid plan); `origin` is
    ``built-in`` or ``project``.
    """

    id: str
    title: str
    region: str
    period: str
    kind: str
    source: str
    n_targets: int
    n_norms: int
    n_institutions: int
    n_tasks: int
    path: str
    origin: str
    problems: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- locating and reading ------------------------------------------------------------------


def builtin_plans_dir() -> Path:
    """Return the folder of the built-in plan files (``src/hsplan/data/plans``)."""
    return Path(str(resources.files("hsplan").joinpath(PLANS_PACKAGE_DIR)))


def _plan_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def _project_plans_dir(project: Any) -> Path:
    """Plans folder of a `Project`, or of a project folder given as a path."""
    plans_dir = getattr(project, "plans_dir", None)
    return Path(plans_dir) if plans_dir is not None else Path(project) / "plans"


def builtin_plans() -> list[PlanInfo]:
    """Return one `PlanInfo` per built-in plan file, sorted by file name."""
    return [_info(p, "built-in") for p in _plan_files(builtin_plans_dir())]


def list_plans(project: Any = None) -> list[PlanInfo]:
    """Return the built-in plans and, when `project` (a Project or folder) is given, the
    project's own plans from ``PROJECT/plans/*.yaml``."""
    infos = builtin_plans()
    if project is not None:
        infos += [_info(p, "project") for p in _plan_files(_project_plans_dir(project))]
    return infos


def _info(path: Path, origin: str) -> PlanInfo:
    try:
        d = _checked_data(path)  # a valid file: remembered by content
        problems = 0
    except ValidationError:
        try:
            data = _read_yaml(path)[0]
        except ValidationError as exc:
            return PlanInfo(id=path.stem, title="", region="", period="", kind="", source="",
                            n_targets=0, n_norms=0, n_institutions=0, n_tasks=0,
                            path=str(path), origin=origin, problems=len(exc.errors))
        d = data if isinstance(data, dict) else {}
        try:
            validate_plan_data(d, file=path.name, lines={})
            problems = 0
        except ValidationError as exc:
            problems = len(exc.errors)
    region, period, source = _dict(d.get("region")), _dict(d.get("period")), _dict(d.get("source"))

    def count(key: str) -> int:
        value = d.get(key)
        return len(value) if isinstance(value, list) else 0

    return PlanInfo(
        id=str(d.get("id", path.stem)), title=str(d.get("title", "")),
        region=str(region.get("name", "")),
        period=f"{period.get('start', '')}–{period.get('end', '')}",
        kind=str(d.get("kind", "")), source=str(source.get("document", "")),
        n_targets=count("targets"), n_norms=count("norms"),
        n_institutions=count("institutions"), n_tasks=count("tasks"),
        path=str(path), origin=origin, problems=problems,
    )


def resolve_plan_path(path_or_id: str | Path, *, project: Any = None) -> Path:
    """Return the file of a plan given as a path, a project plan id or a built-in id."""
    path = Path(path_or_id)
    if path.is_file():
        return path
    key = str(path_or_id)
    folders = [builtin_plans_dir()]
    if project is not None:
        folders.insert(0, _project_plans_dir(project))
    for folder in folders:
        for candidate in _plan_files(folder):
            if candidate.stem == key:
                return candidate
    for folder in folders:
        for candidate in _plan_files(folder):
            try:
                data = _read_yaml(candidate)[0]
            except ValidationError:
                continue
            if isinstance(data, dict) and data.get("id") == key:
                return candidate
    known = ", ".join(info.id for info in list_plans(project)) or _("none installed")
    raise DataSourceError(_(
        "{key}: no such plan file or plan id (built-in and project plans: {known}). "
        "Fix: give the path of a plan YAML file or one of these ids "
        "(`hsplan plans list`).").format(key=key, known=known))


def load_plan(path_or_id: str | Path, *, project: Any = None) -> Plan:
    """Return the validated `Plan` from a YAML file, a project plan id or a built-in id.

    Raises `ValidationError` listing every problem (schema and meaning) at once, and
    `DataSourceError` when the plan cannot be found or read.
    """
    path = resolve_plan_path(path_or_id, project=project)
    return plan_from_dict(_checked_data(path), path=path)


def _checked_data(path: Path) -> dict[str, Any]:
    """Return the data of the plan file `path` when it is valid; raise `ValidationError`
    listing its problems otherwise.

    A valid file is remembered by its content (with the catalog's files, whose ids the
    checks use, and the validating code: `hsplan.plans._validated`), so the next command
    that reads it skips parsing and validation.
    """

    def read_and_validate() -> dict[str, Any]:
        data, lines = _read_yaml(path)
        if not isinstance(data, dict):
            raise ValidationError([Problem(
                _("the file is not a plan"), file=path.name, row=1,
                expected=_("a YAML mapping with id, title, kind …"), got=type(data).__name__,
                fix=_("start from `hsplan plans show national-norms`"))],
                context=_("plan {file}").format(file=path.name))
        validate_plan_data(data, file=path.name, lines=lines)
        return data

    catalog: Any = importlib.import_module("hsplan.plans.catalog")
    catalog_files = sorted(Path(catalog.catalog_dir()).glob("*.yaml"))
    check_input_file(path)
    try:
        key = _validated.content_key("plan", [path, *catalog_files])
    except OSError as exc:
        raise DataSourceError(_("{path}: cannot read the plan file ({error}).").format(
            path=path, error=exc)) from exc
    return _validated.cached(key, read_and_validate)


def _read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Return the YAML data (dates as ISO strings) and the line of every node path."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(_("{path}: cannot read the plan file ({error}).").format(
            path=path, error=exc)) from exc
    from hsplan._yaml import yaml_with_lines  # a remembered plan needs no YAML parser

    return yaml_with_lines(
        text, file=path.name, context=_("plan {file}").format(file=path.name),
        fix=_("check indentation and quote values that start with > < : or contain ': ' "
              "(e.g. op: \">=\")"))


# --- building the dataclasses -------------------------------------------------------------


def plan_from_dict(data: dict[str, Any], *, path: Path | None = None) -> Plan:
    """Return a `Plan` from already validated plan data (see `validate_plan_data`)."""
    region = data["region"]
    source = data["source"]
    return Plan(
        id=data["id"], title=data["title"], kind=data["kind"], region_code=region.get("code"),
        region_name=region["name"], region_level=region["level"],
        period_start=int(data["period"]["start"]), period_end=int(data["period"]["end"]),
        source_document=source["document"], baseline_year=data.get("baseline_year"),
        issuer=data.get("issuer"), date=data.get("date"), source_note=source.get("note"),
        targets=tuple(_target(t) for t in data.get("targets") or []),
        norms=tuple(Norm(id=n["id"], rule=n["rule"], params=dict(n.get("params") or {}),
                         quote=n["quote"], name=n.get("name"), note=n.get("note"))
                    for n in data.get("norms") or []),
        institutions=tuple(_institution(i) for i in data.get("institutions") or []),
        tasks=tuple(Task(id=k["id"], title=k["title"], quote=k["quote"],
                         section=k.get("section"), lead=tuple(k.get("lead") or ()),
                         support=tuple(k.get("support") or ()), deadline=k.get("deadline"),
                         milestones=tuple(k.get("milestones") or ()), target=k.get("target"),
                         note=k.get("note"))
                    for k in data.get("tasks") or []),
        facts=tuple(dict(f) for f in data.get("facts") or []),
        path=path, data=data,
    )


def _target(t: dict[str, Any]) -> Target:
    s = t["target"]
    b = t.get("baseline")
    return Target(
        id=t["id"], indicator=t.get("indicator"), name=t["name"], quote=t["quote"],
        target=TargetSpec(
            op=s["op"], year=s.get("year"), value=_num(s.get("value")), low=_num(s.get("low")),
            high=_num(s.get("high")), relative_pct=_num(s.get("relative_pct")),
            per_year=_num(s.get("per_year")), ratio_form=s.get("ratio_form"),
            text=s.get("text"),
            aspirational=bool(s.get("aspirational", False) or t.get("aspirational", False))),
        category=t.get("category"), unit=t.get("unit"), source_kind=t.get("source_kind"),
        baseline=Baseline(year=b.get("year"), value=_num(b.get("value")),
                          ratio_form=b.get("ratio_form"), text=b.get("text"))
        if isinstance(b, dict) else None,
        milestones=tuple(Milestone(year=int(m["year"]), value=float(m["value"]), op=m.get("op"))
                         for m in t.get("milestones") or []),
        nature=t.get("nature"), parent=t.get("parent"), conflict=t.get("conflict"),
        note=t.get("note"),
    )


def _institution(i: dict[str, Any]) -> Institution:
    grade = i.get("grade") or {}
    beds = i.get("beds") or {}
    return Institution(id=i["id"], name=i["name"], quote=i["quote"], subtype=i.get("subtype"),
                       grade_baseline=grade.get("baseline"), grade_target=grade.get("target"),
                       beds_baseline=beds.get("baseline"), beds_target=beds.get("target"),
                       campus=i.get("campus"), note=i.get("note"),
                       facility_id=i.get("facility_id"),
                       grade_action=grade.get("action") or "达到",
                       beds_kind=beds.get("kind") or "编制",
                       capabilities=tuple(i.get("capabilities") or ()),
                       designation=i.get("designation"), year=i.get("year"))


# --- comparing two plans -------------------------------------------------------------------

DIFF_COLUMNS = [
    "kind", "key", "presence", "id_a", "id_b", "name_a", "name_b", "op_a", "value_a",
    "year_a", "op_b", "value_b", "year_b", "stricter", "note",
]


def target_bounds(target: Target) -> tuple[float | None, float | None]:
    """Return the (lower, upper) bound a target sets on its indicator, in its unit.

    ``>=``/``>`` give a lower bound, ``<=``/``<`` an upper bound, ``=``/``keep`` with a
    value both, ``approx`` the value ±5 %, ``range`` low and high; ``relative_pct`` and
    ``per_year`` are resolved against the baseline (per_year up to the target year).
    ``up``/``down``/``text`` and unresolvable targets give (None, None).
    """
    s = target.target
    value = resolved_target_value(target)
    if s.op == "range":
        return s.low, s.high
    if value is None:
        return None, None
    if s.op in (">=", ">"):
        return value, None
    if s.op in ("<=", "<"):
        return None, value
    if s.op == "approx":
        return value - 0.05 * abs(value), value + 0.05 * abs(value)
    if s.op in ("=", "keep"):
        return value, value
    return None, None


def resolved_target_value(target: Target, *, year: int | None = None) -> float | None:
    """Return the target's value in the indicator's unit at `year` (default: target year).

    ``relative_pct`` gives baseline × (1 + pct/100); ``per_year`` gives baseline +
    per_year × (year − baseline year); otherwise ``value`` (None for up/down/text/range).
    """
    s = target.target
    base = target.baseline
    if s.relative_pct is not None:
        if base is None or base.value is None:
            return None
        return base.value * (1 + s.relative_pct / 100)
    if s.per_year is not None:
        if base is None or base.value is None or base.year is None:
            return None
        until = year if year is not None else s.year
        if until is None:
            return None
        return base.value + s.per_year * (until - base.year)
    return s.value


def _stricter(a: Target, b: Target) -> tuple[str, str]:
    lo_a, hi_a = target_bounds(a)
    lo_b, hi_b = target_bounds(b)
    if (lo_a is None and hi_a is None) or (lo_b is None and hi_b is None):
        return "—", _("not comparable (no numeric target on one side)")
    if (lo_a is None) != (lo_b is None) or (hi_a is None) != (hi_b is None):
        return "—", _("not comparable (one sets a floor, the other a ceiling)")
    verdicts = set()
    if lo_a is not None and lo_b is not None and lo_a != lo_b:
        verdicts.add("a" if lo_a > lo_b else "b")
    if hi_a is not None and hi_b is not None and hi_a != hi_b:
        verdicts.add("a" if hi_a < hi_b else "b")
    if not verdicts:
        return "same", ""
    if len(verdicts) == 2:
        return "—", _("not comparable (ranges overlap)")
    side = verdicts.pop()
    return side, _("plan {plan} is weaker").format(plan="B" if side == "a" else "A")


_NORM_KEYS = ("resource", "facility", "department", "area_level", "numerator", "denominator",
              "scope", "mode", "where")


def _norm_key(n: Norm) -> str:
    ident = {k: n.params[k] for k in _NORM_KEYS if k in n.params}
    return f"{n.rule} {json.dumps(ident, ensure_ascii=False, sort_keys=True)}"


def _norm_thresholds(n: Norm) -> str:
    return json.dumps({k: v for k, v in n.params.items() if k not in _NORM_KEYS},
                      ensure_ascii=False, sort_keys=True)


def diff_plans(a: Plan, b: Plan) -> pd.DataFrame:
    """Return the differences of plans `a` and `b`, one row per target, norm or task.

    Targets are matched by indicator id: both ops, values and years, and `stricter`
    (``a``, ``b``, ``same`` or ``—`` when the two cannot be ordered, with the reason in
    `note`); e.g. a district plan against the national plan shows which local targets are
    weaker than the national ones. Norms are matched by rule and what they apply to
    (resource, facility, department …) and compared by their thresholds; tasks by title.
    `presence` is ``both``, ``a only`` or ``b only``.
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    by_a: dict[str, Target] = {}
    by_b: dict[str, Target] = {}
    for plan, by in ((a, by_a), (b, by_b)):
        for entry in plan.targets:  # the first target of an indicator represents it
            if entry.indicator:
                by.setdefault(entry.indicator, entry)
    order = [*by_a, *(k for k in by_b if k not in by_a)]
    for key in order:
        ta, tb = by_a.get(key), by_b.get(key)
        row: dict[str, Any] = {"kind": "target", "key": key}
        for side, t in (("a", ta), ("b", tb)):
            row[f"id_{side}"] = t.id if t else None
            row[f"name_{side}"] = t.name if t else None
            row[f"op_{side}"] = t.target.op if t else None
            row[f"value_{side}"] = _target_value_text(t) if t else None
            row[f"year_{side}"] = t.target.year if t else None
        if ta and tb:
            row["presence"] = "both"
            row["stricter"], row["note"] = _stricter(ta, tb)
        else:
            row["presence"] = "a only" if ta else "b only"
            row["stricter"], row["note"] = "—", ""
        rows.append(row)

    norms_a = {_norm_key(n): n for n in a.norms}
    norms_b = {_norm_key(n): n for n in b.norms}
    for key in [*norms_a, *(k for k in norms_b if k not in norms_a)]:
        na, nb = norms_a.get(key), norms_b.get(key)
        presence = "both" if na and nb else ("a only" if na else "b only")
        same = bool(na and nb and _norm_thresholds(na) == _norm_thresholds(nb))
        rows.append({
            "kind": "norm", "key": key, "presence": presence,
            "id_a": na.id if na else None, "id_b": nb.id if nb else None,
            "name_a": na.quote if na else None, "name_b": nb.quote if nb else None,
            "op_a": na.rule if na else None, "op_b": nb.rule if nb else None,
            "value_a": _norm_thresholds(na) if na else None,
            "value_b": _norm_thresholds(nb) if nb else None,
            "year_a": None, "year_b": None,
            "stricter": "same" if same else "—",
            "note": "" if presence != "both" or same else "thresholds differ",
        })

    tasks_a = {k.title: k for k in a.tasks}
    tasks_b = {k.title: k for k in b.tasks}
    for key in [*tasks_a, *(k for k in tasks_b if k not in tasks_a)]:
        ka, kb = tasks_a.get(key), tasks_b.get(key)
        if ka and kb:
            continue
        rows.append({
            "kind": "task", "key": key, "presence": "a only" if ka else "b only",
            "id_a": ka.id if ka else None, "id_b": kb.id if kb else None,
            "name_a": ka.title if ka else None, "name_b": kb.title if kb else None,
            "op_a": None, "op_b": None, "value_a": ka.deadline if ka else None,
            "value_b": kb.deadline if kb else None, "year_a": None, "year_b": None,
            "stricter": "—", "note": "",
        })
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def _target_value_text(t: Target) -> str:
    s = t.target
    if s.op == "range":
        return f"{_fmt(s.low)}–{_fmt(s.high)}"
    if s.op == "text":
        return s.text or ""
    if s.relative_pct is not None:
        return f"baseline {s.relative_pct:+g}% = {_fmt(resolved_target_value(t))}"
    if s.per_year is not None:
        return f"{s.per_year:+g}/year = {_fmt(resolved_target_value(t))}"
    text = "" if s.value is None else _fmt(s.value)
    return f"1:{text}" if s.ratio_form == "1:x" and text else text


def plan_to_yaml(plan: Plan) -> str:
    """Return the plan as YAML text (the file's data, keys in the documented order)."""
    import yaml

    return yaml.safe_dump(plan.data, allow_unicode=True, sort_keys=False, width=100)

"""Tests of hsplan.plans.plan: validation messages, the documented format, listing, diff, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hsplan.errors import DataSourceError, ValidationError
from hsplan.plans.plan import (
    DIFF_COLUMNS,
    builtin_plans,
    builtin_plans_dir,
    diff_plans,
    list_plans,
    load_plan,
    plan_schema,
)
from hsplan.region.project import Project

# these tests check the English text of messages (tests/test_i18n_problems.py checks the
# Chinese): run them in English
pytestmark = pytest.mark.usefixtures("english")

REPO = Path(__file__).resolve().parents[1]

BAD_PLAN = """\
id: Bad_Plan
title: 测试规划
kind: 纲要
region: {code: 530403, name: 江川区, level: county}
period: {start: 2025, end: 2021}
source: {document: test.txt}
targets:
  - id: T01
    indicator: beds_per_1k
    name: 每千人口床位数
    target: {year: 2025, op: ">="}
    quote: a
  - id: T02
    indicator: beds_per_1k
    name: 床位
    target: {year: 2025, op: range, low: 3}
    quote: b
  - id: T01
    indicator: beds_per_1k
    name: 床位
    target: {year: 2025, op: ">=", value: 3}
    nature: 约束
    quote: c
  - id: T04
    indicator: no_such_indicator
    name: 床位
    target: {year: 2025, op: up, value: 3}
    qoute: d
  - id: T05
    indicator: beds_per_1k
    name: 床位
    target: {year: 2025, op: ">=", value: 3}
    parent: T99
    milestones: [{year: 2024, value: 2}, {year: 2023, value: 1}]
    quote: e
norms:
  - id: N01
    rule: coverage
    quote: f
  - id: N02
    rule: resource_per_population
    params: {resource: ambulances, min_count: 1}
    quote: g
tasks:
  - id: K01
    title: 任务
    deadline: 2025-02-30
    quote: h
"""

BAD_PLAN_PROBLEMS = [
    "bad.yaml, row 1, column id: value not in the expected form: expected lower-case letters,"
    " digits and hyphens, e.g. jiangchuan-2021-2025, got 'Bad_Plan'. Fix: correct the value",
    "bad.yaml, row 3, column kind: value not allowed: expected one of 规划, 行动计划, 实施方案, "
    "国家规范, got '纲要'. Fix: use one of the listed values",
    "bad.yaml, row 4, column region.code: wrong type: expected text or null, got '530403'. "
    "Fix: write numbers without units or text, strings in quotes",
    "bad.yaml, row 5, column period: period starts after it ends: expected start ≤ end, "
    "got '2025–2021'. Fix: swap start and end",
    "bad.yaml, row 11, column targets[T01].target: op '>=' needs a value: expected one of "
    "value, relative_pct, per_year. Fix: add `value: …` (or relative_pct / per_year), or use "
    "op up/down/text when the document gives no number",
    "bad.yaml, row 16, column targets[T02].target: op 'range' needs 'high': expected a number "
    "in high. Fix: add `high: …` or choose another op (plan-format.md)",
    "bad.yaml, row 18, column targets[T01].id: duplicate id 'T01' (also in targets). Fix: give "
    "every target, norm, institution and task its own id",
    "bad.yaml, row 22, column targets[T01].nature: value not allowed: expected one of 预期性, "
    "约束性, 指导性 or null, got '约束'. Fix: use one of the listed values",
    "bad.yaml, row 24, column targets[T04]: unknown field 'qoute'. Fix: remove it or correct "
    "the spelling; known fields: id, indicator, name, category, unit, source_kind, baseline, "
    "target, milestones, nature, aspirational, quote, parent, conflict, note",
    "bad.yaml, row 24, column targets[T04]: missing field 'quote'. Fix: add `quote: …`",
    "bad.yaml, row 25, column targets[T04].indicator: unknown indicator: expected an id of the "
    "indicator catalog, got 'no_such_indicator'. Fix: use an id from `hsplan indicators list` "
    "(docs/indicators.md), or add the indicator to src/hsplan/data/indicators/",
    "bad.yaml, row 27, column targets[T04].target: op 'up' takes no value. Fix: use op '>=' or "
    "'<=' with the value, or remove value/low/high",
    "bad.yaml, row 33, column targets[T05].parent: parent 'T99' is not a target id of this "
    "plan. Fix: give the id of the row this sub-row belongs to, or null",
    "bad.yaml, row 34, column targets[T05].milestones: milestone years repeat or are out of "
    "order (got '[2024, 2023]'). Fix: list one milestone per year, earliest first",
    "bad.yaml, row 38, column norms[N01].rule: value not allowed: expected one of presence, "
    "count_per_population, resource_per_population, share, department_share, "
    "per_facility_minimum, per_facility_ratio, bed_efficiency, max_alos, service_circle, text,"
    " got 'coverage'. Fix: use one of the listed values",
    "bad.yaml, row 42, column norms[N02].params: rule 'resource_per_population' needs the "
    "parameter 'per_pop'. Fix: add `per_pop: …` to params (plan-format.md, Norms)",
    "bad.yaml, row 47, column tasks[K01].deadline: not a calendar date: expected an ISO date "
    "yyyy-mm-dd, got '2025-02-30'. Fix: correct the day or month",
]


def test_bad_plan_reports_every_problem_in_one_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_PLAN, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_plan(path)
    assert info.value.context == "plan bad.yaml"
    assert [str(p) for p in info.value.errors] == BAD_PLAN_PROBLEMS


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("id: x\ntargets:\n  - id: T01\n    op: >=\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_plan(path)
    (problem,) = info.value.errors
    # the parser's own words differ between libyaml and pure-Python PyYAML
    assert str(problem).startswith("syntax.yaml, row 4: not valid YAML (")
    assert str(problem).endswith(
        "). Fix: check indentation and quote values that start with > < : or contain ': ' "
        "(e.g. op: \">=\")")


def test_unknown_plan_id_lists_the_known_ones() -> None:
    with pytest.raises(DataSourceError, match=r"^no-such-plan: no such plan file or plan id "
                       r"\(built-in and project plans: .*\)\. Fix: give the path"):
        load_plan("no-such-plan")


# --- the documented format ---------------------------------------------------------------------


def doc_example_plan() -> dict:
    """The plan assembled from the YAML examples of docs/plan-format.md."""
    text = (REPO / "docs" / "plan-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    top = yaml.safe_load(blocks[0].replace("[...]", "[]"))
    top["targets"] = yaml.safe_load(blocks[1])
    top["norms"] = yaml.safe_load(blocks[2])
    top["institutions"] = yaml.safe_load(blocks[3])
    top["tasks"] = yaml.safe_load(blocks[4])
    top.update(yaml.safe_load(blocks[5]))  # facts
    top.update(yaml.safe_load(blocks[6]))  # readings
    return top


def test_documented_examples_validate_and_load(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(doc_example_plan(), allow_unicode=True), encoding="utf-8")
    plan = load_plan(path)
    assert (plan.id, plan.region_code, plan.period_start, plan.period_end) == (
        "jiangchuan-2021-2025", "530403", 2021, 2025)
    t = plan.target("T07")
    assert (t.indicator, t.target.op, t.target.value, t.baseline.value if t.baseline else None
            ) == ("beds_per_1k", ">=", 3.56, 3.44)
    frame = plan.targets_frame()
    assert list(frame.loc[0, ["id", "baseline_value", "op", "target_value", "nature"]]) == [
        "T07", 3.44, ">=", 3.56, "预期性"]
    assert plan.norms[0].params == {"resource": "ambulances", "per_pop": 30000,
                                    "min_count": 1, "scope": "urban"}
    assert plan.tasks[0].deadline == "2025-12-31"
    assert plan.tasks[0].lead == ("区卫生健康局",)
    assert plan.institutions[0].beds_target == 800
    assert plan.facts[0]["value"] == 41


def test_schema_is_draft_2020_12_and_covers_every_documented_rule_and_op() -> None:
    schema = plan_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    doc = (REPO / "docs" / "plan-format.md").read_text(encoding="utf-8")
    rules = schema["$defs"]["norm"]["properties"]["rule"]["enum"]
    assert rules == re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.M)
    ops = set(schema["$defs"]["target_spec"]["properties"]["op"]["enum"])
    documented = set(re.findall(r"op: \"?([<>=]+|[a-z]+)\"?", doc))
    assert documented <= ops
    assert ops == {">=", "<=", "=", "<", ">", "approx", "range", "up", "down", "keep", "text"}


# --- listing -------------------------------------------------------------------------------------


def test_builtin_plans_lists_every_plan_file_with_its_counts() -> None:
    files = sorted(builtin_plans_dir().glob("*.yaml"))
    infos = builtin_plans()
    assert [Path(i.path).name for i in infos] == [f.name for f in files]
    for info, path in zip(infos, files, strict=True):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert info.id == data["id"]
        assert info.n_targets == len(data.get("targets") or [])
        assert info.n_norms == len(data.get("norms") or [])
        assert info.n_tasks == len(data.get("tasks") or [])
        assert info.origin == "built-in"


def test_every_builtin_plan_loads() -> None:
    failures = {}
    for info in builtin_plans():
        try:
            load_plan(info.id)
        except ValidationError as exc:
            failures[info.id] = str(exc)
    assert failures == {}


def _write_project(tmp_path: Path) -> Project:
    project = Project(root=tmp_path / "proj", name="测试区")
    project.write_config()
    project.plans_dir.mkdir()
    (project.plans_dir / "mine.yaml").write_text(
        yaml.safe_dump(doc_example_plan() | {"id": "my-plan"}, allow_unicode=True),
        encoding="utf-8")
    return project


def test_project_plans_are_listed_and_loaded_by_id(tmp_path: Path) -> None:
    project = _write_project(tmp_path)
    infos = list_plans(project)
    mine = [i for i in infos if i.origin == "project"]
    assert [(i.id, i.n_targets, i.problems) for i in mine] == [("my-plan", 1, 0)]
    assert load_plan("my-plan", project=project).title == "玉溪市江川区“十四五”医疗卫生服务体系规划"


# --- diff ----------------------------------------------------------------------------------------

def _plan_yaml(plan_id: str, kind: str, region: dict, targets: list[tuple], norm_min: int,
               tasks: list[str]) -> str:
    data = {
        "id": plan_id, "title": plan_id, "kind": kind, "region": region,
        "period": {"start": 2021, "end": 2025}, "source": {"document": f"{plan_id}.txt"},
        "targets": [{"id": tid, "indicator": ind, "name": ind, "quote": tid,
                     "target": {"year": 2025, "op": op, **values}}
                    for tid, ind, op, values in targets],
        "norms": [{"id": "N1", "rule": "resource_per_population", "quote": "n",
                   "params": {"resource": "ambulances", "per_pop": 30000,
                              "min_count": norm_min}}],
        "tasks": [{"id": f"K{i}", "title": title, "quote": "k"}
                  for i, title in enumerate(tasks)],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


DISTRICT = _plan_yaml(
    "district", "规划", {"code": "530403", "name": "江川区", "level": "county"},
    [("T1", "beds_per_1k", ">=", {"value": 3.44}),
     ("T2", "infant_mortality_per_1k", "<=", {"value": 6}),
     ("T3", "life_expectancy_years", ">=", {"value": 80}),
     ("T4", "nurse_to_doctor_ratio", "range", {"low": 1.0, "high": 1.2})],
    1, ["建设医共体"])
NATIONAL = _plan_yaml(
    "national", "国家规范", {"code": None, "name": "全国", "level": "national"},
    [("A", "beds_per_1k", ">=", {"value": 3.56}),
     ("B", "infant_mortality_per_1k", "<", {"value": 5}),
     ("C", "life_expectancy_years", ">=", {"value": 78.3}),
     ("D", "nurse_to_doctor_ratio", ">=", {"value": 1.2}),
     ("E", "gps_per_10k", ">=", {"value": 3.8})],
    2, [])


def test_diff_marks_the_stricter_target_and_one_sided_entries(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    (tmp_path / "n.yaml").write_text(NATIONAL, encoding="utf-8")
    diff = diff_plans(load_plan(tmp_path / "d.yaml"), load_plan(tmp_path / "n.yaml"))
    assert list(diff.columns) == DIFF_COLUMNS
    targets = diff[diff["kind"] == "target"].set_index("key")
    assert list(targets.loc["beds_per_1k", ["stricter", "note"]]) == ["b", "plan A is weaker"]
    assert targets.loc["infant_mortality_per_1k", "stricter"] == "b"
    assert list(targets.loc["life_expectancy_years", ["stricter", "note"]]) == [
        "a", "plan B is weaker"]
    assert targets.loc["nurse_to_doctor_ratio", "note"] == \
        "not comparable (one sets a floor, the other a ceiling)"
    assert list(targets.loc["gps_per_10k", ["presence", "id_b"]]) == ["b only", "E"]
    norm = diff[diff["kind"] == "norm"].iloc[0]
    assert (norm["presence"], norm["value_a"], norm["value_b"], norm["note"]) == (
        "both", '{"min_count": 1, "per_pop": 30000}', '{"min_count": 2, "per_pop": 30000}',
        "thresholds differ")
    tasks = diff[diff["kind"] == "task"]
    assert tasks[["key", "presence"]].values.tolist() == [["建设医共体", "a only"]]


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_plans_list_json_lists_every_builtin_file(tmp_path: Path) -> None:
    from hsplan.cli import app

    project = _write_project(tmp_path)
    result = CliRunner().invoke(app, ["plans", "list", "--format", "json",
                                      "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    files = sorted(p.name for p in builtin_plans_dir().glob("*.yaml"))
    assert sorted(Path(i["path"]).name for i in listed if i["origin"] == "built-in") == files
    assert [i["id"] for i in listed if i["origin"] == "project"] == ["my-plan"]
    assert set(listed[0]) == {"id", "title", "region", "period", "kind", "source", "n_targets",
                              "n_norms", "n_institutions", "n_tasks", "path", "origin",
                              "problems"}


def test_cli_plans_show_and_diff(tmp_path: Path) -> None:
    from hsplan.cli import app

    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    (tmp_path / "n.yaml").write_text(NATIONAL, encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["plans", "show", str(tmp_path / "d.yaml"), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["targets"][0]["target"] == {"year": 2025, "op": ">=",
                                                                "value": 3.44}
    as_yaml = runner.invoke(app, ["plans", "show", str(tmp_path / "d.yaml")])
    assert yaml.safe_load(as_yaml.output)["id"] == "district"
    diff = runner.invoke(app, ["plans", "diff", str(tmp_path / "d.yaml"),
                               str(tmp_path / "n.yaml"), "--format", "json"])
    assert diff.exit_code == 0, diff.output
    rows = json.loads(diff.output)
    assert rows[0]["key"] == "beds_per_1k" and rows[0]["stricter"] == "b"


def test_six_builtin_plans_five_naming_their_seed_file_all_valid() -> None:
    from hsplan.cli import app

    result = CliRunner().invoke(app, ["plans", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert len(listed) == 6
    seeds = sorted(p.name for p in (builtin_plans_dir().parent / "seeds").glob("0*.txt"))
    assert sorted(i["source"] for i in listed if i["source"].endswith(".txt")) == seeds
    assert len(seeds) == 5
    assert [i["problems"] for i in listed] == [0] * 6


def test_each_missing_field_is_named_and_a_close_indicator_id_suggested(
        tmp_path: Path) -> None:

    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: t\ntargets:\n  - id: T1\n    indicator: beds_per_1kk\n"
                    "    target: {op: '>=', value: 3}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_plan(path)
    messages = [str(p) for p in info.value.errors]
    for field_name in ("kind", "region", "period", "source"):
        assert sum(f"missing field '{field_name}'" in m for m in messages) == 1
    assert sum("missing field 'name'" in m for m in messages) == 1
    assert sum("missing field 'quote'" in m for m in messages) == 1
    assert any("got 'beds_per_1kk'. Fix: did you mean beds_per_1k?" in m for m in messages)


def test_cli_prints_problems_without_markup(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from hsplan.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: t\n", encoding="utf-8")
    argv = sys.argv
    sys.argv = ["hsplan", "plans", "show", str(path)]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = argv
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "missing field 'kind'" in err and "[red]" not in err and "✗" in err


# --- the diff as a planner reads it ----------------------------------------------------------


def _diff_lines(*plans: str, lang: str = "zh") -> str:
    """Return the terminal output of ``hsplan plans diff`` in `lang`, wide enough that no
    cell wraps."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "250", "PYTHONPATH": str(REPO / "src"),
           "HSPLAN_LANG": lang}
    result = subprocess.run([sys.executable, "-m", "hsplan", "plans", "diff", *plans],
                            capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _cells(out: str, first: str) -> list[str]:
    """Return the cells of the table row whose first cell is `first`."""
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r}")


def test_diff_writes_each_value_in_one_form_with_its_unit_and_chinese_words() -> None:
    out = _diff_lines("jiangchuan-2021-2025", "national-norms")
    # 医护比: the plan writes 1.34, the national plan 1:1.2: both as 1:x, and A is stricter
    assert _cells(out, "医护比")[1:] == ["两者都有", "T14 ≥ 1:1.34", "NT06 ≥ 1:1.20", "A"]
    assert _cells(out, "床人(卫生人员)比")[2] == "T15 ≥ 1:2.12"
    assert _cells(out, "每千人口注册护士数")[2:] == ["T11 ≥ 3.20 人/千人", "NT04 ≥ 3.80 人/千人",
                                                    "B"]
    assert _cells(out, "各级疾病预防控制机构基础设施达标率")[2] == "T02 ≥ 100.0%"
    assert _cells(out, "3分钟出车率")[2:] == ["P13 ≥ 95.0%", "NT14 ≥ 95.0%", "相同"]
    assert _cells(out, "人均预期寿命")[2:4] == ["T22 提高", "NT01 ≈ 78.9 岁"]
    assert _cells(out, "孕产妇死亡率")[2] == "P30 降低"
    assert _cells(out, "设立1个疾病预防控制机构")[2] == "N02：每个县(区)至少1所疾病预防控制中心"
    assert "T22 up" not in out and "≥ 1.34" not in out and "presence" not in out


@pytest.mark.parametrize("pair", [
    ("jiangchuan-2021-2025", "national-norms"), ("ganzhou-jkq-2023-2025", "national-norms"),
    ("kangbashi-2021-2025", "liaocheng-2024-2025"),
    ("leshan-shizhong-2021-2025", "jiangchuan-2021-2025"),
])
def test_no_english_word_in_the_chinese_diff(pair: tuple[str, str]) -> None:
    """Only the plans' own ids and the words their documents use (ICU …) are Latin."""
    out = _diff_lines(*pair)
    own = set()
    for plan in map(load_plan, pair):
        own |= set(re.findall(r"[A-Za-z]+", yaml.safe_dump(plan.data, allow_unicode=True)))
    words = set(re.findall(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])", out))
    ids = {w for w in words if w.upper() == w and len(w) <= 3}  # T, NT, NN … of ids
    assert not words - own - ids - {"A", "B"}, words - own
    for english in ("increase", "decrease", "only in", "in both", "same", "qualitative",
                    "min_count", "per_pop"):
        assert english not in out, english


def test_diff_in_english_has_english_directions() -> None:
    out = _diff_lines("jiangchuan-2021-2025", "national-norms", lang="en")
    assert _cells(out, "人均预期寿命")[1:3] == ["in both", "T22 increase"]
    assert _cells(out, "孕产妇死亡率")[2] == "P30 decrease"
    assert "提高" not in out and "降低" not in out


def test_diff_range_of_a_ratio_is_written_as_ratios(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    (tmp_path / "n.yaml").write_text(NATIONAL, encoding="utf-8")
    out = _diff_lines(str(tmp_path / "d.yaml"), str(tmp_path / "n.yaml"))
    assert _cells(out, "nurse_to_doctor_ratio")[2:] == ["T4 1:1.00—1:1.20", "D ≥ 1:1.20", "—"]
    assert _cells(out, "beds_per_1k")[2:] == ["T1 ≥ 3.44 张/千人", "A ≥ 3.56 张/千人", "B"]
    assert _cells(out, "n")[2:4] == ["N1：每3万人口1辆救护车", "N1：每3万人口2辆救护车"]

"""English on request for the configuration norms: `hsplan check` (table with and without
travel times, JSON, xlsx) on the example project, and `check` of every built-in plan, leave
no Chinese that hsplan wrote itself — only data: area and facility names, department names,
the schema's category values, the plan's own words (its title, the norms' quotes, the
readings' quotes) and the national documents a default reading quotes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.evaluation.norms import SUMMARY_COLUMNS, VIOLATION_COLUMNS, check
from hsplan.plans.plan import Plan, builtin_plans, load_plan
from hsplan.region import schema
from hsplan.region.example import example_project_path
from hsplan.region.model import Region
from hsplan.region.project import Project
from language_helpers import chinese_runs, readings_words, yaml_strings

PLAN = "jiangchuan-2021-2025"
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example project (check --format xlsx writes into its outputs/)."""
    root = tmp_path_factory.mktemp("example") / "example"
    shutil.copytree(example_project_path(), root)
    return root


@pytest.fixture(scope="module")
def region(project: Path) -> Region:
    return Project.open(project).load()


def _plan_words(plan: Plan) -> set[str]:
    """The plan's own words: title, region, source, the norms' names, quotes and the kinds and
    departments their parameters name, and everything its readings block says."""
    words = {plan.title, plan.region_name, plan.source_document}
    for n in plan.norms:
        words |= {n.name or "", n.quote, n.note or "", *yaml_strings(n.params)}
    return words | readings_words(plan)


def _names(project: Path, region: Region, plans: list[Plan]) -> set[str]:
    """The data names: the project's, its areas' and facilities' (and their kinds, grades and
    departments), the schema's category values and departments, the plans' own words, and
    the national documents quoted by the default readings."""
    words: set[str] = {Project.open(project).name}
    for col in ("name", "subtype", "category", "grade", "departments"):
        if col in region.areas:
            words |= {str(v) for v in region.areas[col].dropna()}
        if col in region.facilities:
            words |= {str(v) for v in region.facilities[col].dropna()}
    for value in region.facilities["departments"].dropna():
        words |= {p.strip() for p in str(value).replace("，", "、").split("、")}
    words |= set(schema.FACILITY_SUBTYPES) | set(schema.FACILITY_CATEGORIES)
    words |= set(schema.DEPARTMENTS) | set(schema.GRADES)
    for plan in plans:
        words |= _plan_words(plan)
    return {w for w in words if w}


def _without_zh(value: Any) -> Any:
    """Return a JSON document without its ``*_zh`` fields (Chinese by name: the readings'
    ``line_zh`` and ``text_zh``, the line the Chinese documents print)."""
    if isinstance(value, dict):
        return {k: _without_zh(v) for k, v in value.items() if not k.endswith("_zh")}
    if isinstance(value, list):
        return [_without_zh(v) for v in value]
    return value


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return result.output


def test_check_table_json_and_xlsx_are_english(project: Path, region: Region,
                                               console_width: Callable[[int], None]) -> None:
    console_width(300)
    plan = load_plan(PLAN)
    names = _names(project, region, [plan])
    table = _run(["check", str(project), "--plan", PLAN])
    assert "violations of the norms (25)" in table and "pass 16 · fail 12" in table
    assert "short by 1: ambulances" in table
    assert "at least 1 疾病预防控制中心 in each county (district)" in table
    no_travel = _run(["check", str(project), "--plan", PLAN, "--no-travel"])
    assert "no travel times (they need" in no_travel
    doc = json.loads(_run(["check", str(project), "--plan", PLAN, "--no-travel",
                           "--format", "json"]))
    n21 = next(v for v in doc["violations"] if v["norm_id"] == "N21")
    assert (n21["expected"], n21["unit"], n21["shortfall_text"]) == (
        "≥ 9 ambulances (256,175 residents)", "ambulances", "short by 1: ambulances")
    # the readings' words in Chinese, as the Chinese documents state them (fields *_zh)
    assert doc["readings"]["line_zh"].startswith("读法（jiangchuan-2021-2025）— 急救站点：")
    assert table.startswith("readings (jiangchuan-2021-2025) — EMS stations:")
    xlsx = project / "check.xlsx"
    _run(["check", str(project), "--plan", PLAN, "--no-travel", "--format", "xlsx",
          "--out", str(xlsx)])
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["norms summary", "violations of the norms", "notes"]
    # the workbook finisher (hsplan.reports.workbook) writes its values and notes in English
    cells = "\n".join(str(c.value) for sheet in wb.sheetnames for row in wb[sheet].iter_rows()
                      for c in row if c.value is not None)
    runs = {"table": chinese_runs(table, names), "no travel": chinese_runs(no_travel, names),
            "json": chinese_runs(json.dumps(_without_zh(doc), ensure_ascii=False), names),
            "xlsx": chinese_runs(cells, names)}
    assert runs == {"table": [], "no travel": [], "json": [], "xlsx": []}


def test_every_builtin_plan_checks_in_english(project: Path, region: Region) -> None:
    """Every rule type and wording the built-in plans use, on the example (no travel)."""
    plans = [load_plan(info.id) for info in builtin_plans()]
    names = _names(project, region, plans)
    left: dict[str, list[str]] = {}
    for plan in plans:
        result = check(region, plan)
        frames = (result.summary[[c for c in SUMMARY_COLUMNS if c != "quote"]],
                  result.violations[[c for c in VIOLATION_COLUMNS if c != "quote"]])
        text = "\n".join(str(v) for f in frames for v in f.to_numpy().ravel()
                         if not (isinstance(v, float) and pd.isna(v)))
        text += "\n" + result.readings_line
        runs = chinese_runs(text, names)
        if runs:
            left[plan.id] = runs
    assert left == {}


def test_the_words_of_rules_and_columns_are_the_chinese_ones_in_chinese(chinese: None) -> None:
    """The catalog gives back the Chinese words the web pages and reports use (RULE_ZH,
    COLUMNS_ZH, STATUS_ZH): one vocabulary in both places."""
    from hsplan.evaluation.norms import (
        COLUMNS_ZH,
        RULE_ZH,
        STATUS_ZH,
        column_text,
        rule_text,
        status_text,
    )

    assert {r: rule_text(r) for r in RULE_ZH} == RULE_ZH
    assert {c: column_text(c) for c in COLUMNS_ZH} == COLUMNS_ZH
    assert {s: status_text(s) for s in STATUS_ZH} == STATUS_ZH

"""A census-only project (`hsplan init`) runs summary, check, needs and evaluate, and makes no
finding from data it does not have (issue 10: missing data is never a finding)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hsplan.cli import app

PLAN = "kangbashi-2021-2025"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "kbs"
    result = CliRunner().invoke(app, ["init", str(root), "--county", "150603"])
    assert result.exit_code == 0, result.output
    return root


def test_summary_runs_and_shows_no_resource_figures(project: Path) -> None:
    result = CliRunner().invoke(app, ["summary", str(project), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    county = doc["resources"][0]
    assert county["pop"] > 100_000          # the 2020 census
    assert county["beds"] is None and county["beds_per_1k"] is None   # not 0


def test_check_runs_and_finds_nothing_from_absent_data(project: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(project), "--plan", PLAN,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output[result.output.index("{"):])
    assert doc["violations"] == []
    assert {row["status"] for row in doc["summary"]} == {"not evaluable"}


def test_needs_and_evaluate_run(project: Path) -> None:
    needs = CliRunner().invoke(app, ["needs", str(project), "--plan", PLAN, "--year", "2025"])
    assert needs.exit_code == 0, needs.output
    ev = CliRunner().invoke(app, ["evaluate", str(project), "--plan", PLAN, "--format", "json"])
    assert ev.exit_code == 0, ev.output
    statuses = {r["status"] for r in json.loads(ev.output)["results"]}
    assert statuses <= {"not evaluable", "met"}   # nothing off track from absent data


def test_validate_lists_what_the_data_supports(project: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(project)])
    assert "数据支持的分析" in result.output
    assert "配置标准核查" in result.output and "机构表" in result.output

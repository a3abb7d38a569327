"""Terminal output that fits: at 80 columns every plan id is whole, evaluate gives one line
per target in Chinese, compare speaks the same status words as evaluate."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hsplan.plans.plan import list_plans, load_plan
from hsplan.region.example import EXAMPLE_PLAN, copy_example

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT / "src")}
    env.pop("HSPLAN_LANG", None)
    return subprocess.run([sys.executable, "-m", "hsplan", *args], capture_output=True,
                          text=True, env=env, timeout=600, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("cli") / "jiangchuan").root


def test_plans_list_shows_every_id_whole_at_80_columns() -> None:
    result = _run("plans", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for info in list_plans(None):
        assert any(info.id in line for line in lines), info.id
    assert "规划编号（用于 --plan）" in result.stdout


def test_evaluate_one_line_per_target(project: Path) -> None:
    result = _run("evaluate", str(project), "--plan", EXAMPLE_PLAN)
    assert result.returncode == 0, result.stderr
    plan = load_plan(EXAMPLE_PLAN)
    lines = result.stdout.splitlines()
    entries = [line for line in lines if line[:1] in ("●", "○")]
    assert len(entries) == len(plan.targets) == 58
    # an entry that wraps continues under its text (a hanging indent), never at the margin
    first = lines.index(entries[0])
    indent = len("● 进度滞后 T07a ")
    for line in lines[first:-1]:
        assert line[:1] in ("●", "○") or line.startswith(" " * indent), line
    assert max(len(line) for line in lines) <= 80
    assert any(re.match(r"● 进度滞后 T01 +每万人口公共卫生人员数", line) for line in entries)
    assert "6.75人/万人/≥7.00人/万人" in re.sub(r"\s+", "", result.stdout)
    assert "off track" not in result.stdout and "at risk" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("已达标 7")
    detail = _run("evaluate", str(project), "--plan", EXAMPLE_PLAN, "--detail")
    assert "完成进度50.6%，时间进度60.0%" in re.sub(r"\s+", "", detail.stdout)


def test_compare_uses_the_status_words_of_evaluate(project: Path) -> None:
    result = _run("compare", str(project), "--scenario",
                  str(project / "scenarios" / "new-chc-200-beds.yaml"), "--plan",
                  EXAMPLE_PLAN, "--no-travel", columns=160)
    assert result.returncode == 0, result.stderr
    assert "off track" not in result.stdout and "at risk" not in result.stdout
    assert any(word in result.stdout for word in ("进度滞后", "偏离目标", "已达标"))


def test_plans_diff_side_by_side() -> None:
    result = _run("plans", "diff", EXAMPLE_PLAN, "national-norms")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "A = jiangchuan-2021-2025（玉溪市江川区“十四五”医疗卫生服务体系规划）"
    assert "仅 A 有" in result.stdout and "更严格" in result.stdout
    assert "T01 ≥ 7" in result.stdout and "a only" not in result.stdout


def test_tasks_fit_80_columns_in_chinese(project: Path) -> None:
    """`tasks` at 80 columns: one stacked entry per task with its id and every department
    whole, Chinese words only (no "as of", "no progress report", "by department")."""
    import re

    from rich.cells import cell_len

    from hsplan.evaluation.tasks import by_department, task_status

    result = _run("tasks", str(project), "--plan", EXAMPLE_PLAN, "--as-of", "2024-06-30")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    plan = load_plan(EXAMPLE_PLAN)
    entries = [line for line in lines if line.startswith("● ")]
    assert len(entries) == len(plan.tasks) == 47
    assert entries[0].startswith("● 未报告 A01 机构")
    assert lines[0].endswith("任务进度（截至 2024-06-30）")
    assert "截至 2024-06-30 无进展报告" in result.stdout
    assert "未报告 47" in result.stdout
    from hsplan.region.project import Project

    progress = Project.open(project).load().progress
    departments = by_department(plan, task_status(plan, progress, as_of="2024-06-30"))
    for name in departments["department"]:
        assert any(name in line for line in lines), name
    words = set(re.findall(r"[A-Za-z]{3,}", result.stdout))
    assert not words, words


def test_compare_titles_ops_and_numbers_in_chinese(project: Path) -> None:
    """`compare` at 80 columns: Chinese table titles and change words, values with the
    decimals of their unit (not 0.7807 or -6.944)."""
    from rich.cells import cell_len

    result = _run("compare", str(project), "--scenario",
                  str(project / "scenarios" / "new-chc-200-beds.yaml"), "--plan",
                  EXAMPLE_PLAN, "--no-travel")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    for english in ("changes", "targets", "shown", "norms", "violations", "needs", "note:",
                    " open ", " from 20", "copied forward", "at H001"):
        assert english not in out, english  # the changes and notes in words too
    assert "指标（显示 15 项，共 58 项）" in out
    assert "│ 新建 │ S01" in out and "│ 增加 │ H001" in out
    t07a = next(line for line in out.splitlines() if line.startswith("│ T07a"))
    assert "│ 2.42 │ 3.20 │ +0.78 │" in t07a
    assert "0.7807" not in out and "-6.944" not in out


@pytest.mark.parametrize("argv", [
    ("evaluate", "{project}", "--plan", EXAMPLE_PLAN),
    ("tasks", "{project}", "--plan", EXAMPLE_PLAN, "--as-of", "2024-06-30"),
    ("compare", "{project}", "--scenario", "{project}/scenarios/new-chc-200-beds.yaml",
     "--plan", EXAMPLE_PLAN, "--no-travel"),
    ("plans", "show", EXAMPLE_PLAN),
    ("plans", "diff", EXAMPLE_PLAN, "national-norms"),
    ("--help",),
    ("evaluate", "--help"),
    ("evaluate", "{project}", "--plan", "no-such-plan"),
])
def test_no_printed_line_ends_in_a_space(project: Path, argv: tuple[str, ...]) -> None:
    """Stacked entries, tables, panels and help are not padded with trailing spaces (junk
    for a planner who copies the output into Word or an e-mail)."""
    args = [arg.replace("{project}", str(project)) for arg in argv]
    result = _run(*args)
    assert result.stdout.strip() or result.stderr.strip(), result
    for stream in (result.stdout, result.stderr):
        padded = [line for line in stream.splitlines() if line != line.rstrip()]
        assert not padded, padded[:3]

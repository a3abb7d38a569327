"""Task tracking on the tasks of 赣州经开区 (seed 004, plan ganzhou-jkq-2023-2025).

The plan's tasks with a checkpoint before 2025 are (src/hsplan/data/plans/
ganzhou-jkq-2023-2025.yaml): K02 (deadline 2024-01-01), K01, P04, P23, P43 (deadline
2024-12-31), K10 (80 % by 2024-12-31), P26 (60 / 80 / 100 % by the end of 2023 / 2024 /
2025), K30 and P45 (a milestone without a percentage on 2023-12-31, i.e. 50 % of their two
checkpoint dates). Every other task is due 2025-12-31.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import ValidationError
from hsplan.evaluation.tasks import (
    by_department,
    checkpoints,
    progress_from_file,
    status_counts,
    task_status,
)
from hsplan.plans.plan import load_plan
from hsplan.region.example import copy_example
from hsplan.region.io import write_template

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

PLAN = load_plan("ganzhou-jkq-2023-2025")

# (任务编号, 日期, 完成比例, 状态) as a planner types them into the template.
REPORTS = [
    ("P26", "2023-12-20", 55, "进行中"),
    ("P26", "2024-09-30", 75, "进行中"),
    ("K01", "2024-06-30", 100, "已完成"),
    ("P04", "2023-12-31", 70, "进行中"),
    ("K30", "2023-11-30", 50, "进行中"),
    ("P23", "2024-01-10", 0, "未开始"),
    ("K06", "2024-03-31", None, "已延期"),
    ("K03", "2024-06-30", 40, "进行中"),
    ("P43", "2024-12-20", 100, None),
]


def _write_progress(directory: Path, rows: Sequence[tuple[object, ...]]) -> Path:
    """Fill the 任务进展 sheet of the Excel template (headers as the template has them)."""
    path = write_template(directory)
    wb = openpyxl.load_workbook(path)
    ws = wb["任务进展"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["任务编号", "日期", "完成比例", "状态"]
    for task_id, date, percent, status in rows:
        ws.append([task_id, dt.date.fromisoformat(str(date)), percent, status])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def progress_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_progress(tmp_path_factory.mktemp("progress"), REPORTS)


@pytest.fixture(scope="module")
def progress(progress_xlsx: Path) -> pd.DataFrame:
    frame, _ = progress_from_file(progress_xlsx)
    return frame


def _by_status(frame: pd.DataFrame) -> dict[str, list[str]]:
    tasks = frame[frame["kind"] == "task"]
    return {s: list(tasks.loc[tasks["status"] == s, "task_id"]) for s in
            ("late", "due soon", "on track", "not started", "done")}


def test_progress_sheet_read_from_template(progress: pd.DataFrame) -> None:
    assert len(progress) == len(REPORTS)
    p26 = progress[progress["task_id"] == "P26"].sort_values("date")
    assert list(p26["date"]) == ["2023-12-20", "2024-09-30"]
    assert list(p26["percent"]) == [55.0, 75.0]


def test_checkpoints_expected_percent() -> None:
    tasks = {t.id: t for t in PLAN.tasks}
    p26 = checkpoints(tasks["P26"], PLAN)
    assert [(c.date.isoformat(), c.expected_pct) for c in p26] == [
        ("2023-12-31", 60.0), ("2024-12-31", 80.0), ("2025-12-31", 100.0)]
    k30 = checkpoints(tasks["K30"], PLAN)
    assert [(c.date.isoformat(), c.expected_pct) for c in k30] == [
        ("2023-12-31", 50.0), ("2025-12-31", 100.0)]
    # no milestones: the deadline is the one checkpoint
    k05 = checkpoints(tasks["K05"], PLAN)
    assert [(c.date.isoformat(), c.expected_pct, c.milestone) for c in k05] == [
        ("2025-12-31", 100.0, None)]
    # K10: 80 % by the end of 2024, and two milestones on the deadline (100 %)
    k10 = checkpoints(tasks["K10"], PLAN)
    assert [c.expected_pct for c in k10] == [80.0, 100.0, 100.0]


def test_status_early_2024(progress: pd.DataFrame) -> None:
    frame = task_status(PLAN, progress, as_of="2024-01-15")
    groups = _by_status(frame)
    assert groups["late"] == ["P26", "P45", "K02"]
    assert groups["on track"] == ["P04", "K30"]
    assert groups["not started"] == ["P23"]
    assert groups["due soon"] == []
    assert groups["done"] == []  # K01 reported done only on 2024-06-30
    tasks = frame[frame["kind"] == "task"].set_index("task_id")
    assert tasks.loc["P26", "days_late"] == 15
    assert tasks.loc["P26", "expected_pct"] == 60.0
    assert tasks.loc["P26", "reported_pct"] == 55.0
    assert tasks.loc["P26", "reason"] == "60 % due 2023-12-31, reported 55 % on 2023-12-20"
    assert tasks.loc["K02", "days_late"] == 14
    assert tasks.loc["K02", "reason"] == "100 % due 2024-01-01, no report"
    counts = status_counts(frame)
    assert counts["no report"] == len(PLAN.tasks) - 6
    assert sum(counts.values()) == len(PLAN.tasks)


def test_status_autumn_2024(progress: pd.DataFrame) -> None:
    frame = task_status(PLAN, progress, as_of=dt.date(2024, 10, 15))
    groups = _by_status(frame)
    assert groups["late"] == ["P45", "K02", "K06"]
    assert groups["due soon"] == ["P04", "P23", "P43", "K10", "P26"]
    assert groups["done"] == ["K01"]
    assert groups["on track"] == ["K03", "K30"]
    tasks = frame[frame["kind"] == "task"].set_index("task_id")
    assert tasks.loc["P45", "days_late"] == (dt.date(2024, 10, 15) - dt.date(2023, 12, 31)).days
    assert tasks.loc["K06", "days_late"] == 0
    assert tasks.loc["K06", "reason"] == ("reported 已延期 on 2024-03-31 "
                                          "(no percent reported: counted as 0 %)")
    assert tasks.loc["P26", "next_milestone"] == "80 %: 设置完成率达到总任务量的80%"
    assert tasks.loc["P26", "next_milestone_date"] == "2024-12-31"
    # P26's milestones: 60 % met, 80 % due within 90 days, 100 % later
    p26 = frame[(frame["task_id"] == "P26") & (frame["kind"] == "milestone")]
    assert list(p26["expected_pct"]) == [60.0, 80.0, 100.0]
    assert list(p26["status"]) == ["done", "due soon", "on track"]
    # milestone rows follow their task row
    first = frame.index[(frame["task_id"] == "P26") & (frame["kind"] == "task")][0]
    assert list(frame.loc[first:first + 3, "task_id"]) == ["P26"] * 4


def test_status_early_2025(progress: pd.DataFrame) -> None:
    frame = task_status(PLAN, progress, as_of="2025-01-31", milestones=False)
    assert set(frame["kind"]) == {"task"}
    groups = _by_status(frame)
    assert groups["late"] == ["P45", "K02", "P04", "P23", "K10", "P26", "K06"]
    assert groups["done"] == ["K01", "P43"]
    assert groups["on track"] == ["K03", "K30"]
    days = frame.set_index("task_id")["days_late"]
    assert [days[t] for t in groups["late"]] == [397, 396, 31, 31, 31, 31, 0]


def test_by_department(progress: pd.DataFrame) -> None:
    frame = task_status(PLAN, progress, as_of="2024-10-15")
    dept = by_department(PLAN, frame)
    cdc = dept[(dept["department"] == "区疾控中心") & (dept["role"] == "牵头")].iloc[0]
    # 区疾控中心 leads K01 (done), K02 (late), K04, P04 (due soon), P19, P27, P44
    assert (cdc["tasks"], cdc["late"], cdc["due_soon"], cdc["done"], cdc["no_report"]) == (
        7, 1, 1, 1, 4)
    # a unit whose name holds 、 stays one unit
    assert "各乡(镇、街道)" in set(dept["department"])
    lead = dept[dept["role"] == "牵头"]
    assert lead["tasks"].sum() == sum(len(set(t.lead)) for t in PLAN.tasks)
    assert list(dept["role"]).index("配合") == len(lead)


def test_unknown_task_and_rows_reported(tmp_path: Path) -> None:
    path = _write_progress(tmp_path, [("K01", "2024-06-30", 100, "已完成"),
                                      ("K99", "2024-06-30", 10, "进行中"),
                                      ("k02", "2024-07-01", 20, "进行中")])
    frame, source = progress_from_file(path)
    with pytest.raises(ValidationError) as info:
        task_status(PLAN, frame, as_of="2024-10-15", source=source)
    messages = [str(p) for p in info.value.errors]
    assert messages == [
        "hsplan_template.xlsx, sheet 任务进展, row 3, column 任务编号: unknown task: expected a "
        "task id of plan ganzhou-jkq-2023-2025 (K01 … P47), got 'K99'. Fix: list the ids "
        "with `hsplan plans show ganzhou-jkq-2023-2025 --format json`",
        "hsplan_template.xlsx, sheet 任务进展, row 4, column 任务编号: unknown task: expected a "
        "task id of plan ganzhou-jkq-2023-2025 (K01 … P47), got 'k02'. Fix: did you mean "
        "K02? list the ids with `hsplan plans show ganzhou-jkq-2023-2025 --format json`",
    ]


def test_bad_percent_in_sheet(tmp_path: Path) -> None:
    path = _write_progress(tmp_path, [("K01", "2024-06-30", 120, "已完成")])
    with pytest.raises(ValidationError) as info:
        progress_from_file(path)
    assert len(info.value.errors) == 1
    problem = info.value.errors[0]
    assert (problem.sheet, problem.row, problem.column) == ("任务进展", 2, "完成比例")


def test_cli_tasks_json_and_store(tmp_path: Path, progress_xlsx: Path) -> None:
    project = copy_example(tmp_path / "proj")
    runner = CliRunner()
    result = runner.invoke(app, ["tasks", str(project.root), "--plan", "ganzhou-jkq-2023-2025",
                                 "--as-of", "2024-10-15", "--progress", str(progress_xlsx),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["as_of"] == "2024-10-15"
    assert doc["counts"]["late"] == 3 and doc["counts"]["done"] == 1
    assert doc["tasks"][0]["task_id"] == "P45"
    # default: the progress table of the project's store
    frame, _ = progress_from_file(progress_xlsx)
    project.save(project.load().replace(progress=frame))
    result = runner.invoke(app, ["tasks", str(project.root), "--plan", "ganzhou-jkq-2023-2025",
                                 "--as-of", "2024-10-15", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"] == doc["counts"]
    result = runner.invoke(app, ["tasks", str(project.root), "--plan", "ganzhou-jkq-2023-2025",
                                 "--as-of", "2024-10-15", "--no-milestones"])
    assert result.exit_code == 0, result.output
    assert "P45" in result.output and "late 3" in result.output
    out = tmp_path / "tasks.xlsx"
    result = runner.invoke(app, ["tasks", str(project.root), "--plan", "ganzhou-jkq-2023-2025",
                                 "--as-of", "2024-10-15", "--format", "xlsx", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["说明", "任务进度", "部门汇总"]
    assert wb["任务进度"]["A2"].value == "P45"


def test_cli_bad_date(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "proj")
    result = CliRunner().invoke(app, ["tasks", str(project.root), "--plan",
                                      "ganzhou-jkq-2023-2025", "--as-of", "2024-13-01"])
    assert result.exit_code != 0
    assert "--as-of '2024-13-01': expected a date YYYY-MM-DD" in str(result.exception)

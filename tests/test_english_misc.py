"""English on request, for what the rest of the CLI prints: `hsplan summary` (and its
synthetic-data banner), `hsplan example`, `hsplan tasks`, `hsplan site`, `hsplan batch` and
`hsplan extract` leave no Chinese in English outside the data's names and the plan's own
words (tests/language_helpers.chinese_runs). The Chinese of these commands is checked by
their own test files (test_summary, test_example, test_tasks, test_siting_cli, test_batch,
test_extract_*)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hsplan.batch.executors import ExecutorSpec
from hsplan.batch.run import build_projects
from hsplan.cli import app
from hsplan.plans.extract import extract_plan
from hsplan.plans.extract.scoring import seeds_dir
from hsplan.plans.plan import Plan, load_plan
from hsplan.region.example import copy_example
from hsplan.region.project import Project
from language_helpers import chinese_runs

pytestmark = [pytest.mark.usefixtures("english"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]  # PuLP notices

EXAMPLE_PLAN = "jiangchuan-2021-2025"
TASKS_PLAN = "ganzhou-jkq-2023-2025"
BATCH_COUNTIES = ["530402", "150603"]  # 红塔区 (玉溪市), 康巴什区 (鄂尔多斯市)


def _strings(value: Any, into: set[str]) -> set[str]:
    """Return `into` with every string held by `value` (nested dicts, lists) added."""
    if isinstance(value, str):
        into.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, into)
    elif isinstance(value, list | tuple):
        for v in value:
            _strings(v, into)
    return into


def project_names(root: Path) -> set[str]:
    """Return the data names of a project: its own name, its areas' and facilities' names,
    the province and city it lies in, and the schema's facility categories it uses."""
    project = Project.open(root)
    region = project.load()
    names = {project.name, *map(str, (region.meta.get(k, "") for k in
                                      ("name", "province", "city")))}
    names |= set(region.areas["name"].dropna().astype(str))
    for col in ("name", "subtype", "category", "grade"):
        names |= set(region.facilities[col].dropna().astype(str))
    return names


def plan_words(plan: Plan) -> set[str]:
    """Return a plan's own words: its title and region, its indicators' names and quotes,
    its norms', institutions' and tasks' words (task titles, milestones, departments)."""
    return _strings(plan.data, set()) | {plan.title, plan.region_name}


def _output(args: Iterable[str], *, exit_code: int = 0) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == exit_code, result.output
    return result.output


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("english") / "jiangchuan").root


@pytest.fixture(scope="module")
def names(example: Path) -> set[str]:
    return (project_names(example) | plan_words(load_plan(EXAMPLE_PLAN))
            | plan_words(load_plan(TASKS_PLAN)))


def test_summary_and_its_synthetic_banner(example: Path, names: set[str],
                                          console_width: Callable[[int], None]) -> None:
    console_width(300)
    text = _output(["summary", example])
    assert "synthetic data — data made by the example generator" in text
    assert chinese_runs(text, names) == []


def test_example(tmp_path: Path, names: set[str],
                 console_width: Callable[[int], None]) -> None:
    console_width(300)
    text = _output(["example", "--out", tmp_path / "ex"])
    assert "evaluated against the plan" in text
    assert chinese_runs(text, names | project_names(tmp_path / "ex")) == []


def test_synth(tmp_path: Path, console_width: Callable[[int], None]) -> None:
    console_width(300)
    text = _output(["synth", tmp_path / "s", "--county", "530403", "--seed", "0"])
    assert "random seed 0" in text and "created" in text
    assert chinese_runs(text, project_names(tmp_path / "s")) == []


def test_tasks(example: Path, names: set[str], console_width: Callable[[int], None]) -> None:
    console_width(400)  # the plan's long milestone titles on one line
    text = _output(["tasks", example, "--plan", TASKS_PLAN, "--as-of", "2024-10-15"])
    assert "by department" in text and "no report" in text
    assert chinese_runs(text, names) == []


@pytest.mark.parametrize("args", [
    ["--model", "mclp", "--add", "2", "--minutes", "15", "--subtype", "乡镇卫生院",
     "--facility", "乡镇卫生院", "--facility", "社区卫生服务中心"],
    ["--model", "lscp", "--minutes", "15", "--facility", "乡镇卫生院"],
    ["--model", "mclp", "--add", "2", "--minutes", "15", "--facility", "乡镇卫生院",
     "--candidates", "townships"],
    ["--model", "p-median", "--add", "1", "--facility", "乡镇卫生院"],
], ids=["mclp", "lscp", "mclp-townships", "p-median"])
def test_site(args: list[str], example: Path, names: set[str], tmp_path: Path,
              console_width: Callable[[int], None]) -> None:
    console_width(300)
    text = _output(["site", example, *args, "--out", tmp_path])
    assert "candidate sites" in text and "new sites" in text
    assert chinese_runs(text, names) == []


@pytest.fixture(scope="module")
def batch_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("english-batch") / "projects"
    built = build_projects(BATCH_COUNTIES, folder, seed=0, executor=ExecutorSpec("serial"))
    assert list(built["status"]) == ["ok"] * len(BATCH_COUNTIES), built
    return folder


def test_batch_build_run_and_rollup(batch_projects: Path, tmp_path: Path,
                                    console_width: Callable[[int], None]) -> None:
    console_width(300)
    names = {"云南省", "玉溪市", "内蒙古自治区", "鄂尔多斯市"}
    for project in batch_projects.iterdir():
        names |= project_names(project)
    texts = [_output(["batch", "build", tmp_path / "p", "--counties", "530403",
                      "--serial"])]
    out = tmp_path / "out"
    texts.append(_output(["batch", "run", out, "--projects", batch_projects, "--jobs",
                          "evaluate,check,coverage", "--serial"]))
    texts.append(_output(["batch", "run", out, "--projects", batch_projects, "--jobs",
                          "coverage", "--serial", "--resume", "--network", "straight"]))
    texts.append(_output(["batch", "rollup", out, "--by", "city", "--xlsx",
                          tmp_path / "r.xlsx"]))
    text = "\n".join(texts)
    assert "done: computed 2 counties" in text and "15-minute primary care coverage" in text
    assert "synthetic data: all of the 2 counties are synthetic examples" in text
    assert chinese_runs(text, names | project_names(tmp_path / "p" / "530403")) == []


def test_batch_failures(batch_projects: Path, tmp_path: Path,
                        console_width: Callable[[int], None]) -> None:
    console_width(300)
    folder = tmp_path / "projects"
    shutil.copytree(batch_projects, folder)
    (folder / "150603" / "region.gpkg").write_bytes(b"not a geopackage")
    names = {"云南省", "玉溪市", "内蒙古自治区", "鄂尔多斯市"}
    for project in batch_projects.iterdir():
        names |= project_names(project)
    text = _output(["batch", "run", tmp_path / "out", "--projects", folder, "--jobs",
                    "evaluate,check", "--serial"], exit_code=1)
    assert "counties that failed, and why" in text and "2 jobs failed in 1 counties" in text
    assert chinese_runs(text, names) == []


@pytest.mark.parametrize("seed", ["000_a2a2a54b8113ffa6.txt", "004_18377352c194759e.txt"])
def test_extract_summary(seed: str, tmp_path: Path,
                         console_width: Callable[[int], None]) -> None:
    console_width(1000)  # the plan's quotes on one line
    document = seeds_dir() / seed
    result = extract_plan(document)
    words = _strings(result.plan, set()) | _strings(result.unmatched, set())
    words.discard(result.plan["kind"])  # 规划 …: the plan format's vocabulary, said in English
    for frame in (result.departments_frame(), result.review_frame(),
                  result.unparsed_frame()):
        for col in ("department", "aliases", "quote", "name"):
            if col in frame:
                for value in frame[col].astype(str):
                    words |= {value, *value.split("、"), *value.split(", ")}
    text = _output(["extract", document, "-o", tmp_path / "plan.yaml"])
    assert "extracted items" in text
    assert chinese_runs(text, words) == []

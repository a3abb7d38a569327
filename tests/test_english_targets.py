"""English on request for target evaluation and key institutions: `hsplan evaluate` (table,
--detail, JSON, xlsx), `hsplan institutions`, `hsplan plans list|show|diff` and
`hsplan indicators` on the example project leave no Chinese that hsplan wrote itself —
only data: area, facility and institution names, the plan's own words (its title, indicator
names, quotes, capabilities, task titles) and the schema's category values."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hsplan._i18n import _
from hsplan.cli import app
from hsplan.cli._output import tight
from hsplan.evaluation.targets import COLUMNS
from hsplan.plans.plan import Plan, load_plan
from hsplan.region.example import example_project_path
from hsplan.region.project import Project
from language_helpers import chinese_runs

PLAN = "jiangchuan-2021-2025"
OTHER = "national-norms"
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example project (evaluate --format xlsx writes into its outputs/)."""
    root = tmp_path_factory.mktemp("example") / "example"
    shutil.copytree(example_project_path(), root)
    return root


def _plan_words(plan: Plan) -> set[str]:
    """The plan's own words: its title and region, the names and quotes of its targets,
    norms, institutions and tasks, the capabilities, grades and roles it names."""
    words = {plan.title, plan.region_name, plan.source_document}
    for t in plan.targets:
        words |= {t.name, t.quote, t.category or "", t.note or "", t.target.text or ""}
    for n in plan.norms:
        words |= {n.name or "", n.quote, n.note or ""}
    for i in plan.institutions:
        words |= {i.name, i.quote, i.campus or "", i.designation or "", i.grade_target or "",
                  i.grade_baseline or "", i.subtype or "", *i.capabilities}
    for k in plan.tasks:
        words |= {k.title, k.quote, k.section or "", *k.lead, *k.support}
    return words


def _norm_descriptions(plan: Plan) -> set[str]:
    """The words `evaluation.norms.describe` writes for each norm (`plans diff` quotes them):
    that module is translated by its own family, so its words count as given here."""
    from hsplan.evaluation.norms import describe

    return {describe(n) for n in plan.norms if n.rule != "text"}


def _schema_words() -> set[str]:
    """The data template's own words: its tables' and columns' Chinese names and the values
    of its choices (事项 科室, 编制床位 …), which a message names for the planner to enter."""
    from hsplan.region.schema import TABLES

    words: set[str] = set()
    for table in TABLES.values():
        words.add(table.zh)
        for col in table.columns:
            words |= {col.zh, *(col.choices or ())}
    return words


@pytest.fixture(scope="module")
def names(project: Path) -> Iterator[set[str]]:
    """The data names of the example and both plans, longest taken out first."""
    proj = Project.open(project)
    region = proj.load()
    words: set[str] = {proj.name}
    for frame in (region.areas, region.facilities):
        for col in ("name", "subtype", "type", "grade", "category"):
            if col in frame:
                words |= {str(v) for v in frame[col].dropna()}
    facts = region.facts
    for col in ("value",):
        if col in facts:
            words |= {str(v) for v in facts[col].dropna()}
    words |= _schema_words()
    # the catalog's English names (evaluate shows them in English) gloss a few terms:
    # "Share of … with a TCM hall (中医馆)"
    from hsplan.plans.catalog import load_catalog

    words |= {i.name_en for i in load_catalog().indicators.values()}
    for plan_id in (PLAN, OTHER):
        words |= _plan_words(load_plan(plan_id, project=proj))
    yield {w for w in words if w}


@pytest.fixture
def run(console_width: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
        ) -> Callable[..., str]:
    console_width(300)
    monkeypatch.setenv("COLUMNS", "300")

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_evaluate_table_is_english(run: Callable[..., str], project: Path,
                                   names: set[str]) -> None:
    out = run("evaluate", str(project), "--plan", PLAN)
    assert chinese_runs(out, names) == []
    assert "gap to target" in out


def test_evaluate_detail_is_english(run: Callable[..., str], project: Path,
                                    names: set[str]) -> None:
    out = run("evaluate", str(project), "--plan", PLAN, "--detail")
    assert chinese_runs(out, names) == []


def test_evaluate_township_level_is_english(run: Callable[..., str], project: Path,
                                            names: set[str]) -> None:
    out = run("evaluate", str(project), "--plan", PLAN, "--level", "township")
    assert chinese_runs(out, names) == []


def test_evaluate_json_reasons_are_english(run: Callable[..., str], project: Path,
                                           names: set[str]) -> None:
    doc = json.loads(run("evaluate", str(project), "--plan", PLAN, "--format", "json"))
    reasons = "\n".join(str(r.get("reason") or "") for r in doc["results"])
    assert chinese_runs(reasons, names) == []


def test_evaluate_xlsx_is_english(run: Callable[..., str], project: Path, names: set[str],
                                  tmp_path: Path) -> None:
    out = tmp_path / "evaluation.xlsx"
    run("evaluate", str(project), "--plan", PLAN, "--format", "xlsx", "--out", str(out))
    wb = load_workbook(out, read_only=True)
    ws = wb.worksheets[0]
    reason_col = COLUMNS.index("reason")
    reasons = "\n".join(str(row[reason_col] or "")
                        for row in ws.iter_rows(min_row=2, values_only=True))
    assert chinese_runs(reasons, names) == []


def test_institutions_is_english(run: Callable[..., str], project: Path,
                                 names: set[str]) -> None:
    out = run("institutions", str(project), "--plan", PLAN)
    assert chinese_runs(out, names) == []


def test_plans_list_show_diff_are_english(run: Callable[..., str], project: Path,
                                          names: set[str]) -> None:
    proj = Project.open(project)
    described = _norm_descriptions(load_plan(PLAN, project=proj)) | _norm_descriptions(
        load_plan(OTHER, project=proj))
    show = run("plans", "show", PLAN, "--format", "table")
    diff = run("plans", "diff", PLAN, OTHER)
    listed = run("plans", "list")
    # a table cell drops the spaces beside Chinese characters (`tight`)
    given = names | described
    given |= {tight(n) for n in given}
    # the norms' table quotes each norm and describes it (`evaluation.norms.describe`, its
    # own family's words): a long quote folds over lines, so it is left out here
    norms_at, tasks_at = diff.index(_("norms") + "（"), diff.index(_("tasks") + "（")
    for out in (show, diff[:norms_at] + diff[tasks_at:]):
        assert chinese_runs(out, given) == []
    # the list names every plan by its title and region: those are the plans' own words
    from hsplan.plans.plan import list_plans

    titles = {f"{i.title}（{i.region}）" for i in list_plans(None)}
    assert chinese_runs(listed, titles) == []


def test_indicators_compute_is_english(run: Callable[..., str], project: Path,
                                       names: set[str]) -> None:
    from hsplan.plans.catalog import load_catalog

    ind = load_catalog().get("beds_per_1k")
    out = run("indicators", "compute", str(project), "beds_per_1k")
    assert chinese_runs(out, names | {ind.name_zh}) == []
    # the catalog by its English names; units in English
    english_names = {i.name_en for i in load_catalog().indicators.values()}  # (治未病) …
    assert chinese_runs(run("indicators", "list"), english_names) == []
    assert chinese_runs(run("indicators", "match", "每千人口床位数"), {"每千人口床位数"}) == []
    show = run("indicators", "show", "beds_per_1k")
    assert chinese_runs(show, {ind.name_zh, ind.definition, ind.source, *ind.aliases,
                               *_schema_words()}) == []


@pytest.mark.parametrize(("unit", "shown"), [
    ("张/千人", "beds per 1,000"), ("人/万人", "per 10,000"), ("辆/万人", "vehicles per 10,000"),
    ("名/10 万人口", "per 100,000"), ("1/10万", "per 100,000"), ("个", ""), ("分钟", "min"),
    ("%", "%"), ("1:x", "1:x"), ("某单位", "某单位")])
def test_units_in_english(unit: str, shown: str) -> None:
    from hsplan._i18n import in_language, unit_text

    assert unit_text(unit) == shown
    with in_language("zh"):  # Chinese: the unit as written
        assert unit_text(unit) == unit

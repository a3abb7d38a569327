"""English on request for demand and allocation: `hsplan needs`, `hsplan equity` and
`hsplan efficiency` on the example project leave no Chinese of hsplan's own in English mode
(only the data's names: areas, facilities, the plan's own words, facility types), and the
efficiency tables keep every facility name on one line at 80 columns in both languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from language_helpers import chinese_runs, readings_words

PLAN = "jiangchuan-2021-2025"


@pytest.fixture(scope="module")
def project() -> Path:
    from hsplan.region.example import example_project_path

    return Path(example_project_path())


@pytest.fixture(scope="module")
def names(project: Path) -> set[str]:
    """The data's own names: areas, facilities and their types, the project's name, the
    plan's title, norms, targets' indicator names as the plan writes them, the efficiency
    unit groups (schema categories) and what the plan's readings quote."""
    from hsplan.allocation.efficiency import UNIT_GROUPS
    from hsplan.plans.catalog import load_catalog
    from hsplan.plans.plan import load_plan
    from hsplan.plans.readings import Readings
    from hsplan.region import schema
    from hsplan.region.project import Project

    proj = Project.open(project)
    region = proj.load()
    plan = load_plan(PLAN, project=proj)
    catalog = load_catalog()
    found = {proj.name, plan.title, plan.region_name, Readings.from_plan(plan).line_zh(),
             *readings_words(plan)}
    found |= {str(n) for n in region.areas["name"].dropna()}
    found |= {str(n) for n in region.facilities["name"].dropna()}
    found |= set(schema.FACILITY_SUBTYPES) | set(schema.FACILITY_CATEGORIES) | set(UNIT_GROUPS)
    found |= {n.name for n in plan.norms if n.name}
    found |= {t.name for t in plan.targets if getattr(t, "name", None)}
    found |= {catalog.get(t.indicator).name_zh for t in plan.targets
              if t.indicator in catalog and not catalog.get(t.indicator).name_en}
    return {n for n in found if n}


def _run(args: list[str]) -> str:
    from hsplan.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("command", [
    ["needs", "{p}", "--plan", PLAN],
    ["needs", "{p}", "--plan", PLAN, "--year", "2030"],
    ["equity", "{p}"],
    ["equity", "{p}", "--resource", "beds,gps,facilities,visits", "--log-base", "10"],
    ["efficiency", "{p}"],
    ["efficiency", "{p}", "--malmquist", "2019-2023", "--rts", "vrs"],
], ids=["needs", "needs-2030", "equity", "equity-more", "efficiency", "efficiency-malmquist"])
def test_english_output_has_no_chinese_of_hsplan(
        project: Path, names: set[str], command: list[str],
        console_width: Callable[[int], None]) -> None:
    console_width(2000)  # the readings line and every cell on one line
    out = _run([a.format(p=project) for a in command])
    assert chinese_runs(out, names) == []


@pytest.mark.usefixtures("english")
def test_english_json_notes_and_words(project: Path, names: set[str]) -> None:
    import json

    doc = json.loads(_run(["needs", str(project), "--plan", PLAN, "--format", "json"]))
    table = [{k: r[k] for k in ("item", "method", "formula", "inputs", "assumptions", "unit",
                                "plan_target")} for r in doc["needs"]]
    words = json.dumps([table, doc["notes"], doc["year_note"],
                        doc["ambulance_coverage"]["line_zh"]], ensure_ascii=False)
    # the assumptions file quotes its sources in Chinese (a file of data, not hsplan's words)
    from hsplan.demand.needs import load_assumptions

    sources = set(load_assumptions(None).services.sources.values())
    sources |= {s.split(" (")[0] for s in sources}
    # how the plan's reading split the base year's population (`hsplan.plans.readings`)
    sources.add(doc["urban_rural"]["basis_zh"] or "")
    assert chinese_runs(words, names | sources) == []
    eff = json.loads(_run(["efficiency", str(project), "--format", "json"]))
    said = [g["model"] for g in eff["groups"].values()]
    said += [n for g in eff["groups"].values() for n in g["notes"]]
    said += [s["rts_zh"] for g in eff["groups"].values() for s in g["scores"]]
    assert chinese_runs(json.dumps(said, ensure_ascii=False), names) == []


@pytest.mark.usefixtures("english")
def test_english_workbooks(project: Path, names: set[str], tmp_path: Path) -> None:
    import openpyxl

    for command, sheets in (
            ("equity", ["indices", "decomposition by group", "agglomeration",
                        "Lorenz curves", "areas", "notes"]),
            ("efficiency", ["efficiency", "slacks and targets", "peers", "notes"])):
        path = tmp_path / f"{command}.xlsx"
        _run([command, str(project), "--format", "xlsx", "--out", str(path)])
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[:len(sheets)] == sheets
        # the headers (the cells below are finished by hsplan.reports.workbook, which writes
        # urban/rural and its own 说明 sheet in Chinese: not this family's words)
        for name in sheets:
            headers = [str(c.value) for c in book[name][1] if c.value is not None]
            assert headers, (command, name)
            assert chinese_runs("\n".join(headers), names) == [], (command, name)


# --- 80 columns --------------------------------------------------------------------------


def _facility_names(project: Path) -> list[str]:
    from hsplan.region.project import Project

    return [str(n) for n in Project.open(project).load().facilities["name"].dropna()]


def _split_names(out: str, facilities: list[str]) -> list[str]:
    """Return the facility names that appear in no line of `out` whole although a piece of
    them (their first four characters) starts a cell."""
    split = []
    for name in facilities:
        starts = [line for line in out.splitlines() if f"│ {name[:4]}" in line]
        if starts and not any(name in line for line in out.splitlines()):
            split.append(name)
    return split


@pytest.mark.parametrize("language", ["chinese", "english"])
def test_efficiency_at_80_columns_splits_no_facility_name(
        project: Path, language: str, request: pytest.FixtureRequest,
        console_width: Callable[[int], None]) -> None:
    request.getfixturevalue(language)
    console_width(80)
    out = _run(["efficiency", str(project), "--malmquist", "2019-2023"])
    facilities = _facility_names(project)
    shown = [n for n in facilities if n in out]
    assert len(shown) >= 10  # the hospitals and the 卫生院 are listed
    assert _split_names(out, facilities) == []
    from rich.cells import cell_len

    assert max(cell_len(line) for line in out.splitlines()
               if re.match(r"[┃│┏┡└]", line)) <= 80
    if language == "chinese":
        assert "参照机构" in out and "江川区前卫镇卫生院" in out

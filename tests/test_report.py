"""Tests of hsplan.reports.report: the evaluation report (评估报告) as a Word document."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import HsplanError, ValidationError
from hsplan.evaluation.norms import check
from hsplan.evaluation.targets import STATUS_ZH, STATUSES, evaluate, status_counts
from hsplan.plans.plan import load_plan
from hsplan.region.example import EXAMPLE_PLAN, copy_example
from hsplan.region.project import Project
from hsplan.reports.report import (
    HEADINGS,
    SYNTHETIC_MARK,
    TARGET_HEADERS,
    format_value,
    worst_norms,
    write_report,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_example(tmp_path_factory.mktemp("report") / "jiangchuan")


@pytest.fixture(scope="module")
def report(project: Project) -> tuple[Path, list[str]]:
    steps: list[str] = []
    path = write_report(project, load_plan(EXAMPLE_PLAN, project=project),
                        project.outputs_dir / "report.docx", progress=steps.append)
    return path, steps


def _style(paragraph: Any) -> str:
    return str(paragraph.style.name) if paragraph.style is not None else ""


def _headings(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if _style(p) == "Heading 1"]


def _section(document: Any, heading: str) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    start = texts.index(heading)
    rest = [k for k, p in enumerate(document.paragraphs[start + 1:], start + 1)
            if _style(p) == "Heading 1"]
    return texts[start + 1: rest[0] if rest else len(texts)]


def test_format_value() -> None:
    assert format_value(6.753196) == "6.753"
    assert format_value(float("nan")) == "—"
    assert format_value(None) == "—"
    assert format_value(256175) == "2.562e+05"


def test_report_structure(project: Project, report: tuple[Path, list[str]]) -> None:
    path, steps = report
    document = docx.Document(str(path))
    assert _headings(document) == list(HEADINGS)
    assert steps[0] == "一、总体情况 / 二、主要指标" and "四、服务可及性" in steps
    title = next(p.text for p in document.paragraphs if _style(p) == "Title")
    assert title == "《玉溪市江川区“十四五”医疗卫生服务体系规划》中期评估报告"
    # the evaluation, the norms map, two coverage maps and the needs chart
    assert len(document.inline_shapes) == 5
    # synthetic notice: in red on the cover and in the header of every section
    cover = next(p for p in document.paragraphs if p.text == SYNTHETIC_MARK)
    assert str(cover.runs[0].font.color.rgb) == "C62828"
    assert all(s.header.paragraphs[0].text.startswith(SYNTHETIC_MARK) for s in document.sections)
    body = document.styles["Normal"].element.rPr.rFonts
    assert body.get(qn("w:eastAsia")) == "宋体"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "黑体"


def test_targets_table_matches_evaluate(project: Project,
                                        report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    region = project.load()
    plan = load_plan(EXAMPLE_PLAN, project=project)
    results = evaluate(region, plan)
    table = next(t for t in document.tables
                 if tuple(c.text for c in t.rows[0].cells) == TARGET_HEADERS)
    assert len(table.rows) == len(plan.targets) + 1 == len(results) + 1
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[0] for r in rows] == list(results["target_id"])
    assert [r[4] for r in rows] == [format_value(v) for v in results["value"]]
    assert [r[7] for r in rows] == [STATUS_ZH[s] for s in results["status"]]
    t01 = next(r for r in rows if r[0] == "T01")
    assert t01[4] == "6.753" and t01[5] == "≥ 7" and t01[7] == "进度滞后"
    # status cells are shaded: off track red, met green
    fills = {r[7]: table.rows[k + 1].cells[7]._tc.get_or_add_tcPr().xpath("./w:shd")[0].get(
        qn("w:fill")) for k, r in enumerate(rows)}
    assert fills["偏离目标"] == "FFC7CE" and fills["已达标"] == "C6EFCE"


def test_status_counts_in_overview(project: Project, report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    counts = status_counts(evaluate(project.load(), load_plan(EXAMPLE_PLAN, project=project)))
    # 表2's W01–W03 and the prose P01 repeat 表1 (T10, T11, T13, T07): counted once (issue 10)
    # department shares carry no history (no trend: at risk, not off track); 床人比 on
    # hospitals is 1:1.81 against 1:2.12 (issue 10)
    assert counts == {"met": 7, "on track": 2, "at risk": 12, "off track": 4,
                      "not evaluable": 29, "not applicable": 0}
    text = _section(document, HEADINGS[0])[0]
    for status in STATUSES:
        assert f"{STATUS_ZH[status]} {counts[status]} 项" in text
    total = document.tables[0].rows[-1].cells
    assert [c.text for c in total] == ["合计", "58", *(str(counts[s]) for s in STATUSES)]


def test_findings_cite_worst_norm_and_coverage(project: Project,
                                               report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    findings = "\n".join(_section(document, HEADINGS[6]))
    from hsplan.access.service import ServiceAccess

    plan = load_plan(EXAMPLE_PLAN, project=project)
    worst = worst_norms(check(project.load(), plan, access=ServiceAccess.from_project(project)))
    top = worst.iloc[0]
    # issue 10: N41 (托育机构, none entered) is 无法评估, never the worst norm
    assert (top["norm_id"], top["failed"]) == ("N26", 42)
    assert f"N26“{top['name']}”" in findings
    assert "N41“婴幼儿照护15分钟服务圈”在 76 个检查对象中 76 个未达标" not in findings
    # the jiangchuan plan has no 约束性 targets
    assert "规划未列出约束性指标。" in findings
    assert "急救服务半径人口覆盖率为 76.4%，最低的是雄关乡（0.0%，未覆盖 12,030 人）" in findings


def test_findings_name_off_track_binding_targets(project: Project, tmp_path: Path) -> None:
    plan = load_plan("leshan-shizhong-2021-2025", project=project)
    results = evaluate(project.load(), plan)
    binding = results[(results["nature"] == "约束性") & (results["status"] == "off track")]
    # issue 10: these four binding targets are department shares without history: at risk
    # (no trend), no longer off track by construction
    assert list(binding["target_id"]) == []
    at_risk = results[(results["nature"] == "约束性") & (results["status"] == "at risk")]
    assert list(at_risk["target_id"][:4]) == ["T03", "T04", "T15", "T16"]
    path = write_report(project, plan, tmp_path / "leshan.docx", kind="终期评估", travel=False)
    document = docx.Document(str(path))
    findings = _section(document, HEADINGS[6])
    for target_id, name in zip(binding["target_id"], binding["name"], strict=True):
        assert any(f"约束性指标{target_id}“{name}”" in s and "偏离目标" in s for s in findings)
    assert "本次未计算行程时间（--no-travel），不评估服务可及性。" in \
        _section(document, HEADINGS[3])
    title = next(p.text for p in document.paragraphs if _style(p) == "Title")
    assert title.endswith("》终期评估报告")


def test_bad_arguments(project: Project, tmp_path: Path) -> None:
    plan = load_plan(EXAMPLE_PLAN, project=project)
    with pytest.raises(ValidationError) as err:
        write_report(project, plan, tmp_path / "r.docx", kind="年度评估")
    assert str(err.value.errors[0]) == ("report, argument kind: expected 中期评估 or "
                                        "终期评估, got '年度评估'. "
                                        "Fix: use --kind 中期评估 or --kind 终期评估")
    with pytest.raises(HsplanError, match=r"r\.pdf: expected a \.docx file name, got \.pdf"):
        write_report(project, plan, tmp_path / "r.pdf")


def test_cli_writes_default_path(project: Project) -> None:
    result = CliRunner().invoke(app, ["report", str(project.root), "--plan", EXAMPLE_PLAN,
                                      "--no-travel"])
    assert result.exit_code == 0, result.output
    expected = project.outputs_dir / f"report-{EXAMPLE_PLAN}-2023.docx"
    assert f"wrote {expected}" in result.output.replace("\n", "")
    assert _headings(docx.Document(str(expected))) == list(HEADINGS)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_converts_to_pdf(report: tuple[Path, list[str]], tmp_path: Path) -> None:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(report[0])], check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "report.pdf"
    assert pdf.stat().st_size > 100_000

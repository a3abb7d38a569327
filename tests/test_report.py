"""Tests of hsplan.reports.report: the evaluation report (评估报告) as a submittable document."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import HsplanError, ValidationError
from hsplan.evaluation.targets import STATUS_ZH, STATUSES, evaluate, status_counts
from hsplan.plans.plan import load_plan
from hsplan.region.example import EXAMPLE_PLAN, copy_example
from hsplan.region.project import Project
from hsplan.reports._render import soffice
from hsplan.reports.report import (
    ANNEXES,
    HEADINGS,
    LATIN_ALLOWED,
    SYNTHETIC_MARK,
    TARGET_HEADERS,
    chinese_only,
    format_value,
    report_blocks,
    report_data,
    worst_norms,
    write_report,
)

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z²]{2,}")
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
FILE_OR_COMMAND = re.compile(r"\.(txt|yaml|yml|csv|xlsx|gpkg|docx|json|py|png)\b|hsplan|--[a-z]")


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


def _all_text(document: Any) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [c.text for c in row.cells]
    return texts


def test_format_value_never_scientific() -> None:
    assert format_value(6.753196, "人/万人") == "6.75"
    assert format_value(62.5, "%") == "62.5"
    assert format_value(256175, "人") == "256,175"
    assert format_value(2.557e5) == "255,700"
    assert format_value(float("nan")) == "—"
    assert format_value(None) == "—"
    assert "e" not in format_value(1.5e-7, "张/千人")


def test_chinese_only() -> None:
    assert chinese_only("民政部 行政区划代码 2025-12-31 (MCA 2025), township name cross-check") \
        == "民政部 行政区划代码 2025-12-31"
    assert chinese_only("天地图 county boundaries (simplified)") == "天地图"
    assert chinese_only("配备CT和MRI") == "配备CT和MRI"
    assert chinese_only("常住人口 256175 人") == "常住人口 256,175 人"


def test_page_setup_styles_and_fields(report: tuple[Path, list[str]]) -> None:
    path, steps = report
    document = docx.Document(str(path))
    assert steps[0] == "主要指标" and "服务可及性" in steps
    for section in document.sections:  # A4
        assert round(section.page_width.cm, 1) == 21.0
        assert round(section.page_height.cm, 1) == 29.7
    body = document.styles["Normal"].element.rPr.rFonts
    assert body.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert document.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)
    assert re.search(r"<w:instrText[^>]*> TOC \\o", xml)
    assert "PAGE" in footers and "fldChar" in footers
    assert 'w:start="1"' in xml  # body pages numbered from 1 after cover and 目录
    # every table repeats its header row across pages
    assert document.tables
    for table in document.tables:
        trpr = table.rows[0]._tr.trPr
        assert trpr is not None and trpr.find(qn("w:tblHeader")) is not None


def test_structure(report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    assert _headings(document) == [*HEADINGS, *ANNEXES]
    title = next(p.text for p in document.paragraphs if _style(p) == "Title"
                 and p.text.startswith("《"))
    assert title == "《玉溪市江川区“十四五”医疗卫生服务体系规划》中期评估报告"
    # completion chart, trends, norms map, two coverage maps, pyramid
    assert len(document.inline_shapes) >= 6
    cover = next(p for p in document.paragraphs if p.text == SYNTHETIC_MARK)
    assert str(cover.runs[0].font.color.rgb) == "C62828"
    assert all(s.header.paragraphs[0].text.startswith(SYNTHETIC_MARK) for s in document.sections)
    texts = [p.text for p in document.paragraphs]
    # 落款: issuer and date right after the 附件 list, before 附件1
    sign = len(texts) - 1 - texts[::-1].index("玉溪市江川区卫生健康局")  # also on the cover
    assert texts[sign - 1].startswith("附件：1．数据来源与评估方法")
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", texts[sign + 1])
    assert sign < texts.index(ANNEXES[0])


def test_no_english_no_scientific_no_files(report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    for text in _all_text(document):
        words = set(LATIN_WORD.findall(text)) - LATIN_ALLOWED
        assert not words, (words, text)
        assert not SCIENTIFIC.search(text), text
        assert not FILE_OR_COMMAND.search(text), text


def test_targets_table_matches_evaluate(project: Project,
                                        report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    plan = load_plan(EXAMPLE_PLAN, project=project)
    results = evaluate(project.load(), plan)
    table = next(t for t in document.tables
                 if tuple(c.text for c in t.rows[0].cells) == TARGET_HEADERS)
    assert len(table.rows) == len(plan.targets) + 1 == len(results) + 1
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    t01 = rows["每万人口公共卫生人员数"]
    # 6.753 ≥ 7 by 2025, base 6.50 in 2020: 完成进度 (6.753 − 6.5) ÷ (7 − 6.5) = 50.6 %
    assert t01[2:8] == ["人/万人", "6.50", "6.75", "≥ 7.00", "50.6%", "进度滞后"]
    assert "距目标差 0.25 人/万人" in t01[8]
    assert [r[7] for r in rows.values()].count("偏离目标") == 4  # issue 10's counts
    # numbers are right-aligned
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    assert table.rows[1].cells[4].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    fills = {r.cells[7].text: r.cells[7]._tc.tcPr.xpath("./w:shd")[0].get(qn("w:fill"))
             for r in table.rows[1:]}
    assert fills["偏离目标"] == "FFC7CE" and fills["已达标"] == "C6EFCE"


def test_status_counts_in_overview(project: Project, report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    counts = status_counts(evaluate(project.load(), load_plan(EXAMPLE_PLAN, project=project)))
    # 表2's W01–W03 and the prose P01 repeat 表1 (T10, T11, T13, T07): counted once (issue 10)
    # department shares carry no history (no trend: at risk, not off track); 床人比 on
    # hospitals is 1:1.81 against 1:2.12 (issue 10)
    assert counts == {"met": 7, "on track": 2, "at risk": 12, "off track": 4,
                      "not evaluable": 29, "not applicable": 0}
    text = _section(document, HEADINGS[2])[0]
    for status in STATUSES:
        assert f"{STATUS_ZH[status]} {counts[status]} 项" in text
    # the 4 repeated rows are not counted: every row of 表1 adds up (58 listed, 54 targets)
    assert "规划共列出 54 项指标（另有 4 项在规划中重复列出，不重复计算）" in text
    total = document.tables[0].rows[-1].cells
    assert [c.text for c in total] == ["合计", "54", *(str(counts[s]) for s in STATUSES)]
    for row in document.tables[0].rows[1:]:
        cells = [c.text for c in row.cells]
        assert int(cells[1]) == sum(int(x) for x in cells[2:]), cells
    # the problems speak of the same counts: 12 进度滞后 and 4 偏离目标, of every nature
    issues = "\n".join(_section(document, HEADINGS[9]))
    assert "规划指标中 4 项偏离目标、12 项进度滞后" in issues


def test_completion_chart_counts_each_target_once(project: Project) -> None:
    from hsplan.reports.charts import completion_figure

    results = evaluate(project.load(), load_plan(EXAMPLE_PLAN, project=project))
    counts = status_counts(results)
    figure = completion_figure(results, year=2023, title="完成进度")
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    for status in ("met", "on track", "at risk", "off track"):
        assert f"{STATUS_ZH[status]}（{counts[status]}项）" in labels, labels
    assert len(figure.axes[0].get_yticklabels()) == sum(
        counts[s] for s in ("met", "on track", "at risk", "off track"))
    # read at a glance: the legend under the axis title, not over it; the names whole enough
    # to tell 二级以上 … 感染性疾病科 from 二级及以上 … 老年医学科; no "-0%"; one page high
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axis_title = figure.axes[0].xaxis.label.get_window_extent(renderer)
    assert not axis_title.overlaps(figure.legends[0].get_window_extent(renderer))
    names = [t.get_text().replace("\n", "") for t in figure.axes[0].get_yticklabels()]
    assert "二级以上综合医院(含中医医院)设置感染性疾病科的比例" in names
    assert "二级及以上综合医院(含中医医院)设置老年医学科的比例" in names
    values = [t.get_text() for t in figure.axes[0].texts]
    assert "-0%" not in values and "0%" in values
    assert figure.get_figheight() <= 8.2


def test_template_fonts_are_the_named_chinese_fonts(report: tuple[Path, list[str]]) -> None:
    """A theme font (python-docx's template gives Title and headings ``majorEastAsia``, an
    empty slot) overrides ``w:eastAsia`` in Word and LibreOffice: the title and headings came
    out in a sans font instead of 小标宋/楷体. The document is zh-CN."""
    with zipfile.ZipFile(report[0]) as z:
        styles = z.read("word/styles.xml").decode()
    assert not re.search(r'w:(ascii|eastAsia|hAnsi|cs)[Tt]heme=', styles)
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S)
    assert defaults and 'w:eastAsia="zh-CN"' in defaults.group(0)


def test_page_breaks_never_leave_a_blank_page(report: tuple[Path, list[str]]) -> None:
    """Each 附件 starts a page through its heading (``pageBreakBefore``), not through a
    paragraph holding a break, which leaves a blank page when it falls at a page foot."""
    document = docx.Document(str(report[0]))
    body = document.paragraphs[next(k for k, p in enumerate(document.paragraphs)
                                    if p.text == HEADINGS[0]):]
    breaks = [p for p in body if p._p.xpath('.//w:br[@w:type="page"]')]
    assert not breaks
    for annex in ANNEXES:
        heading = next(p for p in body if p.text == annex)
        assert heading.paragraph_format.page_break_before, annex


def test_findings_are_specific(project: Project, report: tuple[Path, list[str]]) -> None:
    document = docx.Document(str(report[0]))
    from hsplan.access.service import ServiceAccess
    from hsplan.evaluation.norms import check

    plan = load_plan(EXAMPLE_PLAN, project=project)
    worst = worst_norms(check(project.load(), plan, access=ServiceAccess.from_project(project)))
    top = worst.iloc[0]
    # issue 10: N41 (托育机构, none entered) is 无法评估, never the worst norm
    assert (top["norm_id"], top["failed"]) == ("N37", 6)
    issues = "\n".join(_section(document, HEADINGS[9]))
    assert "婴幼儿照护15分钟服务圈" not in issues
    # issue 10: the 院前急救 network of the plan's words (卫生院 and 区级医疗机构 included)
    assert "急救服务半径人口覆盖率为 91.7%，最低的是江城镇（82.8%，未覆盖 4,407 人）" in issues
    advice = [s for s in _section(document, HEADINGS[10]) if re.match(r"\d+．", s)]
    assert len(advice) >= 5
    assert len(set(advice)) == len(advice)  # no repeated stock sentence
    for sentence in advice:  # every recommendation cites a figure
        assert re.search(r"\d", sentence.split("．", 1)[1]), sentence
    assert any("江城镇" in s and "急救" in s for s in advice)
    assert "建议分析原因并调整措施" not in "\n".join(advice)
    effects = _section(document, HEADINGS[8])
    assert effects[0].startswith("1．7 项指标已达到规划目标")


def test_binding_targets_lead_problems(project: Project, tmp_path: Path) -> None:
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
    issues = _section(document, HEADINGS[9])
    for k, name in enumerate(binding["name"]):
        assert issues[k].startswith(f"{k + 1}．约束性指标“{name}”偏离目标"), issues[k]
    assert "服务可及性无法评估：本次评估未计算行程时间。" in _section(document, HEADINGS[5])
    title = next(p.text for p in document.paragraphs if _style(p) == "Title"
                 and p.text.startswith("《"))
    assert title.endswith("》终期评估报告")


def test_figures_are_readable_in_print(project: Project, tmp_path: Path) -> None:
    data = report_data(project, load_plan(EXAMPLE_PLAN, project=project), travel=False)
    _blocks, figs = report_blocks(data, tmp_path)
    assert figs.smallest_pt and min(figs.smallest_pt.values()) >= 7.9, figs.smallest_pt


def test_html_version(project: Project, tmp_path: Path) -> None:
    path = write_report(project, load_plan(EXAMPLE_PLAN, project=project),
                        tmp_path / "report.html", travel=False)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "size: A4" in text
    assert all(h in text for h in HEADINGS)
    assert "<thead>" in text and "data:image/png;base64," in text
    body = re.sub(r"<style>.*?</style>|<[^>]+>|data:image[^\"]+", " ", text, flags=re.S)
    assert not set(LATIN_WORD.findall(body)) - LATIN_ALLOWED - {"DOCTYPE", "html"}


@pytest.mark.usefixtures("english")  # checks the English text of a problem
def test_bad_arguments(project: Project, tmp_path: Path) -> None:
    plan = load_plan(EXAMPLE_PLAN, project=project)
    with pytest.raises(ValidationError) as err:
        write_report(project, plan, tmp_path / "r.docx", kind="年度评估")
    assert str(err.value.errors[0]) == ("report, argument kind: expected 中期评估 or "
                                        "终期评估, got '年度评估'. "
                                        "Fix: use --kind 中期评估 or --kind 终期评估")
    with pytest.raises(HsplanError,
                       match=r"r\.odt：报告文件的扩展名应为 \.docx、\.pdf 或 \.html，实际为 \.odt"):
        write_report(project, plan, tmp_path / "r.odt")
    assert not list(tmp_path.iterdir())


def test_cli_format_from_out_suffix(project: Project, tmp_path: Path) -> None:
    """`--out r.html` without `--format` writes HTML (the suffix decides); a suffix that
    contradicts `--format` is refused in Chinese and nothing is written."""
    result = CliRunner().invoke(app, ["report", str(project.root), "--plan", EXAMPLE_PLAN,
                                      "--no-travel", "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(app, ["report", str(project.root), "--plan", EXAMPLE_PLAN,
                                   "--no-travel", "--format", "docx",
                                   "--out", str(tmp_path / "x.html")])
    assert bad.exit_code != 0 and "扩展名应为 .docx，实际为 .html" in str(bad.exception)
    assert not (tmp_path / "x.html").exists()


def test_cli_writes_default_path(project: Project) -> None:
    result = CliRunner().invoke(app, ["report", str(project.root), "--plan", EXAMPLE_PLAN,
                                      "--no-travel"])
    assert result.exit_code == 0, result.output
    expected = project.outputs_dir / f"report-{EXAMPLE_PLAN}-2023.docx"
    assert str(expected) in result.output.replace("\n", "")
    assert _headings(docx.Document(str(expected))) == [*HEADINGS, *ANNEXES]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
def test_pdf(project: Project, tmp_path: Path) -> None:
    import pdfplumber

    path = write_report(project, load_plan(EXAMPLE_PLAN, project=project),
                        tmp_path / "report.pdf", travel=False)
    with pdfplumber.open(str(path)) as pdf:
        pages = pdf.pages
        assert all(round(p.width) == 595 and round(p.height) == 842 for p in pages)  # A4
        toc = pages[1].extract_text()
        assert "目" in toc and "一、评估背景与依据" in toc
        # the 目录 carries page numbers that point at the headings
        line = next(x for x in toc.splitlines() if "三、总体进展" in x)
        number = int(re.findall(r"(\d+)\s*$", line)[0])
        assert "三、总体进展" in pages[1 + number].extract_text()
        assert f"— {number} —" in pages[1 + number].extract_text()
        for page in pages:  # no empty pages
            assert len((page.extract_text() or "").strip()) > 20 or page.images
    assert shutil.which("soffice") or shutil.which("libreoffice")


def test_a_scenario_is_set_beside_the_baseline_in_an_annex(project: Project,
                                                            tmp_path: Path) -> None:
    """`report --scenario` (e.g. the YAML `hsplan site` writes): 附件6 names the changes in
    words and shows the targets and norms the scenario changes, as `compare` computes them."""
    from hsplan.scenarios.scenario import compare, load_scenario

    path = tmp_path / "beds.yaml"
    path.write_text("id: more-beds\ntitle: 区人民医院增加床位\nyear: 2023\nchanges:\n"
                    "  - op: add\n    facility: H001\n    from: 2023\n"
                    "    resources: {beds: 400, nurses: 160}\n", encoding="utf-8")
    plan = load_plan(EXAMPLE_PLAN, project=project)
    scenario = load_scenario(path)
    out = write_report(project, plan, tmp_path / "r.docx", travel=False, scenario=scenario)
    document = docx.Document(str(out))
    annex = _section(document, "附件6　情景测算：区人民医院增加床位")
    said = " ".join(annex)
    assert "实有床位 400" in said and "注册护士 160" in said, said
    expected = compare(project.load(), scenario, plan).indicators
    moved = expected[expected["status_changed"] | (expected["change"].abs().fillna(0) > 1e-12)]
    assert len(moved) >= 2  # beds and nurses per 1,000 at least
    table = next(t for t in document.tables
                 if [c.text for c in t.rows[0].cells][3:5] == ["现状值", "情景值"])
    rows = {r.cells[1].text: r.cells for r in table.rows[1:]}
    assert len(rows) == len(moved)
    for r in moved.to_dict(orient="records"):
        cells = rows[r["name"]]
        assert float(cells[4].text.replace(",", "")) == pytest.approx(r["value_scenario"],
                                                                     abs=0.051)
        assert cells[6].text == STATUS_ZH[r["status_scenario"]]
    assert any("附件：" in t and "情景测算" in t for t in _all_text(document))
    for text in _all_text(document):
        assert not set(LATIN_WORD.findall(text)) - LATIN_ALLOWED, text
        assert not SCIENTIFIC.search(text), text

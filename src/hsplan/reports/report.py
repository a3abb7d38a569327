"""The evaluation report (评估报告): a document a 卫健委 can submit, as Word, PDF or HTML.

`report_data` runs the analyses once — `hsplan.evaluation.targets.evaluate` (targets, and
once per earlier year for the trend charts), `hsplan.evaluation.norms.check`
(resource-allocation norms), `hsplan.reports.coverage.coverage_report` (15-minute primary
care circle, ambulance radii), `hsplan.demand.needs.needs` and
`hsplan.evaluation.tasks.task_status`. `achievements`, `problems` and `recommendations` turn
the numbers into sentences, each naming the indicator, township or department and citing
its figure. `report_blocks` lays the document out as blocks (headings, paragraphs,
tables, figures) that `write_report` renders to .docx (through the styles of the shipped
template, see `hsplan.reports._word`), .pdf (LibreOffice) or .html.

The text is Chinese throughout: no identifiers, file names or commands; numbers by unit
(`hsplan._i18n.format_number`), never in scientific notation.

The parts live beside this module: `hsplan.reports._report_data` (the numbers and the
report's constants), `hsplan.reports._findings` (the sentences) and
`hsplan.reports._sections` (the blocks); their public names are re-exported here.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hsplan._i18n import in_language
from hsplan.errors import HsplanError
from hsplan.plans.plan import Plan
from hsplan.region.project import Project
from hsplan.reports._findings import (
    achievements,
    problems,
    recommendations,
    worst_norms,
)
from hsplan.reports._render import (
    SYNTHETIC_MARK,
    docx_to_pdf,
    front_pages,
    heading_pages,
    pdf_page_texts,
    soffice,
    to_docx,
    to_html,
)
from hsplan.reports._report_data import (
    ANNEXES,
    FORMATS,
    HEADINGS,
    KINDS,
    LATIN_ALLOWED,
    TARGET_HEADERS,
    ReportData,
    _check_args,
    chinese_only,
    format_value,
    report_data,
)
from hsplan.reports._sections import report_blocks

__all__ = ["ANNEXES", "HEADINGS", "KINDS", "LATIN_ALLOWED", "SYNTHETIC_MARK", "TARGET_HEADERS",
           "ReportData",
           "achievements", "chinese_only", "format_value", "problems", "recommendations",
           "report_blocks", "report_data", "worst_norms", "write_report"]


# --- rendering --------------------------------------------------------------------------------


def write_report(project: Project, plan: Plan, path: str | Path, *, year: int | None = None,
                 kind: str = "中期评估", travel: bool = True, fmt: str | None = None,
                 issuer: str | None = None,
                 progress: Callable[[str], None] | None = None,
                 scenario: Any = None) -> Path:
    """Write the evaluation report of `plan` on `project` to `path` (.docx, .pdf or .html,
    from `fmt` or the suffix); return the path.

    The .docx uses the styles of the shipped template; its 目录 is a TOC field that Word
    refreshes on opening. The .pdf is the .docx converted by LibreOffice twice: the first
    PDF gives each heading's page, which the 目录 of the second carries. The file is
    written beside `path` under a temporary name and moved into place.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    fmt = fmt or suffix
    if fmt not in FORMATS or suffix != fmt:
        want = fmt if fmt in FORMATS else "docx、.pdf 或 .html"
        raise HsplanError(f"{target}：报告文件的扩展名应为 .{want}，实际为 "
                          f"{target.suffix or '（无）'}。改正：例如 --out outputs/report.docx、"
                          "report.pdf 或 report.html（--format 可省略，按扩展名判断）。")
    _check_args(kind, year, fmt)
    if fmt == "pdf" and soffice() is None:
        docx_to_pdf(target, target.parent)  # raises the clear message
    # the report is a Chinese official document, whatever language the reader asked for
    with in_language("zh"):
        data = report_data(project, plan, year=year, kind=kind, travel=travel, issuer=issuer,
                           progress=progress, scenario=scenario)
        step = progress or (lambda _label: None)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="hsplan-report-") as tmp:
            folder = Path(tmp)
            step("图表")
            blocks, _figs = report_blocks(data, folder)
            tmp_out = folder / f"report.{fmt}"
            if fmt == "html":
                to_html(blocks, data, tmp_out)
            else:
                docx = folder / "report.docx"
                to_docx(blocks, data, docx)
                if fmt == "pdf":
                    step("目录页码")
                    texts = pdf_page_texts(docx_to_pdf(docx, folder))
                    heads = [b.text for b in blocks if b.kind == "heading" and b.level <= 2]
                    pages = heading_pages(texts, heads, front_pages=front_pages(texts))
                    to_docx(blocks, data, docx, toc_pages=pages)
                    (folder / "report.pdf").unlink()
                    docx_to_pdf(docx, folder)
            partial = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(tmp_out, partial)
            partial.replace(target)
    return target

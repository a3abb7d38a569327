"""Rendering of the report's blocks: Word (through the template's styles), HTML, and PDF
(the Word file converted by LibreOffice, with the 目录 page numbers read back).

`to_docx` / `to_html` take the blocks of `hsplan.reports.report.report_blocks` and the
`ReportData` (title, synthetic flag, issuer and date for the cover).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hsplan._i18n import _
from hsplan.errors import HsplanError

TEXT_WIDTH_CM = 15.6
SYNTHETIC_MARK = "合成数据"
SYNTHETIC_NOTICE = ("合成数据：本报告的机构、资源、服务量、乡镇边界、村居位置与人口均为模型生成的"
                    "示例数据，仅用于演示，不反映真实情况。")
FIRST_HEADING = "一、评估背景与依据"


def date_text(d: dt.date) -> str:
    """Return a date as a Chinese document writes it: 2026年12月3日."""
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Block:
    """One piece of the document: heading, paragraph, table, figure, page break or TOC."""

    kind: str
    text: str = ""
    level: int = 0
    style: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    aligns: list[str] | None = None
    widths: list[float] | None = None
    fills: list[dict[int, str]] | None = None
    bold_rows: set[int] | None = None
    path: Path | None = None
    width_cm: float = TEXT_WIDTH_CM



def _cover_lines(data: Any) -> list[str]:
    return [f"评估年度：{data.year}年", data.issuer, date_text(data.date)]


def to_docx(blocks: list[Block], data: Any, path: Path,
             toc_pages: dict[str, int] | None = None) -> None:
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    from hsplan.reports import _word

    doc = _word.new_document()
    for _line in range(3):
        doc.add_paragraph(style=_word.COVER)
    doc.add_paragraph(data.title, style="Title")
    if data.synthetic:
        par = doc.add_paragraph(style=_word.COVER)
        run = par.add_run(SYNTHETIC_MARK)
        run.bold = True
        run.font.size = Pt(26)
        run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
        par = doc.add_paragraph(style=_word.NOTE)
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = par.add_run(SYNTHETIC_NOTICE)
        run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    for _line in range(4):
        doc.add_paragraph(style=_word.COVER)
    for line in _cover_lines(data):
        doc.add_paragraph(line, style=_word.COVER)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    entries = [(b.level, b.text, (toc_pages or {}).get(b.text)) for b in blocks
               if b.kind == "heading" and b.level <= 2]
    _word.add_toc(doc, entries)
    if data.synthetic:
        par = doc.sections[0].header.paragraphs[0]
        run = par.add_run(f"{SYNTHETIC_MARK} · {data.title}")
        run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    _word.page_number_footer(body)
    new_page = False  # a page break starts the next paragraph on a new page (never a
    # paragraph of its own: one that falls at the foot of a full page leaves a blank page)
    for b in blocks:
        par = None
        if b.kind == "heading":
            par = doc.add_paragraph(b.text, style=f"Heading {b.level}")
        elif b.kind == "para":
            style = {"signature": _word.SIGNATURE, "synthetic": _word.NOTE}.get(b.style)
            par = doc.add_paragraph(b.text, style=style)
            if b.style == "synthetic":
                for run in par.runs:
                    run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
            if b.style == "annexlist":
                par.paragraph_format.space_before = Pt(16)
        elif b.kind == "caption":
            par = doc.add_paragraph(b.text, style=_word.CAPTION)
        elif b.kind == "table":
            if new_page:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                new_page = False
            _word.add_table(doc, b.headers, b.rows, aligns=b.aligns, widths_cm=b.widths,
                            fills=b.fills, bold_rows=b.bold_rows)
        elif b.kind == "figure" and b.path is not None:
            par = doc.add_paragraph(style=_word.FIGURE)
            par.paragraph_format.keep_with_next = True
            par.add_run().add_picture(str(b.path), width=Cm(b.width_cm))
        elif b.kind == "pagebreak":
            new_page = True
        if par is not None and new_page:
            par.paragraph_format.page_break_before = True
            new_page = False
    doc.save(str(path))


_HTML_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋_GB2312", "仿宋", "Noto Serif CJK SC", serif;
       font-size: 16pt; line-height: 28pt; max-width: 156mm; margin: 2em auto; color: #000; }
h1.title { font-family: "方正小标宋简体", "Noto Serif CJK SC", serif; font-size: 22pt;
           text-align: center; line-height: 36pt; }
h2 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-size: 16pt;
     font-weight: normal; text-indent: 2em; margin: 0.5em 0 0; }
h3 { font-family: "楷体_GB2312", "KaiTi", "Noto Serif CJK SC", serif; font-size: 16pt;
     font-weight: normal; text-indent: 2em; margin: 0; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.signature { text-align: right; }
p.caption { font-family: "黑体", "Noto Sans CJK SC", sans-serif; font-size: 12pt;
            text-align: center; text-indent: 0; margin-top: 0.6em; }
p.cover { text-align: center; text-indent: 0; font-family: "楷体_GB2312", serif; }
p.synthetic { color: #c62828; text-indent: 0; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; line-height: 1.4;
        margin: 0.3em 0 0.8em; }
th, td { border: 1px solid #000; padding: 2px 4px; }
th { background: #e7e6e6; font-family: "黑体", "Noto Sans CJK SC", sans-serif;
     font-weight: normal; }
td.r { text-align: right; } td.c { text-align: center; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
figure { margin: 0.5em 0; text-align: center; } figure img { max-width: 100%; }
nav.toc p { text-indent: 0; } nav.toc p.l2 { padding-left: 2em; }
.pagebreak { page-break-after: always; }
"""


def to_html(blocks: list[Block], data: Any, path: Path) -> None:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{e(data.title)}</title><style>{_HTML_CSS}</style></head><body>",
           f'<h1 class="title">{e(data.title)}</h1>']
    if data.synthetic:
        out.append(f'<p class="synthetic">{e(SYNTHETIC_NOTICE)}</p>')
    out += [f'<p class="cover">{e(x)}</p>' for x in _cover_lines(data)]
    out.append('<nav class="toc"><h2>目录</h2>')
    anchors: dict[str, str] = {}
    for k, b in enumerate(x for x in blocks if x.kind == "heading" and x.level <= 2):
        anchors[b.text] = f"s{k}"
        out.append(f'<p class="l{b.level}"><a href="#s{k}">{e(b.text)}</a></p>')
    out.append('</nav><div class="pagebreak"></div>')
    for b in blocks:
        if b.kind == "heading":
            anchor = anchors.get(b.text, "")
            out.append(f'<h{b.level + 1} id="{anchor}">{e(b.text)}</h{b.level + 1}>')
        elif b.kind == "para":
            cls = f' class="{b.style}"' if b.style else ""
            out.append(f"<p{cls}>{e(b.text)}</p>")
        elif b.kind == "caption":
            out.append(f'<p class="caption">{e(b.text)}</p>')
        elif b.kind == "table":
            aligns = b.aligns or ["l"] * len(b.headers)
            out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in b.headers)
                       + "</tr></thead><tbody>")
            for i, row in enumerate(b.rows):
                cells = []
                for k, text in enumerate(row):
                    style = ""
                    if b.fills is not None and k in b.fills[i]:
                        style = f' style="background:#{b.fills[i][k]}"'
                    bold = (b.bold_rows is not None and i in b.bold_rows)
                    body = f"<b>{e(text)}</b>" if bold else e(text)
                    cells.append(f'<td class="{aligns[k]}"{style}>{body}</td>')
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</tbody></table>")
        elif b.kind == "figure" and b.path is not None:
            data64 = base64.b64encode(b.path.read_bytes()).decode("ascii")
            out.append(f'<figure><img alt="" style="width:{b.width_cm}cm" '
                       f'src="data:image/png;base64,{data64}"></figure>')
        elif b.kind == "pagebreak":
            out.append('<div class="pagebreak"></div>')
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")


def soffice() -> str | None:
    """Return the LibreOffice program (``soffice``/``libreoffice``) found on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert `docx` to PDF in `out_dir` with LibreOffice (fonts substituted through the
    report's fontconfig file); return the PDF path."""
    program = soffice()
    if program is None:
        raise HsplanError(_("converting the report to PDF needs LibreOffice, which is not "
                            "installed. Fix: apt-get install libreoffice-writer-nogui, or write "
                            "--format docx / html."))
    from hsplan.reports._word import FONTCONFIG

    env = dict(os.environ)
    if FONTCONFIG.exists():
        env["FONTCONFIG_FILE"] = str(FONTCONFIG)
    profile = out_dir / "lo-profile"
    proc = subprocess.run(
        [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "pdf", "--outdir", str(out_dir), str(docx)], capture_output=True, text=True,
        timeout=600, env=env, check=False)
    pdf = out_dir / (docx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise HsplanError(_("LibreOffice could not convert the report to PDF (exit {code}): "
                            "{stderr}").format(code=proc.returncode,
                                               stderr=proc.stderr.strip()[:300]))
    return pdf


def pdf_page_texts(pdf: Path) -> list[str]:
    """Return the text of each page of `pdf` (pdfium, as pdfplumber uses)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[k].get_textpage().get_text_range() for k in range(len(doc))]
    finally:
        doc.close()


def heading_pages(pages: list[str], headings: list[str], *, front_pages: int) -> dict[str, int]:
    """Return the body page number of each heading, from the page texts of the report's
    PDF (pages after the `front_pages` cover and 目录 pages count from 1)."""
    found: dict[str, int] = {}
    todo = list(headings)
    for number, text in enumerate(pages, start=1):
        if number <= front_pages:
            continue
        lines = [re.sub(r"\s+", "", x) for x in text.splitlines()]
        for h in list(todo):
            key = re.sub(r"\s+", "", h)
            if any(line.startswith(key) for line in lines):
                found[h] = number - front_pages
                todo.remove(h)
    return found


def front_pages(pages: list[str]) -> int:
    """Return the number of pages before the body (cover and 目录)."""
    for number, text in enumerate(pages, start=1):
        if number > 1 and re.sub(r"\s+", "", text).find(FIRST_HEADING) >= 0 \
                and "目录" not in re.sub(r"\s+", "", text):
            return number - 1
    return 2



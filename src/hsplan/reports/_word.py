"""Word plumbing of the report: the shipped template, fields, tables with repeated headers.

Layout lives in Word styles, in ``hsplan/data/report/template.docx`` (built by
`build_template`, so a planner can restyle it in Word and keep it): A4, margins after
GB/T 9704-2012 (党政机关公文格式: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm),
a serif title (方正小标宋简体), headings in 黑体 (一、) and 楷体 (（一）), a 仿宋 body of
三号 (16 pt) with a fixed 28 pt line, table text 五号 (10.5 pt). The East Asian font slot
(``w:eastAsia``) names the fonts Word looks for (仿宋_GB2312, 黑体, 楷体_GB2312); where they
are missing LibreOffice substitutes through fontconfig (see `FONTCONFIG`), with the Noto
CJK fonts run.sh installs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "report" / "template.docx"
FONTCONFIG = Path(__file__).resolve().parents[1] / "data" / "report" / "fonts.conf"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
BODY_PT = 16.0
TABLE_PT = 10.5
CAPTION_PT = 12.0
LINE_PT = 28.0

# style name → (East Asian font, size pt, bold, alignment, first-line indent in characters)
TABLE_TEXT = "表格文字"
TABLE_HEAD = "表头"
CAPTION = "题注"
FIGURE = "图片"
SIGNATURE = "落款"
NOTE = "注释"
COVER = "封面文字"
THEME_FONT_ATTRS = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")
LANGUAGE = "zh-CN"


def _chinese_defaults(doc: Any) -> None:
    """Make the document's default run properties Chinese: no theme fonts (their East Asian
    slot is empty in python-docx's template, so headings fell back to a sans font) and the
    language zh-CN (so the CJK fonts draw the simplified-Chinese glyph forms)."""
    for any_fonts in doc.styles.element.iter(qn("w:rFonts")):
        for theme in THEME_FONT_ATTRS:
            any_fonts.attrib.pop(qn(theme), None)
    rpr = doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr")[0]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        fonts.set(qn("w:eastAsia"), BODY_FONT)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def east_asia(style_or_run: Any, name: str, latin: str = LATIN_FONT) -> None:
    """Set the East Asian (``w:eastAsia``) and Latin fonts of a style or run element."""
    rpr = style_or_run.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in THEME_FONT_ATTRS:  # a theme font wins over a named one in Word and LibreOffice
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)


def _style(doc: Any, name: str, *, base: str | None = "Normal", font: str = BODY_FONT,
           size: float = BODY_PT, bold: bool = False,
           align: WD_ALIGN_PARAGRAPH | None = None, indent_chars: float = 0.0,
           line_pt: float | None = LINE_PT, before: float = 0.0, after: float = 0.0,
           kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> Any:
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, kind)
    if base is not None and name != base:
        style.base_style = styles[base]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    east_asia(style.element, font)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.first_line_indent = Pt(size * indent_chars) if indent_chars else Pt(0)
    if line_pt is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    return style


def build_template(path: str | Path = TEMPLATE) -> Path:
    """Write the report template (.docx with the report's styles and A4 page) to `path`."""
    from docx import Document

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)
    _chinese_defaults(doc)
    _style(doc, "Normal", base=None, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Title", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
           line_pt=36, before=0, after=24)
    h1 = _style(doc, "Heading 1", font=HEADING_FONT, size=BODY_PT, indent_chars=2,
                before=6, after=0)
    h2 = _style(doc, "Heading 2", font=KAI_FONT, size=BODY_PT, indent_chars=2)
    h3 = _style(doc, "Heading 3", font=BODY_FONT, size=BODY_PT, bold=True, indent_chars=2)
    for level, style in enumerate((h1, h2, h3)):
        style.paragraph_format.keep_with_next = True
        ppr = style.element.get_or_add_pPr()
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is None:
            outline = OxmlElement("w:outlineLvl")
            ppr.append(outline)
        outline.set(qn("w:val"), str(level))
    _style(doc, "Footer", font=BODY_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER,
           line_pt=None)
    _style(doc, "Header", font=BODY_FONT, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER,
           line_pt=None)
    _style(doc, TABLE_TEXT, font=BODY_FONT, size=TABLE_PT, line_pt=None)
    _style(doc, TABLE_HEAD, font=HEADING_FONT, size=TABLE_PT, line_pt=None,
           align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, CAPTION, font=HEADING_FONT, size=CAPTION_PT, line_pt=None,
           align=WD_ALIGN_PARAGRAPH.CENTER, before=3, after=9)
    _style(doc, FIGURE, font=BODY_FONT, size=CAPTION_PT, line_pt=None,
           align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    _style(doc, NOTE, font=BODY_FONT, size=CAPTION_PT, line_pt=None, before=3, after=6)
    _style(doc, SIGNATURE, font=BODY_FONT, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _style(doc, COVER, font=KAI_FONT, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    for level in (1, 2):
        toc = _style(doc, f"TOC {level}", font=BODY_FONT, size=14, line_pt=26,
                     indent_chars=0)
        toc.paragraph_format.left_indent = Cm(0.0 if level == 1 else 0.74)
        toc.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), alignment=2, leader=1)
    # no stray empty paragraph in the template's body
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def new_document() -> Any:
    """Return a new python-docx Document from the shipped template (built if missing)."""
    from docx import Document

    if not TEMPLATE.exists():
        build_template(TEMPLATE)
    doc = Document(str(TEMPLATE))
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")  # Word refreshes the 目录 page numbers when opened
    return doc


def add_field(paragraph: Any, instruction: str, result: str = "") -> None:
    """Append a complex field (``PAGE``, ``TOC …``) with cached `result` to `paragraph`."""
    def run_with(child: Any) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    if result:
        paragraph.add_run(result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def page_number_footer(section: Any) -> None:
    """Put ``— n —`` (a PAGE field) centred in the footer of `section`, numbering from 1."""
    footer = section.footer
    footer.is_linked_to_previous = False
    par = footer.paragraphs[0]
    par.text = ""
    par.style = "Footer"
    par.add_run("— ")
    add_field(par, "PAGE", "1")
    par.add_run(" —")
    sect_pr = section._sectPr
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sect_pr.append(pg)
    pg.set(qn("w:start"), "1")


def add_toc(doc: Any, entries: list[tuple[int, str, int | None]]) -> None:
    """Add a 目录 (TOC field over heading levels 1–2) whose cached result lists `entries`
    (level, heading, page or None); Word refreshes it on opening."""
    heading = doc.add_paragraph("目　　录", style="Title")
    heading.paragraph_format.space_after = Pt(12)
    first = doc.add_paragraph(style="TOC 1")
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    for child in (begin,):
        r = OxmlElement("w:r")
        r.append(child)
        first._p.append(r)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
    r = OxmlElement("w:r")
    r.append(instr)
    first._p.append(r)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    r = OxmlElement("w:r")
    r.append(sep)
    first._p.append(r)
    par = first
    for k, (level, text, page) in enumerate(entries):
        if k:
            par = doc.add_paragraph(style=f"TOC {min(level, 2)}")
        elif level != 1:
            par.style = doc.styles[f"TOC {min(level, 2)}"]
        par.add_run(text)
        par.add_run("\t" + ("" if page is None else str(page)))
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    r = OxmlElement("w:r")
    r.append(end)
    par._p.append(r)


def shade(cell: Any, fill: str) -> None:
    """Fill a table cell with the hex colour `fill`."""
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _row_flag(row: Any, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def add_table(doc: Any, headers: list[str], rows: list[list[str]], *,
              aligns: list[str] | None = None, widths_cm: list[float] | None = None,
              fills: list[dict[int, str]] | None = None, bold_rows: set[int] | None = None) -> Any:
    """Add a grid table: header row repeated on every page (``w:tblHeader``), rows that do not
    split across pages, text in the 表格文字 style, ``r`` columns right-aligned, optional
    cell fills (row index → {column: hex})."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _row_flag(head, "w:tblHeader")
    _row_flag(head, "w:cantSplit")
    for c, text in zip(head.cells, headers, strict=True):
        c.text = ""
        c.paragraphs[0].style = doc.styles[TABLE_HEAD]
        c.paragraphs[0].add_run(text)
        shade(c, "E7E6E6")
    align_map = {"r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER,
                 "l": WD_ALIGN_PARAGRAPH.LEFT}
    for i, values in enumerate(rows):
        row = table.add_row()
        _row_flag(row, "w:cantSplit")
        for k, (c, text) in enumerate(zip(row.cells, values, strict=True)):
            par = c.paragraphs[0]
            par.style = doc.styles[TABLE_TEXT]
            run = par.add_run(text)
            if bold_rows and i in bold_rows:
                run.bold = True
            if aligns is not None:
                par.alignment = align_map[aligns[k]]
            if fills is not None and k in fills[i]:
                shade(c, fills[i][k])
    if widths_cm is not None:
        table.autofit = False
        tblpr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        width = tblpr.find(qn("w:tblW"))
        if width is None:
            width = OxmlElement("w:tblW")
            tblpr.append(width)
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
        for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
            gc.set(qn("w:w"), str(int(w * 567)))
        for k, col in enumerate(table.columns):
            col.width = Cm(widths_cm[k])
            for c in col.cells:
                c.width = Cm(widths_cm[k])
    return table

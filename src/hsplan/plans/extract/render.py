"""A plain-text plan document written the ways plans are published: Word (.docx) with heading
styles and real tables, HTML with ``<table>`` (rowspan/colspan) and one ``<p>`` per
paragraph, PDF with ruled tables or tables set with white space only (continued on the next
page without a repeated header), and
the same text in traditional characters.

The extraction tests read these renderings back and score them against the same built-in
plans as the plain text (`hsplan.plans.extract.scoring`): a reader that depends on how a
document is flattened shows up as lost recall.

`text_blocks(text)` gives the blocks of a flattened text with its tables restored: the
indicator tables (as `hsplan.plans.extract.tables` reads them: header row, then one row per
indicator, the category cell merged down over its rows) and the task-division tables (序号 |
工作任务 | 牵头部门 | 配合部门: one row per task, the chapter cells merged down) and the
tab-separated tables (a table of contents stays text). All other text stays as it is, one
paragraph per line. PDF rendering needs fpdf2 and fontTools (the
``test`` extra) and a Noto CJK font (fonts-noto-cjk).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from hsplan._i18n import _
from hsplan.errors import DataSourceError
from hsplan.plans.extract.documents import Block, DocTable, blocks_from_text, document_from_text
from hsplan.plans.extract.rawtables import raw_tables
from hsplan.plans.extract.tables import table_targets
from hsplan.plans.extract.tasks import is_unit_list, is_units

FORMATS = ("docx", "html", "pdf", "pdf-unruled", "traditional")
CJK_FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
             Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
             Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"))
_DIVISION = re.compile(r"序号\s*\|\s*(?:工作任务|重点任务|主要任务)\s*\|\s*"
                       r"牵头(?:部门|单位)\s*\|\s*(?:配合|协同|参与)(?:部门|单位)\s*\|")

_TOC_LINE = re.compile(r"^\s*第[一二三四五六七八九十]+[章节]")


def division_grid(cells: list[str]) -> tuple[list[list[str]], list[str]]:
    """Return the rows ([序号, 工作任务, 任务, 牵头, 配合]) of a task-division table given
    as its data cells in reading order, and the cells after the last row."""
    rows: list[list[str]] = []
    prefix: list[str] = []
    i = 0
    while i + 2 < len(cells):
        title, lead, support = cells[i:i + 3]
        if title and not re.fullmatch(r"\d+", title) and not is_unit_list(title) \
                and is_unit_list(lead) and is_units(support):
            if len(prefix) == 1 and not re.fullmatch(r"\d+", prefix[0]):
                prefix = ["", prefix[0]]
            prefix = ([""] * (2 - len(prefix)) + prefix)[-2:]
            rows.append([*prefix, title, lead, support])
            prefix = []
            i += 3
        else:
            if cells[i]:
                prefix.append(cells[i])
            i += 1
    rest = [c for c in [*prefix, *cells[i:]] if c]
    return rows, rest


def text_blocks(text: str) -> list[Block]:
    """Return the blocks of a flattened plan text with its indicator and task-division
    tables restored as tables (see the module notes)."""
    doc = document_from_text(text)
    found = table_targets(doc, period_end=2025, baseline_year=2020)
    pieces: list[tuple[int, int, DocTable, str]] = []
    for (a, b), (caption, cells) in zip(found.spans, found.grids, strict=True):
        pieces.append((a, b, DocTable(tuple(tuple(r) for r in cells), caption), ""))
    for m in _DIVISION.finditer(text):
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        row_cells = [c.strip() for c in text[m.end():end].split("|")]
        rows, rest = division_grid(row_cells)
        if rows:
            header = ("序号", "工作任务", "", "牵头部门", "配合部门")
            table = DocTable((header, *(tuple(r) for r in rows)), None)
            pieces.append((m.start(), end, table, " ".join(rest)))
    for raw in raw_tables(text):
        a, b = raw.span or (0, 0)
        if raw.source != "tab" or any(x < b and a < y for x, y, _t, _r in pieces):
            continue
        lines = [ln for ln in text[a:b].split("\n") if ln.strip()]
        if sum(1 for ln in lines if _TOC_LINE.match(ln)) * 2 >= len(lines):
            continue  # a table of contents stays text
        grid = tuple(tuple(c.strip() for c in ln.split("\t")) for ln in lines)
        pieces.append((a, b, DocTable(grid, None), ""))
    blocks: list[Block] = []
    pos = 0
    for a, b, table, after in sorted(pieces, key=lambda p: p[0]):
        if a < pos:
            continue
        blocks += blocks_from_text(text[pos:a])
        blocks.append(Block("table", "", f"table {sum(1 for x in blocks if x.table) + 1}",
                            table=table))
        if after:
            blocks += blocks_from_text(after)
        pos = b
    blocks += blocks_from_text(text[pos:])
    return blocks


def _spans(rows: tuple[tuple[str, ...], ...], width: int) -> dict[tuple[int, int], int]:
    """Rows each cell of the first two columns spans: a blank cell below a filled one in a
    data row is merged into it (the category or chapter cell of several rows)."""
    spans: dict[tuple[int, int], int] = {}
    for col in range(min(2, width)):
        top = None
        for i in range(1, len(rows)):
            cell = rows[i][col] if col < len(rows[i]) else ""
            if cell:
                top = i
                spans[(i, col)] = 1
            elif top is not None and any(rows[i][col + 1:]):
                spans[(top, col)] += 1
                spans[(i, col)] = 0
    return spans


def _padded(table: DocTable) -> tuple[tuple[str, ...], ...]:
    width = max(len(r) for r in table.rows)
    return tuple((*r, *[""] * (width - len(r))) for r in table.rows)


def write_docx(blocks: list[Block], path: Path) -> Path:
    """Write `blocks` as a Word document: headings in Heading styles, tables as Word tables
    with the header row repeated and merged cells merged."""
    import docx
    from docx.oxml import OxmlElement

    d = docx.Document()
    for block in blocks:
        if block.table is None:
            if block.kind == "heading":
                d.add_heading(block.text, level=min(3, block.level))
            else:
                d.add_paragraph(block.text)
            continue
        rows = _padded(block.table)
        width = len(rows[0])
        if block.table.caption:
            d.add_paragraph(block.table.caption)
        table = d.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
        header = rows[0]
        for j in range(1, width):
            if header[j] == "" and header[j - 1]:
                table.cell(0, j - 1).merge(table.cell(0, j)).text = header[j - 1]
        for (i, j), n in _spans(rows, width).items():
            if n > 1:
                table.cell(i, j).merge(table.cell(i + n - 1, j)).text = rows[i][j]
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    d.save(str(path))
    return path


def write_html(blocks: list[Block], path: Path) -> Path:
    """Write `blocks` as an HTML page: one ``<p>`` per paragraph, ``<h1>``–``<h3>`` for
    headings, tables with rowspan for merged cells and colspan for wide header cells."""
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>规划</title></head>"
             "<body>"]
    for block in blocks:
        if block.table is None:
            tag = f"h{min(3, block.level)}" if block.kind == "heading" else "p"
            parts.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
            continue
        rows = _padded(block.table)
        width = len(rows[0])
        spans = _spans(rows, width)
        if block.table.caption:
            parts.append(f"<p>{html.escape(block.table.caption)}</p>")
        parts.append("<table border='1'>")
        header = list(rows[0])
        cells = []
        j = 0
        while j < width:
            span = 1
            while j + span < width and header[j + span] == "" and header[j]:
                span += 1
            attr = f" colspan='{span}'" if span > 1 else ""
            cells.append(f"<th{attr}>{html.escape(header[j])}</th>")
            j += span
        parts.append("<tr>" + "".join(cells) + "</tr>")
        for i, row in enumerate(rows[1:], start=1):
            cells = []
            for j, text in enumerate(row):
                n = spans.get((i, j), 1)
                if n == 0:
                    continue
                attr = f" rowspan='{n}'" if n > 1 else ""
                cells.append(f"<td{attr}>{html.escape(text)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_traditional(text: str, path: Path) -> Path:
    """Write `text` converted to traditional characters (OpenCC s2t) as UTF-8 text."""
    from opencc import OpenCC

    path.write_text(OpenCC("s2t").convert(text), encoding="utf-8")
    return path


def cjk_font() -> Path:
    """Return the path of an installed Noto Sans CJK font collection; raise
    `DataSourceError` when none is installed."""
    for path in CJK_FONTS:
        if path.is_file():
            return path
    raise DataSourceError(_("no Noto Sans CJK font found: expected one of {paths}. Fix: "
                            "apt-get install fonts-noto-cjk").format(
                                paths=", ".join(map(str, CJK_FONTS))))


def cjk_ttf(text: str, path: Path) -> Path:
    """A TrueType subset of Noto Sans CJK SC with the glyphs of `text` (fpdf2 cannot embed
    the CFF outlines of the .ttc so that a PDF reader reads the text back)."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(cjk_font()), fontNumber=2)
    options = subset.Options()
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font.sfntVersion = "\x00\x01\x00\x00"
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                 "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    font["head"].indexToLocFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.save(str(path))
    return path


def write_pdf(blocks: list[Block], path: Path, *, ruled: bool = True) -> Path:
    """Write `blocks` as a PDF with ruled tables (or, not `ruled`, tables set with white
    space only, as many published PDFs are); every table starts near the foot of a page so
    that it continues on the next page, without its header repeated."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    chars = set("0123456789")
    for block in blocks:
        chars |= set(block.text)
        if block.table is not None:
            chars |= {ch for row in block.table.rows for c in row for ch in c}
            chars |= set(block.table.caption or "")
    font = cjk_ttf("".join(sorted(chars)), path.with_suffix(".ttf"))
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=9)
    for block in blocks:
        if block.table is None:
            pdf.multi_cell(0, 5, block.text.replace("\t", "  "), new_x="LMARGIN", new_y="NEXT",
                           wrapmode=WrapMode.CHAR)
            continue
        rows = _padded(block.table)
        width = len(rows[0])
        if block.table.caption:
            pdf.multi_cell(0, 5, block.table.caption, new_x="LMARGIN", new_y="NEXT",
                           wrapmode=WrapMode.CHAR)
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.set_y(max(pdf.get_y(), pdf.h - 60))  # the table runs over the page foot
        widths = tuple(4 if j == width - 1 and width == 5 and rows[0][3] == "牵头部门"
                       else (3 if j == 2 else 1) for j in range(width))
        with pdf.table(headings_style=FontFace(emphasis=None), wrapmode=WrapMode.CHAR,
                       borders_layout="ALL" if ruled else "NONE", padding=0 if ruled else 1,
                       col_widths=widths, repeat_headings=0, first_row_as_headings=True,
                       line_height=5) as grid:
            for row in rows:
                r = grid.row()
                for cell in row:
                    r.cell(cell)
        pdf.ln(3)
    pdf.output(str(path))
    path.with_suffix(".ttf").unlink(missing_ok=True)
    return path


def render(text: str, fmt: str, path: Path) -> Path:
    """Write the plan text `text` at `path` in format `fmt` (one of `FORMATS`: docx, html,
    pdf, pdf-unruled, traditional) and return the path."""
    if fmt == "traditional":
        return write_traditional(text, path)
    blocks = text_blocks(text)
    if fmt == "pdf-unruled":
        return write_pdf(blocks, path, ruled=False)
    writer = {"docx": write_docx, "html": write_html, "pdf": write_pdf}.get(fmt)
    if writer is None:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return writer(blocks, path)

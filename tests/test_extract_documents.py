"""Plan documents read from .txt (UTF-8/GB18030), .docx, .pdf and .html, and their metadata.

The Word, PDF and HTML files are made here from the seed documents' indicator tables (as
the seed text flattens them), with merged category cells as real documents have them; each
must give the same targets, figure for figure, as the built-in plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hsplan.errors import DataSourceError
from hsplan.plans.extract import extract_plan
from hsplan.plans.extract.documents import decode_text, read_document
from hsplan.plans.extract.metadata import document_metadata
from hsplan.plans.extract.render import cjk_ttf
from hsplan.plans.extract.scoring import seed_plans, seeds_dir, table_key
from hsplan.plans.extract.tables import table_targets

TABLE_SEEDS = ["000_a2a2a54b8113ffa6.txt", "001_2d33021bfff8d9bb.txt",
               "002_041e161165b26347.txt"]
PLANS = {p.source_document: p for p in seed_plans()}
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _grids(seed: str) -> list[tuple[str | None, list[list[str]]]]:
    doc = read_document(seeds_dir() / seed)
    return table_targets(doc, period_end=2025, baseline_year=2020).grids


def _expected(seed: str) -> list[tuple]:
    return sorted(table_key(t) for t in PLANS[seed].data["targets"]
                  if t.get("source_kind") == "table")


def _got(path: Path) -> list[tuple]:
    plan = PLANS[path.name.split(".")[0] + ".txt"]
    result = table_targets(read_document(path), period_end=plan.period_end,
                           baseline_year=plan.baseline_year)
    return sorted(table_key(t) for t in result.targets)


def _spans(grid: list[list[str]]) -> list[int]:
    """Rows over which the first cell spans (a category cell left blank below it)."""
    spans = [1] * len(grid)
    last = 0
    for i, row in enumerate(grid):
        if i and row and row[0] == "" and any(row[1:]) and grid[0][0] == "类别":
            spans[last] += 1
            spans[i] = 0
        else:
            last = i
    return spans


def _write_docx(seed: str, path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("某地卫生健康规划(测试文档):主要指标见下表。")
    for caption, grid in _grids(seed):
        d.add_paragraph(caption or "主要指标")
        width = max(len(r) for r in grid)
        table = d.add_table(rows=len(grid), cols=width)
        spans = _spans(grid)
        for i, row in enumerate(grid):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
        for i, n in enumerate(spans):
            if n > 1:  # merge the category cell down over its rows, as Word does
                table.cell(i, 0).merge(table.cell(i + n - 1, 0))
                table.cell(i, 0).text = grid[i][0]
        d.add_paragraph("以上指标到2025年完成。")
    d.save(str(path))


def _write_html(seed: str, path: Path) -> None:
    parts = ["<html><head><meta charset='utf-8'><title>规划</title></head><body>",
             "<p>某地卫生健康规划(测试页面):主要指标见下表。</p>"]
    for caption, grid in _grids(seed):
        parts.append(f"<p>{caption or '主要指标'}</p><table border='1'>")
        spans = _spans(grid)
        for i, row in enumerate(grid):
            cells = []
            for j, text in enumerate(row):
                if j == 0 and spans[i] == 0:
                    continue
                span = f" rowspan='{spans[i]}'" if j == 0 and spans[i] > 1 else ""
                cells.append(f"<td{span}>{text}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def _write_pdf(seed: str, path: Path, tmp: Path, *, ruled: bool = True) -> None:
    """Write the seed's indicator tables as a PDF: ruled (a grid), or set with white space
    only (no ruling line at all), as many published PDFs are."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    grids = _grids(seed)
    intro = "某地卫生健康规划(测试文档):主要指标见下表。"
    text = intro + "".join((c or "主要指标") + "".join("".join(r) for r in g) for c, g in grids)
    pdf = FPDF(orientation="L")
    pdf.add_page()
    pdf.add_font("cjk", fname=str(cjk_ttf(text + "0123456789", tmp / "cjk.ttf")))
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(0, 6, intro, new_x="LMARGIN", new_y="NEXT")
    for caption, grid in grids:
        pdf.multi_cell(0, 6, caption or "主要指标", new_x="LMARGIN", new_y="NEXT")
        width = max(len(r) for r in grid)
        with pdf.table(headings_style=FontFace(emphasis=None), wrapmode=WrapMode.CHAR,
                       borders_layout="ALL" if ruled else "NONE",
                       col_widths=tuple(4 if len(grid[0]) > 5 and j == 2 else 1
                                        for j in range(width))) as table:
            for row in grid:
                r = table.row()
                for cell in [*row, *[""] * (width - len(row))]:
                    r.cell(cell)
        pdf.ln(4)
    pdf.output(str(path))


@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_word_table_gives_the_same_targets(seed: str, tmp_path: Path) -> None:
    path = tmp_path / (seed.removesuffix(".txt") + ".docx")
    _write_docx(seed, path)
    assert read_document(path).tables
    assert _got(path) == _expected(seed)


@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_html_table_gives_the_same_targets(seed: str, tmp_path: Path) -> None:
    path = tmp_path / (seed.removesuffix(".txt") + ".html")
    _write_html(seed, path)
    assert _got(path) == _expected(seed)


@pytest.mark.skipif(not CJK_FONT.is_file(), reason="Noto Sans CJK is not installed")
@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_pdf_table_gives_the_same_targets(seed: str, tmp_path: Path) -> None:
    path = tmp_path / (seed.removesuffix(".txt") + ".pdf")
    _write_pdf(seed, path, tmp_path)
    assert _got(path) == _expected(seed)


@pytest.mark.skipif(not CJK_FONT.is_file(), reason="Noto Sans CJK is not installed")
@pytest.mark.parametrize("seed", TABLE_SEEDS)
def test_pdf_table_without_ruling_lines_gives_the_same_targets(seed: str,
                                                               tmp_path: Path) -> None:
    path = tmp_path / (seed.removesuffix(".txt") + ".pdf")
    _write_pdf(seed, path, tmp_path, ruled=False)
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:  # truly no grid for pdfplumber's finder
        assert not any(page.find_tables() for page in pdf.pages)
    assert _got(path) == _expected(seed)


def test_gb18030_text_reads_like_utf8(tmp_path: Path) -> None:
    text = (seeds_dir() / "002_041e161165b26347.txt").read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode("gb18030"))
    assert read_document(path).text == text.replace("\r\n", "\n")
    assert decode_text(text.encode("gb18030"), name="x") == text.replace("\r\n", "\n")


@pytest.mark.usefixtures("english")  # checks the English text; Chinese in the test below
def test_garbled_and_empty_documents_give_a_clear_error(tmp_path: Path) -> None:
    text = (seeds_dir() / "000_a2a2a54b8113ffa6.txt").read_text(encoding="utf-8")[:3000]
    garbled = tmp_path / "garbled.txt"
    garbled.write_text(text.encode("utf-8").decode("latin-1"), encoding="utf-8")
    with pytest.raises(DataSourceError) as err:
        extract_plan(garbled)
    assert str(err.value) == (
        "garbled.txt: the document does not read as Chinese text: expected at least 20 "
        "Chinese characters making up ≥ 20% of the text, got 0 (0%). Fix: the file is "
        "garbled or in the wrong encoding; save it again as UTF-8 text, .docx or a PDF "
        "with a text layer.")
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n ", encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"^empty.txt: the document is empty: expected "
                       r"the text of a plan, got no visible characters\."):
        extract_plan(empty)
    with pytest.raises(DataSourceError, match=r"expected a plan document ending in \.txt, "
                       r"\.docx, \.pdf or \.html, got '\.xls'"):
        read_document(_touch(tmp_path / "plan.xls"))


def test_document_errors_are_in_chinese_by_default(tmp_path: Path) -> None:
    text = (seeds_dir() / "000_a2a2a54b8113ffa6.txt").read_text(encoding="utf-8")[:3000]
    garbled = tmp_path / "garbled.txt"
    garbled.write_text(text.encode("utf-8").decode("latin-1"), encoding="utf-8")
    with pytest.raises(DataSourceError) as err:
        extract_plan(garbled)
    assert str(err.value) == (
        "garbled.txt：文档读不出中文：应至少有 20 个汉字且占文本 ≥ 20%，实际为 0 个（0%）。"
        "处理办法：文件是乱码或编码有误；重新保存为 UTF-8 文本、.docx 或带文字层的 PDF。")
    with pytest.raises(DataSourceError, match=r"^plan\.xls：应为扩展名为 \.txt、\.docx、\.pdf 或 "
                       r"\.html 的规划文档，实际为 '\.xls'。处理办法："):
        read_document(_touch(tmp_path / "plan.xls"))


def _touch(path: Path) -> Path:
    path.write_bytes(b"x")
    return path


@pytest.mark.parametrize("seed, title, kind, code, name, period, issuer, date", [
    ("000_a2a2a54b8113ffa6.txt", None, "规划", "530403", "云南省玉溪市江川区", (2021, 2025),
     None, None),
    ("001_2d33021bfff8d9bb.txt", "内蒙古自治区鄂尔多斯市康巴什区“十四五”卫生健康事业发展规划"
     "(2021-2025)", "规划", "150603", "内蒙古自治区鄂尔多斯市康巴什区", (2021, 2025),
     "鄂尔多斯市康巴什区人民政府", "2022-06-23"),
    ("002_041e161165b26347.txt", "乐山市市中区“十四五”医疗卫生服务体系规划", "规划", "511102",
     "四川省乐山市市中区", (2021, 2025), "乐山市市中区人民政府办公室", "2023-11-30"),
    ("003_e14da291fa1a9871.txt", "聊城市进一步完善医疗卫生服务体系的实施方案(征求意见稿)",
     "实施方案", "371500", "山东省聊城市", (2024, 2025), "聊城市卫生健康委员会", None),
    ("004_18377352c194759e.txt", "赣州经开区卫生健康服务能力全面提升三年行动计划(2023-2025年)",
     "行动计划", "360702400", "江西省赣州市赣州经济技术开发区", (2023, 2025), None,
     "2023-12-08"),
])
def test_seed_metadata(seed: str, title: str | None, kind: str, code: str, name: str,
                       period: tuple[int, int], issuer: str | None, date: str | None) -> None:
    meta = document_metadata(read_document(seeds_dir() / seed).text, name=seed)
    assert (meta.title if meta.title_found else None) == title
    assert (meta.kind, meta.region_code, meta.region_name) == (kind, code, name)
    assert (meta.period_start, meta.period_end) == period
    assert (meta.issuer, meta.date) == (issuer, date)
    # the built-in plan (the expected answer) agrees on kind, region and period
    plan = PLANS[seed]
    assert (plan.kind, plan.region_code, plan.period_start, plan.period_end) == \
        (kind, code, *period)

"""Metadata that holds up (hsplan.plans.extract.metadata): the plan's own period before the
periods it looks back on, region from the bundled division codes, several plans in one file
refused or split, and a document with metadata but nothing else still written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import HsplanError
from hsplan.plans.extract import extract_document, extract_plan, extract_plans
from hsplan.plans.extract.metadata import find_period, find_region, plan_starts
from hsplan.plans.extract.scoring import seeds_dir

KANGBASHI = seeds_dir() / "001_2d33021bfff8d9bb.txt"
LESHAN = seeds_dir() / "002_041e161165b26347.txt"
OPENING = """\
宁蒗彝族自治县人民政府办公室关于印发宁蒗彝族自治县“十四五”卫生健康事业发展规划的通知
各乡（镇）人民政府，县直各部门：
现将《宁蒗彝族自治县“十四五”卫生健康事业发展规划》印发给你们，请认真组织实施。
宁蒗彝族自治县人民政府办公室
2022年5月10日
宁蒗彝族自治县“十四五”卫生健康事业发展规划
“十三五”时期，全县卫生健康事业取得长足发展。
"""


def test_period_is_the_plans_own_not_the_one_it_looks_back_on() -> None:
    assert find_period(None, "“十三五”期间，全区卫生健康事业取得长足发展。“十四五”时期是…") \
        == (2021, 2025)
    assert find_period(None, "2016-2020年，成就显著。本规划期为2021—2025年。") == (2021, 2025)
    # a 2023–2025 step inside a 十四五 plan, a 十五五 outlook after its date of issue
    assert find_period(None, "“十四五”时期…2023-2025年分步实施…谋划“十五五”",
                       "2022-03-01") == (2021, 2025)
    assert find_period("赣州经开区卫生健康服务能力全面提升三年行动计划(2023-2025年)",
                       "“十四五”以来") == (2023, 2025)


@pytest.mark.parametrize(("title", "code", "name"), [
    ("乐山市市中区“十四五”医疗卫生服务体系规划", "511102", "四川省乐山市市中区"),
    ("内江市市中区卫生健康事业发展“十四五”规划", "511002", "四川省内江市市中区"),
    ("宁蒗彝族自治县“十四五”卫生健康事业发展规划", "530724", "云南省丽江市宁蒗彝族自治县"),
])
def test_region_from_the_division_codes(title: str, code: str, name: str) -> None:
    assert find_region(title, "")[:2] == (code, name)


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_two_plans_in_one_file_are_refused_with_the_reason() -> None:
    text = KANGBASHI.read_text(encoding="utf-8") + "\n" + LESHAN.read_text(encoding="utf-8")
    assert [t for _at, t in plan_starts(text)] == [
        "内蒙古自治区鄂尔多斯市康巴什区“十四五”卫生健康事业发展规划(2021-2025)",
        "乐山市市中区“十四五”医疗卫生服务体系规划"]
    with pytest.raises(HsplanError, match=r"the document holds 2 plans: 《内蒙古.*》 \(line "
                       r"31\); 《乐山市市中区.*》 \(line \d+\).*Fix: .*--split"):
        extract_plan(text)
    # split, each part gives what the plan alone gives
    parts = extract_plans(text)
    alone = [extract_plan(KANGBASHI), extract_plan(LESHAN)]
    assert [p.plan["region"]["code"] for p in parts] == ["150603", "511102"]
    assert [p.counts for p in parts] == [a.counts for a in alone]


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_two_plans_in_one_web_page_split_each_with_its_title(tmp_path: Path) -> None:
    from hsplan.plans.extract.render import render

    # the page has the contents as lines ("目 录" / "第一章 规划背景和总体要求 5"), not
    # tab-separated: no line of the contents reads as the second plan's title
    both = tmp_path / "both.html"
    render(KANGBASHI.read_text(encoding="utf-8") + "\n" + LESHAN.read_text(encoding="utf-8"),
           "html", both)
    with pytest.raises(HsplanError, match=r"holds 2 plans: .*《乐山市市中区“十四五”医疗卫生"
                                          r"服务体系规划》"):
        extract_plan(both)
    parts = extract_plans(both)
    assert [(p.plan["title"], p.plan["region"]["code"]) for p in parts] == [
        ("内蒙古自治区鄂尔多斯市康巴什区“十四五”卫生健康事业发展规划(2021-2025)", "150603"),
        ("乐山市市中区“十四五”医疗卫生服务体系规划", "511102")]


def test_one_plan_per_seed() -> None:
    for path in sorted(seeds_dir().glob("00*.txt")):
        assert len(plan_starts(path.read_text(encoding="utf-8"))) <= 1, path.name


def test_cli_split_writes_one_plan_file_per_plan(tmp_path: Path) -> None:
    both = tmp_path / "both.txt"
    both.write_text(KANGBASHI.read_text(encoding="utf-8") + "\n"
                    + LESHAN.read_text(encoding="utf-8"), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["extract", str(both), "-o", str(tmp_path / "plan.yaml")])
    assert res.exit_code != 0 and "文档中有 2 个规划" in str(res.exception)  # Chinese by default
    assert "《乐山市市中区“十四五”医疗卫生服务体系规划》（第 " in str(res.exception)
    assert not (tmp_path / "plan.yaml").exists()  # nothing half-written
    res = runner.invoke(app, ["extract", str(both), "--split", "-o",
                              str(tmp_path / "plan.yaml")])
    assert res.exit_code == 0, res.output
    codes = [yaml.safe_load((tmp_path / f"plan-{k}.yaml").read_text(encoding="utf-8"))
             ["region"]["code"] for k in (1, 2)]
    assert codes == ["150603", "511102"]


def test_metadata_only_document_is_written_with_a_warning(tmp_path: Path) -> None:
    result = extract_plan(OPENING)
    plan = result.plan
    assert plan["title"] == "宁蒗彝族自治县“十四五”卫生健康事业发展规划"
    assert plan["region"]["code"] == "530724"
    assert plan["period"] == {"start": 2021, "end": 2025}
    assert (plan["issuer"], plan["date"]) == ("宁蒗彝族自治县人民政府办公室", "2022-05-10")
    assert all(plan[k] == [] for k in ("targets", "norms", "institutions", "tasks"))
    assert result.notes[0].startswith("警告：未找到目标、标准、机构或任务")
    path = tmp_path / "opening.txt"
    path.write_text(OPENING, encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", str(path), "-o", str(tmp_path / "o.yaml")])
    assert res.exit_code == 0, res.output
    assert "警告：未找到目标" in res.output
    assert yaml.safe_load((tmp_path / "o.yaml").read_text(encoding="utf-8"))["region"][
        "code"] == "530724"


def test_title_from_the_title_block_not_a_document_it_cites(tmp_path: Path) -> None:
    import docx

    from hsplan.plans.extract.documents import document_from_html
    from hsplan.plans.extract.metadata import find_title

    # a page that links another plan above the title: a line that also reads as a title
    html = ("<html><body><p>相关文件：云南省玉溪市“十四五”卫生健康规划</p>"
            "<h1>江川区“十四五”医疗卫生服务体系规划</h1>"
            "<p>到2025年，全区每千人口医疗卫生机构床位数达到6.5张。</p></body></html>")
    doc = document_from_html(html, name="t.html")
    assert find_title(doc.text) == "相关文件：云南省玉溪市“十四五”卫生健康规划"
    result = extract_document(doc)
    assert result.plan["title"] == "江川区“十四五”医疗卫生服务体系规划"
    assert result.plan["region"]["code"] == "530403"
    d = docx.Document()
    d.add_paragraph("上级文件：四川省乐山市“十四五”卫生健康发展规划")
    d.add_heading("乐山市市中区“十四五”医疗卫生服务体系规划", level=0)  # Word's Title style
    d.add_heading("第一章 规划背景", level=1)
    d.add_paragraph("到2025年，全区每千人口医疗卫生机构床位数达到9张。")
    path = tmp_path / "leshan.docx"
    d.save(str(path))
    result = extract_plan(path)
    assert result.plan["title"] == "乐山市市中区“十四五”医疗卫生服务体系规划"
    assert result.plan["region"]["code"] == "511102"


# openings (title block, notice, first lines) written the way county and district plans are
# published: a notice before the title, a title wrapped over two lines, the period in
# brackets, the city left out, traditional characters, a 十四五 plan looking back on 十三五
OPENINGS = [
    ("南京市江宁区人民政府关于印发南京市江宁区“十四五”卫生健康发展规划的通知\n"
     "各街道办事处，区府各委办局，各直属单位：\n现将《南京市江宁区“十四五”卫生健康发展规划》"
     "印发给你们，请认真贯彻执行。\n南京市江宁区人民政府\n2021年12月20日\n"
     "南京市江宁区“十四五”卫生健康发展规划\n“十三五”时期，全区卫生健康事业取得显著成就。\n",
     "南京市江宁区“十四五”卫生健康发展规划", "320115"),
    ("温州市鹿城区医疗卫生服务体系规划（2021—2025年）\n为贯彻落实《浙江省医疗卫生服务体系暨"
     "医疗机构设置“十四五”规划》，结合“十三五”发展实际，制定本规划。\n",
     "温州市鹿城区医疗卫生服务体系规划（2021—2025年）", "330302"),
    ("鄂尔多斯市东胜区“十四五”医疗卫生\n服务体系规划\n第一章 规划背景\n"
     "“十三五”以来，东胜区医疗卫生服务体系不断完善。\n",
     "鄂尔多斯市东胜区“十四五”医疗卫生服务体系规划", "150602"),
    ("丽水市莲都区人民政府办公室关于印发莲都区卫生健康事业发展“十四五”规划的通知\n"
     "各乡镇人民政府、街道办事处，区政府直属各单位：\n《莲都区卫生健康事业发展“十四五”规划》"
     "已经区政府同意，现印发给你们，请认真贯彻实施。\n丽水市莲都区人民政府办公室\n"
     "2021年9月30日\n",
     "莲都区卫生健康事业发展“十四五”规划", "331102"),
    ("雲南省玉溪市江川區“十四五”醫療衛生服務體系規劃\n“十三五”時期，全區醫療衛生事業取得長足"
     "發展。\n", "云南省玉溪市江川区“十四五”医疗卫生服务体系规划", "530403"),
    ("桐庐县卫生健康事业发展规划\n一、发展基础\n“十三五”期间（2016—2020年），全县卫生健康事业"
     "快速发展。\n“十四五”时期是全面建设社会主义现代化国家的开局起步期。\n",
     "桐庐县卫生健康事业发展规划", "330122"),
]


@pytest.mark.parametrize(("text", "title", "code"), OPENINGS)
def test_opening_gives_title_region_and_the_plans_own_period(text: str, title: str,
                                                             code: str) -> None:
    result = extract_plan(text)
    plan = result.plan
    assert (plan["title"], plan["region"]["code"]) == (title, code)
    assert plan["period"] == {"start": 2021, "end": 2025}  # not the 十三五 it looks back on
    assert result.notes[0].startswith("警告：未找到目标")  # written, not refused

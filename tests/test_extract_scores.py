"""Extraction scored against the built-in plans (the expected answers for the five seeds),
an unseen document of the same genre, the CLI, and diffing an extracted plan."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.errors import HsplanError
from hsplan.plans.extract import extract_plan
from hsplan.plans.extract.scoring import (
    quote_overlap,
    score_seeds,
    scores_markdown,
    seed_plans,
    seeds_dir,
    totals,
)
from hsplan.plans.plan import diff_plans, load_plan

UNSEEN = """\
某某市某某县人民政府办公室关于印发某某县“十四五”医疗卫生服务体系规划的通知
各乡镇人民政府,县直各部门:
现将《某某县“十四五”医疗卫生服务体系规划》印发给你们,请认真贯彻执行。
某某县人民政府办公室
2022年3月15日
思南县“十四五”医疗卫生服务体系规划
一、发展目标
到2025年,全县医疗卫生服务体系更加完善。主要指标如下。
表1 思南县医疗卫生服务体系主要指标
指标类别\t指标名称\t单位\t2020年\t2025年\t属性
资源配置\t每千人口医疗卫生机构床位数\t张\t5.62\t6.5\t预期性
\t每千人口执业(助理)医师数\t人\t2.05\t2.6\t预期性
\t每万人口全科医生数\t人\t2.1\t≥3.5\t约束性
服务能力\t县域内就诊率\t%\t85\t90以上\t预期性
\t居民满意度\t%\t—\t持续提升\t预期性
二、主要任务
到2025年,全县每个乡镇卫生院至少配备1名公共卫生医师。
力争到2024年底,县人民医院创建为三级乙等综合医院,床位数增至650张。
"""


def test_scores_of_the_five_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    scores = score_seeds(lambda path: extract_plan(path).plan)
    table = scores[scores["kind"] == "table targets"]
    with capsys.disabled():
        print("\nextraction scored against the built-in plans (recall, precision)")
        print(scores.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
        print(totals(scores).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    # every indicator-table row of every seed, with its exact figures, and nothing else
    assert table["expected"].tolist() == [0, 27, 24, 20, 0]
    assert table["matched"].tolist() == table["expected"].tolist()
    assert table["extracted"].tolist() == table["expected"].tolist()
    assert len(scores) == 25
    assert set(scores["plan"]) == {p.id for p in seed_plans()}
    # the per-seed table in docs/extraction-scores.md (copied into the README) is the one
    # measured now
    docs = Path(__file__).resolve().parents[1] / "docs" / "extraction-scores.md"
    assert scores_markdown(scores) in docs.read_text(encoding="utf-8")


def test_extraction_time_per_seed(capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted(seeds_dir().glob("00*.txt"))
    extract_plan(paths[0])  # loads the catalog and the division tables once
    times = {}
    for path in paths:
        start = time.perf_counter()
        extract_plan(path)
        times[path.name] = time.perf_counter() - start
    with capsys.disabled():
        print("\nextraction time per seed (s):",
              ", ".join(f"{k[:3]} {v:.2f}" for k, v in times.items()))
    assert len(times) == 5


def test_quote_overlap() -> None:
    assert quote_overlap("到2025年,每千人口床位数为3.56。", "每千人口床位数为3.56") == 1.0
    assert quote_overlap("每千人口 床位数", "每千人口床位数") == 1.0
    assert quote_overlap("加强组织领导", "完善投入机制") == 0.0


def test_extracted_plan_loads_and_diffs_against_the_builtin(tmp_path: Path) -> None:
    result = extract_plan(seeds_dir() / "000_a2a2a54b8113ffa6.txt")
    path = tmp_path / "extracted.yaml"
    path.write_text(result.to_yaml(), encoding="utf-8")
    extracted = load_plan(path)
    assert extracted.id == "extracted-530403-2021-2025"
    assert (extracted.region_code, extracted.region_name) == ("530403", "云南省玉溪市江川区")
    diff = diff_plans(extracted, load_plan("jiangchuan-2021-2025"))
    rows = diff[(diff["kind"] == "target") & (diff["key"] == "beds_per_1k")].iloc[0]
    assert (rows["presence"], rows["value_a"], rows["value_b"], rows["stricter"]) == \
        ("both", "3.56", "3.56", "same")
    table_ids = {t.indicator for t in extracted.targets if t.source_kind == "table"}
    both = set(diff.loc[(diff["kind"] == "target") & (diff["presence"] == "both"), "key"])
    assert table_ids <= both


def test_unseen_document_gives_a_partial_plan_and_the_unparsed_sentences() -> None:
    result = extract_plan(UNSEEN)
    plan = result.plan
    assert plan["title"] == "思南县“十四五”医疗卫生服务体系规划"
    assert plan["region"] == {"code": "520624", "name": "贵州省铜仁市思南县", "level": "county"}
    assert plan["period"] == {"start": 2021, "end": 2025}
    assert (plan["issuer"], plan["date"]) == ("某某市某某县人民政府办公室", "2022-03-15")
    table = [t for t in plan["targets"] if t["source_kind"] == "table"]
    got = [(t["name"], t["indicator"], t["baseline"]["value"], t["target"]) for t in table]
    assert got == [
        ("每千人口医疗卫生机构床位数", "beds_per_1k", 5.62,
         {"year": 2025, "op": ">=", "value": 6.5}),
        ("每千人口执业(助理)医师数", "doctors_per_1k", 2.05,
         {"year": 2025, "op": ">=", "value": 2.6}),
        ("每万人口全科医生数", "gps_per_10k", 2.1, {"year": 2025, "op": ">=", "value": 3.5}),
        ("县域内就诊率", got[3][1], 85, {"year": 2025, "op": ">=", "value": 90}),
        ("居民满意度", got[4][1], None, {"year": 2025, "op": "up"}),
    ]
    assert [t["category"] for t in table] == ["资源配置"] * 3 + ["服务能力"] * 2
    assert table[2]["nature"] == "约束性"
    assert table[2]["quote"] == "每万人口全科医生数 人 2.1 ≥3.5 约束性"
    unmatched = {u["name"] for u in result.unmatched}
    assert "居民满意度" in unmatched
    frame = result.unparsed_frame()
    assert list(frame.columns) == ["where", "reason", "quote"]
    counted = result.counts
    assert counted["table targets"] == 5
    assert isinstance(result.counts_frame(), pd.DataFrame)
    load = yaml.safe_load(result.to_yaml())
    assert load["targets"][0]["quote"] == "每千人口医疗卫生机构床位数 张 5.62 6.5 预期性"


@pytest.mark.usefixtures("english")  # checks the English text of the error
def test_document_without_a_plan_is_a_clear_error() -> None:
    notice = ("关于召开全县卫生健康工作会议的通知。各乡镇卫生院:定于下周一上午在县卫生健康局"
              "三楼会议室召开全县卫生健康工作会议,请准时参加。")
    with pytest.raises(HsplanError, match=r"^\(text\): no targets, norms, institutions or "
                       r"tasks found: expected a plan document"):
        extract_plan(notice)


def test_cli_extract_writes_the_plan_and_prints_the_summary(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "leshan.yaml"
    seed = seeds_dir() / "002_041e161165b26347.txt"
    res = runner.invoke(app, ["extract", str(seed), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "表格中的目标" in res.output and "20" in res.output
    assert "提取结果" in res.output and "extracted items" not in res.output
    plan = load_plan(out)
    assert plan.region_code == "511102" and plan.kind == "规划"
    res = runner.invoke(app, ["plans", "diff", str(out), "leshan-shizhong-2021-2025",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["extract", str(seed), "--format", "json"])
    assert res.exit_code == 0 and res.output.lstrip().startswith("{")


def test_cli_extract_garbled_document_exits_with_the_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary\xff" * 50)
    res = CliRunner().invoke(app, ["extract", str(bad)])
    assert res.exit_code != 0
    assert isinstance(res.exception, HsplanError)
    assert str(res.exception) == (  # Chinese by default
        "bad.txt：应为 UTF-8 或 GB18030（GBK）编码的文本，实际两者都不是。处理办法：用文本编辑器"
        "打开文件，另存为 UTF-8。")

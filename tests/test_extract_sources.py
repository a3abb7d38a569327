"""Each extracted item carries where it came from (page, table and row, paragraph, line) and
a confidence; low-confidence items are listed for review with the reason and the quote."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.plans.extract import REVIEW_BELOW, extract_plan
from hsplan.plans.extract.render import render
from hsplan.plans.extract.scoring import seeds_dir

LESHAN = seeds_dir() / "002_041e161165b26347.txt"


@pytest.fixture(scope="module")
def word(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sources") / "002.docx"
    return render(LESHAN.read_text(encoding="utf-8"), "docx", path)


def test_every_item_is_located_in_the_text() -> None:
    for path in sorted(seeds_dir().glob("00*.txt")):
        frame = extract_plan(path).sources_frame()
        assert frame["where"].notna().all(), frame[frame["where"].isna()].to_string()
        assert frame["where"].str.match(r"^line \d+$").all()


def test_word_items_name_their_table_row_or_paragraph(word: Path) -> None:
    result = extract_plan(word)
    frame = result.sources_frame().set_index("id")
    assert len(frame) == sum(len(result.plan[k]) for k in ("targets", "norms",
                                                           "institutions", "tasks"))
    # 每千人口医疗卫生机构床位数 is indicator 5 of the first table, after its header row
    beds = next(t for t in result.plan["targets"] if t["indicator"] == "beds_per_1k"
                and t["source_kind"] == "table")
    assert frame.loc[beds["id"], "where"] == "table 1 row 6"
    assert frame.loc[beds["id"], "confidence"] == 0.9
    prose = frame[frame["kind"] == "prose targets"]
    assert prose["where"].str.match(r"^paragraph \d+$").all()


def test_low_confidence_items_are_listed_with_the_reason(word: Path) -> None:
    result = extract_plan(word)
    review = result.review_frame()
    frame = result.sources_frame()
    assert list(review.columns) == ["id", "kind", "where", "confidence", "why", "quote"]
    assert (review["confidence"] < REVIEW_BELOW).all()
    assert len(review) == (frame["confidence"] < REVIEW_BELOW).sum() > 0
    assert review["why"].str.len().gt(0).all()
    unmatched = {u["id"] for u in result.unmatched}
    lowered = set(frame.loc[frame["why"].str.contains("名称未匹配到指标目录中的指标"), "id"])
    assert unmatched == lowered


def test_inferred_lead_lowers_the_confidence() -> None:
    result = extract_plan(seeds_dir() / "004_18377352c194759e.txt")
    frame = result.sources_frame().set_index("id")
    by_note = {t["id"]: t.get("note") or "" for t in result.plan["tasks"]}
    plan_lead = [k for k, n in by_note.items() if "(inferred: plan lead)" in n]
    written = [k for k, n in by_note.items() if not n]
    assert plan_lead and written
    assert (frame.loc[plan_lead, "confidence"] < REVIEW_BELOW).all()
    assert (frame.loc[written, "confidence"] >= 0.7).all()


def test_cli_writes_the_sources(tmp_path: Path, word: Path) -> None:
    res = CliRunner().invoke(app, ["extract", str(word), "-o", str(tmp_path / "p.yaml"),
                                   "--sources", str(tmp_path / "sources.csv")])
    assert res.exit_code == 0, res.output
    assert "待复核" in res.output
    frame = pd.read_csv(tmp_path / "sources.csv", encoding="utf-8-sig")
    # a file for people: Chinese headers, kinds and places (表1第6行, 第3段), no English
    assert list(frame.columns) == ["编号", "类别", "出现于", "置信度", "降低置信度的原因", "原文"]
    assert len(frame) > 100
    assert set(frame["类别"]) <= {"表格中的目标", "正文中的目标", "资源配置标准", "重点机构",
                                  "重点任务"}
    places = frame["出现于"].dropna().astype(str)
    assert places.str.fullmatch(r"表\d+第\d+行|第\d+段|表格第\d+行").all(), \
        sorted(set(places))[:10]
    assert not places.str.contains(r"[A-Za-z]").any()


@pytest.mark.parametrize(("where", "zh"), [
    ("line 148", "第148行"), ("table 1 row 6", "表1第6行"), ("page 3", "第3页"),
    ("table 2 (page 5) row 4", "表2（第5页）第4行"),
    ("table 3 (page 8–9) row 2", "表3（第8–9页）第2行"),
    ("paragraph 7", "第7段"), ("table row 3", "表格第3行"), (None, None)])
def test_places_are_said_in_the_readers_language(where: str | None, zh: str | None) -> None:
    from hsplan import _i18n
    from hsplan.plans.extract.documents import place_words

    with _i18n.in_language("zh"):
        assert place_words(where) == zh
    with _i18n.in_language("en"):
        assert place_words(where) == where  # the one stored form

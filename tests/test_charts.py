"""Tests of hsplan.reports.charts and demand_charts: evaluation bars, population pyramid,
needs bars, violations map, the CLI options that write them and the example job's charts."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgb
from rich.console import Console
from typer.testing import CliRunner

from hsplan.cli import app
from hsplan.cli.example import ExampleResult, run_example
from hsplan.demand.needs import NeedsResult, load_assumptions, needs
from hsplan.errors import ValidationError
from hsplan.evaluation.targets import AT_RISK, MET, NOT_EVALUABLE, OFF_TRACK, ON_TRACK
from hsplan.plans.plan import load_plan
from hsplan.region.example import EXAMPLE_PLAN
from hsplan.region.model import Region
from hsplan.reports.charts import (
    PROGRESS_CAP_PCT,
    STATUS_COLOURS,
    evaluation_figure,
    progress_pct,
    target_progress,
    violations_by_area,
    violations_figure,
)
from hsplan.reports.demand_charts import (
    needs_bars,
    needs_chart,
    needs_figure,
    population_pyramid,
    pyramid_figure,
)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> ExampleResult:
    """The example job run once: project copy, evaluation, norms check and the PNGs."""
    out = tmp_path_factory.mktemp("charts") / "example"
    return run_example(out, console=Console(file=io.StringIO()))


@pytest.fixture(scope="module")
def region(example: ExampleResult) -> Region:
    return example.project.load()


@pytest.fixture(scope="module")
def needs_result(region: Region) -> NeedsResult:
    return needs(region, load_plan(EXAMPLE_PLAN), year=2025, assumptions=load_assumptions())


def _png_shape(path: Path) -> tuple[int, int]:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = mpimg.imread(path)
    return int(image.shape[0]), int(image.shape[1])


# --- progress -----------------------------------------------------------------------------------


def test_progress_pct_is_direction_aware() -> None:
    assert progress_pct(">=", 6.5, target=7.0) == pytest.approx(100 * 6.5 / 7)
    assert progress_pct("up", 3.0, target=2.0) == pytest.approx(150.0)
    # less is better: 12 against ≤ 10 is 83 %, 8 against ≤ 10 is beyond the target
    assert progress_pct("<=", 12.0, target=10.0) == pytest.approx(100 * 10 / 12)
    assert progress_pct("down", 8.0, target=10.0) == pytest.approx(125.0)
    assert progress_pct("<", 0.0, target=5.0) == math.inf
    assert progress_pct("range", 2.5, low=2.0, high=3.0) == 100.0
    assert progress_pct("range", 1.5, low=2.0, high=3.0) == pytest.approx(75.0)
    assert progress_pct("range", 4.0, low=2.0, high=3.0) == pytest.approx(75.0)
    assert progress_pct("keep", 12.0, target=10.0, direction="down") == pytest.approx(
        100 * 10 / 12)
    assert progress_pct("keep", 12.0, target=10.0, direction="up") == pytest.approx(120.0)
    assert progress_pct(">=", 0.0, target=0.0) == 100.0
    assert progress_pct("<=", 1.0, target=0.0) == 0.0
    assert progress_pct("up", 1.0) is None  # up without a baseline: no number to reach


def test_target_progress_of_the_example(example: ExampleResult) -> None:
    results = example.evaluation
    bars = target_progress(results)
    evaluable = results[results["status"] != NOT_EVALUABLE]
    assert len(bars) == len(evaluable) == 29
    # sorted by severity: the 4 off-track rows, then 14 at risk, 2 on track, 9 met (issue 10:
    # department shares have no history, so no trend makes them off track; 床人比 on
    # hospitals is 1:1.81 against 1:2.12)
    assert list(bars["status"]) == [OFF_TRACK] * 4 + [AT_RISK] * 14 + [ON_TRACK] * 2 + [MET] * 9
    t01 = results.set_index("target_id").loc["T01"]
    row = bars.set_index("target_id").loc["T01"]
    assert row["progress_pct"] == pytest.approx(100 * t01["value"] / t01["target"])
    assert row["value_text"] == "6.75" and row["target_text"] == "≥7 人/万人"
    assert row["label"] == "T01 每万人口公共卫生人员数"
    # 1:x ratios as x, shown as 1:x
    t14 = bars.set_index("target_id").loc["T14"]
    assert (t14["value_text"], t14["target_text"]) == ("1:1.35", "≥1:1.34")
    # a long name is cut into two balanced lines, never starting with a closing bracket
    t04 = bars.set_index("target_id").loc["T04"]["label"]
    assert t04 == "T04 二级以上综合医院(含中\n医医院)设置感染性疾病科的比例"


def test_binding_targets_come_first(example: ExampleResult) -> None:
    results = example.evaluation.copy()
    results.loc[results["target_id"] == "T07", "nature"] = "约束性"
    bars = target_progress(results)
    assert list(bars["target_id"][:2]) == ["T07", "T09"]
    fig = evaluation_figure(results, title="t")
    ax = fig.axes[0]
    labels = ax.get_yticklabels()
    assert labels[0].get_text().startswith("T07 ") and labels[0].get_fontweight() == "bold"
    assert labels[1].get_fontweight() == "normal"
    plt.close(fig)


def test_evaluation_figure_bars_colours_and_labels(example: ExampleResult) -> None:
    results = example.evaluation
    fig = evaluation_figure(results, title="江川区 评估", synthetic=True)
    ax = fig.axes[0]
    bars = target_progress(results)
    patches = list(ax.containers[0])
    assert len(patches) == int((results["status"] != NOT_EVALUABLE).sum()) == 29
    by_id = results.drop_duplicates("target_id").set_index("target_id")
    for patch, label, (_, row) in zip(patches, ax.get_yticklabels(), bars.iterrows(),
                                      strict=True):
        status = by_id.loc[row["target_id"], "status"]
        assert to_hex(patch.get_facecolor()) == STATUS_COLOURS[status]
        assert label.get_text() == row["label"]
        expected = min(PROGRESS_CAP_PCT, 100 * by_id.loc[row["target_id"], "value"]
                       / by_id.loc[row["target_id"], "target"])
        assert patch.get_width() == pytest.approx(max(expected, 0.8))
    assert to_hex(STATUS_COLOURS[MET]) == "#2e9e44" and STATUS_COLOURS[OFF_TRACK] == "#d62728"
    assert ax.get_title() == "江川区 评估（合成数据）"
    lines = [line for line in ax.get_lines()
             if np.asarray(line.get_xydata())[:, 0].tolist() == [100, 100]]
    assert len(lines) == 1  # the 100 % line
    texts = [t.get_text() for t in ax.texts]
    assert "96%  现状 6.75 / 目标 ≥7 人/万人" in texts
    footnote = fig.texts[0].get_text()
    assert footnote.startswith("未绘出无法评估的目标 29 项")
    assert "合成示例数据" in footnote
    plt.close(fig)


def test_evaluation_chart_png(example: ExampleResult) -> None:
    path = example.evaluation_png
    assert path.name == "evaluation.png" and path.stat().st_size > 100_000
    height, width = _png_shape(path)
    assert width > 1500 and height > 1800  # 12 in wide at 150 dpi; 29 bars tall


# --- population and needs ----------------------------------------------------------------------


def test_pyramid_totals_equal_the_projection(needs_result: NeedsResult) -> None:
    proj = needs_result.projection
    fig = pyramid_figure(proj, base_year=2023, target_year=2025, title="人口")
    ax = fig.axes[0]
    sums = {c.get_label(): sum(abs(p.get_width()) for p in c) for c in ax.containers}
    assert set(sums) == {"2025年 男", "2025年 女", "2023年 男", "2023年 女"}
    for year in (2023, 2025):
        total = proj[(proj["year"] == year) & (proj["age_band"] == "total")]
        assert sums[f"{year}年 男"] == pytest.approx(float(total["male"].iloc[0]))
        assert sums[f"{year}年 女"] == pytest.approx(float(total["female"].iloc[0]))
        assert sums[f"{year}年 男"] + sums[f"{year}年 女"] == pytest.approx(
            float(total["pop"].iloc[0]))
    # base year 2023 is the census-based population of the example (256,175 residents)
    assert sums["2023年 男"] + sums["2023年 女"] == pytest.approx(256_175)
    base = ax.containers[2]
    assert not base[0].get_fill() and ax.containers[0][0].get_fill()  # outline vs filled
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "0–4" and labels[-1] == "85+" and len(labels) == 18
    plt.close(fig)


@pytest.mark.usefixtures("english")  # checks the English text of a problem
def test_pyramid_png_and_unknown_year(needs_result: NeedsResult, tmp_path: Path) -> None:
    path = population_pyramid(needs_result.projection, tmp_path / "p.png", base_year=2023,
                              target_year=2025, title="人口金字塔", synthetic=True)
    assert path.stat().st_size > 50_000
    height, width = _png_shape(path)
    assert width > 1000 and height > 900
    with pytest.raises(ValidationError) as info:
        population_pyramid(needs_result.projection, tmp_path / "q.png", base_year=2020,
                           target_year=2025, title="x")
    assert info.value.errors[0].__str__() == (
        "projection, column year: year 2020 is not in the projection: expected one of 2023, "
        "2024, 2025, got '2020'. Fix: choose a year from the base year to the target year")
    assert not (tmp_path / "q.png").exists()


def test_needs_bars_and_figure(needs_result: NeedsResult, tmp_path: Path) -> None:
    table = needs_result.table
    rows = needs_bars(table)
    expected = table[table["unit"].isin(["张", "人"]) & (table["item"] != "常住人口")]
    # no staff from 床人比 on all beds (issue 10); the 需求法 by level of care, the current-use
    # figure beside it and one 推荐值 row for beds and for nurses (issue 10)
    assert len(rows) == len(expected) == 24
    assert list(rows["unit"]) == ["张"] * 11 + ["人"] * 13
    assert rows["label"].iloc[0] == "床位\n需求法"
    assert list(rows["item"].iloc[1:4]) == ["医院及专业公共卫生机构床位（需求法）",
                                           "基层医疗卫生机构床位（需求法）", "床位（现状利用法）"]
    assert rows["label"].iloc[4] == ("重症医学科床位\n按每千人口重症医学科床位数\n"
                                     "规划目标 ≥0.06 张/千人 (2025)")
    fig = needs_figure(needs_result, synthetic=True)
    _pyramid, beds, staff = fig.axes
    for ax, part in ((beds, rows[rows["unit"] == "张"]), (staff, rows[rows["unit"] == "人"])):
        current, needed = ax.containers
        assert [p.get_width() for p in needed] == pytest.approx(list(part["value_needed"]))
        assert [p.get_width() for p in current] == pytest.approx(
            [0.0 if pd.isna(v) else v for v in part["current_value"]])
        assert to_rgb(current[0].get_facecolor()) != to_rgb(needed[0].get_facecolor())
    # 床位（需求法）: 913 beds now; 1,548 needed at the national 21.4 % 年住院率 with 外转
    # not entered (before issue 10: 845 from the county's own admissions, "余 68")
    demand = rows.iloc[0]
    assert (demand["current_value"], demand["value_needed"]) == (913.0, 1548)
    assert "缺 635" in [t.get_text().strip() for t in beds.texts]
    assert fig.get_suptitle() == "江川区 2025年需要量（合成数据）"
    plt.close(fig)
    path = needs_chart(needs_result, tmp_path / "n.png", synthetic=True)
    assert path.stat().st_size > 150_000
    height, width = _png_shape(path)
    assert width > 2000 and height > 1500


# --- violations map ---------------------------------------------------------------------------


def test_violations_by_township(example: ExampleResult, region: Region) -> None:
    norms = example.norms
    towns = violations_by_area(region, norms).set_index("name")
    viol = norms.violations
    # the oracle: statistical division codes nest, a township's areas start with its code
    for code, row in zip(towns["code"], towns.to_dict(orient="records"), strict=True):
        inside = viol[viol["area_code"].astype(str).str.startswith(code)]
        assert row["n_violations"] == len(inside)
        assert row["n_villages"] == inside[inside["area_level"] == "village"][
            "area_code"].nunique()
        assert row["n_facilities"] == inside["facility_id"].dropna().nunique()
    # issue 10: N41 (托育机构, none entered) is 无法评估, no longer 76 village violations;
    # the ambulance radius counts the plan's whole 院前急救 network (卫生院 included)
    assert towns.loc["江城镇", "n_violations"] == 5
    assert towns["n_violations"].sum() + 4 == len(viol) == 25  # 4 for the whole county


def test_violations_map_colours_townships_by_count(example: ExampleResult,
                                                   region: Region) -> None:
    norms = example.norms
    fig = violations_figure(region, norms, title="未达标")
    ax = fig.axes[0]
    towns = violations_by_area(region, norms)
    faces = ax.collections[0].get_facecolor()
    assert len(faces) == len(towns) == 8
    colour = {int(n): to_hex(f) for n, f in zip(towns["n_violations"], faces, strict=True)}
    for a in colour:  # at most 5 per township: one class per count
        for b in colour:
            assert (colour[a] == colour[b]) == (a == b)
    darkness = {n: 1 - sum(to_rgb(c)) / 3 for n, c in colour.items()}
    assert darkness[5] > darkness[3] > darkness[2] > darkness[1] > darkness[0]
    legend_box = ax.get_legend()
    assert legend_box is not None
    legend = [t.get_text() for t in legend_box.get_texts()]
    assert legend[:5] == ["达标的村（69）", "未达标的村（7，大小示条数）", "未达标的机构（9）",
                          "0 条", "1 条"]
    labels = {t.get_text() for t in ax.texts}
    assert "江城镇\n5 条" in labels
    assert ax.get_title() == "未达标（合成数据）"
    assert fig.texts[0].get_text().startswith(
        "jiangchuan-2021-2025 · 2023年 · 违规 25 条，其中全县（区）层面 4 条"
        "（N19、N20、N21、N22）")
    plt.close(fig)


def test_norms_map_png_of_the_example(example: ExampleResult) -> None:
    path = example.norms_map_png
    assert path == example.project.outputs_dir / "norms_map.png"
    assert path.stat().st_size > 150_000
    height, width = _png_shape(path)
    assert width > 1200 and height > 1000


# --- CLI -------------------------------------------------------------------------------------


def test_cli_evaluate_chart(example: ExampleResult, tmp_path: Path) -> None:
    root = str(example.project.root)
    out = tmp_path / "eval.png"
    result = CliRunner().invoke(app, ["evaluate", root, "--plan", EXAMPLE_PLAN,
                                      "--chart", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}" in result.output.replace("\n", "")
    assert _png_shape(out)[1] > 1500
    # with JSON on standard output the note goes to standard error: stdout stays JSON
    out2 = tmp_path / "eval2.png"
    result = CliRunner().invoke(app, ["evaluate", root, "--plan", EXAMPLE_PLAN, "--format",
                                      "json", "--chart", str(out2)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["results"]) == 58
    assert f"已写入 {out2}" in result.stderr.replace("\n", "")


def test_cli_needs_chart(example: ExampleResult, tmp_path: Path) -> None:
    out = tmp_path / "needs.png"
    result = CliRunner().invoke(app, ["needs", str(example.project.root), "--plan",
                                      EXAMPLE_PLAN, "--year", "2025", "--chart", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}" in result.output.replace("\n", "")
    assert out.stat().st_size > 150_000


def test_cli_check_map(example: ExampleResult, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "norms.png"
    result = CliRunner().invoke(app, ["check", str(example.project.root), "--plan",
                                      EXAMPLE_PLAN, "--map", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}" in result.output.replace("\n", "")
    assert out.stat().st_size > 150_000 and "违规明细 (25)" in result.output


def test_example_result_lists_the_charts(example: ExampleResult) -> None:
    outputs = example.project.outputs_dir
    assert example.evaluation_png == outputs / "evaluation.png"
    assert example.norms_map_png == outputs / "norms_map.png"
    assert example.norms.plan_id == EXAMPLE_PLAN and len(example.norms.violations) == 25
    buffer = io.StringIO()
    from hsplan.cli.example import report_example

    report_example(example, Console(file=buffer, width=200))
    printed = buffer.getvalue()
    assert f"进度图   {outputs / 'evaluation.png'}" in printed
    assert f"标准地图 {outputs / 'norms_map.png'}" in printed
    assert "资源配置标准 jiangchuan-2021-2025（46 条）：达标 16  未达标 12  无法评估 18；" \
           "未达标对象 25 个" in printed

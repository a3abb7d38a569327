"""Messages of the region, plans, extract and reports families (and InfeasibleError's frame):
Chinese by default, English with ``--lang en``; each read whole, in both languages."""

from __future__ import annotations

import pytest

from hsplan.errors import HsplanError, InfeasibleError, ValidationError


def _messages() -> dict[str, str]:
    """Return one message of each family, as a person would read it."""
    from hsplan.plans.catalog import load_catalog
    from hsplan.plans.extract.documents import decode_text
    from hsplan.region.coords import crs_name
    from hsplan.reports._report_data import _check_args

    out = {"errors": str(InfeasibleError("no plan reaches the target", status="infeasible"))}
    for family, call in (("coords", lambda: crs_name("UTM")),
                         ("catalog", lambda: load_catalog().get("beds_per_1000")),
                         ("extract", lambda: decode_text(b"\x00\x01binary\xff" * 50, name="x.txt")),
                         ("reports", lambda: _check_args("年报", None))):
        with pytest.raises(HsplanError) as err:
            call()
        out[family] = (str(err.value.problems[0]) if isinstance(err.value, ValidationError)
                       else str(err.value))
    return out


@pytest.mark.usefixtures("chinese")
def test_messages_are_chinese_by_default() -> None:
    got = _messages()
    assert got["errors"] == "no plan reaches the target（求解器状态：infeasible）"
    assert got["coords"] == (
        "坐标系：应为 WGS84, GCJ-02, BD-09 之一，实际为 'UTM'。处理办法：GPS/天地图坐标用 WGS84，"
        "高德/腾讯坐标用 GCJ-02，百度坐标用 BD-09。")
    assert got["catalog"].startswith(
        "未知指标 'beds_per_1000'：应为指标目录中的编号。您是否要用 ")
    assert got["catalog"].endswith("？处理办法：使用 docs/indicators.md 中列出的编号。")
    assert got["extract"] == (
        "x.txt：应为 UTF-8 或 GB18030（GBK）编码的文本，实际两者都不是。处理办法：用文本编辑器"
        "打开文件，另存为 UTF-8。")
    assert got["reports"] == ("报告，参数 kind：应为 中期评估 或 终期评估，实际为 '年报'。"
                              "处理办法：改用 --kind 中期评估 或 --kind 终期评估")


@pytest.mark.usefixtures("english")
def test_messages_in_english_on_request() -> None:
    got = _messages()
    assert got["errors"] == "no plan reaches the target (solver status: infeasible)"
    assert got["coords"] == (
        "coordinate system: expected one of WGS84, GCJ-02, BD-09, got 'UTM'. Fix: use WGS84 "
        "for GPS/天地图, GCJ-02 for 高德/腾讯, BD-09 for 百度 coordinates.")
    assert got["catalog"].startswith("unknown indicator 'beds_per_1000': expected an id of "
                                     "the indicator catalog. Did you mean ")
    assert got["extract"] == (
        "x.txt: expected text in UTF-8 or GB18030 (GBK), got bytes that are neither. Fix: "
        "open the file in a text editor and save it as UTF-8.")
    assert got["reports"] == ("report, argument kind: expected 中期评估 or 终期评估, got '年报'. "
                              "Fix: use --kind 中期评估 or --kind 终期评估")

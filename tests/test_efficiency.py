"""DEA and Malmquist against the published answers of Coelli et al. (1998) / DEAP 2.1, and
the identities and invariances the models must keep."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hsplan.allocation.efficiency import (
    DEA,
    MALMQUIST_COLUMNS,
    Malmquist,
    facility_table,
)
from hsplan.errors import ValidationError

DATA = Path(__file__).parent / "data" / "validation_dea_coelli1998"

# DEAP 2.1 EG4 published output-oriented Malmquist indices, year 1 → 2 (SOURCE.md)
EG4_YEAR2 = {
    "1": (0.750, 1.333, 1.000, 0.750, 1.000),
    "2": (1.125, 1.333, 1.222, 0.920, 1.500),
    "3": (1.000, 1.333, 1.000, 1.000, 1.333),
    "4": (0.562, 1.333, 0.650, 0.865, 0.750),
    "5": (0.900, 1.333, 1.000, 0.900, 1.200),
}
EG4_MEAN2 = (0.844, 1.333, 0.955, 0.883, 1.125)


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    return pd.read_csv(DATA / "coelli1998_5firms.csv")


@pytest.fixture(scope="module")
def eg1(firms: pd.DataFrame):  # type: ignore[no-untyped-def]
    return DEA.from_frame(firms, inputs=["input1", "input2"], outputs=["output"],
                          unit="dmus").solve()


def test_coelli_crs_input_te(eg1, firms: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    te = eg1.scores["te_crs"].to_numpy()
    assert np.round(te, 3).tolist() == [0.500, 1.000, 0.833, 0.714, 1.000]
    assert np.allclose(te, firms["te_crs_published"], atol=5e-4)
    assert te.mean() == pytest.approx(0.810, abs=5e-4)  # DEAP: mean 0.810


def test_deap_eg1_slacks_peers_weights_targets(eg1) -> None:  # type: ignore[no-untyped-def]
    expected = pd.read_csv(DATA / "deap_eg1_expected.csv", dtype={"peers": str,
                                                                   "peer_weights": str})
    slacks = eg1.slacks.set_index(["unit", "variable"])
    for _, row in expected.iterrows():
        unit = f"DMU{row['firm']}"
        te = eg1.scores.set_index("unit").loc[unit, "te"]
        assert round(te, 3) == pytest.approx(row["te"], abs=1e-9)
        for var, col in (("input1", "slack_input1"), ("input2", "slack_input2"),
                         ("output", "slack_output")):
            assert slacks.loc[(unit, var), "slack"] == pytest.approx(row[col], abs=5e-4)
        for var, col in (("input1", "target_input1"), ("input2", "target_input2"),
                         ("output", "target_output")):
            assert slacks.loc[(unit, var), "target"] == pytest.approx(row[col], abs=5e-4)
        peers = eg1.peers[eg1.peers["unit"] == unit]
        ours = dict(zip(peers["peer"], peers["weight"], strict=True))
        published = {f"DMU{p}": float(w) for p, w in zip(
            row["peers"].split(";"), row["peer_weights"].split(";"), strict=True)}
        assert set(ours) == set(published), unit
        for peer, weight in published.items():
            assert ours[peer] == pytest.approx(weight, abs=5e-4)


def test_deap_eg4_malmquist() -> None:
    panel = pd.read_csv(DATA / "deap_eg4_panel.csv")
    result = Malmquist.from_panel(panel, inputs=["input"], outputs=["output"], unit="firm",
                                  period="year", orientation="output").solve()
    idx = result.indices
    year2 = idx[idx["period_to"] == 2].set_index("unit")
    for firm, values in EG4_YEAR2.items():
        ours = year2.loc[firm, list(MALMQUIST_COLUMNS)].to_numpy(float)
        assert np.allclose(np.round(ours, 3), values, atol=1e-9), firm
    mean2 = result.period_means[result.period_means["period_to"] == 2].iloc[0]
    assert np.allclose(np.round(mean2[list(MALMQUIST_COLUMNS)].to_numpy(float), 3), EG4_MEAN2)
    year3 = idx[idx["period_to"] == 3]
    assert np.allclose(year3[list(MALMQUIST_COLUMNS)].to_numpy(float), 1.0, atol=1e-9)
    # the published year-1 distances
    d = result.distances[result.distances["period_to"] == 2]
    assert np.round(d["d_c_t_t"], 3).tolist() == [0.500, 0.500, 1.000, 0.800, 0.833]
    assert np.round(d["d_v_t_t"], 3).tolist() == [1.000, 0.545, 1.000, 0.923, 1.000]
    assert np.round(d["d_c_t1_t"], 3).tolist() == [0.375, 0.375, 0.750, 0.600, 0.625]


# --- identities and invariances --------------------------------------------------------


def _random_units(seed: int, n: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    beds = rng.integers(10, 800, size=n).astype(float)
    doctors = np.round(beds * rng.uniform(0.2, 0.6, size=n)) + 1
    nurses = np.round(beds * rng.uniform(0.4, 0.9, size=n)) + 1
    visits = np.round((doctors * 2000 + nurses * 600) * rng.uniform(0.5, 1.5, size=n))
    discharges = np.round(beds * 30 * rng.uniform(0.5, 1.3, size=n))
    return pd.DataFrame({"unit": [f"U{i:02d}" for i in range(n)], "beds": beds,
                         "doctors": doctors, "nurses": nurses, "visits": visits,
                         "discharges": discharges})


INPUTS = ["beds", "doctors", "nurses"]
OUTPUTS = ["visits", "discharges"]


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("seed", range(2))
def test_dea_identities_and_scale_invariance(orientation: str, seed: int) -> None:
    data = _random_units(seed)
    base = DEA.from_frame(data, inputs=INPUTS, outputs=OUTPUTS,
                          orientation=orientation).solve()  # type: ignore[arg-type]
    s = base.scores
    assert (s["te_crs"] <= s["te_vrs"] + 1e-12).all()
    assert (s["te_vrs"] <= 1 + 1e-12).all() and (s["te_crs"] > 0).all()
    assert np.allclose(s["scale"], s["te_crs"] / s["te_vrs"], rtol=0, atol=1e-12)
    assert s["efficient"].any() and s["rank"].min() == 1
    # efficient units have super-efficiency ≥ 1, the others keep their score
    eff = s[s["te"] >= 1 - 1e-9]
    assert (eff["super"].dropna() >= 1 - 1e-9).all()
    ineff = s[s["te"] < 1 - 1e-9]
    assert np.allclose(ineff["super"], ineff["te"], atol=1e-9)
    # targets: inputs never above the original, outputs never below
    sl = base.slacks
    assert (sl.loc[sl["kind"] == "input", "change"] <= 1e-6).all()
    assert (sl.loc[sl["kind"] == "output", "change"] >= -1e-6).all()
    # targets are peer combinations: Σ λ x_peer
    lam = base.peers.pivot_table(index="unit", columns="peer", values="weight",
                                 fill_value=0.0)
    x = data.set_index("unit")[INPUTS + OUTPUTS]
    combo = lam.to_numpy() @ x.loc[lam.columns].to_numpy()
    target = sl.pivot_table(index="unit", columns="variable", values="target").loc[
        lam.index, INPUTS + OUTPUTS].to_numpy()
    assert np.allclose(combo, target, rtol=1e-7)
    # multiplying an input or an output by 10⁶ changes no score
    for col in ("beds", "visits"):
        scaled = data.copy()
        scaled[col] = scaled[col] * 1e6
        other = DEA.from_frame(scaled, inputs=INPUTS, outputs=OUTPUTS,
                               orientation=orientation).solve()  # type: ignore[arg-type]
        for c in ("te_crs", "te_vrs", "te_nirs", "scale", "super"):
            assert np.allclose(other.scores[c], s[c], rtol=0, atol=1e-9, equal_nan=True)
        assert (other.scores["rts"] == s["rts"]).all()


def test_malmquist_identities() -> None:
    frames = []
    rng = np.random.default_rng(7)
    base = _random_units(11, n=12)
    for year in range(2019, 2024):
        f = base.copy()
        f["year"] = year
        for col in INPUTS + OUTPUTS:
            f[col] = np.round(f[col] * rng.uniform(0.85, 1.2, size=len(f))) + 1
        frames.append(f)
    panel = pd.concat(frames, ignore_index=True)
    for orientation in ("input", "output"):
        r = Malmquist.from_panel(panel, inputs=INPUTS, outputs=OUTPUTS,
                                 orientation=orientation).solve()  # type: ignore[arg-type]
        i = r.indices
        assert len(i) == 12 * 4
        assert np.allclose(i["tfpch"], i["effch"] * i["techch"], rtol=0, atol=1e-12)
        assert np.allclose(i["effch"], i["pech"] * i["sech"], rtol=0, atol=1e-12)
        m = r.period_means
        assert np.allclose(m["tfpch"], m["effch"] * m["techch"], rtol=1e-12)
        scaled = panel.copy()
        scaled["visits"] *= 1e6
        s = Malmquist.from_panel(scaled, inputs=INPUTS, outputs=OUTPUTS,
                                 orientation=orientation).solve()  # type: ignore[arg-type]
        assert np.allclose(s.indices[list(MALMQUIST_COLUMNS)],
                           i[list(MALMQUIST_COLUMNS)], rtol=0, atol=1e-9)


def test_bad_data_reported_all_at_once() -> None:
    data = _random_units(1, n=6)
    data.loc[2, "beds"] = -1
    data.loc[4, "visits"] = np.nan
    with pytest.raises(ValidationError) as err:
        DEA.from_frame(data, inputs=INPUTS, outputs=OUTPUTS).solve()
    assert len(err.value.errors) == 2
    assert "U02" in str(err.value) and "U04" in str(err.value)
    panel = pd.concat([data.assign(year=2022), data.iloc[:4].assign(year=2023)])
    panel.loc[2, "beds"] = 5
    panel["visits"] = panel["visits"].fillna(1000)
    with pytest.raises(ValidationError, match="平衡面板"):
        Malmquist.from_panel(panel, inputs=INPUTS, outputs=OUTPUTS).solve()


def _unbalanced_panel() -> pd.DataFrame:
    data = _random_units(1, n=6)
    return pd.concat([data.assign(year=2022), data.iloc[:4].assign(year=2023)])


def test_problems_are_in_chinese_by_default() -> None:
    data = _random_units(1, n=4)
    data.loc[1, "visits"] = np.nan
    with pytest.raises(ValidationError) as err:
        DEA.from_frame(data, inputs=INPUTS, outputs=OUTPUTS).solve()
    assert str(err.value.errors[0]) == (
        "DEA 数据，参评单位 U01，列 总诊疗人次（visits）：应为 ≥ 0 的数字，实际为 '值为空'。"
        "处理办法：填写该数值，或不纳入该参评单位")
    with pytest.raises(ValidationError) as err:
        Malmquist.from_panel(_unbalanced_panel(), inputs=INPUTS, outputs=OUTPUTS).solve()
    assert "Malmquist 面板数据，参评单位 U04、U05：应为 平衡面板" in str(err.value)


@pytest.mark.usefixtures("english")
def test_problems_in_english_on_request() -> None:
    data = _random_units(1, n=4)
    data.loc[1, "visits"] = np.nan
    with pytest.raises(ValidationError) as err:
        DEA.from_frame(data, inputs=INPUTS, outputs=OUTPUTS).solve()
    assert str(err.value.errors[0]) == (
        "DEA data, unit U01, column 总诊疗人次 (visits): expected a number ≥ 0, got "
        "'empty value'. Fix: fill in the figure, or leave the unit out")
    with pytest.raises(ValidationError, match="a balanced panel: every unit"):
        Malmquist.from_panel(_unbalanced_panel(), inputs=INPUTS, outputs=OUTPUTS).solve()


# --- on the example region -------------------------------------------------------------


@pytest.fixture(scope="module")
def region():  # type: ignore[no-untyped-def]
    from hsplan.region.example import example_project_path
    from hsplan.region.project import Project

    return Project.open(example_project_path()).load()


def test_example_hospitals_and_health_centres(region) -> None:  # type: ignore[no-untyped-def]
    table = facility_table(region, years=[2023], inputs=INPUTS, outputs=OUTPUTS,
                           groups=["医院", "卫生院"])
    assert set(table["subtype"]) == {"综合医院", "中医医院", "专科医院", "乡镇卫生院",
                                     "中心乡镇卫生院"}
    h001 = table.set_index("facility_id").loc["H001"]
    res = region.resources
    row = res[(res["facility_id"] == "H001") & (res["year"] == 2023)].iloc[0]
    assert h001["doctors"] == row["doctors_licensed"] + row["doctors_assistant"]
    model = DEA.from_region(region, year=2023, groups=["卫生院"])
    assert model.notes and "15" in model.notes[0]  # 6 units for 3 inputs + 2 outputs
    result = model.solve()
    assert len(result.scores) == 6 and result.scores["efficient"].any()
    malm = Malmquist.from_region(region, years=range(2019, 2024), groups=["医院", "卫生院"])
    out = malm.solve()
    assert out.period_means["period_to"].tolist() == [2020, 2021, 2022, 2023]


def test_example_missing_utilisation_is_located(region) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        DEA.from_region(region, year=2023, groups=["医院"], inputs=["beds", "床位"])
    assert "床位" in str(err.value)
    util = region.utilisation.copy()
    util.loc[(util["facility_id"] == "H002") & (util["year"] == 2023), "discharges"] = pd.NA
    with pytest.raises(ValidationError) as err:
        DEA.from_region(region.replace(utilisation=util), year=2023, groups=["医院"])
    assert "H002" in str(err.value) and "出院人数" in str(err.value)


# --- the command line ------------------------------------------------------------------


def test_cli_efficiency_table_json_xlsx_chart(tmp_path: Path) -> None:
    import json

    import openpyxl
    from typer.testing import CliRunner

    from hsplan.cli import app
    from hsplan.region.example import example_project_path

    runner = CliRunner()
    args = ["efficiency", str(example_project_path()), "--year", "2023",
            "--malmquist", "2019-2023"]
    chart = tmp_path / "efficiency.png"
    shown = runner.invoke(app, [*args, "--chart", str(chart)], env={"COLUMNS": "220"})
    assert shown.exit_code == 0, shown.output
    for text in ("医院", "卫生院", "综合技术效率", "纯技术效率", "规模报酬", "超效率",
                 "参照机构", "投入冗余", "Malmquist", "全要素生产率变化", "经验法则"):
        assert text in shown.output, text
    assert chart.stat().st_size > 20_000
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.output)
    assert set(doc["groups"]) == {"医院", "卫生院"}
    health_centres = doc["groups"]["卫生院"]
    assert len(health_centres["scores"]) == 6
    direct = DEA.from_region(_region(), year=2023, groups=["卫生院"]).solve().scores
    assert [r["te_crs"] for r in health_centres["scores"]] == pytest.approx(
        direct["te_crs"].tolist(), abs=1e-12)
    means = health_centres["malmquist"]["period_means"]
    assert [m["period_to"] for m in means] == [2020, 2021, 2022, 2023]
    out = tmp_path / "eff.xlsx"
    written = runner.invoke(app, [*args, "--pooled", "--format", "xlsx", "--out", str(out)])
    assert written.exit_code == 0, written.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["效率", "松弛与目标", "参照"]
    sheet = book["效率"]
    assert sheet["A1"].value == "机构组" and sheet["A2"].value == "医院+卫生院"
    assert sheet.max_row == 1 + 10
    bad = runner.invoke(app, [*args, "--inputs", "beds,病床"])
    assert bad.exit_code != 0
    assert isinstance(bad.exception, ValidationError) and "病床" in str(bad.exception)


def _region():  # type: ignore[no-untyped-def]
    from hsplan.region.example import example_project_path
    from hsplan.region.project import Project

    return Project.open(example_project_path()).load()


def test_vrs_super_efficiency_can_be_infeasible(firms: pd.DataFrame) -> None:
    r = DEA.from_frame(firms, inputs=["input1", "input2"], outputs=["output"], unit="dmus",
                       rts="vrs").solve()
    s = r.scores.set_index("unit")
    # DMU3 makes the largest output: without it no VRS combination reaches its output
    assert math.isnan(s.loc["DMU3", "super"]) and s.loc["DMU3", "rank"] == 1
    assert s.loc["DMU4", "super"] == pytest.approx(1.428571, abs=1e-6)
    # DMU1 is on the VRS frontier only weakly (slack 0.5 in input2): not DEA-efficient
    assert s.loc["DMU1", "te"] == pytest.approx(1.0) and not s.loc["DMU1", "efficient"]

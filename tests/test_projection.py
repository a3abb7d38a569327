"""Tests of hsplan.demand.projection: hand-checked cohort steps, conservation, the 2020 census of
江川区 (530403) projected to 2025, the growth formula, the model life table."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from hsplan.demand.needs import load_assumptions
from hsplan.demand.projection import (
    BANDS,
    DemographicAssumptions,
    explain_projection,
    male_shares_from_census,
    model_life_table,
    observed_growth_rate,
    project_population,
    projection_steps,
)
from hsplan.errors import HsplanError, ValidationError
from hsplan.region import reference, schema

# these tests check the English text of messages: run them in English (the frame of a
# problem is translated; tests/test_i18n_problems.py checks the Chinese)
pytestmark = pytest.mark.usefixtures("english")

ZERO_MX = {s: dict.fromkeys(BANDS, 0.0) for s in ("male", "female")}


def _demo(**kw: object) -> DemographicAssumptions:
    base = DemographicAssumptions(
        tfr=0.0, asfr_shares={"age_25_29": 1.0}, sex_ratio_at_birth=100.0, e0_male=75.0,
        e0_female=80.0, infant_mortality_per_1k=0.0, mx=ZERO_MX, net_migration_per_year=0.0,
        migration_age_shares={"age_20_24": 1.0},
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _population(bands: dict[str, float], *, year: int = 2020, code: str = "999999",
                extra: dict[str, float] | None = None) -> pd.DataFrame:
    row: dict[str, object] = {"area_code": code, "year": year, **dict.fromkeys(BANDS, 0.0)}
    row.update(bands)
    row["total"] = sum(float(str(row[b])) for b in BANDS)
    row.update(extra or {})
    return pd.DataFrame([row])


def _band(table: pd.DataFrame, year: int, band: str, col: str = "pop") -> float:
    hit = table[(table["year"] == year) & (table["age_band"] == band)]
    return float(hit[col].iloc[0])


def test_one_band_with_stated_mortality_gives_the_hand_computed_numbers() -> None:
    mx = {s: {**dict.fromkeys(BANDS, 0.0), "age_30_34": 0.01} for s in ("male", "female")}
    pop = _population({"age_30_34": 1000})
    out = project_population(pop, base_year=2020, target_year=2021, assumptions=_demo(mx=mx))
    deaths = 1000 * (1 - math.exp(-0.01))  # 9.9502
    survivors = 1000 - deaths
    assert _band(out, 2021, "age_30_34") == pytest.approx(survivors * 4 / 5, abs=1e-9)
    assert _band(out, 2021, "age_35_39") == pytest.approx(survivors / 5, abs=1e-9)
    assert _band(out, 2021, "age_35_39") == pytest.approx(198.00997, abs=1e-5)
    assert _band(out, 2021, "total") == pytest.approx(990.0498, abs=1e-4)
    assert _band(out, 2021, "age_30_34", "male") == pytest.approx(survivors * 0.4, abs=1e-9)


def test_births_infant_deaths_and_migration_by_hand() -> None:
    # 1,000 women aged 25–29, TFR 1.5 all at 25–29 → ASFR 0.3 → 300 births, 150 boys at SRB
    # 100; q0 10‰ → 3 infant deaths; 100 net migrants all aged 20–24, 40 % men.
    pop = _population({"age_25_29": 1000})
    demo = _demo(tfr=1.5, infant_mortality_per_1k=10.0, net_migration_per_year=100.0,
                 migration_male_share=0.4)
    women = dict.fromkeys(BANDS, 0.0)
    out = project_population(pop, base_year=2020, target_year=2021, assumptions=demo,
                             male_shares=women)
    assert _band(out, 2021, "age_00_04") == pytest.approx(297.0)
    assert _band(out, 2021, "age_00_04", "male") == pytest.approx(148.5)
    assert _band(out, 2021, "age_25_29", "female") == pytest.approx(800.0)
    assert _band(out, 2021, "age_30_34", "female") == pytest.approx(200.0)
    assert _band(out, 2021, "age_20_24", "male") == pytest.approx(40.0)
    assert _band(out, 2021, "total") == pytest.approx(1000 + 300 - 3 + 100)
    steps = projection_steps(pop, base_year=2020, target_year=2021, assumptions=demo,
                             male_shares=women)
    row = steps.iloc[0]
    assert (row["start"], row["births"], row["deaths"], row["migration"], row["end"]) == \
        pytest.approx((1000, 300, 3, 100, 1397))
    assert explain_projection(steps, area_code="999999", area_name="测试县") == [
        "测试县 (999999): population projection, cohort-component method, persons at "
        "year end",
        "2021: 1,000 + 300 births − 3 deaths + 100 net migrants = 1,397",
    ]


def test_without_deaths_births_or_migration_everyone_ages_and_no_one_is_lost() -> None:
    bands = {b: 100.0 * (i + 1) for i, b in enumerate(BANDS)}
    pop = _population(bands)
    out = project_population(pop, base_year=2020, target_year=2025, assumptions=_demo())
    totals = out[out["age_band"] == "total"]["pop"].to_numpy()
    assert totals == pytest.approx([sum(bands.values())] * 6)
    # one year: a fifth of each band moves up; the open band 85+ keeps everyone
    for i, band in enumerate(BANDS):
        expected = bands[band] * 0.8 + (bands[BANDS[i - 1]] * 0.2 if i else 0.0)
        if band == "age_85p":
            expected = bands[band] + bands["age_80_84"] * 0.2
        assert _band(out, 2021, band) == pytest.approx(expected)
    assert _band(out, 2025, "age_00_04") == pytest.approx(100 * 0.8 ** 5)


def test_census_530403_projected_to_2025_with_the_default_assumptions() -> None:
    census = reference.census("530403")
    pop = _population({b: census[b] for b in BANDS}, code="530403",
                      extra={"male": census["male"], "female": census["female"]})
    assert float(pop["total"].iloc[0]) == 253295
    shares = male_shares_from_census("530403")
    assert shares is not None
    assert shares["age_00_04"] == pytest.approx(8272 / 15901)
    assumptions = load_assumptions()
    out = project_population(pop, base_year=2020, target_year=2025, assumptions=assumptions,
                             male_shares=shares)
    assert out.attrs["notes"] == [
        "bands split by sex with the share of men per band of the 2020 census"]
    total_2025 = _band(out, 2025, "total")
    # no migration, TFR 1.3, national mortality: a slow decline, not a jump
    assert 245_000 < total_2025 < 256_000
    steps = projection_steps(pop, base_year=2020, target_year=2025, assumptions=assumptions,
                             male_shares=shares)
    assert list(steps["year"]) == [2021, 2022, 2023, 2024, 2025]
    crude_birth = steps["births"] / steps["start"] * 1000
    crude_death = steps["deaths"] / steps["start"] * 1000
    assert crude_birth.between(6, 11).all()  # ‰; Yunnan 2020 ≈ 10‰, China ≈ 8.5‰
    assert crude_death.between(6, 11).all()  # ‰; China 2020 ≈ 7.1‰, an older county
    assert (steps["start"] + steps["births"] - steps["deaths"] + steps["migration"]
            - steps["end"]).abs().max() < 1e-6
    # men stay men: the male total of 2020 is the census's
    assert _band(out, 2020, "total", "male") == pytest.approx(129586)


def test_growth_method_equals_the_geometric_formula() -> None:
    rows = pd.concat([
        _population({"age_00_04": 400, "age_30_34": 600}, year=2019),
        _population({"age_00_04": 440, "age_30_34": 660}, year=2023,
                    extra={"male": 550.0}),
    ])
    rate = observed_growth_rate(rows, "999999", up_to=2023)
    assert rate is not None
    assert rate == pytest.approx(1.1 ** 0.25 - 1)
    out = project_population(rows, base_year=2023, target_year=2025, assumptions=_demo(),
                             method="growth")
    assert _band(out, 2025, "total") == pytest.approx(1100 * (1 + rate) ** 2)
    assert _band(out, 2025, "total") == pytest.approx(1100 * 1.1 ** 0.5)
    assert _band(out, 2025, "age_30_34") == pytest.approx(660 * 1.1 ** 0.5)
    assert _band(out, 2025, "total", "male") == pytest.approx(550 * 1.1 ** 0.5)
    fixed = project_population(rows, base_year=2023, target_year=2024,
                               assumptions=_demo(growth_rate_pct=-1.0), method="growth")
    assert _band(fixed, 2024, "total") == pytest.approx(1089.0)


@pytest.mark.parametrize("e0", [60.0, 75.37, 77.93, 80.88])
def test_model_life_table_reaches_the_stated_life_expectancy(e0: float) -> None:
    table = model_life_table(e0, infant_mortality_per_1k=5.4)
    assert table.attrs["e0"] == pytest.approx(e0, abs=1e-6)
    assert list(table["age_band"]) == list(schema.AGE_BAND_IDS)
    assert table["lx"].iloc[0] == 1.0
    assert table["dx"].sum() == pytest.approx(1.0)  # everyone dies by 120
    adult = table["mx"].iloc[3:].to_numpy()
    assert (adult[1:] > adult[:-1]).all()  # mortality rises with age after 15


def test_life_expectancy_out_of_reach_is_an_error() -> None:
    with pytest.raises(HsplanError, match=r"life table: expected a life expectancy the model "
                       r"can reach .* got 120\. Fix: change mortality\.e0_\*"):
        model_life_table(120.0, infant_mortality_per_1k=5.4)


def test_bad_assumptions_are_reported_together(tmp_path: Path) -> None:
    text = load_assumptions().path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    text = text.replace("value: 1.3", "value: many").replace("value: 111.3", "value: 300")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_assumptions(bad)
    assert [str(p) for p in info.value.errors] == [
        "bad.yaml, sheet demography, column fertility.tfr: invalid assumption: expected a "
        "number in 0–10, got 'many'. Fix: set fertility.tfr.value to a number in 0–10",
        "bad.yaml, sheet demography, column fertility.sex_ratio_at_birth: invalid assumption:"
        " expected a number in 80–140, got '300'. Fix: set fertility.sex_ratio_at_birth.value"
        " to a number in 80–140",
    ]


def test_unknown_method_and_missing_base_year_are_errors() -> None:
    pop = _population({"age_30_34": 10})
    with pytest.raises(HsplanError, match=re.escape(
            "projection method 'trend': expected one of cohort, growth. "
            "Fix: use --method cohort or --method growth.")):
        project_population(pop, base_year=2020, target_year=2021, assumptions=_demo(),
                           method="trend")  # type: ignore[arg-type]
    with pytest.raises(HsplanError, match=r"population: expected rows for the base year 2019, "
                       r"got none\."):
        project_population(pop, base_year=2019, target_year=2021, assumptions=_demo())

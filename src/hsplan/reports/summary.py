"""A one-year overview of a region: population, facilities, beds and staff per population.

`summary` returns plain DataFrames (English column ids with units in the names); the
`summary_label` gives the header a planner sees (Chinese by default). Every frame set carries
the ``about`` frame whose ``synthetic`` flag says whether the data came from
`hsplan.region.synth`, so no output made from synthetic data can pass for real.
"""

from __future__ import annotations

import pandas as pd

from hsplan._i18n import N_, _
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.model import Region

SUMMARY_LABELS: dict[str, str] = {  # message ids: read them with `summary_label`
    "area_code": N_("area code"), "name": N_("name"), "level": N_("level"),
    "pop": N_("resident population"), "pop_65p": N_("population aged 65+"),
    "share_65p_pct": N_("aged 65+ (%)"), "urban": N_("urban population"),
    "rural": N_("rural population"), "urban_share_pct": N_("urban population (%)"),
    "urban_rural": N_("urban/rural"), "category": N_("facility category"),
    "subtype": N_("facility type"), "facilities": N_("number of facilities"),
    "public": N_("public"),
    "beds": N_("actual beds"), "beds_per_1k": N_("beds per 1,000 population"),
    "doctors": N_("licensed (assistant) doctors"),
    "doctors_per_1k": N_("licensed (assistant) doctors per 1,000 population"),
    "nurses": N_("registered nurses"),
    "nurses_per_1k": N_("registered nurses per 1,000 population"),
    "pharmacists": N_("pharmacists"),
    "pharmacists_per_1k": N_("pharmacists per 1,000 population"),
    "gps": N_("general practitioners"),
    "gps_per_10k": N_("general practitioners per 10,000 population"),
    "staff_total": N_("health staff"), "staff_per_1k": N_("health staff per 1,000 population"),
    "health_tech": N_("health technicians"),
    "health_tech_per_1k": N_("health technicians per 1,000 population"),
    "region": N_("region name"), "county_code": N_("county code"), "year": N_("year"),
    "synthetic": N_("synthetic data"), "note": N_("note"),
}


def summary_label(column: str) -> str:
    """Return the header a planner sees for a summary column, in the reader's language."""
    return _(SUMMARY_LABELS[column]) if column in SUMMARY_LABELS else column
_AGE_65P = ("age_65_69", "age_70_74", "age_75_79", "age_80_84", "age_85p")


def summary(region: Region, *, year: int | None = None) -> dict[str, pd.DataFrame]:
    """Return the region's overview for `year` as frames: ``about`` (one row: region, year,
    synthetic flag, note), ``population`` (persons and shares in %, one row per township
    and the county), ``facilities`` (counts by 机构类别 and 机构类型) and ``resources``
    (beds, staff and their per-1,000 / per-10,000 rates, county and townships).

    Notes
    -----
    Rates divide by the 常住人口 of the same year: beds_per_1k = beds / pop × 1,000,
    doctors = 执业医师 + 执业助理医师, gps_per_10k = GPs / pop × 10,000 (the definitions
    of 《卫生健康统计调查制度》). A facility counts for the township whose code starts its
    own ``area_code`` (a village code's first 9 digits). `year` defaults to the latest
    year that has both population and resources, else (a census-only project) the latest
    population year — resources then have no counts or rates, never zeros.
    """
    year = _year(region, year)
    areas = region.areas
    county = areas[areas["level"] == "county"]
    towns = areas[areas["level"] == "township"].sort_values("code")
    county_code = str(county["code"].iloc[0]) if not county.empty else ""
    pop = region.population[region.population["year"] == year].set_index("area_code")

    about = pd.DataFrame([{
        "region": str(region.meta.get("name", county["name"].iloc[0] if not county.empty
                                       else "")),
        "county_code": county_code, "year": year, "synthetic": region.synthetic,
        "note": _synthetic_note(region) if region.synthetic else "",
    }])

    pop_rows = []
    for code, name, level in [(county_code, county["name"].iloc[0] if not county.empty
                               else "", "county"),
                              *zip(towns["code"], towns["name"], towns["level"], strict=True)]:
        if code not in pop.index:
            continue
        r = pop.loc[code]
        total = int(r["total"])
        old = sum(int(r[c]) for c in _AGE_65P) if not r[list(_AGE_65P)].isna().any() else None
        urban = None if pd.isna(r["urban"]) else int(r["urban"])
        pop_rows.append({
            "area_code": code, "name": name, "level": level, "pop": total,
            "pop_65p": old, "share_65p_pct": None if old is None else round(
                100 * old / total, 2),
            "urban": urban, "rural": None if pd.isna(r["rural"]) else int(r["rural"]),
            "urban_share_pct": None if urban is None else round(100 * urban / total, 2),
        })
    population = pd.DataFrame(pop_rows)

    fac = region.facilities
    facilities = (fac.assign(public=fac["ownership"] == "公立")
                  .groupby(["category", "subtype"], as_index=False)
                  .agg(facilities=("id", "size"), public=("public", "sum")))
    facilities = facilities.sort_values(["category", "facilities"],
                                        ascending=[True, False]).reset_index(drop=True)

    res = region.resources[region.resources["year"] == year]
    res = res.merge(fac[["id", "area_code"]], left_on="facility_id", right_on="id")
    res = res.assign(township=res["area_code"].str[:9],
                     doctors=res["doctors_licensed"].fillna(0) + res["doctors_assistant"].fillna(0),
                     health_tech=res["staff_health_tech"])
    cols = ["beds", "doctors", "nurses", "pharmacists", "gps", "staff_total", "health_tech"]
    by_town = res.groupby("township")[cols].sum()
    rows = []
    no_resources = res.empty  # not entered: no counts and no rates, never zeros
    for code, name, level in [(county_code, county["name"].iloc[0] if not county.empty
                               else "", "county"),
                              *zip(towns["code"], towns["name"], towns["level"], strict=True)]:
        if no_resources:
            known = code in pop.index and not pd.isna(pop.loc[code, "total"])
            empty: dict[str, object] = {"area_code": code, "name": name, "level": level,
                                        "pop": int(pop.loc[code, "total"]) if known else None}
            for c in cols:
                empty[c] = None
                empty["staff_per_1k" if c == "staff_total" else
                      f"{c}_per_10k" if c == "gps" else f"{c}_per_1k"] = None
            rows.append(empty)
            continue
        values = res[cols].sum() if level == "county" else (
            by_town.loc[code] if code in by_town.index else pd.Series(0, index=cols))
        known = code in pop.index and not pd.isna(pop.loc[code, "total"])
        total = int(pop.loc[code, "total"]) if known else 0
        row: dict[str, object] = {"area_code": code, "name": name, "level": level,
                                  "pop": total if known else None}
        for c in cols:
            row[c] = int(values[c])
            per = 10_000 if c == "gps" else 1_000
            rate_name = ("staff_per_1k" if c == "staff_total" else
                         f"{c}_per_10k" if c == "gps" else f"{c}_per_1k")
            row[rate_name] = round(int(values[c]) / total * per, 2) if total else None
        rows.append(row)
    resources = pd.DataFrame(rows)
    resources["pop"] = resources["pop"].astype("Int64")  # None (not entered) stays empty
    return {"about": about, "population": population, "facilities": facilities,
            "resources": resources}


def _year(region: Region, year: int | None) -> int:
    pop_years = set(region.population["year"].dropna().astype(int))
    res_years = set(region.resources["year"].dropna().astype(int))
    both = sorted(pop_years & res_years)
    problems = []
    if year is None and not both and pop_years:
        return max(pop_years)  # census only (hsplan init): the population, no resources
    if year is None and not both:
        problems.append(Problem(_("region"), expected=_("a year with population"),
                                got=_("none"), fix=_("import population first")))
    elif year is not None and year not in pop_years:
        problems.append(Problem(_("summary year {year}").format(year=year),
                                expected=_("a year with population data, one of {years}").format(
                                    years=", ".join(map(str, sorted(pop_years))) or _("none")),
                                got=str(year), fix=_("choose one of those years")))
    raise_if_errors(problems, context=_("summary"))
    return int(year) if year is not None else both[-1]


def to_json_dict(frames: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Return the summary frames as JSON-ready records (None for missing values)."""
    out: dict[str, object] = {}
    for name, df in frames.items():
        clean = df.astype(object).where(df.notna(), None)
        out[name] = [{k: _plain(v) for k, v in rec.items()} for rec in
                     clean.to_dict(orient="records")]
    return out


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy scalar → Python
    return value


def _synthetic_note(region: Region) -> str:
    from hsplan.region.synth import synthetic_note

    return synthetic_note(region.meta)

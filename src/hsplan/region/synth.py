"""A seeded generator of the data no open source gives, constrained by the real data.

`synthesize` takes a region that holds the real parts — the county boundary, the township
and village codes and names, the county's 2020 census row — and fills in the rest:

- **township polygons**: a partition of the real county boundary. Towns and townships are
  the clipped Voronoi cells of seed points spread over the county (farthest-point
  sampling plus Lloyd relaxation); streets (街道) share a small zone around the county
  seat, cut out of the town cells.
- **village points** inside their township polygon; 居委会 (code suffix 001–199) are urban
  communities near the township seat, 村委会 (200–399) rural villages.
- **population**: township totals sum exactly to the census county total, village totals
  to their township, age bands per township to the census bands (IPF then controlled
  rounding: a transportation LP whose vertices are integral). 2020 equals the census;
  the other years follow a small per-township trend with slow ageing.
- **facilities** following seed 000's setting rules (二、(一)机构设置): one county general
  hospital and one TCM hospital, a maternal and child health centre, a CDC, an emergency
  station, a health inspection unit, a 卫生院 per town/township (one 中心卫生院), a
  社区卫生服务中心 per street and 站 in its communities, a 村卫生室 in every village of 800+
  people that is not a township seat, and private hospitals, 门诊部 and 诊所.
- **resources** per facility and year, calibrated so that the 2020 county figures per
  1,000 (10,000) residents equal seed 000's 表1 baselines (`BASELINES_2020`) to the
  decimals stated there, with staff categories consistent; **utilisation** plausible for
  each grade, all public general hospitals healthy (occupancy ≥ 75 %, stay ≤ 9 days: the
  seed states the "no more beds" rule but does not say any hospital breaks it).
- **roads**: `roads_from_region` builds a synthetic road graph (minimum spanning tree of
  township seats and villages plus extra edges), a separate layer, not part of the model.

Everything random comes from one ``numpy.random.Generator(PCG64(seed))``: the same region,
seed and parameters give identical tables.

The tunable assumptions are in `hsplan.region._synth_params`, the geography in
`_synth_geo`, the facilities and their yearly figures in `_synth_facilities`, the roads in
`_synth_roads`; this module takes the inputs, makes the population and puts them together.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from hsplan._i18n import N_, _, format_number, ngettext
from hsplan.errors import Problem, ValidationError, raise_if_errors
from hsplan.region import schema
from hsplan.region._rounding import allocate, controlled_round, ipf
from hsplan.region._synth_facilities import (
    _facilities,
    _facts,
    _resources,
    _utilisation,
    rate_count,
)
from hsplan.region._synth_geo import (
    COUNTY_SEATS_GCJ02,
    is_community,
    seat_point,
    seat_village,
    township_kind_of_code,
    township_polygons,
    village_points,
)
from hsplan.region._synth_params import BASE_YEAR, BASELINES_2020, DEFAULT_YEARS, SynthParams
from hsplan.region._synth_roads import ROAD_CLASSES, roads_from_region, save_roads
from hsplan.region.coords import utm_crs
from hsplan.region.model import WGS84, Region
from hsplan.region.project import ROADS_NAME, Project

__all__ = [
    "BASELINES_2020", "COUNTY_SEATS_GCJ02", "ROADS_NAME", "ROAD_CLASSES", "SynthParams",
    "allocate", "controlled_round", "ipf", "rate_count", "roads_from_region", "save_roads",
    "synthesize", "synthesize_project",
]

GENERATOR = "hsplan.region.synth.synthesize"
#: the note a synthetic region carries (stored in English in region.gpkg; read translated
#: with `synthetic_note`)
SYNTHETIC_NOTE = N_(
    "Synthetic example data made by {generator} (seed {seed}): township polygons, village "
    "points, township/village population, facilities, resources and utilisation are "
    "generated; division codes, the county boundary and the 2020 census county total and "
    "age structure are real.")


def synthetic_note(meta: dict[str, Any]) -> str:
    """Return the synthetic-data note of a region's `meta` in the reader's language (the
    stored note when the region was not made by this generator)."""
    if meta.get("synth_generator") == GENERATOR and meta.get("synth_seed") is not None:
        return _(SYNTHETIC_NOTE).format(generator=GENERATOR, seed=meta["synth_seed"])
    return str(meta.get("synthetic_note", ""))


def synthesize(
    region: Region,
    *,
    seed: int = 0,
    years: tuple[int, ...] = DEFAULT_YEARS,
    params: SynthParams | dict[str, Any] | None = None,
) -> Region:
    """Return a new Region with synthetic geometry, population, facilities, resources and
    utilisation filled in around the real areas and census of `region`.

    Notes
    -----
    `region` needs one county area with its boundary polygon, its townships (9-digit
    codes) and villages (12-digit codes), and the county's 2020 population row with the
    5-year age bands. Everything the input gives is kept; 2020 county figures equal the
    census exactly. The result's ``meta`` has ``synthetic = True`` and names the
    generator and seed.
    """
    p = _params(params)
    county, towns, villages, census = _inputs(region, years)
    rng = np.random.default_rng(seed)
    metric_crs = utm_crs(gpd.GeoSeries([county.geometry], crs=WGS84))
    boundary = gpd.GeoSeries([county.geometry], crs=WGS84).to_crs(metric_crs).iloc[0]
    seat = seat_point(county, boundary, metric_crs)

    town_polys = township_polygons(boundary, seat, towns, rng,
                                   street_zone_share=p.street_zone_share)
    village_pts = village_points(town_polys, towns, villages, seat, rng)
    areas = _areas_table(county, towns, villages, town_polys, village_pts, metric_crs)

    pop = _population(census, towns, villages, years, rng, p)
    facilities = _facilities(county, towns, villages, town_polys, village_pts, pop, seat,
                             metric_crs, rng, p)
    resources = _resources(facilities, pop, census, years, rng, p)
    utilisation = _utilisation(facilities, resources, pop, years, rng, p)
    facts = _facts(facilities, str(county["name"]), years)

    meta = {
        **region.meta,
        "synthetic": True,
        "synthetic_note": SYNTHETIC_NOTE.format(generator=GENERATOR, seed=seed),
        "synth_generator": GENERATOR,
        "synth_seed": seed,
        "synth_years": list(years),
    }
    out = region.replace(areas=areas, population=pop, facilities=facilities,
                         resources=resources, utilisation=utilisation, facts=facts)
    out.meta = meta
    return out


# --- inputs -------------------------------------------------------------------------------


def _params(params: SynthParams | dict[str, Any] | None) -> SynthParams:
    if params is None:
        return SynthParams()
    if isinstance(params, SynthParams):
        return params
    known = set(SynthParams.__dataclass_fields__)
    problems = [
        Problem(_("synth parameters, key {key}").format(key=key),
                expected=_("one of {names}").format(names=", ".join(sorted(known))),
                got=str(key), fix=_("remove or correct the key"))
        for key in params if key not in known
    ]
    raise_if_errors(problems, context=_("synth parameters"))
    return replace(SynthParams(), **params)


#: the smallest county the generator makes (2020 residents): below it the county-level
#: institutions' minimum staff alone exceed the county's share of doctors and nurses
#: (西沙群岛 1,549 and 南沙群岛 639 are the only counties below it; the next, 札达县, has 8,454)
MIN_POPULATION = 5_000


def _inputs(
    region: Region, years: tuple[int, ...]
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return the county row, townships, villages and the county's 2020 census row."""
    problems: list[Problem] = []
    areas = region.areas
    counties = areas[areas["level"] == "county"]
    fix = _("build the region with hsplan.region.reference.region_from_county(CODE)")
    if len(counties) != 1:
        problems.append(Problem(_("region, table areas, column level"),
                                expected=_("exactly one county area"), got=str(len(counties)),
                                fix=fix))
    elif counties.geometry.iloc[0] is None or counties.geometry.iloc[0].geom_type not in (
            "Polygon", "MultiPolygon"):
        problems.append(Problem(_("region, table areas, column geometry"),
                                expected=_("the county boundary polygon"),
                                got=str(counties.geometry.iloc[0]), fix=fix))
    towns = areas[areas["level"] == "township"].sort_values("code").reset_index(drop=True)
    villages = areas[areas["level"] == "village"].sort_values("code").reset_index(drop=True)
    if towns.empty:
        problems.append(Problem(_("region, table areas, column level"),
                                expected=_("at least one township"), got="0", fix=fix))
    orphans = sorted(set(villages["parent_code"].astype(str)) - set(towns["code"].astype(str)))
    if orphans:
        problems.append(Problem(_("region, table areas, column parent_code"),
                                expected=_("the code of a township of the region"),
                                got=", ".join(orphans), fix=fix))
    if BASE_YEAR not in years:
        problems.append(Problem(_("synth years"),
                                expected=_("a list including {year}").format(year=BASE_YEAR),
                                got=str(list(years)),
                                fix=_("add {year} (the census year)").format(year=BASE_YEAR)))
    census = pd.Series(dtype=object)
    if len(counties) == 1:
        code = counties["code"].iloc[0]
        rows = region.population[(region.population["area_code"] == code)
                                 & (region.population["year"] == BASE_YEAR)]
        bands = list(schema.AGE_BAND_IDS)
        if len(rows) == 1 and rows[bands].isna().any(axis=None):
            problems.append(Problem(
                _("the {year} census has no population by age for {code} ({total} residents): "
                  "a synthetic county needs the 18 age bands").format(
                      year=BASE_YEAR, code=code, total=format_number(rows["total"].iloc[0], "人")),
                fix=_("no synthetic data is made for such counties (e.g. 三沙市南沙群岛)")))
        elif len(rows) != 1 or rows[["total", *bands]].isna().any(axis=None):
            problems.append(Problem(_("region, table population, area {code}, year {year}")
                                    .format(code=code, year=BASE_YEAR),
                                    expected=_("one row with total and all 18 age bands"),
                                    got=ngettext("{n} row", "{n} rows", len(rows)).format(
                                        n=len(rows)), fix=fix))
        elif int(rows["total"].iloc[0]) != int(rows[bands].iloc[0].sum()):
            problems.append(Problem(_("region, table population, area {code}, year {year}")
                                    .format(code=code, year=BASE_YEAR),
                                    expected=_("age bands that sum to the total"),
                                    got=_("{bands} vs {total}").format(
                                        bands=int(rows[bands].iloc[0].sum()),
                                        total=int(rows["total"].iloc[0])),
                                    fix=_("correct the census row")))
        elif int(rows["total"].iloc[0]) < MIN_POPULATION:
            problems.append(Problem(
                _("the {year} census counts {total} residents, fewer than the {min} a synthetic "
                  "county needs: by the staffing rules of seed 000, the minimum staff of the "
                  "county hospitals, the public health institutions and every township health "
                  "centre exceed the staff the population calls for").format(
                      year=BASE_YEAR, total=f"{int(rows['total'].iloc[0]):,}",
                      min=f"{MIN_POPULATION:,}"),
                fix=_("no synthetic data is made for such counties (e.g. 三沙市西沙群岛)")))
        else:
            census = rows.iloc[0]
    raise_if_errors(problems, context="synthesize")
    return counties.iloc[0], towns, villages, census


def _areas_table(county: pd.Series, towns: pd.DataFrame, villages: pd.DataFrame,
                 town_polys: list[BaseGeometry], village_pts: dict[str, Point],
                 crs: Any) -> gpd.GeoDataFrame:
    county_row: dict[str, Any] = {str(k): v for k, v in county.items()}
    metric_county = gpd.GeoSeries([county.geometry], crs=WGS84).to_crs(crs).iloc[0]
    county_row["area_km2"] = round(metric_county.area / 1e6, 2)
    rows: list[dict[str, Any]] = [county_row]
    geoms: list[BaseGeometry] = [metric_county]
    for (_index, t), poly in zip(towns.iterrows(), town_polys, strict=True):
        row = {str(k): v for k, v in t.items()}
        row["urban_rural"] = "urban" if township_kind_of_code(t["code"]) == "street" else "rural"
        row["area_km2"] = round(poly.area / 1e6, 2)
        row["lon"] = row["lat"] = None
        row["crs"] = None
        rows.append(row)
        geoms.append(poly)
    for _index, v in villages.iterrows():
        row = {str(k): val for k, val in v.items()}
        row["urban_rural"] = "urban" if is_community(v["code"]) else "rural"
        row["area_km2"] = None
        row["crs"] = "WGS84"
        rows.append(row)
        geoms.append(village_pts[v["code"]])
    frame = pd.DataFrame(rows).drop(columns="geometry", errors="ignore")
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs)).to_crs(WGS84)
    gdf.loc[0, "geometry"] = county.geometry  # keep the real boundary untouched
    is_village = gdf["level"] == "village"
    gdf.loc[is_village, "lon"] = gdf.loc[is_village].geometry.x.round(6)
    gdf.loc[is_village, "lat"] = gdf.loc[is_village].geometry.y.round(6)
    return gdf


# --- population ---------------------------------------------------------------------------


_BAND_MID = np.array([lo + 2.5 for lo, _ in schema.AGE_BANDS])
_BAND_Z = (_BAND_MID - 42.5) / 42.5  # −1 youngest … +1 oldest


def _population(census: pd.Series, towns: pd.DataFrame, villages: pd.DataFrame,
                years: tuple[int, ...], rng: np.random.Generator,
                p: SynthParams) -> pd.DataFrame:
    """Return the population table: county, township (with age bands) and village rows."""
    bands = list(schema.AGE_BAND_IDS)
    county_code = str(census["area_code"])
    total = int(census["total"])
    band_totals = census[bands].to_numpy(dtype=np.int64)
    kinds = np.array([township_kind_of_code(c) for c in towns["code"]])
    weight = np.where(kinds == "street", p.street_pop_weight,
                      np.where(kinds == "town", 1.0, p.ethnic_township_pop_weight))
    weight = weight * rng.lognormal(0, 0.2, len(towns))
    town_tot = allocate(total, weight)

    # village shares within each township; the seat is the largest
    vshare: dict[str, float] = {}
    for code in towns["code"]:
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        if not vs:
            continue
        w = rng.lognormal(0, p.village_pop_sigma, len(vs))
        seat_code = seat_village(vs)
        w[vs.index(seat_code)] = w.max() * 1.6
        for v, wi in zip(vs, w / w.sum(), strict=True):
            vshare[v] = float(wi)

    # age structure: streets younger, 乡 older (tilt), fitted to both margins
    tilt = np.where(kinds == "street", -1.0, np.where(kinds == "town", 0.1, 0.6))
    tilt = tilt + rng.normal(0, 0.2, len(towns))
    seed_m = np.exp(0.35 * tilt[:, None] * _BAND_Z[None, :]) * (band_totals / total)[None, :]
    seed_m *= town_tot[:, None]
    town_bands = controlled_round(ipf(seed_m, town_tot.astype(float), band_totals.astype(float)),
                                  town_tot, band_totals)

    # urban residents: streets first, then the towns' communities
    comm_pop = np.array([
        sum(vshare.get(v, 0.0) for v in villages[villages["parent_code"] == c]["code"]
            if is_community(v)) for c in towns["code"]]) * town_tot
    urban_w = np.where(kinds == "street", town_tot * 10.0, comm_pop + 1e-9)
    urban_total = int(census["urban"]) if not pd.isna(census.get("urban")) else int(
        town_tot[kinds == "street"].sum())
    town_urban = allocate(min(urban_total, total), urban_w, town_tot)
    male_share = (float(census["male"]) / total) if not pd.isna(census.get("male")) else 0.51

    rows: list[dict[str, Any]] = []
    growth = np.array([p.pop_growth[k] for k in kinds]) + rng.normal(0, 0.002, len(towns))
    for year in sorted(years):
        dy = year - BASE_YEAR
        if dy == 0:
            tot_y, bands_y = town_tot, town_bands
        else:
            tot_y = np.rint(town_tot * (1 + growth) ** dy).astype(np.int64)
            age_f = np.exp(p.ageing_per_year * dy * _BAND_Z)
            bands_y = np.vstack([allocate(int(t), b * age_f) for t, b in
                                 zip(tot_y, town_bands, strict=True)])
        urban_share = np.clip(town_urban / town_tot + p.urbanisation_pts_per_year / 100 * dy,
                              0, 1)
        urb_y = town_urban if dy == 0 else np.minimum(np.rint(tot_y * urban_share), tot_y)
        male_y = allocate(round(tot_y.sum() * male_share), tot_y, tot_y)
        if dy == 0 and not pd.isna(census.get("male")):
            male_y = allocate(int(census["male"]), tot_y, tot_y)
        for i, code in enumerate(towns["code"]):
            row = {"area_code": code, "year": year, "total": int(tot_y[i]),
                   "male": int(male_y[i]), "female": int(tot_y[i] - male_y[i]),
                   "urban": int(urb_y[i]), "rural": int(tot_y[i] - urb_y[i])}
            row.update({b: int(x) for b, x in zip(bands, bands_y[i], strict=True)})
            rows.append(row)
            vs = villages[villages["parent_code"] == code]["code"].tolist()
            if vs:
                vt = allocate(int(tot_y[i]), [vshare[v] for v in vs])
                rows.extend({"area_code": v, "year": year, "total": int(n)}
                            for v, n in zip(vs, vt, strict=True))
        county_row: dict[str, Any] = {"area_code": county_code, "year": year}
        if dy == 0:
            county_row.update({c: census.get(c) for c in
                               ("total", "male", "female", "urban", "rural", "hukou", *bands)})
        else:
            town_rows = pd.DataFrame([r for r in rows if r["year"] == year
                                      and len(str(r["area_code"])) == 9])
            for c in ("total", "male", "female", "urban", "rural", *bands):
                county_row[c] = int(town_rows[c].sum())
        rows.append(county_row)
    frame = pd.DataFrame(rows)
    frame["_lvl"] = frame["area_code"].astype(str).str.len()
    return frame.sort_values(["year", "_lvl", "area_code"]).drop(columns="_lvl").reset_index(
        drop=True)


def synthesize_project(root: str | Path, *, county: str = "530403", seed: int = 0) -> Project:
    """Return a new project in folder `root`: `hsplan.region.project.init_project` for `county`,
    then its region filled in by `synthesize` (seed `seed`) and the synthetic road layer
    written to ``roads.gpkg``. Refuses a folder that already holds a project.

    One transaction (`hsplan.region.project.create_project`): the census region, the
    synthetic tables, the roads and ``hsplan.toml`` are built in a hidden folder and moved
    into place together, so a failure or a kill leaves no half-made project.
    """
    from hsplan.region.project import build_project
    from hsplan.region.reference import region_from_county

    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValidationError([Problem(
            _("seed out of range"), column="--seed",
            expected=_("a whole number from 0 to {max}").format(max=2**32 - 1), got=str(seed),
            fix=_("give --seed 0, 1, 2 …"))], context="synth")
    census = region_from_county(county)

    def build(staging: Path) -> Project:
        project = Project(root=staging, name=f"{census.meta['name']}（合成示例）",
                          county_code=str(census.meta["county_code"]), synthetic=True)
        project.save(census)  # read back as `init` stores it, then filled in
        region = synthesize(project.load(), seed=seed)
        villages = region.areas[region.areas["level"] == "village"]
        if len(villages) and villages.geometry.notna().all():
            # roads join the villages; a county without bundled villages keeps the
            # straight-line model (stated in every access result)
            save_roads(roads_from_region(region, seed=seed), staging / ROADS_NAME)
        project.save(region)
        project.write_config()
        return project

    return build_project(root, build)



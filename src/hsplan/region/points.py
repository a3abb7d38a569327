"""Demand points of a region: where its people live, for access analyses."""

from __future__ import annotations

import geopandas as gpd

from hsplan.errors import Problem, raise_if_errors
from hsplan.region.model import WGS84, Region


def demand_points(region: Region, year: int | None = None
                  ) -> tuple[gpd.GeoDataFrame, str, int]:
    """Return (demand points, their level, the year): villages with a point and a
    population in the year, else townships; problems raised at once."""
    areas = region.areas
    pop = region.population
    towns = areas[areas["level"] == "township"]
    town_names = dict(zip(towns["code"].astype(str), towns["name"].astype(str), strict=True))
    tried = []
    for level in ("village", "township"):
        cand = areas[(areas["level"] == level) & areas.geometry.notna()]
        if cand.empty:
            tried.append(f"no {level} with a location")
            continue
        p = pop[pop["area_code"].isin(cand["code"]) & pop["total"].notna()]
        years = sorted(int(y) for y in p["year"].unique())
        use = year if year is not None else (years[-1] if years else None)
        if use is None:
            tried.append(f"no {level} population")
            continue
        by_code = p[p["year"] == use].set_index("area_code")["total"]
        missing = cand[~cand["code"].isin(by_code.index)]
        if len(missing):
            tried.append(f"{len(missing)} of {len(cand)} {level}s without population in {use}")
            continue
        cand = cand.sort_values("code").reset_index(drop=True)
        geom = cand.geometry.where(cand.geometry.geom_type == "Point",
                                   cand.geometry.representative_point())
        town_code = cand["parent_code"] if level == "village" else cand["code"]
        ur = cand["urban_rural"].astype("string")
        points = gpd.GeoDataFrame({
            "area_code": cand["code"].astype("string").to_numpy(),
            "name": cand["name"].astype("string").to_numpy(),
            "level": level,
            "township_code": town_code.astype("string").to_numpy(),
            "township_name": [town_names.get(str(c), str(c)) for c in town_code],
            "urban_rural": ur.to_numpy(),
            "pop": cand["code"].map(by_code).astype(int).to_numpy(),
        }, geometry=geom.values, crs=cand.crs)
        return points.to_crs(WGS84), level, int(use)
    raise_if_errors([Problem("region, table areas/population: no demand points",
                             expected="villages (or townships) with a location and a "
                             f"population{f' in {year}' if year else ''}",
                             got="; ".join(tried),
                             fix="import village points and their 常住人口, or township "
                             "polygons and population")], context="access")
    raise AssertionError  # unreachable: raise_if_errors raised

"""Demand points of a region: where its people live, for access analyses."""

from __future__ import annotations

import geopandas as gpd

from hsplan._i18n import N_, _
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.model import WGS84, Region

#: the message of the problem raised when a region has no demand points
NO_DEMAND_POINTS = N_("region, table areas/population: no demand points")


def demand_points(region: Region, year: int | None = None
                  ) -> tuple[gpd.GeoDataFrame, str, int]:
    """Return (demand points, their level, the year): villages with a point and a
    population in the year, else townships; problems raised at once."""
    areas = region.areas
    pop = region.population
    towns = areas[areas["level"] == "township"]
    town_names = dict(zip(towns["code"].astype(str), towns["name"].astype(str), strict=True))
    tried = []
    level_word = {"village": _("village"), "township": _("township")}
    for level in ("village", "township"):
        cand = areas[(areas["level"] == level) & areas.geometry.notna()]
        if cand.empty:
            tried.append(_("no {level} with a location").format(level=level_word[level]))
            continue
        p = pop[pop["area_code"].isin(cand["code"]) & pop["total"].notna()]
        years = sorted(int(y) for y in p["year"].unique())
        use = year if year is not None else (years[-1] if years else None)
        if use is None:
            tried.append(_("no {level} population").format(level=level_word[level]))
            continue
        by_code = p[p["year"] == use].set_index("area_code")["total"]
        missing = cand[~cand["code"].isin(by_code.index)]
        if len(missing):
            tried.append(_("{n} of {total} {level} areas without population in {year}").format(
                n=len(missing), total=len(cand), level=level_word[level], year=use))
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
    expected = (_("villages (or townships) with a location and a population in {year}")
                .format(year=year) if year else
                _("villages (or townships) with a location and a population"))
    raise_if_errors([Problem(_(NO_DEMAND_POINTS),
                             expected=expected, got=_("; ").join(tried),
                             fix=_("import village points and their 常住人口, or township "
                                   "polygons and population"))], context=_("access"))
    raise AssertionError  # unreachable: raise_if_errors raised

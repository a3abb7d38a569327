"""Every indicator of the catalog computed at any area level.

`compute` returns one row per area of a level (county, township, village …): facilities are
placed in an area by walking up ``areas.parent_code`` from their ``area_code``. The
computation itself is in `hsplan.plans._indicator_values`: each call prepares the region once
per level and reuses it for every indicator and year. The catalog's classes are re-exported
from `hsplan.plans.catalog`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hsplan.plans._indicator_values import RESULT_COLUMNS, Prepared, values_of
from hsplan.plans.catalog import (
    Catalog,
    FacilityFilter,
    Formula,
    Indicator,
    Term,
    catalog_dir,
    describe_formula,
    load_catalog,
)
from hsplan.region.model import Region

# --- computation --------------------------------------------------------------------------


def compute(region: Region, indicator_id: str, *, year: int, level: str = "county",
            catalog: Catalog | None = None) -> pd.DataFrame:
    """Return one row per area of `level`: the indicator's value in its catalog unit.

    Columns: ``area_code``, ``area_name``, ``value`` (catalog unit, e.g. 张/千人; for
    ``1:x`` ratios the x), ``numerator``, ``denominator`` (persons, beds, facilities …),
    ``unit``, ``status`` ("ok" | "no data" | "not applicable") and ``missing`` (what is
    missing or why the level does not apply, "" if nothing).

    Notes
    -----
    value = factor × numerator / denominator (see the entry's ``formula``). A facility
    belongs to the area of `level` reached by walking up ``areas.parent_code`` from its
    ``area_code``; facility counts include those open in `year` (``opened`` ≤ year <
    ``closed``). A population term uses the area's own population row, or else the sum over
    its child areas when every child has one. Reported indicators take ``value`` from the
    `reported` table, matching the id, the Chinese name or an alias. At a level below the
    finest of the entry's catalog ``levels`` every row is ``not applicable`` (a county-wide
    ratio such as ambulances per 10,000 has no township value). Inputs are not mutated.
    """
    cat = catalog or load_catalog()
    indicator = cat.get(indicator_id)
    return values_of(Prepared(region, level), indicator, year).to_frame()


def compute_all(region: Region, *, year: int, level: str = "county",
                catalog: Catalog | None = None,
                include_reported: bool = False) -> pd.DataFrame:
    """Return every computable indicator (and reported ones if asked) for every area of
    `level`: the columns of `compute` preceded by ``indicator`` (id) and ``name_zh``."""
    cat = catalog or load_catalog()
    chosen = [ind for ind in cat if ind.computable or include_reported]
    if not chosen:
        return pd.DataFrame(columns=["indicator", "name_zh", *RESULT_COLUMNS])
    prepared = Prepared(region, level)
    results = [values_of(prepared, ind, year) for ind in chosen]
    columns: dict[str, list[Any]] = {
        "indicator": [ind.id for ind, r in zip(chosen, results, strict=True) for _ in r.codes],
        "name_zh": [ind.name_zh for ind, r in zip(chosen, results, strict=True)
                    for _ in r.codes],
    }
    for name in RESULT_COLUMNS:
        columns[name] = [v for r in results for v in r.column(name)]
    return pd.DataFrame(columns)


__all__ = [
    "Catalog", "FacilityFilter", "Formula", "Indicator", "Term",
    "catalog_dir", "compute", "compute_all", "describe_formula", "load_catalog",
]

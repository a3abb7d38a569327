"""Tests of hsplan.plans.requirements: completeness and what the data supports (issue 10)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from hsplan.plans.requirements import (
    declared_complete,
    facilities_entered,
    facility_kinds_of,
    supported_analyses,
)
from hsplan.region.model import Region


def _census_only() -> Region:
    areas = pd.DataFrame({"code": ["150603", "150603001"], "name": ["康巴什区", "青春山街道"],
                          "level": ["county", "township"], "parent_code": [None, "150603"]})
    population = pd.DataFrame({"area_code": ["150603", "150603001"], "year": [2020, 2020],
                               "total": [118563, 40000]})
    return Region().replace(areas=areas, population=population)


def test_census_only_region_supports_evaluate_and_says_what_the_rest_lacks() -> None:
    table = supported_analyses(_census_only()).set_index("analysis")
    assert bool(table.loc["evaluate", "supported"])
    assert not bool(table.loc["check", "supported"])
    assert "机构表" in table.loc["check", "missing"]
    assert not bool(table.loc["needs", "supported"])
    assert "服务量" in table.loc["needs", "missing"]
    assert list(table.columns) == ["name_zh", "supported", "missing"]


def test_surveyed_none_differs_from_not_entered() -> None:
    region = _census_only()
    assert not facilities_entered(region, ["托育机构"])
    surveyed = dataclasses.replace(region, meta={"complete": ["托育机构"]})
    assert facilities_entered(surveyed, ["托育机构"])
    # the facilities table complete speaks for 医疗卫生机构, not for 托育机构
    complete = dataclasses.replace(region, meta={"complete": ["facilities"]})
    assert facilities_entered(complete, ["乡镇卫生院"])
    assert not facilities_entered(complete, ["托育机构"])
    one = dataclasses.replace(region, meta={"complete": "facilities"})
    assert declared_complete(one) == {"facilities"}
    assert facility_kinds_of({"subtype": ["乡镇卫生院", "社区卫生服务中心"]}) == (
        "乡镇卫生院", "社区卫生服务中心")

"""hsplan — planning and monitoring a region's health service system (区域医疗卫生服务体系).

The package's sub-packages are families, in the order data flows (imports only point down):

- `hsplan.region` — the region's tables, the project store, reference data, import, generator;
- `hsplan.plans` — plan files, the indicator catalog and its computation, extraction;
- analyses: `hsplan.evaluation` (targets, norms, tasks), `hsplan.demand` (projection, needs),
  `hsplan.access` (networks, travel times, coverage, catchments), `hsplan.allocation`;
- `hsplan.scenarios`, which composes the analyses;
- delivery: `hsplan.reports` (report, charts, maps, workbooks, layers), `hsplan.cli`,
  `hsplan.web` (the dashboard and JSON API over one project), `hsplan.server` (many users on
  PostgreSQL/PostGIS) and `hsplan.batch` (the same analyses over many counties).

`Project`, `Region` and the errors (`hsplan.errors`) are importable from here; the region
classes are loaded on first use, so ``import hsplan`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hsplan.errors import (
    DataSourceError,
    HsplanError,
    InfeasibleError,
    InputFileError,
    Problem,
    ValidationError,
)

if TYPE_CHECKING:
    from hsplan.region.model import Region
    from hsplan.region.project import Project

__version__ = "0.2.0"

__all__ = [
    "DataSourceError",
    "HsplanError",
    "InfeasibleError",
    "InputFileError",
    "Problem",
    "Project",
    "Region",
    "ValidationError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "Region":
        from hsplan.region.model import Region

        return Region
    if name == "Project":
        from hsplan.region.project import Project

        return Project
    raise AttributeError(f"module 'hsplan' has no attribute {name!r}")

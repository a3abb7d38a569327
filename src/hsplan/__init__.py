"""hsplan — planning and monitoring a region's health service system (区域医疗卫生服务体系).

The package is layered (see README): `io` reads and validates sources, `model`/`store`/
`project` hold the region, analysis modules compute from it, `cli` delivers.
"""

from hsplan.errors import DataSourceError, HsplanError, InfeasibleError, Problem, ValidationError
from hsplan.region.model import Region
from hsplan.region.project import Project

__version__ = "0.1.0"

__all__ = [
    "DataSourceError",
    "HsplanError",
    "InfeasibleError",
    "Problem",
    "Project",
    "Region",
    "ValidationError",
    "__version__",
]

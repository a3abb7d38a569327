"""Siting: where new facilities should go — covering, median and centre models with the
existing facilities fixed, solved exactly by HiGHS (``scipy.optimize.milp``) or, at
province scale, by greedy heuristics with a proven bound.

- `coverage` — `LSCP`, `MCLP` (and capacitated MCLP), `LSCPB`;
- `median` — `PMedian` (and capacitated p-median / facility location), `PCenter`;
- `project` — the models of a project: demand points, candidate sites, travel times,
  and the scenario a result implies (`hsplan compare` reads it).

Every model has ``from_cost_matrix`` and ``from_access`` constructors and a ``solve()``
that returns a `SitingResult`.
"""

from hsplan.access.siting._base import SitingData, SitingResult, siting_data
from hsplan.access.siting.coverage import LSCP, LSCPB, MCLP
from hsplan.access.siting.median import PCenter, PMedian

__all__ = ["LSCP", "LSCPB", "MCLP", "PCenter", "PMedian", "SitingData", "SitingResult",
           "siting_data"]

"""Access: who can reach care, and how fast.

- `network` — road networks from OSM or roads layers, and the straight-line model;
- `traveltimes` — snapping, nearest-facility times and OD matrices;
- `service` — the travel times of a project's demand points to its facilities (`ServiceAccess`);
- `coverage` — coverage within a time, service circles, isochrones;
- `catchments` — floating catchments (2SFCA, E2SFCA, Gaussian 2SFCA);
- `choices` — the supply kinds and catchment methods a caller chooses among, importable
  without the computation;
- `siting` — where new facilities should go (LSCP, MCLP, p-median, p-center, LSCP-B,
  capacitated variants), existing facilities fixed.
"""

__all__ = ["catchments", "choices", "coverage", "network", "service", "siting", "traveltimes"]

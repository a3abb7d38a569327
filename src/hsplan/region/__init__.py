"""The region: what a health commission holds about its territory, and how it is stored.

Modules, in the order data flows:

- `schema` — the tables (areas, population, facilities, resources, utilisation, reported,
  progress), their columns, Chinese headers, units and allowed values;
- `model` — `Region`, the typed frames of one region;
- `store`, `project` — the project folder and its GeoPackage store (atomic writes);
- `reference` — bundled national divisions, the 2020 census and county boundaries;
- `coords` — WGS84 / GCJ-02 / BD-09 conversion;
- `io` — Excel/CSV templates, reading, cross-table checks and import;
- `points` — demand points: where the region's people live, for access analyses;
- `synth` — the seeded generator of synthetic regions (the worked example is one);
- `example` — the shipped example project (the synthetic 江川区), ready to copy.

Nothing here imports from plans, analysis or delivery.
"""

__all__ = ["coords", "example", "io", "model", "points", "project", "reference", "schema",
           "store", "synth"]

"""Batch runs: the same analyses over many counties, on one machine or a Dask cluster.

- `sources` — which counties: a folder of projects, county codes (regions made on the fly
  from the bundled census and boundaries, or synthetic ones), or every county of a
  province or city;
- `jobs` — what runs on one county (validate, evaluate, check, needs, coverage, report),
  each returning a tidy frame;
- `executors` — serial, a local process pool, or Dask (LocalCluster or an existing
  scheduler), all behind the standard `concurrent.futures.Executor` interface;
- `run` — the driver: one result partition per county and job (Parquet), a manifest,
  resume, failures recorded without stopping the others, progress;
- `rollup` — roll-ups by city and province (tables, xlsx, a choropleth).
"""

__all__ = ["executors", "jobs", "rollup", "run", "sources"]

"""Reports: what people read — the evaluation report, charts, maps and summary tables.

- `report` — the mid-term / final evaluation report (Word);
- `charts` — progress, pyramid and needs charts;
- `maps` — facility, coverage and norm-violation maps;
- `summary` — summary tables of a region.
"""

__all__ = ["charts", "maps", "report", "summary"]

"""Reports: what people read — the evaluation report, charts, maps, tables, workbooks and
layers.

- `report` — the mid-term / final evaluation report (Word, PDF, HTML): `write_report`;
  its parts are `_report_data` (the numbers), `_findings` (the sentences) and `_sections`
  (the blocks), rendered by `_render` and `_word`;
- `progress` — 完成进度 / 时间进度 and the Chinese explanation of each target's verdict;
- `charts` — progress, completion, trend charts and the norm-violations map;
- `demand_charts` — the population pyramid and the needs chart;
- `maps` — facility, coverage and norm-violation maps, and figures sized for print;
- `allocation_charts` — Lorenz curves, the HRAD/PAD map, the efficiency chart;
- `network_map` — the 医共体 and 次中心 network map;
- `siting_map` — existing and new sites, villages newly covered;
- `coverage` — the coverage outputs of a service circle or the ambulance norms;
- `summary` — summary tables of a region;
- `workbook` — finished workbooks (headers, filter, widths, formats, 说明);
- `layers` — GeoPackage layers (one geometry type, Chinese aliases, clipped isochrones).
"""

__all__ = ["allocation_charts", "charts", "coverage", "demand_charts", "layers", "maps",
           "network_map", "progress", "report", "siting_map", "summary", "workbook"]

"""Allocation: how fairly and how efficiently resources are spread.

- `equity` — Gini coefficient and Lorenz curve by population and by area (the Chinese
  formula and the trapezoid form), Theil T and Theil L with within/between decomposition by
  any grouping, agglomeration degree (HRAD, PAD, HRAD/PAD) and the resource density index
  (HRDI); the `Equity` model takes them from a region's areas;
- `_equity_output` — the equity result (`EquityResult`) for people: formulas, Chinese words,
  frames with Chinese values, headers and number formats, the workbook (re-exported by
  `equity`);
- `efficiency` — data envelopment analysis of facilities (`DEA`: CCR/BCC, input or output
  orientation, scale efficiency, returns to scale, slacks, peers, targets,
  super-efficiency) and Malmquist productivity over years (`Malmquist`);
- `_xlsx` — the workbook writer both use (headers, widths, number formats).

Imports only the region and plans families below it.
"""

__all__ = ["efficiency", "equity"]

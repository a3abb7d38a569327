"""Scenarios: a changed copy of the region and plan, compared with the baseline.

- `scenario` — the scenario format (open/close/move facilities, beds, staff, ambulances,
  population assumptions), applying it, and the side-by-side comparison;
- `words` — a scenario's changes and the notes of applying it in Chinese words (for the
  dashboard, `hsplan compare` and the report's 情景测算 annex).

Scenarios compose the analyses below them (evaluation, demand, access).
"""

__all__ = ["scenario", "words"]

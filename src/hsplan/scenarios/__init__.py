"""Scenarios: a changed copy of the region and plan, compared with the baseline.

- `scenario` — the scenario format (open/close/move facilities, beds, staff, ambulances,
  population assumptions), applying it, and the side-by-side comparison.

Scenarios compose the analyses below them (evaluation, demand, access).
"""

__all__ = ["scenario"]

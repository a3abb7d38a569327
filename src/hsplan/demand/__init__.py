"""Demand: population projection and what the region needs by the target year.

- `projection` — cohort-component and growth-rate population projections;
- `needs` — beds, staff, ambulances and facilities needed, each figure explained.
"""

__all__ = ["needs", "projection"]

"""Plans: the plan format, the indicator catalog and extraction from plan documents.

- `plan` — plan files (YAML): schema, loader, built-in plans, list and diff;
- `catalog` — the indicator catalog (definitions as data) and its loader;
- `indicators` — indicator values computed for a region at any area level;
- `readings` — a plan's readings of its norms (bases, urban/rural, mode), one for every
  command (`Readings`);
- `requirements` — what each analysis needs from a region, and which tables are complete;
- `extract` — from a published plan document (txt/docx/pdf/html) to a plan file.

Imports only the region family below it.
"""

__all__ = ["catalog", "extract", "indicators", "plan", "readings", "requirements"]

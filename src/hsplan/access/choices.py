"""The names a caller chooses among when asking for access figures — supply kinds and
floating-catchment methods — kept apart from the computation so that the command line can
offer them without importing it."""

from __future__ import annotations

#: supply kind → the facility columns summed for it
SUPPLY_COLUMNS: dict[str, tuple[str, ...]] = {
    "beds": ("beds",),
    "doctors": ("doctors_licensed", "doctors_assistant"),
    "nurses": ("nurses",),
    "gps": ("gps",),
}
#: floating-catchment methods: 2SFCA, enhanced 2SFCA, Gaussian 2SFCA
FCA_METHODS = ("2sfca", "e2sfca", "g2sfca")

"""The one small exception hierarchy of hsplan, and the `Problem` every validator reports.

A validator never raises on the first problem: it collects `Problem` records and raises
one `ValidationError` carrying all of them. Every problem says where (file, sheet, row,
column), what was expected, what came, and how to fix it, e.g.::

    facilities.xlsx, sheet 机构, row 17, column 床位数: expected a whole number ≥ 0,
    got '约200'. Fix: enter the number of beds as digits only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


class HsplanError(Exception):
    """Base class of every error hsplan raises on purpose (the CLI prints these cleanly)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the input: where it is, what was expected, what came, the fix.

    `row` is the row number a person sees: the spreadsheet row (header = row 1) or the
    CSV line number. `sheet` is the Excel sheet name, or the table name for a CSV file.
    """

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    got: str | None = None
    fix: str | None = None
    severity: str = "error"  # "error" blocks an import; "warning" is reported only

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.message
        if self.expected is not None:
            text += f": expected {self.expected}"
            if self.got is not None:
                text += f", got {self.got!r}"
        elif self.got is not None:
            text += f" (got {self.got!r})"
        text += "."
        if self.fix:
            text += f" Fix: {self.fix}"
        where = self.where()
        return f"{where}: {text}" if where else text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


MAX_SHOWN_PER_KIND = 50


def summarise(problems: Iterable[Problem], *, per_kind: int = MAX_SHOWN_PER_KIND,
              ) -> tuple[list[Problem], dict[str, int]]:
    """Return the problems to show (the first `per_kind` of each kind, a kind being the
    message and severity) and the number left out of each kind, so that a sheet with 50,000
    bad rows prints a readable list and a count instead of 100,000 lines."""
    shown: list[Problem] = []
    counts: dict[tuple[str, str], int] = {}
    omitted: dict[str, int] = {}
    for p in problems:
        kind = (p.severity, p.message)
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= per_kind:
            shown.append(p)
        else:
            label = f"{p.message} ({p.severity})"
            omitted[label] = omitted.get(label, 0) + 1
    return shown, omitted


def omitted_lines(omitted: dict[str, int]) -> list[str]:
    """Return one line per kind of problem left out by `summarise`."""
    return [f"… and {n:,} more of the kind: {kind}. Fix the ones shown, then check again."
            for kind, n in omitted.items()]


class ValidationError(HsplanError):
    """Input that cannot be accepted; carries every problem found, not just the first.

    The message lists at most `MAX_SHOWN_PER_KIND` problems of each kind and counts the rest;
    `problems` keeps them all.
    """

    def __init__(self, problems: Iterable[Problem], *, context: str = "input") -> None:
        self.problems: list[Problem] = list(problems)
        self.context = context
        n = len(self.errors)
        shown, omitted = summarise(self.errors)
        lines = [f"{context}: {n:,} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in shown]
        lines += [f"  {line}" for line in omitted_lines(omitted)]
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class InfeasibleError(HsplanError):
    """A model has no solution; carries the solver status."""

    def __init__(self, message: str, *, status: str) -> None:
        self.status = status
        super().__init__(f"{message} (solver status: {status})")


class DataSourceError(HsplanError):
    """A data source (bundled reference data, a project file, an OSM file) is missing or
    unreadable."""


def raise_if_errors(problems: Iterable[Problem], *, context: str = "input") -> None:
    """Raise one `ValidationError` if any problem has severity "error"."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems, context=context)

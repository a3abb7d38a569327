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

from hsplan._i18n import _, ngettext


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
        """Return where the problem is in the current language: "X，工作表 Y，第 N 行，列 Z"
        in Chinese, "X, sheet Y, row N, column Z" in English (X: the file, or the place)."""
        parts = []
        if self.file:  # a file name, or the place itself ("query parameter year", "--add")
            parts.append(self.file)
        if self.sheet:
            parts.append(_("sheet {sheet}").format(sheet=self.sheet))
        if self.row is not None:
            parts.append(_("row {row}").format(row=self.row))
        if self.column:
            parts.append(_("column {column}").format(column=self.column))
        return _(", ").join(parts)

    def __str__(self) -> str:
        """Return the problem as one line in the current language (the frame is translated;
        message, expected and fix are translated where the problem is made)."""
        if self.expected is not None and self.got is not None:
            text = _("{message}: expected {expected}, got {got}.").format(
                message=self.message, expected=self.expected, got=repr(self.got))
        elif self.expected is not None:
            text = _("{message}: expected {expected}.").format(
                message=self.message, expected=self.expected)
        elif self.got is not None:
            text = _("{message} (got {got}).").format(message=self.message, got=repr(self.got))
        else:
            text = _("{message}.").format(message=self.message)
        if self.fix:
            text += _(" Fix: {fix}").format(fix=self.fix)
        where = self.where()
        return _("{where}: {text}").format(where=where, text=text) if where else text

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
            label = _("{message} ({severity})").format(message=p.message,
                                                       severity=severity_text(p.severity))
            omitted[label] = omitted.get(label, 0) + 1
    return shown, omitted


def omitted_lines(omitted: dict[str, int]) -> list[str]:
    """Return one line per kind of problem left out by `summarise`."""
    return [_("… and {n} more of the kind: {kind}. Fix the ones shown, then check again.")
            .format(n=f"{n:,}", kind=kind) for kind, n in omitted.items()]


def severity_text(severity: str) -> str:
    """Return "error" or "warning" in the current language."""
    return _("warning") if severity == "warning" else _("error")


class ValidationError(HsplanError):
    """Input that cannot be accepted; carries every problem found, not just the first.

    The message lists at most `MAX_SHOWN_PER_KIND` problems of each kind and counts the rest;
    `problems` keeps them all.
    """

    def __init__(self, problems: Iterable[Problem], *, context: str | None = None) -> None:
        context = _("input") if context is None else context
        self.problems: list[Problem] = list(problems)
        self.context = context
        n = len(self.errors)
        shown, omitted = summarise(self.errors)
        found = ngettext("{n} problem found", "{n} problems found", n).format(n=f"{n:,}")
        lines = [_("{context}: {found}").format(context=context, found=found)]
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
        super().__init__(_("{message} (solver status: {status})").format(message=message,
                                                                          status=status))


class DataSourceError(HsplanError):
    """A data source (bundled reference data, a project file, an OSM file) is missing or
    unreadable."""


class InputFileError(DataSourceError):
    """A table file the user gave (a workbook or CSV to import, validate or upload) cannot
    be read as one: empty, of another kind, damaged or over a limit. The input's fault, so
    the web answers 422 (a missing source is a 404)."""


def raise_if_errors(problems: Iterable[Problem], *, context: str | None = None) -> None:
    """Raise one `ValidationError` if any problem has severity "error"."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems, context=context)

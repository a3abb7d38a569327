"""Typer's own usage errors, said again in the reader's language.

Typer (0.2x) carries its own copy of Click without gettext and checks option values with
Pydantic, so the errors it raises before a command runs ("Missing option '--plan'.",
"Invalid value for '--year': Input should be greater than or equal to 1949") are English
literals that no catalog reaches. They are recognised here by their shape and said again
through hsplan's catalog; a message no pattern knows is shown as it came (never lost), and
in English every message is shown as it came.

The patterns hold for Click 8.1's wording too (``No such option: --x`` and
``No such option '--x'.``), so a different Typer or Click changes nothing a user reads.
Click itself says some messages through gettext's ``ngettext`` ("Got unexpected extra
argument (x)" / "…arguments (x y)"); the catalog holds those as plural entries
(``scripts/i18n_catalog.py``), and Typer's copy of Click says the same message as one
literal, "Got unexpected extra argument(s) (x y)", which a pattern here knows.

Every message Typer 0.2x's Click, Typer's value checks and Click 8.1 can raise before a
command runs has a pattern (tests/test_i18n.py runs each through `said_again`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hsplan._i18n import N_, _, language

# whole messages: (pattern, catalog message with the pattern's named groups)
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), message) for pattern, message in (
        (r"Missing argument (?P<name>.+?)\.(?P<rest> .*)?", N_("Missing argument {name}.")),
        (r"Missing option (?P<name>.+?)\.(?P<rest> .*)?", N_("Missing option {name}.")),
        (r"Missing parameter (?P<name>'.+?')\.(?P<rest> .*)?",
         N_("Missing parameter {name}.")),
        (r"Missing parameter:? ?(?P<name>.*?)\.?", N_("Missing parameter {name}.")),
        (r"Missing command\.", N_("Missing command.")),
        (r"No such option:? '?(?P<name>[^' ]+)'?\.? \(Possible options: (?P<options>.+)\)",
         N_("No such option {name} (possible options: {options}).")),
        (r"No such option:? '?(?P<name>[^' ]+)'?\.?(?: Did you mean (?P<options>.+)\?)?",
         N_("No such option {name}.")),
        (r"No such command (?P<name>'[^']*')\.? Did you mean (?P<options>.+)\?",
         N_("No such command {name}. Did you mean {options}?")),
        (r"No such command (?P<name>'[^']*')\.?", N_("No such command {name}.")),
        (r"Option (?P<name>'?[^ ]+'?) requires an argument\.",
         N_("Option {name} requires an argument.")),
        (r"Option (?P<name>'?[^ ]+'?) requires (?P<n>\d+) arguments\.",
         N_("Option {name} requires {n} values.")),
        (r"Got unexpected extra (?:arguments?|argument\(s\)) \((?P<args>.*)\)",
         N_("Unexpected extra argument ({args}).")),
        (r"Option (?P<name>'?[^ ]+?'?) does not take a value\.",
         N_("Option {name} does not take a value.")),
        (r"Argument (?P<name>'?[^ ]+?'?) takes (?P<n>\d+) values\.",
         N_("Argument {name} takes {n} values.")),
        (r"Could not open file (?P<name>.+?): (?P<message>.+)",
         N_("Could not open file {name}: {message}")),
        (r"Invalid value for (?P<name>.+?): (?P<message>.+)",
         N_("Invalid value for {name}: {message}")),
        (r"Invalid value: (?P<message>.+)", N_("Invalid value: {message}")),
        (r"Aborted[.!]", N_("Aborted.")),
    ))

# what comes after "Invalid value for X:" (Pydantic's and Click's words for a bad value)
_VALUES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), message) for pattern, message in (
        (r"Input should be a valid integer.*", N_("a whole number is expected.")),
        (r"'?(?P<value>.*?)'? is not a valid integer\.?", N_("a whole number is expected.")),
        (r"Input should be a valid number.*", N_("a number is expected.")),
        (r"'?(?P<value>.*?)'? is not a valid float\.?", N_("a number is expected.")),
        (r"Input should be a valid boolean.*", N_("yes or no (true/false) is expected.")),
        (r"Input should be greater than or equal to (?P<n>\S+?)\.?",
         N_("must be at least {n}.")),
        (r"Input should be greater than (?P<n>\S+?)\.?", N_("must be greater than {n}.")),
        (r"Input should be less than or equal to (?P<n>\S+?)\.?", N_("must be at most {n}.")),
        (r"Input should be less than (?P<n>\S+?)\.?", N_("must be less than {n}.")),
        (r"(?:Value error, )?(?P<value>.+?) is not one of (?P<choices>.+?)\.?",
         N_("{value} is not one of {choices}.")),
        (r"(?:Value error, )?(?P<value>.+?) is not in the range (?P<range>.+?)\.?",
         N_("{value} is not in the range {range}.")),
        (r"(?:File|Directory|Path) (?P<path>.+?) does not exist\.?",
         N_("{path} does not exist.")),
        (r"(?:File|Directory|Path) (?P<path>.+?) is a file\.?",
         N_("{path} is a file, a folder is expected.")),
        (r"(?:File|Directory|Path) (?P<path>.+?) is a directory\.?",
         N_("{path} is a folder, a file is expected.")),
        (r"(?:File|Directory|Path) (?P<path>.+?) is not readable\.?",
         N_("{path} cannot be read (no permission).")),
        (r"(?:File|Directory|Path) (?P<path>.+?) is not writable\.?",
         N_("{path} cannot be written (no permission).")),
        (r"Value must be an iterable\.?", N_("a list of values is expected.")),
        (r"Value (?P<value>.+?) is not a valid (?P<kind>.+?)\.?",
         N_("{value} is not a valid value.")),
        (r"Input should be a valid (?:date|datetime).*", N_("a date YYYY-MM-DD is expected.")),
        (r"Input should be a valid path.*", N_("a path is expected.")),
        (r"Input should be a finite number.*", N_("a finite number is expected.")),
        (r"Input should be (?P<choices>'.+')\.?", N_("one of {choices} is expected.")),
        (r"No such file or directory", N_("no such file or folder")),
        (r"Permission denied", N_("no permission")),
        (r"Is a directory", N_("it is a folder")),
        (r"unknown error", N_("unknown error")),
        (r"(?:Value error, )?(?P<value>.+?) does not match the formats? (?P<formats>.+?)\.?",
         N_("{value} does not match the format {formats}.")),
    ))


def said_again(text: str) -> str:
    """Return a Typer/Click usage error in the reader's language (as it came in English, or
    when no pattern knows it)."""
    if language() == "en":
        return text
    for pattern, message in _MESSAGES:
        m = pattern.fullmatch(text.strip())
        if m is None:
            continue
        fields = {k: v for k, v in m.groupdict().items() if k != "rest"}
        if "message" in fields:
            fields["message"] = _value_said_again(fields["message"])
        said = _(message).format(**{k: v or "" for k, v in fields.items()})
        return said + _rest_said_again(m.groupdict().get("rest") or "")
    return text


def _rest_said_again(rest: str) -> str:
    """Return what Click says after "Missing option X." (the choices of a choice option)
    in the reader's language; "" for nothing or words no pattern knows."""
    choices = re.fullmatch(r"\s*Choose from:\s*(?P<choices>.+?)\.?\s*", rest, re.S)
    if choices is None:
        return ""
    listed = [c.strip() for c in choices["choices"].split(",") if c.strip()]
    return _(" Choose from: {choices}.").format(choices=_(", ").join(listed))


def _value_said_again(text: str) -> str:
    for pattern, message in _VALUES:
        m = pattern.fullmatch(text.strip())
        if m is not None:
            fields = {k: v or "" for k, v in m.groupdict().items()}
            if "choices" in fields:  # Pydantic's "'a', 'b' or 'c'"
                fields["choices"] = fields["choices"].replace("' or '", "', '")
            return _(message).format(**fields)
    return text


def usage_said_again(text: str) -> str:
    """Return a usage line ("Usage: hsplan …") with its first word in the reader's language."""
    if language() == "en":
        return text
    head, sep, rest = text.partition("Usage:")
    return f"{head}{_('Usage:')}{rest.lstrip()}" if sep and not head.strip() else text


def localise_errors(rich_utils: Any) -> None:
    """Make Typer's error printer say its usage line and message in the reader's language."""
    original: Callable[[Any], None] = rich_utils.rich_format_error

    def format_error(self: Any) -> None:
        message = self.format_message
        self.format_message = lambda: said_again(message())
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            usage = ctx.get_usage
            ctx.get_usage = lambda: usage_said_again(usage())
        original(self)

    rich_utils.rich_format_error = format_error

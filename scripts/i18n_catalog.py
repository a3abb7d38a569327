"""Update hsplan's message catalog: extract the messages of the code, merge them into
src/hsplan/locale/zh_CN/LC_MESSAGES/hsplan.po and compile hsplan.mo beside it (Babel).

    python scripts/i18n_catalog.py           # extract + merge + compile
    python scripts/i18n_catalog.py --check   # fail when a message has no translation

New messages arrive with an empty msgstr: translate them in the .po, then run again. Once
every message is translated, the run also renews src/hsplan/cli/_help_text.py (the help
screens ``hsplan --help`` prints without Typer; ``scripts/cli_help.py`` does only that).
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "hsplan"
PO = SRC / "locale" / "zh_CN" / "LC_MESSAGES" / "hsplan.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Click's and Typer's own words that hsplan's help and errors show (translated too); the
# pairs are Click's ngettext messages, kept as plural entries (a plain entry of the singular
# is not what ngettext looks up, so both forms came out in English)
THIRD_PARTY: tuple[str | tuple[str, str], ...] = (
    "Show this message and exit.", "Usage:", "Missing option", "Missing argument",
    "Missing command.", "No such option: {name}", "Invalid value for {param_hint}: {message}",
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    "Try '{command} {option}' for help.",
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    "{value!r} is not a valid {number_type}.",
    "Missing parameter", "Error: {message}", "No such command {name!r}.", "Aborted!",
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."),
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."),
)


def extracted() -> list[tuple[str | tuple[str, str], str]]:
    """Return the messages of the whole package: (message id or (singular, plural), file)."""
    found: dict[str | tuple[str, str], str] = {}

    for name, _lineno, message, _comments, _context in extract_from_dir(
            str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS,
            callback=None):
        key = tuple(message) if isinstance(message, tuple | list) else message
        if key:
            found.setdefault(key, name)  # type: ignore[arg-type]
    for text in THIRD_PARTY:
        found.setdefault(text, "click")
    return list(found.items())


def load() -> Catalog:
    """Return the .po catalog (empty when it does not exist yet)."""
    if not PO.exists():
        return Catalog(locale="zh_CN", domain="hsplan")
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN", domain="hsplan")


def missing(catalog: Catalog) -> list[str]:
    """Return the messages of the code that the catalog does not translate."""
    out = []
    for key, _name in extracted():
        msg = catalog.get(key if isinstance(key, str) else key[0])
        strings = [] if msg is None else (msg.string if isinstance(msg.string, tuple | list)
                                          else [msg.string])
        if msg is None or not all(strings):
            out.append(key if isinstance(key, str) else key[0])
    return out


def compile_mo(catalog: Catalog) -> bytes:
    """Return the compiled .mo bytes of `catalog`."""
    buf = BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    catalog = load()
    if "--check" in argv:
        gaps = missing(catalog)
        for m in gaps:
            print(f"untranslated: {m!r}")
        return 1 if gaps else 0
    fresh = Catalog(locale="zh_CN", domain="hsplan", project="hsplan", version="0.2",
                    copyright_holder="hsplan", msgid_bugs_address="", charset="utf-8",
                    fuzzy=False, language_team="hsplan", last_translator="hsplan")
    for key, name in extracted():
        old = catalog.get(key if isinstance(key, str) else key[0])
        string = old.string if old is not None else ("", "") if isinstance(key, tuple) else ""
        if isinstance(key, tuple) and isinstance(string, str):  # a message became plural
            string = (string, string)
        elif isinstance(key, str) and not isinstance(string, str):  # … or singular
            string = string[0]
        fresh.add(key, string, locations=[(name, 0)])
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, fresh, omit_header=False, no_location=True, width=100, sort_output=False)
    PO.with_suffix(".mo").write_bytes(compile_mo(fresh))
    gaps = missing(fresh)
    print(f"{PO.relative_to(ROOT)}: {len(fresh)} messages, {len(gaps)} untranslated")
    if not gaps:  # the top-level help screens `hsplan --help` prints without Typer
        from hsplan.cli._prerender import help_text_module, help_text_path

        text = help_text_module()
        if help_text_path().read_text(encoding="utf-8") != text:
            help_text_path().write_text(text, encoding="utf-8")
            print(f"{help_text_path().relative_to(ROOT)}: help screens and manifest renewed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

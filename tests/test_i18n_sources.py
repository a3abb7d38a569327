"""Every message a planner can see is marked for translation where it is written.

The places a message reaches a person: hsplan's exceptions (every ``…Error`` that is not a
Python built-in), ``Problem`` records, ``warnings.warn`` and the CLI's ``echo``/``secho``.
A string literal handed to one of them that holds an English sentence (three or more ASCII
words in a row, outside quotes and backticks) must be inside ``_()``, ``N_()`` or
``ngettext()``, so that the catalog gives its Chinese. Developer errors (``ValueError``,
``KeyError`` …: a caller's mistake, never shown to a planner by the CLI) are left out.

The runtime side (the fuzz corpus and the import corpus read in Chinese, with no English
sentence left) is in tests/test_fuzz_inputs.py and tests/test_i18n_problems.py; this test
finds the messages no corpus happens to reach.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

from language_helpers import english_runs

SRC = Path(__file__).resolve().parents[1] / "src" / "hsplan"
WRAPPERS = {"_", "N_", "ngettext"}
SINKS = {"Problem", "warn", "echo", "secho"}
BUILTIN_ERRORS = {name for name in dir(builtins) if name.endswith("Error")}


def _name(call: ast.Call) -> str:
    fn = call.func
    return fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""


def _is_sink(name: str) -> bool:
    return name in SINKS or (name.endswith("Error") and name not in BUILTIN_ERRORS)


def _texts(node: ast.AST) -> list[tuple[int, str]]:
    """Return the string literals under `node` that are not inside a translation call."""
    if isinstance(node, ast.Call) and _name(node) in WRAPPERS:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)]
    if isinstance(node, ast.JoinedStr):  # an f-string: its literal parts, joined
        text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return [(node.lineno, text)]
    out: list[tuple[int, str]] = []
    for child in ast.iter_child_nodes(node):
        out += _texts(child)
    return out


def untranslated(path: Path, root: Path = SRC) -> list[str]:
    """Return "file:line: text" for each English sentence handed to a sink untranslated."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and _is_sink(_name(node))):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for line, text in _texts(arg):
                if english_runs(text):
                    found.append(f"{path.relative_to(root)}:{line}: {text[:70]!r}")
    return found


def test_every_message_to_a_person_is_marked_for_translation() -> None:
    found = [hit for path in sorted(SRC.rglob("*.py")) for hit in untranslated(path)]
    assert found == [], f"{len(found)} untranslated messages:\n" + "\n".join(found)


def test_the_check_finds_an_untranslated_message(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text('from hsplan.errors import HsplanError, Problem\n'
                   'def f(x):\n'
                   '    raise HsplanError(f"needs: expected a target year, got {x}")\n'
                   'def g():\n'
                   '    return Problem(message="x", expected="a whole number here")\n'
                   'def h(x):\n'
                   '    raise ValueError("a caller passed a wrong value")\n'
                   'def i(x):\n'
                   '    raise HsplanError(_("needs: expected a target year"))\n',
                   encoding="utf-8")
    assert [hit.split(":")[1] for hit in untranslated(bad, tmp_path)] == ["3", "5"]

"""The package's layers: every import points down the families, and no module imports in a circle.

The families and their order are those of DESIGN.md (sources → region → plans → analysis →
delivery). Imports are read from the source (ast), including those inside functions and
under ``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hsplan"

# family → layer; a module may import its own family and any family of a lower layer.
# Analysis families share a layer and may not import one another (scenarios compose them).
LAYERS: dict[str, int] = {
    "errors": 0, "_json": 0, "_yaml": 0, "_i18n": 0, "_files": 0,
    "region": 1,
    "plans": 2,
    "evaluation": 3, "demand": 3, "access": 3, "allocation": 3,
    "scenarios": 4,
    "reports": 5,
    "cli": 6, "web": 6, "server": 6, "batch": 6,
}
# delivery families may use one another in this direction only
DELIVERY_ORDER = ["web", "server", "batch", "cli"]
SKIP = {"__init__", "__main__"}  # the package root re-exports lazily; __main__ runs the CLI


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rsplit(".", 1)[0]
    return _imports_of(path.read_text(encoding="utf-8"), package=package)


def _imports_of(source: str, *, package: str) -> set[str]:
    """The hsplan modules (and names) that `source`, a module of `package`, imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("hsplan")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "hsplan" or mod.startswith("hsplan."):
                # `from hsplan.x.y import z` may import the submodule hsplan.x.y.z, at any depth
                found |= {f"{mod}.{a.name}" for a in node.names}
                found.add(mod)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and node.args[0].value.startswith("hsplan")
              and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"):
            found.add(node.args[0].value)  # importlib.import_module("hsplan.x.y")
    return found


def _family(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


MODULES = {_module_name(p): p for p in SRC.rglob("*.py")}


def test_the_reader_sees_every_form_of_import() -> None:
    source = """
import hsplan.region.model
from hsplan.region.io import tables
from . import plan
from ..region import schema
import importlib
importlib.import_module("hsplan.plans.catalog")
"""
    found = _imports_of(source, package="hsplan.plans")
    assert {"hsplan.region.model", "hsplan.region.io.tables", "hsplan.plans.plan",
            "hsplan.region.schema", "hsplan.plans.catalog"} <= found, found


def test_every_family_has_a_layer() -> None:
    families = {_family(m) for m in MODULES} - {None, *SKIP}
    assert families <= set(LAYERS), sorted(families - set(LAYERS))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    family = _family(module)
    if family is None or family in SKIP:
        return
    bad = []
    for target in sorted(_imports(MODULES[module])):
        other = _family(target)
        if other is None or other == family or other not in LAYERS:
            continue
        if LAYERS[other] < LAYERS[family] or LAYERS[other] == LAYERS[family] == 0:
            continue
        if (LAYERS[other] == LAYERS[family] == 6
                and DELIVERY_ORDER.index(other) < DELIVERY_ORDER.index(family)):
            continue
        bad.append(target)
    assert not bad, f"{module} imports upward or sideways: {bad}"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        graph[module] = {t for t in _imports(path) if t in MODULES and t != module
                         and not module.startswith(t + ".")}
    # a package __init__ that lists its submodules is not a cycle with them
    for module in graph:
        graph[module] = {t for t in graph[module] if t + "." not in module + "."}
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    assert not cycles, cycles


# --- each package states what it offers ----------------------------------------------------

PACKAGES = sorted({p.parent for p in SRC.rglob("__init__.py")} - {
    SRC / "server" / "migrations", SRC / "server" / "migrations" / "versions"})  # Alembic's


def _public_parts(package: Path) -> set[str]:
    modules = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    return modules | {d.name for d in package.iterdir()
                      if (d / "__init__.py").is_file() and not d.name.startswith("_")}


def _stated(doc: str, part: str) -> bool:
    for name in re.findall(r"`+([\w.*]+)`+", doc):
        if name.endswith("*") and part.startswith(name.rstrip("*").rsplit(".", 1)[-1]):
            return True
        if part in name.split("."):
            return True
    return False


@pytest.mark.parametrize("package", [
    pytest.param(p, id="hsplan" if p == SRC else p.relative_to(SRC).as_posix())
    for p in PACKAGES])
def test_each_package_names_what_it_offers(package: Path) -> None:
    """A package's docstring names each public module and sub-package (`name`); where its
    ``__all__`` lists modules, it lists every one."""
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    parts = _public_parts(package)
    assert not [p for p in sorted(parts) if not _stated(doc, p)], doc
    listed: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__"
                                                for t in node.targets):
            listed = {e.value for e in node.value.elts}  # type: ignore[attr-defined]
    if listed & parts:
        assert parts <= listed, sorted(parts - listed)


# --- the docs follow the tree ----------------------------------------------------------------

ROOT = SRC.parents[1]
DOCS = sorted([*ROOT.glob("docs/*.md"), ROOT / "README.md", ROOT / "benchmarks" / "README.md",
               *SRC.glob("data/**/*.md"), *ROOT.glob("tests/data/**/*.md")])
FILE_SUFFIXES = ("mo", "po", "pot", "toml", "yaml", "yml", "json", "md", "py", "csv", "gpkg",
                 "xlsx", "docx", "html", "txt")
# a reference to the tree as it was, kept on purpose
HISTORICAL = {("benchmarks/README.md", "src/hsplan/indicators.py")}


def _resolves(ref: str) -> bool:
    parts = ref.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                try:
                    obj = importlib.import_module(f"{obj.__name__}.{name}")
                    continue
                except (ImportError, AttributeError):
                    return False
            obj = getattr(obj, name)
        return True
    return False


def test_docs_name_modules_and_files_that_exist() -> None:
    """Every ``hsplan.x.y`` name and every ``src/hsplan/…`` path in the docs, the READMEs
    and the data's SOURCE files is one the tree has."""
    stale = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        rel = doc.relative_to(ROOT).as_posix()
        for m in re.finditer(r"(?<![\w/.-])hsplan(?:\.[A-Za-z_]\w*)+", text):
            ref = m.group(0)
            if ref.rsplit(".", 1)[-1] not in FILE_SUFFIXES and not _resolves(ref):
                stale.append((rel, ref))
        for m in re.finditer(r"(?<![\w/])(?:src/)?hsplan/[\w/.-]+\.(?:py|csv|yaml|json|md)", text):
            path = m.group(0) if m.group(0).startswith("src/") else f"src/{m.group(0)}"
            if not (ROOT / path).exists() and (rel, path) not in HISTORICAL:
                stale.append((rel, m.group(0)))
    assert not stale, stale

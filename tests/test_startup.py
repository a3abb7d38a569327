"""Start-up: the command line imports the analysis stack only when a command needs it.

Times are measured in benchmarks/bench_startup.py, not here: these tests check which modules
a fresh interpreter has loaded (``sys.modules``) after importing the CLI, printing the help
and running the light commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
HEAVY = ("pandas", "numpy", "geopandas", "scipy", "matplotlib", "pyproj", "shapely", "docx")

PROBE = """
import json, sys
argv = sys.argv[1:]
import hsplan.cli
if argv:
    sys.argv = ["hsplan", *argv]
    try:
        hsplan.cli.app()
    except SystemExit:
        pass
print("\\n" + json.dumps(sorted(m for m in sys.modules if "." not in m)))
"""


def _loaded(*argv: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          env=env, check=True, timeout=300)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_analysis_stack() -> None:
    loaded = _loaded()
    assert "typer" in loaded  # the probe did import the CLI
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_lists_every_command_without_the_analysis_stack() -> None:
    loaded = _loaded("--help")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("argv", [("plans", "list"),
                                  ("indicators", "show", "hospital_beds_per_1k")])
def test_light_commands_leave_out_geodata_scipy_and_plotting(argv: tuple[str, ...]) -> None:
    loaded = _loaded(*argv)
    assert not loaded & {"geopandas", "scipy", "matplotlib", "shapely", "pyproj", "docx"}


def test_every_command_still_registers() -> None:
    from typer.main import get_command

    import hsplan.cli

    group = get_command(hsplan.cli.app)
    names = set(group.commands)  # type: ignore[attr-defined]
    assert {"init", "synth", "example", "plans", "indicators", "evaluate", "check", "access",
            "network", "traveltimes", "compare", "tasks", "needs", "report"} <= names


def test_example_output_folder_matches_the_example_job() -> None:
    from hsplan.cli import commands_example, example

    assert commands_example.DEFAULT_OUT == example.DEFAULT_OUT


# --- validated plans and catalog, remembered by content ---------------------------------


def test_a_valid_plan_is_remembered_and_reads_back_equal(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from hsplan.plans import plan as plan_mod
    from hsplan.plans.plan import builtin_plans_dir, load_plan

    monkeypatch.setenv("HSPLAN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("HSPLAN_NO_CACHE", raising=False)
    source = builtin_plans_dir() / "national-norms.yaml"
    fresh = load_plan(source)
    assert list((tmp_path / "validated").glob("*.pickle"))  # the plan (and the catalog)
    # a second read does not parse or validate: both would fail now
    monkeypatch.setattr(plan_mod, "_read_yaml", _boom)
    monkeypatch.setattr(plan_mod, "validate_plan_data", _boom)
    assert load_plan(source) == fresh


def test_a_changed_or_invalid_plan_is_validated_anew(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from hsplan.errors import ValidationError
    from hsplan.plans.plan import builtin_plans_dir, load_plan

    monkeypatch.setenv("HSPLAN_CACHE_DIR", str(tmp_path / "cache"))
    text = (builtin_plans_dir() / "national-norms.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    load_plan(path)
    # the same file, now broken: its key changes, so it is read and its problems reported
    path.write_text(text.replace("kind:", "kind_typo:", 1), encoding="utf-8")
    for _ in range(2):  # and nothing invalid is stored: the second read reports them again
        with pytest.raises(ValidationError):
            load_plan(path)
    # the first, valid content was stored (with the catalog's); no entry for the broken one
    stored = {p.stem for p in (tmp_path / "cache" / "validated").glob("*.pickle")}
    from hsplan.plans import _validated
    from hsplan.plans.catalog import catalog_dir

    broken = _validated.content_key("plan", [path, *sorted(catalog_dir().glob("*.yaml"))])
    assert stored and broken not in stored


def test_the_catalog_is_remembered_by_content(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from hsplan.plans import catalog as catalog_mod

    monkeypatch.setenv("HSPLAN_CACHE_DIR", str(tmp_path))
    catalog_mod._load_catalog_cached.cache_clear()
    try:
        fresh = catalog_mod.load_catalog()
        monkeypatch.setattr(catalog_mod, "_load_catalog_files", _boom)
        catalog_mod._load_catalog_cached.cache_clear()
        again = catalog_mod.load_catalog()
        assert again.to_frame().equals(fresh.to_frame())
        monkeypatch.setenv("HSPLAN_NO_CACHE", "1")  # off: the loader runs (and here fails)
        catalog_mod._load_catalog_cached.cache_clear()
        with pytest.raises(AssertionError, match="must not run"):
            catalog_mod.load_catalog()
    finally:
        catalog_mod._load_catalog_cached.cache_clear()


def _boom(*args: object, **kwargs: object) -> None:
    raise AssertionError("must not run: the cache should have answered")

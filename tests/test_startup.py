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

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
print("\\n" + json.dumps(sorted(m for m in sys.modules
                              if "." not in m or m.startswith("hsplan.cli."))))
"""


def _loaded(*argv: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          env=env, check=True, timeout=300)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_analysis_stack_nor_typer() -> None:
    loaded = _loaded()
    assert "hsplan" in loaded and "hsplan.cli._launch" in loaded  # the probe did import it
    # `app` is loaded on first use: importing the package loads no command framework either
    assert not loaded & {*HEAVY, "typer", "rich", "click"}, sorted(loaded & {*HEAVY, "typer"})


def test_help_lists_every_command_without_the_analysis_stack() -> None:
    loaded = _loaded("--help")
    assert "typer" in loaded  # the full command line printed it
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("argv", [("plans", "list"),
                                  ("indicators", "show", "hospital_beds_per_1k")])
def test_light_commands_leave_out_geodata_scipy_and_plotting(argv: tuple[str, ...]) -> None:
    loaded = _loaded(*argv)
    assert not loaded & {"geopandas", "scipy", "matplotlib", "shapely", "pyproj", "docx"}
    # only the command's own module is imported (commands_users imports commands_db)
    commands = {m for m in loaded if m.startswith("hsplan.cli.commands_")}
    assert commands == {f"hsplan.cli.commands_{argv[0]}"}, commands


def test_every_command_still_registers() -> None:
    from typer.main import get_command

    import hsplan.cli

    group = get_command(hsplan.cli.app)
    ctx = group.make_context("hsplan", ["--help"], resilient_parsing=True)
    names = group.list_commands(ctx)  # type: ignore[attr-defined]
    assert {"init", "synth", "example", "plans", "indicators", "evaluate", "check", "access",
            "network", "traveltimes", "compare", "tasks", "needs", "report"} <= set(names)
    for name in names:  # each imports its module and builds
        command = group.get_command(ctx, name)  # type: ignore[attr-defined]
        assert command is not None and command.name == name


def test_a_mistyped_command_is_told_the_names_of_modules_not_loaded() -> None:
    done = subprocess.run([sys.executable, "-m", "hsplan", "tasx"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=300)
    assert done.returncode == 2
    assert "'tasks'" in done.stderr, done.stderr


# --- `hsplan --help` and `--version` without Typer -----------------------------------


def _entry(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hsplan ARGV`` as a person would, with a module probe at exit."""
    probe = ("import atexit, json, os, runpy, sys\n"
             "atexit.register(lambda: os.write(2, ('\\nMODULES ' + json.dumps(sorted("
             "m for m in sys.modules if '.' not in m))).encode()))\n"
             "sys.argv = ['hsplan', *sys.argv[1:]]\n"
             "runpy.run_module('hsplan', run_name='__main__', alter_sys=True)\n")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS", "TERMINAL_WIDTH", "HSPLAN_LANG",
                          "PY_COLORS", "GITHUB_ACTIONS", "TTY_COMPATIBLE")}
    return subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                          text=True, env={**clean, "PYTHONPATH": str(SRC), **env},
                          stdin=subprocess.DEVNULL, timeout=300)


def _modules(done: subprocess.CompletedProcess[str]) -> set[str]:
    return set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))


def _full_help(lang: str, **env: str) -> str:
    from hsplan.cli._prerender import render_help

    return render_help(lang, "python -m hsplan", colour=False)


@pytest.mark.parametrize(("argv", "lang", "code"), [
    (("--help",), "zh", 0), ((), "zh", 2), (("--help", "--lang", "en"), "en", 0),
    (("--lang=en", "--help"), "en", 0)])
def test_top_level_help_is_the_full_screen_without_typer_or_rich(
        argv: tuple[str, ...], lang: str, code: int) -> None:
    done = _entry(*argv)
    assert done.returncode == code, done.stderr
    loaded = _modules(done)
    assert not loaded & {"typer", "rich", "click", *HEAVY}, sorted(loaded & {"typer", "rich"})
    # what the full command line (Typer and Rich) prints for the same request
    assert done.stdout == _full_help(lang)
    assert ("区域医疗卫生服务体系的规划与监测评估" in done.stdout) == (lang == "zh")


def test_version_without_typer() -> None:
    from hsplan import __version__

    done = _entry("--version")
    assert done.returncode == 0 and done.stdout == f"hsplan {__version__}\n"
    assert "typer" not in _modules(done)


@pytest.mark.parametrize(("argv", "env"), [
    (("--help",), {"NO_COLOR": "1"}), (("--help",), {"COLUMNS": "60"}),
    (("--lang", "en"), {}), (("plans", "--help"), {}), (("--help", "--lang"), {}),
    (("--help", "--version"), {})])
def test_other_requests_run_the_full_command_line(argv: tuple[str, ...],
                                                  env: dict[str, str]) -> None:
    done = _entry(*argv, **env)
    assert "typer" in _modules(done), (argv, env)


def test_fast_answers_follow_the_program_name_language_and_terminal() -> None:
    import io

    from hsplan.cli import _help_text
    from hsplan.cli._launch import fast_answer, program_name

    assert program_name("/usr/bin/hsplan", None) == "hsplan"
    assert program_name("/x/hsplan/__main__.py", "hsplan") == "python -m hsplan"
    pipe = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    answer = fast_answer(["--help"], environ={"COLUMNS": "80"}, stdout=pipe, prog="hsplan")
    assert answer is not None and answer[1] == 0
    assert answer[0] == _help_text.HELP[("zh", False)]
    assert " Usage: hsplan [OPTIONS] COMMAND [ARGS]..." in answer[0]
    # a program name the screens were not made for, a narrow or non-UTF-8 output: full path
    assert fast_answer(["--help"], environ={"COLUMNS": "80"}, stdout=pipe, prog="hs") is None
    assert fast_answer(["--help"], environ={"COLUMNS": "79"}, stdout=pipe,
                       prog="hsplan") is None
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert fast_answer(["--help"], environ={"COLUMNS": "80"}, stdout=latin,
                       prog="hsplan") is None


def test_the_help_screens_and_command_manifest_are_up_to_date() -> None:
    """The stored screens are those the full command line prints now (else run
    scripts/cli_help.py), and each command is registered by the module the manifest names."""
    from hsplan.cli._prerender import help_text_module, help_text_path

    assert help_text_path().read_text(encoding="utf-8") == help_text_module(), \
        "src/hsplan/cli/_help_text.py is out of date: run scripts/cli_help.py"


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


def test_the_cache_key_covers_the_modules_that_validate() -> None:
    """The private modules of `hsplan.plans` that the plan and catalog loaders import hold
    code that reads and validates: their bytes enter every key, so that a changed check is
    a different key (a module split off a loader is fingerprinted with it)."""
    import ast

    from hsplan.plans import _validated

    plans = SRC / "hsplan" / "plans"
    imported = set()
    for loader in ("plan.py", "catalog.py"):
        for node in ast.walk(ast.parse((plans / loader).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "hsplan.plans":
                imported |= {f"plans/{a.name}.py" for a in node.names if a.name[0] == "_"}
            elif (isinstance(node, ast.ImportFrom) and node.module
                  and node.module.startswith("hsplan.plans._")):
                imported.add(node.module.removeprefix("hsplan.").replace(".", "/") + ".py")
    assert "plans/_validated.py" in imported
    assert imported <= set(_validated._FINGERPRINTED), imported - set(_validated._FINGERPRINTED)


def _boom(*args: object, **kwargs: object) -> None:
    raise AssertionError("must not run: the cache should have answered")


# --- Typer's value coercion, without Pydantic where it changes nothing ---------------------


def test_quick_coercion_gives_typers_values_and_errors() -> None:
    """Every parameter of every command, fed its default, a string, each Enum value and a
    bad value: `_QuickValues` returns what Typer's own (Pydantic) coercion returns, and
    raises where it raises, with the same message."""
    from enum import Enum

    import typer
    from typer._coercion import build_runtime_param
    from typer.main import get_command

    from hsplan.cli import app
    from hsplan.cli._app import _QuickValues

    group = get_command(app)
    ctx = typer.Context(group)
    seen: set[str] = set()

    def params(cmd: object) -> list[object]:
        out = list(getattr(cmd, "params", []))
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                out += params(cmd.get_command(ctx, name))
        return out

    def outcome(runtime: object, value: object, param: object) -> tuple[str, object, object]:
        try:
            got = runtime.coerce(value, param=param, ctx=ctx)  # type: ignore[attr-defined]
            return "value", type(got), got  # the type too: a StrEnum equals its string
        except Exception as exc:  # the error and its message are compared
            return type(exc).__name__, None, str(exc)

    for param in params(group):
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None:
            continue
        annotation = descriptor.annotation
        values: list[object] = [None, param.default, "x", "2024", "-", ""]  # type: ignore[attr-defined]
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            values += [*annotation, *(m.value for m in annotation), "not-a-choice"]
            seen.add("enum")
        if annotation is str:
            seen.add("str")
        for value in values:
            quick = outcome(_QuickValues(descriptor), value, param)
            full = outcome(build_runtime_param(descriptor), value, param)
            assert quick == full, (param.name, value, quick, full)  # type: ignore[attr-defined]
    assert seen == {"enum", "str"}

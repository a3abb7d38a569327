"""Tests of hsplan._i18n and the message catalog: Chinese by default, English on request,
every user-facing string of the CLI translated, one status vocabulary, numbers one way."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import typer

from hsplan import __version__
from hsplan._i18n import LOCALE_DIR, format_number, format_percent
from hsplan.cli import app

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _catalog_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_catalog",
                                                  ROOT / "scripts" / "i18n_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    full.pop("HSPLAN_LANG", None) if env is None or "HSPLAN_LANG" not in env else None
    return subprocess.run([sys.executable, "-m", "hsplan", *args], capture_output=True,
                          text=True, env=full, timeout=300, check=False)


def test_catalog_translates_every_message_of_the_code() -> None:
    pytest.importorskip("babel")
    script = _catalog_script()
    catalog = script.load()
    assert script.missing(catalog) == []
    # the compiled catalog that ships is the .po compiled (nothing stale)
    assert (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "hsplan.mo").read_bytes() == \
        script.compile_mo(catalog)


def test_every_help_text_is_chinese() -> None:
    command = typer.main.get_command(app)
    untranslated: list[str] = []

    def walk(cmd: object, path: str) -> None:
        help_text = getattr(cmd, "help", None) or ""
        if not CJK.search(help_text):
            untranslated.append(f"{path}: {help_text!r}")
        for param in getattr(cmd, "params", []):
            text = getattr(param, "help", None)
            if text is not None and not CJK.search(text):
                untranslated.append(f"{path} {param.name}: {text!r}")
        if hasattr(cmd, "list_commands"):  # a group; the top one imports its modules lazily
            ctx = typer.Context(cmd)
            for name in cmd.list_commands(ctx):
                walked.append(f"{path} {name}")
                walk(cmd.get_command(ctx, name), f"{path} {name}")

    walked: list[str] = []
    walk(command, "hsplan")
    assert {"hsplan plans list", "hsplan evaluate", "hsplan network build"} <= set(walked)
    assert untranslated == []


def test_help_is_chinese_by_default_and_english_on_request() -> None:
    zh = _run("--help")
    assert zh.returncode == 0
    assert "区域医疗卫生服务体系的规划与监测评估" in zh.stdout
    assert "显示本帮助并退出" in zh.stdout and "规划与评估" in zh.stdout
    assert "Show this message" not in zh.stdout
    en = _run("--lang", "en", "evaluate", "--help")
    assert "Evaluate a project's region against a plan's targets" in en.stdout
    assert "Show this message and exit." in en.stdout
    env = _run("plans", "--help", env={"HSPLAN_LANG": "en"})
    assert "List, show and compare plans" in env.stdout


WALK_HELP = """
import re, typer
from hsplan.cli import app
CJK = re.compile(r"[\\u4e00-\\u9fff]")
def walk(cmd, path):
    texts = [(path, getattr(cmd, "help", None) or "")]
    texts += [(f"{path} {p.name}", p.help) for p in getattr(cmd, "params", []) if p.help]
    for label, text in texts:
        if len(CJK.findall(text)) > len(text.replace(" ", "")) / 3:
            print(f"{label}: {text}")
    if hasattr(cmd, "list_commands"):  # a group; the top one imports its modules lazily
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            walk(cmd.get_command(ctx, name), f"{path} {name}")
    walked.append(path)
walked = []
walk(typer.main.get_command(app), "hsplan")
print(len(walked))
"""


def test_every_help_text_is_english_on_request() -> None:
    """With --lang en no command or option help is (mostly) Chinese: every help text of the
    CLI goes through the catalog, Chinese terms may stand in it only as terms."""
    full = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HSPLAN_LANG": "en"}
    result = subprocess.run([sys.executable, "-c", WALK_HELP], capture_output=True, text=True,
                            env=full, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    *mostly_chinese, walked = result.stdout.splitlines()
    assert mostly_chinese == [] and int(walked) > 45  # every command walked


HELP_SCREENS = """
import sys, typer
from typer.testing import CliRunner
from hsplan.cli import app
runner = CliRunner()
def walk(cmd, path):
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    cut = [line for line in result.output.splitlines() if "\u2026 \u2502" in line
           or line.rstrip().endswith("\u2026\u2502")]
    print("|".join(["hsplan", *path]), len(cut), cut[:1])
    if hasattr(cmd, "list_commands"):
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            walk(cmd.get_command(ctx, name), [*path, name])
walk(typer.main.get_command(app), [])
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_help_text_is_cut_at_80_columns(lang: str) -> None:
    """Rich took a Chinese sentence (no spaces) for one word and cut it with "…" at the panel
    edge; every help screen, in both languages, folds it onto the next line instead."""
    top = _run("--help", env={"COLUMNS": "80", "HSPLAN_LANG": lang})  # the prerendered screen
    assert top.returncode == 0 and "…" not in top.stdout, top.stdout
    full = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HSPLAN_LANG": lang}
    result = subprocess.run([sys.executable, "-c", HELP_SCREENS], capture_output=True,
                            text=True, env=full, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 45
    assert [line for line in lines if " 0 []" not in line] == []


def test_version() -> None:
    result = _run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"hsplan {__version__}"


def test_one_status_vocabulary() -> None:
    from hsplan.cli._output import status_text
    from hsplan.evaluation.norms import STATUS_ZH as NORMS_ZH
    from hsplan.evaluation.targets import STATUS_ZH as TARGETS_ZH
    from hsplan.evaluation.tasks import STATUS_ZH as TASKS_ZH

    # the CLI says what the report and the workbooks say, for every status id
    for table in (TARGETS_ZH, NORMS_ZH):
        for status, word in table.items():
            assert status_text(status) == word, status
    assert status_text("late") == TASKS_ZH["late"] == "滞后"
    assert status_text("off track") == "偏离目标" and status_text("at risk") == "进度滞后"


def test_numbers_one_way() -> None:
    assert format_number(256175, "人") == "256,175"
    assert format_number(2.557e5) == "255,700"
    assert format_number(6.753196, "人/万人", with_unit=True) == "6.75 人/万人"
    assert format_number(62.5, "%", with_unit=True) == "62.5%"
    assert format_number(1.3412, "1:x", with_unit=True) == "1:1.34"
    assert format_number(-0.001, "%") == "0.0"
    assert format_number(0.06183, "人/万人", sign=True) == "+0.06"
    assert format_number(float("nan")) == "—"
    assert format_percent(76.4239) == "76.4%"
    for x in (1e-9, 3.2e12, 123456789.123):
        assert "e" not in format_number(x).lower()


USAGE_MISTAKES = (  # Typer's own errors, raised before a command runs
    ("report", ".", "--format", "bogus"), ("evaluate", ".", "--year", "1800"),
    ("evaluate", ".", "--year", "abc"), ("access", "coverage", ".", "--minutes", "x"),
    ("evaluate", ".", "--year"), ("import",), ("evaluat",), ("evaluate", ".", "--bogus"),
    ("plans", "list", "2024"), ("plans", "list", "--help=1"),
)


@pytest.mark.parametrize("args", USAGE_MISTAKES, ids=lambda a: " ".join(a))
def test_usage_errors_are_chinese_and_english_on_request(args: tuple[str, ...]) -> None:
    zh = _run(*args)
    assert zh.returncode == 2, zh.stderr
    panel = " ".join(line for line in zh.stderr.splitlines() if line.startswith("│"))
    words = re.findall(r"[A-Za-z]{3,}", re.sub(r"'[^']*'|--?[\w-]+", " ", panel))
    assert panel and not words, zh.stderr  # "Invalid value for", "Missing argument" …
    assert "Usage" not in zh.stderr and "Try" not in zh.stderr, zh.stderr
    en = _run("--lang", "en", *args)
    assert en.returncode == 2 and "用法" not in en.stderr, en.stderr
    assert re.search(r"Invalid value|Missing|No such|requires|Did you mean|unexpected extra|"
                     r"does not take", en.stderr), \
        en.stderr

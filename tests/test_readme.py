"""Every command of the README's CLI tour runs, in order, in an empty folder."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hsplan.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def tour_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## CLI tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("hsplan ")]


def test_the_tour_has_the_main_commands() -> None:
    first_words = {shlex.split(c)[1] for c in tour_commands()}
    assert {"init", "template", "import", "validate", "example", "summary", "evaluate",
            "plans", "indicators"} <= first_words


def test_every_tour_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")
    runner = CliRunner()
    for command in tour_commands():
        result = runner.invoke(app, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}\n{result.exception!r}"
    assert (tmp_path / "jiangchuan" / "outputs" / "evaluation-township.xlsx").exists()
    assert (tmp_path / "jiangchuan" / "outputs" / "map.png").exists()

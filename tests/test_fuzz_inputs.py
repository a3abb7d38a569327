"""The fuzz corpus (tests/fuzz_corpus.py): at least 200 malformed, hostile or misused inputs
over every input kind, run in one subprocess whose memory is limited to 1 GiB with
`resource.setrlimit` (RLIMIT_DATA: heap and private mappings).

For every case: no traceback; a bad input is never accepted; a refusal names the input
(file, option) it is about, says it in Chinese (the default language: no English sentence
but a library's own reason quoted in full-width brackets) and leaves the project byte for
byte as it was, with no temporary file behind; a valid input is accepted and stored as given.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from language_helpers import english_runs

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("fuzz_corpus", HERE / "fuzz_corpus.py")
assert _spec is not None and _spec.loader is not None
fc = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_corpus"] = fc
_spec.loader.exec_module(fc)

CASES = fc.corpus()
MEMORY_LIMIT = 1024 ** 3
KINDS = {"xlsx", "csv", "plan", "scenario", "toml", "gpkg", "osm", "extract", "cli"}


def test_corpus_covers_every_input_kind() -> None:
    assert len(CASES) >= 200
    assert {c.kind for c in CASES} == KINDS
    assert sum(c.expect == "refuse" for c in CASES) >= 150


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["MPLBACKEND"] = "Agg"
    env["HSPLAN_LANG"] = "zh"  # the planner's language, whatever the test machine's
    shards = max(1, min(4, os.cpu_count() or 1))
    procs = []
    for i in range(shards):  # one memory-limited subprocess per core, each a share of cases
        work = tmp_path_factory.mktemp(f"fuzz{i}")
        out = work / "results.json"
        procs.append((out, subprocess.Popen(
            [sys.executable, str(HERE / "fuzz_corpus.py"), str(work), str(out),
             str(MEMORY_LIMIT), f"--shard={i}/{shards}"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    data: dict[str, dict[str, Any]] = {}
    for out, proc in procs:
        _, err = proc.communicate(timeout=3600)
        assert proc.returncode == 0, err.decode()[-3000:]
        data.update(json.loads(out.read_text(encoding="utf-8")))
    return data


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Any, results: dict[str, dict[str, Any]]) -> None:
    record = results[case.id]
    status, message = record["status"], record["message"]
    assert status != "traceback", message
    assert "MemoryError" not in message
    if case.expect == "refuse":
        assert status == "refused", f"bad input accepted: {message[-500:]}"
    elif case.expect == "accept":
        assert status == "accepted", f"valid input refused: {message[-1500:]}"
        assert record["check"] is None, record["check"]
    assert record["check"] is None, record["check"]
    if status == "refused":
        if case.located:
            assert case.located in message, f"message does not name {case.located}: {message}"
        assert record["changed"] in (None, False), "a refused input changed the project"
        assert "Traceback" not in message
        assert english_runs(message, library_reasons=True) == [], message[-1500:]
        assert record["message_chars"] < 200_000  # capped and summarised, not 100,000 lines
    assert record["leftovers"] == []

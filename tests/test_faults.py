"""Faults: `import`, `synth` and `example` killed with SIGKILL at random moments, and imports
run concurrently (hsplan.region._lock, hsplan._files, hsplan.region.project.create_project).

After every kill the project must open as its old or its new state (never half-made), no
temporary file may be left once it is opened again, and a rerun must work. Two imports at
once must both be applied (the second waits for the lock) or the second must be told who
holds the lock; neither may lose the other's rows.

The delays are drawn from a seeded generator; a kill that lands before the command started
writing or after it finished is as valid a test as one in the middle (the assertion is the
same: old or new, nothing in between).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from hsplan.errors import HsplanError
from hsplan.region._lock import ProjectLockedError, project_lock
from hsplan.region.project import Project

SRC = Path(__file__).parent.parent / "src"
_spec = importlib.util.spec_from_file_location(
    "jiangchuan", Path(__file__).parent / "data" / "io" / "jiangchuan.py")
assert _spec is not None and _spec.loader is not None
jc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jc)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    env.update(extra)
    return env


def _hsplan(*args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "hsplan", *args], env=_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_after(proc: subprocess.Popen[bytes], delay_s: float) -> bool:
    """SIGKILL `proc` after `delay_s` seconds unless it ended; return True when killed."""
    try:
        proc.wait(timeout=delay_s)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _temp_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*")
                  if "hsplan-tmp" in p.name or (p.name.startswith(".region-")
                                                and p.suffix == ".gpkg"))


def _workbook(path: Path, beds: int, facility: str = "F001", year: int = 2023) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "资源"
    ws.append(["机构编码", "年份", "实有床位", "卫生人员"])
    ws.append([facility, year, beds, beds + 100])
    wb.save(path)
    return path


def _beds(root: Path, facility: str, year: int) -> int | None:
    res = Project.open(root).load().resources
    rows = res[(res["facility_id"] == facility) & (res["year"] == year)]
    return None if rows.empty else int(rows["beds"].iloc[0])


@pytest.mark.slow
def test_import_killed_at_random_moments_leaves_old_or_new_store(tmp_path: Path) -> None:
    rng = random.Random(11)
    root = tmp_path / "p"
    jc.make_project(root)
    book = _workbook(tmp_path / "in.xlsx", beds=777)
    old = _digest(root / "region.gpkg")
    # the new state, made twice without a kill; the second, warm run times the command (the
    # first pays for cold caches and would put most kills after the command ended)
    durations = []
    for i in range(2):
        reference = tmp_path / f"ref{i}"
        jc.make_project(reference)
        started = time.monotonic()
        done = _hsplan("import", str(reference), str(book))
        assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
        durations.append(time.monotonic() - started)
        assert _beds(reference, "F001", 2023) == 777
    full_s = min(durations)
    killed = 0
    attempts = 0
    # four kills at seeded moments, then more at ever earlier moments until one has landed
    # while the command ran: a run where every kill came too late would test nothing
    while attempts < 4 or (killed == 0 and attempts < 12):
        late = 1.05 if attempts < 4 else 0.9 ** (attempts - 3)
        proc = _hsplan("import", str(root), str(book))
        killed += _kill_after(proc, rng.uniform(0.3 * full_s, late * full_s))
        attempts += 1
        project = Project.open(root)  # sweeps what the killed process left
        assert _temp_files(root) == []
        beds = _beds(project.root, "F001", 2023)
        assert beds in (777, None)  # the fixture has no 2023 row: new state or old state
        if beds is None:
            assert _digest(root / "region.gpkg") == old  # not a byte changed
    assert killed >= 1
    rerun = _hsplan("import", str(root), str(book))
    assert rerun.wait(timeout=300) == 0
    assert _beds(root, "F001", 2023) == 777


@pytest.mark.slow
def test_synth_killed_at_random_moments_leaves_nothing_or_a_whole_project(
        tmp_path: Path) -> None:
    rng = random.Random(12)
    started = time.monotonic()
    whole = _hsplan("synth", str(tmp_path / "whole"))
    assert whole.wait(timeout=600) == 0, whole.stderr.read() if whole.stderr else ""
    full_s = time.monotonic() - started
    for i in range(2):
        target = tmp_path / f"s{i}"
        proc = _hsplan("synth", str(target))
        _kill_after(proc, rng.uniform(0.3 * full_s, 1.05 * full_s))
        if target.exists():  # the rename happened: the project is whole
            project = Project.open(target)
            assert project.synthetic and (target / "roads.gpkg").is_file()
            assert len(project.load().facilities) > 0
        else:  # nothing half-made: a rerun works
            assert proc.returncode == -signal.SIGKILL
            rerun = _hsplan("synth", str(target))
            assert rerun.wait(timeout=600) == 0
            assert Project.open(target).synthetic
        assert _temp_files(tmp_path) == []  # the rerun or open swept the staging folder


@pytest.mark.slow
def test_example_killed_during_its_copy_leaves_no_truncated_store(tmp_path: Path) -> None:
    from hsplan.cli.example import copy_example

    rng = random.Random(13)
    for i in range(3):
        out = tmp_path / f"e{i}"
        proc = subprocess.Popen([sys.executable, "-m", "hsplan.cli.example", "--out", str(out)],
                                env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _kill_after(proc, rng.uniform(1.0, 8.0))
        if out.exists():  # renamed into place: the copy is whole
            assert len(Project.open(out).load().facilities) == 92  # never "malformed"
            again = copy_example(out, force=True)  # outputs of the killed run are known files
        else:
            again = copy_example(out)
        assert len(again.load().facilities) == 92
    assert [p.name for p in tmp_path.iterdir() if "hsplan-tmp" in p.name
            and not _stale_pid_gone(p)] == []


def _stale_pid_gone(path: Path) -> bool:
    pid = int(path.name.split("hsplan-tmp-")[1].split("-")[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
@pytest.mark.usefixtures("english")  # checks the English text of the lock error
def test_two_concurrent_imports_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "p"
    jc.make_project(root)
    a = _workbook(tmp_path / "a.xlsx", beds=111, facility="F001", year=2024)
    b = _workbook(tmp_path / "b.xlsx", beds=222, facility="F002", year=2025)
    procs = [_hsplan("import", str(root), str(a)), _hsplan("import", str(root), str(b))]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read().decode() if p.stderr else "" for p in procs]
    region = Project.open(root).load()
    for code, err, (fid, year, beds) in zip(codes, errors, ((("F001", 2024, 111)),
                                                             ("F002", 2025, 222)), strict=True):
        if code == 0:  # applied: its rows are there, whatever the other did
            rows = region.resources[(region.resources["facility_id"] == fid)
                                    & (region.resources["year"] == year)]
            assert list(rows["beds"]) == [beds]
        else:  # refused: told who holds the lock
            assert "being changed by pid" in err
    assert 0 in codes


@pytest.mark.usefixtures("english")  # checks the English text of the lock error
def test_second_writer_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    root = tmp_path / "p"
    jc.make_project(root)
    before = _digest(root / "region.gpkg")
    book = _workbook(tmp_path / "a.xlsx", beds=111)
    with project_lock(root, command="hsplan import held.xlsx"):
        with pytest.raises(ProjectLockedError) as info, project_lock(root, wait_s=0):
            pass
        assert f"pid {os.getpid()} (hsplan import held.xlsx, since " in str(info.value)
        done = subprocess.run([sys.executable, "-m", "hsplan", "import", str(root), str(book)],
                              env=_env(HSPLAN_LOCK_WAIT_S="0"), capture_output=True,
                              timeout=300)
    assert done.returncode == 2
    message = done.stderr.decode()
    assert "being changed by pid" in message and "hsplan import held.xlsx" in message
    assert "Traceback" not in message
    assert _digest(root / "region.gpkg") == before
    # released: the same import now goes through
    from hsplan.region.io import import_tables

    import_tables(Project.open(root), book)
    assert _beds(root, "F001", 2023) == 111


def test_lock_is_released_when_the_holder_dies(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    code = ("import sys, time; from hsplan.region._lock import project_lock\n"
            f"with project_lock({str(root)!r}, command='holder'):\n"
            "    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], env=_env(),
                              stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
    with pytest.raises(HsplanError, match="holder"), project_lock(root, wait_s=0):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with project_lock(root, wait_s=5):
        pass

"""`hsplan batch`: the same results whatever the executor (serial, process pool, Dask
LocalCluster, a real Dask scheduler with two workers on loopback), resume after a killed run,
a broken county reported while the others complete, roll-ups and bad options."""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hsplan.batch.executors import ExecutorSpec, executor_spec
from hsplan.batch.rollup import county_map, county_table, rollup, rollup_to_xlsx
from hsplan.batch.run import build_projects, read_manifest, read_parts, run_batch
from hsplan.batch.sources import sources_from_codes, sources_from_projects
from hsplan.cli import app
from hsplan.errors import ValidationError

COUNTIES = ["530402", "530403", "150603"]  # 红塔区, 江川区 (玉溪市), 康巴什区 (鄂尔多斯市)
JOBS = ["validate", "evaluate", "check", "coverage"]
runner = CliRunner()


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch") / "projects"
    built = build_projects(COUNTIES, folder, seed=0, executor=ExecutorSpec("serial"))
    assert list(built["status"]) == ["ok"] * 3, built
    return folder


def _results(out: Path) -> dict[str, pd.DataFrame]:
    return {job: read_parts(out, job) for job in JOBS}


@pytest.fixture(scope="module")
def serial_run(projects: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    result = run_batch(sources_from_projects(projects), out_dir=out, plan="national-norms",
                       jobs=JOBS, executor=ExecutorSpec("serial"))
    assert result.failed.empty, result.failed.to_dict("records")
    assert result.computed == sorted(COUNTIES) and not result.skipped
    return out


def test_serial_run_writes_one_partition_per_county_and_job(serial_run: Path) -> None:
    for job in JOBS:
        files = sorted(p.stem for p in (serial_run / "parts" / job).glob("*.parquet"))
        assert files == sorted(COUNTIES), job
    manifest = pd.read_parquet(serial_run / "manifest.parquet")
    assert len(manifest) == len(COUNTIES) * len(JOBS)
    assert set(manifest["status"]) == {"ok"}
    evaluation = read_parts(serial_run, "evaluate")
    assert sorted(evaluation["county"].unique()) == sorted(COUNTIES)
    assert {"target_id", "status", "province", "city"} <= set(evaluation.columns)
    coverage = read_parts(serial_run, "coverage")
    total = coverage[coverage["group"] == "total"]
    assert len(total) == 3 and (total["pop"] > 0).all()
    assert (total["network"].str.len() > 0).all()  # the travel-time model is stated


def test_results_match_the_library_called_directly(serial_run: Path, projects: Path) -> None:
    from hsplan.evaluation.targets import evaluate
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    region = Project.open(projects / "530403").load()
    direct = evaluate(region, load_plan("national-norms"))
    batch = read_parts(serial_run, "evaluate")
    batch = batch[batch["county"] == "530403"].reset_index(drop=True)
    assert list(batch["target_id"]) == list(direct["target_id"])
    assert list(batch["status"]) == list(direct["status"])
    pd.testing.assert_series_equal(batch["value"], direct["value"], check_names=False)


EXPECTED = Path(__file__).parent / "data" / "batch_expected"


def _csv_text(frame: pd.DataFrame) -> str:
    """The CSV text of tests/data/batch_expected/make_expected.py (floats, 17 digits)."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.17g")


def _same_cell(got: str, expected: str) -> bool:
    """Text equal, or numbers equal to 1e-12 relative: the last of 17 digits may differ
    with the numpy/BLAS build (a trend slope's least squares), not with the code."""
    if got == expected:
        return True
    try:
        return math.isclose(float(got), float(expected), rel_tol=1e-12, abs_tol=1e-15)
    except ValueError:
        return False


def _assert_same_as_reference(frame: pd.DataFrame, name: str) -> None:
    expected = list(csv.reader(io.StringIO(
        (EXPECTED / f"{name}.csv").read_text(encoding="utf-8"))))
    got = list(csv.reader(io.StringIO(_csv_text(frame))))
    if len(got) != len(expected):
        pytest.fail(f"{name}: {len(got)} lines, expected {len(expected)}")
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        # show the first differing line, not two whole files
        if len(g) != len(e) or not all(_same_cell(a, b) for a, b in zip(g, e, strict=True)):
            pytest.fail(f"{name}: differs from the reference of 549729d at line {i}: "
                        f"{g} != {e}")


@pytest.mark.usefixtures("english")  # the reference's evaluate reasons are English
def test_results_are_those_of_the_code_before_the_speed_ups(
        serial_run: Path, projects: Path, tmp_path: Path) -> None:
    """Evaluate, check and coverage of three counties (their synthetic roads) are, to the
    last digit, the tables main's code wrote before the national speed-ups
    (tests/data/batch_expected/SOURCE.md): faster, not different. Evaluate runs again here
    in English, the language its reasons were written in then (they follow the reader's
    language now)."""
    for job in ("check", "coverage"):
        _assert_same_as_reference(read_parts(serial_run, job), job)
    result = run_batch(sources_from_projects(projects), out_dir=tmp_path, plan="national-norms",
                       jobs=["evaluate"], executor=ExecutorSpec("serial"))
    assert result.failed.empty, result.failed.to_dict("records")
    _assert_same_as_reference(read_parts(tmp_path, "evaluate"), "evaluate")


def test_straight_line_network_gives_the_reference_tables(projects: Path,
                                                          tmp_path: Path) -> None:
    """`network="straight"` runs every county on the straight-line model, with the
    answers the batch gave for a county without roads; the manifest keeps it apart from
    a roads run (its input hash differs), so resume does not mix them."""
    result = run_batch(sources_from_projects(projects), out_dir=tmp_path, plan="national-norms",
                       jobs=["check", "coverage"], executor=ExecutorSpec("serial"),
                       network="straight")
    assert result.failed.empty, result.failed.to_dict("records")
    assert result.manifest["input_hash"].str.endswith("-straight").all()
    _assert_same_as_reference(read_parts(tmp_path, "check"), "check_straight")
    _assert_same_as_reference(read_parts(tmp_path, "coverage"), "coverage_straight")
    assert read_parts(tmp_path, "coverage")["network"].str.startswith("直线距离模型").all()


def test_norm_violations_are_those_of_the_code_before_the_speed_ups(projects: Path) -> None:
    from hsplan.access.network import straight_line_network
    from hsplan.access.service import ServiceAccess
    from hsplan.evaluation.norms import check
    from hsplan.plans.plan import load_plan
    from hsplan.region.project import Project

    plan = load_plan("national-norms")
    roads, lines = [], []
    for code in sorted(COUNTIES):
        project = Project.open(projects / code)
        region = project.load()
        access = ServiceAccess.from_project(project, region=region)
        roads.append(check(region, plan, access=access).violations.assign(county=code))
        straight = ServiceAccess(region, straight_line_network(mode="drive"))
        lines.append(check(region, plan, access=straight).violations.assign(county=code))
    _assert_same_as_reference(pd.concat(roads, ignore_index=True), "check_violations")
    _assert_same_as_reference(pd.concat(lines, ignore_index=True), "check_straight_violations")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def dask_cluster() -> object:
    """A real `dask scheduler` and two `dask worker` processes on loopback."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0", "--no-show"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        for _ in range(2):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
                 "--nthreads", "1", "--host", "127.0.0.1", "--dashboard-address", ":0",
                 "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.slow
@pytest.mark.parametrize("spec", [ExecutorSpec("process", 2), ExecutorSpec("dask", 2)],
                         ids=["process-pool", "dask-local-cluster"])
def test_every_executor_gives_identical_tables(spec: ExecutorSpec, projects: Path,
                                               serial_run: Path, tmp_path: Path) -> None:
    result = run_batch(sources_from_projects(projects), out_dir=tmp_path, plan="national-norms",
                       jobs=JOBS, executor=spec)
    assert result.failed.empty
    expected = _results(serial_run)
    for job, frame in _results(tmp_path).items():
        pd.testing.assert_frame_equal(frame, expected[job], obj=job)


@pytest.mark.slow
def test_a_real_dask_scheduler_and_two_workers_give_identical_tables(
        dask_cluster: str, projects: Path, serial_run: Path, tmp_path: Path) -> None:
    spec = executor_spec(scheduler=dask_cluster)
    result = run_batch(sources_from_projects(projects), out_dir=tmp_path, plan="national-norms",
                       jobs=JOBS, executor=spec)
    assert result.failed.empty
    expected = _results(serial_run)
    for job, frame in _results(tmp_path).items():
        pd.testing.assert_frame_equal(frame, expected[job], obj=job)


# Shutdown conditions of a national run, made certain for a test (dask/distributed#7105):
# the scheduler answers heartbeats slowly, so a worker has one in flight when it is told to
# close (its connection closes under it: "Failed to communicate with scheduler during
# heartbeat", a traceback); and a worker's interpreter takes seconds to exit, as one that
# has imported the stack and run a hundred counties does on a loaded machine (the nanny
# kills it after 4 s: "Worker process still alive after 4.0 seconds, killing"); and port
# 8787, Dask's default, is taken ("UserWarning: Port 8787 is already in use").
SLOW_HEARTBEAT_REPLIES = '''
import asyncio

def dask_setup(scheduler):
    reply = scheduler.handlers["heartbeat_worker"]

    async def slow_reply(**kwargs):
        answer = reply(**kwargs)
        await asyncio.sleep(1.0)
        return answer

    scheduler.handlers["heartbeat_worker"] = slow_reply
'''
SLOW_WORKER_EXIT = '''
import atexit
import time

def dask_setup(worker):
    atexit.register(time.sleep, 6)
'''


@pytest.mark.slow
def test_a_dask_local_cluster_run_ends_without_tracebacks(projects: Path,
                                                         tmp_path: Path) -> None:
    (tmp_path / "slow_heartbeat_replies.py").write_text(SLOW_HEARTBEAT_REPLIES)
    (tmp_path / "slow_worker_exit.py").write_text(SLOW_WORKER_EXIT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
           "DASK_DISTRIBUTED__SCHEDULER__PRELOAD": f"['{tmp_path / 'slow_heartbeat_replies.py'}']",
           "DASK_DISTRIBUTED__WORKER__PRELOAD": f"['{tmp_path / 'slow_worker_exit.py'}']"}
    out = tmp_path / "out"
    with socket.socket() as busy:  # another cluster on the machine holds Dask's port 8787
        try:
            busy.bind(("127.0.0.1", 8787))
            busy.listen()
        except OSError:
            pass  # held already
        proc = subprocess.run([sys.executable, "-m", "hsplan", "batch", "run", str(out),
                               "--projects", str(projects), "--jobs", "evaluate,check",
                               "--dask-local", "2"], env=env, capture_output=True, text=True,
                              timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for noise in ("Traceback", "ERROR", "WARNING", "Warning:", "killing"):
        assert noise not in proc.stderr, proc.stderr
    manifest = read_manifest(out)
    assert sorted(manifest["county"].unique()) == sorted(COUNTIES)
    assert set(manifest["status"]) == {"ok"} and len(manifest) == 2 * len(COUNTIES)


def test_only_the_heartbeat_record_of_a_closing_worker_is_dropped() -> None:
    import logging
    from types import SimpleNamespace

    from distributed.core import Status

    from hsplan.batch._dask import _ClosingHeartbeatFilter

    def kept(status: Status, message: str) -> bool:
        record = logging.LogRecord("distributed.worker", logging.ERROR, __file__, 1, message,
                                   None, None)
        return _ClosingHeartbeatFilter(SimpleNamespace(status=status)).filter(record)

    heartbeat = "Failed to communicate with scheduler during heartbeat."
    assert not kept(Status.closing, heartbeat) and not kept(Status.closed, heartbeat)
    assert kept(Status.running, heartbeat)  # a scheduler lost mid-run is still reported
    assert kept(Status.closing, "Compute Failed")


def test_a_broken_county_is_reported_and_the_others_complete(projects: Path,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "projects"
    shutil.copytree(projects, folder)
    (folder / "150603" / "region.gpkg").write_bytes(b"not a geopackage")
    result = run_batch(sources_from_projects(folder), out_dir=tmp_path / "out",
                       plan="national-norms", jobs=["evaluate", "check"],
                       executor=ExecutorSpec("serial"))
    failed = result.failed
    assert set(failed["county"]) == {"150603"} and len(failed) == 2
    assert failed["error"].str.startswith("读取失败").all()
    assert "region.gpkg" in failed["error"].iloc[0]
    ok = result.manifest[result.manifest["status"] == "ok"]
    assert sorted(ok["county"].unique()) == ["530402", "530403"]


def _worker_dies(*args: object) -> None:
    os._exit(1)  # as a worker killed for memory


def test_a_dead_worker_fails_its_counties_with_a_reason_and_a_fix(
        projects: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hsplan.batch.run as run_module

    monkeypatch.setattr(run_module, "run_county", _worker_dies)  # forked workers see it
    result = run_batch(sources_from_projects(projects), out_dir=tmp_path, plan="national-norms",
                       jobs=["evaluate"], executor=ExecutorSpec("process", 1))
    assert sorted(result.failed["county"]) == sorted(COUNTIES)
    assert result.failed["error"].str.startswith("工作进程失败：BrokenProcessPool").all()
    assert result.failed["error"].str.contains("处理办法：用 --resume 重新运行").all()


def test_resume_after_a_killed_run_recomputes_only_the_missing_counties(
        projects: Path, tmp_path: Path) -> None:
    folder = tmp_path / "projects"
    for k, code in enumerate(COUNTIES * 2):  # six counties: three copies twice
        shutil.copytree(projects / code, folder / f"{k}-{code}")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hsplan", "batch", "run", str(out), "--projects", str(folder),
           "--jobs", "evaluate", "--serial"]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = out / "manifest.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and len(log.read_text(encoding="utf-8").splitlines()) >= 2:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = read_manifest(out)
    done = set(before.loc[before["status"] == "ok", "county"])
    assert 2 <= len(done) <= 6, "the run was killed before or after the window"
    result = run_batch(sources_from_projects(folder), out_dir=out, plan="national-norms",
                       jobs=["evaluate"], executor=ExecutorSpec("serial"), resume=True)
    everything = {p.name for p in folder.iterdir()}
    assert set(result.computed) == everything - done
    assert set(result.skipped) == done
    assert set(result.manifest["status"]) == {"ok"} and len(result.manifest) == 6
    # changed inputs are recomputed, the rest skipped
    config = folder / "0-530402" / "hsplan.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    again = run_batch(sources_from_projects(folder), out_dir=out, plan="national-norms",
                      jobs=["evaluate"], executor=ExecutorSpec("serial"), resume=True)
    assert again.computed == ["0-530402"] and len(again.skipped) == 5


def test_counties_made_on_the_fly_say_synthetic_and_census_only_ones_run(tmp_path: Path
                                                                          ) -> None:
    sources = sources_from_codes(["530403"], synthetic=True, seed=0)
    assert sources[0].kind == "synthetic" and sources[0].city == "玉溪市"
    result = run_batch(sources, out_dir=tmp_path / "synth", plan="national-norms",
                       jobs=["evaluate"], executor=ExecutorSpec("serial"))
    assert result.failed.empty
    census = sources_from_codes(["150603"])
    result = run_batch(census, out_dir=tmp_path / "census", plan="national-norms",
                       jobs=["validate", "evaluate"], executor=ExecutorSpec("serial"))
    assert result.failed.empty, result.failed.to_dict("records")


def test_a_province_code_means_all_its_counties() -> None:
    sources = sources_from_codes(["64"])  # 宁夏回族自治区
    assert len(sources) >= 20
    assert {s.province for s in sources} == {"宁夏回族自治区"}
    assert all(s.county_code.startswith("64") for s in sources)
    city = sources_from_codes(["6401"])
    assert {s.city for s in city} == {"银川市"} and 0 < len(city) < len(sources)


def test_rollups_by_province_and_city(serial_run: Path, tmp_path: Path) -> None:
    counties = county_table(serial_run)
    assert list(counties["county"]) == sorted(COUNTIES)
    by_city = rollup(serial_run, by="city")
    cov = by_city["coverage"].set_index("city")
    yuxi = counties[counties["city"] == "玉溪市"]
    assert cov.loc["玉溪市", "counties"] == 2
    assert cov.loc["玉溪市", "pop"] == yuxi["pop"].sum()
    expected = 100 * yuxi["pop_covered"].sum() / yuxi["pop"].sum()  # population-weighted
    assert cov.loc["玉溪市", "coverage_pct"] == pytest.approx(expected, rel=1e-12)
    targets = rollup(serial_run, by="province")["targets"]
    evaluation = read_parts(serial_run, "evaluate")
    assert targets["县区数"].sum() == len(evaluation)
    xlsx = rollup_to_xlsx(by_city, tmp_path / "r.xlsx", by="city")
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert {"说明", "目标达标情况", "服务圈覆盖", "县区一览"} <= set(wb.sheetnames)
    ws = wb["服务圈覆盖"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws["A1"].value == "省份" and ws["A1"].font.bold
    png = county_map(serial_run, tmp_path / "map.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_run_and_rollup(projects: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", "run", str(out), "--projects", str(projects),
                              "--jobs", "evaluate,coverage", "--serial"])
    assert res.exit_code == 0, res.output
    assert "计算 3 个县区" in res.output
    res = runner.invoke(app, ["batch", "rollup", str(out), "--by", "city", "--xlsx",
                              str(tmp_path / "r.xlsx"), "--map", str(tmp_path / "m.png")])
    assert res.exit_code == 0, res.output
    assert "玉溪市" in res.output and (tmp_path / "m.png").exists()
    # the projects are synthetic (made by the generator): every roll-up says so
    assert read_manifest(out)["synthetic"].all()
    assert "合成数据：3个县区中全部为合成示例" in res.output
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "r.xlsx")
    assert "合成数据" in str(wb["说明"]["B3"].value)
    sheet = wb["县区一览"]
    header = [c.value for c in sheet[1]]
    assert {sheet.cell(row=r, column=header.index("合成数据") + 1).value
            for r in range(2, sheet.max_row + 1)} == {"是"}
    res = runner.invoke(app, ["batch", "run", str(out), "--projects", str(projects),
                              "--jobs", "evaluate,coverage", "--serial", "--resume"])
    assert res.exit_code == 0 and "跳过 3 个" in res.output
    # another travel-time model is another input: the coverage is computed again
    res = runner.invoke(app, ["batch", "run", str(out), "--projects", str(projects),
                              "--jobs", "coverage", "--serial", "--resume",
                              "--network", "straight"])
    assert res.exit_code == 0 and "跳过 0 个" in res.output and "直线距离模型" in res.output
    assert read_parts(out, "coverage")["network"].str.startswith("直线距离模型").all()


@pytest.mark.parametrize(("args", "expected"), [
    (["--counties", "999999"], "县区 '999999'：应为 内置 2020 年普查中的县级代码"),
    (["--counties", "53", "--projects", "x"], "--counties"),
    (["--counties", "530403", "--jobs", "evaluate,fly"], "作业 'fly'：应为"),
    (["--counties", "530403", "--scheduler", "localhost:1"], "应为 Dask 调度器地址"),
    (["--counties", "530403", "--workers", "0"], "选项 --workers：应为 ≥ 1 的整数"),
    (["--counties", "530403", "--network", "roads"], "行程时间模型：应为 auto, straight 之一"),
    (["--counties", "5399"], "县区范围 '5399'：应为 下辖县区的"),
    (["--projects", "/nonexistent/projects"], "应为 存放 hsplan 项目的文件夹"),
])
def test_bad_options_get_a_clear_message(args: list[str], expected: str, tmp_path: Path
                                         ) -> None:
    res = runner.invoke(app, ["batch", "run", str(tmp_path / "o"), *args])
    assert res.exit_code != 0
    said = "".join((res.output + str(res.exception or "")).split())  # lines wrap anywhere
    assert "".join(expected.split()) in said
    assert "剩余" not in res.output  # refused before the progress bar starts
    assert not isinstance(res.exception, (KeyError, TypeError, AttributeError))


def test_sources_errors_are_validation_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        sources_from_projects(tmp_path / "missing")
    with pytest.raises(ValidationError):
        sources_from_codes(["12345"])

"""Benchmark: how long the `hsplan` command takes before it does anything (not run by the
test suite).

    python benchmarks/bench_startup.py --repeat 7
    python benchmarks/bench_startup.py --repeat 7 --before-rev c6aa824   # also that commit

Each command runs in a fresh interpreter (``python -m hsplan ...``, the same as the
installed ``hsplan`` script), once untimed (it fills the plan cache), then `--repeat`
rounds in which every command runs once in turn (so all of them meet the same load on a
shared machine); the script prints per command the median and the min–max of the wall
seconds and of the CPU seconds (user + system of the child, from ``getrusage``; on a shared
machine the CPU seconds are the steadier figure), beside ``python -c pass`` for the
interpreter's own start. With `--before-rev`, each round also runs the commands on the
``src/`` of that commit (unpacked with ``git archive`` into a temporary folder) right after
the current ones, and the per-round ratios before / after are printed. Last, the ten
modules with the largest cumulative import time under ``python -X importtime`` for
``hsplan --help`` and ``hsplan plans list`` (one run each).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS: list[tuple[str, list[str], dict[str, str]]] = [
    ("python -c pass", ["-c", "pass"], {}),
    ("import hsplan.cli", ["-c", "import hsplan.cli"], {}),
    ("hsplan --help", ["-m", "hsplan", "--help"], {}),
    ("hsplan --version", ["-m", "hsplan", "--version"], {}),
    # NO_COLOR is one of the settings that send the help to Typer and Rich: the full path
    ("NO_COLOR=1 hsplan --help (Typer)", ["-m", "hsplan", "--help"], {"NO_COLOR": "1"}),
    ("hsplan plans list", ["-m", "hsplan", "plans", "list"], {}),
    ("hsplan indicators show beds_per_1k", ["-m", "hsplan", "indicators", "show",
                                            "beds_per_1k"], {}),
]


def run_once(args: list[str], src: Path, extra_env: dict[str, str]) -> tuple[float, float]:
    """Return the wall and CPU seconds of one run of ``python ARGS`` on `src`."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100", **extra_env}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, check=False,
                          stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{args} failed:\n{done.stderr.decode()[-2000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def checkout(rev: str, into: Path) -> Path:
    """Unpack ``src/`` of commit `rev` into `into`; return its src folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def importtime_top(src: Path, argv: list[str], n: int = 10) -> list[tuple[str, float]]:
    """Return the `n` modules with the largest cumulative import time (seconds) of one
    ``hsplan ARGV`` under ``-X importtime``."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hsplan", *argv],
                          env=env, capture_output=True, text=True, check=True,
                          stdin=subprocess.DEVNULL)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((name.strip(), int(cumulative) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before-rev", help="also time the src/ of this commit")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        before_src = checkout(args.before_rev, Path(tmp)) if args.before_rev else None
        sides = [("after", ROOT / "src")] + ([("before", before_src)] if before_src else [])
        # rounds: every command (and its "before") once per round, so all see the same load
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _label, cmd, env in COMMANDS:  # warm-up: bytecode and plan caches
            for _side, src in sides:
                run_once(cmd, src, env)
        for _ in range(args.repeat):
            for label, cmd, env in COMMANDS:
                for side, src in sides:
                    times.setdefault((label, side), []).append(run_once(cmd, src, env))
        head = "| command | wall s, median (min–max) | CPU s, median (min–max) |"
        line = "|---|---:|---:|"
        if before_src is not None:
            head += (f" before ({args.before_rev}) CPU s | before / after CPU, per round: "
                     "median (min–max) |")
            line += "---:|---:|"
        print(f"{args.repeat} rounds (each command once per round, in turn)\n\n{head}\n{line}")
        for label, _cmd, _env in COMMANDS:
            walls = [w for w, _c in times[(label, "after")]]
            cpus = [c for _w, c in times[(label, "after")]]
            row = f"| `{label}` | {spread(walls)} | {spread(cpus)} |"
            if before_src is not None:
                old_cpu = [c for _w, c in times[(label, "before")]]
                ratios = [o / max(c, 1e-9) for o, c in zip(old_cpu, cpus, strict=True)]
                row += f" {spread(old_cpu)} | {spread(ratios)}× |"
            print(row, flush=True)
    for argv in (["--help"], ["plans", "list"]):
        print(f"\nlargest cumulative imports of `hsplan {' '.join(argv)}` "
              "(-X importtime, one run):")
        for name, seconds in importtime_top(ROOT / "src", argv):
            print(f"  {seconds:6.3f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

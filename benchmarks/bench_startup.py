"""Benchmark: how long the `hsplan` command takes before it does anything (not run by the
test suite).

    python benchmarks/bench_startup.py --repeat 7
    python benchmarks/bench_startup.py --repeat 7 --before-rev c6aa824   # also that commit

Each command runs `--repeat` times in a fresh interpreter (``python -m hsplan ...``, the
same as the installed ``hsplan`` script); the script prints per command the median and the
min–max of the wall seconds and of the CPU seconds (user + system of the child, from
``getrusage``; on a shared machine the CPU seconds are the steadier figure), beside
``python -c pass`` for the interpreter's own start. With `--before-rev`, the same commands
run on the ``src/`` of that commit (unpacked with ``git archive`` into a temporary folder)
and the ratios before / after are printed. Last, the ten modules with the largest
cumulative import time under ``python -X importtime`` for ``hsplan --help`` (one run).
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
COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass", ["-c", "pass"]),
    ("import hsplan.cli", ["-c", "import hsplan.cli"]),
    ("hsplan --help", ["-m", "hsplan", "--help"]),
    ("hsplan plans list", ["-m", "hsplan", "plans", "list"]),
    ("hsplan indicators show beds_per_1k", ["-m", "hsplan", "indicators", "show",
                                            "beds_per_1k"]),
]


def run(args: list[str], src: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Return the wall and CPU seconds of `repeat` runs of ``python ARGS`` on `src`."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100"}
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, *args], env=env, capture_output=True,
                              check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{args} failed:\n{done.stderr.decode()[-2000:]}")
    return walls, cpus


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def checkout(rev: str, into: Path) -> Path:
    """Unpack ``src/`` of commit `rev` into `into`; return its src folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def importtime_top(src: Path, n: int = 10) -> list[tuple[str, float]]:
    """Return the `n` modules with the largest cumulative import time (seconds) of one
    ``hsplan --help`` under ``-X importtime``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hsplan", "--help"],
                          env=env, capture_output=True, text=True, check=True)
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
        head = "| command | wall s, median (min–max) | CPU s, median (min–max) |"
        line = "|---|---:|---:|"
        if before_src is not None:
            head += (f" before ({args.before_rev}) wall s | before CPU s | "
                     "before / after (wall) | before / after (CPU) |")
            line += "---:|---:|---:|---:|"
        print(f"{args.repeat} runs each\n\n{head}\n{line}", flush=True)
        for label, cmd in COMMANDS:
            walls, cpus = run(cmd, ROOT / "src", args.repeat)
            row = f"| `{label}` | {spread(walls)} | {spread(cpus)} |"
            if before_src is not None:
                old, old_cpu = run(cmd, before_src, args.repeat)
                row += (f" {spread(old)} | {spread(old_cpu)} | "
                        f"{statistics.median(old) / statistics.median(walls):.1f}× | "
                        f"{statistics.median(old_cpu) / statistics.median(cpus):.1f}× |")
            print(row, flush=True)
    print("\nlargest cumulative imports of `hsplan --help` (-X importtime, one run):")
    for name, seconds in importtime_top(ROOT / "src"):
        print(f"  {seconds:6.3f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

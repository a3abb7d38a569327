"""The project lock: one writer at a time, and the second one told who holds it.

`project_lock` takes an advisory lock (``fcntl.flock``) on ``PROJECT/.hsplan.lock`` for the
time a command changes the project (import, synth, example, scenario application). The
holder writes its pid, command and start time into the file, so a second writer is refused
with who holds the lock instead of silently overwriting the first one's work. The lock is
released by the operating system when the holder exits, even after ``kill -9``: a stale
lock file never blocks anyone.

Readers do not take the lock: the store is replaced atomically, so a reader sees either the
old or the new file.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from hsplan._i18n import _
from hsplan.errors import HsplanError

LOCK_NAME = ".hsplan.lock"
DEFAULT_WAIT_S = 10.0


class ProjectLockedError(HsplanError):
    """Another process is changing the project; carries who holds the lock."""

    def __init__(self, root: Path, holder: dict[str, Any]) -> None:
        self.root = root
        self.holder = holder
        who = _("pid {pid} ({command}, since {since})").format(
            pid=holder.get("pid", "?"), command=holder.get("command", "hsplan"),
            since=holder.get("since", "?")) if holder else _("another process")
        super().__init__(_(
            "{root}: the project is being changed by {who}. Fix: wait for that command to "
            "finish, then run yours again.").format(root=root, who=who))


def _command() -> str:
    args = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else ["python"]
    return " ".join(args)[:200]


def _read_holder(handle: IO[str]) -> dict[str, Any]:
    try:
        handle.seek(0)
        data = json.loads(handle.read() or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


@contextmanager
def project_lock(root: str | Path, *, command: str | None = None,
                 wait_s: float | None = None) -> Iterator[None]:
    """Hold the project's writer lock for the block; wait up to `wait_s` seconds (default
    `DEFAULT_WAIT_S`, env ``HSPLAN_LOCK_WAIT_S``) for another writer, then raise
    `ProjectLockedError` naming it."""
    import fcntl

    root = Path(root)
    if wait_s is None:
        try:
            wait_s = float(os.environ.get("HSPLAN_LOCK_WAIT_S", DEFAULT_WAIT_S))
        except ValueError:
            wait_s = DEFAULT_WAIT_S
    path = root / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        deadline = time.monotonic() + max(wait_s, 0.0)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ProjectLockedError(root, _read_holder(handle)) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "pid": os.getpid(), "command": command or _command(),
            "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}, ensure_ascii=False))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def try_lock(root: str | Path) -> bool:
    """Return True when nobody holds the project's writer lock right now (checked, not kept)."""
    import fcntl

    path = Path(root) / LOCK_NAME
    if not path.exists():
        return True
    try:
        with open(path, "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return True
    except OSError:
        return False

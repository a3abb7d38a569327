"""A small on-disk cache of plan and catalog files already read and found valid, keyed by
their content, so that a command does not parse and validate the same YAML every time it
starts.

The key of an entry is a SHA-256 over the files' bytes (and their names) and over the code
and schemas that read and validate them (`code_fingerprint`): a changed plan, catalog,
schema or hsplan version is a different key, so a stale entry is never used. Only files
that passed validation are stored; a file with problems is validated anew each time, so
its messages are always the current ones. The cache lives in ``$HSPLAN_CACHE_DIR`` (default
``$XDG_CACHE_HOME/hsplan`` or ``~/.cache/hsplan``); ``HSPLAN_NO_CACHE=1`` turns it off, and
a folder that cannot be written is simply not used.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: the sources and data whose bytes enter every key (relative to the hsplan package)
_FINGERPRINTED = ("plans/plan.py", "plans/_plan_validation.py", "plans/catalog.py",
                  "plans/_catalog_validation.py", "plans/_validated.py", "region/schema.py",
                  "_yaml.py", "data/plan.schema.json", "data/indicator.schema.json")


def cache_dir() -> Path | None:
    """Return the cache folder, or None when the cache is turned off."""
    if os.environ.get("HSPLAN_NO_CACHE", "").strip() not in ("", "0"):
        return None
    base = os.environ.get("HSPLAN_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(xdg) / "hsplan")
    return Path(base) / "validated"


@functools.cache
def code_fingerprint() -> str:
    """Return the SHA-256 of the code and schemas that read and validate plan files."""
    from hsplan import __version__

    digest = hashlib.sha256(f"hsplan {__version__}\n".encode())
    root = resources.files("hsplan")
    for name in _FINGERPRINTED:
        try:
            digest.update(name.encode() + b"\0" + root.joinpath(name).read_bytes())
        except OSError:
            digest.update(name.encode() + b"\0missing")
    return digest.hexdigest()


def content_key(kind: str, files: Iterable[Path], *extra: str) -> str:
    """Return the key of `files` (names and bytes) read as `kind`, with `extra` strings."""
    digest = hashlib.sha256(f"{kind}\0{code_fingerprint()}".encode())
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    for text in extra:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()


def cached(key: str, compute: Callable[[], T]) -> T:
    """Return the value stored under `key`, or `compute()` — stored when it returns (a
    raised error is not stored)."""
    folder = cache_dir()
    path = folder / f"{key}.pickle" if folder is not None else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as fh:
                value: T = pickle.load(fh)
            return value
        except Exception:  # a damaged entry is recomputed and rewritten
            pass
    value = compute()
    if path is not None:
        _store(path, value)
    return value


def _store(path: Path, value: Any) -> None:
    """Write `value` to `path` atomically (a temporary file renamed); never raise."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False,
                                         suffix=".tmp") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fh.name, path)
    except Exception:  # a read-only or full disk only costs the time saved
        with contextlib.suppress(Exception):
            os.unlink(fh.name)

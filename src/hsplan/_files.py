"""Writing files all or nothing, and workbooks whose text stays text.

Every file hsplan writes goes through `atomic_path`: the content is written to a temporary
file beside the target (``.<name>.hsplan-tmp-<pid>-<random><suffix>``) and moved over the
target with `os.replace`, which is atomic on POSIX and Windows. A write that fails or is
killed leaves the earlier file exactly as it was; the temporary file is removed on failure
and swept by `sweep_temp_files` when the folder is next opened (a kill -9 cannot run any
clean-up of its own).

Text that a spreadsheet would run as a formula (a value starting with ``=``, ``+``, ``-``
or ``@``, e.g. ``=HYPERLINK(…)`` as a facility name) is stored as a text cell by
`inert_workbook`, which every xlsx writer calls before saving.

Every file hsplan reads as input is first checked by `check_input_file`: a named pipe, a
device (``/dev/zero``) or a socket is refused before it is opened, since reading one would
wait for ever or never end (a size limit cannot see what `stat` reports as 0 bytes).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hsplan._i18n import _
from hsplan.errors import DataSourceError

TEMP_MARK = ".hsplan-tmp-"
FORMULA_START = ("=", "+", "-", "@")
_TEMP_RE = re.compile(r"^\..*\.hsplan-tmp-(\d+)-[0-9a-f]+")


def temp_name(path: str | Path) -> Path:
    """Return a fresh temporary path beside `path` (same folder, same suffix, hidden)."""
    path = Path(path)
    return path.parent / f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}{path.suffix}"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block ends without an exception, move
    it over `path` (atomic). On an exception the temporary file (or folder) is removed and
    `path` is left untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        yield tmp
        if tmp.exists():
            _fsync(tmp)
            os.replace(tmp, path)
    finally:
        remove(tmp)


def _fsync(path: Path) -> None:
    if path.is_file():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_input_file(path: str | Path) -> None:
    """Raise `DataSourceError` when `path` exists but is not a regular file (a named pipe,
    a device such as ``/dev/zero`` or a socket, also behind a symbolic link)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing or unreadable: the caller's own open says so
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    raise DataSourceError(_(
        "{path}: not a regular file (a named pipe, device or socket, which would never end "
        "or never answer). Fix: give the path of a saved file.").format(path=path))


def remove(path: Path) -> None:
    """Remove a file or folder if it exists (no error if it does not)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        with suppress(FileNotFoundError):
            path.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temp_files(folder: str | Path, *, prefix: str = "") -> list[Path]:
    """Remove the temporary files and folders hsplan left in `folder` when a process was
    killed (names ``.<prefix>…hsplan-tmp-<pid>-…`` whose process is gone); return them."""
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        match = _TEMP_RE.match(entry.name)
        if match is None or not entry.name.startswith("." + prefix):
            continue
        if _alive(int(match.group(1))):
            continue
        remove(entry)
        removed.append(entry)
    return removed


def looks_like_formula(value: Any) -> bool:
    """Return True for text that Excel or a CSV reader would treat as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and len(value) > 1


def inert_workbook(wb: Any) -> Any:
    """Return the openpyxl workbook `wb` with every formula-looking cell stored as text.

    hsplan never writes formulas of its own, so a cell openpyxl typed as a formula came
    from data (a name such as ``=HYPERLINK("…")``): it is turned into a string cell with
    Excel's quote prefix, shown and kept as the text it is.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or looks_like_formula(value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return wb


def save_workbook(wb: Any, path: str | Path) -> Path:
    """Save the openpyxl workbook `wb` to `path` with formula-looking text made inert, all or
    nothing; return the path."""
    path = Path(path)
    inert_workbook(wb)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


@contextmanager
def xlsx_writer(path: str | Path) -> Iterator[Any]:
    """Yield a `pandas.ExcelWriter` (openpyxl) that writes `path` all or nothing, with
    formula-looking text stored as text."""
    import pandas as pd

    with atomic_path(path) as tmp:
        writer = pd.ExcelWriter(tmp, engine="openpyxl")
        try:
            yield writer
            inert_workbook(writer.book)
        except BaseException:
            writer.close()
            raise
        writer.close()

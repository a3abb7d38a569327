"""Where the counties run: serially, in a local process pool, or on a Dask cluster — all
behind the standard `concurrent.futures.Executor` interface, so the driver is the same and
the results are identical whatever runs them.

Dask is used through `distributed.Client.get_executor()`, which is such an executor; a
``LocalCluster`` is started for ``dask_local`` workers, or an existing scheduler is joined.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hsplan._i18n import _
from hsplan.errors import Problem, raise_if_errors


class SerialExecutor(cf.Executor):
    """An executor that runs each call at once in this process (for debugging and tests)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, as other executors do
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class ExecutorSpec:
    """Which executor a batch uses: ``kind`` is "serial", "process" (default) or "dask";
    ``workers`` the process count (process pool, Dask LocalCluster); ``scheduler`` the
    address of an existing Dask scheduler (``tcp://host:port``)."""

    kind: str = "process"
    workers: int = 0  # 0: one per core
    scheduler: str | None = None

    def describe(self) -> str:
        """Return the executor in words (in the language), as the run prints and records it."""
        if self.kind == "serial":
            return _("serial, one process")
        if self.kind == "process":
            return _("local process pool ({n} processes)").format(n=self.n_workers())
        if self.scheduler:
            return _("Dask cluster (scheduler {address})").format(address=self.scheduler)
        return _("Dask local cluster ({n} worker processes)").format(n=self.n_workers())

    def n_workers(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


def executor_spec(*, workers: int | None = None, dask_local: int | None = None,
                  scheduler: str | None = None, serial: bool = False) -> ExecutorSpec:
    """Return the executor the options ask for; contradictory options are one error."""
    chosen = [name for name, on in (("--serial", serial), ("--dask-local", dask_local),
                                    ("--scheduler", scheduler)) if on]
    problems = []
    if len(chosen) > 1:
        problems.append(Problem(_("options {names}").format(names=", ".join(chosen)),
                                expected=_("at most one executor option"),
                                got=_(" and ").join(chosen)))
    for name, value in (("--workers", workers), ("--dask-local", dask_local)):
        if value is not None and value < 1:
            problems.append(Problem(_("option {name}").format(name=name),
                                    expected=_("a whole number ≥ 1"), got=str(value)))
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        problems.append(Problem(_("option {name}").format(name="--scheduler"),
                                expected=_("a Dask scheduler address such as "
                                           "tcp://127.0.0.1:8786"), got=scheduler))
    raise_if_errors(problems, context="batch")
    if serial:
        return ExecutorSpec("serial", 1)
    if scheduler:
        return ExecutorSpec("dask", 0, scheduler)
    if dask_local:
        return ExecutorSpec("dask", dask_local)
    return ExecutorSpec("process", workers or 0)


@contextmanager
def open_executor(spec: ExecutorSpec) -> Iterator[cf.Executor]:
    """Yield a running executor for `spec`, shut down (and its cluster closed) on exit."""
    if spec.kind == "serial":
        yield SerialExecutor()
        return
    if spec.kind == "process":
        # fork where the platform has it: workers start without re-importing the stack
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with cf.ProcessPoolExecutor(max_workers=spec.n_workers(),
                                    mp_context=multiprocessing.get_context(method)) as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise_if_errors([Problem("Dask", expected=_("the package distributed installed"),
                                 got=str(exc), fix="pip install 'dask[distributed]'")],
                        context="batch")
        raise AssertionError from exc
    if spec.scheduler:
        with Client(spec.scheduler, timeout="30s") as client:
            yield client.get_executor(pure=False)
        return
    from hsplan.batch._dask import local_cluster_client

    # closed so that a finished run ends without distributed's shutdown noise (see _dask)
    with local_cluster_client(spec.n_workers()) as client:
        yield client.get_executor(pure=False)

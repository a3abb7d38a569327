"""A Dask LocalCluster that ends as quietly as it ran: its workers are given time to exit,
and the one message distributed logs for its own shutdown race is dropped.

Two kinds of noise followed every national batch on a LocalCluster (2,825 counties, 2
workers), after all counties had finished:

- ``distributed.worker - ERROR - Failed to communicate with scheduler during heartbeat``
  and two tracebacks (``StreamClosedError`` → ``CommClosedError``). A worker heartbeats the
  scheduler every 0.5 s; when it is told to close while a heartbeat is in flight, it closes
  its own connections and the heartbeat fails on the closed stream. Nothing is lost: the
  worker is closing. A known race of distributed (dask/distributed#7105, open).
- ``distributed.nanny - WARNING - Worker process still alive after 4.0 seconds, killing``.
  The nanny gives a closing worker 4 s (80 % of its default 5 s) to exit; a worker that
  had run 1,400 counties held ~900 MiB, most of it the statistical profiler's per-second
  trees (for a dashboard nobody opens), and freeing them at exit took longer (24 s and more).

Here the profiler is off, a finished batch closes the workers with `WORKER_EXIT_GRACE_S`
to exit, and the workers drop that heartbeat record only while they are closing. A worker
that hangs past the grace is still killed with distributed's warning, and a heartbeat that
fails while a worker is running (a scheduler gone, a network fault) is still logged as an
error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dask
from distributed import Client, LocalCluster, WorkerPlugin
from distributed.core import Status

WORKER_EXIT_GRACE_S = 30.0  # the nanny waits 80 % of it before killing a worker process
HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat"


class _ClosingHeartbeatFilter(logging.Filter):
    """Drop distributed's heartbeat-failure record of `worker` while the worker is closing
    (its own closing cut the heartbeat short); pass every other record."""

    def __init__(self, worker: Any) -> None:
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        closing = self.worker.status in (Status.closing, Status.closing_gracefully,
                                         Status.closed)
        return not (closing and record.getMessage().startswith(HEARTBEAT_FAILED))


class QuietClosingHeartbeat(WorkerPlugin):
    """Install `_ClosingHeartbeatFilter` on each worker (also on a worker the nanny
    restarts). The filter stays until the process ends: the plugin is torn down early in
    the worker's close, before the heartbeat it is there for fails."""

    name = "hsplan-quiet-closing-heartbeat"

    def setup(self, worker: Any) -> None:
        logging.getLogger("distributed.worker").addFilter(_ClosingHeartbeatFilter(worker))


async def _close_workers(cluster: LocalCluster, grace_s: float) -> None:
    """Close every worker of `cluster`, each given `grace_s` to exit."""
    await asyncio.gather(*(worker.close(timeout=grace_s)
                           for worker in list(cluster.workers.values())))


@contextmanager
def local_cluster_client(n_workers: int) -> Iterator[Client]:
    """Yield a client of a new LocalCluster of `n_workers` single-thread worker processes;
    on exit the client is closed, then the workers (given `WORKER_EXIT_GRACE_S` when the
    block finished; at once, as distributed does, when it raised), then the scheduler."""
    # the scheduler always serves HTTP (health, metrics); dashboard_address=None means its
    # default port 8787, and a second batch (or a notebook's cluster) on the machine then
    # prints "Port 8787 is already in use": a free loopback port, and no dashboard
    # and no statistical profiler: it feeds only the dashboard, and each worker kept a
    # profile tree per second (1,000 of them) and per task prefix, so a national run grew
    # each worker from 260 to 900 MiB, and its exit (freeing them) past the nanny's grace
    with dask.config.set({"distributed.worker.profile.enabled": False}):  # nannies copy it
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0", host="127.0.0.1",
                               scheduler_kwargs={"dashboard": False})
    try:
        with Client(cluster) as client:
            client.register_plugin(QuietClosingHeartbeat(), name=QuietClosingHeartbeat.name)
            yield client
        cluster.sync(_close_workers, cluster, WORKER_EXIT_GRACE_S)
    finally:
        cluster.close()

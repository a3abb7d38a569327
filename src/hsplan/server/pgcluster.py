"""A throwaway PostgreSQL + PostGIS cluster: initdb in a temporary folder, started on a free
port of 127.0.0.1 with its socket in that folder, stopped and removed after.

Used by the server's tests (a session-scoped fixture) and by ``scripts/pg_test_cluster.sh``.
It needs the system's PostgreSQL server binaries (Debian: ``postgresql`` and
``postgresql-NN-postgis-3``); `find_bindir` returns None when they are absent. As root the
cluster runs as the ``postgres`` OS user, because initdb refuses root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hsplan._i18n import _
from hsplan.errors import DataSourceError

TEMPLATE = "hsplan_postgis_template"
INSTALL = "apt-get install postgresql postgresql-15-postgis-3"  # Debian's packages


def find_bindir() -> Path | None:
    """Return the folder of the newest PostgreSQL server binaries with PostGIS, or None."""
    env = os.environ.get("HSPLAN_PG_BINDIR")
    candidates = [Path(env)] if env else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for bindir in candidates:
        if not (bindir / "initdb").exists():
            continue
        share = Path("/usr/share/postgresql") / bindir.parent.name / "extension"
        if env or list(share.glob("postgis--*.sql")):
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster: its folder, port and superuser."""

    bindir: Path
    folder: Path
    port: int
    user: str = "postgres"
    _template: bool = False

    def url(self, database: str = "hsplan") -> str:
        """Return the SQLAlchemy URL of `database` (psycopg 3 over TCP on 127.0.0.1)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        """Run `sql` with psql as the superuser; return its output (raise on error)."""
        done = self._run(str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                         "-U", self.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql)
        if done.returncode:
            raise DataSourceError(f"psql: {done.stderr.strip()}")
        return done.stdout

    def create_database(self, name: str) -> str:
        """Create database `name` with the postgis extension (copied from a template made
        once per cluster); return its URL."""
        if not self._template:
            self.psql(f'CREATE DATABASE "{TEMPLATE}"')
            self.psql("CREATE EXTENSION postgis", database=TEMPLATE)
            self._template = True
        self.psql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                  "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start(bindir: Path | None = None) -> Cluster:
    """Return a started throwaway cluster (trust authentication, loopback only)."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise DataSourceError(_("PostgreSQL with PostGIS not found. Fix: {command} (or set "
                                "{variable}).").format(
            command=INSTALL,
            variable="HSPLAN_PG_BINDIR"))
    folder = Path(tempfile.mkdtemp(prefix="hsplan-pg-"))
    cluster = Cluster(bindir, folder, _free_port())
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    done = cluster._run(str(bindir / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
    if done.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise DataSourceError(_("initdb failed: {detail}").format(detail=done.stderr.strip()))
    opts = (f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off")
    done = cluster._run(str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-o", opts,
                        "-l", str(folder / "server.log"), "-w", "start")
    if done.returncode:
        log = (folder / "server.log").read_text(errors="replace")[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        raise DataSourceError(_("PostgreSQL did not start: {detail}").format(
            detail=f"{done.stderr.strip()} {log}"))
    return cluster

#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for trying the hsplan server (and what the tests
# start themselves): initdb in a temporary folder, loopback only, trust authentication.
#
#   bash scripts/pg_test_cluster.sh start   prints the folder and the --db URL to use
#   bash scripts/pg_test_cluster.sh stop DIR stops the cluster in DIR and removes it
#
# Needs Debian's postgresql and postgresql-15-postgis-3 (run.sh installs them as root).
# Not for production: use a managed cluster with passwords (see docs/server.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
case "${1:-}" in
  start)
    PYTHONPATH=src "$PY" - <<'PYEOF'
from hsplan.server import pgcluster
c = pgcluster.start()
url = c.create_database("hsplan")
print(f"folder: {c.folder}")
print(f"--db {url}")
print(f"stop with: bash scripts/pg_test_cluster.sh stop {c.folder}")
PYEOF
    ;;
  stop)
    DIR=${2:?usage: pg_test_cluster.sh stop DIR}
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [ "$(id -u)" = "0" ]; then
      runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop || true
    else
      "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop || true
    fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: bash scripts/pg_test_cluster.sh start | stop DIR" >&2
    exit 2
    ;;
esac

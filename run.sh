#!/usr/bin/env bash
# hsplan's two commands. Each sets everything up (a virtual environment in .venv, the
# package and its dependencies, CJK fonts for charts, chromium for the dashboard's browser
# tests) and then does its job:
#
#   bash run.sh example   set up, then run the main job on the bundled example region
#   bash run.sh test      set up, then run the checks and the test suite
#
# Needs only Python ≥ 3.11 with pip (and, for CJK chart labels and PDF reports, Debian/Ubuntu's
# apt as root; without it charts still render, with a warning about missing glyphs, and
# reports are written as Word and HTML).
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  echo "== installing hsplan and its dependencies"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[test]"
  install_cjk_fonts
}

setup_test_services() {
  # what the test suite needs beyond Python: a headless browser, LibreOffice for PDF reports,
  # PostgreSQL with PostGIS for the server (each skipped with a reason when it cannot be had)
  install_chromium
  install_libreoffice
  install_postgis
}

install_libreoffice() {
  # `hsplan report --format pdf` converts the Word report with LibreOffice (Writer, headless).
  if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing LibreOffice Writer (libreoffice-writer-nogui) for PDF reports"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null 2>&1 \
      || echo "warning: could not install LibreOffice; hsplan report --format pdf is unavailable"
  else
    echo "warning: LibreOffice not found; install libreoffice-writer for PDF reports"
  fi
}

install_cjk_fonts() {
  # Charts label places in Chinese: they need a CJK font (Noto Sans CJK from Debian).
  if command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing CJK fonts (fonts-noto-cjk)"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null 2>&1 \
      || echo "warning: could not install fonts-noto-cjk; Chinese labels in charts may not render"
  else
    echo "warning: no CJK font found and apt-get is not usable here;" \
         "install a CJK font (e.g. fonts-noto-cjk) for Chinese chart labels"
  fi
}

install_chromium() {
  # The dashboard's browser tests drive Debian's chromium headless through its chromedriver
  # (selenium; nothing downloads a browser). Without them those tests are skipped.
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium and chromium-driver (browser tests of hsplan serve)"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
      || echo "warning: could not install chromium; the browser tests will be skipped"
  else
    echo "warning: chromium/chromedriver not found and apt-get is not usable here;" \
         "the browser tests of hsplan serve will be skipped"
  fi
}

install_postgis() {
  # The server's tests (hsplan serve --db) start a throwaway PostgreSQL + PostGIS cluster
  # from Debian's packages. Without them those tests are skipped.
  if ls /usr/share/postgresql/*/extension/postgis--*.sql >/dev/null 2>&1 \
      && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing PostgreSQL and PostGIS (tests of the hsplan server)"
    apt-get update -qq >/dev/null 2>&1 || true
    local pg
    pg=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -1)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql \
        "postgresql-${pg:-15}-postgis-3" >/dev/null 2>&1 \
      || echo "warning: could not install PostgreSQL/PostGIS; the server tests will be skipped"
  else
    echo "warning: PostgreSQL/PostGIS not found and apt-get is not usable here;" \
         "the tests of the hsplan server will be skipped"
  fi
}

case "${1:-}" in
  example)
    setup
    shift
    exec "$VENV/bin/python" -m hsplan.cli.example --force "$@"
    ;;
  test)
    setup
    setup_test_services
    shift
    echo "== ruff"
    "$VENV/bin/ruff" check src tests benchmarks scripts
    echo "== mypy"
    "$VENV/bin/mypy"
    echo "== pytest"
    exec "$VENV/bin/python" -m pytest -q "$@"
    ;;
  *)
    echo "usage: bash run.sh example | test" >&2
    exit 2
    ;;
esac

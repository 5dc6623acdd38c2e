#!/usr/bin/env bash
# Set up the environment and run the whole test suite.
#
# Always: lint, migrations check, OpenAPI validation, and the suite on the embedded SQLite
# default. Then again on PostgreSQL + Redis (with a real Celery worker where a test needs one)
# when they are reachable; with CI=true they are required.
#
#   PG_URL     PostgreSQL server to test on   (default postgres://postgres@127.0.0.1:5432/test)
#   REDIS_TEST_URL  Redis to test on          (default redis://127.0.0.1:6379/15)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_TEST_URL="${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}"

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# The browser tests inject axe-core (from npm, package.json) into every page they visit.
if command -v npm >/dev/null 2>&1; then
  if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "npm is needed for the browser tests' accessibility checks (axe-core)." >&2
  exit 1
fi

export SECRET_KEY="${SECRET_KEY:-test-only-secret-key}"
unset DATABASE_URL REDIS_URL

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== migrations are up to date"
DJANGO_SETTINGS_MODULE=config.test_settings .venv/bin/python manage.py makemigrations --check --dry-run

echo "== OpenAPI schema is valid"
DJANGO_SETTINGS_MODULE=config.test_settings .venv/bin/python manage.py spectacular --validate --fail-on-warn --file /dev/null

echo "== test suite on SQLite (embedded default)"
.venv/bin/pytest -q "$@"

reachable() { .venv/bin/python - "$1" <<'PY'
import socket, sys
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    socket.create_connection((u.hostname or "127.0.0.1", u.port or {"postgres": 5432, "redis": 6379}[u.scheme]), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

if reachable "$PG_URL" && reachable "$REDIS_TEST_URL"; then
  echo "== test suite on PostgreSQL + Redis"
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL" .venv/bin/pytest -q "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL ($PG_URL) or Redis ($REDIS_TEST_URL) is not reachable; CI needs both." >&2
  exit 1
else
  echo "== skipped the PostgreSQL + Redis run: start PostgreSQL and Redis to include it"
fi

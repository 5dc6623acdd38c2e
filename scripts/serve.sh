#!/usr/bin/env bash
# Set up and run physiodesk on the embedded default: an SQLite file, Celery tasks in-process,
# demo data loaded, served on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .

export DEBUG="${DEBUG:-true}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo

# No worker in the embedded default: this loop sends reminders as they fall due.
.venv/bin/python manage.py run_notifications --interval 60 &
notifications_pid=$!
trap 'kill "$notifications_pid" 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py runserver 127.0.0.1:8000

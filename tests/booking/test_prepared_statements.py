"""On a direct PostgreSQL connection the booking path's statements are prepared once per
connection (server-side binding, prepare_threshold 2: config/settings.py, decision 0006), so a
booking is not parsed and planned again on every request; the two settings that turn this off
(a transaction pooler, or DB_PREPARED_STATEMENTS=0) leave no statement on the connection."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import PatientFactory

BOOKINGS = "/api/v1/bookings/"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_booking_path_runs_on_prepared_statements(api, receptionist, massage, therapist):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    desk = api(receptionist)
    walk_ins = [PatientFactory(clinic=massage.clinic) for _ in range(3)]
    for hour, walk_in in zip((9, 10, 11), walk_ins, strict=True):
        response = desk.post(
            BOOKINGS,
            {
                "treatment": massage.pk,
                "therapist": therapist.pk,
                "patient": walk_in.pk,
                "start": f"2027-03-02T{hour:02}:00:00+00:00",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    prepared = _prepared_statements()
    # The re-check and the one statement that writes the booking, its history and its outbox.
    assert any("WITH rooms AS" in sql for sql in prepared), prepared
    assert any(
        'INSERT INTO "booking_booking"' in sql and "notifications_calendarentry" in sql
        for sql in prepared
    ), prepared


def _options_with(env: dict) -> dict:
    """The database options config/settings.py chooses for PostgreSQL under `env`."""
    script = (
        "import json, config.settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(json.dumps({k: o[k] for k in ('server_side_binding', 'prepare_threshold') "
        "if k in o}))"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/anything",
        "SECRET_KEY": "test-only",
        **env,
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter, our own settings)
        [sys.executable, "-c", script],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_transaction_pooler_or_the_switch_turns_prepared_statements_off():
    assert _options_with({}) == {"server_side_binding": True, "prepare_threshold": 2}
    assert _options_with({"DB_TRANSACTION_POOLING": "1"}) == {"prepare_threshold": None}
    assert _options_with({"DB_PREPARED_STATEMENTS": "0"}) == {}

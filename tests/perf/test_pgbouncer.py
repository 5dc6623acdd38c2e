"""Behind PgBouncer in transaction pooling mode the booking race still has one winner.

A private pgbouncer (Debian's package; `.ci/run` installs it) pools the test database with
pool_mode = transaction and a small pool, so consecutive transactions of one web connection run
on different server connections. gunicorn runs with DB_TRANSACTION_POOLING=1 (no prepared
statements, no server-side cursors, no startup options); the lock timeout comes from the
pooler's connect_query. Nothing on the booking path may rely on session state: the clinic lock,
the availability re-check and the insert all live in one transaction.

PostgreSQL + Redis pass only; skipped without the pgbouncer binary.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from accounts.services import issue_token
from booking.models import Booking, BookingStatus
from tests.factories import PatientFactory
from tests.notifications.live import RedisServer
from tests.notifications.smtp_sink import free_port
from tests.perf.live_web import Web

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(PGBOUNCER is None, reason="needs pgbouncer (apt-get install pgbouncer)"),
]


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("pgbouncer pools PostgreSQL: needs DATABASE_URL")


@pytest.fixture
def pgbouncer():
    """pgbouncer on a free port in transaction pooling mode, in front of the test database."""
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    port = free_port()
    # pgbouncer drops root to the postgres user: its files must be readable (and the log
    # writable) by that user, which pytest's private tmp_path is not.
    home = Path(tempfile.mkdtemp(prefix="physiodesk-pgbouncer-"))
    home.chmod(0o777)
    (home / "users.txt").write_text(f'"{user}" ""\n')
    (home / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{settings['NAME']} = host={settings.get('HOST') or '127.0.0.1'} "
        f"port={settings.get('PORT') or 5432} dbname={settings['NAME']} "
        f"connect_query='SET lock_timeout = 3000'\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir =\nauth_type = trust\nauth_file = {home / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 200\n"
        f"logfile = {home / 'pgbouncer.log'}\npidfile = {home / 'pgbouncer.pid'}\n"
    )
    for path in home.iterdir():
        path.chmod(0o666)
    args = [PGBOUNCER, str(home / "pgbouncer.ini")]
    if os.geteuid() == 0:
        args[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    url = f"postgres://{user}@127.0.0.1:{port}/{settings['NAME']}"
    yield url
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(home, ignore_errors=True)


def test_the_booking_race_has_one_winner_through_transaction_pooling(
    pgbouncer, tmp_path, massage, receptionist, clinic, therapist
):
    # Every server connection the pool hands out has the lock timeout the booking path needs.
    with psycopg.connect(pgbouncer.replace("postgres://", "postgresql://"), autocommit=True) as db:
        timeouts = {db.execute("SHOW lock_timeout").fetchone()[0] for _ in range(5)}
    assert timeouts == {"3s"}

    redis = RedisServer()
    redis.start()
    web = Web(
        database=pgbouncer,
        redis_url=redis.url,
        log=tmp_path / "web.log",
        extra_env={"DB_TRANSACTION_POOLING": "1", "CONN_MAX_AGE": "60"},
    )
    try:
        web.start()
        web.wait_ready()
        clinic.min_notice_minutes = 0
        clinic.save(update_fields=["min_notice_minutes"])
        _, token = issue_token(receptionist)
        start = (timezone.now() + timedelta(days=3)).replace(
            hour=11, minute=0, second=0, microsecond=0
        )
        body = {"treatment": massage.pk, "start": start.isoformat(), "therapist": therapist.pk}
        patients = [PatientFactory(clinic=clinic).pk for _ in range(24)]
        barrier = threading.Barrier(24)
        codes: list[int] = []

        def racer(n: int) -> None:
            barrier.wait()
            codes.append(web.post("/api/v1/bookings/", {**body, "patient": patients[n]}, token))

        threads = [threading.Thread(target=racer, args=(n,)) for n in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(codes) == [201] + [409] * 23, web.log.read_text()[-3000:]
        active = Booking.objects.filter(start=start).exclude(status=BookingStatus.CANCELLED)
        assert active.count() == 1
        # Later requests keep working on whatever server connection they get.
        assert web.post("/api/v1/bookings/", {**body, "patient": patients[0]}, token) == 409
    finally:
        web.stop()
        redis.stop()

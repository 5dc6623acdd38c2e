"""Scale-out: two gunicorn instances and two Celery workers against one PostgreSQL and one Redis
keep every guarantee. 24 requests race through both instances for one slot: exactly one 201.
Reminders falling due are sent exactly once between the two workers.

PostgreSQL + Redis pass only (the processes share the test database); needs redis-server.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from accounts.services import issue_token
from booking.models import Booking, BookingStatus
from notifications.models import Kind, Notification, NotificationStatus
from tests.factories import PatientFactory
from tests.notifications.live import REDIS_SERVER, CeleryWorker, RedisServer, database_url
from tests.notifications.smtp_sink import SMTPSink
from tests.notifications.test_worker import (
    assert_each_sent_exactly_once,
    book_many,
    reminders_fall_due,
    wait_until,
)
from tests.perf.live_web import Web

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("other processes share the test database: needs PostgreSQL (DATABASE_URL)")


@pytest.fixture
def network(tmp_path, transactional_db):
    """Two web instances and two workers (each with its own beat), one Redis, one database."""
    redis = RedisServer()
    redis.start()
    database = database_url(connection.settings_dict)
    sink = SMTPSink().__enter__()
    webs = [
        Web(database=database, redis_url=redis.url, log=tmp_path / f"web-{n}.log") for n in (1, 2)
    ]
    workers = []
    for n in (1, 2):
        workdir = tmp_path / f"worker-{n}"
        workdir.mkdir()
        workers.append(
            CeleryWorker(
                database_url=database, redis_url=redis.url, smtp_port=sink.port, workdir=workdir
            )
        )
    try:
        for process in [*webs, *workers]:
            process.start()
        for web in webs:
            web.wait_ready()
        yield {"webs": webs, "workers": workers, "sink": sink}
    finally:
        for web in webs:
            web.stop()
        for worker in workers:
            worker.kill()
        sink.__exit__(None, None, None)
        redis.stop()


def test_two_instances_and_two_workers_keep_every_guarantee(
    network, massage, receptionist, clinic, therapist
):
    clinic.min_notice_minutes = 0
    clinic.save(update_fields=["min_notice_minutes"])
    _, token = issue_token(receptionist)
    start = (timezone.now() + timedelta(days=3)).replace(hour=11, minute=0, second=0, microsecond=0)
    body = {"treatment": massage.pk, "start": start.isoformat(), "therapist": therapist.pk}
    patients = [PatientFactory(clinic=clinic).pk for _ in range(24)]
    barrier = threading.Barrier(24)
    codes: list[int] = []

    def racer(n: int) -> None:
        web = network["webs"][n % 2]
        barrier.wait()
        codes.append(web.post("/api/v1/bookings/", {**body, "patient": patients[n]}, token))

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201] + [409] * 23
    assert Booking.objects.filter(start=start).exclude(status=BookingStatus.CANCELLED).count() == 1

    # Ten more bookings; every reminder falls due; the two workers share the sending.
    book_many(10, massage=massage, receptionist=receptionist, clinic=clinic)
    reminders_fall_due()
    expected = 11 + Notification.objects.filter(kind=Kind.REMINDER).count()
    sink, worker = network["sink"], network["workers"][0]
    wait_until(lambda: sink.accepted_count() >= expected, 60, worker)
    assert_each_sent_exactly_once(sink, expected)
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()

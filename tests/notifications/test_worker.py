"""Delivery guarantees with a real Celery worker, a real Redis and a real SMTP server.

Needs PostgreSQL (the worker is another process sharing the test database) and the
redis-server binary (each test runs its own Redis on a free port, so it can stop it). Runs in
the PostgreSQL + Redis pass of scripts/test.sh.
"""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from booking import services as booking_services
from config.celery import app as celery_app
from notifications.models import Kind, Notification, NotificationStatus
from tests.factories import PatientFactory
from tests.notifications.live import REDIS_SERVER, CeleryWorker, RedisServer, database_url
from tests.notifications.smtp_sink import SMTPSink

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: needs PostgreSQL (DATABASE_URL)")


@pytest.fixture
def private_redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(private_redis):
    """Point this process's Celery at the private Redis too, so after-commit hand-offs go there."""
    previous = celery_app.conf.broker_url
    celery_app.close()
    celery_app.conf.broker_url = private_redis.url
    yield private_redis
    celery_app.close()
    celery_app.conf.broker_url = previous


@pytest.fixture
def start_worker(broker, tmp_path, transactional_db):
    workers = []

    def _start(sink: SMTPSink) -> CeleryWorker:
        worker = CeleryWorker(
            database_url=database_url(connection.settings_dict),
            redis_url=broker.url,
            smtp_port=sink.port,
            workdir=tmp_path,
        )
        worker.start()
        workers.append(worker)
        return worker

    yield _start
    for worker in workers:
        worker.kill()


def book_many(count, *, massage, receptionist, clinic, skip=0):
    """`count` bookings a week ahead, 10:00-19:00 London time, each for its own patient.

    `skip` leaves out the first slots (taken by an earlier call)."""
    first_day = timezone.now().astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=7)
    bookings = []
    for index in range(skip, skip + count):
        day = first_day + timedelta(days=index // 10)
        start = timezone.datetime(
            day.year, day.month, day.day, 10 + index % 10, tzinfo=ZoneInfo("Europe/London")
        )
        patient = PatientFactory(clinic=clinic)
        bookings.append(
            booking_services.book_session(
                treatment=massage,
                start=start,
                patient=patient,
                booked_by=receptionist,
                apply_policy=False,
            )
        )
    return bookings


def reminders_fall_due():
    """Time passes: every reminder written so far is now due."""
    return Notification.objects.filter(
        kind=Kind.REMINDER, status=NotificationStatus.PENDING
    ).update(due_at=timezone.now() - timedelta(minutes=1))


def wait_until(condition, timeout: float, worker: CeleryWorker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; worker logs:\n{worker.logs()}")


def assert_each_sent_exactly_once(sink: SMTPSink, expected: int) -> None:
    time.sleep(2)  # a duplicate would arrive within a couple of scans
    counts = sink.message_ids()
    assert sum(counts.values()) == expected
    assert len(counts) == expected
    assert set(counts.values()) == {1}
    rows = Notification.objects.filter(status=NotificationStatus.SENT)
    assert rows.count() == expected
    from notifications.rendering import message_id

    assert {message_id(row) for row in rows} == set(counts)


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_twice(
    start_worker, massage, receptionist, clinic
):
    book_many(20, massage=massage, receptionist=receptionist, clinic=clinic)
    reminders_fall_due()
    expected = Notification.objects.filter(status=NotificationStatus.PENDING).count()
    assert expected == 60  # 20 confirmations, 20 x (48 h + 2 h) reminders

    with SMTPSink(gate_after=25) as sink:
        worker = start_worker(sink)
        wait_until(sink.stalled.is_set, 60, worker)  # 25 accepted, the 26th is on the wire
        worker.kill()
        assert sink.accepted_count() == 25
        assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 25
        sink.open_gate()

        worker.start()
        wait_until(lambda: sink.accepted_count() >= expected, 60, worker)
        assert_each_sent_exactly_once(sink, expected)
        worker.stop()


def test_reminders_due_while_redis_is_down_go_out_once_it_is_back(
    start_worker, broker, massage, receptionist, clinic
):
    with SMTPSink() as sink:
        worker = start_worker(sink)
        book_many(10, massage=massage, receptionist=receptionist, clinic=clinic)
        wait_until(lambda: sink.accepted_count() >= 10, 60, worker)  # the confirmations

        broker.stop()
        # While Redis is down: bookings still succeed, and reminders fall due.
        book_many(5, massage=massage, receptionist=receptionist, clinic=clinic, skip=10)
        due = reminders_fall_due()
        assert due == 30  # the first ten bookings' reminders (the late ones' fall due later)
        time.sleep(3)
        assert sink.accepted_count() == 10

        broker.start()
        wait_until(lambda: sink.accepted_count() >= 10 + 5 + 30, 120, worker)
        assert_each_sent_exactly_once(sink, 10 + 5 + 30)
        worker.stop()

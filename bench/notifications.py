"""Notifications benchmark on PostgreSQL: reminder throughput and calendar feed serving.

1. 10,000 due reminders sent by one Celery worker (concurrency 1, beat embedded, a throwaway
   Redis) to an SMTP server on loopback (aiosmtpd). Prints the time from "due" to the last
   message accepted, duplicates (a Message-ID seen twice) and misses (a due row not received).
   Target: under 60 s, zero duplicates, zero misses.
2. A therapist with 2,000 bookings: feed build time and SQL queries; then through the whole
   Django stack (test client, Redis cache) a cached 200, a 304 for If-None-Match and a 304 for
   If-Modified-Since. Targets: under 50 ms built, under 5 ms cached or 304. For scale: the
   best-known Django package for this job takes about 3.2 s and 7,756 queries to list such a
   therapist's diary.

Usage:  .venv/bin/python bench/notifications.py [--reminders 10000] [--bookings 2000] [--runs 30]
        BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/physiodesk_bench_notifications
The benchmark database is dropped and created afresh on every run; redis-server must be
installed (the bench starts its own on a free port and stops it at the end).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.notifications.live import CeleryWorker, RedisServer  # noqa: E402
from tests.notifications.smtp_sink import SMTPSink  # noqa: E402

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/physiodesk_bench_notifications"
)


def fresh_database() -> None:
    import psycopg

    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


REDIS = RedisServer()
REDIS.start()
fresh_database()
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["REDIS_URL"] = REDIS.url
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["ALLOWED_HOSTS"] = "testserver"
# The bench fetches one feed hundreds of times a minute on purpose.
os.environ["NOTIFICATIONS_FEED_REQUESTS_PER_MINUTE"] = "1000000"
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking.models import Clinic, Patient, Room, Therapist  # noqa: E402
from notifications import services  # noqa: E402
from notifications.directory import FeedKind, FeedOwner  # noqa: E402
from notifications.models import CalendarEntry, Kind, Notification, NotificationStatus  # noqa: E402
from notifications.rendering import message_id  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def seed_diary(
    clinic, therapist, room, patients, count: int, *, first_start
) -> list[CalendarEntry]:
    """`count` calendar entries, 10 a day from `first_start`, as booking's services write them."""
    entries = []
    for index in range(count):
        start = first_start + timedelta(days=index // 10, hours=index % 10)
        patient = patients[index % len(patients)]
        entries.append(
            CalendarEntry(
                booking_id=index + 1,
                clinic_id=clinic.pk,
                therapist_id=therapist.pk,
                room_id=room.pk,
                patient_id=patient.pk,
                status="confirmed",
                version=1,
                start=start,
                end=start + timedelta(minutes=45),
                updated_at=timezone.now(),
                treatment_name="Sports massage",
                therapist_name=therapist.full_name,
                room_name=room.name,
                clinic_name=clinic.name,
                patient_initials=f"{patient.first_name[:1]}{patient.last_name[:1]}",
            )
        )
    return CalendarEntry.objects.bulk_create(entries, batch_size=2000)


def reminders_bench(clinic, therapist, room, count: int) -> bool:
    patients = Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic, first_name=f"Pat{i}", last_name="Bench", email=f"pat{i}@example.test"
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    first_start = timezone.now() + timedelta(hours=1, minutes=30)
    entries = seed_diary(clinic, therapist, room, patients, count, first_start=first_start)
    # Give each reminder its own patient (the seeding above cycles patients per therapist hour).
    for entry, patient in zip(entries, patients, strict=True):
        entry.patient_id = patient.pk
    CalendarEntry.objects.bulk_update(entries, ["patient_id"], batch_size=2000)

    with tempfile.TemporaryDirectory() as workdir, SMTPSink(parse=False) as sink:
        worker = CeleryWorker(
            database_url=BENCH_URL,
            redis_url=REDIS.url,
            smtp_port=sink.port,
            workdir=Path(workdir),
            extra_env={
                "NOTIFICATIONS_BATCH_SIZE": "100",
                "NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS": "300",
            },
        )
        worker.start(concurrency=1)
        time.sleep(4)  # the worker is up and beat has ticked on an empty outbox
        due_at = timezone.now()
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    entry=entry,
                    kind=Kind.REMINDER,
                    lead_minutes=120,
                    booking_version=1,
                    appointment_start=entry.start,
                    due_at=due_at,
                )
                for entry in entries
            ],
            batch_size=2000,
        )
        started = time.perf_counter()
        deadline = started + 300
        while sink.accepted_count() < count and time.perf_counter() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        time.sleep(3)  # a duplicate would show up within a few scans
        worker.stop()

    received = sink.message_ids()
    expected = {message_id(row) for row in rows}
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    misses = len(expected - set(received))
    unsent = Notification.objects.exclude(status=NotificationStatus.SENT).count()
    print(f"Reminders: {count} due, {sum(received.values())} received by the SMTP server")
    print(f"  time to send all      {elapsed:.1f} s  ({count / elapsed:.0f}/s, target < 60 s)")
    print(f"  duplicates            {duplicates}")
    print(f"  misses                {misses}  (rows not marked sent: {unsent})")
    ok = elapsed < 60 and duplicates == 0 and misses == 0 and unsent == 0
    if not ok:
        print(worker.logs()[-3000:])
    return ok


def feed_bench(clinic, therapist, room, count: int, runs: int) -> bool:
    patients = list(Patient.objects.filter(clinic=clinic)[:50]) or Patient.objects.bulk_create(
        [Patient(clinic=clinic, first_name=f"Pat{i}", last_name="Feed") for i in range(50)]
    )
    CalendarEntry.objects.filter(therapist_id=therapist.pk).delete()
    first_start = timezone.now() - timedelta(days=20)
    seed_diary(clinic, therapist, room, patients, count, first_start=first_start)
    (feed,) = services.ensure_feeds(
        [
            FeedOwner(
                FeedKind.THERAPIST,
                therapist.pk,
                clinic.pk,
                f"{therapist.full_name} at {clinic.name}",
            )
        ]
    )
    shown = CalendarEntry.objects.filter(
        therapist_id=therapist.pk, end__gt=timezone.now() - timedelta(days=31)
    )

    build_times, sql_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            built = services.build_feed(feed)
        build_times.append(time.perf_counter() - started)
        sql_times.append(sum(float(query["time"]) for query in queries.captured_queries))
        build_queries = len(queries)  # read now: the test client's requests reset the log

    url = f"/feeds/{services.feed_token(feed)}.ics"
    client = Client()
    services.rebuild_feed(feed)
    time.sleep(1.1)  # Last-Modified is sent once the second of the last change is over

    def timed(**headers):
        times, status = [], None
        for _ in range(runs * 5):
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append(time.perf_counter() - started)
            status = response.status_code
        return statistics.median(times), status, response

    cached, status_200, response = timed()
    etag, last_modified = response["ETag"], response["Last-Modified"]
    with CaptureQueriesContext(connection) as request_queries:
        client.get(url, HTTP_IF_NONE_MATCH=etag)
    not_modified_queries = len(request_queries)
    by_etag, status_etag, _ = timed(HTTP_IF_NONE_MATCH=etag)
    by_date, status_date, _ = timed(HTTP_IF_MODIFIED_SINCE=last_modified)

    build = statistics.median(build_times)
    print(
        f"Feed: therapist with {count} bookings ({shown.count()} in the feed window), {len(built.body)} bytes"
    )
    print(
        f"  build (median of {runs})   {ms(build)}  {build_queries} queries taking"
        f" {ms(statistics.median(sql_times))}  (target < 50 ms)"
    )
    print(f"  GET cached -> {status_200}      {ms(cached)}  (target < 5 ms)")
    print(f"  If-None-Match -> {status_etag}   {ms(by_etag)}  {not_modified_queries} query")
    print(f"  If-Modified-Since -> {status_date} {ms(by_date)}")
    print("  for scale: the best-known Django package, ~3.2 s and 7,756 queries for such a diary")
    return (
        build < 0.05
        and max(cached, by_etag, by_date) < 0.005
        and (status_etag, status_date) == (304, 304)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        clinic = Clinic.objects.create(name="Bench Physio", slug="bench", phone="01332 000000")
        therapist = Therapist.objects.create(
            first_name="Tess", last_name="Bench", profession="physiotherapist"
        )
        therapist.clinics.add(clinic)
        room = Room.objects.create(clinic=clinic, name="Room 1")
        reminders_ok = reminders_bench(clinic, therapist, room, args.reminders)
        feeds_ok = feed_bench(clinic, therapist, room, args.bookings, args.runs)
    finally:
        REDIS.stop()
    print("targets met" if reminders_ok and feeds_ok else "TARGETS MISSED")
    return 0 if reminders_ok and feeds_ok else 1


if __name__ == "__main__":
    sys.exit(main())

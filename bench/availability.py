"""Availability and booking benchmark on PostgreSQL.

Seeds a clinic of 10 therapists with weekly hours and 20,000 bookings over 8 weeks, then prints
medians of repeated runs for:
  - a 14-day availability search for one treatment, one therapist and all therapists
    (time and SQL queries);
  - the floor: the single raw SQL query that reads those therapists' bookings in the window;
  - bookings per second through the API (in-process client), with queries per booking;
  - 24 concurrent requests for one slot: how many won.

Usage:  .venv/bin/python bench/availability.py [--runs 30]
        BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/physiodesk_bench (default)
The benchmark database is dropped and created afresh on every run.
"""

import argparse
import os
import statistics
import sys
import threading
import time
import warnings
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/physiodesk_bench"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)
# Emails and feed rebuilds are queued for workers (not run inline), as in production.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("LOG_LEVEL", "ERROR")  # the race's 409s are expected, not news
# The bench is one client address sending far more than a clinic's clients would: rate limits
# (core/throttles.py) far above what it sends, so it measures the work, not the 429s.
for _scope in ("AVAILABILITY", "BOOKING", "REGISTRATION", "PASSWORD_RESET"):
    os.environ.setdefault(f"THROTTLE_{_scope}", "1000000/minute")


def fresh_database() -> None:
    import psycopg

    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


fresh_database()
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.services import issue_token  # noqa: E402
from booking.availability import Availability  # noqa: E402
from booking.models import Booking, ClinicMembership, Patient, Treatment  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from busy_clinic import WEEKS, seed  # noqa: E402


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    started = time.perf_counter()
    clinic, short, therapists, rooms = seed(now)
    print(
        f"seeded {Booking.objects.count():,} bookings for {len(therapists)} therapists over {WEEKS} weeks "
        f"in {time.perf_counter() - started:.1f} s (PostgreSQL {connection.pg_version // 10000})"
    )

    window_start = now + timedelta(days=1)
    window_end = window_start + timedelta(days=14)
    treatment = Treatment.objects.select_related("clinic").get(pk=short.pk)

    def one():
        return Availability(
            treatment=treatment,
            window_start=window_start,
            window_end=window_end,
            therapist_id=therapists[0].pk,
            now=now,
        ).slots()

    def everyone():
        return Availability(
            treatment=treatment, window_start=window_start, window_end=window_end, now=now
        ).slots()

    ids = [t.pk for t in therapists]

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT therapist_id, room_id, blocked_start, blocked_end FROM booking_booking "
                "WHERE therapist_id = ANY(%s) AND status <> 'cancelled' AND blocked_start < %s AND blocked_end > %s",
                [ids, window_end + timedelta(hours=1), window_start - timedelta(hours=1)],
            )
            return cursor.fetchall()

    def floor_epoch():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT therapist_id, room_id, EXTRACT(EPOCH FROM blocked_start)::bigint, "
                "EXTRACT(EPOCH FROM blocked_end)::bigint FROM booking_booking "
                "WHERE therapist_id = ANY(%s) AND status <> 'cancelled' AND blocked_start < %s AND blocked_end > %s",
                [ids, window_end + timedelta(hours=1), window_start - timedelta(hours=1)],
            )
            return cursor.fetchall()

    rows_in_window = len(floor())
    floor_ms = median_ms(floor, args.runs)
    floor_epoch_ms = median_ms(floor_epoch, args.runs)
    one_ms, all_ms = median_ms(one, args.runs), median_ms(everyone, args.runs)
    print(f"\n14-day availability search (medians of {args.runs} runs)")
    print(
        f"  one therapist : {one_ms:7.2f} ms  {count_queries(one)} queries  {len(one())} slots  (target < 10 ms, <= 6 queries)"
    )
    print(
        f"  all therapists: {all_ms:7.2f} ms  {count_queries(everyone)} queries  {len(everyone())} slots  (target < 50 ms)"
    )
    print(
        f"  raw-SQL floor : {floor_ms:7.2f} ms  1 query  {rows_in_window} booking rows as timestamps "
        f"(all therapists = {all_ms / floor_ms:.1f}x this floor; target <= 3x)"
    )
    print(
        f"  same, as ints : {floor_epoch_ms:7.2f} ms  (all therapists = {all_ms / floor_epoch_ms:.1f}x, "
        f"one therapist = {one_ms / floor_epoch_ms:.1f}x this stricter floor)"
    )

    # --- bookings per second through the API ---------------------------------------------
    User = get_user_model()
    receptionist, _ = User.objects.get_or_create(username="bench-reception")
    ClinicMembership.objects.get_or_create(user=receptionist, clinic=clinic, role="receptionist")
    _, token = issue_token(receptionist)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    patient_user, _ = User.objects.get_or_create(username="bench-patient")
    self_patient = Patient.objects.create(
        clinic=clinic, first_name="Self", last_name="Booker", user=patient_user
    )
    _, patient_token = issue_token(patient_user)
    patient_client = APIClient()
    patient_client.credentials(HTTP_AUTHORIZATION=f"Token {patient_token}")
    patients = list(Patient.objects.filter(clinic=clinic).exclude(pk=self_patient.pk)[:400])

    free_day = datetime.combine(
        now.astimezone(clinic.tz).date() + timedelta(days=WEEKS * 7 + 7), clock(8), tzinfo=clinic.tz
    )
    starts = [free_day + timedelta(days=n // 36, minutes=20 * (n % 36)) for n in range(300)]

    def book(n: int, *, as_patient: bool = False):
        body = {
            "treatment": short.pk,
            "start": starts[n].isoformat(),
            "therapist": therapists[n % 10].pk,
        }
        if as_patient:
            return patient_client.post(
                "/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"bench-{n}"
            )
        body["patient"] = patients[n].pk
        return client.post("/api/v1/bookings/", body, format="json")

    def statements(queries) -> int:
        """SQL statements, not counting BEGIN/COMMIT (Django logs those too)."""
        return sum(1 for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT"))

    with CaptureQueriesContext(connection) as queries:
        response = book(0)
        assert response.status_code == 201, response.json()
    staff_queries = statements(queries)
    with CaptureQueriesContext(connection) as queries:
        response = book(1, as_patient=True)
        assert response.status_code == 201, response.json()
    patient_queries = statements(queries)
    started = time.perf_counter()
    made = 0
    for n in range(2, 300):
        response = book(n, as_patient=n % 2 == 0)
        assert response.status_code == 201, response.json()
        made += 1
    rate = made / (time.perf_counter() - started)
    print("\nBooking through the API (in-process client)")
    print(f"  {rate:,.0f} bookings/s over {made} bookings  (target >= 150/s)")
    print(
        f"  queries per booking: receptionist {staff_queries}, patient with Idempotency-Key {patient_queries}"
        "  (target <= 10)"
    )

    # --- 24 concurrent requests for one slot ------------------------------------------------
    race_start = free_day + timedelta(days=20, hours=2)
    barrier = threading.Barrier(24)
    codes: list[int] = []

    def racer(n: int) -> None:
        racer_client = APIClient()
        racer_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            response = racer_client.post(
                "/api/v1/bookings/",
                {
                    "treatment": short.pk,
                    "start": race_start.isoformat(),
                    "therapist": therapists[0].pk,
                    "patient": patients[300 + n].pk,
                },
                format="json",
            )
            codes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = codes.count(201)
    print("\n24 concurrent requests for one slot")
    print(
        f"  {won} won, {codes.count(409)} got 409, others: {sorted(c for c in codes if c not in (201, 409))}"
        "  (target: exactly 1 winner)"
    )
    stored = (
        Booking.objects.filter(therapist=therapists[0], start=race_start)
        .exclude(status="cancelled")
        .count()
    )
    print(f"  bookings stored for that slot: {stored}")


if __name__ == "__main__":
    main()

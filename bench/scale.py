"""Scale benchmark: does the cost of the hot paths stay flat as the clinic network grows?

Seeds 1, then 10, then 100 clinics into one PostgreSQL database (each: 10 therapists working
Monday to Friday 08:00-18:00, 12 rooms, 2,000 patients, and eight 45-minute bookings per
therapist per working day from a year ago to eight weeks ahead: about 24,000 bookings and their
calendar entries per clinic, 2.4 million at 100 clinics). The rows are written by set-based
INSERT ... SELECT statements, so seeding takes minutes. After each size it measures, always for
the first clinic (whose own data never changes, so only the rest of the network grows):

  - one therapist's 14-day availability (the engine, in process);
  - the reception diary's week for the clinic (the page, server time and queries);
  - a booking through the API by a receptionist (then cancelled, so every run books the same);
  - a therapist's calendar feed build;
  - the bookings list filtered to the clinic and one week (API);
  - the reception's patient search (the diary dialog's look-up);
  - the therapist's own page (week view).

Target: each figure at the largest size within 1.3x of its figure at 1 clinic. With --explain
it prints the EXPLAIN plan of every query those paths run against the big tables (bookings,
calendar entries, patients, notifications) and counts sequential scans on them (target 0).

Usage:  .venv/bin/python bench/scale.py [--sizes 1,10,100] [--runs 15] [--explain]
        BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/physiodesk_scale (default)
The benchmark database is dropped and created afresh on every run, unless --reuse (then only
the clinics missing for the sizes asked are added: `--reuse --sizes 100` measures again).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/physiodesk_scale"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("LOG_LEVEL", "ERROR")
# The bench is one client address sending far more than a clinic's clients would: rate limits
# (core/throttles.py) far above what it sends, so it measures the work, not the 429s.
for _scope in ("AVAILABILITY", "BOOKING", "REGISTRATION", "PASSWORD_RESET"):
    os.environ.setdefault(f"THROTTLE_{_scope}", "1000000/minute")

THERAPISTS = 10
ROOMS = 12
PATIENTS = 2_000
HISTORY_DAYS = 365
AHEAD_DAYS = 56
BOOKINGS_PER_DAY = 8  # 08:00 to 16:00, on the hour, 45 minutes each: 16:00-18:00 stays free
BIG_TABLES = (
    "booking_booking",
    "notifications_calendarentry",
    "booking_patient",
    "notifications_notification",
)


def fresh_database() -> None:
    import psycopg

    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if "--reuse" not in sys.argv:
    fresh_database()
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.services import issue_token  # noqa: E402
from booking.availability import Availability  # noqa: E402
from booking.models import (  # noqa: E402
    Clinic,
    ClinicMembership,
    OpeningHours,
    Qualification,
    Room,
    RoomFeature,
    Therapist,
    Treatment,
    WorkingHours,
)
from notifications.directory import FeedKind, FeedOwner  # noqa: E402
from notifications.services.feeds import build_feed, ensure_feeds  # noqa: E402

BOOKINGS_SQL = """
INSERT INTO booking_booking (
    uid, start, "end", blocked_start, blocked_end, session_key, place, capacity, status, channel,
    notes, cancellation_reason, cancellation_note, is_late_cancellation, version, created_at,
    updated_at, clinic_id, patient_id, room_id, therapist_id, treatment_id
)
SELECT gen_random_uuid(), s.at, s.at + interval '45 minutes', s.at, s.at + interval '45 minutes',
       %(treatment)s || ':' || pair.therapist || ':' || pair.room || ':' || extract(epoch FROM s.at)::bigint,
       1, 1,
       CASE WHEN random() < 0.06 THEN 'cancelled'
            WHEN s.at < now() THEN 'completed' ELSE 'confirmed' END,
       'reception', '', '', '', false, 1, s.at - interval '10 days', s.at - interval '10 days',
       %(clinic)s, %(first_patient)s + floor(random() * %(patients)s)::bigint,
       pair.room, pair.therapist, %(treatment)s
FROM unnest(%(therapists)s::bigint[], %(rooms)s::bigint[]) AS pair(therapist, room),
     LATERAL (
         SELECT ((day + time '08:00' + make_interval(hours => hour)) AT TIME ZONE 'Europe/London') AS at
         FROM generate_series(%(first_day)s::date, %(last_day)s::date, interval '1 day') AS day,
              generate_series(0, %(per_day)s - 1) AS hour
         WHERE extract(isodow FROM day) < 6
     ) AS s
"""

ENTRIES_SQL = """
INSERT INTO notifications_calendarentry (
    booking_id, uid, clinic_id, therapist_id, room_id, patient_id, status, version, start, "end",
    updated_at, treatment_name, therapist_name, room_name, clinic_name, patient_initials
)
SELECT b.id, gen_random_uuid(), b.clinic_id, b.therapist_id, b.room_id, b.patient_id,
       CASE WHEN b.status = 'cancelled' THEN 'cancelled' ELSE 'confirmed' END, b.version, b.start,
       b."end", b.updated_at, t.name, th.first_name || ' ' || th.last_name, r.name, c.name,
       upper(left(p.first_name, 1) || left(p.last_name, 1))
FROM booking_booking b
JOIN booking_treatment t ON t.id = b.treatment_id
JOIN booking_therapist th ON th.id = b.therapist_id
JOIN booking_room r ON r.id = b.room_id
JOIN booking_clinic c ON c.id = b.clinic_id
JOIN booking_patient p ON p.id = b.patient_id
WHERE b.clinic_id = %(clinic)s
"""

PATIENTS_SQL = """
INSERT INTO booking_patient (
    first_name, last_name, email, phone, consents_to_email, consents_to_sms,
    consents_to_reminders, created_at, updated_at, clinic_id
)
SELECT 'Pat' || n, (ARRAY['Smith','Jones','Taylor','Brown','Williams','Wilson','Evans','Thomas'])[1 + n %% 8] || n,
       'p' || n || '@c' || %(clinic)s || '.example', '07700 ' || lpad(n::text, 6, '0'),
       true, false, true, now(), now(), %(clinic)s
FROM generate_series(1, %(patients)s) AS n
RETURNING id
"""


def seed_clinic(index: int, today) -> None:
    clinic = Clinic.objects.create(
        name=f"Clinic {index:03d}",
        slug=f"clinic-{index:03d}",
        min_notice_minutes=0,
        booking_horizon_days=365,
        slot_step_minutes=15,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=d, opens=clock(8), closes=clock(18)) for d in range(5)
    )
    couch, _ = RoomFeature.objects.get_or_create(code="couch", defaults={"name": "Couch"})
    massage, _ = Qualification.objects.get_or_create(
        code="sports_massage", defaults={"name": "Sports massage"}
    )
    rooms = Room.objects.bulk_create(
        Room(clinic=clinic, name=f"Room {n + 1:02d}") for n in range(ROOMS)
    )
    Room.features.through.objects.bulk_create(
        Room.features.through(room_id=room.pk, roomfeature_id=couch.pk) for room in rooms
    )
    therapists = Therapist.objects.bulk_create(
        Therapist(first_name=f"T{n}", last_name=f"Clinic{index}", profession="physiotherapist")
        for n in range(THERAPISTS)
    )
    Therapist.clinics.through.objects.bulk_create(
        Therapist.clinics.through(therapist_id=t.pk, clinic_id=clinic.pk) for t in therapists
    )
    Therapist.qualifications.through.objects.bulk_create(
        Therapist.qualifications.through(therapist_id=t.pk, qualification_id=massage.pk)
        for t in therapists
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, clinic=clinic, weekday=d, starts=clock(8), ends=clock(18))
        for t in therapists
        for d in range(5)
    )
    treatment = Treatment.objects.create(
        clinic=clinic, name="Sports massage", modality="sports_massage", duration_minutes=45
    )
    treatment.required_qualifications.add(massage)
    treatment.required_room_features.add(couch)
    with connection.cursor() as cursor:
        cursor.execute(PATIENTS_SQL, {"clinic": clinic.pk, "patients": PATIENTS})
        first_patient = min(row[0] for row in cursor.fetchall())
        cursor.execute(
            BOOKINGS_SQL,
            {
                "treatment": treatment.pk,
                "clinic": clinic.pk,
                "first_patient": first_patient,
                "patients": PATIENTS,
                "therapists": [t.pk for t in therapists],
                "rooms": [r.pk for r in rooms[:THERAPISTS]],
                "first_day": today - timedelta(days=HISTORY_DAYS),
                "last_day": today + timedelta(days=AHEAD_DAYS),
                "per_day": BOOKINGS_PER_DAY,
            },
        )
        cursor.execute(ENTRIES_SQL, {"clinic": clinic.pk})


def grow_to(size: int, today) -> float:
    started = time.perf_counter()
    for index in range(Clinic.objects.count() + 1, size + 1):
        seed_clinic(index, today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def queries_of(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return [row[0] for row in cursor.fetchall()]


def seq_scans(plan: list[str]) -> list[str]:
    return [t for line in plan for t in BIG_TABLES if re.search(rf"Seq Scan on {t}\b", line)]


class Subject:
    """Clinic 1 and the people who use it: what every measurement looks at."""

    def __init__(self, today):
        self.clinic = Clinic.objects.get(slug="clinic-001")
        self.treatment = Treatment.objects.select_related("clinic").get(clinic=self.clinic)
        self.therapist = Therapist.objects.filter(clinics=self.clinic).order_by("pk").first()
        self.today = today
        User = get_user_model()
        reception, _ = User.objects.get_or_create(username="reception-001")
        ClinicMembership.objects.get_or_create(
            user=reception, clinic=self.clinic, role="receptionist"
        )
        therapist_user, _ = User.objects.get_or_create(username="therapist-001")
        self.therapist.user = therapist_user
        self.therapist.save(update_fields=["user"])
        self.api = APIClient()
        _, token = issue_token(reception)
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.web = Client()
        self.web.force_login(reception)
        self.therapist_web = Client()
        self.therapist_web.force_login(therapist_user)
        self.feed = ensure_feeds(
            [
                FeedOwner(
                    kind=FeedKind.THERAPIST,
                    owner_id=self.therapist.pk,
                    clinic_id=self.clinic.pk,
                    label="bench",
                )
            ]
        )[0]
        self.patient_id = self.clinic.patients.order_by("pk").values_list("pk", flat=True).first()
        # Next week's Monday: a full diary week ahead, inside the seeded eight weeks.
        self.monday = today + timedelta(days=7 - today.weekday())
        self.free_start = datetime.combine(self.monday, clock(16, 30), tzinfo=self.clinic.tz)
        self.now = datetime.now(UTC)

    def availability(self):
        start = datetime.combine(self.monday, clock(0), tzinfo=self.clinic.tz)
        return Availability(
            treatment=self.treatment,
            window_start=start,
            window_end=start + timedelta(days=14),
            therapist_id=self.therapist.pk,
            now=self.now,
        ).slots()

    def diary_week(self):
        response = self.web.get(
            f"/diary/{self.clinic.slug}/", {"date": self.monday.isoformat(), "view": "week"}
        )
        assert response.status_code == 200, response.status_code

    def book(self):
        response = self.api.post(
            "/api/v1/bookings/",
            {
                "treatment": self.treatment.pk,
                "start": self.free_start.isoformat(),
                "therapist": self.therapist.pk,
                "patient": self.patient_id,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    def book_and_cancel(self):
        booking_id = self.book()
        response = self.api.post(f"/api/v1/bookings/{booking_id}/cancel/", {}, format="json")
        assert response.status_code == 200, response.json()

    def feed_build(self):
        return build_feed(self.feed)

    def bookings_week(self):
        response = self.api.get(
            "/api/v1/bookings/",
            {
                "clinic": self.clinic.pk,
                "date_from": self.monday.isoformat(),
                "date_to": (self.monday + timedelta(days=6)).isoformat(),
            },
        )
        assert response.status_code == 200, response.status_code

    def patient_search(self):
        response = self.web.get(f"/diary/{self.clinic.slug}/patients/", {"q": "smith1"})
        assert response.status_code == 200, response.status_code
        assert response.json()["patients"], response.content

    def therapist_page(self):
        response = self.therapist_web.get("/therapist/", {"week": self.monday.isoformat()})
        assert response.status_code == 200, response.status_code


MEASURES = [
    ("14-day availability, one therapist", "availability"),
    ("reception diary, clinic week", "diary_week"),
    ("booking through the API (+ cancel)", "book_and_cancel"),
    ("therapist feed build", "feed_build"),
    ("bookings list, clinic and week (API)", "bookings_week"),
    ("patient search (diary dialog)", "patient_search"),
    ("therapist page, week", "therapist_page"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,100", help="clinic counts, ascending")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN of the hot queries")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run; seed only more"
    )
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))

    call_command("migrate", verbosity=0)
    today = datetime.now(UTC).astimezone(Clinic(time_zone="Europe/London").tz).date()
    results: dict[int, dict[str, tuple[float, int]]] = {}
    subject = None
    for size in sizes:
        took = grow_to(size, today)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM booking_booking")
            bookings = cursor.fetchone()[0]
        print(f"\n== {size} clinics: {bookings:,} bookings (seeded in {took:.0f} s)")
        if subject is None:
            subject = Subject(today)
        results[size] = {}
        for label, name in MEASURES:
            fn = getattr(subject, name)
            sql = queries_of(fn)
            ms = median_ms(fn, args.runs)
            results[size][label] = (ms, len(sql))
            print(f"  {label:40} {ms:8.2f} ms  {len(sql):3} queries")
            if args.explain and size == sizes[-1]:
                print_plans(label, sql)
        reset_queries()

    first, last = sizes[0], sizes[-1]
    print(f"\nCost at {last} clinics against {first} (target <= 1.3x)")
    for label, _ in MEASURES:
        ratio = results[last][label][0] / results[first][label][0]
        queries = f"{results[first][label][1]} -> {results[last][label][1]} queries"
        verdict = "ok" if ratio <= 1.3 else "OVER"
        print(f"  {label:40} {ratio:5.2f}x  ({queries})  {verdict}")


def print_plans(label: str, statements: list[str]) -> None:
    """EXPLAIN each read of a big table; sequential scans of those tables are flagged."""
    print(f"\n  -- plans: {label}")
    scans = 0
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        if not any(table in sql for table in BIG_TABLES):
            continue
        plan = explain(sql)
        found = seq_scans(plan)
        scans += len(found)
        print(f"  {sql[:160]}{'...' if len(sql) > 160 else ''}")
        for line in plan:
            print(f"      {line}")
        if found:
            print(f"      ^ SEQUENTIAL SCAN of {', '.join(found)}")
    print(f"  -- {label}: {scans} sequential scans of big tables (target 0)\n")


if __name__ == "__main__":
    main()

"""Load benchmark: clients booking and cancelling through gunicorn on loopback.

Seeds a PostgreSQL clinic (10 therapists, 12 rooms, open 08:00-20:00 every day, a weekly group
class with 6 places), starts gunicorn against it and a Redis (cache and Celery broker), and lets
N clients book random 20-minute slots over the next four weeks and cancel some of what they got,
for T seconds. Half the clients are patients booking for themselves with an Idempotency-Key,
half are receptionists booking for a patient. Then it audits the database:
  - no two active bookings of one therapist, or of one room, overlap (buffers included), except
    places in one group session;
  - no group session holds more patients than places, and no place twice;
  - every 201 answered has its booking (and its calendar entry) stored.
and prints, for each client count: requests per second, p50/p95/p99 latency, status codes, and
the peak resident memory of each web worker (VmHWM; target <= 200 MB).

Usage:  .venv/bin/python bench/load.py [--clients 50,200] [--seconds 60]
                                       [--workers 3] [--threads 4] [--worker-class gthread]
        .venv/bin/python bench/load.py --matrix    # compare worker layouts (shorter runs)
        BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/physiodesk_load (default)
        BENCH_REDIS_URL=redis://127.0.0.1:6379/7 (default; flushed before each run)
The benchmark database is dropped and created afresh on every run.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/physiodesk_load"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)  # the seeding process needs no broker
os.environ.setdefault("LOG_LEVEL", "ERROR")
# The bench is one client address sending far more than a clinic's clients would: rate limits
# (core/throttles.py) far above what it sends, so it measures the work, not the 429s.
for _scope in ("AVAILABILITY", "BOOKING", "REGISTRATION", "PASSWORD_RESET"):
    os.environ.setdefault(f"THROTTLE_{_scope}", "1000000/minute")

THERAPISTS = 10
ROOMS = 12
DAYS_AHEAD = 28
TZ = ZoneInfo("Europe/London")
ACTIVE = "status <> 'cancelled'"
RUN = f"{os.getpid()}-{time.time_ns()}"  # keeps Idempotency-Keys of separate runs apart


def fresh_database() -> None:
    import psycopg

    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def seed() -> dict:
    """One clinic with its set-up, patients with logins, receptionists; returns what clients need."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from accounts.services import issue_token
    from booking.models import (
        Clinic,
        ClinicMembership,
        OpeningHours,
        Patient,
        Qualification,
        Room,
        RoomFeature,
        Therapist,
        Treatment,
        WorkingHours,
    )

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(
        name="Load clinic",
        slug="load",
        min_notice_minutes=0,
        booking_horizon_days=365,
        slot_step_minutes=20,
        late_cancellation_hours=0,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=d, opens=clock(8), closes=clock(20)) for d in range(7)
    )
    couch, _ = RoomFeature.objects.get_or_create(code="couch", defaults={"name": "Couch"})
    massage, _ = Qualification.objects.get_or_create(
        code="sports_massage", defaults={"name": "Sports massage"}
    )
    rooms = []
    for n in range(ROOMS):
        room = Room.objects.create(clinic=clinic, name=f"Room {n + 1:02d}")
        room.features.add(couch)
        rooms.append(room)
    therapists = []
    for n in range(THERAPISTS):
        therapist = Therapist.objects.create(
            first_name=f"T{n}", last_name="Load", profession="physiotherapist"
        )
        therapist.clinics.add(clinic)
        therapist.qualifications.add(massage)
        therapists.append(therapist)
        WorkingHours.objects.bulk_create(
            WorkingHours(
                therapist=therapist, clinic=clinic, weekday=d, starts=clock(8), ends=clock(20)
            )
            for d in range(7)
        )
    single = Treatment.objects.create(
        clinic=clinic,
        name="Sports massage",
        modality="sports_massage",
        duration_minutes=15,
        buffer_after_minutes=5,
    )
    group = Treatment.objects.create(
        clinic=clinic,
        name="Rehab class",
        modality="exercise_rehab",
        duration_minutes=40,
        capacity=6,
    )
    for treatment in (single, group):
        treatment.required_qualifications.add(massage)
        treatment.required_room_features.add(couch)

    User = get_user_model()
    patient_users = User.objects.bulk_create(User(username=f"load-patient-{n}") for n in range(200))
    Patient.objects.bulk_create(
        Patient(clinic=clinic, first_name=f"P{n}", last_name="Load", user=user)
        for n, user in enumerate(patient_users)
    )
    receptionists = User.objects.bulk_create(
        User(username=f"load-reception-{n}") for n in range(20)
    )
    ClinicMembership.objects.bulk_create(
        ClinicMembership(user=user, clinic=clinic, role="receptionist") for user in receptionists
    )
    keys = {user.pk: issue_token(user)[1] for user in [*patient_users, *receptionists]}
    patient_tokens = [keys[user.pk] for user in patient_users]
    receptionist_tokens = [keys[user.pk] for user in receptionists]
    walk_ins = list(
        Patient.objects.bulk_create(
            Patient(clinic=clinic, first_name=f"W{n}", last_name="Load") for n in range(2000)
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "single": single.pk,
        "group": group.pk,
        "therapists": [t.pk for t in therapists],
        "patient_tokens": patient_tokens,
        "receptionist_tokens": receptionist_tokens,
        "walk_ins": [p.pk for p in walk_ins],
    }


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, *, workers: int, threads: int, worker_class: str):
        self.port = free_port()
        self.args = [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--timeout",
            "60",
        ]
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own venv
            self.args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health/")
                if conn.getresponse().status in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(self.process.pid):
                children.append(int(entry.name))
        return children

    def peak_rss_mb(self) -> list[float]:
        """VmHWM (peak resident set) of each worker process, in MB."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


# --- clients ------------------------------------------------------------------------------------


_RUNS = itertools.count(1)


class Results:
    def __init__(self):
        self.run = next(_RUNS)  # keys of one run never replay another run's answers
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.codes: Counter = Counter()
        self.created: set[int] = set()
        self.cancelled: set[int] = set()

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.codes[f"{kind} {status}"] += 1


def slot_start(rng: random.Random, today) -> datetime:
    day = today + timedelta(days=rng.randint(1, DAYS_AHEAD))
    minutes = 20 * rng.randrange(36)
    return datetime.combine(day, clock(8), tzinfo=TZ) + timedelta(minutes=minutes)


def client_loop(n: int, port: int, world: dict, deadline: float, results: Results) -> None:
    rng = random.Random(n)
    as_patient = n % 2 == 0
    tokens = world["patient_tokens"] if as_patient else world["receptionist_tokens"]
    token = tokens[(n // 2) % len(tokens)]
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    today = datetime.now(TZ).date()
    mine: list[int] = []
    counter = 0

    def post(path: str, body: dict, extra: dict | None = None) -> tuple[int, dict]:
        nonlocal conn
        payload = json.dumps(body)
        try:
            conn.request("POST", path, payload, {**headers, **(extra or {})})
            response = conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            return 599, {}
        try:
            return response.status, json.loads(data) if data else {}
        except ValueError:
            return response.status, {}

    while time.monotonic() < deadline:
        if mine and (len(mine) >= 3 or rng.random() < 0.3):
            booking_id = mine.pop(rng.randrange(len(mine)))
            started = time.perf_counter()
            status, _ = post(f"/api/v1/bookings/{booking_id}/cancel/", {"reason": "other"})
            results.record("cancel", status, time.perf_counter() - started)
            if status == 200:
                with results.lock:
                    results.cancelled.add(booking_id)
            continue
        group = rng.random() < 0.1
        body = {
            "treatment": world["group"] if group else world["single"],
            "start": slot_start(rng, today).isoformat(),
        }
        if not group:
            body["therapist"] = rng.choice(world["therapists"])
        extra = None
        if as_patient:
            counter += 1
            extra = {"Idempotency-Key": f"load-{RUN}-{results.run}-{n}-{counter}"}
        else:
            body["patient"] = rng.choice(world["walk_ins"])
        started = time.perf_counter()
        status, data = post("/api/v1/bookings/", body, extra)
        results.record("book", status, time.perf_counter() - started)
        if status == 201:
            mine.append(data["id"])
            with results.lock:
                results.created.add(data["id"])
    conn.close()


def run_load(port: int, world: dict, clients: int, seconds: float) -> tuple[Results, float]:
    results = Results()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(n, port, world, deadline, results), daemon=True)
        for n in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


# --- audit --------------------------------------------------------------------------------------


def audit(results: Results) -> dict[str, int]:
    """What the database holds after the run: every count here must be zero."""
    import psycopg

    def overlaps(column: str) -> str:
        return (
            f"SELECT count(*) FROM booking_booking a JOIN booking_booking b "
            f"ON a.{column} = b.{column} AND a.id < b.id AND a.session_key <> b.session_key "
            f"AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end "
            f"WHERE a.{ACTIVE} AND b.{ACTIVE}"
        )

    checks = {
        "therapist overlaps": overlaps("therapist_id"),
        "room overlaps": overlaps("room_id"),
        "group places held twice": (
            f"SELECT count(*) FROM (SELECT session_key, place FROM booking_booking WHERE {ACTIVE} "
            "GROUP BY session_key, place HAVING count(*) > 1) AS twice"
        ),
        "group sessions over capacity": (
            f"SELECT count(*) FROM (SELECT session_key FROM booking_booking WHERE {ACTIVE} "
            "GROUP BY session_key HAVING count(*) > max(capacity)) AS over"
        ),
    }
    found = {}
    with psycopg.connect(BENCH_URL.replace("postgres://", "postgresql://", 1)) as conn:
        for name, sql in checks.items():
            found[name] = conn.execute(sql).fetchone()[0]
        created = sorted(results.created)
        stored = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM booking_booking WHERE id = ANY(%s)", [created]
            ).fetchall()
        }
        with_entry = {
            row[0]
            for row in conn.execute(
                "SELECT booking_id FROM notifications_calendarentry WHERE booking_id = ANY(%s)",
                [created],
            ).fetchall()
        }
        still_cancelled = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM booking_booking WHERE id = ANY(%s) AND status = 'cancelled'",
                [created],
            ).fetchall()
        }
    found["201s without their booking"] = len(set(created) - stored)
    found["201s without a calendar entry"] = len(set(created) - with_entry)
    found["bookings cancelled that no 200 cancelled"] = len(still_cancelled - results.cancelled)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(clients: int, results: Results, elapsed: float, peaks: list[float]) -> dict:
    total = len(results.latencies)
    rate = total / elapsed
    ms = [s * 1000 for s in results.latencies]
    p50, p95, p99 = (percentile(ms, q) for q in (0.50, 0.95, 0.99))
    server_errors = sum(n for code, n in results.codes.items() if code.split()[1][0] == "5")
    print(f"\n{clients} clients for {elapsed:.0f} s: {total:,} requests")
    print(
        f"  {rate:6.1f} req/s   p50 {p50:6.0f} ms   p95 {p95:6.0f} ms   p99 {p99:6.0f} ms"
        f"   (mean {statistics.fmean(ms):.0f} ms)"
    )
    print("  status: " + ", ".join(f"{code}: {n}" for code, n in sorted(results.codes.items())))
    print(f"  5xx and dropped connections: {server_errors}  (target 0)")
    print(
        "  peak RSS per web worker: "
        + ", ".join(f"{mb:.0f} MB" for mb in sorted(peaks))
        + "  (target <= 200 MB)"
    )
    found = audit(results)
    for name, count in found.items():
        print(f"  {name}: {count}  (target 0)")
    return {"rate": rate, "p99": p99, "errors": server_errors, "rss": max(peaks, default=0)}


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def one_layout(world, *, clients_list, seconds, workers, threads, worker_class) -> list[dict]:
    print(
        f"\n== gunicorn --worker-class {worker_class} --workers {workers} --threads {threads}"
        f"  ({os.cpu_count()} cores)"
    )
    outcomes = []
    for clients in clients_list:
        flush_redis()
        server = Gunicorn(workers=workers, threads=threads, worker_class=worker_class)
        try:
            server.start()
            results, elapsed = run_load(server.port, world, clients, seconds)
            peaks = server.peak_rss_mb()
        finally:
            server.stop()
        outcomes.append(report(clients, results, elapsed, peaks))
    return outcomes


MATRIX = [
    ("sync", 3, 1),
    ("sync", 5, 1),
    ("gthread", 2, 4),
    ("gthread", 3, 4),
    ("gthread", 4, 2),
    ("gthread", 5, 2),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="50,200")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument(
        "--matrix", action="store_true", help="compare worker layouts, 20 s runs at 200 clients"
    )
    args = parser.parse_args()
    # A SIGTERM ends the run through the finally blocks, so gunicorn never outlives it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    clients_list = [int(n) for n in args.clients.split(",")]

    fresh_database()
    setup_django()
    started = time.perf_counter()
    world = seed()
    print(
        f"seeded one clinic ({THERAPISTS} therapists, {ROOMS} rooms, 2,200 patients) in "
        f"{time.perf_counter() - started:.1f} s; bookings over the next {DAYS_AHEAD} days"
    )
    from django.db import connections

    connections.close_all()

    if args.matrix:
        summary = []
        for worker_class, workers, threads in MATRIX:
            for outcome in one_layout(
                world,
                clients_list=[200],
                seconds=min(args.seconds, 20),
                workers=workers,
                threads=threads,
                worker_class=worker_class,
            ):
                summary.append((worker_class, workers, threads, outcome))
        print("\nlayout                      req/s   p99 ms   5xx   peak RSS")
        for worker_class, workers, threads, o in summary:
            print(
                f"  {worker_class:8} {workers} x {threads} threads   {o['rate']:6.1f}  "
                f"{o['p99']:7.0f}  {o['errors']:4}   {o['rss']:.0f} MB"
            )
        return
    one_layout(
        world,
        clients_list=clients_list,
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        worker_class=args.worker_class,
    )


if __name__ == "__main__":
    main()

"""Faults: Redis stopped while bookings are made; PostgreSQL lost and back mid-run.

Both run real processes on loopback against the test database: gunicorn (tests/perf/live_web.py),
a test-owned redis-server and a Celery worker with beat (tests/notifications/live.py), an SMTP
sink, and for the database fault a private PgBouncer between gunicorn and PostgreSQL that is
killed (SIGKILL) and started again: to the web processes that is a database restart (every
connection dropped, open transactions rolled back by the server, new connections refused until
it is back), without touching the machine's shared PostgreSQL.

PostgreSQL + Redis pass only (the processes share the test database); the database fault also
needs pgbouncer (`.ci/run` installs it).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.services import issue_token
from booking.models import Booking, BookingStatus, Channel
from booking.services import book_session
from notifications.models import CalendarEntry, Kind
from plans.models import TreatmentPlan
from tests.factories import PatientFactory
from tests.notifications.live import REDIS_SERVER, CeleryWorker, RedisServer, database_url
from tests.notifications.smtp_sink import SMTPSink, free_port
from tests.notifications.test_worker import (
    assert_each_sent_exactly_once,
    reminders_fall_due,
    wait_until,
)
from tests.perf.live_web import Web

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "gunicorn and a Celery worker share the test database with the test: needs "
            "PostgreSQL (DATABASE_URL); runs in the PostgreSQL + Redis pass of scripts/test.sh"
        )


def request(web: Web, method: str, path: str, body: dict | None = None, token: str = "", key=""):
    """(status, JSON body or None) from the gunicorn instance; (0, error) if it did not answer."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        raw = response.read()
    except OSError as exc:
        return 0, str(exc)
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, None


def slot(index: int):
    """A distinct hour a week ahead, 10:00-19:00 London time."""
    first_day = timezone.now().astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=7)
    day = first_day + timedelta(days=index // 10)
    return timezone.datetime(
        day.year, day.month, day.day, 10 + index % 10, tzinfo=ZoneInfo("Europe/London")
    )


def audit_bookings() -> dict:
    """What a partial or double write would leave behind: overlapping active bookings of one
    therapist or room, an active booking without its calendar entry or confirmation, or a
    calendar entry without its booking."""
    active = Booking.objects.exclude(status=BookingStatus.CANCELLED)
    overlaps = 0
    for field in ("therapist_id", "room_id"):
        rows = list(active.order_by(field, "start").values_list(field, "start", "end"))
        overlaps += sum(
            1
            for (a_owner, _a_start, a_end), (b_owner, b_start, _b_end) in zip(
                rows, rows[1:], strict=False
            )
            if a_owner == b_owner and b_start < a_end
        )
    booking_ids = set(active.values_list("pk", flat=True))
    entries = set(CalendarEntry.objects.values_list("booking_id", flat=True))
    confirmed = set(
        CalendarEntry.objects.filter(notifications__kind=Kind.CONFIRMATION).values_list(
            "booking_id", flat=True
        )
    )
    return {
        "overlaps": overlaps,
        "without_entry": len(booking_ids - entries),
        "without_confirmation": len(booking_ids - confirmed),
        "orphan_entries": len(entries - set(Booking.objects.values_list("pk", flat=True))),
    }


# --- Redis stopped while bookings are made -------------------------------------------------------


def test_bookings_made_while_redis_is_down_succeed_and_their_messages_follow_it_back(
    tmp_path, massage, receptionist, clinic, figures
):
    redis = RedisServer()
    redis.start()
    database = database_url(connection.settings_dict)
    clinic.min_notice_minutes = 0
    clinic.save(update_fields=["min_notice_minutes"])
    _, token = issue_token(receptionist)
    patients = [PatientFactory(clinic=clinic).pk for _ in range(8)]
    with SMTPSink() as sink:
        web = Web(database=database, redis_url=redis.url, log=tmp_path / "web.log")
        worker = CeleryWorker(
            database_url=database, redis_url=redis.url, smtp_port=sink.port, workdir=tmp_path
        )
        try:
            web.start()
            worker.start()
            web.wait_ready()

            redis.stop()
            health_down, _ = request(web, "GET", "/health/")
            started = time.monotonic()
            codes = [
                request(
                    web,
                    "POST",
                    "/api/v1/bookings/",
                    {"treatment": massage.pk, "start": slot(n).isoformat(), "patient": pk},
                    token,
                )[0]
                for n, pk in enumerate(patients)
            ]
            seconds_down = time.monotonic() - started
            time.sleep(2)
            sent_while_down = sink.accepted_count()

            redis.start()  # same port: web and worker reconnect by themselves
            wait_until(lambda: sink.accepted_count() >= len(patients), 120, worker)
            health_back, _ = request(web, "GET", "/health/")
            due = reminders_fall_due()
            wait_until(lambda: sink.accepted_count() >= len(patients) + due, 120, worker)
            assert_each_sent_exactly_once(sink, len(patients) + due)
        finally:
            web.stop()
            worker.kill()
            redis.stop()

    figures.append(
        f"Redis down: {len(codes)} bookings in {seconds_down:.1f} s answered "
        f"{dict(Counter(codes))}; /health/ {health_down} while down, {health_back} after; "
        f"{sent_while_down} messages sent while down, {len(patients) + due} sent exactly once "
        f"after it returned ({due} reminders)"
    )
    assert codes == [201] * len(patients), web.log.read_text()[-3000:]
    assert health_down == 503
    assert health_back == 200
    assert sent_while_down == 0
    assert due == 2 * len(patients)
    assert audit_bookings() == {
        "overlaps": 0,
        "without_entry": 0,
        "without_confirmation": 0,
        "orphan_entries": 0,
    }


# --- PostgreSQL lost and back mid-run --------------------------------------------------------


class Bouncer:
    """A private PgBouncer in front of the test database, to kill and start again."""

    def __init__(self, settings: dict):
        self.user = settings.get("USER") or "postgres"
        self.name = settings["NAME"]
        self.port = free_port()
        # pgbouncer drops root to the postgres user: its files must be readable by that user.
        self.home = Path(tempfile.mkdtemp(prefix="physiodesk-bouncer-"))
        self.home.chmod(0o777)
        (self.home / "users.txt").write_text(f'"{self.user}" ""\n')
        (self.home / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{self.name} = host={settings.get('HOST') or '127.0.0.1'} "
            f"port={settings.get('PORT') or 5432} dbname={self.name} "
            "connect_query='SET lock_timeout = 3000'\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir =\nauth_type = trust\nauth_file = {self.home / 'users.txt'}\n"
            "pool_mode = session\ndefault_pool_size = 20\nmax_client_conn = 200\n"
            f"logfile = {self.home / 'pgbouncer.log'}\npidfile = {self.home / 'pgbouncer.pid'}\n"
        )
        for path in self.home.iterdir():
            path.chmod(0o666)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.name}"

    def start(self) -> None:
        (self.home / "pgbouncer.pid").unlink(missing_ok=True)
        args = [PGBOUNCER, str(self.home / "pgbouncer.ini")]
        if os.geteuid() == 0:
            args[1:1] = ["-u", "postgres"]
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("pgbouncer did not start")

    def kill(self) -> None:
        """Like the database crashing: every connection dropped at once, nothing flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.home, ignore_errors=True)


def plan_body(patient_id: int, treatment_id: int) -> dict:
    """A plan written in one request: two goals, two phases, each with a session component
    and, in all, seven rows that stand or fall together."""
    return {
        "patient": patient_id,
        "condition": "neck_pain",
        "goals": [{"description": "Neck pain at most 2/10"}, {"description": "Drive pain-free"}],
        "phases": [
            {
                "name": "Settle pain",
                "weeks": 2,
                "components": [{"treatment": treatment_id, "sessions": 2}],
            },
            {
                "name": "Build up",
                "weeks": 3,
                "components": [{"treatment": treatment_id, "sessions": 3}],
            },
        ],
    }


KINDS = {"booking", "plan"}


def settle(condition, timeout: float = 60) -> None:
    """Let the clients run until `condition` holds (a few answers seen), at most `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def audit_plans() -> dict:
    """Plans missing any of the rows their request wrote."""
    plans = TreatmentPlan.objects.annotate(
        goal_count=Count("goals", distinct=True),
        phase_count=Count("phases", distinct=True),
        component_count=Count("phases__components", distinct=True),
    )
    return {"partial_plans": plans.exclude(goal_count=2, phase_count=2, component_count=2).count()}


@pytest.mark.skipif(PGBOUNCER is None, reason="needs pgbouncer (apt-get install pgbouncer)")
def test_losing_the_database_mid_run_gives_clean_answers_and_no_partial_bookings_or_plans(
    tmp_path, massage, receptionist, clinic, therapist, figures
):
    clinic.min_notice_minutes = 0
    clinic.save(update_fields=["min_notice_minutes"])
    _, desk_token = issue_token(receptionist)
    _, therapist_token = issue_token(therapist.user)
    patients = [PatientFactory(clinic=clinic).pk for _ in range(300)]
    # Tess may only plan for patients she treats: each of these has a session booked with her.
    treated = []
    for n in range(40):
        patient = PatientFactory(clinic=clinic)
        book_session(
            treatment=massage,
            start=slot(300 + n),
            patient=patient,
            therapist=therapist,
            apply_policy=False,
            channel=Channel.RECEPTION,
        )
        treated.append(patient.pk)
    booked_before = set(Booking.objects.values_list("pk", flat=True))
    redis = RedisServer()
    redis.start()
    bouncer = Bouncer(connection.settings_dict)
    bouncer.start()
    web = Web(
        database=bouncer.url,
        redis_url=redis.url,
        log=tmp_path / "web.log",
        extra_env={"DB_TRANSACTION_POOLING": "1", "CONN_MAX_AGE": "60"},
    )
    answers: list[tuple] = []  # (what, phase, status, body, n)
    phase = {"now": "before"}
    stop = threading.Event()
    queues = {"booking": iter(range(len(patients))), "plan": iter(range(len(treated)))}
    lock = threading.Lock()

    def book(n: int):
        # 40 slots shared by every client: some requests race for a slot and lose (409).
        body = {"treatment": massage.pk, "start": slot(n % 40).isoformat(), "patient": patients[n]}
        return request(web, "POST", "/api/v1/bookings/", body, desk_token, key=f"fault-{n}")

    def plan(n: int):
        return request(
            web, "POST", "/api/v1/plans/", plan_body(treated[n], massage.pk), therapist_token
        )

    def client(what: str, send) -> None:
        while not stop.is_set():
            with lock:
                n = next(queues[what], None)
            if n is None:
                return
            status, reply = send(n)
            answers.append((what, phase["now"], status, reply, n))
            if status == 503:
                time.sleep(0.2)  # a polite client backs off (the answer says Retry-After)

    try:
        web.start()
        web.wait_ready()
        threads = [threading.Thread(target=client, args=("booking", book)) for _ in range(3)]
        threads.append(threading.Thread(target=client, args=("plan", plan)))
        for thread in threads:
            thread.start()
        settle(lambda: len(answers) >= 8)

        bouncer.kill()
        phase["now"] = "down"
        time.sleep(0.3)
        health_down, _ = request(web, "GET", "/health/")
        settle(lambda: sum(1 for a in answers if a[1] == "down") >= 8, timeout=15)

        bouncer.start()
        phase["now"] = "after"
        settle(lambda: {a[0] for a in answers if a[1] == "after" and a[2] == 201} == KINDS)
        stop.set()
        for thread in threads:
            thread.join()
        health_back, _ = request(web, "GET", "/health/")
        # A client whose booking got no clear answer (503) retries it with the same key: it
        # gets the booking made then, or makes it now, or hears the slot went; never two.
        retried = [
            (n, *book(n))
            for what, _, status, _, n in answers
            if what == "booking" and status == 503
        ]
        # A slot nobody raced for: service has resumed for a new booking.
        resumed, resumed_reply = request(
            web,
            "POST",
            "/api/v1/bookings/",
            {"treatment": massage.pk, "start": slot(50).isoformat(), "patient": patients[-1]},
            desk_token,
        )
    finally:
        stop.set()
        web.stop()
        bouncer.close()
        redis.stop()

    by_phase = {
        name: dict(
            Counter(f"{what} {status}" for what, when, status, *_ in answers if when == name)
        )
        for name in ("before", "down", "after")
    }
    created = {
        what: {
            reply["id"] for kind, _, status, reply, _ in answers if kind == what and status == 201
        }
        for what in ("booking", "plan")
    }
    retried_ids = {reply["id"] for _, status, reply in retried if status == 201}
    replayed = sum(
        1 for _, status, reply in retried if status == 201 and reply["id"] in created["booking"]
    )
    audit = {**audit_bookings(), **audit_plans()}
    stored_bookings = set(Booking.objects.values_list("pk", flat=True)) - booked_before
    stored_plans = set(TreatmentPlan.objects.values_list("pk", flat=True))
    figures.append(
        f"PostgreSQL lost mid-run: {len(answers)} requests, answers by phase {by_phase}; "
        f"/health/ {health_down} while down, {health_back} after; created "
        f"{len(created['booking'])} bookings and {len(created['plan'])} plans, stored "
        f"{len(stored_bookings)} and {len(stored_plans)}; {len(retried)} unanswered bookings "
        f"retried with their key: {dict(Counter(status for _, status, _ in retried))}; "
        f"audit {audit}"
    )
    statuses = {status for _, _, status, *_ in answers}
    assert statuses <= {201, 409, 503}, (by_phase, web.log.read_text()[-3000:])
    unavailable = [reply for _, _, status, reply, _ in answers if status == 503]
    assert unavailable, "the outage was not seen"
    assert {reply["error"]["code"] for reply in unavailable} == {"service_unavailable"}
    conflicts = [reply for _, _, status, reply, _ in answers if status == 409]
    assert all(reply["error"]["code"] for reply in conflicts)
    assert health_down == 503
    assert health_back == 200
    assert resumed == 201, resumed_reply
    assert any(status == 201 for _, when, status, *_ in answers if when == "after")
    assert {status for _, status, _ in retried} <= {201, 409}
    assert replayed == 0  # a retry never returns a booking some other request was told about
    # Every 201 has its rows, and no request left rows behind without its client learning of
    # them: bookings by a retry with the same key, plans (no key) at most one per 503.
    assert stored_bookings == created["booking"] | retried_ids | {resumed_reply["id"]}
    plans_unanswered = sum(1 for what, _, status, *_ in answers if what == "plan" and status == 503)
    assert created["plan"] <= stored_plans
    assert len(stored_plans - created["plan"]) <= plans_unanswered
    assert audit == {
        "overlaps": 0,
        "without_entry": 0,
        "without_confirmation": 0,
        "orphan_entries": 0,
        "partial_plans": 0,
    }

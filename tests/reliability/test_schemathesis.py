"""The served OpenAPI schema tells the truth, for every role: schemathesis, in the suite.

For each of six roles (anonymous, patient, receptionist, therapist, clinic admin, superuser)
schemathesis generates requests for every operation of `/api/v1/schema/` and sends them to the
WSGI application in this process (no network). Each operation is tried against the seeded
world's real objects (own clinic's booking, plan, note ...) and against generated ids, so the
detail and command endpoints return real bodies, not only 404s. Every response must:

- not be a server error (5xx);
- have a status code the schema documents for that operation;
- have the documented content type;
- conform to the documented response schema.

Three answers a fuzzing run never meets are sent on purpose and checked the same way: 429
`throttled` with Retry-After over a rate limit (availability, new bookings), 429
`sign_in_locked` after too many failed sign-ins, and 503 `service_unavailable` while the
database is gone.

Generation is derandomized (the same cases every run) and the budget (EXAMPLES) keeps the
whole file near a minute on SQLite and on PostgreSQL. Each role's figure (operations, cases,
server errors, schema mismatches) is printed in the run's summary (tests/reliability/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from unittest import mock

import psycopg
import pytest
import schemathesis
import time_machine
from django.core import signals
from django.core.cache import cache
from django.db import OperationalError, close_old_connections
from django.db.backends.utils import CursorWrapper
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import issue_token
from config.wsgi import application
from tests.conftest import NOW
from tests.reliability.world import World, build_world, path_ids

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "receptionist", "therapist", "clinic_admin", "superuser"]
# Cases per operation and role, for each of: the seeded objects' ids, generated ids.
EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def served_schema():
    """The schema as served, with requests answered by this process's WSGI application.

    Like Django's test client, requests must not close the test's database connection (the
    test's transaction holds the seeded world), so close_old_connections is unhooked meanwhile.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def seeded_path(path: str, world: World, user, spare_token_id: int | None) -> dict | None:
    """Path parameters naming real Derby objects the role can be expected to reach; a token
    path names the role's spare token, so deleting it does not sign the run out."""
    if path.startswith("/api/v1/auth/"):
        return {"id": spare_token_id} if spare_token_id is not None and "{id}" in path else None
    return path_ids(path, world.own, user)


def fuzz(operation, strategy, headers: dict, statuses: Counter, failures: dict) -> None:
    """Send EXAMPLES generated cases; count statuses and keep the first failure of each kind."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case):
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code] += 1
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported
            statuses["failed"] += 1
            for failure in getattr(exc, "exceptions", [exc]):
                title = getattr(failure, "title", type(failure).__name__)
                key = (operation.label, title)
                failures.setdefault(key, f"{failure}\n  request: {case.as_curl_command()}")

    send()


def run_as(role: str, world: World, schema) -> dict:
    user = world.users()[role]
    headers = {} if user is None else {"Authorization": f"Token {world.token(user)}"}
    spare_token_id = None
    if user is not None:
        # Logging out and deleting a token are tried on a spare token, not the one in use.
        spare, spare_secret = issue_token(user)
        spare_token_id = spare.pk
    failures: dict[tuple, str] = {}
    statuses: Counter = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        request_headers = dict(headers)
        if user is not None and operation.path == "/api/v1/auth/logout/":
            request_headers["Authorization"] = f"Token {spare_secret}"
        fixed = seeded_path(operation.path, world, user, spare_token_id)
        variants = [fixed, None] if fixed else [None]
        for path_values in variants:
            strategy = operation.as_strategy(path_parameters=path_values)
            fuzz(operation, strategy, request_headers, statuses, failures)
    server_errors = sum(
        count for code, count in statuses.items() if isinstance(code, int) and code >= 500
    )
    server_errors += sum(1 for _, title in failures if "Server error" in title)
    return {
        "operations": operations,
        "cases": sum(statuses.values()),
        "statuses": statuses,
        "failures": failures,
        "server_errors": server_errors,
        "mismatches": len([key for key in failures if "Server error" not in key[1]]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_served_schema_holds_for_every_operation_as(role, world, served_schema, figures):
    outcome = run_as(role, world, served_schema)

    by_status = ", ".join(
        f"{code}: {n}" for code, n in sorted(outcome["statuses"].items(), key=str)
    )
    figure = (
        f"schemathesis as {role}: {outcome['operations']} operations, {outcome['cases']} cases "
        f"({by_status}); {outcome['server_errors']} server errors, "
        f"{outcome['mismatches']} schema mismatches"
    )
    figures.append(figure)
    details = "\n".join(
        f"- {op}: {title}\n  {text}" for (op, title), text in outcome["failures"].items()
    )
    assert outcome["operations"] > 100, figure
    assert outcome["cases"] > outcome["operations"] * EXAMPLES, figure
    assert outcome["failures"] == {}, f"{figure}\n{details}"


# --- the answers a fuzzing run never meets: rate limits, lock-out, a lost database -------------


def _validated(
    schema, method: str, path: str, headers: dict | None = None, checks=CHECKS, **case
) -> object:
    """One request built from the served schema's operation, its answer checked against it."""
    operation = schema[path][method]
    if "body" in case:
        case["media_type"] = "application/json"
    return operation.Case(**case).call_and_validate(headers=headers or {}, checks=checks)


def _header(response, name: str) -> str:
    values = {key.lower(): value for key, value in response.headers.items()}[name.lower()]
    return values[0] if isinstance(values, list) else values


@pytest.fixture
def low_rates(settings):
    """Rate limits low enough to reach; the counters (in the cache) start and end clean."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "availability": "2/minute",
            "booking": "1/minute",
        },
    }
    cache.clear()
    yield
    cache.clear()


def test_a_rate_limited_answer_is_what_the_schema_says(world, served_schema, low_rates, figures):
    pat = {"Authorization": f"Token {world.token(world.own.patient.user)}"}
    search = {"treatment": world.own.massage.pk, "start": "2027-03-08", "end": "2027-03-08"}
    searches = [
        _validated(served_schema, "GET", "/api/v1/availability/", query=search) for _ in range(3)
    ]
    booking = {
        "treatment": world.own.massage.pk,
        "start": (NOW + timedelta(days=3)).replace(hour=14).isoformat(),
    }
    bookings = [
        _validated(served_schema, "POST", "/api/v1/bookings/", pat, body=booking),
        _validated(served_schema, "POST", "/api/v1/bookings/", pat, body=booking),
    ]

    answers = [r.status_code for r in searches + bookings]
    assert answers == [200, 200, 429, 201, 429]
    for response in (searches[-1], bookings[-1]):
        assert response.json()["error"]["code"] == "throttled"
        assert int(_header(response, "Retry-After")) > 0
    figures.append(f"rate limits against the schema: {answers}, each 429 documented")


def test_a_locked_sign_in_is_what_the_schema_says(world, served_schema, settings, figures):
    username = world.own.patient.user.username
    wrong = [
        _validated(
            served_schema,
            "POST",
            "/api/v1/auth/token/",
            body={"username": username, "password": f"wrong-{attempt}"},
        ).status_code
        for attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    right = _validated(
        served_schema,
        "POST",
        "/api/v1/auth/token/",
        body={"username": username, "password": "correct-horse-battery"},
    )

    # The failure that reaches the limit is the one that locks (README, "The API").
    assert wrong == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "sign_in_locked"
    assert int(_header(right, "Retry-After")) > 0
    figures.append(f"lock-out against the schema: {len(wrong)} failures, then 429 documented")


def _database_gone(*args, **kwargs):
    """What Django raises when the PostgreSQL server has gone away mid-request."""
    error = OperationalError("server closed the connection unexpectedly")
    error.__cause__ = psycopg.OperationalError("server closed the connection unexpectedly")
    raise error


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("GET", "/api/v1/clinics/", "anonymous"),
        ("GET", "/api/v1/bookings/", "receptionist"),
        ("POST", "/api/v1/bookings/", "patient"),
        ("GET", "/api/v1/waitlist/", "receptionist"),
    ],
)
def test_a_lost_database_answer_is_what_the_schema_says(world, served_schema, method, path, role):
    user = world.users()[role]
    headers = {} if user is None else {"Authorization": f"Token {world.token(user)}"}
    body = {"treatment": world.own.massage.pk, "start": "2027-03-04T14:00:00+00:00"}
    case = {"body": body} if method == "POST" else {}
    # Every check but "not a server error": this 503 is the documented answer to an outage.
    documented = [check for check in CHECKS if check is not not_a_server_error]
    with mock.patch.object(CursorWrapper, "execute", _database_gone):
        response = _validated(served_schema, method, path, headers, documented, **case)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert _header(response, "Retry-After") == "5"

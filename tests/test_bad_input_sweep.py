"""Every write endpoint in the OpenAPI schema answers junk without a server error.

"Bad input always gets a clear 4xx error that says what is wrong": this walks the schema, so a
new endpoint is covered the day it is added.
"""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from booking import services
from tests.conftest import NOW
from tests.factories import UserFactory

JUNK_BODIES = [
    [],
    "text",
    12,
    None,
    {"start": "2027-13-45T99:00:00Z", "end": "yesterday"},
    {"treatment": -1, "patient": 10**30, "therapist": "x", "room": [1]},
    {"version": "seven", "confirm": "maybe", "reason": {"nested": True}},
    {"start": "2027-03-02T10:00:00", "date": "02/03/2027", "answers": "yes"},
    {"id": 1, "clinic": None, "name": "", "weekday": 9, "opens": "25:00"},
]


def _operations(methods):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method in methods:
            if method in operations:
                yield path, method


def _write_operations():
    # Logging out would revoke the sweep's own tokens (tests/accounts covers it).
    return (op for op in _operations(("post", "put", "patch")) if op[0] != "/api/v1/auth/logout/")


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_junk_never_causes_a_server_error(api, massage, patient):
    booking = services.book_session(
        treatment=massage, start=NOW.replace(day=3, hour=10), patient=patient, now=NOW
    )
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    clients = {"superuser": api(superuser), "patient": api(patient.user), "anonymous": api(None)}
    operations = list(_write_operations())
    assert len(operations) > 20
    failures = []
    for path, method in operations:
        url = path.replace("{id}", str(booking.pk))
        for who, client in clients.items():
            for body in JUNK_BODIES:
                response = getattr(client, method)(
                    url, data=json.dumps(body), content_type="application/json"
                )
                # Junk a command may ignore (cancel takes no fields) can succeed; never a 500.
                if response.status_code >= 500:
                    failures.append((who, method.upper(), url, body, response.status_code))
                elif response.status_code >= 400 and response["Content-Type"].startswith(
                    "application/json"
                ):
                    assert "error" in response.json(), (method, url, body, response.json())
            malformed = getattr(client, method)(url, data="{oops", content_type="application/json")
            if not 400 <= malformed.status_code < 500:
                failures.append((who, method.upper(), url, "{oops", malformed.status_code))
    assert failures == []


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_deleting_anything_still_in_use_is_refused_not_a_server_error(api, massage, patient):
    booking = services.book_session(
        treatment=massage, start=NOW.replace(day=3, hour=10), patient=patient, now=NOW
    )
    superuser = api(UserFactory(username="root", is_superuser=True, is_staff=True))
    # Revoking one's own token would sign the sweep out (tests/accounts covers it).
    deletes = [op for op in _operations(("delete",)) if not op[0].startswith("/api/v1/auth/")]
    assert deletes
    statuses = {}
    for path, _method in deletes:
        url = path.replace("{id}", str(booking.pk))
        statuses[url] = superuser.delete(url).status_code
    assert all(code < 500 for code in statuses.values()), statuses
    # The booking still points at its treatment, therapist and room: each is kept.
    for resource, pk in [
        ("treatments", massage.pk),
        ("therapists", booking.therapist_id),
        ("rooms", booking.room_id),
    ]:
        assert superuser.delete(f"/api/v1/{resource}/{pk}/").status_code == 409


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_junk_query_parameters_on_every_read_never_cause_a_server_error(api, massage, patient):
    services.book_session(
        treatment=massage, start=NOW.replace(day=3, hour=10), patient=patient, now=NOW
    )
    superuser = api(UserFactory(username="root", is_superuser=True, is_staff=True))
    junk = {
        "clinic": "abc",
        "therapist": "-1",
        "patient": "1e9",
        "status": "zzz",
        "date_from": "yesterday",
        "date_to": "2027-02-30",
        "page": "0",
        "page_size": "many",
        "ordering": "nonsense",
        "treatment": "",
        "start": "soon",
        "end": "2027-13-01",
        "search": "%' OR 1=1 --",
    }
    failures = []
    for path, _method in _operations(("get",)):
        if "{" in path or path.endswith(("schema/", "docs/")):
            continue
        response = superuser.get(path, junk)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    assert failures == []

"""Every write endpoint in the OpenAPI schema answers junk without a server error.

"Bad input always gets a clear 4xx error that says what is wrong": this walks the schema, so a
new endpoint is covered the day it is added.
"""

import json
from datetime import time

import pytest
from drf_spectacular.generators import SchemaGenerator

from booking import services
from booking.models import WorkingHours
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


def _read_operations_with_parameters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or path.endswith(("schema/", "docs/")):
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        if names:
            yield path, names


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_nul_byte_in_any_query_parameter_is_a_400(api, massage, patient, booking_fixture):
    """PostgreSQL refuses strings with NUL; every filter, search and slug must say 400 first."""
    superuser = api(UserFactory(username="root", is_superuser=True, is_staff=True))
    failures, checked = [], 0
    for path, names in _read_operations_with_parameters():
        url = path.replace("{id}", str(booking_fixture.pk))
        for name in names:
            for value in ("\x00", "derby\x00", "1\x00"):
                checked += 1
                response = superuser.get(url, {name: value})
                if response.status_code != 400:
                    failures.append((url, name, repr(value), response.status_code))
    print(f"\nNUL-byte sweep: {checked} requests, {len(failures)} not answered 400")
    assert checked > 50
    assert failures == []


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_deeply_nested_json_is_a_400(api, massage, patient, booking_fixture):
    superuser = api(UserFactory(username="root", is_superuser=True, is_staff=True))
    too_deep = [
        "[" * 100_000 + "]" * 100_000,  # beyond Python's recursion limit
        '{"a":' * 5_000 + "1" + "}" * 5_000,
        "[" * 200 + "]" * 200,  # parses, but deeper than any body of ours may be
    ]
    failures, malformed = [], 0
    for path, method in _write_operations():
        url = path.replace("{id}", str(booking_fixture.pk))
        for body in too_deep:
            response = getattr(superuser, method)(url, data=body, content_type="application/json")
            # Where the body is read it is refused as malformed; an unknown object is a 404 first.
            is_json = response["Content-Type"].startswith("application/json")
            code = (
                response.json()["error"]["code"]
                if is_json and response.status_code >= 400
                else None
            )
            if not (response.status_code == 404 or code == "malformed_request"):
                failures.append((method.upper(), url, len(body), response.status_code))
            malformed += code == "malformed_request"
    assert malformed > 20
    assert failures == []


@pytest.fixture
def booking_fixture(massage, patient):
    return services.book_session(
        treatment=massage, start=NOW.replace(day=3, hour=10), patient=patient, now=NOW
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/v1/opening-hours/", {"weekday": 1, "opens": "18:00", "closes": "09:00"}),
        ("/api/v1/opening-hours/", {"weekday": 1, "opens": "09:00", "closes": "09:00"}),
        ("/api/v1/working-hours/", {"weekday": 1, "starts": "17:00", "ends": "08:00"}),
    ],
)
def test_hours_that_end_before_they_start_are_a_400(
    api, clinic_admin, clinic, therapist, url, fields
):
    body = {"clinic": clinic.pk, "therapist": therapist.pk, **fields}
    response = api(clinic_admin).post(url, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_changing_hours_to_end_before_they_start_is_a_400(api, clinic_admin, clinic, therapist):
    hours = therapist.working_hours.first() or WorkingHours.objects.create(
        therapist=therapist, clinic=clinic, weekday=1, starts=time(8), ends=time(17)
    )
    response = api(clinic_admin).patch(f"/api/v1/working-hours/{hours.pk}/", {"ends": "07:00"})

    assert response.status_code == 400, response.content
    hours.refresh_from_db()
    assert hours.ends > hours.starts


@pytest.fixture
def derby_admin_client(client, clinic_admin):
    from django.contrib.auth.models import Group

    from booking.management.demo_data import CLINIC_ADMIN_GROUP

    clinic_admin.is_staff = True
    clinic_admin.save()
    clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMIN_GROUP))
    client.force_login(clinic_admin)
    return client


@pytest.mark.django_db
def test_admin_forms_refuse_hours_that_end_before_they_start(derby_admin_client, clinic, therapist):
    from django.urls import reverse

    working = derby_admin_client.post(
        reverse("admin:booking_workinghours_add"),
        {
            "therapist": therapist.pk,
            "clinic": clinic.pk,
            "weekday": 1,
            "starts": "17:00",
            "ends": "08:00",
        },
    )
    opening = derby_admin_client.post(
        reverse("admin:booking_openinghours_add"),
        {"clinic": clinic.pk, "weekday": 1, "opens": "18:00", "closes": "09:00"},
    )

    for response in (working, opening):
        assert response.status_code == 200  # the form again, with its error; not a 500
        assert response.context["adminform"].form.errors
    assert not clinic.opening_hours.filter(opens="18:00").exists()

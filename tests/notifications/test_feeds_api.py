"""GET /api/v1/feeds/ and POST /api/v1/feeds/{id}/rotate/: who gets which feed URLs."""

import pytest
from django.test import Client

from notifications.models import CalendarFeed

pytestmark = pytest.mark.usefixtures("frozen_now")


def listed(api, user) -> list[dict]:
    response = api(user).get("/api/v1/feeds/")
    assert response.status_code == 200
    return response.json()["results"]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_therapist_gets_their_own_diary_feed(api, tess_user, therapist, clinic):
    (feed,) = listed(api, tess_user)
    assert (feed["kind"], feed["owner_id"], feed["clinic_id"]) == (
        "therapist",
        therapist.pk,
        clinic.pk,
    )
    assert feed["label"] == "Tess Physio at Derby Physio"
    assert feed["url"].startswith("http://testserver/feeds/")
    assert feed["url"].endswith(".ics")
    assert feed["webcal_url"] == "webcal://" + feed["url"].split("://", 1)[1]
    response = Client().get(path_of(feed["url"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")


def test_a_patient_gets_their_own_appointments_feed(api, patient_user, patient):
    (feed,) = listed(api, patient_user)
    assert (feed["kind"], feed["owner_id"], feed["clinic_id"], feed["label"]) == (
        "patient",
        patient.pk,
        None,
        "My appointments",
    )


def test_listing_again_returns_the_same_urls(api, tess_user, therapist):
    assert listed(api, tess_user) == listed(api, tess_user)
    assert CalendarFeed.objects.count() == 1


def test_a_clinic_admin_gets_every_staff_feed_of_their_clinic(
    api, clinic_admin, clinic, room, therapist, patient, other_therapist
):
    feeds = listed(api, clinic_admin)
    assert sorted((f["kind"], f["owner_id"]) for f in feeds) == sorted(
        [("clinic", clinic.pk), ("room", room.pk), ("therapist", therapist.pk)]
    )
    assert all(f["clinic_id"] == clinic.pk for f in feeds)


def test_another_clinics_staff_see_nothing_of_this_clinic(
    api, other_receptionist, therapist, clinic_admin
):
    listed(api, clinic_admin)  # Derby's feeds exist
    assert listed(api, other_receptionist) == []


def test_rotating_kills_the_old_url(api, tess_user, therapist):
    (before,) = listed(api, tess_user)
    response = api(tess_user).post(f"/api/v1/feeds/{before['id']}/rotate/")
    assert response.status_code == 200
    after = response.json()
    assert after["id"] == before["id"]
    assert after["url"] != before["url"]
    assert after["rotated_at"]
    assert Client().get(path_of(before["url"])).status_code == 404
    assert Client().get(path_of(after["url"])).status_code == 200
    assert listed(api, tess_user)[0]["url"] == after["url"]


def test_nobody_can_rotate_a_feed_that_is_not_theirs(
    api, tess_user, therapist, patient_user, patient
):
    (tess_feed,) = listed(api, tess_user)
    response = api(patient_user).post(f"/api/v1/feeds/{tess_feed['id']}/rotate/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Client().get(path_of(tess_feed["url"])).status_code == 200


def test_the_feeds_api_needs_a_signed_in_user(api):
    response = api(None).get("/api/v1/feeds/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_documents_the_feeds_api(api, tess_user):
    schema = (
        api(tess_user).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )
    assert "/api/v1/feeds/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/feeds/{id}/rotate/"]

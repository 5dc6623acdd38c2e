"""POST /api/v1/patients/{id}/erase/: who may erase, what goes at once, and that nothing reaches
the erased patient afterwards (no email, SMS, feed, sign-in or manage link)."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from audit.models import DataRightsEvent
from booking.models import Booking, BookingStatus, IdempotencyKey, Patient
from booking.services import cancel_booking
from notifications.models import CalendarEntry, Channel, Kind, Notification, NotificationStatus
from notifications.sms import LocmemSMSBackend
from notifications.tasks import send_due_notifications
from plans.models import PlanStatus
from privacy.models import ClinicRetention, Erasure
from tests.factories import MembershipFactory, PatientFactory, UserFactory
from tests.plans.conftest import book_past_session
from tests.privacy.conftest import user_of
from waitlist.models import WaitlistStatus
from waitlist.services import add_to_waitlist
from web.links import manage_booking_url

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PASSWORD = "correct-horse-battery"


def erase_url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/erase/"


@pytest.fixture
def sms_outbox(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox = []
    return LocmemSMSBackend.outbox


@pytest.fixture
def erased(api, record, clinic_admin):
    response = api(clinic_admin).post(erase_url(record.patient))
    assert response.status_code == 200, response.json()
    record.response = response.json()
    return record


class TestWhoMayErase:
    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("clinic_admin", 200),
            ("superuser", 200),
            ("other_clinic_admin", 404),
            ("receptionist", 403),
            ("therapist", 403),
            ("patient_user", 403),  # asks the clinic, which checks what the law lets it erase
            ("other_patient", 404),
            ("anonymous", 401),
        ],
    )
    def test_each_role(self, api, record, request, who, status):
        response = api(user_of(request, who)).post(erase_url(record.patient))

        assert response.status_code == status, response.json()
        record.patient.refresh_from_db()
        if status == 200:
            assert record.patient.first_name == "Erased"
        else:
            assert response.json()["error"]["code"] in (
                "permission_denied",
                "not_found",
                "not_authenticated",
            )
            assert record.patient.first_name == "Pat"
            assert not Erasure.objects.exists()
            assert Booking.objects.get(pk=record.upcoming.pk).status == BookingStatus.CONFIRMED


def test_the_answer_says_what_went_now_and_how_long_the_rest_stays(erased):
    body = erased.response

    assert body["patient"] == erased.patient.pk
    assert body["erased_at"] == "2027-03-01T09:00:00Z"
    # Screened and consented today: the last contact; an adult, so 8 years.
    assert body["last_contact"] == "2027-03-01"
    assert body["retain_until"] == "2035-03-01"
    assert body["purged_at"] is None
    now = body["erased_now"]
    assert {"first_name", "last_name", "email", "phone", "date_of_birth"} <= set(
        now["identity_fields"]
    )
    assert now["sign_in_closed"] is True
    assert now["cancelled_bookings"] == [erased.upcoming.pk]
    assert now["discontinued_plans"] == [erased.plan.pk]
    assert now["feeds_deleted"] == 1
    assert body["kept_until_retention"]["session_notes"] == 1
    assert body["kept_until_retention"]["bookings"] == 2


def test_identity_is_anonymised_at_once_and_clinical_records_are_kept(erased):
    patient = Patient.objects.get(pk=erased.patient.pk)

    assert (patient.first_name, patient.last_name) == ("Erased", "patient")
    assert (patient.email, patient.phone, patient.date_of_birth) == ("", "", None)
    assert patient.consents_to_email is False
    assert patient.consents_to_sms is False
    assert patient.session_notes.count() == 1
    assert patient.treatment_plans.get().status == PlanStatus.DISCONTINUED
    assert Booking.objects.get(pk=erased.past.pk).status == BookingStatus.COMPLETED


def test_future_bookings_are_cancelled_and_nothing_is_queued_for_the_patient(
    api, record, clinic_admin, sms_outbox, time_machine
):
    sms_reminders = Notification.objects.filter(
        entry__booking_id=record.upcoming.pk, channel=Channel.SMS
    )
    assert sms_reminders.filter(status=NotificationStatus.PENDING).exists()
    rows_before = set(Notification.objects.values_list("pk", flat=True))
    mail.outbox.clear()

    api(clinic_admin).post(erase_url(record.patient))

    assert Booking.objects.get(pk=record.upcoming.pk).status == BookingStatus.CANCELLED
    mine = Notification.objects.filter(entry__patient_id=record.patient.pk)
    # No cancellation message (or any other) was written, and nothing waits to go.
    assert set(mine.values_list("pk", flat=True)) <= rows_before
    assert not mine.filter(kind=Kind.CANCELLATION).exists()
    assert not mine.filter(status=NotificationStatus.PENDING).exists()
    assert set(mine.values_list("sent_to", flat=True)) == {""}
    # Even when every reminder would have fallen due, no email or SMS goes out.
    time_machine.move_to(datetime(2027, 3, 10, 9, tzinfo=UTC))
    send_due_notifications()
    assert mail.outbox == []
    assert sms_outbox == []


def test_the_erased_patient_cannot_sign_in_by_api_or_web(api, record, clinic_admin, client):
    old_token_client = api(record.patient.user)
    assert old_token_client.get(f"/api/v1/patients/{record.patient.pk}/").status_code == 200
    client.force_login(record.patient.user)

    api(clinic_admin).post(erase_url(record.patient))

    assert old_token_client.get(f"/api/v1/patients/{record.patient.pk}/").status_code == 401
    token = api(None).post(TOKEN, {"username": "pat", "password": PASSWORD}, format="json")
    assert token.status_code in (400, 401)
    assert "token" not in token.json()
    # The web session they had is gone, and signing in again fails.
    assert client.get("/appointments/").status_code == 302
    client.logout()
    signed_in = client.post("/sign-in/", {"username": "pat", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert signed_in.status_code == 200
    user = get_user_model().objects.get(pk=record.patient.user.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert (user.email, user.first_name, user.last_name) == ("", "", "")
    assert user.username.startswith("erased-")


def test_the_patients_calendar_feed_dies(client, erased):
    path = erased.feed_url.split("://", 1)[-1].split("/", 1)[1]

    assert client.get(f"/{path}").status_code == 404


def test_the_manage_booking_link_dies(client, erased):
    link = manage_booking_url(Booking.objects.get(pk=erased.upcoming.pk))

    response = client.get(link)

    assert response.status_code == 410


def test_staff_calendars_stop_showing_the_patients_initials(erased):
    assert set(
        CalendarEntry.objects.filter(patient_id=erased.patient.pk).values_list(
            "patient_initials", flat=True
        )
    ) == {"EP"}


def test_the_trail_keeps_no_identity_of_the_patient(api, record, clinic_admin):
    patient = record.patient
    patient.phone = "+447700900999"
    patient.last_name = "Jones-Smith"
    patient.save()  # a change entry with old and new identity values

    api(clinic_admin).post(erase_url(patient))

    history = patient.history.all()
    assert history.count() == 2
    for row in history:
        assert (row.first_name, row.last_name, row.email, row.phone) == (
            "Erased",
            "patient",
            "",
            "",
        )
        assert row.date_of_birth is None
        for change in row.audit_changes:
            if change["field"] in ("first_name", "last_name", "email", "phone", "date_of_birth"):
                assert change["old"] is None
                assert change["new"] is None
    trail = api(clinic_admin).get("/api/v1/audit/", {"patient": patient.pk}).json()["results"]
    assert "Jones" not in str(trail)
    assert "pat@example.com" not in str(trail)
    assert "+447700900" not in str(trail)
    erased_entry = trail[0]
    assert (erased_entry["action"], erased_entry["object_type"]) == ("erased", "erasure")
    assert erased_entry["actor"]["id"] == clinic_admin.pk
    assert {"field": "retain_until", "old": None, "new": "2035-03-01", "redacted": False} in (
        erased_entry["changes"]
    )


def test_erasing_twice_gives_the_same_answer_and_changes_nothing(api, erased, clinic_admin):
    again = api(clinic_admin).post(erase_url(erased.patient))

    assert again.status_code == 200
    assert again.json() == erased.response
    assert Erasure.objects.count() == 1
    assert DataRightsEvent.objects.filter(action="erased").count() == 1


def test_an_erased_patient_cannot_be_booked(api, erased, massage, receptionist):
    response = api(receptionist).post(
        "/api/v1/bookings/",
        {"treatment": massage.pk, "start": "2027-03-12T10:00:00Z", "patient": erased.patient.pk},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "patient_erased"
    assert Booking.objects.filter(patient=erased.patient).count() == 2


def test_open_waiting_list_entries_are_closed(api, record, clinic_admin, massage):
    entry = add_to_waitlist(patient=record.patient, treatment=massage, earliest=date(2027, 3, 2))

    api(clinic_admin).post(erase_url(record.patient))

    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.REMOVED


def test_a_staff_members_own_login_is_unlinked_not_closed(api, clinic, clinic_admin, massage):
    nurse = UserFactory(username="nina")
    MembershipFactory(user=nurse, clinic=clinic, role="receptionist")
    patient = PatientFactory(clinic=clinic, user=nurse, first_name="Nina", last_name="Desk")

    body = api(clinic_admin).post(erase_url(patient)).json()

    nurse.refresh_from_db()
    assert body["erased_now"]["sign_in_closed"] is False
    assert nurse.is_active
    assert Patient.objects.get(pk=patient.pk).user is None


def test_a_patient_never_seen_is_kept_only_until_the_day_of_erasure(
    api, clinic, clinic_admin, frozen_now
):
    patient = PatientFactory(clinic=clinic, first_name="Never", last_name="Seen")

    body = api(clinic_admin).post(erase_url(patient)).json()

    assert body["last_contact"] is None
    assert body["retain_until"] == "2027-03-01"


def test_a_child_is_kept_until_their_25th_birthday(
    api, clinic, clinic_admin, massage, therapist, frozen_now
):
    child = PatientFactory(clinic=clinic, date_of_birth=date(2015, 7, 4))
    book_past_session(massage, child, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))

    body = api(clinic_admin).post(erase_url(child)).json()

    assert body["last_contact"] == "2027-02-22"
    assert body["retain_until"] == "2040-07-04"


def test_a_malformed_body_is_400_and_erases_nothing(api, record, clinic_admin):
    response = api(clinic_admin).post(
        erase_url(record.patient), data="{oops", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert not Erasure.objects.exists()


def test_replayable_answers_of_the_patients_own_bookings_go(api, record, clinic_admin):
    IdempotencyKey.objects.create(
        user=record.patient.user,
        key="k1",
        endpoint="bookings",
        fingerprint="0" * 64,
        response_status=201,
        response_body={"patient_name": "Pat Jones"},
    )

    api(clinic_admin).post(erase_url(record.patient))

    assert not IdempotencyKey.objects.filter(user=record.patient.user).exists()


def test_operators_see_erasures_read_only_in_the_admin(client, erased, superuser):
    client.force_login(superuser)

    listing = client.get("/admin/privacy/erasure/")
    erasure = Erasure.objects.get()
    detail = client.get(f"/admin/privacy/erasure/{erasure.pk}/change/")

    assert listing.status_code == 200
    assert "2035" in listing.content.decode()
    assert detail.status_code == 200
    assert client.get("/admin/privacy/erasure/add/").status_code == 403
    assert client.post(f"/admin/privacy/erasure/{erasure.pk}/delete/").status_code == 403
    assert Erasure.objects.count() == 1
    assert client.get("/admin/privacy/clinicretention/add/").status_code == 200


def test_the_therapists_feed_stops_showing_the_patients_initials_at_once(
    api, client, record, clinic_admin, therapist
):
    # No booking left to cancel: only the erasure itself can tell the feed it changed.
    cancel_booking(booking=record.upcoming, apply_policy=False)
    feeds = api(therapist.user).get("/api/v1/feeds/").json()["results"]
    url = next(f["url"] for f in feeds if f["kind"] == "therapist")
    path = "/" + url.split("://", 1)[-1].split("/", 1)[1]
    before = client.get(path).content.decode()  # built and cached
    assert "PJ" in before

    api(clinic_admin).post(erase_url(record.patient))

    after = client.get(path).content.decode()
    assert "PJ" not in after
    assert "EP" in after


def test_the_clinics_own_adult_period_sets_the_retention_date(api, record, clinic, clinic_admin):
    ClinicRetention.objects.create(clinic_id=clinic.pk, adult_years=6, reason="Scottish clinic")

    body = api(clinic_admin).post(erase_url(record.patient)).json()

    assert body["retain_until"] == "2033-03-01"
    assert Erasure.objects.get().retain_until == date(2033, 3, 1)

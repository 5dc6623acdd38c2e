"""Sending: what goes out, when, exactly once, and what never goes out."""

import io
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from booking import services as booking_services
from notifications import services, tasks
from notifications.errors import TransientDeliveryError
from notifications.models import (
    CalendarEntry,
    ClinicNotificationSettings,
    Kind,
    MessageTemplate,
    Notification,
    NotificationStatus,
)
from tests.notifications import backends
from tests.notifications.conftest import WEDNESDAY_10

pytestmark = pytest.mark.usefixtures("frozen_now")


def row(booking, kind, lead=0) -> Notification:
    """The latest row of this kind (and lead time) for the booking."""
    return (
        Notification.objects.filter(entry__booking_id=booking.pk, kind=kind, lead_minutes=lead)
        .order_by("-id")
        .first()
    )


def scan() -> None:
    """What beat + worker do every minute, in this process."""
    call_command("run_notifications", "--once", stdout=io.StringIO())


def invitation(message) -> icalendar.Calendar:
    """The invitation, which travels as a calendar alternative and as the same .ics attached."""
    (alternative,) = [body for body, mime in message.alternatives if mime == "text/calendar"]
    (attached,) = [
        part.get_payload(decode=True)
        for part in message.attachments
        if getattr(part, "get_content_type", lambda: "")() == "application/ics"
    ]
    assert attached == alternative.encode("utf-8")
    return icalendar.Calendar.from_ical(attached)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


# --- what goes out -------------------------------------------------------------------------------


def test_confirmation_email_carries_text_html_and_an_invitation(book):
    booking = book()
    confirmation = row(booking, Kind.CONFIRMATION)

    report = services.send_notification_now(confirmation.pk)

    assert report.sent == [confirmation.pk]
    (message,) = mail.outbox
    assert message.to == [booking.patient.email]
    assert message.subject == "Booking confirmed: Wednesday 3 March 2027 at 10:00 GMT"
    assert message.from_email == "Derby Physio <bookings@localhost>"
    assert message.extra_headers["Message-ID"] == f"<{confirmation.uid}@localhost>"
    assert "Hello Pat," in message.body
    assert "Tess Physio" in message.body
    html = dict((mime, body) for body, mime in message.alternatives)["text/html"]
    assert "<strong>Wednesday 3 March 2027 at 10:00 GMT</strong>" in html
    event = invitation(message)
    assert event["METHOD"] == "REQUEST"
    (vevent,) = event.walk("VEVENT")
    entry = CalendarEntry.objects.get(booking_id=booking.pk)
    assert str(vevent["UID"]) == str(entry.uid)
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent.decoded("DTSTART") == WEDNESDAY_10
    confirmation.refresh_from_db()
    assert confirmation.status == NotificationStatus.SENT
    assert (confirmation.sent_to, confirmation.subject) == (booking.patient.email, message.subject)
    assert len(confirmation.body_sha256) == 64


def test_the_invitation_is_a_calendar_alternative_with_its_method_and_an_attachment(
    book, receptionist
):
    booking = book()
    services.send_notification_now(row(booking, Kind.CONFIRMATION).pk)
    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    services.send_notification_now(row(booking, Kind.CANCELLATION).pk)

    for sent, method in zip(mail.outbox, ["REQUEST", "CANCEL"], strict=True):
        mime = sent.message()
        assert mime.get_content_type() == "multipart/mixed"
        body, attachment = mime.get_payload()
        assert body.get_content_type() == "multipart/alternative"
        kinds = [part.get_content_type() for part in body.get_payload()]
        assert kinds == ["text/plain", "text/html", "text/calendar"]
        calendar_part = body.get_payload()[2]
        assert calendar_part.get_param("method") == method
        assert calendar_part.get("Content-Disposition") is None  # shown as a card, not a file
        assert attachment.get_content_type() == "application/ics"
        assert attachment.get_filename() == "invite.ics"
        assert f"METHOD:{method}" in calendar_part.get_payload(decode=True).decode()


def test_address_lines_keep_their_separators_in_the_email_and_the_invitation(book, clinic):
    clinic.address = "14 Friar Gate\nDerby\nDE1 1BX"
    clinic.save()
    booking = book()
    services.send_notification_now(row(booking, Kind.CONFIRMATION).pk)
    (message,) = mail.outbox
    assert "Where: Derby Physio, 14 Friar Gate, Derby, DE1 1BX" in message.body
    assert "Treatment: Sports massage" in message.body
    assert "Map: https://www.google.com/maps/search/?api=1&query=Derby+Physio%2C+14" in message.body
    assert "Google Calendar: https://calendar.google.com/calendar/render?action=TEMPLATE" in (
        message.body
    )
    assert "Outlook: https://outlook.live.com/calendar/0/deeplink/compose?" in message.body
    (vevent,) = invitation(message).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Derby Physio, 14 Friar Gate, Derby, DE1 1BX"


def test_every_email_carries_a_signed_link_to_manage_the_booking(book, client, receptionist):
    booking = book()
    services.send_notification_now(row(booking, Kind.CONFIRMATION).pk)
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/manage/" in word)
    assert link.startswith("http://127.0.0.1:8000/manage/")
    html = dict((mime, body) for body, mime in message.alternatives)["text/html"]
    assert f'href="{link}"' in html
    page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "Wed 3 Mar" in page.content.decode() or "3 March" in page.content.decode()

    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    services.send_notification_now(row(booking, Kind.CANCELLATION).pk)
    assert "/manage/" not in mail.outbox[-1].body


def test_no_subject_or_preview_names_the_treatment(book, receptionist, clinic, sms_outbox, patient):
    ClinicNotificationSettings.objects.create(clinic_id=clinic.pk, sms_reminders=True)
    patient.consents_to_sms = True
    patient.save()
    booking = book()
    services.send_notification_now(row(booking, Kind.CONFIRMATION).pk)
    booking = booking_services.reschedule_booking(
        booking=booking,
        start=WEDNESDAY_10 + timedelta(hours=1),
        changed_by=receptionist,
        apply_policy=False,
    )
    services.send_notification_now(row(booking, Kind.RESCHEDULE).pk)
    with at(WEDNESDAY_10 + timedelta(minutes=59)):
        scan()
        booking_services.cancel_booking(
            booking=booking, cancelled_by=receptionist, apply_policy=False
        )
        services.send_notification_now(row(booking, Kind.CANCELLATION).pk)

    subjects = [m.subject for m in mail.outbox]
    assert [s.split(":")[0] for s in subjects] == [
        "Booking confirmed",
        "Booking moved",
        "Reminder",
        "Reminder",
        "Booking cancelled",
    ]
    previews = (
        subjects
        + [m.body.strip().splitlines()[2] for m in mail.outbox]
        + [s.body for s in sms_outbox]
    )
    assert len(sms_outbox) == 2
    for text in previews:
        assert "massage" not in text.lower(), text
        assert "sports" not in text.lower(), text


def test_clock_change_times_are_told_in_local_time_with_the_zone(book):
    # Sunday 28 March 2027, 09:00 BST = 08:00 UTC; the 48 h reminder is due Friday 08:00 UTC.
    booking = book(start=datetime(2027, 3, 28, 8, 0, tzinfo=UTC))
    reminder = row(booking, Kind.REMINDER, 2880)
    assert reminder.due_at == datetime(2027, 3, 26, 8, 0, tzinfo=UTC)
    with at(reminder.due_at):
        scan()
    assert (
        mail.outbox[-1].subject == "Reminder: your appointment on Sunday 28 March 2027 at 09:00 BST"
    )


def test_sending_again_sends_nothing_more(book):
    booking = book()
    confirmation = row(booking, Kind.CONFIRMATION)
    services.send_notification_now(confirmation.pk)
    services.send_notification_now(confirmation.pk)
    tasks.send_notification(confirmation.pk)
    scan()
    assert len(mail.outbox) == 1


def test_only_one_of_two_claims_wins(book):
    booking = book()
    confirmation = row(booking, Kind.CONFIRMATION)
    first = services.claim_notification(confirmation.pk)
    assert first is not None
    assert services.claim_notification(confirmation.pk) is None
    assert services.claim_due_notifications() == []
    services.deliver_claimed([confirmation.pk], first)
    services.deliver_claimed([confirmation.pk], first)  # a redelivered task
    assert len(mail.outbox) == 1


def test_scan_queues_due_rows_in_claimed_batches(book, monkeypatch, settings):
    settings.NOTIFICATIONS_BATCH_SIZE = 2
    queued = []
    monkeypatch.setattr(
        tasks.send_notifications, "delay", lambda ids, token: queued.append((ids, token))
    )
    first, second, third = (book(start=WEDNESDAY_10 + timedelta(hours=h)) for h in range(3))

    assert tasks.send_due_notifications() == 3
    assert [len(ids) for ids, _ in queued] == [2, 1]
    assert tasks.send_due_notifications() == 0  # all claimed: nothing is queued twice
    for ids, token in queued:
        tasks.send_notifications(ids, token)
    assert len(mail.outbox) == 3


# --- reminders -----------------------------------------------------------------------------------


def test_reminders_go_out_when_due_and_not_before(book):
    booking = book()
    scan()  # the confirmation
    with at(WEDNESDAY_10 - timedelta(hours=48, minutes=1)):
        scan()
    assert len(mail.outbox) == 1
    with at(WEDNESDAY_10 - timedelta(hours=48)):
        scan()
    with at(WEDNESDAY_10 - timedelta(hours=2)):
        scan()
        scan()
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Booking confirmed",
        "Reminder",
        "Reminder",
    ]
    assert row(booking, Kind.REMINDER, 120).status == NotificationStatus.SENT


def test_cancelled_booking_sends_no_reminder(book, receptionist):
    booking = book()
    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    with at(WEDNESDAY_10 - timedelta(hours=1)):
        scan()
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.CANCELLED
    }


def test_moved_booking_is_reminded_at_its_new_time_only(book, receptionist):
    booking = book()
    scan()
    new_start = WEDNESDAY_10 + timedelta(days=3, hours=3)  # Saturday 13:00
    booking_services.reschedule_booking(
        booking=booking, start=new_start, changed_by=receptionist, apply_policy=False
    )
    scan()  # "your booking moved"
    with at(WEDNESDAY_10 - timedelta(hours=48)):
        scan()
    with at(WEDNESDAY_10 - timedelta(hours=2)):
        scan()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Booking confirmed", "Booking moved"]
    with at(new_start - timedelta(hours=48)):
        scan()
    with at(new_start - timedelta(hours=2)):
        scan()
    reminders = [m.subject for m in mail.outbox if m.subject.startswith("Reminder")]
    assert reminders == ["Reminder: your appointment on Saturday 6 March 2027 at 13:00 GMT"] * 2


def test_a_reminder_claimed_before_a_move_is_not_sent_with_the_old_time(book, receptionist):
    booking = book()
    with at(WEDNESDAY_10 - timedelta(hours=2)):
        batches = services.claim_due_notifications()
        booking_services.reschedule_booking(
            booking=booking,
            start=WEDNESDAY_10 + timedelta(hours=4),
            changed_by=receptionist,
            apply_policy=False,
        )
        for token, ids in batches:  # the worker carries on with what it had claimed
            services.deliver_claimed(ids, token)
    assert not any(m.subject.startswith("Reminder") for m in mail.outbox)
    assert row(booking, Kind.REMINDER, 120).status == NotificationStatus.PENDING


def test_a_late_opt_out_stops_reminders_but_not_confirmations(book, patient):
    booking = book()
    patient.consents_to_reminders = False
    patient.save()
    with at(WEDNESDAY_10 - timedelta(hours=2)):
        scan()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Booking confirmed"]
    skipped = row(booking, Kind.REMINDER, 120)
    assert (skipped.status, skipped.last_error) == (
        NotificationStatus.SKIPPED,
        "The patient opted out of reminders.",
    )


def test_overdue_reminders_catch_up_until_the_start(book):
    book()
    with at(WEDNESDAY_10 - timedelta(minutes=30)):  # workers were down for two days
        scan()
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == [
        "Booking confirmed",
        "Reminder",
        "Reminder",
    ]


def test_nothing_is_sent_once_the_appointment_has_started(book):
    booking = book()
    with at(WEDNESDAY_10 + timedelta(minutes=1)):
        scan()
    assert mail.outbox == []
    assert set(
        Notification.objects.filter(entry__booking_id=booking.pk).values_list("status", flat=True)
    ) == {NotificationStatus.SKIPPED}


def test_a_dead_workers_claim_is_released_and_the_row_sent_once(book, settings):
    booking = book()
    confirmation = row(booking, Kind.CONFIRMATION)
    assert services.claim_notification(confirmation.pk)  # ...and the worker is killed here
    scan()
    assert mail.outbox == []
    with at(
        datetime.now(UTC) + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS + 1)
    ):
        assert services.release_stale_claims() == 1
        scan()
        scan()
    assert len(mail.outbox) == 1


# --- failures ------------------------------------------------------------------------------------


def test_a_transient_failure_keeps_the_claim_and_a_retry_sends_it(book, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.FlakyBackend.failures = 1
    booking = book()
    confirmation = row(booking, Kind.CONFIRMATION)
    token = services.claim_notification(confirmation.pk)

    with pytest.raises(TransientDeliveryError):
        services.deliver_claimed([confirmation.pk], token)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (NotificationStatus.PENDING, 1)
    assert "SMTPServerDisconnected" in confirmation.last_error
    assert str(confirmation.claim_token) == token

    services.deliver_claimed([confirmation.pk], token)  # the Celery retry
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (NotificationStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_the_send_task_retries_transient_failures(book, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.FlakyBackend.failures = 1
    booking = book()
    confirmation = row(booking, Kind.CONFIRMATION)
    # Eager apply runs the retry at once; a real worker waits the back-off first.
    assert tasks.send_notification.apply(args=[confirmation.pk], throw=False).get() == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (NotificationStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_permanent_refusal_is_recorded_and_not_retried(book, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    booking = book()
    scan()
    confirmation = row(booking, Kind.CONFIRMATION)
    assert confirmation.status == NotificationStatus.FAILED
    assert "No such user" in confirmation.last_error
    scan()
    confirmation.refresh_from_db()
    assert confirmation.attempts == 1


def test_a_patient_without_email_is_skipped(book, patient):
    patient.email = ""
    patient.save()
    booking = book()
    scan()
    assert row(booking, Kind.CONFIRMATION).status == NotificationStatus.SKIPPED
    assert mail.outbox == []


# --- moves and cancellations update the calendar event in place ----------------------------------


def test_move_and_cancel_invitations_update_the_same_event(book, receptionist):
    booking = book()
    scan()
    new_start = WEDNESDAY_10 + timedelta(hours=2)
    booking = booking_services.reschedule_booking(
        booking=booking, start=new_start, changed_by=receptionist, apply_policy=False
    )
    scan()
    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    scan()

    confirmed, moved, cancelled = (invitation(m) for m in mail.outbox)
    events = [cal.walk("VEVENT")[0] for cal in (confirmed, moved, cancelled)]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert [cal["METHOD"] for cal in (confirmed, moved, cancelled)] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert [e["STATUS"] for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert events[1].decoded("DTSTART") == new_start
    assert mail.outbox[1].subject == "Booking moved: now Wednesday 3 March 2027 at 12:00 GMT"


# --- the clinic's own wording --------------------------------------------------------------------


def test_a_clinic_template_replaces_the_built_in_wording(book, clinic):
    MessageTemplate.objects.create(
        clinic_id=clinic.pk,
        kind=Kind.CONFIRMATION,
        subject="See you {{ when }}",
        body_text="Hi {{ patient_first_name }} & co, ref {{ reference }}.",
    )
    booking = book()
    scan()
    (message,) = mail.outbox
    assert message.subject == "See you Wednesday 3 March 2027 at 10:00 GMT"
    reference = CalendarEntry.objects.get(booking_id=booking.pk).uid.hex[:8].upper()
    assert message.body == f"Hi Pat & co, ref {reference}.\n"  # plain text is not HTML-escaped
    assert [mime for _, mime in message.alternatives] == ["text/calendar"]  # no HTML of its own


def test_a_subject_may_not_name_the_treatment(db):
    template = MessageTemplate(
        kind=Kind.REMINDER, subject="Your {{ treatment_name }} tomorrow", body_text="x"
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "subject" in error.value.message_dict


def test_a_broken_template_is_refused(db):
    template = MessageTemplate(kind=Kind.REMINDER, subject="Hi {% if %}", body_text="x")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "Template error" in error.value.message_dict["subject"][0]


# --- SMS -----------------------------------------------------------------------------------------


def test_sms_reminders_use_the_sms_channel_for_patients_who_agreed(
    book, clinic, patient, sms_outbox
):
    ClinicNotificationSettings.objects.create(
        clinic_id=clinic.pk, sms_reminders=True, reminder_lead_minutes=[120]
    )
    patient.consents_to_sms = True
    patient.save()
    booking = book()
    with at(WEDNESDAY_10 - timedelta(hours=2)):
        scan()
    (text,) = sms_outbox
    assert text.to == patient.phone
    assert text.body.startswith(
        "Derby Physio: reminder of your appointment on Wednesday 3 March 2027 at 10:00 GMT"
    )
    assert text.reference == f"<{row(booking, Kind.REMINDER, 120).uid}@localhost>"
    assert Notification.objects.filter(channel="sms", status=NotificationStatus.SENT).count() == 1


def test_console_sms_backend_prints_the_message(capsys):
    from notifications.sms import ConsoleSMSBackend, SMSMessage

    ConsoleSMSBackend().send(SMSMessage(to="07700 900000", body="Hello", reference="<x@y>"))
    assert "SMS to 07700 900000 [<x@y>]\nHello" in capsys.readouterr().out


# --- a real SMTP server --------------------------------------------------------------------------


def test_what_reaches_a_real_smtp_server(book, smtp_sink):
    booking = book()
    scan()
    assert smtp_sink.wait_for(1, timeout=5)
    (message,) = smtp_sink.messages
    confirmation = row(booking, Kind.CONFIRMATION)
    assert message["Message-ID"] == f"<{confirmation.uid}@localhost>"
    assert message["From"] == "Derby Physio <bookings@localhost>"
    assert message["To"] == booking.patient.email
    assert message["Subject"] == "Booking confirmed: Wednesday 3 March 2027 at 10:00 GMT"
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    (calendar_part,) = [
        part for part in message.walk() if part.get_content_type() == "text/calendar"
    ]
    assert calendar_part.get_param("method") == "REQUEST"
    (attached,) = [part for part in message.walk() if part.get_filename() == "invite.ics"]
    assert attached.get_payload(decode=True) == calendar_part.get_payload(decode=True)
    parsed = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert str(parsed.walk("VEVENT")[0]["UID"]) == str(
        CalendarEntry.objects.get(booking_id=booking.pk).uid
    )
    assert confirmation.status == NotificationStatus.SENT


def test_a_batch_shares_one_smtp_connection_and_each_message_arrives_once(book, smtp_sink, patient):
    from tests.factories import PatientFactory

    patients = [patient] + [PatientFactory(clinic=patient.clinic) for _ in range(4)]
    for hour, who in enumerate(patients):
        book(start=WEDNESDAY_10 + timedelta(hours=hour), patient=who)
    scan()
    scan()
    assert smtp_sink.wait_for(5, timeout=5)
    assert sorted(smtp_sink.message_ids().values()) == [1, 1, 1, 1, 1]
    assert {m["To"] for m in smtp_sink.messages} == {p.email for p in patients}

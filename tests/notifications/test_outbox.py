"""What a booking change writes to the outbox, in the booking's own transaction."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from booking import errors as booking_errors
from booking import services as booking_services
from booking.models import Booking
from notifications import tasks
from notifications.models import (
    CalendarEntry,
    ClinicNotificationSettings,
    Kind,
    Notification,
    NotificationStatus,
)
from tests.notifications.conftest import WEDNESDAY_10

pytestmark = pytest.mark.usefixtures("frozen_now")


def rows(booking, **filters):
    return Notification.objects.filter(entry__booking_id=booking.pk, **filters).order_by(
        "kind", "-lead_minutes"
    )


def test_booking_writes_confirmation_and_default_48h_and_2h_reminders(book, frozen_now):
    booking = book()

    confirmation = rows(booking, kind=Kind.CONFIRMATION).get()
    assert confirmation.due_at == frozen_now
    assert confirmation.status == NotificationStatus.PENDING
    reminders = list(rows(booking, kind=Kind.REMINDER))
    assert [(r.lead_minutes, r.due_at) for r in reminders] == [
        (2880, WEDNESDAY_10 - timedelta(hours=48)),
        (120, WEDNESDAY_10 - timedelta(hours=2)),
    ]
    assert all(
        r.booking_version == booking.version and r.appointment_start == booking.start
        for r in reminders
    )
    entry = CalendarEntry.objects.get(booking_id=booking.pk)
    assert (entry.therapist_id, entry.room_id, entry.patient_initials) == (
        booking.therapist_id,
        booking.room_id,
        "PJ",
    )
    assert entry.uid != booking.uid  # the calendar UID is our own random one


def test_a_failed_booking_writes_no_notification(book, patient):
    book()
    with pytest.raises(booking_errors.SlotConflict):
        book()  # same slot, same therapist: taken
    assert Booking.objects.count() == 1
    assert Notification.objects.filter(entry__patient_id=patient.pk).count() == 3
    assert CalendarEntry.objects.count() == 1


def test_a_rolled_back_booking_leaves_no_outbox_row(book):
    def book_then_fail():
        with transaction.atomic():
            book()
            raise RuntimeError("the caller's transaction fails after booking")

    with pytest.raises(RuntimeError):
        book_then_fail()
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()
    assert not CalendarEntry.objects.exists()


def test_reminders_whose_time_has_passed_are_not_written(book, frozen_now):
    booking = book(start=frozen_now + timedelta(hours=25))  # Tuesday 10:00
    assert list(rows(booking, kind=Kind.REMINDER).values_list("lead_minutes", flat=True)) == [120]


def test_clinic_lead_times_are_used(book, clinic):
    ClinicNotificationSettings.objects.create(clinic_id=clinic.pk, reminder_lead_minutes=[1440, 30])
    booking = book()
    assert sorted(rows(booking, kind=Kind.REMINDER).values_list("lead_minutes", flat=True)) == [
        30,
        1440,
    ]


def test_sms_reminders_are_written_when_the_clinic_uses_them(book, clinic):
    ClinicNotificationSettings.objects.create(clinic_id=clinic.pk, sms_reminders=True)
    booking = book()
    assert sorted(rows(booking, kind=Kind.REMINDER).values_list("channel", "lead_minutes")) == [
        ("email", 120),
        ("email", 2880),
        ("sms", 120),
        ("sms", 2880),
    ]


def test_changed_clinic_settings_apply_to_the_next_booking_though_they_are_cached(book, clinic):
    settings = ClinicNotificationSettings.objects.create(
        clinic_id=clinic.pk, reminder_lead_minutes=[120]
    )
    first = book()
    settings.reminder_lead_minutes = [1440]
    settings.save()
    second = book(start=WEDNESDAY_10 + timedelta(hours=2))
    assert list(rows(first, kind=Kind.REMINDER).values_list("lead_minutes", flat=True)) == [120]
    assert list(rows(second, kind=Kind.REMINDER).values_list("lead_minutes", flat=True)) == [1440]


def test_a_booking_is_made_and_reminded_when_the_cache_is_down(book, clinic, settings):
    ClinicNotificationSettings.objects.create(clinic_id=clinic.pk, reminder_lead_minutes=[120])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    booking = book()
    assert list(rows(booking, kind=Kind.REMINDER).values_list("lead_minutes", flat=True)) == [120]


def test_the_database_refuses_a_second_row_for_one_booking_kind_lead_and_version(book):
    booking = book()
    reminder = rows(booking, kind=Kind.REMINDER, lead_minutes=120).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            entry=reminder.entry,
            kind=Kind.REMINDER,
            lead_minutes=120,
            booking_version=reminder.booking_version,
            appointment_start=reminder.appointment_start,
            due_at=reminder.due_at,
        )


def test_moving_a_booking_moves_its_unsent_reminders(book, receptionist):
    booking = book()
    before = {r.lead_minutes: r.pk for r in rows(booking, kind=Kind.REMINDER)}
    new_start = WEDNESDAY_10 + timedelta(days=1, hours=2)
    moved = booking_services.reschedule_booking(
        booking=booking, start=new_start, changed_by=receptionist, apply_policy=False
    )

    reminders = {r.lead_minutes: r for r in rows(booking, kind=Kind.REMINDER)}
    assert {lead: r.pk for lead, r in reminders.items()} == before  # same rows, new times
    assert reminders[120].due_at == new_start - timedelta(hours=2)
    assert reminders[2880].due_at == new_start - timedelta(hours=48)
    assert all(r.booking_version == moved.version == 2 for r in reminders.values())
    # The confirmation was not sent yet, so it will simply confirm the new time.
    confirmation = rows(booking, kind=Kind.CONFIRMATION).get()
    assert (confirmation.booking_version, confirmation.appointment_start) == (2, new_start)
    assert not rows(booking, kind=Kind.RESCHEDULE).exists()


def test_moving_after_a_reminder_was_sent_reminds_again_at_the_new_time(
    book, receptionist, frozen_now
):
    booking = book()
    Notification.objects.filter(entry__booking_id=booking.pk).exclude(
        kind=Kind.REMINDER, lead_minutes=120
    ).update(status=NotificationStatus.SENT, sent_at=frozen_now)
    new_start = WEDNESDAY_10 + timedelta(days=2)
    booking_services.reschedule_booking(
        booking=booking, start=new_start, changed_by=receptionist, apply_policy=False
    )

    sent_48h, new_48h = rows(booking, kind=Kind.REMINDER, lead_minutes=2880).order_by("id")
    assert (sent_48h.status, sent_48h.appointment_start) == (NotificationStatus.SENT, WEDNESDAY_10)
    assert (new_48h.status, new_48h.due_at, new_48h.booking_version) == (
        NotificationStatus.PENDING,
        new_start - timedelta(hours=48),
        2,
    )
    # The patient had the confirmation, so they are told about the move.
    assert rows(booking, kind=Kind.RESCHEDULE, status=NotificationStatus.PENDING).count() == 1


def test_moving_closer_than_a_lead_time_cancels_that_reminder(book, receptionist, frozen_now):
    booking = book()
    booking_services.reschedule_booking(
        booking=booking,
        start=frozen_now + timedelta(hours=26),
        changed_by=receptionist,
        apply_policy=False,
    )
    statuses = dict(rows(booking, kind=Kind.REMINDER).values_list("lead_minutes", "status"))
    assert statuses == {2880: NotificationStatus.CANCELLED, 120: NotificationStatus.PENDING}


def test_cancelling_cancels_every_unsent_reminder(book, receptionist, frozen_now):
    booking = book()
    rows(booking, kind=Kind.CONFIRMATION).update(status=NotificationStatus.SENT, sent_at=frozen_now)
    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)

    assert set(rows(booking, kind=Kind.REMINDER).values_list("status", flat=True)) == {
        NotificationStatus.CANCELLED
    }
    cancellation = rows(booking, kind=Kind.CANCELLATION).get()
    assert (cancellation.status, cancellation.booking_version) == (NotificationStatus.PENDING, 2)
    assert CalendarEntry.objects.get(booking_id=booking.pk).status == "cancelled"


def test_cancelling_before_the_confirmation_went_out_sends_nothing(book, receptionist):
    booking = book()
    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    assert set(rows(booking).values_list("status", flat=True)) == {NotificationStatus.CANCELLED}
    assert not rows(booking, kind=Kind.CANCELLATION).exists()


def test_the_confirmation_is_handed_to_a_worker_only_after_commit(
    book, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.send_notification, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking = book()
        assert queued == []  # nothing leaves before the booking is committed
    for callback in callbacks:
        callback()
    assert queued == [rows(booking, kind=Kind.CONFIRMATION).get().pk]


def test_a_broker_outage_after_commit_does_not_fail_the_booking(
    book, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.send_notification, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book()
    assert Booking.objects.filter(pk=booking.pk).exists()
    assert rows(booking, kind=Kind.CONFIRMATION, status=NotificationStatus.PENDING).count() == 1


def test_the_embedded_default_sends_the_confirmation_in_process_after_commit(
    book, django_capture_on_commit_callbacks
):
    from django.core import mail

    from config.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # as without REDIS_URL
    try:
        with django_capture_on_commit_callbacks(execute=True):
            booking = book()
    finally:
        celery_app.conf.task_always_eager = eager
    (message,) = mail.outbox
    assert message.subject.startswith("Booking confirmed:")
    assert rows(booking, kind=Kind.CONFIRMATION).get().status == NotificationStatus.SENT


def test_rows_written_with_the_outbox_are_stored_as_they_are_on_either_database(
    book, massage, frozen_now
):
    """A booking and its history row handed to the outbox (PostgreSQL: parts of its one
    statement; SQLite: raw saves just before) land exactly as built: no second history row,
    no auto_now date moved, and the entry beside them."""
    from audit.history import new_record_rows
    from booking.notification_directory import appointment_of
    from notifications.services import notify_booking_confirmed

    earlier = book()
    start = WEDNESDAY_10 + timedelta(hours=3)
    booking = Booking(
        pk=earlier.pk + 1000,
        clinic=earlier.clinic,
        patient=earlier.patient,
        treatment=massage,
        therapist=earlier.therapist,
        room=earlier.room,
        start=start,
        end=start + (earlier.end - earlier.start),
        blocked_start=start + (earlier.blocked_start - earlier.start),
        blocked_end=start + (earlier.blocked_end - earlier.start),
        session_key=f"{earlier.session_key}-later",
    )
    written = new_record_rows(booking)
    # A date no insert would choose (the clock is frozen): it must survive as set.
    as_built = frozen_now - timedelta(minutes=5)
    for row in written:
        row.updated_at = as_built
    with transaction.atomic():
        notify_booking_confirmed(
            appointment=appointment_of(booking, therapist_name="Tess", room_name="Room 1"),
            written_with=written,
        )

    stored = Booking.objects.get(pk=booking.pk)
    history = stored.history.get()
    assert history.audit_action == "created"
    assert history.audit_patient_id == earlier.patient_id
    assert stored.updated_at == history.updated_at == as_built
    assert rows(stored, kind=Kind.CONFIRMATION).count() == 1

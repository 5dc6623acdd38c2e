"""The write side: what a booking change means for messages and calendars.

Booking's services call the three `notify_booking_*` functions inside the transaction that
changes the booking (STYLE §4, transactional outbox), passing the `Appointment` they built
(notifications/directory.py): the calendar entry, the messages that must go out and the feed
revisions are committed together with the booking, or not at all. Nothing here talks to the
network. After commit the due messages and feed rebuilds are handed to Celery; if that hand-off
is lost (broker down, process killed), the every-minute scan still finds the rows, so it is an
optimisation, never the guarantee.

Each change is one statement on PostgreSQL (outbox_sql.py: the entry, the messages and the
feed revisions in one data-modifying WITH), and a few ORM statements on SQLite, which cannot
write two tables in one statement. Both spell the same rules; the notifications tests run on
both databases (docs/decisions/0006).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.db import connections, models, transaction
from django.db.models import Q
from django.utils import timezone

from ..directory import Appointment
from ..models import (
    CalendarEntry,
    Channel,
    ClinicNotificationSettings,
    EntryStatus,
    Kind,
    Notification,
    NotificationStatus,
)
from . import outbox_sql
from .outbox_sql import TRANSACTIONAL, Place, bump_feeds
from .settings import clinic_settings

logger = logging.getLogger(__name__)


def notify_booking_confirmed(
    *,
    appointment: Appointment,
    now: datetime | None = None,
    written_with: Sequence[models.Model] = (),
) -> list[Notification]:
    """Record a new booking: its calendar entry, the confirmation email and the reminders.

    Call inside the transaction that creates the booking. Writes the entry, one confirmation
    and one reminder per clinic lead time (per channel) whose due time is still ahead, and bumps
    the revision of every feed that shows the booking. After commit the confirmation is handed to
    a worker (in-process in the embedded default). Returns the rows created. Call once per
    booking: a second call fails on the unique constraint, sending nothing twice.

    `written_with`: rows to insert first, with their primary keys set (booking passes the
    booking and its history row on PostgreSQL): there they go into the outbox's one statement,
    so the whole booking is one round trip; elsewhere they are inserted just before, as they
    are (a raw save: no auto_now dates applied, no history written for them).
    """
    now = now or timezone.now()
    entry = _detached(appointment)
    rows = [
        _new_row(entry, Kind.CONFIRMATION, now=now, save=False),
        *_reminder_rows(entry, now=now),
    ]
    if _one_statement():
        feed_ids = outbox_sql.record_new_entry(entry, rows, now=now, written_with=written_with)
    else:
        for obj in written_with:
            # As they are: a raw save applies no auto_now dates and sends no history signal.
            obj.save_base(raw=True, force_insert=True)
        entry.save(force_insert=True)
        created = _insert(rows)
        feed_ids = bump_feeds([Place.of(entry)], now=now)
        rows = created
    _after_commit(rows, feed_ids, now=now)
    return rows


def notify_booking_rescheduled(
    *, appointment: Appointment, now: datetime | None = None
) -> list[Notification]:
    """Record that a booking moved (new start, therapist or room; a higher version).

    Call inside the rescheduling transaction. Unsent reminders move to the new time (reminders
    already sent for the old time are kept as history, and new ones are created for the new
    time); a confirmation not yet sent will describe the new time instead; otherwise a
    "booking moved" email is written. Returns the rows created or moved.
    """
    now = now or timezone.now()
    if _one_statement():
        moved = _detached(appointment)
        found = outbox_sql.record_move(
            appointment,
            _entry_values(appointment),
            reschedule=_new_row(moved, Kind.RESCHEDULE, now=now, save=False),
            reminders=_reminder_rows(moved, now=now),
            now=now,
        )
        if found is not None:
            rows, feed_ids = found
            _after_commit(rows, feed_ids, now=now)
            return rows
    entry, previous = _save_entry(appointment)
    rows = list(
        Notification.objects.select_for_update()
        .filter(entry=entry, status=NotificationStatus.PENDING)
        .order_by("id")
    )
    touched: list[Notification] = []

    # A transactional email nobody has picked up yet can simply describe the new time.
    unclaimed = [r for r in rows if r.kind in TRANSACTIONAL and r.claim_token is None]
    for row in unclaimed:
        _move(row, entry, due_at=now)
        touched.append(row)
    if not any(r.kind == Kind.RESCHEDULE for r in unclaimed) and _told(entry).exists():
        touched.append(_new_row(entry, Kind.RESCHEDULE, now=now))

    touched += _move_reminders(entry, [r for r in rows if r.kind == Kind.REMINDER], now=now)
    places = _places(entry, previous)
    _after_commit(touched, bump_feeds(places, now=now), now=now)
    return touched


def notify_booking_cancelled(
    *, appointment: Appointment, now: datetime | None = None, tell_patient: bool = True
) -> list[Notification]:
    """Record a cancellation: reminders are cancelled, the patient is told if they knew of it
    (never with `tell_patient=False`, for a patient whose data is being erased).

    Call inside the cancelling transaction. Every unsent reminder becomes `cancelled`, so no
    reminder goes out for a cancelled booking. If the patient was already sent (or is being
    sent) a confirmation, a cancellation email is written; if not, the unsent confirmation is
    cancelled and nothing is sent at all. Returns the cancellation row, if any.
    """
    now = now or timezone.now()
    if _one_statement():
        found = outbox_sql.record_cancellation(
            appointment,
            _entry_values(appointment),
            cancellation=_new_row(_detached(appointment), Kind.CANCELLATION, now=now, save=False),
            tell_patient=tell_patient,
            now=now,
        )
        if found is not None:
            rows, feed_ids = found
            _after_commit(rows, feed_ids, now=now)
            return rows
    entry, previous = _save_entry(appointment)
    told = _told(entry).exists()
    Notification.objects.filter(entry=entry, status=NotificationStatus.PENDING).filter(
        Q(kind=Kind.REMINDER) | Q(kind__in=TRANSACTIONAL, claim_token__isnull=True)
    ).update(
        status=NotificationStatus.CANCELLED,
        claim_token=None,
        claimed_at=None,
        last_error=outbox_sql.CANCELLED_BOOKING,
        updated_at=now,
    )
    created = [_new_row(entry, Kind.CANCELLATION, now=now)] if told and tell_patient else []
    places = _places(entry, previous)
    _after_commit(created, bump_feeds(places, now=now), now=now)
    return created


def notify_aftercare_waiting(
    *, booking_id: int, now: datetime | None = None
) -> Notification | None:
    """Tell the patient that advice from their session is on their appointment page.

    Call inside the transaction that signs the session's note. The email carries no clinical
    detail: only that advice is waiting, and the link. Written once per booking (a second call
    returns None); None too for a booking with no calendar entry.
    """
    now = now or timezone.now()
    entry = CalendarEntry.objects.filter(booking_id=booking_id).first()
    if entry is None or Notification.objects.filter(entry=entry, kind=Kind.AFTERCARE).exists():
        return None
    row = _new_row(entry, Kind.AFTERCARE, now=now)
    transaction.on_commit(partial(_hand_over, [row.pk], []))
    return row


# --- helpers -------------------------------------------------------------------------------------


def _one_statement() -> bool:
    return connections[CalendarEntry.objects.db].vendor == "postgresql"


def _places(entry: CalendarEntry, previous: Place | None) -> list[Place]:
    """Where the entry shows now, and where it showed before the change if elsewhere."""
    now_at = Place.of(entry)
    return [now_at] if previous in (None, now_at) else [now_at, previous]


def _detached(appointment: Appointment) -> CalendarEntry:
    """The entry as it will be after the change, unsaved (for building message rows)."""
    return CalendarEntry(booking_id=appointment.booking_id, **_entry_values(appointment))


def _told(entry: CalendarEntry):
    """The patient was sent, or is being sent, a confirmation or a "moved" email."""
    return Notification.objects.filter(entry=entry, kind__in=TRANSACTIONAL).filter(
        Q(status=NotificationStatus.SENT)
        | Q(status=NotificationStatus.PENDING, claim_token__isnull=False)
    )


def _entry_values(appointment: Appointment) -> dict:
    return {
        "clinic_id": appointment.clinic_id,
        "therapist_id": appointment.therapist_id,
        "room_id": appointment.room_id,
        "patient_id": appointment.patient_id,
        "status": EntryStatus.CANCELLED if appointment.cancelled else EntryStatus.CONFIRMED,
        "version": appointment.version,
        "start": appointment.start,
        "end": appointment.end,
        "updated_at": appointment.updated_at,
        "treatment_name": appointment.treatment_name[:120],
        "therapist_name": appointment.therapist_name[:170],
        "room_name": appointment.room_name[:80],
        "clinic_name": appointment.clinic_name[:120],
        "patient_initials": appointment.patient_initials[:8],
    }


def _save_entry(appointment: Appointment) -> tuple[CalendarEntry, Place | None]:
    """Update the booking's calendar entry (create it if missing); return it and where it was
    before."""
    values = _entry_values(appointment)
    entry = (
        CalendarEntry.objects.select_for_update().filter(booking_id=appointment.booking_id).first()
    )
    if entry is None:
        return CalendarEntry.objects.create(booking_id=appointment.booking_id, **values), None
    previous = Place.of(entry)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    return entry, previous


def _new_row(
    entry: CalendarEntry,
    kind: str,
    *,
    now: datetime,
    channel: str = Channel.EMAIL,
    lead_minutes: int = 0,
    save: bool = True,
) -> Notification:
    due_at = entry.start - timedelta(minutes=lead_minutes) if lead_minutes else now
    row = Notification(
        entry=entry,
        kind=kind,
        channel=channel,
        lead_minutes=lead_minutes,
        booking_version=entry.version,
        appointment_start=entry.start,
        due_at=due_at,
    )
    if save:
        row.save()
    return row


def _insert(rows: list[Notification]) -> list[Notification]:
    """One INSERT for all rows; their ids are set (PostgreSQL and SQLite return them)."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if any(row.pk is None for row in created):  # a database that cannot return ids
        by_key = {
            (n.kind, n.channel, n.lead_minutes): n.pk
            for n in Notification.objects.filter(
                entry=rows[0].entry, booking_version=rows[0].booking_version
            )
        }
        for row in created:
            row.pk = by_key[(row.kind, row.channel, row.lead_minutes)]
    return created


def _move(row: Notification, entry: CalendarEntry, *, due_at: datetime) -> None:
    row.booking_version = entry.version
    row.appointment_start = entry.start
    row.due_at = due_at
    row.claim_token = None
    row.claimed_at = None
    row.save(
        update_fields=[
            "booking_version",
            "appointment_start",
            "due_at",
            "claim_token",
            "claimed_at",
            "updated_at",
        ]
    )


def _reminder_channels(clinic: ClinicNotificationSettings) -> list[str]:
    return [Channel.EMAIL, Channel.SMS] if clinic.sms_reminders else [Channel.EMAIL]


def _reminder_rows(
    entry: CalendarEntry, *, now: datetime, skip: set[tuple[str, int]] = frozenset()
) -> list[Notification]:
    """Unsaved reminders, one per lead time and channel whose due time is still ahead.

    Lead times are elapsed time (48 h before is 48 real hours, also across a clock change).
    Consent is not checked here but at send time, so a later opt-out (or opt-in) counts.
    """
    clinic = clinic_settings(entry.clinic_id)
    rows = [
        Notification(
            entry=entry,
            kind=Kind.REMINDER,
            channel=channel,
            lead_minutes=lead,
            booking_version=entry.version,
            appointment_start=entry.start,
            due_at=entry.start - timedelta(minutes=lead),
        )
        for channel in _reminder_channels(clinic)
        for lead in clinic.reminder_lead_minutes
        if (channel, lead) not in skip and entry.start - timedelta(minutes=lead) > now
    ]
    return rows


def _move_reminders(
    entry: CalendarEntry, pending: list[Notification], *, now: datetime
) -> list[Notification]:
    """Unsent reminders follow the booking to its new time; missing lead times are added."""
    moved = []
    for row in pending:
        due_at = entry.start - timedelta(minutes=row.lead_minutes)
        if due_at <= now:
            # Moved to closer than this lead time: that reminder no longer makes sense.
            row.status = NotificationStatus.CANCELLED
            row.claim_token = row.claimed_at = None
            row.last_error = outbox_sql.MOVED_TOO_CLOSE
            row.save(
                update_fields=["status", "claim_token", "claimed_at", "last_error", "updated_at"]
            )
            continue
        _move(row, entry, due_at=due_at)
        moved.append(row)
    kept = {(row.channel, row.lead_minutes) for row in moved}
    return moved + _insert(_reminder_rows(entry, now=now, skip=kept))


def _after_commit(rows: list[Notification], feed_ids: list[int], *, now: datetime) -> None:
    send = [row.pk for row in rows if row.due_at <= now]
    transaction.on_commit(partial(_hand_over, send, feed_ids))


def _hand_over(notification_ids: list[int], feed_ids: list[int]) -> None:
    """After commit: queue the messages due now and the feed rebuilds.

    Never raises: the booking is committed whatever happens here, and the scan finds any row
    this misses (broker down, enqueue lost), so a failure is only logged.
    """
    from ..tasks import rebuild_feeds, send_notification

    try:
        for notification_id in notification_ids:
            send_notification.delay(notification_id)
        if feed_ids:
            rebuild_feeds.delay(feed_ids)
    except Exception:  # noqa: BLE001 - see docstring: the outbox row is the guarantee
        logger.warning(
            "Could not hand notifications %s / feeds %s to Celery; the scan will pick them up",
            notification_ids,
            feed_ids,
            exc_info=True,
        )

"""The send side: claim due rows, re-check them, send, record the outcome.

Guarantees (docs/decisions/0002-notifications.md):
- A row is sent only by the worker holding its claim (a conditional UPDATE sets `claim_token`),
  and marked sent by an UPDATE conditional on that claim, so two workers, a duplicated Celery
  message or a second beat never send one row twice.
- Nothing is lost while a worker or Redis is down: rows stay `pending` in the database; a claim
  older than NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS (a killed worker's) is released and the
  every-minute scan claims the row again.
- Right before sending, the row is re-checked against the booking's current calendar entry
  (still confirmed, same version and start, not started yet) and the patient's current consent.
- The one unavoidable gap: a worker killed after the SMTP server accepted a message but before
  `sent_at` was committed sends that message again after the claim times out. SMTP has no
  idempotent send; the stable Message-ID lets receiving systems recognise the repeat.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import conf
from ..directory import get_directory
from ..errors import TransientDeliveryError
from ..models import (
    Channel,
    ClinicNotificationSettings,
    EntryStatus,
    Kind,
    Notification,
    NotificationStatus,
)
from ..rendering import Templates, body_hash, build_email, build_sms
from ..sms import get_sms_backend
from .settings import clinic_settings

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def release_stale_claims(*, now: datetime | None = None) -> int:
    """Release claims older than the claim timeout that never reached `sent_at` (dead workers).

    Safe to call any time and from several processes. Returns how many claims were released.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=conf.claim_timeout_seconds())
    released = Notification.objects.filter(
        status=NotificationStatus.PENDING, claimed_at__lt=stale_before
    ).update(claim_token=None, claimed_at=None)
    if released:
        logger.warning("Released %d stale notification claims (a worker died mid-send?)", released)
    return released


def claim_due_notifications(
    *, now: datetime | None = None, limit: int | None = None, batch_size: int | None = None
) -> list[tuple[str, list[int]]]:
    """Claim due, unclaimed rows in batches; return (claim_token, ids) per batch.

    On PostgreSQL concurrent scans skip each other's rows (FOR UPDATE SKIP LOCKED); on SQLite
    write transactions are serialised. The UPDATE re-states every condition, so a row claimed
    by someone else in between is never claimed twice.
    """
    now = now or timezone.now()
    limit = limit or conf.scan_limit()
    batch_size = batch_size or conf.batch_size()
    stale_before = now - timedelta(seconds=conf.claim_timeout_seconds())
    claimable = Notification.objects.filter(
        status=NotificationStatus.PENDING, due_at__lte=now
    ).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale_before))
    with transaction.atomic():
        ids = list(
            claimable.select_for_update(skip_locked=True)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        batches = []
        for start in range(0, len(ids), batch_size):
            token = uuid.uuid4()
            chunk = ids[start : start + batch_size]
            claimable.filter(pk__in=chunk).update(claim_token=token, claimed_at=now)
            claimed = list(
                Notification.objects.filter(claim_token=token)
                .order_by("due_at", "id")
                .values_list("pk", flat=True)
            )
            if claimed:
                batches.append((str(token), claimed))
    return batches


def claim_notification(notification_id: int, *, now: datetime | None = None) -> str | None:
    """Claim one row if it is due, pending and unclaimed; return the claim token or None."""
    now = now or timezone.now()
    token = uuid.uuid4()
    stale_before = now - timedelta(seconds=conf.claim_timeout_seconds())
    claimed = (
        Notification.objects.filter(
            pk=notification_id, status=NotificationStatus.PENDING, due_at__lte=now
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale_before))
        .update(claim_token=token, claimed_at=now)
    )
    return str(token) if claimed == 1 else None


def _is_transient(exc: BaseException) -> bool:
    """Worth trying again later, or wrong for this message only?

    Permanent: the server refused this message's recipient or content with a 5xx reply, or
    building/sending this one message raised a non-network error. Everything network-shaped is
    transient, including connection-level 5xx such as a refused login: that is a settings
    problem to fix, not a reason to drop patients' messages. Retries end at the latest when
    the appointment starts: a row is never sent after that.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (TransientDeliveryError, OSError, socket.timeout))


class _Mailer:
    """One SMTP connection for a whole batch, opened on first use."""

    def __init__(self):
        self.connection = None

    def send(self, message) -> None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        try:
            self.connection.send_messages([message])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; nothing to do
                logger.debug("Closing the email connection failed", exc_info=True)
            self.connection = None


def _why_not(row: Notification, contact, now: datetime) -> tuple[str, str] | None:
    """(status, reason) if this row must not be sent now; None if it should go out."""
    entry = row.entry
    if row.booking_version != entry.version or row.appointment_start != entry.start:
        return NotificationStatus.CANCELLED, "The booking changed after this message was written."
    expected = EntryStatus.CANCELLED if row.kind == Kind.CANCELLATION else EntryStatus.CONFIRMED
    if entry.status != expected:
        return NotificationStatus.CANCELLED, f"The booking is {entry.status}."
    if entry.start <= now and row.kind != Kind.AFTERCARE:  # aftercare follows the session
        return NotificationStatus.SKIPPED, "The appointment has already started."
    if contact is None:
        return NotificationStatus.SKIPPED, "The patient no longer exists."
    if row.kind == Kind.REMINDER and not contact.reminders_ok:
        return NotificationStatus.SKIPPED, "The patient opted out of reminders."
    if row.channel == Channel.EMAIL:
        if not contact.email:
            return NotificationStatus.SKIPPED, "The patient has no email address."
        if row.kind in (Kind.REMINDER, Kind.AFTERCARE) and not contact.email_ok:
            return NotificationStatus.SKIPPED, "The patient opted out of appointment emails."
    elif not (contact.phone and contact.sms_ok):
        return NotificationStatus.SKIPPED, "The patient has no mobile number or refused texts."
    return None


def _finish(row: Notification, token: uuid.UUID, status: str, **values) -> bool:
    """Record the outcome, only if we still hold the claim. True if recorded."""
    done = Notification.objects.filter(
        pk=row.pk, claim_token=token, status=NotificationStatus.PENDING
    ).update(status=status, claim_token=None, updated_at=timezone.now(), **values)
    if not done:
        logger.info(
            "Notification %s changed while being sent; outcome %s not recorded", row.pk, status
        )
    return bool(done)


def deliver_claimed(
    notification_ids: list[int], claim_token: str, *, now: datetime | None = None
) -> DeliveryReport:
    """Send the rows of one claimed batch, in due order, over one connection.

    Rows no longer claimed with `claim_token` (sent, cancelled, re-claimed after a time-out) are
    left alone, so running this twice for one batch sends nothing twice. Each row ends sent,
    skipped, cancelled or failed (permanent errors, recorded in `last_error`). On a transient
    error the row and the rest of the batch stay claimed, the error is recorded, and
    TransientDeliveryError is raised for the task to retry the batch with back-off.
    """
    token = uuid.UUID(claim_token)
    report = DeliveryReport()
    rows = list(
        Notification.objects.select_related("entry")
        .filter(pk__in=notification_ids, claim_token=token, status=NotificationStatus.PENDING)
        .order_by("due_at", "id")
    )
    if not rows:
        return report
    # Refresh the claim: the batch may have waited in the queue.
    Notification.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(
        claimed_at=now or timezone.now()
    )
    directory = get_directory()
    contacts = directory.contacts({row.entry.patient_id for row in rows})
    clinics = directory.clinics({row.entry.clinic_id for row in rows})
    settings_by_clinic: dict[int, ClinicNotificationSettings] = {}
    templates = Templates()
    mailer = _Mailer()
    try:
        for index, row in enumerate(rows):
            moment = now or timezone.now()
            contact = contacts.get(row.entry.patient_id)
            verdict = _why_not(row, contact, moment)
            if verdict is not None:
                status, reason = verdict
                if _finish(row, token, status, last_error=reason, claimed_at=None):
                    {
                        NotificationStatus.CANCELLED: report.cancelled,
                        NotificationStatus.FAILED: report.failed,
                    }.get(status, report.skipped).append(row.pk)
                continue
            clinic = clinics[row.entry.clinic_id]
            if row.entry.clinic_id not in settings_by_clinic:
                settings_by_clinic[row.entry.clinic_id] = clinic_settings(row.entry.clinic_id)
            try:
                if row.channel == Channel.EMAIL:
                    message = build_email(
                        row,
                        row.entry,
                        contact,
                        clinic,
                        settings_by_clinic[row.entry.clinic_id],
                        templates,
                    )
                    recipient, subject = contact.email, message.subject
                    content = body_hash(
                        message.subject, message.body, *(body for body, _ in message.alternatives)
                    )
                else:
                    message = build_sms(row, row.entry, contact, clinic, templates)
                    recipient, subject, content = contact.phone, "", body_hash(message.body)
            except Exception as exc:  # noqa: BLE001 - a broken template fails this row, not the batch
                logger.exception("Could not render notification %s", row.pk)
                if _finish(
                    row,
                    token,
                    NotificationStatus.FAILED,
                    last_error=f"Rendering failed: {exc}"[:2000],
                    claimed_at=None,
                ):
                    report.failed.append(row.pk)
                continue

            # Last look before the network: still ours, still this version (a reschedule
            # committed since we loaded the row releases the claim). A read, not a write: one
            # commit per message (the outcome) is what keeps 10,000 reminders under a minute.
            still_ours = Notification.objects.filter(
                pk=row.pk,
                claim_token=token,
                status=NotificationStatus.PENDING,
                booking_version=row.booking_version,
            ).exists()
            if not still_ours:
                continue
            try:
                if row.channel == Channel.EMAIL:
                    mailer.send(message)
                else:
                    get_sms_backend().send(message)
            except Exception as exc:  # noqa: BLE001 - classified below; nothing is swallowed
                error = f"{type(exc).__name__}: {exc}"[:2000]
                if _is_transient(exc):
                    Notification.objects.filter(pk=row.pk, claim_token=token).update(
                        last_error=error, attempts=F("attempts") + 1
                    )
                    remaining = [r.pk for r in rows[index:]]
                    Notification.objects.filter(pk__in=remaining, claim_token=token).update(
                        claimed_at=timezone.now()
                    )
                    logger.warning("Transient failure sending notification %s: %s", row.pk, error)
                    raise TransientDeliveryError(error) from exc
                logger.error("Notification %s failed permanently: %s", row.pk, error)
                if _finish(
                    row,
                    token,
                    NotificationStatus.FAILED,
                    last_error=error,
                    claimed_at=None,
                    attempts=F("attempts") + 1,
                ):
                    report.failed.append(row.pk)
                continue
            if _finish(
                row,
                token,
                NotificationStatus.SENT,
                attempts=F("attempts") + 1,
                sent_at=timezone.now(),
                sent_to=recipient,
                subject=subject,
                body_sha256=content,
                last_error="",
            ):
                report.sent.append(row.pk)
            else:
                logger.warning(
                    "Notification %s was sent but changed meanwhile (booking moved?)", row.pk
                )
    finally:
        mailer.close()
    return report


def send_notification_now(notification_id: int, *, now: datetime | None = None) -> DeliveryReport:
    """Claim and send one row if it is due and nobody else has it. Safe to call repeatedly."""
    token = claim_notification(notification_id, now=now)
    if token is None:
        return DeliveryReport()
    try:
        return deliver_claimed([notification_id], token, now=now)
    except TransientDeliveryError:
        # Let the retry (or the next scan) claim it again instead of waiting for the time-out.
        Notification.objects.filter(pk=notification_id, claim_token=uuid.UUID(token)).update(
            claim_token=None, claimed_at=None
        )
        raise

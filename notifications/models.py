"""The outbox of messages to send, calendar entries and feeds, and per-clinic message settings.

Nothing here points at booking's tables: rows keep plain ids (booking, clinic, patient...) as
references, so this app never imports booking (STYLE §1). `CalendarEntry` is this app's copy of
what calendars and messages need to know about one booking; booking's services keep it in step
inside their own transactions.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template import Context, Template, TemplateSyntaxError

from .directory import FeedKind

DEFAULT_REMINDER_LEAD_MINUTES = [48 * 60, 2 * 60]
MAX_LEAD_MINUTES = 30 * 24 * 60


def default_reminder_leads() -> list[int]:
    return list(DEFAULT_REMINDER_LEAD_MINUTES)


class FeedDetail(models.TextChoices):
    """How much a therapist, room or clinic feed may say about each appointment."""

    TIME_ONLY = "time_only", "Time only (“Appointment”)"
    INITIALS = "initials", "Patient initials"
    INITIALS_AND_TREATMENT = "initials_and_treatment", "Patient initials and treatment"


class ClinicNotificationSettings(models.Model):
    """What one clinic chose for its reminders and feeds. A clinic without a row gets defaults."""

    clinic_id = models.BigIntegerField(unique=True, help_text="The clinic these settings are for.")
    reminder_lead_minutes = models.JSONField(
        default=default_reminder_leads,
        help_text="Send reminders this many minutes before the start, e.g. [2880, 120] for "
        "48 h and 2 h. Elapsed time, so a reminder across a clock change still comes 48 h early.",
    )
    sms_reminders = models.BooleanField(
        default=False, help_text="Also remind by SMS patients who agreed to texts."
    )
    feed_detail = models.CharField(
        max_length=32,
        choices=FeedDetail.choices,
        default=FeedDetail.INITIALS_AND_TREATMENT,
        help_text="What therapist, room and clinic calendar feeds show. Never clinical notes.",
    )
    reply_to = models.EmailField(blank=True, help_text="Replies to patient emails go here.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic notification settings"
        verbose_name_plural = "clinic notification settings"

    def __str__(self) -> str:
        return f"Notification settings of clinic {self.clinic_id}"

    # Every booking reads these settings from the cache (services/outbox.py, clinic_settings):
    # whatever saves or deletes them, the admin included, makes the next booking read them anew.
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        _forget_settings(self.clinic_id)

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        _forget_settings(self.clinic_id)
        return deleted

    def clean(self) -> None:
        self.reminder_lead_minutes = validate_lead_minutes(self.reminder_lead_minutes)


def _forget_settings(clinic_id: int) -> None:
    from .services.settings import forget_clinic_settings

    forget_clinic_settings(clinic_id)


def validate_lead_minutes(value) -> list[int]:
    """A short list of distinct whole minutes, 5 minutes to 30 days, longest first."""
    if not isinstance(value, list) or len(value) > 6:
        raise ValidationError({"reminder_lead_minutes": "Give a list of at most 6 lead times."})
    leads = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 5 <= item <= MAX_LEAD_MINUTES:
            raise ValidationError(
                {"reminder_lead_minutes": f"{item!r} is not a number of minutes from 5 to 43200."}
            )
        leads.append(item)
    if len(set(leads)) != len(leads):
        raise ValidationError({"reminder_lead_minutes": "Each lead time may appear once."})
    return sorted(leads, reverse=True)


class Kind(models.TextChoices):
    CONFIRMATION = "confirmation", "Booking confirmation"
    RESCHEDULE = "reschedule", "Booking moved"
    CANCELLATION = "cancellation", "Booking cancelled"
    REMINDER = "reminder", "Reminder"
    AFTERCARE = "aftercare", "Aftercare advice waiting"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


# Context variables that may name the treatment. Subjects and SMS previews show on locked
# screens and in shared inboxes, so they must not use them (domain research E5).
CLINICAL_VARIABLES = ("treatment",)


class MessageTemplate(models.Model):
    """A clinic's own wording for one kind of message (Django template syntax).

    Without a row the built-in templates in notifications/templates/notifications/ are used; a
    row with no clinic is the default for every clinic.
    """

    clinic_id = models.BigIntegerField(
        null=True, blank=True, help_text="Leave empty to set the default for every clinic."
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    subject = models.CharField(
        max_length=200, blank=True, help_text="Email only. No treatment or other clinical detail."
    )
    body_text = models.TextField(help_text="Plain text (and the whole SMS).")
    body_html = models.TextField(blank=True, help_text="Email only; plain text is used if empty.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["clinic_id", "kind", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic_id", "kind", "channel"], name="message_template_unique_per_clinic"
            ),
            models.UniqueConstraint(
                fields=["kind", "channel"],
                condition=Q(clinic_id__isnull=True),
                name="message_template_unique_default",
            ),
        ]

    def __str__(self) -> str:
        owner = f"clinic {self.clinic_id}" if self.clinic_id else "all clinics"
        return f"{self.get_kind_display()} ({self.get_channel_display()}) for {owner}"

    def clean(self) -> None:
        errors = {}
        for field in ("subject", "body_text", "body_html"):
            source = getattr(self, field)
            try:
                Template(source).render(Context({}))
            except TemplateSyntaxError as exc:
                errors[field] = f"Template error: {exc}"
        if self.channel == Channel.EMAIL and not self.subject.strip():
            errors["subject"] = "An email needs a subject."
        previews = [self.subject] if self.channel == Channel.EMAIL else [self.body_text]
        if any(name in text for text in previews for name in CLINICAL_VARIABLES):
            target = "subject" if self.channel == Channel.EMAIL else "body_text"
            errors[target] = (
                "Subjects and text messages show on locked screens: leave the treatment out."
            )
        if errors:
            raise ValidationError(errors)


class EntryStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"


class CalendarEntry(models.Model):
    """One booking as calendars and messages see it; written with every booking change.

    `uid` is the iCalendar UID: random, so it reveals nothing, and kept for the booking's life
    so mail clients and subscribed calendars update the event in place.
    """

    booking_id = models.BigIntegerField(unique=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic_id = models.BigIntegerField()
    therapist_id = models.BigIntegerField()
    room_id = models.BigIntegerField()
    patient_id = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=EntryStatus.choices)
    version = models.PositiveIntegerField(help_text="The booking's version; SEQUENCE follows it.")
    start = models.DateTimeField()
    end = models.DateTimeField()
    updated_at = models.DateTimeField(help_text="When the booking last changed (DTSTAMP).")
    treatment_name = models.CharField(max_length=120)
    therapist_name = models.CharField(max_length=170)
    room_name = models.CharField(max_length=80)
    clinic_name = models.CharField(max_length=120)
    patient_initials = models.CharField(max_length=8)

    class Meta:
        verbose_name_plural = "calendar entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="entry_end_after_start"
            )
        ]
        # One index per feed kind: each feed reads one owner's entries in start order.
        indexes = [
            models.Index(fields=["therapist_id", "clinic_id", "start"]),
            models.Index(fields=["room_id", "start"]),
            models.Index(fields=["clinic_id", "start"]),
            models.Index(fields=["patient_id", "start"]),
        ]

    def __str__(self) -> str:
        return f"Booking {self.booking_id} v{self.version} ({self.status})"

    @property
    def sequence(self) -> int:
        """iCalendar SEQUENCE: 0 for a new booking, one more for every change of it."""
        return self.version - 1


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled (booking changed)"
    SKIPPED = "skipped", "Skipped (no consent, no address or too late)"
    FAILED = "failed", "Failed permanently"


class Notification(models.Model):
    """One message that must go out: the outbox row, written in the booking's transaction.

    Lifecycle: pending -> (claimed by a worker: claim_token set) -> sent | skipped | failed;
    pending -> cancelled when the booking is cancelled or the message is no longer right.
    A worker sends only what it claimed with a conditional UPDATE, and records `sent_at` in an
    UPDATE conditional on its claim, so two workers never both send one row. The unique
    constraint means there is at most one row, hence at most one send, per booking, kind,
    channel, lead time and booking version: a booking moved to a new time (a new version) is
    reminded again at its new time, and never twice for one time.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Message-ID.")
    entry = models.ForeignKey(CalendarEntry, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    lead_minutes = models.PositiveIntegerField(default=0, help_text="Reminders only.")
    booking_version = models.PositiveIntegerField()
    appointment_start = models.DateTimeField(help_text="The start this message is about.")
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True, help_text="Hash of what was sent.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "kind", "channel", "lead_minutes", "booking_version"],
                name="notification_once_per_booking_kind_lead",
            ),
            models.CheckConstraint(
                condition=Q(kind="reminder", lead_minutes__gt=0)
                | (~Q(kind="reminder") & Q(lead_minutes=0)),
                name="notification_lead_only_for_reminders",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="notification_sent_at_iff_sent",
            ),
        ]
        indexes = [
            # The every-minute scan reads pending rows by due time; the rest is history.
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="notification_pending_due"
            ),
        ]

    def __str__(self) -> str:
        lead = f" {self.lead_minutes} min" if self.lead_minutes else ""
        return f"{self.get_kind_display()}{lead} ({self.channel}) #{self.entry_id}: {self.status}"


class CalendarFeed(models.Model):
    """A subscribable calendar: a therapist's or room's diary at a clinic, a clinic's, a patient's.

    The URL carries a secret token. The token is derived from `token_salt` and SECRET_KEY, so it
    can be shown again to its owner, but the database alone does not reveal it; requests are
    matched by `token_hash`. Rotating draws a new salt, which kills the old URL.
    `revision` rises with every change that alters the feed; a cached copy of an older revision
    is never served.
    """

    kind = models.CharField(
        max_length=16,
        choices=[
            (k, k.title())
            for k in (FeedKind.THERAPIST, FeedKind.ROOM, FeedKind.CLINIC, FeedKind.PATIENT)
        ],
    )
    owner_id = models.BigIntegerField()
    clinic_id = models.BigIntegerField(
        null=True, blank=True, help_text="Empty for a patient's feed."
    )
    label = models.CharField(max_length=200)
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_salt = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    revision = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_id", "clinic_id"], name="feed_unique_owner"
            ),
            models.UniqueConstraint(
                fields=["kind", "owner_id"],
                condition=Q(clinic_id__isnull=True),
                name="feed_unique_patient",
            ),
            models.CheckConstraint(
                condition=Q(kind="patient", clinic_id__isnull=True)
                | (~Q(kind="patient") & Q(clinic_id__isnull=False)),
                name="feed_clinic_unless_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.kind} feed)"

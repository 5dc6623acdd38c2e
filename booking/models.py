"""Clinics, rooms, therapists, treatments, patients and the bookings between them.

Every instant is stored in UTC. Weekly hours are wall-clock times in the clinic's own zone, turned
into instants per day by the availability engine (so clock changes are handled in one place).

One schema, kept in one file on purpose: a booking's constraints name the clinic, therapist, room,
treatment and patient rows beside it, and the migrations read it as one. Rules that span rows
live in services/ and selectors.py, not here.
"""

import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from audit.history import AuditedHistory


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as Europe/London.")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Clinic(models.Model):
    """A site. Its booking policy lives here so each site can set its own."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=120, help_text="Patients cannot book online closer to the start than this."
    )
    booking_horizon_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1)], help_text="How far ahead patients may book."
    )
    slot_step_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="Offered start times are this many minutes apart.",
    )
    late_cancellation_hours = models.PositiveIntegerField(
        default=24, help_text="Cancelling closer to the start than this is a late cancellation."
    )
    no_show_grace_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MaxValueValidator(240)],
        help_text="A patient not arrived this long after the start may be marked as a no-show.",
    )
    share_clinical_records = models.BooleanField(
        default=False,
        help_text=(
            "Every therapist at this clinic may read the clinical records of its patients. "
            "Off: only the patient's care team (therapists they are booked with, the lead and "
            "named therapist of their plans)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self, now: datetime | None = None) -> date:
        """Today's date on the clinic's wall clock."""
        return (now or timezone.now()).astimezone(self.tz).date()

    def midnight(self, day: date) -> datetime:
        """The instant `day` begins at the clinic (its local midnight)."""
        return local_midnight(day, self.tz)


def local_midnight(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """The instant `day` begins on the wall clock of `tz`."""
    return datetime.combine(day, time.min, tzinfo=tz)


class OpeningHours(models.Model):
    """One opening period of a clinic on a weekday; several rows make a split day."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["clinic", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="opening_closes_after_opens"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class RoomFeature(models.Model):
    """Something a room has that a treatment may need: couch, gym space, privacy, needling-approved."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    features = models.ManyToManyField(RoomFeature, blank=True, related_name="rooms")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["clinic", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="room_name_unique_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"


class Qualification(models.Model):
    """A modality a therapist is qualified to deliver, e.g. dry needling or Graston/IASTM."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profession(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    SPORTS_THERAPIST = "sports_therapist", "Sports therapist"
    SPORTS_MASSEUR = "sports_masseur", "Sports masseur"


class Therapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="therapist",
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    profession = models.CharField(max_length=32, choices=Profession.choices)
    bio = models.TextField(
        blank=True,
        max_length=600,
        help_text="A short introduction patients read when they choose a therapist online "
        "(a few sentences: experience, what they treat, interests).",
    )
    # Checked and re-encoded by booking.photos.clean_therapist_photo (admin and API alike);
    # served by the web app's therapist_photo view, never straight from the media folder.
    photo = models.ImageField(
        upload_to="therapists/",
        blank=True,
        help_text="A head-and-shoulders photo for online booking: JPEG, PNG or WebP.",
    )
    qualifications = models.ManyToManyField(Qualification, blank=True, related_name="therapists")
    clinics = models.ManyToManyField(Clinic, related_name="therapists")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def photo_alt(self) -> str:
        return f"Photo of {self.full_name}"

    @property
    def photo_src(self) -> str | None:
        """Where pages show the photo from (booking.photos.photo_path), None without one."""
        from .photos import photo_path

        return photo_path(self)


class WorkingHours(models.Model):
    """A weekly working period of a therapist at one clinic, in that clinic's wall-clock time."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["therapist", "weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")), name="working_ends_after_starts"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_weekday_valid"),
        ]
        indexes = [models.Index(fields=["clinic", "therapist"])]

    def __str__(self) -> str:
        return f"{self.therapist} @ {self.clinic}: {self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Block(models.Model):
    """Time off or a block: a therapist away, a room out of use, or a whole clinic closed."""

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="blocks",
        help_text="Set alone to close the whole clinic.",
    )
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="blocks"
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="blocks"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="block_end_after_start"),
            models.CheckConstraint(
                condition=Q(clinic__isnull=False)
                | Q(therapist__isnull=False)
                | Q(room__isnull=False),
                name="block_has_subject",
            ),
        ]
        # The availability engine reads blocks overlapping a window for some therapists/rooms.
        indexes = [
            models.Index(fields=["therapist", "start"]),
            models.Index(fields=["room", "start"]),
        ]

    def __str__(self) -> str:
        subject = self.therapist or self.room or self.clinic
        return f"Block {subject}: {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M}"


class Modality(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    DRY_NEEDLING = "dry_needling", "Dry needling"
    SPORTS_MASSAGE = "sports_massage", "Sports massage"
    PNF_STRETCHING = "pnf_stretching", "PNF stretching"
    IASTM = "iastm", "Graston / IASTM"
    TAPING = "taping", "Taping"
    EXERCISE_REHAB = "exercise_rehab", "Exercise rehab"
    COMBINED = "combined", "Combined session"


class PatientType(models.TextChoices):
    ANY = "any", "New and returning patients"
    NEW = "new", "New patients only"
    FOLLOW_UP = "follow_up", "Returning patients only"


class Treatment(models.Model):
    """A bookable service at one clinic."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="treatments")
    name = models.CharField(max_length=120)
    modality = models.CharField(max_length=32, choices=Modality.choices)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    buffer_before_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(120)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(120)]
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    required_qualifications = models.ManyToManyField(
        Qualification,
        blank=True,
        related_name="treatments",
        help_text="The therapist must hold every one of these.",
    )
    required_room_features = models.ManyToManyField(
        RoomFeature,
        blank=True,
        related_name="treatments",
        help_text="The room must have every one of these.",
    )
    online_bookable = models.BooleanField(default=True)
    patient_type = models.CharField(
        max_length=16, choices=PatientType.choices, default=PatientType.ANY
    )
    capacity = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="1 for one-to-one; more for a class.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["clinic", "modality", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="treatment_capacity_positive"
            ),
            # The availability engine relies on these bounds (MAX_BLOCKED_SECONDS).
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="treatment_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(buffer_before_minutes__lte=120, buffer_after_minutes__lte=120),
                name="treatment_buffers_at_most_two_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    @property
    def is_group(self) -> bool:
        return self.capacity > 1


class Patient(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="patients", help_text="Home clinic."
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    consents_to_email = models.BooleanField(
        default=True, help_text="Appointment emails (confirmations always go out)."
    )
    consents_to_sms = models.BooleanField(default=False)
    consents_to_reminders = models.BooleanField(default=True)
    privacy_notice_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = AuditedHistory("patient", patient="pk")

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()


class StaffRole(models.TextChoices):
    RECEPTIONIST = "receptionist", "Receptionist"
    THERAPIST = "therapist", "Therapist"
    ADMIN = "admin", "Clinic admin"


class ClinicMembership(models.Model):
    """What a staff user may do at a clinic. A user may hold several roles at several clinics."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=StaffRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.clinic}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Legal status changes. Anything not listed is refused with 409 `illegal_transition`.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    BookingStatus.CONFIRMED: {
        BookingStatus.ARRIVED,
        BookingStatus.COMPLETED,
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
    },
    BookingStatus.ARRIVED: {BookingStatus.COMPLETED},
    BookingStatus.COMPLETED: set(),
    BookingStatus.CANCELLED: set(),
    BookingStatus.NO_SHOW: set(),
}

# Statuses that occupy the therapist, the room and a group place.
ACTIVE_STATUSES = [
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
]


class Channel(models.TextChoices):
    ONLINE = "online", "Online (patient)"
    RECEPTION = "reception", "Reception desk"
    PHONE = "phone", "Phone"
    THERAPIST = "therapist", "Therapist"
    PLAN = "plan", "Treatment plan"
    API = "api", "API"


class CancellationReason(models.TextChoices):
    FEELING_BETTER = "feeling_better", "Feeling better"
    CONDITION_WORSE = "condition_worse", "Condition worse"
    ILLNESS = "illness", "Unwell"
    AWAY = "away", "Away"
    WORK = "work", "Work"
    CLINIC = "clinic", "Cancelled by the clinic"
    RESCHEDULED_ELSEWHERE = "rebooked", "Rebooked another time"
    OTHER = "other", "Other"


class Booking(models.Model):
    """One patient's place in one session.

    `blocked_start`/`blocked_end` are the session plus the treatment's buffers: the time the
    therapist and the room are taken. `session_key` names the session (treatment, therapist, room,
    start): places in one group class share it, and nothing else may overlap a different session
    of the same therapist or room. On PostgreSQL exclusion constraints enforce that (migration
    0002); everywhere, (session_key, place) is unique and place <= capacity.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="bookings")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bookings")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="bookings")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="bookings")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    session_key = models.CharField(max_length=80)
    place = models.PositiveIntegerField(default=1)
    capacity = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.RECEPTION)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True, help_text="Administrative notes; no clinical content.")
    cancellation_reason = models.CharField(
        max_length=32, choices=CancellationReason.choices, blank=True
    )
    cancellation_note = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_late_cancellation = models.BooleanField(default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who made the latest change.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # `version` is bumped with an F() expression on save; the history's dates order the changes.
    history = AuditedHistory("booking", patient="patient_id", exclude=("version",))

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start")) & Q(blocked_end__gte=F("end")),
                name="booking_blocked_covers_session",
            ),
            models.CheckConstraint(
                condition=Q(place__gte=1) & Q(place__lte=F("capacity")),
                name="booking_place_within_capacity",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="booking_version_positive"),
            # One patient per place in a session, on every database.
            models.UniqueConstraint(
                fields=["session_key", "place"],
                condition=~Q(status="cancelled"),
                name="booking_one_patient_per_place",
            ),
        ]
        indexes = [
            # Availability reads active bookings overlapping a window, per therapist and per room.
            models.Index(fields=["therapist", "blocked_start"]),
            models.Index(fields=["room", "blocked_start"]),
            models.Index(fields=["blocked_start"]),
            models.Index(fields=["clinic", "start"]),
            models.Index(fields=["patient", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.patient} – {self.treatment.name} {self.start:%Y-%m-%d %H:%M}"

    @property
    def no_show_from(self):
        """When the patient may be marked as not attending: the start plus the clinic's grace."""
        return self.start + timedelta(minutes=self.clinic.no_show_grace_minutes)

    @property
    def is_active(self) -> bool:
        return self.status != BookingStatus.CANCELLED


def session_key_for(*, treatment_id: int, therapist_id: int, room_id: int, start) -> str:
    return f"{treatment_id}:{therapist_id}:{room_id}:{start.timestamp():.0f}"


class IdempotencyKey(models.Model):
    """A replayable response for a client-chosen Idempotency-Key (per user, per endpoint)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="idempotency_key_unique"
            )
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"

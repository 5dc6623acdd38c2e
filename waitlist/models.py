"""The waiting list: patients who want a treatment sooner than the diary can offer it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from booking.models import Booking, Clinic, Patient, Therapist, Treatment


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a slot"
    BOOKED = "booked", "Booked"
    REMOVED = "removed", "Removed"


class PartOfDay(models.TextChoices):
    ANY = "any", "Any time"
    MORNING = "morning", "Mornings (before 12:00)"
    AFTERNOON = "afternoon", "Afternoons (12:00–17:00)"
    EVENING = "evening", "Evenings (from 17:00)"


class WaitlistEntry(models.Model):
    """One patient waiting for one treatment, perhaps with one therapist, within some dates.

    When time frees up, `waitlist.services.offer_freed_slot` marks matching entries `offered` with the
    slot; reception then books it (`book_from_waitlist`) or puts the entry back to `waiting`.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="waitlist_entries")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: any qualified therapist.",
    )
    earliest = models.DateField(
        help_text="First day the patient can come, on the clinic's calendar."
    )
    latest = models.DateField(null=True, blank=True, help_text="Last day; empty means no limit.")
    part_of_day = models.CharField(max_length=16, choices=PartOfDay.choices, default=PartOfDay.ANY)
    notes = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    offered_start = models.DateTimeField(null=True, blank=True)
    offered_therapist = models.ForeignKey(
        Therapist, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when the waiting list lived in the web app, so the
        # move to this app (migration 0001, state only) kept every entry.
        db_table = "web_waitlistentry"
        ordering = ["created_at", "id"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(latest__isnull=True) | Q(latest__gte=F("earliest")),
                name="waitlist_latest_after_earliest",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offered_start__isnull=False),
                name="waitlist_offer_has_start",
            ),
            # One open entry per patient and treatment: a second would only be offered twice.
            models.UniqueConstraint(
                fields=["patient", "treatment"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry_per_treatment",
            ),
        ]
        # The diary panel and offer_freed_slot read a clinic's open entries.
        indexes = [models.Index(fields=["clinic", "status"], name="web_waitlis_clinic__670d2e_idx")]

    def __str__(self) -> str:
        return f"{self.patient} waiting for {self.treatment.name}"

    @property
    def is_open(self) -> bool:
        return self.status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)

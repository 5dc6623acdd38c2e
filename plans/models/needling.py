"""Dry-needling safety: the screening questionnaire as answered, and informed consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audit.history import AuditedHistory
from booking.models import Clinic, Patient


class NeedlingScreening(models.Model):
    """A dry-needling screening questionnaire, as answered, with what it revealed.

    Immutable once recorded (a change in health is a new screening); only the therapist's
    acknowledgement of the precautions is added later. See plans/clinical.py for the questions
    and their sources.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="needling_screenings"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    questionnaire_version = models.CharField(max_length=16)
    answers = models.JSONField(help_text="Question code -> yes/no.")
    absolute_contraindications = models.JSONField(default=list)
    relative_contraindications = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    screened_at = models.DateTimeField()
    valid_until = models.DateField()
    precautions_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    precautions_acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(
        blank=True, help_text="How the precautions change the treatment."
    )

    history = AuditedHistory(
        "screening",
        patient="patient_id",
        clinical=(
            "answers",
            "absolute_contraindications",
            "relative_contraindications",
            "notes",
            "acknowledgement_note",
        ),
    )

    class Meta:
        ordering = ["-screened_at", "-id"]
        indexes = [
            # The current screening: a patient's latest one.
            models.Index(fields=["patient", "-screened_at"]),
        ]

    def __str__(self) -> str:
        return f"Needling screening for {self.patient} on {self.screened_at:%Y-%m-%d}"

    @property
    def has_absolute(self) -> bool:
        return bool(self.absolute_contraindications)

    @property
    def needs_acknowledgement(self) -> bool:
        return bool(self.relative_contraindications) and self.precautions_acknowledged_at is None


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written"
    ELECTRONIC = "electronic", "Signed electronically"


class NeedlingConsent(models.Model):
    """Informed consent to dry needling given after a screening: who, when and to what."""

    screening = models.ForeignKey(
        NeedlingScreening, on_delete=models.PROTECT, related_name="consents"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    given_by = models.CharField(
        max_length=120, help_text="The name of the patient, or the parent or guardian."
    )
    by_guardian = models.BooleanField(
        default=False, help_text="Given by a parent or guardian (required under 16)."
    )
    given_at = models.DateTimeField()
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    scope = models.TextField(help_text="What was consented to: technique and areas.")
    information_version = models.CharField(
        max_length=40, blank=True, help_text="The information leaflet the patient read."
    )
    witnessed_by = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)

    history = AuditedHistory("consent", patient="patient_id", clinical=("scope", "withdrawal_note"))

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"Needling consent by {self.given_by} on {self.given_at:%Y-%m-%d}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None

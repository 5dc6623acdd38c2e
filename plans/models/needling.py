"""Dry-needling safety: the screening questionnaire as answered, and informed consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audit.history import AuditedHistory
from booking.models import Clinic, Patient


class NeedlingScreening(models.Model):
    """A dry-needling screening questionnaire, as answered, with what it revealed.

    A change in health is a new screening. A screening itself changes only when a clinician in
    the patient's care team corrects an answer (a mis-tap, a "not sure" resolved on the phone),
    always with a reason (ScreeningCorrection, and the change history); the therapist's
    acknowledgement of the precautions is added later. See plans/clinical.py for the questions
    and their sources.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="needling_screenings"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    questionnaire_version = models.CharField(max_length=16)
    answers = models.JSONField(
        help_text="Question code -> yes (true), no (false), not sure (null)."
    )
    absolute_contraindications = models.JSONField(default=list)
    relative_contraindications = models.JSONField(default=list)
    unsure = models.JSONField(
        default=list,
        help_text="Question codes answered 'not sure': a clinician resolves them with the "
        "patient (by correcting the answer) before needling.",
    )
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
            "unsure",
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

    @property
    def has_unsure(self) -> bool:
        return bool(self.unsure)

    @property
    def needs_review(self) -> bool:
        """Waiting for a clinician: a "not sure" to resolve or precautions to judge (the clinic
        phones the patient). An absolute contraindication is a decision, not a review."""
        return not self.has_absolute and (self.has_unsure or self.needs_acknowledgement)


class ScreeningCorrection(models.Model):
    """A clinician's correction of a screening's answers: who, when, why, and before/after.

    Append-only; the screening's change history records the same change field by field.
    """

    # A correction means nothing without its screening: it goes when the screening lawfully
    # goes (retention, erasure).
    screening = models.ForeignKey(
        NeedlingScreening, on_delete=models.CASCADE, related_name="corrections"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    corrected_at = models.DateTimeField()
    reason = models.TextField()
    before = models.JSONField(help_text="The changed answers as they were (code -> answer).")
    after = models.JSONField(help_text="The changed answers as corrected (code -> answer).")

    history = AuditedHistory(
        "screening_correction", patient="patient_id", clinical=("reason", "before", "after")
    )

    class Meta:
        ordering = ["-corrected_at", "-id"]

    def __str__(self) -> str:
        return f"Correction of screening {self.screening_id} on {self.corrected_at:%Y-%m-%d}"


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

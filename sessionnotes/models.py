"""Session notes: one SOAP note per attended session, with one structured record per modality,
the adverse events those records report, amendments after signing, safety alerts, and the
initial assessment of a plan's first session.

Records are stored one row per modality with the modality's data as validated JSON
(sessionnotes/modalities.py holds each shape): six modalities with nested sites, exercises and
events would be a dozen tables that every change to a shape migrates. What the database must
enforce is on the rows: one note per booking, one record per modality per note, NPRS 0-10,
and adverse events as rows of their own, so the clinic's safety list is a plain query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.history import AuditedHistory
from booking.models import Booking, Clinic, Patient, Therapist
from plans.models import TreatmentPlan

from .red_flags import Screen, Urgency
from .vocabulary import AdverseEventKind, NoteStatus, Onset, RecordKind, Severity

SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")


class SessionNote(models.Model):
    """What was found and done in one session, written by the therapist who treated."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="session_note")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="session_notes")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="session_notes")
    treatment_plan = models.ForeignKey(
        TreatmentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_notes",
        help_text="The plan the session belongs to (its planned session, else the open plan).",
    )
    treated_at = models.DateTimeField(help_text="When the session started.")
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True, help_text="What will be done next.")
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True)
    body_chart = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the entry was made.")
    updated_at = models.DateTimeField(auto_now=True)

    # `version` is bumped with an F() expression on save; the history's dates order the changes.
    history = AuditedHistory(
        "session_note",
        patient="patient_id",
        clinical=(*SOAP_FIELDS, "pain_before", "pain_after", "body_chart"),
        exclude=("version",),
    )

    class Meta:
        ordering = ["-treated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(pain_before__isnull=True) | Q(pain_before__lte=10))
                & (Q(pain_after__isnull=True) | Q(pain_after__lte=10)),
                name="note_pain_nprs_0_10",
            ),
            models.CheckConstraint(
                condition=Q(status__in=NoteStatus.values), name="note_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=NoteStatus.DRAFT)
                | (Q(signed_by__isnull=False) & Q(signed_at__isnull=False)),
                name="note_signed_has_signer",
            ),
        ]
        indexes = [
            # A patient's notes newest first (record, copy forward); a therapist's unsigned ones.
            models.Index(fields=["patient", "-treated_at"]),
            models.Index(fields=["therapist", "status"]),
        ]

    def __str__(self) -> str:
        return f"Note for {self.patient} on {self.treated_at:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.status != NoteStatus.DRAFT


class ModalityRecord(models.Model):
    """One modality done in the session, as that modality's structured record."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    data = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    history = AuditedHistory("session_record", patient="note.patient_id", clinical=("data",))

    class Meta:
        ordering = ["note", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "kind"], name="record_one_per_modality"),
            models.CheckConstraint(condition=Q(kind__in=RecordKind.values), name="record_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.note}"


class AdverseEvent(models.Model):
    """An adverse event a record reports (kept in step with the record's data while a draft)."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="adverse_events")
    record = models.ForeignKey(
        ModalityRecord,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        help_text="Empty for an event added by an amendment (the signed record stays as it was).",
    )
    modality = models.CharField(max_length=20, choices=RecordKind.choices)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=AdverseEventKind.choices)
    severity = models.CharField(max_length=12, choices=Severity.choices)
    onset = models.CharField(max_length=20, choices=Onset.choices, blank=True)
    action = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    history = AuditedHistory("adverse_event", patient="patient_id", clinical=("kind", "action"))

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["patient", "severity"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.severity})"


class SafetyAlert(models.Model):
    """A serious adverse event flagged on the plan and to its lead therapist, until reviewed.

    While open it appears in the clinic admins' safety list and warns whoever books the
    patient's next needling session.
    """

    adverse_event = models.OneToOneField(
        AdverseEvent, on_delete=models.CASCADE, related_name="alert"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    treatment_plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_therapist = models.ForeignKey(
        Therapist, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    history = AuditedHistory("safety_alert", patient="patient_id", clinical=("review_note",))

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["clinic", "reviewed_at"])]

    def __str__(self) -> str:
        return f"Safety alert for {self.patient} ({self.raised_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.reviewed_at is None


class Amendment(models.Model):
    """A correction to a signed note: what changed from what, and why. The original stays."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="amendments")
    reason = models.TextField()
    changes = models.JSONField(help_text="[{field, old, new}] in the order given.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    history = AuditedHistory(
        "note_amendment", patient="note.patient_id", clinical=("reason", "changes")
    )

    class Meta:
        ordering = ["note", "created_at", "id"]

    def __str__(self) -> str:
        return f"Amendment to {self.note} ({self.created_at:%Y-%m-%d})"


class InitialAssessment(models.Model):
    """The assessment part of a plan's first session note."""

    note = models.OneToOneField(
        SessionNote, on_delete=models.CASCADE, related_name="initial_assessment"
    )
    presenting_complaint = models.TextField(blank=True)
    case_history = models.TextField(blank=True, help_text="History of the complaint, PMH, drugs.")
    screen = models.CharField(max_length=16, choices=Screen.choices, blank=True)
    red_flags = models.JSONField(
        default=dict, blank=True, help_text="{code: {answer, note}} for the screen's flags."
    )
    baseline_outcomes = models.JSONField(default=list, blank=True)
    working_diagnosis = models.TextField(blank=True)
    red_flag_positive = models.BooleanField(
        default=False, help_text="Any red flag answered yes (kept in step with red_flags)."
    )
    referral_urgency = models.CharField(max_length=16, choices=Urgency.choices, blank=True)
    referral_destination = models.CharField(max_length=200, blank=True)
    referral_notes = models.TextField(blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    red_flags_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    red_flags_cleared_at = models.DateTimeField(null=True, blank=True)
    clearance_reasoning = models.TextField(blank=True)

    history = AuditedHistory(
        "initial_assessment",
        patient="note.patient_id",
        clinical=(
            "presenting_complaint",
            "case_history",
            "red_flags",
            "baseline_outcomes",
            "working_diagnosis",
            "referral_notes",
            "clearance_reasoning",
        ),
    )

    class Meta:
        indexes = [
            # Plan activation looks for a patient's positive screens not yet cleared.
            models.Index(fields=["red_flag_positive", "red_flags_cleared_at"]),
        ]

    def __str__(self) -> str:
        return f"Assessment in {self.note}"

    @property
    def awaits_clearance(self) -> bool:
        return self.red_flag_positive and self.red_flags_cleared_at is None


class AftercareAdvice(models.Model):
    """The advice a patient reads on their appointment page after a session, per modality, in
    the clinic's words. Without a row the shipped wording (sessionnotes/aftercare.py) is used;
    a row without a clinic is the wording for every clinic that has none of its own."""

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty to set the wording for every clinic without its own.",
    )
    modality = models.CharField(max_length=20, choices=RecordKind.choices)
    what_is_normal = models.TextField(help_text="What the patient may feel, and for how long.")
    self_care = models.TextField(blank=True, help_text="What helps in the next day or two.")
    when_to_call = models.TextField(help_text="When to call the clinic.")
    urgent = models.TextField(
        blank=True, help_text="When to seek urgent help (NHS 111, 999 or an emergency department)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "aftercare advice"
        verbose_name_plural = "aftercare advice"
        ordering = ["clinic_id", "modality"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "modality"], name="aftercare_one_per_clinic_modality"
            ),
            models.UniqueConstraint(
                fields=["modality"],
                condition=Q(clinic__isnull=True),
                name="aftercare_one_default_per_modality",
            ),
        ]

    def __str__(self) -> str:
        owner = self.clinic.name if self.clinic_id else "all clinics"
        return f"{self.get_modality_display()} aftercare ({owner})"

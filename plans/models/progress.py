"""What happens between sessions: home exercise logs and outcome measure scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.history import AuditedHistory
from booking.models import Booking

from .choices import OutcomeMeasure
from .plans import ExercisePrescription, TreatmentPlan


class ExerciseLog(models.Model):
    """One bout of a prescribed exercise that the patient reports doing."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="exercise_logs")
    # RESTRICT: what a patient reported doing is part of the record, so a prescription with logs
    # is stopped (stopped_on) rather than deleted; deleting the whole plan still cascades.
    prescription = models.ForeignKey(
        ExercisePrescription, on_delete=models.RESTRICT, related_name="logs"
    )
    performed_on = models.DateField()
    sets_done = models.PositiveSmallIntegerField()
    reps_done = models.PositiveSmallIntegerField(null=True, blank=True)
    load_used = models.CharField(max_length=80, blank=True)
    pain = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Pain during the exercise, NPRS 0-10."
    )
    note = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain__isnull=True) | Q(pain__lte=10), name="exercise_log_pain_scale"
            ),
        ]
        # Weekly adherence reads a plan's logs by date.
        indexes = [models.Index(fields=["plan", "performed_on"])]

    def __str__(self) -> str:
        return f"{self.prescription.exercise} on {self.performed_on}"


class OutcomeRecord(models.Model):
    """One score on an outcome measure, usually recorded at a session."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="outcomes")
    measure = models.CharField(max_length=8, choices=OutcomeMeasure.choices)
    label = models.CharField(
        max_length=80, blank=True, help_text="Which movement (ROM) or activity (PSFS)."
    )
    value = models.DecimalField(max_digits=6, decimal_places=2)
    items = models.JSONField(
        null=True, blank=True, help_text="Item responses the value was scored from."
    )
    recorded_on = models.DateField()
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_by_patient = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = AuditedHistory(
        "outcome",
        patient="plan.patient_id",
        clinical=("measure", "label", "value", "items", "notes"),
    )

    class Meta:
        ordering = ["plan", "measure", "label", "recorded_on", "id"]
        # Progress reads one plan's scores per measure in date order.
        indexes = [models.Index(fields=["plan", "measure", "recorded_on"])]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.value} on {self.recorded_on}"

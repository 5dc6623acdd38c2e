"""The exercise library and plan templates (the starting points for common conditions)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from booking.models import Clinic, Modality

from .choices import BodyRegion, Condition, ExercisePurpose

# --- exercise library -----------------------------------------------------------------------


class Exercise(models.Model):
    """An exercise in the library. No clinic: shared by every clinic; else that clinic's own."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="exercises"
    )
    name = models.CharField(max_length=120)
    body_region = models.CharField(max_length=20, choices=BodyRegion.choices)
    purpose = models.CharField(max_length=20, choices=ExercisePurpose.choices)
    instructions = models.TextField(help_text="Start position, how to do it, what to feel.")
    each_side = models.BooleanField(default=False, help_text="Sets and reps are per side.")
    default_sets = models.PositiveSmallIntegerField(default=3)
    default_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    default_hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    default_load = models.CharField(max_length=80, blank=True, help_text="e.g. body weight")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body_region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"], name="exercise_name_unique_per_clinic"
            ),
            # NULL clinics are distinct in a unique index, so the shared library needs its own.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(clinic__isnull=True),
                name="exercise_name_unique_in_library",
            ),
            models.CheckConstraint(
                condition=Q(default_reps__isnull=False) | Q(default_hold_seconds__isnull=False),
                name="exercise_has_reps_or_hold",
            ),
            models.CheckConstraint(condition=Q(default_sets__gte=1), name="exercise_sets_min"),
        ]

    def __str__(self) -> str:
        return self.name


# --- templates ------------------------------------------------------------------------------


class PlanTemplate(models.Model):
    """A starting point for a common condition. No clinic: offered at every clinic."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="plan_templates"
    )
    name = models.CharField(max_length=120)
    condition = models.CharField(max_length=32, choices=Condition.choices)
    description = models.TextField(blank=True, help_text="Rationale and evidence.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["condition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="template_name_per_clinic"),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(clinic__isnull=True),
                name="template_name_unique_in_library",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseFields(models.Model):
    """What a phase is, in a template and in a plan copied from it."""

    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    start_week = models.PositiveSmallIntegerField(default=1)
    weeks = models.PositiveSmallIntegerField(default=2)
    notes = models.TextField(blank=True, help_text="Aims and criteria to progress.")

    class Meta:
        abstract = True


class TemplatePhase(PhaseFields):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="phases")

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="template_phase_order"),
            models.CheckConstraint(
                condition=Q(start_week__gte=1) & Q(weeks__gte=1), name="template_phase_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template}: {self.name}"


class TemplateSession(models.Model):
    """In-clinic sessions of one modality in a template phase."""

    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="sessions")
    modality = models.CharField(max_length=32, choices=Modality.choices)
    alternative_modality = models.CharField(
        max_length=32,
        choices=Modality.choices,
        blank=True,
        help_text="Offered instead when the patient avoids this modality.",
    )
    sessions = models.PositiveSmallIntegerField(default=1)
    per_week = models.PositiveSmallIntegerField(default=1)
    min_gap_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: the modality's default."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["phase", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1) & Q(per_week__gte=1) & Q(per_week__lte=7),
                name="template_session_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.sessions} x {self.get_modality_display()}"


class TemplateExercise(models.Model):
    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(default=3)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(default=1)
    days_per_week = models.PositiveSmallIntegerField(default=7)
    load = models.CharField(max_length=80, blank=True)
    progression = models.TextField(blank=True)

    class Meta:
        ordering = ["phase", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                name="template_exercise_reps_or_hold",
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1)
                & Q(times_per_day__gte=1)
                & Q(days_per_week__gte=1)
                & Q(days_per_week__lte=7),
                name="template_exercise_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.exercise}"

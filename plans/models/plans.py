"""One patient's plan: goals, phases, in-clinic components, home exercise prescriptions and the
planned sessions with the bookings that hold them.

A plan session's state (to book, booked, attended, missed, to rebook) is derived from its
booking's status, so the booking app never needs to know about plans: cancelling a plan booking
simply makes its session "to rebook".
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audit.history import AuditedHistory
from booking.models import Booking, BookingStatus, Clinic, Modality, Patient, Therapist, Treatment

from .choices import OPEN_STATUSES, Condition, OutcomeMeasure, PainTolerance, PlanStatus
from .library import Exercise, PhaseFields, PlanTemplate


class TreatmentPlan(models.Model):
    """One patient's individual plan at one clinic, led by one therapist."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_plans")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="treatment_plans")
    lead_therapist = models.ForeignKey(
        Therapist, on_delete=models.PROTECT, related_name="led_plans"
    )
    template = models.ForeignKey(
        PlanTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    title = models.CharField(max_length=120, blank=True)
    condition = models.CharField(max_length=32, choices=Condition.choices)
    condition_notes = models.TextField(blank=True, help_text="Presentation, side, irritability.")
    start_date = models.DateField()
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)

    # The patient's preferences; the builder and the scheduler honour them.
    avoid_modalities = models.JSONField(
        default=list, blank=True, help_text="Modality codes the patient does not want."
    )
    pain_tolerance = models.CharField(
        max_length=10, choices=PainTolerance.choices, default=PainTolerance.MODERATE
    )
    preferred_weekdays = models.JSONField(
        default=list, blank=True, help_text="0 = Monday ... 6 = Sunday; empty: any day."
    )
    preferred_time_from = models.TimeField(null=True, blank=True)
    preferred_time_to = models.TimeField(null=True, blank=True)
    preferred_therapist = models.ForeignKey(
        Therapist, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    preference_notes = models.TextField(blank=True)
    # Colleagues who treat the patient under this plan besides the lead (a second therapist
    # for the massage sessions, say). Being on it puts them in the patient's care team
    # (plans/access.py), so they read the plan's clinical content.
    care_team = models.ManyToManyField(
        Therapist,
        blank=True,
        related_name="plans_in_care_team",
        help_text="Other therapists who treat the patient under this plan.",
    )

    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Completed or discontinued.")
    discontinued_reason = models.TextField(blank=True)
    # The discharge summary, written when the plan is completed. The patient reads it on their
    # plan page, so it is written for them: plain words, no abbreviations.
    discharge_outcome = models.TextField(
        blank=True, help_text="How the patient did against their goals, in plain words."
    )
    discharge_advice = models.TextField(
        blank=True, help_text="What to keep doing at home, and what to avoid."
    )
    discharge_follow_up = models.TextField(
        blank=True, help_text="When to come back or get in touch, and who to contact."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = AuditedHistory(
        "plan",
        patient="patient_id",
        clinical=(
            "title",
            "condition",
            "condition_notes",
            "discontinued_reason",
            "preference_notes",
            "discharge_outcome",
            "discharge_advice",
            "discharge_follow_up",
        ),
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_time_from__isnull=True)
                | Q(preferred_time_to__isnull=True)
                | Q(preferred_time_to__gt=F("preferred_time_from")),
                name="plan_preferred_times_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
        ]
        indexes = [
            # Plans a patient or a clinic has open are the everyday listing.
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["clinic", "status"]),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_condition_display()} plan for {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def week_start(self, week: int) -> date:
        """The first day of plan week `week` (week 1 starts on the start date)."""
        return self.start_date + timedelta(weeks=week - 1)


class PlanGoal(models.Model):
    """What the patient wants to achieve, optionally as a target on an outcome measure."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(max_length=200)
    measure = models.CharField(max_length=8, choices=OutcomeMeasure.choices, blank=True)
    label = models.CharField(
        max_length=80, blank=True, help_text="Which movement (ROM) or activity (PSFS)."
    )
    target_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)

    history = AuditedHistory(
        "plan_goal",
        patient="plan.patient_id",
        clinical=("description", "measure", "label", "target_value", "target_date"),
    )

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | ~Q(measure=""),
                name="goal_target_needs_measure",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class PlanPhase(PhaseFields):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="phases")

    history = AuditedHistory("plan_phase", patient="plan.patient_id", clinical=("notes",))

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="plan_phase_order"),
            models.CheckConstraint(
                condition=Q(start_week__gte=1) & Q(weeks__gte=1), name="plan_phase_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.name}"

    @property
    def end_week(self) -> int:
        """The last plan week of the phase."""
        return self.start_week + self.weeks - 1


class SessionComponent(models.Model):
    """`sessions` in-clinic sessions of one treatment, `per_week` a week, in one phase."""

    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="components")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="+")
    sessions = models.PositiveSmallIntegerField()
    per_week = models.PositiveSmallIntegerField(default=1)
    min_gap_hours = models.PositiveSmallIntegerField(
        help_text="At least this long between sessions of this modality."
    )
    substituted_for = models.CharField(
        max_length=32,
        choices=Modality.choices,
        blank=True,
        help_text="The template's modality this replaced, honouring the patient's preference.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["phase", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1) & Q(per_week__gte=1) & Q(per_week__lte=7),
                name="component_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.sessions} x {self.treatment.name}"


class ExercisePrescription(models.Model):
    """A home exercise in a phase: dose, frequency, load and how to progress."""

    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="prescriptions")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="prescriptions")
    sets = models.PositiveSmallIntegerField(default=3)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(default=1)
    days_per_week = models.PositiveSmallIntegerField(default=7)
    load = models.CharField(max_length=80, blank=True)
    progression = models.TextField(blank=True, help_text="When and how to make it harder.")
    notes = models.TextField(blank=True)
    stopped_on = models.DateField(
        null=True, blank=True, help_text="Stopped early: not prescribed after this day."
    )

    class Meta:
        ordering = ["phase", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                name="prescription_reps_or_hold",
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1)
                & Q(times_per_day__gte=1)
                & Q(days_per_week__gte=1)
                & Q(days_per_week__lte=7),
                name="prescription_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.phase})"

    @property
    def per_week(self) -> int:
        """How many times a week the patient is asked to do it."""
        return self.times_per_day * self.days_per_week


class SessionState(models.TextChoices):
    TO_BOOK = "to_book", "To book"
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    TO_REBOOK = "to_rebook", "To rebook"


_STATE_OF_BOOKING = {
    BookingStatus.CONFIRMED: SessionState.BOOKED,
    BookingStatus.ARRIVED: SessionState.BOOKED,
    BookingStatus.COMPLETED: SessionState.ATTENDED,
    BookingStatus.NO_SHOW: SessionState.MISSED,
    BookingStatus.CANCELLED: SessionState.TO_REBOOK,
}

# Sessions the scheduler books: never booked, or their booking was cancelled.
SCHEDULABLE_STATES = (SessionState.TO_BOOK, SessionState.TO_REBOOK)


class PlanSession(models.Model):
    """The n-th planned session of a component, and the booking that holds it (if any).

    Rebooking a cancelled session points `booking` at the new booking; the cancelled one stays
    in the diary's history.
    """

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="sessions")
    component = models.ForeignKey(
        SessionComponent, on_delete=models.CASCADE, related_name="planned_sessions"
    )
    sequence = models.PositiveSmallIntegerField()
    booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_session"
    )

    class Meta:
        ordering = ["plan", "component__phase__order", "component_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["component", "sequence"], name="plan_session_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="plan_session_sequence_min"),
        ]

    def __str__(self) -> str:
        return f"{self.component} #{self.sequence}"

    @property
    def state(self) -> str:
        if self.booking is None:
            return SessionState.TO_BOOK
        return _STATE_OF_BOOKING[self.booking.status]

    def week(self) -> int:
        """The plan week this session is due in, spreading `per_week` sessions a week."""
        component = self.component
        return component.phase.start_week + (self.sequence - 1) // component.per_week

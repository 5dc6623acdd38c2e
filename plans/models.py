"""Treatment plans: phases of in-clinic sessions and home exercise, the sessions' bookings,
dry-needling screening and consent, exercise logs and outcome measures.

A plan session's state (to book, booked, attended, missed, to rebook) is derived from its
booking's status, so the booking app never needs to know about plans: cancelling a plan booking
simply makes its session "to rebook".
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from booking.models import Booking, BookingStatus, Clinic, Modality, Patient, Therapist, Treatment


class Condition(models.TextChoices):
    MYOFASCIAL_PAIN = "myofascial_pain", "Myofascial pain syndrome"
    TENSION_TYPE_HEADACHE = "tension_type_headache", "Tension-type headache"
    LOW_BACK_PAIN = "low_back_pain", "Low back pain"
    NECK_PAIN = "neck_pain", "Neck pain"
    SHOULDER_PAIN = "shoulder_pain", "Shoulder pain"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    TENDINOPATHY = "tendinopathy", "Tendinopathy"
    MUSCLE_STRAIN = "muscle_strain", "Muscle strain"
    LIGAMENT_SPRAIN = "ligament_sprain", "Ligament sprain"
    OTHER = "other", "Other"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"


# Legal status changes; anything else is refused with 409 `illegal_plan_transition`.
PLAN_TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.ACTIVE, PlanStatus.DISCONTINUED},
    PlanStatus.ACTIVE: {PlanStatus.COMPLETED, PlanStatus.DISCONTINUED},
    PlanStatus.COMPLETED: set(),
    PlanStatus.DISCONTINUED: set(),
}

OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


class PainTolerance(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class OutcomeMeasure(models.TextChoices):
    NPRS = "nprs", "Pain (NPRS 0-10)"
    PSFS = "psfs", "Patient-Specific Functional Scale"
    ODI = "odi", "Oswestry Disability Index"
    NDI = "ndi", "Neck Disability Index"
    ROM = "rom", "Range of motion (degrees)"


class BodyRegion(models.TextChoices):
    NECK = "neck", "Neck"
    SHOULDER = "shoulder", "Shoulder"
    ELBOW_WRIST_HAND = "elbow_wrist_hand", "Elbow, wrist and hand"
    THORACIC = "thoracic", "Upper back"
    LUMBAR = "lumbar", "Lower back"
    HIP = "hip", "Hip"
    KNEE = "knee", "Knee"
    ANKLE_FOOT = "ankle_foot", "Ankle and foot"
    WHOLE_BODY = "whole_body", "Whole body"


class ExercisePurpose(models.TextChoices):
    MOBILITY = "mobility", "Mobility"
    STRETCH = "stretch", "Stretch"
    STRENGTH = "strength", "Strength"
    STABILITY = "stability", "Stability and control"
    LOADING = "loading", "Tendon loading"
    CONDITIONING = "conditioning", "Conditioning"


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


# --- plans ----------------------------------------------------------------------------------


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

    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Completed or discontinued.")
    discontinued_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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


# --- dry-needling safety --------------------------------------------------------------------


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

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"Needling consent by {self.given_by} on {self.given_at:%Y-%m-%d}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


# --- home exercise and outcomes -------------------------------------------------------------


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

    class Meta:
        ordering = ["plan", "measure", "label", "recorded_on", "id"]
        # Progress reads one plan's scores per measure in date order.
        indexes = [models.Index(fields=["plan", "measure", "recorded_on"])]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.value} on {self.recorded_on}"

"""Request and response shapes of plans: creating, tailoring and reading them.
No rules here: views hand data to services.
"""

from __future__ import annotations

from datetime import date, timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Modality
from booking.serializers import local_iso

from ..models import (
    Condition,
    ExercisePrescription,
    OutcomeMeasure,
    PainTolerance,
    PlanGoal,
    PlanPhase,
    PlanSession,
    SessionComponent,
    SessionState,
    TreatmentPlan,
)
from .screenings import ClearanceOut, clearance_data

MAX_SESSIONS = 60


MAX_WEEKS = 52


class PreferencesIn(serializers.Serializer):
    avoid_modalities = serializers.ListField(
        child=serializers.ChoiceField(choices=Modality.choices),
        required=False,
        max_length=len(Modality.choices),
        help_text='Modalities the patient does not want: ["dry_needling"] for "avoid needles".',
    )
    pain_tolerance = serializers.ChoiceField(choices=PainTolerance.choices, required=False)
    preferred_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        max_length=7,
        help_text="0 = Monday ... 6 = Sunday; empty for any day.",
    )
    preferred_time_from = serializers.TimeField(required=False, allow_null=True)
    preferred_time_to = serializers.TimeField(required=False, allow_null=True)
    preferred_therapist = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs):
        start, end = attrs.get("preferred_time_from"), attrs.get("preferred_time_to")
        if start and end and end <= start:
            raise serializers.ValidationError(
                {"preferred_time_to": ["Must be after preferred_time_from."]}
            )
        return attrs


class GoalIn(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    measure = serializers.ChoiceField(
        choices=OutcomeMeasure.choices, required=False, allow_blank=True, default=""
    )
    label = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")
    target_value = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    target_date = serializers.DateField(required=False, allow_null=True)


class ComponentIn(serializers.Serializer):
    treatment = serializers.IntegerField(min_value=1)
    sessions = serializers.IntegerField(min_value=1, max_value=MAX_SESSIONS)
    per_week = serializers.IntegerField(min_value=1, max_value=7, default=1)
    min_gap_hours = serializers.IntegerField(
        min_value=0,
        max_value=24 * 14,
        required=False,
        allow_null=True,
        help_text="Hours between sessions of this modality (default 48 for needling, else 24).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ComponentAddIn(ComponentIn):
    phase = serializers.IntegerField(min_value=1)


class ComponentChangeIn(serializers.Serializer):
    treatment = serializers.IntegerField(min_value=1, required=False)
    sessions = serializers.IntegerField(min_value=1, max_value=MAX_SESSIONS, required=False)
    per_week = serializers.IntegerField(min_value=1, max_value=7, required=False)
    min_gap_hours = serializers.IntegerField(min_value=0, max_value=24 * 14, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PrescriptionIn(serializers.Serializer):
    exercise = serializers.IntegerField(min_value=1)
    sets = serializers.IntegerField(min_value=1, max_value=20, required=False, allow_null=True)
    reps = serializers.IntegerField(min_value=1, max_value=200, required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True
    )
    times_per_day = serializers.IntegerField(min_value=1, max_value=10, default=1)
    days_per_week = serializers.IntegerField(min_value=1, max_value=7, default=7)
    load = serializers.CharField(
        required=False, allow_null=True, max_length=80, help_text="e.g. '5 kg', 'red band'."
    )
    progression = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PrescriptionAddIn(PrescriptionIn):
    phase = serializers.IntegerField(min_value=1)


class PrescriptionChangeIn(serializers.Serializer):
    sets = serializers.IntegerField(min_value=1, max_value=20, required=False)
    reps = serializers.IntegerField(min_value=1, max_value=200, required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True
    )
    times_per_day = serializers.IntegerField(min_value=1, max_value=10, required=False)
    days_per_week = serializers.IntegerField(min_value=1, max_value=7, required=False)
    load = serializers.CharField(required=False, allow_blank=True, max_length=80)
    progression = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    stopped_on = serializers.DateField(
        required=False, allow_null=True, help_text="Stop the exercise after this day."
    )


class PhaseIn(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, default=2)
    start_week = serializers.IntegerField(
        min_value=1,
        max_value=MAX_WEEKS,
        required=False,
        allow_null=True,
        help_text="Plan week the phase starts in; default: after the previous phase.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    components = ComponentIn(many=True, required=False, default=list)
    prescriptions = PrescriptionIn(many=True, required=False, default=list)


class PhaseChangeIn(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, required=False)
    start_week = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class PlanCreateIn(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1)
    condition = serializers.ChoiceField(choices=Condition.choices)
    template = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Copy this template's phases and exercises, tailored to the preferences.",
    )
    clinic = serializers.IntegerField(
        min_value=1, required=False, help_text="Default: the patient's home clinic."
    )
    lead_therapist = serializers.IntegerField(
        min_value=1, required=False, help_text="Default: you."
    )
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    condition_notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=4000
    )
    start_date = serializers.DateField(required=False, help_text="Default: today.")
    preferences = PreferencesIn(required=False)
    goals = GoalIn(many=True, required=False, default=list)
    phases = PhaseIn(
        many=True, required=False, default=list, help_text="Without a template: the plan's phases."
    )


class PlanUpdateIn(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    condition = serializers.ChoiceField(choices=Condition.choices, required=False)
    condition_notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    start_date = serializers.DateField(required=False, help_text="Only while the plan is a draft.")
    lead_therapist = serializers.IntegerField(min_value=1, required=False)
    preferences = PreferencesIn(required=False)


class DiscontinueIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GoalOut(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "description", "measure", "label", "target_value", "target_date"]
        read_only_fields = fields


class ComponentOut(serializers.ModelSerializer):
    treatment_name = serializers.CharField(source="treatment.name", read_only=True)
    # Blank ("") unless the modality replaced a template's; the schema lists "" too.
    substituted_for = serializers.ChoiceField(
        choices=Modality.choices, allow_blank=True, read_only=True
    )
    modality = serializers.ChoiceField(
        source="treatment.modality", choices=Modality.choices, read_only=True
    )

    class Meta:
        model = SessionComponent
        fields = [
            "id",
            "treatment",
            "treatment_name",
            "modality",
            "sessions",
            "per_week",
            "min_gap_hours",
            "substituted_for",
            "notes",
        ]
        read_only_fields = fields


class PrescriptionOut(serializers.ModelSerializer):
    exercise_name = serializers.CharField(source="exercise.name", read_only=True)
    instructions = serializers.CharField(source="exercise.instructions", read_only=True)
    each_side = serializers.BooleanField(source="exercise.each_side", read_only=True)

    class Meta:
        model = ExercisePrescription
        fields = [
            "id",
            "exercise",
            "exercise_name",
            "instructions",
            "each_side",
            "sets",
            "reps",
            "hold_seconds",
            "times_per_day",
            "days_per_week",
            "load",
            "progression",
            "notes",
            "stopped_on",
        ]
        read_only_fields = fields


class PhaseOut(serializers.ModelSerializer):
    end_week = serializers.IntegerField(read_only=True)
    components = ComponentOut(many=True, read_only=True)
    prescriptions = PrescriptionOut(many=True, read_only=True)

    class Meta:
        model = PlanPhase
        fields = [
            "id",
            "order",
            "name",
            "start_week",
            "weeks",
            "end_week",
            "notes",
            "components",
            "prescriptions",
        ]
        read_only_fields = fields


class PlanSessionOut(serializers.ModelSerializer):
    """A planned session and its booking: scheduling facts only (reception sees these)."""

    phase = serializers.IntegerField(source="component.phase_id", read_only=True)
    treatment = serializers.IntegerField(source="component.treatment_id", read_only=True)
    treatment_name = serializers.CharField(source="component.treatment.name", read_only=True)
    week = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=SessionState.choices, read_only=True)
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    therapist = serializers.SerializerMethodField()

    class Meta:
        model = PlanSession
        fields = [
            "id",
            "phase",
            "component",
            "treatment",
            "treatment_name",
            "sequence",
            "week",
            "state",
            "booking",
            "start",
            "end",
            "therapist",
        ]
        read_only_fields = fields

    def _live_booking(self, session):
        booking = session.booking
        return booking if booking is not None and booking.is_active else None

    def get_start(self, session) -> str | None:
        booking = self._live_booking(session)
        return local_iso(booking.start, session.plan.clinic.tz) if booking else None

    def get_end(self, session) -> str | None:
        booking = self._live_booking(session)
        return local_iso(booking.end, session.plan.clinic.tz) if booking else None

    def get_therapist(self, session) -> int | None:
        booking = self._live_booking(session)
        return booking.therapist_id if booking else None


class PreferencesOut(serializers.ModelSerializer):
    avoid_modalities = serializers.ListField(
        child=serializers.ChoiceField(choices=Modality.choices), read_only=True
    )
    preferred_weekdays = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    notes = serializers.CharField(source="preference_notes", read_only=True)

    class Meta:
        model = TreatmentPlan
        fields = [
            "avoid_modalities",
            "pain_tolerance",
            "preferred_weekdays",
            "preferred_time_from",
            "preferred_time_to",
            "preferred_therapist",
            "notes",
        ]
        read_only_fields = fields


CLINICAL_FIELDS = (
    "title",
    "condition",
    "condition_notes",
    "template",
    "preferences",
    "goals",
    "phases",
    "needling",
    "discontinued_reason",
)


class SessionCountsOut(serializers.Serializer):
    to_book = serializers.IntegerField()
    booked = serializers.IntegerField()
    attended = serializers.IntegerField()
    missed = serializers.IntegerField()
    to_rebook = serializers.IntegerField()


class PlanOut(serializers.ModelSerializer):
    """A plan. Clinical fields are null for viewers without clinical access (reception)."""

    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    lead_therapist_name = serializers.CharField(source="lead_therapist.full_name", read_only=True)
    end_date = serializers.SerializerMethodField()
    clinical_access = serializers.SerializerMethodField()
    session_counts = serializers.SerializerMethodField()
    sessions = PlanSessionOut(many=True, read_only=True)
    title = serializers.CharField(read_only=True, allow_null=True)
    condition = serializers.ChoiceField(choices=Condition.choices, read_only=True, allow_null=True)
    condition_notes = serializers.CharField(read_only=True, allow_null=True)
    template = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    preferences = PreferencesOut(source="*", read_only=True, allow_null=True)
    goals = GoalOut(many=True, read_only=True, allow_null=True)
    phases = PhaseOut(many=True, read_only=True, allow_null=True)
    needling = serializers.SerializerMethodField(
        help_text="The patient's dry-needling clearance (single plans only; null in lists)."
    )
    discontinued_reason = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = TreatmentPlan
        fields = [
            "id",
            "patient",
            "patient_name",
            "clinic",
            "lead_therapist",
            "lead_therapist_name",
            "status",
            "start_date",
            "end_date",
            "activated_at",
            "closed_at",
            "created_at",
            "updated_at",
            "clinical_access",
            "session_counts",
            "sessions",
            *CLINICAL_FIELDS,
        ]
        read_only_fields = fields

    def _clinical(self, plan) -> bool:
        return self.context["clinical"](plan)

    def get_end_date(self, plan) -> date | None:
        last_week = max((phase.end_week for phase in plan.phases.all()), default=None)
        return plan.week_start(last_week + 1) - timedelta(days=1) if last_week else None

    def get_clinical_access(self, plan) -> bool:
        return self._clinical(plan)

    @extend_schema_field(SessionCountsOut)
    def get_session_counts(self, plan) -> dict:
        counts = dict.fromkeys(SessionState.values, 0)
        for session in plan.sessions.all():
            counts[session.state] += 1
        return counts

    @extend_schema_field(ClearanceOut(allow_null=True))
    def get_needling(self, plan) -> dict | None:
        clearance = self.context.get("clearance")
        if clearance is None or not self._clinical(plan):
            return None
        return clearance_data(plan.patient_id, clearance(plan))

    def to_representation(self, plan):
        data = super().to_representation(plan)
        tz = plan.clinic.tz
        for name in ("activated_at", "closed_at", "created_at", "updated_at"):
            data[name] = local_iso(getattr(plan, name), tz)
        if not self._clinical(plan):
            for name in CLINICAL_FIELDS:
                data[name] = None
        return data

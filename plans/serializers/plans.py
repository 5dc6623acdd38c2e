"""Request and response shapes of plans: creating, changing and reading them (their phases,
components and prescriptions: parts.py).
No rules here: views hand data to services.
"""

from __future__ import annotations

from datetime import date, timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Modality
from booking.serializers import InClinicTime, local_iso

from ..models import (
    Condition,
    OutcomeMeasure,
    PainTolerance,
    PlanGoal,
    PlanSession,
    SessionState,
    TreatmentPlan,
)
from .parts import PhaseIn, PhaseOut
from .screenings import ClearanceOut, clearance_data


def care_team_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=20,
        help_text="Therapist ids: other therapists of the clinic who treat the patient under "
        "this plan (they join the patient's care team).",
    )


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
    care_team = care_team_field()
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
    care_team = care_team_field()
    preferences = PreferencesIn(required=False)


class CompleteIn(serializers.Serializer):
    """The discharge summary (optional here; the patient reads it on their plan page)."""

    outcome = serializers.CharField(
        required=False,
        max_length=4000,
        help_text="How the patient did against their goals, in plain words.",
    )
    advice = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    follow_up = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DiscontinueIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GoalOut(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "description", "measure", "label", "target_value", "target_date"]
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
    "care_team",
    "discharge",
)


class SessionCountsOut(serializers.Serializer):
    to_book = serializers.IntegerField()
    booked = serializers.IntegerField()
    attended = serializers.IntegerField()
    missed = serializers.IntegerField()
    to_rebook = serializers.IntegerField()


class DischargeOut(serializers.Serializer):
    outcome = serializers.CharField()
    advice = serializers.CharField()
    follow_up = serializers.CharField()


class PlanOut(InClinicTime, serializers.ModelSerializer):
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
    # Null as a whole (not item by item) for viewers without clinical access, as the others.
    care_team = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True),
        read_only=True,
        allow_null=True,
    )
    discharge = serializers.SerializerMethodField(
        help_text="The discharge summary once the plan is completed with one (else null)."
    )

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

    @extend_schema_field(DischargeOut(allow_null=True))
    def get_discharge(self, plan) -> dict | None:
        if not plan.discharge_outcome:
            return None
        return {
            "outcome": plan.discharge_outcome,
            "advice": plan.discharge_advice,
            "follow_up": plan.discharge_follow_up,
        }

    @extend_schema_field(ClearanceOut(allow_null=True))
    def get_needling(self, plan) -> dict | None:
        clearance = self.context.get("clearance")
        if clearance is None or not self._clinical(plan):
            return None
        return clearance_data(plan.patient_id, clearance(plan))

    def to_representation(self, plan):
        data = super().to_representation(plan)
        if not self._clinical(plan):
            for name in CLINICAL_FIELDS:
                data[name] = None
        return data

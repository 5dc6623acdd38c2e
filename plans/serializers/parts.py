"""Request and response shapes of a plan's pieces: phases, in-clinic components and home
exercise prescriptions. No rules here: views hand data to services.
"""

from __future__ import annotations

from rest_framework import serializers

from booking.models import Modality

from ..models import ExercisePrescription, PlanPhase, SessionComponent

MAX_SESSIONS = 60
MAX_WEEKS = 52


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

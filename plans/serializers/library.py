"""Request and response shapes of the exercise library and plan templates.
No rules here: views hand data to services.
"""

from __future__ import annotations

from rest_framework import serializers

from booking.models import Modality

from ..models import (
    BodyRegion,
    Condition,
    Exercise,
    ExercisePurpose,
    PlanTemplate,
    TemplateExercise,
    TemplatePhase,
    TemplateSession,
)
from .parts import MAX_SESSIONS, MAX_WEEKS, PrescriptionIn


class TemplateSessionIn(serializers.Serializer):
    modality = serializers.ChoiceField(choices=Modality.choices)
    alternative_modality = serializers.ChoiceField(
        choices=Modality.choices, required=False, allow_blank=True, default=""
    )
    sessions = serializers.IntegerField(min_value=1, max_value=MAX_SESSIONS)
    per_week = serializers.IntegerField(min_value=1, max_value=7, default=1)
    min_gap_hours = serializers.IntegerField(
        min_value=0, max_value=24 * 14, required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TemplatePhaseIn(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, default=2)
    start_week = serializers.IntegerField(
        min_value=1, max_value=MAX_WEEKS, required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    sessions = TemplateSessionIn(many=True, required=False, default=list)
    exercises = PrescriptionIn(many=True, required=False, default=list)


class TemplateIn(serializers.Serializer):
    clinic = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Empty: every clinic (superusers only).",
    )
    name = serializers.CharField(max_length=120)
    condition = serializers.ChoiceField(choices=Condition.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=4000
    )
    phases = TemplatePhaseIn(many=True, min_length=1)


class ExerciseSerializer(serializers.ModelSerializer):
    """The exercise library (set-up data: no rules beyond the fields)."""

    body_region = serializers.ChoiceField(choices=BodyRegion.choices)
    purpose = serializers.ChoiceField(choices=ExercisePurpose.choices)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "clinic",
            "name",
            "body_region",
            "purpose",
            "instructions",
            "each_side",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_load",
            "is_active",
        ]

    def validate(self, attrs):
        reps = attrs.get("default_reps", getattr(self.instance, "default_reps", None))
        hold = attrs.get(
            "default_hold_seconds", getattr(self.instance, "default_hold_seconds", None)
        )
        if reps is None and hold is None:
            raise serializers.ValidationError(
                {"default_reps": ["Give default reps or a default hold time."]}
            )
        return attrs


class TemplateSessionOut(serializers.ModelSerializer):
    class Meta:
        model = TemplateSession
        fields = [
            "id",
            "modality",
            "alternative_modality",
            "sessions",
            "per_week",
            "min_gap_hours",
            "notes",
        ]
        read_only_fields = fields


class TemplateExerciseOut(serializers.ModelSerializer):
    exercise_name = serializers.CharField(source="exercise.name", read_only=True)

    class Meta:
        model = TemplateExercise
        fields = [
            "id",
            "exercise",
            "exercise_name",
            "sets",
            "reps",
            "hold_seconds",
            "times_per_day",
            "days_per_week",
            "load",
            "progression",
        ]
        read_only_fields = fields


class TemplatePhaseOut(serializers.ModelSerializer):
    sessions = TemplateSessionOut(many=True, read_only=True)
    exercises = TemplateExerciseOut(many=True, read_only=True)

    class Meta:
        model = TemplatePhase
        fields = ["id", "order", "name", "start_week", "weeks", "notes", "sessions", "exercises"]
        read_only_fields = fields


class TemplateOut(serializers.ModelSerializer):
    phases = TemplatePhaseOut(many=True, read_only=True)

    class Meta:
        model = PlanTemplate
        fields = ["id", "clinic", "name", "condition", "description", "is_active", "phases"]
        read_only_fields = fields

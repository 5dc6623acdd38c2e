"""Request and response shapes of exercise logs, outcome measures, progress and adherence.
No rules here: views hand data to services.
"""

from __future__ import annotations

from rest_framework import serializers

from ..clinical import ADHERENCE_TARGET_PERCENT
from ..models import (
    ExerciseLog,
    OutcomeMeasure,
    OutcomeRecord,
)


class ExerciseLogIn(serializers.Serializer):
    prescription = serializers.IntegerField(min_value=1)
    performed_on = serializers.DateField(required=False, help_text="Default: today.")
    sets_done = serializers.IntegerField(min_value=0, max_value=50)
    reps_done = serializers.IntegerField(
        min_value=0, max_value=500, required=False, allow_null=True
    )
    load_used = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)
    pain = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True, help_text="NPRS 0-10."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OutcomeIn(serializers.Serializer):
    measure = serializers.ChoiceField(choices=OutcomeMeasure.choices)
    value = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=10),
        required=False,
        allow_null=True,
        max_length=10,
        help_text="Instead of value: ODI/NDI section scores (0-5) or PSFS activity scores (0-10).",
    )
    label = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=80,
        help_text="The movement (ROM, required) or activity (PSFS).",
    )
    recorded_on = serializers.DateField(required=False, allow_null=True)
    booking = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="The session it was recorded at."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, attrs):
        if attrs.get("value") is None and not attrs.get("items"):
            raise serializers.ValidationError({"value": ["Give the score or the item responses."]})
        return attrs


class ProgressPointOut(serializers.Serializer):
    recorded_on = serializers.DateField()
    value = serializers.DecimalField(max_digits=6, decimal_places=2)
    change = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="From baseline.")


class MeasureProgressOut(serializers.Serializer):
    measure = serializers.ChoiceField(choices=OutcomeMeasure.choices)
    label = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    scale_min = serializers.DecimalField(max_digits=6, decimal_places=2)
    scale_max = serializers.DecimalField(max_digits=6, decimal_places=2)
    mcid = serializers.DecimalField(max_digits=6, decimal_places=2)
    mcid_percent = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    mcid_source = serializers.CharField()
    baseline = ProgressPointOut()
    latest = ProgressPointOut()
    change = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text="Latest minus baseline."
    )
    percent_change = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    improvement = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text="Change in the better direction."
    )
    mcid_threshold = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text="The score that is a clinically important improvement on the baseline.",
    )
    mcid_reached = serializers.BooleanField()
    target = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    target_reached = serializers.BooleanField(allow_null=True)
    points = ProgressPointOut(many=True)


def measure_progress_data(progress) -> dict:
    measure = progress.measure
    return {
        "measure": measure.code,
        "label": progress.label,
        "name": measure.name,
        "unit": measure.unit,
        "higher_is_better": measure.higher_is_better,
        "scale_min": measure.scale_min,
        "scale_max": measure.scale_max,
        "mcid": measure.mcid,
        "mcid_percent": measure.mcid_percent,
        "mcid_source": measure.source,
        "baseline": vars(progress.baseline),
        "latest": vars(progress.latest),
        "change": progress.change,
        "percent_change": progress.percent_change,
        "improvement": progress.improvement,
        "mcid_threshold": progress.mcid_threshold,
        "mcid_reached": progress.mcid_reached,
        "target": progress.target,
        "target_reached": progress.target_reached,
        "points": [vars(point) for point in progress.points],
    }


class ProgressOut(serializers.Serializer):
    plan = serializers.IntegerField()
    measures = MeasureProgressOut(many=True)


class AdherenceExerciseOut(serializers.Serializer):
    prescription = serializers.IntegerField()
    exercise = serializers.CharField()
    prescribed = serializers.IntegerField()
    completed = serializers.IntegerField()


class AdherenceWeekOut(serializers.Serializer):
    week = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    prescribed = serializers.IntegerField(help_text="Bouts prescribed that week.")
    completed = serializers.IntegerField(
        help_text="Logged bouts, at most the prescribed per exercise."
    )
    percent = serializers.IntegerField(allow_null=True)
    meets_target = serializers.BooleanField(
        allow_null=True, help_text=f">= {ADHERENCE_TARGET_PERCENT}%; null while the week runs."
    )
    in_progress = serializers.BooleanField()
    by_exercise = AdherenceExerciseOut(many=True)


def adherence_week_data(week) -> dict:
    return {
        "week": week.week,
        "starts_on": week.starts_on,
        "ends_on": week.ends_on,
        "prescribed": week.prescribed,
        "completed": week.completed,
        "percent": week.percent,
        "meets_target": week.meets_target,
        "in_progress": week.in_progress,
        "by_exercise": week.by_exercise,
    }


class AdherenceOut(serializers.Serializer):
    plan = serializers.IntegerField()
    target_percent = serializers.IntegerField()
    weeks = AdherenceWeekOut(many=True)


class ExerciseLogOut(serializers.ModelSerializer):
    exercise_name = serializers.CharField(source="prescription.exercise.name", read_only=True)

    class Meta:
        model = ExerciseLog
        fields = [
            "id",
            "prescription",
            "exercise_name",
            "performed_on",
            "sets_done",
            "reps_done",
            "load_used",
            "pain",
            "note",
            "logged_by",
            "created_at",
        ]
        read_only_fields = fields


class OutcomeOut(serializers.ModelSerializer):
    class Meta:
        model = OutcomeRecord
        fields = [
            "id",
            "measure",
            "label",
            "value",
            "items",
            "recorded_on",
            "booking",
            "reported_by_patient",
            "recorded_by",
            "notes",
            "created_at",
        ]
        read_only_fields = fields

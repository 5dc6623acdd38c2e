"""Request and response shapes of scheduling a plan. No rules here: views hand data to services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.serializers import AwareDateTimeField, LocalDateTimeField


class RequestedSessionIn(serializers.Serializer):
    session = serializers.IntegerField(min_value=1)
    start = AwareDateTimeField()
    therapist = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ScheduleIn(serializers.Serializer):
    confirm = serializers.BooleanField(
        default=False, help_text="false: propose times; true: book them."
    )
    sessions = RequestedSessionIn(
        many=True,
        required=False,
        help_text="With confirm: book these times (an adjusted proposal) instead.",
    )

    def validate_sessions(self, value):
        ids = [item["session"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Give each session once.")
        return value


class ScheduledAlternativeOut(serializers.Serializer):
    """A free slot offered instead (booking.availability.Slot)."""

    start = LocalDateTimeField()
    end = LocalDateTimeField()
    therapist = serializers.IntegerField(source="therapist_id")
    room = serializers.IntegerField(source="room_id")


class ProblemOut(serializers.Serializer):
    code = serializers.CharField(
        source="problem_code",
        help_text="no_free_time, spacing, needling_not_cleared, or a booking error code.",
    )
    message = serializers.CharField(source="problem")


class ScheduledSessionOut(serializers.Serializer):
    """A proposed, booked or failed session (plans.services.ProposedSession); times in the
    clinic's zone (context: tz)."""

    session = serializers.IntegerField(source="session.pk")
    component = serializers.IntegerField(source="session.component_id")
    phase = serializers.IntegerField(source="session.component.phase_id")
    treatment = serializers.IntegerField(source="session.component.treatment_id")
    treatment_name = serializers.CharField(source="session.component.treatment.name")
    sequence = serializers.IntegerField(source="session.sequence")
    week = serializers.IntegerField()
    start = LocalDateTimeField(allow_null=True)
    end = LocalDateTimeField(allow_null=True)
    therapist = serializers.IntegerField(source="therapist_id", allow_null=True)
    room = serializers.IntegerField(source="room_id", allow_null=True)
    preferences_met = serializers.BooleanField()
    booking = serializers.IntegerField(source="booking.pk", allow_null=True)
    problem = serializers.SerializerMethodField()
    alternatives = ScheduledAlternativeOut(many=True)

    @extend_schema_field(ProblemOut(allow_null=True))
    def get_problem(self, proposed) -> dict | None:
        return ProblemOut(proposed).data if proposed.problem_code else None


class ScheduleOut(serializers.Serializer):
    """A proposal, or the sessions just booked (plans.services.Schedule; context: tz)."""

    plan = serializers.IntegerField(source="plan.pk")
    confirmed = serializers.BooleanField(help_text="true: the sessions are booked.")
    time_zone = serializers.CharField(source="plan.clinic.time_zone")
    sessions = ScheduledSessionOut(many=True)
    unscheduled = serializers.SerializerMethodField(help_text="Sessions without a free time.")

    def get_unscheduled(self, schedule) -> int:
        return len(schedule.unscheduled)

"""Request and response shapes of scheduling a plan. No rules here: views hand data to services."""

from __future__ import annotations

from rest_framework import serializers

from booking.serializers import AwareDateTimeField


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
    start = serializers.CharField()
    end = serializers.CharField()
    therapist = serializers.IntegerField()
    room = serializers.IntegerField()


class ProblemOut(serializers.Serializer):
    code = serializers.CharField(
        help_text="no_free_time, spacing, needling_not_cleared, or a booking error code."
    )
    message = serializers.CharField()


class ScheduledSessionOut(serializers.Serializer):
    session = serializers.IntegerField()
    component = serializers.IntegerField()
    phase = serializers.IntegerField()
    treatment = serializers.IntegerField()
    treatment_name = serializers.CharField()
    sequence = serializers.IntegerField()
    week = serializers.IntegerField()
    start = serializers.CharField(allow_null=True)
    end = serializers.CharField(allow_null=True)
    therapist = serializers.IntegerField(allow_null=True)
    room = serializers.IntegerField(allow_null=True)
    preferences_met = serializers.BooleanField()
    booking = serializers.IntegerField(allow_null=True)
    problem = ProblemOut(allow_null=True)
    alternatives = ScheduledAlternativeOut(many=True)


class ScheduleOut(serializers.Serializer):
    plan = serializers.IntegerField()
    confirmed = serializers.BooleanField(help_text="true: the sessions are booked.")
    time_zone = serializers.CharField()
    sessions = ScheduledSessionOut(many=True)
    unscheduled = serializers.IntegerField(help_text="Sessions without a free time.")

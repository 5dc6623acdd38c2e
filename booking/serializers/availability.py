"""Shapes of the availability search: its query and the slots it answers."""

from __future__ import annotations

from rest_framework import serializers

from .fields import WindowBoundField


class SlotOut(serializers.Serializer):
    start = serializers.CharField(help_text="ISO 8601 with the clinic's UTC offset.")
    end = serializers.CharField(help_text="ISO 8601 with the clinic's UTC offset.")
    therapist = serializers.IntegerField()
    room = serializers.IntegerField()
    places_left = serializers.IntegerField(
        help_text="1 for a free one-to-one slot; group places left."
    )
    capacity = serializers.IntegerField()


class AvailabilityOut(serializers.Serializer):
    treatment = serializers.IntegerField()
    clinic = serializers.IntegerField()
    time_zone = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()
    slots = SlotOut(many=True)


class AvailabilityQuery(serializers.Serializer):
    treatment = serializers.IntegerField(min_value=1)
    start = WindowBoundField()
    end = WindowBoundField()
    therapist = serializers.IntegerField(min_value=1, required=False)
    clinic = serializers.IntegerField(min_value=1, required=False)

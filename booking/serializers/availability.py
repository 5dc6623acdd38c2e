"""Shapes of the availability search: its query and the slots it answers."""

from __future__ import annotations

from rest_framework import serializers

from .fields import LocalDateTimeField, WindowBoundField


class SlotOut(serializers.Serializer):
    """One bookable slot (booking.availability.Slot); times in the clinic's zone."""

    start = LocalDateTimeField(help_text="ISO 8601 with the clinic's UTC offset.")
    end = LocalDateTimeField(help_text="ISO 8601 with the clinic's UTC offset.")
    therapist = serializers.IntegerField(source="therapist_id")
    room = serializers.IntegerField(source="room_id")
    places_left = serializers.IntegerField(
        help_text="1 for a free one-to-one slot; group places left."
    )
    capacity = serializers.IntegerField()


class AvailabilityOut(serializers.Serializer):
    """The answer of `GET availability/`, rendered from the window and its slots (context: tz)."""

    treatment = serializers.IntegerField(source="treatment.pk")
    clinic = serializers.IntegerField(source="treatment.clinic_id")
    time_zone = serializers.CharField(source="treatment.clinic.time_zone")
    start = LocalDateTimeField(source="window_start")
    end = LocalDateTimeField(source="window_end")
    slots = SlotOut(many=True)


class AvailabilityQuery(serializers.Serializer):
    treatment = serializers.IntegerField(min_value=1)
    start = WindowBoundField()
    end = WindowBoundField()
    therapist = serializers.IntegerField(min_value=1, required=False)
    clinic = serializers.IntegerField(min_value=1, required=False)

"""Shapes of bookings: the booking as its viewer may see it, and the commands' inputs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import FieldsBuiltOnce

from ..advisories import advisories_for
from ..models import (
    Booking,
    CancellationReason,
    Channel,
)
from .fields import AwareDateTimeField, ClinicDateTimeField, InClinicTime


class BookingListOut(serializers.ListSerializer):
    def to_representation(self, data):
        bookings = list(data.all() if hasattr(data, "all") else data)
        # One call to the advisory providers for the whole page (booking.advisories).
        self.context["advisories"] = advisories_for(bookings)
        return super().to_representation(bookings)


class BookingOut(FieldsBuiltOnce, InClinicTime, serializers.ModelSerializer):
    """A booking as its viewer may see it: pass context={"access": Access}. The desk's fields
    (notes, created_by) are left out unless the viewer is the clinic's staff (see
    Access.sees_desk_details); without an access in the context they are always left out."""

    DESK_FIELDS = ("notes", "created_by")

    start = ClinicDateTimeField()
    end = ClinicDateTimeField()
    # Not read-only in the schema's sense, so the schema does not promise them to every viewer
    # (this serializer only ever writes responses).
    notes = serializers.CharField(
        required=False,
        help_text="Reception's administrative notes. Staff only: absent for patients.",
    )
    created_by = serializers.IntegerField(
        source="created_by_id",
        required=False,
        allow_null=True,
        help_text="The user who made the booking. Staff only: absent for patients.",
    )
    # Blank ("") until the booking is cancelled; the schema lists "" among the values.
    cancellation_reason = serializers.ChoiceField(
        choices=CancellationReason.choices, allow_blank=True, read_only=True
    )
    warnings = serializers.SerializerMethodField(
        help_text="What whoever books or treats should know first (booking.advisories): "
        "[{code, message}], no clinical detail."
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "patient",
            "treatment",
            "therapist",
            "room",
            "clinic",
            "start",
            "end",
            "status",
            "version",
            "channel",
            "created_by",
            "notes",
            "cancellation_reason",
            "cancellation_note",
            "cancelled_at",
            "is_late_cancellation",
            "checked_in_at",
            "created_at",
            "updated_at",
            "warnings",
        ]
        read_only_fields = fields
        list_serializer_class = BookingListOut

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    )
    def get_warnings(self, instance) -> list[dict]:
        advisories = self.context.get("advisories")
        if advisories is None:
            advisories = advisories_for([instance])
        return advisories.get(instance.pk, [])

    def to_representation(self, instance):
        data = super().to_representation(instance)
        access = self.context.get("access")
        if access is None or not access.sees_desk_details(instance):
            for name in self.DESK_FIELDS:
                data.pop(name, None)
        return data


class BookSessionIn(serializers.Serializer):
    treatment = serializers.IntegerField(min_value=1)
    start = AwareDateTimeField()
    therapist = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    patient = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Staff book for a patient; a patient booking for themselves leaves it out.",
    )
    room = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Staff only: book into this room."
    )
    channel = serializers.ChoiceField(
        choices=[Channel.RECEPTION, Channel.PHONE, Channel.THERAPIST, Channel.API],
        required=False,
        help_text="Staff only; patient bookings are always `online`.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class VersionedIn(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="If given, the change is refused with 409 version_conflict when the booking has moved on.",
    )


class RescheduleIn(VersionedIn):
    start = AwareDateTimeField()
    therapist = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    room = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Staff only: move into this room."
    )


class CancelIn(VersionedIn):
    reason = serializers.ChoiceField(choices=CancellationReason.choices, required=False, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

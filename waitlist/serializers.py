"""Request and response shapes of the waiting-list API."""

from __future__ import annotations

from rest_framework import serializers

from booking.serializers import InClinicTime

from .models import PartOfDay, WaitlistEntry


class WaitlistEntryIn(serializers.Serializer):
    """Join the waiting list. Staff name the patient; a patient joins for themself."""

    treatment = serializers.IntegerField(min_value=1)
    patient = serializers.IntegerField(
        min_value=1, required=False, help_text="Staff only: whose entry this is."
    )
    therapist = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Empty: any qualified therapist."
    )
    earliest = serializers.DateField(
        required=False, help_text="First day the patient can come; default today (clinic's date)."
    )
    latest = serializers.DateField(required=False, allow_null=True)
    part_of_day = serializers.ChoiceField(choices=PartOfDay.choices, default=PartOfDay.ANY)
    notes = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Staff only: desk notes."
    )


class WaitlistEntryOut(InClinicTime, serializers.ModelSerializer):
    """One entry; offered times in the clinic's zone. Desk notes only for the clinic's staff."""

    # Not read-only in the schema's sense, so the schema does not promise them to every viewer
    # (as BookingOut's desk notes; this serializer only ever writes responses).
    notes = serializers.CharField(
        required=False, help_text="The desk's notes. Clinic staff only: absent for patients."
    )

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "clinic",
            "patient",
            "treatment",
            "therapist",
            "earliest",
            "latest",
            "part_of_day",
            "status",
            "offered_start",
            "offered_therapist",
            "offered_at",
            "booking",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "notes"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        access = self.context.get("access")
        if access is not None and not access.manages(instance.clinic_id):
            data.pop("notes")
        return data

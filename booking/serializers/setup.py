"""Shapes of the clinic's set-up: clinics, opening and working hours, rooms, therapists, treatments, patients, blocks."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..contact import check_date_of_birth, normalise_phone
from ..models import (
    Block,
    Clinic,
    OpeningHours,
    Patient,
    Qualification,
    Room,
    RoomFeature,
    Therapist,
    Treatment,
    WorkingHours,
)
from ..photos import clean_therapist_photo, drop_replaced_photo, photo_path
from .fields import AwareDateTimeField, EndsAfterStarts


class OpeningHoursSerializer(EndsAfterStarts, serializers.ModelSerializer):
    period = ("opens", "closes")

    class Meta:
        model = OpeningHours
        fields = ["id", "clinic", "weekday", "opens", "closes"]


class ClinicSerializer(serializers.ModelSerializer):
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Clinic
        fields = [
            "id",
            "name",
            "slug",
            "address",
            "phone",
            "email",
            "time_zone",
            "min_notice_minutes",
            "booking_horizon_days",
            "slot_step_minutes",
            "late_cancellation_hours",
            "no_show_grace_minutes",
            "share_clinical_records",
            "opening_hours",
        ]


class RoomSerializer(serializers.ModelSerializer):
    features = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=RoomFeature.objects.all(), required=False
    )

    class Meta:
        model = Room
        fields = ["id", "clinic", "name", "features", "is_active"]


class WorkingHoursSerializer(EndsAfterStarts, serializers.ModelSerializer):
    period = ("starts", "ends")

    class Meta:
        model = WorkingHours
        fields = ["id", "therapist", "clinic", "weekday", "starts", "ends"]


class TherapistSerializer(serializers.ModelSerializer):
    qualifications = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Qualification.objects.all(), required=False
    )
    full_name = serializers.CharField(read_only=True)
    photo = serializers.ImageField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text="Upload (multipart/form-data) a JPEG, PNG or WebP photo; null removes it. "
        "The kept copy is re-encoded: at most 800 px, without metadata.",
    )
    photo_url = serializers.SerializerMethodField(
        help_text="Where the photo is served (changes with every new photo); null: none."
    )
    photo_alt = serializers.CharField(read_only=True, help_text="Alt text for the photo.")

    class Meta:
        model = Therapist
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "profession",
            "bio",
            "photo",
            "photo_url",
            "photo_alt",
            "qualifications",
            "clinics",
            "is_active",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, therapist: Therapist) -> str | None:
        path = photo_path(therapist)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request else path

    def validate_photo(self, upload):
        return clean_therapist_photo(upload) if upload else None

    def update(self, instance, validated_data):
        replaced = instance.photo.name if "photo" in validated_data else ""
        instance = super().update(instance, validated_data)
        drop_replaced_photo(instance, replaced)
        return instance


class TreatmentSerializer(serializers.ModelSerializer):
    required_qualifications = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Qualification.objects.all(), required=False
    )
    required_room_features = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=RoomFeature.objects.all(), required=False
    )

    class Meta:
        model = Treatment
        fields = [
            "id",
            "clinic",
            "name",
            "modality",
            "description",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "price",
            "required_qualifications",
            "required_room_features",
            "online_bookable",
            "patient_type",
            "capacity",
            "is_active",
        ]


class PatientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = [
            "id",
            "clinic",
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "consents_to_email",
            "consents_to_sms",
            "consents_to_reminders",
            "privacy_notice_accepted_at",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate_phone(self, value: str) -> str:
        return normalise_phone(value)

    def validate_date_of_birth(self, value):
        check_date_of_birth(value, today=timezone.localdate())
        return value


class BlockSerializer(serializers.ModelSerializer):
    start = AwareDateTimeField()
    end = AwareDateTimeField()

    class Meta:
        model = Block
        fields = [
            "id",
            "clinic",
            "therapist",
            "room",
            "start",
            "end",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]

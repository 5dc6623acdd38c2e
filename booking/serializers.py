"""Request and response shapes of the diary API. No rules here: views hand data to services."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .advisories import advisories_for
from .contact import check_date_of_birth, normalise_phone
from .models import (
    Block,
    Booking,
    CancellationReason,
    Channel,
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
from .photos import clean_therapist_photo, photo_path


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry a UTC offset ("Z" or "+01:00")."""

    default_error_messages = {
        "naive": "Give the time with a UTC offset, e.g. 2027-03-29T09:00:00+01:00.",
        "invalid": "Not an ISO 8601 date-time, e.g. 2027-03-29T09:00:00+01:00.",
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = parse_datetime(str(value).strip())
            except ValueError:
                parsed = None
            if parsed is None:
                self.fail("invalid")
        if parsed.tzinfo is None:
            self.fail("naive")
        return parsed


def local_iso(value: datetime | None, tz) -> str | None:
    """An instant as ISO 8601 in the clinic's zone, with its offset."""
    return value.astimezone(tz).isoformat() if value else None


class LocalDateTimeField(serializers.DateTimeField):
    """Output only: an instant in the clinic's zone (`context["tz"]`), ISO 8601 with its offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return local_iso(value, self.context["tz"])


class EndsAfterStarts:
    """Serializer mixin: the `period` fields (start, end) must make a period, end after start.

    The database's check constraint would refuse it too, but as an IntegrityError (a 500); on a
    partial update the unchanged bound comes from the stored row.
    """

    period: tuple[str, str]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start_name, end_name = self.period
        start = attrs.get(start_name, getattr(self.instance, start_name, None))
        end = attrs.get(end_name, getattr(self.instance, end_name, None))
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError(
                {end_name: [f"Must be after {start_name} ({start:%H:%M})."]}
            )
        return attrs


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
        if replaced and replaced != instance.photo.name:
            # The old file goes once the new photo is committed (a rollback keeps it in use).
            storage = instance.photo.storage
            transaction.on_commit(lambda: storage.delete(replaced))
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


class BookingListOut(serializers.ListSerializer):
    def to_representation(self, data):
        bookings = list(data.all() if hasattr(data, "all") else data)
        # One call to the advisory providers for the whole page (booking.advisories).
        self.context["advisories"] = advisories_for(bookings)
        return super().to_representation(bookings)


class BookingOut(serializers.ModelSerializer):
    """A booking as its viewer may see it: pass context={"access": Access}. The desk's fields
    (notes, created_by) are left out unless the viewer is the clinic's staff (see
    Access.sees_desk_details); without an access in the context they are always left out."""

    DESK_FIELDS = ("notes", "created_by")

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
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
        tz = instance.clinic.tz
        for name in ("start", "end", "cancelled_at", "checked_in_at", "created_at", "updated_at"):
            data[name] = local_iso(getattr(instance, name), tz)
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


@extend_schema_field(OpenApiTypes.DATETIME)
class WindowBoundField(serializers.Field):
    """A window bound: an ISO date (the clinic's local midnight) or a date-time with offset."""

    default_error_messages = {
        "invalid": "Give a date (2027-03-29) or a date-time with offset (2027-03-29T09:00:00+01:00).",
        "naive": "Give the time with a UTC offset, e.g. 2027-03-29T09:00:00+01:00.",
    }

    def to_internal_value(self, value):
        text = str(value).strip()
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is not None:
            return day
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if parsed.tzinfo is None:
            self.fail("naive")
        return parsed


class AvailabilityQuery(serializers.Serializer):
    treatment = serializers.IntegerField(min_value=1)
    start = WindowBoundField()
    end = WindowBoundField()
    therapist = serializers.IntegerField(min_value=1, required=False)
    clinic = serializers.IntegerField(min_value=1, required=False)

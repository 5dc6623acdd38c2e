"""Fields and checks the diary API's shapes share: aware date-times, local ISO output, "ends after starts", window bounds."""

from __future__ import annotations

import operator
from datetime import datetime

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry a UTC offset ("Z" or "+01:00")."""

    default_error_messages = {
        "naive": "Give the time with a UTC offset, e.g. 2027-03-29T09:00:00+01:00.",
        "invalid": "Not an ISO 8601 date-time, e.g. 2027-03-29T09:00:00+01:00.",
    }

    def to_internal_value(self, value):
        return aware_datetime(self, value)


def aware_datetime(field: serializers.Field, value) -> datetime:
    """`value` as a date-time with a UTC offset, else the field's "invalid" or "naive" error."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            field.fail("invalid")
    if parsed.tzinfo is None:
        field.fail("naive")
    return parsed


def local_iso(value: datetime | None, tz) -> str | None:
    """An instant as ISO 8601 in the clinic's zone, with its offset."""
    return value.astimezone(tz).isoformat() if value else None


class LocalDateTimeField(serializers.DateTimeField):
    """Output only: an instant in its clinic's zone, ISO 8601 with its offset.

    The zone is `tz_of(obj)` of the object rendered when given (a list of bookings, plans or
    notes may span clinics), else `context["tz"]` (a shape rendered for one clinic).
    """

    def __init__(self, *, tz_of=None, **kwargs):
        kwargs.setdefault("read_only", True)
        self.tz_of = tz_of
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        if value is not None and self.tz_of is not None:
            return value.astimezone(self.tz_of(instance))
        return value

    def to_representation(self, value):
        if self.tz_of is None:
            return local_iso(value, self.context["tz"])
        return value.isoformat()


class ClinicDateTimeField(LocalDateTimeField):
    """LocalDateTimeField in the zone of the rendered object's clinic (`obj.clinic.tz`), taking
    read-only, help text and nullability as given (by ModelSerializer, see InClinicTime)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", False)
        super().__init__(tz_of=operator.attrgetter("clinic.tz"), **kwargs)


class InClinicTime:
    """ModelSerializer mixin: the model's date-times render in the zone of the object's clinic
    (a list of bookings, plans or notes may span clinics), each built from its model field as
    DRF builds any other."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: ClinicDateTimeField,
    }


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
        return aware_datetime(self, text)

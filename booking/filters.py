from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

from .models import Block, Booking, BookingStatus, Clinic, Patient, local_midnight


def _day_or_instant(value: str, field: str, *, end: bool, tz):
    """An ISO date (midnight in `tz`; with end=True the following midnight) or a date-time with offset."""
    text = value.strip()
    day = parse_date(text) if len(text) == 10 else None
    if day is not None:
        if end:
            day += timedelta(days=1)
        return local_midnight(day, tz)
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError({field: ["Give a date (2027-03-29) or a date-time with offset."]})
    return parsed


class _DateRangeMixin:
    """date_from/date_to read plain dates in the filtered clinic's zone (else the default zone)."""

    def _zone(self):
        clinic_id = self.data.get("clinic")
        if clinic_id and str(clinic_id).isdigit():
            clinic = Clinic.objects.filter(pk=clinic_id).only("time_zone").first()
            if clinic is not None:
                return clinic.tz
        return timezone.get_default_timezone()

    def _bound(self, value: str, field: str, *, end: bool):
        return _day_or_instant(value, field, end=end, tz=self._zone())


class BookingFilter(_DateRangeMixin, django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    date_from = django_filters.CharFilter(
        method="filter_from", help_text="Sessions starting on/after this date or time."
    )
    date_to = django_filters.CharFilter(
        method="filter_to",
        help_text="Sessions starting before the end of this date (or this time).",
    )

    class Meta:
        model = Booking
        fields = ["clinic", "therapist", "patient", "room", "treatment", "status", "channel"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(start__gte=self._bound(value, "date_from", end=False))

    def filter_to(self, queryset, name, value):
        return queryset.filter(start__lt=self._bound(value, "date_to", end=True))


class BlockFilter(_DateRangeMixin, django_filters.FilterSet):
    date_from = django_filters.CharFilter(method="filter_from")
    date_to = django_filters.CharFilter(method="filter_to")

    class Meta:
        model = Block
        fields = ["clinic", "therapist", "room"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(end__gt=self._bound(value, "date_from", end=False))

    def filter_to(self, queryset, name, value):
        return queryset.filter(start__lt=self._bound(value, "date_to", end=True))


class PatientFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", help_text="Name, email or phone contains."
    )

    class Meta:
        model = Patient
        fields = ["clinic", "email"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
            )
        return queryset

import django_filters

from .models import SessionNote
from .vocabulary import NoteStatus


class NoteFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="treatment_plan", help_text="Treatment plan id.")
    date = django_filters.DateFilter(
        field_name="treated_at", lookup_expr="date", help_text="Session date (UTC day)."
    )
    date_from = django_filters.DateFilter(field_name="treated_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="treated_at", lookup_expr="date__lte")
    signed = django_filters.BooleanFilter(method="filter_signed", help_text="true: signed only.")

    class Meta:
        model = SessionNote
        fields = ["patient", "therapist", "clinic", "plan", "date", "signed"]

    def filter_signed(self, queryset, name, value):
        if value:
            return queryset.exclude(status=NoteStatus.DRAFT)
        return queryset.filter(status=NoteStatus.DRAFT)

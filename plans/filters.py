import django_filters
from django.db.models import Q

from .models import (
    BodyRegion,
    Condition,
    Exercise,
    ExercisePurpose,
    NeedlingScreening,
    PlanStatus,
    PlanTemplate,
    TreatmentPlan,
)


class PlanFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices)
    condition = django_filters.ChoiceFilter(choices=Condition.choices)

    class Meta:
        model = TreatmentPlan
        fields = ["patient", "clinic", "lead_therapist", "status", "condition"]


class ExerciseFilter(django_filters.FilterSet):
    body_region = django_filters.ChoiceFilter(choices=BodyRegion.choices)
    purpose = django_filters.ChoiceFilter(choices=ExercisePurpose.choices)
    library = django_filters.BooleanFilter(
        field_name="clinic",
        lookup_expr="isnull",
        help_text="true: only the shared library; false: only clinics' own.",
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Name or instructions contain every word."
    )

    class Meta:
        model = Exercise
        fields = ["clinic", "body_region", "purpose", "is_active"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(instructions__icontains=word))
        return queryset


class ScreeningFilter(django_filters.FilterSet):
    class Meta:
        model = NeedlingScreening
        fields = ["patient", "clinic"]


class TemplateFilter(django_filters.FilterSet):
    condition = django_filters.ChoiceFilter(choices=Condition.choices)
    library = django_filters.BooleanFilter(
        field_name="clinic",
        lookup_expr="isnull",
        help_text="true: only templates shared by every clinic.",
    )

    class Meta:
        model = PlanTemplate
        fields = ["clinic", "condition", "is_active"]

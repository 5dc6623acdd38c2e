"""List filters of the waiting-list API."""

import django_filters

from .models import WaitlistEntry, WaitlistStatus


class WaitlistFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=WaitlistStatus.choices)

    class Meta:
        model = WaitlistEntry
        fields = ["clinic", "patient", "treatment", "therapist", "status"]

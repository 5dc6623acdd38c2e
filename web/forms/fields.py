"""Form fields and widgets the pages share: dates and times, phone numbers, dates of birth,
treatments (with their length) and therapists."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from booking.contact import check_date_of_birth, normalise_phone
from booking.models import Therapist, Treatment

from ..templatetags.web_tags import with_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class PhoneField(forms.CharField):
    """A phone number, cleaned to E.164 ("07700 900456" -> "+447700900456")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return normalise_phone(super().clean(value))


class DateOfBirthField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Date of birth")
        kwargs.setdefault("widget", DateInput(attrs={"autocomplete": "bday"}))
        super().__init__(**kwargs)

    def clean(self, value):
        born = super().clean(value)
        check_date_of_birth(born, today=timezone.localdate())
        return born


class TreatmentSelect(forms.Select):
    """Each option names the therapists qualified to give that treatment (data-therapists), so
    the dialog offers a chosen therapist only what they may deliver."""

    qualified: dict[int, list[int]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.qualified = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-therapists"] = " ".join(
                str(pk) for pk in self.qualified.get(instance.pk, [])
            )
        return option


class TreatmentChoiceField(forms.ModelChoiceField):
    widget = TreatmentSelect

    def label_from_instance(self, obj: Treatment) -> str:
        return with_length(obj)


def qualified_therapists_by_treatment(treatments, therapists) -> dict[int, list[int]]:
    """{treatment id: [ids of the given therapists holding every qualification it needs]}."""
    held = {t.pk: {q.pk for q in t.qualifications.all()} for t in therapists}
    return {
        treatment.pk: [
            pk
            for pk, have in held.items()
            if {q.pk for q in treatment.required_qualifications.all()} <= have
        ]
        for treatment in treatments
    }


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Therapist) -> str:
        return obj.full_name

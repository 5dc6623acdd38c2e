"""Reception's diary forms: a desk booking, a move, a status change, a block, a waiting-list entry."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.dateparse import parse_datetime

from booking.filters import PatientFilter
from booking.models import Channel, Clinic, Patient, Room, Therapist, Treatment
from waitlist.models import PartOfDay

from ..selectors.times import in_offer_order
from .fields import (
    DateInput,
    PhoneField,
    TherapistChoiceField,
    TimeInput,
    TreatmentChoiceField,
    qualified_therapists_by_treatment,
)


class StartChoiceMixin:
    """A date and a time on the clinic's clock; an offered alternative (`start_choice`) wins."""

    def start_for(self, tz) -> datetime | None:
        chosen = self.data.get("start_choice")
        if chosen:
            parsed = parse_datetime(chosen)
            if parsed is not None and parsed.tzinfo is not None:
                return parsed
        day, at = self.cleaned_data.get("date"), self.cleaned_data.get("time")
        if day is None or at is None:
            return None
        return datetime.combine(day, at, tzinfo=tz)


class PatientChoiceMixin:
    """Pick a patient found by a search, or add a new one, in the same form."""

    def _setup_patient(self, patients):
        self.patients = patients
        query = (self.data.get("patient_search") or "").strip() if self.is_bound else ""
        matches = (
            PatientFilter({"search": query}, queryset=patients).qs[:10]
            if query
            else patients.none()
        )
        chosen_id = self.data.get("patient") if self.is_bound else self.initial.get("patient")
        chosen = patients.filter(pk=chosen_id).first() if str(chosen_id or "").isdigit() else None
        self.patient_matches = list(matches)
        if chosen is not None and chosen not in self.patient_matches:
            self.patient_matches.insert(0, chosen)
        self.fields["patient"].queryset = patients

    def clean_patient_choice(self, data, *, allow_new: bool):
        searching = "search" in self.data
        if searching:
            # The no-script path: the search button only lists matches, it books nothing.
            raise forms.ValidationError(
                "Choose one of the patients found, or add a new patient.", code="search"
            )
        has_new = allow_new and any(data.get(f"new_{name}") for name in ("first_name", "last_name"))
        if data.get("patient") is None and not has_new:
            self.add_error("patient", "Choose a patient, or fill in a new patient's name.")
        if has_new and data.get("patient") is None:
            for name in ("first_name", "last_name"):
                if not data.get(f"new_{name}"):
                    self.add_error(f"new_{name}", "Needed for a new patient.")


class DeskBookingForm(StartChoiceMixin, PatientChoiceMixin, forms.Form):
    treatment = TreatmentChoiceField(queryset=Treatment.objects.none(), empty_label=None)
    therapist = TherapistChoiceField(
        queryset=Therapist.objects.none(), required=False, empty_label="Any free therapist"
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="Any suitable room"
    )
    date = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput())
    patient_search = forms.CharField(label="Find a patient", required=False, max_length=80)
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(), required=False, widget=forms.RadioSelect
    )
    new_first_name = forms.CharField(label="First name", required=False, max_length=80)
    new_last_name = forms.CharField(label="Last name", required=False, max_length=80)
    new_email = forms.EmailField(label="Email address", required=False)
    new_phone = PhoneField(label="Phone", required=False)
    channel = forms.ChoiceField(
        label="Booked by",
        choices=[(Channel.RECEPTION, "At the desk"), (Channel.PHONE, "On the phone")],
        initial=Channel.RECEPTION,
    )
    notes = forms.CharField(
        label="Admin note (no clinical details)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, clinic: Clinic, patients, **kwargs):
        super().__init__(*args, **kwargs)
        treatments = in_offer_order(
            Treatment.objects.filter(clinic=clinic, is_active=True)
        ).prefetch_related("required_qualifications")
        therapists = Therapist.objects.filter(clinics=clinic, is_active=True).prefetch_related(
            "qualifications"
        )
        qualified = qualified_therapists_by_treatment(treatments, therapists)
        self.chosen_therapist = self._chosen_therapist(therapists)
        if self.chosen_therapist is not None:
            # Only what the chosen therapist is qualified to give (the service refuses the rest).
            chosen = self.chosen_therapist.pk
            treatments = treatments.filter(
                pk__in=[t for t, ids in qualified.items() if chosen in ids]
            )
        self.fields["treatment"].queryset = treatments
        self.fields["treatment"].widget.qualified = qualified
        self.fields["therapist"].queryset = therapists
        self.fields["room"].queryset = Room.objects.filter(clinic=clinic, is_active=True)
        self.fields["time"].widget.attrs["step"] = clinic.slot_step_minutes * 60
        self._setup_patient(patients)

    def _chosen_therapist(self, therapists) -> Therapist | None:
        """The therapist picked (posted, or from the diary column clicked), if one of ours."""
        raw = self.data.get("therapist") if self.is_bound else self.initial.get("therapist")
        return next((t for t in therapists if str(t.pk) == str(raw)), None) if raw else None

    def clean(self):
        data = super().clean()
        self.clean_patient_choice(data, allow_new=True)
        return data


class MoveForm(StartChoiceMixin, forms.Form):
    date = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput())
    therapist = TherapistChoiceField(queryset=Therapist.objects.none(), empty_label=None)
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(),
        required=False,
        empty_label="Any suitable room",
        help_text="Left as any, the first free room with what the treatment needs is taken.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, clinic: Clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = Therapist.objects.filter(clinics=clinic, is_active=True)
        self.fields["room"].queryset = Room.objects.filter(clinic=clinic, is_active=True)
        self.fields["time"].widget.attrs["step"] = clinic.slot_step_minutes * 60


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("check_in", "Check in"), ("no_show", "No-show"), ("complete", "Completed")]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class BlockForm(forms.Form):
    subject = forms.ChoiceField(label="Block")
    date = forms.DateField(widget=DateInput())
    start = forms.TimeField(label="From", widget=TimeInput())
    end = forms.TimeField(label="Until", widget=TimeInput())
    reason = forms.CharField(label="Reason", required=False, max_length=200)

    def __init__(self, *args, clinic: Clinic, therapists, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.therapists = {str(t.pk): t for t in therapists}
        self.rooms = {str(r.pk): r for r in rooms}
        self.fields["subject"].choices = [
            ("Therapists", [(f"t{pk}", t.full_name) for pk, t in self.therapists.items()]),
            ("Rooms", [(f"r{pk}", r.name) for pk, r in self.rooms.items()]),
            ("Clinic", [("clinic", f"Close all of {clinic.name}")]),
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The block must end after it starts.")
        return data

    def target(self) -> dict:
        subject = self.cleaned_data["subject"]
        if subject.startswith("t"):
            return {"therapist": self.therapists[subject[1:]]}
        if subject.startswith("r"):
            return {"room": self.rooms[subject[1:]]}
        return {}


class WaitlistForm(PatientChoiceMixin, forms.Form):
    patient_search = forms.CharField(label="Find a patient", required=False, max_length=80)
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(), required=False, widget=forms.RadioSelect
    )
    treatment = TreatmentChoiceField(queryset=Treatment.objects.none(), empty_label=None)
    therapist = TherapistChoiceField(
        queryset=Therapist.objects.none(), required=False, empty_label="Any therapist"
    )
    earliest = forms.DateField(label="From", widget=DateInput())
    latest = forms.DateField(label="Until", required=False, widget=DateInput())
    part_of_day = forms.ChoiceField(label="Times", choices=PartOfDay.choices, initial=PartOfDay.ANY)
    notes = forms.CharField(label="Note", required=False, max_length=200)

    def __init__(self, *args, clinic: Clinic, patients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment"].queryset = Treatment.objects.filter(clinic=clinic, is_active=True)
        self.fields["therapist"].queryset = Therapist.objects.filter(clinics=clinic, is_active=True)
        self._setup_patient(patients)

    def clean(self):
        data = super().clean()
        self.clean_patient_choice(data, allow_new=False)
        return data

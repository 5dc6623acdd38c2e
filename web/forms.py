"""Forms of the web pages: input shapes only; the rules live in the services they feed."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from booking.contact import check_date_of_birth, normalise_phone
from booking.filters import PatientFilter
from booking.models import CancellationReason, Channel, Clinic, Patient, Room, Therapist, Treatment
from waitlist.models import PartOfDay

from .selectors.times import in_offer_order
from .templatetags.web_tags import with_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with labels in our words; patients sign in with their email."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address or username"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form (one answer for known and unknown addresses alike), in our words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


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


class RegistrationForm(forms.Form):
    first_name = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = PhoneField(label="Mobile number", required=False)
    date_of_birth = DateOfBirthField(required=False)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only numbers, and not a common password.",
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consents_to_email = forms.BooleanField(
        label="Email me appointment reminders", required=False, initial=True
    )
    consents_to_sms = forms.BooleanField(label="Text me appointment reminders", required=False)
    accepts_privacy_notice = forms.BooleanField(
        label="I have read the privacy notice and agree to the clinic keeping my health records",
        error_messages={"required": "Please accept the privacy notice to create an account."},
    )

    def __init__(self, *args, clinics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clinics is not None:
            self.fields["clinic"] = forms.ModelChoiceField(
                queryset=clinics, label="Your clinic", empty_label=None
            )
            self.order_fields(["clinic"])

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match.")
        elif first:
            probe = User(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", required=False)
    note = forms.CharField(
        label="Anything the clinic should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, for_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = [(value, label) for value, label in CancellationReason.choices]
        if not for_staff:
            reasons = [(v, label) for v, label in reasons if v != CancellationReason.CLINIC]
        self.fields["reason"].choices = [
            ("", "Prefer not to say" if not for_staff else "Not given"),
            *reasons,
        ]


class PatientCancelForm(CancelForm):
    understands_late = forms.BooleanField(
        label="I understand this is a late cancellation and the clinic's policy for it applies",
        required=False,
    )


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


class NeedlingConsentForm(forms.Form):
    consents = forms.BooleanField(
        label="I have read the information above and I consent to dry needling as part of my "
        "treatment",
        error_messages={"required": "Tick the box to consent, or choose another treatment."},
    )
    by_guardian = forms.BooleanField(
        label="I am the patient's parent or guardian and I am consenting for them", required=False
    )
    guardian_name = forms.CharField(
        label="Parent's or guardian's full name", required=False, max_length=120
    )

    def clean(self):
        data = super().clean()
        if data.get("by_guardian") and not data.get("guardian_name"):
            self.add_error("guardian_name", "Please give your full name.")
        return data

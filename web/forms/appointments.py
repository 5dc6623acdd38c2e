"""A patient's appointment forms: cancelling, and the dry-needling consent."""

from __future__ import annotations

from django import forms

from booking.models import CancellationReason


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

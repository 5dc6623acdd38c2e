"""Forms of the dry-needling screening: the patient's screens (yes / no / not sure) and the
clinician's correction. The questions and their wording come from plans.clinical."""

from __future__ import annotations

from django import forms

from plans.clinical import ScreeningItem

YES, NO, NOT_SURE = "yes", "no", "not_sure"
ANSWER_CHOICES = [(YES, "Yes"), (NO, "No"), (NOT_SURE, "Not sure")]
# The answers as the plans services take them: not sure is None, never False.
ANSWER_VALUES = {YES: True, NO: False, NOT_SURE: None}


def answer_label(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not sure"}[value]


def to_choice(value: bool | None) -> str:
    return {True: YES, False: NO, None: NOT_SURE}[value]


def _answer_field(label: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=ANSWER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes, no or not sure."},
    )


class ScreeningScreenForm(forms.Form):
    """One screen of the patient's questionnaire: its questions in plain words."""

    def __init__(self, *args, items: list[ScreeningItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item.code] = _answer_field(item.patient_question, item.hint)

    def choices(self) -> dict[str, str]:
        """The answers as the radio values (kept in the session until the patient confirms)."""
        return dict(self.cleaned_data)


class CorrectScreeningForm(forms.Form):
    """A clinician's correction: every question pre-filled with the current answer, and why."""

    reason = forms.CharField(
        label="Why are you correcting it?",
        help_text="For example: phoned the patient, the yes to blood thinners was a mis-tap.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the screening is corrected."},
    )

    def __init__(self, *args, items: list[ScreeningItem], current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.current = current
        reason = self.fields.pop("reason")
        for item in items:
            self.fields[item.code] = _answer_field(item.question)
            if item.code in current:
                self.fields[item.code].initial = to_choice(current[item.code])
        self.fields["reason"] = reason

    def clean(self):
        data = super().clean()
        if not self.errors and not self.changed_answers():
            raise forms.ValidationError(
                "Change at least one answer, or leave the screening as it is."
            )
        return data

    def changed_answers(self) -> dict[str, bool | None]:
        """Only the questions whose answer differs from the screening's."""
        changed = {}
        for item in self.items:
            choice = self.cleaned_data.get(item.code)
            if choice is None:
                continue
            value = ANSWER_VALUES[choice]
            if item.code not in self.current or self.current[item.code] != value:
                changed[item.code] = value
        return changed


class AcknowledgePrecautionsForm(forms.Form):
    note = forms.CharField(
        label="How do the precautions change the treatment?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how the precautions change the treatment."},
    )

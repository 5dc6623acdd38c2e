"""The plan builder's forms: input shapes only. Every rule (doses that fit a phase, treatments
the clinic offers, the patient's preferences, needling clearance) is the plans services'; a
refusal from them is shown as the form's error (see `attempt` in common.py)."""

from __future__ import annotations

from django import forms

from booking.models import Clinic, Modality, Therapist, Treatment, Weekday
from plans.models import Condition, Exercise, OutcomeMeasure, PlanTemplate, TreatmentPlan
from plans.services import GoalSpec

from ...forms import DateInput, TherapistChoiceField, TimeInput, TreatmentChoiceField

WEEKDAYS = Weekday.choices
NEEDLING = Modality.DRY_NEEDLING
MEASURE_CHOICES = [("", "No measure")] + list(OutcomeMeasure.choices)
# The start page offers this many goals at once; more are added on the plan's page.
START_GOALS = 3


def clinic_therapists(clinic: Clinic):
    return Therapist.objects.filter(clinics=clinic, is_active=True).order_by(
        "first_name", "last_name"
    )


class CareTeamField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Therapist) -> str:
        return obj.full_name


class PreferencesForm(forms.Form):
    """What the patient asked for: the builder and the scheduler honour it."""

    avoid_needles = forms.BooleanField(
        required=False,
        label="Avoid needles",
        help_text="No dry needling: needling sessions become the non-needling alternative "
        "(sports massage on the same trigger points).",
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Preferred days",
    )
    preferred_time_from = forms.TimeField(
        required=False, widget=TimeInput(), label="Preferred time, from"
    )
    preferred_time_to = forms.TimeField(
        required=False, widget=TimeInput(), label="Preferred time, until"
    )
    preference_notes = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Notes on preferences",
    )

    @classmethod
    def initial_for(cls, plan: TreatmentPlan) -> dict:
        return {
            "avoid_needles": NEEDLING in plan.avoid_modalities,
            "preferred_weekdays": plan.preferred_weekdays,
            "preferred_time_from": plan.preferred_time_from,
            "preferred_time_to": plan.preferred_time_to,
            "preference_notes": plan.preference_notes,
        }

    def avoided(self, already: list[str] | tuple = ()) -> list[str]:
        """The plan's avoided modalities with needling added or taken away."""
        avoided = set(already) - {NEEDLING}
        if self.cleaned_data["avoid_needles"]:
            avoided.add(NEEDLING)
        return sorted(avoided)

    def preference_values(self) -> dict:
        values = self.cleaned_data
        return {
            "preferred_weekdays": list(values["preferred_weekdays"]),
            "preferred_time_from": values["preferred_time_from"],
            "preferred_time_to": values["preferred_time_to"],
            "preference_notes": values["preference_notes"],
        }


class DetailsForm(forms.Form):
    title = forms.CharField(
        required=False, max_length=120, help_text="Default: the template's name or the condition."
    )
    condition = forms.ChoiceField(choices=Condition.choices)
    condition_notes = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Presentation",
        help_text="Side, irritability, what aggravates and eases it.",
    )
    start_date = forms.DateField(widget=DateInput(), label="Starts on")
    lead_therapist = TherapistChoiceField(queryset=Therapist.objects.none(), empty_label=None)
    care_team = CareTeamField(
        queryset=Therapist.objects.none(),
        required=False,
        label="Care team",
        help_text="Other therapists who will treat the patient under this plan; they can read "
        "the patient's clinical record.",
    )

    def __init__(self, *args, clinic: Clinic, lead: Therapist | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        therapists = clinic_therapists(clinic)
        self.fields["lead_therapist"].queryset = therapists
        # The lead is in the care team anyway: offer the others.
        self.fields["care_team"].queryset = therapists.exclude(pk=lead.pk) if lead else therapists


class StartPlanForm(DetailsForm, PreferencesForm):
    """A new plan: from a template or blank, its details, first goals and the preferences
    (which tailor the template as it is copied)."""

    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.none(),
        required=False,
        empty_label="None: a blank plan I build myself",
        help_text="Its phases, sessions and home exercises are copied, then yours to change.",
    )
    field_order = ["template", "condition", "title", "start_date", "lead_therapist", "care_team"]

    def __init__(self, *args, clinic: Clinic, templates, lead: Therapist | None = None, **kwargs):
        super().__init__(*args, clinic=clinic, lead=lead, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["condition"].choices = [("", "The template's condition")] + list(
            Condition.choices
        )
        self.fields["condition"].required = False
        self.fields["condition"].help_text = "Needed for a blank plan; a template sets it."
        for n in range(1, START_GOALS + 1):
            self.fields[f"goal_{n}"] = forms.CharField(
                required=False,
                max_length=200,
                label=f"Goal {n}",
                help_text="In the patient's words, e.g. 'Turn my head to reverse the car'."
                if n == 1
                else "",
            )
            self.fields[f"goal_{n}_measure"] = forms.ChoiceField(
                choices=MEASURE_CHOICES, required=False, label=f"Goal {n}: measured by"
            )
            self.fields[f"goal_{n}_label"] = forms.CharField(
                required=False,
                max_length=80,
                label=f"Goal {n}: movement or activity",
                help_text="For range of motion or PSFS." if n == 1 else "",
            )
            self.fields[f"goal_{n}_target"] = forms.DecimalField(
                required=False, max_digits=6, decimal_places=2, label=f"Goal {n}: target score"
            )

    def goal_rows(self) -> list[list]:
        return [
            [self[f"goal_{n}{suffix}"] for suffix in ("", "_measure", "_label", "_target")]
            for n in range(1, START_GOALS + 1)
        ]

    def clean(self):
        values = super().clean()
        if not values.get("condition") and not values.get("template"):
            self.add_error("condition", "Choose the condition, or a template (which sets it).")
        for n in range(1, START_GOALS + 1):
            has_detail = values.get(f"goal_{n}_measure") or values.get(f"goal_{n}_target")
            if has_detail and not values.get(f"goal_{n}"):
                self.add_error(f"goal_{n}", "Describe the goal the measure belongs to.")
        return values

    def goals(self) -> list[GoalSpec]:
        values = self.cleaned_data
        return [
            GoalSpec(
                description=values[f"goal_{n}"],
                measure=values[f"goal_{n}_measure"],
                label=values[f"goal_{n}_label"],
                target_value=values[f"goal_{n}_target"],
            )
            for n in range(1, START_GOALS + 1)
            if values.get(f"goal_{n}")
        ]


class GoalForm(forms.Form):
    description = forms.CharField(max_length=200, label="Goal", help_text="In the patient's words.")
    measure = forms.ChoiceField(choices=MEASURE_CHOICES, required=False, label="Measured by")
    label = forms.CharField(
        required=False,
        max_length=80,
        label="Movement or activity",
        help_text="For range of motion or PSFS, e.g. 'Cervical rotation right'.",
    )
    target_value = forms.DecimalField(
        required=False, max_digits=6, decimal_places=2, label="Target score"
    )
    target_date = forms.DateField(required=False, widget=DateInput(), label="Target date")


class PhaseForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. 'Settle pain', 'Build strength'.")
    weeks = forms.IntegerField(min_value=1, max_value=52, initial=2)
    start_week = forms.IntegerField(
        min_value=1,
        max_value=52,
        required=False,
        label="Starts in plan week",
        help_text="Leave empty to follow the previous phase.",
    )
    notes = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Aims and criteria to progress",
    )


class ComponentForm(forms.Form):
    treatment = TreatmentChoiceField(
        queryset=Treatment.objects.none(),
        label="Treatment",
        help_text="The treatment sets the modality and the session's length.",
    )
    sessions = forms.IntegerField(min_value=1, max_value=60, initial=4, label="Sessions")
    per_week = forms.IntegerField(min_value=1, max_value=7, initial=1, label="Sessions a week")
    min_gap_hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 14,
        required=False,
        label="Hours between sessions",
        help_text="Leave empty for the modality's default (48 for needling, else 24).",
    )
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, clinic: Clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment"].queryset = Treatment.objects.filter(
            clinic=clinic, is_active=True
        ).order_by("name")


class ExerciseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Exercise) -> str:
        return f"{obj.name} ({obj.get_body_region_display().lower()})"


class PrescriptionForm(forms.Form):
    sets = forms.IntegerField(min_value=1, max_value=20, required=False)
    reps = forms.IntegerField(
        min_value=1, max_value=200, required=False, help_text="Or a hold time."
    )
    hold_seconds = forms.IntegerField(
        min_value=1, max_value=600, required=False, label="Hold (seconds)"
    )
    load = forms.CharField(required=False, max_length=80, help_text="e.g. '5 kg', 'red band'.")
    times_per_day = forms.IntegerField(min_value=1, max_value=10, initial=1, label="Times a day")
    days_per_week = forms.IntegerField(min_value=1, max_value=7, initial=7, label="Days a week")
    progression = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Making it harder",
        help_text="When and how to progress.",
    )
    notes = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Notes for the patient",
    )


class PhaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} (weeks {obj.start_week}–{obj.end_week})"


class PrescribeForm(PrescriptionForm):
    """A library exercise prescribed in one of the plan's phases. Empty dose fields take the
    exercise's defaults."""

    exercise = ExerciseChoiceField(
        queryset=Exercise.objects.none(), label="Exercise", empty_label="Choose an exercise"
    )
    phase = PhaseChoiceField(queryset=None, empty_label=None, label="In phase")
    field_order = ["exercise", "phase", "sets", "reps", "hold_seconds", "load"]

    def __init__(self, *args, exercises, phases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = exercises
        self.fields["phase"].queryset = phases
        self.fields["sets"].help_text = "Empty: the exercise's usual dose."


class ChangePrescriptionForm(PrescriptionForm):
    stopped_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Stop after",
        help_text="The exercise is no longer asked for after this day.",
    )


class OutcomeForm(forms.Form):
    measure = forms.ChoiceField(choices=OutcomeMeasure.choices, label="Measure")
    value = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        label="Score",
        help_text="NPRS 0–10, PSFS 0–10, ODI 0–100 (%), NDI 0–50, range of motion in degrees.",
    )
    label = forms.CharField(
        required=False,
        max_length=80,
        label="Movement or activity",
        help_text="Needed for range of motion, e.g. 'Cervical rotation right'; PSFS: the activity.",
    )
    recorded_on = forms.DateField(
        required=False, widget=DateInput(), label="Measured on", help_text="Empty: today."
    )
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DischargeForm(forms.Form):
    outcome = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="How it went against the goals",
        help_text="The patient reads this: plain words, no abbreviations.",
    )
    advice = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Advice to keep going",
        help_text="Which exercises to keep doing, what to avoid, how to manage a flare-up.",
    )
    follow_up = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Follow-up",
        help_text="e.g. 'A review in six weeks; get in touch sooner if the pain returns'.",
    )

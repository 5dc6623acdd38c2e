"""Building a plan: from a template (copied and tailored to the patient's preferences) or by
hand, and creating templates. The checks and writes of a plan's pieces live in parts.py (shared
with tailoring.py); the shapes callers pass in, in specs.py.

Rules every plan change keeps:
- a plan's treatments are active treatments of the plan's clinic; its exercises come from the
  shared library or the clinic's own;
- a phase holds at most `per_week x weeks` sessions of a component;
- nothing the patient asked to avoid is added (the template builder offers the alternative);
- needling added to an active plan needs the patient's needling clearance, as activation does;
- booked, attended or missed sessions and logged exercise are never deleted by an edit.
Each service runs in one transaction with the plan row locked and writes nothing on failure.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from audit.history import bulk_create_with_history
from booking.models import Clinic, Modality, Patient, PatientType, Therapist, Treatment
from core.users import acting_user

from .. import errors
from ..clinical import (
    ALTERNATIVE_MODALITY,
    UNCOMFORTABLE_MODALITIES,
)
from ..models import (
    PainTolerance,
    PlanGoal,
    PlanPhase,
    PlanTemplate,
    TemplateExercise,
    TemplatePhase,
    TemplateSession,
    TreatmentPlan,
)
from ..selectors import treatment_modalities
from .parts import (
    check_dose,
    check_exercise,
    check_goal,
    check_preferred_times,
    check_therapist,
    modality_names,
    prescription_fields,
    write_component,
    write_phase,
    write_prescription,
)
from .specs import (
    ComponentSpec,
    GoalSpec,
    PhaseSpec,
    Preferences,
    PrescriptionSpec,
    TemplatePhaseSpec,
)

# --- templates ----------------------------------------------------------------------------------


def _avoided_by(plan: TreatmentPlan) -> set[str]:
    avoided = set(plan.avoid_modalities)
    if plan.pain_tolerance == PainTolerance.LOW:
        avoided |= UNCOMFORTABLE_MODALITIES
    return avoided


def _acceptable_modality(modality: str, alternative: str, avoided: set[str]) -> str | None:
    """The template's modality, or the first alternative the patient does not avoid."""
    candidate, seen = modality, set()
    while candidate in avoided:
        seen.add(candidate)
        candidate = (
            alternative
            if candidate == modality and alternative
            else ALTERNATIVE_MODALITY.get(candidate)
        )
        if candidate is None or candidate in seen:
            return None
    return candidate


def _treatment_for(clinic: Clinic, modality: str, avoided: set[str]) -> Treatment | None:
    """The clinic's usual treatment for a modality: one-to-one before classes, follow-ups before
    new-patient assessments, and never one that also delivers an avoided modality."""
    candidates = [
        treatment
        for treatment in Treatment.objects.filter(clinic=clinic, modality=modality, is_active=True)
        if not (treatment_modalities(treatment) & avoided)
    ]
    candidates.sort(key=lambda t: (t.capacity > 1, t.patient_type == PatientType.NEW, t.name, t.pk))
    return candidates[0] if candidates else None


def alternative_treatment(
    plan: TreatmentPlan, treatment: Treatment, avoided: set[str]
) -> Treatment | None:
    """The clinic's usual treatment for the first alternative (clinical.ALTERNATIVE_MODALITY)
    to `treatment` that delivers nothing in `avoided`; None when the clinic has none."""
    clashing = treatment_modalities(treatment) & avoided
    start = treatment.modality if treatment.modality in avoided else min(clashing, default=None)
    if start is None:
        return treatment
    modality = _acceptable_modality(start, "", avoided)
    return _treatment_for(plan.clinic, modality, avoided) if modality else None


def _copy_template(plan: TreatmentPlan, template: PlanTemplate) -> None:
    avoided = _avoided_by(plan)
    missing: set[str] = set()
    for template_phase in template.phases.order_by("order"):
        phase = PlanPhase.objects.create(
            plan=plan,
            order=template_phase.order,
            name=template_phase.name,
            start_week=template_phase.start_week,
            weeks=template_phase.weeks,
            notes=template_phase.notes,
        )
        for item in template_phase.sessions.order_by("id"):
            modality = _acceptable_modality(item.modality, item.alternative_modality, avoided)
            if modality is None:
                raise errors.AgainstPatientPreference(
                    f"{plan.patient.full_name} avoids {Modality(item.modality).label.lower()} and "
                    "every alternative to it; build this phase by hand."
                )
            treatment = _treatment_for(plan.clinic, modality, avoided)
            if treatment is None:
                missing.add(modality)
                continue
            gap = item.min_gap_hours if modality == item.modality else None
            write_component(
                plan,
                phase,
                ComponentSpec(treatment, item.sessions, item.per_week, gap, item.notes),
                substituted_for=item.modality if modality != item.modality else "",
            )
        for item in template_phase.exercises.select_related("exercise").order_by("id"):
            spec = PrescriptionSpec(
                exercise=item.exercise,
                sets=item.sets,
                reps=item.reps,
                hold_seconds=item.hold_seconds,
                times_per_day=item.times_per_day,
                days_per_week=item.days_per_week,
                load=item.load,
                progression=item.progression,
            )
            write_prescription(plan, phase, spec)
    if missing:
        raise errors.NoTreatmentForModality(
            f"{plan.clinic.name} offers no bookable {modality_names(missing)}, which the template "
            "needs; add the treatment or build the plan by hand.",
            details={"modalities": sorted(missing)},
        )


@transaction.atomic
def create_template(
    *,
    name: str,
    condition: str,
    phases: list[TemplatePhaseSpec],
    clinic: Clinic | None = None,
    description: str = "",
) -> PlanTemplate:
    """A plan template for a clinic (or, without a clinic, for every clinic).

    Raises TooManySessionsForPhase or ExerciseNotAvailable (400) and writes nothing on failure.
    """
    template = PlanTemplate.objects.create(
        clinic=clinic, name=name, condition=condition, description=description
    )
    next_week = 1
    for order, spec in enumerate(phases, start=1):
        start_week = spec.start_week or next_week
        phase = TemplatePhase.objects.create(
            template=template,
            order=order,
            name=spec.name,
            start_week=start_week,
            weeks=spec.weeks,
            notes=spec.notes,
        )
        next_week = start_week + spec.weeks
        for session in spec.sessions:
            check_dose(
                sessions=session.sessions,
                per_week=session.per_week,
                weeks=spec.weeks,
                what=Modality(session.modality).label,
            )
            TemplateSession.objects.create(
                phase=phase,
                modality=session.modality,
                alternative_modality=session.alternative_modality,
                sessions=session.sessions,
                per_week=session.per_week,
                min_gap_hours=session.min_gap_hours,
                notes=session.notes,
            )
        for exercise in spec.exercises:
            check_exercise(exercise.exercise, clinic.pk if clinic else None)
            fields = prescription_fields(exercise)
            fields.pop("notes")
            TemplateExercise.objects.create(phase=phase, **fields)
    return template


# --- plans --------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    patient: Patient,
    clinic: Clinic,
    lead_therapist: Therapist,
    condition: str,
    created_by=None,
    template: PlanTemplate | None = None,
    title: str = "",
    condition_notes: str = "",
    start_date: date | None = None,
    preferences: Preferences | None = None,
    goals: list[GoalSpec] | tuple = (),
    phases: list[PhaseSpec] | tuple = (),
    care_team: list[Therapist] | tuple = (),
    now: datetime | None = None,
) -> TreatmentPlan:
    """A draft plan for `patient`, copied from `template` (tailored to the patient's
    preferences) or built from `phases`.

    From a template, every in-clinic modality the patient avoids (or, with low pain tolerance,
    needling and Graston) is replaced by its alternative and recorded as `substituted_for`; each
    modality becomes the clinic's usual treatment for it. `care_team`: other therapists of the
    clinic who treat the patient under the plan (they join the patient's care team). Raises
    TemplateNotAvailable,
    NoTreatmentForModality, TherapistNotAtClinic, AgainstPatientPreference or another
    PlanRuleBroken (400) and writes nothing on failure.
    """
    preferences = preferences or Preferences()
    check_therapist(lead_therapist, clinic.pk, "lead therapist")
    if preferences.preferred_therapist is not None:
        check_therapist(preferences.preferred_therapist, clinic.pk, "preferred therapist")
    for member in care_team:
        check_therapist(member, clinic.pk, "care team member")
    check_preferred_times(preferences.preferred_time_from, preferences.preferred_time_to)
    if template is not None:
        if not template.is_active or template.clinic_id not in (None, clinic.pk):
            raise errors.TemplateNotAvailable(
                f"The template {template.name!r} is not offered at {clinic.name}."
            )
        if phases:
            raise errors.PlanRuleBroken("Give either a template or phases, not both.")
    for goal in goals:
        check_goal(goal)
    plan = TreatmentPlan.objects.create(
        patient=patient,
        clinic=clinic,
        lead_therapist=lead_therapist,
        template=template,
        title=title or (template.name if template else ""),
        condition=condition,
        condition_notes=condition_notes,
        start_date=start_date or clinic.today(now),
        avoid_modalities=sorted(set(preferences.avoid_modalities)),
        pain_tolerance=preferences.pain_tolerance,
        preferred_weekdays=sorted(set(preferences.preferred_weekdays)),
        preferred_time_from=preferences.preferred_time_from,
        preferred_time_to=preferences.preferred_time_to,
        preferred_therapist=preferences.preferred_therapist,
        preference_notes=preferences.notes,
        created_by=acting_user(created_by),
    )
    plan.care_team.set([member for member in care_team if member.pk != lead_therapist.pk])
    bulk_create_with_history(
        PlanGoal, [PlanGoal(plan=plan, **vars(goal)) for goal in goals], user=plan.created_by
    )
    if template is not None:
        _copy_template(plan, template)
    for spec in phases:
        write_phase(plan, spec, now=now)
    return plan

"""Demo data for plans, used by `manage.py seed_plans` (and callable from `seed_demo`).

Every function is idempotent: it creates what is missing and leaves existing rows (possibly
edited by someone) alone, so running it again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from booking.models import Clinic, Patient, Therapist
from core.api import DomainError

from .. import services
from ..clinical import SCREENING_ITEMS
from ..models import Exercise, NeedlingScreening, PlanTemplate, TreatmentPlan
from . import demo_data as data


@transaction.atomic
def seed_exercise_library() -> int:
    """The shared exercise library. Returns how many exercises were added."""
    added = 0
    for name, (
        region,
        purpose,
        each_side,
        sets,
        reps,
        hold,
        load,
        instructions,
    ) in data.EXERCISES.items():
        _, created = Exercise.objects.get_or_create(
            clinic=None,
            name=name,
            defaults={
                "body_region": region,
                "purpose": purpose,
                "each_side": each_side,
                "default_sets": sets,
                "default_reps": reps,
                "default_hold_seconds": hold,
                "default_load": load,
                "instructions": instructions,
            },
        )
        added += created
    return added


@transaction.atomic
def seed_plan_templates() -> int:
    """The shared plan templates (needs the exercise library). Returns how many were added."""
    exercises = {e.name: e for e in Exercise.objects.filter(clinic=None)}
    added = 0
    for name, condition, description, phases in data.TEMPLATES:
        if PlanTemplate.objects.filter(clinic=None, name=name).exists():
            continue
        specs = [
            services.TemplatePhaseSpec(
                name=phase_name,
                weeks=weeks,
                notes=notes,
                sessions=tuple(
                    services.TemplateSessionSpec(modality, count, per_week)
                    for modality, count, per_week in sessions
                ),
                exercises=tuple(
                    services.PrescriptionSpec(exercise=exercises[exercise], **overrides)
                    for exercise, overrides in prescriptions
                ),
            )
            for phase_name, weeks, notes, sessions, prescriptions in phases
        ]
        services.create_template(
            name=name, condition=condition, description=description, phases=specs
        )
        added += 1
    return added


def _needling_therapist(clinic: Clinic) -> Therapist | None:
    return (
        Therapist.objects.filter(
            clinics=clinic, is_active=True, user__isnull=False, qualifications__code="dry_needling"
        )
        .order_by("pk")
        .first()
    )


def _demo_answers(index: int) -> dict[str, bool]:
    """A spread of realistic screenings: most clear, some precautions, one in twenty phobic."""
    flags = set()
    if index % 20 == 7:
        flags.add("needle_phobia")
    if index % 9 == 4:
        flags.add("anticoagulants")
    if index % 11 == 5:
        flags.add("diabetes")
    return {item.code: item.code in flags for item in SCREENING_ITEMS}


def seed_needling_screenings(*, patients, now: datetime | None = None) -> int:
    """Screen the given patients for dry needling (and record consent where safe), as their
    home clinic's needling therapist. Patients already screened are skipped. Returns how many
    were screened.

    Call it before booking demo needling sessions: the needling check refuses them otherwise.
    """
    now = now or timezone.now()
    screened = 0
    for index, patient in enumerate(sorted(patients, key=lambda p: p.pk)):
        if NeedlingScreening.objects.filter(patient=patient).exists():
            continue
        therapist = _needling_therapist(patient.clinic)
        if therapist is None:
            continue
        with transaction.atomic():
            screening = services.record_screening(
                patient=patient,
                clinic=patient.clinic,
                answers=_demo_answers(index),
                screened_by=therapist.user,
                notes="Demo screening.",
                now=now,
            )
            if screening.has_absolute:
                screened += 1
                continue
            if screening.relative_contraindications:
                services.acknowledge_precautions(
                    screening=screening,
                    acknowledged_by=therapist.user,
                    note="Superficial needling only; pressure on needle sites afterwards.",
                    now=now,
                )
            services.record_consent(
                screening=screening,
                given_by=patient.full_name,
                method="written",
                scope="Dry needling of the neck, shoulders, back and legs as discussed.",
                information_version="Needling leaflet v3",
                recorded_by=therapist.user,
                now=now,
            )
        screened += 1
    return screened


def seed_demo_plans(*, clinics, now: datetime | None = None) -> list[str]:
    """One example plan per clinic, for the first patient with a login there: from the neck
    template, activated, its sessions booked where the diary allows, with baseline scores.
    Patients who already have a plan are skipped. Returns a line per plan for the report.
    """
    now = now or timezone.now()
    template = PlanTemplate.objects.filter(clinic=None, condition="myofascial_pain").first()
    report = []
    for clinic in clinics:
        therapist = _needling_therapist(clinic)
        patient = Patient.objects.filter(clinic=clinic, user__isnull=False).order_by("pk").first()
        if template is None or therapist is None or patient is None:
            continue
        if TreatmentPlan.objects.filter(patient=patient).exists():
            continue
        seed_needling_screenings(patients=[patient], now=now)
        try:
            report.append(_demo_plan(patient, clinic, therapist, template, now))
        except DomainError as exc:
            report.append(f"{clinic.name}: no demo plan for {patient.full_name} ({exc.message})")
    return report


@transaction.atomic
def _demo_plan(patient: Patient, clinic: Clinic, therapist: Therapist, template, now) -> str:
    start = clinic.today(now) + timedelta(days=2)
    plan = services.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="myofascial_pain",
        template=template,
        condition_notes="Right upper trapezius and levator scapulae trigger points; desk worker.",
        start_date=start,
        goals=[
            services.GoalSpec("Neck pain at most 2/10", measure="nprs", target_value=Decimal(2)),
            services.GoalSpec("Check the blind spot when driving without pain"),
        ],
        created_by=therapist.user,
        now=now,
    )
    services.activate_plan(plan=plan, activated_by=therapist.user, now=now)
    today: date = clinic.today(now)
    services.record_outcome(plan=plan, measure="nprs", value=Decimal(6), recorded_on=today, now=now)
    services.record_outcome(plan=plan, measure="ndi", value=Decimal(18), recorded_on=today, now=now)
    try:
        schedule = services.confirm_schedule(
            plan=plan, booked_by=therapist.user, apply_policy=False, now=now
        )
        booked = f"{len(schedule.sessions)} sessions booked"
    except DomainError as exc:
        booked = f"sessions left to book ({exc.code})"
    return f"{clinic.name}: plan for {patient.full_name} led by {therapist.full_name}, {booked}"

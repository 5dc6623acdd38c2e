"""Which plans, templates and exercises a user sees, and which modalities a treatment delivers.

Staff see their clinics' plans (the scheduling side; clinical content only through
plans/access.py); a patient sees their own once they leave draft.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from booking.models import Booking, ClinicMembership, Modality, Patient, Treatment

from ..models import (
    Exercise,
    ExercisePrescription,
    PlanPhase,
    PlanSession,
    PlanStatus,
    PlanTemplate,
    SessionComponent,
    TreatmentPlan,
)


def _staff_clinics(user):
    return ClinicMembership.objects.filter(user=user).values("clinic_id")


def patient_clinic_ids(patient: Patient) -> set[int]:
    """The patient's home clinic and every clinic they have been booked at."""
    ids = set(
        Booking.objects.filter(patient=patient).values_list("clinic_id", flat=True).distinct()
    )
    ids.add(patient.clinic_id)
    return ids


def plans_visible_to(user) -> QuerySet[TreatmentPlan]:
    """Staff see their clinics' plans (the scheduling side; clinical content only through
    plans.access); a patient sees their own once they leave draft."""
    plans = TreatmentPlan.objects.select_related("patient", "clinic", "lead_therapist")
    if user.is_superuser:
        return plans
    own = Q(patient__user=user) & ~Q(status=PlanStatus.DRAFT)
    return plans.filter(own | Q(clinic_id__in=_staff_clinics(user)))


def plan_detail_queryset(plans: QuerySet[TreatmentPlan]) -> QuerySet[TreatmentPlan]:
    """Plans with everything the plan representation shows, in a fixed number of queries."""
    sessions = PlanSession.objects.select_related(
        "booking", "component__treatment", "component__phase"
    ).order_by("component__phase__order", "component_id", "sequence")
    phases = PlanPhase.objects.prefetch_related(
        Prefetch("components", queryset=SessionComponent.objects.select_related("treatment")),
        Prefetch("prescriptions", queryset=ExercisePrescription.objects.select_related("exercise")),
    )
    return plans.select_related("template", "preferred_therapist").prefetch_related(
        "care_team",
        "goals",
        Prefetch("phases", queryset=phases),
        Prefetch("sessions", queryset=sessions),
    )


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """The shared library and the clinic's own exercises; staff also see retired ones."""
    exercises = Exercise.objects.select_related("clinic")
    if user.is_superuser:
        return exercises
    staff = Q(clinic_id__in=_staff_clinics(user))
    patient_clinic = Q(clinic_id__in=Patient.objects.filter(user=user).values("clinic_id"))
    return exercises.filter(staff | (Q(is_active=True) & (Q(clinic__isnull=True) | patient_clinic)))


def templates_visible_to(user) -> QuerySet[PlanTemplate]:
    """Clinic staff see the shared templates and their clinics' own."""
    templates = PlanTemplate.objects.select_related("clinic").prefetch_related(
        "phases__sessions", "phases__exercises__exercise"
    )
    if user.is_superuser:
        return templates
    return templates.filter(Q(clinic__isnull=True) | Q(clinic_id__in=_staff_clinics(user)))


def treatment_modalities(treatment: Treatment) -> set[str]:
    """The modalities a treatment delivers: its own, plus those its qualifications imply.

    A "dry needling + massage" combined treatment requires the dry_needling qualification, so it
    is needling for every safety and spacing rule.
    """
    codes = {treatment.modality}
    # .all() so that a caller's prefetch_related("treatment__required_qualifications") is used.
    codes.update(
        qualification.code
        for qualification in treatment.required_qualifications.all()
        if qualification.code in Modality.values
    )
    return codes


def involves_needling(treatment: Treatment) -> bool:
    return Modality.DRY_NEEDLING in treatment_modalities(treatment)

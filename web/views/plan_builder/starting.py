"""Starting a plan for a patient, from their record or from a session: a template (copied and
tailored to the preferences) or a blank plan, with condition, goals, lead therapist and care
team. Reading the patient's open plans goes through the clinical gate."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from booking.models import Booking, Clinic, Patient
from booking.selectors import access_for, bookings_visible_to, patients_visible_to
from plans import services
from plans.access import is_clinician_at, open_clinical_record
from plans.errors import NotInCareTeam
from plans.models import PlanStatus, TreatmentPlan
from plans.selectors import patient_clinic_ids, templates_visible_to

from ..common import done, page, refuse, sign_in_first
from .common import (
    ONLY_CLINICIANS,
    PLAN,
    attempt,
    builder_url,
    form_status,
    substitutions,
)
from .forms import StartPlanForm


def _start_clinic(request: HttpRequest, patient: Patient) -> Clinic | None:
    """The clinic the plan is for: the patient's home clinic, else another of theirs, where the
    user is a therapist; None when they are one at none of them."""
    access = access_for(request)
    clinic_ids = patient_clinic_ids(patient)
    for clinic_id in [patient.clinic_id, *sorted(clinic_ids - {patient.clinic_id})]:
        if is_clinician_at(access, clinic_id):
            return Clinic.objects.get(pk=clinic_id)
    return None


def start_plan(request: HttpRequest, patient: int) -> HttpResponse:
    """Start a plan for a patient, from a template or blank (from their record or a session)."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    chosen = get_object_or_404(
        patients_visible_to(request.user).select_related("clinic"), pk=patient
    )
    clinic = _start_clinic(request, chosen)
    if clinic is None:
        return refuse(request, ONLY_CLINICIANS)
    try:
        # The page lists the patient's open plans: a read of their clinical record.
        open_clinical_record(request.user, chosen, object_type=PLAN, object_id=None)
    except NotInCareTeam as refused:
        return refuse(request, refused.message)
    session = _session_from(request, chosen)
    therapist = access_for(request).therapist
    templates = (
        templates_visible_to(request.user)
        .filter(is_active=True)
        .filter(Q(clinic__isnull=True) | Q(clinic=clinic))
    )
    start = session.start.astimezone(clinic.tz).date() if session else clinic.today()
    initial = {"start_date": start, "lead_therapist": therapist}
    form = StartPlanForm(
        request.POST or None, initial=initial, clinic=clinic, templates=templates, lead=therapist
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        template = values["template"]
        plan = attempt(
            form,
            lambda: services.create_plan(
                patient=chosen,
                clinic=clinic,
                lead_therapist=values["lead_therapist"],
                condition=values["condition"] or template.condition,
                created_by=request.user,
                template=template,
                title=values["title"],
                condition_notes=values["condition_notes"],
                start_date=values["start_date"],
                care_team=list(values["care_team"]),
                goals=form.goals(),
                preferences=services.Preferences(
                    avoid_modalities=tuple(form.avoided()),
                    preferred_weekdays=tuple(values["preferred_weekdays"]),
                    preferred_time_from=values["preferred_time_from"],
                    preferred_time_to=values["preferred_time_to"],
                    notes=values["preference_notes"],
                ),
            ),
        )
        if plan is not None:
            said = (
                f"Draft plan started from “{template.name}”." if template else "Draft plan started."
            )
            for sentence in substitutions(plan):
                messages.info(request, sentence)
            return done(request, f"{said} Check it, then activate it.", builder_url(plan))
    context = {
        "patient": chosen,
        "clinic": clinic,
        "form": form,
        "session": session,
        "open_plans": TreatmentPlan.objects.filter(
            patient=chosen, status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
        ),
        "templates": templates.prefetch_related("phases__sessions"),
    }
    return page(
        request, "web/therapist/plan_start.html", context, status=form_status(request, form)
    )


def _session_from(request: HttpRequest, patient: Patient) -> Booking | None:
    """The session the therapist came from (?session=<booking>), if it is this patient's."""
    raw = request.GET.get("session", "")
    if not raw.isdigit():
        return None
    return (
        bookings_visible_to(request.user)
        .filter(pk=int(raw), patient=patient)
        .select_related("clinic")
        .first()
    )

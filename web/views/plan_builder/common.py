"""What every plan builder page shares: who may open it, the clinical-read gate, and turning a
service's refusal into the form's error.

Who: a therapist at the plan's clinic who treats the patient (plans.access). Staff of another
clinic get 404 (the plan is not theirs to know of); reception and clinic admins get 403 (plans
are built by clinicians; reception books the sessions in the diary); a therapist outside the
patient's care team gets 403 from the gate. Every page opens the gate, which records the read
in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from booking.models import Modality
from booking.selectors import access_for
from core.api import DomainError
from plans.access import ClinicalRecord, is_clinician_at, open_clinical_records
from plans.errors import NotInCareTeam
from plans.models import SessionComponent, TreatmentPlan
from plans.selectors import plans_visible_to

from ..common import done, refuse, sign_in_first

ONLY_CLINICIANS = (
    "Treatment plans are built by the patient's therapists. Reception sees and books a plan's "
    "sessions in the diary."
)


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    url: str


def tabs(plan: TreatmentPlan) -> list[Tab]:
    """The builder's pages, in the order a plan is built."""
    return [
        Tab("plan", "Plan", reverse("web:plan_builder", args=[plan.pk])),
        Tab("schedule", "Schedule", reverse("web:plan_schedule", args=[plan.pk])),
        Tab("exercises", "Home exercises", reverse("web:plan_exercises", args=[plan.pk])),
        Tab("outcomes", "Outcomes", reverse("web:plan_outcomes", args=[plan.pk])),
        Tab("discharge", "Discharge", reverse("web:plan_discharge", args=[plan.pk])),
    ]


def builder_url(plan: TreatmentPlan, name: str = "plan_builder", *args) -> str:
    return reverse(f"web:{name}", args=[plan.pk, *args])


def clinician_plan(*reads: str):
    """Decorate a builder view `view(request, plan, **kwargs)` taking the plan's pk.

    Opens the clinical gate for `reads` (object types, e.g. "treatment_plan",
    "plan_progress"): each is recorded as a read of the plan's patient.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return sign_in_first(request)
            plan = (
                plans_visible_to(request.user)
                .select_related("clinic", "patient", "lead_therapist")
                .filter(pk=pk)
                .first()
            )
            access = access_for(request)
            # Plans of other clinics (and a patient's own plan) do not exist on these pages.
            if plan is None or not access.is_staff_at(plan.clinic_id):
                raise Http404("No such plan.")
            if not is_clinician_at(access, plan.clinic_id):
                return refuse(request, ONLY_CLINICIANS)
            try:
                open_clinical_records(
                    request.user, [ClinicalRecord(plan.patient, read, plan.pk) for read in reads]
                )
            except NotInCareTeam as refused:
                return refuse(request, refused.message)
            return view(request, plan, **kwargs)

        return wrapper

    return decorate


def attempt(form: forms.Form, action: Callable[[], object]):
    """Run a service with the form's data; its refusal becomes the form's error (shown in the
    error summary). Returns the service's result, or None when it refused."""
    try:
        return action()
    except DomainError as refused:
        form.add_error(None, refused.message)
        return None


def after_post(
    request: HttpRequest,
    plan: TreatmentPlan,
    message: str,
    anchor: str = "",
    *,
    page_name: str = "plan_builder",
) -> HttpResponse:
    """Saved: say so and go back to the builder page it belongs to."""
    return done(request, message, builder_url(plan, page_name) + anchor)


def form_status(request: HttpRequest, *forms_shown) -> int:
    """400 for a submitted form with errors (tests and tools can tell), else 200."""
    if request.method == "POST" and any(f.is_bound and f.errors for f in forms_shown):
        return 400
    return 200


PLAN = "treatment_plan"

# What the therapist does when activation is refused, by the refusal's code.
WHAT_TO_DO = {
    "needling_screening_required": (
        "The patient answers the dry-needling screening questions (online when they book "
        "needling, or with you at their next session) and then gives consent. Or tick “Avoid "
        "needles” under Preferences: the needling sessions become the non-needling alternative."
    ),
    "needling_contraindicated": (
        "Needling is not safe for this patient. Tick “Avoid needles” under Preferences to swap "
        "the needling sessions for the non-needling alternative, or remove them."
    ),
    "needling_acknowledgement_required": (
        "A needling-qualified therapist reviews the precautions below and acknowledges them with "
        "a note; the patient then gives consent."
    ),
    "needling_consent_required": (
        "Record the patient's consent to dry needling; it must be given after their latest "
        "screening."
    ),
    "red_flag_not_cleared": (
        "Follow up the onward referral. When it is resolved, a clinician in the care team "
        "clears the red flag on the patient's assessment note; then activate the plan again."
    ),
    "plan_empty": "Add in-clinic sessions to a phase, or prescribe a home exercise.",
}


def substitutions(plan: TreatmentPlan) -> list[str]:
    """Sentences saying which modalities were swapped to honour the patient's preferences."""
    swapped = SessionComponent.objects.filter(phase__plan=plan).exclude(substituted_for="")
    return [
        f"{Modality(c.substituted_for).label} was swapped for {c.treatment.name} in "
        f"“{c.phase.name}”: {plan.patient.first_name} asked to avoid it."
        for c in swapped.select_related("treatment", "phase")
    ]

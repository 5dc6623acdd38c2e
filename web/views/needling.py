"""The dry-needling step of online booking: screening questionnaire, then informed consent.

The rules are the plans app's (plans.services.safety): this step only asks the questions and
records the answers through its services. Booking a needling treatment is refused by the same
rules (booking's eligibility hook), so nothing here can be skipped by posting past it.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from booking.models import Patient, Treatment
from core.api import DomainError
from plans import selectors as plan_selectors
from plans import services as plan_services
from plans.clinical import SCREENING_ITEMS
from plans.models import ConsentMethod

from ..forms import NeedlingConsentForm, ScreeningForm
from .common import page

# The version of the information shown on the consent page, kept with each consent.
INFORMATION_VERSION = "physiodesk-online-2027.1"


def needling_step(
    request: HttpRequest,
    *,
    treatment: Treatment,
    patient: Patient,
    start: datetime,
    context: dict,
    continue_url: str,
) -> HttpResponse | None:
    """None when the treatment involves no needling or the patient is cleared for that day.

    Otherwise the page that asks for what is missing (or explains why needling cannot be
    booked), or, after a screening or consent was recorded, a redirect back to the booking.
    """
    if not plan_selectors.involves_needling(treatment):
        return None
    clinic = treatment.clinic
    day = start.astimezone(clinic.tz).date()
    action = request.POST.get("action") if request.method == "POST" else None
    screening_form = ScreeningForm(
        request.POST if action == "screening" else None, items=SCREENING_ITEMS
    )
    consent_form = NeedlingConsentForm(request.POST if action == "consent" else None)
    error = None

    if action == "screening" and screening_form.is_valid():
        try:
            plan_services.record_screening(
                patient=patient,
                clinic=clinic,
                answers=screening_form.answers(),
                screened_by=request.user,
            )
        except DomainError as refused:
            error = refused.message
        else:
            return redirect(continue_url)

    clearance = plan_selectors.needling_clearance(patient=patient, on=day)
    if action == "consent" and clearance.status == plan_selectors.CONSENT_REQUIRED:
        if consent_form.is_valid():
            values = consent_form.cleaned_data
            try:
                plan_services.record_consent(
                    screening=clearance.screening,
                    given_by=values["guardian_name"]
                    if values["by_guardian"]
                    else patient.full_name,
                    by_guardian=values["by_guardian"],
                    method=ConsentMethod.ELECTRONIC,
                    scope=f"Dry needling as part of {treatment.name} at {clinic.name}.",
                    information_version=INFORMATION_VERSION,
                    recorded_by=request.user,
                )
            except DomainError as refused:
                error = refused.message
            else:
                messages.success(request, "Thank you. Your consent to dry needling is recorded.")
                return redirect(continue_url)

    if clearance.cleared:
        return None
    return page(
        request,
        "web/book/needling.html",
        {
            **context,
            "status": clearance.status,
            "screening_form": screening_form,
            "consent_form": consent_form,
            "error": error,
            "step": 5,
            "needling": True,
        },
    )

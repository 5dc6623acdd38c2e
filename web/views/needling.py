"""The dry-needling step of online booking: the screening in plain words, screen by screen, a
review of every answer, then informed consent.

The rules are the plans app's (plans.services.safety): this step only asks the questions and
records the answers through its services. Booking a needling treatment is refused by the same
rules (booking's eligibility hook), so nothing here can be skipped by posting past it.

Answers in progress live in the session (nothing clinical is stored until the patient confirms
on the review screen); the screening is recorded in one piece, as the API records it.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from booking.models import Patient, Treatment
from core.api import DomainError
from plans import selectors as plan_selectors
from plans import services as plan_services
from plans.clinical import SCREENING_GROUPS, SCREENING_GROUPS_BY_CODE, items_in_group
from plans.models import ConsentMethod

from ..forms import NeedlingConsentForm
from ..needling_forms import ANSWER_VALUES, ScreeningScreenForm, answer_label
from .common import page

# The version of the information shown on the consent page, kept with each consent.
INFORMATION_VERSION = "physiodesk-online-2027.1"

DRAFT_KEY = "needling_screening_draft"
REVIEW = "review"


def _draft(request: HttpRequest, patient: Patient) -> dict[str, str]:
    """The answers given so far in this session (question code -> yes / no / not_sure)."""
    draft = request.session.get(DRAFT_KEY) or {}
    return dict(draft.get("answers", {})) if draft.get("patient") == patient.pk else {}


def _save_draft(request: HttpRequest, patient: Patient, answers: dict[str, str]) -> None:
    request.session[DRAFT_KEY] = {"patient": patient.pk, "answers": answers}


def _first_unanswered(draft: dict[str, str]) -> str | None:
    for group in SCREENING_GROUPS:
        if any(item.code not in draft for item in items_in_group(group.code)):
            return group.code
    return None


def _next_screen(group: str, draft: dict[str, str]) -> str:
    codes = [g.code for g in SCREENING_GROUPS]
    for code in codes[codes.index(group) + 1 :]:
        if any(item.code not in draft for item in items_in_group(code)):
            return code
    return _first_unanswered(draft) or REVIEW


def _screen_url(continue_url: str, screen: str) -> str:
    return f"{continue_url}&{urlencode({'screen': screen})}"


def _review_rows(draft: dict[str, str], continue_url: str) -> list[dict]:
    rows = []
    for group in SCREENING_GROUPS:
        rows.append(
            {
                "group": group,
                "change_url": _screen_url(continue_url, group.code),
                "answers": [
                    (item, answer_label(ANSWER_VALUES[draft[item.code]]), draft[item.code])
                    for item in items_in_group(group.code)
                ],
            }
        )
    return rows


def _questionnaire(
    request: HttpRequest, *, patient: Patient, clinic, context: dict, continue_url: str
) -> HttpResponse:
    """The screening questionnaire: one screen per group, then the review, then record it."""
    draft = _draft(request, patient)
    action = request.POST.get("action") if request.method == "POST" else None
    error = None

    if action == "screening_group":
        group = request.POST.get("group", "")
        if group in SCREENING_GROUPS_BY_CODE:
            form = ScreeningScreenForm(request.POST, items=items_in_group(group))
            if form.is_valid():
                draft.update(form.choices())
                _save_draft(request, patient, draft)
                # Onwards to the next screen still to answer, else to the review (so changing
                # one group from the review goes straight back to it).
                return redirect(_screen_url(continue_url, _next_screen(group, draft)))
            return _screen_page(request, group, form, draft, context)

    if action == "screening":
        missing = _first_unanswered(draft)
        if missing is None:
            try:
                plan_services.record_screening(
                    patient=patient,
                    clinic=clinic,
                    answers={code: ANSWER_VALUES[choice] for code, choice in draft.items()},
                    screened_by=request.user,
                )
            except DomainError as refused:
                error = refused.message
            else:
                request.session.pop(DRAFT_KEY, None)
                return redirect(continue_url)
        else:
            messages.info(request, "Please answer these questions first.")
            return redirect(_screen_url(continue_url, missing))

    screen = request.GET.get("screen", "")
    missing = _first_unanswered(draft)
    if screen == REVIEW and missing is None:
        return page(
            request,
            "web/book/needling.html",
            {
                **context,
                "status": "screening_review",
                "rows": _review_rows(draft, continue_url),
                "error": error,
            },
        )
    if screen not in SCREENING_GROUPS_BY_CODE:
        # The review before every screen is answered, or no screen named: the next to answer.
        if missing is None or screen == REVIEW:
            return redirect(_screen_url(continue_url, missing or REVIEW))
        screen = missing
    form = ScreeningScreenForm(initial=draft, items=items_in_group(screen))
    return _screen_page(request, screen, form, draft, context)


def _screen_page(request, group: str, form, draft: dict, context: dict) -> HttpResponse:
    codes = [g.code for g in SCREENING_GROUPS]
    index = codes.index(group)
    continue_url = context["continue_url"]
    previous = codes[index - 1] if index else None
    return page(
        request,
        "web/book/needling.html",
        {
            **context,
            "status": "screening_required",
            "group": SCREENING_GROUPS_BY_CODE[group],
            "screen_number": index + 1,
            "screen_count": len(codes),
            "form": form,
            "back_url": _screen_url(continue_url, previous) if previous else None,
            "all_answered": _first_unanswered(draft) is None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


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
    booked yet), or, after a screen, the screening or consent was recorded, a redirect onwards.
    """
    if not plan_selectors.involves_needling(treatment):
        return None
    clinic = treatment.clinic
    day = start.astimezone(clinic.tz).date()
    context = {**context, "step": 5, "needling": True, "continue_url": continue_url}
    clearance = plan_selectors.needling_clearance(patient=patient, on=day)
    if clearance.status == plan_selectors.SCREENING_REQUIRED:
        return _questionnaire(
            request, patient=patient, clinic=clinic, context=context, continue_url=continue_url
        )

    action = request.POST.get("action") if request.method == "POST" else None
    consent_form = NeedlingConsentForm(request.POST if action == "consent" else None)
    error = None
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
            "consent_form": consent_form,
            "error": error,
        },
    )

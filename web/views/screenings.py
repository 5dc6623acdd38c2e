"""The clinic's side of the needling screening: the screenings waiting for a call, and one
screening where a clinician in the care team acknowledges precautions or corrects answers.

Who sees what: every member of a clinic's staff sees which patients are waiting for a call and
their phone number (the same fact reception learns when a needling booking is refused); only
the patient's care team opens the answers, through plans.access (each read recorded).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from booking.models import Clinic
from booking.selectors import access_for
from core.api import DomainError
from plans import services as plan_services
from plans.access import (
    ClinicalRecord,
    open_clinical_record,
    patients_treated_by,
    readable_clinical_records,
)
from plans.clinical import SCREENING_GROUPS_BY_CODE, SCREENING_ITEMS, SCREENING_ITEMS_BY_CODE
from plans.errors import NotInCareTeam
from plans.models import NeedlingScreening
from plans.selectors import latest_screening, screenings_to_review

from ..needling_forms import AcknowledgePrecautionsForm, CorrectScreeningForm, answer_label
from .common import page, refuse, sign_in_first


def _staff_clinic_ids(access) -> list[int]:
    if access.is_superuser:
        return list(Clinic.objects.values_list("pk", flat=True))
    return list(access.roles)


def review_list(request: HttpRequest) -> HttpResponse:
    """Patients whose current screening waits for a clinician's call, oldest first."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    access = access_for(request)
    clinic_ids = _staff_clinic_ids(access)
    if not clinic_ids:
        return refuse(request, "This page is for clinic staff.")
    waiting = list(screenings_to_review(clinic_ids=clinic_ids, today=timezone.localdate()))
    treated = set(
        patients_treated_by(request.user)
        .filter(pk__in=[s.patient_id for s in waiting])
        .values_list("pk", flat=True)
    )
    # What is waiting (a "not sure", precautions) is clinical: shown to the care team only, and
    # recorded as read.
    readable_clinical_records(
        request.user,
        [
            ClinicalRecord(s.patient, "needling_screening", s.pk)
            for s in waiting
            if s.patient_id in treated
        ],
    )
    rows = [
        {
            "screening": s,
            "treats": s.patient_id in treated,
            "unsure": [SCREENING_ITEMS_BY_CODE[c].question for c in s.unsure],
            "precautions": [
                SCREENING_ITEMS_BY_CODE[c].question for c in s.relative_contraindications
            ]
            if s.needs_acknowledgement
            else [],
        }
        for s in waiting
    ]
    return page(request, "web/therapist/screenings.html", {"rows": rows})


def screening_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One screening for the care team: every answer in the clinician's and the patient's
    words, its corrections, and the forms to acknowledge precautions or correct answers."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    screening = get_object_or_404(
        NeedlingScreening.objects.select_related(
            "patient", "clinic", "screened_by", "precautions_acknowledged_by"
        ),
        pk=pk,
    )
    try:
        open_clinical_record(
            request.user, screening.patient, object_type="needling_screening", object_id=pk
        )
    except NotInCareTeam as refused:
        return refuse(request, refused.message)
    if request.user == getattr(screening.patient, "user", None):
        return refuse(request, "A screening is corrected by a clinician who treats you.")

    here = reverse("web:screening", args=[pk])
    action = request.POST.get("action") if request.method == "POST" else None
    current = screening.answers
    correct_form = CorrectScreeningForm(
        request.POST if action == "correct" else None, items=list(SCREENING_ITEMS), current=current
    )
    acknowledge_form = AcknowledgePrecautionsForm(request.POST if action == "acknowledge" else None)
    error = None
    if action == "correct" and correct_form.is_valid():
        try:
            plan_services.correct_screening(
                screening=screening,
                corrected_by=request.user,
                answers=correct_form.changed_answers(),
                reason=correct_form.cleaned_data["reason"],
            )
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, "The screening is corrected and the reason recorded.")
            return redirect(here)
    if action == "acknowledge" and acknowledge_form.is_valid():
        try:
            plan_services.acknowledge_precautions(
                screening=screening,
                acknowledged_by=request.user,
                note=acknowledge_form.cleaned_data["note"],
            )
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, "The precautions are acknowledged.")
            return redirect(here)

    latest = latest_screening(screening.patient_id).pk
    answers = [
        {
            "item": item,
            "group": SCREENING_GROUPS_BY_CODE[item.group].title,
            "answer": answer_label(current[item.code]) if item.code in current else "—",
            "value": current.get(item.code, "missing"),
            "field": correct_form[item.code],
        }
        for item in SCREENING_ITEMS
    ]
    corrections = [
        {
            "correction": c,
            "changes": [
                (
                    SCREENING_ITEMS_BY_CODE[code].question
                    if code in SCREENING_ITEMS_BY_CODE
                    else code,
                    answer_label(c.before.get(code)),
                    answer_label(value),
                )
                for code, value in c.after.items()
            ],
        }
        for c in screening.corrections.select_related("corrected_by")
    ]
    context = {
        "screening": screening,
        "patient": screening.patient,
        "answers": answers,
        "corrections": corrections,
        "correct_form": correct_form,
        "acknowledge_form": acknowledge_form,
        "is_current": latest == screening.pk,
        "error": error,
        "failed": bool(error) or correct_form.errors or acknowledge_form.errors,
    }
    status = 400 if context["failed"] else 200
    return page(request, "web/therapist/screening.html", context, status=status)

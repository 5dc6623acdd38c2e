"""The care team's pages about one patient: their record (one timeline) and a session at a
glance. Every clinical read goes through plans.access and is recorded (web.selectors.records)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import mark_safe

from booking.selectors import bookings_visible_to, patients_visible_to
from plans.charts import progress_chart_svg
from plans.errors import NotInCareTeam

from ..selectors.notes import note_glance
from ..selectors.records import patient_timeline, session_glance
from .common import page, refuse, sign_in_first

# The record page's filter: which kinds of entry to show, as the page names them.
TIMELINE_KINDS = {
    "booking": "Bookings",
    "plan": "Plans",
    "outcome": "Outcomes",
    "screening": "Screenings",
    "consent": "Consents",
    "message": "Messages",
    "note": "Notes",
}


def patient_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything in one patient's record, newest first, for the clinicians who treat them."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    patient = get_object_or_404(patients_visible_to(request.user).select_related("clinic"), pk=pk)
    try:
        entries = patient_timeline(request.user, patient)
    except NotInCareTeam as refused:
        return refuse(request, refused.message)
    shown = request.GET.get("show", "")
    if shown in TIMELINE_KINDS:
        entries = [entry for entry in entries if entry.kind == shown]
    else:
        shown = ""
    context = {
        "patient": patient,
        "entries": entries,
        "kinds": TIMELINE_KINDS,
        "shown": shown,
        "shown_label": TIMELINE_KINDS.get(shown, ""),
    }
    return page(request, "web/therapist/record.html", context)


def therapist_session(request: HttpRequest, pk: int) -> HttpResponse:
    """One session opened from the therapist's day: the patient at a glance, and what to do."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    booking = get_object_or_404(
        bookings_visible_to(request.user).select_related("patient", "therapist", "room"), pk=pk
    )
    try:
        glance = session_glance(request.user, booking)
        notes = note_glance(request.user, booking)
    except NotInCareTeam as refused:
        return refuse(request, refused.message)
    chart = None
    if glance.progress:
        # plans.charts builds the SVG itself and escapes every piece of text in it.
        chart = mark_safe(progress_chart_svg(glance.progress, title=f"Progress: {glance.plan}"))  # noqa: S308
    context = {
        "booking": booking,
        "patient": booking.patient,
        "glance": glance,
        "chart": chart,
        "notes": notes,
        "is_author": booking.therapist.user_id == request.user.pk,
        "started": booking.start <= timezone.now(),
    }
    return page(request, "web/therapist/session.html", context)

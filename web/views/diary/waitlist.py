"""The diary's waiting-list panel: list, add, and book, decline or remove an entry."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking.models import Clinic
from core.api import DomainError
from waitlist import selectors, services
from waitlist.models import WaitlistEntry

from ...forms import WaitlistForm
from ..common import done, is_fragment, page, refuse
from .base import _back, _patients, _when, reception


def _waitlist_context(clinic: Clinic) -> list[dict]:
    now = timezone.now()
    rows = []
    for entry in selectors.open_waitlist(clinic):
        rows.append(
            {
                "entry": entry,
                "still_free": selectors.offer_is_still_free(entry, now=now)
                if entry.offered_start
                else False,
            }
        )
    return rows


@reception
def waitlist_panel(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    context = {
        "clinic": clinic,
        "waitlist": _waitlist_context(clinic),
        "here": _back(request, clinic),
    }
    return page(request, "web/diary/waitlist.html", context)


@reception
def new_waitlist_entry(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    initial = {"earliest": clinic.today()}
    form = WaitlistForm(
        request.POST or None, initial=initial, clinic=clinic, patients=_patients(request, clinic)
    )
    error = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            entry = services.add_to_waitlist(
                patient=values["patient"],
                treatment=values["treatment"],
                therapist=values["therapist"],
                earliest=values["earliest"],
                latest=values["latest"],
                part_of_day=values["part_of_day"],
                notes=values["notes"],
                added_by=request.user,
            )
        except DomainError as refused:
            error = refused.message
        else:
            return done(
                request,
                f"{entry.patient.full_name} is on the waiting list for {entry.treatment.name}.",
                _back(request, clinic),
            )
    context = {
        "clinic": clinic,
        "form": form,
        "error": error,
        "back": _back(request, clinic),
        "search_url": reverse("web:diary_patients", args=[clinic.slug]),
    }
    return page(request, "web/diary/new_waitlist.html", context, status=409 if error else 200)


def _clinic_entry(clinic: Clinic, pk: int) -> WaitlistEntry:
    return get_object_or_404(
        WaitlistEntry.objects.select_related("patient", "treatment__clinic", "offered_therapist"),
        pk=pk,
        clinic=clinic,
    )


@require_POST
@reception
def waitlist_action(request: HttpRequest, clinic: Clinic, pk: int, action: str) -> HttpResponse:
    entry = _clinic_entry(clinic, pk)
    back = _back(request, clinic)
    if action == "book":
        try:
            booking = services.book_from_waitlist(entry=entry, booked_by=request.user)
        except DomainError as refused:
            message = f"Could not book {entry.patient.full_name}: {refused.message}"
            if is_fragment(request):
                return JsonResponse({"ok": False, "message": message}, status=409)
            return refuse(request, message, status=409)
        booking.clinic = clinic
        return done(
            request,
            f"Booked {entry.patient.full_name} on {_when(booking)} from the waiting list.",
            back,
        )
    if action == "decline":
        services.decline_offer(entry=entry)
        return done(request, f"{entry.patient.full_name} is back on the waiting list.", back)
    if action == "remove":
        services.remove_from_waitlist(entry=entry)
        return done(request, f"{entry.patient.full_name} was taken off the waiting list.", back)
    raise Http404("Unknown action.")

"""Diary dialogs for bookings: book, view, change status, cancel, move."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_time
from django.views.decorators.http import require_POST

from booking import services as booking_services
from booking.models import STATUS_TRANSITIONS, Booking, BookingStatus, Clinic
from core.api import DomainError
from waitlist.models import WaitlistEntry
from waitlist.selectors import offers_in_time_freed_by

from ... import selectors, services
from ...diary import card_for, not_working_reason, with_card_facts
from ...forms import CancelForm, DeskBookingForm, MoveForm, StatusForm
from ..common import STATUS_ACTIONS, TIME_PROBLEMS, done, page, parse_day, status_actions
from .base import _back, _patients, _when, reception


def _alternatives(
    form_start: datetime | None, treatment, therapist, *, moving=None, patient_id=None
):
    """The nearest free times at the desk; when `moving` a booking, not its current time."""
    if form_start is None or treatment is None:
        return []
    return selectors.nearest_times(
        treatment=treatment,
        around=form_start,
        therapist_id=therapist.pk if therapist else None,
        patient_id=patient_id,
        exclude_booking_id=moving.pk if moving else None,
        not_at=moving.start if moving else None,
        apply_policy=False,
    )


def _offers_note(offered: list[WaitlistEntry]) -> str:
    if not offered:
        return ""
    people = "1 patient" if len(offered) == 1 else f"{len(offered)} patients"
    return f" The freed time was offered to {people} on the waiting list."


def _clicked_time_problem(clinic: Clinic, form: DeskBookingForm):
    """(message, nearest free times) when the clicked time is outside hours, else (None, [])."""
    try:
        at = parse_time(form.initial.get("time") or "")
    except ValueError:
        at = None
    if at is None:
        return None, []
    day, therapist = form.initial["date"], form.chosen_therapist
    reason = not_working_reason(clinic=clinic, day=day, at=at, therapist=therapist)
    if reason is None:
        return None, []
    treatment = form.fields["treatment"].queryset.first()
    start = datetime.combine(day, at, tzinfo=clinic.tz)
    return f"{reason} Choose a time inside the working hours.", _alternatives(
        start, treatment, therapist
    )


@reception
def new_booking(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    initial = {
        "date": parse_day(request.GET.get("date"), clinic.today()),
        "time": request.GET.get("time", ""),
        "therapist": request.GET.get("therapist") or None,
        "room": request.GET.get("room") or None,
        "treatment": request.GET.get("treatment") or None,
        "patient": request.GET.get("patient") or None,
    }
    form = DeskBookingForm(
        request.POST or None, initial=initial, clinic=clinic, patients=_patients(request, clinic)
    )
    error, alternatives = None, []
    if request.method == "GET":
        error, alternatives = _clicked_time_problem(clinic, form)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        start = form.start_for(clinic.tz)
        new_patient = None
        if values["patient"] is None:
            new_patient = services.NewPatient(
                first_name=values["new_first_name"],
                last_name=values["new_last_name"],
                email=values["new_email"],
                phone=values["new_phone"],
            )
        try:
            booking = services.book_at_reception(
                treatment=values["treatment"],
                start=start,
                booked_by=request.user,
                patient=values["patient"],
                new_patient=new_patient,
                therapist=values["therapist"],
                room=values["room"],
                channel=values["channel"],
                notes=values["notes"],
            )
        except DomainError as refused:
            error = refused.message
            if isinstance(refused, TIME_PROBLEMS):
                alternatives = _alternatives(
                    start,
                    values["treatment"],
                    values["therapist"],
                    patient_id=values["patient"].pk if values["patient"] else None,
                )
        else:
            return done(
                request,
                f"Booked {booking.patient.full_name} for {booking.treatment.name} "
                f"on {_when(booking)} with {booking.therapist.full_name}.",
                _back(request, clinic),
            )
    context = {
        "clinic": clinic,
        "form": form,
        "error": error,
        "alternatives": alternatives,
        "back": _back(request, clinic),
        "search_url": reverse("web:diary_patients", args=[clinic.slug]),
    }
    return page(request, "web/diary/new_booking.html", context, status=409 if error else 200)


def _clinic_booking(clinic: Clinic, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("clinic", "patient", "treatment", "therapist", "room"),
        pk=pk,
        clinic=clinic,
    )


@reception
def booking_detail(request: HttpRequest, clinic: Clinic, pk: int) -> HttpResponse:
    booking = _clinic_booking(clinic, pk)
    return _detail_page(request, clinic, booking)


def _detail_page(
    request, clinic, booking, *, error=None, cancel_form=None, status=200
) -> HttpResponse:
    context = {
        "clinic": clinic,
        "booking": booking,
        # First visit or follow-up, and the plan's scheduling side, as on the diary's card.
        "card": card_for(with_card_facts(Booking.objects.filter(pk=booking.pk)).get()),
        "error": error,
        "back": _back(request, clinic),
        "actions": status_actions(booking),
        "no_show_later": booking.status == BookingStatus.CONFIRMED
        and timezone.now() < booking.no_show_from,
        "can_move": booking.status == BookingStatus.CONFIRMED,
        "can_cancel": BookingStatus.CANCELLED in STATUS_TRANSITIONS[booking.status],
        "late": selectors.is_late_cancellation(booking),
        "cancel_form": cancel_form
        or CancelForm(initial={"version": booking.version}, for_staff=True),
    }
    return page(request, "web/diary/booking.html", context, status=status)


@require_POST
@reception
def booking_status(request: HttpRequest, clinic: Clinic, pk: int) -> HttpResponse:
    booking = _clinic_booking(clinic, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, clinic, booking, error="Choose what happened.", status=400)
    service, said, _label, _status = STATUS_ACTIONS[form.cleaned_data["action"]]
    try:
        service(booking=booking, expected_version=form.cleaned_data["version"])
    except DomainError as refused:
        return _detail_page(
            request, clinic, _clinic_booking(clinic, pk), error=refused.message, status=409
        )
    return done(request, f"{booking.patient.full_name} {said}.", _back(request, clinic))


@require_POST
@reception
def cancel_booking(request: HttpRequest, clinic: Clinic, pk: int) -> HttpResponse:
    booking = _clinic_booking(clinic, pk)
    form = CancelForm(request.POST, for_staff=True)
    if not form.is_valid():
        return _detail_page(request, clinic, booking, cancel_form=form, status=400)
    try:
        cancelled = booking_services.cancel_booking(
            booking=booking,
            cancelled_by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            apply_policy=False,
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as refused:
        return _detail_page(
            request, clinic, _clinic_booking(clinic, pk), error=refused.message, status=409
        )
    offered = offers_in_time_freed_by(booking)
    late = " (late cancellation)" if cancelled.is_late_cancellation else ""
    return done(
        request,
        f"Cancelled {booking.patient.full_name} on {_when(booking)}{late}.{_offers_note(offered)}",
        _back(request, clinic),
    )


@reception
def move_booking(request: HttpRequest, clinic: Clinic, pk: int) -> HttpResponse:
    booking = _clinic_booking(clinic, pk)
    local = booking.start.astimezone(clinic.tz)
    initial = {
        "date": parse_day(request.GET.get("date"), local.date()),
        "time": request.GET.get("time") or f"{local:%H:%M}",
        "therapist": request.GET.get("therapist") or booking.therapist_id,
        "room": request.GET.get("room") or None,
        "version": booking.version,
    }
    form = MoveForm(request.POST or None, initial=initial, clinic=clinic)
    error, alternatives = None, []
    if request.method == "POST" and form.is_valid():
        start = form.start_for(clinic.tz)
        therapist = form.cleaned_data["therapist"]
        try:
            moved = booking_services.reschedule_booking(
                booking=booking,
                start=start,
                therapist=therapist,
                room=form.cleaned_data["room"],
                changed_by=request.user,
                apply_policy=False,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as refused:
            error = refused.message
            if isinstance(refused, TIME_PROBLEMS):
                alternatives = _alternatives(
                    start,
                    booking.treatment,
                    therapist,
                    moving=booking,
                    patient_id=booking.patient_id,
                )
        else:
            moved.clinic = clinic
            offered = []
            if (moved.blocked_start, moved.blocked_end, moved.therapist_id) != (
                booking.blocked_start,
                booking.blocked_end,
                booking.therapist_id,
            ):
                offered = offers_in_time_freed_by(booking)
            return done(
                request,
                f"Moved {booking.patient.full_name} to {_when(moved)} "
                f"with {moved.therapist.full_name}.{_offers_note(offered)}",
                _back(request, clinic),
            )
    context = {
        "clinic": clinic,
        "booking": booking,
        "form": form,
        "error": error,
        "alternatives": alternatives,
        "back": _back(request, clinic),
        "from_drag": bool(request.GET.get("time")),
    }
    return page(request, "web/diary/move.html", context, status=409 if error else 200)

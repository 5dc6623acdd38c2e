"""Reception: the diary of one clinic, its dialogs (book, move, cancel, status, block) and the
waiting list. Every page also answers as a fragment (header X-Fragment: 1) for the diary's
dialogs, which post with fetch and get JSON back on success.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from booking import services as booking_services
from booking.errors import BlockConflict
from booking.filters import PatientFilter
from booking.models import STATUS_TRANSITIONS, Block, Booking, BookingStatus, Clinic, Therapist
from booking.selectors import access_for, patients_visible_to
from core.api import DomainError

from .. import selectors, services
from ..diary import By, Diary, diary_signature
from ..forms import BlockForm, CancelForm, DeskBookingForm, MoveForm, StatusForm, WaitlistForm
from ..models import WaitlistEntry
from .common import (
    STATUS_ACTIONS,
    TIME_PROBLEMS,
    done,
    is_fragment,
    page,
    parse_day,
    refuse,
    sign_in_first,
    status_actions,
)

DEFAULT_POLL_SECONDS = 10


def reception(view):
    """Only reception and admins of the clinic in the URL; the view receives the Clinic."""

    @wraps(view)
    def wrapper(request: HttpRequest, clinic: str, *args, **kwargs):
        if not request.user.is_authenticated:
            return sign_in_first(request)
        clinic = get_object_or_404(Clinic, slug=clinic)
        if not access_for(request).manages(clinic.pk):
            return refuse(request, f"Only the reception team of {clinic.name} can use its diary.")
        return view(request, clinic, *args, **kwargs)

    return wrapper


def diary_home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    access = access_for(request)
    clinics = list(
        Clinic.objects.all()
        if access.is_superuser
        else Clinic.objects.filter(pk__in=[pk for pk in access.roles if access.manages(pk)])
    )
    if len(clinics) == 1:
        return redirect("web:diary", clinic=clinics[0].slug)
    if not clinics:
        if access.therapist is not None:
            return redirect("web:therapist_day")
        return refuse(request, "The diary is for clinic reception teams.")
    return page(request, "web/diary/clinics.html", {"clinics": clinics})


def _today(clinic: Clinic):
    return timezone.now().astimezone(clinic.tz).date()


def _diary_from(request: HttpRequest, clinic: Clinic) -> Diary:
    only = request.GET.get("only", "")
    return Diary(
        clinic=clinic,
        day=parse_day(request.GET.get("date"), _today(clinic)),
        view=request.GET.get("view", "day"),
        by=request.GET.get("by", By.THERAPIST),
        only=int(only) if only.isdigit() else None,
    )


def _diary_url(clinic: Clinic, diary: Diary | None = None, **changes) -> str:
    params = {}
    if diary is not None:
        params = {"date": diary.first_day.isoformat(), "view": diary.view, "by": diary.by}
        if diary.only:
            params["only"] = diary.only
    params.update({key: value for key, value in changes.items() if value is not None})
    return f"{reverse('web:diary', args=[clinic.slug])}?{urlencode(params)}"


def _back(request: HttpRequest, clinic: Clinic) -> str:
    """The diary view the request came from (kept in ?back=), else today's."""
    back = request.POST.get("back") or request.GET.get("back") or ""
    prefix = reverse("web:diary", args=[clinic.slug])
    return back if back.startswith(prefix) else prefix


def _signature(request: HttpRequest, clinic: Clinic) -> str:
    """The diary_signature of the days this request shows (the Monday-to-Sunday week, or a day)."""
    first_day = parse_day(request.GET.get("date"), _today(clinic))
    if request.GET.get("view") == "week":
        first_day -= timedelta(days=first_day.weekday())
        return diary_signature(clinic=clinic, first_day=first_day, days=7)
    return diary_signature(clinic=clinic, first_day=first_day, days=1)


@reception
def diary(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    # Fingerprint first, then draw: a change landing in between makes the first poll redraw.
    etag = _signature(request, clinic)
    diary = _diary_from(request, clinic)
    query = urlencode(
        {
            "date": diary.first_day.isoformat(),
            "view": diary.view,
            "by": diary.by,
            "only": diary.only or "",
        }
    )
    context = {
        "clinic": clinic,
        "diary": diary,
        "today": _today(clinic),
        "here": _diary_url(clinic, diary),
        "changes_url": f"{reverse('web:diary_changes', args=[clinic.slug])}?{query}",
        "etag": etag,
        "poll_seconds": getattr(settings, "WEB_DIARY_POLL_SECONDS", DEFAULT_POLL_SECONDS),
        "links": {
            "previous": _diary_url(clinic, diary, date=diary.previous_day.isoformat()),
            "next": _diary_url(clinic, diary, date=diary.next_day.isoformat()),
            "today": _diary_url(clinic, diary, date=_today(clinic).isoformat()),
            "day": _diary_url(clinic, diary, view="day"),
            "week": _diary_url(clinic, diary, view="week"),
            "by_therapist": _diary_url(clinic, diary, by=By.THERAPIST, only=""),
            "by_room": _diary_url(clinic, diary, by=By.ROOM, only=""),
        },
        "waitlist": _waitlist_context(clinic),
    }
    return page(request, "web/diary/diary.html", context)


@require_GET
@reception
def changes(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """What the diary draws, for the page to redraw what changed; 304 when nothing did."""
    etag = f'"{_signature(request, clinic)}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    diary = _diary_from(request, clinic)
    back = _diary_url(clinic, diary)
    items = [
        {
            "id": item.dom_id,
            "column": item.column,
            "html": render_to_string(
                "web/diary/_item.html",
                {"item": item, "clinic": clinic, "back": back, "diary": diary},
            ),
        }
        for item in diary.items
    ]
    waitlist = render_to_string(
        "web/diary/_waitlist.html",
        {"clinic": clinic, "waitlist": _waitlist_context(clinic), "here": back},
        request,
    )
    response = JsonResponse({"items": items, "waitlist": waitlist})
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@reception
def patient_search(request: HttpRequest, clinic: Clinic) -> JsonResponse:
    query = request.GET.get("q", "").strip()
    patients = []
    if len(query) >= 2:
        found = PatientFilter({"search": query}, queryset=_patients(request, clinic)).qs.order_by(
            "last_name", "first_name"
        )[:10]
        patients = [
            {
                "id": patient.pk,
                "name": patient.full_name,
                "detail": " · ".join(
                    filter(
                        None,
                        [
                            f"{patient.date_of_birth:%-d %b %Y}" if patient.date_of_birth else "",
                            patient.phone,
                            patient.email,
                        ],
                    )
                ),
            }
            for patient in found
        ]
    return JsonResponse({"patients": patients})


def _patients(request: HttpRequest, clinic: Clinic):
    """Patients reception may book at this clinic: its own, and any it has seen before."""
    return (
        patients_visible_to(request.user)
        .filter(Q(clinic=clinic) | Q(bookings__clinic=clinic))
        .distinct()
    )


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


def _when(booking: Booking) -> str:
    local = booking.start.astimezone(booking.clinic.tz)
    return f"{local:%a %-d %b %H:%M}"


def _offers_note(offered: list[WaitlistEntry]) -> str:
    if not offered:
        return ""
    people = "1 patient" if len(offered) == 1 else f"{len(offered)} patients"
    return f" The freed time was offered to {people} on the waiting list."


# --- bookings -------------------------------------------------------------------------------------


@reception
def new_booking(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    initial = {
        "date": parse_day(request.GET.get("date"), _today(clinic)),
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
        "error": error,
        "back": _back(request, clinic),
        "actions": status_actions(booking),
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
    offered = services.offer_time_freed_by(booking)
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
                offered = services.offer_time_freed_by(booking)
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


# --- blocks ---------------------------------------------------------------------------------------


@reception
def new_block(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    therapists = Therapist.objects.filter(clinics=clinic, is_active=True)
    rooms = clinic.rooms.filter(is_active=True)
    subject = request.GET.get("subject", "")
    initial = {"date": parse_day(request.GET.get("date"), _today(clinic)), "subject": subject}
    form = BlockForm(
        request.POST or None, initial=initial, clinic=clinic, therapists=therapists, rooms=rooms
    )
    error, clashes = None, []
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        tz = clinic.tz
        try:
            block = booking_services.block_time(
                start=datetime.combine(values["date"], values["start"], tzinfo=tz),
                end=datetime.combine(values["date"], values["end"], tzinfo=tz),
                clinic=clinic,
                reason=values["reason"],
                created_by=request.user,
                **form.target(),
            )
        except DomainError as refused:
            error = refused.message
            if isinstance(refused, BlockConflict):
                clashes = list(
                    Booking.objects.filter(
                        pk__in=refused.details.get("bookings", []), clinic=clinic
                    ).select_related("patient", "therapist", "treatment", "clinic")
                )
        else:
            what = block.therapist or block.room or clinic
            return done(
                request,
                f"Blocked {what} on {values['date']:%a %-d %b}, "
                f"{values['start']:%H:%M}–{values['end']:%H:%M}.",
                _back(request, clinic),
            )
    context = {
        "clinic": clinic,
        "form": form,
        "error": error,
        "clashes": clashes,
        "back": _back(request, clinic),
    }
    return page(request, "web/diary/new_block.html", context, status=409 if error else 200)


def _clinic_block(clinic: Clinic, pk: int) -> Block:
    block = get_object_or_404(Block.objects.select_related("therapist", "room"), pk=pk)
    # The API's rule: a block naming a clinic belongs to that clinic; a therapist's block that
    # names none belongs to every clinic they work at.
    if block.clinic_id is not None:
        belongs = block.clinic_id == clinic.pk
    elif block.room_id is not None:
        belongs = block.room.clinic_id == clinic.pk
    else:
        belongs = block.therapist.clinics.filter(pk=clinic.pk).exists()
    if not belongs:
        raise Http404("No such block.")
    return block


@reception
def block_detail(request: HttpRequest, clinic: Clinic, pk: int) -> HttpResponse:
    block = _clinic_block(clinic, pk)
    if request.method == "POST":
        block.delete()  # a block carries no rule to keep: the API deletes them the same way
        return done(request, "Block removed.", _back(request, clinic))
    return page(
        request,
        "web/diary/block.html",
        {"clinic": clinic, "block": block, "back": _back(request, clinic)},
    )


# --- waiting list ---------------------------------------------------------------------------------


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
    initial = {"earliest": _today(clinic)}
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

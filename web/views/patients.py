"""Patients: book online, see their appointments, move or cancel them (signed in or by link)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from booking import services as booking_services
from booking.models import Booking
from booking.selectors import access_for
from core.api import DomainError
from notifications.calendar_links import appointment_links
from plans.charts import progress_chart_svg
from plans.models import ExercisePrescription, PlanStatus
from plans.selectors import plan_progress, plans_visible_to
from plans.services import log_exercise
from privacy import services as privacy_services
from privacy.selectors import record_openings
from privacy.views import export_body, export_filename
from sessionnotes.aftercare import aftercare_for_booking

from .. import selectors
from ..forms import PatientCancelForm
from ..ics import booking_calendar
from ..links import INVALID, LinkState, manage_token, open_manage_link
from ..progress import in_words
from .booking_flow import therapist_choice, unavailable
from .common import page, parse_start, refuse, sign_in_first
from .times_picker import week_of_times

# --- a patient's own bookings --------------------------------------------------------------------


@dataclass(frozen=True)
class BookingLinks:
    """Where a booking's pages live: under /appointments/ when signed in, under /manage/ by link."""

    page: str
    reschedule: str
    cancel: str
    calendar: str
    by_link: bool


def _links(booking: Booking, token: str | None) -> BookingLinks:
    if token:
        return BookingLinks(
            page=reverse("web:manage", args=[token]),
            reschedule=reverse("web:manage_reschedule", args=[token]),
            cancel=reverse("web:manage_cancel", args=[token]),
            calendar=reverse("web:manage_calendar", args=[token]),
            by_link=True,
        )
    return BookingLinks(
        page=reverse("web:booking", args=[booking.uid]),
        reschedule=reverse("web:reschedule", args=[booking.uid]),
        cancel=reverse("web:cancel", args=[booking.uid]),
        calendar=reverse("web:calendar", args=[booking.uid]),
        by_link=False,
    )


class LinkEnded(Exception):
    """A manage link that no longer works (see web.links); answered by the page saying why."""

    def __init__(self, state: LinkState):
        super().__init__(state.ended)
        self.state = state


def explains_ended_links(view):
    """A booking page opened by a link that has ended says why: 410 Gone for a booking that was
    cancelled or has taken place, 404 for a damaged or unknown link."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except LinkEnded as ended:
            booking = ended.state.booking
            tz = booking.clinic.tz if booking else None
            context = {
                "reason": ended.state.ended,
                "booking": booking,
                "when": booking.start.astimezone(tz) if booking else None,
                "cancelled_on": (
                    booking.cancelled_at.astimezone(tz)
                    if booking and booking.cancelled_at
                    else None
                ),
            }
            status = 404 if ended.state.ended == INVALID else 410
            return page(request, "web/patient/link_ended.html", context, status=status)

    return wrapper


def _patient_booking(request: HttpRequest, uid=None, token=None) -> tuple[Booking, BookingLinks]:
    """The booking a signed link names while the link works, or the signed-in patient's own
    booking; else 404 (or LinkEnded, for a link that no longer works)."""
    if token is not None:
        state = open_manage_link(token)
        if not state.works:
            raise LinkEnded(state)
        return state.booking, _links(state.booking, token)
    patient = access_for(request).patient
    if patient is None:
        raise Http404("No such appointment.")
    booking = get_object_or_404(
        selectors.patient_bookings(patient).select_related("patient"), uid=uid
    )
    return booking, _links(booking, None)


def _needs_sign_in(request: HttpRequest, token) -> bool:
    return token is None and not request.user.is_authenticated


def appointments(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    access = access_for(request)
    if access.patient is None:
        if access.is_staff_anywhere:
            return redirect("web:diary_home" if not access.therapist else "web:therapist_day")
        return refuse(request, "This sign-in has no patient record.")
    upcoming, past = selectors.upcoming_and_past(access.patient)
    now = timezone.now()
    for booking in upcoming:
        booking.changeable = selectors.may_change_online(booking, now=now)
    plans = [
        selectors.plan_week(plan, today=plan.clinic.today())
        for plan in selectors.patient_plans(request.user, access.patient)
    ]
    context = {
        "patient": access.patient,
        "upcoming": upcoming,
        "past": past,
        "plans": plans,
        "openings": record_openings(access.patient),
    }
    return page(request, "web/patient/appointments.html", context)


def my_data(request: HttpRequest) -> HttpResponse:
    """The patient's own copy of everything held about them, as a JSON file (subject access;
    recorded in the audit trail). The same document as GET /api/v1/patients/{id}/export/."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    patient = access_for(request).patient
    if patient is None:
        raise Http404("This sign-in has no patient record.")
    document = privacy_services.export_patient_data(patient=patient, user=request.user, own=True)
    response = JsonResponse(
        export_body(document, reveal_clinical=True), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = export_filename(patient, document.generated_at)
    return response


def booked(request: HttpRequest, uid) -> HttpResponse:
    if _needs_sign_in(request, None):
        return sign_in_first(request)
    booking, links = _patient_booking(request, uid=uid)
    context = {
        "booking": booking,
        "links": links,
        "add_to": appointment_links(booking.pk),
        "emailed": booking.patient.email if booking.patient.consents_to_email else "",
    }
    return page(request, "web/patient/booked.html", context)


@explains_ended_links
def booking_page(request: HttpRequest, uid=None, token=None) -> HttpResponse:
    if _needs_sign_in(request, token):
        return sign_in_first(request)
    booking, links = _patient_booking(request, uid=uid, token=token)
    now = timezone.now()
    context = {
        "booking": booking,
        "links": links,
        "may_change": selectors.may_change_online(booking, now=now),
        "may_move": selectors.may_move_online(booking, now=now),
        "late": selectors.is_late_cancellation(booking, now=now),
        # After the session: advice for the modalities done (never the note itself).
        "aftercare": aftercare_for_booking(booking),
    }
    return page(request, "web/patient/booking.html", context)


@explains_ended_links
def reschedule(request: HttpRequest, uid=None, token=None) -> HttpResponse:
    if _needs_sign_in(request, token):
        return sign_in_first(request)
    booking, links = _patient_booking(request, uid=uid, token=token)
    treatment = booking.treatment
    data = request.POST if request.method == "POST" else request.GET
    therapist = therapist_choice(treatment, data.get("therapist", str(booking.therapist_id)))
    if not selectors.may_move_online(booking):
        return page(
            request,
            "web/patient/reschedule.html",
            {"booking": booking, "links": links, "too_late": True},
        )

    if request.method == "POST":
        start = parse_start(request.POST.get("start"))
        if start is None:
            messages.error(request, "Please choose a new time.")
            return redirect(links.reschedule)
        try:
            moved = booking_services.reschedule_booking(
                booking=booking,
                start=start,
                therapist=therapist,
                changed_by=request.user if request.user.is_authenticated else None,
                expected_version=_int(request.POST.get("version")),
            )
        except DomainError as error:
            return unavailable(
                request,
                treatment=treatment,
                start=start,
                therapist=therapist,
                error=error,
                action_url=links.reschedule,
                hidden={"therapist": str(therapist.pk) if therapist else "any"},
                verb="Move to",
                patient_id=booking.patient_id,
                moving=booking,
                back_url=links.page,
            )
        local = moved.start.astimezone(moved.clinic.tz)
        messages.success(request, f"Moved to {local:%A %-d %B at %H:%M}.")
        return redirect(links.page)

    therapist_param = str(therapist.pk) if therapist else "any"
    proposed = parse_start(request.GET.get("start"))
    if proposed is not None and proposed != booking.start:
        # A tapped time is a proposal: the patient confirms the move on the next screen.
        return page(
            request,
            "web/patient/reschedule_confirm.html",
            {
                "booking": booking,
                "links": links,
                "proposed": proposed,
                "therapist": therapist,
                "therapist_param": therapist_param,
                "back_to_times": f"{links.reschedule}?therapist={therapist_param}"
                f"&from={request.GET.get('from', '')}&day={request.GET.get('day', '')}",
            },
        )
    same_therapist = therapist is None or therapist.pk == booking.therapist_id
    context = week_of_times(
        request,
        treatment,
        therapist,
        exclude_booking_id=booking.pk,
        patient_id=booking.patient_id,
        # Never offer the time the appointment already has.
        not_at=booking.start if same_therapist else None,
    )
    context.update(
        {
            "booking": booking,
            "links": links,
            "therapists": selectors.therapists_offering(treatment),
            "therapist_param": therapist_param,
        }
    )
    return page(request, "web/patient/reschedule.html", context)


@explains_ended_links
def cancel(request: HttpRequest, uid=None, token=None) -> HttpResponse:
    if _needs_sign_in(request, token):
        return sign_in_first(request)
    booking, links = _patient_booking(request, uid=uid, token=token)
    now = timezone.now()
    late = selectors.is_late_cancellation(booking, now=now)
    form = PatientCancelForm(request.POST or None, initial={"version": booking.version})
    error = None
    if request.method == "POST" and form.is_valid():
        if late and not form.cleaned_data["understands_late"]:
            form.add_error(
                "understands_late", "Please confirm you understand this is a late cancellation."
            )
        else:
            try:
                booking_services.cancel_booking(
                    booking=booking,
                    cancelled_by=request.user if request.user.is_authenticated else None,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as refused:
                error = refused.message
            else:
                messages.success(
                    request,
                    "Your appointment is cancelled."
                    + (" It was a late cancellation." if late else ""),
                )
                return redirect(links.page)
    context = {
        "booking": booking,
        "links": links,
        "form": form,
        "late": late,
        "may_change": selectors.may_change_online(booking, now=now),
        "error": error,
    }
    return page(request, "web/patient/cancel.html", context, status=409 if error else 200)


@explains_ended_links
def calendar_file(request: HttpRequest, uid=None, token=None) -> HttpResponse:
    if _needs_sign_in(request, token):
        return sign_in_first(request)
    booking, _links_ = _patient_booking(request, uid=uid, token=token)
    manage_url = request.build_absolute_uri(
        reverse("web:manage", args=[token or manage_token(booking)])
    )
    calendar = booking_calendar(booking, manage_url=manage_url)
    if calendar is None:
        raise Http404("No calendar entry for this booking.")
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="appointment-{booking.start:%Y-%m-%d}.ics"'
    )
    return response


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


# --- the patient's treatment plan -----------------------------------------------------------------


def _own_plan(request: HttpRequest, pk: int):
    patient = access_for(request).patient
    if patient is None:
        raise Http404("No such plan.")
    plans = plans_visible_to(request.user).filter(patient=patient).exclude(status=PlanStatus.DRAFT)
    return get_object_or_404(plans, pk=pk)


def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    plan = _own_plan(request, pk)
    today = plan.clinic.today()
    week = selectors.plan_week(plan, today=today)
    progress = plan_progress(plan)
    chart = None
    if progress:
        # plans.charts builds the SVG itself and escapes every piece of text in it.
        chart = mark_safe(progress_chart_svg(progress, title=f"Progress: {plan}"))  # noqa: S308
    context = {
        "plan": plan,
        "week": week,
        "chart": chart,
        "progress_in_words": [in_words(measure) for measure in progress],
        "pain_scale": range(11),
        "today": today,
        "openings": record_openings(plan.patient),
    }
    return page(request, "web/patient/plan.html", context)


@require_POST
def exercise_done(request: HttpRequest, pk: int, prescription: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    plan = _own_plan(request, pk)
    chosen = get_object_or_404(
        ExercisePrescription.objects.select_related("exercise"), pk=prescription, phase__plan=plan
    )
    pain = request.POST.get("pain", "")
    try:
        log_exercise(
            plan=plan,
            prescription=chosen,
            performed_on=plan.clinic.today(),
            sets_done=chosen.sets,
            reps_done=chosen.reps,
            pain=int(pain) if pain.isdigit() else None,
            logged_by=request.user,
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Logged: {chosen.exercise.name}. Well done.")
    return redirect(f"{reverse('web:plan', args=[plan.pk])}#exercise-{chosen.pk}")

"""Booking online: treatment → therapist → day and time → details → screening → confirm."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from booking import services as booking_services
from booking.errors import SlotConflict
from booking.models import Booking, Clinic, Therapist, Treatment
from booking.photos import photo_version
from booking.selectors import access_for, booking_terms
from core.api import DomainError
from plans.errors import NeedlingNotCleared
from plans.selectors import involves_needling
from waitlist import services as waitlist_services

from .. import selectors
from ..forms import RegistrationForm
from ..selectors.times import next_free_times
from .accounts import register_and_sign_in
from .common import TIME_PROBLEMS, page, parse_day, parse_start, refuse, sign_in_first
from .needling import needling_step
from .times_picker import week_of_times

# --- choosing: clinic, treatment, therapist, time -----------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    clinics = list(selectors.bookable_clinics())
    if len(clinics) == 1:
        return redirect("web:treatments", clinic=clinics[0].slug)
    return page(request, "web/book/clinics.html", {"clinics": clinics})


def treatments(request: HttpRequest, clinic: str) -> HttpResponse:
    clinic = get_object_or_404(Clinic, slug=clinic)
    groups = selectors.treatments_by_modality(clinic)
    return page(
        request, "web/book/treatments.html", {"clinic": clinic, "groups": groups, "step": 1}
    )


def _treatment(clinic: str, treatment: int) -> Treatment:
    return get_object_or_404(
        Treatment.objects.select_related("clinic"),
        pk=treatment,
        clinic__slug=clinic,
        is_active=True,
        online_bookable=True,
    )


def therapist_choice(treatment: Treatment, value: str | None) -> Therapist | None:
    if value and value.isdigit():
        return selectors.therapists_offering(treatment).filter(pk=int(value)).first()
    return None


def therapists(request: HttpRequest, clinic: str, treatment: int) -> HttpResponse:
    treatment = _treatment(clinic, treatment)
    therapists = list(selectors.therapists_offering(treatment))
    next_free = next_free_times(treatment=treatment, patient_id=_patient_id(request))
    for therapist in therapists:
        therapist.next_free = next_free.get(therapist.pk)
    context = {
        "clinic": treatment.clinic,
        "treatment": treatment,
        "therapists": therapists,
        "anyone_next_free": min(next_free.values(), default=None),
        "times_url": reverse("web:times", args=[treatment.clinic.slug, treatment.pk]),
        "step": 2,
        "needling": involves_needling(treatment),
    }
    return page(request, "web/book/therapists.html", context)


def therapist_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A therapist's photo (public, like their name and bio on the therapist step).

    The stored file is a JPEG this app re-encoded (booking.photos), so it is always served as
    image/jpeg with a policy that lets it do nothing but be shown. An address with the current
    version (?v=) is cached for good; a new photo gets a new address.
    """
    therapist = get_object_or_404(Therapist.objects.only("pk", "photo"), pk=pk)
    if not therapist.photo:
        raise Http404("No photo.")
    try:
        handle = therapist.photo.storage.open(therapist.photo.name, "rb")
    except FileNotFoundError as missing:
        raise Http404("No photo.") from missing
    response = FileResponse(handle, content_type="image/jpeg")
    current = request.GET.get("v") == photo_version(therapist)
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if current else "public, max-age=300"
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = 'inline; filename="therapist.jpg"'
    return response


def _patient_id(request: HttpRequest) -> int | None:
    patient = access_for(request).patient
    return patient.pk if patient else None


def times(request: HttpRequest, clinic: str, treatment: int) -> HttpResponse:
    treatment = _treatment(clinic, treatment)
    therapist = therapist_choice(treatment, request.GET.get("therapist"))
    context = week_of_times(
        request, treatment, therapist, patient_id=_patient_id(request), with_month=True
    )
    therapist_param = str(therapist.pk) if therapist else "any"
    context["confirm_url"] = reverse("web:confirm", args=[treatment.clinic.slug, treatment.pk])
    context.update(
        {
            "clinic": treatment.clinic,
            "treatment": treatment,
            "therapist_param": therapist_param,
            "step": 3,
            "needling": involves_needling(treatment),
            "patient": access_for(request).patient,
        }
    )
    return page(request, "web/book/times.html", context)


# --- details, screening and confirmation ---------------------------------------------------------


def unavailable(
    request,
    *,
    treatment,
    start,
    therapist,
    error,
    action_url,
    hidden,
    verb,
    patient_id=None,
    moving: Booking | None = None,
    back_url,
) -> HttpResponse:
    """The chosen time cannot be had: say why and offer the nearest free times instead.

    When `moving` a booking, its own time does not count as taken and is not offered back.
    """
    alternatives = []
    if isinstance(error, TIME_PROBLEMS):
        alternatives = selectors.nearest_times(
            treatment=treatment,
            around=start,
            therapist_id=therapist.pk if therapist else None,
            patient_id=patient_id,
            exclude_booking_id=moving.pk if moving else None,
            not_at=moving.start if moving else None,
        )
    taken = isinstance(error, SlotConflict)
    context = {
        "clinic": treatment.clinic,
        "treatment": treatment,
        "therapist": therapist,
        "message": error.message,
        "taken": taken,
        "requested": start,
        "alternatives": alternatives,
        "action_url": action_url,
        "hidden": hidden,
        "verb": verb,
        "back_url": back_url,
    }
    return page(request, "web/book/unavailable.html", context, status=409 if taken else 400)


def confirm(request: HttpRequest, clinic: str, treatment: int) -> HttpResponse:
    treatment = _treatment(clinic, treatment)
    data = request.POST if request.method == "POST" else request.GET
    therapist = therapist_choice(treatment, data.get("therapist"))
    therapist_param = str(therapist.pk) if therapist else "any"
    start = parse_start(data.get("start"))
    times_url = (
        reverse("web:times", args=[treatment.clinic.slug, treatment.pk])
        + f"?therapist={therapist_param}"
    )
    if start is None:
        messages.info(request, "Please choose a time first.")
        return redirect(times_url)
    here = reverse("web:confirm", args=[treatment.clinic.slug, treatment.pk])
    here_with_query = (
        f"{here}?{urlencode({'therapist': therapist_param, 'start': start.isoformat()})}"
    )
    access = access_for(request)
    patient = access.patient
    refusal = {
        "treatment": treatment,
        "start": start,
        "therapist": therapist,
        "action_url": here,
        "hidden": {"therapist": therapist_param, "action": "confirm"},
        "verb": "Book",
        "patient_id": patient.pk if patient else None,
        "back_url": times_url,
    }
    registration = RegistrationForm()

    if (
        request.method == "POST"
        and data.get("action") == "register"
        and not access.is_authenticated
    ):
        registration = RegistrationForm(request.POST)
        if registration.is_valid():
            done = register_and_sign_in(
                request, registration, treatment.clinic, next_url=here_with_query
            )
            if done is not None:
                return done

    if request.method == "POST" and data.get("action") == "confirm":
        if not access.is_authenticated:
            return sign_in_first(request)
        if patient is None:
            return refuse(request, "This sign-in has no patient record, so it cannot book online.")
        # Booking for yourself: an online booking under the clinic's policy (booking's rule).
        terms = booking_terms(access, clinic_id=treatment.clinic_id, therapist=therapist)
        try:
            booking = booking_services.book_session(
                treatment=treatment,
                start=start,
                patient=terms.patient,
                therapist=terms.therapist,
                booked_by=request.user,
                channel=terms.channel,
                apply_policy=terms.apply_policy,
            )
        except NeedlingNotCleared:
            return redirect(here_with_query)  # the page below asks for what is missing
        except DomainError as error:
            return unavailable(request, error=error, **refusal)
        return redirect("web:booked", uid=booking.uid)

    try:
        slot = selectors.check_time(
            treatment=treatment,
            start=start,
            therapist_id=therapist.pk if therapist else None,
            patient_id=patient.pk if patient else None,
        )
    except DomainError as error:
        return unavailable(request, error=error, **refusal)
    context = {
        "clinic": treatment.clinic,
        "treatment": treatment,
        "therapist": therapist,
        "needling": involves_needling(treatment),
        "shown_therapist": therapist or Therapist.objects.get(pk=slot.therapist_id),
        "anyone": therapist is None,
        "therapist_param": therapist_param,
        "start": start,
        "end": start + treatment.duration,
        "patient": patient,
        "is_staff_only": access.is_authenticated and patient is None,
        "registration": registration,
        "login_url": f"{reverse('web:login')}?{urlencode({'next': here_with_query})}",
        "times_url": times_url,
        "step": 6 if patient else 4,
        "late_hours": treatment.clinic.late_cancellation_hours,
        "here": here,
    }
    if patient is not None:
        step = needling_step(
            request,
            treatment=treatment,
            patient=patient,
            start=start,
            context=context,
            continue_url=here_with_query,
        )
        if step is not None:
            return step
    return page(request, "web/book/confirm.html", context)


@require_POST
def join_waitlist(request: HttpRequest, clinic: str, treatment: int) -> HttpResponse:
    treatment = _treatment(clinic, treatment)
    if not request.user.is_authenticated:
        return sign_in_first(request)
    patient = access_for(request).patient
    if patient is None:
        return refuse(request, "This sign-in has no patient record.")
    therapist = therapist_choice(treatment, request.POST.get("therapist"))
    today = treatment.clinic.today()
    try:
        waitlist_services.add_to_waitlist(
            patient=patient,
            treatment=treatment,
            therapist=therapist,
            earliest=max(parse_day(request.POST.get("from"), today), today),
            added_by=request.user,
        )
    except DomainError as error:
        messages.info(request, error.message)
    else:
        messages.success(
            request,
            f"You are on the waiting list for {treatment.name}. "
            "The clinic will contact you when a time frees up.",
        )
    return redirect("web:appointments")

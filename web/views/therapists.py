"""Therapists: today and this week, with what they need to know about each patient."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking.models import Booking
from booking.selectors import access_for
from core.api import DomainError
from notifications import services as feed_services
from notifications.directory import FeedKind, get_directory
from notifications.selectors import feeds_visible_to
from sessionnotes.selectors import note_states, notes_due

from .. import selectors
from ..forms import StatusForm
from .common import STATUS_ACTIONS, done, page, parse_day, refuse, sign_in_first, status_actions


def _zone(therapist):
    clinic = therapist.clinics.order_by("pk").first()
    return clinic.tz if clinic else timezone.get_default_timezone()


def therapist_day(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    therapist = access_for(request).therapist
    if therapist is None:
        return refuse(request, "This page is for therapists.")
    tz = _zone(therapist)
    now = timezone.now()
    today = now.astimezone(tz).date()
    week_of = parse_day(request.GET.get("week"), today)
    monday = week_of - timedelta(days=week_of.weekday())
    week_start = selectors.local_midnight(monday, tz)
    bookings = selectors.therapist_bookings(
        therapist, start=week_start, end=week_start + timedelta(days=7)
    )
    histories = selectors.histories_for(bookings)
    plans = selectors.plan_context_for(bookings, user=request.user, today=today)
    due = notes_due(therapist, now=now)
    states = note_states(booking.pk for booking in bookings)
    for booking in bookings:
        booking.note_state = states.get(booking.pk)
        booking.history = histories.get(booking.pk)
        booking.plan_context = plans.get(booking.pk)
        booking.actions = status_actions(booking)
    by_day = {
        day: list(items)
        for day, items in groupby(bookings, key=lambda b: b.start.astimezone(b.clinic.tz).date())
    }
    context = {
        "therapist": therapist,
        "today": today,
        "today_bookings": by_day.get(today, []),
        # Sessions held with no signed note: each due 24 hours after it ended.
        "notes_due": due,
        "notes_overdue": any(item.overdue for item in due),
        "week": [
            (monday + timedelta(days=n), by_day.get(monday + timedelta(days=n), []))
            for n in range(7)
        ],
        "monday": monday,
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "this_week": monday <= today < monday + timedelta(days=7),
        "here": request.get_full_path(),
        "feeds": [
            _feed_links(request, feed)
            for feed in feed_services.ensure_feeds(_own_feed_owners(request, therapist))
        ],
    }
    return page(request, "web/therapist/day.html", context)


def _own_feed_owners(request: HttpRequest, therapist) -> list:
    """The therapist's own diary feeds (one per clinic), as the notifications app lists them."""
    return [
        owner
        for owner in get_directory().feed_owners_for(request.user)
        if owner.kind == FeedKind.THERAPIST and owner.owner_id == therapist.pk
    ]


def _feed_links(request: HttpRequest, feed) -> dict:
    token = feed_services.feed_token(feed)
    https = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    return {"feed": feed, "url": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@require_POST
def rotate_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """A new secret address for one of the therapist's own feeds; the old one stops at once."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    therapist = access_for(request).therapist
    if therapist is None:
        return refuse(request, "This page is for therapists.")
    feed = get_object_or_404(
        feeds_visible_to(request.user), pk=pk, kind=FeedKind.THERAPIST, owner_id=therapist.pk
    )
    feed_services.rotate_feed_token(feed=feed)
    return done(
        request,
        f"New address made for “{feed.label}”. The old one no longer works: "
        "update your calendar app with the new address.",
        reverse("web:therapist_day") + "#feeds",
    )


@require_POST
def therapist_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    therapist = access_for(request).therapist
    if therapist is None:
        return refuse(request, "This page is for therapists.")
    booking = get_object_or_404(
        Booking.objects.select_related("patient"), pk=pk, therapist=therapist
    )
    form = StatusForm(request.POST)
    if not form.is_valid():
        return refuse(request, "Choose what happened.", status=400)
    service, said, _label, _status = STATUS_ACTIONS[form.cleaned_data["action"]]
    try:
        service(booking=booking, expected_version=form.cleaned_data["version"])
    except DomainError as refused:
        return refuse(request, refused.message, status=409)
    back = request.POST.get("back", "")
    if not back.startswith(reverse("web:therapist_day")):
        back = reverse("web:therapist_day")
    return done(request, f"{booking.patient.full_name} {said}.", back)

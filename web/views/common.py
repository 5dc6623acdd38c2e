"""Helpers every page uses: fragments for dialogs, friendly refusals, reading a start time."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from booking import errors as booking_errors
from booking import services as booking_services
from booking.models import STATUS_TRANSITIONS, Booking, BookingStatus

# Refusals about *when*: for these the page offers the nearest free times instead.
TIME_PROBLEMS = (
    booking_errors.SlotConflict,
    booking_errors.StartInPast,
    booking_errors.NoticeTooShort,
    booking_errors.BeyondHorizon,
    booking_errors.OffGrid,
)


def is_fragment(request: HttpRequest) -> bool:
    """Dialogs in the diary load pages as fragments (no header or footer) and post with fetch."""
    return request.headers.get("X-Fragment") == "1"


def page(
    request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    context = dict(context or {})
    context.setdefault(
        "base_template", "web/fragment.html" if is_fragment(request) else "web/base.html"
    )
    return TemplateResponse(request, template, context, status=status)


def done(
    request: HttpRequest, message: str, next_url: str, *, level: int = messages.SUCCESS
) -> HttpResponse:
    """Success: a JSON note for a dialog, else a flash message and a redirect."""
    if is_fragment(request):
        return JsonResponse({"ok": True, "message": message})
    messages.add_message(request, level, message)
    return redirect(next_url)


def refuse(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    """A friendly "you cannot do this here" page (used instead of Django's bare 403)."""
    return page(request, "web/refused.html", {"message": message}, status=status)


def sign_in_first(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path(), reverse("web:login"))


def parse_start(value: str | None) -> datetime | None:
    """An ISO date-time with offset from a link or form, or None."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def parse_day(value: str | None, default: date) -> date:
    try:
        parsed = parse_date(value or "")
    except ValueError:
        parsed = None
    return parsed or default


# What reception and therapists can record about a session: the service, the words for the
# message afterwards, the button's label, and the status it leads to.
STATUS_ACTIONS = {
    "check_in": (
        booking_services.check_in_booking,
        "checked in",
        "Check in",
        BookingStatus.ARRIVED,
    ),
    "complete": (
        booking_services.complete_booking,
        "marked as completed",
        "Completed",
        BookingStatus.COMPLETED,
    ),
    "no_show": (
        booking_services.mark_no_show,
        "marked as a no-show",
        "No-show",
        BookingStatus.NO_SHOW,
    ),
}


def status_actions(booking: Booking, now=None) -> list[tuple[str, str]]:
    """(action, label) for each STATUS_ACTION the booking's status allows next.

    No-show is offered only from the start plus the clinic's grace period (the service refuses
    it before then too). Other time rules (check in only on the day) are the services' to
    enforce; a refused click shows their reason.
    """
    allowed = STATUS_TRANSITIONS[booking.status]
    too_soon_for_no_show = (now or timezone.now()) < booking.no_show_from
    return [
        (action, spec[2])
        for action, spec in STATUS_ACTIONS.items()
        if spec[3] in allowed and not (action == "no_show" and too_soon_for_no_show)
    ]

"""A therapist's day as a printable list, for the clinic's reception (and the therapist's door)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking.models import Clinic, Therapist

from ...diary import day_sheet
from ..common import page, parse_day
from .base import reception


def day_sheet_url(clinic: Clinic, therapist_id: int | None, day) -> str:
    """The day sheet of one therapist on `day` (without one: the list to choose from)."""
    params = {"date": day.isoformat()}
    if therapist_id:
        params["therapist"] = therapist_id
    return f"{reverse('web:diary_day_sheet', args=[clinic.slug])}?{urlencode(params)}"


@require_GET
@reception
def day_sheet_page(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """`?therapist=&date=`: that therapist's day at this clinic (404 for a therapist who does
    not work here). Without a therapist, the clinic's therapists to choose from."""
    day = parse_day(request.GET.get("date"), clinic.today())
    therapists = Therapist.objects.filter(clinics=clinic).order_by(
        "-is_active", "first_name", "last_name"
    )
    chosen = request.GET.get("therapist", "")
    therapist = None
    if chosen:
        therapist = get_object_or_404(therapists, pk=chosen if chosen.isdigit() else 0)
    therapist_id = therapist.pk if therapist else None
    context = {
        "clinic": clinic,
        "day": day,
        "therapists": therapists,
        "therapist": therapist,
        "now": timezone.now(),
        "sheet": day_sheet(clinic=clinic, therapist=therapist, day=day) if therapist else None,
        "diary_url": reverse("web:diary", args=[clinic.slug])
        + "?"
        + urlencode(
            {"date": day.isoformat(), **({"therapist": therapist.pk} if therapist else {})}
        ),
        "previous_url": day_sheet_url(clinic, therapist_id, day - timedelta(days=1)),
        "next_url": day_sheet_url(clinic, therapist_id, day + timedelta(days=1)),
        "sheet_urls": [(t, day_sheet_url(clinic, t.pk, day)) for t in therapists],
    }
    return page(request, "web/diary/day_sheet.html", context)

"""What every diary page shares: the reception-only guard, the clinic's today, where to go back
to, the patients reception may book, and how a booking's time reads."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from booking.models import Booking, Clinic, Patient
from booking.selectors import access_for, patients_visible_to

from ..common import refuse, sign_in_first


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


def _back(request: HttpRequest, clinic: Clinic) -> str:
    """The diary view the request came from (kept in ?back=), else today's."""
    back = request.POST.get("back") or request.GET.get("back") or ""
    prefix = reverse("web:diary", args=[clinic.slug])
    return back if back.startswith(prefix) else prefix


def _patients(request: HttpRequest, clinic: Clinic):
    """Patients reception may book at this clinic: its own, and any it has seen before."""
    # One id list from two indexed reads (by clinic), not an OR across a join: that form made
    # PostgreSQL read every patient of the network on each search.
    home = Patient.objects.filter(clinic=clinic).order_by().values("pk")
    seen = Booking.objects.filter(clinic=clinic).order_by().values("patient_id")
    return patients_visible_to(request.user).filter(pk__in=home.union(seen))


def _when(booking: Booking) -> str:
    local = booking.start.astimezone(booking.clinic.tz)
    return f"{local:%a %-d %b %H:%M}"

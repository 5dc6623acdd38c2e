"""Reception's call list: who is still expected today, who cancelled late or did not come."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from booking.models import Clinic

from ...diary import follow_ups
from ..common import page
from .base import _back, reception


@reception
def follow_up_list(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    context = {"clinic": clinic, "lists": follow_ups(clinic=clinic), "back": _back(request, clinic)}
    return page(request, "web/diary/follow_ups.html", context)

"""Diary dialogs for blocks: block time, view and remove a block."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from booking import services as booking_services
from booking.errors import BlockConflict
from booking.models import Block, Booking, Clinic, Therapist
from booking.selectors import clinic_ids_of_block
from core.api import DomainError

from ...forms import BlockForm
from ..common import done, page, parse_day
from .base import _back, reception


@reception
def new_block(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    therapists = Therapist.objects.filter(clinics=clinic, is_active=True)
    rooms = clinic.rooms.filter(is_active=True)
    subject = request.GET.get("subject", "")
    initial = {"date": parse_day(request.GET.get("date"), clinic.today()), "subject": subject}
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
    if clinic.pk not in clinic_ids_of_block(block):
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

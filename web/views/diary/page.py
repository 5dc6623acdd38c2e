"""The diary itself: the clinic chooser, the day or week grid, its poll for changes and the
patient search of its dialogs."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from booking.filters import PatientFilter
from booking.models import Clinic, Modality
from booking.selectors import access_for

from ...diary import By, Diary, diary_signature
from ..common import page, parse_day, refuse, sign_in_first
from .base import _patients, reception
from .day_sheet import day_sheet_url
from .waitlist import _waitlist_context

DEFAULT_POLL_SECONDS = 10


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


def _diary_from(request: HttpRequest, clinic: Clinic) -> Diary:
    """The diary a URL asks for: `date`, `view` (day or week), and one therapist or room
    (`therapist=`/`room=`), else every therapist or room (`by=`)."""
    by, only = request.GET.get("by", By.THERAPIST), request.GET.get("only", "")
    for kind in (By.THERAPIST, By.ROOM):
        if request.GET.get(kind, "").isdigit():
            by, only = kind, request.GET[kind]
            break
    return Diary(
        clinic=clinic,
        day=parse_day(request.GET.get("date"), clinic.today()),
        view=request.GET.get("view", "day"),
        by=by,
        only=int(only) if only.isdigit() else None,
    )


def _diary_url(clinic: Clinic, diary: Diary | None = None, **changes) -> str:
    """A shareable diary URL: `?date=…&view=week&therapist=…`, this diary's with `changes`
    (date, view, by, resource: a pk, or None for everyone)."""
    state: dict = {"date": None, "view": None, "by": By.THERAPIST, "resource": None}
    if diary is not None:
        state.update(
            date=diary.day.isoformat(),
            view=diary.view,
            by=diary.by,
            # A resource the week picked for the reader is not carried to other views.
            resource=None if diary.chosen_for_you else diary.only,
        )
    state.update(changes)
    params = {key: state[key] for key in ("date", "view") if state[key]}
    if state["resource"]:
        params[state["by"]] = state["resource"]
    else:
        params["by"] = state["by"]
    return f"{reverse('web:diary', args=[clinic.slug])}?{urlencode(params)}"


def _signature(request: HttpRequest, clinic: Clinic) -> str:
    """The diary_signature of the days this request shows (the Monday-to-Sunday week, or a day)."""
    first_day = parse_day(request.GET.get("date"), clinic.today())
    if request.GET.get("view") == "week":
        first_day -= timedelta(days=first_day.weekday())
        return diary_signature(clinic=clinic, first_day=first_day, days=7)
    return diary_signature(clinic=clinic, first_day=first_day, days=1)


@reception
def diary(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    # Fingerprint first, then draw: a change landing in between makes the first poll redraw.
    etag = _signature(request, clinic)
    diary = _diary_from(request, clinic)
    here = _diary_url(clinic, diary)
    for column in diary.columns:
        column.day_url = _diary_url(clinic, diary, date=column.day.isoformat(), view="day")
        if column.therapist is not None:
            column.sheet_url = day_sheet_url(clinic, column.therapist.pk, column.day)
    picked = diary.resource if diary.by == By.THERAPIST else None
    context = {
        "clinic": clinic,
        "diary": diary,
        "today": clinic.today(),
        "here": here,
        "changes_url": reverse("web:diary_changes", args=[clinic.slug]) + here[here.index("?") :],
        "etag": etag,
        "poll_seconds": getattr(settings, "WEB_DIARY_POLL_SECONDS", DEFAULT_POLL_SECONDS),
        "links": {
            "previous": _diary_url(clinic, diary, date=diary.previous_day.isoformat()),
            "next": _diary_url(clinic, diary, date=diary.next_day.isoformat()),
            "today": _diary_url(clinic, diary, date=clinic.today().isoformat()),
            "day": _diary_url(clinic, diary, view="day"),
            "week": _diary_url(clinic, diary, view="week"),
            "by_therapist": _diary_url(clinic, diary, by=By.THERAPIST, resource=None),
            "by_room": _diary_url(clinic, diary, by=By.ROOM, resource=None),
            "day_sheet": day_sheet_url(clinic, picked.pk if picked else None, diary.day),
        },
        "modalities": Modality.choices,
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

"""Booking a plan's sessions on screen: the proposed times, then all of them booked in one go.

The page posts back the times it showed (plans.services.confirm_schedule with `requested`), so
what is booked is what the therapist saw. If the diary changed meanwhile (someone took one of
those times), the service books nothing and answers with the session and alternatives; the page
shows them to choose from, with the other times kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpRequest, HttpResponse

from booking.models import Therapist
from core.api import DomainError
from plans import errors, services
from plans.models import PlanSession, PlanStatus, TreatmentPlan

from ..common import done, page, parse_start
from .common import WHAT_TO_DO, builder_url, clinician_plan, tabs

LATER = "later"


@dataclass
class Choice:
    value: str
    start: datetime
    therapist: Therapist | None


@dataclass
class Row:
    """One session still to book, with the time on offer (or the problem and alternatives)."""

    session: PlanSession
    week: int
    choice: Choice | None
    preferences_met: bool = True
    problem: str = ""
    alternatives: list[Choice] = field(default_factory=list)


def _value(start: datetime, therapist_id: int | None) -> str:
    return f"{start.isoformat()}|{therapist_id or ''}"


def _parse(value: str) -> tuple[datetime, int | None] | None:
    start_text, _, therapist_text = value.partition("|")
    start = parse_start(start_text)
    if start is None or not (therapist_text == "" or therapist_text.isdigit()):
        return None
    return start, int(therapist_text) if therapist_text else None


def _choice(start: datetime, therapist_id: int | None, therapists: dict) -> Choice:
    return Choice(_value(start, therapist_id), start, therapists.get(therapist_id))


def _rows_from_proposal(schedule) -> list[Row]:
    ids = {p.therapist_id for p in schedule.sessions} | {
        slot.therapist_id for p in schedule.sessions for slot in p.alternatives
    }
    therapists = Therapist.objects.in_bulk(ids - {None})
    return [
        Row(
            session=p.session,
            week=p.week,
            choice=_choice(p.start, p.therapist_id, therapists) if p.start else None,
            preferences_met=p.preferences_met,
            problem=p.problem,
            alternatives=[_choice(s.start, s.therapist_id, therapists) for s in p.alternatives],
        )
        for p in schedule.sessions
    ]


def _rows_after_refusal(
    plan: TreatmentPlan, asked: list[services.RequestedSession], refused: errors.ScheduleProblem
) -> list[Row]:
    """The sessions as they were asked for, those the service could not book marked with its
    reason and the alternatives it found."""
    problems = {proposed.session.pk: proposed for proposed in refused.sessions}
    sessions = PlanSession.objects.filter(plan=plan).select_related(
        "component__phase", "component__treatment", "booking"
    )
    by_id = {s.pk: s for s in sessions}
    ids = {r.therapist_id for r in asked} | {
        slot.therapist_id for proposed in problems.values() for slot in proposed.alternatives
    }
    therapists = Therapist.objects.in_bulk(ids - {None})
    rows = []
    for request in asked:
        session = by_id.get(request.session_id)
        if session is None:
            continue
        problem = problems.get(session.pk)
        rows.append(
            Row(
                session=session,
                week=problem.week if problem else session.week(),
                choice=None
                if problem
                else _choice(request.start, request.therapist_id, therapists),
                problem=problem.problem if problem else "",
                alternatives=[
                    _choice(slot.start, slot.therapist_id, therapists)
                    for slot in (problem.alternatives if problem else [])
                ],
            )
        )
    return rows


def _asked(request: HttpRequest) -> list[services.RequestedSession] | None:
    """The times posted for each session (sessions left for later are skipped); None when the
    form was tampered with or a session has no choice."""
    asked = []
    for raw in request.POST.getlist("session"):
        if not raw.isdigit():
            return None
        value = request.POST.get(f"slot-{raw}", "")
        if value == LATER:
            continue
        parsed = _parse(value)
        if parsed is None:
            return None
        asked.append(services.RequestedSession(int(raw), parsed[0], parsed[1]))
    return asked


def _booked(plan: TreatmentPlan) -> list[PlanSession]:
    sessions = PlanSession.objects.filter(plan=plan, booking__isnull=False).select_related(
        "booking__therapist", "component__treatment", "component__phase"
    )
    return sorted((s for s in sessions if s.booking.is_active), key=lambda s: s.booking.start)


def _schedule_page(
    request: HttpRequest,
    plan: TreatmentPlan,
    rows: list[Row],
    *,
    error: str = "",
    what_to_do: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "plan": plan,
        "tabs": tabs(plan),
        "current_tab": "schedule",
        "rows": rows,
        "booked": _booked(plan),
        "error": error,
        "what_to_do": what_to_do,
        "later": LATER,
        "unplaced": [row for row in rows if row.choice is None],
    }
    return page(request, "web/therapist/plan_schedule.html", context, status=status)


@clinician_plan("treatment_plan")
def schedule(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    """GET: the proposed time of every session still to book. POST: book them all, or none."""
    if plan.status != PlanStatus.ACTIVE or request.method != "POST":
        rows = []
        if plan.status in (PlanStatus.DRAFT, PlanStatus.ACTIVE):
            rows = _rows_from_proposal(services.propose_schedule(plan=plan, apply_policy=False))
        if request.method != "POST":
            return _schedule_page(request, plan, rows)
        return _schedule_page(
            request,
            plan,
            rows,
            error="Activate the plan before booking its sessions."
            if plan.status == PlanStatus.DRAFT
            else "This plan is closed: nothing more to book.",
            status=409,
        )
    asked = _asked(request)
    if asked is None:
        rows = _rows_from_proposal(services.propose_schedule(plan=plan, apply_policy=False))
        return _schedule_page(
            request,
            plan,
            rows,
            error="Choose a time for each session, or leave it for later.",
            status=400,
        )
    if not asked:
        return done(
            request,
            "Nothing was booked: every session was left for later.",
            builder_url(plan, "plan_schedule"),
        )
    try:
        booked = services.confirm_schedule(
            plan=plan, booked_by=request.user, apply_policy=False, requested=asked
        )
    except errors.ScheduleProblem as refused:
        rows = _rows_after_refusal(plan, asked, refused)
        return _schedule_page(request, plan, rows, error=refused.message, status=409)
    except DomainError as refused:
        rows = _rows_from_proposal(services.propose_schedule(plan=plan, apply_policy=False))
        return _schedule_page(
            request,
            plan,
            rows,
            error=refused.message,
            what_to_do=WHAT_TO_DO.get(refused.code, ""),
            status=refused.http_status,
        )
    count = len(booked.sessions)
    first = min(p.start for p in booked.sessions).astimezone(plan.clinic.tz)
    return done(
        request,
        f"{count} session{'s' if count != 1 else ''} booked, the first on "
        f"{first:%A} {first.day} {first:%B at %H:%M}.",
        builder_url(plan, "plan_schedule"),
    )

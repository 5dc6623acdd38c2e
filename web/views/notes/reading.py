"""Reading a note: the form while it is a draft, the signed note with its amendments after."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ... import note_form
from ...body_chart_svg import body_chart_svg
from ...selectors.notes import content_of, draft_values, record_summary
from ..common import page
from .base import (
    Refused,
    Session,
    _chart_label,
    _context,
    _open_session,
    _starting_content,
)
from .writing import submitted


def note_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's note: the form while it is a draft, the signed note with its amendments
    after. POST saves (and signs, with action=sign)."""
    try:
        session = _open_session(request, pk)
    except Refused as refused:
        return refused.response
    if request.method == "POST":
        return submitted(request, session)
    note = session.note
    if note is not None and note.is_signed:
        amending = request.GET.get("amend") == "1" and session.is_author
        if amending:
            return page(
                request,
                "web/therapist/note.html",
                _context(request, session, content_of(note), amending=True),
            )
        return _signed_page(request, session)
    if not session.is_author:
        return _signed_page(request, session)
    if note is None and session.booking.start > timezone.now():
        return _signed_page(request, session)
    allowed = session.allowed_kinds
    if note is None:
        content, copied = _starting_content(
            session, blank=request.GET.get("blank") == "1", allowed=allowed
        )
    else:
        content, copied = content_of(note), False
    context = _context(request, session, content, copied=copied, add_row=request.GET.get("row", ""))
    return page(request, "web/therapist/note.html", context)


def _signed_page(request: HttpRequest, session: Session) -> HttpResponse:
    """Read-only: a signed note with its amendments, someone else's draft, or no note yet."""
    note = session.note
    values = content_of(note) if note is not None else None
    amendments = []
    if note is not None:
        labels = {
            "records": "Modality records",
            "body_chart": "Body chart",
            "pain_before": "Pain before",
            "pain_after": "Pain after",
        }
        for amendment in note.amendments.all():
            amendments.append(
                {
                    "amendment": amendment,
                    "changes": [
                        {
                            "label": labels.get(c["field"], c["field"].capitalize()),
                            "old": _shown(c["field"], c["old"]),
                            "new": _shown(c["field"], c["new"]),
                        }
                        for c in amendment.changes
                    ],
                }
            )
    original = draft_values(note) if note is not None else None
    context = {
        "booking": session.booking,
        "patient": session.booking.patient,
        "note": note,
        "values": values,
        "original": original,
        "records": [record_summary(r) for r in values["records"]] if values else [],
        "mark_lines": note_form.describe_marks(values["body_chart"]) if values else [],
        "chart": body_chart_svg(
            values["body_chart"],
            chart_id="body-chart",
            label=_chart_label(values["body_chart"], []),
        )
        if values
        else "",
        "amendments": amendments,
        "is_author": session.is_author,
        "not_started": note is None and session.booking.start > timezone.now(),
        "assessment": getattr(note, "initial_assessment", None) if note else None,
    }
    return page(request, "web/therapist/note_signed.html", context)


def _shown(field: str, value):
    """An amended value as the page lists it: records and marks as lines of text."""
    if field == "body_chart":
        return note_form.describe_marks(value or [])
    if field == "records":
        return [record_summary(record) for record in value or []]
    return [str(value) if value not in (None, "") else "—"]

"""The session note in the therapist's pages: write it (pre-filled from the last note), save
the draft as you go, sign it, read it, amend it.

Access: staff who can see the booking (another clinic's therapist gets 404), who are clinicians
(receptionists and patients get 403: patients get their notes in their data export), and who
treat the patient (plans.access, the one gate, which records every read). Only the therapist who
held the session writes, signs and amends (the services refuse anyone else).

Every write goes through sessionnotes.services. The page works without scripts: each button is a
normal submit (save, sign, add or remove a section or a row). note.js adds autosave (the same
form posted to `autosave`, with the version the page last saw) and adds rows in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from booking.models import Booking
from booking.selectors import access_for, bookings_visible_to
from core.api import DomainError, error_body
from plans.access import ClinicalRecord, is_clinician_anywhere, open_clinical_records
from plans.errors import NotInCareTeam
from plans.selectors import needling_clearance
from sessionnotes import errors as note_errors
from sessionnotes import services
from sessionnotes.body_chart import clean_body_chart
from sessionnotes.modalities import record_warnings
from sessionnotes.models import AdverseEvent, InitialAssessment, SessionNote
from sessionnotes.red_flags import SCREEN_FOR_CONDITION
from sessionnotes.selectors import amended_values, last_note_before, with_details
from sessionnotes.services.rules import plan_for
from sessionnotes.vocabulary import (
    QUALIFICATION_FOR,
    RECORDS_FOR_MODALITY,
    AdverseEventKind,
    MassageTechnique,
    NeedlingTechnique,
    PnfTechnique,
    Pressure,
    RecordKind,
    Side,
)

from .. import note_form
from ..body_chart_svg import body_chart_svg
from .common import page, refuse, sign_in_first

OBJECT_TYPE = "session_note"
# Carried forward from the last note: the course as it stands. Subjective, objective and pain
# scores are this session's own findings; adverse events and "sharps disposed" are confirmed
# afresh every time (decision 0007).
NOT_COPIED = ("subjective", "objective", "pain_before", "pain_after")


class Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


@dataclass
class Session:
    booking: Booking
    note: SessionNote | None
    previous: SessionNote | None
    is_author: bool


def _open_session(request: HttpRequest, pk: int) -> Session:
    """The booking, its note and the previous note, once the caller may read them (recorded)."""
    if not request.user.is_authenticated:
        raise Refused(sign_in_first(request))
    booking = get_object_or_404(
        bookings_visible_to(request.user).select_related(
            "patient", "therapist__user", "room", "treatment", "clinic"
        ),
        pk=pk,
    )
    if not is_clinician_anywhere(access_for(request)):
        raise Refused(
            refuse(
                request,
                "Session notes are read and written by the clinicians who treat the patient.",
            )
        )
    note = with_details(SessionNote.objects.filter(booking=booking)).first()
    previous = last_note_before(
        booking.patient, booking.start, exclude_pk=note.pk if note else None
    )
    reads = [ClinicalRecord(booking.patient, OBJECT_TYPE, n.pk) for n in (note, previous) if n]
    try:
        open_clinical_records(
            request.user, reads or [ClinicalRecord(booking.patient, "session_overview", pk)]
        )
    except NotInCareTeam as refused:
        raise Refused(refuse(request, refused.message)) from refused
    is_author = booking.therapist.user_id == request.user.pk
    return Session(booking, note, previous, is_author)


def _qualified_kinds(booking: Booking) -> list[str]:
    held = set(booking.therapist.qualifications.values_list("code", flat=True))
    return [kind for kind in RecordKind.values if QUALIFICATION_FOR[kind] in held]


def _content_of(note: SessionNote) -> dict:
    return amended_values(note) if note.is_signed else _draft_values(note)


def _draft_values(note: SessionNote) -> dict:
    return {
        "subjective": note.subjective,
        "objective": note.objective,
        "assessment": note.assessment,
        "plan": note.plan,
        "pain_before": note.pain_before,
        "pain_after": note.pain_after,
        "body_chart": note.body_chart,
        "records": [{"modality": r.kind, **r.data} for r in note.records.all()],
    }


def _copied_forward(previous: SessionNote, allowed: list[str]) -> dict:
    content = {k: v for k, v in amended_values(previous).items() if k not in NOT_COPIED}
    records = []
    for record in content.get("records", []):
        if record["modality"] not in allowed:
            continue
        record = {k: v for k, v in record.items() if k not in ("adverse_events", "sharps_disposed")}
        records.append(record)
    content["records"] = records
    return content


def _starting_content(session: Session, *, blank: bool, allowed: list[str]) -> tuple[dict, bool]:
    """A new note's content: the treatment's sections, pre-filled from the last note."""
    booking = session.booking
    copied = session.previous is not None and not blank
    content = _copied_forward(session.previous, allowed) if copied else {"records": []}
    present = [r["modality"] for r in content["records"]]
    for kind in RECORDS_FOR_MODALITY.get(booking.treatment.modality, []):
        if kind in allowed and kind not in present:
            content["records"].append({"modality": kind})
    return content, copied


def _needs_assessment(session: Session) -> bool:
    if session.note is not None:
        return hasattr(session.note, "initial_assessment") or services.needs_assessment(
            session.note
        )
    booking = session.booking
    probe = SessionNote(
        booking=booking,
        patient=booking.patient,
        treatment_plan=plan_for(booking),
        treated_at=booking.start,
    )
    return services.needs_assessment(probe)


def _context(
    request: HttpRequest,
    session: Session,
    content: dict,
    *,
    errors: dict | None = None,
    problem: str = "",
    conflict: bool = False,
    copied: bool = False,
    assessment: dict | None = None,
    add_row: str = "",
    amending: bool = False,
) -> dict:
    booking = session.booking
    errors = errors or {}
    day = booking.start.astimezone(booking.clinic.tz).date()
    clearance = needling_clearance(patient=booking.patient, on=day)
    qualified = _qualified_kinds(booking)
    present = [r["modality"] for r in content.get("records") or []]
    addable = [
        (kind, RecordKind(kind).label)
        for kind in qualified
        if kind not in present and (kind != RecordKind.DRY_NEEDLING or clearance.cleared)
    ]
    previous_marks = (
        amended_values(session.previous)["body_chart"] if session.previous is not None else []
    )
    marks = content.get("body_chart") or []
    bound = note_form.bind_note(content, errors, add_row=add_row)
    warnings = [
        w.message
        for record in content.get("records") or []
        for w in record_warnings(record["modality"], record)
    ]
    needs_assessment = assessment is not None or _needs_assessment(session)
    plan = session.note.treatment_plan if session.note else plan_for(booking)
    context = {
        "booking": booking,
        "patient": booking.patient,
        "note": session.note,
        "previous": session.previous,
        "previous_values": amended_values(session.previous) if session.previous else None,
        "previous_marks": note_form.describe_marks(previous_marks),
        "form": bound,
        "errors": errors,
        "error_list": [
            (name, note_form.error_label(name), message)
            for name, messages_ in errors.items()
            for message in messages_
        ],
        "problem": problem,
        "conflict": conflict,
        "copied": copied,
        "addable": addable,
        "region_groups": note_form.REGION_GROUPS,
        "chart": body_chart_svg(
            marks,
            previous_marks,
            chart_id="body-chart",
            label=_chart_label(marks, previous_marks),
        ),
        "mark_lines": note_form.describe_marks(marks),
        "warnings": warnings,
        "needling_cleared": clearance.cleared,
        "needling_reason": (
            "" if clearance.cleared else clearance.error(booking.patient, clinical_detail=True)
        ),
        "version": session.note.version if session.note else "",
        "amending": amending,
        "autosave_url": reverse("web:note_autosave", args=[booking.pk]),
    }
    if needs_assessment and not amending:
        if assessment is None and session.note is not None:
            saved = InitialAssessment.objects.filter(note=session.note).first()
            assessment = note_form.assessment_values(saved)
        default_screen = SCREEN_FOR_CONDITION.get(plan.condition, "") if plan else ""
        context["assessment"] = note_form.bind_assessment(
            assessment or {}, errors, default_screen=default_screen
        )
    return context


def _chart_label(marks: list[dict], previous: list[dict]) -> str:
    now = "; ".join(note_form.describe_marks(marks)) or "nothing marked yet"
    label = f"Body chart, front and back. Marked: {now}."
    if previous:
        label += f" Last note: {'; '.join(note_form.describe_marks(previous))}."
    return label


# --- reading -------------------------------------------------------------------------------------


def note_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's note: the form while it is a draft, the signed note with its amendments
    after. POST saves (and signs, with action=sign)."""
    try:
        session = _open_session(request, pk)
    except Refused as refused:
        return refused.response
    if request.method == "POST":
        return _submitted(request, session)
    note = session.note
    if note is not None and note.is_signed:
        amending = request.GET.get("amend") == "1" and session.is_author
        if amending:
            return page(
                request,
                "web/therapist/note.html",
                _context(request, session, _content_of(note), amending=True),
            )
        return _signed_page(request, session)
    if not session.is_author:
        return _signed_page(request, session)
    if note is None and session.booking.start > timezone.now():
        return _signed_page(request, session)
    allowed = _allowed_kinds(session.booking)
    if note is None:
        content, copied = _starting_content(
            session, blank=request.GET.get("blank") == "1", allowed=allowed
        )
    else:
        content, copied = _content_of(note), False
    context = _context(request, session, content, copied=copied, add_row=request.GET.get("row", ""))
    return page(request, "web/therapist/note.html", context)


def _allowed_kinds(booking: Booking) -> list[str]:
    day = booking.start.astimezone(booking.clinic.tz).date()
    cleared = needling_clearance(patient=booking.patient, on=day).cleared
    return [k for k in _qualified_kinds(booking) if k != RecordKind.DRY_NEEDLING or cleared]


def _signed_page(request: HttpRequest, session: Session) -> HttpResponse:
    """Read-only: a signed note with its amendments, someone else's draft, or no note yet."""
    note = session.note
    values = _content_of(note) if note is not None else None
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
    original = _draft_values(note) if note is not None else None
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


def _label(enum, value) -> str:
    """A vocabulary code as the page says it (the code itself if it is not in the list)."""
    try:
        return str(enum(value).label).lower()
    except ValueError:
        return str(value)


def record_summary(record: dict) -> str:
    """One modality record in a line or two (for the signed note and the last-note summary)."""
    kind = record["modality"]
    words = [RecordKind(kind).label]
    if kind == RecordKind.DRY_NEEDLING:
        for site in record.get("sites", []):
            words.append(
                " ".join(
                    str(part)
                    for part in (
                        site.get("muscle", ""),
                        f"({_label(Side, site['side'])})" if site.get("side") else "",
                        site.get("trigger_point", ""),
                        f"{site['needle_diameter_mm']}×{site.get('needle_length_mm', '?')} mm"
                        if site.get("needle_diameter_mm")
                        else "",
                        _label(NeedlingTechnique, site["technique"])
                        if site.get("technique")
                        else "",
                        f"{site['insertions']} insertions" if site.get("insertions") else "",
                        "LTR" if site.get("local_twitch_response") else "",
                    )
                    if part
                )
            )
        words.append(
            f"needles in {record.get('needles_in', '?')} / out {record.get('needles_out', '?')}"
            + ("; sharps disposed" if record.get("sharps_disposed") else "")
        )
    elif kind == RecordKind.SPORTS_MASSAGE:
        areas = ", ".join(
            a["area"] + (f" ({_label(Side, a['side'])})" if a.get("side") else "")
            for a in record.get("areas", [])
        )
        words += [
            areas,
            ", ".join(_label(MassageTechnique, t) for t in record.get("techniques", [])),
            f"{_label(Pressure, record['pressure'])} pressure" if record.get("pressure") else "",
        ]
        if record.get("minutes"):
            words.append(f"{record['minutes']} min")
    elif kind == RecordKind.PNF:
        words += [
            _label(PnfTechnique, record["technique"]) if record.get("technique") else "",
            record.get("muscle_group", ""),
            _label(Side, record["side"]) if record.get("side") else "",
        ]
        if record.get("rom_before_deg") is not None:
            words.append(f"ROM {record['rom_before_deg']}° → {record.get('rom_after_deg', '?')}°")
    elif kind == RecordKind.EXERCISE_REHAB:
        words += [
            f"{e['name']} {e.get('sets', '?')}×{e.get('reps', '?')}"
            + (f" {e['load']}" if e.get("load") else "")
            + (f" RPE {e['rpe']}" if e.get("rpe") is not None else "")
            for e in record.get("exercises", [])
        ]
        if record.get("home_programme_changes"):
            words.append(f"home programme: {record['home_programme_changes']}")
    elif kind == RecordKind.GRASTON:
        words += [", ".join(record.get("regions", [])), record.get("skin_response", "")]
    elif kind == RecordKind.TAPING:
        words += [record.get("tape", ""), record.get("area", ""), record.get("purpose", "")]
    events = record.get("adverse_events", [])
    if events:
        words.append(
            "adverse events: "
            + ", ".join(f"{_label(AdverseEventKind, e['kind'])} ({e['severity']})" for e in events)
        )
    return " · ".join(str(w) for w in words if w)


# --- writing -------------------------------------------------------------------------------------


def _with_section_changes(post, content: dict) -> tuple[dict, str]:
    """Apply the add/remove buttons: a section or a row. Returns the content and the row to add."""
    action = post.get("action", "save")
    if action == "add_section":
        kind = post.get("add_modality", "")
        if kind in RecordKind.values and kind not in note_form.modalities_in(post):
            content["records"].append({"modality": kind})
    elif action.startswith("remove_section:"):
        kind = action.partition(":")[2]
        content["records"] = [r for r in content["records"] if r["modality"] != kind]
    elif action.startswith("remove_row:"):
        prefix, _, index = action.partition(":")[2].rpartition("-")
        _remove_row(content, prefix, index)
    add_row = action.partition(":")[2] if action.startswith("add_row:") else ""
    return content, add_row


def _remove_row(content: dict, prefix: str, index: str) -> None:
    if not index.isdigit():
        return
    kind, _, name = prefix.partition("-")
    if kind == "body_chart":
        rows = content["body_chart"]
    else:
        record = next((r for r in content["records"] if r["modality"] == kind), None)
        rows = record.get(name) if record else None
    if isinstance(rows, list) and int(index) < len(rows):
        del rows[int(index)]


def _save(
    session: Session, content: dict, assessment: dict | None, expected_version
) -> SessionNote:
    kwargs = {}
    if assessment is not None:
        kwargs["initial_assessment"] = assessment
    if session.note is None:
        return services.write_note(
            booking=session.booking,
            author=session.booking.therapist.user,
            content=content,
            **kwargs,
        )
    return services.update_note(
        note=session.note,
        author=session.booking.therapist.user,
        content=content,
        assessment_given=assessment is not None,
        expected_version=expected_version,
        **kwargs,
    )


def _expected_version(post) -> int | None:
    if post.get("overwrite") == "1":
        return None
    try:
        return int(post.get("version", ""))
    except ValueError:
        return None


def _domain_errors(failure: DomainError, kinds: list[str]) -> dict[str, list[str]]:
    """Where on the page a refusal belongs."""
    if isinstance(failure, note_errors.NoteIncomplete):
        return {
            note_form.field_name(path, kinds): ["Needed before signing."]
            for path in failure.details.get("missing", [])
        }
    if isinstance(failure, note_errors.NeedleCountMismatch):
        message = [failure.message]
        return {"dry_needling-needles_in": message, "dry_needling-needles_out": message}
    if isinstance(failure, note_errors.NeedlingNotCleared):
        return {RecordKind.DRY_NEEDLING: [failure.message]}
    if isinstance(failure, note_errors.ModalityNotQualified):
        return {kind: [failure.message] for kind in failure.details.get("modalities", [])}
    return {}


def _problem(failure: DomainError) -> str:
    if isinstance(failure, note_errors.NoteIncomplete):
        count = len(failure.details.get("missing", []))
        return f"Not signed: {count} field{'s' if count != 1 else ''} to complete first."
    return failure.message


def _submitted(request: HttpRequest, session: Session) -> HttpResponse:
    post = request.POST
    if not session.is_author:
        return refuse(request, note_errors.NotTheAuthor.default_message)
    if session.note is not None and session.note.is_signed:
        return _amend(request, session)
    kinds = note_form.modalities_in(post)
    assessment = note_form.read_assessment(post)
    try:
        content = note_form.read_note(post)
    except note_form.FormProblem as problem:
        context = _context(
            request,
            session,
            _lenient(post),
            errors=problem.errors,
            problem="Some numbers could not be read: nothing was saved.",
            assessment=assessment,
        )
        return page(request, "web/therapist/note.html", context, status=400)
    content, add_row = _with_section_changes(post, content)
    kinds = [r["modality"] for r in content["records"]]
    signing = post.get("action") == "sign"
    try:
        note = _save(session, content, assessment, _expected_version(post))
        session.note = note
        if signing:
            services.sign_note(note=note, signed_by=request.user)
    except ValidationError as invalid:
        errors = note_form.page_errors(invalid.detail, kinds)
        context = _context(
            request,
            session,
            content,
            errors=errors,
            problem="Check the marked fields: nothing was saved.",
            assessment=assessment,
        )
        return page(request, "web/therapist/note.html", context, status=400)
    except DomainError as failure:
        if signing and session.note is not None:
            session.note.refresh_from_db()
        context = _context(
            request,
            session,
            content,
            errors=_domain_errors(failure, kinds),
            problem=_problem(failure)
            + (" Your draft is saved." if signing and session.note is not None else ""),
            conflict=isinstance(failure, note_errors.VersionConflict),
            assessment=assessment,
        )
        return page(request, "web/therapist/note.html", context, status=failure.http_status)
    here = reverse("web:note", args=[session.booking.pk])
    if signing:
        messages.success(request, "Note signed. It is locked now; corrections are amendments.")
        return redirect(here)
    if add_row:
        return redirect(f"{here}?row={add_row}#f-{add_row}")
    local = timezone.localtime(note.updated_at, session.booking.clinic.tz)
    messages.success(request, f"Draft saved at {local:%H:%M}.")
    return redirect(here)


def _lenient(post) -> dict:
    """The submitted form shown again as typed, numbers that could not be read left blank."""
    content = {name: post.get(name, "") for name, _, _ in note_form.SOAP}
    content["records"] = [{"modality": kind} for kind in note_form.modalities_in(post)]
    return content


@require_POST
def autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's autosave: the whole form, with the version the page last saw. JSON back:
    the new version, or the one error shape (409 version_conflict when another tab saved)."""
    try:
        session = _open_session(request, pk)
    except Refused as refused:
        status = refused.response.status_code if refused.response.status_code != 302 else 401
        return JsonResponse(error_body("refused", "Sign in again to save."), status=status)
    if not session.is_author:
        failure = note_errors.NotTheAuthor()
        return JsonResponse(error_body(failure.code, failure.message), status=403)
    if session.note is not None and session.note.is_signed:
        failure = note_errors.NoteSigned()
        return JsonResponse(error_body(failure.code, failure.message), status=409)
    try:
        content = note_form.read_note(request.POST)
    except note_form.FormProblem as problem:
        body = error_body("invalid", "Some numbers could not be read.", problem.errors)
        return JsonResponse(body, status=400)
    kinds = [r["modality"] for r in content["records"]]
    try:
        note = _save(
            session,
            content,
            note_form.read_assessment(request.POST),
            _expected_version(request.POST),
        )
    except ValidationError as invalid:
        fields = note_form.page_errors(invalid.detail, kinds)
        body = error_body("invalid", "Not saved: check the marked fields.", fields)
        return JsonResponse(body, status=400)
    except DomainError as failure:
        body = error_body(failure.code, failure.message, _domain_errors(failure, kinds))
        return JsonResponse(body, status=failure.http_status)
    local = timezone.localtime(note.updated_at, session.booking.clinic.tz)
    return JsonResponse({"version": note.version, "saved_at": f"{local:%H:%M:%S}"})


def _amend(request: HttpRequest, session: Session) -> HttpResponse:
    """An amendment from the page: the fields that differ from the note as it reads now."""
    post = request.POST
    note = session.note
    try:
        submitted = note_form.read_note(post)
    except note_form.FormProblem as problem:
        context = _context(
            request,
            session,
            _lenient(post),
            errors=problem.errors,
            amending=True,
            problem="Some numbers could not be read: nothing was saved.",
        )
        return page(request, "web/therapist/note.html", context, status=400)
    if post.get("action", "amend") != "amend":
        # Adding or removing a section or a row (without scripts): show the form again.
        content, add_row = _with_section_changes(post, submitted)
        context = _context(request, session, content, amending=True, add_row=add_row)
        context["reason"] = post.get("reason", "")
        return page(request, "web/therapist/note.html", context)
    current = amended_values(note)
    kinds = [r["modality"] for r in submitted["records"]]
    try:
        changes = _changes(current, submitted)
        services.amend_note(
            note=note, author=request.user, reason=post.get("reason", ""), changes=changes
        )
    except ValidationError as invalid:
        errors = note_form.page_errors(invalid.detail, kinds)
        errors = {key.removeprefix("changes-"): value for key, value in errors.items()}
        context = _context(
            request,
            session,
            submitted,
            errors=errors,
            amending=True,
            problem=" ".join(m for ms in errors.values() for m in ms) or "Check the marked fields.",
        )
        context["reason"] = post.get("reason", "")
        return page(request, "web/therapist/note.html", context, status=400)
    except DomainError as failure:
        context = _context(
            request,
            session,
            submitted,
            errors=_domain_errors(failure, kinds),
            amending=True,
            problem=failure.message,
        )
        context["reason"] = post.get("reason", "")
        return page(request, "web/therapist/note.html", context, status=failure.http_status)
    messages.success(request, "Amendment added. The signed original stays readable below it.")
    return redirect(reverse("web:note", args=[session.booking.pk]))


def _changes(current: dict, submitted: dict) -> dict:
    """The submitted fields whose value differs from the note as it reads now (records and
    marks compared in their cleaned form, so an unchanged section is not an amendment)."""
    changes = {}
    for name in ("subjective", "objective", "assessment", "plan", "pain_before", "pain_after"):
        if _blank_none(submitted.get(name)) != _blank_none(current.get(name)):
            changes[name] = submitted.get(name)
    if clean_body_chart(submitted["body_chart"]) != clean_body_chart(current["body_chart"] or []):
        changes["body_chart"] = submitted["body_chart"]
    new_records = [
        {"modality": r.kind, **r.data} for r in services.clean_records(submitted["records"])
    ]
    if _meaningful(new_records) != _meaningful(current["records"]):
        changes["records"] = submitted["records"]
    return changes


def _blank_none(value):
    return None if value in ("", None) else value


# --- the session at a glance ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoteGlance:
    """The notes part of a session at a glance: this session's note, the last one, and the
    patient's recent adverse events and open safety alerts."""

    note: SessionNote | None
    last: SessionNote | None
    last_values: dict | None
    last_records: list[str]
    events: list
    open_alerts: int


def note_glance(user, booking: Booking) -> NoteGlance:
    """Read through the gate (plans.access), each note and event recorded as read; raises
    NotInCareTeam (403) unless `user` treats the patient."""
    note = SessionNote.objects.filter(booking=booking).first()
    last = last_note_before(booking.patient, booking.start, exclude_pk=note.pk if note else None)
    events = list(
        AdverseEvent.objects.filter(patient=booking.patient)
        .select_related("alert")
        .order_by("-occurred_at", "-id")[:5]
    )
    reads = [ClinicalRecord(booking.patient, OBJECT_TYPE, n.pk) for n in (note, last) if n]
    reads += [ClinicalRecord(booking.patient, "adverse_event", e.pk) for e in events]
    if reads:
        open_clinical_records(user, reads)
    last_values = amended_values(last) if last else None
    return NoteGlance(
        note=note,
        last=last,
        last_values=last_values,
        last_records=[record_summary(r) for r in last_values["records"]] if last_values else [],
        events=events,
        open_alerts=sum(1 for e in events if hasattr(e, "alert") and e.alert.is_open),
    )


def _meaningful(value):
    """Records without their empty values, so "no adverse events" equals an absent list."""
    if isinstance(value, dict):
        return {k: _meaningful(v) for k, v in value.items() if v not in ([], None, False, "", {})}
    if isinstance(value, list):
        return [_meaningful(item) for item in value]
    return value

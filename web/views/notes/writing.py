"""Writing a note from the page: save (and sign), autosave with the version, amend."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from core.api import DomainError, error_body
from sessionnotes import errors as note_errors
from sessionnotes import services
from sessionnotes.body_chart import clean_body_chart
from sessionnotes.models import SessionNote
from sessionnotes.selectors import amended_values
from sessionnotes.vocabulary import (
    RecordKind,
)

from ... import note_form
from ..common import page, refuse
from .base import Refused, Session, _context, _open_session


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


def submitted(request: HttpRequest, session: Session) -> HttpResponse:
    post = request.POST
    if not session.is_author:
        return refuse(request, note_errors.NotTheAuthor.default_message)
    if session.note is not None and session.note.is_signed:
        return _amend(request, session)
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


def _meaningful(value):
    """Records without their empty values, so "no adverse events" equals an absent list."""
    if isinstance(value, dict):
        return {k: _meaningful(v) for k, v in value.items() if v not in ([], None, False, "", {})}
    if isinstance(value, list):
        return [_meaningful(item) for item in value]
    return value

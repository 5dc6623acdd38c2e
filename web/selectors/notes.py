"""Reads for the note pages: a note's content as the page shows it, a record in words, and the
notes part of a session at a glance (every clinical read through plans.access)."""

from __future__ import annotations

from dataclasses import dataclass

from booking.models import Booking
from plans.access import ClinicalRecord, open_clinical_records
from sessionnotes.models import AdverseEvent, SessionNote
from sessionnotes.selectors import amended_values, last_note_before
from sessionnotes.vocabulary import (
    AdverseEventKind,
    MassageTechnique,
    NeedlingTechnique,
    PnfTechnique,
    Pressure,
    RecordKind,
    Side,
)

OBJECT_TYPE = "session_note"


def content_of(note: SessionNote) -> dict:
    return amended_values(note) if note.is_signed else draft_values(note)


def draft_values(note: SessionNote) -> dict:
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

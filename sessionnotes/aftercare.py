"""Aftercare advice: what a patient reads on their appointment page after a session, for the
modalities done in it (the signed note's records). Patients never read the note itself.

The wording is the clinic's (AftercareAdvice rows, edited in the admin); these defaults ship
so a new clinic has sensible advice from day one. Needling advice follows the research note
§1.4: soreness and bruising for up to ~72 hours, no driving when drowsy, pressure on a site that
bleeds, and emergency care for new chest pain or breathlessness (a late pneumothorax).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import AftercareAdvice, SessionNote
from .selectors import amended_values
from .vocabulary import SIGNED_STATUSES, RecordKind


@dataclass(frozen=True)
class Advice:
    modality: str
    title: str
    what_is_normal: str
    self_care: str
    when_to_call: str
    urgent: str


DEFAULTS: dict[str, dict[str, str]] = {
    RecordKind.DRY_NEEDLING: {
        "what_is_normal": (
            "Soreness where the needles went in is common and usually eases within 24 to 72 "
            "hours. It can feel like the ache after exercise. Small bruises and feeling tired "
            "or a little light-headed for the rest of the day are also normal."
        ),
        "self_care": (
            "Keep moving gently and carry on with your exercises unless they hurt more. Heat "
            "or a warm bath can ease soreness; drink water. If a needle site bleeds, press on "
            "it with a clean tissue for a few minutes. Do not drive if you feel drowsy."
        ),
        "when_to_call": (
            "Call us if the soreness lasts more than three days or keeps getting worse, if a "
            "bruise keeps spreading, or if a needle site becomes red, hot or swollen."
        ),
        "urgent": (
            "If you develop new chest pain or shortness of breath in the hours or days after "
            "needling around the chest, shoulders or upper back, call 999 or go to an emergency "
            "department and say you have had dry needling."
        ),
    },
    RecordKind.SPORTS_MASSAGE: {
        "what_is_normal": (
            "Muscles can feel tender or heavy for a day or two after a sports massage, "
            "especially after deep work. Some redness of the skin is normal for a few hours."
        ),
        "self_care": (
            "Drink water, keep moving gently and avoid hard training for the rest of the day "
            "if you feel sore."
        ),
        "when_to_call": (
            "Call us if the tenderness lasts more than two days, gets worse, or if you notice "
            "bruising you did not expect."
        ),
        "urgent": "",
    },
    RecordKind.PNF: {
        "what_is_normal": (
            "A stretched muscle can feel a little tender for a day. The range you gained may "
            "tighten again at first; it builds over sessions."
        ),
        "self_care": "Repeat the stretches you were shown, gently and without bouncing.",
        "when_to_call": (
            "Call us if stretching gives you sharp pain, or pain that lasts into the next day."
        ),
        "urgent": "",
    },
    RecordKind.GRASTON: {
        "what_is_normal": (
            "Redness and small red dots on the skin (petechiae), and sometimes light bruising, "
            "are common after instrument-assisted soft-tissue work and fade within a few days."
        ),
        "self_care": "Keep the area moving gently; avoid very hot baths on the day.",
        "when_to_call": (
            "Call us if bruising is large or spreading, or the area is still very sore after "
            "three days."
        ),
        "urgent": "",
    },
    RecordKind.TAPING: {
        "what_is_normal": (
            "Kinesiology tape can usually stay on for up to five days, also in the shower; "
            "rigid sports tape should come off within 48 hours."
        ),
        "self_care": (
            "Pat the tape dry after a shower. To remove it, peel slowly along the direction of "
            "hair growth, holding the skin down; it comes off more easily when wet or oiled."
        ),
        "when_to_call": (
            "Take the tape off and call us if the skin itches, burns, blisters or turns red "
            "under it, or if your fingers or toes go numb, cold or pale."
        ),
        "urgent": "",
    },
    RecordKind.EXERCISE_REHAB: {
        "what_is_normal": (
            "Some muscle soreness a day or two after new exercises is normal. Pain during "
            "exercise up to 5 out of 10 is acceptable if it settles by the next morning."
        ),
        "self_care": (
            "Follow your home programme in the app. If pain is higher the next morning, do "
            "fewer repetitions or use a lighter load next time."
        ),
        "when_to_call": (
            "Call us if an exercise gives you pain above 5 out of 10, or pain that has not "
            "settled by the next morning twice in a row."
        ),
        "urgent": "",
    },
}


def default_advice(modality: str) -> dict[str, str]:
    return dict(DEFAULTS[modality])


def aftercare_for(clinic_id: int, modalities: list[str]) -> list[Advice]:
    """The advice for `modalities`, in that order: the clinic's own wording, else the wording
    set for all clinics, else the shipped default. One query."""
    rows = AftercareAdvice.objects.filter(modality__in=modalities, clinic_id__in=[clinic_id]) | (
        AftercareAdvice.objects.filter(modality__in=modalities, clinic__isnull=True)
    )
    found: dict[tuple, AftercareAdvice] = {(row.clinic_id, row.modality): row for row in rows}
    advice = []
    for modality in modalities:
        row = found.get((clinic_id, modality)) or found.get((None, modality))
        texts = (
            {
                "what_is_normal": row.what_is_normal,
                "self_care": row.self_care,
                "when_to_call": row.when_to_call,
                "urgent": row.urgent,
            }
            if row is not None
            else DEFAULTS[modality]
        )
        advice.append(Advice(modality=modality, title=RecordKind(modality).label, **texts))
    return advice


def modalities_done(booking) -> list[str]:
    """The modalities recorded in the session's signed note (after amendments); none before
    the note is signed."""
    note = (
        SessionNote.objects.filter(booking=booking, status__in=SIGNED_STATUSES)
        .prefetch_related("records", "amendments")
        .first()
    )
    if note is None:
        return []
    return [record["modality"] for record in amended_values(note)["records"]]


def aftercare_for_booking(booking) -> list[Advice]:
    """What the patient's appointment page shows after the session."""
    done = modalities_done(booking)
    return aftercare_for(booking.clinic_id, done) if done else []

"""The initial assessment of a plan's first session: saving it with the draft, whether a note
needs one, a clinician clearing positive red flags, and plan activation's check."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers

from plans.access import treats
from plans.errors import NotInCareTeam
from plans.models import TreatmentPlan

from .. import assessment as assessment_rules
from .. import errors
from ..models import InitialAssessment, SessionNote
from ..red_flags import Answer


def save_assessment(note: SessionNote, data: dict | None) -> None:
    if data is None:
        InitialAssessment.objects.filter(note=note).delete()
        return
    cleaned = assessment_rules.clean_assessment(data)
    assessment, _ = InitialAssessment.objects.get_or_create(note=note)
    referral = cleaned.get("referral") or {}
    values = {
        "presenting_complaint": cleaned.get("presenting_complaint", ""),
        "case_history": cleaned.get("history", ""),
        "screen": cleaned.get("screen", ""),
        "red_flags": cleaned.get("red_flags", {}),
        "baseline_outcomes": cleaned.get("baseline_outcomes", []),
        "working_diagnosis": cleaned.get("working_diagnosis", ""),
        "referral_urgency": referral.get("urgency", ""),
        "referral_destination": referral.get("destination", ""),
        "referral_notes": referral.get("notes", ""),
    }
    values["red_flag_positive"] = assessment_rules.is_positive(
        values["screen"], values["red_flags"]
    )
    if values["referral_urgency"] and assessment.referred_at is None:
        values["referred_at"] = timezone.now()
    changed = [name for name, value in values.items() if getattr(assessment, name) != value]
    if not changed:
        return
    if assessment.red_flags_cleared_at is not None and values["red_flag_positive"]:
        # New answers after a clearance are judged again.
        positive_before = {c for c, a in assessment.red_flags.items() if a["answer"] == Answer.YES}
        positive_now = {c for c, a in values["red_flags"].items() if a["answer"] == Answer.YES}
        if positive_now - positive_before:
            values.update(red_flags_cleared_at=None, red_flags_cleared_by=None)
            changed += ["red_flags_cleared_at", "red_flags_cleared_by"]
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.save()


def needs_assessment(note: SessionNote) -> bool:
    """The first session of a plan (or an assessment appointment) has an initial assessment:
    a plan's note needs one unless an earlier note of the patient belongs to that plan or holds
    an assessment (the plan is often drafted after the assessment session)."""
    if note.booking.treatment.modality == "assessment":
        return True
    if note.treatment_plan_id is None:
        return False
    earlier = SessionNote.objects.filter(patient_id=note.patient_id, treated_at__lt=note.treated_at)
    return not earlier.filter(
        Q(treatment_plan_id=note.treatment_plan_id) | Q(initial_assessment__isnull=False)
    ).exists()


# --- the use cases -------------------------------------------------------------------------------


@transaction.atomic
def clear_red_flags(
    *, assessment: InitialAssessment, cleared_by, reasoning: str, now: datetime | None = None
) -> InitialAssessment:
    """A clinician who treats the patient clears the assessment's positive red flags (after the
    referral was made, or judging the concern low), so the plan may be activated.

    NothingToClear (409) without a positive flag waiting; NoteIncomplete (400) until the
    onward referral is recorded; NotInCareTeam (403) for anyone outside the care team.
    """
    assessment = (
        InitialAssessment.objects.select_for_update()
        .select_related("note__patient")
        .get(pk=assessment.pk)
    )
    if getattr(cleared_by, "therapist", None) is None or not treats(
        cleared_by, assessment.note.patient
    ):
        raise NotInCareTeam("Only a clinician who treats the patient clears red flags.")
    if not assessment.awaits_clearance:
        raise errors.NothingToClear()
    if not (assessment.referral_urgency and assessment.referral_destination):
        raise errors.NoteIncomplete(
            "Record the onward referral (urgency and where to) before clearing the red flags.",
            details={"missing": ["referral"]},
        )
    if not reasoning.strip():
        raise serializers.ValidationError({"reasoning": ["Say why it is safe to go ahead."]})
    assessment.red_flags_cleared_by = cleared_by
    assessment.red_flags_cleared_at = now or timezone.now()
    assessment.clearance_reasoning = reasoning.strip()
    assessment.save(
        update_fields=["red_flags_cleared_by", "red_flags_cleared_at", "clearance_reasoning"]
    )
    return assessment


def check_red_flags_cleared(*, plan: TreatmentPlan) -> None:
    """Plan activation's check: no positive red flag of the patient waits for clearance."""
    waiting = InitialAssessment.objects.filter(
        note__patient_id=plan.patient_id,
        red_flag_positive=True,
        red_flags_cleared_at__isnull=True,
    ).exists()
    if waiting:
        raise errors.RedFlagNotCleared()

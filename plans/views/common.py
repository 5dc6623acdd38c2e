"""Shared pieces of the plans API views: error schemas, input parsing, lookups."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from booking.models import Therapist, Treatment
from core.api import conflict_response, error_responses, lookup

from .. import services
from ..models import Exercise

ERRORS = error_responses(
    bad_input="Bad input or a broken plan rule.",
    forbidden="Not allowed (or clinical content for a non-clinician).",
)
CONFLICT = conflict_response("The plan's state does not allow this, or a time cannot be booked.")
NO_CONTENT = {204: OpenApiResponse(description="Removed.")}


def valid_data(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def path_id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH)


# --- input mapping ------------------------------------------------------------------------------


def component_spec(data: dict) -> services.ComponentSpec:
    return services.ComponentSpec(
        treatment=lookup(
            Treatment.objects.select_related("clinic"), data["treatment"], "treatment"
        ),
        sessions=data["sessions"],
        per_week=data["per_week"],
        min_gap_hours=data.get("min_gap_hours"),
        notes=data["notes"],
    )


def prescription_spec(data: dict) -> services.PrescriptionSpec:
    return services.PrescriptionSpec(
        exercise=lookup(Exercise.objects.all(), data["exercise"], "exercise"),
        sets=data.get("sets"),
        reps=data.get("reps"),
        hold_seconds=data.get("hold_seconds"),
        times_per_day=data["times_per_day"],
        days_per_week=data["days_per_week"],
        load=data.get("load"),
        progression=data["progression"],
        notes=data["notes"],
    )


def phase_spec(data: dict) -> services.PhaseSpec:
    return services.PhaseSpec(
        name=data["name"],
        weeks=data["weeks"],
        start_week=data.get("start_week"),
        notes=data["notes"],
        components=tuple(component_spec(c) for c in data["components"]),
        prescriptions=tuple(prescription_spec(p) for p in data["prescriptions"]),
    )


def care_team_of(ids: list[int]) -> list[Therapist]:
    """Therapists by id, each looked up like any other reference (unknown: 400 on the field)."""
    return [lookup(Therapist.objects.all(), pk, "care_team") for pk in dict.fromkeys(ids)]


def preference_changes(data: dict) -> dict:
    """PreferencesIn data as TreatmentPlan field values (only the fields given)."""
    changes = {}
    for name in (
        "avoid_modalities",
        "pain_tolerance",
        "preferred_weekdays",
        "preferred_time_from",
        "preferred_time_to",
    ):
        if name in data:
            changes[name] = data[name]
    if "notes" in data:
        changes["preference_notes"] = data["notes"]
    if "preferred_therapist" in data:
        therapist_id = data["preferred_therapist"]
        changes["preferred_therapist"] = (
            lookup(Therapist.objects.all(), therapist_id, "preferred_therapist")
            if therapist_id
            else None
        )
    return changes

"""The shapes a plan is built from: what callers (API, pages, seeding) pass to the plan services.

Plain frozen values, so a view or a script can describe a plan before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from booking.models import Therapist, Treatment

from ..models import Exercise, PainTolerance


@dataclass(frozen=True)
class Preferences:
    avoid_modalities: tuple[str, ...] = ()
    pain_tolerance: str = PainTolerance.MODERATE
    preferred_weekdays: tuple[int, ...] = ()
    preferred_time_from: time | None = None
    preferred_time_to: time | None = None
    preferred_therapist: Therapist | None = None
    notes: str = ""


@dataclass(frozen=True)
class DischargeSummary:
    """What the therapist writes when discharging a patient; the patient reads it, so plain
    words: how they did against their goals, advice to keep going, and the follow-up."""

    outcome: str
    advice: str = ""
    follow_up: str = ""


@dataclass(frozen=True)
class GoalSpec:
    description: str
    measure: str = ""
    label: str = ""
    target_value: Decimal | None = None
    target_date: date | None = None


@dataclass(frozen=True)
class ComponentSpec:
    treatment: Treatment
    sessions: int
    per_week: int = 1
    min_gap_hours: int | None = None  # None: the modality's default
    notes: str = ""


@dataclass(frozen=True)
class PrescriptionSpec:
    exercise: Exercise
    sets: int | None = None  # None: the exercise's default
    reps: int | None = None
    hold_seconds: int | None = None
    times_per_day: int = 1
    days_per_week: int = 7
    load: str | None = None
    progression: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    weeks: int = 2
    start_week: int | None = None  # None: straight after the previous phase
    notes: str = ""
    components: tuple[ComponentSpec, ...] = ()
    prescriptions: tuple[PrescriptionSpec, ...] = ()


@dataclass(frozen=True)
class TemplateSessionSpec:
    modality: str
    sessions: int
    per_week: int = 1
    alternative_modality: str = ""
    min_gap_hours: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class TemplatePhaseSpec:
    name: str
    weeks: int = 2
    start_week: int | None = None
    notes: str = ""
    sessions: tuple[TemplateSessionSpec, ...] = ()
    exercises: tuple[PrescriptionSpec, ...] = field(default_factory=tuple)

"""Every write to a treatment plan that carries a rule, one function per use case.

Split by subject (the whole passes the ~400 lines at which STYLE.md splits a module):
- specs: the shapes a plan is built from (Preferences, PhaseSpec, ComponentSpec, ...);
- building: create_plan (from a template or by hand), create_template;
- parts: the checks and writes of a plan's pieces, shared by building and tailoring;
- tailoring: update_plan (with the care team, and swapping avoided modalities), goals and
  exercise prescriptions;
- phases: a plan's phases (moving them) and their in-clinic components;
- lifecycle: activate_plan, complete_plan (with its discharge summary), discontinue_plan;
- safety: record_screening, correct_screening, acknowledge_precautions, record_consent,
  withdraw_consent and the booking check for needling;
- scheduling: propose_schedule, confirm_schedule;
- progress: log_exercise, record_outcome.
"""

from .building import create_plan, create_template
from .lifecycle import activate_plan, complete_plan, discontinue_plan
from .phases import (
    add_component,
    add_phase,
    change_component,
    change_phase,
    move_phase,
    remove_component,
    remove_phase,
)
from .progress import log_exercise, record_outcome
from .safety import (
    acknowledge_precautions,
    check_needling_booking,
    correct_screening,
    record_consent,
    record_screening,
    withdraw_consent,
)
from .scheduling import RequestedSession, Schedule, confirm_schedule, propose_schedule
from .specs import (
    ComponentSpec,
    DischargeSummary,
    GoalSpec,
    PhaseSpec,
    Preferences,
    PrescriptionSpec,
    TemplatePhaseSpec,
    TemplateSessionSpec,
)
from .tailoring import (
    add_goal,
    add_prescription,
    change_prescription,
    remove_goal,
    remove_prescription,
    update_plan,
)

__all__ = [
    "ComponentSpec",
    "DischargeSummary",
    "GoalSpec",
    "PhaseSpec",
    "Preferences",
    "PrescriptionSpec",
    "RequestedSession",
    "Schedule",
    "TemplatePhaseSpec",
    "TemplateSessionSpec",
    "acknowledge_precautions",
    "correct_screening",
    "activate_plan",
    "add_component",
    "add_goal",
    "add_phase",
    "add_prescription",
    "change_component",
    "change_phase",
    "change_prescription",
    "check_needling_booking",
    "complete_plan",
    "confirm_schedule",
    "create_plan",
    "create_template",
    "discontinue_plan",
    "log_exercise",
    "move_phase",
    "propose_schedule",
    "record_consent",
    "record_outcome",
    "record_screening",
    "remove_component",
    "remove_goal",
    "remove_phase",
    "remove_prescription",
    "update_plan",
    "withdraw_consent",
]

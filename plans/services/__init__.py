"""Every write to a treatment plan that carries a rule, one function per use case.

Split by subject (the whole passes the ~400 lines at which STYLE.md splits a module):
- specs: the shapes a plan is built from (Preferences, PhaseSpec, ComponentSpec, ...);
- building: create_plan (from a template or by hand), create_template;
- parts: the checks and writes of a plan's pieces, shared by building and tailoring;
- tailoring: update_plan, goals, phases, in-clinic components and exercise prescriptions;
- lifecycle: activate_plan, complete_plan, discontinue_plan;
- safety: record_screening, correct_screening, acknowledge_precautions, record_consent,
  withdraw_consent and the booking check for needling;
- scheduling: propose_schedule, confirm_schedule;
- progress: log_exercise, record_outcome.
"""

from .building import create_plan, create_template
from .lifecycle import activate_plan, complete_plan, discontinue_plan
from .progress import log_exercise, record_outcome
from .safety import (
    acknowledge_precautions,
    check_needling_booking,
    correct_screening,
    record_consent,
    record_screening,
    withdraw_consent,
)
from .scheduling import RequestedSession, Schedule, confirm_schedule, describe, propose_schedule
from .specs import (
    ComponentSpec,
    GoalSpec,
    PhaseSpec,
    Preferences,
    PrescriptionSpec,
    TemplatePhaseSpec,
    TemplateSessionSpec,
)
from .tailoring import (
    add_component,
    add_goal,
    add_phase,
    add_prescription,
    change_component,
    change_phase,
    change_prescription,
    remove_component,
    remove_goal,
    remove_phase,
    remove_prescription,
    update_plan,
)

__all__ = [
    "ComponentSpec",
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
    "describe",
    "discontinue_plan",
    "log_exercise",
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

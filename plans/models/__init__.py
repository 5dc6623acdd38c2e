"""Treatment plans: phases of in-clinic sessions and home exercise, the sessions' bookings,
dry-needling screening and consent, exercise logs and outcome measures.

Split by subject; everything is re-exported here, so `from plans.models import X` stays the way
to import any of them:
- choices: conditions, plan statuses and their legal changes, measures, regions, purposes;
- library: the exercise library and plan templates;
- plans: a patient's plan, its goals, phases, components, prescriptions and planned sessions;
- needling: dry-needling screening and consent;
- progress: exercise logs and outcome records.
"""

from .choices import (
    OPEN_STATUSES,
    PLAN_TRANSITIONS,
    BodyRegion,
    Condition,
    ExercisePurpose,
    OutcomeMeasure,
    PainTolerance,
    PlanStatus,
)
from .library import (
    Exercise,
    PhaseFields,
    PlanTemplate,
    TemplateExercise,
    TemplatePhase,
    TemplateSession,
)
from .needling import ConsentMethod, NeedlingConsent, NeedlingScreening, ScreeningCorrection
from .plans import (
    SCHEDULABLE_STATES,
    ExercisePrescription,
    PlanGoal,
    PlanPhase,
    PlanSession,
    SessionComponent,
    SessionState,
    TreatmentPlan,
)
from .progress import ExerciseLog, OutcomeRecord

__all__ = [
    "OPEN_STATUSES",
    "PLAN_TRANSITIONS",
    "SCHEDULABLE_STATES",
    "BodyRegion",
    "Condition",
    "ConsentMethod",
    "Exercise",
    "ExerciseLog",
    "ExercisePrescription",
    "ExercisePurpose",
    "NeedlingConsent",
    "NeedlingScreening",
    "ScreeningCorrection",
    "OutcomeMeasure",
    "OutcomeRecord",
    "PainTolerance",
    "PhaseFields",
    "PlanGoal",
    "PlanPhase",
    "PlanSession",
    "PlanStatus",
    "PlanTemplate",
    "SessionComponent",
    "SessionState",
    "TemplateExercise",
    "TemplatePhase",
    "TemplateSession",
    "TreatmentPlan",
]

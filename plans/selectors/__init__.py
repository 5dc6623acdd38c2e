"""Reads with a rule in them: which plans a user sees, whether a patient is cleared for dry
needling, and a plan's progress and exercise adherence.

Who sees what (docs/decisions/0003-treatment-plans.md): staff see their clinics' plans, the
patient their own once they leave draft. Clinical content (a plan's clinical fields, progress,
adherence, logs, outcomes, screenings) only through the one gate in plans/access.py: the
patient and the clinicians who treat them.

Split by subject (the whole passed the ~400 lines at which STYLE.md splits a module); everything
is re-exported here, so `from plans.selectors import X` stays the way to import any of them:
- visibility: plans, templates and exercises a user sees; a treatment's modalities;
- needling: a patient's dry-needling clearance;
- progress: outcome progress with MCIDs and targets, home-exercise adherence.
"""

from .needling import (
    ACKNOWLEDGEMENT_REQUIRED,
    CLEARED,
    CONSENT_REQUIRED,
    CONTRAINDICATED,
    REVIEW_REQUIRED,
    SCREENING_REQUIRED,
    NeedlingClearance,
    latest_screening,
    needling_clearance,
    needling_clearances,
    screenings_to_review,
)
from .progress import (
    AdherenceWeek,
    MeasureProgress,
    ProgressPoint,
    plan_adherence,
    plan_progress,
    plans_adherence,
)
from .visibility import (
    exercises_visible_to,
    involves_needling,
    patient_clinic_ids,
    plan_detail_queryset,
    plans_visible_to,
    templates_visible_to,
    treatment_modalities,
)

__all__ = [
    "ACKNOWLEDGEMENT_REQUIRED",
    "CLEARED",
    "CONSENT_REQUIRED",
    "CONTRAINDICATED",
    "REVIEW_REQUIRED",
    "SCREENING_REQUIRED",
    "AdherenceWeek",
    "MeasureProgress",
    "NeedlingClearance",
    "ProgressPoint",
    "exercises_visible_to",
    "involves_needling",
    "latest_screening",
    "needling_clearance",
    "needling_clearances",
    "patient_clinic_ids",
    "plan_adherence",
    "plan_detail_queryset",
    "plan_progress",
    "plans_adherence",
    "plans_visible_to",
    "screenings_to_review",
    "templates_visible_to",
    "treatment_modalities",
]

"""Small helpers every plan service shares: locking a plan and the clinic's "today"."""

from __future__ import annotations

from .. import errors
from ..models import OPEN_STATUSES, TreatmentPlan


def locked_plan(plan: TreatmentPlan) -> TreatmentPlan:
    """Re-read the plan with its row locked for the rest of the transaction.

    Every write to a plan takes this lock first, so scheduling and edits of one plan are
    serialised (a component cannot be removed while its sessions are being booked). Plan
    services lock the plan before any clinic (inside book_session), always in that order.
    """
    return (
        TreatmentPlan.objects.select_for_update()
        .select_related("clinic", "patient")
        .get(pk=plan.pk)
    )


def require_open(plan: TreatmentPlan) -> None:
    if plan.status not in OPEN_STATUSES:
        raise errors.PlanClosed()

"""A plan's progress on its outcome measures and its home-exercise adherence per week."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ..clinical import ADHERENCE_TARGET_PERCENT, MEASURES, Measure
from ..models import ExerciseLog, ExercisePrescription, OutcomeRecord, TreatmentPlan


@dataclass(frozen=True)
class ProgressPoint:
    recorded_on: date
    value: Decimal
    change: Decimal


@dataclass
class MeasureProgress:
    """One measure (and movement or activity) of a plan: its scores and what they mean."""

    measure: Measure
    label: str
    points: list[ProgressPoint]
    target: Decimal | None = None

    @property
    def baseline(self) -> ProgressPoint:
        return self.points[0]

    @property
    def latest(self) -> ProgressPoint:
        return self.points[-1]

    @property
    def change(self) -> Decimal:
        return self.latest.value - self.baseline.value

    @property
    def improvement(self) -> Decimal:
        """The change in the better direction (positive = better)."""
        return self.change if self.measure.higher_is_better else -self.change

    @property
    def percent_change(self) -> Decimal | None:
        if self.baseline.value == 0:
            return None
        return (self.change / self.baseline.value * 100).quantize(Decimal("0.1"))

    @property
    def mcid_threshold(self) -> Decimal:
        """The score that would be a clinically important improvement on the baseline."""
        step = self.measure.mcid if self.measure.higher_is_better else -self.measure.mcid
        bound = self.baseline.value + step
        return min(max(bound, self.measure.scale_min), self.measure.scale_max)

    @property
    def mcid_reached(self) -> bool:
        if len(self.points) < 2:
            return False
        if self.improvement >= self.measure.mcid:
            return True
        percent = self.measure.mcid_percent
        if percent is None or self.baseline.value == 0 or self.improvement <= 0:
            return False
        return self.improvement / abs(self.baseline.value) * 100 >= percent

    @property
    def target_reached(self) -> bool | None:
        if self.target is None:
            return None
        if self.measure.higher_is_better:
            return self.latest.value >= self.target
        return self.latest.value <= self.target


def plan_progress(plan: TreatmentPlan) -> list[MeasureProgress]:
    """Each measure's scores in date order, change from the first (baseline), MCID and target."""
    grouped: dict[tuple[str, str], list[OutcomeRecord]] = defaultdict(list)
    for record in OutcomeRecord.objects.filter(plan=plan).order_by(
        "measure", "label", "recorded_on", "created_at", "id"
    ):
        grouped[(record.measure, record.label)].append(record)
    targets = {
        (goal.measure, goal.label): goal.target_value
        for goal in plan.goals.exclude(measure="").exclude(target_value__isnull=True)
    }
    progress = []
    for (measure, label), records in grouped.items():
        baseline = records[0].value
        points = [ProgressPoint(r.recorded_on, r.value, r.value - baseline) for r in records]
        progress.append(
            MeasureProgress(MEASURES[measure], label, points, targets.get((measure, label)))
        )
    return progress


@dataclass
class AdherenceWeek:
    week: int
    starts_on: date
    ends_on: date
    prescribed: int
    completed: int
    in_progress: bool
    by_exercise: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        if not self.prescribed:
            return None
        return round(self.completed * 100 / self.prescribed)

    @property
    def meets_target(self) -> bool | None:
        if self.in_progress or self.percent is None:
            return None
        return self.percent >= ADHERENCE_TARGET_PERCENT


def _prescribed_in_week(prescription: ExercisePrescription, week: int, starts_on: date) -> bool:
    phase = prescription.phase
    if not phase.start_week <= week <= phase.end_week:
        return False
    return prescription.stopped_on is None or prescription.stopped_on >= starts_on


def plan_adherence(plan: TreatmentPlan, *, today: date) -> list[AdherenceWeek]:
    """Home-exercise adherence per plan week, from week 1 up to this week.

    Prescribed = times per day x days per week of every exercise prescribed that week; done =
    the logged bouts, counted up to what was prescribed (doing one exercise twice as often does
    not make up for skipping another). A week meets the target at 80% or more.
    """
    return plans_adherence([plan], today=today)[plan.pk]


def plans_adherence(plans: list[TreatmentPlan], *, today: date) -> dict[int, list[AdherenceWeek]]:
    """plan_adherence of each plan, by plan id, in two queries whatever the number of plans."""
    prescribed: dict[int, list[ExercisePrescription]] = defaultdict(list)
    for prescription in ExercisePrescription.objects.filter(
        phase__plan__in=[plan.pk for plan in plans]
    ).select_related("phase", "exercise"):
        prescribed[prescription.phase.plan_id].append(prescription)
    logged: dict[tuple[int, int], int] = defaultdict(int)
    starts = {plan.pk: plan.start_date for plan in plans}
    for plan_id, prescription_id, performed_on in ExerciseLog.objects.filter(
        plan__in=[plan.pk for plan in plans if prescribed[plan.pk]]
    ).values_list("plan_id", "prescription_id", "performed_on"):
        week = (performed_on - starts[plan_id]).days // 7 + 1
        logged[(prescription_id, week)] += 1
    return {plan.pk: _adherence(plan, prescribed[plan.pk], logged, today) for plan in plans}


def _adherence(
    plan: TreatmentPlan,
    prescriptions: list[ExercisePrescription],
    logged: dict[tuple[int, int], int],
    today: date,
) -> list[AdherenceWeek]:
    if not prescriptions or today < plan.start_date:
        return []
    last_week = max(p.phase.end_week for p in prescriptions)
    current_week = (today - plan.start_date).days // 7 + 1
    weeks = []
    for week in range(1, min(last_week, current_week) + 1):
        starts_on = plan.week_start(week)
        row = AdherenceWeek(
            week=week,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=6),
            prescribed=0,
            completed=0,
            in_progress=week == current_week,
        )
        for prescription in prescriptions:
            if not _prescribed_in_week(prescription, week, starts_on):
                continue
            done = min(logged[(prescription.pk, week)], prescription.per_week)
            row.prescribed += prescription.per_week
            row.completed += done
            row.by_exercise.append(
                {
                    "prescription": prescription.pk,
                    "exercise": prescription.exercise.name,
                    "prescribed": prescription.per_week,
                    "completed": done,
                }
            )
        weeks.append(row)
    return weeks

"""How the patient is doing, on screen: home exercises prescribed from the library with their
adherence, outcome measures with the progress chart, and the discharge summary that closes the
plan. Each write calls one plans service; each page opens the clinical gate for what it shows.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import mark_safe

from booking.models import BookingStatus
from plans import services
from plans.charts import progress_chart_svg
from plans.clinical import ADHERENCE_TARGET_PERCENT
from plans.models import (
    ExercisePrescription,
    OutcomeRecord,
    PlanSession,
    PlanStatus,
    TreatmentPlan,
)
from plans.selectors import exercises_visible_to, plan_adherence, plan_progress

from ...progress import in_words
from ..common import page
from .common import after_post, attempt, builder_url, clinician_plan, form_status, tabs
from .forms import ChangePrescriptionForm, DischargeForm, OutcomeForm, PrescribeForm


def _library(request: HttpRequest, plan: TreatmentPlan):
    return (
        exercises_visible_to(request.user)
        .filter(is_active=True)
        .filter(Q(clinic__isnull=True) | Q(clinic=plan.clinic))
        .order_by("body_region", "name")
    )


def _dose(values: dict) -> dict:
    return {
        name: values[name]
        for name in (
            "sets",
            "reps",
            "hold_seconds",
            "times_per_day",
            "days_per_week",
            "progression",
            "notes",
        )
    } | {"load": values["load"] or None}


# --- home exercise ------------------------------------------------------------------------------


@clinician_plan("treatment_plan", "plan_adherence")
def exercises(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    """The plan's home exercises by phase, a form to prescribe one, and weekly adherence."""
    phases = plan.phases.order_by("order")
    form = PrescribeForm(request.POST or None, exercises=_library(request, plan), phases=phases)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        spec = services.PrescriptionSpec(exercise=values["exercise"], **_dose(values))
        prescribed = attempt(
            form, lambda: services.add_prescription(phase=values["phase"], prescription=spec)
        )
        if prescribed:
            return after_post(
                request, plan, f"{prescribed.exercise.name} prescribed.", page_name="plan_exercises"
            )
    today = plan.clinic.today()
    context = {
        "plan": plan,
        "tabs": tabs(plan),
        "current_tab": "exercises",
        "form": form,
        "phases": phases.prefetch_related("prescriptions__exercise"),
        "weeks": plan_adherence(plan, today=today),
        "target": ADHERENCE_TARGET_PERCENT,
        "has_phases": phases.exists(),
    }
    return page(
        request, "web/therapist/plan_exercises.html", context, status=form_status(request, form)
    )


@clinician_plan("treatment_plan")
def edit_prescription(request: HttpRequest, plan: TreatmentPlan, prescription: int) -> HttpResponse:
    chosen = get_object_or_404(
        ExercisePrescription.objects.select_related("exercise", "phase"),
        pk=prescription,
        phase__plan=plan,
    )
    initial = {
        name: getattr(chosen, name)
        for name in (
            "sets",
            "reps",
            "hold_seconds",
            "load",
            "times_per_day",
            "days_per_week",
            "progression",
            "notes",
            "stopped_on",
        )
    }
    form = ChangePrescriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        changes["load"] = changes["load"] or ""
        if changes["sets"] is None:
            changes["sets"] = chosen.sets
        if attempt(
            form,
            lambda: services.change_prescription(prescription=chosen, **changes),
        ):
            return after_post(
                request, plan, f"{chosen.exercise.name} saved.", page_name="plan_exercises"
            )
    context = {
        "plan": plan,
        "tabs": tabs(plan),
        "current_tab": "exercises",
        "form": form,
        "heading": f"{chosen.exercise.name} in “{chosen.phase.name}”",
        "submit": "Save exercise",
        "intro": chosen.exercise.instructions,
        "back": builder_url(plan, "plan_exercises"),
    }
    return page(request, "web/therapist/plan_form.html", context, status=form_status(request, form))


# --- outcome measures ---------------------------------------------------------------------------


@clinician_plan("treatment_plan", "plan_progress", "outcome_records")
def outcomes(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    """Record a score; the list and the chart show it at once."""
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        record = attempt(
            form,
            lambda: services.record_outcome(
                plan=plan,
                measure=values["measure"],
                value=values["value"],
                label=values["label"],
                recorded_on=values["recorded_on"],
                notes=values["notes"],
                recorded_by=request.user,
            ),
        )
        if record:
            return after_post(
                request,
                plan,
                f"{record.get_measure_display()} recorded: {record.value.normalize():f}.",
                page_name="plan_outcomes",
            )
    progress = plan_progress(plan)
    chart = None
    if progress:
        # plans.charts builds the SVG itself and escapes every piece of text in it.
        chart = mark_safe(progress_chart_svg(progress, title=f"Progress: {plan}"))  # noqa: S308
    context = {
        "plan": plan,
        "tabs": tabs(plan),
        "current_tab": "outcomes",
        "form": form,
        "progress": progress,
        "chart": chart,
        "records": OutcomeRecord.objects.filter(plan=plan).order_by("-recorded_on", "-id"),
    }
    return page(
        request, "web/therapist/plan_outcomes.html", context, status=form_status(request, form)
    )


# --- discharge ----------------------------------------------------------------------------------


def _goal_results(plan: TreatmentPlan, progress) -> list[dict]:
    """Each goal, with where its measure started and ended and whether the target was met."""
    by_measure = {(p.measure.code, p.label): p for p in progress}
    results = []
    for goal in plan.goals.all():
        measured = by_measure.get((goal.measure, goal.label)) if goal.measure else None
        results.append({"goal": goal, "progress": measured})
    return results


def _draft_summary(plan: TreatmentPlan, progress) -> dict:
    """A first draft from the scores and the exercises still prescribed, in the patient's
    words, for the therapist to edit."""
    today = plan.clinic.today()
    keep = [
        p.exercise.name
        for p in ExercisePrescription.objects.filter(phase__plan=plan).select_related("exercise")
        if p.stopped_on is None or p.stopped_on >= today
    ]
    advice = ""
    if keep:
        advice = "Keep doing your home exercises: " + ", ".join(dict.fromkeys(keep)) + "."
    return {"outcome": " ".join(in_words(p) for p in progress), "advice": advice}


@clinician_plan("treatment_plan", "plan_progress")
def discharge(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    """Close an active plan with a discharge summary the patient reads on their plan page."""
    progress = plan_progress(plan)
    form = DischargeForm(request.POST or None, initial=_draft_summary(plan, progress))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        summary = services.DischargeSummary(
            values["outcome"], values["advice"], values["follow_up"]
        )
        if attempt(
            form,
            lambda: services.complete_plan(plan=plan, completed_by=request.user, summary=summary),
        ):
            return after_post(
                request, plan, "Plan completed. The patient can read the discharge summary."
            )
    context = {
        "plan": plan,
        "tabs": tabs(plan),
        "current_tab": "discharge",
        "form": form,
        "goals": _goal_results(plan, progress),
        "can_close": plan.status == PlanStatus.ACTIVE,
        "booked_ahead": PlanSession.objects.filter(
            plan=plan, booking__status=BookingStatus.CONFIRMED, booking__start__gt=timezone.now()
        ).count(),
    }
    return page(
        request, "web/therapist/plan_discharge.html", context, status=form_status(request, form)
    )

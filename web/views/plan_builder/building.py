"""Building a plan on screen (once started: starting.py): its details, care team, goals,
preferences, phases and in-clinic sessions, and activation. Each change calls one plans
service, so the rules are the API's; a refusal is shown on the form with the service's words.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.api import DomainError
from plans import services
from plans.clinical import SCREENING_ITEMS_BY_CODE
from plans.models import PlanGoal, PlanPhase, SessionComponent, TreatmentPlan
from plans.selectors import (
    involves_needling,
    needling_clearance,
    plan_detail_queryset,
)

from ..common import done, page
from .common import (
    PLAN,
    WHAT_TO_DO,
    after_post,
    attempt,
    builder_url,
    clinician_plan,
    form_status,
    substitutions,
    tabs,
)
from .forms import (
    WEEKDAYS,
    ComponentForm,
    DetailsForm,
    GoalForm,
    PhaseForm,
    PreferencesForm,
)

# --- the plan's page ----------------------------------------------------------------------------


def _overview_context(plan: TreatmentPlan) -> dict:
    plan = plan_detail_queryset(TreatmentPlan.objects.filter(pk=plan.pk)).get()
    phases = list(plan.phases.all())
    components = [c for phase in phases for c in phase.components.all()]
    # One query for every treatment's qualifications (involves_needling reads them).
    prefetch_related_objects([c.treatment for c in components], "required_qualifications")
    sessions_by_component: dict[int, list] = {}
    for session in plan.sessions.all():
        sessions_by_component.setdefault(session.component_id, []).append(session)
    for phase in phases:
        for component in phase.components.all():
            component.planned = sessions_by_component.get(component.pk, [])
            component.booked = sum(1 for s in component.planned if s.state != "to_book")
    needling = any(involves_needling(component.treatment) for component in components)
    return {
        "plan": plan,
        "phases": phases,
        "tabs": tabs(plan),
        "current_tab": "plan",
        "has_needling": needling,
        "clearance": needling_clearance(patient=plan.patient, on=plan.clinic.today()),
        "weekdays": [name for day, name in WEEKDAYS if day in plan.preferred_weekdays],
    }


@clinician_plan(PLAN)
def plan_builder(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    return page(request, "web/therapist/plan_builder.html", _overview_context(plan))


def _form_page(
    request: HttpRequest,
    plan: TreatmentPlan,
    form,
    *,
    heading: str,
    submit: str,
    intro: str = "",
    status: int | None = None,
) -> HttpResponse:
    context = {
        "plan": plan,
        "tabs": tabs(plan),
        "current_tab": "plan",
        "form": form,
        "heading": heading,
        "submit": submit,
        "intro": intro,
        "back": builder_url(plan),
    }
    return page(
        request,
        "web/therapist/plan_form.html",
        context,
        status=status or form_status(request, form),
    )


@clinician_plan(PLAN)
def edit_details(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    initial = {
        "title": plan.title,
        "condition": plan.condition,
        "condition_notes": plan.condition_notes,
        "start_date": plan.start_date,
        "lead_therapist": plan.lead_therapist,
        "care_team": list(plan.care_team.all()),
    }
    form = DetailsForm(
        request.POST or None, initial=initial, clinic=plan.clinic, lead=plan.lead_therapist
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        changes = {name: values[name] for name in ("title", "condition", "condition_notes")}
        changes.update(lead_therapist=values["lead_therapist"], care_team=list(values["care_team"]))
        if values["start_date"] != plan.start_date:
            changes["start_date"] = values["start_date"]
        if attempt(
            form,
            lambda: services.update_plan(plan=plan, changed_by=request.user, **changes),
        ):
            return after_post(request, plan, "Plan details saved.")
    return _form_page(request, plan, form, heading="Plan details and care team", submit="Save")


@clinician_plan(PLAN)
def edit_preferences(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    form = PreferencesForm(request.POST or None, initial=PreferencesForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        before = set(substitutions(plan))
        changed = attempt(
            form,
            lambda: services.update_plan(
                plan=plan,
                changed_by=request.user,
                substitute_avoided=True,
                avoid_modalities=form.avoided(plan.avoid_modalities),
                **form.preference_values(),
            ),
        )
        if changed:
            for sentence in substitutions(plan):
                if sentence not in before:
                    messages.info(request, sentence)
            return after_post(request, plan, "Preferences saved.", "#preferences")
    return _form_page(
        request,
        plan,
        form,
        heading="The patient's preferences",
        submit="Save preferences",
        intro="Sessions are proposed on the preferred days and times where the diary allows.",
    )


@clinician_plan(PLAN)
def add_goal(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        goal = services.GoalSpec(**form.cleaned_data)
        if attempt(form, lambda: services.add_goal(plan=plan, goal=goal)):
            return after_post(request, plan, "Goal added.", "#goals")
    return _form_page(request, plan, form, heading="Add a goal", submit="Add goal")


def _one_click(request: HttpRequest, plan: TreatmentPlan, action, said: str, anchor: str):
    """A button that changes the plan at once (remove, move): done, or the refusal said."""
    try:
        action()
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect(builder_url(plan) + anchor)
    return after_post(request, plan, said, anchor)


@require_POST
@clinician_plan(PLAN)
def remove_goal(request: HttpRequest, plan: TreatmentPlan, goal: int) -> HttpResponse:
    chosen = get_object_or_404(PlanGoal, pk=goal, plan=plan)
    return _one_click(
        request, plan, lambda: services.remove_goal(goal=chosen), "Goal removed.", "#goals"
    )


# --- phases and in-clinic sessions --------------------------------------------------------------


@clinician_plan(PLAN)
def add_phase(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    form = PhaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        spec = services.PhaseSpec(**form.cleaned_data)
        phase = attempt(form, lambda: services.add_phase(plan=plan, phase=spec))
        if phase:
            return after_post(request, plan, f"Phase “{phase.name}” added.", f"#phase-{phase.pk}")
    return _form_page(request, plan, form, heading="Add a phase", submit="Add phase")


@clinician_plan(PLAN)
def edit_phase(request: HttpRequest, plan: TreatmentPlan, phase: int) -> HttpResponse:
    chosen = get_object_or_404(PlanPhase, pk=phase, plan=plan)
    initial = {
        "name": chosen.name,
        "weeks": chosen.weeks,
        "start_week": chosen.start_week,
        "notes": chosen.notes,
    }
    form = PhaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if attempt(
            form,
            lambda: services.change_phase(
                phase=chosen,
                name=values["name"],
                weeks=values["weeks"],
                start_week=values["start_week"],
                notes=values["notes"],
            ),
        ):
            return after_post(request, plan, "Phase saved.", f"#phase-{chosen.pk}")
    return _form_page(request, plan, form, heading=f"Phase: {chosen.name}", submit="Save phase")


@require_POST
@clinician_plan(PLAN)
def move_phase(request: HttpRequest, plan: TreatmentPlan, phase: int) -> HttpResponse:
    chosen = get_object_or_404(PlanPhase, pk=phase, plan=plan)
    earlier = request.POST.get("direction") == "earlier"
    return _one_click(
        request,
        plan,
        lambda: services.move_phase(phase=chosen, earlier=earlier),
        f"“{chosen.name}” moved {'earlier' if earlier else 'later'}.",
        f"#phase-{chosen.pk}",
    )


@require_POST
@clinician_plan(PLAN)
def remove_phase(request: HttpRequest, plan: TreatmentPlan, phase: int) -> HttpResponse:
    chosen = get_object_or_404(PlanPhase, pk=phase, plan=plan)
    return _one_click(
        request,
        plan,
        lambda: services.remove_phase(phase=chosen),
        f"Phase “{chosen.name}” removed.",
        "#phases",
    )


@clinician_plan(PLAN)
def add_component(request: HttpRequest, plan: TreatmentPlan, phase: int) -> HttpResponse:
    chosen = get_object_or_404(PlanPhase, pk=phase, plan=plan)
    form = ComponentForm(request.POST or None, clinic=plan.clinic)
    if request.method == "POST" and form.is_valid():
        spec = services.ComponentSpec(**form.cleaned_data)
        if attempt(form, lambda: services.add_component(phase=chosen, component=spec)):
            return after_post(
                request,
                plan,
                f"{spec.treatment.name} added to “{chosen.name}”.",
                f"#phase-{chosen.pk}",
            )
    return _form_page(
        request,
        plan,
        form,
        heading=f"Add in-clinic sessions to “{chosen.name}”",
        submit="Add sessions",
        intro=f"This phase runs {chosen.weeks} week{'s' if chosen.weeks != 1 else ''}.",
    )


@clinician_plan(PLAN)
def edit_component(request: HttpRequest, plan: TreatmentPlan, component: int) -> HttpResponse:
    chosen = get_object_or_404(
        SessionComponent.objects.select_related("phase", "treatment"),
        pk=component,
        phase__plan=plan,
    )
    initial = {
        "treatment": chosen.treatment,
        "sessions": chosen.sessions,
        "per_week": chosen.per_week,
        "min_gap_hours": chosen.min_gap_hours,
        "notes": chosen.notes,
    }
    form = ComponentForm(request.POST or None, initial=initial, clinic=plan.clinic)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if attempt(
            form,
            lambda: services.change_component(
                component=chosen,
                treatment=values["treatment"],
                sessions=values["sessions"],
                per_week=values["per_week"],
                min_gap_hours=values["min_gap_hours"],
                notes=values["notes"],
            ),
        ):
            return after_post(request, plan, "Sessions saved.", f"#phase-{chosen.phase_id}")
    return _form_page(
        request,
        plan,
        form,
        heading=f"{chosen.treatment.name} in “{chosen.phase.name}”",
        submit="Save sessions",
        intro=f"This phase runs {chosen.phase.weeks} week{'s' if chosen.phase.weeks != 1 else ''}.",
    )


@require_POST
@clinician_plan(PLAN)
def remove_component(request: HttpRequest, plan: TreatmentPlan, component: int) -> HttpResponse:
    chosen = get_object_or_404(
        SessionComponent.objects.select_related("treatment"), pk=component, phase__plan=plan
    )
    return _one_click(
        request,
        plan,
        lambda: services.remove_component(component=chosen),
        f"{chosen.treatment.name} sessions removed.",
        f"#phase-{chosen.phase_id}",
    )


# --- activation ---------------------------------------------------------------------------------


@require_POST
@clinician_plan(PLAN)
def activate(request: HttpRequest, plan: TreatmentPlan) -> HttpResponse:
    """Start the plan; a refusal (needling not cleared, a red flag, nothing in it) is shown on
    the plan's page with the reason and what to do."""
    try:
        services.activate_plan(plan=plan, activated_by=request.user)
    except DomainError as refused:
        context = _overview_context(plan)
        context["refusal"] = {
            "message": refused.message,
            "what_to_do": WHAT_TO_DO.get(refused.code, ""),
            "found": [
                SCREENING_ITEMS_BY_CODE[code].question if code in SCREENING_ITEMS_BY_CODE else code
                for code in refused.details.get("contraindications")
                or refused.details.get("precautions")
                or []
            ],
            "code": refused.code,
        }
        return page(request, "web/therapist/plan_builder.html", context, status=refused.http_status)
    return done(
        request,
        "Plan activated. Next: book its sessions.",
        builder_url(plan, "plan_schedule"),
    )

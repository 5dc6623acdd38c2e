"""Thin DRF views for treatment plans: parse, check who may do it, call one service or
selector, render. Tailoring actions live in tailoring.py, progress and exercise in progress.py;
screenings, templates and the exercise library in their own modules.

Access (see plans/access.py): therapists at the plan's clinic who treat the patient change
plans; the patient reads their own plan, logs exercise and records questionnaires; other staff
of the clinic (reception, therapists outside the care team) see a plan's scheduling side and may
book its sessions, and get 403 from the clinical endpoints. Every clinical read goes through
plans.access.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from booking.models import Clinic, Therapist
from booking.selectors import access_for, patients_visible_to

from .. import errors, services
from ..access import (
    ClinicalRecord,
    PlanAccess,
    is_clinician_at,
    open_clinical_record,
    readable_clinical_records,
    treats,
)
from ..filters import PlanFilter
from ..models import TreatmentPlan
from ..selectors import (
    needling_clearance,
    patient_clinic_ids,
    plan_detail_queryset,
    plans_visible_to,
    templates_visible_to,
)
from ..serializers import (
    CompleteIn,
    DiscontinueIn,
    PlanCreateIn,
    PlanOut,
    PlanUpdateIn,
    ScheduledSessionOut,
    ScheduleIn,
    ScheduleOut,
)
from .common import (
    CONFLICT,
    ERRORS,
    care_team_of,
    lookup,
    phase_spec,
    preference_changes,
    valid_data,
)
from .progress import PlanProgressActions
from .tailoring import PlanTailoringActions


@extend_schema_view(
    list=extend_schema(responses={200: PlanOut(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: PlanOut, **ERRORS}),
)
class PlanViewSet(
    PlanTailoringActions,
    PlanProgressActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Treatment plans. Changes go through the actions and PATCH, each calling one service."""

    serializer_class = PlanOut
    filterset_class = PlanFilter
    ordering_fields = ["start_date", "created_at", "updated_at"]
    ordering = ["-start_date", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TreatmentPlan.objects.none()
        plans = plans_visible_to(self.request.user)
        return plan_detail_queryset(plans) if self.action in ("list", "retrieve") else plans

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._plans_out(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._plans_out([self.get_object()])[0])

    def _plans_out(self, plans: list[TreatmentPlan]) -> list[dict]:
        """Plans as the caller may see them: with their clinical content only where the gate
        lets it through (the read is then recorded), else the scheduling side only."""
        readable = {
            record.object_id
            for record in readable_clinical_records(
                self.request.user,
                [ClinicalRecord(plan.patient, "treatment_plan", plan.pk) for plan in plans],
            )
        }
        context = {**self.get_serializer_context(), "clinical": lambda plan: plan.pk in readable}
        if self.action != "list":
            context["clearance"] = lambda plan: needling_clearance(
                patient=plan.patient, on=plan.clinic.today()
            )
        return PlanOut(plans, many=True, context=context).data

    # --- helpers ----------------------------------------------------------------------------

    def _access(self, plan: TreatmentPlan) -> PlanAccess:
        return PlanAccess(access_for(self.request), plan)

    def _plan_to_change(self) -> TreatmentPlan:
        plan = self.get_object()
        if not self._access(plan).may_change:
            raise PermissionDenied(
                "Only a therapist at this plan's clinic who treats the patient may change it."
            )
        return plan

    def _clinical_plan(self, object_type: str) -> TreatmentPlan:
        """The plan, once the gate has let the caller read its `object_type` content."""
        plan = self.get_object()
        open_clinical_record(
            self.request.user,
            plan.patient,
            object_type=object_type,
            object_id=plan.pk,
        )
        return plan

    def _rendered(self, plan: TreatmentPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = plan_detail_queryset(TreatmentPlan.objects.filter(pk=plan.pk)).get()
        return Response(self._plans_out([plan])[0], status=code)

    # --- create and change ------------------------------------------------------------------

    @extend_schema(request=PlanCreateIn, responses={201: PlanOut, **ERRORS})
    def create(self, request):
        """Create a draft plan, from a template (copied and tailored) or from phases."""
        data = valid_data(PlanCreateIn, request.data)
        access = access_for(request)
        # Unknown and invisible patients get the same answer, so ids cannot be probed.
        patient = lookup(patients_visible_to(request.user), data["patient"], "patient")
        clinic = (
            lookup(Clinic.objects.all(), data["clinic"], "clinic")
            if "clinic" in data
            else patient.clinic
        )
        if not is_clinician_at(access, clinic.pk):
            raise PermissionDenied(
                "Only a therapist at that clinic may create plans for its patients."
            )
        if clinic.pk not in patient_clinic_ids(patient):
            raise serializers.ValidationError(
                {"patient": [f"No patient with id {patient.pk} at this clinic."]}
            )
        if not treats(request.user, patient):
            raise errors.NotInCareTeam(
                f"Only a clinician who treats {patient.full_name} may plan their treatment."
            )
        if data.get("lead_therapist"):
            lead = lookup(Therapist.objects.all(), data["lead_therapist"], "lead_therapist")
        elif access.therapist is not None:
            lead = access.therapist
        else:
            raise serializers.ValidationError(
                {"lead_therapist": ["Say which therapist leads the plan."]}
            )
        template = None
        if data.get("template"):
            template = lookup(templates_visible_to(request.user), data["template"], "template")
        preferences = preference_changes(data.get("preferences", {}))
        care_team = care_team_of(data.get("care_team", []))
        plan = services.create_plan(
            patient=patient,
            clinic=clinic,
            lead_therapist=lead,
            condition=data["condition"],
            created_by=request.user,
            template=template,
            title=data["title"],
            condition_notes=data["condition_notes"],
            start_date=data.get("start_date"),
            preferences=services.Preferences(
                avoid_modalities=tuple(preferences.get("avoid_modalities", ())),
                pain_tolerance=preferences.get(
                    "pain_tolerance", services.Preferences.pain_tolerance
                ),
                preferred_weekdays=tuple(preferences.get("preferred_weekdays", ())),
                preferred_time_from=preferences.get("preferred_time_from"),
                preferred_time_to=preferences.get("preferred_time_to"),
                preferred_therapist=preferences.get("preferred_therapist"),
                notes=preferences.get("preference_notes", ""),
            ),
            goals=[services.GoalSpec(**goal) for goal in data["goals"]],
            phases=[phase_spec(phase) for phase in data["phases"]],
            care_team=care_team,
        )
        return self._rendered(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanUpdateIn, responses={200: PlanOut, **ERRORS, **CONFLICT})
    def partial_update(self, request, pk=None):
        """Change the plan's details or the patient's preferences."""
        plan = self._plan_to_change()
        data = valid_data(PlanUpdateIn, request.data)
        changes = {
            name: data[name]
            for name in ("title", "condition", "condition_notes", "start_date")
            if name in data
        }
        if "lead_therapist" in data:
            changes["lead_therapist"] = lookup(
                Therapist.objects.all(), data["lead_therapist"], "lead_therapist"
            )
        if "care_team" in data:
            changes["care_team"] = care_team_of(data["care_team"])
        changes.update(preference_changes(data.get("preferences", {})))
        services.update_plan(plan=plan, changed_by=request.user, **changes)
        return self._rendered(plan)

    @extend_schema(request=None, responses={200: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Start the plan: checks content, preferences and, with needling, the patient's
        screening, acknowledged precautions and consent."""
        plan = self._plan_to_change()
        return self._rendered(services.activate_plan(plan=plan, activated_by=request.user))

    @extend_schema(request=CompleteIn, responses={200: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Discharge: close an active plan with no sessions still booked ahead, optionally with
        the discharge summary the patient reads."""
        plan = self._plan_to_change()
        data = valid_data(CompleteIn, request.data)
        summary = None
        if "outcome" in data:
            summary = services.DischargeSummary(data["outcome"], data["advice"], data["follow_up"])
        plan = services.complete_plan(plan=plan, completed_by=request.user, summary=summary)
        return self._rendered(plan)

    @extend_schema(request=DiscontinueIn, responses={200: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        """Stop the plan early; its upcoming bookings are cancelled."""
        plan = self._plan_to_change()
        data = valid_data(DiscontinueIn, request.data)
        plan = services.discontinue_plan(
            plan=plan, discontinued_by=request.user, reason=data["reason"]
        )
        return self._rendered(plan)

    # --- scheduling -------------------------------------------------------------------------

    @extend_schema(request=ScheduleIn, responses={200: ScheduleOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Propose times for every session still to book ({"confirm": false}), or book them all
        in one go ({"confirm": true}): all are booked or none (409 with the sessions that could
        not be booked and alternatives)."""
        plan = self.get_object()
        plan_access = self._access(plan)
        if not plan_access.may_schedule:
            raise PermissionDenied("You cannot book this plan's sessions.")
        # Staff book with the clinic's discretion (like the diary); a patient books online.
        apply_policy = not plan_access.is_staff
        data = valid_data(ScheduleIn, request.data)
        context = {"tz": plan.clinic.tz}
        if "sessions" in data and not data["confirm"]:
            raise serializers.ValidationError(
                {"sessions": ["Give sessions only with confirm: true."]}
            )
        try:
            if data["confirm"]:
                requested = None
                if "sessions" in data:
                    requested = [
                        services.RequestedSession(
                            item["session"], item["start"], item.get("therapist")
                        )
                        for item in data["sessions"]
                    ]
                schedule = services.confirm_schedule(
                    plan=plan,
                    booked_by=request.user,
                    apply_policy=apply_policy,
                    requested=requested,
                )
            else:
                schedule = services.propose_schedule(plan=plan, apply_policy=apply_policy)
        except errors.ScheduleProblem as problem:
            problem.details = {
                problem.details_key: ScheduledSessionOut(
                    problem.sessions, many=True, context=context
                ).data
            }
            raise
        return Response(ScheduleOut(schedule, context=context).data)

"""Tailoring a plan through the API: goals, phases, in-clinic sessions, exercise."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.models import Treatment

from .. import services
from ..models import ExercisePrescription, PlanGoal, PlanPhase, SessionComponent
from ..serializers import (
    ComponentAddIn,
    ComponentChangeIn,
    GoalIn,
    PhaseChangeIn,
    PhaseIn,
    PlanOut,
    PrescriptionAddIn,
    PrescriptionChangeIn,
)
from .common import (
    CONFLICT,
    ERRORS,
    NO_CONTENT,
    component_spec,
    lookup,
    path_id,
    phase_spec,
    prescription_spec,
    valid_data,
)


class PlanTailoringActions:
    """PlanViewSet's actions that tailor a plan: goals, phases, in-clinic sessions and home
    exercise. Each checks that the caller may change the plan (`_plan_to_change`, from
    PlanViewSet), calls one service and answers with the whole plan (`_rendered`)."""

    @extend_schema(request=GoalIn, responses={201: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def goals(self, request, pk=None):
        """Add a goal, optionally a target on an outcome measure."""
        plan = self._plan_to_change()
        services.add_goal(plan=plan, goal=services.GoalSpec(**valid_data(GoalIn, request.data)))
        return self._rendered(plan, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[path_id("goal_id")],
        request=None,
        responses={**NO_CONTENT, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["delete"], url_path=r"goals/(?P<goal_id>[0-9]+)")
    def goal_detail(self, request, pk=None, goal_id=None):
        plan = self._plan_to_change()
        goal = get_object_or_404(PlanGoal.objects.filter(plan=plan), pk=goal_id)
        services.remove_goal(goal=goal)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PhaseIn, responses={201: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def phases(self, request, pk=None):
        """Append a phase with its in-clinic sessions and home exercise."""
        plan = self._plan_to_change()
        services.add_phase(plan=plan, phase=phase_spec(valid_data(PhaseIn, request.data)))
        return self._rendered(plan, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        parameters=[path_id("phase_id")],
        request=PhaseChangeIn,
        responses={200: PlanOut, **ERRORS, **CONFLICT},
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[path_id("phase_id")],
        request=None,
        responses={**NO_CONTENT, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"phases/(?P<phase_id>[0-9]+)")
    def phase_detail(self, request, pk=None, phase_id=None):
        """Change a phase (name, weeks, notes) or remove it with everything in it."""
        plan = self._plan_to_change()
        phase = get_object_or_404(PlanPhase.objects.filter(plan=plan), pk=phase_id)
        if request.method == "DELETE":
            services.remove_phase(phase=phase)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.change_phase(phase=phase, **valid_data(PhaseChangeIn, request.data))
        return self._rendered(plan)

    @extend_schema(request=ComponentAddIn, responses={201: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def components(self, request, pk=None):
        """Add in-clinic sessions of one treatment to a phase."""
        plan = self._plan_to_change()
        data = valid_data(ComponentAddIn, request.data)
        phase = lookup(PlanPhase.objects.filter(plan=plan), data["phase"], "phase")
        services.add_component(phase=phase, component=component_spec(data))
        return self._rendered(plan, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        parameters=[path_id("component_id")],
        request=ComponentChangeIn,
        responses={200: PlanOut, **ERRORS, **CONFLICT},
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[path_id("component_id")],
        request=None,
        responses={**NO_CONTENT, **ERRORS, **CONFLICT},
    )
    @action(
        detail=True, methods=["patch", "delete"], url_path=r"components/(?P<component_id>[0-9]+)"
    )
    def component_detail(self, request, pk=None, component_id=None):
        """Change a component's treatment or dose, or remove it (never booked sessions)."""
        plan = self._plan_to_change()
        component = get_object_or_404(
            SessionComponent.objects.filter(phase__plan=plan).select_related("phase__plan"),
            pk=component_id,
        )
        if request.method == "DELETE":
            services.remove_component(component=component)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = valid_data(ComponentChangeIn, request.data)
        if "treatment" in data:
            data["treatment"] = lookup(
                Treatment.objects.select_related("clinic"), data["treatment"], "treatment"
            )
        services.change_component(component=component, **data)
        return self._rendered(plan)

    @extend_schema(request=PrescriptionAddIn, responses={201: PlanOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def prescriptions(self, request, pk=None):
        """Prescribe a home exercise in a phase (unset dose fields: the exercise's defaults)."""
        plan = self._plan_to_change()
        data = valid_data(PrescriptionAddIn, request.data)
        phase = lookup(PlanPhase.objects.filter(plan=plan), data["phase"], "phase")
        services.add_prescription(phase=phase, prescription=prescription_spec(data))
        return self._rendered(plan, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        parameters=[path_id("prescription_id")],
        request=PrescriptionChangeIn,
        responses={200: PlanOut, **ERRORS, **CONFLICT},
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[path_id("prescription_id")],
        request=None,
        responses={**NO_CONTENT, **ERRORS, **CONFLICT},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"prescriptions/(?P<prescription_id>[0-9]+)",
    )
    def prescription_detail(self, request, pk=None, prescription_id=None):
        """Change a prescription's dose or stop it, or remove one that has no logged exercise."""
        plan = self._plan_to_change()
        prescription = get_object_or_404(
            ExercisePrescription.objects.filter(phase__plan=plan).select_related("phase__plan"),
            pk=prescription_id,
        )
        if request.method == "DELETE":
            services.remove_prescription(prescription=prescription)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.change_prescription(
            prescription=prescription, **valid_data(PrescriptionChangeIn, request.data)
        )
        return self._rendered(plan)

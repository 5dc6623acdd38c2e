"""The plans API's progress actions: outcome measures with MCIDs, the SVG chart, home-exercise
adherence and the exercise diary. Clinical content: each opens the plans.access gate first.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from booking.models import Booking

from .. import services
from ..charts import progress_chart_svg
from ..clinical import ADHERENCE_TARGET_PERCENT
from ..models import ExerciseLog, ExercisePrescription, OutcomeRecord
from ..selectors import plan_adherence, plan_progress
from ..serializers import (
    AdherenceOut,
    ExerciseLogIn,
    ExerciseLogOut,
    OutcomeIn,
    OutcomeOut,
    ProgressOut,
    adherence_week_data,
    measure_progress_data,
)
from .common import CONFLICT, ERRORS, lookup, valid_data


class SVGRenderer(BaseRenderer):
    """Lets clients ask for the chart with Accept: image/svg+xml; errors still render as JSON."""

    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, renderer_context=renderer_context)


class PlanProgressActions:
    """PlanViewSet's actions about how the patient is doing. Each opens the clinical gate
    (`_clinical_plan`, from PlanViewSet), which records the read."""

    @extend_schema(responses={200: ProgressOut, **ERRORS})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Outcome measures: change from baseline and whether it reaches the measure's MCID."""
        plan = self._clinical_plan("plan_progress")
        measures = [measure_progress_data(p) for p in plan_progress(plan)]
        return Response(ProgressOut({"plan": plan.pk, "measures": measures}).data)

    @extend_schema(
        responses={(200, "image/svg+xml"): OpenApiTypes.STR, **ERRORS},
        description="The progress chart as SVG: one line per measure, with its MCID and target.",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="progress/chart",
        renderer_classes=[SVGRenderer, JSONRenderer],
    )
    def progress_chart(self, request, pk=None):
        plan = self._clinical_plan("plan_progress")
        title = f"Progress: {plan.title or plan.get_condition_display()} ({plan.patient.full_name})"
        svg = progress_chart_svg(plan_progress(plan), title=title)
        # Health data: the chart must not sit in shared caches.
        return HttpResponse(
            svg, content_type="image/svg+xml", headers={"Cache-Control": "private, no-store"}
        )

    @extend_schema(responses={200: AdherenceOut, **ERRORS})
    @action(detail=True, methods=["get"])
    def adherence(self, request, pk=None):
        """Home-exercise adherence per plan week (target: 80% of the prescribed bouts)."""
        plan = self._clinical_plan("plan_adherence")
        weeks = plan_adherence(plan, today=plan.clinic.today())
        body = {
            "plan": plan.pk,
            "target_percent": ADHERENCE_TARGET_PERCENT,
            "weeks": [adherence_week_data(w) for w in weeks],
        }
        return Response(AdherenceOut(body).data)

    @extend_schema(methods=["GET"], responses={200: ExerciseLogOut(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"],
        request=ExerciseLogIn,
        responses={201: ExerciseLogOut, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], url_path="exercise-logs", filter_backends=[])
    def exercise_logs(self, request, pk=None):
        """The patient's exercise diary for this plan (newest first); POST logs one bout."""
        plan = self._clinical_plan("exercise_logs")
        if request.method == "GET":
            logs = ExerciseLog.objects.filter(plan=plan).select_related("prescription__exercise")
            page = self.paginate_queryset(logs.order_by("-performed_on", "-id"))
            return self.get_paginated_response(ExerciseLogOut(page, many=True).data)
        data = valid_data(ExerciseLogIn, request.data)
        prescription = lookup(
            ExercisePrescription.objects.filter(phase__plan=plan).select_related(
                "phase", "exercise"
            ),
            data["prescription"],
            "prescription",
        )
        log = services.log_exercise(
            plan=plan,
            prescription=prescription,
            performed_on=data.get("performed_on") or plan.clinic.today(),
            sets_done=data["sets_done"],
            reps_done=data.get("reps_done"),
            load_used=data["load_used"],
            pain=data.get("pain"),
            note=data["note"],
            logged_by=request.user,
        )
        return Response(ExerciseLogOut(log).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: OutcomeOut(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"], request=OutcomeIn, responses={201: OutcomeOut, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def outcomes(self, request, pk=None):
        """Scores on outcome measures; POST records one (patients: questionnaires only)."""
        plan = self._clinical_plan("outcome_records")
        if request.method == "GET":
            page = self.paginate_queryset(
                OutcomeRecord.objects.filter(plan=plan).order_by("recorded_on", "id")
            )
            return self.get_paginated_response(OutcomeOut(page, many=True).data)
        data = valid_data(OutcomeIn, request.data)
        booking = None
        if data.get("booking"):
            booking = lookup(
                Booking.objects.filter(patient_id=plan.patient_id), data["booking"], "booking"
            )
        record = services.record_outcome(
            plan=plan,
            measure=data["measure"],
            value=data.get("value"),
            items=data.get("items"),
            label=data["label"],
            recorded_on=data.get("recorded_on"),
            booking=booking,
            notes=data["notes"],
            recorded_by=request.user,
            by_patient=not self._access(plan).may_change,
        )
        return Response(OutcomeOut(record).data, status=status.HTTP_201_CREATED)

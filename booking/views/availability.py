"""Availability: every bookable slot of one treatment in a window."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttles import AvailabilityThrottle

from ..availability import Availability
from ..models import Clinic
from ..selectors import access_for, treatments_visible_to
from ..serializers import AvailabilityOut, AvailabilityQuery
from .common import ERRORS


class AvailabilityView(APIView):
    """Every bookable slot of one treatment in a window (at most 62 days)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AvailabilityThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("treatment", int, required=True),
            OpenApiParameter(
                "start",
                str,
                required=True,
                description="ISO date (clinic midnight) or date-time with offset.",
            ),
            OpenApiParameter(
                "end",
                str,
                required=True,
                description="ISO date (inclusive) or date-time with offset.",
            ),
            OpenApiParameter("therapist", int, description="Only this therapist's slots."),
            OpenApiParameter("clinic", int, description="Must be the treatment's clinic."),
        ],
        responses={200: AvailabilityOut, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request):
        query = AvailabilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        treatment = get_object_or_404(
            treatments_visible_to(request.user).prefetch_related(None), pk=params["treatment"]
        )
        clinic = treatment.clinic
        if params.get("clinic") not in (None, clinic.pk):
            raise serializers.ValidationError(
                {"clinic": [f"{treatment.name} is offered at {clinic.name} only."]}
            )
        tz = clinic.tz
        start = _window_bound(params["start"], clinic, end=False)
        end = _window_bound(params["end"], clinic, end=True)
        access = access_for(request)
        staff = access.manages(clinic.pk) or (
            access.therapist is not None and access.is_staff_at(clinic.pk)
        )
        availability = Availability(
            treatment=treatment,
            window_start=start,
            window_end=end,
            therapist_id=params.get("therapist"),
            patient_id=access.patient.pk if access.patient and not staff else None,
            apply_policy=not staff,
        )
        answer = {
            "treatment": treatment,
            "window_start": start,
            "window_end": end,
            "slots": availability.slots(),
        }
        return Response(AvailabilityOut(answer, context={"tz": tz}).data)


def _window_bound(value, clinic: Clinic, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    return clinic.midnight(value + timedelta(days=1) if end else value)

"""Dry-needling screenings, consent and clearance through the API."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from booking.models import Clinic, Patient
from booking.selectors import access_for, patients_visible_to

from .. import errors, services
from ..access import (
    ClinicalRecord,
    is_clinician_anywhere,
    is_clinician_at,
    open_clinical_record,
    open_clinical_records,
    screenings_visible_to,
    treats,
)
from ..clinical import (
    QUESTIONNAIRE_VERSION,
    SCREENING_GROUPS,
    SCREENING_ITEMS,
    SCREENING_VALID_FOR,
)
from ..filters import ScreeningFilter
from ..models import NeedlingScreening
from ..selectors import needling_clearance, patient_clinic_ids, screenings_to_review
from ..serializers import (
    AcknowledgeIn,
    ClearanceOut,
    ClearanceQuery,
    ConsentIn,
    CorrectScreeningIn,
    QuestionnaireOut,
    ScreeningIn,
    ScreeningOut,
    WithdrawConsentIn,
    clearance_data,
)
from .common import CONFLICT, ERRORS, lookup, valid_data

# --- needling screenings ------------------------------------------------------------------------


class ClinicalRecords(permissions.BasePermission):
    """Screenings are clinical records: therapists and patients only, never reception."""

    message = "Screenings are clinical records: the patient's therapists and the patient only."

    def has_permission(self, request, view):
        access = access_for(request)
        return access.is_authenticated and (
            access.patient is not None or is_clinician_anywhere(access)
        )


@extend_schema_view(
    list=extend_schema(responses={200: ScreeningOut(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: ScreeningOut, **ERRORS}),
)
class ScreeningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dry-needling screenings with their consents and corrections. A change in health is a new
    screening; a clinician who treats the patient may correct answers with a reason (audited);
    the precautions' acknowledgement and consents are added."""

    serializer_class = ScreeningOut
    permission_classes = [ClinicalRecords]
    filterset_class = ScreeningFilter
    ordering_fields = ["screened_at"]
    ordering = ["-screened_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NeedlingScreening.objects.none()
        return screenings_visible_to(self.request.user).prefetch_related("corrections")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._open(page)
        return self.get_paginated_response(ScreeningOut(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        screening = self.get_object()
        self._open([screening])
        return Response(ScreeningOut(screening).data)

    def _open(self, screenings: list[NeedlingScreening]) -> None:
        open_clinical_records(
            self.request.user,
            [ClinicalRecord(s.patient, "needling_screening", s.pk) for s in screenings],
        )

    def _screening_for_clinician(self) -> NeedlingScreening:
        screening = self.get_object()
        if not treats(self.request.user, screening.patient):
            raise PermissionDenied("Only the patient's therapists may do this.")
        return screening

    def _rendered(self, screening: NeedlingScreening, code: int = status.HTTP_200_OK) -> Response:
        screening = screenings_visible_to(self.request.user).get(pk=screening.pk)
        self._open([screening])
        return Response(ScreeningOut(screening).data, status=code)

    @extend_schema(request=ScreeningIn, responses={201: ScreeningOut, **ERRORS})
    def create(self, request):
        """Record a completed screening questionnaire; it becomes the patient's current one."""
        data = valid_data(ScreeningIn, request.data)
        access = access_for(request)
        # Unknown and invisible patients get the same answer, so ids cannot be probed.
        patient = lookup(
            patients_visible_to(request.user).select_related("clinic"), data["patient"], "patient"
        )
        clinic = (
            lookup(Clinic.objects.all(), data["clinic"], "clinic")
            if "clinic" in data
            else patient.clinic
        )
        if not is_clinician_at(access, clinic.pk):
            raise PermissionDenied("Only a therapist at that clinic may screen its patients.")
        if clinic.pk not in patient_clinic_ids(patient):
            raise serializers.ValidationError(
                {"patient": [f"No patient with id {patient.pk} at this clinic."]}
            )
        if not treats(request.user, patient):
            raise errors.NotInCareTeam(
                f"Only a clinician who treats {patient.full_name} may screen them."
            )
        screening = services.record_screening(
            patient=patient,
            clinic=clinic,
            answers=data["answers"],
            notes=data["notes"],
            screened_by=request.user,
        )
        # The screener just gave these answers: showing them back is not reading a record.
        screening = NeedlingScreening.objects.prefetch_related("consents").get(pk=screening.pk)
        return Response(ScreeningOut(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AcknowledgeIn, responses={200: ScreeningOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """A needling-qualified therapist records how the precautions change the treatment."""
        screening = self._screening_for_clinician()
        data = valid_data(AcknowledgeIn, request.data)
        services.acknowledge_precautions(
            screening=screening, acknowledged_by=request.user, note=data["note"]
        )
        return self._rendered(screening)

    @extend_schema(request=CorrectScreeningIn, responses={200: ScreeningOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct answers (a mis-tap, a "not sure" checked with the patient), with a reason.

        Only a clinician who treats the patient; the correction (who, when, why, before and
        after) is listed under `corrections` and kept in the change history."""
        screening = self._screening_for_clinician()
        data = valid_data(CorrectScreeningIn, request.data)
        services.correct_screening(
            screening=screening,
            corrected_by=request.user,
            answers=data["answers"],
            reason=data["reason"],
        )
        return self._rendered(screening)

    @extend_schema(responses={200: ScreeningOut(many=True), **ERRORS})
    @action(detail=False, methods=["get"], url_path="to-review")
    def to_review(self, request):
        """Current screenings of patients the caller treats that wait for a clinician's call:
        an answer "not sure", or precautions to acknowledge. Oldest first."""
        access = access_for(request)
        clinic_ids = [cid for cid in access.roles if is_clinician_at(access, cid)]
        if access.is_superuser:
            clinic_ids = Clinic.objects.values("pk")
        elif not clinic_ids:
            # A clinician's work list: a patient has none (their own screening is theirs to read).
            raise PermissionDenied("Only clinicians review screenings.")
        waiting = screenings_to_review(clinic_ids=clinic_ids, today=timezone.localdate()).filter(
            pk__in=self.get_queryset().values("pk")
        )
        page = self.paginate_queryset(waiting.prefetch_related("consents", "corrections"))
        self._open(page)
        return self.get_paginated_response(ScreeningOut(page, many=True).data)

    @extend_schema(request=ConsentIn, responses={201: ScreeningOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record informed consent to dry needling (who, how, to what) after this screening."""
        screening = self._screening_for_clinician()
        data = valid_data(ConsentIn, request.data)
        services.record_consent(screening=screening, recorded_by=request.user, **data)
        return self._rendered(screening, status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawConsentIn, responses={200: ScreeningOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        """Withdraw consent (the patient themself or their therapist)."""
        screening = self.get_object()
        access = access_for(request)
        own = access.patient is not None and access.patient.pk == screening.patient_id
        if not own and not treats(request.user, screening.patient):
            raise PermissionDenied("Only the patient or their therapists may withdraw consent.")
        data = valid_data(WithdrawConsentIn, request.data)
        services.withdraw_consent(screening=screening, withdrawn_by=request.user, note=data["note"])
        return self._rendered(screening)

    @extend_schema(responses={200: QuestionnaireOut, **ERRORS})
    @action(detail=False, methods=["get"])
    def questionnaire(self, request):
        """The current screening questions, absolute and relative contraindications, in the
        clinician's and the patient's words, with the groups patients answer them in."""
        body = {
            "version": QUESTIONNAIRE_VERSION,
            "valid_for_days": SCREENING_VALID_FOR.days,
            "groups": [vars(group) for group in SCREENING_GROUPS],
            "questions": [vars(item) for item in SCREENING_ITEMS],
        }
        return Response(QuestionnaireOut(body).data)

    @extend_schema(parameters=[ClearanceQuery], responses={200: ClearanceOut, **ERRORS})
    @action(detail=False, methods=["get"])
    def clearance(self, request):
        """Whether a patient may be needled today, and the screening and consent that decide it."""
        query = valid_data(ClearanceQuery, request.query_params)
        access = access_for(request)
        patient = Patient.objects.filter(pk=query["patient"]).first()
        own = patient is not None and access.patient is not None and access.patient.pk == patient.pk
        if patient is None or not (own or treats(request.user, patient)):
            raise serializers.ValidationError(
                {"patient": [f"No patient with id {query['patient']}."]}
            )
        clearance = needling_clearance(patient=patient, on=patient.clinic.today())
        open_clinical_record(
            request.user,
            patient,
            object_type="needling_clearance",
            object_id=clearance.screening.pk if clearance.screening else None,
        )
        return Response(ClearanceOut(clearance_data(patient.pk, clearance)).data)

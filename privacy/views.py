"""The audit listing and the data-rights endpoints: parse, check the caller, call one service."""
# Export and erase live under /api/v1/patients/{id}/ (config/urls.py) but here, with the
# audit listing: booking's PatientViewSet knows nothing of the apps a patient's data spans.

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import RecordRead
from audit.selectors import EntryFilters, clinical_fields_of, patient_audit_entries
from booking.models import local_midnight
from core.api import error_response

from . import services
from .selectors import patient_administered_by, patient_exportable_by
from .serializers import AuditEntryOut, AuditQueryIn, ErasureOut, ExportOut

ERRORS = {
    400: error_response("Bad input."),
    401: error_response("Not signed in."),
    403: error_response("Not an admin of the patient's clinic."),
    404: error_response("No such patient, or not visible to you."),
}


def audit_entry(row: dict, actors: dict, *, reveal_clinical: bool) -> dict:
    """One merged-list row as the API shows it; clinical values hidden unless `reveal_clinical`."""
    hidden = set() if reveal_clinical else clinical_fields_of(row["entry_object_type"])
    actor = actors.get(row["entry_actor_id"])
    return {
        "at": row["entry_at"],
        "actor": {"id": actor.pk, "name": actor.get_full_name() or actor.get_username()}
        if actor
        else None,
        "action": row["entry_action"],
        "object_type": row["entry_object_type"],
        "object_id": row["entry_object_id"],
        "channel": row["entry_channel"],
        "changes": [
            {
                "field": change["field"],
                "old": None if change["field"] in hidden else change["old"],
                "new": None if change["field"] in hidden else change["new"],
                "redacted": change["field"] in hidden,
            }
            for change in row["entry_changes"] or []
        ],
    }


def actors_of(rows: list[dict]) -> dict:
    ids = {row["entry_actor_id"] for row in rows if row["entry_actor_id"] is not None}
    return get_user_model().objects.in_bulk(ids)


class AuditView(GenericAPIView):
    """A patient's audit trail: every change to their records and every staff read of them.

    Newest first, paginated. For admins of the patient's home clinic and superusers. Clinical
    values in changes are redacted here; the patient sees them in their own export.
    """

    queryset = RecordRead.objects.none()  # for the schema; requests list the merged trail
    serializer_class = AuditEntryOut
    filter_backends = []  # the query parameters are AuditQueryIn's

    @extend_schema(
        parameters=[AuditQueryIn],
        responses={200: AuditEntryOut(many=True), **ERRORS},
    )
    def get(self, request):
        query = AuditQueryIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        patient = patient_administered_by(request, params["patient"])
        tz = patient.clinic.tz
        filters = EntryFilters(
            actor_id=params.get("actor"),
            action=params.get("action"),
            since=local_midnight(params["date_from"], tz) if "date_from" in params else None,
            before=local_midnight(params["date_to"] + timedelta(days=1), tz)
            if "date_to" in params
            else None,
        )
        page = self.paginate_queryset(patient_audit_entries(patient.pk, filters))
        actors = actors_of(page)
        entries = [audit_entry(row, actors, reveal_clinical=False) for row in page]
        return self.get_paginated_response(AuditEntryOut(entries, many=True).data)


EXPORT_ERRORS = {
    401: error_response("Not signed in."),
    403: error_response("Not an admin of the patient's clinic."),
    404: error_response("No such patient, or not visible to you."),
}


def export_body(document, *, reveal_clinical: bool) -> dict:
    """The export document rendered (ExportOut), audit entries as the audit listing shows them."""
    actors = actors_of(document.audit)
    return ExportOut(
        {
            "generated_at": document.generated_at,
            "complete": document.complete,
            "withheld": document.withheld,
            "patient": document.patient,
            "account": document.account,
            "bookings": document.bookings,
            "screenings": document.screenings,
            "plans": document.plans,
            "outcomes": document.outcomes,
            "exercise_logs": document.exercise_logs,
            "session_notes": document.session_notes,
            "safety_alerts": document.safety_alerts,
            "waiting_list": document.waiting_list,
            "messages": document.messages,
            "feeds": document.feeds,
            "audit": [
                audit_entry(row, actors, reveal_clinical=reveal_clinical) for row in document.audit
            ],
        }
    ).data


class PatientExportView(APIView):
    """Everything held about one patient, as one JSON document (subject access, portability).

    For admins of the patient's clinic, superusers, and the patient themself. Clinical content
    goes only to the patient and to staff in the patient's care team (each record they receive
    is logged as a read); otherwise it is withheld and the document says so (`complete`,
    `withheld`). Every export is recorded in the audit trail. `?download=1` answers as a file.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("download", bool, description="Send as an attachment (a .json file).")
        ],
        responses={200: ExportOut, **EXPORT_ERRORS},
    )
    def get(self, request, pk: int):
        patient, own = patient_exportable_by(request, pk)
        document = services.export_patient_data(patient=patient, user=request.user, own=own)
        response = Response(export_body(document, reveal_clinical=document.complete))
        if request.query_params.get("download") in ("1", "true"):
            response["Content-Disposition"] = export_filename(patient, document.generated_at)
        return response


def export_filename(patient, generated_at) -> str:
    return f'attachment; filename="physiodesk-data-{patient.pk}-{generated_at:%Y%m%d}.json"'


class PatientEraseView(APIView):
    """Erase a patient (UK GDPR Art. 17): identity and contact now, clinical records after the
    retention date.

    At once: name, email, phone and date of birth are anonymised (here and in the audit
    trail's snapshots), the patient's login is disabled and its tokens revoked, their calendar
    feed deleted, messages waiting for them withdrawn, future bookings cancelled without any
    message to them, open plans discontinued, waiting-list entries closed. Clinical records are
    kept until `retain_until` (UK records management code: adults 8 years after the last
    contact, children until their 25th birthday, 26th if 17 then, whichever is later) and then
    deleted by the daily purge. For admins of the patient's clinic and superusers.

    Erasing again is harmless: the answer is the first erasure's, unchanged (200 both times).
    """

    @extend_schema(request=None, responses={200: ErasureOut, **EXPORT_ERRORS})
    def post(self, request, pk: int):
        # No body is needed; one sent is still parsed, so malformed JSON is a 400 as anywhere.
        request.data  # noqa: B018
        patient = patient_administered_by(request, pk)
        erasure = services.erase_patient(patient=patient, erased_by=request.user)
        return Response(ErasureOut(erasure_body(erasure)).data)


def erasure_body(erasure) -> dict:
    return {
        **erasure.summary,
        "erased_at": erasure.erased_at,
        "purged_at": erasure.purged_at,
    }

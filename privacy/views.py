"""The audit listing and the data-rights endpoints: parse, check the caller, call one service."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView

from audit.models import RecordRead
from audit.selectors import EntryFilters, clinical_fields_of, patient_audit_entries
from booking.models import local_midnight
from core.api import error_response

from .selectors import patient_administered_by
from .serializers import AuditEntryOut, AuditQueryIn

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

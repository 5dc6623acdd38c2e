"""What every booking API view shares: the documented error responses and the lookup of an id
named in a request body."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from core.api import error_response

ERRORS = {
    400: error_response("Bad input or a broken booking rule."),
    401: error_response("Not signed in."),
    403: error_response("Not allowed."),
    404: error_response("Unknown or not visible."),
}
CONFLICT = {
    409: error_response("The slot is taken, the booking changed, or the change is not allowed now.")
}


def field_lookup(queryset: QuerySet, pk, field: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: [f"No {field} with id {pk}."]})
    return obj

"""Request and response shapes of the audit listing and the data-rights endpoints."""

from __future__ import annotations

from rest_framework import serializers

from audit.models import AuditAction, AuditChannel


class AuditQueryIn(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1)
    actor = serializers.IntegerField(min_value=1, required=False, help_text="A user id.")
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    date_from = serializers.DateField(
        required=False, help_text="First day (in the clinic's zone), inclusive."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last day (in the clinic's zone), inclusive."
    )

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return data


class ActorOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChangeOut(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    redacted = serializers.BooleanField(
        help_text="Clinical content: the values are shown to the patient only (in their export)."
    )


class AuditEntryOut(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = ActorOut(allow_null=True, help_text="Empty for the system (tasks, imports).")
    action = serializers.ChoiceField(choices=AuditAction.choices)
    object_type = serializers.CharField(help_text="booking, patient, plan, screening, ...")
    object_id = serializers.IntegerField(allow_null=True)
    channel = serializers.ChoiceField(choices=AuditChannel.choices)
    changes = ChangeOut(many=True)

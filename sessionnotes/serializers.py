"""Request and response shapes of the session-notes API. No rules here: the views hand the
data to services (records, body chart and assessment shapes live in modalities.py,
body_chart.py and assessment.py, where the rules that read them live too)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.serializers import InClinicTime, local_iso

from .body_chart import region_label
from .modalities import record_warnings
from .models import AdverseEvent, Amendment, InitialAssessment, SafetyAlert, SessionNote
from .red_flags import SCREENS
from .selectors import amended_values

_TEXT = {"required": False, "allow_blank": True, "max_length": 20000}


class RecordsField(serializers.ListField):
    """[{modality, ...that modality's fields}]; each shape is checked by the service."""

    child = serializers.DictField()


@extend_schema_field(OpenApiTypes.OBJECT)
class AssessmentField(serializers.JSONField):
    pass


class NoteContentIn(serializers.Serializer):
    subjective = serializers.CharField(**_TEXT)
    objective = serializers.CharField(**_TEXT)
    assessment = serializers.CharField(**_TEXT)
    plan = serializers.CharField(**_TEXT)
    pain_before = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True, help_text="NPRS 0-10."
    )
    pain_after = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True, help_text="NPRS 0-10."
    )
    body_chart = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="[{view: front|back, region, symptom, nprs, pattern?, notes?}]",
    )
    records = RecordsField(required=False, help_text="One structured record per modality.")
    initial_assessment = AssessmentField(
        required=False,
        allow_null=True,
        help_text="For a plan's first session: presenting_complaint, history, screen, "
        "red_flags, baseline_outcomes, working_diagnosis, referral.",
    )


class NoteCreateIn(NoteContentIn):
    booking = serializers.IntegerField(min_value=1)


class NoteUpdateIn(NoteContentIn):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version you read; a stale one is 409."
    )


class AmendIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    changes = serializers.DictField(
        help_text="New values of subjective, objective, assessment, plan, pain_before, "
        "pain_after, body_chart or records."
    )


class ClearRedFlagsIn(serializers.Serializer):
    reasoning = serializers.CharField(max_length=4000)


class ReviewAlertIn(serializers.Serializer):
    note = serializers.CharField(max_length=4000)


def _name(user) -> str | None:
    if user is None:
        return None
    return (user.get_full_name() or user.get_username()).strip()


class AmendmentOut(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = Amendment
        fields = ["id", "reason", "changes", "author", "author_name", "created_at"]

    def get_author_name(self, amendment) -> str | None:
        return _name(amendment.author)

    def get_created_at(self, amendment) -> str | None:
        return local_iso(amendment.created_at, amendment.note.clinic.tz)


class AssessmentOut(serializers.ModelSerializer):
    history = serializers.CharField(source="case_history")
    referral = serializers.SerializerMethodField()
    red_flag_questions = serializers.SerializerMethodField()
    awaits_clearance = serializers.BooleanField()

    class Meta:
        model = InitialAssessment
        fields = [
            "presenting_complaint",
            "history",
            "screen",
            "red_flags",
            "red_flag_questions",
            "red_flag_positive",
            "baseline_outcomes",
            "working_diagnosis",
            "referral",
            "awaits_clearance",
            "red_flags_cleared_by",
            "red_flags_cleared_at",
            "clearance_reasoning",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_referral(self, assessment) -> dict | None:
        if not assessment.referral_urgency:
            return None
        return {
            "urgency": assessment.referral_urgency,
            "destination": assessment.referral_destination,
            "notes": assessment.referral_notes,
            "referred_at": local_iso(assessment.referred_at, assessment.note.clinic.tz),
        }

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_red_flag_questions(self, assessment) -> list[dict]:
        return [
            {"code": f.code, "question": f.question, "urgency": f.urgency}
            for f in SCREENS.get(assessment.screen, ())
        ]


class NoteOut(InClinicTime, serializers.ModelSerializer):
    """A note as signed (its own fields never change after signing), its amendments, and
    `current`: the content with the amendments applied."""

    records = serializers.SerializerMethodField()
    body_chart = serializers.SerializerMethodField()
    treatment = serializers.CharField(source="booking.treatment.name")
    warnings = serializers.SerializerMethodField()
    amendments = AmendmentOut(many=True)
    current = serializers.SerializerMethodField()
    initial_assessment = serializers.SerializerMethodField()
    signed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = SessionNote
        fields = [
            "id",
            "booking",
            "patient",
            "therapist",
            "clinic",
            "treatment",
            "treatment_plan",
            "treated_at",
            "subjective",
            "objective",
            "assessment",
            "plan",
            "pain_before",
            "pain_after",
            "body_chart",
            "records",
            "warnings",
            "initial_assessment",
            "status",
            "author",
            "signed_by",
            "signed_by_name",
            "signed_at",
            "version",
            "amendments",
            "current",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"modality": {"type": "string"}},
                "required": ["modality"],
                "additionalProperties": True,
                "description": "One modality's structured record; its fields follow the modality.",
            },
        }
    )
    def get_records(self, note) -> list[dict]:
        return [{"modality": r.kind, **r.data} for r in note.records.all()]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "view": {"type": "string"},
                    "region": {"type": "string"},
                    "label": {"type": "string"},
                    "symptom": {"type": "string"},
                    "nprs": {"type": "integer", "nullable": True},
                },
                "required": ["view", "region", "label"],
                "additionalProperties": True,
            },
        }
    )
    def get_body_chart(self, note) -> list[dict]:
        return [
            {**mark, "label": region_label(mark["view"], mark["region"])}
            for mark in note.body_chart
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["code", "field", "message"],
            },
        }
    )
    def get_warnings(self, note) -> list[dict]:
        return [
            {"code": w.code, "field": f"records[{n}].{w.field}", "message": w.message}
            for n, record in enumerate(note.records.all())
            for w in record_warnings(record.kind, record.data)
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_current(self, note) -> dict:
        return amended_values(note)

    @extend_schema_field(AssessmentOut(allow_null=True))
    def get_initial_assessment(self, note) -> dict | None:
        assessment = getattr(note, "initial_assessment", None)
        return AssessmentOut(assessment).data if assessment is not None else None

    def get_signed_by_name(self, note) -> str | None:
        return _name(note.signed_by)


class AdverseEventOut(serializers.ModelSerializer):
    class Meta:
        model = AdverseEvent
        fields = ["id", "note", "modality", "kind", "severity", "onset", "action", "occurred_at"]


class SafetyAlertOut(serializers.ModelSerializer):
    adverse_event = AdverseEventOut()
    patient_name = serializers.CharField(source="patient.full_name")
    lead_therapist_name = serializers.SerializerMethodField()
    is_open = serializers.BooleanField()

    class Meta:
        model = SafetyAlert
        fields = [
            "id",
            "patient",
            "patient_name",
            "clinic",
            "treatment_plan",
            "lead_therapist",
            "lead_therapist_name",
            "adverse_event",
            "raised_at",
            "is_open",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]

    def get_lead_therapist_name(self, alert) -> str | None:
        return alert.lead_therapist.full_name if alert.lead_therapist else None


class NoteDueOut(serializers.Serializer):
    booking = serializers.IntegerField(source="booking.pk")
    patient_name = serializers.CharField(source="booking.patient.full_name")
    treatment = serializers.CharField(source="booking.treatment.name")
    start = serializers.DateTimeField(source="booking.start")
    note = serializers.IntegerField(source="note.pk", allow_null=True, default=None)
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()

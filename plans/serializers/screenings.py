"""Request and response shapes of dry-needling screenings, consent and clearance.
No rules here: views hand data to services.
"""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    ConsentMethod,
    NeedlingConsent,
    NeedlingScreening,
    ScreeningCorrection,
)
from ..selectors.needling import CLEARANCE_STATUSES

# An answer: true (yes), false (no) or null (not sure). Clients sending only true/false work as
# before; a "not sure" leaves the patient waiting for a clinician's call (review_required).
ANSWER_HELP = "true (yes), false (no) or null (not sure: a clinician must check it)."


class AnswerField(serializers.BooleanField):
    """true, false or JSON null. An empty string or "null" text is refused rather than read as
    "not sure": a question left blank by mistake must come back to the sender as bad input."""

    NULL_VALUES = {None}


def _answer() -> serializers.BooleanField:
    return AnswerField(allow_null=True, help_text=ANSWER_HELP)


class ScreeningIn(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1)
    clinic = serializers.IntegerField(
        min_value=1, required=False, help_text="Default: the patient's home clinic."
    )
    answers = serializers.DictField(
        child=_answer(),
        help_text="Each question code of GET /screenings/questionnaire/: true (yes), false (no) "
        "or null (not sure).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class CorrectScreeningIn(serializers.Serializer):
    answers = serializers.DictField(
        child=_answer(),
        allow_empty=False,
        help_text="Only the corrected questions: code -> true, false or null.",
    )
    reason = serializers.CharField(
        max_length=2000, help_text="Why: for example 'Phoned the patient: not on anticoagulants.'"
    )


class AcknowledgeIn(serializers.Serializer):
    note = serializers.CharField(
        max_length=4000, help_text="How the precautions change the treatment."
    )


class ConsentIn(serializers.Serializer):
    given_by = serializers.CharField(
        max_length=120, help_text="Name of the patient, or parent or guardian."
    )
    by_guardian = serializers.BooleanField(default=False)
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    scope = serializers.CharField(
        max_length=4000, help_text="What is consented to: technique and areas."
    )
    information_version = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=40
    )
    witnessed_by = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )


class WithdrawConsentIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ClearanceQuery(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1)


class ClearanceOut(serializers.Serializer):
    patient = serializers.IntegerField()
    clearance = serializers.ChoiceField(choices=list(CLEARANCE_STATUSES))
    screening = serializers.IntegerField(allow_null=True)
    screening_valid_until = serializers.DateField(allow_null=True)
    consent = serializers.IntegerField(allow_null=True)


def clearance_data(patient_id: int, clearance) -> dict:
    return {
        "patient": patient_id,
        "clearance": clearance.status,
        "screening": clearance.screening.pk if clearance.screening else None,
        "screening_valid_until": clearance.screening.valid_until if clearance.screening else None,
        "consent": clearance.consent.pk if clearance.consent else None,
    }


class ConsentOut(serializers.ModelSerializer):
    class Meta:
        model = NeedlingConsent
        fields = [
            "id",
            "given_by",
            "by_guardian",
            "given_at",
            "method",
            "scope",
            "information_version",
            "witnessed_by",
            "recorded_by",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_note",
        ]
        read_only_fields = fields


class CorrectionOut(serializers.ModelSerializer):
    before = serializers.DictField(child=_answer(), read_only=True)
    after = serializers.DictField(child=_answer(), read_only=True)

    class Meta:
        model = ScreeningCorrection
        fields = ["id", "corrected_by", "corrected_at", "reason", "before", "after"]
        read_only_fields = fields


class ScreeningOut(serializers.ModelSerializer):
    answers = serializers.DictField(child=_answer(), read_only=True)
    absolute_contraindications = serializers.ListField(
        child=serializers.CharField(), read_only=True
    )
    relative_contraindications = serializers.ListField(
        child=serializers.CharField(), read_only=True
    )
    unsure = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Questions answered 'not sure': needling waits until a clinician corrects them.",
    )
    needs_review = serializers.BooleanField(
        read_only=True,
        help_text="Waiting for a clinician's call: a 'not sure' or precautions to acknowledge.",
    )
    consents = ConsentOut(many=True, read_only=True)
    corrections = CorrectionOut(many=True, read_only=True)

    class Meta:
        model = NeedlingScreening
        fields = [
            "id",
            "patient",
            "clinic",
            "questionnaire_version",
            "answers",
            "absolute_contraindications",
            "relative_contraindications",
            "unsure",
            "needs_review",
            "notes",
            "screened_by",
            "screened_at",
            "valid_until",
            "precautions_acknowledged_by",
            "precautions_acknowledged_at",
            "acknowledgement_note",
            "consents",
            "corrections",
        ]
        read_only_fields = fields


class QuestionOut(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.ChoiceField(choices=["absolute", "relative"])
    question = serializers.CharField(help_text="The clinician's wording.")
    patient_question = serializers.CharField(help_text="The same question in plain words.")
    group = serializers.CharField(help_text="The code of the group (screen) it is asked in.")
    hint = serializers.CharField(allow_blank=True)


class QuestionGroupOut(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField()


class QuestionnaireOut(serializers.Serializer):
    version = serializers.CharField()
    valid_for_days = serializers.IntegerField()
    groups = QuestionGroupOut(many=True)
    questions = QuestionOut(many=True)

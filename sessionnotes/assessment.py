"""The initial assessment's shape and what it needs before the note is signed.

{presenting_complaint, history, screen, red_flags: {code: {answer, note}}, baseline_outcomes:
[{measure, label, value}], working_diagnosis, referral: {urgency, destination, notes}}. The
research note §6.3: every flag of the screen answered; `not_asked` only with a reason; a yes on
a flag needs the onward referral recorded, and then a clinician clears it before the plan may
start (services.clear_red_flags, services.check_red_flags_cleared).
"""

from __future__ import annotations

from rest_framework import serializers

from plans.models import OutcomeMeasure

from .modalities import StrictSerializer
from .red_flags import SCREENS, Answer, Screen, Urgency, positive_flags


class FlagAnswerShape(StrictSerializer):
    answer = serializers.ChoiceField(choices=Answer.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class OutcomeShape(StrictSerializer):
    measure = serializers.ChoiceField(choices=OutcomeMeasure.choices)
    label = serializers.CharField(max_length=80, required=False, allow_blank=True)
    value = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)


class ReferralShape(StrictSerializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    destination = serializers.CharField(max_length=200)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AssessmentShape(StrictSerializer):
    presenting_complaint = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    history = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    screen = serializers.ChoiceField(choices=Screen.choices, required=False, allow_blank=True)
    red_flags = serializers.DictField(child=FlagAnswerShape(), required=False)
    baseline_outcomes = OutcomeShape(many=True, required=False)
    working_diagnosis = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    referral = ReferralShape(required=False, allow_null=True)

    def validate(self, attrs):
        flags = attrs.get("red_flags") or {}
        screen = attrs.get("screen", "")
        if flags and not screen:
            raise serializers.ValidationError({"screen": ["Say which red-flag screen was used."]})
        known = {f.code for f in SCREENS.get(screen, ())}
        unknown = sorted(set(flags) - known)
        if unknown:
            raise serializers.ValidationError(
                {"red_flags": [f"Not on the {screen} screen: {', '.join(unknown)}."]}
            )
        return attrs


def clean_assessment(data) -> dict:
    shape = AssessmentShape(data=data)
    shape.is_valid(raise_exception=True)
    cleaned = dict(shape.validated_data)
    cleaned["red_flags"] = {
        code: dict(answer) for code, answer in cleaned.get("red_flags", {}).items()
    }
    cleaned["baseline_outcomes"] = [
        {**outcome, "value": float(outcome["value"])}
        for outcome in cleaned.get("baseline_outcomes", [])
    ]
    return cleaned


def is_positive(screen: str, red_flags: dict) -> bool:
    return bool(positive_flags({screen: red_flags})) if screen else False


def missing_for_signing(assessment) -> list[str]:
    """What a signed initial assessment must hold (paths under `initial_assessment`)."""
    missing = [
        name
        for name in ("presenting_complaint", "case_history", "screen", "working_diagnosis")
        if not getattr(assessment, name)
    ]
    for red_flag in SCREENS.get(assessment.screen, ()):
        answer = assessment.red_flags.get(red_flag.code)
        if answer is None:
            missing.append(f"red_flags.{red_flag.code}")
        elif answer["answer"] == Answer.NOT_ASKED and not answer.get("note", "").strip():
            missing.append(f"red_flags.{red_flag.code}.note")
    if assessment.red_flag_positive and not (
        assessment.referral_urgency and assessment.referral_destination
    ):
        missing.append("referral")
    return [name.replace("case_history", "history") for name in missing]

"""The shape of each modality's structured record, in one place.

A record is checked twice:
- on every save (drafts included): types, vocabularies and hard ranges - a needle of 0.5 mm or
  an NPRS of 11 is refused at once, so nothing impossible is ever stored;
- when the note is signed: completeness (`missing_for_signing`) - a draft may be half done.
Values inside the hard range but outside the usual one (a 0.35 mm needle) are kept and come
back as `warnings` on the note.

Ranges are from the research note "Clinical session records" §1.1, §3 and §6.3 (needle
0.10-0.40 mm, usual 0.16-0.30; length 10-100 mm, usual 13-75; retention up to 30 min usual;
kinesiology tension 0-100%; RPE by scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rest_framework import serializers

from .vocabulary import (
    RPE_RANGE,
    AdverseEventKind,
    MassageTechnique,
    NeedlingTechnique,
    Onset,
    PnfTechnique,
    Pressure,
    RecordKind,
    RpeScale,
    Severity,
    Side,
    SkinResponse,
    TapePurpose,
    TapeType,
)

NEEDLE_DIAMETER_USUAL = (Decimal("0.16"), Decimal("0.30"))
NEEDLE_LENGTH_USUAL = (13, 75)
RETENTION_USUAL_MAX_SECONDS = 1800


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt field is an error, not silently lost data."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Not a field of this record."] for name in unknown}
                )
        return super().to_internal_value(data)


def _text(max_length: int = 200):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True)


def _count(max_value: int):
    return serializers.IntegerField(min_value=0, max_value=max_value, required=False)


class AdverseEventShape(StrictSerializer):
    kind = serializers.ChoiceField(choices=AdverseEventKind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    onset = serializers.ChoiceField(choices=Onset.choices, required=False)
    action = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="What was done; for a needle unaccounted for, the search and its result.",
    )


class NeedlingSiteShape(StrictSerializer):
    muscle = _text(120)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    trigger_point = _text(120)
    needle_diameter_mm = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.10"),
        max_value=Decimal("0.40"),
        required=False,
        coerce_to_string=False,
    )
    needle_length_mm = serializers.IntegerField(min_value=10, max_value=100, required=False)
    insertions = serializers.IntegerField(min_value=1, max_value=100, required=False)
    technique = serializers.ChoiceField(choices=NeedlingTechnique.choices, required=False)
    retained_seconds = serializers.IntegerField(min_value=0, max_value=3600, required=False)
    local_twitch_response = serializers.BooleanField(required=False)


class DryNeedlingShape(StrictSerializer):
    sites = NeedlingSiteShape(many=True, required=False)
    needles_in = _count(200)
    needles_out = _count(200)
    sharps_disposed = serializers.BooleanField(required=False)
    adverse_events = AdverseEventShape(many=True, required=False)
    notes = _text(2000)


class AreaShape(StrictSerializer):
    area = serializers.CharField(max_length=120)
    side = serializers.ChoiceField(choices=Side.choices, required=False)


class SportsMassageShape(StrictSerializer):
    areas = AreaShape(many=True, required=False)
    techniques = serializers.ListField(
        child=serializers.ChoiceField(choices=MassageTechnique.choices),
        required=False,
        max_length=len(MassageTechnique.values),
    )
    pressure = serializers.ChoiceField(choices=Pressure.choices, required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=180, required=False)
    response = _text(2000)
    adverse_events = AdverseEventShape(many=True, required=False)


class PnfShape(StrictSerializer):
    technique = serializers.ChoiceField(choices=PnfTechnique.choices, required=False)
    muscle_group = _text(120)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    repetitions = serializers.IntegerField(min_value=1, max_value=30, required=False)
    rom_before_deg = serializers.IntegerField(min_value=-180, max_value=360, required=False)
    rom_after_deg = serializers.IntegerField(min_value=-180, max_value=360, required=False)
    movement = _text(120)
    adverse_events = AdverseEventShape(many=True, required=False)


class GrastonShape(StrictSerializer):
    instruments = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=12
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=20
    )
    minutes = serializers.IntegerField(min_value=1, max_value=60, required=False)
    skin_response = serializers.ChoiceField(choices=SkinResponse.choices, required=False)
    anticoagulants_checked = serializers.BooleanField(required=False)
    adverse_events = AdverseEventShape(many=True, required=False)


class TapingShape(StrictSerializer):
    tape = serializers.ChoiceField(choices=TapeType.choices, required=False)
    area = _text(120)
    purpose = serializers.ChoiceField(choices=TapePurpose.choices, required=False)
    tension_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    skin_check = serializers.BooleanField(required=False)
    adverse_events = AdverseEventShape(many=True, required=False)

    def validate(self, attrs):
        if attrs.get("tension_percent") and attrs.get("tape") == TapeType.RIGID:
            raise serializers.ValidationError(
                {"tension_percent": ["Rigid tape is applied without stretch; leave it out."]}
            )
        return attrs


class ExerciseShape(StrictSerializer):
    name = serializers.CharField(max_length=120)
    sets = serializers.IntegerField(min_value=1, max_value=10, required=False)
    reps = serializers.IntegerField(min_value=1, max_value=100, required=False)
    load = _text(80)
    rpe = serializers.IntegerField(min_value=0, max_value=20, required=False)
    rpe_scale = serializers.ChoiceField(
        choices=RpeScale.choices, required=False, default=RpeScale.BORG_CR10
    )

    def validate(self, attrs):
        if "rpe" in attrs:
            low, high = RPE_RANGE[attrs["rpe_scale"]]
            if not low <= attrs["rpe"] <= high:
                raise serializers.ValidationError(
                    {"rpe": [f"On the {attrs['rpe_scale']} scale RPE runs {low} to {high}."]}
                )
        return attrs


class ExerciseRehabShape(StrictSerializer):
    exercises = ExerciseShape(many=True, required=False)
    home_programme_changes = _text(2000)
    adverse_events = AdverseEventShape(many=True, required=False)


SHAPES: dict[str, type[StrictSerializer]] = {
    RecordKind.DRY_NEEDLING: DryNeedlingShape,
    RecordKind.SPORTS_MASSAGE: SportsMassageShape,
    RecordKind.PNF: PnfShape,
    RecordKind.GRASTON: GrastonShape,
    RecordKind.TAPING: TapingShape,
    RecordKind.EXERCISE_REHAB: ExerciseRehabShape,
}


def _plain(value):
    """validated_data as JSON: Decimals become numbers (two places at most)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def clean_record(kind: str, data) -> dict:
    """The record's data, checked against its modality's shape and made JSON-safe.

    Raises serializers.ValidationError (400 `invalid`, with per-field messages).
    """
    shape = SHAPES[kind](data=data)
    shape.is_valid(raise_exception=True)
    return _plain(shape.validated_data)


# --- at signing ----------------------------------------------------------------------------------

UNACCOUNTED = AdverseEventKind.NEEDLE_UNACCOUNTED


def needles_reconciled(data: dict) -> bool:
    """Needles in equal needles out, or a 'needle unaccounted for' event records the search and
    the action taken (CNT Manual: count them in, count them out)."""
    if data.get("needles_in") == data.get("needles_out"):
        return True
    return any(
        event["kind"] == UNACCOUNTED and event.get("action", "").strip()
        for event in data.get("adverse_events", [])
    )


def _require(data: dict, names: tuple[str, ...], prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in names if data.get(name) in (None, "", [])]


def missing_for_signing(kind: str, data: dict) -> list[str]:
    """The fields (as paths inside the record) a signed record must have."""
    missing: list[str] = []
    if kind == RecordKind.DRY_NEEDLING:
        missing += _require(data, ("sites", "needles_in", "needles_out"), "")
        for n, site in enumerate(data.get("sites", [])):
            required = ("muscle", "side", "needle_diameter_mm", "needle_length_mm", "technique")
            missing += _require(site, required, f"sites[{n}].")
            if site.get("technique") == NeedlingTechnique.STATIC:
                missing += _require(site, ("retained_seconds",), f"sites[{n}].")
        if data.get("needles_in") == 0:
            missing.append("needles_in")
        if data.get("sharps_disposed") is not True:
            missing.append("sharps_disposed")
    elif kind == RecordKind.SPORTS_MASSAGE:
        missing += _require(data, ("areas", "techniques", "pressure", "minutes"), "")
    elif kind == RecordKind.PNF:
        missing += _require(data, ("technique", "muscle_group", "side", "repetitions"), "")
    elif kind == RecordKind.GRASTON:
        missing += _require(data, ("regions", "minutes", "skin_response"), "")
        if data.get("anticoagulants_checked") is not True:
            missing.append("anticoagulants_checked")
    elif kind == RecordKind.TAPING:
        missing += _require(data, ("tape", "area", "purpose"), "")
        if data.get("skin_check") is not True:
            missing.append("skin_check")
    elif kind == RecordKind.EXERCISE_REHAB:
        missing += _require(data, ("exercises",), "")
        for n, exercise in enumerate(data.get("exercises", [])):
            missing += _require(exercise, ("sets", "reps"), f"exercises[{n}].")
    for n, event in enumerate(data.get("adverse_events", [])):
        missing += _require(event, ("onset", "action"), f"adverse_events[{n}].")
    return missing


# --- warnings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warning:
    code: str
    field: str
    message: str


def record_warnings(kind: str, data: dict) -> list[Warning]:
    """Values allowed but outside the usual range: shown to the therapist, never refused."""
    if kind != RecordKind.DRY_NEEDLING:
        return []
    warnings = []
    low, high = NEEDLE_DIAMETER_USUAL
    for n, site in enumerate(data.get("sites", [])):
        diameter = site.get("needle_diameter_mm")
        if diameter is not None and not low <= Decimal(str(diameter)) <= high:
            warnings.append(
                Warning(
                    "needle_diameter_unusual",
                    f"sites[{n}].needle_diameter_mm",
                    f"A {diameter} mm needle is outside the usual {low}-{high} mm.",
                )
            )
        length = site.get("needle_length_mm")
        if length is not None and not NEEDLE_LENGTH_USUAL[0] <= length <= NEEDLE_LENGTH_USUAL[1]:
            warnings.append(
                Warning(
                    "needle_length_unusual",
                    f"sites[{n}].needle_length_mm",
                    f"A {length} mm needle is outside the usual 13-75 mm.",
                )
            )
        retained = site.get("retained_seconds")
        if retained is not None and retained > RETENTION_USUAL_MAX_SECONDS:
            warnings.append(
                Warning(
                    "retention_long",
                    f"sites[{n}].retained_seconds",
                    "Needles retained longer than 30 minutes.",
                )
            )
    return warnings

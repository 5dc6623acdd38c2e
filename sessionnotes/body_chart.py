"""The body chart: regions marked on a front and a back outline.

Each mark is {view, region, symptom, nprs, pattern?, notes?}. The research note (§5.1) says what
a chart holds: area, quality, intensity on NPRS 0-10, constant or intermittent, and ticks for
related areas examined and "cleared" (symptom `cleared`, no NPRS). The regions are the shapes
drawn by web/body_chart_svg.py from this list, so the two stay in step.
"""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from .modalities import StrictSerializer


class View(models.TextChoices):
    FRONT = "front", "Front"
    BACK = "back", "Back"


_BOTH_SIDES = (
    ("shoulder", "shoulder"),
    ("upper_arm", "upper arm"),
    ("elbow", "elbow"),
    ("forearm", "forearm"),
    ("hand", "hand and wrist"),
    ("hip", "hip"),
    ("thigh", "thigh"),
    ("knee", "knee"),
    ("lower_leg", "lower leg"),
    ("foot", "ankle and foot"),
)
_FRONT_MIDLINE = (
    ("head", "Head and face"),
    ("neck", "Front of neck"),
    ("chest", "Chest"),
    ("abdomen", "Abdomen"),
    ("groin", "Groin"),
)
_BACK_MIDLINE = (
    ("head", "Back of head"),
    ("neck", "Neck"),
    ("upper_back", "Upper back"),
    ("mid_back", "Mid back"),
    ("lower_back", "Lower back"),
    ("sacrum", "Sacrum"),
)
_BACK_SIDES = (
    ("shoulder_blade", "shoulder blade"),
    ("buttock", "buttock"),
)


def _sided(pairs) -> list[tuple[str, str]]:
    return [
        (f"{side}_{code}", f"{side.title()} {label}")
        for code, label in pairs
        for side in ("left", "right")
    ]


REGIONS: dict[str, dict[str, str]] = {
    View.FRONT: dict([*_FRONT_MIDLINE, *_sided(_BOTH_SIDES)]),
    View.BACK: dict([*_BACK_MIDLINE, *_sided(_BACK_SIDES), *_sided(_BOTH_SIDES)]),
}


class Symptom(models.TextChoices):
    ACHE = "ache", "Dull ache"
    SHARP = "sharp", "Sharp"
    BURNING = "burning", "Burning"
    THROBBING = "throbbing", "Throbbing"
    SHOOTING = "shooting", "Shooting"
    PINS_AND_NEEDLES = "pins_and_needles", "Pins and needles"
    NUMBNESS = "numbness", "Numbness"
    STIFFNESS = "stiffness", "Stiffness"
    CLEARED = "cleared", "Examined: clear ✓"


class Pattern(models.TextChoices):
    CONSTANT = "constant", "Constant"
    INTERMITTENT = "intermittent", "Intermittent"


# Sensations measured in intensity; numbness and a cleared area are not.
SYMPTOMS_WITHOUT_NPRS = {Symptom.CLEARED, Symptom.NUMBNESS}


class MarkShape(StrictSerializer):
    view = serializers.ChoiceField(choices=View.choices)
    region = serializers.CharField(max_length=40)
    symptom = serializers.ChoiceField(choices=Symptom.choices)
    nprs = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    pattern = serializers.ChoiceField(choices=Pattern.choices, required=False)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def validate(self, attrs):
        if attrs["region"] not in REGIONS[attrs["view"]]:
            raise serializers.ValidationError(
                {"region": [f"No region {attrs['region']!r} on the {attrs['view']} outline."]}
            )
        if attrs["symptom"] == Symptom.CLEARED and attrs.get("nprs"):
            raise serializers.ValidationError({"nprs": ["A cleared area has no pain score."]})
        return attrs


class BodyChartShape(serializers.ListSerializer):
    child = MarkShape()

    def validate(self, attrs):
        seen = set()
        for mark in attrs:
            key = (mark["view"], mark["region"], mark["symptom"])
            if key in seen:
                raise serializers.ValidationError(
                    f"{region_label(mark['view'], mark['region'])} is marked "
                    f"{mark['symptom']} twice; keep one mark."
                )
            seen.add(key)
        return attrs


def clean_body_chart(marks) -> list[dict]:
    """The marks, validated (400 `invalid` on a bad one), in a stable order."""
    shape = BodyChartShape(data=marks, max_length=60)
    shape.is_valid(raise_exception=True)
    return sorted(
        (dict(mark) for mark in shape.validated_data),
        key=lambda mark: (mark["view"], mark["region"], mark["symptom"]),
    )


def region_label(view: str, region: str) -> str:
    return REGIONS.get(view, {}).get(region, region)

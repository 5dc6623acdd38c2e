"""The fixed vocabularies of treatment plans: conditions, statuses and their legal changes,
measures, body regions and exercise purposes."""

from __future__ import annotations

from django.db import models


class Condition(models.TextChoices):
    MYOFASCIAL_PAIN = "myofascial_pain", "Myofascial pain syndrome"
    TENSION_TYPE_HEADACHE = "tension_type_headache", "Tension-type headache"
    LOW_BACK_PAIN = "low_back_pain", "Low back pain"
    NECK_PAIN = "neck_pain", "Neck pain"
    SHOULDER_PAIN = "shoulder_pain", "Shoulder pain"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    TENDINOPATHY = "tendinopathy", "Tendinopathy"
    MUSCLE_STRAIN = "muscle_strain", "Muscle strain"
    LIGAMENT_SPRAIN = "ligament_sprain", "Ligament sprain"
    OTHER = "other", "Other"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"


# Legal status changes; anything else is refused with 409 `illegal_plan_transition`.
PLAN_TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.ACTIVE, PlanStatus.DISCONTINUED},
    PlanStatus.ACTIVE: {PlanStatus.COMPLETED, PlanStatus.DISCONTINUED},
    PlanStatus.COMPLETED: set(),
    PlanStatus.DISCONTINUED: set(),
}

OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


class PainTolerance(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class OutcomeMeasure(models.TextChoices):
    NPRS = "nprs", "Pain (NPRS 0-10)"
    PSFS = "psfs", "Patient-Specific Functional Scale"
    ODI = "odi", "Oswestry Disability Index"
    NDI = "ndi", "Neck Disability Index"
    ROM = "rom", "Range of motion (degrees)"


class BodyRegion(models.TextChoices):
    NECK = "neck", "Neck"
    SHOULDER = "shoulder", "Shoulder"
    ELBOW_WRIST_HAND = "elbow_wrist_hand", "Elbow, wrist and hand"
    THORACIC = "thoracic", "Upper back"
    LUMBAR = "lumbar", "Lower back"
    HIP = "hip", "Hip"
    KNEE = "knee", "Knee"
    ANKLE_FOOT = "ankle_foot", "Ankle and foot"
    WHOLE_BODY = "whole_body", "Whole body"


class ExercisePurpose(models.TextChoices):
    MOBILITY = "mobility", "Mobility"
    STRETCH = "stretch", "Stretch"
    STRENGTH = "strength", "Strength"
    STABILITY = "stability", "Stability and control"
    LOADING = "loading", "Tendon loading"
    CONDITIONING = "conditioning", "Conditioning"

"""The fixed vocabularies of session notes: modalities recorded, adverse events, sides.

Sources: /shared research note "Clinical session records" §1-3 and §6.2 (enumerations). Codes
are lowercase and stable; labels are what the pages show.
"""

from __future__ import annotations

from django.db import models


class RecordKind(models.TextChoices):
    """One structured record per modality done in a session."""

    DRY_NEEDLING = "dry_needling", "Dry needling"
    SPORTS_MASSAGE = "sports_massage", "Sports massage"
    PNF = "pnf", "PNF stretching"
    GRASTON = "graston", "Graston / IASTM"
    TAPING = "taping", "Taping"
    EXERCISE_REHAB = "exercise_rehab", "Exercise rehab"


# The therapist's qualification (booking.Qualification.code) each record needs.
QUALIFICATION_FOR = {
    RecordKind.DRY_NEEDLING: "dry_needling",
    RecordKind.SPORTS_MASSAGE: "sports_massage",
    RecordKind.PNF: "pnf_stretching",
    RecordKind.GRASTON: "iastm",
    RecordKind.TAPING: "taping",
    RecordKind.EXERCISE_REHAB: "exercise_rehab",
}

# The records a treatment of each booking modality (booking.Modality) usually holds: the note
# page opens these sections first.
RECORDS_FOR_MODALITY = {
    "dry_needling": [RecordKind.DRY_NEEDLING],
    "sports_massage": [RecordKind.SPORTS_MASSAGE],
    "pnf_stretching": [RecordKind.PNF],
    "iastm": [RecordKind.GRASTON],
    "taping": [RecordKind.TAPING],
    "exercise_rehab": [RecordKind.EXERCISE_REHAB],
    "combined": [RecordKind.DRY_NEEDLING, RecordKind.SPORTS_MASSAGE],
    "assessment": [],
}


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    AMENDED = "amended", "Signed, amended"


SIGNED_STATUSES = (NoteStatus.SIGNED, NoteStatus.AMENDED)


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Both sides"
    MIDLINE = "midline", "Midline"


class NeedlingTechnique(models.TextChoices):
    STATIC = "static", "Static (retained)"
    PISTONING = "pistoning", "Pistoning (fast in / fast out)"
    ROTATION = "rotation", "Rotation"
    SUSTAINED = "sustained", "Sustained short insertion"
    OTHER = "other", "Other"


class AdverseEventKind(models.TextChoices):
    BLEEDING = "bleeding", "Bleeding"
    BRUISING = "bruising", "Bruising"
    PAIN = "pain", "Pain during or after"
    AGGRAVATION = "aggravation", "Aggravation of symptoms"
    SYNCOPE = "syncope", "Fainting (vasovagal)"
    DROWSINESS = "drowsiness", "Drowsiness"
    NAUSEA = "nausea", "Nausea"
    HEADACHE = "headache", "Headache"
    NEEDLE_UNACCOUNTED = "needle_unaccounted_for", "Needle unaccounted for"
    STUCK_NEEDLE = "stuck_or_bent_needle", "Stuck or bent needle"
    PNEUMOTHORAX = "pneumothorax", "Pneumothorax"
    NERVE_INJURY = "nerve_injury", "Nerve injury"
    INFECTION = "infection", "Infection"
    SKIN_REACTION = "skin_reaction", "Skin reaction"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    """White et al.'s scale (Physiotherapy Alberta): one internal scale for every modality."""

    MILD = "mild", "Mild: short, reversible"
    SIGNIFICANT = "significant", "Significant: needs medical attention or stops activities"
    SERIOUS = "serious", "Serious: hospital admission, lasting harm"


class Onset(models.TextChoices):
    DURING = "during", "During treatment"
    IMMEDIATELY_AFTER = "immediately_after", "Immediately after"
    DELAYED = "delayed", "Hours to days later"


class MassageTechnique(models.TextChoices):
    EFFLEURAGE = "effleurage", "Effleurage"
    PETRISSAGE = "petrissage", "Petrissage"
    TAPOTEMENT = "tapotement", "Tapotement"
    FRICTION = "friction", "Friction"
    TRIGGER_POINT_RELEASE = "trigger_point_release", "Trigger point release"
    MYOFASCIAL_RELEASE = "myofascial_release", "Myofascial release"
    SOFT_TISSUE_RELEASE = "soft_tissue_release", "Soft tissue release"
    MUSCLE_ENERGY = "muscle_energy", "Muscle energy technique"
    COMPRESSION = "compression", "Compression"
    VIBRATION = "vibration", "Vibration"


class Pressure(models.TextChoices):
    LIGHT = "light", "Light"
    MODERATE = "moderate", "Moderate"
    FIRM = "firm", "Firm"
    DEEP = "deep", "Deep"


class PnfTechnique(models.TextChoices):
    HOLD_RELAX = "hold_relax", "Hold-relax"
    CONTRACT_RELAX = "contract_relax", "Contract-relax"
    CRAC = "crac", "Contract-relax-antagonist-contract (CRAC)"
    HRAC = "hrac", "Hold-relax-antagonist-contract"
    RHYTHMIC_STABILISATION = "rhythmic_stabilisation", "Rhythmic stabilisation"


class SkinResponse(models.TextChoices):
    NONE = "none", "None"
    ERYTHEMA = "erythema", "Erythema"
    PETECHIAE = "petechiae", "Petechiae"
    ECCHYMOSIS = "ecchymosis", "Ecchymosis (bruising)"


class TapeType(models.TextChoices):
    KINESIOLOGY = "kinesiology", "Kinesiology"
    RIGID = "rigid", "Rigid (zinc oxide)"


class TapePurpose(models.TextChoices):
    SUPPORT = "support", "Support"
    PAIN = "pain", "Pain relief"
    FACILITATION = "facilitation", "Facilitation"
    INHIBITION = "inhibition", "Inhibition"
    OEDEMA = "oedema", "Oedema"
    OFFLOAD = "offload", "Offload"


class RpeScale(models.TextChoices):
    BORG_CR10 = "borg_cr10", "Borg CR10 (0-10)"
    BORG_6_20 = "borg_6_20", "Borg 6-20"


RPE_RANGE = {RpeScale.BORG_CR10: (0, 10), RpeScale.BORG_6_20: (6, 20)}

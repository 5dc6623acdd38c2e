"""Red-flag screens for an initial assessment, per presenting condition, with the onward action
each positive answer prompts.

Sources: research note "Clinical session records" §2 - low back pain (IFOMPT 2020, NICE NG59,
the national suspected cauda equina pathway, NICE MSCC criteria), headache (SNNOOP10, NICE
CG150, NHS Highland action tiers), neck pain (IFOMPT cervical framework, 5 Ds and 3 Ns). The
urgency is the default for a positive answer; the clinician records the actual referral.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_ASKED = "not_asked", "Not asked"
    UNABLE = "unable_to_assess", "Unable to assess"


class Urgency(models.TextChoices):
    EMERGENCY_NOW = "emergency_now", "Emergency now (999 / emergency department)"
    URGENT_24H = "urgent_24h", "Urgent, within 24 hours"
    SOON = "soon", "Soon (GP letter)"
    ROUTINE = "routine", "Routine"


class Screen(models.TextChoices):
    BACK_PAIN = "back_pain", "Low back pain"
    HEADACHE = "headache", "Headache"
    NECK_PAIN = "neck_pain", "Neck pain"


@dataclass(frozen=True)
class RedFlag:
    code: str
    question: str
    urgency: str


BACK_PAIN = (
    RedFlag(
        "saddle_anaesthesia",
        "Numbness or pins and needles in the saddle area (perianal, perineal, genital)?",
        Urgency.EMERGENCY_NOW,
    ),
    RedFlag(
        "bladder_bowel_change",
        "Recent change in bladder or bowel control or sensation?",
        Urgency.EMERGENCY_NOW,
    ),
    RedFlag(
        "bilateral_leg_symptoms",
        "Weakness, numbness or pain in both legs, new or worsening?",
        Urgency.EMERGENCY_NOW,
    ),
    RedFlag("sexual_dysfunction", "New sexual dysfunction?", Urgency.EMERGENCY_NOW),
    RedFlag("cancer_history", "A history of cancer?", Urgency.URGENT_24H),
    RedFlag("unexplained_weight_loss", "Unexplained weight loss?", Urgency.URGENT_24H),
    RedFlag("night_pain", "Night pain that stops sleep, unrelieved by position?", Urgency.SOON),
    RedFlag("fever_unwell", "Fever, or systemically unwell?", Urgency.URGENT_24H),
    RedFlag("immunosuppression", "Immunosuppression or intravenous drug use?", Urgency.URGENT_24H),
    RedFlag("significant_trauma", "Significant trauma, or a fall from height?", Urgency.URGENT_24H),
    RedFlag("prolonged_steroids", "Prolonged use of corticosteroids?", Urgency.SOON),
)

HEADACHE = (
    RedFlag(
        "thunderclap_onset",
        "Sudden onset reaching its worst within a minute (thunderclap)?",
        Urgency.EMERGENCY_NOW,
    ),
    RedFlag(
        "neurological_signs",
        "New neurological deficit, confusion or reduced consciousness?",
        Urgency.EMERGENCY_NOW,
    ),
    RedFlag("fever_with_headache", "Worsening headache with fever?", Urgency.EMERGENCY_NOW),
    RedFlag("new_after_50", "A new headache after the age of 50?", Urgency.URGENT_24H),
    RedFlag("cancer_history", "A history of cancer?", Urgency.URGENT_24H),
    RedFlag(
        "cough_exertion_trigger",
        "Brought on by coughing, sneezing, straining or exercise?",
        Urgency.SOON,
    ),
    RedFlag("positional", "Changes markedly with posture (lying or standing)?", Urgency.SOON),
    RedFlag("head_trauma", "A head injury in the last three months?", Urgency.SOON),
    RedFlag("pattern_change", "A substantial change in the headache's character?", Urgency.SOON),
    RedFlag("pregnancy", "Pregnant or recently given birth?", Urgency.URGENT_24H),
)

NECK_PAIN = (
    RedFlag("dizziness", "Dizziness or vertigo?", Urgency.EMERGENCY_NOW),
    RedFlag("diplopia", "Double vision?", Urgency.EMERGENCY_NOW),
    RedFlag("dysarthria", "Difficulty speaking?", Urgency.EMERGENCY_NOW),
    RedFlag("dysphagia", "Difficulty swallowing?", Urgency.EMERGENCY_NOW),
    RedFlag(
        "drop_attacks",
        "Drop attacks (falling without losing consciousness)?",
        Urgency.EMERGENCY_NOW,
    ),
    RedFlag("nausea_nystagmus", "Nausea or nystagmus?", Urgency.EMERGENCY_NOW),
    RedFlag("numbness", "Numbness of the face or limbs, or unsteadiness?", Urgency.EMERGENCY_NOW),
    RedFlag("recent_neck_trauma", "Recent trauma to the neck?", Urgency.URGENT_24H),
    RedFlag(
        "new_neck_pain_with_headache",
        "New, unusual neck pain with headache?",
        Urgency.URGENT_24H,
    ),
    RedFlag("cancer_history", "A history of cancer?", Urgency.URGENT_24H),
)

SCREENS: dict[str, tuple[RedFlag, ...]] = {
    Screen.BACK_PAIN: BACK_PAIN,
    Screen.HEADACHE: HEADACHE,
    Screen.NECK_PAIN: NECK_PAIN,
}

# Which screen a plan's condition (plans.models.Condition) calls for.
SCREEN_FOR_CONDITION = {
    "low_back_pain": Screen.BACK_PAIN,
    "tension_type_headache": Screen.HEADACHE,
    "neck_pain": Screen.NECK_PAIN,
}


def flag(screen: str, code: str) -> RedFlag | None:
    return next((f for f in SCREENS.get(screen, ()) if f.code == code), None)


def positive_flags(screens: dict[str, dict]) -> list[tuple[str, RedFlag]]:
    """Every (screen, flag) answered yes, in the screens' order."""
    found = []
    for screen, answers in screens.items():
        for red_flag in SCREENS.get(screen, ()):
            if answers.get(red_flag.code, {}).get("answer") == Answer.YES:
                found.append((screen, red_flag))
    return found

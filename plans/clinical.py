"""Clinical reference data the plan rules rely on: the dry-needling screening questionnaire, the
outcome measures with their minimal clinically important differences (MCIDs), and the modality
defaults the plan builder and scheduler use.

It is data with its sources, kept in code (not tables) so that every change is reviewed and the
questionnaire version recorded on a screening always means the same questions.

Dry-needling screening (questionnaire version "2027.1"). Sources:
- AACP (Acupuncture Association of Chartered Physiotherapists), *Safe Practice Guidelines for
  Acupuncture Physiotherapists*, 3rd edition 2017 / 2021 edition: consent, records,
  contraindications, precautions, pregnancy, adverse events. The UK professional standard.
- ISCP (Irish Society of Chartered Physiotherapists), *Guidelines for Dry Needling Practice*,
  2012, as summarised in McEvoy, "Trigger point dry needling: safety guidelines" (in Dommerholt
  & Fernández-de-las-Peñas, *Trigger Point Dry Needling*); CPTA (Canada, 2007) and ASAP
  (Australia, 2007) guidelines list the same absolute/relative split.
- APTA, *Description of Dry Needling in Clinical Practice* (2013): "patients with an abnormal
  bleeding tendency must be needled with caution"; antithrombotic medication is a precaution,
  not an absolute contraindication (review: Pain Research and Management 2022, article 1363477).
- NZASA Code of Safe Practice: written consent recommended; under-16s need a parent's or
  guardian's consent. Written as well as verbal consent in pregnancy.
Each question carries the clinician's wording (the guidelines' terms, shown to staff and in the
API) and the same question in plain words for patients, grouped into the screens they answer
online (SCREENING_GROUPS). A patient may answer "not sure" (None): never read as "no", it keeps
them from needling until a clinician checks it with them and corrects the answer.
An absolute contraindication blocks needling outright; a relative one (a precaution) allows it
once the treating therapist has recorded that they considered it (technique, depth, site,
positioning) - the "acknowledgement".

Outcome measures: see MEASURES below; each carries its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from booking.models import Modality

# --- dry-needling screening ---------------------------------------------------------------------

QUESTIONNAIRE_VERSION = "2027.1"

# A screening answers for about six months. AACP asks for re-screening whenever health or
# medication changes; the fixed expiry makes sure a long course is re-screened anyway.
SCREENING_VALID_FOR = timedelta(days=183)

ABSOLUTE = "absolute"
RELATIVE = "relative"


@dataclass(frozen=True)
class ScreeningGroup:
    """One screen of the patient's questionnaire: questions a patient reads together."""

    code: str
    title: str
    intro: str


# The screens a patient answers online, in order. Grouped by what a patient knows about
# themselves (today's health, their medicines...), not by clinical category, so that nobody has
# to understand "absolute" or "relative" contraindications to answer.
SCREENING_GROUPS: tuple[ScreeningGroup, ...] = (
    ScreeningGroup(
        "today",
        "Your health today",
        "About how you are now and the area that hurts.",
    ),
    ScreeningGroup(
        "medicines",
        "Medicines",
        "About medicines you take. If you are not sure what a medicine does, answer "
        "\u201cnot sure\u201d and the clinic will check with you.",
    ),
    ScreeningGroup(
        "pregnancy", "Pregnancy", "Answer \u201cno\u201d if this does not apply to you."
    ),
    ScreeningGroup(
        "conditions",
        "Health conditions",
        "About long-term conditions you have now or have had.",
    ),
    ScreeningGroup("needles", "Needles and you", "About how you feel about needles and metal."),
)
SCREENING_GROUPS_BY_CODE = {group.code: group for group in SCREENING_GROUPS}


@dataclass(frozen=True)
class ScreeningItem:
    code: str
    category: str  # ABSOLUTE or RELATIVE
    # The clinician's wording (the guidelines' terms): shown to staff and in the API.
    question: str
    # The same question in plain words, asked of the patient, and the screen it is on.
    patient_question: str = ""
    group: str = ""
    hint: str = ""


SCREENING_ITEMS: tuple[ScreeningItem, ...] = (
    # Absolute contraindications: do not needle.
    ScreeningItem(
        "needle_phobia",
        ABSOLUTE,
        "Has a fear of needles (needle phobia).",
        "Are you very frightened of needles?",
        "needles",
        "For example, you feel faint or panic at the sight of a needle.",
    ),
    ScreeningItem(
        "unwilling",
        ABSOLUTE,
        "Does not want to be treated with needles.",
        "Would you rather not be treated with needles?",
        "needles",
    ),
    ScreeningItem(
        "unable_to_consent",
        ABSOLUTE,
        "Cannot give informed consent (for example confusion or cognitive impairment).",
        "Are you answering for someone who cannot decide about their own treatment?",
        "needles",
        "For example, because of confusion or memory problems. A parent answering for their "
        "child under 16 answers \u201cno\u201d.",
    ),
    ScreeningItem(
        "acute_medical_condition",
        ABSOLUTE,
        "Has a medical emergency or an acute medical condition (for example a fever or "
        "systemic infection).",
        "Are you unwell at the moment, for example with a high temperature or an infection?",
        "today",
    ),
    ScreeningItem(
        "lymphoedema_at_site",
        ABSOLUTE,
        "The area to be needled is in a limb with, or at risk of, lymphoedema (for example "
        "after lymph node removal).",
        "Is the painful area in an arm or leg that swells with lymphoedema, or where lymph "
        "nodes have been removed?",
        "today",
        "For example, an arm on the side of a breast cancer operation.",
    ),
    ScreeningItem(
        "local_infection_or_skin_lesion",
        ABSOLUTE,
        "Local infection, inflamed skin, a recent wound, scar or keloid, or skin with reduced "
        "sensation over the area to be needled.",
        "Is the skin over the painful area broken, infected, red and sore, scarred or numb?",
        "today",
    ),
    ScreeningItem(
        "uncontrolled_movements",
        ABSOLUTE,
        "Has uncontrolled movements that would make needling unsafe.",
        "Do you have movements you cannot control, such as jerks, tremors or spasms?",
        "conditions",
    ),
    ScreeningItem(
        "spinal_instability_at_site",
        ABSOLUTE,
        "The area to be needled is over a region of spinal instability.",
        "Has a doctor told you that the bones of your spine near the painful area are unstable?",
        "today",
    ),
    # Relative contraindications (precautions): needle only after the therapist has considered
    # and recorded them.
    ScreeningItem(
        "anticoagulants",
        RELATIVE,
        "Takes anticoagulant or antiplatelet medication (for example warfarin, apixaban, "
        "clopidogrel).",
        "Do you take medicine to thin your blood or stop clots?",
        "medicines",
        "For example warfarin, apixaban, rivaroxaban, clopidogrel or a daily aspirin.",
    ),
    ScreeningItem(
        "bleeding_disorder",
        RELATIVE,
        "Has a bleeding disorder or abnormal bleeding tendency (for example haemophilia, low "
        "platelets).",
        "Do you bleed or bruise very easily, or have a bleeding condition such as haemophilia?",
        "conditions",
    ),
    ScreeningItem(
        "pregnancy",
        RELATIVE,
        "Is pregnant or trying to conceive.",
        "Are you pregnant, or trying to get pregnant?",
        "pregnancy",
    ),
    ScreeningItem(
        "immunosuppression",
        RELATIVE,
        "Has a weakened immune system (for example immunosuppressant medication, "
        "chemotherapy, HIV).",
        "Do you take medicine that weakens your immune system, or have a condition that does?",
        "medicines",
        "For example steroid tablets, chemotherapy, medicine after a transplant, or HIV.",
    ),
    ScreeningItem(
        "epilepsy",
        RELATIVE,
        "Has epilepsy, or has ever had a fit, faint or 'funny turn'.",
        "Do you have epilepsy, or have you ever had a fit, fainted or had a \u2018funny "
        "turn\u2019?",
        "conditions",
    ),
    ScreeningItem(
        "diabetes",
        RELATIVE,
        "Has diabetes (reduced sensation, circulation and healing).",
        "Do you have diabetes?",
        "conditions",
    ),
    ScreeningItem(
        "metal_allergy",
        RELATIVE,
        "Is allergic to metals (nickel, chromium) or to latex.",
        "Are you allergic to metal (for example nickel in jewellery) or to latex?",
        "needles",
    ),
    ScreeningItem(
        "vascular_disease",
        RELATIVE,
        "Has vascular disease.",
        "Do you have problems with your blood vessels or circulation?",
        "conditions",
        "For example poor blood flow to your legs, or an aneurysm.",
    ),
    ScreeningItem(
        "cardiac_condition",
        RELATIVE,
        "Has a heart condition, heart valve disease or a pacemaker.",
        "Do you have a heart condition, a heart valve problem or a pacemaker?",
        "conditions",
    ),
    ScreeningItem(
        "recent_surgery_or_radiotherapy",
        RELATIVE,
        "Has had recent surgery or radiotherapy.",
        "Have you had an operation or radiotherapy in the last three months?",
        "today",
    ),
    ScreeningItem(
        "frail_or_vulnerable",
        RELATIVE,
        "Is frail, or is anxious or vulnerable in a way that affects treatment.",
        "Do you feel frail, or very anxious about treatment?",
        "conditions",
    ),
)

SCREENING_ITEMS_BY_CODE = {item.code: item for item in SCREENING_ITEMS}


def classify_answers(
    answers: dict[str, bool | None],
) -> tuple[list[str], list[str], list[str]]:
    """The absolute and relative contraindication codes a set of answers reveals, and the codes
    answered "not sure" (None), each in questionnaire order.

    "Not sure" is never read as "no": it is kept apart so a clinician resolves it with the
    patient before needling (see plans.selectors.needling_clearance).
    """
    absolute = [i.code for i in SCREENING_ITEMS if i.category == ABSOLUTE and answers.get(i.code)]
    relative = [i.code for i in SCREENING_ITEMS if i.category == RELATIVE and answers.get(i.code)]
    unsure = [i.code for i in SCREENING_ITEMS if i.code in answers and answers[i.code] is None]
    return absolute, relative, unsure


def items_in_group(group: str) -> list[ScreeningItem]:
    return [item for item in SCREENING_ITEMS if item.group == group]


# Precautions after which consent must be written (or signed electronically), not only verbal.
WRITTEN_CONSENT_FOR = {"pregnancy"}


# --- outcome measures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    unit: str
    scale_min: Decimal
    scale_max: Decimal
    higher_is_better: bool
    mcid: Decimal
    # A relative change that also counts as clinically important (consensus allows 30% for pain
    # and disability in low back pain); None where no relative threshold is established.
    mcid_percent: Decimal | None
    source: str
    # Questionnaires a patient may fill in themselves; physical tests (ROM) are the therapist's.
    patient_reported: bool


MEASURES: dict[str, Measure] = {
    "nprs": Measure(
        code="nprs",
        name="Pain (NPRS)",
        unit="points (0-10)",
        scale_min=Decimal(0),
        scale_max=Decimal(10),
        higher_is_better=False,
        mcid=Decimal(2),
        mcid_percent=Decimal(30),
        source="Ostelo et al., Spine 2008 (consensus: 2 points or 30%); Abbott & Horn, JOSPT 2014.",
        patient_reported=True,
    ),
    "psfs": Measure(
        code="psfs",
        name="Patient-Specific Functional Scale",
        unit="points (0-10)",
        scale_min=Decimal(0),
        scale_max=Decimal(10),
        higher_is_better=True,
        mcid=Decimal(2),
        mcid_percent=None,
        source="Abbott & Horn, JOSPT 2014 (about 2 points); Rysstad et al., BMC "
        "Musculoskeletal Disorders 2020.",
        patient_reported=True,
    ),
    "odi": Measure(
        code="odi",
        name="Oswestry Disability Index",
        unit="% (0-100)",
        scale_min=Decimal(0),
        scale_max=Decimal(100),
        higher_is_better=False,
        mcid=Decimal(10),
        mcid_percent=Decimal(30),
        source="Ostelo et al., Spine 2008 (consensus: 10 points or 30%).",
        patient_reported=True,
    ),
    "ndi": Measure(
        code="ndi",
        name="Neck Disability Index",
        unit="points (0-50)",
        scale_min=Decimal(0),
        scale_max=Decimal(50),
        higher_is_better=False,
        # Young et al. found an MCID of 7.5 points but a minimal detectable change of 10.2, so a
        # change smaller than about 10 points may be measurement noise.
        mcid=Decimal(10),
        mcid_percent=None,
        source="Young et al., Spine Journal 2009 (MCID 7.5, MDC 10.2 points: use 10).",
        patient_reported=True,
    ),
    "rom": Measure(
        code="rom",
        name="Range of motion",
        unit="degrees",
        scale_min=Decimal(0),
        scale_max=Decimal(360),
        higher_is_better=True,
        # No single MCID exists for goniometry; change is judged against the measurement error
        # (MDC), typically 5-10 degrees. 10 is the conservative end.
        mcid=Decimal(10),
        mcid_percent=None,
        source="Wright et al., JMMT 2012 (clinimetrics: judge ROM change against the MDC of "
        "the method; 10 degrees used as a conservative default).",
        patient_reported=False,
    ),
}


def _quantise(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score_items(measure: str, items: list[int | float | Decimal]) -> Decimal:
    """The score of a questionnaire from its item responses.

    - ODI: 10 sections scored 0-5; score = sum / (5 x sections answered) x 100 (a section may
      be left out, as the ODI 2.1a instructions allow).
    - NDI: 10 sections scored 0-5; score = sum (0-50).
    - PSFS: 3-5 activities scored 0-10; score = mean.
    - NPRS: one item, 0-10.
    Raises ValueError with a message for the patient when the items do not fit the measure.
    """
    values = [Decimal(str(item)) for item in items]
    if measure in ("odi", "ndi"):
        if not 1 <= len(values) <= 10 or any(not 0 <= v <= 5 or v != int(v) for v in values):
            raise ValueError("Give up to 10 section scores, each a whole number from 0 to 5.")
        if measure == "ndi":
            if len(values) != 10:
                raise ValueError("The NDI needs all 10 section scores.")
            return _quantise(sum(values, Decimal(0)))
        return _quantise(sum(values, Decimal(0)) / (5 * len(values)) * 100)
    if measure == "psfs":
        if not 3 <= len(values) <= 5 or any(not 0 <= v <= 10 for v in values):
            raise ValueError("Give 3 to 5 activity scores, each from 0 to 10.")
        return _quantise(sum(values, Decimal(0)) / len(values))
    if measure == "nprs":
        if len(values) != 1 or not 0 <= values[0] <= 10:
            raise ValueError("Give one pain score from 0 to 10.")
        return _quantise(values[0])
    raise ValueError("This measure is recorded as a single value, not items.")


# --- modalities in plans --------------------------------------------------------------------------

# The gentler or non-needling choice the plan builder offers when a patient wants to avoid a
# modality (or cannot tolerate it). Ischaemic compression and soft-tissue work in a sports
# massage treat the same trigger points without needles.
ALTERNATIVE_MODALITY: dict[str, str] = {
    Modality.DRY_NEEDLING: Modality.SPORTS_MASSAGE,
    Modality.IASTM: Modality.SPORTS_MASSAGE,
    Modality.SPORTS_MASSAGE: Modality.PNF_STRETCHING,
    Modality.PNF_STRETCHING: Modality.EXERCISE_REHAB,
    Modality.TAPING: Modality.EXERCISE_REHAB,
    Modality.COMBINED: Modality.SPORTS_MASSAGE,
}

# Modalities a patient with low pain tolerance is offered the alternative for: both commonly
# leave post-treatment soreness or bruising (Brady et al., JMMT 2014: bruising 7.6%, pain after
# needling 2.2%). The therapist can still add them back explicitly.
UNCOMFORTABLE_MODALITIES = frozenset({Modality.DRY_NEEDLING, Modality.IASTM})

# Minimum hours between two sessions of one modality for a patient. Needling: at least 48 hours
# so post-needling soreness settles before the next session (anchors research §4 item 2);
# Graston/IASTM likewise. Everything else: not twice on one day.
DEFAULT_MIN_GAP_HOURS: dict[str, int] = {
    Modality.DRY_NEEDLING: 48,
    Modality.IASTM: 48,
    Modality.COMBINED: 48,
}
DEFAULT_GAP_HOURS = 24

# Modalities that are not booked on the same day for a patient: Graston and massage work the
# same tissue (anchors research §4 item 3).
SEPARATE_DAYS: frozenset[frozenset[str]] = frozenset(
    {frozenset({Modality.IASTM, Modality.SPORTS_MASSAGE})}
)

# An exercise-programme adherence below this share of what was prescribed is flagged
# (BMJ Open trial protocols define adherence as at least 80% of the prescribed programme).
ADHERENCE_TARGET_PERCENT = 80

"""Each section of the note form described once: its inputs and rows of inputs."""

from __future__ import annotations

from dataclasses import dataclass

from sessionnotes.body_chart import REGIONS, Pattern, Symptom, View
from sessionnotes.vocabulary import (
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

SOAP = (
    ("subjective", "Subjective", "What the patient reports since last time."),
    ("objective", "Objective", "What you found: observation, palpation, range, tests."),
    ("assessment", "Assessment", "Your clinical reasoning and how they are progressing."),
    ("plan", "Plan", "What you will do next session and what the patient will do."),
)


@dataclass(frozen=True)
class F:
    """One input: `kind` is text, textarea, int, decimal, bool, choice, choices or csv."""

    name: str
    label: str
    kind: str = "text"
    choices: tuple = ()
    hint: str = ""
    step: str = ""
    wide: bool = False


@dataclass(frozen=True)
class Rows:
    """A list of small records (needling sites, areas, exercises, adverse events)."""

    name: str
    label: str
    item: str
    fields: tuple[F, ...]
    add_label: str


def _choices(enum) -> tuple:
    return tuple(enum.choices)


SIDE = F("side", "Side", "choice", _choices(Side))
ADVERSE_EVENTS = Rows(
    "adverse_events",
    "Adverse events",
    "Adverse event",
    (
        F("kind", "What happened", "choice", _choices(AdverseEventKind)),
        F("severity", "Severity", "choice", _choices(Severity)),
        F("onset", "Onset", "choice", _choices(Onset)),
        F(
            "action",
            "Action taken",
            "textarea",
            hint="For a needle unaccounted for: the search and its result.",
            wide=True,
        ),
    ),
    "Add an adverse event",
)

SECTIONS: dict[str, tuple] = {
    RecordKind.DRY_NEEDLING: (
        Rows(
            "sites",
            "Needling sites",
            "Site",
            (
                F("muscle", "Muscle"),
                SIDE,
                F("trigger_point", "Trigger point", hint="Free text or a named point, e.g. TrP1."),
                F("needle_diameter_mm", "Needle diameter (mm)", "decimal", step="0.01"),
                F("needle_length_mm", "Needle length (mm)", "int"),
                F("insertions", "Insertions", "int"),
                F("technique", "Technique", "choice", _choices(NeedlingTechnique)),
                F("retained_seconds", "Retained (seconds)", "int", hint="Static needling."),
                F("local_twitch_response", "Local twitch response", "bool"),
            ),
            "Add a needling site",
        ),
        F("needles_in", "Needles in", "int", hint="Count them in."),
        F("needles_out", "Needles out", "int", hint="Count them out."),
        F("sharps_disposed", "Sharps disposed of in the sharps bin", "bool"),
        F("notes", "Notes", "textarea", wide=True),
        ADVERSE_EVENTS,
    ),
    RecordKind.SPORTS_MASSAGE: (
        Rows(
            "areas",
            "Areas",
            "Area",
            (F("area", "Area or muscle"), SIDE),
            "Add an area",
        ),
        F("techniques", "Techniques", "choices", _choices(MassageTechnique), wide=True),
        F("pressure", "Pressure", "choice", _choices(Pressure)),
        F("minutes", "Minutes", "int"),
        F("response", "Response and tolerance", "textarea", wide=True),
        ADVERSE_EVENTS,
    ),
    RecordKind.PNF: (
        F("technique", "Technique", "choice", _choices(PnfTechnique)),
        F("muscle_group", "Muscle group"),
        SIDE,
        F("movement", "Movement measured", hint="E.g. passive knee extension."),
        F("repetitions", "Repetitions", "int"),
        F("rom_before_deg", "Range before (degrees)", "int"),
        F("rom_after_deg", "Range after (degrees)", "int"),
        ADVERSE_EVENTS,
    ),
    RecordKind.GRASTON: (
        F("instruments", "Instruments", "csv", hint="Separate with commas."),
        F("regions", "Regions", "csv", hint="Separate with commas."),
        F("minutes", "Minutes", "int"),
        F("skin_response", "Skin response", "choice", _choices(SkinResponse)),
        F("anticoagulants_checked", "Asked about anticoagulants", "bool"),
        ADVERSE_EVENTS,
    ),
    RecordKind.TAPING: (
        F("tape", "Tape", "choice", _choices(TapeType)),
        F("area", "Area"),
        F("purpose", "Purpose", "choice", _choices(TapePurpose)),
        F("tension_percent", "Tension (%)", "int", hint="Kinesiology tape only."),
        F("skin_check", "Skin and allergy checked", "bool"),
        ADVERSE_EVENTS,
    ),
    RecordKind.EXERCISE_REHAB: (
        Rows(
            "exercises",
            "Exercises",
            "Exercise",
            (
                F("name", "Exercise"),
                F("sets", "Sets", "int"),
                F("reps", "Reps", "int"),
                F("load", "Load", hint="E.g. 8 kg, body weight."),
                F("rpe", "RPE", "int"),
                F("rpe_scale", "RPE scale", "choice", _choices(RpeScale)),
            ),
            "Add an exercise",
        ),
        F("home_programme_changes", "Changes to the home programme", "textarea", wide=True),
        ADVERSE_EVENTS,
    ),
}

MARK_FIELDS = (
    F("region", "Region", "region"),
    F("symptom", "Symptom", "choice", _choices(Symptom)),
    F("nprs", "NPRS (0-10)", "int"),
    F("pattern", "Pattern", "choice", _choices(Pattern)),
    F("notes", "Notes"),
)
BODY_CHART = Rows("body_chart", "Marked regions", "Region", MARK_FIELDS, "Add a region")

# Region choices for the list (keyboard users and screen readers): "view/region".
REGION_GROUPS = [
    (View(view).label, [(f"{view}/{code}", label) for code, label in REGIONS[view].items()])
    for view in View.values
]


IA = "initial_assessment"
IA_TEXT = (
    ("presenting_complaint", "Presenting complaint", ""),
    ("history", "History", "Of the complaint; past medical history; medication."),
    ("working_diagnosis", "Working diagnosis", ""),
)

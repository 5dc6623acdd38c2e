"""The session-note form in the therapist's pages: which fields each modality's section has,
how a submitted form becomes the note's content, and how content and errors are shown again.

One declarative description per modality (SECTIONS) drives all three, so the page, the no-script
submit and the autosave read the same names. The shapes themselves (types, ranges,
vocabularies) are checked by sessionnotes.modalities when the service saves; this module only
turns text into numbers and booleans, and skips the blank rows a page always has.

Field names are flat: `dry_needling-needles_in`, `dry_needling-sites-0-muscle`,
`body_chart-2-region`. Errors arrive as paths (`records[0].sites[1].muscle`, from the services)
and are put back on the field of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import QueryDict

from sessionnotes.body_chart import REGIONS, Pattern, Symptom, View, region_label
from sessionnotes.red_flags import SCREENS, Answer, Screen, Urgency
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


class FormProblem(ValueError):
    """Text that is not a number where a number is needed: shown on that field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("Some fields could not be read.")
        self.errors = errors


# --- reading a submitted form --------------------------------------------------------------------


def _value(f: F, post: QueryDict, name: str, problems: dict):
    """The field's value, or None when left blank."""
    if f.kind == "bool":
        return name in post
    if f.kind == "choices":
        return post.getlist(name) or None
    raw = post.get(name, "").strip()
    if not raw:
        return None
    if f.kind == "int":
        try:
            return int(raw)
        except ValueError:
            problems[name] = ["Give a whole number."]
            return None
    if f.kind == "decimal":
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            problems[name] = ["Give a number, e.g. 0.25."]
            return None
    if f.kind == "csv":
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _row_indexes(post: QueryDict, prefix: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-")
    return sorted({int(m.group(1)) for key in post for m in [pattern.match(key)] if m})


def _read_rows(rows: Rows, post: QueryDict, prefix: str, problems: dict) -> list[dict]:
    items = []
    for index in _row_indexes(post, prefix):
        item = {}
        for f in rows.fields:
            value = _value(f, post, f"{prefix}-{index}-{f.name}", problems)
            if value not in (None, False):
                item[f.name] = value
        if any(value not in (None, False, "") for value in item.values()):
            items.append(item)
    return items


def _read_section(kind: str, post: QueryDict, problems: dict) -> dict:
    data: dict = {}
    for part in SECTIONS[kind]:
        if isinstance(part, Rows):
            items = _read_rows(part, post, f"{kind}-{part.name}", problems)
            if items or part.name == "adverse_events":
                data[part.name] = items
            continue
        value = _value(part, post, f"{kind}-{part.name}", problems)
        if value is not None:
            data[part.name] = value
    return data


def _read_marks(post: QueryDict, problems: dict) -> list[dict]:
    marks = []
    for item in _read_rows(BODY_CHART, post, "body_chart", problems):
        view, _, region = item.pop("region", "").partition("/")
        if not region:
            continue
        marks.append({"view": view, "region": region, **item})
    return marks


def modalities_in(post: QueryDict) -> list[str]:
    """The sections on the page, in order (each section posts a hidden `records` value)."""
    kinds = []
    for kind in post.getlist("records"):
        if kind in SECTIONS and kind not in kinds:
            kinds.append(kind)
    return kinds


def read_note(post: QueryDict) -> dict:
    """The note's content from a submitted form, as the services take it.

    Raises FormProblem when a number field holds text; blank rows are skipped.
    """
    problems: dict[str, list[str]] = {}
    content: dict = {name: post.get(name, "").strip() for name, _, _ in SOAP}
    for name in ("pain_before", "pain_after"):
        content[name] = _value(F(name, "", "int"), post, name, problems)
    content["body_chart"] = _read_marks(post, problems)
    content["records"] = [
        {"modality": kind, **_read_section(kind, post, problems)} for kind in modalities_in(post)
    ]
    if problems:
        raise FormProblem(problems)
    return content


# --- showing content and errors again ------------------------------------------------------------


@dataclass
class Bound:
    """One input as the template draws it."""

    name: str
    label: str
    kind: str
    value: object = None
    choices: tuple = ()
    hint: str = ""
    step: str = ""
    wide: bool = False
    errors: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, list):
            return ", ".join(str(v) for v in self.value)
        return str(self.value)

    @property
    def selected(self) -> set:
        if isinstance(self.value, list):
            return {str(v) for v in self.value}
        return {"" if self.value is None else str(self.value)}


@dataclass
class BoundRows:
    name: str
    label: str
    item: str
    add_label: str
    rows: list  # of (index, [Bound])
    template: list  # [Bound] with __i__ for the index, for adding a row in the page
    errors: list = field(default_factory=list)


@dataclass
class BoundSection:
    kind: str
    label: str
    parts: list
    errors: list = field(default_factory=list)


def _bind(f: F, name: str, value, errors: dict) -> Bound:
    return Bound(
        name, f.label, f.kind, value, f.choices, f.hint, f.step, f.wide, errors.get(name, [])
    )


def _bind_rows(rows: Rows, items: list, prefix: str, errors: dict, *, extra: bool) -> BoundRows:
    bound = []
    # An empty list starts with one blank row, except adverse events: most sessions have none.
    blank = not items and rows.name != "adverse_events"
    count = len(items) + (1 if extra or blank else 0)
    for index in range(count):
        item = items[index] if index < len(items) else {}
        bound.append(
            (
                index,
                [
                    _bind(f, f"{prefix}-{index}-{f.name}", _row_value(f, item), errors)
                    for f in rows.fields
                ],
            )
        )
    template = [_bind(f, f"{prefix}-__i__-{f.name}", None, {}) for f in rows.fields]
    return BoundRows(
        prefix, rows.label, rows.item, rows.add_label, bound, template, errors.get(prefix, [])
    )


def _row_value(f: F, item: dict):
    if f.kind == "region":
        return f"{item['view']}/{item['region']}" if item.get("region") else None
    return item.get(f.name)


def bind_section(kind: str, data: dict, errors: dict, *, add_row: str = "") -> BoundSection:
    parts = []
    for part in SECTIONS[kind]:
        name = f"{kind}-{part.name}"
        if isinstance(part, Rows):
            items = data.get(part.name, [])
            parts.append(_bind_rows(part, items, name, errors, extra=add_row == name))
        else:
            parts.append(_bind(part, name, data.get(part.name), errors))
    return BoundSection(kind, RecordKind(kind).label, parts, errors.get(kind, []))


def bind_note(content: dict, errors: dict, *, add_row: str = "") -> dict:
    """What the template needs: SOAP, pain, body chart rows and one section per record."""
    return {
        "soap": [
            Bound(
                name,
                label,
                "textarea",
                content.get(name) or "",
                hint=hint,
                errors=errors.get(name, []),
            )
            for name, label, hint in SOAP
        ],
        "pain": [
            _bind(F(name, label, "int"), name, content.get(name), errors)
            for name, label in (
                ("pain_before", "Pain before (NPRS 0-10)"),
                ("pain_after", "Pain after (NPRS 0-10)"),
            )
        ],
        "marks": _bind_rows(
            BODY_CHART,
            content.get("body_chart") or [],
            "body_chart",
            errors,
            extra=add_row == "body_chart",
        ),
        "sections": [
            bind_section(
                record["modality"],
                {k: v for k, v in record.items() if k != "modality"},
                errors,
                add_row=add_row,
            )
            for record in content.get("records") or []
        ],
    }


_INDEX = re.compile(r"\[(\d+)\]")


def field_name(path: str, kinds: list[str]) -> str:
    """A service's path (`records[0].sites[1].muscle`) as the page's field name
    (`dry_needling-sites-1-muscle`); `kinds` are the records' modalities in order."""
    if path.startswith("records["):
        match = _INDEX.match(path, len("records"))
        if match:
            index = int(match.group(1))
            rest = path[match.end() :].lstrip(".")
            kind = kinds[index] if index < len(kinds) else "records"
            path = f"{kind}.{rest}" if rest else kind
    return _INDEX.sub(lambda m: f".{m.group(1)}", path).replace(".", "-").strip("-")


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """A DRF ValidationError detail as {dotted path: [messages]}."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                key = ""
            path = f"{prefix}.{key}" if prefix and key != "" else (prefix or str(key))
            for inner, messages in flatten_errors(value, path).items():
                found.setdefault(inner, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            found.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    for inner, messages in flatten_errors(item, f"{prefix}.{index}").items():
                        found.setdefault(inner, []).extend(messages)
    elif detail:
        found.setdefault(prefix, []).append(str(detail))
    return found


def page_errors(detail, kinds: list[str]) -> dict[str, list[str]]:
    """A ValidationError detail from the services as {field name: [messages]}."""
    errors: dict[str, list[str]] = {}
    for path, messages in flatten_errors(detail).items():
        if path.startswith("records."):
            parts = path.split(".")
            index = int(parts[1]) if parts[1].isdigit() else None
            kind = kinds[index] if index is not None and index < len(kinds) else "records"
            path = ".".join([kind, *parts[2:]])
        errors.setdefault(_INDEX.sub(r".\1", path).replace(".", "-"), []).extend(messages)
    return errors


def describe_marks(marks: list[dict]) -> list[str]:
    """Marks as short sentences for lists and the chart's text alternative."""
    lines = []
    for mark in marks:
        words = f"{region_label(mark['view'], mark['region'])} ({View(mark['view']).label.lower()})"
        words += f": {Symptom(mark['symptom']).label.lower()}"
        if mark.get("nprs") is not None:
            words += f", {mark['nprs']}/10"
        if mark.get("pattern"):
            words += f", {mark['pattern']}"
        lines.append(words)
    return lines


# --- the initial assessment (first session of a plan) --------------------------------------------

IA = "initial_assessment"
IA_TEXT = (
    ("presenting_complaint", "Presenting complaint", ""),
    ("history", "History", "Of the complaint; past medical history; medication."),
    ("working_diagnosis", "Working diagnosis", ""),
)


def read_assessment(post: QueryDict) -> dict | None:
    """The initial assessment from the form, or None when the page has no assessment part."""
    if IA not in post:
        return None
    data: dict = {name: post.get(f"{IA}-{name}", "").strip() for name, _, _ in IA_TEXT}
    screen = post.get(f"{IA}-screen", "")
    if screen in SCREENS:
        data["screen"] = screen
        flags = {}
        for red_flag in SCREENS[screen]:
            answer = post.get(f"{IA}-red_flags-{red_flag.code}", "")
            if answer in Answer.values:
                note = post.get(f"{IA}-red_flags-{red_flag.code}-note", "").strip()
                flags[red_flag.code] = {"answer": answer, **({"note": note} if note else {})}
        data["red_flags"] = flags
    urgency = post.get(f"{IA}-referral-urgency", "")
    destination = post.get(f"{IA}-referral-destination", "").strip()
    if urgency or destination:
        data["referral"] = {
            "urgency": urgency,
            "destination": destination,
            "notes": post.get(f"{IA}-referral-notes", "").strip(),
        }
    return data


def assessment_values(assessment) -> dict:
    """A saved InitialAssessment as the form's data."""
    if assessment is None:
        return {}
    return {
        "presenting_complaint": assessment.presenting_complaint,
        "history": assessment.case_history,
        "working_diagnosis": assessment.working_diagnosis,
        "screen": assessment.screen,
        "red_flags": assessment.red_flags,
        "referral": {
            "urgency": assessment.referral_urgency,
            "destination": assessment.referral_destination,
            "notes": assessment.referral_notes,
        },
    }


def bind_assessment(data: dict, errors: dict, *, default_screen: str = "") -> dict:
    screen = data.get("screen") or default_screen
    flags = data.get("red_flags") or {}
    referral = data.get("referral") or {}
    return {
        "text": [
            Bound(
                f"{IA}-{name}",
                label,
                "textarea",
                data.get(name) or "",
                hint=hint,
                errors=errors.get(f"{IA}-{name}", []),
            )
            for name, label, hint in IA_TEXT
        ],
        "screen": Bound(
            f"{IA}-screen",
            "Red-flag screen",
            "choice",
            screen,
            tuple(Screen.choices),
            errors=errors.get(f"{IA}-screen", []),
        ),
        "screens": [
            {
                "code": code,
                "label": label,
                "current": code == screen,
                "flags": [
                    {
                        "name": f"{IA}-red_flags-{f.code}",
                        "question": f.question,
                        "answer": (flags.get(f.code) or {}).get("answer", "")
                        if code == screen
                        else "",
                        "note": (flags.get(f.code) or {}).get("note", "") if code == screen else "",
                        "errors": errors.get(f"{IA}-red_flags-{f.code}", [])
                        + errors.get(f"{IA}-red_flags-{f.code}-note", []),
                    }
                    for f in SCREENS[code]
                ],
            }
            for code, label in Screen.choices
        ],
        "answers": tuple(Answer.choices),
        "referral": [
            Bound(
                f"{IA}-referral-urgency",
                "Referral urgency",
                "choice",
                referral.get("urgency"),
                tuple(Urgency.choices),
            ),
            Bound(f"{IA}-referral-destination", "Referred to", "text", referral.get("destination")),
            Bound(f"{IA}-referral-notes", "Referral notes", "textarea", referral.get("notes")),
        ],
        "referral_errors": errors.get(f"{IA}-referral", []),
        "errors": errors.get(IA, []),
    }


def error_label(name: str) -> str:
    """A field name as the error summary says it: `dry_needling-sites-0-muscle` ->
    "Dry needling, site 1: muscle"."""
    parts = name.split("-")
    words = []
    if parts[0] in RecordKind.values:
        words.append(RecordKind(parts[0]).label)
        parts = parts[1:]
    elif parts[0] == "body_chart":
        words.append("Body chart")
        parts = parts[1:]
    elif parts[0] == IA:
        words.append("Initial assessment")
        parts = parts[1:]
    detail = []
    for index, part in enumerate(parts):
        if part.isdigit():
            continue
        following = parts[index + 1] if index + 1 < len(parts) else ""
        label = part.replace("_", " ")
        if following.isdigit():
            label = f"{label.rstrip('s')} {int(following) + 1}"
        detail.append(label)
    text = ", ".join(words)
    if detail:
        text = f"{text}: {' '.join(detail)}" if text else " ".join(detail).capitalize()
    return text

"""Content and errors as the template draws them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sessionnotes.red_flags import SCREENS, Answer, Screen, Urgency
from sessionnotes.vocabulary import (
    RecordKind,
)

from .sections import BODY_CHART, IA, IA_TEXT, SECTIONS, SOAP, F, Rows


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

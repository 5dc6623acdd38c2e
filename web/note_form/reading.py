"""A submitted note form as the content the services take."""

from __future__ import annotations

import re

from django.http import QueryDict

from sessionnotes.red_flags import SCREENS, Answer

from .sections import BODY_CHART, IA, IA_TEXT, SECTIONS, SOAP, F, Rows


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

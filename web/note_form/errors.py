"""Where an error from the services goes on the page, and how the summary names it."""

from __future__ import annotations

import re

from sessionnotes.body_chart import Symptom, View, region_label
from sessionnotes.vocabulary import (
    RecordKind,
)

from .sections import IA

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

"""A plan's outcome scores said in plain words for the patient ("Pain down from 7 to 3: a real
improvement"), instead of the chart's clinical names (NPRS, MCID). The chart stays as a picture
of the same numbers; these sentences are what the page leads with and what a screen reader
reads."""

from __future__ import annotations

from decimal import Decimal

from plans.selectors import MeasureProgress

# What each measure is about, in the patient's words ({label}: the activity or movement).
PLAIN_NAMES = {
    "nprs": "Pain",
    "psfs": "How well you manage {label}",
    "odi": "How much your back limits daily life",
    "ndi": "How much your neck limits daily life",
    "rom": "Movement ({label})",
}


def _number(value: Decimal, code: str) -> str:
    whole = value.to_integral()
    text = f"{whole:f}" if value == whole else f"{value.normalize():f}"
    return {"odi": f"{text}%", "rom": f"{text}°"}.get(code, text)


def plain_name(progress: MeasureProgress) -> str:
    name = PLAIN_NAMES.get(progress.measure.code, progress.measure.name)
    label = progress.label or "your chosen activity"
    return name.format(label=label)


def in_words(progress: MeasureProgress) -> str:
    """One sentence: where the score started, where it is, and whether that is a real change."""
    code = progress.measure.code
    name = plain_name(progress)
    start, now = _number(progress.baseline.value, code), _number(progress.latest.value, code)
    if len(progress.points) < 2:
        return f"{name}: {start} at the start. The change shows once it is scored again."
    if progress.change == 0:
        sentence = f"{name}: still {now}, no change yet."
    else:
        direction = "up" if progress.change > 0 else "down"
        if progress.mcid_reached:
            verdict = "a real improvement"
        elif progress.improvement > 0:
            verdict = "heading the right way, not yet a big enough change to be sure"
        else:
            verdict = "worse than at the start; please tell your therapist"
        sentence = f"{name} {direction} from {start} to {now}: {verdict}."
    if progress.target_reached:
        sentence += f" You have reached your goal of {_number(progress.target, code)}."
    elif progress.target is not None:
        sentence += f" Your goal is {_number(progress.target, code)}."
    return sentence

"""The progress chart of a plan as a self-contained SVG: one line chart per outcome measure,
with the minimal clinically important difference (MCID) from the baseline drawn as a dashed
line and the goal's target, if any, as a dotted one.

Plain string building rather than a plotting library: the chart is small and fixed, and SVG
text needs no extra dependency. All text is escaped.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from .selectors import MeasureProgress

WIDTH = 720
PANEL_HEIGHT = 230
LEFT, RIGHT, TOP, BOTTOM = 56, 96, 52, 36
TICKS = 5
LINE, MCID, TARGET, GRID, TEXT, MUTED = (
    "#1f5f8b",
    "#c0392b",
    "#2e7d32",
    "#e3e7eb",
    "#1d2327",
    "#5f6b76",
)
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"


def _number(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _y_range(progress: MeasureProgress) -> tuple[Decimal, Decimal]:
    measure = progress.measure
    if measure.code != "rom":
        return measure.scale_min, measure.scale_max
    # Degrees: the full 0-360 would flatten every change, so fit the data, the MCID line and
    # the target with some room.
    values = [p.value for p in progress.points] + [progress.mcid_threshold]
    if progress.target is not None:
        values.append(progress.target)
    low = max(measure.scale_min, (min(values) - 10) // 10 * 10)
    high = min(measure.scale_max, (max(values) + 10 + 9) // 10 * 10)
    return low, high


def _panel(progress: MeasureProgress, top: int) -> list[str]:
    measure = progress.measure
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PANEL_HEIGHT - TOP - BOTTOM
    y0 = top + TOP
    low, high = _y_range(progress)
    first: date = progress.baseline.recorded_on
    span = max((progress.latest.recorded_on - first).days, 1)

    def x(day: date) -> float:
        if len(progress.points) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - first).days / span

    def y(value: Decimal) -> float:
        return y0 + plot_h * float((high - value) / (high - low))

    title = measure.name + (f" - {progress.label}" if progress.label else "")
    verdict = "MCID reached" if progress.mcid_reached else "MCID not reached yet"
    direction = "higher is better" if measure.higher_is_better else "lower is better"
    summary = (
        f"Baseline {_number(progress.baseline.value)}, latest {_number(progress.latest.value)} "
        f"(change {'+' if progress.change > 0 else ''}{_number(progress.change)}); "
        f"MCID {_number(measure.mcid)}: {verdict}; {direction}."
    )
    parts = [
        f"<text x='{LEFT}' y='{top + 20}' font-size='15' font-weight='600' fill='{TEXT}'>"
        f"{escape(title)}</text>",
        f"<text x='{LEFT}' y='{top + 38}' font-size='12' fill='{MUTED}'>{escape(summary)}</text>",
    ]
    for index in range(TICKS + 1):
        value = low + (high - low) * index / TICKS
        ty = y(value)
        parts.append(
            f"<line x1='{LEFT}' x2='{LEFT + plot_w}' y1='{ty:.1f}' y2='{ty:.1f}' stroke='{GRID}'/>"
        )
        parts.append(
            f"<text x='{LEFT - 8}' y='{ty + 4:.1f}' font-size='11' text-anchor='end' "
            f"fill='{MUTED}'>"
            f"{_number(value)}</text>"
        )
    bottom = y0 + plot_h
    parts.append(
        f"<line x1='{LEFT}' x2='{LEFT + plot_w}' y1='{bottom}' y2='{bottom}' stroke='{MUTED}'/>"
    )
    labelled: set[date] = set()
    for point in (progress.baseline, progress.latest):
        if point.recorded_on in labelled:
            continue
        labelled.add(point.recorded_on)
        parts.append(
            f"<text x='{x(point.recorded_on):.1f}' y='{bottom + 18}' font-size='11' "
            f"text-anchor='middle' fill='{MUTED}'>{point.recorded_on:%-d %b %Y}</text>"
        )

    def reference(value: Decimal, colour: str, dash: str, label: str) -> None:
        ry = y(value)
        parts.append(
            f"<line x1='{LEFT}' x2='{LEFT + plot_w}' y1='{ry:.1f}' y2='{ry:.1f}' stroke='{colour}' "
            f"stroke-width='1.5' stroke-dasharray='{dash}'/>"
        )
        parts.append(
            f"<text x='{LEFT + plot_w + 6}' y='{ry + 4:.1f}' font-size='11' fill='{colour}'>"
            f"{escape(label)} {_number(value)}</text>"
        )

    reference(progress.mcid_threshold, MCID, "6 4", "MCID")
    if progress.target is not None:
        reference(progress.target, TARGET, "2 3", "Target")
    coordinates = " ".join(f"{x(p.recorded_on):.1f},{y(p.value):.1f}" for p in progress.points)
    parts.append(
        f"<polyline points='{coordinates}' fill='none' stroke='{LINE}' stroke-width='2.5' "
        "stroke-linejoin='round' stroke-linecap='round'/>"
    )
    for point in progress.points:
        tip = f"{point.recorded_on:%-d %b %Y}: {_number(point.value)}"
        parts.append(
            f"<circle cx='{x(point.recorded_on):.1f}' cy='{y(point.value):.1f}' r='4' "
            f"fill='{LINE}'>"
            f"<title>{escape(tip)}</title></circle>"
        )
    return parts


def progress_chart_svg(progress: list[MeasureProgress], *, title: str) -> str:
    """An SVG document charting every measure of a plan (a short note when there are none)."""
    height = max(len(progress), 1) * PANEL_HEIGHT + 20
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
        f"viewBox='0 0 {WIDTH} {height}' role='img' aria-label={quoteattr(title)} {FONT}>",
        f"<title>{escape(title)}</title>",
        f"<rect width='{WIDTH}' height='{height}' fill='#ffffff'/>",
    ]
    if not progress:
        parts.append(
            f"<text x='{WIDTH / 2}' y='{PANEL_HEIGHT / 2}' font-size='14' text-anchor='middle' "
            f"fill='{MUTED}'>No outcome measures recorded yet.</text>"
        )
    for index, measure_progress in enumerate(progress):
        parts.extend(_panel(measure_progress, 10 + index * PANEL_HEIGHT))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

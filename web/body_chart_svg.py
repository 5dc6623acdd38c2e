"""The body chart's outline: a front and a back figure whose parts are the named regions of
sessionnotes.body_chart.REGIONS, drawn as SVG.

The shapes are built here from one list per view (the patient's right side is drawn once and
mirrored), so every region the notes accept has exactly one shape: tests check the two agree.
Front view: the patient's right is on the viewer's left; back view: on the viewer's right.
Marked regions are coloured by pain band (1-3 mild, 4-6 moderate, 7-10 severe, research note
§5.1); the previous note's regions get a dashed outline for comparison.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sessionnotes.body_chart import REGIONS, View

WIDTH = 160  # of one figure; the two figures sit side by side

# (code, shape, geometry) for the patient's RIGHT side as drawn on the front (viewer's left).
# rect: x, y, w, h; ellipse: cx, cy, rx, ry.
_LIMBS = (
    ("shoulder", "ellipse", (44, 76, 11, 10)),
    ("upper_arm", "rect", (30, 86, 15, 44)),
    ("elbow", "ellipse", (37, 137, 9, 8)),
    ("forearm", "rect", (27, 145, 15, 44)),
    ("hand", "ellipse", (33, 204, 10, 14)),
    ("hip", "ellipse", (50, 176, 8, 13)),
    ("thigh", "rect", (58, 194, 21, 68)),
    ("knee", "ellipse", (68, 272, 11, 10)),
    ("lower_leg", "rect", (59, 283, 18, 66)),
    ("foot", "ellipse", (66, 364, 13, 10)),
)
_FRONT_MIDLINE = (
    ("head", "ellipse", (80, 30, 18, 22)),
    ("neck", "rect", (71, 52, 18, 14)),
    ("chest", "rect", (54, 66, 52, 46)),
    ("abdomen", "rect", (57, 112, 46, 46)),
    ("groin", "rect", (60, 158, 40, 34)),
)
_BACK_MIDLINE = (
    ("head", "ellipse", (80, 30, 18, 22)),
    ("neck", "rect", (71, 52, 18, 14)),
    ("upper_back", "rect", (68, 66, 24, 40)),
    ("mid_back", "rect", (54, 106, 52, 28)),
    ("lower_back", "rect", (56, 134, 48, 26)),
    ("sacrum", "rect", (68, 160, 24, 14)),
)
# Back-only parts, patient's right drawn on the viewer's right (so given at x > 80).
_BACK_RIGHT = (
    ("shoulder_blade", "rect", (92, 66, 14, 40)),
    ("buttock", "rect", (81, 174, 24, 22)),
)


def _mirror(shape: str, geometry: tuple) -> tuple:
    if shape == "rect":
        x, y, w, h = geometry
        return (WIDTH - x - w, y, w, h)
    cx, cy, rx, ry = geometry
    return (WIDTH - cx, cy, rx, ry)


def shapes(view: str) -> dict[str, tuple[str, tuple]]:
    """{region code: (shape, geometry)} for one view."""
    found: dict[str, tuple[str, tuple]] = {}
    midline = _FRONT_MIDLINE if view == View.FRONT else _BACK_MIDLINE
    for code, shape, geometry in midline:
        found[code] = (shape, geometry)
    for code, shape, geometry in _LIMBS:
        if view == View.FRONT:
            found[f"right_{code}"] = (shape, geometry)
            found[f"left_{code}"] = (shape, _mirror(shape, geometry))
        else:
            found[f"left_{code}"] = (shape, geometry)
            found[f"right_{code}"] = (shape, _mirror(shape, geometry))
    if view == View.BACK:
        for code, shape, geometry in _BACK_RIGHT:
            found[f"right_{code}"] = (shape, geometry)
            found[f"left_{code}"] = (shape, _mirror(shape, geometry))
    return found


def _band(mark: dict) -> str:
    if mark["symptom"] == "cleared":
        return "cleared"
    nprs = mark.get("nprs")
    if nprs is None:
        return "unscored"
    return "mild" if nprs <= 3 else "moderate" if nprs <= 6 else "severe"


def _element(shape: str, geometry: tuple, attrs: str) -> str:
    if shape == "rect":
        x, y, w, h = geometry
        return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" {attrs}>'
    cx, cy, rx, ry = geometry
    return f'<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" {attrs}>'


def body_chart_svg(
    marks: list[dict], previous: list[dict] | None = None, *, chart_id: str, label: str
) -> SafeString:
    """Both figures with `marks` coloured and `previous` outlined. The figure is an image for
    assistive technology (`label` says what is marked); the page's list is the control."""
    marked = {(m["view"], m["region"]): _band(m) for m in marks}
    before = {(m["view"], m["region"]) for m in previous or []}
    parts = [
        f'<svg class="body-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH * 2 + 20} 400" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, view in enumerate(View.values):
        offset = n * (WIDTH + 20)
        parts.append(f'<g transform="translate({offset},0)" data-view="{view}">')
        parts.append(
            f'<text x="{WIDTH // 2}" y="396" text-anchor="middle" class="view-label">'
            f"{escape(View(view).label)}</text>"
        )
        for code, (shape, geometry) in shapes(view).items():
            classes = ["region"]
            if (view, code) in marked:
                classes += ["marked", f"band-{marked[view, code]}"]
            if (view, code) in before:
                classes.append("previous")
            attrs = (
                f'class="{" ".join(classes)}" data-view="{view}" data-region="{code}" '
                f'data-label="{escape(REGIONS[view][code])}"'
            )
            closing = "</rect>" if shape == "rect" else "</ellipse>"
            parts.append(
                _element(shape, geometry, attrs)
                + f"<title>{escape(REGIONS[view][code])}</title>"
                + closing
            )
        parts.append("</g>")
    parts.append("</svg>")
    # Every value in it is a number from this module or escaped text.
    return mark_safe("".join(parts))  # noqa: S308

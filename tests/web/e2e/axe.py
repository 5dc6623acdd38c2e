"""Accessibility checks in the browser tests: axe-core (npm, package.json) run inside the page.

    from tests.web.e2e.axe import assert_accessible
    assert_accessible(page, "diary-02-new-booking-dialog")

checks the page as it is now (an open dialog included) against WCAG 2.2 A/AA and best
practice, fails on any critical or serious violation, and writes every finding to
artifacts/axe/NAME.json. `shot()` (pages.py) calls it for every screenshot, so each page and
dialog a test photographs is checked too. scripts/test.sh installs axe-core with npm; without it
the check skips saying so, except under CI, where it fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "artifacts" / "axe"
BLOCKING = ("critical", "serious")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """Every axe violation on the page now (or inside the CSS selector `context`)."""
    if not AXE_JS.exists():
        message = f"axe-core is not installed at {AXE_JS} (run npm ci, as scripts/test.sh does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as an inline <script>: the site's
        # Content-Security-Policy (script-src 'self') rightly refuses inline scripts.
        page.evaluate(AXE_JS.read_text() + "\n;void 0")
    return page.evaluate(
        """([context, tags]) => axe.run(context ? document.querySelector(context) : document,
               {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
           .then(result => result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
           })))""",
        [context, TAGS],
    )


def assert_accessible(page, name: str, *, context: str | None = None) -> list[dict]:
    """No critical or serious violation; returns all violations (minor/moderate ones too)."""
    violations = axe_violations(page, context=context)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=2))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: {len(blocking)} critical/serious axe violations:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at "
        + "; ".join(node["target"] for node in v["nodes"][:5])
        for v in blocking
    )
    return violations

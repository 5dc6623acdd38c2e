"""Browser tests: Playwright's Python package driving Debian's chromium against live_server.

They skip, saying why, when /usr/bin/chromium or the playwright package is missing (.ci/run
installs chromium). Screenshots of each main page go to artifacts/screenshots/ (git-ignored).
"""

import os

import pytest
import time_machine

from tests.conftest import NOW

from .pages import DESKTOP, SCREENSHOTS

# Debian's package; CHROMIUM_PATH only exists so the skip can be tried out.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module, closed (with Playwright's event loop) after the module."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)."
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Browser tests need the playwright package (pip install -e '.[dev]').",
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread while it runs; the test's own
        # ORM calls are still plain synchronous code, so Django's async guard is lifted for
        # these modules only.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def clock():
    """The clock starts at Monday 1 March 2027 09:00 UTC and runs (sessions, check-in "today")."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def open_page(chromium, live_server, settings):
    """open_page(viewport) -> a fresh browser page on the live server (own cookies)."""
    settings.WEB_DIARY_POLL_SECONDS = 1
    contexts = []

    def make(viewport=DESKTOP):
        context = chromium.new_context(viewport=viewport, locale="en-GB", base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

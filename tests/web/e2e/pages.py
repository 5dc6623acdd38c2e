"""Helpers for the browser tests: viewports, screenshots, signing in."""

from pathlib import Path

from .axe import assert_accessible

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1440, "height": 900}  # reception's screen


def shot(page, name: str, *, full_page: bool = True, axe: bool = True) -> None:
    """Screenshot the page, then check it with axe-core (0 critical, 0 serious: see axe.py).

    Every page and dialog worth a screenshot is worth checking; pass axe=False only for a
    mid-animation frame that is checked once it settles.
    """
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
    if axe:
        assert_accessible(page, name)


# tests/factories.py gives every user this password.
FACTORY_PASSWORD = "correct-horse-battery"  # noqa: S105


def sign_in(page, username: str, password: str = FACTORY_PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

"""Helpers for the browser tests: viewports, screenshots, signing in."""

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}


def shot(page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


# tests/factories.py gives every user this password.
FACTORY_PASSWORD = "correct-horse-battery"  # noqa: S105


def sign_in(page, username: str, password: str = FACTORY_PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

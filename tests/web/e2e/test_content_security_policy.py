"""In a real browser, under the site's Content-Security-Policy: the pages and the API docs run
with no violation reported (no blocked script, style or image), and Swagger UI, served from
this site, renders the API's operations."""

import pytest

from tests.factories import PatientFactory

from .pages import DESKTOP, PHONE, sign_in

# Recorded in the page before any of its own scripts run (an init script is not subject to the
# page's policy); each entry is one blocked resource or inline use.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watched(open_page, viewport):
    page = open_page(viewport)
    page.add_init_script(WATCH)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations(page, console) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate("() => window.__cspViolations") + console


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_from_this_site_with_no_violation(open_page, clock):
    page, console = watched(open_page, DESKTOP)
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
            else None
        ),
    )
    page.goto("/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert violations(page, console) == []
    assert outside == []


@pytest.mark.django_db(transaction=True)
def test_patient_and_reception_pages_run_with_no_violation(
    open_page, clock, massage, therapist, receptionist
):
    PatientFactory(clinic=massage.clinic, first_name="Olive", last_name="Quinn")
    page, console = watched(open_page, PHONE)
    for path in ("/", "/book/derby/", f"/book/derby/{massage.pk}/", "/sign-in/", "/register/"):
        page.goto(path)
        assert violations(page, console) == [], path

    desk, desk_console = watched(open_page, DESKTOP)
    sign_in(desk, "rhea")
    desk.goto("/diary/derby/")
    desk.locator(".diary-scroll").wait_for()
    # The diary's own script runs (the new-booking dialog opens from a click on free time).
    desk.get_by_role("link", name="New booking").first.click()
    desk.locator("dialog[open]").wait_for()
    assert violations(desk, desk_console) == []


@pytest.mark.django_db(transaction=True)
def test_the_django_admin_and_the_therapist_day_run_with_no_violation(
    open_page, clock, massage, therapist
):
    from tests.factories import UserFactory

    UserFactory(username="boss", is_staff=True, is_superuser=True)
    admin, admin_console = watched(open_page, DESKTOP)
    admin.goto("/admin/login/")
    admin.get_by_label("Username").fill("boss")
    admin.get_by_label("Password").fill("correct-horse-battery")
    admin.get_by_role("button", name="Log in").click()
    admin.wait_for_url("**/admin/")
    for path in (
        "/admin/",
        "/admin/booking/booking/",
        f"/admin/booking/treatment/{massage.pk}/change/",
    ):
        admin.goto(path)
        assert violations(admin, admin_console) == [], path

    day, day_console = watched(open_page, DESKTOP)
    sign_in(day, "tess")
    day.goto("/therapist/")
    assert violations(day, day_console) == []

"""Pages answer junk in their query strings and forms with a page or a 4xx, never a 500."""

from urllib.parse import urlparse

import pytest
from django.urls import get_resolver

JUNK = {
    "date": "2027-02-30",
    "time": "25:61",
    "view": "year",
    "by": "weather",
    "therapist": "abc",
    "room": "-1",
    "treatment": "x",
    "patient": "1e9",
    "since": "soon",
    "q": "%' OR 1=1 --",
    "back": "https://elsewhere.example/",
    "next": "//elsewhere.example/",
    "week": "-99999",
}


def _page_paths(clinic, booking) -> list[str]:
    """Every web URL pattern, with its parameters filled from real objects."""
    fill = {
        "clinic": clinic.slug,
        "treatment": str(booking.treatment_id),
        "pk": str(booking.pk),
        "uid": str(booking.uid),
        "token": "not-a-real-token",
    }
    paths = []
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) != "":
            continue
        for entry in pattern.url_patterns:
            route = str(entry.pattern)
            for name, value in fill.items():
                for converter in ("slug", "int", "uuid", "str"):
                    route = route.replace(f"<{converter}:{name}>", value)
            if "<" not in route:
                paths.append("/" + route)
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "patient", "receptionist", "therapist"])
def test_no_page_answers_junk_with_a_server_error(
    who, browser_for, massage, patient, receptionist, therapist, book, frozen_now
):
    booking = book(massage, patient, "2027-03-02T10:00")
    user = {"anonymous": None, "patient": patient.user, "receptionist": receptionist}.get(
        who, therapist.user
    )
    client = browser_for(user)
    paths = _page_paths(massage.clinic, booking)
    assert len(paths) > 20
    failures = []
    for path in paths:
        for method in ("get", "post"):
            response = getattr(client, method)(path, JUNK)
            if response.status_code >= 500:
                failures.append((method, path, response.status_code))
            target = urlparse(response.get("Location", ""))
            if target.netloc:  # every redirect stays on this site
                failures.append((method, path, "redirect off site", target.geturl()))
    assert failures == []

"""The one error shape for errors that do not come from a view's own rules."""

import pytest
from django.db import OperationalError

from core.api import exception_handler


def test_a_lock_wait_timeout_anywhere_is_a_409_not_a_500():
    response = exception_handler(OperationalError("database is locked"), {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "busy"


def test_other_database_errors_stay_server_errors():
    assert exception_handler(OperationalError("disk I/O error"), {}) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/patients/-1/export/", "/api/v1/patients/x/erase/", "/api/v1/no-such-thing/"]
)
def test_an_api_url_no_view_matches_is_a_404_in_the_error_shape(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_a_page_no_view_matches_is_still_a_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

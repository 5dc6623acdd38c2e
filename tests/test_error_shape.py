"""The one error shape for errors that do not come from a view's own rules."""

from django.db import OperationalError

from core.api import exception_handler


def test_a_lock_wait_timeout_anywhere_is_a_409_not_a_500():
    response = exception_handler(OperationalError("database is locked"), {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "busy"


def test_other_database_errors_stay_server_errors():
    assert exception_handler(OperationalError("disk I/O error"), {}) is None

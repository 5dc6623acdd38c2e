"""A database that went away is a 503 with Retry-After (in the one error shape for the API, a
"back in a moment" page for the pages), on any database.

The live proof (PostgreSQL lost mid-run through gunicorn) is test_faults.py; this pins the
mapping itself, so the SQLite pass checks it too.
"""

from unittest import mock

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import RequestFactory

from core.api import exception_handler
from core.middleware import DatabaseUnavailablePage


def _wrapped(cause: Exception) -> OperationalError:
    """What Django raises: its OperationalError with the driver's error as the cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


class _Shutdown(psycopg.errors.AdminShutdown):
    pass


@pytest.mark.parametrize(
    "exc",
    [
        _wrapped(psycopg.OperationalError("connection refused")),  # no SQLSTATE: never connected
        _wrapped(psycopg.OperationalError("server closed the connection unexpectedly")),
        _wrapped(_Shutdown("terminating connection due to administrator command")),  # 57P01
        InterfaceError("connection already closed"),
    ],
    ids=["refused", "closed mid-query", "admin shutdown", "closed connection reused"],
)
def test_a_lost_database_is_a_503_with_retry_after(exc):
    response = exception_handler(exc, {})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data["error"]["code"] == "service_unavailable"


def test_a_query_the_database_refused_stays_a_server_error():
    refused = _wrapped(psycopg.errors.UndefinedTable('relation "nowhere" does not exist'))
    assert exception_handler(refused, {}) is None
    assert exception_handler(OperationalError("disk I/O error"), {}) is None


def _database_gone(*args, **kwargs):
    raise _wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))


@pytest.mark.parametrize(
    ("path", "who"),
    [("/", None), ("/book/derby/", None), ("/appointments/", "patient"), ("/diary/", "reception")],
)
def test_a_page_whose_database_is_lost_says_back_in_a_moment(
    client, clinic, patient, receptionist, path, who
):
    signed_in = {"patient": patient.user, "reception": receptionist}.get(who)
    if signed_in is not None:
        client.force_login(signed_in)
    with mock.patch.object(CursorWrapper, "execute", _database_gone):
        response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content


def test_a_page_whose_query_is_refused_is_still_a_server_error(clinic):
    refused = _wrapped(psycopg.errors.UndefinedTable('relation "nowhere" does not exist'))
    page = DatabaseUnavailablePage(lambda request: None)
    assert page.process_exception(RequestFactory().get("/"), refused) is None

"""A database that went away is a 503 with Retry-After in the one error shape, on any database.

The live proof (PostgreSQL lost mid-run through gunicorn) is test_faults.py; this pins the
mapping itself, so the SQLite pass checks it too.
"""

import psycopg
import pytest
from django.db import InterfaceError, OperationalError

from core.api import exception_handler


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

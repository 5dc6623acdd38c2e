"""A diary write that had to give way (lock timeout, a deadlock PostgreSQL broke, SQLite's busy
timeout) is a clean 409 slot_busy, "try again"; any other database error is not."""

import pytest
from django.db import OperationalError

from booking import errors
from booking.services.locking import _raise_as_conflict


class _PostgresError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _operational(sqlstate: str | None = None, text: str = "boom") -> OperationalError:
    exc = OperationalError(text)
    exc.__cause__ = _PostgresError(sqlstate) if sqlstate else None
    return exc


@pytest.mark.parametrize(
    "exc",
    [
        _operational("55P03"),  # lock_timeout
        _operational("40P01"),  # deadlock_detected: PostgreSQL rolled this one back
        _operational(text="database is locked"),  # SQLite busy timeout
    ],
)
def test_a_write_that_had_to_give_way_is_a_409_slot_busy(exc):
    with pytest.raises(errors.SlotBusy):
        _raise_as_conflict(exc)


def test_another_database_error_is_left_to_surface():
    assert _raise_as_conflict(_operational("57014")) is None  # statement timeout: not a race

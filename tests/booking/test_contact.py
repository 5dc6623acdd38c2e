"""Phone numbers are stored in E.164 (UK by default); dates of birth are in the past."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from booking.contact import check_date_of_birth, display_phone, normalise_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07911 123456", "+447911123456"),
        ("+44 (0)1332 123456", "+441332123456"),
        ("01332 123456", "+441332123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("07700 900456", "+447700900456"),  # Ofcom's range for drama: rings nobody
        ("", ""),
    ],
)
def test_numbers_are_stored_in_e164_with_the_uk_as_default(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["not a phone number !!!", "0791112345", "+44 7911 1234567"])
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(typed)
    assert refused.value.code == "invalid_phone"


def test_stored_numbers_read_back_as_people_write_them():
    assert display_phone("+447911123456") == "07911 123456"
    assert display_phone("+33612345678") == "+33 6 12 34 56 78"


def test_a_date_of_birth_in_the_future_or_beyond_a_lifetime_is_refused():
    today = date(2027, 3, 1)
    check_date_of_birth(date(1990, 5, 17), today=today)
    check_date_of_birth(today, today=today)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        check_date_of_birth(date(2027, 3, 2), today=today)
    with pytest.raises(ValidationError, match="over 125"):
        check_date_of_birth(date(1899, 1, 1), today=today)

"""Patients' phone numbers and dates of birth, checked the same way on every way in.

Phone numbers are stored in E.164 (+447700900456), so SMS reminders and reception's
tel: links get one form whatever was typed; a number without a country code is read as a
UK number (the clinics' default region).
"""

from __future__ import annotations

from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "GB"
OLDEST_AGE_YEARS = 125


def normalise_phone(value: str, *, region: str = DEFAULT_REGION) -> str:
    """ "07700 900456" -> "+447700900456"; "" stays ""; not a phone number -> ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a phone number, such as 07700 900456.", code="invalid_phone"
        ) from exc
    if not (phonenumbers.is_valid_number(parsed) or _is_drama_number(parsed)):
        raise ValidationError(
            "That is not a valid phone number; check the digits (for example 07700 900456).",
            code="invalid_phone",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# Ofcom keeps these UK ranges for drama and examples (they ring nobody), and libphonenumber
# calls them invalid; the demo clinic and the tests use them, so they are accepted too.
_DRAMA_PREFIXES = ("447700900", "441632960")


def _is_drama_number(parsed) -> bool:
    digits = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]
    return len(digits) == 12 and digits.startswith(_DRAMA_PREFIXES)


def display_phone(value: str) -> str:
    """An E.164 number as people write it ("+447700900456" -> "07700 900456" in the UK)."""
    try:
        parsed = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if parsed.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def check_date_of_birth(value: date | None, *, today: date) -> None:
    """A date of birth is in the past and within a human lifetime."""
    if value is None:
        return
    if value > today:
        raise ValidationError("A date of birth cannot be in the future.", code="future_birth")
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError(
            "Check the year of birth: that would make you over 125.", code="too_old"
        )

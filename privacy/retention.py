"""How long a patient's clinical record is kept: the UK records management code's default.

NHS England's Records Management Code of Practice (which CSP guidance tells private practice to
mirror; research note E2): an adult's record is kept 8 years after the last contact; a child's
until their 25th birthday, or their 26th if they were 17 at the last contact, or 8 years after
the last contact if that is later. One rule covers both: the later of the two dates.

"Kept until" a date means through that day; the daily purge deletes on the day after. Ages and
anniversaries of 29 February follow core.dates (1 March in a common year).
"""

from __future__ import annotations

from datetime import date

from core.dates import add_years, age_on

ADULT_YEARS = 8
CHILD_UNTIL_AGE = 25
# Someone who was 17 at their last contact is kept until their 26th birthday.
SEVENTEEN_UNTIL_AGE = 26


def retention_date(
    *, last_contact: date, date_of_birth: date | None, adult_years: int = ADULT_YEARS
) -> date:
    """The last day a patient's clinical record must be kept (see the module docstring).

    `adult_years` is the clinic's period for adults (privacy.models.ClinicRetention), 8 by
    default. Without a date of birth the patient is treated as an adult: the code's children's
    rule cannot be applied to someone whose age is unknown.
    """
    keep_until = add_years(last_contact, adult_years)
    if date_of_birth is None:
        return keep_until
    age = age_on(date_of_birth, last_contact)
    if age < 18:
        until_age = SEVENTEEN_UNTIL_AGE if age == 17 else CHILD_UNTIL_AGE
        keep_until = max(keep_until, add_years(date_of_birth, until_age))
    return keep_until

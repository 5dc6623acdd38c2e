"""The retention rule (privacy.retention): adults 8 years after the last contact; children until
their 25th birthday, or 26th if 17 at the last contact, whichever is later."""

from datetime import date

import pytest

from core.dates import add_years, age_on
from privacy.retention import retention_date


@pytest.mark.parametrize(
    ("born", "last_contact", "kept_until"),
    [
        # Adults: 8 years after the last contact, to the day.
        (date(1980, 5, 1), date(2027, 3, 1), date(2035, 3, 1)),
        (None, date(2027, 3, 1), date(2035, 3, 1)),  # age unknown: the adult rule
        # 18 at the last contact: the 25th birthday (2034-06-10) comes before 8 years.
        (date(2009, 6, 10), date(2027, 6, 10), date(2035, 6, 10)),
        # 16 at the last contact: until the 25th birthday, 9 years on (later than 8 years).
        (date(2010, 9, 1), date(2027, 3, 1), date(2035, 9, 1)),
        # 17 at the last contact: until the 26th birthday.
        (date(2009, 9, 1), date(2027, 3, 1), date(2035, 9, 1)),
        # 17 on the day before their 18th birthday: still 17, so the 26th birthday.
        (date(2009, 3, 2), date(2027, 3, 1), date(2035, 3, 2)),
        # 18 on their birthday itself: the adult rule (the 25th birthday is earlier).
        (date(2009, 3, 1), date(2027, 3, 1), date(2035, 3, 1)),
        # A small child: the 25th birthday, long after 8 years.
        (date(2022, 1, 15), date(2027, 3, 1), date(2047, 1, 15)),
        # Seen as a baby on their day of birth.
        (date(2027, 3, 1), date(2027, 3, 1), date(2052, 3, 1)),
    ],
)
def test_retention_dates(born, last_contact, kept_until):
    assert retention_date(last_contact=last_contact, date_of_birth=born) == kept_until


def test_a_child_born_on_29_february_is_kept_until_1_march_of_a_common_year():
    # 25th birthday of someone born 29 Feb 2012 falls in 2037, which has no 29 February.
    assert retention_date(last_contact=date(2020, 5, 1), date_of_birth=date(2012, 2, 29)) == date(
        2037, 3, 1
    )


def test_a_leap_day_child_is_17_until_1_march_in_a_common_year():
    born = date(2008, 2, 29)
    # On 28 Feb 2026 they are still 17 (their 18th birthday is 1 March 2026): kept to the 26th.
    assert age_on(born, date(2026, 2, 28)) == 17
    assert retention_date(last_contact=date(2026, 2, 28), date_of_birth=born) == date(2034, 3, 1)
    # From 1 March 2026 they are 18: 8 years after the contact.
    assert age_on(born, date(2026, 3, 1)) == 18
    assert retention_date(last_contact=date(2026, 3, 1), date_of_birth=born) == date(2034, 3, 1)


def test_a_last_contact_on_29_february_keeps_8_years_to_the_day_in_a_leap_year():
    assert retention_date(last_contact=date(2028, 2, 29), date_of_birth=None) == date(2036, 2, 29)


def test_eight_years_after_29_february_across_a_century_is_1_march():
    # 2100 is not a leap year.
    assert add_years(date(2092, 2, 29), 8) == date(2100, 3, 1)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 6, 15), date(2027, 6, 14), 26),
        (date(2000, 6, 15), date(2027, 6, 15), 27),
        (date(2000, 2, 29), date(2027, 2, 28), 26),
        (date(2000, 2, 29), date(2027, 3, 1), 27),
        (date(2000, 2, 29), date(2028, 2, 29), 28),
    ],
)
def test_age_on_counts_completed_years(born, on, age):
    assert age_on(born, on) == age


def test_a_clinic_with_a_shorter_adult_period_keeps_children_as_long():
    # Scotland: 6 years for adults. A 10-year-old is still kept until their 25th birthday.
    assert retention_date(last_contact=date(2027, 3, 1), date_of_birth=None, adult_years=6) == date(
        2033, 3, 1
    )
    assert retention_date(
        last_contact=date(2027, 3, 1), date_of_birth=date(2017, 1, 1), adult_years=6
    ) == date(2042, 1, 1)

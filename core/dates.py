"""Calendar arithmetic on people's dates: ages and anniversaries.

A person born on 29 February reaches each birthday on 1 March in a common year (the UK's rule
for when such a person attains an age), and a date some years after 29 February falls on
1 March when that year has no 29 February.
"""

from __future__ import annotations

from datetime import date


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return date(day.year + years, 3, 1)


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years of age on `day` (a 29 February birthday counts from 1 March)."""
    years = day.year - date_of_birth.year
    return years if add_years(date_of_birth, years) <= day else years - 1

"""Working days in Norway: Monday to Friday, except the public holidays (helligdager)."""

from __future__ import annotations

import datetime
from functools import cache


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return datetime.date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[datetime.date]:
    """Norway's public holidays (lov om 1. og 17. mai som høgtidsdager; helligdagsloven)."""
    easter = easter_sunday(year)
    moved = [-3, -2, 0, 1, 39, 49, 50]  # Maundy Thu, Good Fri, Easter, Ascension, Whitsun
    fixed = [(1, 1), (5, 1), (5, 17), (12, 25), (12, 26)]
    return frozenset(
        [easter + datetime.timedelta(days=offset) for offset in moved]
        + [datetime.date(year, month, day) for month, day in fixed]
    )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The day ``days`` working days after ``start`` (``start`` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day

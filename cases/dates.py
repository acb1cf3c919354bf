"""Plausible dates: how far from today a date staff enter may lie, and day arithmetic that stays
inside the calendar.

A date field takes anything from 1 January year 1 to 31 December 9999, and the browser's date
picker offers both ends. Such a date is a slip (a wrong year, an arrow key held down), never a
plan, and it does harm: an activity deadline in 1900 mails the manager an escalation at once,
one in 9999 has reminder stages past the end of the calendar. So the services refuse a date
outside its window around today (in Europe/Oslo), with an error on the field; being the one
place every write passes, the API and the pages refuse alike.

Code that works on dates already stored (the deadline ledger, the deadline rules) moves days
with ``shift``, which answers None for a day past either end of the calendar instead of
raising: whatever is stored, the ledger never crashes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError


@dataclass(frozen=True)
class Window:
    """How many days before and after today a kind of date may lie (both ends included)."""

    past_days: int
    future_days: int

    def bounds(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The earliest and the latest day allowed when it is ``today``."""
        earliest = shift(today, -self.past_days) or datetime.date.min
        latest = shift(today, self.future_days) or datetime.date.max
        return earliest, latest


# Five years ahead (with one leap day): nothing staff plan with a youth (an activity, a measure,
# a review, a plan period) is set further out; the youth guarantee's own horizons are weeks and
# months.
FUTURE_DAYS = 5 * 365 + 1

# Dates that become deadlines with reminders: an activity's frist, a measure's end, a plan's next
# review. One recorded late (catching up after a holiday or a sick leave) lies some weeks back; a
# quarter allows for that. Further back it is a slip, and its escalation would go out at once.
DEADLINE = Window(past_days=92, future_days=FUTURE_DAYS)

# When something began or ended: an activity's from and to dates, a plan's or a measure's period,
# the day a review was held, the period a compliance report covers. Work recorded after the fact
# may go back years (a job held since upper secondary), but youths are followed from 16 to 30:
# more than ten years back is a slip.
PERIOD = Window(past_days=10 * 365 + 3, future_days=FUTURE_DAYS)

# What has already happened when it is recorded: the date of a decision (a §14a decision, a child
# coordinator's), the day a follow-up period began. Not after today; registered late it may go
# back years, as far as a period may.
HAPPENED = Window(past_days=PERIOD.past_days, future_days=0)

# A consent's start: a signed form registered late, or a consent that takes effect later (from
# the next school year), within a year either way.
CONSENT_START = Window(past_days=366, future_days=366)

# A consent's end, when one is given (without one it lasts until withdrawn). The youth grows up
# and the services around them change, so a consent with an end is asked again within three
# years at most; the ledger reminds before it lapses. Its start bounds it from below.
CONSENT_END = Window(past_days=CONSENT_START.past_days, future_days=3 * 365 + 1)


def shift(day: datetime.date, days: int) -> datetime.date | None:
    """``day`` moved by ``days`` days; None when that is outside the calendar (before 1 January
    of year 1 or after 31 December 9999): such a day does not exist."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return None


def local_day(moment: datetime.datetime) -> datetime.date:
    """The calendar day in Europe/Oslo of an instant (deadlines are days in Oslo). An instant
    whose Oslo day is past the calendar's end (the last hour of 9999 in UTC) has its last day."""
    try:
        return timezone.localtime(moment).date()
    except OverflowError:
        return datetime.date.max if moment.year == datetime.MAXYEAR else datetime.date.min


def _day(value: datetime.date) -> datetime.date:
    """The calendar day of a date, or of a moment (in Europe/Oslo when it is aware)."""
    if not isinstance(value, datetime.datetime):
        return value
    return local_day(value) if timezone.is_aware(value) else value.date()


def window_error(
    value: datetime.date, window: Window, *, today: datetime.date | None = None
) -> Any:
    """Why ``value`` lies outside ``window`` around ``today``; None when it is inside."""
    earliest, latest = window.bounds(today or timezone.localdate())
    day = _day(value)
    if day < earliest:
        return _("Datoen er for langt tilbake i tid. Tidligste dato er %(date)s.") % {
            "date": date_format(earliest, "SHORT_DATE_FORMAT")
        }
    if day > latest:
        return _("Datoen er for langt fram i tid. Seneste dato er %(date)s.") % {
            "date": date_format(latest, "SHORT_DATE_FORMAT")
        }
    return None


def _error(
    value: datetime.date, window: Window, today: datetime.date, born: datetime.date | None
) -> Any:
    """Why ``value`` is refused: outside ``window``, or before the youth was ``born``."""
    message = window_error(value, window, today=today)
    if message is None and born is not None and _day(value) < born:
        message = _("Datoen kan ikke være før ungdommen ble født.")
    return message


def check_date_windows(
    values: Mapping[str, datetime.date | None],
    windows: Mapping[str, Window],
    *,
    today: datetime.date | None = None,
    born: datetime.date | None = None,
) -> None:
    """Refuse the dates in ``values`` that lie outside their field's window around ``today``
    (today in Europe/Oslo unless given), or, given the youth's birth date ``born``, before the
    youth was born: one error naming every such field. Empty values and fields without a window
    pass."""
    today = today or timezone.localdate()
    fields = {
        name: message
        for name, value in values.items()
        if value is not None
        and name in windows
        and (message := _error(value, windows[name], today, born)) is not None
    }
    if fields:
        raise ApplicationError(next(iter(fields.values())), code="date_out_of_range", fields=fields)

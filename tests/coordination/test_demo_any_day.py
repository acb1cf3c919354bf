"""The default demo seeds on any day: its choices follow the rules the services apply.

Seeded whole (300 youths, as ``./scripts/run`` does) at dates spread over a year: a late-November
day it once failed on, the year's end, a leap day, and the instants summer time starts and ends in
Europe/Oslo. The demo's first youths turn 16 and 18 on the day it is made, so every date also
covers those birthdays. The late-November demo is the one tests/test_backup_restore.py dumps and
restores (seeding is the slow part, so it is seeded once for both).
"""

from __future__ import annotations

import datetime
import io
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from cases import demo
from cases.models import PortalAccount, Youth
from consent import ages
from coordination.models import Plan

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.UTC

INSTANTS = {
    "late-november": datetime.datetime(2026, 11, 29, 12, 0, tzinfo=OSLO),
    "year-end": datetime.datetime(2026, 12, 31, 23, 30, tzinfo=OSLO),
    # 02:00 CET becomes 03:00 CEST on 28 March 2027; 03:00 CEST becomes 02:00 CET on 31 October.
    "summer-time-starts": datetime.datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
    "summer-time-ends": datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
    "leap-day": datetime.datetime(2028, 2, 29, 12, 0, tzinfo=OSLO),
}


# Seeded, dumped and restored by tests/test_backup_restore.py, which asserts the same.
DUMPED = "late-november"


def seed_demo_on(moment: datetime.datetime) -> str:
    """Seed the default demo with the clock stopped at ``moment``; returns what it printed."""
    out = io.StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize(
    "moment",
    [moment for name, moment in INSTANTS.items() if name != DUMPED],
    ids=[name for name in INSTANTS if name != DUMPED],
)
def test_the_default_demo_seeds_on_any_day(db: Any, moment: datetime.datetime) -> None:
    output = seed_demo_on(moment)
    assert_the_demo_follows_the_rules(moment.astimezone(OSLO).date(), output)


def assert_the_demo_follows_the_rules(today: datetime.date, output: str) -> None:
    """The default demo made on ``today`` (what seed_demo printed: ``output``)."""
    assert Youth.objects.count() >= 295  # 300 draws; a synthetic number drawn twice is skipped
    years = sorted(ages.age_on(y.birth_date, today) for y in Youth.objects.all())
    # One child of 13, heard with the guardians' consent; the rest 15 to 29.
    assert years[0] == demo.CHILD_AGE and years[1] >= 15 and years[-1] <= 29
    # The youths at the ages where the rules change hands, on their birthday.
    for age in demo.MILESTONE_AGES:
        born = ages.latest_birth_date(today, age)
        assert Youth.objects.filter(birth_date=born).exists()
        assert ages.age_on(born, today) == age
        if (born.month, born.day) == (today.month, today.day):
            assert ages.birthday(born, age) == today
    assert Plan.objects.exists()
    assert set(PortalAccount.objects.values_list("user__username", flat=True)) == {
        "ungdom.demo",
        "foresatt.demo",
    }
    assert "ungdom.demo" in output

"""Who may consent and from which age, per domain.md §7: pure functions, the law's numbers named."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings

from consent.categories import Category
from consent.models import Giver

# From 18 the youth alone consents to everything.
AGE_OF_MAJORITY = 18
# Pasient- og brukerrettighetsloven § 4-3: in health matters the youth consents alone from 16.
HEALTH_CONSENT_AGE = 16
# Barnelova § 31: the child is heard from 7 (the view is recorded with a guardians' consent), and
# from 12 the child's view carries great weight (a guardians' consent needs it recorded).
CHILD_HEARD_AGE = 7
CHILD_VIEW_REQUIRED_AGE = 12
# Pasient- og brukerrettighetsloven § 3-4 second paragraph: between 12 and 16 the youth may object
# to the guardians being told about their health; from 16 the guardians are not told anyway.
HEALTH_OBJECTION_AGE = 12


def sharing_consent_age(municipality_number: str | None = None) -> int:
    """The age from which the youth consents to cross-sector sharing: 15 or 16, per municipality."""
    by_municipality: dict[str, int] = settings.CONSENT_SUBJECT_AGE_BY_MUNICIPALITY
    if municipality_number and municipality_number in by_municipality:
        return by_municipality[municipality_number]
    return int(settings.CONSENT_SUBJECT_AGE)


def consent_age(category: str, municipality_number: str | None = None) -> int:
    """From this age the youth gives consent for the category; before it, the guardians do."""
    if category == Category.HEALTH:
        return HEALTH_CONSENT_AGE
    return sharing_consent_age(municipality_number)


def giver_for(
    categories: Iterable[str],
    birth_date: datetime.date,
    on: datetime.date,
    municipality_number: str | None = None,
) -> str | None:
    """Who consents for these categories on ``on``: the youth (``Giver.SUBJECT``) or the
    guardians with parental responsibility (``Giver.GUARDIANS``). None where the categories
    split between them (a 15-year-old in a municipality with sharing age 15 consents to
    education alone, but the guardians still consent to health until 16): such a consent is
    two consents, one per giver."""
    age = age_on(birth_date, on)
    givers = {
        Giver.SUBJECT if age >= consent_age(category, municipality_number) else Giver.GUARDIANS
        for category in categories
    }
    return givers.pop() if len(givers) == 1 else None


def birthday(birth_date: datetime.date, years: int) -> datetime.date:
    """The day someone turns ``years``; 29 February birthdays fall on 1 March in other years."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return datetime.date(birth_date.year + years, 3, 1)


def latest_birth_date(day: datetime.date, years: int) -> datetime.date:
    """The last birth date of someone who is ``years`` old on ``day`` (on 29 February in a
    year whose ``years``-earlier year has none, that is 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return datetime.date(day.year - years, 2, 28)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def guardians_competent_until(
    birth_date: datetime.date, category: str, municipality_number: str | None = None
) -> datetime.date:
    """The day a guardian-given consent for the category stops counting: the birthday from
    which the youth consents alone for it (``consent_age``: the municipality's sharing age,
    15 or 16; 16 for health, pasient- og brukerrettighetsloven § 4-3). From that day only the
    youth's own consent covers the category."""
    return birthday(birth_date, consent_age(category, municipality_number))


def takes_over(
    birth_date: datetime.date,
    on: datetime.date,
    municipality_number: str | None = None,
    categories: Iterable[str] = Category.values,
) -> dict[datetime.date, list[str]]:
    """The days from ``on`` on which the youth starts to consent alone, each with the
    categories the youth takes over that day (empty once the youth decides for all)."""
    days: dict[datetime.date, list[str]] = {}
    for category in categories:
        day = guardians_competent_until(birth_date, category, municipality_number)
        if day > on:
            days.setdefault(day, []).append(category)
    return dict(sorted(days.items()))


def child_view_required(birth_date: datetime.date, on: datetime.date) -> bool:
    """Whether a guardians' consent given on ``on`` needs the child's view recorded (from the
    12th birthday, barnelova § 31)."""
    return age_on(birth_date, on) >= CHILD_VIEW_REQUIRED_AGE


def child_view_asked(birth_date: datetime.date, on: datetime.date) -> bool:
    """Whether the child is asked for a view (from the 7th birthday, barnelova § 31)."""
    return age_on(birth_date, on) >= CHILD_HEARD_AGE


def may_object_to_guardians_on_health(birth_date: datetime.date, on: datetime.date) -> bool:
    """Whether the youth's objection to guardians being told about their health applies on
    ``on``: from 12 to the 16th birthday (pasient- og brukerrettighetsloven § 3-4 second
    paragraph); from 16 the guardians are not told anyway (§ 4-3)."""
    return HEALTH_OBJECTION_AGE <= age_on(birth_date, on) < HEALTH_CONSENT_AGE

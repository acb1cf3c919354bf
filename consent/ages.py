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


def guardians_competent_until(birth_date: datetime.date, category: str) -> datetime.date:
    """The day a guardian-given consent for the category stops counting.

    At 18 the youth takes over everything; in health matters already at 16. (A guardian consent
    given before the municipality's sharing age keeps counting until 18: the youth is asked again
    then.)
    """
    years = HEALTH_CONSENT_AGE if category == Category.HEALTH else AGE_OF_MAJORITY
    return birthday(birth_date, years)

"""Who consents (domain.md §7), at several dates: birthdays, 29 February, municipal ages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from consent import ages
from consent.categories import Category
from consent.models import Giver

D = datetime.date.fromisoformat
EDUCATION, HEALTH = Category.EDUCATION, Category.HEALTH


@pytest.mark.parametrize(
    ("birth_date", "day", "age"),
    [
        ("2010-06-15", "2025-06-14", 14),
        ("2010-06-15", "2025-06-15", 15),
        ("2010-06-15", "2025-12-31", 15),
        ("2008-02-29", "2023-02-28", 14),  # no 29 February in 2023: the birthday is 1 March
        ("2008-02-29", "2023-03-01", 15),
        ("2008-02-29", "2024-02-28", 15),
        ("2008-02-29", "2024-02-29", 16),
    ],
)
def test_age_counts_whole_years_with_a_leap_day_birthday_on_1_march(
    birth_date: str, day: str, age: int
) -> None:
    assert ages.age_on(D(birth_date), D(day)) == age


@pytest.mark.parametrize(
    ("day", "giver"),
    [("2025-06-14", Giver.GUARDIANS), ("2025-06-15", Giver.SUBJECT)],
)
def test_the_youth_consents_to_sharing_from_the_15th_birthday(day: str, giver: str) -> None:
    assert ages.giver_for([EDUCATION], D("2010-06-15"), D(day)) == giver


@pytest.mark.parametrize(
    ("day", "giver"),
    [("2026-06-14", Giver.GUARDIANS), ("2026-06-15", Giver.SUBJECT)],
)
def test_the_youth_consents_to_health_from_the_16th_birthday(day: str, giver: str) -> None:
    assert ages.giver_for([HEALTH], D("2010-06-15"), D(day)) == giver


def test_at_15_a_consent_to_health_and_education_splits_between_youth_and_guardians() -> None:
    birth = D("2010-06-15")

    assert ages.giver_for([EDUCATION, HEALTH], birth, D("2025-06-14")) == Giver.GUARDIANS
    assert ages.giver_for([EDUCATION, HEALTH], birth, D("2025-06-15")) is None
    assert ages.giver_for([EDUCATION, HEALTH], birth, D("2026-06-15")) == Giver.SUBJECT


@pytest.mark.parametrize(
    ("day", "category", "giver"),
    [
        ("2023-02-28", EDUCATION, Giver.GUARDIANS),
        ("2023-03-01", EDUCATION, Giver.SUBJECT),
        ("2024-02-28", HEALTH, Giver.GUARDIANS),
        ("2024-02-29", HEALTH, Giver.SUBJECT),
    ],
)
def test_a_youth_born_on_29_february_takes_over_on_the_right_day(
    day: str, category: str, giver: str
) -> None:
    assert ages.giver_for([category], D("2008-02-29"), D(day)) == giver


def test_a_municipality_may_set_the_sharing_age_to_16(settings: Any) -> None:
    settings.CONSENT_SUBJECT_AGE_BY_MUNICIPALITY = {"4001": 16}
    birth, fifteenth = D("2010-06-15"), D("2025-06-15")

    assert ages.sharing_consent_age("4001") == 16
    assert ages.sharing_consent_age("4003") == 15
    assert ages.giver_for([EDUCATION], birth, fifteenth, "4001") == Giver.GUARDIANS
    assert ages.giver_for([EDUCATION], birth, fifteenth, "4003") == Giver.SUBJECT
    assert ages.giver_for([EDUCATION], birth, D("2026-06-15"), "4001") == Giver.SUBJECT


def test_the_default_sharing_age_comes_from_settings_and_health_stays_at_16(
    settings: Any,
) -> None:
    settings.CONSENT_SUBJECT_AGE = 16

    assert ages.consent_age(EDUCATION) == 16
    assert ages.consent_age(HEALTH) == 16
    settings.CONSENT_SUBJECT_AGE = 15
    assert ages.consent_age(EDUCATION, "4003") == 15
    assert ages.consent_age(HEALTH, "4003") == 16


@pytest.mark.parametrize(
    ("birth_date", "years", "birthday"),
    [
        ("2010-06-15", 16, "2026-06-15"),
        ("2008-02-29", 16, "2024-02-29"),
        ("2008-02-29", 15, "2023-03-01"),
        ("2008-02-29", 18, "2026-03-01"),
    ],
)
def test_a_29_february_birthday_falls_on_1_march_in_other_years(
    birth_date: str, years: int, birthday: str
) -> None:
    assert ages.birthday(D(birth_date), years) == D(birthday)


@pytest.mark.parametrize(
    ("day", "years", "latest"),
    [
        ("2025-06-15", 15, "2010-06-15"),
        ("2025-03-01", 18, "2007-03-01"),
        ("2024-02-29", 16, "2008-02-29"),  # 2008 has a 29 February
        ("2024-02-29", 18, "2006-02-28"),  # 2006 has none
        ("2023-02-28", 15, "2008-02-28"),  # one born 29 February 2008 is still 14
        ("2025-12-31", 30, "1995-12-31"),
    ],
)
def test_the_latest_birth_date_is_the_last_day_someone_that_old_was_born(
    day: str, years: int, latest: str
) -> None:
    found = ages.latest_birth_date(D(day), years)

    assert found == D(latest)
    assert ages.age_on(found, D(day)) == years
    assert ages.age_on(found + datetime.timedelta(days=1), D(day)) == years - 1


@pytest.mark.parametrize(
    ("birth_date", "category", "until"),
    [
        ("2010-06-15", HEALTH, "2026-06-15"),
        ("2010-06-15", EDUCATION, "2025-06-15"),
        ("2010-06-15", Category.CHILD_WELFARE, "2025-06-15"),
        ("2008-02-29", HEALTH, "2024-02-29"),
        ("2008-02-29", EDUCATION, "2023-03-01"),
    ],
)
def test_a_guardians_consent_counts_until_the_sharing_age_or_16_for_health(
    birth_date: str, category: str, until: str
) -> None:
    assert ages.guardians_competent_until(D(birth_date), category) == D(until)

"""The ages a youth may have when registered (``cases.models.registry.YOUTH_MAX_AGE``): from
birth to 30 on the day of registration, tested on birthdays, leap days and around midnight."""

from __future__ import annotations

import datetime
import random
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import demo, identity, services
from cases.models import Youth, national_id_matches
from cases.models.registry import YOUTH_MAX_AGE, check_youth_birth_date
from tests import factories

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
YOUTHS = "/api/v1/youths/"
D = datetime.date.fromisoformat


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An instant in Europe/Oslo."""
    return datetime.datetime.combine(D(day), datetime.time(hour, minute), tzinfo=OSLO)


def number_2032(birth: datetime.date, individual: int = 999) -> str:
    """A number valid only under the 2032 rule (k1 remainder 1-3): its century cannot be read."""
    stem = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}"
    for candidate in range(individual, 0, -1):
        for remainder in (1, 2, 3):
            number = identity.with_check_digits(
                f"{stem}{candidate:03d}", k1_remainder_target=remainder
            )
            if number is not None:
                assert identity.parse(number).birth_date is None
                return number
    raise AssertionError("no 2032-rule number")


def classic_number(birth: datetime.date) -> str:
    """An ordinary (not synthetic) fødselsnummer for a birth date in 1900-1999."""
    stem = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}"
    for individual in range(100, 500):
        number = identity.with_check_digits(f"{stem}{individual:03d}")
        if number is not None:
            assert identity.parse(number).birth_date == birth
            return number
    raise AssertionError("no number")


def _register(people: Any, birth: str, on: str, hour: int = 12) -> Youth:
    with time_machine.travel(at(on, hour), tick=False):
        return factories.register_youth(people.nav_advisor, people.nav, birth_date=D(birth))


@pytest.mark.parametrize(
    ("birth", "on", "accepted"),
    [
        ("1997-01-01", "2027-01-01", True),  # the 30th birthday
        ("1997-01-01", "2027-12-31", True),  # the last day aged 30
        ("1997-01-01", "2028-01-01", False),  # the 31st birthday
        ("1996-02-29", "2027-02-28", True),  # born on a leap day: 31 only from 1 March
        ("1996-02-29", "2027-03-01", False),
        ("1997-02-28", "2028-02-29", False),  # registered on a leap day
        ("1997-03-01", "2028-02-29", True),
        ("2028-02-29", "2028-02-29", True),  # born today
    ],
)
def test_the_age_on_the_day_of_registration_decides(
    people: Any, birth: str, on: str, accepted: bool
) -> None:
    if accepted:
        assert _register(people, birth, on).birth_date == D(birth)
        return
    with pytest.raises(ValidationError) as excinfo:
        _register(people, birth, on)
    # The date came from the number: the number is what is wrong.
    [error] = excinfo.value.error_dict["national_id"]
    assert error.code == "too_old"
    assert not Youth.objects.filter(birth_date=D(birth)).exists()


def test_the_day_is_the_day_in_oslo(people: Any) -> None:
    """At 00:30 in Oslo on the 31st birthday it is still the day before in UTC."""
    with pytest.raises(ValidationError):
        _register(people, "1997-06-15", "2028-06-15", hour=0)
    assert _register(people, "1997-06-16", "2028-06-15", hour=23).birth_date == D("1997-06-16")


def test_a_number_for_1907_is_refused_with_a_field_error(people: Any, client_for: Any) -> None:
    number = classic_number(datetime.date(1907, 4, 2))
    body = {
        "national_id": number,
        "first_name": "Gammel",
        "last_name": "Feil",
        "municipality_number": "4003",
        "service": str(people.nav.pk),
        "reason": "Arbeidssøker",
    }
    nb = client_for(people.nav_advisor).post(YOUTHS, body, format="json")
    assert nb.status_code == 400
    [error] = nb.json()["error"]["fields"]["national_id"]
    assert error["code"] == "too_old"
    assert error["message"] == (
        f"Fødselsdatoen gir en alder over {YOUTH_MAX_AGE} år ved registrering. Samordna er for "
        f"ungdom til og med {YOUTH_MAX_AGE} år."
    )
    en = client_for(people.nav_advisor, "en").post(YOUTHS, body, format="json")
    assert en.json()["error"]["fields"]["national_id"][0]["message"].startswith(
        f"The birth date gives an age over {YOUTH_MAX_AGE} at registration."
    )
    assert not Youth.objects.filter(national_id_matches(number)).exists()


@pytest.mark.parametrize(
    ("birth", "status", "code"),
    [
        ("1905-10-30", 400, "too_old"),  # DDMMYY agrees, the century is implausible
        ("2005-10-30", 201, None),
        ("1995-10-30", 400, "too_old"),  # 31 on the day
    ],
)
def test_a_2032_rule_number_takes_the_given_birth_date_only_in_range(
    people: Any, client_for: Any, birth: str, status: int, code: str | None
) -> None:
    number = number_2032(D(birth))
    body = {
        "national_id": number,
        "birth_date": birth,
        "first_name": "Ny",
        "last_name": "Regel",
        "municipality_number": "4003",
        "service": str(people.nav.pk),
        "reason": "Arbeidssøker",
    }
    with time_machine.travel(at("2027-01-15"), tick=False):
        response = client_for(people.nav_advisor).post(YOUTHS, body, format="json")
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["error"]["fields"]["birth_date"][0]["code"] == code
        assert not Youth.objects.filter(national_id_matches(number)).exists()
    else:
        assert response.json()["birth_date"] == birth


def test_a_2032_rule_number_with_a_birth_date_in_the_future_is_refused(people: Any) -> None:
    born = D("2027-07-01")
    number = number_2032(born)

    def register() -> Youth:
        youth, _period, _created = services.youth_register(
            actor=people.nav_advisor,
            service=people.nav,
            national_id=number,
            birth_date=born,
            first_name="Ny",
            last_name="Født",
            municipality_number="4003",
            reason="Barnekoordinator",
        )
        return youth

    with time_machine.travel(at("2027-06-30", 23, 30), tick=False):
        with pytest.raises(ValidationError) as excinfo:
            register()
        assert excinfo.value.error_dict["birth_date"][0].code == "future"
    with time_machine.travel(at("2027-07-01", 0, 30), tick=False):  # 30 June in UTC
        assert register().birth_date == born


def test_an_update_years_later_is_judged_on_the_day_of_registration(people: Any) -> None:
    youth = _register(people, "1997-01-01", "2027-01-01")  # 30 that day
    with time_machine.travel(at("2029-05-01"), tick=False):
        updated = services.youth_update(
            actor=people.nav_advisor, youth=youth, version=youth.version, phone="41234567"
        )
    assert updated.phone == "41234567"


def test_the_model_refuses_an_implausible_birth_date_too(people: Any) -> None:
    youth = Youth.objects.get(pk=people.youth.pk)
    youth.birth_date = datetime.date(1907, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        youth.full_clean()
    assert excinfo.value.error_dict["birth_date"][0].code == "too_old"
    youth.birth_date = youth.registered_on + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        youth.full_clean()
    assert excinfo.value.error_dict["birth_date"][0].code == "future"


@pytest.mark.parametrize("today", ["2027-01-01", "2027-12-31", "2028-02-29", "2028-03-01"])
def test_the_demo_and_the_factories_make_youths_in_range(today: str) -> None:
    day = D(today)
    rng = random.Random(today)
    for min_age, max_age in ((16, 21), (17, 29)):  # the demo's OT and NAV youths
        for _ in range(2000):
            check_youth_birth_date(demo._birth_date(rng, day, min_age, max_age), day)
    with time_machine.travel(at(today), tick=False):
        for years in (14, 15, 19, 20):  # the ages the tests ask the factories for
            for days in (40, 340):
                check_youth_birth_date(factories.years_ago(years, days=days), day)

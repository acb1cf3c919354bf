"""Plausible dates: the windows around today (in Europe/Oslo) at month ends, a leap day, the
summer-time changes and just after midnight, and the services that hold dates to them."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import translation

from cases import dates, services
from cases.models import Activity
from consent.models import Consent
from consent.services import Flow
from core.errors import ApplicationError
from tests import factories

D = datetime.date.fromisoformat
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(D(day), datetime.time(hour, minute), tzinfo=OSLO)


@pytest.fixture
def travel() -> Iterator[Any]:
    """travel(moment) stops the clock at ``moment`` until the test ends."""
    travellers: list[Any] = []

    def go(moment: datetime.datetime) -> None:
        for traveller in travellers:
            traveller.stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers[:] = [traveller]

    yield go
    for traveller in travellers:
        traveller.stop()


def refusal(values: dict[str, Any], windows: dict[str, dates.Window]) -> dict[str, str]:
    """The field errors ``check_date_windows`` gives (empty when it lets the dates pass)."""
    try:
        dates.check_date_windows(values, windows)
    except ApplicationError as exc:
        assert exc.code == "date_out_of_range"
        return {name: str(message) for name, message in exc.fields.items()}
    return {}


# --- The windows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "earliest", "latest"),
    [
        (at("2028-02-29"), "2027-11-29", "2033-02-28"),  # a leap day
        (at("2027-01-31", 23, 30), "2026-10-31", "2032-01-31"),  # a month end, late evening
        (at("2027-02-01", 0, 30), "2026-11-01", "2032-02-01"),  # still 31 January in UTC
        (at("2027-03-28", 3, 30), "2026-12-26", "2032-03-27"),  # summer time began at 02:00
        (at("2027-10-31", 2, 30), "2027-07-31", "2032-10-30"),  # the hour that comes twice
        (at("2026-12-31", 23, 59), "2026-09-30", "2031-12-31"),  # the year end
    ],
)
def test_a_deadline_is_taken_from_a_quarter_back_to_five_years_ahead_of_today_in_oslo(
    travel: Any, moment: datetime.datetime, earliest: str, latest: str
) -> None:
    travel(moment)
    windows = {"deadline": dates.DEADLINE}
    assert dates.DEADLINE.bounds(moment.date()) == (D(earliest), D(latest))
    for allowed in (D(earliest), moment.date(), D(latest)):
        assert refusal({"deadline": allowed}, windows) == {}
    assert set(refusal({"deadline": D(earliest) - datetime.timedelta(days=1)}, windows)) == {
        "deadline"
    }
    assert set(refusal({"deadline": D(latest) + datetime.timedelta(days=1)}, windows)) == {
        "deadline"
    }


def test_the_ends_of_the_calendar_are_refused_with_the_allowed_day_in_both_languages(
    travel: Any,
) -> None:
    travel(at("2028-02-29"))
    windows = {"deadline": dates.DEADLINE, "starts_on": dates.PERIOD}
    values = {"deadline": datetime.date.max, "starts_on": datetime.date.min}
    with translation.override("nb"):
        assert refusal(values, windows) == {
            "deadline": "Datoen er for langt fram i tid. Seneste dato er 28.02.2033.",
            "starts_on": "Datoen er for langt tilbake i tid. Tidligste dato er 28.02.2018.",
        }
    with translation.override("en"):
        assert refusal({"deadline": D("1900-01-01")}, windows) == {
            "deadline": "The date is too far in the past. The earliest date is 11/29/2027."
        }


def test_empty_dates_and_fields_without_a_window_pass(travel: Any) -> None:
    travel(at("2027-06-15"))
    assert refusal({"deadline": None, "title": D("1900-01-01")}, {"deadline": dates.DEADLINE}) == {}


def test_a_moment_is_placed_on_its_day_in_oslo_even_at_the_end_of_the_calendar(
    travel: Any,
) -> None:
    travel(at("2027-06-15"))
    windows = {"valid_until": dates.CONSENT_END}
    last = datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC)  # 10000 in Oslo
    assert set(refusal({"valid_until": last}, windows)) == {"valid_until"}
    # 23:30 UTC on the window's last day is the next day in Oslo: outside.
    latest = dates.CONSENT_END.bounds(D("2027-06-15"))[1]
    evening = datetime.datetime.combine(latest, datetime.time(23, 30), tzinfo=datetime.UTC)
    assert set(refusal({"valid_until": evening}, windows)) == {"valid_until"}
    assert refusal({"valid_until": evening - datetime.timedelta(hours=2)}, windows) == {}


def test_shift_has_no_day_past_either_end_of_the_calendar() -> None:
    assert dates.shift(D("2028-02-28"), 1) == D("2028-02-29")
    assert dates.shift(datetime.date.max, 3) is None
    assert dates.shift(datetime.date.min, -7) is None
    assert dates.shift(D("2027-01-01"), 10**12) is None  # more days than a timedelta holds


# --- Activities ----------------------------------------------------------------------------


@pytest.fixture
def plan(people: Any) -> Any:
    return services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )


def _add(people: Any, plan: Any, **values: Any) -> Activity:
    return services.activity_add(
        actor=people.nav_advisor, plan=plan, type="EGEN", title="Søke jobber", **values
    )


@pytest.mark.parametrize("deadline", ["1900-01-01", "9999-12-31", "0001-01-01"])
def test_an_implausible_activity_deadline_is_refused_on_its_field_and_nothing_is_written(
    people: Any, plan: Any, deadline: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        _add(people, plan, deadline=D(deadline))
    assert set(refused.value.fields) == {"deadline"}
    assert not Activity.objects.exists()


def test_an_activity_deadline_caught_up_on_late_is_taken_within_a_quarter(
    people: Any, plan: Any, travel: Any
) -> None:
    travel(at("2027-03-01", 9))
    assert _add(people, plan, deadline=D("2026-11-29")).deadline == D("2026-11-29")
    with pytest.raises(ApplicationError):
        _add(people, plan, deadline=D("2026-11-28"))


def test_from_and_to_dates_may_go_years_back_but_not_centuries(
    people: Any, plan: Any, travel: Any
) -> None:
    travel(at("2027-03-01", 9))
    activity = _add(people, plan, from_date=D("2019-08-15"), to_date=D("2028-06-20"))
    assert (activity.from_date, activity.to_date) == (D("2019-08-15"), D("2028-06-20"))
    with pytest.raises(ApplicationError) as refused:
        _add(people, plan, from_date=D("1919-08-15"), to_date=D("9999-12-31"))
    assert set(refused.value.fields) == {"from_date", "to_date"}


def test_an_old_activity_changes_status_but_a_new_deadline_is_held_to_the_window(
    people: Any, plan: Any, travel: Any
) -> None:
    travel(at("2027-01-04", 9))
    activity = _add(people, plan, deadline=D("2027-01-20"), from_date=D("2027-01-04"))
    travel(at("2028-02-29", 9))  # more than a year later: the stored dates are old now
    activity = services.activity_change(
        actor=people.nav_advisor,
        activity=activity,
        version=activity.version,
        values={"status": "GJENNOMFORES", "deadline": D("2027-01-20")},
    )
    assert activity.status == "GJENNOMFORES"
    with pytest.raises(ApplicationError) as refused:
        services.activity_change(
            actor=people.nav_advisor,
            activity=activity,
            version=activity.version,
            values={"deadline": D("9999-12-31")},
        )
    assert set(refused.value.fields) == {"deadline"}
    activity.refresh_from_db()
    assert activity.deadline == D("2027-01-20")


# --- Consents ------------------------------------------------------------------------------


def _consent(people: Any, **fields: Any) -> Consent:
    flow = Flow(categories=["WORK_AND_WELFARE"], from_party=people.nav, to_party=people.ot)
    return factories.give_consent(people, flow, **fields)  # type: ignore[no-any-return]


def test_a_consent_ends_at_most_three_years_ahead(people: Any, travel: Any) -> None:
    travel(at("2028-02-29", 10))
    last = datetime.datetime(2031, 3, 1, 23, 59, 59, tzinfo=OSLO)  # 2028-02-29 + 1096 days
    assert _consent(people, valid_until=last).valid_until == last
    for too_far in (
        last + datetime.timedelta(days=1),
        datetime.datetime(9999, 12, 31, 12, tzinfo=OSLO),
    ):
        with pytest.raises(ApplicationError) as refused:
            _consent(people, valid_until=too_far)
        assert set(refused.value.fields) == {"valid_until"}
    assert Consent.objects.count() == 1


def test_a_consent_starts_within_a_year_of_today(people: Any, travel: Any) -> None:
    travel(at("2027-03-28", 3, 30))
    signed = datetime.datetime(2026, 3, 27, 9, tzinfo=OSLO)  # a form registered late
    assert _consent(people, valid_from=signed).valid_from == signed
    with pytest.raises(ApplicationError) as refused:
        _consent(
            people,
            valid_from=datetime.datetime(1900, 1, 1, tzinfo=OSLO),
            valid_until=datetime.datetime(1900, 6, 30, tzinfo=OSLO),
        )
    assert set(refused.value.fields) == {"valid_from", "valid_until"}
    assert Consent.objects.count() == 1

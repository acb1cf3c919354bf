"""Input at the calendar's edges and links as URIs: a report's period, a hand-made timeline
cursor, how far back a decision or a follow-up may be dated, the seeded source links."""

from __future__ import annotations

import base64
import datetime
import importlib
import re
import urllib.parse
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import Client

from cases import dates, legal_bases, services, timeline
from cases.models import FollowUpPeriod, NavDecision, Youth
from consent.models import LegalBasis
from coordination.deadlines import seeded
from coordination.models import ChildCoordinator
from coordination.plans import services as plan_services
from core.errors import ApplicationError
from tests import factories

D = datetime.date.fromisoformat
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
TODAY = D("2027-03-01")
EARLIEST = D("2017-02-28")  # ten years (and three leap days) before TODAY
REPORT = "/api/v1/reports/youth-guarantee/"


@pytest.fixture
def today() -> Iterator[datetime.date]:
    """The clock stopped at noon in Oslo on TODAY."""
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=OSLO), tick=False):
        yield TODAY


def _field_error(response: Any, field: str) -> dict[str, str]:
    assert response.status_code == 400, response.content
    [error] = response.json()["error"]["fields"][field]
    return error


# --- The compliance report's period ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"end": "0001-01-01"}, "end", "Datoen er for langt tilbake i tid."),
        ({"start": "0001-01-01"}, "start", "Datoen er for langt tilbake i tid."),
        ({"end": "9999-12-31"}, "end", "Datoen er for langt fram i tid."),
        ({"start": "2017-02-27", "end": "2027-03-01"}, "start", "Datoen er for langt tilbake"),
        ({"start": "2027-01-01", "end": "2032-03-01"}, "end", "Datoen er for langt fram i tid."),
    ],
)
def test_a_report_period_outside_the_window_is_a_400_on_the_field(
    today: datetime.date,
    people: Any,
    client_for: Any,
    query: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = client_for(people.manager).get(REPORT, {"service": str(people.nav.pk), **query})
    error = _field_error(response, field)
    assert error["code"] == "date_out_of_range"
    assert error["message"].startswith(message)
    assert response.json()["error"]["code"] == "invalid"


def test_the_report_period_refusal_is_in_english_on_request(
    today: datetime.date, people: Any, client_for: Any
) -> None:
    response = client_for(people.manager, "en").get(
        REPORT, {"service": str(people.nav.pk), "end": "0001-01-01"}
    )
    assert _field_error(response, "end")["message"].startswith("The date is too far in the past.")


def test_a_report_period_at_the_window_ends_is_served(
    today: datetime.date, people: Any, client_for: Any
) -> None:
    api = client_for(people.manager)
    for query in ({"start": "2017-02-28", "end": "2032-02-29"}, {"end": "2017-02-28"}, {}):
        response = api.get(REPORT, {"service": str(people.nav.pk), **query})
        assert response.status_code == 200, (query, response.content)
    assert response.json()["start"] == "2026-03-01"  # a year back by default


# --- A hand-made timeline cursor --------------------------------------------------------------

PK = "5f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5"  # fixed: xdist workers must collect the same ids
CALENDAR_ENDS = [
    f"9999-12-31|9999-12-31T12:00:00+00:00|{PK}",
    f"0001-01-01|0001-01-01T12:00:00+00:00|{PK}",
    f"9999-12-31|2027-01-05T12:00:00+00:00|{PK}",
    f"0001-01-01|2027-01-05T12:00:00+00:00|{PK}",
    f"2027-01-05|9999-12-31T23:59:59-05:00|{PK}",  # after 9999 in UTC
    f"2027-01-05|0001-01-01T00:00:00+05:00|{PK}",  # before year 1 in UTC
]


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize("raw", CALENDAR_ENDS)
def test_a_cursor_at_the_calendars_ends_is_refused_like_other_forged_cursors(raw: str) -> None:
    with pytest.raises(timeline.InvalidCursor):
        timeline.decode_cursor(_cursor(raw))


@pytest.mark.parametrize("raw", CALENDAR_ENDS)
def test_the_timeline_answers_a_cursor_at_the_calendars_ends_with_a_400(
    people: Any, client_for: Any, raw: str
) -> None:
    response = client_for(people.nav_advisor).get(
        f"/api/v1/youths/{people.youth.pk}/timeline/", {"cursor": _cursor(raw)}
    )
    assert _field_error(response, "cursor")["code"] == "invalid"


def test_the_youth_page_ignores_a_cursor_at_the_calendars_end(people: Any) -> None:
    client = Client()
    client.force_login(people.nav_advisor)
    response = client.get(f"/youths/{people.youth.pk}/", {"cursor": _cursor(CALENDAR_ENDS[0])})
    assert response.status_code == 200


def test_a_cursor_the_timeline_made_still_decodes(people: Any) -> None:
    key = (D("2027-01-05"), datetime.datetime(2027, 1, 5, 12, tzinfo=datetime.UTC), PK)
    assert timeline.decode_cursor(timeline.encode_cursor(key)) == key
    last = (D("9999-12-30"), datetime.datetime(9999, 12, 30, 12, tzinfo=datetime.UTC), PK)
    assert timeline.decode_cursor(timeline.encode_cursor(last)) == last


# --- How far back a decision or a follow-up may be dated ---------------------------------------


def _decide(people: Any, youth: Youth, on: datetime.date) -> NavDecision:
    return services.decision_record(
        actor=people.nav_advisor,
        youth=youth,
        service=people.nav,
        innsatsgruppe="STANDARD_INNSATS",
        main_goal="SKAFFE_ARBEID",
        decided_on=on,
    )


def _follow(people: Any, youth: Youth, on: datetime.date) -> FollowUpPeriod:
    return factories.follow(people.health_nurse, people.health, youth, started_on=on)


def _child_coordinator(people: Any, youth: Youth, on: datetime.date) -> ChildCoordinator:
    return plan_services.child_coordinator_record(
        actor=people.health_nurse,
        youth=youth,
        service=people.health,
        decided_on=on,
        serious_condition=True,
        needs_complex_services=True,
        reasons="Alvorlig sykdom",
    )


def _refusal(call: Any) -> dict[str, str]:
    with pytest.raises(ApplicationError) as refused:
        call()
    assert refused.value.code == "date_out_of_range"
    return {name: str(message) for name, message in refused.value.fields.items()}


@pytest.mark.parametrize("day", ["1900-01-01", "2017-02-27"])
def test_a_decision_or_a_follow_up_dated_more_than_ten_years_back_is_refused(
    today: datetime.date, people: Any, day: str
) -> None:
    child = factories.register_youth(people.nav_advisor, people.nav, birth_date=D("2012-05-05"))
    factories.follow(people.health_nurse, people.health, child)
    too_early = "Datoen er for langt tilbake i tid. Tidligste dato er 28.02.2017."
    assert _refusal(lambda: _decide(people, people.youth, D(day))) == {"decided_on": too_early}
    assert _refusal(lambda: _follow(people, people.youth, D(day))) == {"started_on": too_early}
    assert _refusal(lambda: _child_coordinator(people, child, D(day))) == {"decided_on": too_early}
    assert not NavDecision.objects.exists()
    assert not ChildCoordinator.objects.exists()
    assert not FollowUpPeriod.objects.filter(youth=people.youth, service=people.health).exists()


def test_a_decision_or_a_follow_up_ten_years_back_is_taken(
    today: datetime.date, people: Any
) -> None:
    assert _decide(people, people.youth, EARLIEST).decided_on == EARLIEST
    assert _follow(people, people.youth, EARLIEST).started_on == EARLIEST
    child = factories.register_youth(people.nav_advisor, people.nav, birth_date=D("2012-05-05"))
    factories.follow(people.health_nurse, people.health, child)
    assert _child_coordinator(people, child, EARLIEST).decided_on == EARLIEST


def test_a_decision_or_a_follow_up_from_before_the_youth_was_born_is_refused(
    today: datetime.date, people: Any
) -> None:
    child = factories.register_youth(people.nav_advisor, people.nav, birth_date=D("2019-06-15"))
    born = "Datoen kan ikke være før ungdommen ble født."
    assert _refusal(lambda: _decide(people, child, D("2019-06-14"))) == {"decided_on": born}
    assert _refusal(lambda: _follow(people, child, D("2019-06-14"))) == {"started_on": born}
    assert _decide(people, child, D("2019-06-15")).decided_on == D("2019-06-15")
    assert _follow(people, child, D("2019-06-15")).started_on == D("2019-06-15")


def test_a_child_coordinator_decision_is_not_dated_after_today(
    today: datetime.date, people: Any
) -> None:
    child = factories.register_youth(people.nav_advisor, people.nav, birth_date=D("2019-06-15"))
    factories.follow(people.health_nurse, people.health, child)
    assert _refusal(lambda: _child_coordinator(people, child, D("2027-03-02"))) == {
        "decided_on": "Datoen er for langt fram i tid. Seneste dato er 01.03.2027."
    }
    assert _child_coordinator(people, child, TODAY).decided_on == TODAY


def test_a_registration_dated_far_back_is_a_400_in_both_languages_and_writes_nothing(
    today: datetime.date, people: Any, client_for: Any
) -> None:
    youths = Youth.objects.count()
    body = {
        "national_id": factories.synthetic_number(D("2008-01-15")),
        "first_name": "Jonas",
        "last_name": "Olsen",
        "municipality_number": "4003",
        "service": str(people.nav.pk),
        "reason": "Arbeidssøker, helt ledig",
        "started_on": "1900-01-01",
    }
    messages = {
        "nb": "Datoen er for langt tilbake i tid. Tidligste dato er 28.02.2017.",
        "en": "The date is too far in the past. The earliest date is 02/28/2017.",
    }
    for language, message in messages.items():
        response = client_for(people.nav_advisor, language).post(
            "/api/v1/youths/", body, format="json"
        )
        error = _field_error(response, "started_on")
        assert (error["code"], error["message"]) == ("date_out_of_range", message)
    assert Youth.objects.count() == youths


def test_a_decision_dated_far_back_is_a_400_over_the_api(
    today: datetime.date, people: Any, client_for: Any
) -> None:
    response = client_for(people.nav_advisor, "en").post(
        f"/api/v1/youths/{people.youth.pk}/decisions/",
        {
            "service": str(people.nav.pk),
            "innsatsgruppe": "STANDARD_INNSATS",
            "main_goal": "SKAFFE_ARBEID",
            "decided_on": "1900-01-01",
        },
        format="json",
    )
    assert _field_error(response, "decided_on")["code"] == "date_out_of_range"
    assert not NavDecision.objects.exists()


def test_the_window_of_what_has_happened_ends_today() -> None:
    assert dates.HAPPENED.bounds(TODAY) == (EARLIEST, TODAY)


# --- Source links ------------------------------------------------------------------------------

# RFC 3986: unreserved and reserved characters, and percent-encoded octets; nothing else.
URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def _source_urls() -> list[str]:
    rules = [str(rule["source_url"]) for rule in seeded.seeded_rules()]
    bases = [str(basis["source_url"]) for basis in legal_bases.SEEDED]
    return [url for url in rules + bases if url]


def test_there_are_source_links_to_check() -> None:
    urls = _source_urls()
    assert any("lovdata.no" in url for url in urls)
    assert len(urls) >= 7


@pytest.mark.parametrize("url", _source_urls())
def test_every_seeded_source_link_is_a_valid_uri(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme == "https" and parts.netloc
    assert URI_CHARACTERS.fullmatch(url), url


def test_stored_legal_bases_link_their_sources_as_uris(db: Any) -> None:
    stored = list(LegalBasis.objects.exclude(source_url="").values_list("source_url", flat=True))
    assert stored and all(URI_CHARACTERS.fullmatch(url) for url in stored), stored


def test_the_migration_percent_encodes_a_legal_basis_link_stored_before(db: Any) -> None:
    migration = importlib.import_module("consent.migrations.0006_legal_basis_source_url_as_uri")
    basis = LegalBasis.objects.get(code="hpl-33")
    LegalBasis.objects.filter(pk=basis.pk).update(
        source_url="https://lovdata.no/lov/1999-07-02-64/§33"
    )
    migration.percent_encode_source_urls(django_apps, None)
    basis.refresh_from_db()
    assert basis.source_url == "https://lovdata.no/lov/1999-07-02-64/%C2%A733"

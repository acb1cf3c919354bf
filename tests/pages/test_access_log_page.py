"""The privacy officer's access log page: rows in words (no codes), a youth found by name or by
identity number (posted), and a filter that is not valid lists nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cases.models import StaffRole
from consent.models import AccessLogEntry
from coordination import log_words
from tests import factories
from tests.factories import derived

pytestmark = pytest.mark.django_db

CODES = ("MANAGER", "CASEWORKER", "deadlines-service", "youth-page", "GENERAL", ">own<", "own,")


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _looked(people: Any) -> None:
    """The NAV advisor and the manager look at the youth: the log has rows."""
    _client(people.nav_advisor).get(f"/youths/{people.youth.pk}/")
    _client(people.manager).get(f"/youths/{people.youth.pk}/")
    _client(people.manager).get("/api/v1/deadlines/?scope=service")


def _table(response: Any) -> str:
    match = re.search(r"<table.*?</table>", response.content.decode(), re.S)
    return match.group(0) if match else ""


def test_the_log_shows_roles_purposes_categories_and_bases_in_words(people: Any) -> None:
    _looked(people)
    response = _client(people.privacy_officer).get("/access-log/")
    assert response.status_code == 200
    table = _table(response)
    assert "Leder" in table and "Ungdommens side" in table
    assert "egen tjeneste følger opp" in table or "generelle opplysninger" in table
    for code in CODES:
        assert code not in table, code


def test_the_log_is_in_english_on_request(people: Any) -> None:
    _looked(people)
    table = _table(_client(people.privacy_officer, "en").get("/access-log/"))
    assert "Manager" in table and "The youth&#x27;s page" in table
    for code in CODES:
        assert code not in table, code


@pytest.mark.parametrize(
    "code",
    ["deadlines-service", "deadlines-mine", "referrals-inbox", "admin-youth", "plan-goal-add"],
)
def test_every_purpose_reads_as_words_even_one_not_listed(code: str) -> None:
    words = log_words.purpose_words(code)
    assert words and code not in words and "-" not in words.split()[0]


def test_an_unknown_purpose_is_not_shown_as_its_code() -> None:
    assert log_words.purpose_words("zz-new-thing") == "Annet oppslag"


def test_a_youth_is_found_by_name_as_the_list_writes_it(people: Any) -> None:
    other = derived(
        factories.register_youth(
            people.nav_advisor, people.nav, first_name="Selma", last_name="Ahmed"
        )
    )
    _client(people.nav_advisor).get(f"/youths/{other.pk}/")
    _looked(people)
    before = AccessLogEntry.objects.count()
    response = _client(people.privacy_officer).get("/access-log/", {"youth_name": "Hansen, Emma"})
    assert response.status_code == 200
    subjects = {row["youth_id"] for row in response.context["rows"]}
    assert subjects == {people.youth.pk}
    assert "Hansen, Emma" in _table(response)
    # Naming the youth is itself a read, logged in the privacy officer's role.
    (logged,) = AccessLogEntry.objects.order_by("pk")[before:]
    assert (logged.purpose, logged.subject_id, logged.actor_id, logged.role) == (
        "access-log-search",
        people.youth.pk,
        people.privacy_officer.pk,
        StaffRole.PRIVACY_OFFICER,
    )


def test_a_name_search_never_names_a_youth_outside_the_officers_services(people: Any) -> None:
    stranger = derived(
        factories.register_youth(
            people.outsider, people.elsewhere, first_name="Selma", last_name="Ahmed"
        )
    )
    _client(people.outsider).get(f"/youths/{stranger.pk}/")
    before = AccessLogEntry.objects.count()
    response = _client(people.privacy_officer).get("/access-log/", {"youth_name": "Ahmed"})
    assert response.status_code == 400
    assert response.context["rows"] == [] and response.context["page"] is None
    assert "Fant ingen ungdom med dette navnet" in response.content.decode()
    assert "Selma" not in _table(response)
    assert AccessLogEntry.objects.count() == before


def test_a_youth_is_found_by_identity_number_posted_and_the_address_holds_only_the_id(
    people: Any,
) -> None:
    _looked(people)
    client = _client(people.privacy_officer)
    number = people.youth.national_id
    response = client.post("/access-log/", {"national_id": number})
    assert response.status_code == 302
    assert response["Location"] == f"/access-log/?youth={people.youth.pk}"
    page = client.get(response["Location"])
    assert {row["youth_id"] for row in page.context["rows"]} == {people.youth.pk}
    assert number not in page.content.decode()


def test_an_identity_number_out_of_reach_finds_nothing_and_the_attempt_is_logged(
    people: Any,
) -> None:
    stranger = derived(factories.register_youth(people.outsider, people.elsewhere))
    before = AccessLogEntry.objects.count()
    response = _client(people.privacy_officer).post(
        "/access-log/", {"national_id": stranger.national_id}
    )
    assert response.status_code == 404
    assert response.context["page"] is None
    logged = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert [(e.subject_id, e.granted, e.purpose) for e in logged] == [
        (stranger.pk, False, "access-log-search")
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"after": "ikke-en-dato"},
        {"granted": "kanskje"},
        {"youth": "not-a-uuid"},
        {"after": "2026-03-10", "before": "2026-03-01"},
        {"youth_name": "15050550025"},
    ],
)
def test_an_invalid_filter_lists_nothing_with_a_clear_message(people: Any, query: Any) -> None:
    _looked(people)
    response = _client(people.privacy_officer).get("/access-log/", query)
    assert response.status_code == 400
    assert response.context["page"] is None and response.context["rows"] == []
    content = response.content.decode()
    assert "Ingen rader vises før søket er gyldig." in content
    assert "<table" not in content


def test_the_log_page_has_a_fixed_query_count(people: Any, count_queries: Any) -> None:
    _looked(people)
    client = _client(people.privacy_officer)
    with count_queries() as few:
        client.get("/access-log/", {"youth_name": "Hansen"})
    for _n in range(5):
        _looked(people)
    with count_queries() as many:
        client.get("/access-log/", {"youth_name": "Hansen"})
    assert len(many.captured_queries) == len(few.captured_queries)

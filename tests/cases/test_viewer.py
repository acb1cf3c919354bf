"""The request's viewer: the user's memberships are read once per request, for pages and API
alike, and always for the user the request is authenticated as."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases import services
from consent.services import Flow
from tests import factories

pytestmark = pytest.mark.django_db


def _membership_reads(captured: Any) -> int:
    """Queries that read memberships, as values or as a subquery of another read."""
    return sum('"cases_staffmembership"' in q["sql"] for q in captured.captured_queries)


@pytest.fixture
def busy(people: Any) -> Any:
    """A youth with entries, a consent, an activity plan and a referral: every section of the
    youth page has something to read."""
    factories.follow(people.health_nurse, people.health, people.youth)
    factories.log_entry(people, people.nav_advisor, people.nav, "WORK_AND_WELFARE", "nav")
    factories.log_entry(people, people.health_nurse, people.health, "HEALTH", "helse")
    factories.give_consent(
        people, Flow(categories=["HEALTH"], from_party=people.health, to_party=people.nav)
    )
    factories.send_referral(people, people.school)
    return people


def test_the_youth_page_reads_the_memberships_once(busy: Any, count_queries: Any) -> None:
    client = Client()
    client.force_login(busy.nav_advisor)
    with count_queries() as captured:
        response = client.get(f"/youths/{busy.youth.pk}/")
    assert response.status_code == 200
    assert "helse" in response.content.decode()
    assert _membership_reads(captured) == 1


def test_the_timeline_reads_the_memberships_once(
    busy: Any, client_for: Any, count_queries: Any
) -> None:
    api = client_for(busy.nav_advisor)
    with count_queries() as captured:
        response = api.get(f"/api/v1/youths/{busy.youth.pk}/timeline/")
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} >= {"nav", "helse"}
    assert _membership_reads(captured) == 1


def test_a_token_request_gets_its_own_users_viewer(busy: Any) -> None:
    """The viewer is made after the token is checked: the token's user's reach, not an
    anonymous one; a membership ended shows on the next request."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=factories.api_token(busy.ot_counsellor)["Authorization"])
    url = f"/api/v1/youths/{busy.youth.pk}/timeline/"
    texts = {row["text"] for row in api.get(url).json()["results"]}
    assert "helse" not in texts and "nav" not in texts  # OT sees neither without consent
    assert api.get(url).status_code == 200
    ot_membership = busy.ot_counsellor.memberships.get()
    # A second service keeps the token (it is revoked with the user's last membership).
    services.membership_add(
        actor=busy.manager, user=busy.ot_counsellor, service=busy.elsewhere, role="CASEWORKER"
    )
    services.membership_end(actor=busy.manager, membership=ot_membership)
    assert api.get(url).status_code == 404


# A service call loads its actor's memberships once, and passes that viewer to the services
# it calls in turn.


def test_registering_a_youth_reads_the_actors_memberships_once(
    people: Any, count_queries: Any
) -> None:
    birth = factories.years_ago(19)
    with count_queries() as captured:
        _youth, period, created = services.youth_register(
            actor=people.nav_advisor,
            service=people.nav,
            national_id=factories.synthetic_number(birth),
            first_name="Ny",
            last_name="Ungdom",
            municipality_number="0301",
            reason="Meldt av skolen",
            responsible=people.nav_advisor,  # the actor, named: checked once
        )
    assert created and period.responsible == people.nav_advisor
    assert _membership_reads(captured) == 1


def test_accepting_a_referral_reads_the_receivers_memberships_once(
    people: Any, count_queries: Any
) -> None:
    referral = factories.send_referral(people, people.school)
    with count_queries() as captured:
        accepted = services.referral_accept(
            actor=people.school_counsellor, referral=referral, version=referral.version
        )
    assert accepted.period is not None and accepted.period.service == people.school
    assert _membership_reads(captured) == 1


def test_adding_an_activity_reads_the_period_with_its_service_and_youth(
    people: Any, count_queries: Any
) -> None:
    """The plan (locked), its period with the service and the youth (one query), the actor's
    memberships: nothing about the plan is read twice."""
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    fresh = type(plan).objects.get(pk=plan.pk)
    with count_queries() as captured:
        services.activity_add(actor=people.nav_advisor, plan=fresh, type="EGEN", title="Søke")
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert _membership_reads(captured) == 1
    periods = [sql for sql in reads if 'FROM "cases_followupperiod"' in sql]
    assert len(periods) == 1 and 'JOIN "cases_youth"' in periods[0]
    assert not any(sql.startswith('SELECT "cases_youth"') for sql in reads)
    assert not any(sql.startswith('SELECT "cases_service"') for sql in reads)

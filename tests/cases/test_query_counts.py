"""Every list and detail endpoint runs a fixed number of queries, at 3 rows as at 30."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cases import services
from cases.models import FollowUpPeriod, GuardianRelation
from consent.services import Flow
from tests import factories


def _add_youths(people: Any, n: int) -> None:
    for i in range(n):
        youth = factories.register_youth(
            people.nav_advisor, people.nav, first_name=f"Ung{i}", last_name="Test"
        )
        factories.follow(people.ot_counsellor, people.ot, youth)


def _add_guardians(people: Any, n: int) -> None:
    for i in range(n):
        services.guardian_add(
            actor=people.nav_advisor,
            youth=people.youth,
            full_name=f"Foresatt {i}",
            relation=GuardianRelation.OTHER,
            has_parental_responsibility=False,
        )


def _add_services(people: Any, n: int) -> None:
    for _ in range(n):
        factories.make_service()


def _add_memberships(people: Any, n: int) -> None:
    for _ in range(n):
        services.membership_add(
            actor=None, user=people.nav_advisor, service=factories.make_service(), role="CASEWORKER"
        )


def _add_entries(people: Any, n: int) -> None:
    for i in range(n):
        services.entry_log(
            actor=people.nav_advisor,
            youth=people.youth,
            service=people.nav,
            occurred_on=timezone.localdate(),
            kind="NOTE",
            category="WORK_AND_WELFARE",
            text=f"Notat {i}",
        )


def _add_consents(people: Any, n: int) -> None:
    for _ in range(n):
        factories.give_consent(
            people,
            Flow(
                categories=["FAMILY_AND_ECONOMY", "EDUCATION"],
                from_party=people.ot,
                to_party=people.nav,
            ),
        )


def _add_referrals(people: Any, n: int) -> None:
    for _ in range(n):
        youth = factories.register_youth(people.nav_advisor, people.nav)
        services.referral_send(
            actor=people.nav_advisor,
            youth=youth,
            from_service=people.nav,
            to_service=people.health,
            reason_code="OTHER",
            reason="Helse",
            message="Ta kontakt",
            categories=[],
        )


ENDPOINTS = {
    "youth-entries": (lambda p: f"/api/v1/youths/{p.youth.pk}/entries/", _add_entries),
    "youth-consents": (lambda p: f"/api/v1/youths/{p.youth.pk}/consents/", _add_consents),
    "youth-timeline": (lambda p: f"/api/v1/youths/{p.youth.pk}/timeline/", _add_entries),
    "referral-outbox": (lambda p: "/api/v1/referrals/?box=outbox", _add_referrals),
    "youth-list": (lambda p: "/api/v1/youths/", _add_youths),
    "youth-detail": (lambda p: f"/api/v1/youths/{p.youth.pk}/", _add_guardians),
    "youth-guardians": (lambda p: f"/api/v1/youths/{p.youth.pk}/guardians/", _add_guardians),
    "period-list": (lambda p: "/api/v1/follow-up-periods/", _add_youths),
    "period-detail": (
        lambda p: (
            f"/api/v1/follow-up-periods/{FollowUpPeriod.objects.filter(service=p.nav).first().pk}/"
        ),
        _add_youths,
    ),
    "service-list": (lambda p: "/api/v1/services/", _add_services),
    "service-detail": (lambda p: f"/api/v1/services/{p.nav.pk}/", _add_services),
    "my-memberships": (lambda p: "/api/v1/me/memberships/", _add_memberships),
}


def _queries(people: Any, client_for: Any, count_queries: Any, url: str) -> int:
    api = client_for(people.nav_advisor)
    with count_queries() as captured:
        response = api.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(
    people: Any, client_for: Any, count_queries: Any, name: str
) -> None:
    path, add_rows = ENDPOINTS[name]
    add_rows(people, 2)
    small = _queries(people, client_for, count_queries, path(people))
    add_rows(people, 27)
    large = _queries(people, client_for, count_queries, path(people))
    assert small == large
    assert large <= 10  # the timeline: 4 sources, gate, memberships, log INSERT, savepoints


def test_the_caseload_takes_a_fixed_handful_of_queries(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    """The caller's memberships, the page's youths with the total, their open periods, and one
    INSERT into the access log; no transaction around them (with the session and the user of a
    real request, six)."""
    _add_youths(people, 5)
    assert _queries(people, client_for, count_queries, "/api/v1/youths/") == 4


@pytest.mark.parametrize("n", [1, 5])
def test_the_caseload_reads_the_consents_in_one_query_for_confidential_involvement(
    people: Any, client_for: Any, count_queries: Any, n: int
) -> None:
    """Youths followed by a health service too: one query more for the consents that may show
    it to NAV, however many youths there are."""
    for i in range(n):
        youth = factories.register_youth(
            people.nav_advisor, people.nav, first_name=f"Ung{i}", last_name="Test"
        )
        factories.follow(people.health_nurse, people.health, youth)
    assert _queries(people, client_for, count_queries, "/api/v1/youths/") == 5

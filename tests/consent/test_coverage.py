"""Is a flow (subject, from party, to party, category) covered, and by what."""

from __future__ import annotations

import datetime
from typing import Any

from consent.categories import Category
from consent.coverage import Coverage, covered_flows, covering_scopes, flow_coverage
from consent.models import Decision, Giver, LegalBasis, Method
from consent.services import Flow, consent_withdraw
from tests.consent.helpers import at, record


def coverage(people: Any, frm: Any, to: Any, category: str) -> Coverage | None:
    return flow_coverage(subject=people.youth, from_party=frm, to_party=to, category=category)


def covering_at(
    people: Any, frm: Any, to: Any, category: str, when: datetime.datetime
) -> list[Any]:
    """The consents that cover the flow at ``when``."""
    scopes = covering_scopes(
        subject=people.youth,
        from_party=frm,
        from_kind=frm.kind,
        to_parties=[to.pk],
        to_kinds=[to.kind],
        category=category,
        at=when,
    )
    return list(scopes.values_list("consent_id", flat=True))


def health_to_nav(people: Any, *categories: str) -> Flow:
    return Flow(
        categories=categories or [Category.HEALTH], from_party=people.health, to_party=people.nav
    )


def test_an_active_consent_covers_the_flow_it_names(people: Any) -> None:
    consent = record(people, health_to_nav(people))

    covered = coverage(people, people.health, people.nav, Category.HEALTH)

    assert covered == Coverage(consent_id=consent.pk)
    assert covered.basis == f"consent:{consent.pk}"


def test_a_consent_covers_no_other_category_direction_or_party(people: Any) -> None:
    record(people, health_to_nav(people))

    assert coverage(people, people.health, people.nav, Category.EDUCATION) is None
    assert coverage(people, people.nav, people.health, Category.HEALTH) is None
    assert coverage(people, people.health, people.ot, Category.HEALTH) is None
    assert coverage(people, people.health, people.elsewhere, Category.HEALTH) is None  # NAV too


def test_a_consent_to_a_kind_covers_every_party_of_that_kind(people: Any) -> None:
    consent = record(
        people, Flow(categories=[Category.HEALTH], from_party=people.health, to_kind="NAV")
    )

    assert coverage(people, people.health, people.nav, Category.HEALTH) == Coverage(consent.pk)
    assert coverage(people, people.health, people.elsewhere, Category.HEALTH) == Coverage(
        consent.pk
    )
    assert coverage(people, people.health, people.ot, Category.HEALTH) is None


def test_a_consent_from_a_kind_covers_what_any_party_of_that_kind_holds(people: Any) -> None:
    consent = record(
        people, Flow(categories=[Category.WORK_AND_WELFARE], from_kind="NAV", to_party=people.ot)
    )

    assert coverage(people, people.elsewhere, people.ot, Category.WORK_AND_WELFARE) == Coverage(
        consent.pk
    )
    assert coverage(people, people.school, people.ot, Category.WORK_AND_WELFARE) is None


def test_a_consent_covers_from_its_start_until_it_expires(people: Any) -> None:
    consent = record(
        people,
        health_to_nav(people),
        valid_from=at("2025-03-01", 12),
        valid_until=at("2025-09-01", 0),
    )
    flow = (people, people.health, people.nav, Category.HEALTH)

    assert covering_at(*flow, at("2025-03-01", 11, 59)) == []
    assert covering_at(*flow, at("2025-03-01", 12)) == [consent.pk]
    assert covering_at(*flow, at("2025-08-31", 23, 59)) == [consent.pk]
    assert covering_at(*flow, at("2025-09-01", 0)) == []


def test_an_expired_consent_covers_nothing_now(people: Any) -> None:
    record(people, health_to_nav(people), valid_until=at("2025-09-01", 0))

    assert coverage(people, people.health, people.nav, Category.HEALTH) is None


def test_a_withdrawn_consent_covers_nothing(people: Any) -> None:
    consent = record(people, health_to_nav(people))

    consent_withdraw(
        consent=consent, by=people.nav_advisor, method=Method.ORAL, at=at("2025-04-01")
    )

    assert coverage(people, people.health, people.nav, Category.HEALTH) is None
    assert covering_at(people, people.health, people.nav, Category.HEALTH, at("2025-05-01")) == []


def test_a_refusal_covers_nothing(people: Any) -> None:
    record(people, health_to_nav(people), decision=Decision.REFUSED)

    assert coverage(people, people.health, people.nav, Category.HEALTH) is None


def test_a_guardians_consent_stops_covering_on_the_day_the_youth_takes_over(
    people: Any,
) -> None:
    """Born 15 June 2010: 14 when the guardians consent; the youth decides on education from
    the sharing age 15 (15 June 2025) and on health from 16 (15 June 2026)."""
    consent = record(
        people,
        health_to_nav(people, Category.HEALTH, Category.EDUCATION),
        birth_date=datetime.date(2010, 6, 15),
        giver=Giver.GUARDIANS,
    )
    flow = (people, people.health, people.nav)

    assert covering_at(*flow, Category.EDUCATION, at("2025-06-14", 23, 59)) == [consent.pk]
    assert covering_at(*flow, Category.EDUCATION, at("2025-06-15", 0, 1)) == []
    assert covering_at(*flow, Category.HEALTH, at("2025-06-15", 0, 1)) == [consent.pk]
    assert covering_at(*flow, Category.HEALTH, at("2026-06-14", 23, 59)) == [consent.pk]
    assert covering_at(*flow, Category.HEALTH, at("2026-06-15", 0, 1)) == []


def test_a_legal_basis_covers_no_flow(people: Any) -> None:
    """Opplæringslova § 9-4 lets the school disclose chosen items to OT; it opens no flow."""
    assert coverage(people, people.school, people.ot, Category.EDUCATION) is None
    assert LegalBasis.objects.filter(code="oppl-9-4", is_active=True).exists()


def test_a_consent_covers_the_flow_a_legal_basis_does_not(people: Any) -> None:
    consent = record(
        people, Flow(categories=[Category.EDUCATION], from_party=people.school, to_party=people.ot)
    )

    assert coverage(people, people.school, people.ot, Category.EDUCATION) == Coverage(consent.pk)


def test_covered_flows_lists_every_flow_into_a_party_with_what_covers_it(people: Any) -> None:
    consent = record(
        people, Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.ot)
    )
    record(people, health_to_nav(people))  # into NAV, not OT

    flows = covered_flows(subjects=[people.youth.pk], to_parties=[people.ot.pk], to_kinds=["OT"])

    assert set(flows) == {
        (people.youth.pk, people.health.pk, "", people.ot.pk, "", Category.HEALTH, consent.pk),
    }
    assert flows[0].into([people.ot.pk], ["OT"])
    assert not flows[0].into([people.nav.pk], ["NAV"])


def test_a_flow_to_a_kind_reaches_the_parties_of_that_kind_only(people: Any) -> None:
    record(people, Flow(categories=[Category.HEALTH], from_party=people.health, to_kind="OT"))

    [flow] = covered_flows(subjects=[people.youth.pk], to_parties=[], to_kinds=["OT"])

    assert flow.to_party is None and flow.to_kind == "OT"
    assert flow.into([people.ot.pk], ["OT"])
    assert not flow.into([people.nav.pk], ["NAV"])

"""Recording and withdrawing consents: the rules consent's services enforce, and their audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from consent.categories import Category
from consent.models import Consent, ConsentScope, Decision, Giver, Method
from consent.services import Flow, consent_withdraw
from core.errors import ApplicationError
from core.models import AuditEntry
from tests import factories
from tests.consent.helpers import at, record

BORN_2010 = datetime.date(2010, 6, 15)  # 14 when the consents here are given (1 March 2025)
BORN_2009 = datetime.date(2009, 6, 15)  # 15


def to_nav(people: Any, *categories: str) -> Flow:
    return Flow(categories=categories, from_party=people.health, to_party=people.nav)


def refusal_code(call: Any) -> str:
    with pytest.raises(ApplicationError) as refused:
        call()
    return refused.value.code


def test_a_consent_has_one_scope_per_category_of_each_flow(people: Any) -> None:
    consent = record(
        people,
        to_nav(people, Category.HEALTH, Category.EDUCATION, Category.HEALTH),
        Flow(categories=[Category.EDUCATION], from_kind="SCHOOL", to_kind="OT"),
    )

    scopes = ConsentScope.objects.filter(consent=consent)
    assert set(
        scopes.values_list("from_party", "from_kind", "to_party", "to_kind", "category")
    ) == {
        (people.health.pk, "", people.nav.pk, "", Category.EDUCATION),
        (people.health.pk, "", people.nav.pk, "", Category.HEALTH),
        (None, "SCHOOL", None, "OT", Category.EDUCATION),
    }
    assert scopes.count() == 3
    assert set(scopes.values_list("subject", flat=True)) == {people.youth.pk}
    assert set(scopes.values_list("competent_until", flat=True)) == {None}  # the youth's own


def test_a_guardians_consent_stops_at_the_age_the_youth_consents_alone_for_each_category(
    people: Any,
) -> None:
    """Sharing age 15 (the default): education on the 15th birthday; health on the 16th
    (pasient- og brukerrettighetsloven § 4-3)."""
    consent = record(
        people,
        to_nav(people, Category.HEALTH, Category.EDUCATION),
        birth_date=BORN_2010,
        giver=Giver.GUARDIANS,
    )

    assert dict(consent.scopes.values_list("category", "competent_until")) == {
        Category.HEALTH: datetime.date(2026, 6, 15),
        Category.EDUCATION: datetime.date(2025, 6, 15),
    }


def test_guardians_cannot_consent_for_what_the_youth_decides_alone(people: Any) -> None:
    def guardians_for_education() -> Any:
        return record(
            people,
            to_nav(people, Category.EDUCATION),
            birth_date=BORN_2009,
            giver=Giver.GUARDIANS,
        )

    assert refusal_code(guardians_for_education) == "youth_must_consent"
    assert not Consent.objects.exists()


def test_a_15_year_old_cannot_consent_alone_to_health(people: Any) -> None:
    def youth_for_health_and_education() -> Any:
        flow = to_nav(people, Category.HEALTH, Category.EDUCATION)
        return record(people, flow, birth_date=BORN_2009)

    assert refusal_code(youth_for_health_and_education) == "guardians_must_consent"
    record(people, to_nav(people, Category.EDUCATION), birth_date=BORN_2009)  # alone: allowed


def test_an_oral_consent_needs_the_staff_member_who_documented_it(people: Any) -> None:
    def undocumented() -> Any:
        return record(people, to_nav(people, Category.HEALTH), method=Method.ORAL)

    assert refusal_code(undocumented) == "oral_needs_documentation"
    consent = record(
        people,
        to_nav(people, Category.HEALTH),
        method=Method.ORAL,
        documented_by=people.health_nurse,
    )
    assert consent.documented_by == people.health_nurse


def test_a_consent_names_at_least_one_flow_with_categories(people: Any) -> None:
    assert refusal_code(lambda: record(people)) == "no_flows"
    assert refusal_code(lambda: record(people, to_nav(people))) == "no_flows"


def test_a_consent_ends_after_it_starts(people: Any) -> None:
    def ends_at_start() -> Any:
        return record(
            people,
            to_nav(people, Category.HEALTH),
            valid_from=at("2025-03-01"),
            valid_until=at("2025-03-01"),
        )

    assert refusal_code(ends_at_start) == "invalid_period"


def test_recording_a_consent_writes_its_audit_entry(people: Any) -> None:
    consent = record(people, to_nav(people, Category.HEALTH, Category.EDUCATION))

    entry = AuditEntry.objects.get(action="consent.recorded")
    assert (entry.actor, entry.subject) == (people.nav_advisor, people.youth)
    assert (entry.target_type, entry.target_id) == ("consent.Consent", str(consent.pk))
    assert entry.data == {
        "categories": [Category.EDUCATION, Category.HEALTH],
        "giver": Giver.SUBJECT,
        "method": Method.DIGITAL,
    }


def test_a_refusal_is_audited_as_one_and_cannot_be_withdrawn(people: Any) -> None:
    refusal = record(people, to_nav(people, Category.HEALTH), decision=Decision.REFUSED)

    assert AuditEntry.objects.filter(action="consent.refused", target_id=str(refusal.pk)).exists()
    withdraw = lambda: consent_withdraw(  # noqa: E731
        consent=refusal, by=people.nav_advisor, method=Method.DIGITAL
    )
    assert refusal_code(withdraw) == "not_a_consent"


def test_a_consent_is_withdrawn_once(people: Any) -> None:
    consent = record(people, to_nav(people, Category.HEALTH))

    withdrawn = consent_withdraw(
        consent=consent, by=people.health_nurse, method=Method.SIGNED_FORM, at=at("2025-04-01")
    )
    again = lambda: consent_withdraw(  # noqa: E731
        consent=consent, by=people.nav_advisor, method=Method.DIGITAL, at=at("2025-05-01")
    )

    assert refusal_code(again) == "already_withdrawn"
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_method) == (
        at("2025-04-01"),
        people.health_nurse,
        Method.SIGNED_FORM,
    )
    assert withdrawn.withdrawn_at == consent.withdrawn_at
    assert AuditEntry.objects.filter(action="consent.withdrawn").count() == 1


def test_a_new_consent_that_replaces_one_withdraws_it(people: Any) -> None:
    old = record(people, to_nav(people, Category.HEALTH))

    new = record(people, to_nav(people, Category.HEALTH, Category.EDUCATION), replaces=old)

    old.refresh_from_db()
    assert old.withdrawn_at is not None and old.withdrawn_by == people.nav_advisor
    assert new.replaces == old and new.withdrawn_at is None


def test_a_consent_cannot_replace_one_about_someone_else(people: Any) -> None:
    other = factories.register_youth(people.nav_advisor, people.nav, first_name="Ola")
    theirs = record(people, to_nav(people, Category.HEALTH), subject=other)

    def replace_theirs() -> Any:
        return record(people, to_nav(people, Category.HEALTH), replaces=theirs)

    assert refusal_code(replace_theirs) == "wrong_subject"
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None

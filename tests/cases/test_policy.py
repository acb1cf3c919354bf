"""The access policy: who sees which follow-up entry, and on which basis."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cases import access, services
from cases.models import FollowUpEntry, GuardianRelation
from consent import ages
from consent.categories import Category
from consent.models import Giver, Method
from consent.services import Flow
from tests import factories

log = factories.log_entry


def seen(user: Any) -> set[str]:
    """What the user sees, asserting that the one-youth form of the policy (an allow-list, as
    the timeline uses it) sees the same items on the same bases."""
    viewer = access.viewer_for(user)
    rows = access.visible(viewer, FollowUpEntry.objects.all())
    everywhere = {(e.text, access.basis_of(e)) for e in rows}
    youth_by_youth = set()
    for youth_id in set(FollowUpEntry.objects.values_list("youth_id", flat=True)):
        allowed = access.allowed_for(viewer, youth_id)
        if allowed is None:
            continue
        rows = allowed.filter(FollowUpEntry.objects.select_related("service"))
        youth_by_youth |= {
            (e.text, allowed.basis(e.service_id, e.service.kind, e.category, e.access_disclosed))
            for e in rows
        }
    assert youth_by_youth == everywhere
    return {text for text, _basis in everywhere}


def give(people: Any, *, to: Any, categories: list[str], frm: Any = None, **extra: Any) -> Any:
    return services.consent_give(
        actor=factories.holder_staff(people, frm or people.health),
        youth=people.youth,
        decision=extra.pop("decision", "GIVEN"),
        giver=extra.pop("giver", Giver.SUBJECT),
        purpose_code="SAMARBEID",
        purpose="Samarbeid om oppfølging",
        method=Method.DIGITAL,
        agreed_text="Jeg samtykker til at ...",
        flows=[Flow(categories=categories, from_party=frm or people.health, to_party=to)],
        **extra,
    )


@pytest.fixture
def health_follows(people: Any) -> Any:
    factories.follow(people.health_nurse, people.health, people.youth)
    return people


def test_it_hides_health_notes_without_consent(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    log(p, p.health_nurse, p.health, Category.GENERAL, "generelt")
    assert seen(p.health_nurse) == {"helse", "generelt"}
    assert seen(p.nav_advisor) == {"generelt"}
    assert seen(p.manager) == {"generelt"}  # managers see what their service sees
    assert seen(p.outsider) == set()
    assert seen(p.school_counsellor) == set()  # does not follow the youth


def test_consent_opens_exactly_the_flow_it_names(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    consent = give(p, to=p.nav, categories=[Category.HEALTH])
    assert seen(p.nav_advisor) == {"helse"}
    assert seen(p.ot_counsellor) == set()  # consent names NAV, not OT
    [item] = access.visible(access.viewer_for(p.nav_advisor), FollowUpEntry.objects.all())
    assert access.basis_of(item) == f"consent:{consent.pk}"


def test_consent_to_a_service_kind_covers_services_of_that_kind(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    services.consent_give(
        actor=p.health_nurse,
        youth=p.youth,
        decision="GIVEN",
        giver=Giver.SUBJECT,
        purpose_code="SAMARBEID",
        purpose="Samarbeid",
        method=Method.SIGNED_FORM,
        agreed_text="...",
        flows=[
            Flow(
                categories=[Category.HEALTH],
                from_party=p.health,
                to_kind="OT",
                kind_reason="Den fylkeskommunale oppfølgingstjenesten",
            )
        ],
    )
    assert seen(p.ot_counsellor) == {"helse"}
    assert seen(p.nav_advisor) == set()


def test_withdrawal_takes_effect_at_once(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    consent = give(p, to=p.nav, categories=[Category.HEALTH])
    assert seen(p.nav_advisor) == {"helse"}
    services.consent_withdraw(actor=p.health_nurse, consent=consent, method=Method.DIGITAL)
    assert seen(p.nav_advisor) == set()


def test_expiry_takes_effect_at_once(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    now = timezone.now()
    give(
        p,
        to=p.nav,
        categories=[Category.HEALTH],
        valid_from=now - datetime.timedelta(days=30),
        valid_until=now - datetime.timedelta(seconds=1),
    )
    assert seen(p.nav_advisor) == set()


def test_a_refusal_covers_nothing(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    give(p, to=p.nav, categories=[Category.HEALTH], decision="REFUSED")
    assert seen(p.nav_advisor) == set()


def test_a_legal_basis_opens_no_standing_flow(people: Any) -> None:
    """Barnevernsloven § 13-2 is the holder's duty to disclose, not child welfare's to read."""
    factories.follow(people.cw_caseworker, people.child_welfare, people.youth)
    log(people, people.nav_advisor, people.nav, Category.WORK_AND_WELFARE, "nav")
    assert not access.visible(
        access.viewer_for(people.cw_caseworker), FollowUpEntry.objects.all()
    ).exists()
    assert seen(people.cw_caseworker) == set()
    assert seen(people.ot_counsellor) == set()


def test_closing_the_period_ends_reach(health_follows: Any) -> None:
    p = health_follows
    log(p, p.health_nurse, p.health, Category.HEALTH, "helse")
    give(p, to=p.nav, categories=[Category.HEALTH])
    period = p.youth.periods.get(service=p.nav)
    services.period_close(actor=p.nav_advisor, period=period, version=1, end_reason="Ferdig")
    assert seen(p.nav_advisor) == set()


def test_reaching_the_sharing_age_voids_guardian_consent(people: Any) -> None:
    """Sharing age 15 (the default): from the 15th birthday only the youth's own consent
    covers family and economy."""
    minor = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(14)
    )
    factories.follow(people.health_nurse, people.health, minor)
    kari = services.guardian_add(
        actor=people.nav_advisor,
        youth=minor,
        full_name="Kari Hansen",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=True,
    )
    services.entry_log(
        actor=people.health_nurse,
        youth=minor,
        service=people.health,
        occurred_on=timezone.localdate(),
        kind="NOTE",
        category=Category.FAMILY_AND_ECONOMY,
        text="familie",
    )
    consent = services.consent_give(
        actor=people.health_nurse,
        youth=minor,
        decision="GIVEN",
        giver=Giver.GUARDIANS,
        guardians=[kari],
        child_view="Vil at de samarbeider.",
        purpose_code="SAMARBEID",
        purpose="Samarbeid",
        method=Method.SIGNED_FORM,
        agreed_text="...",
        flows=[
            Flow(
                categories=[Category.FAMILY_AND_ECONOMY],
                from_party=people.health,
                to_party=people.nav,
            )
        ],
    )
    assert consent.giver_names == "Kari Hansen"
    fifteenth = ages.birthday(minor.birth_date, 15)
    before = timezone.make_aware(datetime.datetime.combine(fifteenth, datetime.time(12)))
    entries = FollowUpEntry.objects.filter(youth=minor)
    viewer = access.viewer_for(people.nav_advisor)
    assert access.visible(viewer, entries, at=before - datetime.timedelta(days=1))
    assert not access.visible(viewer, entries, at=before)


def test_the_policy_is_one_query_however_many_consents(
    health_follows: Any, count_queries: Any
) -> None:
    p = health_follows
    for i in range(5):
        log(p, p.health_nurse, p.health, Category.HEALTH, f"helse {i}")
        give(p, to=p.nav, categories=[Category.HEALTH])
    assert len(seen(p.nav_advisor)) == 5
    viewer = access.viewer_for(p.nav_advisor)
    with count_queries() as captured:
        assert len(list(access.visible(viewer, FollowUpEntry.objects.all()))) == 5
    assert len(captured) == 1

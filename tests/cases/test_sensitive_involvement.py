"""Who follows a youth, and why: the involvement of health, child welfare and the like is
itself confidential (barnevernsloven § 13-1, helsepersonelloven § 21), a period's reasons are
in its service's own category, and a note is by default in its author's service's category."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cases.models import FollowUpEntry, ServiceKind, kind_category
from consent.categories import Category
from core.errors import ApplicationError
from tests import factories

REASON = "Angst og selvskading, henvist BUP"


def _health_follows(people: Any) -> None:
    factories.follow(people.health_nurse, people.health, people.youth, reason=REASON)


def _consent_from(holder: Any, people: Any, service: Any, category: str) -> None:
    """The youth consents, recorded by the holding service, that ``service`` shares
    ``category`` with NAV."""
    response = holder.post(
        f"/api/v1/youths/{people.youth.pk}/consents/",
        {
            "decision": "GIVEN",
            "giver": "SUBJECT",
            "purpose_code": "SAMARBEID",
            "purpose": "Samarbeid om oppfølging",
            "method": "DIGITAL",
            "agreed_text": "Jeg samtykker til deling.",
            "flows": [
                {
                    "from_service": str(service.pk),
                    "to_service": str(people.nav.pk),
                    "categories": [category],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()


def _seen_by_nav(api: Any, people: Any) -> tuple[set[str], set[str], set[str], str]:
    """The services NAV sees following the youth on the youth's record, in the caseload and in
    the timeline, and all three responses as text."""
    detail = api.get(f"/api/v1/youths/{people.youth.pk}/").json()
    caseload = api.get("/api/v1/youths/").json()
    timeline = api.get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()
    row = next(r for r in caseload["results"] if r["id"] == str(people.youth.pk))
    text = json.dumps([detail, caseload, timeline], ensure_ascii=False)
    return (
        {p["service"]["name"] for p in detail["periods"]},
        {p["service"]["name"] for p in row["follow_up"]},
        {r["service"]["name"] for r in timeline["results"] if r["type"] == "period"},
        text,
    )


@pytest.mark.parametrize("kind", [ServiceKind.HEALTH, ServiceKind.CHILD_WELFARE])
def test_that_health_or_child_welfare_follows_a_youth_is_hidden_without_consent(
    people: Any, client_for: Any, kind: str
) -> None:
    service, staff = (
        (people.health, people.health_nurse)
        if kind == ServiceKind.HEALTH
        else (people.child_welfare, people.cw_caseworker)
    )
    factories.follow(staff, service, people.youth, reason=REASON)
    on_record, in_caseload, in_timeline, text = _seen_by_nav(client_for(people.nav_advisor), people)
    assert service.name not in on_record | in_caseload | in_timeline
    assert people.nav.name in on_record & in_caseload & in_timeline
    assert REASON not in text
    # The service itself sees its own period and reason.
    own = client_for(staff).get(f"/api/v1/youths/{people.youth.pk}/").json()
    assert REASON in {p["reason"] for p in own["periods"]}


def test_health_involvement_and_its_reason_are_shown_under_a_consent_covering_health(
    people: Any,
    client_for: Any,
) -> None:
    _health_follows(people)
    _consent_from(client_for(people.health_nurse), people, people.health, Category.HEALTH)
    on_record, in_caseload, in_timeline, text = _seen_by_nav(client_for(people.nav_advisor), people)
    assert people.health.name in on_record & in_caseload & in_timeline
    assert REASON in text


def test_a_periods_reason_is_in_its_services_own_category(people: Any, client_for: Any) -> None:
    """School's involvement is general information; why it follows is education."""
    factories.follow(people.school_counsellor, people.school, people.youth, reason="Høyt fravær")
    on_record, in_caseload, in_timeline, text = _seen_by_nav(client_for(people.nav_advisor), people)
    assert people.school.name in on_record & in_caseload & in_timeline
    assert "Høyt fravær" not in text
    _consent_from(client_for(people.school_counsellor), people, people.school, Category.EDUCATION)
    *_seen, text = _seen_by_nav(client_for(people.nav_advisor), people)
    assert "Høyt fravær" in text


def _refer(sender: Any, people: Any, to_service: Any, from_service: Any = None) -> Any:
    """A referral of the youth (from the school, unless ``from_service``) to ``to_service``."""
    return sender.post(
        "/api/v1/referrals/",
        {
            "youth": str(people.youth.pk),
            "from_service": str((from_service or people.school).pk),
            "to_service": str(to_service.pk),
            "reason_code": "OTHER",
            "reason": "Trenger hjelp",
            "message": "Ta kontakt",
            "categories": [],
        },
        format="json",
    )


def test_a_referral_to_a_health_service_is_hidden_from_a_third_service(
    people: Any, client_for: Any
) -> None:
    factories.follow(people.school_counsellor, people.school, people.youth)
    sent = _refer(client_for(people.school_counsellor), people, people.health)
    assert sent.status_code == 201, sent.json()

    def referrals(user: Any) -> list[dict[str, Any]]:
        rows = client_for(user).get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()
        return [r for r in rows["results"] if r["type"] == "referral"]

    assert referrals(people.nav_advisor) == []
    mine = referrals(people.school_counsellor)
    assert [(r["category"], r["basis"]) for r in mine] == [("HEALTH", "own")]


def test_a_referral_is_not_refused_with_what_the_sender_may_not_know(
    people: Any, client_for: Any
) -> None:
    """That health follows the youth, or that NAV has referred them to child welfare, is not
    the school's to know: its referrals to those services are sent, not refused as "already
    follows" or "already referred". Where the involvement is general (NAV) or the school may
    see it, the refusal stands."""
    factories.follow(people.school_counsellor, people.school, people.youth)
    _health_follows(people)
    nav_refers = _refer(client_for(people.nav_advisor), people, people.child_welfare, people.nav)
    assert nav_refers.status_code == 201, nav_refers.json()
    school = client_for(people.school_counsellor)

    for service in (people.health, people.child_welfare):
        sent = _refer(school, people, service)
        assert sent.status_code == 201, sent.json()
    refused = _refer(school, people, people.nav)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "already_followed"
    # Its own referral still pending, the school is told so.
    again = _refer(school, people, people.child_welfare)
    assert again.json()["error"]["code"] == "referral_pending"


def test_a_handover_is_not_refused_with_what_the_offerer_may_not_know(people: Any) -> None:
    """Offering the youth to health, which follows them unknown to the school, is an offer
    like any other; to NAV, whose following is general information, it is refused."""
    from cases import services
    from cases.models import FollowUpPeriod, Handover

    factories.follow(people.school_counsellor, people.school, people.youth)
    _health_follows(people)
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.school)
    with pytest.raises(ApplicationError) as refused:
        services.handover_offer(
            actor=people.school_counsellor, period=period, to_service=people.nav
        )
    assert refused.value.code == "already_followed"
    offered = services.handover_offer(
        actor=people.school_counsellor, period=period, to_service=people.health
    )
    assert Handover.objects.get().pk == offered.pk


@pytest.mark.parametrize(
    ("category", "shown"), [(Category.EDUCATION, False), (Category.HEALTH, True)]
)
def test_a_referral_to_a_health_service_is_shown_to_a_third_service_only_under_a_health_consent(
    people: Any, client_for: Any, category: str, shown: bool
) -> None:
    """Health's involvement is in the health category: a consent from the health service that
    covers another category (education) shows it nothing, in the timeline's referrals, periods
    and on the record."""
    _health_follows(people)
    factories.follow(people.school_counsellor, people.school, people.youth)
    sent = _refer(client_for(people.school_counsellor), people, people.health)
    assert sent.status_code == 201, sent.json()
    _consent_from(client_for(people.health_nurse), people, people.health, category)
    nav = client_for(people.nav_advisor)
    rows = nav.get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()["results"]
    referrals = [(r["category"], r["basis"].split(":")[0]) for r in rows if r["type"] == "referral"]
    on_record, in_caseload, in_timeline, _text = _seen_by_nav(nav, people)
    assert referrals == ([("HEALTH", "consent")] if shown else [])
    assert (people.health.name in on_record | in_caseload | in_timeline) is shown
    assert people.school.name in on_record & in_timeline


@pytest.mark.parametrize(
    ("author", "service", "category"),
    [
        ("health_nurse", "health", Category.HEALTH),
        ("cw_caseworker", "child_welfare", Category.CHILD_WELFARE),
        ("nav_advisor", "nav", Category.WORK_AND_WELFARE),
        ("school_counsellor", "school", Category.EDUCATION),
        ("ot_counsellor", "ot", Category.EDUCATION),
    ],
)
def test_a_note_defaults_to_its_authors_service_category(
    people: Any, client_for: Any, author: str, service: str, category: str
) -> None:
    user, owner = getattr(people, author), getattr(people, service)
    if owner not in (people.nav, people.ot):
        factories.follow(user, owner, people.youth)
    response = client_for(user).post(
        f"/api/v1/youths/{people.youth.pk}/entries/",
        {
            "service": str(owner.pk),
            "occurred_on": str(people.youth.periods.first().started_on),
            "kind": "CONVERSATION",
            "text": "Samtale",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["category"] == category == kind_category(owner.kind)


def test_general_must_be_chosen_and_is_kept_when_chosen(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor).post(
        f"/api/v1/youths/{people.youth.pk}/entries/",
        {
            "service": str(people.nav.pk),
            "occurred_on": str(people.youth.periods.first().started_on),
            "kind": "CONVERSATION",
            "category": "GENERAL",
            "text": "Møtt til samtale",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert FollowUpEntry.objects.get().category == Category.GENERAL


def test_the_note_form_preselects_the_services_own_category_and_says_who_sees_it(
    people: Any, client_for: Any, client: Any
) -> None:
    factories.follow(people.health_nurse, people.health, people.youth)
    client.force_login(people.health_nurse)
    page = client.get(f"/youths/{people.youth.pk}/log/").content.decode()
    assert '<option value="HEALTH" selected>' in page
    assert "bare med samtykke" in page


def test_ots_registration_reason_is_among_its_periods_reasons(people: Any, client_for: Any) -> None:
    """Why OT follows the youth (its registration reason) is education information."""
    detail = client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/").json()
    [ot] = [p for p in detail["periods"] if p["service"]["id"] == str(people.ot.pk)]
    assert (ot["reason"], ot["registration_reason"]) == ("", "")
    own = client_for(people.ot_counsellor).get(f"/api/v1/youths/{people.youth.pk}/").json()
    [ot] = [p for p in own["periods"] if p["service"]["id"] == str(people.ot.pk)]
    assert ot["reason"] and ot["registration_reason"]


def test_the_caseload_shows_health_involvement_only_under_a_consent_into_a_following_service(
    people: Any, client_for: Any
) -> None:
    """A viewer in NAV and OT: a consent into OT shows health's involvement with a youth OT
    follows, not with one only NAV follows (the flow must reach a service that follows the
    youth, as on the youth's own page)."""
    from cases import services
    from consent.services import Flow
    from tests.consent.helpers import record

    services.membership_add(
        actor=None, user=people.nav_advisor, service=people.ot, role="CASEWORKER"
    )
    only_nav = factories.register_youth(people.nav_advisor, people.nav, first_name="Nora")
    with_ot = factories.register_youth(people.ot_counsellor, people.ot, first_name="Omar")
    for youth in (only_nav, with_ot):
        factories.follow(people.health_nurse, people.health, youth)
        record(
            people,
            Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.ot),
            subject=youth,
        )

    rows = client_for(people.nav_advisor).get("/api/v1/youths/?page_size=200").json()["results"]
    shown = {r["first_name"]: {p["service"]["name"] for p in r["follow_up"]} for r in rows}

    assert shown["Nora"] == {people.nav.name}
    assert shown["Omar"] == {people.ot.name, people.health.name}

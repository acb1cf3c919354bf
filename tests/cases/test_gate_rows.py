"""The gate's rows: who sees which entries, referrals, periods and consents on a youth's
timeline, which youths a caseload lists and which referrals a box holds, each page meeting every
row once."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from cases import access, services, timeline
from cases.models import FollowUpEntry, Service, Youth
from consent.services import Flow
from tests import factories


@pytest.fixture
def shared(people: Any) -> Any:
    """Entries of NAV, OT and health on one youth; a consent lets health's reach NAV."""
    factories.follow(people.health_nurse, people.health, people.youth)
    factories.log_entry(people, people.nav_advisor, people.nav, "WORK_AND_WELFARE", "nav")
    factories.log_entry(people, people.ot_counsellor, people.ot, "EDUCATION", "ot")
    factories.log_entry(people, people.ot_counsellor, people.ot, "GENERAL", "ot, generelt")
    factories.log_entry(people, people.health_nurse, people.health, "HEALTH", "helse")
    factories.give_consent(
        people, Flow(categories=["HEALTH"], from_party=people.health, to_party=people.nav)
    )
    return people


def _entry_texts(user: Any, youth: Any, *, cursor: Any = None, limit: int = 50) -> Any:
    viewer = access.viewer_for(user)
    allowed = access.allowed_for(viewer, youth.pk)
    if allowed is None:  # no service of the viewer's follows the youth: no timeline (a 404)
        return [], None
    items, following = timeline.timeline(viewer=viewer, allowed=allowed, cursor=cursor, limit=limit)
    return [item.obj["text"] for item in items if item.type == "entry"], following


def test_each_viewer_sees_the_entries_the_rule_gives(shared: Any) -> None:
    """Own entries, GENERAL ones, and others' only through a consent or a legal basis."""
    assert _entry_texts(shared.nav_advisor, shared.youth)[0] == ["helse", "ot, generelt", "nav"]
    assert _entry_texts(shared.ot_counsellor, shared.youth)[0] == ["ot, generelt", "ot"]
    assert _entry_texts(shared.health_nurse, shared.youth)[0] == ["helse", "ot, generelt"]
    assert _entry_texts(shared.outsider, shared.youth)[0] == []


def test_an_entry_shared_by_consent_shows_only_while_the_consent_is_in_force(shared: Any) -> None:
    viewer = access.viewer_for(shared.nav_advisor)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    for allowed, texts in [
        (access.allowed_for(viewer, shared.youth.pk), ["helse", "nav", "ot, generelt"]),
        (access.allowed_for(viewer, shared.youth.pk, at=an_hour_ago), ["nav", "ot, generelt"]),
    ]:
        assert allowed is not None
        seen = allowed.filter(FollowUpEntry.objects.all())
        assert sorted(seen.values_list("text", flat=True)) == texts
    assert access.allowed_for(access.viewer_for(shared.outsider), shared.youth.pk) is None


def test_the_timeline_pages_every_entry_once_newest_first(shared: Any) -> None:
    viewer = access.viewer_for(shared.nav_advisor)
    allowed = access.allowed_or_404(viewer, shared.youth.pk, purpose="test")
    walked: list[str] = []
    cursor = None
    while True:
        items, cursor = timeline.timeline(viewer=viewer, allowed=allowed, cursor=cursor, limit=1)
        walked += [f"{item.type}:{item.obj['id']}" for item in items]
        if cursor is None:
            break
    everything, _ = timeline.timeline(viewer=viewer, allowed=allowed, cursor=None, limit=50)
    assert walked == [f"{item.type}:{item.obj['id']}" for item in everything]
    assert len(set(walked)) == len(walked)


def test_every_following_service_sees_all_general_rows_paged_once(shared: Any) -> None:
    """Referrals, periods and consents are general information: each following viewer's pages
    hold all of them, once each; a referral's message only for the two services in it. A
    referral to child welfare is not (barnevernsloven § 13-1): only the two services in it see
    it without a consent covering child welfare; nor a health service's period (helsepersonelloven
    § 21)."""
    from cases.models import FollowUpPeriod, Referral
    from consent.models import Consent

    factories.send_referral(shared, shared.school)
    to_child_welfare = factories.send_referral(shared, shared.child_welfare)
    health_period = FollowUpPeriod.objects.get(youth=shared.youth, service=shared.health)
    factories.give_consent(
        shared, Flow(categories=["EDUCATION"], from_party=shared.ot, to_party=shared.nav)
    )
    expected = {
        "referral": set(Referral.objects.filter(youth=shared.youth).values_list("pk", flat=True)),
        "period": set(
            FollowUpPeriod.objects.filter(youth=shared.youth).values_list("pk", flat=True)
        ),
        "consent": set(
            Consent.objects.filter(subject_id=shared.youth.pk).values_list("pk", flat=True)
        ),
    }
    assert len(expected["referral"]) == 2 and len(expected["consent"]) == 2
    for user in (shared.nav_advisor, shared.ot_counsellor, shared.health_nurse):
        viewer = access.viewer_for(user)
        allowed = access.allowed_or_404(viewer, shared.youth.pk, purpose="test")
        walked: list[Any] = []
        cursor = None
        while True:
            items, cursor = timeline.timeline(
                viewer=viewer, allowed=allowed, cursor=cursor, limit=2
            )
            walked += items
            if cursor is None:
                break
        keys = [item.key for item in walked]
        order = [(k[0], k[1], uuid.UUID(k[2])) for k in keys]
        assert order == sorted(order, reverse=True)  # newest first across pages
        for kind, ids in expected.items():
            if kind == "referral" and user != shared.nav_advisor:
                ids = ids - {to_child_welfare.pk}
            if kind == "period" and user == shared.ot_counsellor:
                ids = ids - {health_period.pk}  # the consent covers health → NAV only
            found = [item.obj["id"] for item in walked if item.type == kind]
            assert sorted(found) == sorted(ids), (user, kind)


def test_the_caseload_lists_the_youths_each_filter_keeps(people: Any) -> None:
    """Every filter is a bound input: scope "mine" (a user id), a service, a municipality,
    names (their wildcards escaped: "a_" finds "A_li", not "Ali") and birth dates."""
    from cases import selectors

    services.membership_add(
        actor=None, user=people.nav_advisor, service=people.ot, role="CASEWORKER"
    )
    born = people.youth.birth_date
    for first, last in (("Ali", "Ahmed"), ("A_li", "Berg"), ("Åse", "Øye")):
        factories.register_youth(
            people.nav_advisor,
            people.nav,
            first_name=first,
            last_name=last,
            birth_date=born - datetime.timedelta(days=len(first)),
        )
    viewer = access.viewer_for(people.nav_advisor)
    choices = [
        {},
        {"scope": selectors.SCOPE_MINE},
        {"service_id": people.ot.pk},
        {"municipality_number": "4001"},
        {"name": "a_"},
        {"name": "Ø"},  # (SQLite folds the case of ASCII letters only)
        {"name": "ah ali"},
        {"born_after": born - datetime.timedelta(days=3), "born_before": born},
    ]
    found = []
    for choice in choices:
        caseload = selectors.youth_caseload(viewer, **choice)
        rows, total = caseload.page_with_total(0, 50)
        assert total == (len(rows) or None)
        assert len({row["id"] for row in rows}) == len(rows)  # each youth once
        found.append(sorted((row["first_name"], row["last_name"]) for row in rows))
    everyone = [("A_li", "Berg"), ("Ali", "Ahmed"), ("Emma", "Hansen"), ("Åse", "Øye")]
    assert found == [
        everyone,
        everyone,  # the advisor registered them all
        [("Emma", "Hansen")],  # OT follows the fixture's youth only
        [],
        [("A_li", "Berg")],
        [("Åse", "Øye")],
        [("Ali", "Ahmed")],
        [("Ali", "Ahmed"), ("Emma", "Hansen"), ("Åse", "Øye")],  # not A_li, 4 days older
    ]


def test_a_referral_box_holds_what_each_filter_keeps(people: Any) -> None:
    """Inbox and outbox, a state, the open states, overdue and not (against a day), and a
    page's bounds: the rows each keeps, newest first, the list's total with them."""
    from cases import selectors
    from cases.models import Referral
    from cases.paging import WindowCountPaginator

    sent = [factories.send_referral(people, to) for to in (people.health, people.child_welfare)]
    services.referral_decline(
        actor=people.cw_caseworker, referral=sent[1], version=1, reason="Ikke oss"
    )
    services.membership_add(
        actor=None, user=people.health_nurse, service=people.child_welfare, role="CASEWORKER"
    )
    nav, both = access.viewer_for(people.nav_advisor), access.viewer_for(people.health_nurse)
    late_day = sent[0].respond_by + datetime.timedelta(days=1)
    choices = [
        (nav, "outbox", {}),
        (both, "inbox", {}),
        (nav, "outbox", {"states": ("DECLINED",)}),
        (nav, "outbox", {"states": ("SENT", "RECEIVED")}),
        (nav, "outbox", {"overdue": True, "today": late_day}),
        (nav, "outbox", {"overdue": False, "today": late_day}),
        (nav, "outbox", {"overdue": True, "today": timezone.localdate()}),
        (nav, "inbox", {}),
    ]
    found = []
    for viewer, box, choice in choices:
        referrals = selectors.referral_list(viewer=viewer, box=box, **choice)
        page = WindowCountPaginator(referrals, 1).page(1)
        found.append((page.paginator.count, [row["state"] for row in page]))
    assert found == [
        (2, ["DECLINED"]),  # newest first
        (2, ["DECLINED"]),
        (1, ["DECLINED"]),
        (1, ["SENT"]),
        (1, ["SENT"]),  # the health referral, unanswered past its day
        (1, ["DECLINED"]),
        (0, []),
        (0, []),
    ]
    assert Referral.objects.count() == 2
    nobody = access.viewer_for(people.privacy_officer)  # no caseload role: no reach
    assert selectors.referral_list(viewer=nobody, box="inbox").page_with_total(0, 5) == ([], None)


YOUTH_COLUMNS = [field.attname for field in Youth._meta.concrete_fields]


def _gate(viewer: access.Viewer, youth_id: Any) -> Any:
    """The youth as ``youth_for_user`` gives it (every column), or None for its 404."""
    try:
        youth = access.youth_for_user(viewer, youth_id)
    except Http404:
        return None
    return {column: getattr(youth, column) for column in YOUTH_COLUMNS}


def test_the_gate_to_one_youth_follows_reach_as_it_changes(shared: Any) -> None:
    """Who reaches the youth (and a youth of another office), through which services: a
    service that stops being active or a membership that ends takes reach away at once."""
    other = factories.register_youth(shared.outsider, shared.elsewhere).pk
    users = {
        "nav": shared.nav_advisor,
        "ot": shared.ot_counsellor,
        "health": shared.health_nurse,
        "outsider": shared.outsider,
        "manager": shared.manager,
        "school": shared.school_counsellor,
    }

    def reach() -> dict[str, Any]:
        found = {}
        for name, user in users.items():
            viewer = access.viewer_for(user)
            following = access.following_services(viewer, shared.youth.pk)
            found[name] = (
                _gate(viewer, shared.youth.pk) is not None,
                _gate(viewer, str(other)) is not None,
                sorted(service for service, _kind in following),
            )
        return found

    nav, ot, health = shared.nav.pk, shared.ot.pk, shared.health.pk
    assert reach() == {
        "nav": (True, False, [nav]),
        "ot": (True, False, [ot]),
        "health": (True, False, [health]),
        "outsider": (False, True, []),
        "manager": (True, False, [nav]),  # managers reach what their service reaches
        "school": (False, False, []),  # the school does not follow the youth
    }
    assert _gate(access.viewer_for(shared.nav_advisor), shared.youth.pk)["national_id_sealed"]
    Service.objects.filter(pk=health).update(is_active=False)
    services.membership_end(actor=shared.manager, membership=shared.ot_counsellor.memberships.get())
    after = reach()
    assert after["health"] == after["ot"] == (False, False, [])
    assert after["nav"] == (True, False, [nav])


def test_a_malformed_youth_id_is_not_found(people: Any) -> None:
    with pytest.raises(Http404):
        access.youth_for_user(access.viewer_for(people.nav_advisor), "not-a-uuid")

"""Compiled statements: the ORM's SQL kept per shape of the inputs and run again with
new values must give what the ORM gives, and refuse a query it cannot bind safely."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from cases import access, services, timeline
from cases.models import FollowUpEntry, Service
from cases.statements import Fixed, Statement, UnfitQuery
from consent.models import AccessLogEntry
from consent.services import Flow
from tests import factories

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are compiled on PostgreSQL only"
)


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


def _inputs(user: Any, people: Any, *, at: datetime.datetime, after: Any, limit: int) -> Any:
    following = access.following_services(access.viewer_for(user), people.youth.pk)
    return {
        "youth": people.youth.pk,
        "parties": [service for service, _kind in following],
        "kinds": sorted({kind for _service, kind in following}),
        "at": at,
        "on": timezone.localdate(at),
        "after": after,
        "limit": Fixed(limit),
    }


def test_the_compiled_timeline_query_reads_what_the_orm_reads(shared: Any) -> None:
    """Other viewers, a cursor, another moment (before the consent) and another page size:
    every call reads the ORM's rows."""
    statement = Statement(timeline._entry_page)
    now = timezone.now()
    first = _inputs(shared.nav_advisor, shared, at=now, after=None, limit=2)
    first_rows = statement.rows(**first)
    last = first_rows[1]
    cases = [
        first,
        _inputs(shared.nav_advisor, shared, at=now, after=(last[2], last[3], last[0]), limit=2),
        _inputs(shared.ot_counsellor, shared, at=now, after=None, limit=2),
        _inputs(
            shared.nav_advisor, shared, at=now - datetime.timedelta(hours=1), after=None, limit=9
        ),
        _inputs(shared.health_nurse, shared, at=now, after=None, limit=9),
    ]
    results = [statement.rows(**inputs) for inputs in cases]
    orm = [list(statement.query(**inputs)) for inputs in cases]
    assert results == orm
    texts = [[row[6] for row in rows] for rows in results]
    assert texts == [
        ["helse", "ot, generelt", "nav"],  # newest first; health's note through the consent
        ["nav"],  # after the cursor
        ["ot, generelt", "ot"],  # OT's own education note; NAV's is not shared with OT
        ["ot, generelt", "nav"],  # an hour ago the consent did not exist
        ["helse", "ot, generelt"],
    ]


GENERAL_SOURCES = {
    # statement, the row's moment (its day is the moment's local day) or (day, moment) columns
    "referrals": (timeline.REFERRAL_PAGE, 2, None),
    "periods": (timeline.PERIOD_PAGE, 3, 2),
    "consents": (timeline.CONSENT_PAGE, 2, None),
}


@pytest.mark.parametrize("source", GENERAL_SOURCES)
def test_the_compiled_general_sources_read_what_the_orm_reads(shared: Any, source: str) -> None:
    """Referrals, periods and consents paged one row at a time from the cursor of the row
    before: every page is the ORM's, and the walk meets every row once, newest first."""
    factories.send_referral(shared, shared.school)
    factories.send_referral(shared, shared.child_welfare)
    factories.give_consent(
        shared, Flow(categories=["EDUCATION"], from_party=shared.ot, to_party=shared.nav)
    )
    statement, moment, day = GENERAL_SOURCES[source]
    walked: list[Any] = []
    key: timeline.Key | None = None
    while True:
        after = timeline._position(key) if day else timeline._moment_position(key)
        inputs = {"youth": shared.youth.pk, "after": after, "limit": Fixed(1)}
        rows = statement.rows(**inputs)
        assert rows == list(statement.query(**inputs))
        walked.append(rows[0])
        if len(rows) == 1:
            break
        row = rows[0]
        key = (
            (row[day], row[moment], str(row[0]))
            if day
            else (timezone.localdate(row[moment]), row[moment], str(row[0]))
        )
    everything = statement.rows(youth=shared.youth.pk, after=None, limit=Fixed(50))
    assert walked == everything
    assert len(everything) >= 2


@on_postgresql
def test_a_shape_compiled_once_is_bound_again_without_building(shared: Any) -> None:
    builds: list[Any] = []

    def counted(**inputs: Any) -> Any:
        builds.append(inputs)
        return timeline._entry_page(**inputs)

    statement = Statement(counted)
    now = timezone.now()
    statement.rows(**_inputs(shared.nav_advisor, shared, at=now, after=None, limit=5))
    compiled = len(builds)
    for user in (shared.nav_advisor, shared.ot_counsellor, shared.health_nurse):
        statement.rows(**_inputs(user, shared, at=now, after=None, limit=5))
    assert len(builds) == compiled == 3  # the first call's build, and two with stand-ins


@on_postgresql
@pytest.mark.parametrize(
    ("build", "why"),
    [
        (lambda *, name: Service.objects.filter(name__icontains=name).values_list("id"), "der"),
        (lambda *, name, day: Service.objects.filter(name=name).values_list("id"), "not a p"),
        (
            lambda *, name: Service.objects.extra(where=[f"name = '{name}'"]).values_list("id"),
            "written",
        ),
        (lambda *, name: Service.objects.filter(name=name), "values_list"),
        (lambda *, size: Service.objects.values_list("id")[:size], "written"),
    ],
    ids=["derived", "unused", "written-into-sql", "model-rows", "int-limit"],
)
def test_a_query_that_cannot_be_bound_is_refused(people: Any, build: Any, why: str) -> None:
    names = build.__code__.co_varnames
    inputs: dict[str, Any] = {"name": "NAV Skien"} if "name" in names else {"size": 3}
    if "day" in names:
        inputs["day"] = datetime.date(2027, 1, 1)
    with pytest.raises(UnfitQuery, match=why):
        Statement(build).rows(**inputs)


def test_inputs_are_values_not_objects(people: Any) -> None:
    statement = Statement(lambda *, service: Service.objects.filter(pk=service).values_list("id"))
    with pytest.raises(TypeError, match="Service"):
        statement.rows(service=people.nav)
    assert statement.rows(service=people.nav.pk) == [(people.nav.pk,)]


def test_the_timeline_entries_are_the_policys(shared: Any) -> None:
    """The page's entries are exactly what ``access.visible`` lets the viewer see."""
    viewer = access.viewer_for(shared.nav_advisor)
    following = access.following_services(viewer, shared.youth.pk)
    seen = access.visible(
        viewer, FollowUpEntry.objects.all(), one_youth=(shared.youth.pk, following)
    )
    items, _ = timeline.timeline(user=viewer, youth=shared.youth, cursor=None, limit=50)
    assert {i.obj.pk for i in items if i.type == "entry"} == set(seen.values_list("pk", flat=True))
    bases = {i.obj.text: i.basis for i in items if i.type == "entry"}
    assert bases["nav"] == "own" and bases["helse"].startswith("consent:")


def test_a_json_column_is_read_as_the_orm_reads_it(shared: Any, client_for: Any) -> None:
    client_for(shared.nav_advisor).get(f"/api/v1/youths/{shared.youth.pk}/timeline/")
    statement = Statement(
        lambda *, name: (
            AccessLogEntry.objects.filter(actor_name=name)
            .order_by("id")
            .values_list("items", "categories")
        )
    )
    name = shared.nav_advisor.get_full_name()
    rows = statement.rows(name=name)
    assert rows == list(statement.query(name=name))
    assert {item["type"] for item in rows[0][0]} == {"entry", "period", "consent"}


def test_the_compiled_caseload_page_reads_what_the_orm_reads(people: Any) -> None:
    """Every filter is a bound input: scope "mine" (a user id), a service, a municipality,
    names (their wildcards escaped: "a_" finds "A_li", not "Ali") and birth dates."""
    from cases import selectors
    from cases.caseload import PAGE

    services.membership_add(user=people.nav_advisor, service=people.ot, role="CASEWORKER")
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
        assert caseload.filters is not None
        inputs = {"one_service": caseload.one_service, "bottom": Fixed(0), "top": Fixed(50)}
        inputs.update(caseload.filters.inputs())
        rows = PAGE.rows(**inputs)
        assert rows == list(PAGE.query(**inputs))
        found.append(sorted({(row[1], row[2]) for row in rows}))
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


def test_the_compiled_referral_page_reads_what_the_orm_reads(people: Any) -> None:
    """Inbox and outbox, a state, the open states, overdue and not (against a day), and a
    page's bounds: each the ORM's rows, the list's total in each."""
    from cases.models import Referral
    from cases.referral_list import PAGE, ReferralFilter, ReferralList

    sent = [factories.send_referral(people, to) for to in (people.health, people.child_welfare)]
    services.referral_decline(
        actor=people.cw_caseworker, referral=sent[1], version=1, reason="Ikke oss"
    )
    late_day = sent[0].respond_by + datetime.timedelta(days=1)
    choices = [
        ReferralFilter("outbox", (people.nav.pk,)),
        ReferralFilter("inbox", (people.health.pk, people.child_welfare.pk)),
        ReferralFilter("outbox", (people.nav.pk,), states=("DECLINED",)),
        ReferralFilter("outbox", (people.nav.pk,), states=("SENT", "RECEIVED")),
        ReferralFilter("outbox", (people.nav.pk,), overdue=True, today=late_day),
        ReferralFilter("outbox", (people.nav.pk,), overdue=False, today=late_day),
        ReferralFilter("outbox", (people.nav.pk,), overdue=True, today=timezone.localdate()),
    ]
    found = []
    for choice in choices:
        inputs = {"bottom": Fixed(0), "top": Fixed(1), **choice.inputs()}
        rows = PAGE.rows(**inputs)
        assert rows == list(PAGE.query(**inputs))
        page, total = ReferralList(choice).page_with_total(0, 1)
        found.append((total, [row.state for row in page]))
    assert found == [
        (2, ["DECLINED"]),  # newest first
        (2, ["DECLINED"]),
        (1, ["DECLINED"]),
        (1, ["SENT"]),
        (1, ["SENT"]),  # the health referral, unanswered past its day
        (1, ["DECLINED"]),
        (None, []),
    ]
    assert Referral.objects.count() == 2
    assert ReferralList(ReferralFilter("inbox", ())).page_with_total(0, 5) == ([], None)


@on_postgresql
def test_the_shapes_kept_are_bounded(people: Any) -> None:
    statement = Statement(
        lambda *, names: Service.objects.filter(name__in=names).order_by("name").values_list("name")
    )
    statement.max_shapes = 2
    for count in range(1, 5):  # a list's length is part of the shape
        assert statement.rows(names=["NAV Skien", "OT Skien"][:1] * count) == [("NAV Skien",)]
    assert len(statement._compiled) == 2


def _gate(who: Any, youth_id: Any) -> Any:
    """The youth as ``youth_for_user`` gives it (every column), or None for its 404."""
    try:
        youth = access.youth_for_user(who, youth_id)
    except Http404:
        return None
    return {column: getattr(youth, column) for column in access.YOUTH_COLUMNS}


def test_the_viewers_compiled_look_ups_read_what_the_user_form_reads(shared: Any) -> None:
    """Memberships, the services following a youth and the gate to one youth, for a viewer
    (compiled) and for the user (the ORM's subqueries): the same, also after a service stops
    being active and a membership ends."""
    from cases.models import StaffMembership

    users = [shared.nav_advisor, shared.ot_counsellor, shared.health_nurse, shared.outsider]
    users += [shared.manager, shared.school_counsellor]
    ids = [
        shared.youth.pk,
        str(shared.youth.pk),
        factories.register_youth(shared.outsider, shared.elsewhere).pk,
    ]

    def compare() -> None:
        for user in users:
            viewer = access.viewer_for(user)
            expected = StaffMembership.objects.filter(user=user, ended_at=None).order_by(
                "service__name", "role"
            )
            assert [(m.service_id, m.role, m.service_is_active) for m in viewer.memberships] == [
                (m.service_id, m.role, m.service.is_active) for m in expected
            ]
            assert sorted(access.following_services(viewer, shared.youth.pk)) == sorted(
                access.following_services(user, shared.youth.pk)
            )
            for youth_id in ids:
                assert _gate(viewer, youth_id) == _gate(user, youth_id)

    compare()
    assert _gate(access.viewer_for(shared.nav_advisor), shared.youth.pk)["national_id"]
    assert _gate(access.viewer_for(shared.nav_advisor), ids[2]) is None
    assert _gate(access.viewer_for(shared.outsider), ids[2]) is not None
    Service.objects.filter(pk=shared.health.pk).update(is_active=False)
    compare()
    assert access.following_services(access.viewer_for(shared.health_nurse), shared.youth.pk) == []
    services.membership_end(actor=shared.manager, membership=shared.ot_counsellor.memberships.get())
    compare()
    assert _gate(access.viewer_for(shared.ot_counsellor), shared.youth.pk) is None


def test_a_malformed_youth_id_is_not_found(people: Any) -> None:
    with pytest.raises(Http404):
        access.youth_for_user(access.viewer_for(people.nav_advisor), "not-a-uuid")

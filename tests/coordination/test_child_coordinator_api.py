"""The child coordinator through the API: only the municipality's services hold the role; the
plan is offered to a coordinator for adults before 18 (CHILD-COORDINATOR-18); the role ends at
18 by itself (the nightly sweep), audited, and the plan shows it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cases import services
from cases.models import ServiceKind
from consent.ages import birthday
from coordination.deadlines import ledger
from coordination.models import ChildCoordinator, Deadline, PlanKind
from coordination.plans import services as plan_services
from core.models import AuditEntry
from tests import factories
from tests.coordination.conftest import at
from tests.factories import derived, sync_youth

D = datetime.date.fromisoformat


def _at_age(birth: str, years: int) -> str:
    return birthday(D(birth), years).isoformat()


def _child(people: Any, birth: str) -> Any:
    """A child NAV and the municipality's health service follow."""
    child = factories.register_youth(people.nav_advisor, people.nav, birth_date=D(birth))
    factories.follow(people.health_nurse, people.health, child)
    return derived(child)


def _body(people: Any, child: Any, service: Any, on: str) -> dict[str, Any]:
    return {
        "youth": str(child.pk),
        "service": str(service.pk),
        "decided_on": on,
        "serious_condition": True,
        "needs_complex_services": True,
        "reasons": "Alvorlig sykdom, mange tjenester",
    }


def _with_plan(people: Any, child: Any, on: str) -> Any:
    """The health nurse is the child coordinator and coordinates the child's plan, in which
    NAV takes part."""
    derived(
        plan_services.child_coordinator_record(
            actor=people.health_nurse,
            youth=child,
            service=people.health,
            decided_on=D(on),
            serious_condition=True,
            needs_complex_services=True,
            reasons="Alvorlig sykdom",
            coordinator=people.health_nurse,
        )
    )
    return derived(
        plan_services.plan_create(
            actor=people.health_nurse,
            youth=child,
            kind=PlanKind.STAFETTLOGG,
            service=people.health,
            participants=[plan_services.NewParticipant(service=people.nav)],
        )
    )


def _handover_deadline(client: Any, child: Any) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/deadlines/",
        {
            "scope": "service",
            "state": "all",
            "rule": "CHILD-COORDINATOR-18",
            "youth": str(child.pk),
        },
    )
    assert response.status_code == 200, response.content
    return [
        {"due_on": d["due_on"], "status": d["status"], "staff": (d["staff"] or {}).get("username")}
        for d in response.json()["results"]
    ]


# --- Who may hold the role ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "staff"),
    [
        (ServiceKind.NAV, "nav_advisor"),
        (ServiceKind.OT, "ot_counsellor"),
        (ServiceKind.SCHOOL, "school_counsellor"),
    ],
)
def test_only_the_municipality_s_services_may_hold_the_child_coordinator_role(
    people: Any, client_for: Any, travel: Any, kind: str, staff: str
) -> None:
    travel("2027-03-01")
    child = _child(people, "2013-05-05")
    service = {ServiceKind.NAV: people.nav, ServiceKind.OT: people.ot}.get(kind, people.school)
    actor = getattr(people, staff)
    if kind != ServiceKind.NAV:
        factories.follow(actor, service, child)
    body = _body(people, child, service, "2027-03-01")
    nb = client_for(actor).post("/api/v1/child-coordinators/", body, format="json")
    assert nb.status_code == 400, nb.content
    assert nb.json()["error"]["fields"]["service"][0]["message"] == (
        "Bare kommunens egne tjenester kan ha barnekoordinator: helse- og omsorgstjenesten, "
        "barneverntjenesten eller en annen kommunal tjeneste for barn."
    )
    en = client_for(actor, "en").post("/api/v1/child-coordinators/", body, format="json")
    assert en.json()["error"]["fields"]["service"][0]["message"] == (
        "Only the municipality's own services can hold the child coordinator role: the health "
        "and care service, the child welfare service or another municipal service for children."
    )
    assert not ChildCoordinator.objects.exists()


def test_the_municipality_s_health_child_welfare_and_other_services_may_hold_the_role(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-03-01")
    ppt = factories.make_service(ServiceKind.OTHER, "PPT Skien")
    ppt_advisor = factories.make_staff(ppt, username="siri.ppt")
    for service, actor in (
        (people.health, people.health_nurse),
        (people.child_welfare, people.cw_caseworker),
        (ppt, ppt_advisor),
    ):
        child = _child(people, "2013-05-05")
        if service != people.health:
            factories.follow(actor, service, child)
        response = client_for(actor).post(
            "/api/v1/child-coordinators/",
            {**_body(people, child, service, "2027-03-01"), "coordinator": actor.username},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["right_granted"], body["coordinator"]["username"]) == (True, actor.username)
        assert (body["ends_on"], body["handover_due_on"]) == ("2031-05-05", "2030-11-05")


def test_a_county_service_with_a_municipal_kind_but_no_municipality_may_not_hold_the_role(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-03-01")
    county_health = factories.make_service(
        ServiceKind.HEALTH, "Fylkestannhelsetjenesten", municipality_number="", county_number="40"
    )
    dentist = factories.make_staff(county_health, username="tor.tann")
    child = _child(people, "2013-05-05")
    factories.follow(dentist, county_health, child)
    response = client_for(dentist).post(
        "/api/v1/child-coordinators/",
        _body(people, child, county_health, "2027-03-01"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"service"}


# --- The handover to a coordinator for adults -----------------------------------------------


@pytest.mark.parametrize(
    ("birth", "opens", "due"),
    [
        ("2010-06-15", "2027-06-15", "2027-12-15"),
        ("2010-08-31", "2027-08-31", "2028-02-29"),  # a month's end, into a leap February
        ("2011-08-31", "2028-08-31", "2029-02-28"),  # a month's end, no leap day
        ("2012-02-29", "2029-03-01", "2029-09-01"),  # born on a leap day: 18 on 1 March 2030
    ],
)
def test_the_child_coordinator_offers_the_plan_to_an_adult_coordinator_months_before_18(
    people: Any, client_for: Any, travel: Any, birth: str, opens: str, due: str
) -> None:
    sixteen = _at_age(birth, 16)
    travel(sixteen)
    child = _child(people, birth)
    plan = _with_plan(people, child, sixteen)
    nurse = client_for(people.health_nurse)
    assert _handover_deadline(nurse, child) == [
        {"due_on": due, "status": "OPEN", "staff": "anne.helse"}
    ]
    offer = {"to_user": "ingrid.nav", "to_service": str(people.nav.pk)}
    day_before = (D(opens) - datetime.timedelta(days=1)).isoformat()
    travel(day_before)
    early = nurse.post(f"/api/v1/plans/{plan.pk}/coordinator/", offer, format="json")
    assert early.status_code == 400, early.content
    assert set(early.json()["error"]["fields"]) == {"to_user"}
    travel(opens)
    made = nurse.post(f"/api/v1/plans/{plan.pk}/coordinator/", offer, format="json")
    assert made.status_code == 201, made.content
    assert _handover_deadline(nurse, child) == [
        {"due_on": due, "status": "MET", "staff": "anne.helse"}
    ]
    accepted = plan_services.coordinator_accept(actor=people.nav_advisor, plan=plan)
    assert accepted.coordinator == people.nav_advisor
    assert _handover_deadline(nurse, child)[0]["status"] == "MET"


def test_a_child_coordinator_handover_not_offered_by_the_due_day_is_missed(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2026-06-15")
    child = _child(people, "2010-06-15")
    _with_plan(people, child, "2026-06-15")
    ledger.sweep(now=at("2027-12-16", 2, 15))
    travel("2027-12-16")
    nurse = client_for(people.health_nurse)
    assert _handover_deadline(nurse, child) == [
        {"due_on": "2027-12-15", "status": "MISSED", "staff": "anne.helse"}
    ]


def test_no_handover_deadline_without_a_plan_the_child_coordinator_coordinates(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2026-06-15")
    child = _child(people, "2010-06-15")
    derived(
        plan_services.child_coordinator_record(
            actor=people.health_nurse,
            youth=child,
            service=people.health,
            decided_on=D("2026-06-15"),
            serious_condition=True,
            needs_complex_services=True,
            reasons="Alvorlig sykdom",
            coordinator=people.health_nurse,
        )
    )
    assert _handover_deadline(client_for(people.health_nurse), child) == []


# --- The end at 18 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "turns_18"),
    [
        ("2010-06-15", "2028-06-15"),
        ("2010-12-31", "2028-12-31"),  # the year's last day
        ("2012-02-29", "2030-03-01"),  # born on a leap day; 2030 has none
    ],
)
def test_the_child_coordinator_role_ends_at_18_by_itself_and_the_plan_shows_it(
    people: Any, client_for: Any, travel: Any, birth: str, turns_18: str
) -> None:
    sixteen = _at_age(birth, 16)
    travel(sixteen)
    child = _child(people, birth)
    plan = _with_plan(people, child, sixteen)
    day_before = (D(turns_18) - datetime.timedelta(days=1)).isoformat()
    ledger.sweep(now=at(day_before, 23, 59))
    assert ChildCoordinator.objects.get(youth=child).ended_at is None
    # Nothing about the child changes on the birthday: the nightly sweep ends the role.
    ledger.sweep(now=at(turns_18, 2, 15))
    travel(turns_18, 9)
    nurse = client_for(people.health_nurse)
    shown = nurse.get(f"/api/v1/plans/{plan.pk}/").json()["child_coordinator"]
    assert (shown["ended_at"], shown["end_reason"], shown["ends_on"]) == (
        at(turns_18, 0).isoformat(),
        "AGE_18",
        turns_18,
    )
    listed = nurse.get("/api/v1/child-coordinators/", {"youth": str(child.pk)}).json()
    assert [r["end_reason"] for r in listed] == ["AGE_18"]
    entry = AuditEntry.objects.get(action="child_coordinator.ended")
    assert (entry.actor, entry.data) == (None, {"reason": "AGE_18"})
    # Ended once: the next sweep changes nothing.
    ledger.sweep(now=at(turns_18, 23))
    assert AuditEntry.objects.filter(action="child_coordinator.ended").count() == 1
    # After 18, the plan's coordinator is no longer bound to the child coordinator.
    made = nurse.post(
        f"/api/v1/plans/{plan.pk}/coordinator/",
        {"to_user": "ingrid.nav", "to_service": str(people.nav.pk)},
        format="json",
    )
    assert made.status_code == 201, made.content


def test_the_role_ends_at_18_even_when_no_service_follows_the_child_any_more(
    people: Any, travel: Any
) -> None:
    travel("2026-06-15")
    child = _child(people, "2010-06-15")
    plan = _with_plan(people, child, "2026-06-15")
    travel("2027-01-04")
    plan_services.plan_close(
        actor=people.health_nurse, plan=plan, version=plan.version, reason="NOT_NEEDED"
    )
    for actor, service in ((people.nav_advisor, people.nav), (people.health_nurse, people.health)):
        period = child.periods.get(service=service, ended_on__isnull=True)
        derived(
            services.period_close(
                actor=actor, period=period, version=period.version, end_reason="Flyttet"
            )
        )
    assert not Deadline.objects.filter(youth=child, closed_at__isnull=True).exists()
    ledger.sweep(now=at("2028-06-15", 2, 15))
    assert ChildCoordinator.objects.get(youth=child).end_reason == "AGE_18"


def test_deriving_a_child_s_deadlines_takes_the_same_queries_however_many_offers(
    people: Any, travel: Any, count_queries: Any
) -> None:
    travel("2027-07-01")
    child = _child(people, "2010-06-15")
    plan = _with_plan(people, child, "2027-07-01")
    offer = {"to_user": people.nav_advisor, "to_service": people.nav}
    derived(plan_services.coordinator_offer(actor=people.health_nurse, plan=plan, **offer))
    with count_queries() as few:
        sync_youth(child.pk)
    for _ in range(3):
        plan_services.coordinator_decline(actor=people.nav_advisor, plan=plan, reason="Nei")
        derived(plan_services.coordinator_offer(actor=people.health_nurse, plan=plan, **offer))
    with count_queries() as many:
        sync_youth(child.pk)
    assert len(few) == len(many) <= 24

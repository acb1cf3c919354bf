"""The plan API: shapes, errors in both languages, logging, history, query counts, print."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cases.models import FactChange
from consent.categories import Category
from consent.models import AccessLogEntry
from coordination.deadlines import ledger
from coordination.models import Deadline, DeadlineStatus, Plan, PlanStatus
from coordination.plans import services as plan_services
from tests.coordination.conftest import at
from tests.coordination.plan_helpers import activate, make_plan
from tests.factories import derived


def _create_body(people: Any, **extra: Any) -> dict[str, Any]:
    return {
        "youth": str(people.youth.pk),
        "kind": "INDIVIDUAL",
        "service": str(people.ot.pk),
        "my_life_so_far": "Slutta på vg1 etter jul.",
        "participants": [
            {"service": str(people.nav.pk), "contact": "ingrid.nav", "contribution": "Tiltak"}
        ],
        "consent": {
            "giver": "SUBJECT",
            "method": "SIGNED_FORM",
            "agreed_text": "Jeg vil ha individuell plan.",
            "categories": ["WORK_AND_WELFARE"],
        },
        **extra,
    }


def test_the_coordinator_creates_a_plan_through_the_api(people: Any, client_for: Any) -> None:
    response = client_for(people.coordinator).post(
        "/api/v1/plans/", _create_body(people), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "INDIVIDUAL" and body["status"] == "DRAFT"
    assert body["coordinator"] == {
        "username": "eva.koord",
        "name": people.coordinator.get_full_name(),
    }
    assert [p["service"]["name"] for p in body["participants"]] == ["OT Skien", "NAV Skien"]
    assert body["my_rights"] == ["coordinator", "edit_plan_measures", "edit_plan_goals"]
    assert body["my_life_so_far"] == "Slutta på vg1 etter jul."


def test_an_individual_plan_without_consent_is_a_400_in_both_languages(
    people: Any, client_for: Any
) -> None:
    body = _create_body(people)
    del body["consent"]
    nb = client_for(people.coordinator).post("/api/v1/plans/", body, format="json")
    assert nb.status_code == 400
    assert [f["message"] for f in nb.json()["error"]["fields"]["consent"]] == [
        "En individuell plan kan bare lages med samtykke fra ungdommen."
    ]
    en = client_for(people.coordinator, "en").post("/api/v1/plans/", body, format="json")
    assert [f["message"] for f in en.json()["error"]["fields"]["consent"]] == [
        "An individual plan can only be made with the young person's consent."
    ]
    assert not Plan.objects.exists()


def test_bad_input_names_every_field(people: Any, client_for: Any) -> None:
    response = client_for(people.coordinator).post(
        "/api/v1/plans/",
        {"youth": "nei", "kind": "PLAN", "service": str(people.ot.pk), "surprise": 1},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"youth", "kind", "surprise"}


def test_a_stale_version_is_a_409(people: Any, client_for: Any) -> None:
    plan = make_plan(people)
    client = client_for(people.coordinator)
    ok = client.patch(
        f"/api/v1/plans/{plan.pk}/", {"version": plan.version, "needs": "Bolig"}, format="json"
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/plans/{plan.pk}/", {"version": plan.version, "needs": "Jobb"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == plan.version + 1


def test_reading_the_plan_is_logged_with_what_was_shown(people: Any, client_for: Any) -> None:
    plan = make_plan(people)
    goal = plan_services.goal_add(
        actor=people.coordinator, plan=plan, title="Jobb", category=Category.WORK_AND_WELFARE
    )
    response = client_for(people.nav_advisor).get(f"/api/v1/plans/{plan.pk}/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.filter(purpose="plan").latest("at")
    assert entry.actor == people.nav_advisor and entry.subject_id == people.youth.pk
    assert {i["type"] for i in entry.items} == {"plan", "plan-goal"}
    plan_item = next(i for i in entry.items if i["type"] == "plan")
    assert plan_item["basis"] == f"consent:{plan.consent_id}"
    goal_item = next(i for i in entry.items if i["type"] == "plan-goal")
    assert goal_item["id"] == str(goal.pk) and goal_item["basis"].startswith("consent:")


def test_an_outsider_gets_404_and_the_attempt_is_invisible(people: Any, client_for: Any) -> None:
    plan = make_plan(people)
    assert client_for(people.outsider).get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    assert client_for(people.school_counsellor).get(f"/api/v1/plans/{plan.pk}/").status_code == 404


def test_the_plan_at_a_past_date(people: Any, client_for: Any, travel: Any) -> None:
    travel("2026-02-02", 9)
    plan = make_plan(people, needs="Hjelp med søknader")
    travel("2026-02-20", 9)
    plan_services.plan_update(
        actor=people.coordinator, plan=plan, version=plan.version, values={"needs": "Bolig"}
    )
    client = client_for(people.nav_advisor)
    then = client.get(f"/api/v1/plans/{plan.pk}/", {"at": at("2026-02-10").isoformat()})
    assert then.status_code == 200
    assert then.json()["needs"] == "Hjelp med søknader"
    assert then.json()["at"].startswith("2026-02-10")
    assert client.get(f"/api/v1/plans/{plan.pk}/").json()["needs"] == "Bolig"
    before = client.get(f"/api/v1/plans/{plan.pk}/", {"at": at("2026-01-01").isoformat()})
    assert before.status_code == 404
    history = client.get(f"/api/v1/plans/{plan.pk}/history/").json()["results"]
    assert history[0]["changes"] == {"needs": ["Hjelp med søknader", "Bolig"]}
    assert history[0]["actor"]["username"] == "eva.koord"


def test_coordinator_handover_through_the_api(people: Any, client_for: Any) -> None:
    plan = make_plan(people)
    offer = client_for(people.coordinator).post(
        f"/api/v1/plans/{plan.pk}/coordinator/",
        {"to_user": "ingrid.nav", "to_service": str(people.nav.pk)},
        format="json",
    )
    assert offer.status_code == 201, offer.content
    handover_id = offer.json()["id"]
    nav = client_for(people.nav_advisor)
    # It shows in the handover inbox, but is answered on the plan.
    inbox = nav.get("/api/v1/handovers/").json()["results"]
    assert [(h["id"], h["kind"], h["about_id"]) for h in inbox] == [
        (handover_id, "PLAN_COORDINATOR", str(plan.pk))
    ]
    refused = nav.post(f"/api/v1/handovers/{handover_id}/accept/")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "answer_in_plan"
    detail = nav.get(f"/api/v1/plans/{plan.pk}/").json()
    assert detail["coordinator"]["username"] == "eva.koord"
    assert detail["pending_coordinator_handover"]["to_user"]["username"] == "ingrid.nav"
    accepted = nav.post(f"/api/v1/plans/{plan.pk}/coordinator/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["coordinator"]["username"] == "ingrid.nav"
    assert accepted.json()["service"]["name"] == "NAV Skien"
    assert accepted.json()["pending_coordinator_handover"] is None


def test_a_review_through_the_api_sets_the_next_date(
    people: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = activate(people, make_plan(people))
    goal = derived(plan_services.goal_add(actor=people.coordinator, plan=plan, title="Jobb"))
    nav = plan.participants.get(service=people.nav)
    plan.refresh_from_db()
    next_day = datetime.date.today() + datetime.timedelta(days=60)
    synced: list[Any] = []
    sync = ledger.sync_youths
    monkeypatch.setattr(
        ledger, "sync_youths", lambda ids, **kw: synced.append(list(ids)) or sync(ids, **kw)
    )
    response = client_for(people.coordinator).post(
        f"/api/v1/plans/{plan.pk}/reviews/",
        {
            "version": plan.version,
            "held_on": datetime.date.today().isoformat(),
            "next_review_on": next_day.isoformat(),
            "attendees": [str(nav.pk)],
            "goal_notes": [{"goal": str(goal.pk), "achieved": "Har fått praksisplass"}],
            "changes_agreed": "Nytt tiltak fra NAV",
            "youth_view": "Fornøyd",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    # The plan's writes record their facts; the youth is derived once, before the response
    # arrives: the review met the one due and the next is a deadline.
    assert synced == [[people.youth.pk]]
    assert not FactChange.objects.exists()
    reviews = Deadline.objects.filter(rule_id="IP-REVIEW").order_by("due_on")
    assert [(d.due_on, d.status) for d in reviews][-1] == (next_day, DeadlineStatus.OPEN)
    assert reviews.first().status == DeadlineStatus.MET  # type: ignore[union-attr]
    assert response.json()["attendees"] == [str(nav.pk)]
    assert response.json()["goal_notes"][0]["achieved"] == "Har fått praksisplass"
    listed = client_for(people.nav_advisor).get(f"/api/v1/plans/{plan.pk}/reviews/").json()
    assert listed[0]["next_review_on"] == next_day.isoformat()
    logged = AccessLogEntry.objects.filter(purpose="plan-reviews").latest("at")
    review_item = next(i for i in logged.items if i["type"] == "plan-review")
    assert review_item["basis"] == f"consent:{plan.consent_id}"


def test_grants_through_the_api(people: Any, client_for: Any) -> None:
    plan = make_plan(people)
    client = client_for(people.coordinator)
    granted = client.post(
        f"/api/v1/plans/{plan.pk}/permissions/",
        {"user": "ingrid.nav", "permission": "edit_plan_goals"},
        format="json",
    )
    assert granted.json() == [
        {
            "user": {"username": "ingrid.nav", "name": people.nav_advisor.get_full_name()},
            "permissions": ["edit_plan_goals"],
        }
    ]
    detail = client_for(people.nav_advisor).get(f"/api/v1/plans/{plan.pk}/").json()
    assert detail["my_rights"] == ["edit_plan_goals"]
    revoked = client_for(people.coordinator).post(
        f"/api/v1/plans/{plan.pk}/permissions/revoke/",
        {"user": "ingrid.nav", "permission": "edit_plan_goals"},
        format="json",
    )
    assert revoked.json() == []


def test_the_dashboard_api(people: Any, client_for: Any) -> None:
    plan = activate(people, make_plan(people), review_in_days=10)
    body = client_for(people.coordinator).get("/api/v1/plans/dashboard/").json()
    assert [p["id"] for p in body["plans"]] == [str(plan.pk)]
    assert [p["id"] for p in body["next_reviews"]] == [str(plan.pk)]
    assert body["overdue_measures"] == [] and body["without_coordinator"] == []


def test_the_plan_detail_has_a_fixed_query_count(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    plan = activate(people, make_plan(people))
    client = client_for(people.nav_advisor)

    def add(n: int) -> None:
        for i in range(n):
            goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title=f"Mål {i}")
            plan_services.measure_add(
                actor=people.coordinator,
                plan=plan,
                goal=goal,
                title=f"Tiltak {i}",
                service=people.nav,
                responsible=people.nav_advisor,
            )

    def queries() -> int:
        with count_queries() as captured:
            assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
        return len(captured.captured_queries)

    add(3)
    plan.refresh_from_db()
    plan_services.review_record(
        actor=people.coordinator,
        plan=plan,
        version=plan.version,
        held_on=datetime.date.today(),
        next_review_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    small = queries()
    add(27)
    assert queries() == small
    assert small <= 16


def test_the_plan_list_and_dashboard_have_fixed_query_counts(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    from tests import factories

    client = client_for(people.coordinator)

    def new_plan() -> None:
        youth = derived(factories.register_youth(people.ot_counsellor, people.ot))
        factories.follow(people.nav_advisor, people.nav, youth)
        plan = plan_services.plan_create(
            actor=people.coordinator,
            youth=youth,
            kind="STAFETTLOGG",
            service=people.ot,
            values={"next_review_on": datetime.date.today() + datetime.timedelta(days=5)},
        )
        plan_services.plan_activate(actor=people.coordinator, plan=plan, version=plan.version)

    def queries(url: str) -> int:
        with count_queries() as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    for _ in range(2):
        new_plan()
    small = (queries("/api/v1/plans/"), queries("/api/v1/plans/dashboard/"))
    for _ in range(8):
        new_plan()
    assert (queries("/api/v1/plans/"), queries("/api/v1/plans/dashboard/")) == small


def test_the_print_view_shows_only_what_the_viewer_may_see(people: Any, client: Any) -> None:
    plan = make_plan(people, my_goals="Bli snekker")
    goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title="Fagbrev")
    plan_services.measure_add(
        actor=people.coordinator,
        plan=plan,
        goal=goal,
        title="Samtaler om søvn",
        service=people.health,
        responsible=people.health_nurse,
        category=Category.HEALTH,
    )
    plan_services.measure_add(
        actor=people.coordinator,
        plan=plan,
        goal=goal,
        title="Læreplass",
        service=people.nav,
        category=Category.WORK_AND_WELFARE,
    )
    client.force_login(people.nav_advisor)
    page = client.get(f"/plans/{plan.pk}/print/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bli snekker" in html and "Fagbrev" in html and "Læreplass" in html
    assert "Samtaler om søvn" not in html
    assert "plan-print.css" in html and "<script" not in html
    assert AccessLogEntry.objects.filter(purpose="plan-print", actor=people.nav_advisor).exists()
    client.force_login(people.health_nurse)
    assert "Samtaler om søvn" in client.get(f"/plans/{plan.pk}/print/").content.decode()
    client.force_login(people.outsider)
    assert client.get(f"/plans/{plan.pk}/print/").status_code == 404


def test_closing_through_the_api(people: Any, client_for: Any) -> None:
    plan = make_plan(people)
    response = client_for(people.coordinator).post(
        f"/api/v1/plans/{plan.pk}/close/",
        {"version": plan.version, "reason": "YOUTH_DECLINED", "note": "Ønsker ikke plan nå"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == PlanStatus.CLOSED
    assert response.json()["my_rights"] == []

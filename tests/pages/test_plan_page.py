"""The plan page: each change the viewer may make as a small form (goals, measures, the youth's
own part, dates, participants, the coordinator handover), dates in Norwegian, the warnings of
an overdue review and a withdrawn plan consent, and a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases import services as case_services
from consent.categories import Category
from consent.models import AccessLogEntry, Method
from coordination.models import Plan, PlanGoal, PlanMeasure, PlanParticipant
from coordination.plans import grants
from coordination.plans import services as plan_services
from tests.coordination.plan_helpers import activate, make_plan

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _plan_with_goal(people: Any) -> tuple[Plan, PlanGoal, PlanMeasure]:
    plan = activate(people, make_plan(people))
    goal = plan_services.goal_add(
        actor=people.coordinator, plan=plan, title="Fullføre vg2", category=Category.GENERAL
    )
    measure = plan_services.measure_add(
        actor=people.coordinator,
        plan=plan,
        goal=goal,
        title="Leksehjelp",
        service=people.ot,
        ends_on=timezone.localdate() + 60 * DAY,
    )
    return Plan.objects.get(pk=plan.pk), goal, measure


def _more_goals(people: Any, plan: Plan, n: int) -> None:
    for i in range(n):
        goal = plan_services.goal_add(actor=people.coordinator, plan=plan, title=f"Mål {i}")
        plan_services.measure_add(
            actor=people.coordinator, plan=plan, goal=goal, title=f"Tiltak {i}", service=people.nav
        )


def test_plan_page_has_a_fixed_query_count(people: Any, django_assert_num_queries: Any) -> None:
    """The coordinator (every form) and a participant without rights (no forms, but the policy
    on each goal and measure) read the plan in the same number of queries however many goals
    and measures it has."""
    plan, _, _ = _plan_with_goal(people)
    coordinator, advisor = _client(people.coordinator), _client(people.nav_advisor)
    with django_assert_num_queries(17):
        assert coordinator.get(f"/plans/{plan.pk}/").status_code == 200
    with django_assert_num_queries(15):
        assert advisor.get(f"/plans/{plan.pk}/").status_code == 200
    _more_goals(people, plan, 4)
    with django_assert_num_queries(17):
        response = coordinator.get(f"/plans/{plan.pk}/")
    assert response.content.decode().count("Endre tiltaket") == 5
    with django_assert_num_queries(15):
        response = advisor.get(f"/plans/{plan.pk}/")
    assert response.status_code == 200 and "Endre tiltaket" not in response.content.decode()
    assert AccessLogEntry.objects.filter(purpose="plan-page", actor=people.nav_advisor).exists()


def test_dates_are_norwegian_and_an_open_end_is_said_in_words(people: Any) -> None:
    plan, _, measure = _plan_with_goal(people)
    start = timezone.localdate() - 10 * DAY
    plan = plan_services.plan_update(
        actor=people.coordinator, plan=plan, version=plan.version, values={"starts_on": start}
    )
    body = _client(people.coordinator).get(f"/plans/{plan.pk}/").content.decode()
    assert f"fra {start:%d.%m.%Y}, uten sluttdato" in body
    assert f"{plan.next_review_on:%d.%m.%Y}" in body
    assert f"frist {measure.ends_on:%d.%m.%Y}" in body
    assert not re.search(r">\s*\d{4}-\d{2}-\d{2}", body)  # no ISO date shown as text
    assert "– –" not in body


def test_only_the_actions_the_viewer_may_take_are_shown(people: Any) -> None:
    plan, goal, _ = _plan_with_goal(people)
    coordinator = _client(people.coordinator).get(f"/plans/{plan.pk}/").content.decode()
    for action in (
        "Endre målet",
        "Legg til mål",
        "Legg til tiltak",
        "Endre tiltaket",
        "Endre ungdommens del",
        "Legg til deltaker",
        "Overlat koordinatorrollen",
        "Ta ut av planen",
    ):
        assert action in coordinator, action
    advisor = _client(people.nav_advisor)
    body = advisor.get(f"/plans/{plan.pk}/").content.decode()
    for action in ("Endre målet", "Legg til mål", "Endre tiltaket", "Legg til deltaker"):
        assert action not in body, action
    plan_services.grant_permission(
        actor=people.coordinator, plan=plan, user=people.nav_advisor, codename=grants.EDIT_GOALS
    )
    body = advisor.get(f"/plans/{plan.pk}/").content.decode()
    assert "Endre målet" in body and "Legg til mål" in body
    assert "Legg til tiltak" not in body and "Overlat koordinatorrollen" not in body
    # The grant lets them change the goal, not the plan's own part.
    response = advisor.post(
        f"/plan-goals/{goal.pk}/edit/",
        {f"goal-{goal.pk}-version": goal.version, f"goal-{goal.pk}-title": "Fullføre vg3"},
    )
    assert response.status_code == 302
    response = advisor.post(
        f"/plans/{plan.pk}/edit/",
        {"section": "own", "own-version": plan.version, "own-my_goals": "Noe annet"},
    )
    assert response.status_code == 400
    assert Plan.objects.get(pk=plan.pk).my_goals == "Fullføre skolen og få jobb"


def test_goal_edit_and_a_stale_version(people: Any) -> None:
    _, goal, _ = _plan_with_goal(people)
    client = _client(people.coordinator)
    url = f"/plan-goals/{goal.pk}/edit/"
    fields = {
        f"goal-{goal.pk}-version": goal.version,
        f"goal-{goal.pk}-title": "Fullføre vg2 med fagbrev",
        f"goal-{goal.pk}-achieved": "on",
    }
    response = client.post(url, fields)
    assert response.status_code == 302 and response["Location"].endswith("#goals")
    changed = PlanGoal.objects.get(pk=goal.pk)
    assert changed.title == "Fullføre vg2 med fagbrev" and changed.achieved_at is not None
    # The same form again: someone changed it since; nothing is written.
    response = client.post(url, {**fields, f"goal-{goal.pk}-title": "Gammel versjon"})
    assert response.status_code == 409
    assert "Noen andre har endret dette i mellomtiden" in response.content.decode()
    assert PlanGoal.objects.get(pk=goal.pk).title == "Fullføre vg2 med fagbrev"


def test_goal_add_with_field_errors_in_norwegian_and_english(people: Any) -> None:
    plan, goal, _ = _plan_with_goal(people)
    for language, message in (
        ("nb", "Dette feltet er påkrevd."),
        ("en", "This field is required."),
    ):
        response = _client(people.coordinator, language).post(
            f"/plans/{plan.pk}/goals/new/", {"goal-category": "GENERAL"}
        )
        assert response.status_code == 400 and message in response.content.decode()
    assert PlanGoal.objects.filter(plan=plan).count() == 1
    response = _client(people.coordinator).post(
        f"/plans/{plan.pk}/goals/new/",
        {"goal-title": "Lese mer", "goal-category": "GENERAL", "goal-parent": str(goal.pk)},
    )
    assert response.status_code == 302
    assert PlanGoal.objects.get(title="Lese mer").parent_id == goal.pk


def test_measure_add_and_edit(people: Any) -> None:
    plan, goal, measure = _plan_with_goal(people)
    client = _client(people.coordinator)
    due = timezone.localdate() + 30 * DAY
    response = client.post(
        f"/plans/{plan.pk}/measures/new/",
        {
            "measure-goal": str(goal.pk),
            "measure-title": "Arbeidstrening",
            "measure-service": str(people.nav.pk),
            "measure-responsible": str(people.nav_advisor.pk),
            "measure-category": "GENERAL",
            "measure-ends_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    added = PlanMeasure.objects.get(title="Arbeidstrening")
    assert (added.service, added.responsible, added.ends_on) == (
        people.nav,
        people.nav_advisor,
        due,
    )
    # The responsible person must work in the responsible service: told on the field.
    prefix = f"measure-{measure.pk}"
    response = client.post(
        f"/plan-measures/{measure.pk}/edit/",
        {
            f"{prefix}-version": measure.version,
            f"{prefix}-title": "Leksehjelp tre dager",
            f"{prefix}-service": str(people.ot.pk),
            f"{prefix}-responsible": str(people.nav_advisor.pk),
            f"{prefix}-category": "GENERAL",
        },
    )
    assert response.status_code == 400
    assert "jobber ikke i OT Skien" in response.content.decode()
    response = client.post(
        f"/plan-measures/{measure.pk}/edit/",
        {
            f"{prefix}-version": measure.version,
            f"{prefix}-title": "Leksehjelp tre dager",
            f"{prefix}-service": str(people.ot.pk),
            f"{prefix}-responsible": str(people.coordinator.pk),
            f"{prefix}-category": "GENERAL",
            f"{prefix}-ends_on": (due - 40 * DAY).isoformat(),
            f"{prefix}-starts_on": due.isoformat(),
        },
    )
    assert response.status_code == 400  # ends before it starts
    assert PlanMeasure.objects.get(pk=measure.pk).title == "Leksehjelp"
    response = client.post(
        f"/plan-measures/{measure.pk}/edit/",
        {
            f"{prefix}-version": measure.version,
            f"{prefix}-title": "Leksehjelp tre dager",
            f"{prefix}-service": str(people.ot.pk),
            f"{prefix}-responsible": str(people.coordinator.pk),
            f"{prefix}-category": "GENERAL",
        },
    )
    assert response.status_code == 302
    changed = PlanMeasure.objects.get(pk=measure.pk)
    assert changed.title == "Leksehjelp tre dager" and changed.responsible == people.coordinator


def test_own_part_and_dates(people: Any) -> None:
    plan, _, _ = _plan_with_goal(people)
    client = _client(people.coordinator)
    response = client.post(
        f"/plans/{plan.pk}/edit/",
        {
            "section": "own",
            "own-version": plan.version,
            "own-my_goals": "Bli snekker.",
            "own-what_matters": "Å ha en fast dag med trening.",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.my_goals, plan.what_matters) == ("Bli snekker.", "Å ha en fast dag med trening.")
    start = timezone.localdate()
    response = client.post(
        f"/plans/{plan.pk}/edit/",
        {
            "section": "dates",
            "dates-version": plan.version,
            "dates-starts_on": start.isoformat(),
            "dates-ends_on": (start - DAY).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Planperioden kan ikke slutte før den begynner." in response.content.decode()


def test_participants_added_and_removed(people: Any) -> None:
    plan, _, _ = _plan_with_goal(people)
    client = _client(people.coordinator)
    response = client.post(
        f"/plans/{plan.pk}/participants/new/",
        {
            "participant-kind": "RELATIVE",
            "participant-name": "Kari Hansen",
            "participant-relation": "mor",
        },
    )
    assert response.status_code == 302
    assert PlanParticipant.objects.get(plan=plan, name="Kari Hansen").relation == "mor"
    # A new service in an individual plan needs the youth's consent to it.
    response = client.post(
        f"/plans/{plan.pk}/participants/new/",
        {"participant-kind": "SERVICE", "participant-service": str(people.school.pk)},
    )
    assert response.status_code == 400
    nav = PlanParticipant.objects.get(plan=plan, service=people.nav)
    response = client.post(f"/plan-participants/{nav.pk}/remove/", {"version": nav.version})
    assert response.status_code == 302
    assert PlanParticipant.objects.get(pk=nav.pk).left_at is not None


def test_coordinator_handover_on_the_page(people: Any) -> None:
    plan, _, _ = _plan_with_goal(people)
    client = _client(people.coordinator)
    response = client.post(
        f"/plans/{plan.pk}/coordinator/",
        {"coordinator-to": f"{people.nav.pk}:{people.nav_advisor.pk}"},
    )
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).coordinator == people.coordinator  # until accepted
    advisor = _client(people.nav_advisor)
    body = advisor.get(f"/plans/{plan.pk}/").content.decode()
    assert "Ta imot koordinatorrollen" in body and "Overlat koordinatorrollen" not in body
    response = advisor.post(f"/plans/{plan.pk}/coordinator/answer/", {"answer": "accept"})
    assert response.status_code == 302
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.coordinator, plan.service) == (people.nav_advisor, people.nav)


def test_warnings_on_the_plan_and_on_my_day(people: Any) -> None:
    plan, _, _ = _plan_with_goal(people)
    client = _client(people.coordinator)
    assert "Varsel" not in client.get(f"/plans/{plan.pk}/").content.decode()
    past = timezone.localdate() - 3 * DAY
    Plan.objects.filter(pk=plan.pk).update(next_review_on=past)
    assert plan.consent is not None
    case_services.consent_withdraw(
        actor=people.coordinator, consent=plan.consent, method=Method.DIGITAL
    )
    overdue = f"Evalueringen skulle vært holdt {past:%d.%m.%Y}"
    withdrawn = "Samtykket planen bygger på ble trukket tilbake " + (
        f"{timezone.localdate():%d.%m.%Y}"
    )
    body = client.get(f"/plans/{plan.pk}/").content.decode()
    assert overdue in body and withdrawn in body
    day = client.get("/day/").content.decode()
    assert overdue in day and withdrawn in day
    english = _client(people.coordinator, "en").get(f"/plans/{plan.pk}/").content.decode()
    assert f"The review was due on {past:%d.%m.%Y}" in english

"""The plan edited on its page, in a real browser: the coordinator sees the overdue review,
edits a goal, adds a measure and offers the coordinator role; the NAV advisor accepts it on a
phone. axe-core finds no violation on the plan page (with its forms open) on a desktop and at
375 px, and the page never scrolls sideways. Screenshots under ``var/screenshots/``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from consent.categories import Category
from coordination.models import Plan, PlanGoal, PlanMeasure
from coordination.plans import services as plan_services
from tests.browser.conftest import PHONE
from tests.coordination.plan_helpers import activate, make_plan

# serialized_rollback: the flush after each test would drop the rows migrations seed (rules).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OPEN_FORMS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def _check_with_forms_open(session: Any) -> None:
    session.check_page()
    session.page.evaluate(OPEN_FORMS)
    session.check_page()


def test_coordinator_edits_the_plan_and_hands_it_over(people: Any, open_session: Any) -> None:
    plan = activate(people, make_plan(people))
    goal = plan_services.goal_add(
        actor=people.coordinator, plan=plan, title="Fullføre vg2", category=Category.EDUCATION
    )
    plan_services.measure_add(
        actor=people.coordinator,
        plan=plan,
        goal=goal,
        title="Leksehjelp to dager i uka",
        service=people.ot,
        category=Category.EDUCATION,
        ends_on=datetime.date.today() + datetime.timedelta(days=60),
    )
    overdue = datetime.date.today() - datetime.timedelta(days=2)
    Plan.objects.filter(pk=plan.pk).update(next_review_on=overdue)

    coordinator = open_session()
    page = coordinator.log_in("eva.koord")
    warning = f"Evalueringen skulle vært holdt {overdue:%d.%m.%Y}"
    expect(page.locator("#plans-heading + ul")).to_contain_text(warning)  # on my day
    page.get_by_role("link", name="Emma Hansen").first.click()
    expect(page.get_by_role("heading", name="Individuell plan: Emma Hansen")).to_be_visible()
    expect(page.get_by_role("region", name="Varsler om planen")).to_contain_text(warning)
    _check_with_forms_open(coordinator)
    coordinator.screenshot("20-plan-edit-forms")
    page.reload()

    # Edit the goal.
    edit = page.locator("details", has=page.locator("summary", has_text="Endre målet")).first
    edit.locator("summary").click()
    edit.get_by_label("Mål", exact=True).fill("Fullføre vg2 med fagbrev")
    edit.get_by_role("button", name="Lagre målet").click()
    expect(page.get_by_role("status")).to_contain_text("Målet er lagret.")
    expect(page.locator("section.goal h3").first).to_contain_text("Fullføre vg2 med fagbrev")

    # Add a measure: who does what by when.
    due = datetime.date.today() + datetime.timedelta(days=30)
    add = page.locator("details", has=page.locator("summary", has_text="Legg til tiltak"))
    add.locator("summary").click()
    add.get_by_label("Tiltak", exact=True).fill("Arbeidstrening i butikk")
    add.get_by_label("Ansvarlig tjeneste").select_option(label="NAV Skien")
    add.get_by_label("Ansvarlig person").select_option(str(people.nav_advisor.pk))
    add.get_by_label("Frist").fill(due.isoformat())
    add.get_by_role("button", name="Legg til tiltaket").click()
    expect(page.get_by_role("status")).to_contain_text("Tiltaket er lagt til.")
    expect(page.locator("section[aria-labelledby=goals]")).to_contain_text(f"frist {due:%d.%m.%Y}")

    # Offer the coordinator role to the NAV advisor.
    offer = page.locator(
        "details", has=page.locator("summary", has_text="Overlat koordinatorrollen")
    )
    offer.locator("summary").click()
    offer.get_by_label("Ny koordinator").select_option(f"{people.nav.pk}:{people.nav_advisor.pk}")
    offer.get_by_role("button", name="Tilby koordinatorrollen").click()
    expect(page.get_by_role("status")).to_contain_text("Koordinatorrollen er tilbudt.")
    expect(page.locator("section[aria-labelledby=facts]")).to_contain_text("venter på svar")
    coordinator.check_page()
    coordinator.screenshot("21-plan-edited")

    assert PlanGoal.objects.get(pk=goal.pk).title == "Fullføre vg2 med fagbrev"
    added = PlanMeasure.objects.get(title="Arbeidstrening i butikk")
    assert (added.service, added.responsible, added.ends_on) == (
        people.nav,
        people.nav_advisor,
        due,
    )

    # The NAV advisor accepts on a phone.
    advisor = open_session(PHONE)
    phone = advisor.log_in("ingrid.nav")
    phone.goto(f"/plans/{plan.pk}/")
    _check_with_forms_open(advisor)
    phone.get_by_role("button", name="Ta imot koordinatorrollen").click()
    expect(phone.get_by_role("status")).to_contain_text("Du er nå koordinator for planen.")
    advisor.check_page()
    _check_with_forms_open(advisor)
    advisor.screenshot("22-plan-phone")
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.coordinator, plan.service) == (people.nav_advisor, people.nav)

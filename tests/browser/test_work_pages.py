"""The work pages on a phone (375 px) and a desktop, in Chromium: *Min dag* as a work list, a
manager's deadlines per advisor, a youth's deadlines on the youth page, the notification
settings, and *Min side* for the youth and for a guardian with the withdrawal's confirmation.
Each page fits the width without sideways scrolling and passes axe-core's WCAG 2.1 A and AA
checks."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from cases import portal, services
from consent.categories import Category
from consent.models import Giver, Method
from consent.services import Flow
from coordination.models import ReminderPreference
from tests import factories
from tests.browser.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE, DESKTOP = 375, 1280


def check(session: Any, width: int) -> None:
    """The current page fits ``width`` without sideways scrolling and has no axe violation."""
    assert session.page.viewport_size["width"] == width
    session.check_page()


def _session(open_session: Any, username: str, width: int) -> Any:
    session = open_session()
    session.page.set_viewport_size({"width": width, "height": 900})
    session.log_in(username)
    return session


def _deadlines(people: Any) -> None:
    """The NAV advisor's activity deadlines on Emma: one overdue, two due soon."""
    today = datetime.date.today()
    with time_machine.travel(datetime.datetime.now() - datetime.timedelta(days=30)):
        plan = services.activity_plan_create(
            actor=people.nav_advisor, youth=people.youth, service=people.nav
        )
        for title, days in (("Søke jobb i butikk", -3), ("Møte hos NAV", 2), ("CV", 4)):
            services.activity_add(
                actor=people.nav_advisor,
                plan=plan,
                type="EGEN",
                title=title,
                deadline=today + datetime.timedelta(days=days),
            )
        factories.derived()
    factories.derived()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_my_day_is_a_work_list_that_leads_to_the_action(
    people: Any, open_session: Any, width: int
) -> None:
    _deadlines(people)
    advisor = _session(open_session, "ingrid.nav", width)
    page = advisor.page
    work = page.locator("#deadlines-heading").locator("..")
    expect(work.get_by_role("heading", name="Emma Hansen")).to_be_visible()
    expect(work.get_by_role("heading", name="Frist for aktivitet")).to_have_count(1)
    expect(work).to_contain_text("Innfridd når aktiviteten er fullført.")
    expect(page.locator("#overdue-count")).to_contain_text("1")
    check(advisor, width)
    advisor.screenshot(f"14-my-day-work-list-{width}")

    work.get_by_role("link", name=re.compile("Endre aktiviteten.*Emma Hansen")).first.click()
    expect(page.get_by_label("Tittel")).to_have_value("Søke jobb i butikk")

    page.goto(f"/youths/{people.youth.pk}/")
    expect(page.locator("#deadlines")).to_contain_text("Frist for aktivitet")
    check(advisor, width)

    page.get_by_role("link", name="Varsling").click()
    page.get_by_label("Én gang om dagen").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status")).to_contain_text("Varslingen er lagret.")
    check(advisor, width)
    advisor.screenshot(f"15-notifications-{width}")
    assert ReminderPreference.objects.get(user=people.nav_advisor).mode == "DAILY"

    manager = _session(open_session, "hilde.nav", width)
    table = manager.page.get_by_role("table", name="Åpne frister per ansvarlig veileder")
    expect(
        table.get_by_role("row", name=re.compile(people.nav_advisor.get_full_name()))
    ).to_contain_text("1")
    check(manager, width)
    manager.screenshot(f"16-my-day-manager-{width}")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_min_side_asks_before_withdrawing_and_speaks_to_its_reader(
    people: Any, open_session: Any, width: int
) -> None:
    services.consent_give(
        actor=people.ot_counsellor,
        youth=people.youth,
        decision="GIVEN",
        giver=Giver.SUBJECT,
        purpose_code="SAMARBEID",
        purpose="OT og NAV samarbeider om skole og jobb.",
        method=Method.SIGNED_FORM,
        agreed_text="Jeg samtykker.",
        flows=[Flow(categories=[Category.EDUCATION], from_party=people.ot, to_party=people.nav)],
    )
    portal.account_create(youth=people.youth, username="emma.ungdom", password=PASSWORD)
    youth = _session(open_session, "emma.ungdom", width)
    page = youth.page
    expect(page.get_by_role("heading", name="Hvem følger deg opp")).to_be_visible()
    check(youth, width)
    page.get_by_role("link", name=re.compile("Trekk tilbake samtykket")).click()
    confirm = page.locator("#withdraw-confirm")
    expect(confirm).to_contain_text("NAV Skien får ikke lenger se utdanning fra OT Skien")
    check(youth, width)
    youth.screenshot(f"17-min-side-confirm-{width}")
    confirm.get_by_role("button", name="Ja, trekk tilbake samtykket").click()
    expect(page.get_by_role("status")).to_contain_text("Samtykket er trukket tilbake.")
    expect(page.locator("#consents")).to_contain_text(
        "OT Skien kunne dele utdanning med NAV Skien til"
    )
    check(youth, width)

    minor = factories.register_youth(
        people.ot_counsellor,
        people.ot,
        birth_date=factories.years_ago(16),
        first_name="Selma",
        last_name="Ahmed",
    )
    guardian = factories.parent(people.ot_counsellor, minor, "Leila Ahmed")
    portal.account_create(youth=minor, guardian=guardian, username="leila.mor", password=PASSWORD)
    mother = _session(open_session, "leila.mor", width)
    expect(mother.page.get_by_role("heading", name="Hvem følger opp Selma")).to_be_visible()
    expect(mother.page.locator("#withheld")).to_contain_text(
        "pasient- og brukerrettighetsloven § 4-3"
    )
    check(mother, width)
    mother.screenshot(f"18-min-side-guardian-{width}")

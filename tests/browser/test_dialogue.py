"""Dialogue in Chromium on a phone (375 px): the youth writes to their contact person on *Min
side*, the advisor answers on the thread's page, and the youth sees the answer and that their
own message was read ("lest"); a thread between services in health stays with those a consent
lets see health. Each page passes axe-core and fits the window."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from cases import portal
from cases.models import Thread
from consent.categories import Category
from consent.services import Flow
from tests import factories
from tests.browser.conftest import PASSWORD, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_youth_writes_the_advisor_answers_and_the_youth_sees_lest(
    people: Any, open_session: Any
) -> None:
    portal.account_create(youth=people.youth, username="emma.ungdom", password=PASSWORD)

    youth = open_session(PHONE)
    page = youth.log_in("emma.ungdom")
    expect(page.get_by_role("heading", name="Hei, Emma")).to_be_visible()
    threads = page.locator("#threads")
    threads.get_by_label("Til").select_option(value=str(people.nav.pk))
    threads.get_by_label("Emne").fill("Neste møte")
    threads.get_by_label("Melding").fill("Hei! Når er neste møte?")
    youth.check_page()
    threads.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Neste møte")).to_be_visible()
    expect(page.locator(".messages-thread")).to_contain_text("Hei! Når er neste møte?")
    youth.check_page()

    advisor = open_session(PHONE)
    advisor_page = advisor.log_in("ingrid.nav")
    advisor_page.goto(f"/youths/{people.youth.pk}/")
    expect(advisor_page.locator("#threads")).to_contain_text("1 ulest")
    advisor_page.locator("#threads").get_by_role("link", name="Neste møte").click()
    expect(advisor_page.locator(".messages-thread")).to_contain_text("Hei! Når er neste møte?")
    advisor_page.get_by_role("textbox", name="Melding").fill("Tirsdag klokka 10 på NAV-kontoret.")
    advisor.check_page()
    advisor_page.get_by_role("button", name="Send").click()
    expect(advisor_page.locator(".messages-thread")).to_contain_text("Tirsdag klokka 10")
    advisor.check_page()
    advisor.screenshot("dialogue-advisor-thread-375")

    page.reload()
    messages = page.locator(".messages-thread li")
    expect(messages.nth(1)).to_contain_text("Tirsdag klokka 10 på NAV-kontoret.")
    expect(messages.nth(0)).to_contain_text(re.compile(r"lest \d{2}\.\d{2}\.\d{4}"))
    expect(page.locator(".messages li, [role=status]")).to_have_count(0)  # no stray notices
    youth.check_page()
    youth.screenshot("dialogue-youth-thread-375")


def test_a_health_thread_is_invisible_to_nav_until_a_consent_covers_health(
    people: Any, open_session: Any
) -> None:
    """A health nurse starts a thread between the services about the youth, in health (her
    service's own category). The NAV advisor does not see it, on the youth page or at its
    address, until the youth consents to the health service sharing health information with
    NAV; then it is on the youth page and, as a question to NAV, in the advisor's inbox."""
    factories.follow(people.health_nurse, people.health, people.youth)

    nurse = open_session(PHONE)
    nurse_page = nurse.log_in("anne.helse")
    nurse_page.goto(f"/youths/{people.youth.pk}/")
    nurse_page.locator("#threads").get_by_role("link", name="Start en samtale").click()
    expect(nurse_page.get_by_role("heading", name=re.compile("Ny samtale om"))).to_be_visible()
    nurse.check_page()
    nurse_page.get_by_role("radio", name="Mellom tjenestene").check()
    nurse_page.get_by_label("Emne").fill("Søvn og skole")
    nurse_page.get_by_label("Melding", exact=True).fill(
        "Hun sover dårlig. Hvordan går det på tiltaket?"
    )
    nurse_page.get_by_label("Trenger svar innen").fill("2099-01-15")
    nurse_page.get_by_role("button", name="Send").click()
    expect(nurse_page.get_by_role("heading", name="Søvn og skole")).to_be_visible()
    expect(nurse_page.get_by_text("Helse", exact=False).first).to_be_visible()
    nurse.check_page()
    thread = Thread.objects.get(subject="Søvn og skole")
    assert thread.category == Category.HEALTH

    advisor = open_session(PHONE)
    advisor_page = advisor.log_in("ingrid.nav")
    advisor_page.goto(f"/youths/{people.youth.pk}/")
    expect(advisor_page.locator("#threads")).not_to_contain_text("Søvn og skole")
    advisor.check_page()
    response = advisor_page.goto(f"/threads/{thread.pk}/")
    assert response is not None and response.status == 404
    advisor_page.goto("/day/")
    expect(advisor_page.locator("#waiting")).not_to_contain_text("Søvn og skole")

    factories.give_consent(
        people, Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.nav)
    )
    advisor_page.reload()
    expect(advisor_page.locator("#waiting")).to_contain_text("Søvn og skole")
    expect(advisor_page.locator("#waiting")).to_contain_text("15.01.2099")
    advisor.check_page()
    advisor_page.goto(f"/youths/{people.youth.pk}/")
    advisor_page.locator("#threads").get_by_role("link", name="Søvn og skole").click()
    expect(advisor_page.locator(".messages-thread")).to_contain_text("Hun sover dårlig.")
    advisor.check_page()
    advisor.screenshot("dialogue-health-thread-with-consent-375")

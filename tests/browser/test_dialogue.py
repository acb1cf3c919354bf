"""Dialogue in Chromium on a phone (375 px): the youth writes to their contact person on *Min
side*, the advisor answers on the thread's page, and the youth sees the answer and that their
own message was read ("lest"). Each page passes axe-core and fits the window."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from cases import portal
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

"""The youth's notice settings on *Min side* in Chromium on a phone (375 px): from the page to
the settings, a bad mobile number refused next to the field, then saved. Each state passes
axe-core and fits the window."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases import portal
from coordination.models import NoticeSettings
from tests.browser.conftest import PASSWORD, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_youth_chooses_where_notices_go(people: Any, open_session: Any) -> None:
    portal.account_create(youth=people.youth, username="emma.ungdom", password=PASSWORD)
    youth = open_session(PHONE)
    page = youth.log_in("emma.ungdom")
    page.locator("#notices").get_by_role("link", name="Velg hvor du vil ha varsel").click()
    expect(page.get_by_role("heading", name="Varsling", exact=True)).to_be_visible()
    youth.check_page()
    page.get_by_label("Mobilnummer").fill("22 33 44 55")
    page.get_by_label("Send varsel på SMS").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator(".error-summary")).to_contain_text("norsk mobilnummer")
    youth.check_page()
    page.get_by_label("Mobilnummer").fill("912 34 567")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Varslingen er lagret.")).to_be_visible()
    youth.check_page()
    youth.screenshot("notice-settings-375")
    row = NoticeSettings.objects.get(youth=people.youth)
    assert (row.mobile, row.sms_on, row.email_on) == ("+4791234567", True, False)

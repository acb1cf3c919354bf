"""The youth takes part in the plan, in Chromium on a phone (375 px): on *Min side* the youth
confirms an activity NAV proposed, says yes to a consent OT asks for and then withdraws it; the
advisor's page shows the activity as agreed with NAV. Each page passes axe-core and fits the
window."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases import portal, services
from cases.models import Activity
from cases.services import consent_requests
from consent.models import Consent, Method
from tests.browser.conftest import PASSWORD, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_youth_confirms_an_activity_and_withdraws_a_consent(
    people: Any, open_session: Any
) -> None:
    portal.account_create(youth=people.youth, username="emma.ungdom", password=PASSWORD)
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    services.activity_add(
        actor=people.nav_advisor,
        plan=plan,
        type="EKSTERNAKTIVITET",
        title="Arbeidstrening hos Bakeriet",
        status="FORSLAG",
    )
    consent_requests.consent_request_prepare(
        actor=people.ot_counsellor,
        youth=people.youth,
        template_code="skole",
        from_service=people.ot,
        to_service=people.nav,
    )

    youth = open_session(PHONE)
    page = youth.log_in("emma.ungdom")
    expect(page.get_by_role("heading", name="Hei, Emma")).to_be_visible()
    expect(page.locator("#consent-requests")).to_contain_text(
        "OT Skien vil dele utdanning med NAV Skien"
    )
    youth.check_page()

    page.get_by_role("link", name="Arbeidstrening hos Bakeriet").click()
    expect(page.locator("#agreed")).to_contain_text("forslag fra NAV")
    youth.check_page()
    page.get_by_role("button", name="Bekreft aktiviteten").click()
    expect(page.locator("#agreed")).to_contain_text("avtalt med NAV")
    expect(page.locator("#history")).to_contain_text("Du bekreftet aktiviteten.")
    youth.check_page()
    youth.screenshot("youth-plan-activity-confirmed-375")

    page.goto(f"/me/{people.youth.pk}/")
    page.locator("#consent-requests").get_by_role("link", name="Les og svar").click()
    expect(page.get_by_role("heading", name="OT Skien spør deg")).to_be_visible()
    youth.check_page()
    page.get_by_label("Ja, jeg samtykker").check()
    page.get_by_role("button", name="Send svaret").click()
    expect(page.locator("#consents")).to_contain_text("OT Skien deler utdanning med NAV Skien")
    youth.check_page()

    page.locator("#consents").get_by_role("link", name="Trekk tilbake samtykket").first.click()
    expect(page.locator("#withdraw-confirm")).to_contain_text("NAV Skien får ikke lenger se")
    youth.check_page()
    page.get_by_role("button", name="Ja, trekk tilbake samtykket").click()
    expect(page.locator("#consents")).to_contain_text("trukket tilbake")
    youth.check_page()

    consent = Consent.objects.get()
    assert (consent.method, consent.assurance_level) == (Method.DIGITAL, "local")
    assert consent.withdrawn_at is not None
    activity = Activity.objects.get()
    assert activity.agreed and activity.agreed_how == "YOUTH"

    advisor = open_session(PHONE)
    advisor_page = advisor.log_in("ingrid.nav")
    advisor_page.goto(f"/youths/{people.youth.pk}/")
    expect(advisor_page.locator("#activity-plan")).to_contain_text("avtalt med NAV")
    advisor.check_page()

"""The manager's compliance page in a browser, on a phone (375 px wide) and a desktop: the
curve drawn from the ledger, the rules in words, a figure opened to the youths behind it. No
sideways scrolling, and axe-core finds no violation on each page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from consent.models import AccessLogEntry
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _in_group(people: Any, first_name: str, last_name: str, *, approved: bool) -> Any:
    today = timezone.localdate()
    youth = factories.register_youth(
        people.nav_advisor,
        people.nav,
        birth_date=factories.years_ago(24),
        first_name=first_name,
        last_name=last_name,
        started_on=today - datetime.timedelta(days=40),
    )
    services.decision_record(
        actor=people.nav_advisor,
        youth=youth,
        service=people.nav,
        innsatsgruppe="SPESIELT_TILPASSET_INNSATS",
        main_goal="SKAFFE_ARBEID",
        decided_on=today - datetime.timedelta(days=30),
    )
    if approved:
        plan = services.activity_plan_create(
            actor=people.nav_advisor, youth=youth, service=people.nav
        )
        services.activity_plan_approve(actor=people.nav_advisor, plan=plan, version=plan.version)
    return youth


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_manager_reads_the_curve_and_opens_a_figure(
    people: Any, open_session: Any, viewport: dict[str, int]
) -> None:
    _in_group(people, "Selma", "Ahmed", approved=True)
    lund = _in_group(people, "Jonas", "Lund", approved=False)
    manager = open_session(viewport)
    page = manager.log_in("hilde.nav")
    page.goto("/reports/youth-guarantee/")
    expect(page.get_by_role("heading", name="Ungdomsgarantien", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Andel under 30")).to_be_visible()
    expect(page.locator("svg.chart polyline.series")).to_have_count(1)  # a line, not a dot
    expect(page.locator(".chart-legend")).to_contain_text("Heltrukken linje")
    expect(page.locator("#rule-UG-90")).to_contain_text("minst 90 %")
    expect(page.locator("#rule-UG-PLAN-1M")).to_contain_text("godkjent sammen med ungdommen")
    expect(page.locator("#ug90-days")).to_contain_text("50,0 %")
    manager.check_page()
    manager.screenshot("19b-compliance-phone" if viewport is PHONE else "19-compliance")

    page.get_by_role("link", name="uten godkjent aktivitetsplan").click()
    expect(
        page.get_by_role("heading", name="UG-90: uten godkjent aktivitetsplan nå")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Lund, Jonas")).to_be_visible()
    expect(page.locator("#figure-youths")).not_to_contain_text("Ahmed")
    assert lund.national_id not in page.url
    manager.check_page()
    manager.screenshot(
        "20b-compliance-youths-phone" if viewport is PHONE else "20-compliance-youths"
    )
    assert AccessLogEntry.objects.filter(
        actor=people.manager, subject_id=lund.pk, purpose="compliance-youths"
    ).exists()

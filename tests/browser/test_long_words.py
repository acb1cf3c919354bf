"""A word longer than the page (a pasted link, a string of characters) in free text wraps
instead of widening the page: notes, period reasons, activity titles, referral messages and
plan texts, on a desktop and on a phone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from cases import services
from coordination.plans import services as plan_services
from tests import factories
from tests.coordination.plan_helpers import make_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTE_WORD = "W" * 10_000
TOLERANCE = 2  # px: rounding of subpixel layout


def _assert_fits(page: Any, url: str, part: str = "html") -> None:
    """The page at ``url`` (or its ``part``) is no wider than the window and nothing in it
    sticks out sideways."""
    page.goto(url)
    widths = page.locator(part).evaluate(
        """element => ({
            scroll: element.scrollWidth,
            client: element.clientWidth,
            right: element.getBoundingClientRect().right,
            viewport: window.innerWidth,
        })"""
    )
    assert widths["scroll"] <= widths["client"] + TOLERANCE, (url, part, widths)
    assert widths["right"] <= widths["viewport"] + TOLERANCE, (url, part, widths)


def test_a_very_long_word_wraps_instead_of_widening_the_pages(
    people: Any, open_session: Any
) -> None:
    youth = people.youth
    factories.follow(people.school_counsellor, people.school, youth, reason="R" * 500)
    plan = services.activity_plan_create(actor=people.nav_advisor, youth=youth, service=people.nav)
    services.activity_add(
        actor=people.nav_advisor,
        plan=plan,
        type="EGEN",
        title="T" * 200,
        deadline=datetime.date.today() + datetime.timedelta(days=30),
    )
    referral = services.referral_send(
        actor=people.nav_advisor,
        youth=youth,
        from_service=people.nav,
        to_service=people.child_welfare,
        reason_code="OTHER",
        reason="A" * 500,
        message="M" * 5000,
        categories=[],
    )
    individual = make_plan(people, my_goals="G" * 5000)
    goal = plan_services.goal_add(
        actor=people.coordinator, plan=individual, title="Å" * 300, category="EDUCATION"
    )
    plan_services.measure_add(
        actor=people.coordinator,
        plan=individual,
        goal=goal,
        title="L" * 300,
        service=people.ot,
        scope="S" * 300,
        category="EDUCATION",
    )

    advisor = open_session()
    page = advisor.log_in("ingrid.nav")
    page.goto(f"/youths/{youth.pk}/")
    page.get_by_role("link", name="Logg oppfølging").click()
    page.get_by_label("Type").select_option(label="Samtale")
    page.get_by_label("Kategori").select_option(label="Arbeid og velferd (NAV-oppfølging)")
    page.get_by_label("Notat").fill(NOTE_WORD)
    page.get_by_role("button", name="Lagre notatet").click()
    expect(page.get_by_role("status")).to_contain_text("Oppfølgingen er logget.")
    expect(page.locator("#timeline")).to_contain_text(NOTE_WORD[:100])

    page.set_viewport_size({"width": 1280, "height": 900})
    _assert_fits(page, f"/youths/{youth.pk}/")
    advisor.screenshot("long-word-youth-page")
    _assert_fits(page, f"/referrals/{referral.pk}/")
    _assert_fits(page, "/referrals/?box=outbox")
    # On a phone the free text fits too (a table of six columns is wider than a phone anyway).
    page.set_viewport_size({"width": 390, "height": 844})
    _assert_fits(page, f"/youths/{youth.pk}/", "#timeline")
    _assert_fits(page, f"/youths/{youth.pk}/", "section[aria-labelledby=periods-heading]")
    _assert_fits(page, f"/referrals/{referral.pk}/")

    coordinator = open_session()
    page = coordinator.log_in("eva.koord")
    _assert_fits(page, "/day/")
    _assert_fits(page, f"/plans/{individual.pk}/")
    page.set_viewport_size({"width": 390, "height": 844})
    _assert_fits(page, f"/plans/{individual.pk}/", "section[aria-labelledby=own-words]")

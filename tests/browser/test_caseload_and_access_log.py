"""The caseload and the access log in a browser, on a phone (375 px wide) and a desktop: no
sideways scrolling, and axe-core finds no violation on each page on the way.

- an NAV advisor searches the list as it writes names, sorts it, finds a youth by identity
  number and registers a new youth;
- the privacy officer reads the log in words and finds a youth by name and by number.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases.models import Youth
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_advisor_searches_sorts_finds_and_registers(
    people: Any, open_session: Any, viewport: dict[str, int]
) -> None:
    factories.register_youth(
        people.nav_advisor,
        people.nav,
        first_name="Selma",
        last_name="Ahmed",
        municipality_number="4601",
    )
    advisor = open_session(viewport)
    page = advisor.log_in("ingrid.nav")
    page.goto("/youths/")
    expect(page.get_by_role("heading", name="Ungdommer")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Bergen")
    advisor.check_page()

    page.get_by_label("Navn", exact=True).fill("Ahmed, Selma")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_role("link", name="Ahmed, Selma")).to_be_visible()
    expect(page.get_by_role("table")).not_to_contain_text("Hansen")
    advisor.check_page()
    if viewport is PHONE:
        advisor.screenshot("02b-caseload-phone")

    page.goto("/youths/")
    page.get_by_label("Sorter etter").select_option("municipality")
    page.get_by_role("button", name="Søk", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Ahmed, Selma")  # Bergen before Skien
    advisor.check_page()

    number = people.youth.national_id
    page.get_by_label("Fødselsnummer / D-nummer").fill(number)
    page.get_by_role("button", name="Finn").click()
    expect(page.get_by_role("heading", name="Emma Hansen", exact=True)).to_be_visible()
    assert number not in page.url

    page.goto("/youths/")
    page.get_by_role("link", name="Registrer en ungdom").click()
    advisor.check_page()
    new_number = factories.synthetic_number(factories.years_ago(18))
    page.get_by_label("Fødselsnummer / D-nummer").fill(new_number)
    page.get_by_label("Fornavn").fill("Jonas")
    page.get_by_label("Etternavn").fill("Lund")
    page.get_by_label("Kommune").select_option("3301")
    page.get_by_label("Hvorfor tjenesten følger opp").fill("Arbeidssøker")
    page.get_by_role("button", name="Registrer").click()
    expect(page.get_by_role("status")).to_contain_text("Ungdommen er registrert.")
    advisor.check_page()
    youth = Youth.objects.get(first_name="Jonas", last_name="Lund")
    assert youth.municipality_number == "3301" and new_number not in page.url


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_privacy_officer_reads_the_log_in_words_and_finds_a_youth(
    people: Any, open_session: Any, viewport: dict[str, int]
) -> None:
    advisor = open_session(viewport)
    advisor.log_in("ingrid.nav").goto(f"/youths/{people.youth.pk}/")

    officer = open_session(viewport)
    page = officer.log_in("po.nav")
    expect(page.get_by_role("heading", name="Tilgangslogg")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Ungdommens side")
    officer.check_page()

    page.get_by_label("Ungdommens navn").fill("Hansen, Emma")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("Hansen, Emma")
    officer.check_page()
    if viewport is PHONE:
        officer.screenshot("13b-access-log-phone")

    page.get_by_label("Fra og med").fill("2026-03-10")
    page.get_by_label("Til og med").fill("2026-03-01")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_text("Ingen rader vises før søket er gyldig.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    officer.check_page()

    page.goto("/access-log/")
    page.get_by_label("Fødselsnummer / D-nummer").fill(people.youth.national_id)
    page.get_by_role("button", name="Finn").click()
    expect(page.get_by_role("table")).to_contain_text("Hansen, Emma")
    assert people.youth.national_id not in page.url
    officer.check_page()

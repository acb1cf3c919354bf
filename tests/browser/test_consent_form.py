"""The consent form in Chromium on a phone (375 px) and a desktop: an OT counsellor starts from
a template, edits the text, chooses one flow from OT to NAV, is told to choose how the consent
was given, and reads the consent afterwards as a sentence. Each page passes axe-core and fits
the window without sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from consent.categories import Category
from consent.models import Consent
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EDITED = "Jeg samtykker i at OT Skien deler det som gjelder skolegangen min med NAV Skien."


@pytest.mark.parametrize("window", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_record_a_one_way_consent_from_a_template(
    people: Any, open_session: Any, window: dict[str, int]
) -> None:
    counsellor = open_session(window)
    page = counsellor.log_in("ola.ot")
    page.goto(f"/youths/{people.youth.pk}/")
    page.get_by_role("link", name="Registrer samtykke").click()
    expect(page.get_by_role("heading", name="Registrer samtykke: Emma Hansen")).to_be_visible()
    counsellor.check_page()

    page.get_by_label("Start fra en mal").select_option(label="Utdanning og arbeid (OT og NAV)")
    page.get_by_role("button", name="Bruk malen").click()
    expect(page.get_by_label("Formål")).to_have_value(
        "Samarbeid om skole, utdanning og arbeid, så ungdommen får ett samlet tilbud og "
        "slipper å fortelle det samme flere ganger."
    )
    page.get_by_label("Teksten ungdommen (eller foresatte) godtok").fill(EDITED)
    first = page.locator("fieldset", has=page.get_by_text("Deling 1", exact=True))
    expect(first.get_by_label("Tjenesten som deler")).to_have_value(str(people.ot.pk))
    first.get_by_label("Med tjenesten").select_option(label="NAV Skien")
    expect(first.get_by_label("Utdanning")).to_be_checked()
    first.get_by_label("Arbeid og velferd (NAV-oppfølging)").uncheck()  # NAV's, not OT's
    page.get_by_label("Samtykke gitt").check()
    page.get_by_label("Ungdommen selv").check()
    expect(page.get_by_label("Hvordan ble samtykket gitt?")).to_have_value("")
    counsellor.check_page()
    counsellor.screenshot(f"consent-form-template-{window['width']}")

    page.get_by_role("button", name="Registrer", exact=True).click()  # no method yet
    expect(page.get_by_role("alert")).to_contain_text(
        "Hvordan ble samtykket gitt?: Dette feltet er påkrevd."
    )
    expect(page.get_by_label("Teksten ungdommen (eller foresatte) godtok")).to_have_value(EDITED)
    assert not Consent.objects.exists()
    counsellor.check_page()
    page.get_by_label("Hvordan ble samtykket gitt?").select_option(label="Signert skjema")
    page.get_by_role("button", name="Registrer", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Samtykket er registrert: OT Skien deler utdanning med NAV Skien."
    )
    consents = page.locator("#consents")
    expect(consents).to_contain_text("OT Skien deler utdanning med NAV Skien")
    expect(consents).not_to_contain_text("NAV Skien deler")
    counsellor.check_page()
    counsellor.screenshot(f"consent-summary-{window['width']}")
    consent = Consent.objects.get(subject_id=people.youth.pk)
    assert consent.agreed_text == EDITED and consent.method == "SIGNED_FORM"
    assert {(s.from_party_id, s.to_party_id) for s in consent.scopes.all()} == {
        (people.ot.pk, people.nav.pk)
    }
    assert {s.category for s in consent.scopes.all()} == {Category.GENERAL, Category.EDUCATION}

"""Referring with consent as one flow: a referral refused for want of consent offers the
consent in place, from the referral's template, and sends with it in one transaction, the
message kept; the receiver sees what came with the referral and chooses who is responsible."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases.models import FollowUpPeriod, Referral
from consent.categories import Category
from consent.models import Consent
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "Jonas har sluttet på skolen og ønsker hjelp til jobb."


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(user)
    return client


def _referral(people: Any, **extra: Any) -> dict[str, Any]:
    return {
        "from_service": str(people.ot.pk),
        "to_service": str(people.nav.pk),
        "reason_code": "OT_NOT_IN_WORK",
        "message": MESSAGE,
        "categories": [Category.EDUCATION],
        **extra,
    }


def _consent(**extra: Any) -> dict[str, Any]:
    return {
        "with-consent": "1",
        "consent-giver": "SUBJECT",
        "consent-method": "ORAL",
        "consent-purpose": "Henvisning fra OT Skien til NAV Skien",
        "consent-agreed_text": "Jeg samtykker i at OT Skien deler utdanning med NAV Skien.",
        **extra,
    }


@pytest.fixture
def jonas(people: Any) -> Any:
    return factories.register_youth(
        people.ot_counsellor, people.ot, first_name="Jonas", last_name="Lund"
    )


def test_a_referral_refused_for_want_of_consent_offers_the_consent_in_place(
    people: Any, jonas: Any, count_queries: Any
) -> None:
    client = _client(people.ot_counsellor)
    with count_queries() as queries:
        response = client.post(f"/youths/{jonas.pk}/refer/", _referral(people))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mangler samtykke for å dele: Utdanning." in page
    assert "Registrer samtykket nå" in page
    assert MESSAGE in page  # the message typed is kept
    # The template names the services and what the referral carries, one way.
    assert "Henvisning fra OT Skien til NAV Skien" in page
    assert "Jeg samtykker i at OT Skien deler opplysninger om utdanning med NAV Skien" in page
    assert '<option value="" selected>Velg</option>' in page  # no method chosen for them
    assert not Referral.objects.exists() and not Consent.objects.exists()
    assert len(queries) == 19


def test_the_consent_and_the_referral_are_recorded_together_one_way(
    people: Any, jonas: Any
) -> None:
    response = _client(people.ot_counsellor).post(
        f"/youths/{jonas.pk}/refer/", {**_referral(people), **_consent()}
    )
    assert response.status_code == 302
    consent = Consent.objects.get(subject_id=jonas.pk)
    assert (consent.purpose_code, consent.method, consent.giver) == (
        "HENVISNING",
        "ORAL",
        "SUBJECT",
    )
    assert consent.documented_by == people.ot_counsellor  # oral: the recorder documents it
    assert {(s.category, s.from_party_id, s.to_party_id) for s in consent.scopes.all()} == {
        (Category.GENERAL, people.ot.pk, people.nav.pk),
        (Category.EDUCATION, people.ot.pk, people.nav.pk),
    }
    referral = Referral.objects.get(youth=jonas)
    assert referral.message == MESSAGE
    assert referral.categories == [Category.EDUCATION, Category.GENERAL]
    assert referral.bases[Category.EDUCATION] == f"consent:{consent.pk}"


def test_a_referral_refused_for_another_reason_records_no_consent_either(
    people: Any, jonas: Any
) -> None:
    factories.follow(people.nav_advisor, people.nav, jonas)  # NAV already follows Jonas
    response = _client(people.ot_counsellor).post(
        f"/youths/{jonas.pk}/refer/", {**_referral(people), **_consent()}
    )
    assert response.status_code == 400
    assert "Tjenesten følger allerede opp ungdommen." in response.content.decode()
    assert not Consent.objects.exists() and not Referral.objects.exists()


def test_the_consent_needs_its_method_and_text_and_nothing_is_sent_without(
    people: Any, jonas: Any
) -> None:
    response = _client(people.ot_counsellor).post(
        f"/youths/{jonas.pk}/refer/",
        {**_referral(people), **_consent(**{"consent-method": "", "consent-agreed_text": ""})},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Dette feltet er påkrevd.") >= 2
    assert MESSAGE in page
    assert not Consent.objects.exists() and not Referral.objects.exists()


def test_unticking_the_consent_sends_with_general_information_only(people: Any, jonas: Any) -> None:
    data = {**_referral(people, categories=[]), **_consent()}
    del data["with-consent"]
    response = _client(people.ot_counsellor).post(f"/youths/{jonas.pk}/refer/", data)
    assert response.status_code == 302
    assert not Consent.objects.exists()
    assert Referral.objects.get(youth=jonas).categories == [Category.GENERAL]


def test_the_refer_page_lists_the_consents_as_sentences(people: Any, jonas: Any) -> None:
    _client(people.ot_counsellor).post(
        f"/youths/{jonas.pk}/refer/", {**_referral(people), **_consent()}
    )
    page = _client(people.ot_counsellor).get(f"/youths/{jonas.pk}/refer/").content.decode()
    assert "OT Skien deler utdanning med NAV Skien" in page


def test_the_receiver_sees_what_came_and_chooses_who_is_responsible(
    people: Any, jonas: Any
) -> None:
    _client(people.ot_counsellor).post(
        f"/youths/{jonas.pk}/refer/", {**_referral(people), **_consent()}
    )
    referral = Referral.objects.get(youth=jonas)
    advisor = _client(people.nav_advisor)
    page = advisor.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Utdanning" in page
    choices = page.split("Ansvarlig hos dere")[1].split("</select>")[0]
    assert people.manager.get_full_name() in choices
    assert f'value="{people.nav_advisor.pk}" selected' in choices  # who opened it, by default
    assert people.ot_counsellor.get_full_name() not in choices
    referral.refresh_from_db()
    # Someone outside NAV cannot be made responsible: refused, nothing accepted.
    advisor.post(
        f"/referrals/{referral.pk}/accept/",
        {"version": referral.version, "responsible": people.ot_counsellor.pk},
    )
    referral.refresh_from_db()
    assert referral.state != "ACCEPTED"
    response = advisor.post(
        f"/referrals/{referral.pk}/accept/",
        {"version": referral.version, "responsible": people.manager.pk},
    )
    assert response.status_code == 302
    period = FollowUpPeriod.objects.get(youth=jonas, service=people.nav)
    assert period.responsible == people.manager

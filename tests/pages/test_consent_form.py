"""The consent form on a youth: a template per purpose starts the texts, each flow goes one way
from the recording service, the method is chosen each time, and the consent reads afterwards as
sentences ("OT Skien deler utdanning med NAV Skien")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from consent.categories import Category
from consent.models import Consent
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _url(people: Any) -> str:
    return f"/youths/{people.youth.pk}/consents/new/"


def _posted(people: Any, **extra: Any) -> dict[str, Any]:
    return {
        "purpose": "Samarbeid om skole og arbeid.",
        "agreed_text": "Jeg samtykker i at OT Skien deler utdanning med NAV Skien.",
        "decision": "GIVEN",
        "giver": "SUBJECT",
        "method": "ORAL",
        "flow1_from": str(people.ot.pk),
        "flow1_to": str(people.nav.pk),
        "flow1_categories": [Category.EDUCATION],
        **extra,
    }


def _field_error(page: str, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">([^<]*)<', page)
    assert found, f"no error at {field}"
    return found.group(1)


def test_the_form_offers_the_templates_and_no_method(people: Any, count_queries: Any) -> None:
    client = _client(people.ot_counsellor)
    with count_queries() as queries:
        response = client.get(_url(people))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="utdanning-arbeid">Utdanning og arbeid (OT og NAV)</option>' in page
    assert '<select name="method" required id="id_method">' in page
    assert '<option value="" selected>Velg</option>' in page  # how it was given: no default
    assert page.count("<legend>Deling ") == 3
    assert len(queries) == 16


def test_a_template_fills_purpose_text_and_categories(people: Any, count_queries: Any) -> None:
    client = _client(people.ot_counsellor)
    with count_queries() as queries:
        response = client.get(_url(people), {"template": "utdanning-arbeid"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Samarbeid om skole, utdanning og arbeid" in page
    assert "Jeg samtykker i at tjenestene som er nevnt i samtykket" in page
    checked = re.findall(r'name="flow1_categories" value="(\w+)"[^>]*checked', page)
    assert checked == [Category.EDUCATION, Category.WORK_AND_WELFARE]
    assert not re.search(r'name="flow2_categories" value="\w+"[^>]*checked', page)
    assert len(queries) == 16
    # An unknown template starts nothing and refuses nothing.
    other = client.get(_url(people), {"template": "finnes-ikke"})
    assert other.status_code == 200
    assert "Samarbeid om skole, utdanning" not in other.content.decode()


def test_without_method_or_flow_the_form_says_so_at_the_fields(people: Any) -> None:
    data = _posted(people, method="", flow1_to="", flow1_categories=[])
    response = _client(people.ot_counsellor).post(_url(people), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_error(page, "method") == "Dette feltet er påkrevd."
    assert _field_error(page, "flow1_to").startswith("Velg minst én deling")
    english = _client(people.ot_counsellor, "en").post(_url(people), data).content.decode()
    assert _field_error(english, "flow1_to").startswith("Choose at least one flow")
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"flow2_to": "NAV"}, "flow2_categories", "Velg hvilke opplysninger som deles."),
        ({"flow2_categories": [Category.HEALTH]}, "flow2_to", "Velg tjenesten som får"),
        ({"flow2_to": "OT", "flow2_categories": ["HEALTH"]}, "flow2_to", "Velg en annen"),
    ],
)
def test_a_half_filled_flow_is_refused_at_its_field(
    people: Any, row: dict[str, Any], field: str, message: str
) -> None:
    services = {"NAV": str(people.nav.pk), "OT": str(people.ot.pk)}
    extra = {k: services.get(v, v) if isinstance(v, str) else v for k, v in row.items()}
    response = _client(people.ot_counsellor).post(
        _url(people), _posted(people, flow2_from=str(people.ot.pk), **extra)
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field).startswith(message)
    assert not Consent.objects.exists()


def test_a_one_way_flow_is_stored_one_way_and_read_as_a_sentence(
    people: Any, count_queries: Any
) -> None:
    client = _client(people.ot_counsellor)
    with count_queries() as queries:
        response = client.post(_url(people), _posted(people))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/youths/{people.youth.pk}/#consents")
    consent = Consent.objects.get(subject_id=people.youth.pk)
    assert {(s.category, s.from_party_id, s.to_party_id) for s in consent.scopes.all()} == {
        (Category.GENERAL, people.ot.pk, people.nav.pk),
        (Category.EDUCATION, people.ot.pk, people.nav.pk),
    }  # nothing from NAV to OT
    assert (consent.purpose_code, consent.method) == ("SAMARBEID", "ORAL")
    assert len(queries) == 56
    page = client.get(response["Location"]).content.decode()
    assert "Samtykket er registrert: OT Skien deler utdanning med NAV Skien." in page
    consents = page[page.index('id="consents"') :]
    assert "OT Skien deler utdanning med NAV Skien" in consents
    assert "NAV Skien deler" not in consents


def test_a_flow_the_service_refuses_records_nothing_of_the_consent(people: Any) -> None:
    client = _client(people.ot_counsellor)
    audits = AuditEntry.objects.count()
    response = client.post(
        _url(people),
        _posted(
            people,
            flow2_from=str(people.ot.pk),
            flow2_to=str(people.school.pk),  # the school does not follow the youth
            flow2_categories=[Category.EDUCATION],
        ),
    )
    assert response.status_code == 400
    assert "«Skien videregående skole» følger ikke opp ungdommen." in response.content.decode()
    assert not Consent.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_only_my_services_share_on_the_form(people: Any) -> None:
    response = _client(people.ot_counsellor).post(
        _url(people), _posted(people, flow1_from=str(people.nav.pk), flow1_to=str(people.ot.pk))
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "flow1_from").startswith("Velg et gyldig")
    assert not Consent.objects.exists()


def test_a_youth_without_guardians_answers_alone_and_guardians_answer_each_their_own(
    people: Any,
) -> None:
    client = _client(people.ot_counsellor)
    alone = client.get(_url(people)).content.decode()
    assert 'value="GUARDIANS"' not in alone and 'name="guardians"' not in alone
    minor = factories.register_youth(
        people.ot_counsellor, people.ot, birth_date=factories.years_ago(14), first_name="Sara"
    )
    factories.follow(people.nav_advisor, people.nav, minor)
    mother = factories.parent(people.ot_counsellor, minor)
    factories.parent(people.ot_counsellor, minor, "Per Far")
    url = f"/youths/{minor.pk}/consents/new/"
    page = client.get(url).content.decode()
    assert 'value="GUARDIANS"' in page and "Kari Mor" in page and "Per Far" in page
    response = client.post(
        url,
        _posted(
            people,
            giver="GUARDIANS",
            guardians=[str(mother.pk)],
            child_view="Sara vil at skolen og NAV snakker sammen.",
        ),
        follow=True,
    )
    consent = Consent.objects.get(subject_id=minor.pk)
    assert consent.decision == "PENDING"  # the father has not answered
    assert (
        "OT Skien deler utdanning med NAV Skien når foresatte har sagt ja"
        in response.content.decode()
    )

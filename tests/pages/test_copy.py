"""The youth's copy as a download (GDPR art. 15): on *Min side* for the youth and a guardian of a
minor, and from the privacy officer's page and the API for a request made on paper. The
download is an attachment named by the day only; the privacy officer's production is a read
in the access log and an entry in the audit trail; the youth's own is no service's look."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdf
import pytest
from django.test import Client

from cases.models import StaffRole, Youth
from consent.models import AccessLogEntry
from core.models import AuditEntry
from tests import factories
from tests.coordination.export_helpers import minor_with_everything

pytestmark = pytest.mark.django_db

REQUESTS = "/access-log/requests/"
COPY_QUERIES = 39  # the youth's copy reads a fixed number (tests/coordination/test_export.py)
API = "/api/v1/access-requests/"


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def _is_attachment(response: Any, extension: str) -> None:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="samordna-innsyn-20')
    assert disposition.endswith(f'.{extension}"')
    assert "no-store" in response["Cache-Control"]


def test_the_youth_downloads_everything_and_it_is_no_services_look(
    people: Any, count_queries: Any
) -> None:
    held = minor_with_everything(people)
    client = _logged_in(held.own.user)
    assert "copy.pdf" in client.get(f"/me/{held.youth.pk}/").content.decode()
    looks = AccessLogEntry.objects.count()

    with count_queries() as queries:
        response = client.get(f"/me/{held.youth.pk}/copy.json")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    _is_attachment(response, "json")
    assert held.youth.national_id not in response["Content-Disposition"]
    copy = json.loads(response.content)
    assert copy["about"]["reader"] == "youth" and copy["about"]["produced_by"] == "Sara Berg"
    assert copy["sections"]["youth"][0]["national_id"] == held.youth.national_id
    assert AccessLogEntry.objects.count() == looks
    assert len(queries) == 3 + COPY_QUERIES  # the session, the user, the portal link

    pdf = client.get(f"/me/{held.youth.pk}/copy.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    _is_attachment(pdf, "pdf")
    assert "Snakket om arbeidstrening" in _pdf_text(pdf.content)


def test_a_guardian_downloads_what_their_page_shows(people: Any) -> None:
    held = minor_with_everything(people, age=16)
    response = _logged_in(held.parent.user).get(f"/me/{held.youth.pk}/copy.json")

    copy = json.loads(response.content)
    assert copy["about"]["reader"] == "guardian"
    assert "national_id" not in copy["sections"]["youth"][0]
    assert str(held.health_entry.pk) not in {r["id"] for r in copy["sections"]["entries"]}
    assert "Helsestasjon" not in response.content.decode()
    assert "Kari Berg" in _pdf_text(
        _logged_in(held.parent.user).get(f"/me/{held.youth.pk}/copy.pdf").content
    )


def test_nobody_else_downloads_a_youths_copy(people: Any) -> None:
    held = minor_with_everything(people)
    other = minor_with_everything(people, name="Ida")
    for user in (other.own.user, other.parent.user, people.nav_advisor, people.privacy_officer):
        assert _logged_in(user).get(f"/me/{held.youth.pk}/copy.pdf").status_code == 404
    assert Client().get(f"/me/{held.youth.pk}/copy.json").status_code == 302  # log in first
    Youth.objects.filter(pk=held.youth.pk).update(birth_date=factories.years_ago(18))
    assert _logged_in(held.parent.user).get(f"/me/{held.youth.pk}/copy.json").status_code == 404


def test_the_privacy_officer_produces_the_copy_for_a_request_on_paper(
    people: Any, count_queries: Any
) -> None:
    held = minor_with_everything(people)
    client = _logged_in(people.privacy_officer)
    assert client.get(REQUESTS).status_code == 200

    with count_queries() as queries:
        response = client.post(
            REQUESTS, {"national_id": held.youth.national_id, "file_format": "pdf"}
        )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _is_attachment(response, "pdf")
    text = _pdf_text(response.content)
    assert "Innsyn: alt Samordna har registrert om Sara Berg" in text
    assert "personvernombud, etter innsynskrav" in text
    # The session, the user, the memberships, the look-up; the copy; in its savepoint the
    # access-log row and the audit entry.
    assert len(queries) == 4 + COPY_QUERIES + 4

    look = AccessLogEntry.objects.filter(subject=held.youth, purpose="access-request").get()
    assert (look.granted, look.party_id, look.role) == (
        True,
        people.nav.pk,
        StaffRole.PRIVACY_OFFICER,
    )
    assert look.actor == people.privacy_officer and look.bases == ["access-request"]
    seen = {(i["type"], i["id"]) for i in look.items}
    assert ("entry", str(held.health_entry.pk)) in seen and ("plan", str(held.plan.pk)) in seen
    assert "HEALTH" in look.categories
    audit = AuditEntry.objects.get(action="youth.access_copy_produced")
    assert (audit.actor, audit.subject_id, audit.data["format"]) == (
        people.privacy_officer,
        held.youth.pk,
        "pdf",
    )
    assert held.youth.national_id not in json.dumps(audit.data)

    own = _logged_in(held.own.user).get(f"/me/{held.youth.pk}/").content.decode()
    assert "innsynskravet ditt (personvernforordningen art. 15)" in own


def test_a_youth_outside_the_privacy_officers_services_is_not_found_and_the_attempt_logged(
    people: Any,
) -> None:
    elsewhere = factories.register_youth(people.outsider, people.elsewhere, first_name="Per")
    client = _logged_in(people.privacy_officer)

    response = client.post(REQUESTS, {"national_id": elsewhere.national_id, "file_format": "json"})

    assert response.status_code == 400
    assert "Fant ingen ungdom med dette nummeret" in response.content.decode()
    refused = AccessLogEntry.objects.get(subject=elsewhere, purpose="access-request")
    assert (refused.granted, refused.role) == (False, StaffRole.PRIVACY_OFFICER)
    assert not AuditEntry.objects.filter(action="youth.access_copy_produced").exists()
    bad = client.post(REQUESTS, {"national_id": "12345678901", "file_format": "json"})
    assert bad.status_code == 400 and "Kontrollsifrene" in bad.content.decode()
    assert _logged_in(people.nav_advisor).post(REQUESTS, {}).status_code == 403


def test_the_api_answers_a_request_with_the_json_copy(people: Any, client_for: Any) -> None:
    held = minor_with_everything(people)
    api = client_for(people.privacy_officer)

    response = api.post(API, {"national_id": held.youth.national_id}, format="json")

    assert response.status_code == 200
    _is_attachment(response, "json")
    copy = json.loads(response.content)
    assert {row["id"] for row in copy["sections"]["entries"]} >= {str(held.nav_entry.pk)}
    assert AccessLogEntry.objects.filter(subject=held.youth, purpose="access-request").exists()

    elsewhere = factories.register_youth(people.outsider, people.elsewhere, first_name="Per")
    assert api.post(API, {"national_id": elsewhere.national_id}, format="json").status_code == 404
    invalid = api.post(API, {"national_id": "123"}, format="json")
    assert invalid.status_code == 400 and "national_id" in invalid.json()["error"]["fields"]
    english = client_for(people.privacy_officer, "en").post(
        API, {"national_id": "123"}, format="json"
    )
    assert "11 digits" in json.dumps(english.json())
    assert (
        client_for(people.nav_advisor)
        .post(API, {"national_id": held.youth.national_id}, format="json")
        .status_code
        == 403
    )

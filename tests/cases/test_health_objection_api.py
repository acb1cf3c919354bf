"""A youth of 12 to 15 objects to guardians being told about their health (pasient- og
brukerrettighetsloven § 3-4 second paragraph): recorded with who and when, through the API by
the health service or by the youth on *Min side*; a guardian's *Min side* then shows no health
matters, as it shows none of a youth of 16 or more (§ 4-3). At fixed dates: birthdays and
29 February."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cases import portal, services
from cases.models import Guardian, GuardianRelation, HealthObjection, Youth
from consent.services import Flow
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
D = datetime.date.fromisoformat


@pytest.fixture
def travel() -> Iterator[Any]:
    travellers: list[Any] = []

    def go(day: str, hour: int = 12) -> None:
        for traveller in travellers:
            traveller.stop()
        travellers.clear()
        moment = datetime.datetime.combine(D(day), datetime.time(hour), tzinfo=OSLO)
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


def _youth(people: Any, birth: str) -> tuple[Youth, Guardian]:
    """A youth the health service and OT follow, with a parent who holds responsibility and a
    consent from the parents for the health service to share health matters with OT."""
    youth = factories.register_youth(
        people.health_nurse, people.health, birth_date=D(birth), first_name="Sara"
    )
    factories.follow(people.ot_counsellor, people.ot, youth)
    guardian = services.guardian_add(
        actor=people.health_nurse,
        youth=youth,
        full_name="Kari Mor",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=True,
    )
    services.consent_give(
        actor=people.health_nurse,
        youth=youth,
        decision="GIVEN",
        giver="GUARDIANS",
        guardians=[guardian],
        child_view="Sara vil at helsesøster snakker med OT.",
        purpose_code="SAMARBEID",
        purpose="Helsestasjonen deler med OT.",
        method="SIGNED_FORM",
        agreed_text="Ja.",
        flows=[Flow(categories=["HEALTH"], from_party=people.health, to_party=people.ot)],
    )
    return youth, guardian


def _object(client_for: Any, user: Any, youth: Youth, service: Any, withdraw: bool = False) -> Any:
    suffix = "withdraw/" if withdraw else ""
    return client_for(user).post(
        f"/api/v1/youths/{youth.pk}/health-objection/{suffix}",
        {"service": str(service.pk)},
        format="json",
    )


def _page(user: Any, youth: Youth) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/me/{youth.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_youth_of_12_to_15_objects_and_guardians_are_not_told_about_their_health(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, guardian = _youth(people, "2013-05-01")  # 13
    parent = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    assert "Helsestasjon" in _page(parent.user, youth)  # told, before the objection

    response = _object(client_for, people.health_nurse, youth, people.health)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recorded_by"]["username"] == people.health_nurse.username
    assert body["objected_at"].startswith("2027-01-10T")
    assert body["service"] == str(people.health.pk)

    page = _page(parent.user, youth)
    assert "Helsestasjon" not in page  # neither the service nor the consent's health flow
    assert "OT Skien" in page  # the rest is still there
    assert "Helsestasjon" in _page(own.user, youth)  # the youth sees everything

    travel("2027-02-01")
    withdrawn = _object(client_for, people.health_nurse, youth, people.health, withdraw=True)
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["withdrawn_at"].startswith("2027-02-01T")
    assert "Helsestasjon" in _page(parent.user, youth)
    assert AuditEntry.objects.filter(action="health_objection.withdrawn").exists()


@pytest.mark.parametrize(
    ("birth", "registered", "day", "allowed"),
    [
        ("2013-02-28", "2025-01-10", "2025-02-27", False),  # 11
        ("2013-02-28", "2025-01-10", "2025-02-28", True),  # the 12th birthday
        ("2013-02-28", "2025-01-10", "2029-02-27", True),  # still 15
        ("2013-02-28", "2025-01-10", "2029-02-28", False),  # 16: guardians are not told anyway
        ("2012-02-29", "2024-01-10", "2024-02-29", True),  # 12 on a leap day
        ("2012-02-29", "2024-01-10", "2028-02-28", True),
        ("2012-02-29", "2024-01-10", "2028-02-29", False),  # 16 on a leap day
    ],
)
def test_only_a_youth_of_12_to_15_can_object(
    people: Any,
    client_for: Any,
    travel: Any,
    birth: str,
    registered: str,
    day: str,
    allowed: bool,
) -> None:
    travel(registered)
    youth, _guardian = _youth(people, birth)
    travel(day)
    response = _object(client_for, people.health_nurse, youth, people.health)
    if allowed:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "objection_age"
        assert not HealthObjection.objects.exists()


def test_only_a_health_service_that_follows_the_youth_records_the_objection(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, _guardian = _youth(people, "2013-05-01")
    for service in (people.ot, people.health):  # OT is not a health service; health not OT's
        response = _object(client_for, people.ot_counsellor, youth, service)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "not_a_following_health_service"
    assert not HealthObjection.objects.exists()
    assert _object(client_for, people.nav_advisor, youth, people.health).status_code == 404


def test_the_youth_objects_on_min_side_and_takes_it_back(people: Any, travel: Any) -> None:
    travel("2027-01-10")
    youth, guardian = _youth(people, "2013-05-01")
    parent = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    client = Client()
    client.force_login(own.user)
    assert "Foresatte skal ikke få vite om helsen min" in _page(own.user, youth)

    assert client.post(f"/me/{youth.pk}/health-objection/").status_code == 302
    objection = HealthObjection.objects.get()
    assert (objection.recorded_by, objection.service) == (own.user, None)
    assert "Helsestasjon" not in _page(parent.user, youth)

    client.post(f"/me/{youth.pk}/health-objection/")
    objection.refresh_from_db()
    assert objection.withdrawn_by == own.user
    assert "Helsestasjon" in _page(parent.user, youth)

    guardian_client = Client()
    guardian_client.force_login(parent.user)
    assert guardian_client.post(f"/me/{youth.pk}/health-objection/").status_code == 404


def test_the_guardians_page_asks_for_the_objection_once_however_much_it_shows(
    people: Any, client_for: Any, count_queries: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, guardian = _youth(people, "2013-05-01")
    parent = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    assert _object(client_for, people.health_nurse, youth, people.health).status_code == 201
    client = Client()
    client.force_login(parent.user)

    def queries_with(consents: int) -> int:
        while youth.consents.count() < consents:
            services.consent_give(
                actor=people.ot_counsellor,
                youth=youth,
                decision="GIVEN",
                giver="GUARDIANS",
                guardians=[guardian],
                child_view="Greit for meg.",
                purpose_code="SAMARBEID",
                purpose="OT deler med helsestasjonen.",
                method="SIGNED_FORM",
                agreed_text="Ja.",
                flows=[
                    Flow(categories=["EDUCATION"], from_party=people.ot, to_party=people.health)
                ],
            )
        with count_queries() as captured:
            response = client.get(f"/me/{youth.pk}/")
        assert response.status_code == 200
        assert "Helsestasjon" not in response.content.decode()
        return len(captured)

    assert queries_with(3) == queries_with(20)


def test_the_api_names_no_min_side_user_for_an_objection_the_youth_recorded(
    people: Any, travel: Any, client_for: Any
) -> None:
    travel("2027-01-10")
    youth, _guardian = _youth(people, "2013-05-01")
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    client = Client()
    client.force_login(own.user)
    assert client.post(f"/me/{youth.pk}/health-objection/").status_code == 302
    withdrawn = _object(client_for, people.health_nurse, youth, people.health, withdraw=True)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["recorded_by"] is None and withdrawn.json()["service"] is None

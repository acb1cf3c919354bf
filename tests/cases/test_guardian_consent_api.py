"""Guardians' consent through the API, at fixed dates (birthdays, 29 February):

- it stops counting for a category when the youth consents alone for it (the municipality's
  sharing age, 16 for health: pasient- og brukerrettighetsloven § 4-3), and the youth is asked
  a settable number of days before; *Min side* tells the youth when they take over;
- each guardian with parental responsibility answers in their own name, and the consent counts
  once all of them gave it (barnelova § 30; one suffices under sole parental responsibility);
- the child's view is recorded from 7 and required from 12 (barnelova § 31).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings

from cases import portal, services
from cases.models import Guardian, GuardianRelation, Youth
from consent.models import Consent, Decision
from consent.services import Flow
from coordination.models import Deadline
from tests import factories

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
D = datetime.date.fromisoformat


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(D(day), datetime.time(hour, minute), tzinfo=OSLO)


@pytest.fixture
def travel() -> Iterator[Any]:
    """travel("2027-01-31", hour) moves the clock (Europe/Oslo) until the test ends."""
    travellers: list[Any] = []

    def go(day: str, hour: int = 12, minute: int = 0) -> None:
        for traveller in travellers:
            traveller.stop()
        travellers.clear()
        traveller = time_machine.travel(at(day, hour, minute), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


def _child(
    people: Any, birth: str, *, parents: tuple[bool, ...] = (True, True)
) -> tuple[Youth, list[Guardian]]:
    """A child the health service and NAV follow, with parents (``True``: holds parental
    responsibility)."""
    youth = factories.register_youth(
        people.health_nurse, people.health, birth_date=D(birth), first_name="Sara"
    )
    factories.follow(people.nav_advisor, people.nav, youth)
    guardians = [
        services.guardian_add(
            actor=people.health_nurse,
            youth=youth,
            full_name=name,
            relation=GuardianRelation.PARENT,
            has_parental_responsibility=responsible,
        )
        for name, responsible in zip(("Kari Hansen", "Per Hansen"), parents, strict=False)
    ]
    return youth, guardians


def _body(guardians: list[Guardian], **overrides: Any) -> dict[str, Any]:
    body = {
        "decision": "GIVEN",
        "giver": "GUARDIANS",
        "guardians": [str(g.pk) for g in guardians],
        "purpose_code": "SAMARBEID",
        "purpose": "Helsestasjonen og NAV samarbeider.",
        "method": "SIGNED_FORM",
        "agreed_text": "Vi samtykker.",
        "child_view": "Sara vil at de snakker sammen.",
        "flows": [],
    }
    body.update(overrides)
    return body


def _give(people: Any, client_for: Any, youth: Youth, body: dict[str, Any]) -> Any:
    body = {
        **body,
        "flows": body["flows"]
        or [
            {
                "from_service": str(people.health.pk),
                "to_service": str(people.nav.pk),
                "categories": ["HEALTH", "FAMILY_AND_ECONOMY"],
            }
        ],
    }
    return client_for(people.health_nurse).post(
        f"/api/v1/youths/{youth.pk}/consents/", body, format="json"
    )


def _answer(client_for: Any, user: Any, consent_id: str, guardian: Guardian, **extra: Any) -> Any:
    return client_for(user).post(
        f"/api/v1/consents/{consent_id}/guardian-answer/",
        {"guardian": str(guardian.pk), "decision": "GIVEN", "method": "DIGITAL", **extra},
        format="json",
    )


def _log_health_notes(people: Any, youth: Youth) -> None:
    for category in ("HEALTH", "FAMILY_AND_ECONOMY"):
        services.entry_log(
            actor=people.health_nurse,
            youth=youth,
            service=people.health,
            occurred_on=datetime.date.today(),
            kind="NOTE",
            category=category,
            text=f"Notat: {category}",
        )


def _nav_sees(people: Any, client_for: Any, youth: Youth) -> set[str]:
    response = client_for(people.nav_advisor).get(f"/api/v1/youths/{youth.pk}/entries/")
    assert response.status_code == 200, response.json()
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    return {row["category"] for row in rows if row["service"]["id"] == str(people.health.pk)}


# --- Consent ages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sharing_age", "family_until"),
    [(15, "2027-03-01"), (16, "2028-02-29")],  # born 29 February: 2027 has none
)
def test_a_guardians_consent_stops_counting_when_the_youth_consents_alone_for_the_category(
    people: Any, client_for: Any, travel: Any, sharing_age: int, family_until: str
) -> None:
    """Family and economy: from the municipality's sharing age; health: from 16 (pasient- og
    brukerrettighetsloven § 4-3), here on 29 February 2028."""
    travel("2027-01-10")
    with override_settings(CONSENT_SUBJECT_AGE_BY_MUNICIPALITY={"4003": sharing_age}):
        youth, guardians = _child(people, "2012-02-29")
        _log_health_notes(people, youth)
        given = _give(people, client_for, youth, _body(guardians))
        assert given.status_code == 201, given.json()
        until = {s["category"]: s["competent_until"] for s in given.json()["scopes"]}
        assert until == {"FAMILY_AND_ECONOMY": family_until, "HEALTH": "2028-02-29"}

        last_day = str(D(family_until) - datetime.timedelta(days=1))
        travel(last_day, 23, 59)
        assert _nav_sees(people, client_for, youth) == {"HEALTH", "FAMILY_AND_ECONOMY"}
        travel(family_until, 0, 1)
        health_still = {"HEALTH"} if family_until < "2028-02-29" else set()
        assert _nav_sees(people, client_for, youth) == health_still
        travel("2028-02-28", 23, 59)
        assert "HEALTH" in _nav_sees(people, client_for, youth)
        travel("2028-02-29", 0, 1)
        assert _nav_sees(people, client_for, youth) == set()


@pytest.mark.parametrize(("days_before", "due"), [(30, "2027-01-30"), (10, "2027-02-19")])
def test_the_youth_is_asked_again_a_settable_number_of_days_before_taking_over(
    people: Any, client_for: Any, travel: Any, days_before: int, due: str
) -> None:
    """Sharing age 15: born 29 February 2012, the youth takes over on 1 March 2027."""
    travel("2027-01-10")
    youth, guardians = _child(people, "2012-02-29")
    with override_settings(CONSENT_RECONSENT_DAYS_BEFORE=days_before):
        given = _give(people, client_for, youth, _body(guardians))
        assert given.status_code == 201, given.json()
    row = Deadline.objects.get(rule_id="RECONSENT-18", subject_id=given.json()["id"])
    assert row.due_on == D(due)


def test_min_side_tells_the_youth_when_they_take_over(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, guardians = _child(people, "2012-02-29")
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    parent = portal.account_create(
        youth=youth, guardian=guardians[0], username="kari", password="x-123456"
    )
    client = Client()
    client.force_login(own.user)
    content = client.get(f"/me/{youth.pk}/").content.decode()
    assert "Fra 01.03.2027 samtykker du selv for: Generelt" in content
    assert "Fra 29.02.2028 samtykker du selv for: Helse." in content
    client.force_login(parent.user)
    assert "samtykker du selv" not in client.get(f"/me/{youth.pk}/").content.decode()


# --- Each guardian's own answer ---------------------------------------------------------------


def test_a_guardians_consent_counts_only_once_both_guardians_with_parental_responsibility_gave_it(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, (kari, per) = _child(people, "2013-05-01")
    _log_health_notes(people, youth)
    first = _give(people, client_for, youth, _body([kari]))
    assert first.status_code == 201, first.json()
    consent = first.json()
    assert (consent["decision"], consent["active"]) == ("PENDING", False)
    assert [(a["guardian_name"], a["method"]) for a in consent["guardian_decisions"]] == [
        ("Kari Hansen", "SIGNED_FORM")
    ]
    assert _nav_sees(people, client_for, youth) == set()

    travel("2027-01-12", 9)
    second = _answer(client_for, people.health_nurse, consent["id"], per)
    assert second.status_code == 200, second.json()
    assert (second.json()["decision"], second.json()["active"]) == ("GIVEN", True)
    assert second.json()["giver_names"] == "Kari Hansen og Per Hansen"
    answers = {a["guardian_name"]: a for a in second.json()["guardian_decisions"]}
    assert answers["Per Hansen"]["method"] == "DIGITAL"
    assert answers["Per Hansen"]["decided_at"].startswith("2027-01-12T")
    assert _nav_sees(people, client_for, youth) == {"HEALTH", "FAMILY_AND_ECONOMY"}


def test_one_guardians_consent_suffices_under_sole_parental_responsibility(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, (kari, per) = _child(people, "2013-05-01", parents=(True, False))
    given = _give(people, client_for, youth, _body([kari]))
    assert given.status_code == 201, given.json()
    assert given.json()["decision"] == "GIVEN"
    refused = _give(people, client_for, youth, _body([per]))
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_a_needed_guardian"


def test_one_guardians_refusal_refuses_a_guardians_consent(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, (kari, per) = _child(people, "2013-05-01")
    _log_health_notes(people, youth)
    consent = _give(people, client_for, youth, _body([kari])).json()
    refused = _answer(client_for, people.health_nurse, consent["id"], per, decision="REFUSED")
    assert refused.json()["decision"] == "REFUSED"
    assert _nav_sees(people, client_for, youth) == set()
    again = _answer(client_for, people.health_nurse, consent["id"], per)
    assert again.status_code == 400 and again.json()["error"]["code"] == "not_pending"


@pytest.mark.parametrize(
    ("guardians", "code"),
    [
        ("none", "guardians_must_answer"),
        ("twice", "guardian_already_answered"),
        ("another_youths", "wrong_guardian"),
    ],
)
def test_each_guardian_answers_once_in_their_own_name(
    people: Any, client_for: Any, travel: Any, guardians: str, code: str
) -> None:
    travel("2027-01-10")
    youth, (kari, _per) = _child(people, "2013-05-01")
    _other, (stranger, _) = _child(people, "2013-06-01")
    named = {"none": [], "twice": [kari, kari], "another_youths": [stranger]}[guardians]
    response = _give(people, client_for, youth, _body(named))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert "guardians" in response.json()["error"]["fields"]
    assert not Consent.objects.filter(subject=youth).exists()


def test_a_missing_guardians_answer_is_told_in_english_too(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, _guardians = _child(people, "2013-05-01")
    response = client_for(people.health_nurse, "en").post(
        f"/api/v1/youths/{youth.pk}/consents/",
        {
            **_body([]),
            "flows": [
                {
                    "from_service": str(people.health.pk),
                    "to_service": str(people.nav.pk),
                    "categories": ["HEALTH"],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["error"]["fields"]["guardians"]
    assert error["message"] == "Say which guardians have answered, each in their own name."


# --- The child's voice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "required"),
    [
        ("2015-02-28", "2027-02-27", False),
        ("2015-02-28", "2027-02-28", True),  # the 12th birthday
        ("2016-02-29", "2028-02-28", False),
        ("2016-02-29", "2028-02-29", True),  # born on a leap day, 12 on a leap day
    ],
)
def test_the_childs_view_is_required_from_12_with_a_guardians_consent(
    people: Any, client_for: Any, travel: Any, birth: str, day: str, required: bool
) -> None:
    travel(day)
    youth, guardians = _child(people, birth)
    response = _give(people, client_for, youth, _body(guardians, child_view=""))
    if required:
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "child_view_required"
        assert "child_view" in response.json()["error"]["fields"]
        assert not Consent.objects.filter(subject=youth).exists()
    else:
        assert response.status_code == 201, response.json()


def test_the_childs_view_is_recorded_from_7(people: Any, client_for: Any, travel: Any) -> None:
    travel("2027-03-15")
    youth, guardians = _child(people, "2020-03-15")
    view = "Sara (7) vil at helsesøster snakker med NAV om mamma."
    response = _give(people, client_for, youth, _body(guardians, child_view=view))
    assert response.status_code == 201, response.json()
    assert response.json()["child_view"] == view
    assert Consent.objects.get(subject=youth).child_view == view


def test_an_adults_own_consent_takes_no_guardians_answer(
    people: Any, client_for: Any, travel: Any
) -> None:
    travel("2027-01-10")
    _youth, (kari, _per) = _child(people, "2013-05-01")
    own = factories.give_consent(
        people, Flow(categories=["EDUCATION"], from_party=people.ot, to_party=people.nav)
    )
    response = _answer(client_for, people.nav_advisor, str(own.pk), kari)
    assert response.status_code == 400
    assert Decision(Consent.objects.get(pk=own.pk).decision) == Decision.GIVEN


def test_the_consent_list_reads_every_guardians_answer_in_one_query(
    people: Any, client_for: Any, count_queries: Any, travel: Any
) -> None:
    travel("2027-01-10")
    youth, guardians = _child(people, "2013-05-01")

    def queries_with(consents: int) -> int:
        while Consent.objects.filter(subject=youth).count() < consents:
            assert _give(people, client_for, youth, _body(guardians)).status_code == 201
        api = client_for(people.nav_advisor)
        with count_queries() as captured:
            response = api.get(f"/api/v1/youths/{youth.pk}/consents/")
        assert response.status_code == 200
        assert all(len(c["guardian_decisions"]) == 2 for c in response.json())
        return len(captured)

    assert queries_with(3) == queries_with(30)

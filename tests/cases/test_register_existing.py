"""Registering a youth who is already in the registry: the names sent are compared with the
record, the attempt is in the access log, and the answer is what the gate shows."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from cases.models import FollowUpPeriod
from cases.names import fold, mismatched_names
from consent.models import AccessLogEntry
from tests import factories
from tests.conftest import People

YOUTHS = "/api/v1/youths/"


# --- The rule for names, as a plain function -----------------------------------------------


@pytest.mark.parametrize(
    ("sent", "record"),
    [
        (("emma", "HANSEN"), ("Emma", "Hansen")),  # case
        (("José", "Pérez"), ("Jose", "Perez")),  # accents
        (("Søren", "Ødegård"), ("Soren", "Odegard")),  # ø and å written without
        (("Soeren", "Aasen"), ("Søren", "Åsen")),  # ø and å written as two letters
        (("Ærle", "Bø"), ("Aerle", "Bo")),  # æ written as two letters
        (("Anne Marie", "Berg"), ("Anne-Marie", "Berg")),  # hyphenation
        (("Annemarie", "Berg"), ("Anne-Marie", "Berg")),
        (("Kari", "Nordmann-Berg"), ("Kari", "Nordmann Berg")),
        (("Ola", "Berg"), ("Ola Nordmann", "Berg")),  # middle name left out
        (("Ola Nordmann", "Berg"), ("Ola", "Nordmann Berg")),  # middle name in the other field
        (("Ola", "Nordmann"), ("Ola", "Nordmann Berg")),  # a middle name used as family name
        (("  Emma ", "O'Neil"), ("Emma", "O’Neil")),  # spaces and apostrophes
    ],
)
def test_names_match_despite_case_accents_hyphens_and_middle_names(
    sent: tuple[str, str], record: tuple[str, str]
) -> None:
    assert (
        mismatched_names(
            first_name=sent[0],
            last_name=sent[1],
            record_first_name=record[0],
            record_last_name=record[1],
        )
        == []
    )


@pytest.mark.parametrize(
    ("sent", "record", "fields"),
    [
        (("Ola", "Hansen"), ("Emma", "Hansen"), ["first_name"]),  # a sibling
        (("Emma", "Olsen"), ("Emma", "Hansen"), ["last_name"]),
        (("Per", "Olsen"), ("Emma", "Hansen"), ["first_name", "last_name"]),
        (("Hansen", "Hansen"), ("Emma", "Hansen"), ["first_name"]),  # the family name twice
        (("Emma", "Emma"), ("Emma", "Hansen"), ["last_name"]),
        (("", ""), ("Emma", "Hansen"), ["first_name", "last_name"]),
    ],
)
def test_a_clear_name_mismatch_names_its_fields(
    sent: tuple[str, str], record: tuple[str, str], fields: list[str]
) -> None:
    assert (
        mismatched_names(
            first_name=sent[0],
            last_name=sent[1],
            record_first_name=record[0],
            record_last_name=record[1],
        )
        == fields
    )


def test_names_fold_norwegian_letters_and_diacritics_alike() -> None:
    assert {fold("Øyvind"), fold("Oeyvind"), fold("Oyvind")} == {"oyvind"}
    assert {fold("Åse"), fold("Aase"), fold("ÅSE")} == {"ase"}
    assert fold("Zoë") == fold("Zoe")


# --- Through the API -----------------------------------------------------------------------


def _existing(people: People, **overrides: Any) -> dict[str, Any]:
    body = {
        "national_id": people.youth.national_id,
        "first_name": "Emma",
        "last_name": "Hansen",
        "municipality_number": "4003",
        "service": str(people.school.pk),
        "reason": "Fare for å avbryte",
    }
    body.update(overrides)
    return body


def _log(people: People, purpose: str = "youth-register") -> list[AccessLogEntry]:
    return list(
        AccessLogEntry.objects.filter(subject_id=people.youth.pk, purpose=purpose).order_by("at")
    )


def test_registering_an_existing_youth_refuses_a_name_mismatch(
    people: People, client_for: Any
) -> None:
    periods = FollowUpPeriod.objects.count()
    body = _existing(people, first_name="Ola")  # Emma Hansen's number, her brother's name
    nb = client_for(people.school_counsellor).post(YOUTHS, body, format="json")
    assert nb.status_code == 400
    fields = nb.json()["error"]["fields"]
    assert list(fields) == ["first_name"]
    assert fields["first_name"] == [
        {
            "code": "name_mismatch",
            "message": "Navnet stemmer ikke med det som er registrert på identitetsnummeret. "
            "Kontroller nummeret og navnet.",
        }
    ]
    en = client_for(people.school_counsellor, "en").post(YOUTHS, body, format="json")
    assert en.json()["error"]["fields"]["first_name"][0]["message"] == (
        "The name does not match the one registered for the identity number. Check the number "
        "and the name."
    )
    # Nothing of the record in the answer, no period opened.
    assert "Emma" not in nb.content.decode() and people.youth.national_id not in str(fields)
    assert FollowUpPeriod.objects.count() == periods


def test_registering_an_existing_youth_tolerates_how_the_name_is_written(
    people: People, client_for: Any
) -> None:
    body = _existing(people, first_name="EMMA", last_name="hansen")
    response = client_for(people.school_counsellor).post(YOUTHS, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == str(people.youth.pk)
    assert FollowUpPeriod.objects.filter(youth=people.youth, service=people.school).exists()


def test_a_refused_registration_of_an_existing_youth_is_in_the_access_log(
    people: People, client_for: Any
) -> None:
    body = _existing(people, last_name="Olsen")
    assert client_for(people.school_counsellor).post(YOUTHS, body, format="json").status_code == 400
    [entry] = _log(people)
    assert entry.granted is False
    assert entry.actor_id == people.school_counsellor.pk
    assert entry.party_id == people.school.pk


def test_a_granted_registration_of_an_existing_youth_is_in_the_access_log(
    people: People, client_for: Any
) -> None:
    body = _existing(people)
    assert client_for(people.school_counsellor).post(YOUTHS, body, format="json").status_code == 200
    [entry] = _log(people)
    assert entry.granted is True
    assert entry.party_id == people.school.pk


def test_registering_an_existing_youth_answers_what_the_gate_shows_the_service(
    people: People, client_for: Any
) -> None:
    """The answer is the gate's read of the youth for the registering service, the same read
    as the detail: nothing more than the service sees once it follows the youth."""
    api = client_for(people.school_counsellor)
    registered = api.post(YOUTHS, _existing(people), format="json").json()
    detail = api.get(f"{YOUTHS}{people.youth.pk}/").json()
    assert registered == detail
    assert [entry.purpose for entry in AccessLogEntry.objects.order_by("at", "id")][-2:] == [
        "youth-register",
        "youth",
    ]


def test_identity_numbers_stay_out_of_the_logs_of_a_refused_registration(
    people: People, client_for: Any, caplog: Any
) -> None:
    body = _existing(people, first_name="Ola")
    with caplog.at_level(logging.DEBUG):
        client_for(people.school_counsellor).post(YOUTHS, body, format="json")
    assert people.youth.national_id not in caplog.text
    [entry] = _log(people)
    assert people.youth.national_id not in str(entry.items) + entry.purpose


def test_registering_a_new_youth_compares_no_names(people: People, client_for: Any) -> None:
    body = _existing(
        people, national_id=factories.synthetic_number(factories.years_ago(17)), first_name="Ola"
    )
    response = client_for(people.school_counsellor).post(YOUTHS, body, format="json")
    assert response.status_code == 201, response.json()

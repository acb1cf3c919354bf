"""Identity numbers as people type them: one normal form for registering and looking up, and
never a number in a search that travels in the address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import access, identity, selectors
from cases.models import StaffRole, Youth, national_id_matches
from cases.services import membership_add
from tests import factories

YOUTHS = "/api/v1/youths/"
LOOKUP = f"{YOUTHS}lookup/"


def _typed(number: str) -> list[str]:
    """The ways a number is typed or pasted: split 6+5 by a space or a dash, and worse."""
    return [
        f"{number[:6]} {number[6:]}",
        f"{number[:6]}-{number[6:]}",
        f" {number[:6]} - {number[6:]} ",
        f"{number[:6]}\u00a0{number[6:]}",  # no-break space, from a word processor
        f"{number[:6]}\u2013{number[6:]}",  # en dash
        f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:]}",
    ]


def test_normalise_takes_out_spaces_and_dashes_only() -> None:
    for typed in _typed("15050550025"):
        assert identity.normalise(typed) == "15050550025"
    assert identity.normalise("1505055002A") == "1505055002A"  # left for parse to refuse


@pytest.mark.parametrize("index", range(6))
def test_the_lookup_finds_a_number_typed_with_spaces_or_a_dash(
    people: Any, client_for: Any, index: int
) -> None:
    typed = _typed(people.youth.national_id)[index]
    response = client_for(people.ot_counsellor).post(LOOKUP, {"national_id": typed}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == str(people.youth.pk)


def test_registering_and_looking_up_agree_on_the_number(people: Any, client_for: Any) -> None:
    number = factories.synthetic_number(factories.years_ago(18))
    body = {
        "national_id": f"{number[:6]} {number[6:]}",
        "first_name": "Jonas",
        "last_name": "Olsen",
        "municipality_number": "4003",
        "service": str(people.nav.pk),
        "reason": "Arbeidssøker, helt ledig",
    }
    api = client_for(people.nav_advisor)
    created = api.post(YOUTHS, body, format="json")
    assert created.status_code == 201
    assert created.json()["national_id"] == number
    youth = Youth.objects.get(national_id_matches(number))
    # The same youth, typed the other way, by another service: followed, not duplicated.
    membership_add(
        actor=None, user=people.nav_advisor, service=people.ot, role=StaffRole.CASEWORKER
    )
    again = api.post(
        YOUTHS,
        {
            **body,
            "national_id": f"{number[:6]}-{number[6:]}",
            "service": str(people.ot.pk),
            "registration_reason": "OT_NOT_IN_WORK",
        },
        format="json",
    )
    assert again.status_code == 200 and again.json()["id"] == str(youth.pk)
    found = api.post(LOOKUP, {"national_id": f"{number[:6]}-{number[6:]}"}, format="json")
    assert found.json()["id"] == str(youth.pk)


def test_the_selector_normalises_for_every_caller(people: Any) -> None:
    number = people.youth.national_id
    typed = f"{number[:6]} {number[6:]}"
    assert selectors.youth_by_national_id(
        viewer=access.viewer_for(people.nav_advisor), national_id=typed
    ) == (people.youth)


def test_the_admin_lookup_finds_a_number_typed_with_a_space(people: Any) -> None:
    user = factories.UserFactory(username="superbruker", is_staff=True, is_superuser=True)
    membership_add(actor=None, user=user, service=people.nav, role=StaffRole.MANAGER)
    client = Client()
    client.force_login(user)
    number = people.youth.national_id
    response = client.post(
        "/admin/cases/youth/lookup/", {"national_id": f"{number[:6]} {number[6:]}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/cases/youth/{people.youth.pk}/change/"


@pytest.mark.parametrize("digits", ["²" * 11, "١٥٠٥٠٥٥٠٠٢٥"])  # superscripts, Arabic-Indic
def test_digits_other_than_0_to_9_are_refused_not_a_server_error(
    people: Any, client_for: Any, digits: str
) -> None:
    with pytest.raises(identity.InvalidIdentityNumber) as excinfo:
        identity.parse(digits)
    assert excinfo.value.code == "format"
    response = client_for(people.nav_advisor).post(LOOKUP, {"national_id": digits}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["national_id"][0]["code"] == "format"


# --- No identity number in a search (it is in the address) -----------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "15050550025",
        "150505 50025",
        "150505-50025",
        "Hansen 15050550025",
        "1505055002512",  # a longer run holds eleven digits too
        "15 05 05 500 25",
    ],
)
def test_the_caseload_api_refuses_an_identity_number_in_q(
    people: Any, client_for: Any, q: str
) -> None:
    response = client_for(people.nav_advisor).get(YOUTHS, {"q": q})
    assert response.status_code == 400
    [error] = response.json()["error"]["fields"]["q"]
    assert error["code"] == "identity_number"
    assert error["message"] == (
        "Søk ikke på identitetsnummer i adressen; bruk oppslaget (POST /api/v1/youths/lookup/)."
    )


def test_the_refusal_is_in_english_on_request(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor, "en").get(YOUTHS, {"q": "150505 50025"})
    assert response.json()["error"]["fields"]["q"][0]["message"] == (
        "Do not search by identity number in the address; use the look-up "
        "(POST /api/v1/youths/lookup/)."
    )


@pytest.mark.parametrize("q", ["Hansen", "1505055002", "Ola 150505", "4003 12345"])
def test_names_and_shorter_digit_runs_are_still_searched(
    people: Any, client_for: Any, q: str
) -> None:
    assert client_for(people.nav_advisor).get(YOUTHS, {"q": q}).status_code == 200


def _page_client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("typed", ["number", "spaced", "dashed"])
def test_the_caseload_page_refuses_a_number_and_does_not_echo_it(people: Any, typed: str) -> None:
    number = people.youth.national_id
    q = {
        "number": number,
        "spaced": f"{number[:6]} {number[6:]}",
        "dashed": f"{number[:6]}-{number[6:]}",
    }[typed]
    response = _page_client(people.nav_advisor).get("/youths/", {"q": q, "scope": "ours"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Søk ikke på identitetsnummer" in content
    assert response.context["form"].errors["q"]
    # Not in the page links, not in the language switch's return address, not in the form.
    assert "q=" not in response.context["params"]
    assert "scope=ours" in response.context["params"]
    assert number not in content and number[6:] not in content


def test_the_caseload_page_refusal_is_in_english_on_request(people: Any) -> None:
    response = _page_client(people.nav_advisor, "en").get("/youths/", {"q": "15050550025"})
    assert "Do not search by identity number" in response.content.decode()


def test_the_caseload_page_still_searches_by_name(people: Any) -> None:
    response = _page_client(people.nav_advisor).get("/youths/", {"q": "Hans"})
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert "Hansen" in response.content.decode()

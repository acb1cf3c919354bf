"""The youths API: caseload, registration, detail, look-up and the one error shape."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cases.models import FollowUpPeriod, Youth, national_id_matches
from tests import factories

YOUTHS = "/api/v1/youths/"


def _registration(people: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "national_id": factories.synthetic_number(factories.years_ago(18)),
        "first_name": "Jonas",
        "last_name": "Olsen",
        "municipality_number": "4003",
        "service": str(people.nav.pk),
        "reason": "Arbeidssøker, helt ledig",
    }
    body.update(overrides)
    return body


def test_the_caseload_lists_youths_followed_by_my_services(people: Any, client_for: Any) -> None:
    response = client_for(people.ot_counsellor).get(YOUTHS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(people.youth.pk)
    assert "national_id" not in row
    assert {p["service"]["name"] for p in row["follow_up"]} == {"NAV Skien", "OT Skien"}


def test_mine_is_where_i_am_responsible(people: Any, client_for: Any) -> None:
    api = client_for(people.coordinator)  # same service as ola.ot, not responsible
    assert api.get(YOUTHS, {"scope": "ours"}).json()["count"] == 1
    assert api.get(YOUTHS, {"scope": "mine"}).json()["count"] == 0
    assert client_for(people.ot_counsellor).get(YOUTHS, {"scope": "mine"}).json()["count"] == 1


def test_caseload_filters(people: Any, client_for: Any) -> None:
    factories.register_youth(people.nav_advisor, people.nav, first_name="Ali", last_name="Ahmed")
    api = client_for(people.nav_advisor)
    assert [y["first_name"] for y in api.get(YOUTHS, {"q": "ahm"}).json()["results"]] == ["Ali"]
    assert api.get(YOUTHS, {"service": str(people.ot.pk)}).json()["count"] == 0
    assert api.get(YOUTHS, {"municipality": "4001"}).json()["count"] == 0
    assert api.get(YOUTHS, {"municipality": "4003"}).json()["count"] == 2


def test_a_youth_followed_by_two_of_my_services_is_one_row(people: Any, client_for: Any) -> None:
    """The caseload picks its page from follow-up periods: two open periods of one youth in
    services I work in are still one youth, and the total and the pages count youths."""
    from cases import services

    services.membership_add(
        actor=None, user=people.nav_advisor, service=people.ot, role="CASEWORKER"
    )
    for last_name in ("Aas", "Berg", "Dahl"):
        factories.register_youth(people.nav_advisor, people.nav, last_name=last_name)
    api = client_for(people.nav_advisor)
    names = [
        row["last_name"]
        for page in (1, 2)
        for row in api.get(YOUTHS, {"page": page, "page_size": 2}).json()["results"]
    ]
    assert names == ["Aas", "Berg", "Dahl", "Hansen"]  # people.youth, followed by NAV and OT
    assert api.get(YOUTHS, {"page_size": 2}).json()["count"] == 4
    assert api.get(YOUTHS, {"page": 3, "page_size": 2}).status_code == 404


def test_the_caseload_sorts_by_the_name_as_it_is_now(people: Any, client_for: Any) -> None:
    """Follow-up periods carry a copy of the youth's name (the caseload's sort key); changing
    the name changes the copy on every period, open or closed."""
    from cases import services

    other = factories.register_youth(people.nav_advisor, people.nav, last_name="Aas")
    api = client_for(people.nav_advisor)
    assert [r["last_name"] for r in api.get(YOUTHS).json()["results"]] == ["Aas", "Hansen"]
    services.youth_update(
        actor=people.nav_advisor, youth=other, version=other.version, last_name="Øye"
    )
    assert [r["last_name"] for r in api.get(YOUTHS).json()["results"]] == ["Hansen", "Øye"]
    copies = FollowUpPeriod.objects.filter(youth=other)
    assert set(copies.values_list("youth_last_name", "youth_first_name")) == {("Øye", "Emma")}


def test_caseload_refuses_bad_filters(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor).get(
        YOUTHS, {"born_after": "31.02.2005", "scope": "all"}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"born_after", "scope"}


@pytest.mark.parametrize(
    "who", ["outsider", "school_counsellor", "health_nurse", "cw_caseworker", "nav_admin"]
)
def test_staff_outside_the_youths_services_get_404(people: Any, client_for: Any, who: str) -> None:
    api = client_for(getattr(people, who))
    url = f"{YOUTHS}{people.youth.pk}/"
    assert api.get(url).status_code == 404
    assert api.get(f"{url}guardians/").status_code == 404
    assert api.patch(url, {"phone": "41234567", "version": 1}, format="json").status_code == 404
    assert api.get(YOUTHS).json()["count"] == 0


def test_a_superuser_gets_no_bypass(people: Any, client_for: Any) -> None:
    boss = factories.UserFactory(username="rot", is_superuser=True, is_staff=True)
    assert client_for(boss).get(f"{YOUTHS}{people.youth.pk}/").status_code == 404


def test_unknown_and_unreachable_look_the_same(people: Any, client_for: Any) -> None:
    api = client_for(people.outsider)
    unknown = api.get(f"{YOUTHS}00000000-0000-0000-0000-000000000000/")
    hidden = api.get(f"{YOUTHS}{people.youth.pk}/")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json()


def test_detail_shows_the_record_to_a_following_service(people: Any, client_for: Any) -> None:
    body = client_for(people.ot_counsellor).get(f"{YOUTHS}{people.youth.pk}/").json()
    assert body["national_id"] == people.youth.national_id
    assert body["version"] == 1
    assert len(body["periods"]) == 2


def test_registering_answers_201_then_200_for_the_same_number(people: Any, client_for: Any) -> None:
    body = _registration(people)
    first = client_for(people.nav_advisor).post(YOUTHS, body, format="json")
    assert first.status_code == 201, first.json()
    body.update(service=str(people.ot.pk), registration_reason="OT_NOT_IN_WORK")
    second = client_for(people.ot_counsellor).post(YOUTHS, body, format="json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Youth.objects.filter(national_id_matches(body["national_id"])).count() == 1


def test_registering_with_a_service_i_do_not_work_in_is_404(people: Any, client_for: Any) -> None:
    body = _registration(people)
    response = client_for(people.ot_counsellor).post(YOUTHS, body, format="json")
    assert response.status_code == 404
    assert not Youth.objects.filter(national_id_matches(body["national_id"])).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"national_id": "13097248023"}, "national_id", "checksum"),
        ({"national_id": "1234567891A"}, "national_id", "format"),
        ({"birth_date": "2005-02-30"}, "birth_date", "invalid"),
        ({"started_on": "i går"}, "started_on", "invalid"),
        ({"first_name": "x" * 101}, "first_name", "max_length"),
        ({"municipality_number": "403"}, "municipality_number", "municipality_number"),
        ({"email": "ikke-epost"}, "email", "invalid"),
        ({"phone": "12"}, "phone", "phone"),
        ({"responsible": "finnes.ikke"}, "responsible", "does_not_exist"),
        ({"shoe_size": 44}, "shoe_size", "unknown_field"),
    ],
)
def test_bad_input_answers_400_with_field_errors_and_writes_nothing(
    people: Any, client_for: Any, overrides: dict[str, Any], field: str, code: str
) -> None:
    periods_before = FollowUpPeriod.objects.count()
    response = client_for(people.nav_advisor).post(
        YOUTHS, _registration(people, **overrides), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field][0]["code"] == code
    assert Youth.objects.count() == 1
    assert FollowUpPeriod.objects.count() == periods_before


def test_error_messages_follow_the_request_language(people: Any, client_for: Any) -> None:
    body = _registration(people, national_id="13097248023")
    nb = client_for(people.nav_advisor, "nb").post(YOUTHS, body, format="json").json()
    en = client_for(people.nav_advisor, "en").post(YOUTHS, body, format="json").json()
    assert nb["error"]["message"] == "Opplysningene er ikke gyldige."
    assert en["error"]["message"] == "The information is not valid."
    assert nb["error"]["fields"]["national_id"][0]["message"] == (
        "Kontrollsifrene i identitetsnummeret stemmer ikke."
    )
    assert en["error"]["fields"]["national_id"][0]["message"] == (
        "The check digits of the identity number do not match."
    )


def test_a_service_rule_answers_400_with_a_code(people: Any, client_for: Any) -> None:
    body = _registration(
        people, national_id=people.youth.national_id, first_name="Emma", last_name="Hansen"
    )
    response = client_for(people.nav_advisor, "en").post(YOUTHS, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "already_followed",
        "message": "The service already follows this youth.",
    }


def test_malformed_json_is_a_400_not_a_500(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor).post(
        YOUTHS, "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_edits_use_optimistic_concurrency(people: Any, client_for: Any) -> None:
    url = f"{YOUTHS}{people.youth.pk}/"
    first = client_for(people.nav_advisor).patch(
        url, {"phone": "41234567", "version": 1}, format="json"
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client_for(people.ot_counsellor).patch(
        url, {"phone": "99999999", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert stale.json()["error"]["current_version"] == 2
    people.youth.refresh_from_db()
    assert people.youth.phone == "41234567"


def test_the_identity_number_cannot_be_edited(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor).patch(
        f"{YOUTHS}{people.youth.pk}/",
        {"national_id": "13097248022", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["national_id"][0]["code"] == "unknown_field"


def test_lookup_by_identity_number_goes_in_the_body(people: Any, client_for: Any) -> None:
    api = client_for(people.ot_counsellor)
    found = api.post(f"{YOUTHS}lookup/", {"national_id": people.youth.national_id}, format="json")
    assert found.status_code == 200
    assert found.json()["id"] == str(people.youth.pk)
    hidden = client_for(people.outsider).post(
        f"{YOUTHS}lookup/", {"national_id": people.youth.national_id}, format="json"
    )
    assert hidden.status_code == 404
    assert api.get(f"{YOUTHS}lookup/").status_code == 405


def test_guardians_can_be_added_and_listed(people: Any, client_for: Any) -> None:
    api = client_for(people.nav_advisor)
    url = f"{YOUTHS}{people.youth.pk}/guardians/"
    created = api.post(
        url,
        {"full_name": "Kari Hansen", "relation": "PARENT", "has_parental_responsibility": True},
        format="json",
    )
    assert created.status_code == 201
    assert [g["full_name"] for g in api.get(url).json()] == ["Kari Hansen"]
    bad = api.post(url, {"full_name": "X", "relation": "AUNT"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"relation", "has_parental_responsibility"}


def test_anonymous_callers_get_401_with_a_challenge(people: Any, api: Any) -> None:
    response = api.get(YOUTHS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_authentication(people: Any, api: Any) -> None:
    people.nav_advisor.set_password("hemmelig-passord")
    people.nav_advisor.save()
    token = api.post(
        "/api/v1/auth/token/", {"username": "ingrid.nav", "password": "hemmelig-passord"}
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(YOUTHS).json()["count"] == 1


def test_a_caseload_row_shows_the_youth_and_every_open_period(
    people: Any, count_queries: Any
) -> None:
    """A row: the youth's id, names, birth date, age on the day asked, municipality, and each
    open period with its service, responsible (or none) and start, in name order; the page and
    its total come from one query, its youths' open periods from a second."""
    from cases import access, selectors
    from cases.api.serializers import YouthListSerializer

    born = factories.years_ago(19).replace(day=15)
    eve_of_18 = born.replace(year=born.year + 18) - datetime.timedelta(days=1)
    youth = factories.register_youth(
        people.nav_advisor, people.nav, first_name="Åse", last_name="Aas", birth_date=born
    )
    period = FollowUpPeriod.objects.get(youth=youth)
    FollowUpPeriod.objects.filter(pk=period.pk).update(responsible=None)
    nav, ot = (
        FollowUpPeriod.objects.get(youth=people.youth, service=s) for s in (people.nav, people.ot)
    )
    caseload = selectors.youth_caseload(access.viewer_for(people.nav_advisor))
    with count_queries() as captured:
        youths, total = caseload.page_with_total(0, 50)
        rows = YouthListSerializer(youths, many=True, context={"today": eve_of_18}).data
    assert len(captured) == 2 and total == 2
    service = {"id": str(people.nav.pk), "kind": "NAV", "name": "NAV Skien"}
    assert rows[0] == {
        "id": str(youth.pk),
        "first_name": "Åse",
        "last_name": "Aas",
        "birth_date": born.isoformat(),
        "age": 17,
        "municipality_number": "4003",
        "follow_up": [
            {
                "id": str(period.pk),
                "service": service,
                "responsible": None,
                "started_on": period.started_on.isoformat(),
            }
        ],
    }
    followed = [
        (nav, {"id": str(people.nav.pk), "kind": "NAV", "name": "NAV Skien"}, people.nav_advisor),
        (ot, {"id": str(people.ot.pk), "kind": "OT", "name": "OT Skien"}, people.ot_counsellor),
    ]
    followed.sort(key=lambda row: row[0].pk)  # newest first, then by id
    followed.sort(key=lambda row: row[0].started_on, reverse=True)
    assert rows[1]["first_name"] == "Emma" and rows[1]["follow_up"] == [
        {
            "id": str(p.pk),
            "service": service,
            "responsible": {"username": user.username, "name": user.get_full_name()},
            "started_on": p.started_on.isoformat(),
        }
        for p, service, user in followed
    ]

"""Disclosures on a legal basis, and the holder rule for consents, through the API.

A legal basis is the holder's duty or permission to disclose chosen items, never a standing right
of the recipient to read (barnevernsloven § 13-2, helsepersonelloven § 33, opplæringslova § 9-4;
``cases.legal_bases``). Only the holder opens its records by consent (``cases.services.consents``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from consent.models import AccessLogEntry, Consent, Disclosure
from consent.services import MAX_FLOWS, Flow
from tests import factories

TODAY = str(datetime.date.today())
DISCLOSURES = "/api/v1/disclosures/"


def _entry(client: Any, youth: Any, service: Any, category: str, text: str) -> str:
    response = client.post(
        f"/api/v1/youths/{youth.pk}/entries/",
        {
            "service": str(service.pk),
            "occurred_on": TODAY,
            "kind": "CONVERSATION",
            "category": category,
            "text": text,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


def _minor(people: Any, age: int = 14) -> Any:
    """A youth of ``age`` followed by NAV and child welfare."""
    youth = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(age), first_name="Sara"
    )
    factories.follow(people.cw_caseworker, people.child_welfare, youth)
    return youth


def _texts(client: Any, youth: Any) -> set[str]:
    entries = client.get(f"/api/v1/youths/{youth.pk}/entries/").json()
    rows = entries["results"] if isinstance(entries, dict) else entries
    return {row["text"] for row in rows}


def _disclose(client: Any, youth: Any, people: Any, **body: Any) -> Any:
    values = {
        "youth": str(youth.pk),
        "from_service": str(people.nav.pk),
        "to_service": str(people.child_welfare.pk),
        "basis": "bvl-13-2",
        "reason": "Ungdommen forteller om vold hjemme; grunn til å tro at barnet mishandles.",
        "entries": [],
    }
    return client.post(DISCLOSURES, {**values, **body}, format="json")


# --- No standing flows on a legal basis -----------------------------------------------------


def test_child_welfare_does_not_read_adult_nav_notes_without_consent(
    people: Any, client_for: Any
) -> None:
    factories.follow(people.cw_caseworker, people.child_welfare, people.youth)
    nav = client_for(people.nav_advisor)
    _entry(nav, people.youth, people.nav, "FAMILY_AND_ECONOMY", "Gjeld og vold i hjemmet")
    _entry(nav, people.youth, people.nav, "WORK_AND_WELFARE", "Arbeidstrening")

    cw = client_for(people.cw_caseworker)
    assert _texts(cw, people.youth) == set()
    timeline = cw.get(f"/api/v1/youths/{people.youth.pk}/timeline/").json()["results"]
    assert [row for row in timeline if row["type"] == "entry"] == []


def test_child_welfare_does_not_read_a_minors_nav_notes_without_a_disclosure(
    people: Any, client_for: Any
) -> None:
    youth = _minor(people)
    _entry(client_for(people.nav_advisor), youth, people.nav, "FAMILY_AND_ECONOMY", "Gjeld")

    assert _texts(client_for(people.cw_caseworker), youth) == set()


def test_ot_does_not_read_the_schools_education_records_by_law(
    people: Any, client_for: Any
) -> None:
    factories.follow(people.school_counsellor, people.school, people.youth)
    _entry(client_for(people.school_counsellor), people.youth, people.school, "EDUCATION", "Fravær")

    assert _texts(client_for(people.ot_counsellor), people.youth) == set()


# --- Disclosures ----------------------------------------------------------------------------


def test_child_welfare_sees_exactly_the_entries_nav_disclosed_under_bvl_13_2(
    people: Any, client_for: Any
) -> None:
    youth = _minor(people)
    nav = client_for(people.nav_advisor)
    told = _entry(nav, youth, people.nav, "FAMILY_AND_ECONOMY", "Forteller om vold hjemme")
    _entry(nav, youth, people.nav, "WORK_AND_WELFARE", "Sommerjobb")

    response = _disclose(nav, youth, people, entries=[told])

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["basis"]["code"], body["from_service"]["id"], body["to_service"]["id"]) == (
        "bvl-13-2",
        str(people.nav.pk),
        str(people.child_welfare.pk),
    )
    assert [e["id"] for e in body["entries"]] == [told]
    cw = client_for(people.cw_caseworker)
    assert _texts(cw, youth) == {"Forteller om vold hjemme"}
    timeline = cw.get(f"/api/v1/youths/{youth.pk}/timeline/").json()["results"]
    entries = [row for row in timeline if row["type"] == "entry"]
    assert [(row["id"], row["disclosed"], row["basis"]) for row in entries] == [
        (told, True, "legal:bvl-13-2")
    ]
    read = AccessLogEntry.objects.filter(
        subject=youth, actor=people.cw_caseworker, purpose="youth-timeline"
    ).latest("at")
    assert "legal:bvl-13-2" in read.bases
    sent = AccessLogEntry.objects.get(subject=youth, purpose="disclosure")
    assert (sent.actor_id, sent.party_id, sent.bases) == (
        people.nav_advisor.pk,
        people.nav.pk,
        ["legal:bvl-13-2"],
    )
    assert {i["id"] for i in sent.items if i["type"] == "entry"} == {told}


def test_a_disclosed_entry_stays_read_only_for_the_recipient(people: Any, client_for: Any) -> None:
    youth = _minor(people)
    nav = client_for(people.nav_advisor)
    told = _entry(nav, youth, people.nav, "FAMILY_AND_ECONOMY", "Forteller om vold hjemme")
    assert _disclose(nav, youth, people, entries=[told]).status_code == 201

    response = client_for(people.cw_caseworker).patch(
        f"/api/v1/entries/{told}/", {"text": "Endret", "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert _texts(client_for(people.cw_caseworker), youth) == {"Forteller om vold hjemme"}


def test_bvl_13_2_disclosure_is_refused_for_a_youth_of_18(people: Any, client_for: Any) -> None:
    factories.follow(people.cw_caseworker, people.child_welfare, people.youth)  # 19 years old
    nav = client_for(people.nav_advisor, "en")
    told = _entry(nav, people.youth, people.nav, "FAMILY_AND_ECONOMY", "Gjeld")

    response = _disclose(nav, people.youth, people, entries=[told])

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "subject_too_old"
    assert "under 18" in error["fields"]["basis"][0]["message"]
    assert not Disclosure.objects.exists()


def test_hpl_33_disclosure_is_refused_for_a_youth_of_18(people: Any, client_for: Any) -> None:
    youth = _minor(people, age=18)
    factories.follow(people.health_nurse, people.health, youth)
    health = client_for(people.health_nurse)
    told = _entry(health, youth, people.health, "HEALTH", "Blåmerker")

    response = _disclose(
        health, youth, people, from_service=str(people.health.pk), basis="hpl-33", entries=[told]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "subject_too_old"


def test_hpl_33_lets_health_disclose_health_entries_about_a_child(
    people: Any, client_for: Any
) -> None:
    youth = _minor(people, age=17)
    factories.follow(people.health_nurse, people.health, youth)
    health = client_for(people.health_nurse)
    told = _entry(health, youth, people.health, "HEALTH", "Blåmerker")

    response = _disclose(
        health, youth, people, from_service=str(people.health.pk), basis="hpl-33", entries=[told]
    )

    assert response.status_code == 201, response.json()
    assert _texts(client_for(people.cw_caseworker), youth) == {"Blåmerker"}


def test_only_staff_of_the_holder_disclose_its_entries(people: Any, client_for: Any) -> None:
    youth = _minor(people)
    factories.follow(people.ot_counsellor, people.ot, youth)
    told = _entry(client_for(people.nav_advisor), youth, people.nav, "FAMILY_AND_ECONOMY", "Gjeld")
    ot = client_for(people.ot_counsellor)

    as_nav = _disclose(ot, youth, people, entries=[told])
    as_ot = _disclose(ot, youth, people, from_service=str(people.ot.pk), entries=[told])

    assert as_nav.status_code == 404  # not one of the caller's services
    assert as_ot.status_code == 400
    assert as_ot.json()["error"]["code"] == "not_held"
    assert "entries" in as_ot.json()["error"]["fields"]
    assert not Disclosure.objects.exists()


def test_a_disclosure_names_why_the_conditions_are_met_in_both_languages(
    people: Any, client_for: Any
) -> None:
    youth = _minor(people)
    for language, message in (
        ("nb", "Skriv hvorfor vilkårene i loven er oppfylt."),
        ("en", "Write why the conditions of the law are met."),
    ):
        response = _disclose(
            client_for(people.nav_advisor, language), youth, people, reason=" ", report="Melding"
        )
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["reason"][0]["message"] == message
    assert not Disclosure.objects.exists()


def test_oppl_9_4_lets_the_school_disclose_education_only_to_ot(
    people: Any, client_for: Any
) -> None:
    factories.follow(people.school_counsellor, people.school, people.youth)
    school = client_for(people.school_counsellor)
    dropped = _entry(school, people.youth, people.school, "EDUCATION", "Sluttet 3. mars")
    family = _entry(school, people.youth, people.school, "FAMILY_AND_ECONOMY", "Flyttet hjemmefra")
    body = {
        "from_service": str(people.school.pk),
        "to_service": str(people.ot.pk),
        "basis": "oppl-9-4",
        "reason": "Eleven har avbrutt opplæringen.",
    }

    refused = _disclose(school, people.youth, people, entries=[dropped, family], **body)
    given = _disclose(school, people.youth, people, entries=[dropped], **body)

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "category_not_covered"
    assert given.status_code == 201, given.json()
    assert _texts(client_for(people.ot_counsellor), people.youth) == {"Sluttet 3. mars"}


def test_a_basis_that_does_not_run_between_the_services_is_refused(
    people: Any, client_for: Any
) -> None:
    youth = _minor(people)
    factories.follow(people.ot_counsellor, people.ot, youth)
    nav = client_for(people.nav_advisor)
    told = _entry(nav, youth, people.nav, "WORK_AND_WELFARE", "Sommerjobb")

    response = _disclose(nav, youth, people, to_service=str(people.ot.pk), entries=[told])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "basis_does_not_apply"


def test_the_recipient_lists_a_report_before_it_follows_the_youth(
    people: Any, client_for: Any
) -> None:
    youth = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(13), first_name="Ida"
    )
    nav = client_for(people.nav_advisor)
    response = _disclose(nav, youth, people, report="Ida har fortalt om vold fra stefar.")
    assert response.status_code == 201, response.json()

    received = client_for(people.cw_caseworker).get(DISCLOSURES, {"side": "received"}).json()
    sent = client_for(people.nav_advisor).get(DISCLOSURES, {"side": "sent"}).json()
    others = client_for(people.ot_counsellor).get(DISCLOSURES).json()

    assert [(d["report"], d["youth"]["id"]) for d in received["results"]] == [
        ("Ida har fortalt om vold fra stefar.", str(youth.pk))
    ]
    assert [d["id"] for d in sent["results"]] == [response.json()["id"]]
    assert others["results"] == []
    assert (
        client_for(people.cw_caseworker).get(DISCLOSURES, {"side": "sent"}).json()["results"] == []
    )
    logged = AccessLogEntry.objects.get(
        subject=youth, purpose="disclosures", party=people.child_welfare
    )
    assert logged.bases == ["legal:bvl-13-2"]


def test_the_disclosure_list_costs_the_same_at_3_and_30_disclosures(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    youth = _minor(people)
    nav = client_for(people.nav_advisor)
    told = _entry(nav, youth, people.nav, "FAMILY_AND_ECONOMY", "Forteller om vold hjemme")
    counts = []
    for total in (3, 30):
        while Disclosure.objects.count() < total:
            nav = client_for(people.nav_advisor)
            assert _disclose(nav, youth, people, entries=[told]).status_code == 201
        cw = client_for(people.cw_caseworker)
        with count_queries() as queries:
            rows = cw.get(DISCLOSURES, {"page_size": 50}).json()["results"]
        assert len(rows) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Only the holder opens its records ------------------------------------------------------


def _consent(people: Any, flows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "decision": "GIVEN",
        "giver": "SUBJECT",
        "purpose_code": "SAMARBEID",
        "purpose": "Samarbeid om oppfølging",
        "method": "DIGITAL",
        "agreed_text": "Jeg samtykker.",
        "flows": flows,
    }


def test_consent_flow_from_health_recorded_only_by_health(people: Any, client_for: Any) -> None:
    factories.follow(people.health_nurse, people.health, people.youth)
    url = f"/api/v1/youths/{people.youth.pk}/consents/"
    flow = {
        "from_service": str(people.health.pk),
        "to_service": str(people.nav.pk),
        "categories": ["HEALTH"],
    }

    by_nav = client_for(people.nav_advisor).post(url, _consent(people, [flow]), format="json")

    assert by_nav.status_code == 400
    assert by_nav.json()["error"]["code"] == "holder_must_record"
    assert "flows" in by_nav.json()["error"]["fields"]
    assert not Consent.objects.exists()
    by_health = client_for(people.health_nurse).post(url, _consent(people, [flow]), format="json")
    assert by_health.status_code == 201, by_health.json()


def test_a_consent_flow_from_a_kind_of_service_is_refused(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor).post(
        f"/api/v1/youths/{people.youth.pk}/consents/",
        _consent(
            people,
            [{"from_kind": "HEALTH", "to_service": str(people.nav.pk), "categories": ["HEALTH"]}],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "holder_must_record"


def test_a_consent_flow_to_a_service_that_does_not_follow_the_youth_is_refused(
    people: Any, client_for: Any
) -> None:
    response = client_for(people.nav_advisor).post(
        f"/api/v1/youths/{people.youth.pk}/consents/",
        _consent(
            people,
            [
                {
                    "from_service": str(people.nav.pk),
                    "to_service": str(people.child_welfare.pk),
                    "categories": ["WORK_AND_WELFARE"],
                }
            ],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "to_not_following"
    assert not Consent.objects.exists()


def test_a_consent_flow_to_an_unknown_kind_is_refused(people: Any, client_for: Any) -> None:
    response = client_for(people.nav_advisor, "en").post(
        f"/api/v1/youths/{people.youth.pk}/consents/",
        _consent(
            people,
            [
                {
                    "from_service": str(people.nav.pk),
                    "to_kind": "BOGUS",
                    "kind_reason": "x",
                    "categories": ["WORK_AND_WELFARE"],
                }
            ],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert "to_kind" in response.json()["error"]["fields"]["flows"][0]


def test_a_consent_flow_to_a_kind_of_service_needs_a_reason(people: Any, client_for: Any) -> None:
    url = f"/api/v1/youths/{people.youth.pk}/consents/"
    flow = {
        "from_service": str(people.nav.pk),
        "to_kind": "SCHOOL",
        "categories": ["WORK_AND_WELFARE"],
    }
    client = client_for(people.nav_advisor)

    without = client.post(url, _consent(people, [flow]), format="json")
    reason = "Skolen ungdommen skal begynne på er ikke valgt ennå."
    given = client.post(url, _consent(people, [{**flow, "kind_reason": reason}]), format="json")

    assert without.status_code == 400
    assert without.json()["error"]["code"] == "kind_needs_reason"
    assert given.status_code == 201, given.json()
    assert given.json()["scopes"][0]["kind_reason"] == reason


def test_a_consent_has_at_most_30_flows_in_both_languages(people: Any, client_for: Any) -> None:
    flow = {
        "from_service": str(people.nav.pk),
        "to_service": str(people.ot.pk),
        "categories": ["WORK_AND_WELFARE"],
    }
    url = f"/api/v1/youths/{people.youth.pk}/consents/"
    for language, message in (
        ("nb", f"Et samtykke kan ha høyst {MAX_FLOWS} flyter."),
        ("en", f"A consent can have at most {MAX_FLOWS} flows."),
    ):
        response = client_for(people.nav_advisor, language).post(
            url, _consent(people, [flow] * (MAX_FLOWS + 1)), format="json"
        )
        assert response.status_code == 400
        [error] = response.json()["error"]["fields"]["flows"]["non_field_errors"]
        assert error == {"code": "max_length", "message": message}
    assert MAX_FLOWS == 30
    assert not Consent.objects.exists()


def test_only_the_holder_withdraws_a_consent(people: Any, client_for: Any) -> None:
    consent = factories.give_consent(
        people, Flow(categories=["WORK_AND_WELFARE"], from_party=people.nav, to_party=people.ot)
    )
    url = f"/api/v1/consents/{consent.pk}/withdraw/"

    by_ot = client_for(people.ot_counsellor).post(url, {"method": "ORAL"}, format="json")
    by_nav = client_for(people.nav_advisor).post(url, {"method": "ORAL"}, format="json")

    assert by_ot.status_code == 400
    assert by_ot.json()["error"]["code"] == "not_holder"
    assert by_nav.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_by_id == people.nav_advisor.pk
    assert consent.withdrawn_at is not None and consent.withdrawn_at <= timezone.now()


# --- Min side ---------------------------------------------------------------------------------


def _own_page(user: Any, youth: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(f"/me/{youth.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_bvl_13_2_disclosure_is_not_shown_to_the_youth_or_guardians_on_min_side(
    people: Any, client_for: Any
) -> None:
    from cases import portal, services

    youth = _minor(people)
    guardian = services.guardian_add(
        actor=people.nav_advisor,
        youth=youth,
        full_name="Kari Mor",
        relation="PARENT",
        has_parental_responsibility=True,
    )
    nav = client_for(people.nav_advisor)
    told = _entry(nav, youth, people.nav, "FAMILY_AND_ECONOMY", "Forteller om vold hjemme")
    assert _disclose(nav, youth, people, entries=[told]).status_code == 201
    client_for(people.cw_caseworker).get(f"/api/v1/youths/{youth.pk}/timeline/")
    youth_account = portal.account_create(youth=youth, username="sara", password="x-123456")
    guardian_account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )

    for account in (youth_account, guardian_account):
        page = _own_page(account.user, youth)
        assert "utlevering" not in page
        assert "Barnevernsloven" not in page


def test_an_oppl_9_4_disclosure_is_shown_to_the_youth_on_min_side(
    people: Any, client_for: Any
) -> None:
    from cases import portal

    factories.follow(people.school_counsellor, people.school, people.youth)
    school = client_for(people.school_counsellor)
    dropped = _entry(school, people.youth, people.school, "EDUCATION", "Sluttet 3. mars")
    response = _disclose(
        school,
        people.youth,
        people,
        from_service=str(people.school.pk),
        to_service=str(people.ot.pk),
        basis="oppl-9-4",
        reason="Eleven har avbrutt opplæringen.",
        entries=[dropped],
    )
    assert response.status_code == 201, response.json()
    account = portal.account_create(youth=people.youth, username="emma", password="x-123456")

    page = _own_page(account.user, people.youth)

    assert "utlevering" in page
    assert "Opplæringslova (2023) § 9-4" in page

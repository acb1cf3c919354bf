"""Consents asked for on *Min side*, through the staff API, show no more than the gate does: a
protected youth's requests only through a service cleared for the youth, no answer that tells
whether a service the viewer may not see follows the youth, and no *Min side* user named by a
username where the youth or a guardian wrote or answered."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cases import portal, services
from cases.models import AddressProtection, ConsentRequest, StaffRole, Youth
from cases.services import consent_requests, youth_plan
from consent.models import AccessLogEntry, Decision
from tests import factories

pytestmark = pytest.mark.django_db

ALL_CLEARANCES = {
    "cleared_strengt_fortrolig": True,
    "cleared_fortrolig": True,
    "cleared_shielded": True,
}


def _url(people: Any) -> str:
    return f"/api/v1/youths/{people.youth.pk}/consent-requests/"


def _ot_asks(people: Any) -> ConsentRequest:
    return consent_requests.consent_request_prepare(
        actor=people.ot_counsellor,
        youth=people.youth,
        template_code="skole",
        from_service=people.ot,
        to_service=people.nav,
    )


def _protect(people: Any, address: str, *, shielded: bool = False) -> None:
    """NAV's manager clears themselves in NAV and marks the youth."""
    services.membership_clearances_set(
        actor=people.manager, service=people.nav, user=people.manager, **ALL_CLEARANCES
    )
    youth = Youth.objects.get(pk=people.youth.pk)
    services.youth_protection_set(
        actor=people.manager,
        youth=youth,
        version=youth.version,
        address_protection=address,
        shielded=shielded,
    )


def _body(from_service: Any, to_service: Any) -> dict[str, str]:
    return {
        "template": "skole",
        "from_service": str(from_service.pk),
        "to_service": str(to_service.pk),
    }


def _refused(youth: Any, purpose: str) -> int:
    refused = AccessLogEntry.objects.filter(subject_id=youth.pk, purpose=purpose, granted=False)
    return refused.count()


@pytest.mark.parametrize(
    ("address", "shielded"),
    [
        (AddressProtection.STRENGT_FORTROLIG, False),
        (AddressProtection.FORTROLIG, False),
        (AddressProtection.UGRADERT, True),
    ],
)
def test_the_requests_of_a_protected_youth_are_a_404_to_staff_without_clearance(
    people: Any, client_for: Any, address: str, shielded: bool
) -> None:
    _ot_asks(people)
    _protect(people, address, shielded=shielded)
    api = client_for(people.ot_counsellor)
    assert api.get(f"/api/v1/youths/{people.youth.pk}/").status_code == 404
    before = _refused(people.youth, "youth-consent-requests")
    listed = api.get(_url(people))
    assert listed.status_code == 404
    assert _refused(people.youth, "youth-consent-requests") == before + 1
    assert api.post(_url(people), _body(people.ot, people.nav), format="json").status_code == 404
    assert _refused(people.youth, "youth-consent-requests") == before + 2
    assert ConsentRequest.objects.count() == 1


def test_a_protected_youths_requests_show_only_through_a_service_cleared_for_the_youth(
    people: Any, client_for: Any
) -> None:
    """Cleared in NAV, not in OT: the youth is reached through NAV, and OT's requests about the
    youth stay out of the list, as the screen keeps every row held through OT out; a new one
    through OT is refused."""
    both = factories.make_staff(people.nav, username="siri.begge")
    services.membership_add(actor=None, user=both, service=people.ot, role=StaffRole.CASEWORKER)
    _ot_asks(people)
    _protect(people, AddressProtection.STRENGT_FORTROLIG)
    services.membership_clearances_set(
        actor=people.manager, service=people.nav, user=both, cleared_strengt_fortrolig=True
    )
    api = client_for(both)
    assert api.get(f"/api/v1/youths/{people.youth.pk}/").status_code == 200
    listed = api.get(_url(people))
    assert listed.status_code == 200 and listed.json() == []
    refused = api.post(_url(people), _body(people.ot, people.nav), format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "protected_identity"
    assert set(refused.json()["error"]["fields"]) == {"from_service"}
    assert ConsentRequest.objects.count() == 1
    attempt = AccessLogEntry.objects.get(purpose="consent-request-prepare", granted=False)
    assert (attempt.subject_id, attempt.party_id) == (people.youth.pk, people.ot.pk)
    # Through NAV, where the viewer is cleared, the request is made and listed.
    made = api.post(_url(people), _body(people.nav, people.ot), format="json")
    assert made.status_code == 201
    assert [r["from_service"] for r in api.get(_url(people)).json()] == [str(people.nav.pk)]


def test_a_service_whose_involvement_is_hidden_is_refused_as_one_that_does_not_follow(
    people: Any, client_for: Any
) -> None:
    """Whether a health or child-welfare service follows the youth is confidential: asking to
    share with one the viewer may not see following answers as for a service that follows the
    youth not at all."""
    factories.follow(people.health_nurse, people.health, people.youth)
    api = client_for(people.nav_advisor)

    def refusal(service: Any) -> tuple[int, str]:
        response = api.post(_url(people), _body(people.nav, service), format="json")
        return response.status_code, json.dumps(response.json(), ensure_ascii=False)

    hidden, not_following = refusal(people.health), refusal(people.child_welfare)
    assert hidden[0] == not_following[0] == 400
    error = json.loads(hidden[1])["error"]
    assert error["code"] == "not_following" and set(error["fields"]) == {"to_service"}
    # The same answer, but for the service's name, which the asker gave.
    assert hidden[1].replace(people.health.name, people.child_welfare.name) == not_following[1]
    assert not ConsentRequest.objects.exists()
    # The health service itself sees its own following, and asks as before.
    made = client_for(people.health_nurse).post(
        _url(people), _body(people.health, people.nav), format="json"
    )
    assert made.status_code == 201


def test_the_api_names_no_min_side_user_where_the_youth_or_a_guardian_wrote_or_answered(
    people: Any, client_for: Any
) -> None:
    account = portal.account_create(
        youth=people.youth, username="hemmelig-brukernavn", password="x-123456"
    )
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    activity = services.activity_add(
        actor=people.nav_advisor,
        plan=plan,
        type="EKSTERNAKTIVITET",
        title="Arbeidstrening",
        status="FORSLAG",
    )
    youth_plan.activity_comment_add(
        actor=account.user, account=account, activity=activity, text="Hei"
    )
    youth_plan.activity_youth_confirm(
        actor=account.user, account=account, activity=activity, version=1
    )
    youth_plan.activity_change_request(
        actor=account.user, account=account, activity=activity, version=2, text="Senere?"
    )
    asked = _ot_asks(people)
    consent_requests.consent_request_answer(
        actor=account.user,
        account=account,
        request=asked,
        decision=Decision.GIVEN,
        assurance_level="idporten-loa-high",
    )
    nav = client_for(people.nav_advisor)
    url = f"/api/v1/activities/{activity.pk}/"
    comments = nav.get(url + "comments/").json()
    assert comments[0]["by_youth"] is True and comments[0]["written_by"] is None
    staff_comment = nav.post(url + "comments/", {"text": "Vi ses"}, format="json").json()
    assert staff_comment["written_by"]["username"] == people.nav_advisor.username
    seen = [
        comments,
        nav.get(url).json(),
        nav.get(url + "change-requests/").json(),
        nav.get(url + "versions/").json(),
        client_for(people.ot_counsellor).get(_url(people)).json(),
        client_for(people.ot_counsellor).get(f"/api/v1/youths/{people.youth.pk}/consents/").json(),
    ]
    text = json.dumps(seen, ensure_ascii=False)
    assert "hemmelig-brukernavn" not in text
    assert people.youth.national_id not in text


def test_the_screened_request_list_keeps_a_fixed_number_of_queries(
    people: Any, client_for: Any, count_queries: Any
) -> None:
    _protect(people, AddressProtection.FORTROLIG)
    services.membership_clearances_set(
        actor=people.manager, service=people.nav, user=people.nav_advisor, cleared_fortrolig=True
    )
    api = client_for(people.nav_advisor)

    def ask(n: int) -> None:
        for _ in range(n):
            made = api.post(_url(people), _body(people.nav, people.ot), format="json")
            assert made.status_code == 201

    ask(1)
    api.get(_url(people))
    with count_queries() as few:
        api.get(_url(people))
    ask(4)
    with count_queries() as many:
        listed = api.get(_url(people)).json()
    assert len(listed) == 5
    assert len(many.captured_queries) == len(few.captured_queries)

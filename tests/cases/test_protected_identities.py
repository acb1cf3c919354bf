"""Protected identities, as NAV's systems treat them: a youth with a strengt fortrolig address
(kode 6, and kode 19 abroad, one grade), a fortrolig address (kode 7) or shielded (*skjermet*)
is reached only by staff cleared for that kind in the service; kode 6 and 19 show no municipality
or contact details to anyone; a guardian's page tells nothing of where the youth is; every look
and every refused attempt is logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import portal, services
from cases.models import AddressProtection, FollowUpPeriod, StaffRole, Youth
from consent.models import AccessLogEntry
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

ALL_CLEARANCES = {
    "cleared_strengt_fortrolig": True,
    "cleared_fortrolig": True,
    "cleared_shielded": True,
}


def _mark(
    manager: Any,
    service: Any,
    youth: Youth,
    address: str = AddressProtection.STRENGT_FORTROLIG,
    *,
    shielded: bool = False,
) -> Youth:
    """The manager clears themselves in the service, then marks the youth."""
    services.membership_clearances_set(
        actor=manager, service=service, user=manager, **ALL_CLEARANCES
    )
    youth.refresh_from_db()
    return services.youth_protection_set(
        actor=manager,
        youth=youth,
        version=youth.version,
        address_protection=address,
        shielded=shielded,
    )


def _clear(people: Any, user: Any, service: Any, **clearances: bool) -> None:
    services.membership_clearances_set(
        actor=people.manager, service=service, user=user, **clearances
    )


def _in_caseload(client: Any, youth: Youth) -> bool:
    rows = client.get("/api/v1/youths/").json()["results"]
    return str(youth.pk) in {row["id"] for row in rows}


def test_strengt_fortrolig_youth_is_not_reachable_without_clearance(
    people: Any, client_for: Any
) -> None:
    _mark(people.manager, people.nav, people.youth)
    for user in (people.nav_advisor, people.ot_counsellor, people.coordinator):
        api = client_for(user)
        assert api.get(f"/api/v1/youths/{people.youth.pk}/").status_code == 404
        assert not _in_caseload(api, people.youth)
        lookup = api.post("/api/v1/youths/lookup/", {"national_id": people.youth.national_id})
        assert lookup.status_code == 404
        assert api.get(f"/api/v1/youths/{people.youth.pk}/timeline/").status_code == 404
        periods = api.get("/api/v1/follow-up-periods/").json()["results"]
        assert all(p["youth"] != str(people.youth.pk) for p in periods)
    # The manager, cleared in NAV, still reaches the youth.
    assert client_for(people.manager).get(f"/api/v1/youths/{people.youth.pk}/").status_code == 200


def test_staff_cleared_in_the_service_reach_a_protected_youth_through_that_service_only(
    people: Any, client_for: Any
) -> None:
    _mark(people.manager, people.nav, people.youth)
    manager = client_for(people.manager)
    granted = manager.post(
        f"/api/v1/services/{people.nav.pk}/clearances/",
        {"user": "ingrid.nav", "cleared_strengt_fortrolig": True},
        format="json",
    )
    assert granted.status_code == 200
    assert granted.json()[0]["cleared_strengt_fortrolig"] is True
    assert (
        client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/").status_code == 200
    )
    assert _in_caseload(client_for(people.nav_advisor), people.youth)
    # Cleared in NAV, not in OT: OT's staff still do not reach the youth.
    assert (
        client_for(people.ot_counsellor).get(f"/api/v1/youths/{people.youth.pk}/").status_code
        == 404
    )


def test_kode_19_is_treated_as_kode_6(people: Any, client_for: Any) -> None:
    _mark(people.manager, people.nav, people.youth, AddressProtection.STRENGT_FORTROLIG_UTLAND)
    assert (
        client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/").status_code == 404
    )
    _clear(people, people.nav_advisor, people.nav, cleared_strengt_fortrolig=True)
    body = client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/").json()
    assert body["address_protection"] == "STRENGT_FORTROLIG_UTLAND"
    assert (body["municipality_number"], body["email"], body["phone"]) == ("", "", "")


def test_fortrolig_youth_is_reachable_only_with_the_fortrolig_clearance(
    people: Any, client_for: Any
) -> None:
    youth = Youth.objects.get(pk=people.youth.pk)
    services.youth_update(
        actor=people.nav_advisor, youth=youth, version=youth.version, email="emma@example.no"
    )
    _mark(people.manager, people.nav, people.youth, AddressProtection.FORTROLIG)
    url = f"/api/v1/youths/{people.youth.pk}/"
    _clear(people, people.nav_advisor, people.nav, cleared_strengt_fortrolig=True)
    assert client_for(people.nav_advisor).get(url).status_code == 404  # another group
    _clear(people, people.nav_advisor, people.nav, cleared_fortrolig=True)
    body = client_for(people.nav_advisor).get(url).json()
    # Kode 7: the cleared, who alone reach the youth, see the contact details.
    assert (body["municipality_number"], body["email"]) == ("4003", "emma@example.no")


def test_shielded_youth_is_reachable_only_with_the_shielded_clearance(
    people: Any, client_for: Any
) -> None:
    _mark(people.manager, people.nav, people.youth, AddressProtection.UGRADERT, shielded=True)
    url = f"/api/v1/youths/{people.youth.pk}/"
    _clear(people, people.nav_advisor, people.nav, cleared_strengt_fortrolig=True)
    assert client_for(people.nav_advisor).get(url).status_code == 404
    _clear(people, people.nav_advisor, people.nav, cleared_shielded=True)
    body = client_for(people.nav_advisor).get(url).json()
    assert body["shielded"] is True
    assert body["municipality_number"] == "4003"  # shielding alone hides no address


def test_a_youth_shielded_with_a_protected_address_needs_both_clearances(
    people: Any, client_for: Any
) -> None:
    _mark(people.manager, people.nav, people.youth, AddressProtection.FORTROLIG, shielded=True)
    url = f"/api/v1/youths/{people.youth.pk}/"
    _clear(people, people.nav_advisor, people.nav, cleared_shielded=True)
    assert client_for(people.nav_advisor).get(url).status_code == 404
    _clear(people, people.nav_advisor, people.nav, cleared_fortrolig=True)
    assert client_for(people.nav_advisor).get(url).status_code == 200


def test_contact_details_of_kode_6_are_never_shown(people: Any, client_for: Any) -> None:
    youth = Youth.objects.get(pk=people.youth.pk)
    services.youth_update(
        actor=people.nav_advisor,
        youth=youth,
        version=youth.version,
        email="emma@example.no",
        phone="41234567",
    )
    _mark(people.manager, people.nav, people.youth)
    _clear(people, people.nav_advisor, people.nav, cleared_strengt_fortrolig=True)
    api = client_for(people.nav_advisor)
    body = api.get(f"/api/v1/youths/{people.youth.pk}/").json()
    assert (body["municipality_number"], body["email"], body["phone"]) == ("", "", "")
    row = next(
        r for r in api.get("/api/v1/youths/").json()["results"] if r["id"] == str(people.youth.pk)
    )
    assert row["municipality_number"] == ""
    # Not found by the municipality it does not show.
    found = api.get("/api/v1/youths/?municipality=4003").json()["results"]
    assert str(people.youth.pk) not in {r["id"] for r in found}
    lookup = api.post("/api/v1/youths/lookup/", {"national_id": people.youth.national_id})
    assert lookup.json()["email"] == ""
    client = Client()
    client.force_login(people.nav_advisor)
    page = client.get(f"/youths/{people.youth.pk}/").content.decode()
    assert "emma@example.no" not in page and "41234567" not in page
    assert "kommune 4003" not in page
    assert "Beskyttet identitet" in page
    caseload = client.get("/youths/").content.decode()
    assert "<td>4003</td>" not in caseload


def test_only_a_manager_of_a_following_service_marks_a_protected_identity(
    people: Any, client_for: Any
) -> None:
    url = f"/api/v1/youths/{people.youth.pk}/protection/"
    body = {"address_protection": "STRENGT_FORTROLIG", "shielded": False, "version": 1}
    refused = client_for(people.nav_advisor).post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_manager_of_service"
    # A manager not cleared for the kind would lock everyone out: refused, in both languages.
    uncleared = client_for(people.manager).post(url, body, format="json")
    assert uncleared.status_code == 400
    assert "address_protection" in uncleared.json()["error"]["fields"]
    english = client_for(people.manager, "en").post(url, body, format="json")
    assert "You must yourself be cleared" in str(english.json()["error"]["fields"])
    bogus = client_for(people.manager).post(
        url, {**body, "address_protection": "KODE_8"}, format="json"
    )
    assert bogus.status_code == 400 and "address_protection" in bogus.json()["error"]["fields"]
    assert Youth.objects.get(pk=people.youth.pk).address_protection == "UGRADERT"

    _clear(people, people.manager, people.nav, cleared_strengt_fortrolig=True)
    marked = client_for(people.manager).post(url, body, format="json")
    assert marked.status_code == 200
    assert marked.json()["address_protection"] == "STRENGT_FORTROLIG"
    entry = AuditEntry.objects.get(action="youth.protection_set")
    assert entry.data["after"] == {"address_protection": "STRENGT_FORTROLIG", "shielded": False}


def test_only_a_manager_of_the_service_grants_clearances(people: Any, client_for: Any) -> None:
    url = f"/api/v1/services/{people.nav.pk}/clearances/"
    body = {"user": "ingrid.nav", "cleared_shielded": True}
    refused = client_for(people.nav_advisor).post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_manager_of_service"
    assert client_for(people.ot_counsellor).post(url, body, format="json").status_code == 404
    empty = client_for(people.manager).post(url, {"user": "ingrid.nav"}, format="json")
    assert empty.status_code == 400
    stranger = client_for(people.manager).post(
        url, {"user": "ola.ot", "cleared_shielded": True}, format="json"
    )
    assert stranger.status_code == 400 and "user" in stranger.json()["error"]["fields"]
    assert client_for(people.manager).post(url, body, format="json").status_code == 200
    entry = AuditEntry.objects.get(action="membership.clearances_set")
    assert entry.data["after"] == {"cleared_shielded": True}
    assert entry.data["before"] == {"cleared_shielded": False}


def test_referral_boxes_leave_out_a_protected_youth_without_clearance(
    people: Any, client_for: Any
) -> None:
    _mark(people.manager, people.nav, people.youth, AddressProtection.FORTROLIG)
    referral = services.referral_send(
        actor=people.manager,
        youth=people.youth,
        from_service=people.nav,
        to_service=people.school,
        reason_code="OTHER",
        reason="Skoleplass",
        message="Ta kontakt",
        categories=[],
    )
    school = client_for(people.school_counsellor)
    assert school.get("/api/v1/referrals/?box=inbox").json()["results"] == []
    assert school.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert (
        client_for(people.nav_advisor).get("/api/v1/referrals/?box=outbox").json()["results"] == []
    )
    school_manager = factories.make_staff(people.school, StaffRole.MANAGER)
    services.membership_clearances_set(
        actor=school_manager,
        service=people.school,
        user=people.school_counsellor,
        cleared_fortrolig=True,
    )
    inbox = client_for(people.school_counsellor).get("/api/v1/referrals/?box=inbox").json()
    assert [r["id"] for r in inbox["results"]] == [str(referral.pk)]


def test_registering_an_existing_protected_youth_is_refused_without_clearance(
    people: Any, client_for: Any
) -> None:
    _mark(people.manager, people.nav, people.youth, AddressProtection.UGRADERT, shielded=True)
    denied = AccessLogEntry.objects.filter(subject_id=people.youth.pk, granted=False).count()
    response = client_for(people.school_counsellor).post(
        "/api/v1/youths/",
        {
            "national_id": people.youth.national_id,
            "first_name": "Emma",
            "last_name": "Hansen",
            "municipality_number": "4003",
            "service": str(people.school.pk),
            "reason": "Elev",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "protected_identity"
    assert "national_id" in response.json()["error"]["fields"]
    assert str(people.youth.pk) not in response.content.decode()
    assert not FollowUpPeriod.objects.filter(youth=people.youth, service=people.school).exists()
    assert (
        AccessLogEntry.objects.filter(subject_id=people.youth.pk, granted=False).count()
        == denied + 1
    )


def test_every_look_at_a_protected_youth_is_logged(people: Any, client_for: Any) -> None:
    _mark(people.manager, people.nav, people.youth)
    looks = AccessLogEntry.objects.filter(subject_id=people.youth.pk)
    before_granted = looks.filter(granted=True).count()
    before_denied = looks.filter(granted=False).count()
    assert client_for(people.manager).get(f"/api/v1/youths/{people.youth.pk}/").status_code == 200
    client_for(people.nav_advisor).get(f"/api/v1/youths/{people.youth.pk}/")
    client_for(people.nav_advisor).post(
        "/api/v1/youths/lookup/", {"national_id": people.youth.national_id}
    )
    assert looks.filter(granted=True, actor=people.manager).count() == before_granted + 1
    assert looks.filter(granted=False, actor=people.nav_advisor).count() == before_denied + 2


def test_guardians_page_reveals_nothing_of_where_a_protected_youth_is(people: Any) -> None:
    youth = factories.register_youth(
        people.cw_caseworker,
        people.child_welfare,
        birth_date=factories.years_ago(14),
        first_name="Sara",
    )
    factories.follow(people.ot_counsellor, people.ot, youth)
    guardian = services.guardian_add(
        actor=people.cw_caseworker,
        youth=youth,
        full_name="Kari Mor",
        relation="PARENT",
        has_parental_responsibility=True,
    )
    cw_manager = factories.make_staff(people.child_welfare, StaffRole.MANAGER)
    _mark(cw_manager, people.child_welfare, youth, AddressProtection.FORTROLIG)
    Client().force_login(people.cw_caseworker)
    parent = portal.account_create(
        youth=youth, username="kari", password="x-123456", guardian=guardian
    )
    own = portal.account_create(youth=youth, username="sara", password="x-123456")

    client = Client()
    client.force_login(parent.user)
    page = client.get(f"/me/{youth.pk}/").content.decode()
    for where in ("OT Skien", "Barnevernet i Skien", people.ot_counsellor.get_full_name(), "4003"):
        assert where not in page
    assert "beskyttet identitet" in page

    client.force_login(own.user)
    assert "OT Skien" in client.get(f"/me/{youth.pk}/").content.decode()  # the youth's own page


@pytest.mark.parametrize("clearance", [None, "cleared_strengt_fortrolig"])
def test_the_caseload_keeps_its_query_count_with_protected_youths(
    people: Any, client_for: Any, count_queries: Any, clearance: str | None
) -> None:
    factories.register_youth(people.nav_advisor, people.nav, first_name="Ola")
    _mark(people.manager, people.nav, people.youth)
    if clearance:
        _clear(people, people.nav_advisor, people.nav, **{clearance: True})
    api = client_for(people.nav_advisor)
    with count_queries() as captured:
        assert api.get("/api/v1/youths/").status_code == 200
    # As without protected youths (test_query_counts): memberships, the page with its total
    # (the exclusion is a subquery in it), its youths' open periods, the access-log INSERT.
    assert len(captured) == 4

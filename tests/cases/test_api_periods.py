"""The follow-up periods API: open, close and reassign within the caller's own services."""

from __future__ import annotations

from typing import Any

from cases.models import FollowUpPeriod, StaffRole
from cases.services import membership_add

PERIODS = "/api/v1/follow-up-periods/"


def _ot_period(people: Any) -> FollowUpPeriod:
    return FollowUpPeriod.objects.get(youth=people.youth, service=people.ot)


def test_a_second_service_of_mine_can_start_following_a_youth_i_reach(
    people: Any, client_for: Any
) -> None:
    membership_add(
        actor=None, user=people.ot_counsellor, service=people.school, role=StaffRole.CASEWORKER
    )
    response = client_for(people.ot_counsellor).post(
        PERIODS,
        {
            "youth": str(people.youth.pk),
            "service": str(people.school.pk),
            "reason": "Søkt om plass på nytt",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["responsible"]["username"] == "ola.ot"
    assert (
        client_for(people.school_counsellor).get(f"/api/v1/youths/{people.youth.pk}/").status_code
        == 200
    )


def test_periods_list_shows_my_services_periods_only(people: Any, client_for: Any) -> None:
    rows = client_for(people.ot_counsellor).get(PERIODS).json()["results"]
    assert [r["service"]["name"] for r in rows] == ["OT Skien"]


def test_period_list_filters(people: Any, client_for: Any) -> None:
    api = client_for(people.coordinator)
    assert api.get(PERIODS, {"mine": "true"}).json()["count"] == 0
    assert api.get(PERIODS, {"open": "true", "youth": str(people.youth.pk)}).json()["count"] == 1
    assert api.get(PERIODS, {"open": "false"}).json()["count"] == 0
    bad = api.get(PERIODS, {"youth": "ikke-en-uuid", "colour": "red"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"youth", "colour"}


def test_closing_removes_the_youth_from_the_services_caseload(people: Any, client_for: Any) -> None:
    api = client_for(people.ot_counsellor)
    period = _ot_period(people)
    closed = api.post(
        f"{PERIODS}{period.pk}/close/",
        {"end_reason": "Begynt på skole", "version": 1},
        format="json",
    )
    assert closed.status_code == 200
    assert closed.json()["ended_on"] is not None
    assert api.get("/api/v1/youths/").json()["count"] == 0
    assert api.get(f"/api/v1/youths/{people.youth.pk}/").status_code == 404
    # The service keeps its own (closed) record.
    assert api.get(f"{PERIODS}{period.pk}/").json()["end_reason"] == "Begynt på skole"
    again = api.post(
        f"{PERIODS}{period.pk}/reassign/", {"responsible": "eva.koord", "version": 2}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "period_closed"


def test_close_with_a_stale_version_is_409(people: Any, client_for: Any) -> None:
    api = client_for(people.ot_counsellor)
    period = _ot_period(people)
    api.post(
        f"{PERIODS}{period.pk}/reassign/", {"responsible": "eva.koord", "version": 1}, format="json"
    )
    stale = api.post(
        f"{PERIODS}{period.pk}/close/", {"end_reason": "x", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == 2
    assert _ot_period(people).is_open


def test_reassign_to_staff_of_another_service_is_refused(people: Any, client_for: Any) -> None:
    period = _ot_period(people)
    response = client_for(people.ot_counsellor, "en").post(
        f"{PERIODS}{period.pk}/reassign/",
        {"responsible": "ingrid.nav", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["responsible"][0]["message"] == (
        "The responsible person must work in the service."
    )


def test_my_memberships(people: Any, client_for: Any) -> None:
    rows = client_for(people.manager).get("/api/v1/me/memberships/").json()
    assert [(r["service"]["name"], r["role"]) for r in rows] == [("NAV Skien", "MANAGER")]


def test_services_can_be_filtered_by_kind(people: Any, client_for: Any) -> None:
    rows = client_for(people.outsider).get("/api/v1/services/", {"kind": "NAV"}).json()["results"]
    assert sorted(r["name"] for r in rows) == ["NAV Porsgrunn", "NAV Skien"]

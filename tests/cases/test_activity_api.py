"""§14a decisions, activity plans and activities through the API: NAV's rules, optimistic
versions, idempotent cards, the access log and fixed query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cases import services
from cases.models import ActivityVersion, NavDecision
from consent.models import AccessLogEntry
from consent.services import Flow
from tests import factories


@pytest.fixture
def plan(people: Any) -> Any:
    return services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )


def _add(client: Any, plan: Any, **body: Any) -> Any:
    return client.post(
        f"/api/v1/activity-plans/{plan.pk}/activities/",
        {"type": "EGEN", "title": "Søke jobber", **body},
        format="json",
    )


def test_a_new_decision_supersedes_the_current_and_keeps_history(
    people: Any, client_for: Any
) -> None:
    client = client_for(people.nav_advisor)
    url = f"/api/v1/youths/{people.youth.pk}/decisions/"
    today = timezone.localdate().isoformat()
    body = {"service": str(people.nav.pk), "main_goal": "SKAFFE_ARBEID", "decided_on": today}
    first = client.post(url, {**body, "innsatsgruppe": "STANDARD_INNSATS"}, format="json")
    second = client.post(url, {**body, "innsatsgruppe": "VARIG_TILPASSET_INNSATS"}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    rows = client.get(url).json()
    assert [r["innsatsgruppe"] for r in rows] == ["VARIG_TILPASSET_INNSATS", "STANDARD_INNSATS"]
    assert rows[0]["innsatsgruppe_name"] == "Liten mulighet til å jobbe"
    assert rows[0]["innsatsgruppe_older_name"] == "varig tilpasset innsats"
    assert rows[1]["superseded_by"] == rows[0]["id"]
    assert NavDecision.objects.filter(superseded_at__isnull=True).count() == 1


def test_bad_decision_input_is_a_400_with_field_errors_in_both_languages(
    people: Any, client_for: Any
) -> None:
    url = f"/api/v1/youths/{people.youth.pk}/decisions/"
    body = {"service": str(people.nav.pk), "innsatsgruppe": "INGEN", "main_goal": "SKAFFE_ARBEID"}
    for language in ("nb", "en"):
        response = client_for(people.nav_advisor, language).post(url, body, format="json")
        assert response.status_code == 400
        assert {"innsatsgruppe", "decided_on"} <= set(response.json()["error"]["fields"])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client_for(people.nav_advisor).post(
        url, {**body, "innsatsgruppe": "STANDARD_INNSATS", "decided_on": future}, format="json"
    )
    assert response.status_code == 400
    assert "decided_on" in response.json()["error"]["fields"]
    assert not NavDecision.objects.exists()


def test_an_agreed_activity_only_changes_its_deadline_and_status(
    people: Any, client_for: Any, plan: Any
) -> None:
    client = client_for(people.nav_advisor)
    created = _add(
        client, plan, agreed=True, agreed_note="Avtalt i møte", deadline="2030-01-10"
    ).json()
    url = f"/api/v1/activities/{created['id']}/"
    refused = client.patch(url, {"version": 1, "title": "Noe annet"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "activity_agreed"
    assert "title" in refused.json()["error"]["fields"]
    moved = client.patch(
        url, {"version": 1, "deadline": "2030-02-01", "youth_text": "Ny frist."}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["version"] == 2
    done = client.patch(url, {"version": 2, "status": "FULLFORT"}, format="json")
    assert done.status_code == 200
    after = client.patch(url, {"version": 3, "deadline": "2030-03-01"}, format="json")
    assert after.status_code == 400
    assert after.json()["error"]["code"] == "activity_finished"
    versions = client.get(f"{url}versions/").json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[1]["changes"] == {"deadline": ["2030-01-10", "2030-02-01"]}
    assert versions[1]["youth_text"] == "Ny frist."
    assert versions[1]["staff_text"] == "frist: 10.01.2030 → 01.02.2030"
    assert versions[2]["youth_text"] == "Aktiviteten er nå «Fullført»."


def test_a_stale_version_is_a_409_with_the_current_version(
    people: Any, client_for: Any, plan: Any
) -> None:
    client = client_for(people.nav_advisor)
    created = _add(client, plan).json()
    url = f"/api/v1/activities/{created['id']}/"
    assert client.patch(url, {"version": 1, "title": "A"}, format="json").status_code == 200
    stale = client.patch(url, {"version": 1, "title": "B"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == 2
    assert client.get(url).json()["title"] == "A"
    assert ActivityVersion.objects.filter(activity_id=created["id"]).count() == 2


def test_activity_cards_are_idempotent_on_the_senders_id(
    people: Any, client_for: Any, plan: Any
) -> None:
    client = client_for(people.nav_advisor)
    url = f"/api/v1/activity-plans/{plan.pk}/cards/"
    card = {
        "source": "TILTAKSARRANGOR",
        "external_id": "arr-42",
        "type": "EKSTERNAKTIVITET",
        "title": "Arbeidsforberedende trening",
        "deadline": "2030-05-01",
    }
    first = client.post(url, card, format="json")
    again = client.post(url, card, format="json")
    changed = client.post(url, {**card, "status": "GJENNOMFORES"}, format="json")
    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 200)
    assert first.json()["id"] == again.json()["id"] == changed.json()["id"]
    assert (again.json()["version"], changed.json()["version"]) == (1, 2)


def test_approving_the_plan_records_who_and_when(people: Any, client_for: Any, plan: Any) -> None:
    response = client_for(people.nav_advisor).post(
        f"/api/v1/activity-plans/{plan.pk}/approve/", {"version": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["approved_by"]["username"] == "ingrid.nav"
    assert response.json()["approved_at"]


def test_the_plan_is_hidden_from_ot_until_a_consent_covers_work_and_welfare(
    people: Any, client_for: Any, plan: Any
) -> None:
    _add(client_for(people.nav_advisor), plan)
    url = f"/api/v1/activity-plans/{plan.pk}/"
    assert client_for(people.ot_counsellor).get(url).status_code == 404
    factories.give_consent(
        people,
        Flow(categories=["WORK_AND_WELFARE"], from_party=people.nav, to_party=people.ot),
        purpose="NAV og OT samarbeider",
    )
    seen = client_for(people.ot_counsellor).get(url)
    assert seen.status_code == 200
    assert len(seen.json()["activities"]) == 1
    rows = AccessLogEntry.objects.filter(actor=people.ot_counsellor, purpose="activity-plan")
    assert rows.filter(granted=False).count() == 1  # the refused attempt before the consent
    row = rows.get(granted=True)
    assert {i["type"] for i in row.items} == {"activity-plan", "activity"}
    assert all(i["basis"].startswith("consent:") for i in row.items)


def test_a_treatment_activity_is_health_information(
    people: Any, client_for: Any, plan: Any
) -> None:
    created = _add(client_for(people.nav_advisor), plan, type="BEHANDLING").json()
    assert created["category"] == "HEALTH"


def test_plan_detail_query_count_is_flat(
    people: Any, client_for: Any, plan: Any, count_queries: Any
) -> None:
    client = client_for(people.nav_advisor)
    _add(client, plan)
    url = f"/api/v1/activity-plans/{plan.pk}/"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(10):
        _add(client, plan, title=f"Aktivitet {n}")
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many) <= 10


def test_an_activity_for_a_service_not_following_the_youth_is_refused(
    people: Any, client_for: Any, plan: Any
) -> None:
    response = _add(client_for(people.nav_advisor), plan, responsible_service=str(people.school.pk))
    assert response.status_code == 400
    assert "responsible_service" in response.json()["error"]["fields"]
    factories.follow(people.school_counsellor, people.school, people.youth)
    response = _add(client_for(people.nav_advisor), plan, responsible_service=str(people.school.pk))
    assert response.status_code == 201


def test_rule_errors_speak_english_when_asked(people: Any, client_for: Any, plan: Any) -> None:
    created = _add(
        client_for(people.nav_advisor), plan, agreed=True, agreed_note="Avtalt i møte"
    ).json()
    response = client_for(people.nav_advisor, "en").patch(
        f"/api/v1/activities/{created['id']}/", {"version": 1, "title": "X"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "The activity is agreed with NAV: only the deadline and status can change."
    )

"""Django admin: the same access gate as the API, and identity numbers kept out of URLs."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cases import services
from cases.models import StaffRole
from consent.services import Flow
from core.models import AuditEntry
from tests import factories
from tests.factories import derived


@pytest.fixture
def admin_in_nav(people: Any) -> Client:
    user = factories.UserFactory(username="superbruker", is_staff=True, is_superuser=True)
    services.membership_add(actor=None, user=user, service=people.nav, role=StaffRole.MANAGER)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_without_service(people: Any) -> Client:
    user = factories.UserFactory(username="rot", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_admin_lists_youths_only_through_the_access_gate(
    people: Any, admin_in_nav: Client, admin_without_service: Client
) -> None:
    derived(factories.register_youth(people.outsider, people.elsewhere, first_name="Skjult"))
    page = admin_in_nav.get("/admin/cases/youth/").content.decode()
    assert "Emma" in page and "Skjult" not in page
    empty = admin_without_service.get("/admin/cases/youth/").content.decode()
    assert "Emma" not in empty
    hidden = admin_without_service.get(f"/admin/cases/youth/{people.youth.pk}/change/")
    assert hidden.status_code == 302  # admin answers "does not exist" by redirecting to the index


def test_admin_search_does_not_match_identity_numbers(people: Any, admin_in_nav: Client) -> None:
    by_name = admin_in_nav.get("/admin/cases/youth/", {"q": "Emma"}).content.decode()
    by_number = admin_in_nav.get(
        "/admin/cases/youth/", {"q": people.youth.national_id}
    ).content.decode()
    assert "Hansen" in by_name
    assert "Hansen" not in by_number


def test_admin_lookup_takes_the_number_by_post_and_redirects_to_the_uuid(
    people: Any, admin_in_nav: Client
) -> None:
    response = admin_in_nav.post(
        "/admin/cases/youth/lookup/", {"national_id": people.youth.national_id}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/cases/youth/{people.youth.pk}/change/"
    assert people.youth.national_id not in response["Location"]


def test_admin_lookup_outside_reach_finds_nothing(
    people: Any, admin_without_service: Client
) -> None:
    response = admin_without_service.post(
        "/admin/cases/youth/lookup/", {"national_id": people.youth.national_id}
    )
    assert response.status_code == 200
    assert "Fant ingen ungdom" in response.content.decode()


def test_admin_lookup_validates_the_number(people: Any, admin_in_nav: Client) -> None:
    response = admin_in_nav.post("/admin/cases/youth/lookup/", {"national_id": "13097248023"})
    assert "Kontrollsifrene i identitetsnummeret stemmer ikke." in response.content.decode()


def test_admin_edits_go_through_the_service_with_its_version(
    people: Any, admin_in_nav: Client
) -> None:
    url = f"/admin/cases/youth/{people.youth.pk}/change/"
    form = {
        "first_name": "Emma",
        "last_name": "Hansen-Berg",
        "municipality_number": "4003",
        "email": "",
        "phone": "",
        "address_protection": "UGRADERT",
        "guardians-TOTAL_FORMS": "0",
        "guardians-INITIAL_FORMS": "0",
        "periods-TOTAL_FORMS": "2",
        "periods-INITIAL_FORMS": "2",
    }
    response = admin_in_nav.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    people.youth.refresh_from_db()
    assert people.youth.last_name == "Hansen-Berg"
    assert people.youth.version == 2


def test_audit_entries_about_hidden_youths_stay_hidden(
    people: Any, admin_without_service: Client, admin_in_nav: Client
) -> None:
    assert "youth.registered" in admin_in_nav.get("/admin/core/auditentry/").content.decode()
    page = admin_without_service.get("/admin/core/auditentry/").content.decode()
    assert "youth.registered" not in page
    assert "membership.added" in page  # entries about no youth remain visible


def test_admin_shows_activities_decisions_and_deadlines_only_through_the_gate(
    people: Any, admin_in_nav: Client, admin_without_service: Client
) -> None:
    import datetime

    from django.utils import timezone

    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    derived(
        services.activity_add(
            actor=people.nav_advisor,
            plan=plan,
            type="EGEN",
            title="Hemmelig aktivitet",
            deadline=timezone.localdate() + datetime.timedelta(days=9),
        )
    )
    derived(
        services.decision_record(
            actor=people.nav_advisor,
            youth=people.youth,
            service=people.nav,
            innsatsgruppe="SITUASJONSBESTEMT_INNSATS",
            main_goal="SKAFFE_ARBEID",
            decided_on=timezone.localdate(),
        )
    )
    for url, marker in [
        ("/admin/cases/activity/", "Hemmelig aktivitet"),
        ("/admin/cases/navdecision/", "field-main_goal"),
        ("/admin/coordination/deadline/", "field-due_on"),
    ]:
        assert marker in admin_in_nav.get(url).content.decode(), url
        assert marker not in admin_without_service.get(url).content.decode(), url
    rules = admin_in_nav.get("/admin/coordination/deadlinerule/").content.decode()
    assert "UG-PLAN-1M" in rules
    reminders = admin_in_nav.get("/admin/coordination/reminder/")
    assert reminders.status_code == 200
    assert "Hemmelig" not in reminders.content.decode()


def test_admin_shows_plans_through_the_plan_gate_without_their_content(
    people: Any, admin_in_nav: Client, admin_without_service: Client
) -> None:
    from tests.coordination.plan_helpers import make_plan

    plan = make_plan(people, my_life_so_far="Hemmelig historie")
    listing = admin_in_nav.get("/admin/coordination/plan/").content.decode()
    assert str(plan.pk) in listing  # the manager's NAV office takes part by consent
    detail = admin_in_nav.get(f"/admin/coordination/plan/{plan.pk}/change/")
    assert detail.status_code == 200
    assert "Hemmelig historie" not in detail.content.decode()
    assert (
        str(plan.pk) not in admin_without_service.get("/admin/coordination/plan/").content.decode()
    )
    assert admin_in_nav.get("/admin/coordination/childcoordinator/").status_code == 200


def test_admin_shows_each_guardians_answer_on_a_consent_read_only(
    people: Any, admin_in_nav: Client
) -> None:
    minor = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(13)
    )
    kari, per = (
        services.guardian_add(
            actor=people.nav_advisor,
            youth=minor,
            full_name=name,
            relation="PARENT",
            has_parental_responsibility=True,
        )
        for name in ("Kari Hansen", "Per Hansen")
    )
    consent = services.consent_give(
        actor=people.nav_advisor,
        youth=minor,
        decision="GIVEN",
        giver="GUARDIANS",
        guardians=[kari],
        child_view="Vil at de samarbeider.",
        purpose_code="SAMARBEID",
        purpose="Samarbeid",
        method="SIGNED_FORM",
        agreed_text="Ja.",
        flows=[
            Flow(
                categories=["WORK_AND_WELFARE"],
                from_party=people.nav,
                to_kind="OT",
                kind_reason="Skal henvises til oppfølgingstjenesten.",
            )
        ],
    )
    services.consent_guardian_answer(
        actor=people.nav_advisor, consent=consent, guardian=per, decision="GIVEN", method="ORAL"
    )
    page = admin_in_nav.get(f"/admin/consent/consent/{consent.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Kari Hansen" in content and "Per Hansen" in content
    assert 'name="guardian_decisions-0-decision"' not in content  # read-only


def test_admin_shows_only_the_periods_of_the_viewers_services(
    people: Any, admin_in_nav: Client
) -> None:
    """That health follows the youth, and why, is confidential (helsepersonelloven § 21)."""
    factories.follow(people.health_nurse, people.health, people.youth, reason="Angst, henvist BUP")
    page = admin_in_nav.get(f"/admin/cases/youth/{people.youth.pk}/change/").content.decode()
    assert people.nav.name in page
    assert people.health.name not in page and "henvist BUP" not in page


def test_a_membership_names_who_granted_it(people: Any, admin_in_nav: Client) -> None:
    client, user = admin_in_nav, get_user_model().objects.get(username="superbruker")
    newcomer = factories.UserFactory(username="ny.ansatt")
    response = client.post(
        "/admin/cases/staffmembership/add/",
        {"user": newcomer.pk, "service": people.nav.pk, "role": StaffRole.CASEWORKER},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = AuditEntry.objects.get(action="membership.added", data__user="ny.ansatt")
    assert added.actor == user
    membership = newcomer.memberships.get()
    client.post(
        "/admin/cases/staffmembership/",
        {"action": "end_memberships", "_selected_action": [membership.pk]},
    )
    ended = AuditEntry.objects.get(action="membership.ended", target_id=str(membership.pk))
    assert ended.actor == user
    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_a_membership_is_not_edited_in_place_in_the_admin(
    people: Any, admin_in_nav: Client
) -> None:
    client = admin_in_nav
    membership = people.nav_advisor.memberships.get()
    url = f"/admin/cases/staffmembership/{membership.pk}/change/"
    assert client.post(url, {"role": StaffRole.MANAGER}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == StaffRole.CASEWORKER

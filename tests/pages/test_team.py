"""The staff page of a service and the invitation's page: what a manager sees and does, the
refusals as messages, the invited person's clear pages, and fixed query counts."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import StaffInvitation, StaffMembership, StaffRole
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user: Any = None, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def _team(people: Any) -> str:
    return f"/services/{people.nav.pk}/staff/"


def _invite(people: Any, email: str = "nora.berg@nav.example") -> services.SentInvitation:
    return services.invitation_send(
        actor=people.manager,
        service=people.nav,
        email=email,
        first_name="Nora",
        last_name="Berg",
        role=StaffRole.CASEWORKER,
    )


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_the_navigation_leads_managers_to_their_services_staff(people: Any) -> None:
    client = _client(people.manager)
    assert 'href="/staff/"' in client.get("/day/").content.decode()
    assert client.get("/staff/")["Location"] == _team(people)
    assert 'href="/staff/"' not in _client(people.nav_advisor).get("/day/").content.decode()


def test_the_page_lists_members_with_roles_and_dates_and_pending_invitations(
    people: Any,
) -> None:
    _invite(people)
    services.membership_end_as_manager(
        actor=people.manager,
        membership_id=StaffMembership.objects.get(user=people.privacy_officer).pk,
    )
    body = _client(people.manager).get(_team(people)).content.decode()
    assert "Ansatte i NAV Skien" in body
    assert "ingrid.nav" in body and "Veileder / rådgiver / saksbehandler" in body
    assert timezone.localdate().strftime("%d.%m.%Y") in body
    assert "nora.berg@nav.example" in body
    ended = body.split("Sist avsluttet", 1)[1]
    assert "Personvernombud" in ended
    assert "kari.porsgrunn" not in body  # another service's staff


def test_a_manager_invites_by_email_and_it_is_audited(people: Any) -> None:
    response = _client(people.manager).post(
        _team(people),
        {
            "invite-first_name": "Nora",
            "invite-last_name": "Berg",
            "invite-email": "nora.berg@nav.example",
            "invite-role": "COORDINATOR",
        },
    )
    assert response.status_code == 302 and response["Location"] == _team(people)
    invitation = StaffInvitation.objects.get()
    assert invitation.role == StaffRole.COORDINATOR and invitation.invited_by == people.manager
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="staff_invitation.sent", actor=people.manager).exists()


def test_a_bad_invitation_form_answers_400_in_norwegian_or_english_and_sends_nothing(
    people: Any,
) -> None:
    _invite(people)
    data = {
        "invite-first_name": "Nora",
        "invite-last_name": "Berg",
        "invite-email": "nora.berg@nav.example",
        "invite-role": "CASEWORKER",
    }
    response = _client(people.manager).post(_team(people), data)
    assert response.status_code == 400
    assert "venter allerede på svar" in response.content.decode()
    response = _client(people.manager, "en").post(_team(people), data | {"invite-email": "x"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert StaffInvitation.objects.count() == 1 and len(mail.outbox) == 1


def test_the_last_manager_is_told_the_service_must_keep_one(people: Any) -> None:
    mine = StaffMembership.objects.get(user=people.manager)
    client = _client(people.manager, "en")
    response = client.post(f"/memberships/{mine.pk}/end/", follow=True)
    assert "at least one manager" in response.content.decode()
    mine.refresh_from_db()
    assert mine.ended_at is None


def test_a_manager_changes_a_role_and_ends_a_membership_from_the_page(people: Any) -> None:
    client = _client(people.manager)
    advisor = StaffMembership.objects.get(user=people.nav_advisor)
    response = client.post(f"/memberships/{advisor.pk}/role/", {"role": "COORDINATOR"})
    assert response.status_code == 302
    new = StaffMembership.objects.get(user=people.nav_advisor, ended_at__isnull=True)
    assert new.role == StaffRole.COORDINATOR
    response = client.post(f"/memberships/{advisor.pk}/role/", {"role": "MANAGER"}, follow=True)
    assert "avsluttet eller endret i mellomtiden" in response.content.decode()
    client.post(f"/memberships/{new.pk}/end/")
    assert not StaffMembership.objects.filter(user=people.nav_advisor, ended_at__isnull=True)


def test_a_manager_revokes_a_pending_invitation_and_its_link_then_says_so(people: Any) -> None:
    sent = _invite(people)
    _client(people.manager).post(f"/invitations/{sent.invitation.pk}/revoke/")
    response = _client().get(_path(sent.link))
    assert response.status_code == 410
    assert "trukket tilbake av tjenesten" in response.content.decode()


def test_the_staff_page_reads_in_a_fixed_number_of_queries(people: Any, count_queries: Any) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            factories.make_staff(people.nav)
            number = StaffInvitation.objects.count()
            _invite(people, email=f"ny{number}@nav.example")

    client = _client(people.manager)
    add(3)
    with count_queries() as few:
        assert client.get(_team(people)).status_code == 200
    add(27)
    with count_queries() as many:
        assert client.get(_team(people)).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 10, [q["sql"] for q in few.captured_queries]


# --- The invited person's page -----------------------------------------------------------------


def test_the_invitation_page_offers_a_password_where_passwords_are_on(people: Any) -> None:
    sent = _invite(people)
    client = _client()
    page = client.get(_path(sent.link))
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    body = page.content.decode()
    assert people.manager.get_full_name() in body
    assert "Lag kontoen din" in body
    response = client.post(
        _path(sent.link),
        {
            "accept": "password",
            "accept-username": "nora.berg",
            "accept-password": "lang-og-god-frase-42",
            "accept-password_again": "lang-og-god-frase-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/login/"
    membership = StaffMembership.objects.get(user__username="nora.berg")
    assert membership.service == people.nav and membership.role == StaffRole.CASEWORKER
    used = client.get(_path(sent.link))
    assert used.status_code == 410 and "allerede brukt" in used.content.decode()


def test_an_expired_or_unknown_invitation_gets_a_clear_page(people: Any) -> None:
    sent = _invite(people)
    StaffInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = _client(None, "en").get(_path(sent.link))
    assert response.status_code == 410
    assert "The invitation has expired" in response.content.decode()
    response = _client().get("/invitation/no-such-link/")
    assert response.status_code == 404
    assert "fant ingen invitasjon" in response.content.decode().lower()


def test_mismatched_passwords_answer_400_and_make_nothing(people: Any) -> None:
    sent = _invite(people)
    response = _client().post(
        _path(sent.link),
        {
            "accept": "password",
            "accept-username": "nora.berg",
            "accept-password": "lang-og-god-frase-42",
            "accept-password_again": "noe-annet-42",
        },
    )
    assert response.status_code == 400
    assert "Passordene er ikke like" in response.content.decode()
    assert StaffInvitation.objects.get().accepted_at is None


def test_the_invitation_page_reads_in_a_fixed_number_of_queries(
    people: Any, count_queries: Any
) -> None:
    sent = _invite(people)
    with count_queries() as read:
        assert _client().get(_path(sent.link)).status_code == 200
    # the invitation with its service and inviter, and the session's nothing
    assert len(read) <= 2, [q["sql"] for q in read.captured_queries]
    assert not re.search(r"\d{11}", _path(sent.link))

"""Managing a service's staff (cases.services.staff): who may, the service keeps a manager,
invitations that expire and work once, and an audit row naming who did what."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases import services
from cases.models import ExternalSubject, StaffInvitation, StaffMembership, StaffRole
from core.errors import ApplicationError
from core.models import ApiToken, AuditEntry
from core.secrets import digest_of
from core.tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db

ISSUER = "https://login.example.no/tenant/v2.0"


def _invite(people: Any, actor: Any = None, **overrides: Any) -> services.SentInvitation:
    fields = {
        "service": people.nav,
        "email": "Nora.Berg@Nav.example",
        "first_name": "Nora",
        "last_name": "Berg",
        "role": StaffRole.CASEWORKER,
    }
    return services.invitation_send(actor=actor or people.manager, **(fields | overrides))


def _secret(sent: services.SentInvitation) -> str:
    return sent.link.rstrip("/").rsplit("/", 1)[-1]


def _membership(user: Any, service: Any) -> StaffMembership:
    return StaffMembership.objects.get(user=user, service=service, ended_at__isnull=True)


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["nav_advisor", "privacy_officer", "outsider", "ot_counsellor", "coordinator"]
)
def test_only_a_manager_or_staff_administrator_of_the_service_may_invite(
    people: Any, who: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        _invite(people, actor=getattr(people, who))
    assert refused.value.code == "not_manager_of_service"
    assert not StaffInvitation.objects.exists()
    assert not mail.outbox


def test_the_staff_administrator_may_invite_too(people: Any) -> None:
    sent = _invite(people, actor=people.nav_admin)
    assert sent.invitation.invited_by == people.nav_admin


@pytest.mark.parametrize("who", ["nav_advisor", "outsider", "privacy_officer"])
def test_only_a_manager_of_the_service_may_change_a_role_or_end_a_membership(
    people: Any, who: str
) -> None:
    membership = _membership(people.nav_advisor, people.nav)
    actor = getattr(people, who)
    with pytest.raises(ApplicationError):
        services.membership_role_change(
            actor=actor, membership_id=membership.pk, role=StaffRole.COORDINATOR
        )
    with pytest.raises(ApplicationError):
        services.membership_end_as_manager(actor=actor, membership_id=membership.pk)
    assert _membership(people.nav_advisor, people.nav).pk == membership.pk


def test_a_manager_of_another_service_may_not_manage_this_one(people: Any) -> None:
    porsgrunn_manager = factories.make_staff(people.elsewhere, StaffRole.MANAGER)
    membership = _membership(people.nav_advisor, people.nav)
    with pytest.raises(ApplicationError) as refused:
        services.membership_end_as_manager(actor=porsgrunn_manager, membership_id=membership.pk)
    assert refused.value.code == "not_manager_of_service"


# --- Roles and ends ----------------------------------------------------------------------------


def test_a_new_role_is_a_new_membership_and_the_old_one_ends_with_clearances_kept(
    people: Any,
) -> None:
    services.membership_clearances_set(
        actor=people.manager, service=people.nav, user=people.nav_advisor, cleared_shielded=True
    )
    old = _membership(people.nav_advisor, people.nav)
    new = services.membership_role_change(
        actor=people.manager, membership_id=old.pk, role=StaffRole.COORDINATOR
    )
    old.refresh_from_db()
    assert old.ended_at is not None and old.role == StaffRole.CASEWORKER
    assert new.role == StaffRole.COORDINATOR and new.ended_at is None
    assert new.cleared_shielded is True
    changed = AuditEntry.objects.get(action="membership.role_changed")
    assert changed.actor == people.manager
    assert changed.data["before"] == "CASEWORKER" and changed.data["after"] == "COORDINATOR"
    assert changed.target_id == str(new.pk)
    assert AuditEntry.objects.filter(
        action="membership.ended", target_id=str(old.pk), actor=people.manager
    ).exists()


def test_a_role_change_on_a_membership_that_has_ended_is_a_conflict(people: Any) -> None:
    old = _membership(people.nav_advisor, people.nav)
    services.membership_role_change(
        actor=people.manager, membership_id=old.pk, role=StaffRole.COORDINATOR
    )
    with pytest.raises(services.MembershipChanged) as stale:
        services.membership_role_change(
            actor=people.manager, membership_id=old.pk, role=StaffRole.MANAGER
        )
    assert stale.value.status == 409


def test_the_same_role_again_is_refused_with_a_field_error(people: Any) -> None:
    membership = _membership(people.nav_advisor, people.nav)
    with pytest.raises(ApplicationError) as refused:
        services.membership_role_change(
            actor=people.manager, membership_id=membership.pk, role=StaffRole.CASEWORKER
        )
    assert "role" in refused.value.fields


def test_the_service_keeps_a_manager_the_last_one_can_neither_leave_nor_step_down(
    people: Any,
) -> None:
    mine = _membership(people.manager, people.nav)
    with pytest.raises(ApplicationError) as refused:
        services.membership_end_as_manager(actor=people.manager, membership_id=mine.pk)
    assert refused.value.code == "last_manager"
    with translation.override("en"):
        assert "at least one manager" in str(refused.value.message)
    with pytest.raises(ApplicationError):
        services.membership_role_change(
            actor=people.manager, membership_id=mine.pk, role=StaffRole.CASEWORKER
        )
    # The staff administrator is bound by the same rule.
    with pytest.raises(ApplicationError):
        services.membership_end_as_manager(actor=people.nav_admin, membership_id=mine.pk)
    assert _membership(people.manager, people.nav).pk == mine.pk
    assert not AuditEntry.objects.filter(action="membership.ended").exists()


def test_with_a_second_manager_a_manager_may_end_their_own_membership(people: Any) -> None:
    factories.make_staff(people.nav, StaffRole.MANAGER)
    mine = _membership(people.manager, people.nav)
    services.membership_end_as_manager(actor=people.manager, membership_id=mine.pk)
    mine.refresh_from_db()
    assert mine.ended_at is not None


def test_ending_the_last_membership_revokes_the_persons_api_tokens(people: Any) -> None:
    api_token_create(user=people.nav_advisor)
    membership = _membership(people.nav_advisor, people.nav)
    services.membership_end_as_manager(actor=people.manager, membership_id=membership.pk)
    token = ApiToken.objects.get(user=people.nav_advisor)
    assert token.revoked_at is not None and token.revoked_reason == "memberships_ended"
    revoked = AuditEntry.objects.get(action="api_token.revoked_all")
    assert revoked.actor == people.manager
    ended = AuditEntry.objects.get(action="membership.ended", target_id=str(membership.pk))
    assert ended.actor == people.manager


def test_a_role_change_keeps_the_persons_api_tokens(people: Any) -> None:
    api_token_create(user=people.nav_advisor)
    membership = _membership(people.nav_advisor, people.nav)
    services.membership_role_change(
        actor=people.manager, membership_id=membership.pk, role=StaffRole.COORDINATOR
    )
    assert ApiToken.objects.get(user=people.nav_advisor).revoked_at is None


# --- Invitations -----------------------------------------------------------------------------


def test_an_invitation_keeps_only_the_digest_of_its_secret_and_is_audited(people: Any) -> None:
    sent = _invite(people)
    invitation = StaffInvitation.objects.get()
    secret = _secret(sent)
    assert invitation.digest == digest_of(secret)
    assert secret not in str(StaffInvitation.objects.values().get())
    assert invitation.email == "nora.berg@nav.example"
    row = AuditEntry.objects.get(action="staff_invitation.sent")
    assert row.actor == people.manager and row.target_id == str(invitation.pk)
    assert row.data["role"] == "CASEWORKER" and secret not in str(row.data)


def test_an_invitation_expires_after_the_configured_lifetime(people: Any, settings: Any) -> None:
    settings.STAFF_INVITATION_LIFETIME = datetime.timedelta(hours=48)
    sent = _invite(people)
    assert sent.invitation.expires_at - sent.invitation.created_at == datetime.timedelta(hours=48)


def test_a_second_invitation_to_a_waiting_address_is_refused(people: Any) -> None:
    _invite(people)
    with pytest.raises(ValidationError) as refused:
        _invite(people, email="nora.berg@nav.example")
    assert "email" in refused.value.message_dict
    assert StaffInvitation.objects.count() == 1


def test_someone_who_already_works_there_is_not_invited(people: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _invite(people, email=people.nav_advisor.email)
    assert "email" in refused.value.message_dict


def test_accepting_through_the_provider_makes_the_staff_user_and_membership(
    people: Any,
) -> None:
    sent = _invite(people, role=StaffRole.COORDINATOR)
    user = services.invitation_accept_with_subject(
        invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-nora"
    )
    assert (user.first_name, user.last_name, user.email) == (
        "Nora",
        "Berg",
        "nora.berg@nav.example",
    )
    assert not user.has_usable_password()
    assert ExternalSubject.objects.get(issuer=ISSUER, subject="entra-nora").user == user
    membership = _membership(user, people.nav)
    assert membership.role == StaffRole.COORDINATOR
    invitation = StaffInvitation.objects.get()
    assert invitation.accepted_at is not None and invitation.membership == membership
    added = AuditEntry.objects.get(action="membership.added", target_id=str(membership.pk))
    assert added.actor == people.manager  # the manager granted it
    accepted = AuditEntry.objects.get(action="staff_invitation.accepted")
    assert accepted.actor == user and accepted.data["method"] == "oidc"
    assert accepted.data["invited_by"] == people.manager.get_username()


def test_a_known_subject_accepting_gets_the_membership_on_their_own_user(people: Any) -> None:
    services.external_subject_link(
        actor=None, user=people.outsider, issuer=ISSUER, subject="entra-kari"
    )
    sent = _invite(people, email="kari@porsgrunn.example")
    user = services.invitation_accept_with_subject(
        invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-kari"
    )
    assert user == people.outsider
    assert _membership(people.outsider, people.nav).role == StaffRole.CASEWORKER
    assert _membership(people.outsider, people.elsewhere)  # the other service's stays


def test_an_invitation_works_once(people: Any) -> None:
    sent = _invite(people)
    services.invitation_accept_with_subject(
        invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-nora"
    )
    with pytest.raises(services.InvitationNotPending) as used:
        services.invitation_accept_with_subject(
            invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-someone-else"
        )
    assert used.value.state == "ACCEPTED"
    assert not ExternalSubject.objects.filter(subject="entra-someone-else").exists()
    assert (
        StaffMembership.objects.filter(service=people.nav, user__email__startswith="nora").count()
        == 1
    )


def test_an_expired_invitation_cannot_be_accepted(people: Any) -> None:
    sent = _invite(people)
    StaffInvitation.objects.filter(pk=sent.invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(services.InvitationNotPending) as expired:
        services.invitation_accept_with_subject(
            invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-nora"
        )
    assert expired.value.state == "EXPIRED"
    assert not ExternalSubject.objects.exists()


def test_a_revoked_invitation_cannot_be_accepted_and_the_revoke_is_audited(people: Any) -> None:
    sent = _invite(people)
    services.invitation_revoke(actor=people.manager, invitation_id=sent.invitation.pk)
    with pytest.raises(services.InvitationNotPending) as revoked:
        services.invitation_accept_with_subject(
            invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-nora"
        )
    assert revoked.value.state == "REVOKED"
    row = AuditEntry.objects.get(action="staff_invitation.revoked")
    assert row.actor == people.manager
    with pytest.raises(services.InvitationNotPending):
        services.invitation_revoke(actor=people.manager, invitation_id=sent.invitation.pk)


def test_only_a_manager_of_the_service_may_revoke_an_invitation(people: Any) -> None:
    sent = _invite(people)
    with pytest.raises(ApplicationError):
        services.invitation_revoke(actor=people.nav_advisor, invitation_id=sent.invitation.pk)
    assert StaffInvitation.objects.get().revoked_at is None


def test_an_invitation_from_someone_no_longer_managing_is_not_honoured(people: Any) -> None:
    second = factories.make_staff(people.nav, StaffRole.MANAGER)
    sent = _invite(people, actor=second)
    services.membership_end_as_manager(
        actor=people.manager, membership_id=_membership(second, people.nav).pk
    )
    with pytest.raises(ApplicationError) as stale:
        services.invitation_accept_with_subject(
            invitation_id=sent.invitation.pk, issuer=ISSUER, subject="entra-nora"
        )
    assert stale.value.code == "invitation_stale"


def test_accepting_with_a_password_where_local_passwords_are_on(people: Any) -> None:
    sent = _invite(people)
    user = services.invitation_accept_with_password(
        invitation_id=sent.invitation.pk, username="nora.berg", password="lang-og-god-frase-42"
    )
    assert user.check_password("lang-og-god-frase-42")
    assert _membership(user, people.nav).role == StaffRole.CASEWORKER
    accepted = AuditEntry.objects.get(action="staff_invitation.accepted")
    assert accepted.data["method"] == "password"
    assert "lang-og-god" not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_a_weak_password_or_a_taken_username_is_refused_and_nothing_is_made(
    people: Any,
) -> None:
    sent = _invite(people)
    with pytest.raises(ValidationError) as weak:
        services.invitation_accept_with_password(
            invitation_id=sent.invitation.pk, username="nora.berg", password="12345678"
        )
    assert "password" in weak.value.message_dict
    with pytest.raises(ValidationError) as taken:
        services.invitation_accept_with_password(
            invitation_id=sent.invitation.pk, username="Ingrid.NAV", password="lang-og-god-42"
        )
    assert "username" in taken.value.message_dict
    assert StaffInvitation.objects.get().accepted_at is None
    assert not StaffMembership.objects.filter(user__username="nora.berg").exists()


def test_accepting_with_a_password_is_refused_where_local_passwords_are_off(
    people: Any, settings: Any
) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False
    sent = _invite(people)
    with pytest.raises(ApplicationError) as off:
        services.invitation_accept_with_password(
            invitation_id=sent.invitation.pk, username="nora.berg", password="lang-og-god-42"
        )
    assert off.value.code == "password_login_off"


# --- The e-mail --------------------------------------------------------------------------------


def test_the_email_holds_a_working_link_and_no_identity_number(people: Any, client: Any) -> None:
    sent = _invite(people)
    (message,) = mail.outbox
    assert message.to == ["nora.berg@nav.example"]
    assert "NAV Skien" in message.subject
    links = re.findall(r"https?://\S+", message.body)
    assert links == [sent.link, sent.link]  # once in Norwegian, once in English
    assert not re.search(r"\d{11}", message.body + message.subject)
    assert people.youth.national_id not in message.body
    assert "Veileder / rådgiver / saksbehandler" in message.body
    path = "/" + sent.link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200
    assert "Invitasjon til NAV Skien" in page.content.decode()
    assert not re.search(r"\d{11}", path)


def test_an_email_that_cannot_be_sent_keeps_nothing(people: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.cases.test_staff.FailingBackend"
    with pytest.raises(ApplicationError) as failed:
        _invite(people)
    assert failed.value.code == "email_failed"
    assert not StaffInvitation.objects.exists()
    assert not AuditEntry.objects.filter(action="staff_invitation.sent").exists()


class FailingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise OSError("connection refused")

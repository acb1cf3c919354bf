"""A service's staff, managed by its managers: invite a person by e-mail, change a member's
role, end a membership, revoke an invitation; and the invited person's acceptance.

Who may: a manager of the service (``StaffRole.MANAGER``), or its staff administrator
(``StaffRole.ADMIN``, who sees no youth). A service keeps at least one manager: the last
manager's membership can be neither ended nor given another role here (the Django admin, for
the operators, is not bound by it).

A membership is never edited in place, so who gave which access stays on record: another role
is a new membership and the old one ended, in one transaction. The membership's id is the
version a page or API caller edits: one already ended answers 409.

Every change is audited in its transaction, naming the actor; the invitation's secret is kept
only as its digest (``core.secrets``) and is sent to the invited address and nowhere else.
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.models import (
    CASELOAD_ROLES,
    STAFF_MANAGING_ROLES,
    ExternalSubject,
    InvitationState,
    Service,
    StaffInvitation,
    StaffMembership,
    StaffRole,
)
from cases.services.common import field_error
from cases.services.registry import CLEARANCE_FIELDS, membership_add, membership_end
from core.audit import audit_record
from core.errors import ApplicationError
from core.secrets import digest_of, new_secret

NOT_MANAGER = _("Bare en leder eller administrator i tjenesten kan gjøre dette.")
KEEP_A_MANAGER = _(
    "Tjenesten må ha minst én leder. Gi en annen lederrollen før du avslutter eller endrer denne."
)
INVITATION_GONE: dict[str, Any] = {
    InvitationState.ACCEPTED: _("Invitasjonen er allerede brukt."),
    InvitationState.REVOKED: _("Invitasjonen er trukket tilbake."),
    InvitationState.EXPIRED: _("Invitasjonen er utløpt."),
}


class MembershipChanged(ApplicationError):
    """The membership was ended (or given another role) since the caller read it."""

    status = 409
    code = "conflict"


class InvitationNotPending(ApplicationError):
    """The invitation was used, revoked or has expired; ``state`` says which."""

    def __init__(self, state: str) -> None:
        super().__init__(INVITATION_GONE[state], code=f"invitation_{state.lower()}")
        self.state = state


def manages_staff(viewer: access.Viewer, service_id: Any) -> bool:
    """Whether the viewer is a manager or staff administrator of the (active) service now."""
    return any(
        membership.service_id == service_id
        and membership.role in STAFF_MANAGING_ROLES
        and membership.service_is_active
        for membership in viewer.memberships
    )


def check_manages_staff(viewer: access.Viewer, service_id: Any) -> None:
    if not manages_staff(viewer, service_id):
        raise ApplicationError(NOT_MANAGER, code="not_manager_of_service")


def _check_keeps_a_manager(membership: StaffMembership) -> None:
    """Refuse to take away ``membership`` when it is its service's last manager. The service's
    managers are locked (in id order) so two managers demoting each other at once cannot both
    pass. Run in the caller's transaction."""
    if membership.role != StaffRole.MANAGER:
        return
    managers = list(
        StaffMembership.objects.select_for_update()
        .filter(service_id=membership.service_id, role=StaffRole.MANAGER, ended_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if managers == [membership.pk]:
        raise ApplicationError(KEEP_A_MANAGER, code="last_manager")


def _locked_membership(membership_id: Any) -> StaffMembership:
    membership = (
        StaffMembership.objects.select_for_update(of=("self",))
        .select_related("user", "service")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or membership.ended_at is not None:
        raise MembershipChanged(
            _("Ansattforholdet er avsluttet eller endret i mellomtiden. Last siden på nytt.")
        )
    return membership


# --- Memberships ----------------------------------------------------------------------------


@transaction.atomic
def membership_role_change(*, actor: Any, membership_id: Any, role: str) -> StaffMembership:
    """Give a member another role in the service: a new membership with ``role`` from now (with
    the old one's clearances, when the new role works with youths), and the old one ended. Only
    a manager of the service; the last manager keeps the role. Audited as
    ``membership.role_changed`` besides the new membership's ``membership.added`` and the old
    one's ``membership.ended``. Returns the new membership."""
    if role not in StaffRole.values:
        raise field_error("role", _("Velg en rolle fra listen."), "invalid_choice")
    membership = _locked_membership(membership_id)
    check_manages_staff(access.viewer_for(actor), membership.service_id)
    if role == membership.role:
        raise ApplicationError(
            _("Den ansatte har allerede denne rollen."),
            code="same_role",
            fields={"role": _("Den ansatte har allerede denne rollen.")},
        )
    _check_keeps_a_manager(membership)
    new = membership_add(actor=actor, user=membership.user, service=membership.service, role=role)
    if role in CASELOAD_ROLES:
        carried = {name: getattr(membership, name) for name in CLEARANCE_FIELDS}
        if any(carried.values()):
            for name, value in carried.items():
                setattr(new, name, value)
            new.save(update_fields=list(carried))
    membership_end(actor=actor, membership=membership)
    audit_record(
        actor=actor,
        action="membership.role_changed",
        target=new,
        data={
            "user": membership.user.get_username(),
            "service": str(membership.service_id),
            "before": membership.role,
            "after": role,
            "ended": str(membership.pk),
        },
    )
    return new


@transaction.atomic
def membership_end_as_manager(*, actor: Any, membership_id: Any) -> StaffMembership:
    """End a membership of the service from now: only a manager of the service, and not the
    last manager's. When it was the person's last membership anywhere, their API tokens are
    revoked with it (``membership_end``)."""
    membership = _locked_membership(membership_id)
    check_manages_staff(access.viewer_for(actor), membership.service_id)
    _check_keeps_a_manager(membership)
    return membership_end(actor=actor, membership=membership)


# --- Invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentInvitation:
    invitation: StaffInvitation
    link: str  # sent to the invited address; never stored, never shown to the manager


def invitation_link(secret: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("staff-invitation", args=[secret])


def _invitation_message(invitation: StaffInvitation, link: str) -> EmailMessage:
    """Norwegian first, English alongside: the invited person's language is not known."""
    context = {
        "invitation": invitation,
        "link": link,
        "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.get_username(),
        "role_nb": _role_label(invitation.role, "nb"),
        "role_en": _role_label(invitation.role, "en"),
        "expires_at": timezone.localtime(invitation.expires_at),
    }
    with translation.override("nb"):
        subject = render_to_string("email/staff_invitation_subject.txt", context).strip()
        body = render_to_string("email/staff_invitation.txt", context)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email]
    )


def _role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(StaffRole(role).label)


@transaction.atomic
def invitation_send(
    *, actor: Any, service: Service, email: str, first_name: str, last_name: str, role: str
) -> SentInvitation:
    """Invite a person to work in ``service`` with ``role``: an e-mail to ``email`` with a link
    that works once until ``STAFF_INVITATION_LIFETIME_HOURS`` have passed. Only a manager of the
    service; not while an invitation to the same address waits, nor for someone who already
    works there. The e-mail is sent inside the transaction: if it cannot be sent, nothing is
    kept."""
    check_manages_staff(access.viewer_for(actor), service.pk)
    email = BaseUserManager.normalize_email(email.strip()).lower()
    now = timezone.now()
    secret = new_secret()
    invitation = StaffInvitation(
        service=service,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        digest=digest_of(secret),
        invited_by=actor,
        created_at=now,
        expires_at=now + settings.STAFF_INVITATION_LIFETIME,
    )
    invitation.full_clean()
    waiting = StaffInvitation.objects.filter(
        service=service,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    if waiting.exists():
        raise field_error(
            "email",
            _("En invitasjon til denne adressen venter allerede på svar."),
            "invitation_pending",
        )
    if StaffMembership.objects.filter(
        service=service, ended_at__isnull=True, user__email__iexact=email
    ).exists():
        raise field_error(
            "email", _("Noen med denne adressen jobber allerede i tjenesten."), "already_member"
        )
    invitation.save()
    audit_record(
        actor=actor,
        action="staff_invitation.sent",
        target=invitation,
        data={
            "service": str(service.pk),
            "email": email,
            "role": role,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    link = invitation_link(secret)
    try:
        _invitation_message(invitation, link).send()
    except (OSError, smtplib.SMTPException) as exc:
        raise ApplicationError(
            _("E-posten kunne ikke sendes. Prøv igjen senere."), code="email_failed"
        ) from exc
    return SentInvitation(invitation=invitation, link=link)


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation_id: Any) -> StaffInvitation:
    """Take back an invitation that has not been used (waiting or expired): its link no longer
    works. Only a manager of the service."""
    invitation = StaffInvitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise ApplicationError(_("Fant ikke invitasjonen."), code="not_found")
    check_manages_staff(access.viewer_for(actor), invitation.service_id)
    state = invitation.state_at(timezone.now())
    if state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise InvitationNotPending(state)
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="staff_invitation.revoked",
        target=invitation,
        data={"service": str(invitation.service_id), "email": invitation.email},
    )
    return invitation


def invitation_for_secret(secret: str) -> StaffInvitation | None:
    """The invitation the link's secret belongs to (any state), or None: one indexed query."""
    return (
        StaffInvitation.objects.select_related("service", "invited_by")
        .filter(digest=digest_of(secret))
        .first()
    )


def _pending_locked(invitation_id: Any) -> StaffInvitation:
    """The invitation, locked, if it can still be accepted: waiting, not expired, its service
    active and its inviter still a manager there. Run in the caller's transaction."""
    invitation = (
        StaffInvitation.objects.select_for_update(of=("self",))
        .select_related("service", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise ApplicationError(_("Fant ikke invitasjonen."), code="not_found")
    state = invitation.state_at(timezone.now())
    if state != InvitationState.PENDING:
        raise InvitationNotPending(state)
    if not manages_staff(access.viewer_for(invitation.invited_by), invitation.service_id):
        raise ApplicationError(
            _("Invitasjonen gjelder ikke lenger. Be lederen i tjenesten om en ny."),
            code="invitation_stale",
        )
    return invitation


def _accept(invitation: StaffInvitation, user: Any, *, method: str) -> StaffMembership:
    """The membership the invitation promised, granted by its inviter; the invitation used."""
    if StaffMembership.objects.filter(
        user=user, service=invitation.service, role=invitation.role, ended_at__isnull=True
    ).exists():
        raise ApplicationError(
            _("Du har allerede denne rollen i tjenesten."), code="already_member"
        )
    membership = membership_add(
        actor=invitation.invited_by, user=user, service=invitation.service, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "membership"])
    audit_record(
        actor=user,
        action="staff_invitation.accepted",
        target=invitation,
        data={
            "service": str(invitation.service_id),
            "role": invitation.role,
            "user": user.get_username(),
            "invited_by": invitation.invited_by.get_username(),
            "method": method,
        },
    )
    return membership


def _free_username(email: str) -> str:
    User = get_user_model()
    base = email[:140]
    if not User.objects.filter(username=base).exists():
        return base
    return f"{base}-{secrets.token_hex(4)}"


@transaction.atomic
def invitation_accept_with_subject(*, invitation_id: Any, issuer: str, subject: str) -> Any:
    """Accept through the staff OpenID Connect provider: the person the provider calls
    ``subject`` under ``issuer`` gets the membership. A subject already linked to a user adds
    it to that user; a new one makes a staff user with the invitation's name and address (no
    usable password) and links the subject to it. Returns the user."""
    invitation = _pending_locked(invitation_id)
    link = ExternalSubject.objects.filter(issuer=issuer, subject=subject).select_related("user")
    known = link.first()
    if known is not None:
        user = known.user
    else:
        user = get_user_model().objects.create_user(
            username=_free_username(invitation.email),
            email=invitation.email,
            password=None,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
        )
        made = ExternalSubject.objects.create(issuer=issuer, subject=subject, user=user)
        audit_record(
            actor=user,
            action="external_subject.linked",
            target=made,
            data={"user": user.get_username(), "issuer": issuer, "by": "staff_invitation"},
        )
    _accept(invitation, user, method="oidc")
    return user


@transaction.atomic
def invitation_accept_with_password(*, invitation_id: Any, username: str, password: str) -> Any:
    """Accept by choosing a username and password, where local passwords are on
    (``LOCAL_PASSWORD_LOGIN``, development): a new staff user with the invitation's name and
    address, and the membership. The password must pass the password validators. Returns the
    user."""
    if not settings.LOCAL_PASSWORD_LOGIN:
        raise ApplicationError(
            _("Innlogging med passord er slått av. Logg inn med organisasjonens konto."),
            code="password_login_off",
        )
    invitation = _pending_locked(invitation_id)
    User = get_user_model()
    username = username.strip()
    candidate = User(
        username=username,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
    )
    try:
        candidate.clean_fields(exclude=["password"])
    except ValidationError as exc:
        raise field_error("username", exc.messages[0], "invalid") from exc
    if User.objects.filter(username__iexact=username).exists():
        raise field_error("username", _("Brukernavnet er tatt. Velg et annet."), "username_taken")
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user = User.objects.create_user(
        username=username,
        email=invitation.email,
        password=password,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
    )
    _accept(invitation, user, method="password")
    return user

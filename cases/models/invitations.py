"""Invitations to work in a service: a manager invites a person by e-mail with a role; the
person accepts by logging in (the staff OpenID Connect provider, or where local passwords are on,
a password they set), which makes their membership.

The link's secret is kept only as its digest (``core.secrets``), works once, and expires
(``STAFF_INVITATION_LIFETIME_HOURS``). The invitation names no identity number: the person is
known by the e-mail address and name the manager typed, and by the subject their provider gives.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import Service, StaffMembership, StaffRole
from core.models import Model


class InvitationState(models.TextChoices):
    PENDING = "PENDING", _("Venter på svar")
    ACCEPTED = "ACCEPTED", _("Godtatt")
    REVOKED = "REVOKED", _("Trukket tilbake")
    EXPIRED = "EXPIRED", _("Utløpt")


class StaffInvitation(Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, verbose_name=_("tjeneste"), on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-post"), max_length=254)
    first_name = models.CharField(_("fornavn"), max_length=150)
    last_name = models.CharField(_("etternavn"), max_length=150)
    role = models.CharField(_("rolle"), max_length=20, choices=StaffRole.choices)
    digest = models.CharField(_("sjekksum"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invitert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("utløper"))
    accepted_at = models.DateTimeField(_("godtatt"), null=True, blank=True)
    membership = models.OneToOneField(
        StaffMembership,
        verbose_name=_("ansattforhold"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trukket tilbake av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitasjon")
        verbose_name_plural = _("invitasjoner")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(membership__isnull=False),
                name="invitation_accepted_has_membership",
            ),
        ]
        indexes = [
            # The staff page: a service's invitations still waiting for an answer, newest first.
            models.Index(
                fields=["service", "-created_at"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_pending_by_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.service} ({self.get_role_display()})"

    def state_at(self, now: datetime.datetime) -> str:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= now:
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

"""The youth's own page: who may log in to see one youth's information.

A portal account links a user to one youth, either as the youth or as a guardian of a minor.
Local accounts (username and password) are the first way in; an OIDC provider such as ID-porten
later creates the same link from the identity number it vouches for (docs/architecture.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import Guardian, Youth


class PortalAccount(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="portal_accounts",
    )
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.CASCADE, related_name="portal_accounts"
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("som foresatt"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_accounts",
        help_text=_("Tom når ungdommen selv logger inn."),
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)

    class Meta:
        verbose_name = _("innlogging på Min side")
        verbose_name_plural = _("innlogginger på Min side")
        constraints = [
            models.UniqueConstraint(fields=["user", "youth"], name="portal_one_link_per_youth"),
            # The youth's own account: one per youth.
            models.UniqueConstraint(
                fields=["youth"], condition=Q(guardian__isnull=True), name="portal_one_self"
            ),
        ]

    def __str__(self) -> str:
        return str(self.guardian or self.youth)

    @property
    def is_guardian(self) -> bool:
        return self.guardian_id is not None

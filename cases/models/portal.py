"""The youth's own page: who may log in to see one youth's information.

A portal account links a user to one youth, either as the youth or as a guardian of a minor.
A log-in with ID-porten makes the user and its links from the identity number it vouches for
(``cases.oidc``); a local account (username and password) may also hold them (docs/login.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import Guardian, Youth
from core.models import Model


class PortalAccount(Model):
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


class HealthObjection(Model):
    """A youth of 12 to 15 objects to their guardians being told about their health
    (pasient- og brukerrettighetsloven § 3-4 second paragraph): while it stands, a guardian's
    *Min side* shows no health matters and no health service. Who recorded it and when are
    kept; it is withdrawn, never deleted. From 16 the guardians are not told anyway (§ 4-3)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth,
        verbose_name=_("ungdom"),
        on_delete=models.CASCADE,
        related_name="health_objections",
        db_index=False,  # led by the indexes below
    )
    objected_at = models.DateTimeField(_("motsatt seg"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "cases.Service",
        verbose_name=_("helsetjeneste som hørte ungdommen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Tom når ungdommen selv registrerte det på Min side."),
    )
    withdrawn_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tilbaketrekking registrert av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("innsigelse mot at foresatte får helseopplysninger")
        verbose_name_plural = _("innsigelser mot at foresatte får helseopplysninger")
        ordering = ["-objected_at"]
        constraints = [
            # One standing objection per youth; also the index of the guardian's page's
            # "does an objection stand for this youth?".
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(withdrawn_at__isnull=True),
                name="health_objection_one_standing",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | Q(withdrawn_at__gte=models.F("objected_at")),
                name="health_objection_withdrawn_after",
            ),
        ]
        indexes = [
            # The youth's objections, newest first (the API's history).
            models.Index(fields=["youth", "-objected_at"], name="health_objection_youth_at"),
        ]

    def __str__(self) -> str:
        return f"{self.youth}: {self.objected_at:%Y-%m-%d}"

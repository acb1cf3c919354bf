"""The audit trail: one row per state change, in the same transaction as the change.

The subject (the person the records are about) is a model named in settings,
``AUDIT_SUBJECT_MODEL``, the way ``AUTH_USER_MODEL`` is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One state change: who did what to which object, with sensitive values masked.

    Written in the same transaction as the change it records, so the two commit or fail together.
    """

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utført av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (…, -at) index below
    )
    action = models.CharField(_("handling"), max_length=100)
    subject = models.ForeignKey(
        settings.AUDIT_SUBJECT_MODEL,
        verbose_name=_("gjelder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (…, -at) index below
    )
    target_type = models.CharField(_("objekttype"), max_length=100, blank=True)
    target_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("revisjonslogg")
        verbose_name_plural = _("revisjonslogg")
        ordering = ["-at", "-id"]
        indexes = [
            # "What happened to this youth's records", newest first.
            models.Index(fields=["subject", "-at"], name="core_audit_subject_at"),
            # "What did this person do", newest first.
            models.Index(fields=["actor", "-at"], name="core_audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} @ {self.at:%Y-%m-%d %H:%M}"

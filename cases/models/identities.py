"""Who a log-in through an OpenID Connect provider is: the provider's stable subject for a user.

Staff are linked by hand (the admin) to the subject their organisation's provider gives them;
what they may do still comes from their memberships. A youth's or guardian's *Min side* user is
linked on first log-in with ID-porten (``cases.oidc``). The identity number is never stored
here: ID-porten's ``sub`` is an opaque, per-client identifier.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExternalSubject(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.CharField(_("utsteder"), max_length=255)
    subject = models.CharField(_("subjekt (sub)"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="external_subjects",
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ekstern identitet")
        verbose_name_plural = _("eksterne identiteter")
        constraints = [
            # The log-in's look-up: (issuer, sub) -> user.
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"

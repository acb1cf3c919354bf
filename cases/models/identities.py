"""Who a log-in through an OpenID Connect provider is: the provider's stable subject for a user.

Staff are linked by hand (the admin) to the subject their organisation's provider gives them;
what they may do still comes from their memberships. A youth's or guardian's *Min side* user is
linked on first log-in with ID-porten (``cases.oidc``). The identity number is never stored
here: ID-porten's ``sub`` is an opaque, per-client identifier.

A staff user's subject belongs to the staff provider's issuer, a *Min side* user's to
ID-porten's (``ExternalSubject.clean``), where the two issuers differ (they do in production).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Model


class ExternalSubject(Model):
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

    def clean(self) -> None:
        """Staff log in through the staff provider, youths and guardians through ID-porten: a
        staff user (a membership, staff or superuser) is not linked under ID-porten's issuer,
        nor a *Min side* user under the staff provider's."""
        if self.user_id is None:
            return
        staff, idporten = (_issuer("staff"), _issuer("idporten"))
        if staff == idporten:
            return  # one issuer for both (a test provider): the issuer tells nothing
        user = self.user
        is_staff = user.is_staff or user.is_superuser
        if idporten and self.issuer == idporten and (is_staff or user.memberships.exists()):
            raise ValidationError(
                {
                    "issuer": _(
                        "En ansatt logger inn gjennom virksomhetens innlogging, ikke ID-porten."
                    )
                }
            )
        if staff and self.issuer == staff and user.portal_accounts.exists():
            raise ValidationError(
                {
                    "issuer": _(
                        "En konto på Min side logger inn med ID-porten, ikke gjennom "
                        "virksomhetens innlogging."
                    )
                }
            )


def _issuer(client: str) -> str:
    config = settings.SAMORDNA_OIDC.get(client)
    return config["issuer"] if config else ""

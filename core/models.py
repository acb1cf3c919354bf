"""The project's base model; the audit trail: one row per state change, in the same transaction
as the change; and the API's tokens.

The subject (the person the records are about) is a model named in settings,
``AUDIT_SUBJECT_MODEL``, the way ``AUTH_USER_MODEL`` is.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Model(models.Model):
    """Django's model, validated without reading again what the caller already holds.

    ``full_clean()``, which every service calls before it saves, reads the database once per
    foreign key to see that the row it names exists, and once for a new row's primary key to
    see that no row has it. Two of those reads tell nothing and are left out:

    - a key whose object is at hand, read from the database or saved before (a service is
      handed the youth, the service, the user): the row was there, and the database's foreign
      key still refuses a row deleted since;
    - the primary key of a new row whose field makes it (a random UUID by default, not
      editable: no form or request gives one).

    A key given only as an id is checked as Django checks it, and so are every unique field
    and constraint."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        super().clean_fields(exclude={*(exclude or ()), *self._keys_at_hand()})

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        pk = self._meta.pk
        if self._state.adding and pk is not None and pk.has_default():
            exclude = {*(exclude or ()), pk.name}
        super().validate_unique(exclude=exclude)

    def _keys_at_hand(self) -> set[str]:
        """The foreign keys whose object is loaded on this row and saved."""
        names = set()
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or not field.is_cached(self):
                continue
            target = field.get_cached_value(self)
            if (
                not field.get_limit_choices_to()
                and target is not None
                and not target._state.adding
                and target.pk is not None
                and getattr(self, field.attname) == getattr(target, field.target_field.attname)
            ):
                names.add(field.name)
        return names


class AuditEntry(Model):
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


class ApiToken(Model):
    """A key for the API, stored only as the SHA-256 digest of its secret.

    The secret is 256 random bits, shown once when the token is made. A fast hash is enough for
    a secret that cannot be guessed (a slow hash is for passwords, which can), and it lets the
    digest be looked up by index in one query.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(_("SHA-256 av nøkkelen"), max_length=64, unique=True)
    prefix = models.CharField(_("nøkkelen begynner med"), max_length=8)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    expires_at = models.DateTimeField(_("utløper"))
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    revoked_reason = models.CharField(_("hvorfor trukket tilbake"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

"""A consent a service asks the youth for on *Min side*: prepared by staff of the service that
holds the information (from a template, ``cases.consent_texts``), answered yes or no by the
youth (or the guardians of a minor) on their page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import Service, Youth
from core.models import Model


class ConsentRequestState(models.TextChoices):
    OPEN = "OPEN", _("venter på svar")
    GIVEN = "GIVEN", _("ja")
    REFUSED = "REFUSED", _("nei")


class ConsentRequest(Model):
    """What a service asks the youth to agree to: one flow (``from_service`` shares
    ``categories`` with ``to_service``), its purpose and the text the youth agrees to. The answer
    is an ordinary consent (``consent``), given or refused digitally."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="consent_requests"
    )
    from_service = models.ForeignKey(
        Service, verbose_name=_("tjenesten som deler"), on_delete=models.PROTECT, related_name="+"
    )
    to_service = models.ForeignKey(
        Service, verbose_name=_("tjenesten som får"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(_("kategorier"), default=list)
    template_code = models.CharField(_("mal"), max_length=50)
    purpose = models.TextField(_("formål"), max_length=2000)
    agreed_text = models.TextField(_("teksten ungdommen svarer på"), max_length=20000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bedt om av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("bedt om"), default=timezone.now, editable=False)
    state = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsentRequestState.choices,
        default=ConsentRequestState.OPEN,
    )
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("besvart av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("samtykke"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("forespørsel om samtykke")
        verbose_name_plural = _("forespørsler om samtykke")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="OPEN", answered_at__isnull=True)
                | (~Q(state="OPEN") & Q(answered_at__isnull=False)),
                name="consent_request_answered_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["youth", "-requested_at"], name="consent_request_by_youth"),
            models.Index(fields=["consent"], name="consent_request_by_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose[:60]} ({self.requested_at:%d.%m.%Y})"

    @property
    def is_open(self) -> bool:
        return self.state == ConsentRequestState.OPEN

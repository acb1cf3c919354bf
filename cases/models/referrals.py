"""Referrals between services (*henvisning / tilmelding*)."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import FollowUpPeriod, OtRegistrationReason, Service, Youth
from core.models import Model

_OT = OtRegistrationReason


class ReferralReason(models.TextChoices):
    # OT's registration reasons (domain.md §3), used when OT sends or receives: the same codes
    # as a period's ``registration_reason``, which a referral to OT becomes when accepted.
    OT_NOT_APPLIED = _OT.OT_NOT_APPLIED.value, _OT.OT_NOT_APPLIED.label
    OT_DECLINED_PLACE = _OT.OT_DECLINED_PLACE.value, _OT.OT_DECLINED_PLACE.label
    OT_DROPPED_OUT = _OT.OT_DROPPED_OUT.value, _OT.OT_DROPPED_OUT.label
    OT_NO_PLACE = _OT.OT_NO_PLACE.value, _OT.OT_NO_PLACE.label
    OT_NO_APPRENTICESHIP = _OT.OT_NO_APPRENTICESHIP.value, _OT.OT_NO_APPRENTICESHIP.label
    OT_NOT_IN_WORK = _OT.OT_NOT_IN_WORK.value, _OT.OT_NOT_IN_WORK.label
    OT_OTHER = _OT.OT_OTHER.value, _OT.OT_OTHER.label
    OTHER = "OTHER", _("Annen årsak (beskrevet i teksten)")


OT_REASONS = frozenset(OtRegistrationReason.values)


class ReferralState(models.TextChoices):
    SENT = "SENT", _("Sendt")
    RECEIVED = "RECEIVED", _("Mottatt")
    ACCEPTED = "ACCEPTED", _("Akseptert")
    DECLINED = "DECLINED", _("Avslått")
    WITHDRAWN = "WITHDRAWN", _("Trukket tilbake")
    CLOSED = "CLOSED", _("Avsluttet")


# States in which the receiver still owes an answer (the response deadline runs).
AWAITING_ANSWER = (ReferralState.SENT, ReferralState.RECEIVED)


class Referral(Model):
    """A service refers a youth to another service, carrying named categories of information.

    sent → received (opened by the receiver) → accepted (opens the receiver's follow-up period)
    or declined (goes back to the sender to re-route) → closed. The sender may withdraw until it
    is accepted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="referrals"
    )
    from_service = models.ForeignKey(
        Service, verbose_name=_("fra tjeneste"), on_delete=models.PROTECT, related_name="+"
    )
    to_service = models.ForeignKey(
        Service, verbose_name=_("til tjeneste"), on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sendt av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason_code = models.CharField(_("årsak"), max_length=30, choices=ReferralReason.choices)
    reason = models.CharField(_("årsak (tekst)"), max_length=500, blank=True)
    message = models.TextField(_("melding"), max_length=5000)
    categories = models.JSONField(_("kategorier som følger med"), default=list)
    # What covered each carried category when it was sent: {"HEALTH": "consent:<id>", ...}.
    bases = models.JSONField(_("grunnlag"), default=dict)
    respond_by = models.DateField(_("svarfrist"))
    state = models.CharField(
        _("status"), max_length=10, choices=ReferralState.choices, default=ReferralState.SENT
    )
    sent_at = models.DateTimeField(_("sendt"), default=timezone.now)
    received_at = models.DateTimeField(_("mottatt"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mottatt av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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
    decline_reason = models.CharField(_("begrunnelse for avslag"), max_length=500, blank=True)
    period = models.ForeignKey(
        FollowUpPeriod,
        verbose_name=_("oppfølgingsperiode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rerouted_to = models.OneToOneField(
        "self",
        verbose_name=_("sendt videre som"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rerouted_from",
    )
    closed_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("henvisning")
        verbose_name_plural = _("henvisninger")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_service=models.F("to_service")),
                name="referral_to_another_service",
            ),
        ]
        indexes = [
            # Inbox and outbox of a service, newest first, by state.
            models.Index(fields=["to_service", "state", "-sent_at"], name="referral_inbox"),
            models.Index(fields=["from_service", "state", "-sent_at"], name="referral_outbox"),
            models.Index(fields=["youth", "-sent_at"], name="referral_by_youth"),
            # Overdue sweep: unanswered referrals by deadline.
            models.Index(
                fields=["respond_by"],
                condition=Q(state__in=["SENT", "RECEIVED"]),
                name="referral_awaiting_by_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_service} → {self.to_service} ({self.get_state_display()})"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return is_overdue(self.state, self.respond_by, today)


def is_overdue(state: str, respond_by: datetime.date, today: datetime.date | None = None) -> bool:
    """Unanswered past its answer deadline."""
    return state in AWAITING_ANSWER and respond_by < (today or timezone.localdate())

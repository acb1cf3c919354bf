"""Referrals between services (*henvisning / tilmelding*), handovers (*stafett*) and the history
of who was responsible for a youth in a service when."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import FollowUpPeriod, Service, Youth


class ReferralReason(models.TextChoices):
    # OT registration reasons (domain.md §3), used when OT sends or receives.
    OT_NOT_APPLIED = "OT_NOT_APPLIED", _("Har ikke søkt videregående opplæring")
    OT_DECLINED_PLACE = "OT_DECLINED_PLACE", _("Har takket nei til tilbudt skoleplass")
    OT_DROPPED_OUT = "OT_DROPPED_OUT", _("Har avbrutt opplæringen")
    OT_NO_PLACE = "OT_NO_PLACE", _("Fikk ikke skoleplass")
    OT_NO_APPRENTICESHIP = "OT_NO_APPRENTICESHIP", _("Fikk ikke læreplass")
    OT_NOT_IN_WORK = "OT_NOT_IN_WORK", _("Ikke i arbeid")
    OT_OTHER = "OT_OTHER", _("Annet (flyttet, registrert ved feil o.l.)")
    OTHER = "OTHER", _("Annen årsak (beskrevet i teksten)")


OT_REASONS = frozenset(r for r in ReferralReason if r.value.startswith("OT_"))


class ReferralState(models.TextChoices):
    SENT = "SENT", _("Sendt")
    RECEIVED = "RECEIVED", _("Mottatt")
    ACCEPTED = "ACCEPTED", _("Akseptert")
    DECLINED = "DECLINED", _("Avslått")
    WITHDRAWN = "WITHDRAWN", _("Trukket tilbake")
    CLOSED = "CLOSED", _("Avsluttet")


# States in which the receiver still owes an answer (the response deadline runs).
AWAITING_ANSWER = (ReferralState.SENT, ReferralState.RECEIVED)


class Referral(models.Model):
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


class HandoverState(models.TextChoices):
    PENDING = "PENDING", _("Venter på mottaker")
    ACCEPTED = "ACCEPTED", _("Akseptert")
    DECLINED = "DECLINED", _("Avslått")
    CANCELLED = "CANCELLED", _("Trukket tilbake")


class HandoverKind(models.TextChoices):
    RESPONSIBILITY = "RESPONSIBILITY", _("Oppfølgingsansvar")
    # The coordinator (or stafettholder) of a plan; ``about_id`` names the plan. What moves on
    # acceptance is the upper app's business: it calls ``handover_accept`` and then moves it.
    PLAN_COORDINATOR = "PLAN_COORDINATOR", _("Koordinator for plan")


class Handover(models.Model):
    """*Stafett*: moving responsibility for a youth to another staff member or service.

    Until the receiver accepts, the sender stays responsible. Within a service it moves the
    period's responsible; to another service it opens that service's period and closes the old.
    A plan's coordinator moves the same way (``kind``), always to a named person.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        _("hva som overføres"),
        max_length=20,
        choices=HandoverKind.choices,
        default=HandoverKind.RESPONSIBILITY,
    )
    about_id = models.UUIDField(_("gjelder (plan)"), null=True, blank=True)
    period = models.ForeignKey(
        FollowUpPeriod, verbose_name=_("fra periode"), on_delete=models.PROTECT, related_name="+"
    )
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="handovers"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("fra"), on_delete=models.PROTECT, related_name="+"
    )
    to_service = models.ForeignKey(
        Service, verbose_name=_("til tjeneste"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("til"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    message = models.TextField(_("melding"), max_length=5000, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=HandoverState.choices, default=HandoverState.PENDING
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    decided_at = models.DateTimeField(_("besluttet"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("besluttet av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decline_reason = models.CharField(_("begrunnelse"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("stafett")
        verbose_name_plural = _("stafetter")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(state="PENDING", kind="RESPONSIBILITY"),
                name="handover_one_pending_per_period",
            ),
            models.UniqueConstraint(
                fields=["about_id"],
                condition=Q(state="PENDING", kind="PLAN_COORDINATOR"),
                name="handover_one_pending_per_plan",
            ),
            models.CheckConstraint(
                condition=Q(kind="RESPONSIBILITY", about_id__isnull=True)
                | Q(kind="PLAN_COORDINATOR", about_id__isnull=False, to_user__isnull=False),
                name="handover_kind_fields",
            ),
        ]
        indexes = [
            models.Index(
                fields=["to_service", "-created_at"],
                condition=Q(state="PENDING"),
                name="handover_pending_inbox",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} → {self.to_service}"


class Responsibility(models.Model):
    """Who was responsible for a youth in a service, from when until when."""

    period = models.ForeignKey(
        FollowUpPeriod, on_delete=models.PROTECT, related_name="responsibilities"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["since"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(until__isnull=True),
                name="responsibility_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.since:%d.%m.%Y}"

"""Handovers of responsibility (*stafett*) and the history of who was responsible for a youth in
a service when."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import FollowUpPeriod, Service, Youth
from core.models import Model


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


class Handover(Model):
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


class Responsibility(Model):
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

"""The deadline ledger: rules (data with code behind them) and the deadlines they derive."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.categories import Category
from core.models import Model


class DeadlineRule(Model):
    """A deadline rule: its code names the evaluator in ``coordination.deadlines.rules``; the
    row says where it comes from, whether this deployment runs it, and its parameters (the law's
    numbers; local-policy numbers are settings)."""

    code = models.SlugField(_("kode"), max_length=30, primary_key=True)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("hva som må skje"))
    source = models.CharField(_("kilde"), max_length=300)
    source_url = models.URLField(_("lenke til kilden"), blank=True)
    enabled = models.BooleanField(_("i bruk"), default=True)
    parameters = models.JSONField(_("parametere"), default=dict, blank=True)

    class Meta:
        verbose_name = _("fristregel")
        verbose_name_plural = _("fristregler")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class SubjectType(models.TextChoices):
    """What a deadline is about."""

    DECISION = "decision", _("§ 14 a-vedtak")
    PERIOD = "period", _("oppfølgingsperiode")
    ACTIVITY = "activity", _("aktivitet")
    REFERRAL = "referral", _("henvisning")
    CONSENT = "consent", _("samtykke")
    PLAN = "plan", _("plan")
    REVIEW = "review", _("evaluering av plan")
    MEASURE = "measure", _("tiltak i plan")
    PARTICIPANT = "participant", _("deltaker i plan")
    CHILD_COORDINATOR = "child_coordinator", _("barnekoordinator")
    MESSAGE = "message", _("melding")


class DeadlineStatus(models.TextChoices):
    OPEN = "OPEN", _("Åpen")
    MET = "MET", _("Innfridd")
    MISSED = "MISSED", _("Oversittet")
    CANCELLED = "CANCELLED", _("Bortfalt")


class Deadline(Model):
    """One deadline for one youth, derived by a rule from the facts about one object.

    OPEN → MET (what had to happen happened by the due day), MISSED (the due day passed first;
    it stays MISSED if it happens later, with ``fulfilled_at``) or CANCELLED (the facts no
    longer call for it before it was due). ``closed_at`` is set when nothing more is expected:
    only open or missed deadlines without it are live (listed as overdue, reminded, escalated).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        "cases.Youth", verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="deadlines"
    )
    rule = models.ForeignKey(
        DeadlineRule, verbose_name=_("regel"), on_delete=models.PROTECT, related_name="deadlines"
    )
    subject_type = models.CharField(_("gjelder"), max_length=20, choices=SubjectType.choices)
    subject_id = models.UUIDField(_("gjelder id"))
    # The category of what the deadline reveals, for the access policy (a UG deadline tells that
    # the youth has a §14a decision: work and welfare).
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    due_on = models.DateField(_("frist"))
    service = models.ForeignKey(
        "cases.Service",
        verbose_name=_("ansvarlig tjeneste"),
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarlig ansatt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    # Reminders go to the service's managers from the first stage (a plan without coordinator).
    to_managers = models.BooleanField(_("til lederne"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    fulfilled_at = models.DateTimeField(_("innfridd"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("frist")
        verbose_name_plural = _("frister")
        ordering = ["due_on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"], name="deadline_one_per_subject"
            ),
        ]
        indexes = [
            # "My deadlines" and "the service's deadlines": live ones by due day.
            models.Index(
                fields=["staff", "due_on"],
                condition=Q(closed_at__isnull=True),
                name="deadline_live_by_staff",
            ),
            models.Index(
                fields=["service", "due_on"],
                condition=Q(closed_at__isnull=True),
                name="deadline_live_by_service",
            ),
            # Compliance reports: a rule's deadlines of an office by due day.
            models.Index(fields=["service", "rule", "due_on"], name="deadline_by_service_rule"),
            models.Index(fields=["youth", "rule"], name="deadline_by_youth"),
            # Nightly sweep: live deadlines that pass their due day.
            models.Index(
                fields=["due_on"],
                condition=Q(closed_at__isnull=True, status="OPEN"),
                name="deadline_open_by_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.due_on:%d.%m.%Y} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.closed_at is None and self.status in (
            DeadlineStatus.OPEN,
            DeadlineStatus.MISSED,
        )


class ComplianceSnapshot(Model):
    """A compliance figure of one office on one day (UG-90 over time), taken nightly."""

    id = models.BigAutoField(primary_key=True)
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        "cases.Service", verbose_name=_("NAV-kontor"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("dato"))
    group_size = models.PositiveIntegerField(_("antall i gruppen"))
    met = models.PositiveIntegerField(_("antall med godkjent plan"))
    target_percent = models.PositiveSmallIntegerField(_("mål (%)"))
    taken_at = models.DateTimeField(_("beregnet"), default=timezone.now)

    class Meta:
        verbose_name = _("måltall")
        verbose_name_plural = _("måltall")
        ordering = ["service", "-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "service", "day"], name="compliance_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.day:%d.%m.%Y}: {self.met}/{self.group_size}"

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.group_size, 1) if self.group_size else None

    @property
    def below_target(self) -> bool:
        return self.group_size > 0 and self.met * 100 < self.target_percent * self.group_size

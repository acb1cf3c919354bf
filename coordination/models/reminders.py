"""Reminders: one row per (deadline, stage, recipient). The database is the truth; the broker
only wakes the workers up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models.deadlines import ComplianceSnapshot, Deadline


class ReminderStatus(models.TextChoices):
    PENDING = "PENDING", _("Venter")
    SENT = "SENT", _("Sendt")
    CANCELLED = "CANCELLED", _("Avlyst")


class ReminderStage(models.TextChoices):
    BEFORE = "BEFORE", _("Før fristen")
    DUE = "DUE", _("På fristdagen")
    ESCALATION = "ESCALATION", _("Eskalering: fristen er oversittet")
    COMPLIANCE = "COMPLIANCE", _("Under måltallet")


class Reminder(models.Model):
    """One reminder to one recipient. A beat task claims due rows (``claim_token``) with
    ``SKIP LOCKED``; a send task delivers one recipient's claimed rows as one digest and marks
    them sent. A claim older than the lease is taken over, so a lost task delays, never loses."""

    id = models.BigAutoField(primary_key=True)
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    snapshot = models.ForeignKey(
        ComplianceSnapshot, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("trinn"), max_length=12, choices=ReminderStage.choices)
    days = models.SmallIntegerField(_("dager fra fristen"), default=0)
    # "user:<pk>" or "service:<pk>" (the service's notification address): the digest groups on it.
    recipient_key = models.CharField(_("mottaker"), max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        "cases.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    send_after = models.DateTimeField(_("sendes fra"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøk"), default=0)
    last_error = models.CharField(_("siste feil"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    message_id = models.CharField(_("meldings-id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        ordering = ["send_after"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "stage", "days", "recipient_key"],
                condition=Q(deadline__isnull=False),
                name="reminder_once_per_deadline_stage_recipient",
            ),
            models.UniqueConstraint(
                fields=["snapshot", "stage", "recipient_key"],
                condition=Q(snapshot__isnull=False),
                name="reminder_once_per_snapshot_recipient",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=False) ^ Q(snapshot__isnull=False),
                name="reminder_about_one_thing",
            ),
        ]
        indexes = [
            # The sweep: pending rows by when they fall due; and one claim's rows.
            models.Index(
                fields=["send_after"],
                condition=Q(status="PENDING"),
                name="reminder_pending_by_time",
            ),
            # One claim's rows. A sent row gives its token up (``reminders.deliver``), so the
            # index holds the claims under way. No status in the condition: with server-side
            # parameters the query's status is a parameter, which a prepared statement's
            # generic plan cannot match to a condition (it would plan every digest anew).
            models.Index(
                fields=["claim_token"],
                condition=Q(claim_token__isnull=False),
                name="reminder_by_claim",
            ),
            models.Index(
                fields=["user", "status"],
                condition=Q(status="PENDING"),
                name="reminder_pending_by_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} → {self.recipient_key} ({self.get_status_display()})"


class DigestMode(models.TextChoices):
    IMMEDIATE = "IMMEDIATE", _("Med en gang (samlet per utsending)")
    DAILY = "DAILY", _("Én gang om dagen")


class ReminderPreference(models.Model):
    """How a staff member wants reminders: at once (one digest per run) or a daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    mode = models.CharField(
        _("varsling"), max_length=10, choices=DigestMode.choices, default=DigestMode.IMMEDIATE
    )
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("varslingsvalg")
        verbose_name_plural = _("varslingsvalg")

    def __str__(self) -> str:
        return self.get_mode_display()

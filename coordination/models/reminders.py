"""Reminders: one row per (deadline, stage, recipient). The database is the truth; the broker
only wakes the workers up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models.deadlines import ComplianceSnapshot, Deadline
from core.models import Model


class ReminderStatus(models.TextChoices):
    PENDING = "PENDING", _("Venter")
    SENT = "SENT", _("Sendt")
    CANCELLED = "CANCELLED", _("Avlyst")
    # Could not be delivered and never will be (the SMS gateway refused the number).
    FAILED = "FAILED", _("Kunne ikke sendes")


class ReminderStage(models.TextChoices):
    BEFORE = "BEFORE", _("Før fristen")
    DUE = "DUE", _("På fristdagen")
    ESCALATION = "ESCALATION", _("Eskalering: fristen er oversittet")
    COMPLIANCE = "COMPLIANCE", _("Under måltallet")
    # A notice without content: something new is waiting (a message, a change to the plan).
    NOTICE = "NOTICE", _("Varsel om noe nytt")


class ReminderChannel(models.TextChoices):
    EMAIL = "EMAIL", _("E-post")
    SMS = "SMS", _("SMS")


class Reminder(Model):
    """One reminder to one recipient. A beat task claims due rows (``claim_token``) with
    ``SKIP LOCKED``; a send task delivers one recipient's claimed rows as one digest and marks
    them sent. A claim older than the lease is taken over, so a lost task delays, never loses.

    A notice (``stage`` NOTICE) is about neither a deadline nor a figure: it tells the youth, or
    a staff member, that something new waits in Samordna, by e-mail or SMS (``channel``), and
    names the youth it is about (``youth``) so it goes with the youth's record. At most one is
    pending per recipient and channel: later news folds into it (``reminders.notices``).
    """

    id = models.BigAutoField(primary_key=True)
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    snapshot = models.ForeignKey(
        ComplianceSnapshot, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("trinn"), max_length=12, choices=ReminderStage.choices)
    days = models.SmallIntegerField(_("dager fra fristen"), default=0)
    channel = models.CharField(
        _("kanal"), max_length=5, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    youth = models.ForeignKey(
        "cases.Youth", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What a notice is about, comma-separated: "message", "plan" (it names nothing more).
    notice_about = models.CharField(_("varsel om"), max_length=20, blank=True)
    # "user:<pk>", "service:<pk>" (the service's notification address) or "youth:<pk>" (the
    # address the youth gave for notices): the digest groups on it.
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
                condition=(
                    Q(stage="NOTICE", deadline__isnull=True, snapshot__isnull=True)
                    & Q(youth__isnull=False)
                )
                | (~Q(stage="NOTICE") & (Q(deadline__isnull=False) ^ Q(snapshot__isnull=False))),
                name="reminder_about_one_thing",
            ),
            # Later news folds into the notice not yet sent.
            models.UniqueConstraint(
                fields=["recipient_key", "channel"],
                condition=Q(stage="NOTICE", status="PENDING"),
                name="notice_one_pending_per_channel",
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
            # The last notice sent to a recipient on a channel (the quarter-hour batching).
            models.Index(
                fields=["recipient_key", "channel", "sent_at"],
                condition=Q(stage="NOTICE"),
                name="notice_by_recipient",
            ),
            # A youth's notices: the youth's copy, the purge, a change of the youth's settings.
            models.Index(
                fields=["youth"], condition=Q(youth__isnull=False), name="reminder_by_youth"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} → {self.recipient_key} ({self.get_status_display()})"


class DigestMode(models.TextChoices):
    IMMEDIATE = "IMMEDIATE", _("Med en gang (samlet per utsending)")
    DAILY = "DAILY", _("Én gang om dagen")


class ReminderPreference(Model):
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


class NoticeSettings(Model):
    """Where the youth wants notices that something new waits on *Min side*: an e-mail address
    and a mobile number, each used only when the youth gave it and turned it on. Without a row
    (the default), the youth gets no notice."""

    youth = models.OneToOneField(
        "cases.Youth",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notice_settings",
        verbose_name=_("ungdom"),
    )
    email = models.EmailField(_("e-post"), max_length=254, blank=True)
    mobile = models.CharField(_("mobilnummer"), max_length=16, blank=True)
    email_on = models.BooleanField(_("varsel på e-post"), default=False)
    sms_on = models.BooleanField(_("varsel på SMS"), default=False)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("varslingsvalg på Min side")
        verbose_name_plural = _("varslingsvalg på Min side")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def address(self, channel: str) -> str:
        """The address for ``channel``, or "" when the youth did not give it or turned it off."""
        if channel == ReminderChannel.SMS:
            return self.mobile if self.sms_on else ""
        return self.email if self.email_on else ""

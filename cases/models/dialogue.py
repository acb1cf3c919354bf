"""Dialogue: threads of messages about one youth, between the youth and the contact persons of a
service that follows them, or between staff of the services that follow the youth.

A thread is a service's record like its follow-up log: owned by a service (``service``), of one
category, so the access policy (``cases.access.visible``) decides which other services see it.
Messages are kept like follow-up entries: never edited, a correction is a new message naming
the one it corrects. Who read which message, and when, is a row per reader.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import Service, Youth
from consent.categories import Category
from core.models import Model


class ThreadKind(models.TextChoices):
    YOUTH = "YOUTH", _("Med ungdommen")
    STAFF = "STAFF", _("Mellom tjenestene")


class Thread(Model):
    """A conversation about one youth, held by one service (``service``) in one category."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="threads"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("tjeneste"), on_delete=models.PROTECT, related_name="threads"
    )
    kind = models.CharField(_("type"), max_length=10, choices=ThreadKind.choices)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("emne"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("startet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    last_message_at = models.DateTimeField(_("siste melding"), default=timezone.now)

    class Meta:
        verbose_name = _("samtale")
        verbose_name_plural = _("samtaler")
        ordering = ["-last_message_at"]
        indexes = [
            # A youth's threads, the newest message first (the pages and the API list).
            models.Index(fields=["youth", "-last_message_at"], name="thread_by_youth"),
            models.Index(fields=["service", "-last_message_at"], name="thread_by_service"),
        ]

    def __str__(self) -> str:
        return self.subject


class Message(Model):
    """One message in a thread: plain text, never edited. ``corrects`` makes it a correction of
    an earlier message in the same thread; ``answer_by`` asks for an answer by a day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(
        Thread, verbose_name=_("samtale"), on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skrevet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_youth = models.BooleanField(_("fra ungdommen"), default=False)
    text = models.TextField(_("tekst"), max_length=5000)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("retter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    answer_by = models.DateField(_("svar innen"), null=True, blank=True)
    created_at = models.DateTimeField(_("sendt"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldinger")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["thread", "created_at"], name="message_by_thread")]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M}"


class MessageRead(Model):
    """A participant read a message, at ``read_at`` (*lest*)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(
        Message, verbose_name=_("melding"), on_delete=models.CASCADE, related_name="reads"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lest av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    read_at = models.DateTimeField(_("lest"), default=timezone.now)

    class Meta:
        verbose_name = _("lest melding")
        verbose_name_plural = _("leste meldinger")
        constraints = [
            models.UniqueConstraint(fields=["message", "reader"], name="message_read_once")
        ]
        indexes = [models.Index(fields=["reader", "message"], name="message_read_by_reader")]

    def __str__(self) -> str:
        return f"{self.read_at:%d.%m.%Y %H:%M}"

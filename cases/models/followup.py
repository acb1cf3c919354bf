"""The follow-up log (*oppfølgingslogg*): what a service did with a youth, entry by entry."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import FollowUpPeriod, Service, Youth
from consent.categories import Category
from core.models import Model


class EntryKind(models.TextChoices):
    CONVERSATION = "CONVERSATION", _("Samtale")
    MEETING = "MEETING", _("Møte")
    PHONE = "PHONE", _("Telefon")
    DIGITAL_MESSAGE = "DIGITAL_MESSAGE", _("Digital melding")
    HOME_VISIT = "HOME_VISIT", _("Hjemmebesøk")
    NOTE = "NOTE", _("Notat")


class FollowUpEntry(Model):
    """One entry in a service's follow-up log, in a follow-up period of that service.

    Owned by the service (``service``), of one category: the access policy decides who else sees
    it. Edited in place only by its author within ``FOLLOW_UP_ENTRY_EDIT_HOURS``; later a
    correction is a new entry pointing at this one. Deleting (entries made in error only) keeps the
    row, hidden, with who, when and why.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="entries"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("tjeneste"), on_delete=models.PROTECT, related_name="entries"
    )
    period = models.ForeignKey(
        FollowUpPeriod,
        verbose_name=_("oppfølgingsperiode"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    occurred_on = models.DateField(_("dato"))
    kind = models.CharField(_("type"), max_length=20, choices=EntryKind.choices)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    text = models.TextField(_("tekst"), max_length=10000)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("retter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skrevet av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)
    deleted_at = models.DateTimeField(_("slettet"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("slettet av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deletion_reason = models.CharField(_("årsak til sletting"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("oppføring i oppfølgingsloggen")
        verbose_name_plural = _("oppfølgingslogg")
        ordering = ["-occurred_on", "-created_at"]
        indexes = [
            # The timeline of a youth, newest first (deleted entries are never shown).
            models.Index(
                fields=["youth", "-occurred_on", "-created_at"],
                condition=Q(deleted_at__isnull=True),
                name="entry_timeline",
            ),
            models.Index(fields=["service", "-occurred_on"], name="entry_by_service"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%d.%m.%Y}"

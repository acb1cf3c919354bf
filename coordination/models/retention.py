"""What the retention rules deleted: by which rule, from which model, when and how many rows.

Never what the rows held, nor whom they were about: a row of this table names no youth, holds no
identity number and no text, so the record of a deletion does not undo it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Model


class RetentionDeletion(Model):
    """One batch's deletions of one model under one rule (``coordination.retention.rules``)."""

    id = models.BigAutoField(primary_key=True)
    run = models.UUIDField(_("kjøring"), default=uuid.uuid4)
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    rule = models.CharField(_("regel"), max_length=50)
    model = models.CharField(_("type opplysning"), max_length=100)
    # "deleted", or "emptied": the row kept with its content cleared (the youth's minimal row).
    kind = models.CharField(_("hva som ble gjort"), max_length=10, default="deleted")
    rows = models.PositiveIntegerField(_("rader"))

    class Meta:
        verbose_name = _("sletting etter lagringsregel")
        verbose_name_plural = _("slettinger etter lagringsregler")
        ordering = ["-at", "-id"]
        indexes = [
            # The privacy officer's list of deletions, newest first.
            models.Index(fields=["-at"], name="retention_deletion_at"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.model} {self.kind} × {self.rows} ({self.at:%Y-%m-%d})"

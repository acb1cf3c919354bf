"""Facts that changed: one row per change to what a youth's deadlines are derived from.

``cases`` writes a row in the transaction that changes the facts (``cases.events``) and knows
nothing of who reads them. The deadline ledger in ``coordination`` reads the rows, derives each
youth's deadlines once, and deletes the rows it handled. A change therefore cannot be lost: it
commits with the facts, and stays until it has been derived.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from core.models import Model


class FactChange(Model):
    id = models.BigAutoField(primary_key=True)
    youth = models.ForeignKey("cases.Youth", on_delete=models.CASCADE, related_name="+")
    fact = models.CharField(max_length=64)  # what changed, e.g. "decision.recorded"
    # Which row changed, where a reader needs it (the message posted, for its notices).
    ref = models.CharField(max_length=64, blank=True, default="")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The ledger takes the changes of the youths one request changed.
            models.Index(fields=["youth", "id"], name="factchange_youth_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fact} ({self.changed_at:%Y-%m-%d %H:%M})"

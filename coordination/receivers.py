"""Connect the deadline ledger to the facts ``cases`` reports (``cases.events``)."""

from __future__ import annotations

from typing import Any

from coordination import ledger
from coordination.plans import grants


def on_facts_changed(sender: Any, *, youth_id: Any, fact: str, **kwargs: Any) -> None:
    """Re-derive the youth's deadlines in the transaction that changed the facts; when a
    consent changed, remove plan grants it no longer backs."""
    ledger.sync_youth(youth_id)
    if fact.startswith("consent."):
        grants.prune_for_youth(youth_id, reason="consent_changed")

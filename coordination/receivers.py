"""Connect the deadline ledger to the facts ``cases`` reports (``cases.events``)."""

from __future__ import annotations

from typing import Any

from coordination import ledger


def on_facts_changed(sender: Any, *, youth_id: Any, fact: str, **kwargs: Any) -> None:
    """Re-derive the youth's deadlines in the transaction that changed the facts."""
    ledger.sync_youth(youth_id)

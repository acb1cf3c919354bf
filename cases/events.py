"""Facts about a youth changed: the one signal other parts of the project react to.

``cases`` does not know who listens (knowledge flows coordination → cases → consent); the
deadline ledger in ``coordination`` connects to it and re-derives the youth's deadlines. Sent with
``Signal.send`` (not ``send_robust``) inside the writing service's transaction, so a failing
receiver rolls the whole write back: facts and deadlines never disagree.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Keyword arguments: youth_id, fact (a short name such as "decision.recorded").
facts_changed = Signal()


def fact_changed(youth_id: Any, fact: str) -> None:
    facts_changed.send(sender=fact, youth_id=youth_id, fact=fact)

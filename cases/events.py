"""Facts about a youth changed: recorded as rows, for whoever derives from them.

``cases`` does not know who reads the changes (knowledge flows coordination → cases → consent):
it writes a ``FactChange`` row in the writing service's transaction, so the change commits or
rolls back with the facts. The deadline ledger in ``coordination`` reads those rows and derives
each changed youth once (``coordination.deadlines.ledger.derive_changed``).

``recording()`` lets the caller of a block learn which youths it changed (the project's
middleware derives them before the response that changed them is sent).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from cases.models import FactChange

_recorded: ContextVar[set[Any] | None] = ContextVar("changed_youths", default=None)


def fact_changed(youth_id: Any, fact: str, *, ref: Any = "") -> None:
    """Record that a fact about the youth changed (``fact`` is a short name such as
    ``"decision.recorded"``; ``ref`` the id of the row that changed, where a reader needs it)."""
    FactChange.objects.create(youth_id=youth_id, fact=fact, ref=str(ref or ""))
    recorded = _recorded.get()
    if recorded is not None:
        recorded.add(youth_id)


@contextmanager
def recording() -> Iterator[set[Any]]:
    """The ids of the youths whose facts changed inside the block (also those whose writes
    rolled back: their rows are gone, so deriving them finds nothing to do)."""
    changed: set[Any] = set()
    token = _recorded.set(changed)
    try:
        yield changed
    finally:
        _recorded.reset(token)

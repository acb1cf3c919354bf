"""Connect the deadline ledger to the facts ``cases`` reports (``cases.events``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from coordination import ledger
from coordination.plans import grants

# Youths whose facts changed inside ``derived_once()``, with whether a consent was among them.
_deferred: ContextVar[dict[Any, bool] | None] = ContextVar("deferred_youths", default=None)


def on_facts_changed(sender: Any, *, youth_id: Any, fact: str, **kwargs: Any) -> None:
    """Re-derive the youth's deadlines in the transaction that changed the facts; when a
    consent changed, remove plan grants it no longer backs."""
    deferred = _deferred.get()
    if deferred is not None:
        deferred[youth_id] = deferred.get(youth_id, False) or fact.startswith("consent.")
        return
    _react(youth_id, consent_changed=fact.startswith("consent."))


def _react(youth_id: Any, *, consent_changed: bool) -> None:
    ledger.sync_youth(youth_id)
    if consent_changed:
        grants.prune_for_youth(youth_id, reason="consent_changed")


@contextmanager
def derived_once() -> Iterator[None]:
    """Within the block, each youth whose facts change is re-derived once, when the block ends
    without an error (in the caller's transaction, which must enclose the block), instead of
    once per change. For bulk writes such as the demo; nothing inside the block may read the
    deadlines of the youths it changes."""
    deferred: dict[Any, bool] = {}
    token = _deferred.set(deferred)
    try:
        yield
    finally:
        _deferred.reset(token)
    for youth_id in sorted(deferred, key=str):  # one lock order for every caller
        _react(youth_id, consent_changed=deferred[youth_id])

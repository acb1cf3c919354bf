"""How a web process runs Python's garbage collector once Django is loaded.

A request allocates tens of thousands of short-lived objects (rows, model instances, dicts).
With CPython's default thresholds (700, 10, 10) the collector ran about three times per
caseload request, and each full collection traversed every module, model and URL pattern
loaded at start-up: 3.7 ms per request on average and up to 110 ms on the unlucky one (issue
7: the caseload's p99 fell from ~140 to ~70 ms at 100,000 youths). What start-up loaded is
frozen (never traversed again) and the young generation is collected less often. Cycles are
still collected; only their timing changes.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """Load the URL conf (and the views it imports), then freeze what is loaded."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
    gc.collect()
    gc.freeze()
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)

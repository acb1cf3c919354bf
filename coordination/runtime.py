"""How a web process runs Python's garbage collector once Django is loaded.

A request allocates tens of thousands of short-lived objects (rows, model instances, dicts).
With CPython's default thresholds (700, 10, 10) the collector runs several times per caseload
request, and each full collection traverses every module, model and URL pattern loaded at
start-up: a little on every request and a lot on the unlucky one (the tail latency; see
docs/performance.md). What start-up loaded is frozen (never traversed again) and the young
generation is collected less often. Cycles are still collected; only their timing changes.
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

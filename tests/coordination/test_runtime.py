"""The web process settles Python's garbage collector once Django is loaded."""

from __future__ import annotations

from coordination.runtime import YOUNG_GENERATION_THRESHOLD
from tests.processes import printed_by


def test_the_wsgi_application_freezes_what_start_up_loaded_and_collects_less_often() -> None:
    probe = (
        "import gc; import coordination.wsgi; "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 10_000, "
        "'cases.api.views' in __import__('sys').modules)"
    )
    threshold, frozen, views_loaded = printed_by(probe)
    assert int(threshold) == YOUNG_GENERATION_THRESHOLD
    assert frozen == "True"
    assert views_loaded == "True"  # the URL conf was loaded before freezing

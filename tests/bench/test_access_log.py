"""The access log's benchmark in a small form, so the harness never rots."""

from __future__ import annotations

from typing import Any

from bench import access_log
from consent.models import AccessLogEntry, AccessLogSeal


def test_the_chain_and_the_write_are_measured(db: Any) -> None:
    chained = access_log.chain_speed(2000)

    assert (chained.rows, chained.intact) == (2000, True)
    assert AccessLogSeal.objects.count() == AccessLogEntry.objects.count() == 2000
    assert chained.seal_rows_per_second > 0 and chained.verify_rows_per_second > 0

    written = access_log.writes(3)
    assert (written.writes, written.rows_per_write, written.rows_sealed_meanwhile) == (3, 50, 0)
    assert 0 < written.p50_ms <= written.p95_ms
    assert AccessLogEntry.objects.count() == 2000 + (access_log.WARMUP + 3) * 50

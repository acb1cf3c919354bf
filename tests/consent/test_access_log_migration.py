"""The migration that partitions the access log by month: every row kept with its id, in the
partition of its month, whenever the rows were written."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from consent import partitions
from consent.models import AccessLogEntry
from tests.consent.chain_helpers import SUBJECT

BEFORE = [("consent", "0010_access_log_chain")]
AFTER = [("consent", "0011_access_log_partitioned")]


def _is_partitioned() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'consent_accesslogentry'")
        return bool(cursor.fetchone()[0] == "p")


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_partitioning_keeps_every_row_and_its_id_even_a_row_months_ahead_of_the_clock(
    db: None,
) -> None:
    """A row from two years back and one eight months ahead (a server whose clock ran ahead):
    each gets its month's partition, none is refused, and the ids go on after the last."""
    _migrate(BEFORE)
    assert not _is_partitioned()
    now = timezone.now()
    times = [now - datetime.timedelta(days=730), now, now + datetime.timedelta(days=240)]
    with connection.cursor() as cursor:
        for at in times:
            cursor.execute(
                "INSERT INTO consent_accesslogentry (at, actor_name, role, subject_id, purpose,"
                " granted, categories, items, bases) VALUES (%s, '', '', %s, 'test', true,"
                " '[]', '[]', '[]') RETURNING id",
                [at, SUBJECT],
            )
    before = dict(AccessLogEntry.objects.values_list("id", "at"))

    _migrate(AFTER)

    assert _is_partitioned()
    assert dict(AccessLogEntry.objects.values_list("id", "at")) == before
    months = set(partitions.months())
    assert {partitions.month_of(at) for at in times} <= months
    later = AccessLogEntry.objects.create(at=now, subject_id=SUBJECT, purpose="test", granted=True)
    assert later.pk > max(before)

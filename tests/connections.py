"""Second PostgreSQL connections beside Django's, for tests of what concurrent work sees."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def second_connection(*, autocommit: bool = False) -> Iterator[Any]:
    """A psycopg connection to the test database, outside Django's transaction handling."""
    import psycopg

    params = connection.get_connection_params()
    keys = ("dbname", "user", "password", "host", "port")
    with psycopg.connect(
        autocommit=autocommit, **{key: params[key] for key in keys if params.get(key)}
    ) as other:
        yield other


def waits_for_a_lock(watcher: Any, table: str, *, seconds: float = 10) -> bool:
    """Whether some backend comes to wait for a lock in a statement on ``table`` (polled on an
    autocommit connection: a transaction would see one snapshot of the activity view)."""
    for _ in range(int(seconds / 0.05)):
        waiting = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE %s",
            [f"%{table}%"],
        ).fetchone()[0]
        if waiting:
            return True
        time.sleep(0.05)
    return False

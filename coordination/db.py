"""PostgreSQL connections read timestamps with psycopg's compiled loader.

Django (5.2, psycopg 3) registers its own ``timestamptz`` loader on every connection: a Python
subclass of psycopg's pure-Python loader that parses the text and then sets the zone. Every
timestamp of every row would go through it, a noticeable part of a list request. Our sessions
start in UTC (``OPTIONS["options"]`` in settings), so psycopg's C loader already returns aware
datetimes in UTC, which is what Django's loader produces; we put it back on each new
connection, behind the ``timezone`` attribute Django's cursor check compares against (equal, so
Django leaves it in place).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings


def compiled_timestamp_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql" or not settings.USE_TZ:
        return
    import psycopg
    from psycopg.pq import Format

    raw = connection.connection
    if raw.info.parameter_status("TimeZone") != "UTC":
        return  # another zone: Django's loader is the one that gets it right
    oid = psycopg.adapters.types["timestamptz"].oid
    compiled = psycopg.adapters.get_loader(oid, Format.TEXT)
    if compiled is None or compiled.__module__.startswith("psycopg.types"):
        return  # no compiled implementation installed: nothing to gain

    class UtcTimestampLoader(psycopg.adapt.Loader):
        """The compiled loader's ``load``, behind the class attribute Django looks at."""

        timezone = datetime.UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._compiled = compiled(oid, context)  # type: ignore[misc]
            # The instance attribute shadows the method below: rows call the C function directly.
            self.load = self._compiled.load  # type: ignore[method-assign]

        def load(self, data: Any) -> Any:
            return self._compiled.load(data)

    raw.adapters.register_loader(oid, UtcTimestampLoader)

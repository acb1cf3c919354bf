"""The access log's months: partitions made ahead, and months dropped past the retention period.

On PostgreSQL ``consent_accesslogentry`` is partitioned by month of ``at`` in UTC (migration
0011): one partition a month, ``consent_accesslogentry_pYYYY_MM``. There is no DEFAULT
partition, so a row for a month without one is refused with the statement that writes it (and
the read it records fails with it): nothing is written where nobody looks. ``ensure`` makes the
current month and ``ACCESS_LOG_PARTITIONS_AHEAD`` months ahead (the beat runs it daily); the
migration made every month that held a row and three ahead.

**Retention.** A month goes when all of it lies before ``kept_from(now)``: now, less
``ACCESS_LOG_RETENTION_YEARS`` calendar years (a 29 February counts from 28 February), so a
month is dropped on the first run after its last moment is that old. ``drop_expired`` drops
such months whole (``DROP TABLE`` of the partition: no row-by-row DELETE, no bloat) and records
each in ``AccessLogDrop``, in the same transaction.

**The chain across a drop.** The hash chain (``consent/chain.py``) links rows in id order, and
the ids of two months meet with a little overlap (a row's time is taken just before its id). A
drop records the *boundary*: the last link below the first id of the rows kept, and its hash;
and the dropped month's links above it (*stragglers*). The verification starts from the latest
boundary and takes a straggler's missing row as dropped. Links behind the boundary are deleted
with the months (a trigger lets the links table delete only behind a recorded boundary). A row
deleted from a kept month, or a month dropped without its record, still shows as missing.

On SQLite (the embedded default) the log is one plain table: nothing is made, and the dropping
deletes the expired months' rows with their links, recorded the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from consent.models import AccessLogDrop, AccessLogEntry, AccessLogSeal

_TABLE = AccessLogEntry._meta.db_table
_PREFIX = f"{_TABLE}_p"
UTC = datetime.UTC
# The nightly drop does not queue the log's readers behind it for long: it gives up instead
# (and the next night tries again).
DROP_LOCK_TIMEOUT = "5s"


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the month (UTC) a time falls in: its partition."""
    return moment.astimezone(UTC).date().replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_start(month: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(month, datetime.time(), UTC)


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def months() -> list[datetime.date]:
    """The months that have a partition, oldest first (on SQLite: the months that hold rows)."""
    if not partitioned():
        first = AccessLogEntry.objects.aggregate(first=Min("at"), last=Max("at"))
        if first["first"] is None:
            return []
        month, last, found = month_of(first["first"]), month_of(first["last"]), []
        while month <= last:
            if AccessLogEntry.objects.filter(
                at__gte=month_start(month), at__lt=month_start(next_month(month))
            ).exists():
                found.append(month)
            month = next_month(month)
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits"
            " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
            " WHERE pg_inherits.inhparent = %s::regclass",
            [_TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    return sorted(
        datetime.date(int(name[-7:-3]), int(name[-2:]), 1)
        for name in names
        if name.startswith(_PREFIX)
    )


def add_month(month: datetime.date) -> bool:
    """Make the month's partition; False if it was there. Takes a short lock on the log."""
    if not partitioned():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT consent_access_log_add_month(%s)", [month])
        return bool(cursor.fetchone()[0])


def ensure(
    *, now: datetime.datetime | None = None, ahead: int | None = None
) -> list[datetime.date]:
    """Make the partitions of this month and ``ahead`` months after it that are missing
    (default ``ACCESS_LOG_PARTITIONS_AHEAD``); the months made. Safe to run at any time and in
    several processes at once."""
    now = now or timezone.now()
    ahead = settings.ACCESS_LOG_PARTITIONS_AHEAD if ahead is None else ahead
    month, made = month_of(now), []
    for _ in range(ahead + 1):
        if add_month(month):
            made.append(month)
        month = next_month(month)
    return made


def kept_from(now: datetime.datetime) -> datetime.datetime:
    """The oldest time the log keeps: now less ``ACCESS_LOG_RETENTION_YEARS`` calendar years
    (UTC; from a 29 February, the 28th)."""
    moment = now.astimezone(UTC)
    year = moment.year - settings.ACCESS_LOG_RETENTION_YEARS
    try:
        return moment.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        return moment.replace(year=year, day=28)


def expired(now: datetime.datetime | None = None) -> list[datetime.date]:
    """The months entirely older than the retention period, oldest first."""
    limit = kept_from(now or timezone.now())
    return [month for month in months() if month_start(next_month(month)) <= limit]


@dataclass(frozen=True)
class Dropped:
    month: datetime.date
    rows: int
    links: int  # links deleted with it (behind the boundary)


def drop_expired(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[Dropped]:
    """Drop every month entirely older than the retention period, oldest first, each in its
    own transaction with its ``AccessLogDrop`` record. With ``dry_run``, count what would go
    and change nothing. Holds the chain's sealer lock while it drops, so the sealer never
    links a row as its month goes."""
    now = now or timezone.now()
    return [_drop(month, now=now, dry_run=dry_run) for month in expired(now)]


def _drop(month: datetime.date, *, now: datetime.datetime, dry_run: bool) -> Dropped:
    # Imported here: the chain module's sealer takes the same lock.
    from consent import chain

    end = month_start(next_month(month))
    rows = AccessLogEntry.objects.filter(at__gte=month_start(month), at__lt=end)
    with transaction.atomic():
        if not dry_run:
            chain.lock_sealer()
        first_kept = AccessLogEntry.objects.filter(at__gte=end).aggregate(first=Min("id"))["first"]
        links = AccessLogSeal.objects.all()
        if first_kept is not None:
            links = links.filter(entry_id__lt=first_kept)
        boundary = links.order_by("-entry_id").values_list("entry_id", "hash").first()
        stragglers = list(
            AccessLogSeal.objects.filter(
                entry_id__in=rows.filter(id__gt=boundary[0] if boundary else 0).values("id")
            )
            .order_by("entry_id")
            .values_list("entry_id", flat=True)
        )
        count = rows.count()
        behind = AccessLogSeal.objects.filter(entry_id__lt=boundary[0]) if boundary else None
        deleted = behind.count() if behind is not None else 0
        if dry_run:
            return Dropped(month, count, deleted)
        AccessLogDrop.objects.create(
            month=month,
            rows=count,
            boundary_id=boundary[0] if boundary else None,
            boundary_hash=bytes(boundary[1]) if boundary else None,
            stragglers=stragglers,
            kept_from=kept_from(now),
            at=now,
        )
        if partitioned():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                cursor.execute("DROP TABLE " + connection.ops.quote_name(f"{_PREFIX}{month:%Y_%m}"))
        else:
            rows._raw_delete(rows.db)
        if behind is not None:
            behind._raw_delete(behind.db)
    return Dropped(month, count, deleted)

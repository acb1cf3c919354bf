"""The access log's hash chain: rows are linked after they are written, and the links are checked.

Writers insert access-log rows as before (``services.access_log_record``), in parallel and taking
no lock. The *sealer* (``seal``) links them afterwards, in id order, into one chain:

    hash(row) = SHA-256(hash(the link before it) || SHA-256(content(row)))

where ``content`` is the row's canonical encoding (id, at, actor, actor_name, party, role,
subject, purpose, granted, categories, items, bases: ``content`` below) and the first link
follows 32 zero bytes. The row's own digest in the middle lets PostgreSQL hash each row's
content in C as it reads it, so the chain costs Python one SHA-256 of 64 bytes per row.
Each link is an ``AccessLogSeal`` naming its row and the row before it. A row altered, removed or
inserted behind the database's triggers' back (a superuser can switch them off) no longer fits
its link; a history rewritten link by link fits, but not the daily digests: the head of the
chain at the end of each day (Europe/Oslo), stored (``AccessLogDigest``) and e-mailed to the
privacy officers, who keep it outside the database.

**Why after the fact, and in id order.** A row's id is taken when it is inserted; its
transaction may commit later. The sealer seals only rows written before a *cutoff* that no
transaction still open can be behind: on PostgreSQL the start of the oldest other transaction
that has written anything (``pg_stat_activity``), and never later than now, less
``ACCESS_LOG_SEAL_MARGIN_SECONDS`` for clocks that differ between the app's hosts and the
database. On SQLite write transactions are serialised (``transaction_mode`` IMMEDIATE), so rows
become visible in id order anyway. A row's ``at`` is taken just before its insert, so ``at``
follows id order; a row whose ``at`` lies before its predecessor's (by more than the margin) or
after now (likewise) is not sealed: that is how a row inserted into history looks, and
``verify`` reports it.

**Across a dropped month.** Months past the retention period are dropped whole
(``consent/partitions.py``), each with an ``AccessLogDrop`` record of the last link before
the rows kept and its hash: the walk starts there, and takes the missing rows of the few links
the record names after it (a month's last rows whose ids came after the next month's first) as
dropped. Every other missing row is reported, as before.

**One chain, not one per day.** Writers never touch the chain, so nothing serialises them on
its head; one sealer (a PostgreSQL advisory lock) extends it. A day is a stretch of the chain
with a digest at its end: removing a whole day breaks the link from the next day's first row.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from consent import partitions
from consent.models import (
    AccessLogDigest,
    AccessLogDrop,
    AccessLogEntry,
    AccessLogSeal,
    AccessLogSealer,
)

GENESIS = bytes(32)  # what the first link follows
SEAL_BATCH = 5000  # rows sealed per transaction
VERIFY_CHUNK = 10_000  # rows fetched per round trip while verifying
# The sealer's PostgreSQL advisory lock (a fixed 64-bit key).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"consent.AccessLogSeal").digest()[:8], signed=True)

# A row's content, in the order it is encoded (as read through the model).
COLUMNS = (
    *("id", "at", "actor", "actor_name", "party", "role", "subject", "purpose", "granted"),
    *("categories", "items", "bases"),
)
_TABLE = AccessLogEntry._meta.db_table
_SEALS = AccessLogSeal._meta.db_table
# PostgreSQL computes each row's content digest while it reads the row, in C: the same bytes
# as ``content`` (tests/consent/test_access_log_chain.py holds them side by side).
_CONTENT_DIGEST_SQL = """
    sha256(convert_to(json_build_array(
        id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        actor_id, actor_name, party_id, role, subject_id, purpose, granted,
        categories, items, bases
    )::text, 'UTF8'))
"""


def _json(value: Any) -> str:
    """PostgreSQL's JSON text of a value (``json_build_array`` and ``jsonb`` output): ", " and
    ": " between items, object keys shortest first and then by their UTF-8 bytes, strings
    escaped as JSON and otherwise as they are."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return "{" + ", ".join(f"{_json(key)}: {_json(value[key])}" for key in keys) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json(item) for item in value) + "]"
    if isinstance(value, uuid.UUID):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


def content(row: Sequence[Any]) -> bytes:
    """A row's canonical encoding: its ``COLUMNS`` as a JSON array in PostgreSQL's text form,
    the time in UTC with microseconds, ids (and references) as numbers or UUID text; UTF-8.
    On PostgreSQL it is ``json_build_array(id, <at as above>, actor_id, actor_name, party_id,
    role, subject_id, purpose, granted, categories, items, bases)::text``."""
    at = row[1].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return _json([row[0], at, *row[2:]]).encode()


def content_digest(row: Sequence[Any]) -> bytes:
    return hashlib.sha256(content(row)).digest()


def link_hash(previous: bytes, digest: bytes) -> bytes:
    """A link's hash: SHA-256 of the link before it and the row's content digest."""
    return hashlib.sha256(previous + digest).digest()


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _micros(moment: datetime.datetime) -> int:
    """A time as whole microseconds since 1970 (UTC): what the row readers give for ``at``,
    exact, and cheaper to read than a datetime."""
    return (moment - _EPOCH) // _MICROSECOND


def _rows(
    *, after: int, upto: int | None = None, limit: int | None = None, stream: bool = False
) -> Iterator[tuple[int, int, bytes]]:
    """(id, at in microseconds, content digest) of the rows after ``after`` (up to ``upto``)
    in id order; ``stream`` reads through a server-side cursor on PostgreSQL (inside a
    transaction)."""
    if connection.vendor != "postgresql":
        rows = AccessLogEntry.objects.filter(pk__gt=after).order_by("pk")
        if upto is not None:
            rows = rows.filter(pk__lte=upto)
        values = rows.values_list(*COLUMNS)
        for row in values[:limit].iterator() if limit else values.iterator(VERIFY_CHUNK):
            yield row[0], _micros(row[1]), content_digest(row)
        return
    # Names from the model's meta and constant expressions; every value is a parameter.
    sql = (
        "SELECT id, (extract(epoch FROM at) * 1000000)::bigint,"  # noqa: S608
        f" {_CONTENT_DIGEST_SQL} FROM {_TABLE} WHERE id > %s"
    )
    params: list[Any] = [after]
    if upto is not None:
        sql, params = sql + " AND id <= %s", [*params, upto]
    sql += " ORDER BY id"
    if limit is not None:
        sql, params = sql + " LIMIT %s", [*params, limit]
    yield from _fetch(sql, params, stream=stream)


def _fetch(sql: str, params: Sequence[Any], *, stream: bool) -> Iterator[Any]:
    with connection.chunked_cursor() if stream else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(VERIFY_CHUNK):
            yield from chunk


def _margin() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.ACCESS_LOG_SEAL_MARGIN_SECONDS)


def _lock(*, wait: bool) -> bool:
    """Take the sealer's lock until the transaction ends; without ``wait``, only if free."""
    if connection.vendor != "postgresql":
        return True  # SQLite: a write transaction holds the database until it ends
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def lock_sealer() -> None:
    """Take the sealer's lock until the transaction ends, waiting for a running sealer (the
    drop of an expired month holds it, so no row is linked as its month goes)."""
    _lock(wait=True)


def _cutoff(now: datetime.datetime) -> datetime.datetime:
    """Rows written before this are committed or never will be (see the module's docstring)."""
    cutoff = now
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The activity view is a snapshot taken once per transaction: take a fresh one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                " AND backend_xid IS NOT NULL"
            )
            oldest = cursor.fetchone()[0]
        if oldest is not None:
            cutoff = min(cutoff, oldest)
    return cutoff - _margin()


@dataclass(frozen=True)
class Link:
    entry_id: int
    hash: bytes


def head() -> Link | None:
    """The chain's last link."""
    last = AccessLogSeal.objects.order_by("-entry_id").values_list("entry_id", "hash").first()
    return None if last is None else Link(last[0], bytes(last[1]))


@dataclass(frozen=True)
class Sealed:
    rows: int  # linked by this run
    cutoff: datetime.datetime | None  # rows written before it are linked or refused; None: busy


def seal(*, now: datetime.datetime | None = None, wait: bool = False) -> Sealed:
    """Link every row written before the cutoff into the chain, ``SEAL_BATCH`` rows per
    transaction, each under the sealer's advisory lock. Without ``wait`` a run that finds the
    lock taken leaves the work to the sealer holding it; with ``wait`` it waits for it. Safe to
    run any number of times and in any number of processes."""
    now = now or timezone.now()
    total, after, cutoff = 0, 0, None
    floor: datetime.datetime | None = None
    while True:
        with transaction.atomic():
            if not _lock(wait=wait):
                return Sealed(total, cutoff)
            state, _ = AccessLogSealer.objects.get_or_create(pk=1)
            if cutoff is None:
                floor = state.sealed_through  # as the runs before left it
            cutoff = _cutoff(now)
            rows, after, more = _seal_batch(after=after, cutoff=cutoff, floor=floor, now=now)
            if not more and (state.sealed_through is None or state.sealed_through < cutoff):
                state.sealed_through = cutoff
                state.save(update_fields=["sealed_through"])
        total += rows
        if not more:
            return Sealed(total, cutoff)


def _seal_batch(
    *,
    after: int,
    cutoff: datetime.datetime,
    floor: datetime.datetime | None,
    now: datetime.datetime,
) -> tuple[int, int, bool]:
    """Link the next rows after the head (and after ``after``, the last row this run looked
    at). Returns the rows linked, the last row looked at, and whether more may follow.

    Refused, and left out of the chain: a row written before ``floor`` (an earlier run's cutoff,
    so that run would have linked it), before the row linked before it (less the margin: ``at``
    follows id order), or after now (plus the margin)."""
    last = head()
    previous_id, previous_hash = (last.entry_id, last.hash) if last else (None, GENESIS)
    previous_written = (
        AccessLogEntry.objects.filter(pk=previous_id).values_list("at", flat=True).first()
        if previous_id is not None
        else None
    )
    start = max(previous_id or 0, after)
    rows = list(_rows(after=start, limit=SEAL_BATCH))
    margin = settings.ACCESS_LOG_SEAL_MARGIN_SECONDS * 1_000_000
    before, ahead = _micros(cutoff), _micros(now) + margin
    earliest = _micros(floor) if floor is not None else None
    previous_at = _micros(previous_written) if previous_written is not None else None
    links, looked_at = list[tuple[int, int | None, bytes]](), start
    for pk, at, digest in rows:
        if before <= at <= ahead:
            return _insert(links), looked_at, False  # not yet: it and the rows after it wait
        looked_at = pk
        if (
            at >= before
            or (earliest is not None and at < earliest)
            or (previous_at is not None and at < previous_at - margin)
        ):
            continue  # refused
        previous_hash = link_hash(previous_hash, digest)
        links.append((pk, previous_id, previous_hash))
        previous_id, previous_at = pk, at
    return _insert(links), looked_at, len(rows) == SEAL_BATCH


def _insert(links: list[tuple[int, int | None, bytes]]) -> int:
    """The links in one statement: on PostgreSQL one INSERT from arrays, elsewhere one INSERT
    executed for all links."""
    if not links:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The hashes as one bytea, cut in SQL: an array of small bytea values costs
            # psycopg more to write than PostgreSQL takes to insert the rows.
            ids, prev_ids, hashes = zip(*links, strict=True)
            cursor.execute(
                f"INSERT INTO {_SEALS} (entry_id, prev_id, hash)"  # noqa: S608
                " SELECT link.id, link.prev_id,"
                " substring(%s::bytea FROM link.n::int * 32 - 31 FOR 32)"
                " FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS link(id, prev_id, n)",
                [b"".join(hashes), list(ids), list(prev_ids)],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {_SEALS} (entry_id, prev_id, hash) VALUES (%s, %s, %s)",  # noqa: S608
                links,
            )
    return len(links)


# --- Daily digests -------------------------------------------------------------------------


def _day_end(day: datetime.date) -> datetime.datetime:
    """Midnight after ``day`` in Europe/Oslo (the project's time zone)."""
    zone = timezone.get_default_timezone()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)


def _first_link_at_or_after(moment: datetime.datetime, low: int, high: int) -> int:
    """An id bound: the links from ``low`` to ``high`` below it were written before ``moment``,
    those at or above it at or after. A binary search over the links' ids, one index look-up
    per step; links follow time to within the margin, which the caller allows for."""
    written = AccessLogEntry.objects.filter(pk=OuterRef("entry_id")).values("at")[:1]
    while low <= high:
        mid = (low + high) // 2
        probe = (
            AccessLogSeal.objects.filter(entry_id__gte=mid, entry_id__lte=high)
            .annotate(written=Subquery(written))
            .order_by("entry_id")
            .values_list("entry_id", "written")
            .first()
        )
        if probe is not None and probe[1] is not None and probe[1] < moment:
            low = probe[0] + 1
        else:
            high = mid - 1
    return low


def _day_head(day: datetime.date, after: Link | None, low: int, top: Link) -> Link | None:
    """The last link after ``low`` (``after``, the day before's head, if there is one) whose
    row was written before the end of ``day``."""
    end = _day_end(day)
    upper = _first_link_at_or_after(end + _margin(), low + 1, top.entry_id)
    written = AccessLogEntry.objects.filter(pk=OuterRef("entry_id")).values("at")[:1]
    found = (
        AccessLogSeal.objects.filter(entry_id__gt=low, entry_id__lt=upper)
        .annotate(written=Subquery(written))
        .filter(written__lt=end)
        .order_by("-entry_id")
        .values_list("entry_id", "hash")
        .first()
    )
    return Link(found[0], bytes(found[1])) if found else after


def digest_days(*, now: datetime.datetime | None = None) -> list[AccessLogDigest]:
    """Seal, then store the head of every day that has ended and whose rows are all sealed,
    from the day after the last digest (the first time: yesterday) to yesterday. Call it inside
    the transaction that e-mails the new digests, so a digest is stored only when it was sent:
    the sealer's lock, taken by ``seal``, is held until that transaction ends."""
    now = now or timezone.now()
    with transaction.atomic():
        sealed = seal(now=now, wait=True)
        top = head()
        if top is None or sealed.cutoff is None:
            return []
        last = AccessLogDigest.objects.order_by("-day").first()
        previous: Link | None = None
        if last is not None:
            day = last.day + datetime.timedelta(days=1)
            previous, low = Link(last.head_id, bytes(last.head)), last.head_id
        else:
            low = AccessLogSeal.objects.order_by("entry_id").values_list("entry_id", flat=True)[0]
            first_at = (
                AccessLogEntry.objects.filter(pk__gte=low)
                .order_by("pk")
                .values_list("at", flat=True)
                .first()
            )
            # The first digest is yesterday's and covers everything before it: a log that
            # had rows before its chain began (an upgrade) gets one digest, not one a day.
            yesterday = timezone.localdate(now) - datetime.timedelta(days=1)
            day, low = max(timezone.localdate(first_at or now), yesterday), low - 1
        made = []
        while day < timezone.localdate(now) and _day_end(day) <= sealed.cutoff:
            day_head = _day_head(day, previous, low, top)
            if day_head is not None:
                rows = AccessLogSeal.objects.filter(
                    entry_id__gt=low, entry_id__lte=day_head.entry_id
                ).count()
                made.append(
                    AccessLogDigest.objects.create(
                        day=day, head_id=day_head.entry_id, head=day_head.hash, rows=rows, at=now
                    )
                )
                previous, low = day_head, day_head.entry_id
            day += datetime.timedelta(days=1)
        return made


# --- Verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class GivenDigest:
    """A digest as the e-mail gives it: ``2027-03-14:4711:<64 hex digits>``."""

    day: datetime.date
    head_id: int
    head: bytes

    @classmethod
    def parse(cls, text: str) -> GivenDigest:
        """Raises ValueError for anything but ``day:row:hash``."""
        day, head_id, head = text.strip().split(":")
        digest = bytes.fromhex(head)
        if len(digest) != 32:
            raise ValueError("a digest is 64 hex digits")
        return cls(datetime.date.fromisoformat(day), int(head_id), digest)

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}:{self.head_id}:{self.head.hex()}"


class Kind:
    ALTERED = "altered"  # the row's content does not match its link
    MISSING = "missing"  # a linked row is gone, or rows with their links
    INSERTED = "inserted"  # a row the chain does not hold where it stands, or not at all
    DIGEST = "digest"  # the chain does not match a day's digest, or a digest is gone
    EARLY = "early"  # a month recorded as dropped that was still within its retention period


@dataclass(frozen=True)
class Problem:
    kind: str
    entry_id: int  # the row, or the link at which the problem shows
    day: datetime.date | None  # that row's day (Europe/Oslo), when it is there to tell
    detail: str

    def __str__(self) -> str:
        day = f" ({self.day:%Y-%m-%d})" if self.day else ""
        return f"{self.kind}: row {self.entry_id}{day}: {self.detail}"


@dataclass
class Report:
    anchor: str  # where the walk started
    links: int = 0  # links checked
    first_id: int | None = None
    last_id: int | None = None
    digests: int = 0  # digests met on the walk
    pending: int = 0  # rows after the last link, not due for sealing yet
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Checkpoint:
    """A day's digest, to meet on the walk at the link it names."""

    day: datetime.date
    head_id: int
    head: bytes
    rows: int | None  # a stored digest counts the day's links; an e-mailed one is not asked
    source: str  # "stored" or "given"


def _day_of(at: int | None) -> datetime.date | None:
    """The day (Europe/Oslo) of a time in microseconds."""
    return timezone.localdate(_EPOCH + at * _MICROSECOND) if at is not None else None


def verify(
    *,
    since: datetime.date | None = None,
    given: Sequence[GivenDigest] = (),
    seal_first: bool = True,
    now: datetime.datetime | None = None,
) -> Report:
    """Walk the chain and report every link that does not hold, in chain order (the first is
    the first broken link); check the stored digests and ``given`` ones (as e-mailed) where
    the walk meets the link they name. From the start, or with ``since`` from the digest of
    the last day before it (an e-mailed one when given, else the stored one).

    Seals first (waiting for a running sealer), so the walk covers every row written before
    the cutoff. Streams both tables in id order, in one transaction (server-side cursors on
    PostgreSQL): memory does not grow with the log."""
    cutoff = seal(now=now, wait=True).cutoff if seal_first else None
    top = head()
    top_id = top.entry_id if top else 0
    stored = list(AccessLogDigest.objects.order_by("day"))
    report = Report(anchor="the first link")
    anchor_id, anchor_hash = 0, GENESIS
    if since is not None:
        by_day = {d.day: (d.head_id, bytes(d.head)) for d in stored if d.day < since}
        by_day.update({g.day: (g.head_id, g.head) for g in given if g.day < since})
        if by_day:
            day = max(by_day)
            anchor_id, anchor_hash = by_day[day]
            report.anchor = f"the digest of {day:%Y-%m-%d} (row {anchor_id})"
    dropped: set[int] = set()
    drops = list(AccessLogDrop.objects.order_by("month"))
    _drops_were_due(drops, now or timezone.now(), report.problems)
    drop = max(
        (d for d in drops if d.boundary_id is not None),
        key=lambda d: d.boundary_id or 0,
        default=None,
    )
    if drop is not None:
        dropped = {i for d in drops for i in d.stragglers}
        if drop.boundary_id is not None and drop.boundary_id >= anchor_id:
            anchor_id, anchor_hash = drop.boundary_id, bytes(drop.boundary_hash or b"")
            report.anchor = (
                f"the boundary of the dropped month {drop.month:%Y-%m} (row {anchor_id})"
            )
            _boundary_holds(drop, report.problems)
    points = _checkpoints(stored, given, anchor_id, report.problems)
    with transaction.atomic():
        walk = _Walk(report, anchor_id, anchor_hash, points, dropped)
        walk.run(top_id)
        walk.after_the_last_link(top_id, cutoff)
    report.problems.sort(key=lambda p: p.entry_id)
    return report


def _drops_were_due(
    drops: Sequence[AccessLogDrop], now: datetime.datetime, problems: list[Problem]
) -> None:
    """Every recorded drop is of a month that had passed the retention period when it was
    dropped (``partitions.kept_from`` at the record's time, or now if that is earlier): a
    record written by hand for a month still kept, to hide it, is reported."""
    for drop in drops:
        when = min(drop.at, now)
        if partitions.month_start(partitions.next_month(drop.month)) > partitions.kept_from(when):
            problems.append(
                Problem(
                    Kind.EARLY,
                    drop.boundary_id or 0,
                    None,
                    f"the month {drop.month:%Y-%m} is recorded as dropped on {when:%Y-%m-%d}, "
                    f"within the {settings.ACCESS_LOG_RETENTION_YEARS} years it is kept",
                )
            )


def _boundary_holds(drop: AccessLogDrop, problems: list[Problem]) -> None:
    """The latest drop's boundary is a link the drop kept: its recorded hash is that link's."""
    boundary = drop.boundary_id or 0
    kept = AccessLogSeal.objects.filter(entry_id=boundary).values_list("hash", flat=True)
    stored = next(iter(kept), None)
    if stored is None or bytes(stored) != bytes(drop.boundary_hash or b""):
        problems.append(
            Problem(
                Kind.MISSING if stored is None else Kind.ALTERED,
                drop.boundary_id or 0,
                None,
                f"the drop of {drop.month:%Y-%m} names row {drop.boundary_id} as the last link "
                "before the rows kept, "
                + (
                    "and that link is gone"
                    if stored is None
                    else "with another hash than its link's"
                ),
            )
        )


def _checkpoints(
    stored: list[AccessLogDigest],
    given: Sequence[GivenDigest],
    anchor_id: int,
    problems: list[Problem],
) -> list[_Checkpoint]:
    """The digests to meet on the walk, in chain order; and what the digests show by
    themselves: a day missing among the stored ones, a stored one that is not the e-mailed one."""
    after_gap = {
        after.day
        for before, after in itertools.pairwise(stored)
        if (after.day - before.day).days > 1
    }
    # After a gap a day's count would take in the missing days' links: it is not asked.
    points = [
        _Checkpoint(
            d.day, d.head_id, bytes(d.head), None if d.day in after_gap else d.rows, "stored"
        )
        for d in stored
        if d.head_id > anchor_id
    ]
    for before, after in itertools.pairwise(stored):
        if after.day in after_gap:
            problems.append(
                Problem(
                    Kind.DIGEST,
                    after.head_id,
                    after.day,
                    f"no digest is stored for the days between {before.day:%Y-%m-%d} and "
                    f"{after.day:%Y-%m-%d} (removed from the digest table)",
                )
            )
    stored_by_day = {d.day: d for d in stored}
    for digest in given:
        if digest.head_id > anchor_id:
            points.append(_Checkpoint(digest.day, digest.head_id, digest.head, None, "given"))
        kept = stored_by_day.get(digest.day)
        if kept is not None and (kept.head_id, bytes(kept.head)) != (digest.head_id, digest.head):
            problems.append(
                Problem(
                    Kind.DIGEST,
                    digest.head_id,
                    digest.day,
                    f"the stored digest of {digest.day:%Y-%m-%d} ({kept}) is not the e-mailed"
                    f" one ({digest}): the digest table was rewritten",
                )
            )
    return sorted(points, key=lambda p: (p.head_id, p.day, p.source))


class _Walk:
    """One pass over the links and the rows, both in id order, merged as they come."""

    def __init__(
        self,
        report: Report,
        anchor_id: int,
        anchor_hash: bytes,
        points: list[_Checkpoint],
        dropped: set[int],
    ) -> None:
        self.dropped = dropped  # links whose rows went with a recorded drop
        self.report, self.problems = report, report.problems
        self.anchor_id = anchor_id
        self.last_id: int | None = anchor_id or None
        self.last_hash = anchor_hash
        self.recent: dict[int, bytes] = {}  # the last links' hashes, to check past inserted ones
        self.points = points
        self.since_digest = 0  # links since the last stored digest met
        self.held: _Checkpoint | None = None  # the last digest that held

    def run(self, top_id: int) -> None:
        links = _fetch(
            f"SELECT entry_id, prev_id, hash FROM {_SEALS}"  # noqa: S608
            " WHERE entry_id > %s AND entry_id <= %s ORDER BY entry_id",
            [self.anchor_id, top_id],
            stream=True,
        )
        rows = _rows(after=self.anchor_id, upto=top_id, stream=True)
        row = next(rows, None)
        for link_id, prev_id, stored in links:
            while row is not None and row[0] < link_id:
                self._not_in_chain(row)
                row = next(rows, None)
            mine = row if row is not None and row[0] == link_id else None
            if mine is not None:
                row = next(rows, None)
            self._link(link_id, prev_id, bytes(stored), mine)
        while row is not None:
            self._not_in_chain(row)
            row = next(rows, None)
        for point in self.points:  # named beyond the last link
            self._gone(point, point.head_id, "beyond the chain's last link (it was cut short)")

    def after_the_last_link(self, top_id: int, cutoff: datetime.datetime | None) -> None:
        """Rows after the last link are waiting for the sealer, except those written before
        its cutoff and ahead of every waiting row: the sealer refused them."""
        waiting, before = cutoff is None, _micros(cutoff) if cutoff is not None else 0
        for row in _rows(after=top_id, stream=True):
            waiting = waiting or row[1] >= before
            if waiting:
                self.report.pending += 1
            else:
                self._not_in_chain(row)

    def _not_in_chain(self, row: Sequence[Any]) -> None:
        self.problems.append(
            Problem(
                Kind.INSERTED,
                row[0],
                _day_of(row[1]),
                "the row is not in the chain: written into history after the rows around it"
                " were sealed",
            )
        )

    def _gone(self, point: _Checkpoint, at: int, where: str) -> None:
        self.problems.append(
            Problem(
                Kind.DIGEST,
                at,
                point.day,
                f"the {point.source} digest of {point.day:%Y-%m-%d} names row "
                f"{point.head_id}, which is not a link: {where}",
            )
        )
        if point.source == "stored":
            self.since_digest = 0

    def _link(self, link_id: int, prev_id: int | None, stored: bytes, row: Any) -> None:
        computed: bytes | None = None
        if prev_id == self.last_id and row is not None:
            computed = link_hash(self.last_hash, row[2])
        elif prev_id != self.last_id:
            computed = self._misplaced(link_id, prev_id, row)
        elif link_id not in self.dropped:
            self.problems.append(
                Problem(Kind.MISSING, link_id, None, "the row is gone (its link remains)")
            )
        if computed is not None and computed != stored:
            self.problems.append(
                Problem(
                    Kind.ALTERED,
                    link_id,
                    _day_of(row[1]),
                    "the row's content does not match its link",
                )
            )
        while self.points and self.points[0].head_id < link_id:
            self._gone(self.points.pop(0), link_id, "that row and its link are gone")
        report = self.report
        report.links += 1
        report.first_id = report.first_id or link_id
        report.last_id = link_id
        self.since_digest += 1
        self.last_id, self.last_hash = link_id, stored
        self.recent[link_id] = stored
        if len(self.recent) > 1024:
            del self.recent[next(iter(self.recent))]
        while self.points and self.points[0].head_id == link_id:
            self._meet(self.points.pop(0), link_id, stored)

    def _misplaced(self, link_id: int, prev_id: int | None, row: Any) -> bytes | None:
        """A link that does not follow the link before it: rows were removed with their links
        (it names a later row than the walk met), or links were inserted (an earlier one).
        Returns the link's hash from the row it names, when that link is at hand."""
        day = _day_of(row[1]) if row is not None else None
        if prev_id is not None and (self.last_id is None or prev_id > self.last_id):
            after = f"after row {self.last_id} " if self.last_id else ""
            self.problems.append(
                Problem(
                    Kind.MISSING,
                    link_id,
                    day,
                    f"it links to row {prev_id}, which is gone with its link: the rows "
                    f"{after}up to row {prev_id} were removed",
                )
            )
            return None
        later = [i for i in self.recent if prev_id is None or i > prev_id]
        first = later[0] if later else self.last_id
        self.problems.append(
            Problem(
                Kind.INSERTED,
                first or link_id,
                None,
                f"row {link_id} links to "
                + (f"row {prev_id}" if prev_id else "the start")
                + f": the links from row {first} up to row {self.last_id} were inserted"
                " into the chain",
            )
        )
        previous = GENESIS if prev_id is None else self.recent.get(prev_id)
        return link_hash(previous, row[2]) if previous is not None and row is not None else None

    def _meet(self, point: _Checkpoint, link_id: int, value: bytes) -> None:
        self.report.digests += 1
        if value != point.head:
            since = (
                f"after row {self.held.head_id} (the {self.held.day:%Y-%m-%d} digest holds)"
                if self.held
                else "from the start"
            )
            self.problems.append(
                Problem(
                    Kind.DIGEST,
                    link_id,
                    point.day,
                    f"the chain's hash at row {link_id} is {value.hex()}, the {point.source} "
                    f"digest of {point.day:%Y-%m-%d} says {point.head.hex()}: rows {since} up"
                    f" to row {link_id} were rewritten",
                )
            )
        elif point.rows is not None and point.rows != self.since_digest:
            self.problems.append(
                Problem(
                    Kind.DIGEST,
                    link_id,
                    point.day,
                    f"{self.since_digest} links since the day before, the stored digest of "
                    f"{point.day:%Y-%m-%d} says {point.rows}",
                )
            )
        else:
            self.held = point
        if point.source == "stored":
            self.since_digest = 0

"""A youth's merged timeline across services, filtered by the access policy.

Four sources (follow-up entries, referrals, follow-up periods, consents), each read with one
query of at most ``limit + 1`` rows after the cursor, merged in Python: a fixed number of queries
whatever the page. Entries go through the gate (``access.allowed_for``), and one a holder
disclosed to the viewer's service carries its legal basis (``disclosed``); the others are GENERAL
information (who follows, who referred to whom, which consents exist) that every following service
sees; a referral's message shows only to the two services it is between.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases import access
from cases.models import FollowUpEntry, FollowUpPeriod, Referral, Youth
from cases.rows import Refs, Row, ServiceRef
from consent.categories import Category
from consent.models import Consent

Key = tuple[datetime.date, datetime.datetime, str]
Position = tuple[datetime.date, datetime.datetime, uuid.UUID]  # a key as its query reads it

# What a timeline row shows of each source (``selectors.timeline_fields``); the rest of the
# columns (authors, time stamps, hashes) cost more to load than the rows' own fields.
SERVICE = ("service__id", "service__kind", "service__name")
ENTRY_COLUMNS = (
    *("id", "youth_id", "occurred_on", "created_at", "category", "kind", "text"),
    *SERVICE,
)
REFERRAL_COLUMNS = (
    *("id", "youth_id", "sent_at", "state", "message"),
    *("from_service__id", "from_service__kind", "from_service__name"),
    *("to_service__id", "to_service__kind", "to_service__name"),
)
PERIOD_COLUMNS = ("id", "youth_id", "started_on", "created_at", "reason", "end_reason", *SERVICE)
CONSENT_COLUMNS = ("id", "subject_id", "valid_from", "decision", "purpose")


@dataclass(frozen=True, slots=True)
class EntryRow(Row):
    """A follow-up entry as a timeline row shows it, with what allowed it (``Allowed.basis``)."""

    id: uuid.UUID
    youth_id: uuid.UUID
    occurred_on: datetime.date
    created_at: datetime.datetime
    category: str
    kind: str
    text: str
    service: ServiceRef
    basis: str


@dataclass(frozen=True, slots=True)
class ReferralEvent(Row):
    """A referral as a timeline row shows it (its message only to the two services in it)."""

    id: uuid.UUID
    youth_id: uuid.UUID
    sent_at: datetime.datetime
    state: str
    message: str
    from_service: ServiceRef
    to_service: ServiceRef

    @property
    def from_service_id(self) -> uuid.UUID:
        return self.from_service.id

    @property
    def to_service_id(self) -> uuid.UUID:
        return self.to_service.id


@dataclass(frozen=True, slots=True)
class PeriodEvent(Row):
    """A follow-up period as a timeline row shows it."""

    id: uuid.UUID
    youth_id: uuid.UUID
    started_on: datetime.date
    created_at: datetime.datetime
    reason: str
    end_reason: str
    service: ServiceRef


@dataclass(frozen=True, slots=True)
class ConsentEvent(Row):
    """A consent as a timeline row shows it."""

    id: uuid.UUID
    subject_id: uuid.UUID
    valid_from: datetime.datetime
    decision: str
    purpose: str


def _entries(
    allowed: access.Allowed | None, cursor: Key | None, limit: int, refs: Refs
) -> list[EntryRow]:
    """Up to ``limit + 1`` of the youth's entries after the cursor that the viewer may see,
    newest first (none without ``allowed``: no service of the viewer follows the youth)."""
    if allowed is None:
        return []
    entries = allowed.filter(FollowUpEntry.objects.filter(deleted_at__isnull=True))
    rows = (
        entries.filter(_before(_position(cursor), "occurred_on", "created_at"))
        .order_by("-occurred_on", "-created_at", "-pk")
        .values_list(*ENTRY_COLUMNS, "access_disclosed")[: limit + 1]
    )
    return [_entry_row(row, refs, allowed) for row in rows]


def _entry_row(row: tuple[Any, ...], refs: Refs, allowed: access.Allowed) -> EntryRow:
    pk, youth_id, day, at, category, kind, text, *service, disclosed = row
    basis = allowed.basis(service[0], service[1], category, disclosed)
    return EntryRow(pk, youth_id, day, at, category, kind, text, refs.service(*service), basis)


@dataclass(frozen=True)
class Item:
    type: str
    key: Key
    obj: Any
    category: str
    basis: str


class InvalidCursor(ValueError):
    pass


def encode_cursor(key: Key) -> str:
    raw = f"{key[0].isoformat()}|{key[1].isoformat()}|{key[2]}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Key:
    """The key a cursor holds; InvalidCursor for anything ``encode_cursor`` did not make."""
    try:
        day, at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("a cursor's moment carries its offset")
        key = datetime.date.fromisoformat(day), moment, str(uuid.UUID(pk))
        # A day or a moment at either end of the calendar (a hand-made cursor) has no next
        # day, or no time in UTC: refused here rather than overflowing in the queries.
        day_start, next_day, _moment, _pk = _position_by_moment(key)
        for bound in (day_start, next_day, moment):
            bound.astimezone(datetime.UTC)
        return key
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor(cursor) from exc


def _before(key: Key | Position | None, day: str, at: str) -> Q:
    """Rows strictly before ``key`` in (day, at, id) descending order."""
    if key is None:
        return Q()
    d, t, pk = key
    return (
        Q(**{f"{day}__lt": d})
        | Q(**{day: d, f"{at}__lt": t})
        | Q(**{day: d, at: t, "pk__lt": pk if isinstance(pk, uuid.UUID) else uuid.UUID(pk)})
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# A key of a source whose day is the local day of a moment, as its query reads it: the
# day's first moment, the next day's, the moment and the id.
MomentPosition = tuple[datetime.datetime, datetime.datetime, datetime.datetime, uuid.UUID]


def _position_by_moment(key: Key) -> MomentPosition:
    d, t, pk = key
    return _start_of(d), _start_of(d + datetime.timedelta(days=1)), t, uuid.UUID(pk)


def _moment_position(key: Key | None) -> MomentPosition | None:
    return None if key is None else _position_by_moment(key)


def _before_moment(after: MomentPosition | None, at: str) -> Q:
    """As ``_before`` for rows whose day is the local day of the moment ``at``."""
    if after is None:
        return Q()
    day_start, next_day, t, pk = after
    return Q(**{f"{at}__lt": day_start}) | Q(**{f"{at}__gte": day_start, f"{at}__lt": next_day}) & (
        Q(**{f"{at}__lt": t}) | Q(**{at: t, "pk__lt": pk})
    )


def _referral_page(
    *, youth: uuid.UUID, after: MomentPosition | None, limit: int
) -> QuerySet[Referral, tuple[Any, ...]]:
    return (
        Referral.objects.filter(_before_moment(after, "sent_at"), youth_id=youth)
        .order_by("-sent_at", "-pk")
        .values_list(*REFERRAL_COLUMNS)[: limit + 1]
    )


def _period_page(
    *, youth: uuid.UUID, after: Position | None, limit: int
) -> QuerySet[FollowUpPeriod, tuple[Any, ...]]:
    return (
        FollowUpPeriod.objects.filter(_before(after, "started_on", "created_at"), youth_id=youth)
        .order_by("-started_on", "-created_at", "-pk")
        .values_list(*PERIOD_COLUMNS)[: limit + 1]
    )


def _consent_page(
    *, youth: uuid.UUID, after: MomentPosition | None, limit: int
) -> QuerySet[Consent, tuple[Any, ...]]:
    return (
        Consent.objects.filter(_before_moment(after, "valid_from"), subject_id=youth)
        .order_by("-valid_from", "-pk")
        .values_list(*CONSENT_COLUMNS)[: limit + 1]
    )


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _position(key: Key | None) -> Position | None:
    return None if key is None else (key[0], key[1], uuid.UUID(key[2]))


def _referrals(youth: Youth, cursor: Key | None, limit: int, refs: Refs) -> list[Item]:
    rows = _referral_page(youth=youth.pk, after=_moment_position(cursor), limit=limit)
    items = []
    for pk, youth_id, sent_at, state, message, *services in rows:
        from_service, to_service = refs.service(*services[:3]), refs.service(*services[3:])
        event = ReferralEvent(pk, youth_id, sent_at, state, message, from_service, to_service)
        key = (_local_day(sent_at), sent_at, str(pk))
        items.append(Item("referral", key, event, Category.GENERAL, "general"))
    return items


def _periods(youth: Youth, cursor: Key | None, limit: int, refs: Refs) -> list[Item]:
    rows = _period_page(youth=youth.pk, after=_position(cursor), limit=limit)
    items = []
    for pk, youth_id, started_on, created_at, reason, end_reason, *service in rows:
        event = PeriodEvent(
            pk, youth_id, started_on, created_at, reason, end_reason, refs.service(*service)
        )
        key = (started_on, created_at, str(pk))
        items.append(Item("period", key, event, Category.GENERAL, "general"))
    return items


def _consents(youth: Youth, cursor: Key | None, limit: int) -> list[Item]:
    rows = _consent_page(youth=youth.pk, after=_moment_position(cursor), limit=limit)
    return [
        Item(
            "consent",
            (_local_day(row[2]), row[2], str(row[0])),
            ConsentEvent(*row),
            Category.GENERAL,
            "general",
        )
        for row in rows
    ]


def timeline(
    *, viewer: access.Viewer, youth: Youth, cursor: Key | None, limit: int
) -> tuple[list[Item], Key | None]:
    """One page of the youth's timeline as ``viewer`` may see it, newest first, and the cursor
    of the next page."""
    refs = Refs()
    entries = _entries(access.allowed_for(viewer, youth.pk), cursor, limit, refs)
    items = [
        Item("entry", (e.occurred_on, e.created_at, str(e.pk)), e, e.category, e.basis)
        for e in entries
    ]
    items += _referrals(youth, cursor, limit, refs)
    items += _periods(youth, cursor, limit, refs)
    items += _consents(youth, cursor, limit)
    items.sort(key=lambda item: (item.key[0], item.key[1], uuid.UUID(item.key[2])), reverse=True)
    page = items[:limit]
    return page, (page[-1].key if len(items) > limit else None)

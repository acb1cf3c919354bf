"""A youth's merged timeline across services, filtered by the access policy.

Four sources (follow-up entries, referrals, follow-up periods, consents), each read with one
query of at most ``limit + 1`` rows after the cursor, merged in Python: a fixed number of queries
whatever the page. Entries go through ``access.visible``; the others are GENERAL information (who
follows, who referred to whom, which consents exist) that every following service sees; a
referral's message shows only to the two services it is between.
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
from cases.rows import Refs, ServiceRef
from cases.statements import Fixed, Statement
from consent.categories import Category
from consent.models import Consent

Key = tuple[datetime.date, datetime.datetime, str]
Position = tuple[datetime.date, datetime.datetime, uuid.UUID]  # a key as a statement binds it

# What a timeline row shows of each source (``reads.timeline_fields``); the rest of the
# columns (authors, time stamps, hashes) cost more to load than the rows' own fields.
SERVICE = ("service__id", "service__kind", "service__name")
ENTRY_COLUMNS = (
    *("id", "youth_id", "occurred_on", "created_at", "category", "kind", "text"),
    *SERVICE,
    *("access_own", "access_consent", "access_legal"),
)
REFERRAL_COLUMNS = (
    *("id", "youth_id", "sent_at", "state", "message"),
    *("from_service__id", "from_service__kind", "from_service__name"),
    *("to_service__id", "to_service__kind", "to_service__name"),
)
PERIOD_COLUMNS = ("id", "youth_id", "started_on", "created_at", "reason", "end_reason", *SERVICE)
CONSENT_COLUMNS = ("id", "subject_id", "valid_from", "decision", "purpose")


@dataclass(frozen=True, slots=True)
class EntryRow:
    """A follow-up entry as a timeline row shows it, with what allowed it (``basis_of``)."""

    id: uuid.UUID
    youth_id: uuid.UUID
    occurred_on: datetime.date
    created_at: datetime.datetime
    category: str
    kind: str
    text: str
    service: ServiceRef
    access_own: bool
    access_consent: uuid.UUID | None
    access_legal: str | None

    @property
    def pk(self) -> uuid.UUID:
        return self.id


def _entry_page(
    *,
    youth: uuid.UUID,
    parties: list[uuid.UUID],
    kinds: list[str],
    at: datetime.datetime,
    on: datetime.date,
    after: Position | None,
    limit: int,
) -> QuerySet[FollowUpEntry, tuple[Any, ...]]:
    """Up to ``limit + 1`` of the youth's entries that ``parties`` may see, newest first."""
    entries = access.visible_to_following(
        FollowUpEntry.objects.filter(deleted_at__isnull=True),
        subject=youth,
        parties=parties,
        kinds=kinds,
        at=at,
        on=on,
    )
    return (
        entries.filter(_before(after, "occurred_on", "created_at"))
        .order_by("-occurred_on", "-created_at", "-pk")
        .values_list(*ENTRY_COLUMNS)[: limit + 1]
    )


# Compiled once per shape: building and compiling the policy's query took longer than running
# it (issue 7).
ENTRY_PAGE = Statement(_entry_page)


def _entries(
    following: list[tuple[Any, str]], youth: Youth, cursor: Key | None, limit: int
) -> list[EntryRow]:
    """The entries on a page. ``following`` comes from ``access.following_services``: empty
    for anyone who is not active staff in a service that follows the youth (who sees none)."""
    if not following:
        return []
    now = timezone.now()
    after = None if cursor is None else (cursor[0], cursor[1], uuid.UUID(cursor[2]))
    rows = ENTRY_PAGE.rows(
        youth=youth.pk,
        parties=[service for service, _kind in following],
        kinds=sorted({kind for _service, kind in following}),
        at=now,
        on=timezone.localdate(now),
        after=after,
        limit=Fixed(limit),
    )
    refs = Refs()
    return [_entry_row(row, refs) for row in rows]


def _entry_row(row: tuple[Any, ...], refs: Refs) -> EntryRow:
    pk, youth_id, day, at, category, kind, text, *service, own, consent, legal = row
    return EntryRow(
        pk, youth_id, day, at, category, kind, text, refs.service(*service), own, consent, legal
    )


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
    try:
        day, at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("a cursor's moment carries its offset")
        return datetime.date.fromisoformat(day), moment, str(uuid.UUID(pk))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
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


def _page(qs: QuerySet[Any], key: Key | None, day: str, at: str, limit: int) -> list[Any]:
    return list(qs.filter(_before(key, day, at)).order_by(f"-{day}", f"-{at}", "-pk")[: limit + 1])


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _page_by_moment(qs: QuerySet[Any], key: Key | None, at: str, limit: int) -> list[Any]:
    """As ``_page`` for rows whose day is the local day of a moment (``at``)."""
    if key is not None:
        d, t, pk = key
        day_start, next_day = _start_of(d), _start_of(d + datetime.timedelta(days=1))
        qs = qs.filter(
            Q(**{f"{at}__lt": day_start})
            | Q(**{f"{at}__gte": day_start, f"{at}__lt": next_day})
            & (Q(**{f"{at}__lt": t}) | Q(**{at: t, "pk__lt": uuid.UUID(pk)}))
        )
    return list(qs.order_by(f"-{at}", "-pk")[: limit + 1])


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def timeline(
    *, user: Any, youth: Youth, cursor: Key | None, limit: int
) -> tuple[list[Item], Key | None]:
    """One page of the youth's timeline, newest first, and the cursor of the next page
    (``user`` may be this request's ``access.Viewer``)."""
    entries = _entries(access.following_services(user, youth.pk), youth, cursor, limit)
    referrals = _page_by_moment(
        Referral.objects.filter(youth=youth)
        .select_related("from_service", "to_service")
        .only(*REFERRAL_COLUMNS),
        cursor,
        "sent_at",
        limit,
    )
    periods = _page(
        FollowUpPeriod.objects.filter(youth=youth).select_related("service").only(*PERIOD_COLUMNS),
        cursor,
        "started_on",
        "created_at",
        limit,
    )
    consents = _page_by_moment(
        Consent.objects.filter(subject=youth).only(*CONSENT_COLUMNS),
        cursor,
        "valid_from",
        limit,
    )
    items = [
        Item("entry", (e.occurred_on, e.created_at, str(e.pk)), e, e.category, access.basis_of(e))
        for e in entries
    ]
    items += [
        Item(
            "referral",
            (_local_day(r.sent_at), r.sent_at, str(r.pk)),
            r,
            Category.GENERAL,
            "general",
        )
        for r in referrals
    ]
    items += [
        Item("period", (p.started_on, p.created_at, str(p.pk)), p, Category.GENERAL, "general")
        for p in periods
    ]
    items += [
        Item(
            "consent",
            (_local_day(c.valid_from), c.valid_from, str(c.pk)),
            c,
            Category.GENERAL,
            "general",
        )
        for c in consents
    ]
    items.sort(key=lambda item: (item.key[0], item.key[1], uuid.UUID(item.key[2])), reverse=True)
    page = items[:limit]
    return page, (page[-1].key if len(items) > limit else None)

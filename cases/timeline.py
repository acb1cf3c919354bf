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
from consent.categories import Category
from consent.models import Consent

Key = tuple[datetime.date, datetime.datetime, str]

# What a timeline row shows of each source (``reads.timeline_fields``); the rest of the
# columns (authors, time stamps, hashes) cost more to load than the rows' own fields.
SERVICE = ("service__id", "service__kind", "service__name")
ENTRY_COLUMNS = (
    "id",
    "youth_id",
    "occurred_on",
    "created_at",
    "category",
    "kind",
    "text",
    *SERVICE,
)
REFERRAL_COLUMNS = (
    *("id", "youth_id", "sent_at", "state", "message"),
    *("from_service__id", "from_service__kind", "from_service__name"),
    *("to_service__id", "to_service__kind", "to_service__name"),
)
PERIOD_COLUMNS = ("id", "youth_id", "started_on", "created_at", "reason", "end_reason", *SERVICE)
CONSENT_COLUMNS = ("id", "subject_id", "valid_from", "decision", "purpose")


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
        return datetime.date.fromisoformat(day), datetime.datetime.fromisoformat(at), pk
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor(cursor) from exc


def _before(key: Key | None, day: str, at: str) -> Q:
    """Rows strictly before ``key`` in (day, at, id) descending order."""
    if key is None:
        return Q()
    d, t, pk = key
    return (
        Q(**{f"{day}__lt": d})
        | Q(**{day: d, f"{at}__lt": t})
        | Q(**{day: d, at: t, "pk__lt": uuid.UUID(pk)})
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
    following = access.following_services(user, youth.pk)
    entries = _page(
        access.visible(
            user,
            FollowUpEntry.objects.filter(deleted_at__isnull=True),
            one_youth=(youth.pk, following),
        )
        .select_related("service")
        .only(*ENTRY_COLUMNS),
        cursor,
        "occurred_on",
        "created_at",
        limit,
    )
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

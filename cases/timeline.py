"""A youth's merged timeline across services, filtered by the access policy.

Four sources (follow-up entries, referrals, follow-up periods, consents), each read with one
query of at most ``limit + 1`` rows after the cursor, merged in Python: a fixed number of queries
whatever the page. Entries go through the youth's allow-list (``access.allowed_for``), and one a
holder disclosed to the viewer's service carries its legal basis. Who follows and who referred
to whom are general information that every following service sees, except where the service's
involvement is itself confidential (health, child welfare and the like:
``access.involvement_filter``); why a service follows is in its own category. Which consents
exist is general; a referral's message shows only to the two services it is between.
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

from cases import access, refs
from cases.models import (
    SENSITIVE_INVOLVEMENT,
    FollowUpEntry,
    FollowUpPeriod,
    Referral,
    involvement_category,
)
from consent.categories import Category
from consent.models import Consent

Key = tuple[datetime.date, datetime.datetime, str]
Position = tuple[datetime.date, datetime.datetime, uuid.UUID]  # a key as its query reads it

# What a timeline row shows of each source (``selectors.timeline_fields``), read as values;
# the rest of the columns (authors, time stamps, hashes) cost more to load than the rows' own.
ENTRY_VALUES = (
    *("id", "occurred_on", "created_at", "category", "kind", "text"),
    *refs.service_columns(),
)
REFERRAL_VALUES = (
    *("id", "sent_at", "state", "message"),
    *refs.service_columns("from_service"),
    *refs.service_columns("to_service"),
)
PERIOD_VALUES = ("id", "started_on", "created_at", "reason", "end_reason", *refs.service_columns())
CONSENT_VALUES = ("id", "valid_from", "decision", "purpose")


def _entries(allowed: access.Allowed | None, cursor: Key | None, limit: int) -> list[Item]:
    """Up to ``limit + 1`` of the youth's entries after the cursor that the viewer may see,
    newest first, each with what allowed it (none without ``allowed``: no service of the viewer
    follows the youth)."""
    if allowed is None:
        return []
    entries = (
        allowed.filter(FollowUpEntry.objects.filter(deleted_at__isnull=True))
        .filter(_before(_position(cursor), "occurred_on", "created_at"))
        .order_by("-occurred_on", "-created_at", "-pk")
        .values(*ENTRY_VALUES, "access_disclosed")[: limit + 1]
    )
    return [
        Item(
            "entry",
            (e["occurred_on"], e["created_at"], str(e["id"])),
            e,
            e["category"],
            allowed.basis(
                e["service_id"], e["service__kind"], e["category"], e["access_disclosed"]
            ),
        )
        for e in entries
    ]


@dataclass(frozen=True)
class Item:
    """One row of the timeline: its kind, its place (``key``), its source's values (``obj``),
    its category and what allowed it."""

    type: str
    key: Key
    obj: dict[str, Any]
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
    *,
    youth: uuid.UUID,
    after: MomentPosition | None,
    limit: int,
    allowed: access.Allowed | None,
    mine: tuple[uuid.UUID, ...],
) -> QuerySet[Referral, dict[str, Any]]:
    """Referrals the viewer may see: those of the viewer's services, and those between services
    whose involvement the viewer may see (``access.involvement_filter``, both ends)."""
    referrals = Referral.objects.filter(_before_moment(after, "sent_at"), youth_id=youth)
    shown = access.involvement_q(allowed, "from_service") & access.involvement_q(
        allowed, "to_service"
    )
    return (
        referrals.filter(Q(from_service_id__in=mine) | Q(to_service_id__in=mine) | shown)
        .order_by("-sent_at", "-pk")
        .values(*REFERRAL_VALUES)[: limit + 1]
    )


def _period_page(
    *, youth: uuid.UUID, after: Position | None, limit: int, allowed: access.Allowed | None
) -> QuerySet[FollowUpPeriod, dict[str, Any]]:
    periods = FollowUpPeriod.objects.filter(
        _before(after, "started_on", "created_at"), youth_id=youth
    )
    return (
        access.involvement_filter(allowed, periods)
        .order_by("-started_on", "-created_at", "-pk")
        .values(*PERIOD_VALUES)[: limit + 1]
    )


def _consent_page(
    *, youth: uuid.UUID, after: MomentPosition | None, limit: int
) -> QuerySet[Consent, dict[str, Any]]:
    return (
        Consent.objects.filter(_before_moment(after, "valid_from"), subject_id=youth)
        .order_by("-valid_from", "-pk")
        .values(*CONSENT_VALUES)[: limit + 1]
    )


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _position(key: Key | None) -> Position | None:
    return None if key is None else (key[0], key[1], uuid.UUID(key[2]))


def _referral_item(
    r: dict[str, Any], allowed: access.Allowed | None, mine: tuple[uuid.UUID, ...]
) -> Item:
    """A referral's row: of the category of its confidential end, if any (a referral to a
    health service says the youth has a health matter); its own to the two services in it,
    else allowed as the viewer sees that end."""
    key = (_local_day(r["sent_at"]), r["sent_at"], str(r["id"]))
    ends = [(r[f"{end}_id"], r[f"{end}__kind"]) for end in ("from_service", "to_service")]
    confidential = [(pk, kind) for pk, kind in ends if kind in SENSITIVE_INVOLVEMENT]
    if not confidential:
        return Item("referral", key, r, Category.GENERAL, "general")
    service_id, kind = confidential[0]
    category = involvement_category(kind)
    if any(pk in mine for pk, _kind in ends):
        return Item("referral", key, r, category, "own")
    basis = allowed.basis(service_id, kind, category, None) if allowed else "general"
    return Item("referral", key, r, category, basis)


def _referrals(
    youth: uuid.UUID,
    cursor: Key | None,
    limit: int,
    allowed: access.Allowed | None,
    mine: tuple[uuid.UUID, ...],
) -> list[Item]:
    page = _referral_page(
        youth=youth, after=_moment_position(cursor), limit=limit, allowed=allowed, mine=mine
    )
    return [_referral_item(r, allowed, mine) for r in page]


def _periods(
    youth: uuid.UUID, cursor: Key | None, limit: int, allowed: access.Allowed | None
) -> list[Item]:
    """The periods the viewer may see; why a service follows the youth (the reasons) only where
    the viewer may read the service's own category."""
    items = []
    for p in _period_page(youth=youth, after=_position(cursor), limit=limit, allowed=allowed):
        service_id, kind = p["service_id"], p["service__kind"]
        if not access.reason_shown(allowed, service_id, kind):
            p["reason"] = p["end_reason"] = ""
        category = involvement_category(kind)
        basis = allowed.basis(service_id, kind, category, None) if allowed else "general"
        key = (p["started_on"], p["created_at"], str(p["id"]))
        items.append(Item("period", key, p, category, basis))
    return items


def _consents(youth: uuid.UUID, cursor: Key | None, limit: int) -> list[Item]:
    return [
        Item(
            "consent",
            (_local_day(c["valid_from"]), c["valid_from"], str(c["id"])),
            c,
            Category.GENERAL,
            "general",
        )
        for c in _consent_page(youth=youth, after=_moment_position(cursor), limit=limit)
    ]


def timeline(
    *, viewer: access.Viewer, allowed: access.Allowed, cursor: Key | None, limit: int
) -> tuple[list[Item], Key | None]:
    """One page of the youth's timeline (``allowed.youth_id``) as ``viewer`` may see it
    (``access.allowed_or_404``), newest first, and the cursor of the next page."""
    youth = allowed.youth_id
    items = _entries(allowed, cursor, limit)
    items += _referrals(youth, cursor, limit, allowed, viewer.reach)
    items += _periods(youth, cursor, limit, allowed)
    items += _consents(youth, cursor, limit)
    items.sort(key=lambda item: (item.key[0], item.key[1], uuid.UUID(item.key[2])), reverse=True)
    page = items[:limit]
    return page, (page[-1].key if len(items) > limit else None)

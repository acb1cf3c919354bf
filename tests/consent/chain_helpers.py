"""Access-log rows at fixed times, and the superuser's ways round the log's triggers."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection

from consent import chain
from consent.models import AccessLogEntry, AccessLogSeal
from consent.services import Access, access_log_record

OSLO = ZoneInfo("Europe/Oslo")
SUBJECT = uuid.UUID("5f0c1a8e-0000-4000-8000-000000000001")
PARTY = uuid.UUID("5f0c1a8e-0000-4000-8000-0000000000aa")


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=OSLO
    )


def write(when: datetime.datetime, rows: int = 1, actor: Any = None, **extra: Any) -> list[int]:
    """``rows`` access-log rows written at ``when`` through the service; their ids."""
    before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    values = {
        "subject_id": SUBJECT,
        "granted": True,
        "purpose": "caseload",
        "party_id": PARTY,
        "role": "CASEWORKER",
        "categories": ["GENERAL"],
        "bases": ["own"],
        **extra,
    }
    with time_machine.travel(when, tick=False):
        access_log_record(actor=actor, accesses=[Access(**values) for _ in range(rows)])
    return list(
        AccessLogEntry.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    )


def three_days(actor: Any = None) -> dict[str, list[int]]:
    """Rows on 12, 13 and 14 March 2027 (Europe/Oslo), sealed, each day's digest taken at 00:20
    the day after, as the hourly task takes them."""
    ids = {"2027-03-12": write(at("2027-03-12", 9), 2, actor) + write(at("2027-03-12", 23, 59))}
    ids["2027-03-13"] = write(at("2027-03-13", 0, 1), 1, actor)
    made = chain.digest_days(now=at("2027-03-13", 0, 20))
    ids["2027-03-13"] += write(at("2027-03-13", 14), 3)
    made += chain.digest_days(now=at("2027-03-14", 0, 20))
    ids["2027-03-14"] = write(at("2027-03-14", 10), 2, actor)
    made += chain.digest_days(now=at("2027-03-15", 0, 20))
    assert [d.day.isoformat() for d in made] == list(ids)
    return ids


def as_superuser(*statements: str, params: Sequence[Sequence[Any]] = ()) -> None:
    """Run SQL with the triggers off for this session, as only a superuser may."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for n, statement in enumerate(statements):
                cursor.execute(statement, params[n] if n < len(params) else ())
        finally:
            cursor.execute("SET session_replication_role = origin")


def reseal_from(entry_id: int) -> None:
    """Recompute every link from ``entry_id`` on from the rows as they are now: what someone
    who rewrites history link by link does."""
    previous = (
        AccessLogSeal.objects.filter(entry_id__lt=entry_id)
        .order_by("-entry_id")
        .values_list("entry_id", "hash")
        .first()
    )
    prev_id, prev_hash = (previous[0], bytes(previous[1])) if previous else (None, chain.GENESIS)
    statements, params = [], []
    for row in (
        AccessLogEntry.objects.filter(pk__gte=entry_id).order_by("pk").values_list(*chain.COLUMNS)
    ):
        prev_hash = chain.link_hash(prev_hash, chain.content_digest(row))
        statements.append(
            "UPDATE consent_accesslogseal SET prev_id = %s, hash = %s WHERE entry_id = %s"
        )
        params.append([prev_id, prev_hash, row[0]])
        prev_id = row[0]
    as_superuser(*statements, params=params)

"""Claims on reminders: stamping a batch with one token per recipient, reading one claim's
rows as its digest needs them, and marking them sent.

A sweep claims thousands of rows and delivers hundreds of digests. Building and compiling the
ORM's queries for a digest takes far longer than PostgreSQL takes to run them, and the ORM's
one UPDATE for a batch is a CASE over every recipient for every row, which grows with the
batch (see docs/performance.md). So on PostgreSQL the statements are written out once, with
the models' table names, and run as prepared statements. Other databases (SQLite when running
locally) use the ORM, which is also the reference the tests hold the statements to.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, OuterRef, QuerySet, Subquery, UUIDField, Value, When
from django.db.models.functions import Coalesce

from cases.models import Service
from coordination.models import ComplianceSnapshot, Deadline, DeadlineRule, Reminder, ReminderStatus


@dataclass(frozen=True)
class DueRow:
    """What a digest needs of one claimed reminder: no model instances (a sweep reads tens of
    thousands), and nothing about the youth or the case."""

    id: int
    stage: str
    rule: str | None
    rule_name: str | None
    due_on: datetime.date | None
    snapshot_rule: str | None
    snapshot_day: datetime.date | None
    snapshot_service: uuid.UUID | None
    user_id: int | None
    service_id: uuid.UUID | None
    address: str  # the recipient's: the staff member's, else the service's notification address


DUE_ROW_COLUMNS = (
    *("id", "stage", "deadline__rule__code", "deadline__rule__name", "deadline__due_on"),
    *("snapshot__rule_id", "snapshot__day", "snapshot__service_id", "user_id", "service_id"),
    "address",
)


def _recipient_address() -> Coalesce:
    """Looked up per row by key (a claim's rows share it): joining the user and service tables
    instead let the planner hash whole tables."""
    users = get_user_model().objects.filter(pk=OuterRef("user_id")).values("email")[:1]
    services = Service.objects.filter(pk=OuterRef("service_id")).values("notification_email")[:1]
    return Coalesce(Subquery(users), Subquery(services), Value(""))


def claimed_rows_query(token: uuid.UUID | str) -> QuerySet[Any]:
    """The claim's pending rows in id order, locked (the ORM form)."""
    return (
        Reminder.objects.select_for_update(of=("self",))
        .filter(claim_token=token, status=ReminderStatus.PENDING)
        .annotate(address=_recipient_address())
        .order_by("id")
        .values_list(*DUE_ROW_COLUMNS)
    )


# The same rows as ``claimed_rows_query``, written out (the tests hold the two equal).
SELECT_CLAIMED = """
SELECT r.id, r.stage, d.rule_id, dr.name, d.due_on, s.rule_id, s.day, s.service_id,
       r.user_id, r.service_id,
       COALESCE((SELECT u.email FROM {user} u WHERE u.id = r.user_id),
                (SELECT v.notification_email FROM {service} v WHERE v.id = r.service_id), '')
FROM {reminder} r
LEFT JOIN {deadline} d ON d.id = r.deadline_id
LEFT JOIN {rule} dr ON dr.code = d.rule_id
LEFT JOIN {snapshot} s ON s.id = r.snapshot_id
WHERE r.claim_token = %s AND r.status = 'PENDING'
ORDER BY r.id
FOR UPDATE OF r
"""

STAMP_CLAIMS = """
UPDATE {reminder} r SET claim_token = c.token, claimed_at = %s
FROM unnest(%s::text[], %s::uuid[]) AS c(recipient_key, token)
WHERE r.id = ANY(%s) AND r.recipient_key = c.recipient_key
"""

MARK_SENT = """
UPDATE {reminder} SET status = 'SENT', sent_at = %s, message_id = %s, claim_token = NULL
WHERE id = ANY(%s)
"""


@functools.cache
def _statement(template: str) -> str:
    """The statement with the models' table names."""
    models: dict[str, Any] = {
        "reminder": Reminder,
        "deadline": Deadline,
        "rule": DeadlineRule,
        "snapshot": ComplianceSnapshot,
        "user": get_user_model(),
        "service": Service,
    }
    return template.format(**{name: model._meta.db_table for name, model in models.items()})


def stamp_claims(ids: list[int], tokens: dict[str, uuid.UUID], *, at: datetime.datetime) -> None:
    """Claim the rows ``ids`` (locked by the caller): each gets its recipient's token."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_statement(STAMP_CLAIMS), [at, list(tokens), list(tokens.values()), ids])
        return
    Reminder.objects.filter(pk__in=ids).update(
        claim_token=Case(
            *(When(recipient_key=key, then=Value(token)) for key, token in tokens.items()),
            output_field=UUIDField(),
        ),
        claimed_at=at,
    )


def claimed_rows(token: uuid.UUID | str) -> list[DueRow]:
    """The claim's pending rows, locked until the transaction ends (call inside one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_statement(SELECT_CLAIMED), [uuid.UUID(str(token))])
            return [DueRow(*row) for row in cursor.fetchall()]
    return [DueRow(*values) for values in claimed_rows_query(token)]


def mark_sent(ids: list[int], *, at: datetime.datetime, message_id: str) -> None:
    """Sent: with the digest's Message-ID (which carries the token); the rows give the token up,
    out of the claims' index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_statement(MARK_SENT), [at, message_id, ids])
        return
    Reminder.objects.filter(pk__in=ids).update(
        status=ReminderStatus.SENT, sent_at=at, message_id=message_id, claim_token=None
    )

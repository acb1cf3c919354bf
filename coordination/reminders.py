"""Delivering reminders: claim due rows, send one digest per recipient, mark them sent.

The database is the truth. ``claim_due`` takes pending, due rows with ``SKIP LOCKED`` (two beats
never claim the same row) and stamps them with one token per recipient; ``deliver`` locks that
token's rows, sends one e-mail and marks them sent in the same transaction (a redelivered task
finds nothing left to send). A claim older than ``REMINDER_CLAIM_LEASE_SECONDS`` is taken over by
the next sweep, so a lost task or a broker outage delays reminders and never loses them.

E-mails carry no names, identity numbers or case content: counts, kinds, due days and links.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Case, F, Min, Q, UUIDField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.models import Service
from coordination.models import Reminder, ReminderStage, ReminderStatus


@dataclass(frozen=True)
class Claim:
    token: uuid.UUID
    recipient_key: str
    count: int


def _due(now: datetime.datetime) -> Any:
    lease = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
    return Reminder.objects.filter(status=ReminderStatus.PENDING, send_after__lte=now).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease)
    )


@transaction.atomic
def claim_due(*, now: datetime.datetime | None = None, limit: int | None = None) -> list[Claim]:
    """Claim up to ``limit`` due reminders, one token per recipient."""
    now = now or timezone.now()
    limit = limit or settings.REMINDER_BATCH_SIZE
    rows = list(
        _due(now)
        .select_for_update(skip_locked=True)
        .order_by("send_after", "id")
        .values_list("id", "recipient_key")[:limit]
    )
    if not rows:
        return []
    counts = Counter(key for _, key in rows)
    tokens = {key: uuid.uuid4() for key in counts}
    # One UPDATE for the whole batch (a sweep claims thousands of rows for hundreds of people).
    Reminder.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        claim_token=Case(
            *(When(recipient_key=key, then=Value(token)) for key, token in tokens.items()),
            output_field=UUIDField(),
        ),
        claimed_at=now,
    )
    return [Claim(tokens[key], key, count) for key, count in counts.items()]


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


DUE_ROW_COLUMNS = (
    *("id", "stage", "deadline__rule__code", "deadline__rule__name", "deadline__due_on"),
    *("snapshot__rule_id", "snapshot__day", "snapshot__service_id", "user_id", "service_id"),
)


def recipient_address(row: DueRow) -> str:
    """The claim's one address (a claim is one recipient's), looked up by key: joining the user
    and service tables into the rows' query let the planner hash whole tables (issue 7)."""
    if row.user_id is not None:
        users = get_user_model().objects.filter(pk=row.user_id)
        return str(users.values_list("email", flat=True).first() or "")
    if row.service_id is not None:
        services = Service.objects.filter(pk=row.service_id)
        return str(services.values_list("notification_email", flat=True).first() or "")
    return ""


# What each stage says before the due day, in Norwegian and in English.
_STAGE_WORDS = {
    ReminderStage.BEFORE: ("frist", "due"),
    ReminderStage.DUE: ("frist i dag", "due today"),
    ReminderStage.ESCALATION: ("oversittet, frist var", "overdue, was due"),
    ReminderStage.COMPLIANCE: ("måltall per", "compliance figure of"),
}


@dataclass(frozen=True)
class DigestLine:
    """One line of a digest: a kind of deadline, a stage and a due day, with how many. The
    words and dates are formatted here once, so the templates only place them."""

    rule: str
    rule_name: str
    stage: str
    due_on: datetime.date | None
    count: int
    link: str

    @property
    def overdue(self) -> bool:
        return self.stage == ReminderStage.ESCALATION

    @property
    def when_nb(self) -> str:
        return f"{_STAGE_WORDS[ReminderStage(self.stage)][0]} {_day(self.due_on, '%d.%m.%Y')}"

    @property
    def when_en(self) -> str:
        return f"{_STAGE_WORDS[ReminderStage(self.stage)][1]} {_day(self.due_on, '%Y-%m-%d')}"


def _day(day: datetime.date | None, pattern: str) -> str:
    return day.strftime(pattern) if day is not None else ""


def digest_lines(rows: list[DueRow]) -> list[DigestLine]:
    counts: Counter[tuple[str, str, str, datetime.date | None, str]] = Counter()
    base = settings.SITE_URL.rstrip("/")
    for r in rows:
        if r.rule is not None:
            counts[(r.rule, r.rule_name or r.rule, r.stage, r.due_on, f"{base}/day/")] += 1
        elif r.snapshot_rule is not None:
            link = f"{base}/reports/youth-guarantee/?service={r.snapshot_service}"
            counts[(r.snapshot_rule, r.snapshot_rule, r.stage, r.snapshot_day, link)] += 1
    return [
        DigestLine(rule, name, stage, due, count, link)
        for (rule, name, stage, due, link), count in sorted(
            counts.items(), key=lambda kv: (kv[0][3] or datetime.date.min, kv[0][0], kv[0][2])
        )
    ]


def render_digest(rows: list[DueRow], address: str, token: uuid.UUID) -> EmailMultiAlternatives:
    """One e-mail, Norwegian first with English alongside, HTML and plain text."""
    lines = digest_lines(rows)
    context = {
        "lines": lines,
        "total": len(rows),
        "escalations": sum(1 for r in rows if r.stage == ReminderStage.ESCALATION),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override("nb"):
        subject = render_to_string("email/digest_subject.txt", context).strip()
        text = render_to_string("email/digest.txt", context)
        html = render_to_string("email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": f"<digest-{token}@samordna>",
            # Opaque ids only, so a receiving system (and our tests) can detect a duplicate.
            "X-Samordna-Reminders": ",".join(str(r.id) for r in rows),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver(token: uuid.UUID | str, *, now: datetime.datetime | None = None) -> int:
    """Send the claim's reminders as one digest and mark them sent. Returns how many were sent
    (0 when another worker already did). Raises on SMTP errors: the rows stay pending."""
    with transaction.atomic():
        rows = [
            DueRow(*values)
            for values in Reminder.objects.select_for_update(of=("self",))
            .filter(claim_token=token, status=ReminderStatus.PENDING)
            .order_by("id")
            .values_list(*DUE_ROW_COLUMNS)
        ]
        if not rows:
            return 0
        ids = [r.id for r in rows]
        address = recipient_address(rows[0])
        if not address:
            # Nobody to tell: record it, and leave the rows for the health check to report.
            Reminder.objects.filter(pk__in=ids).update(
                last_error="no address", claim_token=None, claimed_at=None
            )
            return 0
        message = render_digest(rows, address, uuid.UUID(str(token)))
        message.send(fail_silently=False)
        Reminder.objects.filter(pk__in=ids).update(
            status=ReminderStatus.SENT,
            sent_at=now or timezone.now(),
            message_id=message.extra_headers["Message-ID"],
        )
        return len(rows)


def record_failure(token: uuid.UUID | str, error: BaseException) -> None:
    Reminder.objects.filter(claim_token=token, status=ReminderStatus.PENDING).update(
        attempts=F("attempts") + 1, last_error=str(error)[:300]
    )


def oldest_unsent_age(now: datetime.datetime | None = None) -> float | None:
    """Seconds since the oldest pending reminder fell due, or None when nothing is waiting."""
    now = now or timezone.now()
    oldest = Reminder.objects.filter(status=ReminderStatus.PENDING, send_after__lte=now).aggregate(
        oldest=Min("send_after")
    )["oldest"]
    return (now - oldest).total_seconds() if oldest else None


def retry_delay(retries: int) -> int:
    """Exponential back-off, capped below the broker's visibility timeout."""
    delay = settings.REMINDER_RETRY_BASE_SECONDS * 2**retries
    return int(min(delay, settings.REMINDER_RETRY_MAX_SECONDS))

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
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
    by_recipient: dict[str, list[int]] = defaultdict(list)
    for pk, key in rows:
        by_recipient[key].append(pk)
    claims = []
    for key, ids in by_recipient.items():
        token = uuid.uuid4()
        Reminder.objects.filter(pk__in=ids).update(claim_token=token, claimed_at=now)
        claims.append(Claim(token, key, len(ids)))
    return claims


def _address(reminder: Reminder) -> str:
    if reminder.user is not None:
        return str(reminder.user.email)
    if reminder.service is not None:
        return str(reminder.service.notification_email)
    return ""


@dataclass(frozen=True)
class DigestLine:
    """One line of a digest: a kind of deadline, a stage and a due day, with how many."""

    rule: str
    rule_name: str
    stage: str
    due_on: datetime.date | None
    count: int
    link: str


def digest_lines(reminders: list[Reminder]) -> list[DigestLine]:
    counts: Counter[tuple[str, str, str, datetime.date | None, str]] = Counter()
    base = settings.SITE_URL.rstrip("/")
    for r in reminders:
        if r.deadline is not None:
            rule = r.deadline.rule
            link = f"{base}/day/"
            counts[(rule.code, rule.name, r.stage, r.deadline.due_on, link)] += 1
        elif r.snapshot is not None:
            link = f"{base}/reports/youth-guarantee/?service={r.snapshot.service_id}"
            counts[(r.snapshot.rule_id, r.snapshot.rule_id, r.stage, r.snapshot.day, link)] += 1
    return [
        DigestLine(rule, name, stage, due, count, link)
        for (rule, name, stage, due, link), count in sorted(
            counts.items(), key=lambda kv: (kv[0][3] or datetime.date.min, kv[0][0], kv[0][2])
        )
    ]


def render_digest(reminders: list[Reminder], token: uuid.UUID) -> EmailMultiAlternatives:
    """One e-mail, Norwegian first with English alongside, HTML and plain text."""
    lines = digest_lines(reminders)
    context = {
        "lines": lines,
        "total": len(reminders),
        "escalations": sum(1 for r in reminders if r.stage == ReminderStage.ESCALATION),
        "site_url": settings.SITE_URL.rstrip("/"),
        "stages": {s.value: s for s in ReminderStage},
    }
    with translation.override("nb"):
        subject = render_to_string("email/digest_subject.txt", context).strip()
        text = render_to_string("email/digest.txt", context)
        html = render_to_string("email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_address(reminders[0])],
        headers={
            "Message-ID": f"<digest-{token}@samordna>",
            # Opaque ids only, so a receiving system (and our tests) can detect a duplicate.
            "X-Samordna-Reminders": ",".join(str(r.pk) for r in reminders),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver(token: uuid.UUID | str, *, now: datetime.datetime | None = None) -> int:
    """Send the claim's reminders as one digest and mark them sent. Returns how many were sent
    (0 when another worker already did). Raises on SMTP errors: the rows stay pending."""
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(of=("self",))
            .filter(claim_token=token, status=ReminderStatus.PENDING)
            .select_related("deadline__rule", "snapshot", "user", "service")
            .order_by("id")
        )
        if not reminders:
            return 0
        address = _address(reminders[0])
        if not address:
            # Nobody to tell: record it, and leave the rows for the health check to report.
            Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
                last_error="no address", claim_token=None, claimed_at=None
            )
            return 0
        message = render_digest(reminders, uuid.UUID(str(token)))
        message.send(fail_silently=False)
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
            status=ReminderStatus.SENT,
            sent_at=now or timezone.now(),
            message_id=message.extra_headers["Message-ID"],
        )
        return len(reminders)


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

"""Delivering reminders: claim due rows, send one digest per recipient, mark them sent.

The database is the truth. ``claim_due`` takes pending, due rows with ``SKIP LOCKED`` (two beats
never claim the same row) and stamps them with one token per recipient; ``deliver`` locks that
token's rows, sends one e-mail and marks them sent in the same transaction (a redelivered task
finds nothing left to send). A claim older than ``REMINDER_CLAIM_LEASE_SECONDS`` is taken over by
the next sweep under its own token, so a lost task or a broker outage delays reminders and never
loses them, and a message sent again after a worker died mid-send carries the same name.

A sweep claims thousands of rows for hundreds of recipients, so each statement stays small and
keeps its shape: a claim is stamped with one UPDATE per recipient (one UPDATE for the batch
would be a CASE over every recipient for every row), and a digest reads its rows as plain
values (no model instances) in one query, its recipient's address in another, and marks them
sent in one UPDATE.

E-mails carry no names, identity numbers or case content: counts, kinds, due days and links.

Notices (stage NOTICE, ``reminders.notices``) go the same way, one claim per recipient and
channel: by e-mail, or by SMS through the gateway (``reminders.sms``). They carry one plain
sentence and a link. None is claimed or sent at night: a claim that reaches a worker then is
moved to the morning. A gateway that refuses a number for good marks the rows FAILED.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.models import Service
from coordination.models import (
    NoticeSettings,
    Reminder,
    ReminderChannel,
    ReminderStage,
    ReminderStatus,
)
from coordination.reminders import notices, sms


@dataclass(frozen=True)
class Claim:
    token: uuid.UUID
    recipient_key: str
    count: int


def _due(now: datetime.datetime) -> Any:
    lease = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
    due = Reminder.objects.filter(status=ReminderStatus.PENDING, send_after__lte=now).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease)
    )
    if notices.is_quiet(now):
        due = due.exclude(stage=ReminderStage.NOTICE)
    return due


@transaction.atomic
def claim_due(*, now: datetime.datetime | None = None, limit: int | None = None) -> list[Claim]:
    """Claim up to ``limit`` due reminders, one token per recipient (and per channel, notices
    apart from digests). The rows are locked with ``SKIP LOCKED`` until the claim commits: rows
    another sweep is claiming are left to it."""
    now = now or timezone.now()
    limit = limit or settings.REMINDER_BATCH_SIZE
    rows = (
        _due(now)
        .select_for_update(skip_locked=True)
        .order_by("send_after", "id")
        .values_list("id", "recipient_key", "channel", "stage", "claim_token")[:limit]
    )
    # A claim past its lease is taken over whole, under its own token: sent again, it is the
    # same message (its Message-ID or reference names the token or the rows), which a receiver
    # that took it before the worker died can recognise.
    by_claim: defaultdict[tuple[Any, ...], list[int]] = defaultdict(list)
    for pk, key, channel, stage, token in rows:
        group = ("taken", token, key) if token else (key, channel, stage == ReminderStage.NOTICE)
        by_claim[group].append(pk)
    claims = []
    for group, ids in by_claim.items():
        token, key = (group[1], group[2]) if group[0] == "taken" else (uuid.uuid4(), group[0])
        Reminder.objects.filter(pk__in=ids).update(claim_token=token, claimed_at=now)
        claims.append(Claim(token, key, len(ids)))
    return claims


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
    channel: str
    notice_about: str
    # The recipient's: the staff member's, else the service's notification address, else (a
    # notice to the youth) the address the youth gave for the channel, if turned on.
    address: str


_DUE_ROW_COLUMNS = (
    *("id", "stage", "deadline__rule__code", "deadline__rule__name", "deadline__due_on"),
    *("snapshot__rule_id", "snapshot__day", "snapshot__service_id", "user_id", "service_id"),
    *("channel", "notice_about"),
)


def recipient_address(*, user_id: int | None, service_id: Any, youth_id: Any, channel: str) -> str:
    """Where a claim goes (its rows share one recipient): the staff member's e-mail, else the
    service's notification address, else (a notice to the youth) the address the youth gave for
    the channel, if turned on, as the youth's settings are now (an address turned off since is
    not used); "" where there is none. One query."""
    if user_id is not None:
        users = get_user_model().objects.filter(pk=user_id)
        return users.values_list("email", flat=True).first() or ""
    if service_id is not None:
        services = Service.objects.filter(pk=service_id)
        return services.values_list("notification_email", flat=True).first() or ""
    notice_settings = NoticeSettings.objects.filter(youth_id=youth_id).first()
    return notice_settings.address(channel) if notice_settings is not None else ""


def claimed_rows(token: uuid.UUID | str) -> list[DueRow]:
    """The claim's pending rows in id order, with their recipient's address, locked until the
    transaction ends (call inside one): a second worker delivering the same claim waits, then
    finds them sent. Two queries: the rows, and the address."""
    found: list[tuple[Any, ...]] = list(
        Reminder.objects.select_for_update(of=("self",))
        .filter(claim_token=token, status=ReminderStatus.PENDING)
        .order_by("id")
        .values_list(*_DUE_ROW_COLUMNS, "youth_id")
    )
    if not found:
        return []
    *columns, youth_id = found[0]
    first = DueRow(*(*columns, ""))
    address = recipient_address(
        user_id=first.user_id,
        service_id=first.service_id,
        youth_id=youth_id,
        channel=first.channel,
    )
    return [DueRow(*(*values[:-1], address)) for values in found]


# What each stage says before the due day, in Norwegian and in English.
_STAGE_WORDS = {
    ReminderStage.BEFORE: ("frist", "due"),
    ReminderStage.DUE: ("frist i dag", "due today"),
    ReminderStage.ESCALATION: ("oversittet, frist var", "overdue, was due"),
    ReminderStage.COMPLIANCE: ("måltall per", "compliance figure of"),
}


class DigestLine(TypedDict):
    """One line of a digest: a kind of deadline, a stage and a due day, with how many. The
    words and dates are formatted once, so the templates only place them. A dict, not an
    object: a template looks each name up as a key first, and that failed lookup (an exception
    per variable) would dominate rendering a digest."""

    rule: str
    rule_name: str
    stage: str
    due_on: datetime.date | None
    count: int
    link: str
    overdue: bool
    when_nb: str
    when_en: str


def _day(day: datetime.date | None, pattern: str) -> str:
    return day.strftime(pattern) if day is not None else ""


def digest_line(
    rule: str, rule_name: str, stage: str, due_on: datetime.date | None, count: int, link: str
) -> DigestLine:
    nb, en = _STAGE_WORDS[ReminderStage(stage)]
    return DigestLine(
        rule=rule,
        rule_name=rule_name,
        stage=stage,
        due_on=due_on,
        count=count,
        link=link,
        overdue=stage == ReminderStage.ESCALATION,
        when_nb=f"{nb} {_day(due_on, '%d.%m.%Y')}",
        when_en=f"{en} {_day(due_on, '%Y-%m-%d')}",
    )


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
        digest_line(rule, name, stage, due, count, link)
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
    return _email(subject, text, html, address, f"<digest-{token}@samordna>", rows)


def _email(
    subject: str, text: str, html: str, address: str, message_id: str, rows: list[DueRow]
) -> EmailMultiAlternatives:
    """One e-mail of plain text and HTML to one address, named by ``message_id`` and carrying
    its rows' ids (opaque ids only, so a receiving system, and our tests, can tell a repeat)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": message_id,
            "X-Samordna-Reminders": ",".join(str(r.id) for r in rows),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notice_text(rows: list[DueRow], *, to_youth: bool) -> tuple[str, str]:
    """The notice's subject and its one sentence, Norwegian with English alongside: what kind
    of news waits, never what it says or from whom."""
    about = {topic for r in rows for topic in r.notice_about.split(",") if topic}
    if about == {notices.PLAN}:
        subject = "Planen din i Samordna er endret" if to_youth else "En plan i Samordna er endret"
        english = "Your plan in Samordna has changed" if to_youth else "A plan in Samordna changed"
    elif notices.PLAN in about:
        subject = "Du har nye meldinger og endringer i planen din i Samordna"
        english = "You have new messages and changes to your plan in Samordna"
    else:
        subject = "Du har en ny melding i Samordna"
        english = "You have a new message in Samordna"
    return subject, english


def _notice_link(to_youth: bool) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}/me/" if to_youth else f"{base}/day/"


def render_notice_email(
    rows: list[DueRow], address: str, token: uuid.UUID
) -> EmailMultiAlternatives:
    to_youth = rows[0].user_id is None
    subject, english = notice_text(rows, to_youth=to_youth)
    link = _notice_link(to_youth)
    context = {"subject": subject, "english": english, "link": link}
    with translation.override("nb"):
        text = render_to_string("email/notice.txt", context)
        html = render_to_string("email/notice.html", context)
    return _email(subject, text, html, address, f"<notice-{token}@samordna>", rows)


def sms_text(rows: list[DueRow]) -> str:
    to_youth = rows[0].user_id is None
    subject, _english = notice_text(rows, to_youth=to_youth)
    return f"{subject}. Logg inn for å lese: {_notice_link(to_youth)}"


def _send_notice(rows: list[DueRow], address: str, token: uuid.UUID) -> str:
    """Send one notice; returns the message id to record."""
    if rows[0].channel == ReminderChannel.SMS:
        # The reference names the rows: a gateway (and our tests) can tell a repeat.
        reference = "r" + "-".join(str(r.id) for r in rows)
        return sms.gateway().send(to=address, text=sms_text(rows), reference=reference)[:200]
    message = render_notice_email(rows, address, token)
    message.send(fail_silently=False)
    return str(message.extra_headers["Message-ID"])


def _deliver_notice(rows: list[DueRow], token: uuid.UUID, now: datetime.datetime) -> int:
    ids = [r.id for r in rows]
    notice = Reminder.objects.filter(pk__in=ids)
    if notices.is_quiet(now):
        # Claimed in the evening, reached a worker at night: to the morning, unclaimed.
        notice.update(send_after=notices.after_quiet_hours(now), claim_token=None, claimed_at=None)
        return 0
    address = rows[0].address
    if not address:
        # The youth turned the channel off, or the staff member has no e-mail: nobody to tell.
        notice.update(status=ReminderStatus.CANCELLED, last_error="no address", claim_token=None)
        return 0
    try:
        message_id = _send_notice(rows, address, token)
    except sms.SmsRejected as error:
        notice.update(
            status=ReminderStatus.FAILED,
            attempts=F("attempts") + 1,
            last_error=str(error)[:300],
            claim_token=None,
        )
        return 0
    notice.update(status=ReminderStatus.SENT, sent_at=now, message_id=message_id, claim_token=None)
    return len(rows)


def deliver(token: uuid.UUID | str, *, now: datetime.datetime | None = None) -> int:
    """Send the claim's reminders as one digest (or one notice) and mark them sent. Returns how
    many were sent (0 when another worker already did). Raises on SMTP errors and on an SMS
    gateway out of reach (``sms.SmsUnavailable``, an ``OSError``): the rows stay pending."""
    with transaction.atomic():
        rows = claimed_rows(token)
        if not rows:
            return 0
        if rows[0].stage == ReminderStage.NOTICE:
            return _deliver_notice(rows, uuid.UUID(str(token)), now or timezone.now())
        ids = [r.id for r in rows]
        address = rows[0].address
        if not address:
            # Nobody to tell: record it, and leave the rows for the health check to report.
            Reminder.objects.filter(pk__in=ids).update(
                last_error="no address", claim_token=None, claimed_at=None
            )
            return 0
        message = render_digest(rows, address, uuid.UUID(str(token)))
        message.send(fail_silently=False)
        # Sent, with the digest's Message-ID (which carries the token); the rows give the token
        # up, out of the claims' index.
        Reminder.objects.filter(pk__in=ids).update(
            status=ReminderStatus.SENT,
            sent_at=now or timezone.now(),
            message_id=message.extra_headers["Message-ID"],
            claim_token=None,
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

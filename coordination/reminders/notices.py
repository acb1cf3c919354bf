"""Notices without content: "Du har en ny melding i Samordna", by e-mail and SMS.

A new message in a thread, or a change to the youth's plan (an activity in NAV's activity plan
added or changed, a new version of the individual plan), is recorded by the writing service as
a ``cases.FactChange`` row in its own transaction (``message.posted``, ``activity.added``,
``activity.changed``, ``plan.changed``). The ledger reads those rows (``deadlines.ledger``) and
hands them to ``plan_notices``, which writes ``Reminder`` rows of stage NOTICE: the same rows,
claims and delivery as the deadline reminders (``reminders.delivery``).

Who is told:
- a message in a thread with the youth, written by staff: the youth; written by the youth: the
  contact persons of the thread's service (the staff responsible for its open follow-up periods
  with the youth);
- a message in a thread between services: the staff who started it or wrote in it, but not the
  writer;
- a change to the plan: the youth.
Guardians are not told: a notice is the youth's, to the address the youth gave. The youth is
told only on a channel they turned on, to the address they gave (``NoticeSettings``); staff by
e-mail to their user's address, at once or with their daily digest (``ReminderPreference``).

Batching: at most one notice per recipient and channel per ``NOTICE_BATCH_MINUTES``. News while
a notice is pending folds into it; the next one goes no sooner than that many minutes after the
last one sent. None goes between ``NOTICE_QUIET_FROM`` and ``NOTICE_QUIET_UNTIL`` o'clock
(Europe/Oslo): one due then goes at ``NOTICE_QUIET_UNTIL``.

A notice says only that something new waits, with a link to the log-in page: never the text,
a service's name (a child-welfare or health service's name is itself sensitive) or anything that
identifies the youth.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from cases import access
from cases.models import FollowUpPeriod, Message, Thread, ThreadKind
from cases.selectors.dialogue import visible_threads
from coordination.deadlines.rules import local_day
from coordination.models import (
    DigestMode,
    NoticeSettings,
    Reminder,
    ReminderChannel,
    ReminderPreference,
    ReminderStage,
    ReminderStatus,
)

MESSAGE = "message"
PLAN = "plan"

# The facts that give a notice, and what the notice is about.
NOTICE_FACTS = {
    "message.posted": MESSAGE,
    "activity.added": PLAN,
    "activity.changed": PLAN,
    "plan.changed": PLAN,
}


# --- Quiet hours ------------------------------------------------------------------------------


def _at_hour(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def is_quiet(at: datetime.datetime) -> bool:
    """Whether ``at`` falls in the night (Europe/Oslo), when no notice is sent."""
    hour = timezone.localtime(at).hour
    return hour >= settings.NOTICE_QUIET_FROM or hour < settings.NOTICE_QUIET_UNTIL


def after_quiet_hours(at: datetime.datetime) -> datetime.datetime:
    """``at``, or the end of the night it falls in (``NOTICE_QUIET_UNTIL`` o'clock that morning,
    Oslo time, whatever the offset that day)."""
    if not is_quiet(at):
        return at
    local = timezone.localtime(at)
    day = local.date()
    if local.hour >= settings.NOTICE_QUIET_FROM:
        day += datetime.timedelta(days=1)
    return _at_hour(day, settings.NOTICE_QUIET_UNTIL)


def notice_time(
    now: datetime.datetime,
    last_sent: datetime.datetime | None,
    mode: str = DigestMode.IMMEDIATE,
) -> datetime.datetime:
    """When a new notice may go: now, but no sooner than a batch's minutes after the last one
    sent, at the daily digest hour for a staff member who chose a daily digest, and never at
    night."""
    at = now
    if last_sent is not None:
        at = max(at, last_sent + datetime.timedelta(minutes=settings.NOTICE_BATCH_MINUTES))
    if mode == DigestMode.DAILY:
        digest = _at_hour(local_day(at), settings.REMINDER_SEND_HOUR)
        if digest < at:
            digest = _at_hour(
                local_day(at) + datetime.timedelta(days=1), settings.REMINDER_SEND_HOUR
            )
        at = digest
    return after_quiet_hours(at)


# --- Norwegian mobile numbers -----------------------------------------------------------------

_MOBILE = re.compile(r"^(?:\+47|0047)?([49]\d{7})$")


def norwegian_mobile(value: str) -> str | None:
    """The number as ``+47XXXXXXXX`` when it is a Norwegian mobile number (eight digits starting
    with 4 or 9, with or without +47/0047, spaces and dashes allowed), else None."""
    match = _MOBILE.match(re.sub(r"[\s\-.]", "", value or ""))
    return f"+47{match.group(1)}" if match else None


# --- Planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str  # "youth:<pk>" or "user:<pk>"
    channel: str
    youth_id: Any  # the youth the news is about
    user_id: Any  # the staff member told, or None for the youth


# The recipients to tell, by (key, channel), with what about.
Wanted = dict[tuple[str, str], tuple[Recipient, set[str]]]


def _youth_recipients(youth_ids: set[Any]) -> dict[Any, list[Recipient]]:
    """The channels each youth turned on and gave an address for. One query."""
    found: dict[Any, list[Recipient]] = {}
    for row in NoticeSettings.objects.filter(youth_id__in=list(youth_ids)):
        for channel in ReminderChannel.values:
            if row.address(channel):
                found.setdefault(row.youth_id, []).append(
                    Recipient(f"youth:{row.youth_id}", channel, row.youth_id, None)
                )
    return found


def _message_recipients(message_ids: set[str]) -> list[tuple[Any, Any | None, str]]:
    """(youth, user or None for the youth, topic) for each message, staff only for a thread
    they may read now: three queries, and the gate's for the staff told (``_readable_threads``)."""
    messages = list(
        Message.objects.filter(pk__in=list(message_ids)).values_list(
            "thread_id",
            "thread__kind",
            "thread__youth_id",
            "thread__service_id",
            "thread__started_by_id",
            "author_id",
            "by_youth",
        )
    )
    staff_threads = {m[0] for m in messages if m[1] == ThreadKind.STAFF}
    writers: dict[Any, set[Any]] = {}
    for thread_id, author_id in (
        Message.objects.filter(thread_id__in=staff_threads)
        .values_list("thread_id", "author_id")
        .distinct()
        if staff_threads
        else []
    ):
        writers.setdefault(thread_id, set()).add(author_id)
    asked = {(m[2], m[3]) for m in messages if m[1] == ThreadKind.YOUTH and m[6]}
    contacts: dict[tuple[Any, Any], set[Any]] = {}
    if asked:
        for youth_id, service_id, user_id in FollowUpPeriod.objects.filter(
            youth_id__in={y for y, _s in asked},
            service_id__in={s for _y, s in asked},
            ended_on__isnull=True,
            responsible__isnull=False,
        ).values_list("youth_id", "service_id", "responsible_id"):
            contacts.setdefault((youth_id, service_id), set()).add(user_id)
    wanted: list[tuple[Any, Any, set[Any]]] = []
    for thread_id, kind, youth_id, service_id, started_by, author, by_youth in messages:
        if kind == ThreadKind.YOUTH:
            users = contacts.get((youth_id, service_id), set()) if by_youth else {None}
        else:
            users = (writers.get(thread_id, set()) | {started_by}) - {author}
        wanted.append((thread_id, youth_id, users))
    threads_of: dict[Any, set[Any]] = {}
    for thread_id, _youth_id, users in wanted:
        for user in users - {None}:
            threads_of.setdefault(user, set()).add(thread_id)
    readable = _readable_threads(threads_of)
    return [
        (youth_id, user, MESSAGE)
        for thread_id, youth_id, users in wanted
        for user in users
        if user is None or thread_id in readable.get(user, set())
    ]


def _readable_threads(threads_of: dict[Any, set[Any]]) -> dict[Any, set[Any]]:
    """Of each staff member's threads (``threads_of``), those the gate lets them read now
    (``visible_threads``): nobody is told of a thread they may not open (a consent withdrawn
    since they wrote, a membership ended). One query for the users, and two per user (their
    memberships, their threads)."""
    readable: dict[Any, set[Any]] = {}
    for user in get_user_model().objects.filter(pk__in=list(threads_of), is_active=True):
        threads = Thread.objects.filter(pk__in=threads_of[user.pk])
        viewer = access.viewer_for(user)
        readable[user.pk] = set(visible_threads(viewer, threads).values_list("pk", flat=True))
    return readable


def plan_notices(changes: Iterable[tuple[Any, str, str]], *, now: datetime.datetime) -> int:
    """Write the notices that the changes ``(youth id, fact, ref)`` give, in the caller's
    transaction: a new pending row per recipient and channel, or the news folded into the one
    pending. Returns how many rows it created."""
    wanted: Wanted = {}
    told: list[tuple[Any, Any | None, str]] = []
    message_ids = set()
    for youth_id, fact, ref in changes:
        topic = NOTICE_FACTS.get(fact)
        if topic == MESSAGE and ref:
            message_ids.add(ref)
        elif topic == PLAN:
            told.append((youth_id, None, PLAN))
    if message_ids:
        told.extend(_message_recipients(message_ids))
    if not told:
        return 0
    youths = _youth_recipients({y for y, user, _t in told if user is None})
    staff = {user for _y, user, _t in told if user is not None}
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=staff, is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
        if staff
        else []
    )
    for youth_id, user, topic in told:
        if user is None:
            recipients = youths.get(youth_id, [])
        elif user in emails:
            recipients = [Recipient(f"user:{user}", ReminderChannel.EMAIL, youth_id, user)]
        else:
            recipients = []
        for r in recipients:
            wanted.setdefault((r.key, r.channel), (r, set()))[1].add(topic)
    if not wanted:
        return 0
    return _write(wanted, now)


def _write(wanted: Wanted, now: datetime.datetime) -> int:
    keys = {key for key, _c in wanted}
    notices = Reminder.objects.filter(stage=ReminderStage.NOTICE, recipient_key__in=keys)
    # The pending ones, locked: one a worker is sending is waited for and then not folded into
    # (it is sent), so the news gets a notice of its own.
    pending = {
        (r.recipient_key, r.channel): r
        for r in notices.filter(status=ReminderStatus.PENDING).select_for_update().order_by("id")
    }
    last_sent = {
        (key, channel): last
        for key, channel, last in notices.filter(status=ReminderStatus.SENT)
        .values("recipient_key", "channel")
        .annotate(last=Max("sent_at"))
        .values_list("recipient_key", "channel", "last")
    }
    users = {r.user_id for r, _t in wanted.values() if r.user_id is not None}
    modes = dict(
        ReminderPreference.objects.filter(user_id__in=users).values_list("user_id", "mode")
        if users
        else []
    )
    to_create: list[Reminder] = []
    to_update: list[Reminder] = []
    for (key, channel), (r, topics) in sorted(wanted.items()):
        found = pending.get((key, channel))
        if found is not None:
            about = ",".join(sorted(set(found.notice_about.split(",")) - {""} | topics))
            if about != found.notice_about:
                found.notice_about = about
                to_update.append(found)
            continue
        to_create.append(
            Reminder(
                stage=ReminderStage.NOTICE,
                channel=channel,
                recipient_key=key,
                youth_id=r.youth_id,
                user_id=r.user_id,
                notice_about=",".join(sorted(topics)),
                send_after=notice_time(
                    now,
                    last_sent.get((key, channel)),
                    modes.get(r.user_id, DigestMode.IMMEDIATE),
                ),
                created_at=now,
            )
        )
    # A row another transaction inserted meanwhile already tells the recipient: ours is dropped.
    created = Reminder.objects.bulk_create(to_create, ignore_conflicts=True)
    Reminder.objects.bulk_update(to_update, ["notice_about"])
    return len(created)

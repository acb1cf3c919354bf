"""Planning reminders for deadlines: which stages go to whom and when (before, on and after the
due day, to the responsible person, the service or its managers), kept in line as deadlines,
responsibles and digest choices change. The ledger calls ``plan_reminders`` for the deadlines it
touched; ``delivery`` sends what is due."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.dates import shift
from cases.models import StaffMembership, StaffRole
from coordination.deadlines.rules import local_day
from coordination.models import (
    Deadline,
    DigestMode,
    Reminder,
    ReminderPreference,
    ReminderStage,
    ReminderStatus,
)


def _at_send_hour(day: datetime.date) -> datetime.datetime:
    """``REMINDER_SEND_HOUR`` o'clock on ``day`` in Europe/Oslo (DST-safe)."""
    naive = datetime.datetime.combine(day, datetime.time(settings.REMINDER_SEND_HOUR))
    return timezone.make_aware(naive)


def send_after(stage_day: datetime.date, mode: str, now: datetime.datetime) -> datetime.datetime:
    """When a reminder for ``stage_day`` may go: at the send hour that day; if that has passed,
    at once (immediate) or at the next daily digest."""
    base = _at_send_hour(stage_day)
    if base >= now:
        return base
    if mode != DigestMode.DAILY:
        return now
    next_digest = _at_send_hour(local_day(now))
    if next_digest <= now:
        next_digest = _at_send_hour(local_day(now) + datetime.timedelta(days=1))
    return next_digest


@dataclass(frozen=True)
class Planned:
    stage: str
    days: int
    recipient_key: str
    user_id: Any
    service_id: Any
    day: datetime.date


Recipient = tuple[str, Any, Any]  # (recipient key, user id, service id)


def user_recipient(user_id: Any) -> Recipient:
    return (f"user:{user_id}", user_id, None)


def service_recipient(service_id: Any) -> Recipient:
    """The service's notification address, when no person is named."""
    return (f"service:{service_id}", None, service_id)


def managers_of(service_ids: Iterable[Any]) -> dict[Any, list[Any]]:
    """Active managers' user ids by service: one query."""
    managers: dict[Any, list[Any]] = {}
    for service_id, user_id in StaffMembership.objects.filter(
        service_id__in=list(service_ids), role=StaffRole.MANAGER, ended_at__isnull=True
    ).values_list("service_id", "user_id"):
        managers.setdefault(service_id, []).append(user_id)
    return managers


def managers_or_service(service_id: Any, managers: dict[Any, list[Any]]) -> list[Recipient]:
    return [user_recipient(m) for m in managers.get(service_id, [])] or [
        service_recipient(service_id)
    ]


def _stages(deadline: Deadline, managers: dict[Any, list[Any]]) -> list[Planned]:
    """Before (7 and 1 days), on the day, and escalation to the managers when overdue. A stage
    whose day is past either end of the calendar does not exist (a due day of 31 December 9999
    has no escalation), so no stored date makes planning fail."""
    bosses = managers_or_service(deadline.service_id, managers)
    if deadline.to_managers:
        main = bosses
    elif deadline.staff_id:
        main = [user_recipient(deadline.staff_id)]
    else:
        main = [service_recipient(deadline.service_id)]
    due = deadline.due_on
    plan = [
        (ReminderStage.BEFORE, -days, main)
        for days in sorted(settings.REMINDER_BEFORE_DAYS, reverse=True)
    ]
    plan.append((ReminderStage.DUE, 0, main))
    plan.append((ReminderStage.ESCALATION, settings.REMINDER_ESCALATION_DAYS, bosses))
    return [
        Planned(stage, days, key, user_id, service_id, day)
        for stage, days, recipients in plan
        if (day := shift(due, days)) is not None
        for key, user_id, service_id in recipients
    ]


def plan_reminders(deadlines: Iterable[Deadline], *, now: datetime.datetime) -> None:
    """Create the reminders live deadlines need and cancel the pending ones no longer needed.

    Stages whose day has passed are not sent late, except the latest of them (one catch-up), so a
    deadline recorded late still reaches someone. Sent reminders are never touched.
    """
    deadlines = list(deadlines)
    if not deadlines:
        return
    today = local_day(now)
    managers = managers_of({d.service_id for d in deadlines})
    # Locked, in id order as ``deliver`` locks a claim's rows: a row a worker is sending is
    # waited for and then read as SENT, never written back over (two lockers, one order: no
    # deadlock).
    existing: dict[tuple[Any, str, int, str], Reminder] = {
        (r.deadline_id, r.stage, r.days, r.recipient_key): r
        for r in Reminder.objects.filter(deadline__in=deadlines).select_for_update().order_by("id")
    }
    wanted: dict[tuple[Any, str, int, str], Planned] = {}
    for deadline in deadlines:
        if not deadline.is_live:
            continue
        stages = _stages(deadline, managers)
        # The latest stage on or before today (today's own, or one catch-up for the past).
        latest = max((p.day for p in stages if p.day <= today), default=None)
        for p in stages:
            key = (deadline.pk, p.stage, p.days, p.recipient_key)
            if p.day >= today or p.day == latest or key in existing:
                wanted[key] = p
    users = {p.user_id for p in wanted.values() if p.user_id}
    modes = dict(
        ReminderPreference.objects.filter(user_id__in=users).values_list("user_id", "mode")
    )
    to_create: list[Reminder] = []
    to_update: list[Reminder] = []
    to_cancel: list[Reminder] = []
    for key, reminder in existing.items():
        if reminder.status == ReminderStatus.PENDING and key not in wanted:
            reminder.status = ReminderStatus.CANCELLED
            to_cancel.append(reminder)
    for key, p in wanted.items():
        at = send_after(p.day, modes.get(p.user_id, DigestMode.IMMEDIATE), now)
        found = existing.get(key)
        if found is None:
            to_create.append(
                Reminder(
                    deadline_id=key[0],
                    stage=p.stage,
                    days=p.days,
                    recipient_key=p.recipient_key,
                    user_id=p.user_id,
                    service_id=p.service_id,
                    send_after=at,
                    created_at=now,
                )
            )
        elif found.status != ReminderStatus.SENT and (
            found.status == ReminderStatus.CANCELLED or _moved(found, p, now)
        ):
            found.status = ReminderStatus.PENDING
            found.send_after = at
            # A revived row starts unclaimed: an old claim's lease must not hold it back.
            found.claim_token = found.claimed_at = None
            to_update.append(found)
    Reminder.objects.bulk_create(to_create)
    Reminder.objects.bulk_update(to_update, ["status", "send_after", "claim_token", "claimed_at"])
    Reminder.objects.bulk_update(to_cancel, ["status"])


def _moved(reminder: Reminder, planned: Planned, now: datetime.datetime) -> bool:
    """The deadline's due day moved: a pending reminder follows it."""
    return local_day(reminder.send_after) != planned.day and reminder.send_after > now


@transaction.atomic
def replan_for_user(user: Any, *, now: datetime.datetime | None = None) -> int:
    """After a staff member changes their digest choice, move their pending reminders (locked
    in id order, like ``plan_reminders``: one a worker is sending is skipped once sent)."""
    now = now or timezone.now()
    mode = getattr(
        ReminderPreference.objects.filter(user=user).first(), "mode", DigestMode.IMMEDIATE
    )
    pending = list(
        Reminder.objects.filter(user=user, status=ReminderStatus.PENDING)
        .select_related("deadline")
        .select_for_update(of=("self",))
        .order_by("id")
    )
    for reminder in pending:
        if reminder.deadline is None:
            continue
        day = shift(reminder.deadline.due_on, reminder.days)
        if day is None:  # the due day moved to the calendar's edge: the next sync cancels it
            continue
        reminder.send_after = send_after(day, mode, now)
    Reminder.objects.bulk_update(pending, ["send_after"])
    return len(pending)

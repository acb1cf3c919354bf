"""Deadline reads that write the access log: one place for the API, the pages and the admin."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases import access
from coordination.models import Deadline, DeadlineStatus, SubjectType

STATE_LIVE, STATE_OPEN, STATE_DUE_SOON, STATE_OVERDUE, STATE_ALL = (
    "live",
    "open",
    "due_soon",
    "overdue",
    "all",
)


def deadlines_for(viewer: access.Viewer) -> QuerySet[Deadline]:
    """Deadlines of the viewer's services for youths they follow, and the answer deadlines of
    referrals in their inbox."""
    inbox = Q(subject_type=SubjectType.REFERRAL, rule_id="REFERRAL-RESPONSE")
    return access.held_by_my_services(viewer, Deadline.objects.all(), also=inbox).select_related(
        "youth", "rule", "service", "staff"
    )


def due_soon_days() -> int:
    """How far ahead a live deadline is "due soon" (from today through today plus this many
    days): the lead of the first reminder, so a deadline is due soon once reminders about it
    have begun. The API's ``state=due_soon`` and the day page both read it here."""
    return max(settings.REMINDER_BEFORE_DAYS, default=7)


def deadline_filter(
    queryset: QuerySet[Deadline], query: dict[str, Any], user: Any
) -> QuerySet[Deadline]:
    today = timezone.localdate()
    if query["scope"] == "mine":
        queryset = queryset.filter(staff=user)
    if "service" in query:
        queryset = queryset.filter(service_id=query["service"])
    if "rule" in query:
        queryset = queryset.filter(rule_id=query["rule"])
    if "youth" in query:
        queryset = queryset.filter(youth_id=query["youth"])
    state = query["state"]
    if state != STATE_ALL:
        queryset = queryset.filter(closed_at__isnull=True).exclude(status=DeadlineStatus.CANCELLED)
    if state == STATE_OPEN:
        queryset = queryset.filter(due_on__gte=today)
    elif state == STATE_DUE_SOON:
        soon = today + datetime.timedelta(days=due_soon_days())
        queryset = queryset.filter(due_on__gte=today, due_on__lte=soon)
    elif state == STATE_OVERDUE:
        queryset = queryset.filter(due_on__lt=today)
    return queryset.order_by("due_on", "created_at")


def log_deadlines(viewer: access.Viewer, purpose: str, deadlines: list[Deadline]) -> None:
    by_youth: dict[Any, list[Deadline]] = {}
    for deadline in deadlines:
        by_youth.setdefault(deadline.youth_id, []).append(deadline)
    access.log_reads(
        viewer,
        purpose,
        [
            access.Read(
                youth_id=youth_id,
                following_service_ids=[d.service_id for d in rows],
                items=[
                    {"type": "deadline", "id": str(d.pk), "category": d.category, "basis": "own"}
                    for d in rows
                ],
            )
            for youth_id, rows in by_youth.items()
        ],
    )

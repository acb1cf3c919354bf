"""Youth-guarantee compliance per NAV office: UG-90 as a figure, UG-PLAN-1M and UG-2023 as
deadlines met and missed (domain.md §5). Aggregates only: no youth is named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases import dates
from cases.models import FollowUpPeriod, Service, ServiceKind
from consent.ages import latest_birth_date
from coordination.deadlines.rules import UG_90, local_day
from coordination.models import (
    ComplianceSnapshot,
    Deadline,
    DeadlineRule,
    DeadlineStatus,
    Reminder,
    ReminderStage,
)
from coordination.reminders import planning

DEADLINE_RULES = ("UG-PLAN-1M", "UG-2023")
# A report's period lies where the periods it counts may lie (API and page alike).
REPORT_DATE_WINDOWS = {"start": dates.PERIOD, "end": dates.PERIOD}


@dataclass(frozen=True)
class Figure:
    group_size: int
    met: int
    target_percent: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.group_size, 1) if self.group_size else None

    @property
    def below_target(self) -> bool:
        return self.group_size > 0 and self.met * 100 < self.target_percent * self.group_size


def ug90(service: Service, *, today: datetime.date | None = None) -> Figure:
    """Of the office's youths under 30 with spesielt tilpasset innsats, how many have an
    approved activity plan right now. One query."""
    rule = DeadlineRule.objects.get(code="UG-90")
    params = {**UG_90, **(rule.parameters or {})}
    today = today or timezone.localdate()
    group = FollowUpPeriod.objects.filter(
        service=service,
        ended_on__isnull=True,
        youth__birth_date__gt=latest_birth_date(today, params["max_age"]),
        youth__nav_decisions__superseded_at__isnull=True,
        youth__nav_decisions__innsatsgruppe__in=params["groups"],
    )
    counts = group.aggregate(
        size=Count("pk", distinct=True),
        met=Count("pk", filter=Q(activity_plan__approved_at__isnull=False), distinct=True),
    )
    return Figure(counts["size"], counts["met"], int(params["target_percent"]))


@transaction.atomic
def snapshot(service: Service, *, now: datetime.datetime | None = None) -> ComplianceSnapshot:
    """Record today's UG-90 figure; below the target, alert the office's managers (once a day)."""
    now = now or timezone.now()
    today = local_day(now)
    figure = ug90(service, today=today)
    row, _ = ComplianceSnapshot.objects.update_or_create(
        rule_id="UG-90",
        service=service,
        day=today,
        defaults={
            "group_size": figure.group_size,
            "met": figure.met,
            "target_percent": figure.target_percent,
            "taken_at": now,
        },
    )
    if figure.below_target:
        recipients = planning.managers_or_service(service.pk, planning.managers_of([service.pk]))
        at = planning.send_after(today, "IMMEDIATE", now)
        Reminder.objects.bulk_create(
            [
                Reminder(
                    snapshot=row,
                    stage=ReminderStage.COMPLIANCE,
                    recipient_key=key,
                    user_id=user_id,
                    service_id=service_id,
                    send_after=at,
                    created_at=now,
                )
                for key, user_id, service_id in recipients
            ],
            ignore_conflicts=True,
        )
    return row


def snapshot_all(*, now: datetime.datetime | None = None) -> dict[str, int]:
    offices = Service.objects.filter(kind=ServiceKind.NAV, is_active=True)
    below = sum(1 for office in offices if snapshot(office, now=now).below_target)
    return {"offices_below_target": below}


@dataclass(frozen=True)
class RuleCounts:
    rule: str
    total: int
    met: int
    missed: int
    open: int
    cancelled: int


def deadline_counts(service: Service, start: datetime.date, end: datetime.date) -> list[RuleCounts]:
    """UG-PLAN-1M and UG-2023 deadlines of the office falling due in [start, end]. One query."""
    rows = (
        Deadline.objects.filter(
            service=service, rule_id__in=DEADLINE_RULES, due_on__gte=start, due_on__lte=end
        )
        .values("rule_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_rule: dict[str, dict[str, int]] = {code: {} for code in DEADLINE_RULES}
    for row in rows:
        by_rule[row["rule_id"]][row["status"]] = row["n"]
    return [
        RuleCounts(
            rule=code,
            total=sum(counts.values()),
            met=counts.get(DeadlineStatus.MET, 0),
            missed=counts.get(DeadlineStatus.MISSED, 0),
            open=counts.get(DeadlineStatus.OPEN, 0),
            cancelled=counts.get(DeadlineStatus.CANCELLED, 0),
        )
        for code, counts in by_rule.items()
    ]


def report(service: Service, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The youth-guarantee report of one NAV office: deadlines in the period, UG-90 now and the
    daily figures in the period. Three queries (plus the rule row)."""
    return {
        "service": service,
        "start": start,
        "end": end,
        "deadlines": deadline_counts(service, start, end),
        "ug90_now": ug90(service),
        "ug90_history": list(
            ComplianceSnapshot.objects.filter(
                rule_id="UG-90", service=service, day__gte=start, day__lte=end
            ).order_by("day")
        ),
    }

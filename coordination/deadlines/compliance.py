"""Youth-guarantee compliance per NAV office: UG-90 as a figure, now and day by day, and
UG-PLAN-1M and UG-2023 as deadlines met and missed (domain.md §5). Aggregates only: no youth is
named here (``figure_youths`` names them for a page that reads them through the access gate)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases import dates
from cases.models import FollowUpPeriod, NavDecision, Service, ServiceKind
from consent.ages import birthday, latest_birth_date
from coordination.deadlines.rules import FULFILMENT, UG_90, local_day
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

    @property
    def not_met(self) -> int:
        return self.group_size - self.met


@dataclass(frozen=True)
class DayFigure(Figure):
    """UG-90 on one day of a report's period."""

    day: datetime.date


def ug90_parameters(rule: DeadlineRule | None = None) -> dict[str, Any]:
    """UG-90's numbers: the law's, as the rule's row adjusts them (one query without the row)."""
    rule = rule or DeadlineRule.objects.get(code="UG-90")
    return {**UG_90, **(rule.parameters or {})}


def ug90_group(
    periods: QuerySet[FollowUpPeriod], params: Mapping[str, Any], today: datetime.date
) -> QuerySet[FollowUpPeriod]:
    """Of ``periods``, the open ones of youths in UG-90's group today: under the age, with a
    current decision in one of the groups."""
    return periods.filter(
        ended_on__isnull=True,
        youth__birth_date__gt=latest_birth_date(today, params["max_age"]),
        youth__nav_decisions__superseded_at__isnull=True,
        youth__nav_decisions__innsatsgruppe__in=params["groups"],
    )


def ug90(
    service: Service,
    *,
    today: datetime.date | None = None,
    params: Mapping[str, Any] | None = None,
) -> Figure:
    """Of the office's youths under 30 with spesielt tilpasset innsats, how many have an
    approved activity plan right now. One query (two without ``params``)."""
    params = params if params is not None else ug90_parameters()
    today = today or timezone.localdate()
    group = ug90_group(FollowUpPeriod.objects.filter(service=service), params, today)
    counts = group.aggregate(
        size=Count("pk", distinct=True),
        met=Count("pk", filter=Q(activity_plan__approved_at__isnull=False), distinct=True),
    )
    return Figure(counts["size"], counts["met"], int(params["target_percent"]))


# --- UG-90 day by day, from the ledger's facts -----------------------------------------------


@dataclass(frozen=True)
class PeriodFacts:
    """What UG-90 reads of one follow-up period at the office: when it ran (``ended_on`` is
    the day it was closed: it no longer counts that day), the youth's birth date and decisions
    (day, innsatsgruppe; in the order the ledger reads them), when the plan was approved."""

    started_on: datetime.date
    ended_on: datetime.date | None
    birth_date: datetime.date
    decisions: Sequence[tuple[datetime.date, str]]
    approved_on: datetime.date | None


def _in_group_spans(
    period: PeriodFacts, params: Mapping[str, Any]
) -> Iterable[tuple[datetime.date, datetime.date | None]]:
    """The spans of days (first, last; None: open-ended) the period is in UG-90's group: open,
    the youth under the age, the decision in force in one of the groups. A decision is in force
    from its day until the next one's day."""
    too_old_on = birthday(period.birth_date, params["max_age"])
    last_day = too_old_on - datetime.timedelta(days=1)
    if period.ended_on is not None:
        last_day = min(last_day, period.ended_on - datetime.timedelta(days=1))
    for index, (decided_on, group) in enumerate(period.decisions):
        if group not in params["groups"]:
            continue
        following = period.decisions[index + 1 : index + 2]
        until = following[0][0] - datetime.timedelta(days=1) if following else None
        first = max(decided_on, period.started_on)
        last = last_day if until is None else min(until, last_day)
        if first <= last:
            yield first, last


def ug90_days(
    periods: Iterable[PeriodFacts],
    params: Mapping[str, Any],
    start: datetime.date,
    end: datetime.date,
) -> list[DayFigure]:
    """UG-90 at the end of each day from ``start`` to ``end``: the periods in the group that
    day, and of them those whose activity plan was approved by then. Linear in the periods and
    the days (a count that goes up where a span begins and down after it ends)."""
    days = (end - start).days + 1
    if days <= 0:
        return []
    size = [0] * (days + 1)
    met = [0] * (days + 1)

    def add(counts: list[int], first: datetime.date, last: datetime.date | None) -> None:
        first = max(first, start)
        last = end if last is None else min(last, end)
        if first <= last:
            counts[(first - start).days] += 1
            counts[(last - start).days + 1] -= 1

    for period in periods:
        for first, last in _in_group_spans(period, params):
            add(size, first, last)
            if period.approved_on is not None:
                add(met, max(first, period.approved_on), last)
    figures = []
    group = approved = 0
    target = int(params["target_percent"])
    for offset in range(days):
        group += size[offset]
        approved += met[offset]
        day = start + datetime.timedelta(days=offset)
        figures.append(DayFigure(group, approved, target, day))
    return figures


def ug90_facts(service: Service, start: datetime.date, end: datetime.date) -> list[PeriodFacts]:
    """The office's periods that ran in [start, end] with what UG-90 reads of them: two
    queries, however long the period and however many youths."""
    periods = list(
        FollowUpPeriod.objects.filter(service=service, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
        .values_list(
            "youth_id", "started_on", "ended_on", "youth__birth_date", "activity_plan__approved_at"
        )
        .order_by()
    )
    decisions: dict[Any, list[tuple[datetime.date, str]]] = {}
    if periods:
        for youth_id, decided_on, group in (
            NavDecision.objects.filter(youth_id__in={row[0] for row in periods})
            .order_by("decided_on", "recorded_at")
            .values_list("youth_id", "decided_on", "innsatsgruppe")
        ):
            decisions.setdefault(youth_id, []).append((decided_on, group))
    return [
        PeriodFacts(
            started_on=started_on,
            ended_on=ended_on,
            birth_date=birth_date,
            decisions=decisions.get(youth_id, []),
            approved_on=local_day(approved_at) if approved_at else None,
        )
        for youth_id, started_on, ended_on, birth_date, approved_at in periods
    ]


def ug90_history(
    service: Service,
    start: datetime.date,
    end: datetime.date,
    *,
    params: Mapping[str, Any] | None = None,
    today: datetime.date | None = None,
) -> list[DayFigure]:
    """UG-90 day by day from ``start`` to ``end`` (not past today), computed from the ledger's
    facts, so an office without nightly figures has its curve too. A day with a nightly figure
    (``ComplianceSnapshot``) before today shows that figure: what the office was measured and
    alerted on. Three queries (four without ``params``)."""
    params = params if params is not None else ug90_parameters()
    today = today or timezone.localdate()
    end = min(end, today)
    computed = ug90_days(ug90_facts(service, start, end), params, start, end)
    measured = {
        s.day: s
        for s in ComplianceSnapshot.objects.filter(
            rule_id="UG-90", service=service, day__gte=start, day__lte=end, day__lt=today
        )
    }
    return [
        DayFigure(m.group_size, m.met, m.target_percent, f.day) if (m := measured.get(f.day)) else f
        for f in computed
    ]


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
    """The youth-guarantee report of one NAV office as the API gives it: deadlines in the
    period, UG-90 now and the nightly figures taken in the period (the page draws the days from
    the ledger: ``ug90_history``). Three queries (plus the rule row)."""
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


# --- The rules in words, and the figures a page opens -----------------------------------------

UG90_STATUSES = ("group", "met", "not_met")
DEADLINE_STATUSES = (DeadlineStatus.MET, DeadlineStatus.MISSED, DeadlineStatus.OPEN)


@dataclass(frozen=True)
class RuleInWords:
    """A rule the report shows, as its row says it (name, what it says, source) and, for a
    deadline rule, what fulfils it (``rules.FULFILMENT``, the words *Min dag* shows)."""

    rule: DeadlineRule
    fulfils: Any


def rules_in_words() -> list[RuleInWords]:
    """UG-90 and the deadline rules of the report, in that order. One query."""
    rows = {r.code: r for r in DeadlineRule.objects.filter(code__in=("UG-90", *DEADLINE_RULES))}
    return [
        RuleInWords(rows[code], FULFILMENT[code].text if code in FULFILMENT else None)
        for code in ("UG-90", *DEADLINE_RULES)
        if code in rows
    ]


def is_figure(rule: str, status: str) -> bool:
    """Whether (``rule``, ``status``) names a figure of the report: UG-90's group, met or not
    met, or a deadline rule's met, missed or open."""
    if rule == "UG-90":
        return status in UG90_STATUSES
    return rule in DEADLINE_RULES and status in DEADLINE_STATUSES


def figure_rows(
    start: datetime.date,
    end: datetime.date,
    deadlines: Sequence[RuleCounts],
    history: Sequence[tuple[datetime.date, Figure]],
) -> list[list[Any]]:
    """The report as rows of cells for a spreadsheet (API and page): the deadline rules' counts
    in the period, then UG-90 day by day."""
    rows: list[list[Any]] = [
        [
            "regel / rule",
            "fra / from",
            "til / to",
            "antall / total",
            "innfridd / met",
            "oversittet / missed",
            "åpne / open",
            "bortfalt / cancelled",
        ],
    ]
    for counts in deadlines:
        rows.append(
            [
                counts.rule,
                start,
                end,
                counts.total,
                counts.met,
                counts.missed,
                counts.open,
                counts.cancelled,
            ]
        )
    rows.append([])
    rows.append(
        [
            "UG-90",
            "dato / day",
            "gruppe / group",
            "med godkjent plan / met",
            "prosent / percent",
            "mål / target",
        ]
    )
    for day, figure in history:
        rows.append(
            ["UG-90", day, figure.group_size, figure.met, figure.percent, figure.target_percent]
        )
    return rows

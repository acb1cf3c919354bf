"""Deadline reads that write the access log: one place for the API, the pages and the admin."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, UUIDField, When
from django.utils import timezone

from cases import access
from cases.models import FollowUpPeriod
from consent.categories import Category
from coordination.deadlines import compliance
from coordination.models import (
    Deadline,
    DeadlineStatus,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    SubjectType,
)

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


def with_plan(queryset: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """Each deadline with ``plan_ref``, the plan its subject belongs to (a plan, a review, a
    measure or a participant of one), else None: in the same query, for the link to the plan."""

    def plan_of(model: Any) -> Subquery:
        return Subquery(model.objects.filter(pk=OuterRef("subject_id")).values("plan_id")[:1])

    return queryset.annotate(
        plan_ref=Case(
            When(subject_type=SubjectType.PLAN, then=F("subject_id")),
            When(subject_type=SubjectType.REVIEW, then=plan_of(PlanReview)),
            When(subject_type=SubjectType.MEASURE, then=plan_of(PlanMeasure)),
            When(subject_type=SubjectType.PARTICIPANT, then=plan_of(PlanParticipant)),
            default=None,
            output_field=UUIDField(),
        )
    )


def live(queryset: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """Deadlines still expected: not closed, not cancelled (the API's every state but ``all``)."""
    return queryset.filter(closed_at__isnull=True).exclude(status=DeadlineStatus.CANCELLED)


def counts_by_staff(queryset: QuerySet[Deadline]) -> list[dict[str, Any]]:
    """The live deadlines of ``queryset`` per responsible staff member (None: nobody named),
    each with how many are overdue and how many due soon (the ``state`` filters' days), in
    one query. Ordered by most overdue first, then by name."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=due_soon_days())
    rows: Any = (
        live(queryset)
        .order_by()
        .values("staff_id", "staff__first_name", "staff__last_name")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
        )
        .filter(Q(overdue__gt=0) | Q(due_soon__gt=0))
        .order_by("-overdue", "-due_soon", "staff__last_name", "staff__first_name")
    )
    return list(rows)


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
        queryset = live(queryset)
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


# --- The youths behind a compliance figure ----------------------------------------------------

COMPLIANCE_PURPOSE = "compliance-youths"


def ug90_youths(
    viewer: access.Viewer,
    office: Any,
    status: str,
    params: Mapping[str, Any],
    today: datetime.date,
) -> list[FollowUpPeriod]:
    """The periods behind UG-90's figure now (``status``: the group, those with an approved
    plan, those without) that the viewer reaches (``access.reaching_periods``: protected
    identities screened as everywhere), with the youth, the contact person, the plan and the
    current decision's id; by name. One query."""
    periods = compliance.ug90_group(
        access.reaching_periods(viewer, Q(service_id=office.pk)), params, today
    )
    if status == "met":
        periods = periods.filter(activity_plan__approved_at__isnull=False)
    elif status == "not_met":
        periods = periods.filter(activity_plan__approved_at__isnull=True)
    return list(
        periods.select_related("youth", "responsible", "activity_plan")
        .annotate(decision_id=F("youth__nav_decisions__id"))
        .order_by("youth__last_name", "youth__first_name", "pk")
    )


def log_ug90_youths(viewer: access.Viewer, purpose: str, periods: list[FollowUpPeriod]) -> None:
    """The youths a UG-90 list names: each seen through the office, with the period and the
    decision the list reveals (the group it puts the youth in)."""
    access.log_reads(
        viewer,
        purpose,
        [
            access.Read(
                youth_id=p.youth_id,
                following_service_ids=[p.service_id],
                items=[
                    {
                        "type": "period",
                        "id": str(p.pk),
                        "category": Category.GENERAL,
                        "basis": "own",
                    },
                    {
                        "type": "decision",
                        "id": str(p.decision_id),  # type: ignore[attr-defined]
                        "category": Category.WORK_AND_WELFARE,
                        "basis": "own",
                    },
                ],
            )
            for p in periods
        ],
    )


def deadline_youths(
    viewer: access.Viewer,
    office: Any,
    rule: str,
    status: str,
    start: datetime.date,
    end: datetime.date,
) -> list[Deadline]:
    """The deadlines behind a rule's figure in the report (``status`` of the rule's deadlines of
    the office falling due in [start, end]) that the viewer may see (``deadlines_for``: youths
    the office follows now, protected identities screened); by youth's name. One query."""
    return list(
        deadlines_for(viewer)
        .filter(
            service_id=office.pk, rule_id=rule, status=status, due_on__gte=start, due_on__lte=end
        )
        .order_by("youth__last_name", "youth__first_name", "due_on", "pk")
    )

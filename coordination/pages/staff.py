"""Staff pages: my day and the youth page. Every read goes through the selectors
(the access policy) and is written to the access log in the read's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.paginator import Page
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import access, consent_texts, selectors, services, timeline
from cases.middleware import viewer_of
from cases.models import AWAITING_ANSWER, Service, StaffRole
from cases.paging import WindowCountPaginator
from cases.services.consents import may_withdraw
from consent.categories import Category
from coordination.deadlines import rules
from coordination.deadlines.selectors import (
    STATE_DUE_SOON,
    STATE_OVERDUE,
    counts_by_staff,
    deadline_filter,
    deadlines_for,
    due_soon_days,
    live,
    log_deadlines,
    with_plan,
)
from coordination.models import OPEN_PLAN_STATUSES
from coordination.pages import worklist
from coordination.pages.base import methods, staff_required
from coordination.pages.forms import WithdrawForm
from coordination.plans import documents
from coordination.plans import selectors as plan_selectors
from coordination.plans import warnings as plan_warnings

DAY_ROWS = 30  # deadlines shown per section of "my day"
DAY_SHORT_ROWS = 20  # referrals and plans shown on "my day"
TIMELINE_PAGE = 30


def my_services(viewer: access.Viewer) -> QuerySet[Service]:
    """The services that give the viewer reach, by name (the pages' choices of service)."""
    return Service.objects.filter(pk__in=viewer.reach).order_by("name")


def managed_services(viewer: access.Viewer) -> list[uuid.UUID]:
    """The active services in which the viewer is a manager (whose deadlines they oversee)."""
    return [
        m.service_id
        for m in viewer.memberships
        if m.role == StaffRole.MANAGER and m.service_is_active and m.service_id in viewer.reach
    ]


@staff_required
@methods("get")
def day(request: HttpRequest) -> HttpResponse:
    """My day as a work list: my live deadlines (overdue, and due soon: the API's
    ``state=overdue`` and ``state=due_soon``) grouped by youth and rule, each rule with what
    fulfils it and a link to where that is done; referrals to my services that wait for an
    answer; messages to my services that wait for an answer (``awaiting_answer``, oldest
    first); the plans I coordinate by next review. A manager also sees the deadlines of the
    services they manage per advisor (counts of every live deadline, and the overdue ones).
    Each list is its own bounded query carrying its true total, so a long list never crowds out
    another and a count never stops at the rows shown."""
    user: Any = request.user
    viewer = viewer_of(request)
    today = timezone.localdate()

    def first(rows: Any, limit: int = DAY_ROWS) -> Page:
        return WindowCountPaginator(rows, limit).page(1)

    def deadlines(scope: str, state: str, queryset: Any = None) -> Page:
        query = {"scope": scope, "state": state}
        rows = deadlines_for(viewer) if queryset is None else queryset
        return first(with_plan(deadline_filter(rows, query, user)))

    with transaction.atomic():
        overdue = deadlines("mine", STATE_OVERDUE)
        due_soon = deadlines("mine", STATE_DUE_SOON)
        log_deadlines(viewer, "day-deadlines", [*overdue, *due_soon])
        referrals = first(
            selectors.referral_list(viewer=viewer, box="inbox", states=AWAITING_ANSWER),
            DAY_SHORT_ROWS,
        )
        access.log_referrals(viewer, "day-referrals", list(referrals))
        waiting = first(selectors.awaiting_answer(viewer), DAY_SHORT_ROWS)
        access.log_reads(viewer, "day-messages", selectors.message_reads(viewer, list(waiting)))
        plans = first(
            plan_selectors.plan_list(viewer=viewer, role="coordinator")
            .filter(status__in=OPEN_PLAN_STATUSES)
            .select_related("consent")
            .order_by("next_review_on", "created_at"),
            DAY_SHORT_ROWS,
        )
        for plan in plans:
            plan.warnings = plan_warnings.plan_warnings(plan, today=today)
        documents.log_plan_reads(viewer, "day-plans", list(plans))
        escalated = advisors = None
        managed = managed_services(viewer)
        if managed:
            theirs = deadlines_for(viewer).filter(service_id__in=managed)
            # Counts only: no youth is shown, so nothing is read into the access log.
            advisors = counts_by_staff(theirs)
            escalated = deadlines("service", STATE_OVERDUE, theirs)
            log_deadlines(viewer, "day-escalated", list(escalated))
    return render(
        request,
        "pages/day.html",
        {
            "today": today,
            "overdue": overdue,
            "due_soon": due_soon,
            "work": worklist.grouped([*overdue, *due_soon], today),
            "due_soon_days": due_soon_days(),
            "referrals": referrals,
            "waiting": waiting,
            "plans": plans,
            "escalated": escalated,
            "escalated_by_advisor": _by_advisor(escalated) if escalated is not None else [],
            "advisors": advisors,
        },
    )


def _by_advisor(rows: Any) -> list[tuple[Any, list[Any]]]:
    """Overdue deadlines per responsible staff member (None: nobody named), in the rows' order."""
    groups: dict[Any, tuple[Any, list[Any]]] = {}
    for deadline in rows:
        deadline.action_url = worklist.action_url(deadline)
        deadline.fulfilment = rules.FULFILMENT.get(deadline.rule_id)
        groups.setdefault(deadline.staff_id, (deadline.staff, []))[1].append(deadline)
    return list(groups.values())


@staff_required
@methods("get")
def youth(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """One youth: follow-up periods, consents, the consent-filtered timeline across services,
    the activity plan and the individual plan, with the actions the user may take."""
    viewer = viewer_of(request)  # the gate, the reads and the access log share it
    cursor = None
    if request.GET.get("cursor"):
        try:
            cursor = timeline.decode_cursor(request.GET["cursor"])
        except timeline.InvalidCursor:
            cursor = None
    # Read before the transaction: a refused attempt's access-log row outlives the 404.
    detail = selectors.youth_detail(viewer=viewer, youth_id=youth_id)
    with transaction.atomic():
        consents = list(
            selectors.consent_list(youth=detail).prefetch_related(
                "scopes__from_party", "scopes__to_party"
            )
        )
        access.log_youth_read(
            viewer,
            "youth-page",
            detail,
            [
                {"type": "consent", "id": str(c.pk), "category": "GENERAL", "basis": "general"}
                for c in consents
            ],
        )
        items, next_key, mine = selectors.timeline_read(
            viewer=viewer,
            allowed=detail.allowed,  # type: ignore[attr-defined]
            purpose="youth-timeline",
            cursor=cursor,
            limit=TIMELINE_PAGE,
        )
        threads = list(selectors.thread_list(viewer=viewer, youth=detail))
        access.log_items(
            viewer,
            "youth-threads",
            detail.pk,
            [item for t in threads for item in selectors.thread_items(t)],
        )
        activity_plan = selectors.activity_plan_list(viewer=viewer, youth_id=detail.pk).first()
        activities = (
            list(selectors.activity_list(viewer=viewer, plan=activity_plan))
            if activity_plan
            else []
        )
        if activity_plan:
            access.log_items(
                viewer,
                "youth-activity-plan",
                detail.pk,
                selectors.activity_plan_items(activity_plan, activities),
            )
        plans = list(plan_selectors.plan_list(viewer=viewer, youth_id=detail.pk))
        documents.log_plan_reads(viewer, "youth-plans", plans)
        youth_deadlines = WindowCountPaginator(
            with_plan(live(deadlines_for(viewer)).filter(youth_id=detail.pk)).order_by(
                "due_on", "created_at"
            ),
            DAY_ROWS,
        ).page(1)
        log_deadlines(viewer, "youth-deadlines", list(youth_deadlines))
    now = timezone.now()
    today = timezone.localdate()
    periods = detail.all_periods  # type: ignore[attr-defined]
    open_periods = [p for p in periods if p.is_open]
    following = {p.service_id for p in open_periods}
    return render(
        request,
        "pages/youth.html",
        {
            "youth": detail,
            "age": detail.age_on(today),
            "open_periods": open_periods,
            "closed_periods": [p for p in periods if not p.is_open],
            "consents": [
                {
                    "consent": c,
                    "active": c.is_active(now),
                    "sentences": consent_texts.flow_sentences(c, now=now),
                    "withdrawable": c.is_active(now) and may_withdraw(viewer, c),
                }
                for c in consents
            ],
            "deadlines": youth_deadlines,
            "deadline_rules": [
                rule for group in worklist.grouped(youth_deadlines, today) for rule in group.rules
            ],
            "today": today,
            "rows": [_row(selectors.timeline_fields(item, mine)) for item in items],
            "next_cursor": timeline.encode_cursor(next_key) if next_key else None,
            "activity_plan": activity_plan,
            "activities": activities,
            "threads": threads,
            "plans": plans,
            "follows": bool(mine & following),
            "may": _may(viewer, activity_plan, open_periods),
            "withdraw_form": WithdrawForm(),
        },
    )


def _may(viewer: access.Viewer, activity_plan: Any, open_periods: list[Any]) -> dict[str, bool]:
    """The activity-plan actions the viewer may take, by the rules the services enforce."""
    following = {p.service_id for p in open_periods}
    planned = {activity_plan.period_id} if activity_plan else set()
    nav_periods = {p.service_id: p for p in open_periods}
    return {
        "create_activity_plan": activity_plan is None
        and any(
            services.may_create_activity_plan(
                viewer,
                service_id=m.service_id,
                service_kind=m.service_kind,
                followed=m.service_id in nav_periods,
                has_plan=m.service_id in nav_periods and nav_periods[m.service_id].pk in planned,
            )
            for m in viewer.memberships
        ),
        "approve_activity_plan": activity_plan is not None
        and services.may_approve_activity_plan(viewer, activity_plan.period.service_id),
        "add_activity": activity_plan is not None
        and services.may_add_activity(viewer, activity_plan.period.service_id, following),
    }


def _row(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "category_label": Category(fields["category"]).label}

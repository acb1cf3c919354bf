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

from cases import access, consent_texts, selectors, timeline
from cases.middleware import viewer_of
from cases.models import AWAITING_ANSWER, Service, StaffRole
from cases.paging import WindowCountPaginator
from consent.categories import Category
from coordination.deadlines.selectors import (
    STATE_DUE_SOON,
    STATE_OVERDUE,
    deadline_filter,
    deadlines_for,
    due_soon_days,
    log_deadlines,
)
from coordination.models import OPEN_PLAN_STATUSES
from coordination.pages.base import methods, staff_required
from coordination.pages.forms import WithdrawForm
from coordination.plans import documents
from coordination.plans import selectors as plan_selectors

DAY_ROWS = 30  # deadlines shown per section of "my day"
DAY_SHORT_ROWS = 20  # referrals and plans shown on "my day"
TIMELINE_PAGE = 30


def my_services(viewer: access.Viewer) -> QuerySet[Service]:
    """The services that give the viewer reach, by name (the pages' choices of service)."""
    return Service.objects.filter(pk__in=viewer.reach).order_by("name")


@staff_required
@methods("get")
def day(request: HttpRequest) -> HttpResponse:
    """My day: my deadlines (overdue, due soon: the API's ``state=overdue`` and
    ``state=due_soon``), referrals to my services that wait for an answer, the plans I
    coordinate by next review, and for managers the overdue deadlines of their services (where
    escalation reminders lead). Each section is its own bounded query carrying its true total,
    so a long list never crowds out another and a count never stops at the rows shown."""
    user: Any = request.user
    viewer = viewer_of(request)
    today = timezone.localdate()

    def first(rows: Any, limit: int = DAY_ROWS) -> Page:
        return WindowCountPaginator(rows, limit).page(1)

    def deadlines(scope: str, state: str) -> Page:
        query = {"scope": scope, "state": state}
        return first(deadline_filter(deadlines_for(viewer), query, user))

    with transaction.atomic():
        overdue = deadlines("mine", STATE_OVERDUE)
        due_soon = deadlines("mine", STATE_DUE_SOON)
        log_deadlines(viewer, "day-deadlines", [*overdue, *due_soon])
        referrals = first(
            selectors.referral_list(viewer=viewer, box="inbox", states=AWAITING_ANSWER),
            DAY_SHORT_ROWS,
        )
        access.log_referrals(viewer, "day-referrals", list(referrals))
        plans = first(
            plan_selectors.plan_list(viewer=viewer, role="coordinator")
            .filter(status__in=OPEN_PLAN_STATUSES)
            .order_by("next_review_on", "created_at"),
            DAY_SHORT_ROWS,
        )
        documents.log_plan_reads(viewer, "day-plans", list(plans))
        escalated = None
        if any(m.role == StaffRole.MANAGER and m.service_is_active for m in viewer.memberships):
            escalated = deadlines("service", STATE_OVERDUE)
            log_deadlines(viewer, "day-escalated", list(escalated))
    return render(
        request,
        "pages/day.html",
        {
            "today": today,
            "overdue": overdue,
            "due_soon": due_soon,
            "due_soon_days": due_soon_days(),
            "referrals": referrals,
            "plans": plans,
            "escalated": escalated,
        },
    )


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
    now = timezone.now()
    periods = detail.all_periods  # type: ignore[attr-defined]
    return render(
        request,
        "pages/youth.html",
        {
            "youth": detail,
            "age": detail.age_on(timezone.localdate()),
            "open_periods": [p for p in periods if p.is_open],
            "closed_periods": [p for p in periods if not p.is_open],
            "consents": [
                {
                    "consent": c,
                    "active": c.is_active(now),
                    "scopes": consent_texts.flow_sentences(
                        c.scopes.all(), ended=not c.is_active(now)
                    ),
                }
                for c in consents
            ],
            "rows": [_row(selectors.timeline_fields(item, mine)) for item in items],
            "next_cursor": timeline.encode_cursor(next_key) if next_key else None,
            "activity_plan": activity_plan,
            "activities": activities,
            "plans": plans,
            "follows": bool(mine & {p.service_id for p in periods if p.is_open}),
            "withdraw_form": WithdrawForm(),
        },
    )


def _row(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "category_label": Category(fields["category"]).label}

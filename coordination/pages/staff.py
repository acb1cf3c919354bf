"""Staff pages: my day, the caseload and the youth page. Every read goes through the selectors
(the access policy) and is written to the access log in the read's transaction."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import access, reads, selectors, timeline
from cases.models import AWAITING_ANSWER, Service, StaffRole
from consent.categories import Category
from coordination import reads as deadline_reads
from coordination.models import OPEN_PLAN_STATUSES
from coordination.pages.base import methods, paginate, staff_required
from coordination.pages.forms import CaseloadFilterForm, WithdrawForm
from coordination.plans import documents
from coordination.plans import selectors as plan_selectors

DAY_DEADLINE_DAYS = 14
TIMELINE_PAGE = 30


def my_services(user: Any) -> Any:
    return Service.objects.filter(pk__in=access.service_ids(user)).order_by("name")


@staff_required
@methods("get")
def day(request: HttpRequest) -> HttpResponse:
    """My day: my deadlines (overdue, due in the next two weeks), referrals to my services that
    wait for an answer, the plans I coordinate by next review, and for managers the overdue
    deadlines of their services (where escalation reminders lead)."""
    user: Any = request.user
    today = timezone.localdate()
    with transaction.atomic():
        mine = deadline_reads.deadline_filter(
            deadline_reads.deadlines_for(user),
            {"scope": "mine", "state": deadline_reads.STATE_LIVE},
            user,
        )
        deadlines = list(mine.filter(due_on__lte=today + _days())[:30])
        deadline_reads.log_deadlines(user, "day-deadlines", deadlines)
        referrals = list(
            selectors.referral_list(user=user, box="inbox").filter(state__in=AWAITING_ANSWER)[:20]
        )
        reads.log_referrals(user, "day-referrals", referrals)
        plans = list(
            plan_selectors.plan_list(user=user, role="coordinator")
            .filter(status__in=OPEN_PLAN_STATUSES)
            .order_by("next_review_on", "created_at")[:20]
        )
        documents.log_plan_reads(user, "day-plans", plans)
        escalated = []
        if access.active_memberships(user).filter(role=StaffRole.MANAGER).exists():
            overdue = deadline_reads.deadline_filter(
                deadline_reads.deadlines_for(user),
                {"scope": "service", "state": deadline_reads.STATE_OVERDUE},
                user,
            )
            escalated = list(overdue.exclude(staff=user)[:30])
            deadline_reads.log_deadlines(user, "day-escalated", escalated)
    return render(
        request,
        "pages/day.html",
        {
            "today": today,
            "overdue": [d for d in deadlines if d.due_on < today],
            "due_soon": [d for d in deadlines if d.due_on >= today],
            "referrals": referrals,
            "plans": plans,
            "escalated": escalated,
        },
    )


def _days() -> datetime.timedelta:
    return datetime.timedelta(days=DAY_DEADLINE_DAYS)


@staff_required
@methods("get")
def caseload(request: HttpRequest) -> HttpResponse:
    """My youths or our youths, searchable by name, filterable by service, paged."""
    services = my_services(request.user)
    form = CaseloadFilterForm(request.GET or None, services=services)
    query = form.cleaned_data if form.is_valid() else {}
    viewer = access.viewer_for(request.user)
    youths = selectors.youth_caseload(
        viewer,
        scope=query.get("scope") or selectors.SCOPE_OURS,
        service_id=query["service"].pk if query.get("service") else None,
        name=query.get("q") or None,
    )
    page = paginate(request, youths)
    access.log_reads(
        viewer,
        "caseload",
        [access.Read(y.pk, [p.service_id for p in y.open_periods]) for y in page],
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "pages/caseload.html",
        {"form": form, "page": page, "today": timezone.localdate(), "params": params.urlencode()},
    )


@staff_required
@methods("get")
def youth(request: HttpRequest, youth_id: uuid.UUID) -> HttpResponse:
    """One youth: follow-up periods, consents, the consent-filtered timeline across services,
    the activity plan and the individual plan, with the actions the user may take."""
    user = request.user
    cursor = None
    if request.GET.get("cursor"):
        try:
            cursor = timeline.decode_cursor(request.GET["cursor"])
        except timeline.InvalidCursor:
            cursor = None
    with transaction.atomic():
        detail = selectors.youth_detail(user=user, youth_id=youth_id)
        consents = list(
            selectors.consent_list(youth=detail).prefetch_related(
                "scopes__from_party", "scopes__to_party"
            )
        )
        reads.log_youth_read(
            user,
            "youth-page",
            detail,
            [
                {"type": "consent", "id": str(c.pk), "category": "GENERAL", "basis": "general"}
                for c in consents
            ],
        )
        items, next_key, mine = reads.timeline_read(
            user=user, youth=detail, purpose="youth-timeline", cursor=cursor, limit=TIMELINE_PAGE
        )
        activity_plan = selectors.plan_list(user=user, youth_id=detail.pk).first()
        activities = (
            list(selectors.activity_list(user=user, plan=activity_plan)) if activity_plan else []
        )
        if activity_plan:
            reads.log_items(
                user, "youth-activity-plan", detail.pk, reads.plan_items(activity_plan, activities)
            )
        plans = list(plan_selectors.plan_list(user=user, youth_id=detail.pk))
        documents.log_plan_reads(user, "youth-plans", plans)
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
                {"consent": c, "active": c.is_active(now), "scopes": _scope_rows(c)}
                for c in consents
            ],
            "rows": [_row(reads.timeline_fields(item, mine)) for item in items],
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


def _scope_rows(consent: Any) -> list[str]:
    """Readable flows of a consent, e.g. "Utdanning: OT Skien → NAV Skien"."""
    return sorted(
        {
            f"{scope.get_category_display()}: "
            f"{scope.from_party.name if scope.from_party else scope.from_kind} → "
            f"{scope.to_party.name if scope.to_party else scope.to_kind}"
            for scope in consent.scopes.all()
        }
    )

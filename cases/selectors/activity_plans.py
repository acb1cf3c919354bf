"""NAV follow-up: decisions, activity plans and activities, and what a read of a plan records
in the access log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Value

from cases import access
from cases.models import Activity, ActivityPlan, NavDecision, Youth
from cases.selectors.access_log import item
from consent.categories import Category

# --- NAV follow-up: decisions, activity plans, activities -----------------------------------
# Decisions and plans are work-and-welfare information owned by the NAV office; an activity has
# its own category (treatment is health). Other services see them by consent.


def _as_work_and_welfare(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(info_category=Value(Category.WORK_AND_WELFARE.value))


def decision_list(*, viewer: access.Viewer, youth: Youth) -> QuerySet[NavDecision]:
    decisions = _as_work_and_welfare(
        NavDecision.objects.filter(youth=youth).select_related("service", "decided_by")
    )
    return access.visible(viewer, decisions, category="info_category").order_by(
        "-decided_on", "-recorded_at"
    )


def activity_plan_list(*, viewer: access.Viewer, youth_id: Any = None) -> QuerySet[ActivityPlan]:
    plans = ActivityPlan.objects.select_related("period__service", "approved_by", "created_by")
    if youth_id is not None:
        plans = plans.filter(youth_id=youth_id)
    return access.visible(
        viewer, _as_work_and_welfare(plans), owner="period__service", category="info_category"
    ).order_by("-created_at")


def activity_plan_for_user(
    *, viewer: access.Viewer, plan_id: Any, purpose: str = "activity-plan"
) -> ActivityPlan:
    """An activity plan the viewer may see, else Http404 (a refused attempt logged:
    ``access.refused``)."""
    try:
        return activity_plan_list(viewer=viewer).get(pk=plan_id)
    except (ActivityPlan.DoesNotExist, ValueError):
        raise access.refused(viewer, ActivityPlan, plan_id, purpose) from None


def activity_list(*, viewer: access.Viewer, plan: ActivityPlan) -> QuerySet[Activity]:
    activities = Activity.objects.filter(plan=plan).select_related(
        "responsible_service", "plan__period__service", "agreed_by"
    )
    return access.visible(viewer, activities, owner="plan__period__service").order_by(
        "deadline", "created_at"
    )


def activity_for_user(
    *, viewer: access.Viewer, activity_id: Any, purpose: str = "activity"
) -> Activity:
    """An activity the viewer may see, else Http404 (a refused attempt logged:
    ``access.refused``)."""
    activities = Activity.objects.select_related(
        "responsible_service", "plan__period__service", "agreed_by"
    )
    try:
        return access.visible(viewer, activities, owner="plan__period__service").get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError):
        raise access.refused(viewer, Activity, activity_id, purpose) from None


def activity_plan_items(plan: ActivityPlan, activities: Iterable[Activity]) -> list[dict[str, Any]]:
    return [
        item("activity-plan", plan, "WORK_AND_WELFARE"),
        *(item("activity", a, a.category) for a in activities),
    ]

"""Reads of plans, through the one access policy (``cases.access``).

A staff member sees a plan when one of their services follows the youth and either holds the
plan (the coordinating service) or takes part in it with the plan's consent sharing it to that
service. Inside the plan, goals and measures are records like any other: their service and
category go through ``access.visible``, so a participant sees only what a consent covers.
Everything is one indexed query per list; nothing is cached.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases import access
from cases.models import StaffMembership, StaffRole
from consent.coverage import in_force_scopes
from coordination.models import (
    FINISHED_MEASURE_STATUSES,
    OPEN_PLAN_STATUSES,
    ChildCoordinator,
    ParticipantKind,
    Plan,
    PlanGoal,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    PlanReviewGoal,
    PlanStatus,
    PlanVersion,
)
from coordination.plans import versions


def _shared_with(service_ref: Any) -> QuerySet[Any]:
    """In-force scopes of the plan's consent that name ``service_ref`` as a receiver."""
    return in_force_scopes().filter(
        consent_id=OuterRef(OuterRef("consent_id")), to_party_id=service_ref
    )


def plans_for(viewer: access.Viewer) -> QuerySet[Plan]:
    """Plans the viewer may see (see the module docstring)."""
    mine = viewer.reach
    following = access.reaching_periods(viewer).filter(youth_id=OuterRef("youth_id"))
    participating = PlanParticipant.objects.filter(
        plan_id=OuterRef("pk"),
        kind=ParticipantKind.SERVICE,
        left_at__isnull=True,
        service_id__in=mine,
    ).filter(Exists(_shared_with(OuterRef("service_id"))))
    return Plan.objects.filter(Exists(following)).filter(
        Q(service_id__in=mine) | Q(Exists(participating))
    )


def plan_list(*, viewer: access.Viewer, youth_id: Any = None, role: str = "") -> QuerySet[Plan]:
    plans = plans_for(viewer).select_related("service", "coordinator", "youth")
    if youth_id is not None:
        plans = plans.filter(youth_id=youth_id)
    if role == "coordinator":
        plans = plans.filter(coordinator_id=viewer.user.pk)
    return plans.order_by("-created_at")


def plan_for_user(*, viewer: access.Viewer, plan_id: Any, purpose: str = "plan") -> Plan:
    """A plan the viewer may see, else Http404 (a refused attempt logged: ``access.refused``)."""
    try:
        return (
            plans_for(viewer)
            .select_related("service", "coordinator", "youth", "consent")
            .get(pk=plan_id)
        )
    except (Plan.DoesNotExist, ValueError):
        raise access.refused(viewer, Plan, plan_id, purpose) from None


def basis_of_plan(user_service_ids: set[Any], plan: Plan) -> str:
    """What let the user see the plan itself: their service holds it, or the plan consent."""
    return "own" if plan.service_id in user_service_ids else f"consent:{plan.consent_id}"


@dataclass
class PlanView:
    """A plan with what the viewer may see of it, loaded in a fixed number of queries."""

    plan: Plan
    participants: list[PlanParticipant]
    goals: list[PlanGoal]
    measures: list[PlanMeasure]
    reviews: list[PlanReview]
    child_coordinator: ChildCoordinator | None


def goal_list(*, viewer: access.Viewer, plan: Plan) -> QuerySet[PlanGoal]:
    goals = PlanGoal.objects.filter(plan=plan, removed_at__isnull=True).select_related("service")
    return access.visible(viewer, goals).order_by("position", "title")


def measure_list(*, viewer: access.Viewer, plan: Plan) -> QuerySet[PlanMeasure]:
    measures = PlanMeasure.objects.filter(plan=plan, removed_at__isnull=True).select_related(
        "service", "responsible"
    )
    return access.visible(viewer, measures).order_by("ends_on", "title")


def measure_for_user(
    *, viewer: access.Viewer, measure_id: Any, purpose: str = "plan-measure"
) -> PlanMeasure:
    """A measure of a plan the viewer reaches, if the policy lets the viewer see it; else 404
    (a refused attempt logged: ``access.refused``)."""
    try:
        measure = PlanMeasure.objects.select_related("plan").get(
            pk=measure_id, plan__in=plans_for(viewer)
        )
    except (PlanMeasure.DoesNotExist, ValueError):
        raise access.refused(viewer, PlanMeasure, measure_id, purpose) from None
    if not measure_list(viewer=viewer, plan=measure.plan).filter(pk=measure.pk).exists():
        raise access.refused(viewer, PlanMeasure, measure_id, purpose)
    return measure


def review_list(*, viewer: access.Viewer, plan: Plan, goal_ids: Any = None) -> QuerySet[PlanReview]:
    """The plan's reviews, newest first, each with the goal notes the viewer may see (a note
    has its goal's access); ``goal_ids`` when the caller already has the visible goals."""
    if goal_ids is None:
        goal_ids = goal_list(viewer=viewer, plan=plan).values("pk")
    notes = PlanReviewGoal.objects.filter(goal_id__in=goal_ids)
    return plan.reviews.select_related("recorded_by").prefetch_related(
        "attendees", Prefetch("goal_notes", queryset=notes)
    )


def plan_view(*, viewer: access.Viewer, plan: Plan) -> PlanView:
    goals = list(goal_list(viewer=viewer, plan=plan))
    goal_ids = {g.pk for g in goals}
    return PlanView(
        plan=plan,
        participants=list(
            plan.participants.select_related("service", "contact").order_by("joined_at")
        ),
        goals=goals,
        measures=[m for m in measure_list(viewer=viewer, plan=plan) if m.goal_id in goal_ids],
        reviews=list(review_list(viewer=viewer, plan=plan, goal_ids=goal_ids)),
        child_coordinator=plan_child_coordinator(plan.youth),
    )


def own_plan_view(plan: Plan) -> PlanView:
    """The whole plan for the youth it is about: nothing in it is hidden from them."""
    goals = PlanGoal.objects.filter(plan=plan, removed_at__isnull=True).select_related("service")
    measures = PlanMeasure.objects.filter(plan=plan, removed_at__isnull=True).select_related(
        "service", "responsible"
    )
    return PlanView(
        plan=plan,
        participants=list(
            plan.participants.select_related("service", "contact").order_by("joined_at")
        ),
        goals=list(goals.order_by("position", "title")),
        measures=list(measures.order_by("ends_on", "title")),
        reviews=list(
            plan.reviews.select_related("recorded_by").prefetch_related("attendees", "goal_notes")
        ),
        child_coordinator=plan_child_coordinator(plan.youth),
    )


def history(*, viewer: access.Viewer, plan: Plan) -> QuerySet[PlanVersion]:
    """The plan's change log, each entry filtered by the access policy like the live record."""
    return access.visible(
        viewer, PlanVersion.objects.filter(plan=plan).select_related("actor")
    ).order_by("-at", "-id")


def plan_state_at(
    *, viewer: access.Viewer, plan: Plan, moment: datetime.datetime
) -> tuple[dict[str, Any] | None, list[PlanVersion]]:
    """The plan as it stood at ``moment``, showing only what the viewer may see now (``None``
    when the plan did not exist yet), and the version rows it was built from (for the log)."""
    rows = list(versions.state_at(history(viewer=viewer, plan=plan), moment))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_type.setdefault(row.object_type, []).append(row.state)
    if not by_type.get("plan"):
        return None, rows
    goals = by_type.get("goal", [])
    goal_ids = {g["id"] for g in goals}
    reviews = by_type.get("review", [])
    for review in reviews:
        review["goal_notes"] = [n for n in review["goal_notes"] if n["goal"] in goal_ids]
    return {
        **by_type["plan"][0],
        "participants": by_type.get("participant", []),
        "goals": goals,
        "measures": [m for m in by_type.get("measure", []) if m["goal"] in goal_ids],
        "reviews": sorted(reviews, key=lambda r: r["held_on"], reverse=True),
        "at": moment.isoformat(),
    }, rows


def plan_child_coordinator(youth: Any) -> ChildCoordinator | None:
    """The child coordinator a plan shows: the current one, else the last one, ended (at 18
    or by the municipality), so the plan tells when and why the role ended."""
    return (
        ChildCoordinator.objects.filter(youth=youth, right_granted=True)
        .select_related("coordinator", "service", "youth")
        .order_by(F("ended_at").desc(nulls_first=True), "-decided_on")
        .first()
    )


def child_coordinator_list(*, youth: Any) -> QuerySet[ChildCoordinator]:
    """The child coordinator decisions on a youth (general information; the caller has checked
    the youth is in reach)."""
    return (
        ChildCoordinator.objects.filter(youth=youth)
        .select_related("coordinator", "service", "recorded_by", "youth")
        .order_by("-decided_on", "-recorded_at")
    )


# --- The coordinator's dashboard -----------------------------------------------------------


@dataclass
class Dashboard:
    plans: list[Plan]
    overdue_measures: list[PlanMeasure]
    consent_expiring: list[Plan]
    without_coordinator: list[Plan]


def _expiring_consent(days: int) -> Q:
    today = timezone.localdate()
    until = timezone.now() + datetime.timedelta(days=days)
    lapsing_giver = in_force_scopes().filter(
        consent_id=OuterRef("consent_id"),
        competent_until__lte=today + datetime.timedelta(days=days),
    )
    return Q(consent__valid_until__lte=until) | Q(Exists(lapsing_giver))


def dashboard(*, viewer: access.Viewer) -> Dashboard:
    """My open plans by next review; overdue measures in them that I may see; my plans whose
    consent runs out soon; and, for managers, plans of their services without a coordinator."""
    mine = plan_list(viewer=viewer, role="coordinator").filter(status__in=OPEN_PLAN_STATUSES)
    plans = list(mine.order_by("next_review_on", "created_at"))
    today = timezone.localdate()
    overdue = access.visible(
        viewer,
        PlanMeasure.objects.filter(
            plan__in=[p.pk for p in plans],
            removed_at__isnull=True,
            ends_on__lt=today,
        )
        .exclude(status__in=FINISHED_MEASURE_STATUSES)
        .select_related("service", "responsible", "plan__youth"),
    ).order_by("ends_on")
    expiring = [
        p
        for p in mine.filter(_expiring_consent(settings.PLAN_CONSENT_WARNING_DAYS)).order_by(
            "created_at"
        )
    ]
    managed = [m.service_id for m in viewer.memberships if m.role == StaffRole.MANAGER]
    in_my_services = PlanParticipant.objects.filter(
        plan_id=OuterRef("pk"), left_at__isnull=True, service_id__in=managed
    )
    active_term = StaffMembership.objects.filter(
        user_id=OuterRef("coordinator_id"),
        service_id=OuterRef("service_id"),
        ended_at__isnull=True,
    )
    orphaned = (
        plans_for(viewer)
        .filter(status=PlanStatus.ACTIVE)
        .filter(Exists(in_my_services))
        .filter(Q(coordinator__isnull=True) | ~Exists(active_term))
        .select_related("service", "youth", "coordinator")
        .order_by("created_at")
    )
    return Dashboard(
        plans=plans,
        overdue_measures=list(overdue),
        consent_expiring=expiring,
        without_coordinator=list(orphaned),
    )

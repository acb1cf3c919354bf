"""Plan history: every change stores the changed object's whole state, so the plan can be shown
as it stood at any past moment with one query (the latest version of each object by then).

The state is a plain dict in the API's shape (``snapshot``): the live plan and a plan at a past
date are serialized by the same code, and history is filtered by the same access policy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cases.events import fact_changed
from consent.categories import Category
from coordination.models import (
    Plan,
    PlanGoal,
    PlanMeasure,
    PlanParticipant,
    PlanReview,
    PlanVersion,
    VersionAction,
)


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _service(service: Any) -> dict[str, Any] | None:
    if service is None:
        return None
    return {"id": str(service.pk), "kind": service.kind, "name": service.name}


def _staff(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


PLAN_TEXT_FIELDS = (
    "my_life_so_far",
    "my_goals",
    "my_challenges",
    "what_matters",
    "my_contribution",
    "resources",
    "needs",
    "cooperation_needed",
)


def plan_state(plan: Plan) -> dict[str, Any]:
    return {
        "id": str(plan.pk),
        "youth": str(plan.youth_id),
        "kind": plan.kind,
        "status": plan.status,
        "bti_level": plan.bti_level,
        "service": _service(plan.service),
        "coordinator": _staff(plan.coordinator),
        "consent": str(plan.consent_id) if plan.consent_id else None,
        **{name: getattr(plan, name) for name in PLAN_TEXT_FIELDS},
        "starts_on": _day(plan.starts_on),
        "ends_on": _day(plan.ends_on),
        "next_review_on": _day(plan.next_review_on),
        "created_at": _moment(plan.created_at),
        "activated_at": _moment(plan.activated_at),
        "converted_at": _moment(plan.converted_at),
        "closed_at": _moment(plan.closed_at),
        "close_reason": plan.close_reason,
        "close_note": plan.close_note,
        "version": plan.version,
    }


def participant_state(participant: PlanParticipant) -> dict[str, Any]:
    return {
        "id": str(participant.pk),
        "kind": participant.kind,
        "service": _service(participant.service),
        "contact": _staff(participant.contact),
        "name": participant.name,
        "relation": participant.relation,
        "contribution": participant.contribution,
        "joined_at": _moment(participant.joined_at),
        "left_at": _moment(participant.left_at),
        "version": participant.version,
    }


def goal_state(goal: PlanGoal) -> dict[str, Any]:
    return {
        "id": str(goal.pk),
        "parent": str(goal.parent_id) if goal.parent_id else None,
        "title": goal.title,
        "description": goal.description,
        "service": _service(goal.service),
        "category": goal.category,
        "achieved_at": _moment(goal.achieved_at),
        "position": goal.position,
        "version": goal.version,
    }


def measure_state(measure: PlanMeasure) -> dict[str, Any]:
    return {
        "id": str(measure.pk),
        "goal": str(measure.goal_id),
        "title": measure.title,
        "scope": measure.scope,
        "how": measure.how,
        "service": _service(measure.service),
        "responsible": _staff(measure.responsible),
        "category": measure.category,
        "starts_on": _day(measure.starts_on),
        "ends_on": _day(measure.ends_on),
        "status": measure.status,
        "status_changed_at": _moment(measure.status_changed_at),
        "version": measure.version,
    }


def review_state(review: PlanReview, goal_notes: list[Any] | None = None) -> dict[str, Any]:
    """A review; ``goal_notes`` are the notes the viewer may see (each note has its goal's
    access), stored in full in the version and filtered when read."""
    notes = goal_notes if goal_notes is not None else list(review.goal_notes.all())
    return {
        "id": str(review.pk),
        "held_on": _day(review.held_on),
        "attendees": sorted(str(p.pk) for p in review.attendees.all()),
        "youth_attended": review.youth_attended,
        "goal_notes": [
            {"goal": str(n.goal_id), "achieved": n.achieved, "category": n.category} for n in notes
        ],
        "changes_agreed": review.changes_agreed,
        "youth_view": review.youth_view,
        "next_review_on": _day(review.next_review_on),
        "recorded_by": _staff(review.recorded_by),
        "recorded_at": _moment(review.recorded_at),
    }


STATE_OF: dict[str, Callable[[Any], dict[str, Any]]] = {
    "plan": plan_state,
    "participant": participant_state,
    "goal": goal_state,
    "measure": measure_state,
    "review": review_state,
}


def _owner(plan: Plan, obj: Any) -> tuple[Any, str]:
    """The service and category the access policy reads the version with."""
    if isinstance(obj, (PlanGoal, PlanMeasure)):
        return obj.service_id, obj.category
    return plan.service_id, Category.GENERAL


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [before, after] for what differs (the ``version`` counter left out)."""
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key != "version" and before.get(key) != value
    }


def record(
    *,
    plan: Plan,
    actor: Any,
    obj: Any,
    object_type: str,
    action: str,
    before: dict[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> PlanVersion:
    """Append one version row for ``obj`` (call after saving it, in the same transaction)."""
    state = STATE_OF[object_type](obj)
    service_id, category = _owner(plan, obj)
    # The youth is told the plan changed (a notice without content, ``reminders.notices``).
    fact_changed(plan.youth_id, "plan.changed", ref=plan.pk)
    return PlanVersion.objects.create(
        plan=plan,
        youth_id=plan.youth_id,
        at=at or timezone.now(),
        actor=actor,
        object_type=object_type,
        object_id=obj.pk,
        action=action,
        service_id=service_id,
        category=category,
        state=state,
        changes=changed_fields(before or {}, state) if action != VersionAction.REMOVED else {},
    )


def state_at(versions: QuerySet[PlanVersion], moment: datetime.datetime) -> QuerySet[PlanVersion]:
    """Of ``versions`` (one plan's, already filtered by the access policy), the latest of each
    object at ``moment``, leaving out objects removed by then: the plan as it stood."""
    later = PlanVersion.objects.filter(
        plan_id=OuterRef("plan_id"),
        object_id=OuterRef("object_id"),
        at__lte=moment,
        id__gt=OuterRef("id"),
    )
    return (
        versions.filter(at__lte=moment)
        .exclude(Exists(later))
        .exclude(action=VersionAction.REMOVED)
        .order_by("id")
    )

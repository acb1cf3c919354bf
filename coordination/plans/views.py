"""The printable plan: a page for people, on the same selectors and access policy as the API."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.middleware import viewer_of
from coordination.models import BtiLevel, CloseReason, MeasureStatus, Plan, PlanKind, PlanStatus
from coordination.plans import documents, selectors


@login_required
def plan_print(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    """The plan as a printable document (print style sheet), showing only what the viewer may
    see; the look is written to the access log like any other read."""
    viewer = viewer_of(request)
    # Read before the transaction: a refused attempt's access-log row outlives the 404.
    plan = selectors.plan_for_user(viewer=viewer, plan_id=plan_id, purpose="plan-print")
    with transaction.atomic():
        document = documents.plan_document(viewer, plan, purpose="plan-print")
    return render(
        request,
        "plans/print.html",
        {**document_context(document, plan), "printed_at": timezone.localtime()},
    )


def _as_dates(row: dict[str, Any], names: tuple[str, ...]) -> None:
    """The document's ISO dates as dates, for the templates' Norwegian date format."""
    for name in names:
        if isinstance(row.get(name), str):
            row[name] = datetime.date.fromisoformat(row[name])


def document_context(document: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """The plan document arranged for a page: main goals with their sub-goals and measures,
    reviews with goal titles and who was there, labels for the codes, dates as dates."""
    _as_dates(document, ("starts_on", "ends_on", "next_review_on"))
    goals = document["goals"]
    measures_by_goal: dict[str, list[dict[str, object]]] = {}
    for measure in document["measures"]:
        _as_dates(measure, ("starts_on", "ends_on"))
        measure["status_label"] = MeasureStatus(measure["status"]).label
        measures_by_goal.setdefault(str(measure["goal"]), []).append(measure)
    main_goals = [g for g in goals if g["parent"] is None]
    tree = [
        {
            "goal": goal,
            "measures": measures_by_goal.get(goal["id"], []),
            "sub_goals": [
                {"goal": sub, "measures": measures_by_goal.get(sub["id"], [])}
                for sub in goals
                if sub["parent"] == goal["id"]
            ],
        }
        for goal in main_goals
    ]
    goal_titles = {g["id"]: g["title"] for g in goals}
    participants = {p["id"]: p for p in document["participants"]}
    for review in document["reviews"]:
        _as_dates(review, ("held_on", "next_review_on"))
        review["notes"] = [
            {"goal": goal_titles.get(n["goal"], ""), "achieved": n["achieved"]}
            for n in review["goal_notes"]
        ]
        review["present"] = [
            participants[a]["name"] or participants[a]["service"]["name"]
            for a in review["attendees"]
            if a in participants
        ]
    return {
        "plan": document,
        "youth": plan.youth,
        "tree": tree,
        "kind": PlanKind(document["kind"]).label,
        "status": PlanStatus(document["status"]).label,
        "bti_level": BtiLevel(document["bti_level"]).label
        if document["bti_level"] is not None
        else "",
        "close_reason": CloseReason(document["close_reason"]).label
        if document["close_reason"]
        else "",
    }

"""The individual plan page: goals, measures, participants and reviews as the viewer may see
them, the coordinator's review form, measure status, and activation of a draft."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.middleware import viewer_of
from coordination.models import MeasureStatus, PlanStatus
from coordination.pages.base import methods, run, run_action, staff_required
from coordination.pages.forms import MeasureStatusForm, ReviewForm, VersionForm
from coordination.plans import documents, grants, selectors, services
from coordination.plans.views import document_context


def _review_form(
    goals: list[tuple[str, str]],
    participants: list[tuple[str, str]],
    version: int,
    data: Any = None,
) -> ReviewForm:
    """Notes on the goals the coordinator sees; attendees among the current participants."""
    return ReviewForm(
        data,
        goals=goals,
        participants=participants,
        initial={"version": version, "held_on": timezone.localdate()},
    )


def _document_choices(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "goals": [(g["id"], g["title"]) for g in document["goals"]],
        "participants": [
            (p["id"], p["name"] or (p["service"] or {}).get("name", ""))
            for p in document["participants"]
            if not p["left_at"]
        ],
        "version": document["version"],
    }


def _page(request: HttpRequest, plan_id: uuid.UUID, review_form: Any = None) -> HttpResponse:
    viewer = viewer_of(request)
    # Read before the transaction: a refused attempt's access-log row outlives the 404.
    plan = selectors.plan_for_user(viewer=viewer, plan_id=plan_id, purpose="plan-page")
    with transaction.atomic():
        document = documents.plan_document(viewer, plan, purpose="plan-page")
    rights = document["my_rights"]
    is_coordinator = "coordinator" in rights
    can_review = is_coordinator and plan.status == PlanStatus.ACTIVE
    return render(
        request,
        "pages/plan.html",
        {
            **document_context(document, plan),
            "plan_obj": plan,
            "plan_open": plan.is_open,
            "is_coordinator": is_coordinator,
            "can_edit_measures": grants.EDIT_MEASURES in rights,
            "measure_statuses": MeasureStatus.choices,
            "review_form": review_form
            or (_review_form(**_document_choices(document)) if can_review else None),
            "can_activate": is_coordinator and plan.status == PlanStatus.DRAFT,
        },
        status=400 if review_form is not None else 200,
    )


@staff_required
@methods("get")
def plan_page(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    return _page(request, plan_id)


@staff_required
@methods("post")
def plan_review(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    """Record a review: what was achieved per goal, who was there, the next review date."""
    viewer = viewer_of(request)
    plan = selectors.plan_for_user(viewer=viewer, plan_id=plan_id, purpose="plan-review-add")
    view = selectors.plan_view(viewer=viewer, plan=plan)
    form = _review_form(
        goals=[(str(g.pk), g.title) for g in view.goals],
        participants=[
            (str(p.pk), p.name or (p.service.name if p.service else ""))
            for p in view.participants
            if p.left_at is None
        ],
        version=plan.version,
        data=request.POST,
    )
    if form.is_valid():
        data = form.cleaned_data
        notes = [
            services.GoalNote(goal_id=goal_id, achieved=data[name])
            for goal_id, name in form.goal_fields
            if data[name].strip()
        ]
        if run(
            form,
            lambda: services.review_record(
                actor=request.user,
                plan=plan,
                version=data["version"],
                held_on=data["held_on"],
                next_review_on=data["next_review_on"],
                attendee_ids=data["attendees"],
                youth_attended=data["youth_attended"],
                goal_notes=notes,
                changes_agreed=data["changes_agreed"],
                youth_view=data["youth_view"],
            ),
        ):
            messages.success(
                request,
                _("Evalueringen er registrert. Neste evaluering: %s.")
                % data["next_review_on"].strftime("%d.%m.%Y"),
            )
            return redirect(reverse("pages:plan", args=[plan.pk]) + "#reviews")
    return _page(request, plan_id, review_form=form)


@staff_required
@methods("post")
def plan_activate(request: HttpRequest, plan_id: uuid.UUID) -> Any:
    plan = selectors.plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="plan-activate"
    )
    form = VersionForm(request.POST)
    if form.is_valid():
        version = form.cleaned_data["version"]
        run_action(
            request,
            lambda: services.plan_activate(actor=request.user, plan=plan, version=version),
            _("Planen er aktiv."),
        )
    return redirect("pages:plan", plan_id=plan.pk)


@staff_required
@methods("post")
def measure_status(request: HttpRequest, measure_id: uuid.UUID) -> Any:
    """The responsible person (or whoever may edit measures) moves a measure's status."""
    measure = selectors.measure_for_user(
        viewer=viewer_of(request), measure_id=measure_id, purpose="plan-measure-change"
    )
    form = MeasureStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: services.measure_change(
                actor=request.user,
                measure=measure,
                version=data["version"],
                values={"status": data["status"]},
            ),
            _("Status for tiltaket er endret."),
        )
    else:
        messages.error(request, _("Velg en gyldig status."))
    return redirect(reverse("pages:plan", args=[measure.plan_id]) + "#goals")

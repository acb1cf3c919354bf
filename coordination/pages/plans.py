"""The individual plan page: goals, measures, participants and reviews as the viewer may see
them, with the warnings a coordinator must act on, and each change the viewer may make as a
small form: the plan's own part and dates, goals, measures, participants, the review, the
coordinator handover, and activation of a draft. Every form posts to the plan services
(optimistic versions where an object is changed) and comes back to the page; a refused form is
shown again on the page with its errors (400)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access
from cases.middleware import viewer_of
from cases.models import CASELOAD_ROLES, Service, StaffMembership
from consent.models import Giver
from coordination.models import (
    MeasureStatus,
    ParticipantKind,
    Plan,
    PlanGoal,
    PlanKind,
    PlanMeasure,
    PlanParticipant,
    PlanStatus,
)
from coordination.pages import plan_forms
from coordination.pages.base import methods, run, run_action, staff_required
from coordination.pages.forms import MeasureStatusForm, ReviewForm, VersionForm
from coordination.plans import documents, grants, selectors, services, warnings
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


def _participating(plan: Plan) -> list[Service]:
    """The services taking part now, the holding one first."""
    rows = plan.participants.filter(kind=ParticipantKind.SERVICE, left_at__isnull=True)
    found = [p.service for p in rows.select_related("service").order_by("joined_at") if p.service]
    return sorted(found, key=lambda s: s.pk != plan.service_id)


def _staff(services_: list[Service]) -> list[StaffMembership]:
    """Current caseload staff of ``services_`` (one query), by name."""
    return list(
        StaffMembership.objects.filter(
            service__in=services_,
            ended_at__isnull=True,
            role__in=CASELOAD_ROLES,
            user__is_active=True,
        )
        .select_related("user", "service")
        .order_by("user__first_name", "user__last_name", "user__username", "service__name")
    )


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


class Choices:
    """The choice lists of the plan's forms, each read once (a fixed number of queries however
    many forms the page shows)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._services: list[Service] | None = None
        self._staff: list[StaffMembership] | None = None

    @property
    def services(self) -> list[Service]:
        if self._services is None:
            self._services = _participating(self.plan)
        return self._services

    @property
    def memberships(self) -> list[StaffMembership]:
        if self._staff is None:
            self._staff = _staff(self.services)
        return self._staff

    def service_choices(self) -> list[tuple[str, str]]:
        return [(str(s.pk), s.name) for s in self.services]

    def staff_choices(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for m in self.memberships:
            seen.setdefault(str(m.user_id), _name(m.user))
        return list(seen.items())

    def user_id_of(self, username: str | None) -> str:
        """The id of a staff member named in the document (which shows usernames)."""
        found = (str(m.user_id) for m in self.memberships if m.user.get_username() == username)
        return next(found, "")

    def coordinator_choices(self) -> list[tuple[str, str]]:
        return [
            (f"{m.service_id}:{m.user_id}", f"{_name(m.user)} ({m.service.name})")
            for m in self.memberships
            if not (m.user_id == self.plan.coordinator_id and m.service_id == self.plan.service_id)
        ]


def _main_goals(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(g["id"], g["title"]) for g in document["goals"] if g["parent"] is None]


def _goal_edit_form(goal: dict[str, Any], data: Any = None) -> plan_forms.GoalEditForm:
    return plan_forms.GoalEditForm(
        data,
        prefix=f"goal-{goal['id']}",
        initial={
            "version": goal["version"],
            "title": goal["title"],
            "description": goal["description"],
            "achieved": bool(goal["achieved_at"]),
        },
    )


def _measure_edit_form(
    measure: dict[str, Any], choices: Choices, data: Any = None
) -> plan_forms.MeasureEditForm:
    return plan_forms.MeasureEditForm(
        data,
        prefix=f"measure-{measure['id']}",
        services=choices.service_choices(),
        staff=choices.staff_choices(),
        initial={
            "version": measure["version"],
            "title": measure["title"],
            "service": (measure["service"] or {}).get("id"),
            "responsible": choices.user_id_of((measure["responsible"] or {}).get("username")),
            "scope": measure["scope"],
            "how": measure["how"],
            "category": measure["category"],
            "starts_on": measure["starts_on"],
            "ends_on": measure["ends_on"],
        },
    )


def _needs_consent(plan: Plan) -> bool:
    """A new service in an individual plan (or one with a consent) needs the youth's consent."""
    return plan.consent_id is not None or plan.kind == PlanKind.INDIVIDUAL


def _participant_form(plan: Plan, choices: Choices, data: Any = None) -> plan_forms.ParticipantForm:
    taking_part = {s.pk for s in choices.services}
    others = [
        (str(s.pk), s.name)
        for s in Service.objects.filter(is_active=True).order_by("name")
        if s.pk not in taking_part
    ]
    return plan_forms.ParticipantForm(
        data, prefix="participant", services=others, needs_consent=_needs_consent(plan)
    )


def _page(
    request: HttpRequest, plan_id: uuid.UUID, failed: dict[str, Any] | None = None
) -> HttpResponse:
    """The plan page; ``failed`` holds a refused form by its place on the page (shown with its
    errors, answered 400)."""
    viewer = viewer_of(request)
    failed = failed or {}
    # Read before the transaction: a refused attempt's access-log row outlives the 404.
    plan = selectors.plan_for_user(viewer=viewer, plan_id=plan_id, purpose="plan-page")
    with transaction.atomic():
        document = documents.plan_document(viewer, plan, purpose="plan-page")
    rights = document["my_rights"]
    is_coordinator = "coordinator" in rights
    can_goals = grants.EDIT_GOALS in rights
    can_measures = grants.EDIT_MEASURES in rights
    can_review = is_coordinator and plan.status == PlanStatus.ACTIVE
    pending = document["pending_coordinator_handover"]
    choices = Choices(plan)
    context = document_context(document, plan)
    user = request.user
    if can_goals:
        for node in context["tree"]:
            for item in [node, *node["sub_goals"]]:
                goal = item["goal"]
                item["form"] = failed.get(f"goal-{goal['id']}") or _goal_edit_form(goal)
    if can_measures:
        for measure in document["measures"]:
            measure["form"] = failed.get(f"measure-{measure['id']}") or _measure_edit_form(
                measure, choices
            )
    may_offer = plan.is_open and pending is None and services.may_name_coordinator(user, plan)
    return render(
        request,
        "pages/plan.html",
        {
            **context,
            "plan_obj": plan,
            "plan_open": plan.is_open,
            "warnings": warnings.plan_warnings(plan),
            "is_coordinator": is_coordinator,
            "can_edit_goals": can_goals,
            "can_edit_measures": can_measures,
            "measure_statuses": MeasureStatus.choices,
            "own_form": failed.get("own")
            or (plan_forms.OwnPartForm(prefix="own", initial=document) if is_coordinator else None),
            "dates_form": failed.get("dates")
            or (
                plan_forms.PlanDatesForm(prefix="dates", initial=document)
                if is_coordinator
                else None
            ),
            "goal_form": failed.get("goal")
            or (
                plan_forms.GoalForm(prefix="goal", main_goals=_main_goals(document))
                if can_goals
                else None
            ),
            "measure_form": failed.get("measure")
            or (
                plan_forms.MeasureForm(
                    prefix="measure",
                    goals=[(g["id"], g["title"]) for g in document["goals"]],
                    services=choices.service_choices(),
                    staff=choices.staff_choices(),
                )
                if can_measures and document["goals"]
                else None
            ),
            "participant_form": failed.get("participant")
            or (_participant_form(plan, choices) if is_coordinator else None),
            "coordinator_form": failed.get("coordinator")
            or (
                plan_forms.CoordinatorOfferForm(
                    prefix="coordinator", people=choices.coordinator_choices()
                )
                if may_offer
                else None
            ),
            "pending_handover": pending,
            "answer_handover": pending is not None and pending.to_user_id == user.pk,
            "review_form": failed.get("review")
            or (_review_form(**_document_choices(document)) if can_review else None),
            "can_activate": is_coordinator and plan.status == PlanStatus.DRAFT,
        },
        status=_status(failed),
    )


def _status(failed: dict[str, Any]) -> int:
    """200 for the page; 409 when a form lost to someone else's change, else 400."""
    if not failed:
        return 200
    return 409 if any(getattr(f, "stale", False) for f in failed.values()) else 400


def _plan_url(plan_id: Any, anchor: str = "") -> str:
    return reverse("pages:plan", args=[plan_id]) + (f"#{anchor}" if anchor else "")


def _done(
    request: HttpRequest,
    plan_id: Any,
    form: forms.Form,
    place: str,
    call: Callable[[], Any],
    message: str,
    anchor: str,
) -> HttpResponse:
    """Run the service for a valid form and come back to the plan; otherwise the plan page
    with the form's errors where the form stands."""
    if form.is_valid() and run(form, call) is not None:
        messages.success(request, message)
        return redirect(_plan_url(plan_id, anchor))
    return _page(request, plan_id, failed={place: form})


@staff_required
@methods("get")
def plan_page(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    return _page(request, plan_id)


@staff_required
@methods("post")
def plan_edit(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    """The plan's own part (the youth's words) or its dates (period, next review)."""
    plan = selectors.plan_for_user(viewer=viewer_of(request), plan_id=plan_id, purpose="plan-edit")
    section = request.POST.get("section", "")
    form_class = plan_forms.PLAN_SECTIONS.get(section, plan_forms.OwnPartForm)
    section = section if section in plan_forms.PLAN_SECTIONS else "own"
    form = form_class(request.POST, prefix=section)

    def call() -> Plan:
        data = dict(form.cleaned_data)
        return services.plan_update(
            actor=request.user, plan=plan, version=data.pop("version"), values=data
        )

    return _done(
        request,
        plan.pk,
        form,
        section,
        call,
        _("Planen er lagret."),
        "own-words" if section == "own" else "facts",
    )


def _plan_goal(request: HttpRequest, goal_id: uuid.UUID, purpose: str) -> PlanGoal:
    """A goal the viewer may see, in a plan they reach; else 404 (logged as refused)."""
    viewer = viewer_of(request)
    goal = PlanGoal.objects.filter(pk=goal_id, plan__in=selectors.plans_for(viewer)).first()
    if (
        goal is None
        or not selectors.goal_list(viewer=viewer, plan=goal.plan).filter(pk=goal.pk).exists()
    ):
        raise access.refused(viewer, PlanGoal, goal_id, purpose)
    return goal


@staff_required
@methods("post")
def goal_new(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    plan = selectors.plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="plan-goal-add"
    )
    main_goals = [
        (str(g.pk), g.title)
        for g in plan.goals.filter(parent__isnull=True, removed_at__isnull=True)
    ]
    form = plan_forms.GoalForm(request.POST, prefix="goal", main_goals=main_goals)

    def call() -> PlanGoal:
        data = form.cleaned_data
        parent = services.goal_in_plan(plan, data["parent"], "parent") if data["parent"] else None
        return services.goal_add(
            actor=request.user,
            plan=plan,
            title=data["title"],
            description=data["description"],
            category=data["category"],
            parent=parent,
        )

    return _done(request, plan.pk, form, "goal", call, _("Målet er lagt til."), "goals")


@staff_required
@methods("post")
def goal_edit(request: HttpRequest, goal_id: uuid.UUID) -> HttpResponse:
    goal = _plan_goal(request, goal_id, "plan-goal-change")
    form = plan_forms.GoalEditForm(request.POST, prefix=f"goal-{goal.pk}")

    def call() -> PlanGoal:
        data = dict(form.cleaned_data)
        return services.goal_change(
            actor=request.user, goal=goal, version=data.pop("version"), values=data
        )

    return _done(
        request, goal.plan_id, form, f"goal-{goal.pk}", call, _("Målet er lagret."), "goals"
    )


def _resolve_people(
    form: forms.Form, data: dict[str, Any], plan: Plan
) -> tuple[Service | None, Any]:
    """The chosen service (among those taking part) and responsible person as rows."""
    service = next((s for s in _participating(plan) if str(s.pk) == data["service"]), None)
    if service is None:
        form.add_error("service", _("Velg en tjeneste som deltar i planen."))
    user = None
    if data.get("responsible"):
        user = get_user_model().objects.filter(pk=data["responsible"], is_active=True).first()
        if user is None:
            form.add_error("responsible", _("Velg en gyldig person."))
    return service, user


@staff_required
@methods("post")
def measure_new(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    viewer = viewer_of(request)
    plan = selectors.plan_for_user(viewer=viewer, plan_id=plan_id, purpose="plan-measure-add")
    choices = Choices(plan)
    goals = [(str(g.pk), g.title) for g in selectors.goal_list(viewer=viewer, plan=plan)]
    form = plan_forms.MeasureForm(
        request.POST,
        prefix="measure",
        goals=goals,
        services=choices.service_choices(),
        staff=choices.staff_choices(),
    )

    def call() -> PlanMeasure | None:
        data = form.cleaned_data
        service, responsible = _resolve_people(form, data, plan)
        if form.errors:
            return None
        assert service is not None
        return services.measure_add(
            actor=request.user,
            plan=plan,
            goal=services.goal_in_plan(plan, data["goal"], "goal"),
            title=data["title"],
            service=service,
            responsible=responsible,
            scope=data["scope"],
            how=data["how"],
            category=data["category"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )

    return _done(request, plan.pk, form, "measure", call, _("Tiltaket er lagt til."), "goals")


@staff_required
@methods("post")
def measure_edit(request: HttpRequest, measure_id: uuid.UUID) -> HttpResponse:
    measure = selectors.measure_for_user(
        viewer=viewer_of(request), measure_id=measure_id, purpose="plan-measure-change"
    )
    choices = Choices(measure.plan)
    form = plan_forms.MeasureEditForm(
        request.POST,
        prefix=f"measure-{measure.pk}",
        services=choices.service_choices(),
        staff=choices.staff_choices(),
    )

    def call() -> PlanMeasure | None:
        data = dict(form.cleaned_data)
        service, responsible = _resolve_people(form, data, measure.plan)
        if form.errors:
            return None
        data.update(service=service, responsible=responsible)
        return services.measure_change(
            actor=request.user, measure=measure, version=data.pop("version"), values=data
        )

    return _done(
        request,
        measure.plan_id,
        form,
        f"measure-{measure.pk}",
        call,
        _("Tiltaket er lagret."),
        "goals",
    )


@staff_required
@methods("post")
def participant_new(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    """Add a service (with the youth's consent to it in an individual plan) or a relative."""
    plan = selectors.plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="plan-participant-add"
    )
    form = _participant_form(plan, Choices(plan), request.POST)

    def call() -> PlanParticipant:
        data = form.cleaned_data
        kind = data["kind"]
        service = (
            Service.objects.get(pk=data["service"]) if kind == ParticipantKind.SERVICE else None
        )
        consent = (
            services.PlanConsent(
                giver=Giver.SUBJECT, method=data["method"], agreed_text=data["agreed_text"]
            )
            if service is not None and form.needs_consent
            else None
        )
        return services.participant_add(
            actor=request.user,
            plan=plan,
            part=services.NewParticipant(
                kind=kind,
                service=service,
                name=data["name"] if kind == ParticipantKind.RELATIVE else "",
                relation=data["relation"] if kind == ParticipantKind.RELATIVE else "",
                contribution=data["contribution"],
            ),
            consent=consent,
        )

    return _done(
        request, plan.pk, form, "participant", call, _("Deltakeren er lagt til."), "participants"
    )


@staff_required
@methods("post")
def participant_remove(request: HttpRequest, participant_id: uuid.UUID) -> Any:
    """A participant leaves the plan (the coordinator)."""
    viewer = viewer_of(request)
    participant = PlanParticipant.objects.filter(
        pk=participant_id, plan__in=selectors.plans_for(viewer)
    ).first()
    if participant is None:
        raise access.refused(
            viewer,
            PlanParticipant,
            participant_id,
            "plan-participant-remove",
            youth="plan__youth_id",
        )
    form = VersionForm(request.POST)
    if form.is_valid():
        version = form.cleaned_data["version"]
        run_action(
            request,
            lambda: services.participant_remove(
                actor=request.user, participant=participant, version=version
            ),
            _("Deltakeren er tatt ut av planen."),
        )
    else:
        messages.error(request, _("Last siden på nytt og prøv igjen."))
    return redirect(_plan_url(participant.plan_id, "participants"))


@staff_required
@methods("post")
def coordinator_offer(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    """Offer the coordinator role to a staff member of a participating service: nothing moves
    until they accept."""
    plan = selectors.plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="plan-coordinator-offer"
    )
    choices = Choices(plan)
    form = plan_forms.CoordinatorOfferForm(
        request.POST, prefix="coordinator", people=choices.coordinator_choices()
    )

    def call() -> Any:
        data = form.cleaned_data
        service_id, user_id = data["to"].split(":")
        chosen = next(
            m
            for m in choices.memberships
            if str(m.service_id) == service_id and str(m.user_id) == user_id
        )
        return services.coordinator_offer(
            actor=request.user,
            plan=plan,
            to_user=chosen.user,
            to_service=chosen.service,
            message=data["message"],
        )

    return _done(
        request,
        plan.pk,
        form,
        "coordinator",
        call,
        _("Koordinatorrollen er tilbudt. Du er koordinator til den blir tatt imot."),
        "facts",
    )


@staff_required
@methods("post")
def coordinator_answer(request: HttpRequest, plan_id: uuid.UUID) -> Any:
    """The person offered the coordinator role accepts or declines it."""
    plan = selectors.plan_for_user(
        viewer=viewer_of(request), plan_id=plan_id, purpose="plan-coordinator-answer"
    )
    form = plan_forms.CoordinatorAnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    elif form.cleaned_data["answer"] == "accept":
        run_action(
            request,
            lambda: services.coordinator_accept(actor=request.user, plan=plan),
            _("Du er nå koordinator for planen."),
        )
    else:
        reason = form.cleaned_data["reason"]
        run_action(
            request,
            lambda: services.coordinator_decline(actor=request.user, plan=plan, reason=reason),
            _("Du har avslått koordinatorrollen."),
        )
    return redirect(_plan_url(plan.pk, "facts"))


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
            return redirect(_plan_url(plan.pk, "reviews"))
    return _page(request, plan_id, failed={"review": form})


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
    return redirect(_plan_url(measure.plan_id, "goals"))

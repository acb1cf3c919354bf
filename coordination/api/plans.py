"""API for plans across services: individual plans and stafettlogg plans, their participants,
goals, measures, reviews, history, coordinator handovers and per-plan rights, the child
coordinator, and the coordinator's dashboard. Reads go through the access policy and are
written to the access log in the read's transaction; so is what a write answers with. A refused
attempt is written before any transaction opens, so the 404 does not take it back."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access
from cases.api.base import UUID_PATTERN, validated
from cases.middleware import viewer_of
from coordination.api import plan_serializers as s
from coordination.models import ChildCoordinator, Plan, PlanGoal, PlanMeasure, PlanParticipant
from coordination.plans import documents, grants, selectors, services, versions


def _consent(data: dict[str, Any] | None) -> services.PlanConsent | None:
    return services.PlanConsent(**data) if data else None


def _participant(data: dict[str, Any]) -> services.NewParticipant:
    return services.NewParticipant(**data)


def _log(
    request: Request, purpose: str, plans: list[Plan], extra: list[dict[str, Any]] | None = None
) -> None:
    documents.log_plan_reads(viewer_of(request), purpose, plans, extra)


_item = documents.item


def _participant_item(participant: PlanParticipant) -> dict[str, Any]:
    """Who takes part in the plan is general information, seen on the plan's basis."""
    return _item("plan-participant", participant.pk, "GENERAL", None)


def _plan_response(request: Request, plan_id: Any, code: int = status.HTTP_200_OK) -> Response:
    viewer = viewer_of(request)
    plan = selectors.plan_for_user(viewer=viewer, plan_id=plan_id)
    with transaction.atomic():
        data = documents.plan_document(viewer, plan)
    return Response(s.IndividualPlanDetailSerializer(data).data, status=code)


@extend_schema_view(list=extend_schema(parameters=[s.PlanQuerySerializer]))
class PlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Plans the caller may see: held by their service, or shared with it by the plan's
    consent while their service takes part."""

    lookup_value_regex = UUID_PATTERN
    queryset = Plan.objects.none()
    serializer_class = s.PlanSummarySerializer

    def list(self, request: Request) -> Response:
        query = validated(s.PlanQuerySerializer, request.query_params)
        with transaction.atomic():
            page = self.paginate_queryset(
                selectors.plan_list(
                    viewer=viewer_of(request),
                    youth_id=query.get("youth"),
                    role=query.get("role", ""),
                )
            )
            plans = list(page or [])
            _log(request, "plans", plans)
        return self.get_paginated_response(
            s.PlanSummarySerializer([versions.plan_state(p) for p in plans], many=True).data
        )

    @extend_schema(parameters=[s.PlanAtSerializer], responses=s.IndividualPlanDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """The plan now, or with ``?at=`` as it stood then (what the caller may see now)."""
        query = validated(s.PlanAtSerializer, request.query_params)
        if "at" not in query:
            return _plan_response(request, pk)
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-history"
        )
        with transaction.atomic():
            state, rows = selectors.plan_state_at(
                viewer=viewer_of(request), plan=plan, moment=query["at"]
            )
            if state is None:
                raise Http404
            _log(
                request,
                "plan-history",
                [plan],
                [_item("plan-version", r.pk, r.category, access.basis_of(r)) for r in rows],
            )
        return Response(s.IndividualPlanDetailSerializer(state).data)

    @extend_schema(
        request=s.PlanCreateSerializer, responses={201: s.IndividualPlanDetailSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.PlanCreateSerializer, request.data)
        youth = access.youth_for_user(viewer_of(request), data.pop("youth"), purpose="plan-create")
        plan = services.plan_create(
            actor=request.user,
            youth=youth,
            kind=data.pop("kind"),
            service=data.pop("service"),
            coordinator=data.pop("coordinator"),
            consent=_consent(data.pop("consent")),
            participants=[_participant(p) for p in data.pop("participants")],
            values=data,
        )
        return _plan_response(request, plan.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanEditSerializer, responses=s.IndividualPlanDetailSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(viewer=viewer_of(request), plan_id=pk, purpose="plan-update")
        data = validated(s.PlanEditSerializer, request.data)
        version = data.pop("version")
        services.plan_update(actor=request.user, plan=plan, version=version, values=data)
        return _plan_response(request, pk)

    @extend_schema(request=s.VersionOnlySerializer, responses=s.IndividualPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-activate"
        )
        data = validated(s.VersionOnlySerializer, request.data)
        services.plan_activate(actor=request.user, plan=plan, version=data["version"])
        return _plan_response(request, pk)

    @extend_schema(request=s.PlanCloseSerializer, responses=s.IndividualPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(viewer=viewer_of(request), plan_id=pk, purpose="plan-close")
        data = validated(s.PlanCloseSerializer, request.data)
        services.plan_close(actor=request.user, plan=plan, **data)
        return _plan_response(request, pk)

    @extend_schema(request=s.PlanConvertSerializer, responses=s.IndividualPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str) -> Response:
        """Turn a stafettlogg into an individual plan (needs the youth's consent to it)."""
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-convert"
        )
        data = validated(s.PlanConvertSerializer, request.data)
        services.plan_convert(
            actor=request.user,
            plan=plan,
            version=data["version"],
            consent=_consent(data["consent"]),  # type: ignore[arg-type]
        )
        return _plan_response(request, pk)

    @extend_schema(request=s.ParticipantAddSerializer, responses={201: s.ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-participant-add"
        )
        data = validated(s.ParticipantAddSerializer, request.data)
        consent = _consent(data.pop("consent"))
        participant = services.participant_add(
            actor=request.user, plan=plan, part=_participant(data), consent=consent
        )
        _log(request, "plan-participant-add", [plan], [_participant_item(participant)])
        return Response(
            s.ParticipantSerializer(versions.participant_state(participant)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.GoalInputSerializer, responses={201: s.GoalSerializer})
    @action(detail=True, methods=["post"])
    def goals(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-goal-add"
        )
        data = validated(s.GoalInputSerializer, request.data)
        parent_id = data.pop("parent")
        parent = services.goal_in_plan(plan, parent_id, "parent") if parent_id else None
        goal = services.goal_add(actor=request.user, plan=plan, parent=parent, **data)
        _log(request, "plan-goal-add", [plan], [_item("plan-goal", goal.pk, goal.category, None)])
        return Response(
            s.GoalSerializer(versions.goal_state(goal)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.MeasureInputSerializer, responses={201: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def measures(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-measure-add"
        )
        data = validated(s.MeasureInputSerializer, request.data)
        goal = services.goal_in_plan(plan, data.pop("goal"), "goal")
        measure = services.measure_add(actor=request.user, plan=plan, goal=goal, **data)
        _log(
            request,
            "plan-measure-add",
            [plan],
            [_item("plan-measure", measure.pk, measure.category, None)],
        )
        return Response(
            s.MeasureSerializer(versions.measure_state(measure)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["get"], responses=s.ReviewSerializer(many=True), operation_id="plans_reviews"
    )
    @extend_schema(
        methods=["post"],
        request=s.ReviewInputSerializer,
        responses={201: s.ReviewSerializer},
        operation_id="plans_reviews_add",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def reviews(self, request: Request, pk: str) -> Response:
        """The plan's reviews, newest first; POST records one and sets the next review date."""
        if request.method == "POST":
            plan = selectors.plan_for_user(
                viewer=viewer_of(request), plan_id=pk, purpose="plan-review-add"
            )
            data = validated(s.ReviewInputSerializer, request.data)
            review = services.review_record(
                actor=request.user,
                plan=plan,
                version=data["version"],
                held_on=data["held_on"],
                next_review_on=data["next_review_on"],
                attendee_ids=data["attendees"],
                youth_attended=data["youth_attended"],
                goal_notes=[
                    services.GoalNote(n["goal"], n["achieved"]) for n in data["goal_notes"]
                ],
                changes_agreed=data["changes_agreed"],
                youth_view=data["youth_view"],
            )
            _log(
                request,
                "plan-review-add",
                [plan],
                [_item("plan-review", review.pk, "GENERAL", None)],
            )
            return Response(
                s.ReviewSerializer(versions.review_state(review)).data,
                status=status.HTTP_201_CREATED,
            )
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-reviews"
        )
        with transaction.atomic():
            reviews = list(selectors.review_list(viewer=viewer_of(request), plan=plan))
            rows = [versions.review_state(r, list(r.goal_notes.all())) for r in reviews]
            _log(
                request,
                "plan-reviews",
                [plan],
                [_item("plan-review", r.pk, "GENERAL", None) for r in reviews],
            )
        return Response(s.ReviewSerializer(rows, many=True).data)

    @extend_schema(responses=s.VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        """Every change to the plan (who, when, what), filtered like the live records."""
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-history"
        )
        with transaction.atomic():
            page = self.paginate_queryset(selectors.history(viewer=viewer_of(request), plan=plan))
            rows = list(page or [])
            _log(
                request,
                "plan-history",
                [plan],
                [_item("plan-version", r.pk, r.category, access.basis_of(r)) for r in rows],
            )
        return self.get_paginated_response(s.VersionSerializer(rows, many=True).data)

    @extend_schema(request=s.CoordinatorOfferSerializer, responses={201: s.HandoverRefSerializer})
    @action(detail=True, methods=["post"])
    def coordinator(self, request: Request, pk: str) -> Response:
        """Offer the coordinator role to a staff member of a participating service."""
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-coordinator-offer"
        )
        data = validated(s.CoordinatorOfferSerializer, request.data)
        handover = services.coordinator_offer(actor=request.user, plan=plan, **data)
        _log(request, "plan-coordinator-offer", [plan])
        return Response(s.HandoverRefSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.IndividualPlanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="coordinator/accept")
    def coordinator_accept(self, request: Request, pk: str) -> Response:
        """The person offered the role accepts it: from now on they coordinate."""
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-coordinator-accept"
        )
        services.coordinator_accept(actor=request.user, plan=plan)
        return _plan_response(request, pk)

    @extend_schema(
        request=s.CoordinatorDeclineSerializer, responses=s.IndividualPlanDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="coordinator/decline")
    def coordinator_decline(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-coordinator-decline"
        )
        data = validated(s.CoordinatorDeclineSerializer, request.data)
        services.coordinator_decline(actor=request.user, plan=plan, reason=data["reason"])
        return _plan_response(request, pk)

    @extend_schema(
        methods=["get"], responses=s.GrantSerializer(many=True), operation_id="plans_permissions"
    )
    @extend_schema(
        methods=["post"],
        request=s.GrantInputSerializer,
        responses=s.GrantSerializer(many=True),
        operation_id="plans_permissions_grant",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def permissions(self, request: Request, pk: str) -> Response:
        """Extra rights the coordinator has given participants on this plan."""
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-permissions"
        )
        if request.method == "POST":
            data = validated(s.GrantInputSerializer, request.data)
            services.grant_permission(
                actor=request.user, plan=plan, user=data["user"], codename=data["permission"]
            )
        return self._grants(request, plan)

    @extend_schema(request=s.GrantInputSerializer, responses=s.GrantSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="permissions/revoke")
    def permissions_revoke(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="plan-permissions"
        )
        data = validated(s.GrantInputSerializer, request.data)
        services.revoke_permission(
            actor=request.user, plan=plan, user=data["user"], codename=data["permission"]
        )
        return self._grants(request, plan)

    @staticmethod
    def _grants(request: Request, plan: Plan) -> Response:
        """Who may do what on the plan: a look at the youth's plan, logged as one."""
        rows = [{"user": u, "permissions": p} for u, p in grants.grants_of(plan).items()]
        _log(request, "plan-permissions", [plan])
        return Response(s.GrantSerializer(rows, many=True).data)

    @extend_schema(responses=s.DashboardSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def dashboard(self, request: Request) -> Response:
        """For coordinators: my open plans, their next reviews, overdue measures, plans whose
        consent runs out soon; for managers also plans without an active coordinator."""
        with transaction.atomic():
            board = selectors.dashboard(viewer=viewer_of(request))
            today = timezone.localdate()
            measures = [
                {**versions.measure_state(m), "plan": m.plan_id, "youth": m.youth_id}
                for m in board.overdue_measures
            ]
            shown = {p.pk: p for p in [*board.plans, *board.without_coordinator]}
            _log(
                request,
                "plan-dashboard",
                list(shown.values()),
            )
        return Response(
            s.DashboardSerializer(
                {
                    "plans": [versions.plan_state(p) for p in board.plans],
                    "next_reviews": [
                        versions.plan_state(p)
                        for p in board.plans
                        if p.next_review_on is not None and p.next_review_on >= today
                    ],
                    "overdue_measures": measures,
                    "consent_expiring": [versions.plan_state(p) for p in board.consent_expiring],
                    "without_coordinator": [
                        versions.plan_state(p) for p in board.without_coordinator
                    ],
                }
            ).data
        )


class _PlanPartViewSet(viewsets.GenericViewSet):
    """A part of a plan (participant, goal, measure), found through the plans the caller sees."""

    lookup_value_regex = UUID_PATTERN
    model: type[Any]

    purpose: str

    def get_part(self, request: Request, pk: str) -> Any:
        viewer = viewer_of(request)
        try:
            return self.model.objects.select_related("plan").get(
                pk=pk, plan__in=selectors.plans_for(viewer)
            )
        except (self.model.DoesNotExist, ValueError):
            raise access.refused(
                viewer, self.model, pk, self.purpose, youth="plan__youth_id"
            ) from None

    def log_part(self, request: Request, change: str, part: Any) -> None:
        """The part a write answers with (``change``: what the write did), seen on the plan's
        basis."""
        _log(request, f"{self.purpose}-{change}", [part.plan], [self.item(part)])

    def item(self, part: Any) -> dict[str, Any]:
        return _item(self.purpose, part.pk, part.category, None)


class PlanParticipantViewSet(_PlanPartViewSet):
    queryset = PlanParticipant.objects.none()
    serializer_class = s.ParticipantSerializer
    model = PlanParticipant
    purpose = "plan-participant"

    def item(self, part: Any) -> dict[str, Any]:
        return _participant_item(part)

    @extend_schema(request=s.ParticipantEditSerializer, responses=s.ParticipantSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        participant = self.get_part(request, pk)
        data = validated(s.ParticipantEditSerializer, request.data)
        version = data.pop("version")
        result = services.participant_change(
            actor=request.user, participant=participant, version=version, values=data
        )
        self.log_part(request, "change", participant)
        return Response(s.ParticipantSerializer(versions.participant_state(result)).data)

    @extend_schema(request=s.VersionOnlySerializer, responses=s.ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str) -> Response:
        """The participant leaves the plan (their service stops seeing it)."""
        participant = self.get_part(request, pk)
        data = validated(s.VersionOnlySerializer, request.data)
        result = services.participant_remove(
            actor=request.user, participant=participant, version=data["version"]
        )
        self.log_part(request, "remove", participant)
        return Response(s.ParticipantSerializer(versions.participant_state(result)).data)


class PlanGoalViewSet(_PlanPartViewSet):
    queryset = PlanGoal.objects.none()
    serializer_class = s.GoalSerializer
    model = PlanGoal
    purpose = "plan-goal"

    def get_part(self, request: Request, pk: str) -> Any:
        goal = super().get_part(request, pk)
        # A goal the caller may not see is not there for them (the category rule).
        viewer = viewer_of(request)
        if not selectors.goal_list(viewer=viewer, plan=goal.plan).filter(pk=goal.pk).exists():
            raise access.refused(viewer, PlanGoal, pk, self.purpose)
        return goal

    @extend_schema(request=s.GoalEditSerializer, responses=s.GoalSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        goal = self.get_part(request, pk)
        data = validated(s.GoalEditSerializer, request.data)
        version = data.pop("version")
        result = services.goal_change(actor=request.user, goal=goal, version=version, values=data)
        self.log_part(request, "change", result)
        return Response(s.GoalSerializer(versions.goal_state(result)).data)

    @extend_schema(request=s.VersionOnlySerializer, responses=s.GoalSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str) -> Response:
        goal = self.get_part(request, pk)
        data = validated(s.VersionOnlySerializer, request.data)
        result = services.goal_remove(actor=request.user, goal=goal, version=data["version"])
        self.log_part(request, "remove", goal)
        return Response(s.GoalSerializer(versions.goal_state(result)).data)


class PlanMeasureViewSet(_PlanPartViewSet):
    queryset = PlanMeasure.objects.none()
    serializer_class = s.MeasureSerializer
    model = PlanMeasure
    purpose = "plan-measure"

    def get_part(self, request: Request, pk: str) -> Any:
        return selectors.measure_for_user(viewer=viewer_of(request), measure_id=pk)

    @extend_schema(request=s.MeasureEditSerializer, responses=s.MeasureSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        measure = self.get_part(request, pk)
        data = validated(s.MeasureEditSerializer, request.data)
        version = data.pop("version")
        result = services.measure_change(
            actor=request.user, measure=measure, version=version, values=data
        )
        self.log_part(request, "change", result)
        return Response(s.MeasureSerializer(versions.measure_state(result)).data)

    @extend_schema(request=s.VersionOnlySerializer, responses=s.MeasureSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str) -> Response:
        measure = self.get_part(request, pk)
        data = validated(s.VersionOnlySerializer, request.data)
        result = services.measure_remove(
            actor=request.user, measure=measure, version=data["version"]
        )
        self.log_part(request, "remove", measure)
        return Response(s.MeasureSerializer(versions.measure_state(result)).data)


@extend_schema_view(list=extend_schema(parameters=[s.ChildCoordinatorQuerySerializer]))
class ChildCoordinatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The family's right to a child coordinator, and who is appointed (per youth)."""

    lookup_value_regex = UUID_PATTERN
    queryset = ChildCoordinator.objects.none()
    serializer_class = s.ChildCoordinatorSerializer
    pagination_class = None

    def list(self, request: Request) -> Response:
        query = validated(s.ChildCoordinatorQuerySerializer, request.query_params)
        youth = access.youth_for_user(
            viewer_of(request), query["youth"], purpose="child-coordinators"
        )
        with transaction.atomic():
            rows = list(selectors.child_coordinator_list(youth=youth))
            access.log_items(
                viewer_of(request),
                "child-coordinators",
                youth.pk,
                [_item("child-coordinator", r.pk, "GENERAL", "general") for r in rows],
            )
        return Response(s.ChildCoordinatorSerializer(rows, many=True).data)

    @extend_schema(
        request=s.ChildCoordinatorInputSerializer, responses={201: s.ChildCoordinatorSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.ChildCoordinatorInputSerializer, request.data)
        youth = access.youth_for_user(
            viewer_of(request), data.pop("youth"), purpose="child-coordinator"
        )
        record = services.child_coordinator_record(actor=request.user, youth=youth, **data)
        self._log(request, "child-coordinator-record", record)
        return Response(s.ChildCoordinatorSerializer(record).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _log(request: Request, purpose: str, record: ChildCoordinator) -> None:
        access.log_items(
            viewer_of(request),
            purpose,
            record.youth_id,
            [_item("child-coordinator", record.pk, "GENERAL", "general")],
        )

    def _record(self, request: Request, pk: str, purpose: str) -> ChildCoordinator:
        viewer = viewer_of(request)
        try:
            return ChildCoordinator.objects.get(pk=pk, youth__in=access.reachable_youths(viewer))
        except (ChildCoordinator.DoesNotExist, ValueError):
            raise access.refused(viewer, ChildCoordinator, pk, purpose) from None

    @extend_schema(request=s.AppointSerializer, responses=s.ChildCoordinatorSerializer)
    @action(detail=True, methods=["post"])
    def appoint(self, request: Request, pk: str) -> Response:
        record = self._record(request, pk, "child-coordinator-appoint")
        data = validated(s.AppointSerializer, request.data)
        record = services.child_coordinator_appoint(
            actor=request.user, record=record, coordinator=data["coordinator"]
        )
        self._log(request, "child-coordinator-appoint", record)
        return Response(s.ChildCoordinatorSerializer(record).data)

    @extend_schema(request=s.EndSerializer, responses=s.ChildCoordinatorSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        record = self._record(request, pk, "child-coordinator-end")
        data = validated(s.EndSerializer, request.data)
        record = services.child_coordinator_end(
            actor=request.user, record=record, reasons=data["reasons"]
        )
        self._log(request, "child-coordinator-end", record)
        return Response(s.ChildCoordinatorSerializer(record).data)

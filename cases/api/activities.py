"""API for NAV follow-up: §14a decisions, activity plans, activities and activity cards pushed
by other systems. Reads go through the access policy and are written to the access log, and so
are what a write answers with and refused attempts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import activity_serializers as s
from cases.api.base import UUID_PATTERN, active_service, log_answer, validated
from cases.api.youth_plan import ActivityYouthPlanMixin
from cases.middleware import viewer_of
from cases.models import Activity, ActivityPlan, PortalAccount


def _log(request: Request, purpose: str, youth_id: Any, items: list[dict[str, Any]]) -> None:
    access.log_items(viewer_of(request), purpose, youth_id, items)


def _log_plan_part(request: Request, purpose: str, plan: ActivityPlan, items: Any) -> None:
    """What a write on an activity plan answers with (``plan`` as read through the gate, with
    its period's service): seen through the NAV office that holds the plan."""
    log_answer(request, purpose, plan.youth_id, items, through=[plan.period.service_id])


def _activity_item(activity: Activity, plan: ActivityPlan) -> dict[str, Any]:
    """An activity a write answers with, seen on what let the writer see its plan."""
    item = {"type": "activity", "id": str(activity.pk), "category": activity.category}
    return {**item, "basis": access.basis_of(plan)}


class YouthDecisionsMixin:
    """§14a decisions of one youth, mixed into the youths viewset."""

    request: Any

    @extend_schema(
        methods=["get"], responses=s.DecisionSerializer(many=True), operation_id="youths_decisions"
    )
    @extend_schema(
        methods=["post"],
        request=s.DecisionInputSerializer,
        responses={201: s.DecisionSerializer},
        operation_id="youths_decisions_add",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def decisions(self, request: Request, pk: str) -> Response:
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-decisions")
        if request.method == "POST":
            data = validated(s.DecisionInputSerializer, request.data)
            service = access.service_for_user(viewer_of(request), data.pop("service"))
            decision = services.decision_record(
                actor=request.user, youth=youth, service=service, **data
            )
            item = {"type": "decision", "id": str(decision.pk), "category": "WORK_AND_WELFARE"}
            log_answer(
                request,
                "decision-record",
                youth.pk,
                [{**item, "basis": "own"}],
                through=[service.pk],
            )
            return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            decisions = list(selectors.decision_list(viewer=viewer_of(request), youth=youth))
            _log(
                request,
                "youth-decisions",
                youth.pk,
                [selectors.item("decision", d, "WORK_AND_WELFARE") for d in decisions],
            )
        return Response(s.DecisionSerializer(decisions, many=True).data)


@extend_schema_view(list=extend_schema(parameters=[s.PlanQuerySerializer]))
class ActivityPlanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Activity plans the caller may see; one per NAV follow-up period."""

    lookup_value_regex = UUID_PATTERN
    queryset = ActivityPlan.objects.none()
    serializer_class = s.PlanSerializer

    def list(self, request: Request) -> Response:
        query = validated(s.PlanQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        with transaction.atomic():
            page = self.paginate_queryset(
                selectors.activity_plan_list(viewer=viewer, youth_id=query.get("youth"))
            )
            access.log_reads(
                viewer,
                "activity-plans",
                [
                    access.Read(
                        youth_id=plan.youth_id,
                        following_service_ids=[plan.period.service_id],
                        items=[selectors.item("activity-plan", plan, "WORK_AND_WELFARE")],
                    )
                    for plan in page or []
                ],
            )
        return self.get_paginated_response(s.PlanSerializer(page, many=True).data)

    @extend_schema(responses=s.PlanDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        plan = selectors.activity_plan_for_user(viewer=viewer_of(request), plan_id=pk)
        with transaction.atomic():
            activities = list(selectors.activity_list(viewer=viewer_of(request), plan=plan))
            _log(
                request,
                "activity-plan",
                plan.youth_id,
                selectors.activity_plan_items(plan, activities),
            )
        return Response(s.PlanDetailSerializer(plan, context={"activities": activities}).data)

    @extend_schema(request=s.PlanInputSerializer, responses={201: s.PlanSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.PlanInputSerializer, request.data)
        youth = access.youth_for_user(
            viewer_of(request), data["youth"], purpose="activity-plan-create"
        )
        service = access.service_for_user(viewer_of(request), data["service"])
        plan = services.activity_plan_create(actor=request.user, youth=youth, service=service)
        item = {"type": "activity-plan", "id": str(plan.pk), "category": "WORK_AND_WELFARE"}
        log_answer(
            request,
            "activity-plan-create",
            youth.pk,
            [{**item, "basis": "own"}],
            through=[service.pk],
        )
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ActivityPlanVersionSerializer, responses=s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        read = selectors.activity_plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="activity-plan-approve"
        )
        data = validated(s.ActivityPlanVersionSerializer, request.data)
        plan = services.activity_plan_approve(
            actor=request.user, plan=read, version=data["version"]
        )
        _log_plan_part(
            request,
            "activity-plan-approve",
            read,
            [selectors.item("activity-plan", read, "WORK_AND_WELFARE")],
        )
        return Response(s.PlanSerializer(plan).data)

    @extend_schema(request=s.ActivityInputSerializer, responses={201: s.ActivitySerializer})
    @action(detail=True, methods=["post"])
    def activities(self, request: Request, pk: str) -> Response:
        plan = selectors.activity_plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="activity-add"
        )
        data = validated(s.ActivityInputSerializer, request.data)
        data["responsible_service"] = active_service(data["responsible_service"])
        activity = services.activity_add(actor=request.user, plan=plan, **data)
        _log_plan_part(request, "activity-add", plan, [_activity_item(activity, plan)])
        return Response(s.ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ActivityCardSerializer,
        responses={201: s.ActivitySerializer, 200: s.ActivitySerializer},
    )
    @action(detail=True, methods=["post"])
    def cards(self, request: Request, pk: str) -> Response:
        """Push an activity card from another system: created once (201), then updated in
        place (200) when sent again with the same source and external id."""
        plan = selectors.activity_plan_for_user(
            viewer=viewer_of(request), plan_id=pk, purpose="activity-card"
        )
        data = validated(s.ActivityCardSerializer, request.data)
        source, external_id = data.pop("source"), data.pop("external_id")
        data["responsible_service"] = active_service(data["responsible_service"])
        activity, created = services.activity_push(
            actor=request.user, plan=plan, source=source, external_id=external_id, values=data
        )
        _log_plan_part(request, "activity-card", plan, [_activity_item(activity, plan)])
        return Response(
            s.ActivitySerializer(activity).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ActivityViewSet(ActivityYouthPlanMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One activity: read, change (optimistic version), and its version history."""

    lookup_value_regex = UUID_PATTERN
    queryset = Activity.objects.none()
    serializer_class = s.ActivitySerializer

    def retrieve(self, request: Request, pk: str) -> Response:
        activity = selectors.activity_for_user(viewer=viewer_of(request), activity_id=pk)
        with transaction.atomic():
            _log(
                request,
                "activity",
                activity.youth_id,
                [selectors.item("activity", activity, activity.category)],
            )
        return Response(s.ActivitySerializer(activity).data)

    @extend_schema(request=s.ActivityEditSerializer, responses=s.ActivitySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        read = selectors.activity_for_user(
            viewer=viewer_of(request), activity_id=pk, purpose="activity-change"
        )
        data = validated(s.ActivityEditSerializer, request.data)
        version = data.pop("version")
        texts = {k: data.pop(k) for k in ("staff_text", "youth_text", "agreed_note") if k in data}
        if "responsible_service" in data:
            data["responsible_service"] = active_service(data["responsible_service"])
        activity = services.activity_change(
            actor=request.user, activity=read, version=version, values=data, **texts
        )
        log_answer(
            request,
            "activity-change",
            activity.youth_id,
            [selectors.item("activity", read, activity.category)],
            through=[read.plan.period.service_id],
        )
        return Response(s.ActivitySerializer(activity).data)

    @extend_schema(responses=s.ActivityVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        activity = selectors.activity_for_user(
            viewer=viewer_of(request), activity_id=pk, purpose="activity-versions"
        )
        with transaction.atomic():
            versions = list(
                activity.versions.select_related("changed_by")
                .annotate(
                    by_min_side=Exists(
                        PortalAccount.objects.filter(user_id=OuterRef("changed_by_id"))
                    )
                )
                .order_by("version")
            )
            _log(
                request,
                "activity-versions",
                activity.youth_id,
                [selectors.item("activity", activity, activity.category)],
            )
        return Response(s.ActivityVersionSerializer(versions, many=True).data)

"""API for handovers (*stafett*) sent from or to the caller's services. Lists, the handovers a
write answers with and refused attempts are written to the access log."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import handover_serializers as s
from cases.api.base import UUID_PATTERN, active_service, validated
from cases.middleware import viewer_of
from cases.models import FollowUpPeriod, Handover, HandoverKind
from core.errors import ApplicationError


class HandoverViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Handovers (stafett) sent from or to the caller's services."""

    lookup_value_regex = UUID_PATTERN
    queryset = Handover.objects.none()
    serializer_class = s.HandoverSerializer

    def list(self, request: Request) -> Response:
        with transaction.atomic():
            page = self.paginate_queryset(selectors.handover_list(viewer=viewer_of(request)))
            access.log_handovers(viewer_of(request), "handovers", page or [])
        return self.get_paginated_response(s.HandoverSerializer(page, many=True).data)

    @extend_schema(request=s.HandoverInputSerializer, responses={201: s.HandoverSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.HandoverInputSerializer, request.data)
        viewer = viewer_of(request)
        period_id = data.pop("period")
        try:
            period = access.own_service_periods(viewer).get(pk=period_id)
        except FollowUpPeriod.DoesNotExist:
            raise access.refused(viewer, FollowUpPeriod, period_id, "handover-offer") from None
        handover = services.handover_offer(
            actor=request.user,
            period=period,
            to_service=active_service(data.pop("to_service")),
            **data,
        )
        access.log_handovers(viewer, "handover-offer", [handover])
        return Response(s.HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept responsibility. A plan's coordinator is accepted on the plan
        (``/plans/{id}/coordinator/accept/``), which also moves the coordinator."""
        viewer = viewer_of(request)
        handover = selectors.handover_for_user(
            viewer=viewer, handover_id=pk, purpose="handover-accept"
        )
        if handover.kind != HandoverKind.RESPONSIBILITY:
            message = _("Denne stafetten gjelder en plan og besvares i planen.")
            raise ApplicationError(message, code="answer_in_plan")
        accepted = services.handover_accept(actor=request.user, handover=handover)
        access.log_handovers(viewer, "handover-accept", [accepted])
        return Response(s.HandoverSerializer(accepted).data)

    @extend_schema(request=s.HandoverDeclineSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        handover = selectors.handover_for_user(
            viewer=viewer, handover_id=pk, purpose="handover-decline"
        )
        data = validated(s.HandoverDeclineSerializer, request.data)
        result = services.handover_decline(
            actor=request.user, handover=handover, reason=data["reason"]
        )
        access.log_handovers(viewer, "handover-decline", [result])
        return Response(s.HandoverSerializer(result).data)

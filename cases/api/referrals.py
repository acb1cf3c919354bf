"""API for referrals between services: the inbox and outbox of the caller's services, sending,
and the state changes. Reads are written to the access log, and so are the referrals a write
answers with and refused attempts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import referral_serializers as s
from cases.api.base import UUID_PATTERN, active_service, validated
from cases.middleware import viewer_of
from cases.models import Referral


@extend_schema_view(list=extend_schema(parameters=[s.ReferralQuerySerializer]))
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referral inbox and outbox of the caller's services, and the state changes."""

    lookup_value_regex = UUID_PATTERN
    queryset = Referral.objects.none()
    serializer_class = s.ReferralSerializer

    def list(self, request: Request) -> Response:
        query = validated(s.ReferralQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        referrals = selectors.referral_list(
            viewer=viewer,
            box=query["box"],
            states=(query["state"],) if "state" in query else (),
            overdue=query["overdue"],
            today=timezone.localdate(),
        )
        page: list[dict[str, Any]] = self.paginate_queryset(referrals) or []  # type: ignore[arg-type]  # pages itself
        access.log_referrals(viewer, f"referrals-{query['box']}", page)
        return self.get_paginated_response(s.ReferralSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        referral = selectors.referral_for_user(viewer=viewer, referral_id=pk)
        with transaction.atomic():
            if access.works_in(viewer, referral.to_service_id):
                referral = services.referral_open(actor=request.user, referral=referral)
            access.log_referrals(viewer, "referral", [access.referral_values(referral)])
        return Response(s.ReferralSerializer(referral).data)

    @extend_schema(request=s.ReferralInputSerializer, responses={201: s.ReferralSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.ReferralInputSerializer, request.data)
        viewer = viewer_of(request)
        youth = access.youth_for_user(viewer, data.pop("youth"), purpose="referral-send")
        from_service = access.service_for_user(viewer, data.pop("from_service"))
        to_service = active_service(data.pop("to_service"))
        referral = services.referral_send(
            actor=request.user,
            youth=youth,
            from_service=from_service,
            to_service=to_service,
            **data,
        )
        access.log_referrals(viewer, "referral-send", [access.referral_values(referral)])
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _act(self, pk: str, name: str, service: Any, serializer: Any) -> Response:
        viewer = viewer_of(self.request)
        purpose = f"referral-{name}"
        referral = selectors.referral_for_user(viewer=viewer, referral_id=pk, purpose=purpose)
        data = validated(serializer, self.request.data)
        result = service(actor=self.request.user, referral=referral, **data)
        access.log_referrals(viewer, purpose, [access.referral_values(result)])
        return Response(s.ReferralSerializer(result).data)

    @extend_schema(request=s.AcceptSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(pk, "accept", services.referral_accept, s.AcceptSerializer)

    @extend_schema(request=s.DeclineSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._act(pk, "decline", services.referral_decline, s.DeclineSerializer)

    @extend_schema(request=s.VersionSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return self._act(pk, "withdraw", services.referral_withdraw, s.VersionSerializer)

    @extend_schema(request=s.VersionSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._act(pk, "close", services.referral_close, s.VersionSerializer)

    @extend_schema(request=s.RerouteSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def reroute(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        referral = selectors.referral_for_user(
            viewer=viewer, referral_id=pk, purpose="referral-reroute"
        )
        data = validated(s.RerouteSerializer, request.data)
        new = services.referral_reroute(
            actor=request.user,
            referral=referral,
            version=data["version"],
            to_service=active_service(data["to_service"]),
            message=data["message"],
        )
        access.log_referrals(viewer, "referral-reroute", [access.referral_values(new)])
        return Response(s.ReferralSerializer(new).data, status=status.HTTP_201_CREATED)

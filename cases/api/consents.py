"""API for consents: a youth's consents recorded and read, and a consent withdrawn. Reads and
what a write answers with are written to the access log; so is a refused attempt."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api import consent_serializers as s
from cases.api.base import UUID_PATTERN, active_service, log_answer, log_youth_read, validated
from cases.middleware import viewer_of
from consent.models import Consent
from consent.services import Flow


def _log_consent(request: Request, purpose: str, consent: Consent) -> None:
    """A consent a write answers with, seen through the caller's services."""
    log_answer(
        request,
        purpose,
        consent.subject_id,
        [selectors.consent_item(consent)],
        through=viewer_of(request).reach,
    )


class YouthConsentsMixin:
    """The consents of one youth, mixed into the youths viewset."""

    request: Any

    @extend_schema(
        methods=["get"], responses=s.ConsentSerializer(many=True), operation_id="youths_consents"
    )
    @extend_schema(
        methods=["post"],
        request=s.ConsentInputSerializer,
        responses={201: s.ConsentSerializer},
        operation_id="youths_consents_add",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consents(self, request: Request, pk: str) -> Response:
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-consents")
        if request.method == "POST":
            data = validated(s.ConsentInputSerializer, request.data)
            flows = [
                Flow(
                    categories=flow["categories"],
                    from_party=active_service(flow["from_service"]),
                    from_kind=flow["from_kind"],
                    to_party=active_service(flow["to_service"]),
                    to_kind=flow["to_kind"],
                    kind_reason=flow["kind_reason"],
                )
                for flow in data.pop("flows")
            ]
            replaces = data.pop("replaces")
            if replaces is not None:
                replaces = selectors.consent_for_user(
                    viewer=viewer_of(request), consent_id=replaces, purpose="consent-replace"
                )
            consent = services.consent_give(
                actor=request.user, youth=youth, flows=flows, replaces=replaces, **data
            )
            _log_consent(request, "consent-give", consent)
            return Response(s.ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            consents = list(selectors.consent_list(youth=youth))
            log_youth_read(
                request, "youth-consents", youth, [selectors.consent_item(c) for c in consents]
            )
        return Response(s.ConsentSerializer(consents, many=True).data)


def _log_objection(request: Request, purpose: str, objection: Any) -> None:
    """The objection a write answers with: health information, held by the health service it
    was recorded through."""
    item = {"type": "health-objection", "id": str(objection.pk), "category": "HEALTH"}
    log_answer(
        request,
        purpose,
        objection.youth_id,
        [{**item, "basis": "own"}],
        through=[objection.service_id],
    )


class YouthHealthObjectionMixin:
    """A youth of 12 to 15 objects to guardians being told about their health, recorded by
    health staff (pasient- og brukerrettighetsloven § 3-4 second paragraph)."""

    request: Any

    @extend_schema(
        request=s.HealthObjectionInputSerializer,
        responses={201: s.HealthObjectionSerializer},
        operation_id="youths_health_objection_add",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="health-objection",
        url_name="health-objection",
        pagination_class=None,
    )
    def health_objection(self, request: Request, pk: str) -> Response:
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-health-objection")
        data = validated(s.HealthObjectionInputSerializer, request.data)
        objection = services.health_objection_record(
            actor=request.user, youth=youth, service=active_service(data["service"])
        )
        _log_objection(request, "health-objection", objection)
        return Response(s.HealthObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.HealthObjectionInputSerializer,
        responses=s.HealthObjectionSerializer,
        operation_id="youths_health_objection_withdraw",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="health-objection/withdraw",
        url_name="health-objection-withdraw",
        pagination_class=None,
    )
    def health_objection_withdraw(self, request: Request, pk: str) -> Response:
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-health-objection")
        data = validated(s.HealthObjectionInputSerializer, request.data)
        objection = services.health_objection_withdraw(
            actor=request.user, youth=youth, service=active_service(data["service"])
        )
        _log_objection(request, "health-objection-withdraw", objection)
        return Response(s.HealthObjectionSerializer(objection).data)


class ConsentViewSet(viewsets.GenericViewSet):
    """Withdrawing a consent (recording one is on the youth: /youths/{id}/consents/)."""

    lookup_value_regex = UUID_PATTERN
    queryset = Consent.objects.none()
    serializer_class = s.ConsentSerializer

    @extend_schema(request=s.GuardianAnswerSerializer, responses=s.ConsentSerializer)
    @action(detail=True, methods=["post"], url_path="guardian-answer", url_name="guardian-answer")
    def guardian_answer(self, request: Request, pk: str) -> Response:
        """One more guardian's own answer on a consent that waits for it."""
        consent = selectors.consent_for_user(
            viewer=viewer_of(request), consent_id=pk, purpose="consent-guardian-answer"
        )
        data = validated(s.GuardianAnswerSerializer, request.data)
        consent = services.consent_guardian_answer(actor=request.user, consent=consent, **data)
        consent = selectors.consent_list(youth=consent.subject).get(pk=consent.pk)
        _log_consent(request, "consent-guardian-answer", consent)
        return Response(s.ConsentSerializer(consent).data)

    @extend_schema(request=s.WithdrawSerializer, responses=s.ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        consent = selectors.consent_for_user(
            viewer=viewer_of(request), consent_id=pk, purpose="consent-withdraw"
        )
        data = validated(s.WithdrawSerializer, request.data)
        consent = services.consent_withdraw(
            actor=request.user, consent=consent, method=data["method"]
        )
        _log_consent(request, "consent-withdraw", consent)
        return Response(s.ConsentSerializer(consent).data)

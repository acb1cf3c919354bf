"""API for consent-bound sharing: follow-up log, consents, timeline, referrals, handovers and
the access log. Every read of a youth's information is written to the access log in the same
transaction as the read (``cases.access.log_reads``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, reads, selectors, services, timeline
from cases.api import sharing_serializers as s
from cases.api.base import UUID_PATTERN, validated
from cases.middleware import viewer_of
from cases.models import (
    FollowUpEntry,
    FollowUpPeriod,
    Handover,
    HandoverKind,
    Referral,
    Service,
    StaffRole,
)
from cases.referral_list import ReferralFilter, ReferralList, ReferralRow
from consent.errors import ApplicationError
from consent.models import AccessLogEntry, Consent
from consent.services import Flow


def log_youth_read(request: Request, purpose: str, youth: Any, items: Any = ()) -> None:
    reads.log_youth_read(viewer_of(request), purpose, youth, items)


class YouthInformationMixin:
    """Actions on one youth's consent-bound information, mixed into the youths viewset."""

    request: Any

    def _youth(self, pk: str, purpose: str) -> Any:
        return access.youth_for_user(self.request.user, pk, purpose=purpose)

    @extend_schema(
        methods=["get"], responses=s.EntrySerializer(many=True), operation_id="youths_entries"
    )
    @extend_schema(
        methods=["post"],
        request=s.EntryInputSerializer,
        responses={201: s.EntrySerializer},
        operation_id="youths_entries_add",
    )
    @action(detail=True, methods=["get", "post"])
    def entries(self, request: Request, pk: str) -> Response:
        youth = self._youth(pk, "youth-entries")
        if request.method == "POST":
            data = validated(s.EntryInputSerializer, request.data)
            service = access.service_for_user(request.user, data.pop("service"))
            corrects = data.pop("corrects")
            if corrects is not None:
                corrects = selectors.entry_for_user(user=request.user, entry_id=corrects)
            entry = services.entry_log(
                actor=request.user, youth=youth, service=service, corrects=corrects, **data
            )
            return Response(s.EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            page = self.paginate_queryset(selectors.entry_list(user=request.user, youth=youth))  # type: ignore[attr-defined]
            log_youth_read(request, "youth-entries", youth, [reads.entry_item(e) for e in page])
        return self.get_paginated_response(s.EntrySerializer(page, many=True).data)  # type: ignore[attr-defined]

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
        youth = self._youth(pk, "youth-consents")
        if request.method == "POST":
            data = validated(s.ConsentInputSerializer, request.data)
            flows = [
                Flow(
                    categories=flow["categories"],
                    from_party=_service(flow["from_service"]),
                    from_kind=flow["from_kind"],
                    to_party=_service(flow["to_service"]),
                    to_kind=flow["to_kind"],
                )
                for flow in data.pop("flows")
            ]
            replaces = data.pop("replaces")
            if replaces is not None:
                replaces = selectors.consent_for_user(user=request.user, consent_id=replaces)
            consent = services.consent_give(
                actor=request.user, youth=youth, flows=flows, replaces=replaces, **data
            )
            return Response(s.ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            consents = list(selectors.consent_list(youth=youth))
            log_youth_read(
                request,
                "youth-consents",
                youth,
                [
                    {"type": "consent", "id": str(c.pk), "category": "GENERAL", "basis": "general"}
                    for c in consents
                ],
            )
        return Response(s.ConsentSerializer(consents, many=True).data)

    @extend_schema(
        parameters=[s.TimelineQuerySerializer],
        responses=inline_serializer(
            "TimelinePage",
            {
                "next": serializers.CharField(
                    allow_null=True, help_text=_("Peker til neste side (cursor), eller null.")
                ),
                "results": s.TimelineItemSerializer(many=True),
            },
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)  # the gate and the access log share it
        youth = access.youth_for_user(viewer, pk, purpose="youth-timeline")
        query = validated(s.TimelineQuerySerializer, request.query_params)
        try:
            cursor = timeline.decode_cursor(query["cursor"]) if "cursor" in query else None
        except timeline.InvalidCursor:
            raise serializers.ValidationError({"cursor": [_("Ugyldig peker.")]}) from None
        items, next_key, mine = reads.timeline_read(
            user=viewer,
            youth=youth,
            purpose="youth-timeline",
            cursor=cursor,
            limit=query["page_size"],
        )
        return Response(
            {
                "next": timeline.encode_cursor(next_key) if next_key else None,
                # One serializer for the page: its fields are built once, not per item.
                "results": s.TimelineItemSerializer(
                    [reads.timeline_fields(item, mine) for item in items], many=True
                ).data,
            }
        )


def _service(pk: Any) -> Any:
    if pk is None:
        return None
    try:
        return Service.objects.get(pk=pk, is_active=True)
    except Service.DoesNotExist:
        raise Http404 from None


class EntryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One follow-up entry: read (through the policy), edit (author, 24 hours), delete."""

    lookup_value_regex = UUID_PATTERN
    queryset = FollowUpEntry.objects.none()
    serializer_class = s.EntrySerializer

    def retrieve(self, request: Request, pk: str) -> Response:
        with transaction.atomic():
            entry = selectors.entry_for_user(user=request.user, entry_id=pk)
            access.log_reads(
                viewer_of(request),
                "entry",
                [
                    access.Read(
                        youth_id=entry.youth_id,
                        following_service_ids=[entry.service_id],
                        items=[reads.entry_item(entry)],
                    )
                ],
            )
        return Response(s.EntrySerializer(entry).data)

    @extend_schema(request=s.EntryEditSerializer, responses=s.EntrySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = selectors.entry_for_user(user=request.user, entry_id=pk)
        data = validated(s.EntryEditSerializer, request.data)
        entry = services.entry_edit(actor=request.user, entry=entry, **data)
        return Response(s.EntrySerializer(entry).data)

    # Not named ``delete``: DRF hands an HTTP method to the view method of the same name, so
    # DELETE on the entry would have reached this action without the documented POST.
    @extend_schema(request=s.ReasonSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="delete", url_name="delete")
    def delete_entry(self, request: Request, pk: str) -> Response:
        entry = selectors.entry_for_user(user=request.user, entry_id=pk)
        data = validated(s.ReasonSerializer, request.data)
        services.entry_delete(actor=request.user, entry=entry, reason=data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentViewSet(viewsets.GenericViewSet):
    """Withdrawing a consent (recording one is on the youth: /youths/{id}/consents/)."""

    lookup_value_regex = UUID_PATTERN
    queryset = Consent.objects.none()
    serializer_class = s.ConsentSerializer

    @extend_schema(request=s.WithdrawSerializer, responses=s.ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        consent = selectors.consent_for_user(user=request.user, consent_id=pk)
        data = validated(s.WithdrawSerializer, request.data)
        consent = services.consent_withdraw(
            actor=request.user, consent=consent, method=data["method"]
        )
        return Response(s.ConsentSerializer(consent).data)


@extend_schema_view(list=extend_schema(parameters=[s.ReferralQuerySerializer]))
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referral inbox and outbox of the caller's services, and the state changes."""

    lookup_value_regex = UUID_PATTERN
    queryset = Referral.objects.none()
    serializer_class = s.ReferralSerializer

    def list(self, request: Request) -> Response:
        query = validated(s.ReferralQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        referrals = ReferralList(
            ReferralFilter(
                box=query["box"],
                services=tuple(viewer.reach),
                states=(query["state"],) if "state" in query else (),
                overdue=query["overdue"],
                today=timezone.localdate(),
            )
        )
        rows: list[ReferralRow] = self.paginate_queryset(referrals) or []  # type: ignore[arg-type]
        reads.log_referrals(viewer, f"referrals-{query['box']}", rows)
        return self.get_paginated_response(s.ReferralSerializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        with transaction.atomic():
            referral = selectors.referral_for_user(user=request.user, referral_id=pk)
            if access.works_in(request.user, referral.to_service):
                referral = services.referral_open(actor=request.user, referral=referral)
            reads.log_referrals(viewer_of(request), "referral", [referral])
        return Response(s.ReferralSerializer(referral).data)

    @extend_schema(request=s.ReferralInputSerializer, responses={201: s.ReferralSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.ReferralInputSerializer, request.data)
        youth = access.youth_for_user(request.user, data.pop("youth"), purpose="referral-send")
        from_service = access.service_for_user(request.user, data.pop("from_service"))
        to_service = _service(data.pop("to_service"))
        referral = services.referral_send(
            actor=request.user,
            youth=youth,
            from_service=from_service,
            to_service=to_service,
            **data,
        )
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _act(self, pk: str, service: Any, serializer: Any, **extra: Any) -> Response:
        referral = selectors.referral_for_user(user=self.request.user, referral_id=pk)
        data = validated(serializer, self.request.data)
        result = service(actor=self.request.user, referral=referral, **data, **extra)
        return Response(s.ReferralSerializer(result).data)

    @extend_schema(request=s.AcceptSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(pk, services.referral_accept, s.AcceptSerializer)

    @extend_schema(request=s.DeclineSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._act(pk, services.referral_decline, s.DeclineSerializer)

    @extend_schema(request=s.VersionSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return self._act(pk, services.referral_withdraw, s.VersionSerializer)

    @extend_schema(request=s.VersionSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._act(pk, services.referral_close, s.VersionSerializer)

    @extend_schema(request=s.RerouteSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def reroute(self, request: Request, pk: str) -> Response:
        referral = selectors.referral_for_user(user=request.user, referral_id=pk)
        data = validated(s.RerouteSerializer, request.data)
        new = services.referral_reroute(
            actor=request.user,
            referral=referral,
            version=data["version"],
            to_service=_service(data["to_service"]),
            message=data["message"],
        )
        return Response(s.ReferralSerializer(new).data, status=status.HTTP_201_CREATED)


class HandoverViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Handovers (stafett) sent from or to the caller's services."""

    lookup_value_regex = UUID_PATTERN
    queryset = Handover.objects.none()
    serializer_class = s.HandoverSerializer

    def list(self, request: Request) -> Response:
        with transaction.atomic():
            page = self.paginate_queryset(selectors.handover_list(user=request.user))
            access.log_reads(
                viewer_of(request),
                "handovers",
                [
                    access.Read(
                        youth_id=h.youth_id,
                        following_service_ids=[h.to_service_id, h.period.service_id],
                    )
                    for h in page or []
                ],
            )
        return self.get_paginated_response(s.HandoverSerializer(page, many=True).data)

    @extend_schema(request=s.HandoverInputSerializer, responses={201: s.HandoverSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.HandoverInputSerializer, request.data)
        try:
            period = access.own_service_periods(request.user).get(pk=data.pop("period"))
        except FollowUpPeriod.DoesNotExist:
            raise Http404 from None
        handover = services.handover_offer(
            actor=request.user, period=period, to_service=_service(data.pop("to_service")), **data
        )
        return Response(s.HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept responsibility. A plan's coordinator is accepted on the plan
        (``/plans/{id}/coordinator/accept/``), which also moves the coordinator."""
        handover = selectors.handover_for_user(user=request.user, handover_id=pk)
        if handover.kind != HandoverKind.RESPONSIBILITY:
            message = _("Denne stafetten gjelder en plan og besvares i planen.")
            raise ApplicationError(message, code="answer_in_plan")
        return Response(
            s.HandoverSerializer(
                services.handover_accept(actor=request.user, handover=handover)
            ).data
        )

    @extend_schema(request=s.HandoverDeclineSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        handover = selectors.handover_for_user(user=request.user, handover_id=pk)
        data = validated(s.HandoverDeclineSerializer, request.data)
        result = services.handover_decline(
            actor=request.user, handover=handover, reason=data["reason"]
        )
        return Response(s.HandoverSerializer(result).data)


@extend_schema_view(list=extend_schema(parameters=[s.AccessLogQuerySerializer]))
class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The access log of the caller's services' staff: for privacy officers only."""

    queryset = AccessLogEntry.objects.none()
    serializer_class = s.AccessLogSerializer

    def get_queryset(self) -> Any:
        user: Any = self.request.user
        if not user.memberships.filter(
            role=StaffRole.PRIVACY_OFFICER, ended_at__isnull=True
        ).exists():
            raise PermissionDenied
        query = validated(s.AccessLogQuerySerializer, self.request.query_params)
        entries = selectors.access_log_for_privacy_officer(user=user)
        filters = {
            "subject_id": query.get("youth"),
            "party_id": query.get("service"),
            "actor__username": query.get("actor"),
            "granted": query.get("granted"),
            "at__gte": query.get("after"),
            "at__lt": query.get("before"),
        }
        return entries.filter(**{k: v for k, v in filters.items() if v is not None})

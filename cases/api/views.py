"""Thin views: validate, call a selector or a service, serialize.

Every viewset starts from nothing (deny by default) and reads youths only through
``cases.access`` by way of the selectors.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cases import access, selectors, services
from cases.api.activities import YouthDecisionsMixin
from cases.api.base import UUID_PATTERN, StrictSerializer, log_answer, log_youth_read, validated
from cases.api.consents import YouthConsentsMixin, YouthHealthObjectionMixin
from cases.api.dialogue import YouthThreadsMixin
from cases.api.entries import YouthEntriesMixin
from cases.api.serializers import (
    ClearancesSerializer,
    GuardianInputSerializer,
    GuardianSerializer,
    LookupSerializer,
    MembershipSerializer,
    PeriodCloseSerializer,
    PeriodOpenSerializer,
    PeriodReassignSerializer,
    PeriodSerializer,
    ServiceSerializer,
    YouthDetailSerializer,
    YouthListSerializer,
    YouthProtectionSerializer,
    YouthRegisterSerializer,
    YouthUpdateSerializer,
    today_context,
)
from cases.api.timeline import YouthTimelineMixin
from cases.api.youth_plan import YouthConsentRequestsMixin
from cases.middleware import viewer_of
from cases.models import FollowUpPeriod, Service, ServiceKind, StaffMembership, Youth
from cases.validators import SEARCH_API_MESSAGE, no_identity_number


class CaseloadQuerySerializer(StrictSerializer):
    scope = serializers.ChoiceField(
        choices=[(selectors.SCOPE_OURS, _("våre")), (selectors.SCOPE_MINE, _("mine"))],
        default=selectors.SCOPE_OURS,
        help_text=_("«ours»: åpne perioder i dine tjenester; «mine»: der du er ansvarlig."),
    )
    service = serializers.UUIDField(required=False)
    municipality = serializers.RegexField(r"^\d{4}$", required=False)
    q = serializers.CharField(
        max_length=100,
        required=False,
        validators=[no_identity_number(SEARCH_API_MESSAGE)],
        help_text=_("Navn (begynnelse). Aldri identitetsnummer: bruk oppslaget."),
    )
    born_after = serializers.DateField(required=False)
    born_before = serializers.DateField(required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


class YouthViewSet(
    YouthEntriesMixin,
    YouthThreadsMixin,
    YouthConsentsMixin,
    YouthHealthObjectionMixin,
    YouthTimelineMixin,
    YouthDecisionsMixin,
    YouthConsentRequestsMixin,
    viewsets.GenericViewSet,
):
    """Youths in the caller's reach. Unknown and unreachable youths both answer 404."""

    lookup_value_regex = UUID_PATTERN
    queryset = Youth.objects.none()
    serializer_class = YouthDetailSerializer

    @extend_schema(parameters=[CaseloadQuerySerializer], responses=YouthListSerializer(many=True))
    def list(self, request: Request) -> Response:
        query = validated(CaseloadQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        youths = selectors.youth_caseload(
            viewer,
            scope=query["scope"],
            service_id=query.get("service"),
            municipality_number=query.get("municipality"),
            name=query.get("q"),
            born_after=query.get("born_after"),
            born_before=query.get("born_before"),
        )
        page: list[dict[str, Any]] = self.paginate_queryset(youths) or []  # type: ignore[arg-type]  # pages itself
        access.log_caseload(viewer, "caseload", page)
        data = YouthListSerializer(page, many=True, context=today_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=YouthRegisterSerializer,
        responses={
            201: OpenApiResponse(YouthDetailSerializer, _("Ny ungdom registrert.")),
            200: OpenApiResponse(
                YouthDetailSerializer,
                _("Ungdommen fantes fra før; tjenesten din følger nå opp den samme posten."),
            ),
        },
    )
    def create(self, request: Request) -> Response:
        data = validated(YouthRegisterSerializer, request.data)
        service = access.service_for_user(viewer_of(request), data.pop("service"))
        youth, _period, created = services.youth_register(
            actor=request.user, service=service, **data
        )
        with transaction.atomic():
            detail = selectors.youth_detail(viewer=viewer_of(request), youth_id=youth.pk)
            log_youth_read(request, "youth-register", detail)
        return Response(
            YouthDetailSerializer(detail).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        # Read before the transaction: a refused attempt's access-log row outlives the 404.
        youth = selectors.youth_detail(viewer=viewer_of(request), youth_id=pk)
        with transaction.atomic():
            log_youth_read(request, "youth", youth)
        return Response(YouthDetailSerializer(youth).data)

    @extend_schema(request=YouthUpdateSerializer, responses=YouthDetailSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-update")
        data = validated(YouthUpdateSerializer, request.data)
        services.youth_update(actor=request.user, youth=youth, **data)
        with transaction.atomic():
            detail = selectors.youth_detail(viewer=viewer_of(request), youth_id=youth.pk)
            log_youth_read(request, "youth-update", detail)
        return Response(YouthDetailSerializer(detail).data)

    @extend_schema(
        request=LookupSerializer,
        responses={200: YouthDetailSerializer, 404: OpenApiResponse(description=_("Ikke funnet."))},
        description=_(
            "Slå opp en ungdom på identitetsnummer. Nummeret sendes i forespørselens innhold, "
            "aldri i adressen."
        ),
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request: Request) -> Response:
        data = validated(LookupSerializer, request.data)
        youth = selectors.youth_by_national_id(
            viewer=viewer_of(request), national_id=data["national_id"]
        )
        if youth is None:
            raise NotFound
        with transaction.atomic():
            detail = selectors.youth_detail(viewer=viewer_of(request), youth_id=youth.pk)
            log_youth_read(request, "youth-lookup", detail)
        return Response(YouthDetailSerializer(detail).data)

    @extend_schema(request=YouthProtectionSerializer, responses=YouthDetailSerializer)
    @action(detail=True, methods=["post"])
    def protection(self, request: Request, pk: str) -> Response:
        """Mark the youth's address protection and whether the youth is shielded (a manager of
        a service that follows the youth)."""
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-protection")
        data = validated(YouthProtectionSerializer, request.data)
        youth = services.youth_protection_set(actor=request.user, youth=youth, **data)
        with transaction.atomic():
            detail = selectors.youth_detail(viewer=viewer_of(request), youth_id=youth.pk)
            log_youth_read(request, "youth-protection", detail)
        return Response(YouthDetailSerializer(detail).data)

    @extend_schema(
        methods=["get"], responses=GuardianSerializer(many=True), operation_id="youths_guardians"
    )
    @extend_schema(
        methods=["post"],
        request=GuardianInputSerializer,
        responses={201: GuardianSerializer},
        operation_id="youths_guardians_add",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def guardians(self, request: Request, pk: str) -> Response:
        youth = access.youth_for_user(viewer_of(request), pk, purpose="youth-guardians")
        if request.method == "POST":
            data = validated(GuardianInputSerializer, request.data)
            guardian = services.guardian_add(actor=request.user, youth=youth, **data)
            item = {"type": "guardian", "id": str(guardian.pk), "category": "GENERAL"}
            log_answer(
                request,
                "guardian-add",
                youth.pk,
                [{**item, "basis": "general"}],
                through=viewer_of(request).reach,
            )
            return Response(GuardianSerializer(guardian).data, status=status.HTTP_201_CREATED)
        with transaction.atomic():
            guardians = list(youth.guardians.all())
            log_youth_read(request, "youth-guardians", youth)
        return Response(GuardianSerializer(guardians, many=True).data)


class ServiceQuerySerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices, required=False)
    municipality = serializers.RegexField(r"^\d{4}$", required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


@extend_schema_view(list=extend_schema(parameters=[ServiceQuerySerializer]))
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The service registry: open to every signed-in staff member (it holds no youth data)."""

    lookup_value_regex = UUID_PATTERN
    queryset = Service.objects.none()
    serializer_class = ServiceSerializer

    def get_queryset(self) -> Any:
        services_qs = selectors.service_list()
        if self.action == "list":
            query = validated(ServiceQuerySerializer, self.request.query_params)
            if "kind" in query:
                services_qs = services_qs.filter(kind=query["kind"])
            if "municipality" in query:
                services_qs = services_qs.filter(municipality_number=query["municipality"])
        return services_qs


class ServiceClearancesView(GenericAPIView):
    """A manager of the service grants or takes away a staff member's clearances for youths with
    a protected identity."""

    queryset = StaffMembership.objects.none()
    serializer_class = MembershipSerializer

    @extend_schema(request=ClearancesSerializer, responses=MembershipSerializer(many=True))
    def post(self, request: Request, pk: str) -> Response:
        service = access.service_for_user(viewer_of(request), pk)
        data = validated(ClearancesSerializer, request.data)
        memberships = services.membership_clearances_set(
            actor=request.user, service=service, **data
        )
        return Response(MembershipSerializer(memberships, many=True).data)


class MyMembershipsView(ListAPIView):
    """The services the caller works in, with roles."""

    queryset = StaffMembership.objects.none()
    serializer_class = MembershipSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.membership_list(user=self.request.user)


class PeriodQuerySerializer(StrictSerializer):
    youth = serializers.UUIDField(required=False)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    mine = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


@extend_schema_view(list=extend_schema(parameters=[PeriodQuerySerializer]))
class FollowUpPeriodViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Follow-up periods of the caller's own services."""

    lookup_value_regex = UUID_PATTERN
    queryset = FollowUpPeriod.objects.none()
    serializer_class = PeriodSerializer

    def get_queryset(self) -> Any:
        periods = selectors.period_list(viewer=viewer_of(self.request))
        if self.action == "list":
            query = validated(PeriodQuerySerializer, self.request.query_params)
            if "youth" in query:
                periods = periods.filter(youth_id=query["youth"])
            if query["open"] is not None:
                periods = periods.filter(ended_on__isnull=query["open"])
            if query["mine"]:
                periods = periods.filter(responsible_id=self.request.user.pk)
        return periods.order_by("-started_on", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            page = self.paginate_queryset(self.get_queryset()) or []
            access.log_reads(
                viewer_of(request),
                "periods",
                [access.Read(period.youth_id, [period.service_id]) for period in page],
            )
        return self.get_paginated_response(PeriodSerializer(page, many=True).data)

    def get_object(self) -> FollowUpPeriod:
        """A period of the caller's own services, else Http404 (a refused attempt logged)."""
        try:
            return super().get_object()
        except Http404:
            purpose = "period" if self.action == "retrieve" else f"period-{self.action}"
            pk = self.kwargs["pk"]
            raise access.refused(viewer_of(self.request), FollowUpPeriod, pk, purpose) from None

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = self.get_object()
        with transaction.atomic():
            access.log_reads(
                viewer_of(request),
                "period",
                [access.Read(period.youth_id, [period.service_id])],
            )
        return Response(PeriodSerializer(period).data)

    @extend_schema(request=PeriodOpenSerializer, responses={201: PeriodSerializer})
    def create(self, request: Request) -> Response:
        data = validated(PeriodOpenSerializer, request.data)
        # Opening a period needs the youth in reach of some service of the caller's, or the
        # caller registers the youth (POST /youths/) with the identity number. The youth is
        # checked first: a refused attempt on it is logged, whichever service was named.
        youth = access.youth_for_user(viewer_of(request), data.pop("youth"), purpose="period-open")
        service = access.service_for_user(viewer_of(request), data.pop("service"))
        period = services.period_open(actor=request.user, youth=youth, service=service, **data)
        log_answer(request, "period-open", period.youth_id, through=[period.service_id])
        return Response(PeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PeriodCloseSerializer, responses=PeriodSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        period = self.get_object()
        data = validated(PeriodCloseSerializer, request.data)
        period = services.period_close(actor=request.user, period=period, **data)
        log_answer(request, "period-close", period.youth_id, through=[period.service_id])
        return Response(PeriodSerializer(period).data)

    @extend_schema(request=PeriodReassignSerializer, responses=PeriodSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str) -> Response:
        period = self.get_object()
        data = validated(PeriodReassignSerializer, request.data)
        period = services.period_reassign(actor=request.user, period=period, **data)
        log_answer(request, "period-reassign", period.youth_id, through=[period.service_id])
        return Response(PeriodSerializer(period).data)

"""Deadlines (mine and my service's), the rules, reminder choices and the youth-guarantee report.

Deadline lists read through ``cases.access.held_by_my_services`` and write the access log;
the report is aggregates only (no youth is named) for staff of the NAV office.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access
from cases.api.base import UUID_PATTERN, validated
from cases.api.errors import error_body
from cases.middleware import viewer_of
from cases.models import ServiceKind
from coordination.api import serializers as s
from coordination.api.renderers import CSVRenderer
from coordination.deadlines import compliance
from coordination.deadlines.selectors import deadline_filter, deadlines_for, log_deadlines
from coordination.models import Deadline, DeadlineRule
from coordination.reminders import preferences
from core.errors import ApplicationError


@extend_schema_view(list=extend_schema(parameters=[s.DeadlineQuerySerializer]))
class DeadlineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My deadlines (``scope=mine``) or my services' (``scope=service``): live by default,
    or open, due soon, overdue, all."""

    lookup_value_regex = UUID_PATTERN
    queryset = Deadline.objects.none()
    serializer_class = s.DeadlineSerializer

    def list(self, request: Request) -> Response:
        query = validated(s.DeadlineQuerySerializer, request.query_params)
        viewer = viewer_of(request)
        with transaction.atomic():
            page = self.paginate_queryset(
                deadline_filter(deadlines_for(viewer), query, request.user)
            )
            log_deadlines(viewer, f"deadlines-{query['scope']}", list(page or []))
        return self.get_paginated_response(s.DeadlineSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        try:
            deadline = deadlines_for(viewer).get(pk=pk)
        except Deadline.DoesNotExist:
            raise access.refused(viewer, Deadline, pk, "deadline") from None
        with transaction.atomic():
            log_deadlines(viewer, "deadline", [deadline])
        return Response(s.DeadlineSerializer(deadline).data)


class DeadlineRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The deadline rules of this deployment, with source and parameters (edited in the admin)."""

    queryset = DeadlineRule.objects.order_by("code")
    serializer_class = s.DeadlineRuleSerializer
    pagination_class = None


class ReminderPreferenceView(APIView):
    """How I am reminded: at once (one digest per run) or in a daily digest."""

    @extend_schema(responses=s.ReminderPreferenceSerializer)
    def get(self, request: Request) -> Response:
        user: Any = request.user
        return Response({"mode": preferences.reminder_mode(user)})

    @extend_schema(request=s.ReminderPreferenceSerializer, responses=s.ReminderPreferenceSerializer)
    def put(self, request: Request) -> Response:
        data = validated(s.ReminderPreferenceSerializer, request.data)
        user: Any = request.user
        preferences.reminder_preference_set(actor=user, mode=data["mode"])
        return Response({"mode": data["mode"]})


def _csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    history = [(snap.day, snap) for snap in report["ug90_history"]]
    return compliance.figure_rows(
        report["start"],
        report["end"],
        report["deadlines"],
        [*history, (timezone.localdate(), report["ug90_now"])],
    )


class YouthGuaranteeReportView(APIView):
    """Youth-guarantee compliance of one NAV office: UG-PLAN-1M and UG-2023 deadlines met and
    missed in the period, UG-90 now and day by day. ``?format=csv`` for a spreadsheet."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[s.ReportQuerySerializer],
        responses={
            200: s.ReportSerializer,
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV"),
        },
    )
    def get(self, request: Request, format: str | None = None) -> Response:
        query = validated(s.ReportQuerySerializer, request.query_params)
        service = access.service_for_user(viewer_of(request), query["service"])
        if service.kind != ServiceKind.NAV:
            message = _("Rapporten gjelder NAV-kontorer.")
            raise ApplicationError(message, code="not_nav", fields={"service": message})
        report = compliance.report(service, query["start"], query["end"])
        if request.accepted_renderer.format == "csv":
            filename = f"ungdomsgaranti-{query['start']}-{query['end']}.csv"
            return Response(
                _csv_rows(report),
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(s.ReportSerializer(report).data)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Errors keep the API's one JSON shape, also when the caller asked for CSV.
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (``handler404``). An address under /api/ that matches no route (an id
    that is no UUID, say) answers in the API's one error shape, as the API's own 404s do; pages
    get Django's page."""
    if request.path.startswith("/api/"):
        body = error_body(NotFound.default_code, str(NotFound.default_detail))
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)
